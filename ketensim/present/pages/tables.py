"""The tables of a run's report page, as plain data: rows of cells, in the reader's language.

Per step and for the chain the main figures with their 95% intervals; the
outcomes; the norms (share within the term, and whether it is met); the
costs per partner under the sharing rule; and the mechanisms that showed up
(see :mod:`ketensim.results.mechanisms`). Each table is a dict with ``head`` and
``rows`` (cells from :func:`ketensim.scenario_text.cell`), or None when the
run has nothing for it, so the template shows only what there is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ketensim.present.words import i18n
from ketensim.present.words import norms as norm_words
from ketensim.present.words.scenario import cell
from ketensim.present.words.verdict import step_name
from ketensim.results import mechanisms, norms
from ketensim.results.damage import wait_now_differs
from ketensim.results.stats import Interval, bounds_of, has_interval, mean_ci

STEP_KPIS = ("arrivals", "completions", "mean_wait", "p90_wait", "mean_queue", "max_queue",
             "utilization", "queue_at_end")
CHAIN_KPIS = ("cases_in", "cases_out", "mean_lead_time", "p50_lead_time", "p90_lead_time",
              "wip_at_end")
TIME_KPIS = {"mean_wait", "p90_wait", "mean_lead_time", "p50_lead_time", "p90_lead_time",
             "mean_backlog_lead_time", "deadlock_at", "mean_time", "waiting_age_at_end",
             "wait_ahead_at_end"}
PARTNER_KPIS = ("arrivals", "completions", "stock_at_end", "mean_stock", "mean_time",
                "utilization")
WAIT_NOW_KPIS = ("waiting_age_at_end", "wait_ahead_at_end")
EXTRA_STEP_KPIS = ("rejected", "diverted", "reneged", "dismissed", "returned", "late",
                   "mean_blocked", "at_door_end")
EXTRA_CHAIN_KPIS = ("reentries", "mean_outside", "outside_at_end", "backlog_cleared",
                    "mean_backlog_lead_time", "deadlock_at")
SHARE_KPIS = {"utilization"}  # shown as a percentage, like a norm's share (``norm:<id>``)
MECHANISM_CHAIN_KPIS = ("reentries", "deadlock_at")  # in the mechanism table, not the chain's


def _cell(text: str, numeric: bool = True, cls: str = "") -> dict[str, Any]:
    """A cell; a mean with its interval ``'5,3 (3,7–7,0)'`` keeps the interval on a line of its
    own, so a table of many columns fits a laptop screen and an A4 page."""
    found = cell(text, numeric, cls)
    if numeric and text.endswith(")") and " (" in text:
        main, _, interval = text[:-1].partition(" (")
        found.update(text=main, sub=interval)
    return found


def is_share(kpi: str) -> bool:
    """True for a KPI that is a share of cases or time (shown as a percentage)."""
    return base_kpi(kpi) in SHARE_KPIS or kpi.startswith("norm:")


def fmt(est: Interval, lang: str, kpi: str = "", clip: bool = True) -> str:
    """Mean with its interval in brackets: '5,3 (3,7-7,0)'; shares as percentages.

    With ``clip`` the interval stops at zero: every figure in the run tables is
    a count, a time or a share, and a negative end only confuses a reader.
    """
    if est.n == 0 or not math.isfinite(est.mean):
        return "–"
    if clip and math.isfinite(est.low) and est.low < 0 <= est.mean:
        est = Interval(est.mean, 0.0, est.high, est.n)
    if clip and kpi.startswith("norm:") and math.isfinite(est.high) and est.high > 1:
        est = Interval(est.mean, est.low, 1.0, est.n)  # no more than all cases are in time
    show = (lambda x: i18n.percent(x, lang)) if is_share(kpi) else \
        (lambda x: i18n.number(x, lang))
    text = show(est.mean)
    if has_interval(est) and not show(est.low) == show(est.high) == text:
        text += f" ({show(est.low)}–{show(est.high)})"
    return text


def base_kpi(kpi: str) -> str:
    """The column a KPI of the comparison reads: ``partner:om:mean_time`` -> ``mean_time``."""
    return kpi.split(":")[-1] if kpi.startswith("partner:") else kpi


def kpi_label(kpi: str, scenario: Any, lang: str) -> str:
    """A KPI as people say it, lower case: also ``norm:<id>``, ``cost:<partner>`` and
    ``partner:<id>:<kpi>``."""
    kind, _, name = kpi.partition(":")
    if kind == "partner" and ":" in name:
        pid, _, column = name.partition(":")
        try:
            partner = scenario.partner(pid).label
        except (KeyError, AttributeError):
            partner = pid
        return f"{i18n.kpi_name(column, lang)} ({partner})"
    if kind == "norm" and name:
        norm = next((n for n in scenario.norms if n.id == name), None)
        title = norm_words.title(norm, scenario, lang) if norm is not None else name
        return i18n.label("kpi_norm", lang, title=title)
    if kind == "cost" and name:
        try:
            partner = scenario.partner(name).label
        except (KeyError, AttributeError):
            partner = name
        return i18n.label("kpi_cost_of", lang, partner=partner)
    return i18n.kpi_name(kpi, lang)


def head(kpi: str, scenario: Any, lang: str) -> str:
    """A column or row heading for a KPI, with its time unit where it has one."""
    name = kpi_label(kpi, scenario, lang)
    if base_kpi(kpi) in TIME_KPIS:
        name += f" ({i18n.unit_name(scenario.time_unit, lang, plural=True)})"
    return name[0].upper() + name[1:]


def values(frame: pd.DataFrame, column: str) -> Interval:
    """Mean and 95% interval of one column over replications (NaN left out)."""
    if column not in frame.columns:
        return mean_ci([])
    return mean_ci(pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float),
                   bounds=bounds_of(column))


def step_table(results: Any, lang: str, kpis: Sequence[str] = STEP_KPIS) -> dict[str, Any]:
    """One row per step, one column per KPI.

    The waits of cases still waiting at the end join the table wherever they
    differ materially from the measured wait, which counts only cases whose
    handling started: a growing pile must never show a reassuring wait alone.
    """
    scenario = results.scenario
    if wait_now_differs(results.steps):  # room for them: the largest backlog is in the CSV
        kpis = [*(k for k in kpis if k != "max_queue"), *WAIT_NOW_KPIS]
    heads = [i18n.label("col_step", lang)] + [head(k, scenario, lang) for k in kpis]
    rows = []
    for step in scenario.steps:
        part = results.steps[results.steps["step"] == step.id]
        rows.append([_cell(step_name(scenario, step.id), numeric=False)]
                    + [_cell(fmt(values(part, k), lang, k)) for k in kpis])
    return {"head": heads, "rows": rows}


def partner_table(results: Any, lang: str) -> dict[str, Any] | None:
    """One row per partner: stock, throughput, time with the partner and utilisation."""
    partners = getattr(results, "partners", None)
    if partners is None or partners.empty:
        return None
    scenario = results.scenario
    heads = [i18n.label("col_partner", lang)] + [head(k, scenario, lang) for k in PARTNER_KPIS]
    rows = []
    for p in scenario.partners:
        part = partners[partners["partner"] == p.id]
        if part.empty:
            continue
        rows.append([_cell(p.label, numeric=False)]
                    + [_cell(fmt(values(part, k), lang, k)) for k in PARTNER_KPIS])
    return {"head": heads, "rows": rows}


def chain_table(results: Any, lang: str) -> dict[str, Any]:
    """The chain's figures, one row each; the special ones only where they happened."""
    chain = results.chain
    extra = [k for k in EXTRA_CHAIN_KPIS if k not in MECHANISM_CHAIN_KPIS]
    kpis = list(CHAIN_KPIS) + [k for k in extra if k in chain.columns
                               and pd.to_numeric(chain[k], errors="coerce").fillna(0).abs()
                               .sum() > 0]
    rows = [[_cell(head(k, results.scenario, lang), numeric=False),
             _cell(fmt(values(chain, k), lang, k))] for k in kpis if k in chain.columns]
    return {"head": [i18n.label("col_kpi", lang), i18n.label("col_value", lang)], "rows": rows,
            "narrow": True}


