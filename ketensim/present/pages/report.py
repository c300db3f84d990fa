"""One self-contained HTML page per run or comparison: verdict first, then evidence.

The page is read by people who decide, often offline, forwarded by mail or
archived with the results. So it carries everything inside it (pictures as
data URIs, CSS inline, no scripts, no links out), opens with the plain-words
verdict, then shows the pictures, the tables with their 95% intervals and
finally the scenario exactly as it ran, so the reader can check what was
assumed. Dutch by default.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import jinja2
import pandas as pd
from matplotlib.figure import Figure

from ketensim import __version__
from ketensim.present.pages import tables
from ketensim.present.pages.tables import (
    CHAIN_KPIS,
    EXTRA_CHAIN_KPIS,
    EXTRA_STEP_KPIS,
    STEP_KPIS,
    TIME_KPIS,
    is_share,
)
from ketensim.present.pages.tables import fmt as _fmt
from ketensim.present.pages.tables import head as _head
from ketensim.present.pictures import plots
from ketensim.present.pictures.style import SCENARIO_COLOURS
from ketensim.present.words import i18n
from ketensim.present.words import mechanisms as mechanism_text
from ketensim.present.words import summary as summary_text
from ketensim.present.words.scenario import cell, scenario_tables
from ketensim.present.words.verdict import step_name, verdict_lines
from ketensim.results import insights
from ketensim.results.stats import Interval, has_interval

__all__ = ["figure_uri", "render_compare_report", "render_run_report"]

COST_KPIS = ("cost_total", "cost_per_case")


def _cell(text: str, numeric: bool = True, cls: str = "") -> dict[str, Any]:
    return cell(text, numeric, cls)


def env() -> jinja2.Environment:
    """The templates of every page: autoescaped, strict about missing values."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ketensim.present.pages", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def figure_uri(fig: Figure) -> str:
    """A figure as a PNG data URI: the page needs no files beside it."""
    return "data:image/png;base64," + base64.b64encode(plots.png_bytes(fig)).decode("ascii")


def facts(results: Any, lang: str) -> list[tuple[str, str]]:
    sc = results.scenario
    unit = sc.time_unit
    facts = [
        (i18n.label("fact_name", lang), sc.name),
        (i18n.label("fact_seed", lang), str(results.seed)),
        (i18n.label("fact_reps", lang), str(results.replications)),
        (i18n.label("fact_horizon", lang),
         f"{i18n.number(sc.horizon, lang)} {i18n.unit_for(sc.horizon, unit, lang)}"),
        (i18n.label("fact_warmup", lang),
         f"{i18n.number(sc.warmup, lang)} {i18n.unit_for(sc.warmup, unit, lang)}"),
        (i18n.label("fact_version", lang), __version__),
    ]
    if getattr(sc, "wip_cap", None):
        facts.append((i18n.label("fact_wip_cap", lang), str(sc.wip_cap)))
    if getattr(sc, "source", None):
        facts.insert(1, (i18n.label("fact_source", lang), str(sc.source)))
    return facts


def _cards(findings: insights.Findings, results: Any, lang: str) -> list[dict[str, str]]:
    """The three figures a reader remembers: lead time, what backs up, what is busiest.

    The lead time's card carries the few-finished warning of the summary, if any: a card is
    the figure most often copied into a memo.
    """
    scenario = results.scenario
    none = i18n.label("card_none", lang)
    unit = i18n.unit_name(scenario.time_unit, lang, plural=True)
    lead = findings.lead_time
    note = _interval_note(lead, lang) if lead and has_interval(lead) else ""
    caveat = summary_text.lead_caveat(results, lang) if lead and lead.n else ""
    cards = [{"label": i18n.label("card_lead", lang),
              "value": f"{i18n.number(lead.mean, lang)} {unit}" if lead and lead.n else "–",
              "note": f"{note}. {caveat}" if note and caveat else note or caveat}]
    growing = [q for q in findings.backing_up if q.kind == "step"]
    per = i18n.label("per_unit", lang, unit=i18n.unit_name(scenario.time_unit, lang))
    cards.append({"label": i18n.label("card_backlog", lang),
                  "value": ", ".join(step_name(scenario, q.queue) for q in growing) or none,
                  "note": ", ".join(f"+{i18n.number(q.reading.rate, lang)}{per}"
                                    for q in growing)})
    busy = findings.busiest
    cards.append({"label": i18n.label("card_busiest", lang),
                  "value": step_name(scenario, busy.step) if busy else none,
                  "note": i18n.percent(busy.utilization.mean, lang) if busy else ""})
    return cards


