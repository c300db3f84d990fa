"""What ``compare`` and ``bands`` print: main KPIs side by side, and the changes in words.

Pure functions from a comparison to lines of text, in Dutch or English. The
reader is a policy maker who asks "what does this change do?", so the
table shows a handful of KPIs rather than all of them (those are in
comparison.csv), every difference carries its 95% interval, a ``*`` marks the
differences that chance cannot explain, and a few sentences name the largest.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ketensim.present.words import i18n
from ketensim.present.words.compare_text import TEXT
from ketensim.present.words.summary import WIDTH, table
from ketensim.present.words.verdict import verdict_lines
from ketensim.results import insights

if TYPE_CHECKING:
    from ketensim.scenario.model import Scenario
    from ketensim.studies.compare import Comparison

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class _Line:
    """One KPI row of the terminal table: where to find it, how to show it."""

    label: str
    step: str
    kpi: str
    percent: bool = False


# -- the table ---------------------------------------------------------------------------


def compare_summary(comparison: Comparison, out: str, lang: str = "nl") -> list[str]:
    """The lines ``ketensim compare`` (and ``bands``) prints when it is done."""
    t = TEXT[lang]
    base = comparison.base.scenario
    names = [r.scenario.name for r in comparison.results]
    lines = [*_wrap(t["head"].format(n=len(names), reps=comparison.replications,
                                     seed=comparison.seed)),
             _window(base, lang), "", t["legend"].format(base=LETTERS[0])]
    width = max(len(n) for n in names)
    lines += [f"  {LETTERS[i]}  {r.scenario.name.ljust(width)}  {r.scenario.label}".rstrip()
              for i, r in enumerate(comparison.results)]
    lines += ["", *kpi_table(comparison, lang), "", t["star"], ""]
    sentences = change_sentences(comparison, lang)
    for sentence in sentences or [t["none"]]:
        lines += _wrap(sentence, bullet=bool(sentences))
    lines += ["", *verdict_block(comparison, lang)]
    return [*lines, "", t["where"].format(path=out)]


def verdict_block(comparison: Comparison, lang: str = "nl", limit: int = 4) -> list[str]:
    """Each scenario's own verdict, judged from its simulated curves as in a single run's
    summary (the same sentences), the most important ``limit`` per scenario."""
    lines = [TEXT[lang]["verdicts"]]
    for index, res in enumerate(comparison.results):
        said = verdict_lines(insights.analyse(res), res.scenario, lang)[:limit]
        lines.append(f"  {LETTERS[index]}  {res.scenario.name}")
        for sentence in said:
            lines += textwrap.wrap(sentence, WIDTH, initial_indent="    - ",
                                   subsequent_indent="      ")
    return lines


def kpi_table(comparison: Comparison, lang: str = "nl") -> list[str]:
    """Main KPIs per scenario, each variant followed by its difference to the base."""
    t = TEXT[lang]
    results = comparison.results
    head = [[""] + [LETTERS[0]] + [c for i in range(1, len(results))
                                   for c in (LETTERS[i], t["diff_head"].format(
                                       x=LETTERS[i], base=LETTERS[0]))],
            [""] + [""] + [c for _ in results[1:] for c in ("", t["interval"])]]
    rows: list[list[str]] = []
    for group, items in _groups(comparison, lang):
        rows.append([group])
        for item in items:
            rows.append([f"  {item.label}", *_cells(comparison, item, lang)])
    return table(head, rows)


def _groups(comparison: Comparison, lang: str) -> Iterator[tuple[str, list[_Line]]]:
    t = TEXT[lang]
    base = comparison.base.scenario
    fill = _fill(base, lang)
    chain = [_Line(t["lead"].format(**fill), "", "mean_lead_time"),
             _Line(t["lead90"].format(**fill), "", "p90_lead_time"),
             _Line(t["throughput"].format(**fill), "", "throughput"),
             _Line(t["wip"], "", "wip_at_end")]
    if _has(comparison, "cost_total"):
        chain += [_Line(t["cost_total"].format(**fill), "", "cost_total"),
                  _Line(t["cost_case"].format(**fill), "", "cost_per_case")]
    yield t["chain"], chain
    norm_ids = list(dict.fromkeys(n.id for r in comparison.results for n in r.scenario.norms))
    if norm_ids:
        yield t["norms"], [_Line(f"{nid}", "", f"norm:{nid}", percent=True) for nid in norm_ids]
    steps = _all_steps(comparison)
    yield t["waits"].format(**fill), [_Line(s, s, "mean_wait") for s in steps]
    yield t["backlog"], [_Line(s, s, "queue_at_end") for s in steps]
    yield t["util"], [_Line(s, s, "utilization", percent=True) for s in steps]
    partners = _all_partners(comparison)
    if partners:
        yield t["stock"], [_Line(p, "", f"partner:{p}:stock_at_end") for p in partners]
        yield t["time"].format(**fill), [_Line(p, "", f"partner:{p}:mean_time")
                                         for p in partners]


def _cells(comparison: Comparison, item: _Line, lang: str) -> list[str]:
    cells = []
    for index, res in enumerate(comparison.results):
        row = _row(comparison.table, res.scenario.name, item.step, item.kpi)
        scale = 100.0 if item.percent else 1.0
        cells.append(_num(row["mean"] * scale, lang) if row is not None else "–")
        if index > 0:
            cells.append(_diff_cell(row, scale, lang))
    return cells


def _diff_cell(row: pd.Series | None, scale: float, lang: str) -> str:
    if row is None or _missing(row["diff"]):
        return "–"
    text = _signed(row["diff"] * scale, lang)
    if _missing(row["diff_low"]):
        return text
    ci = TEXT[lang]["ci"].format(low=_num(row["diff_low"] * scale, lang),
                                 high=_num(row["diff_high"] * scale, lang))
    star = " *" if clear(row) else "  "
    return f"{text} {ci}{star}"


# -- the sentences -----------------------------------------------------------------------


def change_sentences(comparison: Comparison, lang: str = "nl", limit: int = 4) -> list[str]:
    """The largest clear changes of each variant, as sentences (at most ``limit`` each).

    The order is what a policy maker asks first: the step whose waiting time
    changes most, the chain's lead time, the step whose backlog changes most,
    then norms, outflow and costs.
    """
    t = TEXT[lang]
    out = []
    many = len(comparison.results) > 2
    for index, res in enumerate(comparison.results[1:], start=1):
        name = res.scenario.name
        found = [s for s in _candidates(comparison, name, lang) if s][:limit]
        prefix = t["in"].format(name=LETTERS[index]) if many else ""
        out += [_sentence(prefix, s) for s in found]
    return out


def _candidates(comparison: Comparison, name: str, lang: str) -> list[str | None]:
    t = TEXT[lang]
    base = comparison.base.scenario
    fill = _fill(base, lang)
    tab = comparison.table
    mine = tab[(tab["scenario"] == name) & tab["diff"].notna()]
    scale = _scales(comparison)
    clear_rows = mine[[clear(r) and abs(r["diff"]) >= scale.get(r["kpi"], 0.0)
                       for _, r in mine.iterrows()]]
    lead = _one(clear_rows, "mean_lead_time")
    damage = [_damage_change(clear_rows, kpi, t[f"{kpi}_s"], fill, lang) for kpi in DAMAGE_KPIS]
    losses = clear_rows[clear_rows["kpi"].isin(LOSSES) & (clear_rows["diff"] > 0)]
    said_lead = _say(lead, t["lead_s"], fill, lang)
    if said_lead and lead is not None and lead["diff"] < 0 and not losses.empty:
        said_lead += t["lead_losses"]  # a shorter lead time that is cases leaving untreated
    found: list[str | None] = [
        _biggest(clear_rows, "mean_wait", t["wait_s"], fill, lang), said_lead, *damage,
        _biggest(clear_rows, "queue_at_end", t["backlog_s"], fill, lang),
    ]
    for _, row in clear_rows[clear_rows["kpi"].str.startswith("norm:")].iterrows():
        found.append(_say(row, t["norm_s"], {**fill, "norm": row["kpi"][5:]}, lang, 100.0))
    found += [_partner_change(clear_rows, "stock_at_end", t["stock_s"], fill, lang, base),
              _partner_change(clear_rows, "mean_time", t["time_s"], fill, lang, base)]
    found.append(_say(_one(clear_rows, "throughput"), t["throughput_s"], fill, lang))
    found.append(_say(_one(clear_rows, "cost_total"), t["cost_s"], fill, lang))
    return found


DAMAGE_KPIS = ("diverted", "rejected", "dismissed", "reneged", "mean_blocked")
LOSSES = ("diverted", "rejected", "dismissed", "reneged")  # cases that leave untreated


def _partner_change(rows: pd.DataFrame, kpi: str, template: str, fill: dict[str, str],
                    lang: str, scenario: Scenario) -> str | None:
    """The partner whose stock (or time) changes most: piles that move between partners."""
    hits = rows[rows["kpi"].str.startswith("partner:") & rows["kpi"].str.endswith(f":{kpi}")]
    if hits.empty:
        return None
    row = hits.loc[hits["diff"].abs().idxmax()]
    pid = str(row["kpi"]).split(":")[1]
    try:
        name = scenario.partner(pid).label
    except KeyError:
        name = pid
    return _say(row, template, {**fill, "partner": name}, lang)


def _damage_change(rows: pd.DataFrame, kpi: str, template: str, fill: dict[str, str],
                   lang: str) -> str | None:
    """Harm that is no pile (diversion, rejection, blocking) at the step where it changes most."""
    hits = rows[(rows["kpi"] == kpi) & (rows["step"] != "")]
    if hits.empty:
        return None
    row = hits.loc[hits["diff"].abs().idxmax()]
    word = TEXT[lang]["more_w" if row["diff"] > 0 else "fewer_w"]
    return _say(row, template, {**fill, "step": row["step"], "more": word}, lang)


def _scales(comparison: Comparison) -> dict[str, float]:
    """The smallest change worth a sentence, per KPI: clear is not yet the same as large.

    With common random numbers even a change of minutes can be told from
    chance; a policy maker asks about changes that matter against the chain's
    own size: 1% of the base's lead time (waits too), 1% of its work in
    progress (at least one case), 0.5% of its outflow and costs, one
    percentage point of a norm.
    """
    base = comparison.base
    lead = float(np.nanmean(base.chain["mean_lead_time"])) if len(base.chain) else 0.0
    wip = float(np.nanmean(base.chain["wip_at_end"])) if len(base.chain) else 0.0
    out = {"mean_wait": 0.01 * lead, "mean_lead_time": 0.01 * lead,
           "queue_at_end": max(1.0, 0.01 * wip),
           "throughput": 0.005 * float(np.nanmean(base.throughput()))}
    if "cost_total" in base.chain.columns:
        out["cost_total"] = 0.005 * float(np.nanmean(base.chain["cost_total"]))
    out.update({f"norm:{n.id}": 0.01 for n in base.scenario.norms})
    out.update({"diverted": 1.0, "rejected": 1.0, "dismissed": 1.0, "reneged": 1.0,
                "mean_blocked": 0.1})
    for p in base.scenario.partners:  # 1% of the chain's stock, and of its lead time
        out[f"partner:{p.id}:stock_at_end"] = max(1.0, 0.01 * wip)
        out[f"partner:{p.id}:mean_time"] = 0.01 * lead
    return {k: (v if np.isfinite(v) else 0.0) for k, v in out.items()}


def _biggest(rows: pd.DataFrame, kpi: str, template: str, fill: dict[str, str],
             lang: str) -> str | None:
    hits = rows[(rows["kpi"] == kpi) & (rows["step"] != "")]
    if hits.empty:
        return None
    row = hits.loc[hits["diff"].abs().idxmax()]
    return _say(row, template, {**fill, "step": row["step"]}, lang)


def _one(rows: pd.DataFrame, kpi: str) -> pd.Series | None:
    hits = rows[(rows["kpi"] == kpi) & (rows["step"] == "")]
    return None if hits.empty else hits.iloc[0]


def _say(row: pd.Series | None, template: str, fill: dict[str, str], lang: str,
         scale: float = 1.0) -> str | None:
    """Fill a sentence with the size of a change: always positive, with "rises" or "falls"."""
    if row is None:
        return None
    up = row["diff"] > 0
    low, high = (row["diff_low"], row["diff_high"]) if up else (-row["diff_high"],
                                                                 -row["diff_low"])
    return template.format(
        **fill, verb=TEXT[lang]["up" if up else "down"], x=_num(abs(row["diff"]) * scale, lang),
        low=_num(low * scale, lang), high=_num(high * scale, lang),
    )


def _sentence(prefix: str, text: str) -> str:
    whole = prefix + text
    return whole[0].upper() + whole[1:] + "."


# -- small helpers -----------------------------------------------------------------------


def clear(row: pd.Series) -> bool:
    """True when a row's difference interval lies wholly above or below zero."""
    low, high = row["diff_low"], row["diff_high"]
    return not _missing(low) and not _missing(high) and (low > 0 or high < 0)