def outcome_table(results: Any, lang: str) -> dict[str, Any]:
    """Cases per outcome and their share of all cases leaving."""
    out = results.outcomes
    totals = out.groupby("replication")["cases"].sum()
    rows = []
    for outcome in dict.fromkeys(out["outcome"]):
        part = out[out["outcome"] == outcome].set_index("replication")["cases"]
        share = (part / totals.reindex(part.index)).to_numpy(dtype=float)
        rows.append([_cell(str(outcome).replace("_", " "), numeric=False),
                     _cell(fmt(mean_ci(part.to_numpy(dtype=float), bounds=(0.0, math.inf)),
                               lang)),
                     _cell(fmt(mean_ci(share, bounds=bounds_of("share")), lang, "utilization"))])
    heads = [i18n.label(k, lang) for k in ("col_outcome", "col_cases", "col_share")]
    return {"head": heads, "rows": rows, "narrow": True}


# -- norms and costs -------------------------------------------------------------------


def _yes_no(value: bool, lang: str) -> dict[str, Any]:
    return _cell(i18n.label("yes" if value else "no", lang), numeric=False,
                 cls="" if value else "sig")


def norm_table(results: Any, lang: str) -> dict[str, Any] | None:
    """Per norm: the share within the term (mean, 95% interval) and whether it is met."""
    scenario = results.scenario
    if not getattr(scenario, "norms", ()) or not hasattr(results, "norm_summary"):
        return None
    rows = []
    for row in results.norm_summary().itertuples(index=False):
        norm = next(n for n in scenario.norms if n.id == row.norm)
        est = Interval(row.mean, row.ci_low, row.ci_high, row.replications)
        met = norms.judge(row.mean, row.ci_low, norm.share)
        rows.append([
            _cell(norm.label or norm.id, numeric=False),
            _cell(norm_words.describe(norm, scenario, lang), numeric=False),
            _cell(fmt(est, lang, f"norm:{norm.id}")),
            _yes_no(met.in_mean, lang), _yes_no(met.by_lower_bound, lang),
            _cell(i18n.label("k_of_n", lang, k=row.replications_met, n=row.replications)),
        ])
    heads = [i18n.label(k, lang) for k in ("col_norm", "col_requirement", "col_within",
                                            "col_met_mean", "col_met_low", "col_reps_met")]
    return {"head": heads, "rows": rows}