def _interval_note(est: Interval, lang: str) -> str:
    low, high = i18n.number(est.low, lang), i18n.number(est.high, lang)
    return i18n.label("interval_note", lang, low=low, high=high)


def figure_list(figures: dict[str, Figure], lang: str, titles: dict[str, str],
                 files: dict[str, bytes] | None = None) -> list[dict[str, str]]:
    """Figures for the template; PNG bytes already rendered for the folder are reused."""
    def uri(key: str, fig: Figure) -> str:
        data = (files or {}).get(f"{key}.png")
        if data is None:
            return figure_uri(fig)
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")

    return [{"key": key, "title": titles.get(key, key), "uri": uri(key, fig),
             "caption": i18n.LABELS[lang].get(f"fig_{key}", "")}
            for key, fig in figures.items()]


def _run_titles(scenario: Any, lang: str) -> dict[str, str]:
    keys = {"werkvoorraad": "backlog_title", "instroom-uitstroom": "flow_title",
            "wachttijd": "waits_title", "doorlooptijd": "lead_title", "bezetting": "util_title",
            "keten": "chain_title"}
    titles = {k: i18n.label(v, lang) for k, v in keys.items()}
    later = [ev.at for ev in scenario.events if 0 < ev.at < scenario.horizon]
    if later:
        titles["keten-na-ingrepen"] = i18n.label(
            "chain_title_at", lang, unit=i18n.unit_name(scenario.time_unit, lang),
            at=i18n.number(max(later), lang, digits=0))
    return titles


def run_context(results: Any, lang: str = "nl", figures: dict[str, Figure] | None = None,
                files: dict[str, bytes] | None = None) -> dict[str, Any]:
    """Everything the run template shows, as plain data (handy for other renderers).

    ``figures`` and their rendered ``files`` may be passed in when the caller
    writes the pictures too, so that they are drawn once.
    """
    lang = i18n.check_lang(lang)
    figures = figures if figures is not None else plots.figures(results, lang)
    scenario = results.scenario
    findings = insights.analyse(results)
    unit = i18n.unit_name(scenario.time_unit, lang, plural=True)
    locked = mechanism_text.deadlock_line(results, lang)
    costs = tables.cost_table(results, lang)
    return {
        "lang": lang, "L": i18n.LABELS[lang], "title": scenario.label,
        "description": scenario.description or "",
        "verdict": verdict_lines(findings, scenario, lang) + ([locked] if locked else []),
        "cards": _cards(findings, results, lang),
        "figures": figure_list(figures, lang, _run_titles(scenario, lang), files),
        "norm_table": tables.norm_table(results, lang),
        "cost_table": costs, "cost_note": tables.cost_note(results, lang) if costs else "",
        "table_note": i18n.label("table_note", lang, unit=unit) + " "
        + summary_text.interval_kind(scenario, lang),
        "step_table": tables.step_table(results, lang),
        "partner_table": tables.partner_table(results, lang),
        "mechanisms": tables.mechanism_tables(results, lang),
        "chain_table": tables.chain_table(results, lang),
        "outcome_table": tables.outcome_table(results, lang),
        "scenario": scenario_tables(scenario, lang),
        "facts": facts(results, lang),
    }


def render_run_report(results: Any, lang: str = "nl", figures: dict[str, Figure] | None = None,
                      files: dict[str, bytes] | None = None) -> str:
    """The report page of one run.

    Args:
        results: a ``Results`` (or anything with ``scenario``, ``seed``,
            ``replications`` and the ``steps``, ``chain``, ``outcomes`` and
            ``timeseries`` tables).
        lang: ``nl`` (default) or ``en``.
        figures: the run's pictures when already drawn (see :func:`run_context`).
        files: their PNG/SVG bytes by file name, when already rendered.

    Returns:
        A complete HTML document that needs nothing outside itself.
    """
    context = run_context(results, lang, figures, files)
    return env().get_template("report.html.j2").render(**context)