def _row(tab: pd.DataFrame, scenario: str, step: str, kpi: str) -> pd.Series | None:
    hit = tab[(tab["scenario"] == scenario) & (tab["step"] == step) & (tab["kpi"] == kpi)]
    return None if hit.empty else hit.iloc[0]


def _has(comparison: Comparison, kpi: str) -> bool:
    return bool((comparison.table["kpi"] == kpi).any())


def _all_partners(comparison: Comparison) -> list[str]:
    """Partners with figures in the table, the base's first."""
    kpis = set(comparison.table["kpi"])
    return [p for p in dict.fromkeys(p.id for r in comparison.results
                                     for p in r.scenario.partners)
            if f"partner:{p}:stock_at_end" in kpis]


def _all_steps(comparison: Comparison) -> list[str]:
    return list(dict.fromkeys(s for r in comparison.results for s in r.scenario.step_ids))


def _fill(scenario: Scenario, lang: str) -> dict[str, str]:
    currency = scenario.cost_settings.currency
    return {"unit": i18n.unit_name(scenario.time_unit, lang),
            "units": i18n.unit_name(scenario.time_unit, lang, plural=True),
            "currency": currency}


def _window(scenario: Scenario, lang: str) -> str:
    return TEXT[lang]["window"].format(unit=i18n.unit_name(scenario.time_unit, lang),
                                       start=f"{scenario.warmup:g}", end=f"{scenario.horizon:g}")


def _num(x: float, lang: str) -> str:
    return i18n.number(x, lang)


def _signed(x: float, lang: str) -> str:
    text = _num(x, lang)
    return text if text.startswith("-") or text in ("0", "–") else f"+{text}"


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _wrap(text: str, bullet: bool = False) -> list[str]:
    if bullet:
        return textwrap.wrap(text, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return textwrap.wrap(text, WIDTH)