def cost_table(results: Any, lang: str) -> dict[str, Any] | None:
    """Per partner: own costs, share and payment under the sharing rule, cost per case."""
    scenario = results.scenario
    if not getattr(scenario, "has_costs", False) or not hasattr(results, "cost_summary"):
        return None
    summary = results.cost_summary()
    est = {(r.partner, r.kpi): Interval(r.mean, r.ci_low, r.ci_high, r.n)
           for r in summary.itertuples(index=False)}
    rows = []
    for partner in scenario.partners:
        rows.append([_cell(partner.label, numeric=False)] + [
            _cell(fmt(est[(partner.id, k)], lang, "utilization" if k == "share" else k))
            for k in ("total", "share", "allocated", "cost_per_case")])
    total, per_case = est.get(("", "cost_total")), est.get(("", "cost_per_case"))
    if total is not None:
        rows.append([_cell(i18n.label("chain", lang), numeric=False, cls="total"),
                     _cell(fmt(total, lang)), _cell("100%"), _cell(fmt(total, lang)),
                     _cell(fmt(per_case, lang) if per_case is not None else "–")])
    currency = scenario.cost_settings.currency
    heads = [i18n.label("col_partner", lang)] + [
        i18n.label(k, lang, currency=currency)
        for k in ("col_own_costs", "col_cost_share", "col_to_pay", "col_per_case")]
    return {"head": heads, "rows": rows}