def _diff_rows(comparison: pd.DataFrame, results_list: Sequence[Any], lang: str
               ) -> list[list[dict[str, Any]]]:
    colours = _colours(results_list)
    labels = {r.scenario.name: r.scenario.label for r in results_list}
    base = results_list[0].scenario
    rows = []
    for rec in _readable_order(comparison, results_list).itertuples(index=False):
        step = "" if pd.isna(rec.step) else str(rec.step)
        kpi = str(rec.kpi)
        mean = Interval(rec.mean, rec.ci_low, rec.ci_high, 2 if pd.notna(rec.ci_low) else 1)
        is_base = pd.isna(rec.diff)
        diff = Interval(rec.diff, rec.diff_low, rec.diff_high, 2)
        clear = not is_base and bool(rec.diff_low > 0 or rec.diff_high < 0)
        rows.append([
            {**_cell(labels.get(rec.scenario, str(rec.scenario)), numeric=False),
             "swatch": colours.get(rec.scenario, "#999999")},
            _cell(_where(base, step, kpi, lang), numeric=False),
            _cell(_head(tables.base_kpi(kpi), base, lang), numeric=False),
            _cell(_fmt(mean, lang, kpi)),
            _cell("" if is_base else _fmt(diff, lang, kpi, clip=False),
                  cls="sig" if clear else ""),
            _cell("" if is_base else i18n.label("yes_clear" if clear else "not_clear", lang),
                  numeric=False, cls="sig" if clear else ""),
        ])
    return rows


def _where(scenario: Any, step: str, kpi: str, lang: str) -> str:
    """The step, the partner (``partner:<id>:<kpi>``) or the chain a row is about."""
    if kpi.startswith("partner:"):
        pid = kpi.split(":")[1]
        try:
            return str(scenario.partner(pid).label)
        except KeyError:
            return pid
    return step_name(scenario, step) if step else i18n.label("chain", lang)


def _readable_order(comparison: pd.DataFrame, results_list: Sequence[Any]) -> pd.DataFrame:
    """Rows worth reading, grouped by step and KPI so the scenarios sit side by side.

    The main KPIs always show; the special counts only where they happen, and a
    KPI that is zero in every scenario (no queue anywhere) says nothing.
    """
    table = comparison.copy()
    table["step"] = table["step"].fillna("").astype(str)
    steps = {sid: i for r in reversed(results_list) for i, sid in enumerate(r.scenario.step_ids)}
    extra = [k for k in dict.fromkeys(table["kpi"]) if str(k).startswith(("norm:", "cost:"))]
    extra += [f"partner:{p.id}:{k}" for r in results_list for p in r.scenario.partners
              for k in PARTNER_SHOWN]
    kpis = {k: i for i, k in enumerate((*STEP_KPIS, *CHAIN_KPIS, *EXTRA_STEP_KPIS,
                                        *EXTRA_CHAIN_KPIS, *COST_KPIS, *extra))}
    names = {r.scenario.name: i for i, r in enumerate(results_list)}
    table = table[table["kpi"].isin(list(kpis))]
    quiet = table.groupby(["step", "kpi"])["mean"].transform(lambda m: (m.fillna(0) == 0).all())
    table = table[~quiet]
    order = table.assign(
        _s=table["step"].map(lambda s: steps.get(s, len(steps)) if s else len(steps) + 1),
        _k=table["kpi"].map(kpis), _n=table["scenario"].map(lambda n: names.get(n, len(names))))
    return order.sort_values(["_s", "_k", "_n"], kind="stable").drop(columns=["_s", "_k", "_n"])


PARTNER_SHOWN = ("stock_at_end", "mean_stock", "mean_time", "completions")


PRIORITY = ("mean_lead_time", "p90_lead_time", "mean_wait", "queue_at_end", "utilization",
            "mean_queue", "cases_out", "completions", "arrivals", "p90_wait", "p50_lead_time",
            "wip_at_end", "cases_in", "max_queue", *EXTRA_STEP_KPIS, *EXTRA_CHAIN_KPIS)
MAX_SENTENCES = 8


def _priority(kpis: Sequence[str]) -> dict[str, int]:
    """Rank of the KPIs clear differences may name: norms after the lead times, costs later."""
    found = [str(k) for k in dict.fromkeys(kpis)]
    norm_kpis = [k for k in found if k.startswith("norm:")]
    cost_kpis = [k for k in found if k.startswith("cost:")]
    partner_kpis = [k for k in found if k.startswith("partner:")
                    and k.endswith((":stock_at_end", ":mean_time"))]
    order = (*PRIORITY[:2], *norm_kpis, *PRIORITY[2:5], *partner_kpis, *COST_KPIS,
             *PRIORITY[5:], *cost_kpis)
    return {k: i for i, k in enumerate(order)}