def cost_note(results: Any, lang: str) -> str:
    """How the bill is shared, in one sentence."""
    rule = results.scenario.cost_settings.sharing
    return i18n.label(f"cost_rule_{rule}", lang)


# -- mechanisms ------------------------------------------------------------------------


def mechanism_tables(results: Any, lang: str) -> list[dict[str, Any]]:
    """The mechanisms that showed up: per step, per case type, per pool, for the chain."""
    tables = []
    kpis = mechanisms.step_kpis(results)
    if kpis:
        shown = {sid for k in kpis for sid, _ in mechanisms.step_means(results, k)}
        steps = step_table(results, lang, kpis)
        steps["rows"] = [r for r, s in zip(steps["rows"], results.scenario.steps, strict=True)
                         if s.id in shown]
        tables.append({**steps, "caption": i18n.label("mech_steps", lang)})
    for build in (_type_table, _pool_table, _chain_mechanisms):
        table = build(results, lang)
        if table is not None:
            tables.append(table)
    return tables


def _type_table(results: Any, lang: str) -> dict[str, Any] | None:
    rows = mechanisms.type_waits(results)
    if not rows:
        return None
    sc = results.scenario
    heads = [i18n.label("col_step", lang), i18n.label("col_case_type", lang),
             i18n.label("col_started", lang), head("mean_wait", sc, lang),
             head("p90_wait", sc, lang)]
    cells = [[_cell(step_name(sc, r["step"]), numeric=False),
              _cell(r["case_type"].replace("_", " "), numeric=False),
              _cell(fmt(r["started"], lang)), _cell(fmt(r["mean_wait"], lang)),
              _cell(fmt(r["p90_wait"], lang))] for r in rows]
    return {"head": heads, "rows": cells, "caption": i18n.label("mech_types", lang)}


def _pool_table(results: Any, lang: str) -> dict[str, Any] | None:
    rows = mechanisms.pool_use(results)
    if not rows:
        return None
    heads = [i18n.label(k, lang) for k in ("col_pool", "col_partner", "col_util",
                                            "col_busy", "col_available")]
    cells = [[_cell(r["pool"], numeric=False), _cell(r["partner"], numeric=False),
              _cell(fmt(r["utilization"], lang, "utilization")),
              _cell(fmt(r["mean_busy"], lang)), _cell(fmt(r["mean_capacity"], lang))]
             for r in rows]
    return {"head": heads, "rows": cells, "caption": i18n.label("mech_pools", lang)}


def _chain_mechanisms(results: Any, lang: str) -> dict[str, Any] | None:
    rows = []
    again = mechanisms.reentries(results)
    if again is not None:
        rows.append([_cell(head("reentries", results.scenario, lang), numeric=False),
                     _cell(fmt(again, lang))])
    lock = mechanisms.deadlock(results)
    if lock is not None:
        unit = i18n.unit_name(results.scenario.time_unit, lang)
        steps = ", ".join(step_name(results.scenario, s) for s in lock.steps) or "–"
        text = i18n.label("deadlock_cell", lang, k=lock.replications, n=lock.of, unit=unit,
                          at=i18n.number(lock.first_at, lang, digits=0), steps=steps)
        rows.append([_cell(i18n.label("deadlock", lang), numeric=False),
                     _cell(text, numeric=False, cls="sig")])
    if not rows:
        return None
    return {"head": [i18n.label("col_kpi", lang), i18n.label("col_value", lang)], "rows": rows,
            "narrow": True, "caption": i18n.label("mech_chain", lang)}