def _diff_sentence(rec: Any, base: Any, lang: str) -> str:
    step = "" if pd.isna(rec.step) else str(rec.step)
    pct = is_share(rec.kpi)

    def show(x: float) -> str:
        return i18n.number(100 * abs(x), lang, digits=0) if pct else i18n.number(abs(x), lang)

    unit = ""
    if tables.base_kpi(rec.kpi) in TIME_KPIS:
        unit = " " + i18n.unit_for(abs(rec.diff), base.time_unit, lang)
    elif pct:
        unit = " " + i18n.label("points", lang)
    up = rec.diff > 0
    text = i18n.label(
        "diff_sentence", lang, kpi=tables.kpi_label(rec.kpi, base, lang),
        where=(i18n.label("at", lang) + step_name(base, step)) if step else "",
        verb=i18n.label("more" if up else "less", lang), amount=show(rec.diff), unit=unit,
        low=show(rec.diff_low if up else rec.diff_high),
        high=show(rec.diff_high if up else rec.diff_low))
    return text[0].upper() + text[1:]


def _clear_differences(comparison: pd.DataFrame, results_list: Sequence[Any], lang: str
                       ) -> list[dict[str, Any]]:
    """Per variant, the differences whose interval excludes zero, key figures first."""
    base = results_list[0].scenario
    rank = _priority(comparison["kpi"].tolist())
    rows = comparison[comparison["kpi"].isin(list(rank))]
    rows = rows.dropna(subset=["diff", "diff_low", "diff_high"])
    rows = rows[(rows["diff_low"] > 0) | (rows["diff_high"] < 0)]
    colours = _colours(results_list)
    out = []
    for res in results_list[1:]:
        mine = rows[rows["scenario"] == res.scenario.name]
        ordered = sorted(mine.itertuples(index=False), key=lambda r: (
            rank[r.kpi], -abs(r.diff) / max(abs(r.mean - r.diff), 1e-9)))
        lines = [_diff_sentence(r, base, lang) for r in ordered[:MAX_SENTENCES]]
        more = len(ordered) - len(lines)
        out.append({"label": res.scenario.label, "colour": colours[res.scenario.name],
                    "lines": lines,
                    "more": i18n.label("more_differences", lang, n=more) if more > 0 else ""})
    return out


def _colours(results_list: Sequence[Any]) -> dict[str, str]:
    return {r.scenario.name: SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
            for i, r in enumerate(results_list)}


def compare_figures(results_list: Sequence[Any], lang: str = "nl") -> dict[str, Figure]:
    """The comparison's pictures: one colour per scenario."""
    return {"compare_backlog": plots.compare_backlog(results_list, lang),
            "compare_waits": plots.compare_waits(results_list, lang)}


def compare_context(results_list: Sequence[Any], comparison: pd.DataFrame,
                    lang: str = "nl", files: dict[str, bytes] | None = None) -> dict[str, Any]:
    """Everything the comparison template shows, as plain data."""
    lang = i18n.check_lang(lang)
    colours = _colours(results_list)
    scenarios = []
    for i, res in enumerate(results_list):
        findings = insights.analyse(res)
        scenarios.append({
            "label": res.scenario.label, "name": res.scenario.name,
            "colour": colours[res.scenario.name], "is_base": i == 0,
            "description": res.scenario.description or "",
            "verdict": verdict_lines(findings, res.scenario, lang),
            "tables": scenario_tables(res.scenario, lang), "facts": facts(res, lang),
        })
    figures = compare_figures(results_list, lang)
    titles = {"compare_backlog": i18n.label("compare_backlog_title", lang),
              "compare_waits": i18n.label("compare_waits_title", lang)}
    head = [i18n.label(k, lang) for k in ("col_scenario", "col_step", "col_kpi", "col_mean",
                                          "col_diff", "col_clear")]
    return {
        "lang": lang, "L": i18n.LABELS[lang], "title": i18n.label("compare_title", lang),
        "scenarios": scenarios, "clear": _clear_differences(comparison, results_list, lang),
        "figures": figure_list(figures, lang, titles, files),
        "diff_table": {"head": head, "rows": _diff_rows(comparison, results_list, lang)},
        "version": __version__,
    }


def render_compare_report(results_list: Sequence[Any], comparison_df: pd.DataFrame,
                          lang: str = "nl", files: dict[str, bytes] | None = None) -> str:
    """The report page of a comparison: per-scenario colours, differences with intervals.

    Args:
        results_list: the runs, base first (as ``ketensim compare`` orders them).
        comparison_df: the ``comparison.csv`` table (``scenario, step, kpi, mean, ci_low,
            ci_high, diff, diff_low, diff_high``).
        lang: ``nl`` (default) or ``en``.
    """
    context = compare_context(results_list, comparison_df, lang, files)
    return env().get_template("compare.html.j2").render(**context)
