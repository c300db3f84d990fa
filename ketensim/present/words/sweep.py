"""What ``ketensim sweep`` prints: the main KPIs per grid point, and the target in words.

Pure functions from a finished sweep to lines, in Dutch or English. A
capacity planner reads down the table to see where the chain starts to keep
up; the target sentence names the point to choose, both "in the mean" and
"with certainty" (the lower end of the 95% interval also meets the norm),
because a point that meets a norm only on average misses it about half the
time.
"""

from __future__ import annotations

import math
import re
import textwrap
from typing import TYPE_CHECKING, TypedDict

import pandas as pd

from ketensim.present.words import i18n
from ketensim.present.words import norms as norm_words
from ketensim.present.words.summary import WIDTH, table
from ketensim.present.words.verdict import growing_names, step_name
from ketensim.results import insights

if TYPE_CHECKING:
    from ketensim.scenario.model import Norm, Scenario
    from ketensim.studies.sweep import Sweep

# The texts of one language; every language has the same keys.
_Text = TypedDict("_Text", {
    "head": str, "varied": str, "range": str, "one": str, "window": str, "point": str,
    "lead": tuple[str, str], "lead90": tuple[str, str], "throughput": tuple[str, str],
    "wip": tuple[str, str], "cost": tuple[str, str], "norm": tuple[str, str],
    "met": tuple[str, str], "yes": str, "in_mean": str, "no": str, "servers": str,
    "rate": str, "service": str, "capacity_key": str, "rate_key": str, "service_key": str,
    "target_norm": str, "and": str, "target_head": str, "both": str,
    "mean_then_low": str, "mean_only": str, "none": str, "ranked": dict[str, str], "cost_of": str,
    "overridden": str, "where": str, "growing": str, "growing_none": str,
})

TEXT: dict[str, _Text] = {
    "nl": {
        "head": "Sweep van {name}: {points} punten x {reps} replicaties, seed {seed}, met "
                "gemeenschappelijke toevalsgetallen.",
        "varied": "Gevarieerd vanaf {unit} 0: {ranges}.",
        "range": "{key} van {start} tot {stop} in stappen van {step}",
        "one": "{key} = {value}",
        "window": "Gemeten over {unit} {start} tot {end} (na de warm-up); ± is de halve breedte "
                  "van het 95%-interval.",
        "point": "punt",
        "lead": ("doorlooptijd", "gem. ({units})"),
        "lead90": ("doorlooptijd", "90% ({units})"),
        "throughput": ("uitstroom", "(per {unit})"),
        "wip": ("onderweg", "eind (zaken)"),
        "cost": ("kosten", "({currency})"),
        "norm": ("norm {id}", "(% binnen)"),
        "met": ("doel", "gehaald"),
        "yes": "ja", "in_mean": "gemiddeld", "no": "nee",
        "servers": "capaciteit {value} bij {step}",
        "growing": "Groeiende werkvoorraad (uit de simulatie): {points}.",
        "growing_none": "Bij geen enkel punt blijft een werkvoorraad groeien.",
        "rate": "instroom {value} per {unit} bij {arrival}",
        "service": "bewerkingstijd ({param}) {value} bij {step}",
        "capacity_key": "capaciteit {step}",
        "rate_key": "instroom {arrival} (per {unit})",
        "service_key": "bewerkingstijd ({param}) {step}",
        "target_norm": "doel",
        "and": " en ",
        "target_head": "Doel: {norm}, gemeten over {unit} {start} tot {end} (na de warm-up).",
        "both": "Met {setting} haalt de keten de norm ({norm}): gemiddeld {share} binnen de "
                "termijn, en ook de ondergrens van het 95%-interval ({low}) haalt hem.",
        "mean_then_low": "Met {setting} haalt de keten de norm ({norm}) gemiddeld ({share} "
                         "binnen de termijn, 95%: {low} tot {high}); met zekerheid (ook de "
                         "ondergrens van het 95%-interval) vanaf {setting2}.",
        "mean_only": "Met {setting} haalt de keten de norm ({norm}) gemiddeld ({share}, 95%: "
                     "{low} tot {high}), maar in geen punt haalt ook de ondergrens van het "
                     "95%-interval hem: neem meer replicaties of een ruimer bereik.",
        "none": "Geen enkel punt haalt de norm ({norm}). Het dichtst erbij komt {setting}, "
                "met gemiddeld {share} binnen de termijn (95%: {low} tot {high}).",
        "ranked": {"cost": "Gekozen op de laagste kosten van de keten.",
                   "capacity": "Gekozen op de kleinste totale capaciteit in de keten.",
                   "value": ""},
        "cost_of": " (kosten keten {currency} {cost})",
        "overridden": "Let op: de ingreep op {unit} {at} zet {key} opnieuw; vanaf dan geldt "
                      "in elk punt de waarde van die ingreep.",
        "where": "Resultaten: {path}",
    },
    "en": {
        "head": "Sweep of {name}: {points} points x {reps} replications, seed {seed}, with "
                "common random numbers.",
        "varied": "Varied from {unit} 0: {ranges}.",
        "range": "{key} from {start} to {stop} in steps of {step}",
        "one": "{key} = {value}",
        "window": "Measured over {unit} {start} to {end} (after the warm-up); ± is half the width "
                  "of the 95% interval.",
        "point": "point",
        "lead": ("lead time", "mean ({units})"),
        "lead90": ("lead time", "90% ({units})"),
        "throughput": ("outflow", "(per {unit})"),
        "wip": ("in chain", "at end (cases)"),
        "cost": ("costs", "({currency})"),
        "norm": ("norm {id}", "(% within)"),
        "met": ("target", "met"),
        "yes": "yes", "in_mean": "in mean", "no": "no",
        "servers": "capacity {value} at {step}",
        "growing": "Growing backlog (from the simulation): {points}.",
        "growing_none": "At no point does a backlog keep growing.",
        "rate": "inflow {value} per {unit} at {arrival}",
        "service": "service time ({param}) {value} at {step}",
        "capacity_key": "capacity {step}",
        "rate_key": "inflow {arrival} (per {unit})",
        "service_key": "service time ({param}) {step}",
        "target_norm": "target",
        "and": " and ",
        "target_head": "Target: {norm}, measured over {unit} {start} to {end} (after the "
                       "warm-up).",
        "both": "With {setting} the chain meets the norm ({norm}): {share} of cases within "
                "the term in the mean, and the lower end of the 95% interval ({low}) meets it "
                "too.",
        "mean_then_low": "With {setting} the chain meets the norm ({norm}) in the mean ({share} "
                         "within the term, 95%: {low} to {high}); with certainty (the lower end "
                         "of the 95% interval too) from {setting2}.",
        "mean_only": "With {setting} the chain meets the norm ({norm}) in the mean ({share}, "
                     "95%: {low} to {high}), but at no point does the lower end of the 95% "
                     "interval meet it: run more replications or widen the range.",
        "none": "No point meets the norm ({norm}). Closest is {setting}, with {share} of cases "
                "within the term in the mean (95%: {low} to {high}).",
        "ranked": {"cost": "Chosen for the lowest chain costs.",
                   "capacity": "Chosen for the least capacity in the chain in total.",
                   "value": ""},
        "cost_of": " (chain costs {currency} {cost})",
        "overridden": "Note: the event at {unit} {at} sets {key} again; from then on every "
                      "point has that event's value.",
        "where": "Results: {path}",
    },
}


def varied_text(done: Sweep, lang: str = "nl") -> str:
    """What was varied, in words: ``Gevarieerd vanaf week 0: capaciteit ... van 4 tot 7 ...``."""
    sc = done.scenario
    ranges = "; ".join(_range_text(key_label(a.key, sc, lang), a.values, lang)
                       for a in done.axes)
    return TEXT[lang]["varied"].format(unit=_fill(sc, lang)["unit"], ranges=ranges)


def override_notes(done: Sweep, lang: str = "nl") -> list[str]:
    """Notes on swept keys that an event of the scenario sets again later."""
    from ketensim.studies.sweep import overridden

    t = TEXT[lang]
    sc = done.scenario
    return [t["overridden"].format(unit=_fill(sc, lang)["unit"], at=f"{at:g}",
                                   key=key_label(key, sc, lang))
            for key, at in overridden(sc, done.axes)]


def sweep_summary_lines(done: Sweep, out: str, lang: str = "nl") -> list[str]:
    """The lines ``ketensim sweep`` prints when it is done."""
    t = TEXT[lang]
    sc = done.scenario
    fill = _fill(sc, lang)
    lines = [*_wrap(t["head"].format(name=sc.name, points=len(done.points),
                                     reps=sc.replications, seed=sc.seed)),
             *_wrap(varied_text(done, lang)),
             *_wrap(t["window"].format(unit=fill["unit"], start=f"{sc.warmup:g}",
                                       end=f"{sc.horizon:g}")),
             "", *point_table(done, lang)]
    notes = override_notes(done, lang)
    verdict = target_lines(done, lang)
    for block in (verdict, [growing_line(done, lang)], notes):
        if block:
            lines.append("")
            for text in block:
                lines += _wrap(text)
    return [*lines, "", t["where"].format(path=out)]


def growing_line(done: Sweep, lang: str = "nl") -> str:
    """Which points leave a backlog growing at the end, judged from each point's curves as
    a single run's verdict is (a sweep over capacity shows where the pile stops)."""
    t = TEXT[lang]
    found = []
    for point, res in zip(done.points, done.results, strict=True):
        findings = insights.analyse(res)
        if findings.backing_up:
            found.append(f"{t['point']} {point.index}: "
                         f"{growing_names(findings, point.scenario, lang)}")
    return t["growing"].format(points="; ".join(found)) if found else t["growing_none"]


def point_table(done: Sweep, lang: str = "nl") -> list[str]:
    """One row per grid point: swept values and the main KPIs with their intervals."""
    t = TEXT[lang]
    columns = _columns(done, lang)
    head = [[t["point"], *(key_label(k, done.scenario, lang) for k in done.keys),
             *(c[1] for c in columns)],
            ["", *([""] * len(done.keys)), *(c[2] for c in columns)]]
    if done.target is not None:
        head[0].append(t["met"][0])
        head[1].append(t["met"][1])
    rows = []
    for i, point in enumerate(done.points):
        row = done.summary.iloc[i]
        cells = [str(point.index), *(value_text(v, lang) for v in point.values)]
        cells += [_cell(row, kpi, scale, lang) for kpi, _, _, scale in columns]
        if done.target is not None:
            cells.append(_met(row, done.target.norm, lang))
        rows.append(cells)
    return table(head, rows)


def _columns(done: Sweep, lang: str) -> list[tuple[str, str, str, float]]:
    """(kpi, heading, second heading line, scale) of the table's KPI columns."""
    t = TEXT[lang]
    fill = _fill(done.scenario, lang)
    picked = [("mean_lead_time", t["lead"], 1.0), ("p90_lead_time", t["lead90"], 1.0),
              ("throughput", t["throughput"], 1.0), ("wip_at_end", t["wip"], 1.0)]
    if "cost_total" in done.kpis:
        picked.append(("cost_total", t["cost"], 1.0))
    for kpi in done.kpis:
        if kpi.startswith("norm:"):
            picked.append((kpi, (norm_head(kpi[5:], lang), t["norm"][1]), 100.0))
    return [(kpi, a.format(**fill), b.format(**fill), scale) for kpi, (a, b), scale in picked]


def _cell(row: pd.Series, kpi: str, scale: float, lang: str) -> str:
    mean = row[f"{kpi}_mean"] * scale
    low, high = row[f"{kpi}_ci_low"] * scale, row[f"{kpi}_ci_high"] * scale
    if math.isnan(low):
        return i18n.number(mean, lang)
    return f"{i18n.number(mean, lang)} ± {i18n.number((high - low) / 2, lang)}"


def _met(row: pd.Series, norm: Norm, lang: str) -> str:
    t = TEXT[lang]
    column = f"norm:{norm.id}"
    if row[f"{column}_ci_low"] >= norm.share - 1e-12:
        return t["yes"]
    return t["in_mean"] if row[f"{column}_mean"] >= norm.share - 1e-12 else t["no"]


# -- the target in words ------------------------------------------------------------------


def target_lines(done: Sweep, lang: str = "nl") -> list[str]:
    """The target verdict as sentences; empty when the sweep had no target."""
    verdict = done.target
    if verdict is None:
        return []
    t = TEXT[lang]
    sc = done.scenario
    fill = _fill(sc, lang)
    norm_text = norm_words.title(verdict.norm, sc, lang)
    head = t["target_head"].format(norm=norm_text, unit=fill["unit"], start=f"{sc.warmup:g}",
                                   end=f"{sc.horizon:g}")
    first = verdict.in_mean if verdict.in_mean is not None else verdict.closest
    share = _shares(done, first, lang)
    words = {"norm": norm_text, "setting": setting_text(done, first, lang), **share}
    if verdict.in_mean is None:
        sentence = t["none"].format(**words)
    elif verdict.with_interval is None:
        sentence = t["mean_only"].format(**words)
    elif verdict.with_interval == verdict.in_mean:
        sentence = t["both"].format(**words)
    else:
        sentence = t["mean_then_low"].format(
            **words, setting2=setting_text(done, verdict.with_interval, lang))
    chose = verdict.in_mean is not None and (len(done.axes) > 1 or verdict.ranked_by == "cost")
    ranked = t["ranked"][verdict.ranked_by] if chose else ""
    return [head, " ".join(x for x in (sentence, ranked) if x)]


def _shares(done: Sweep, index: int, lang: str) -> dict[str, str]:
    row = done.summary.iloc[index]
    column = f"norm:{done.target.norm.id}"  # type: ignore[union-attr]
    return {k: i18n.percent(row[f"{column}_{s}"], lang)
            for k, s in (("share", "mean"), ("low", "ci_low"), ("high", "ci_high"))}


def setting_text(done: Sweep, index: int, lang: str = "nl") -> str:
    """A grid point as a person says it: ``8.200 servers bij om_beoordeling``."""
    t = TEXT[lang]
    sc = done.scenario
    parts = [key_value_text(axis.key, value, sc, lang)
             for axis, value in zip(done.axes, done.points[index].values, strict=True)]
    text = t["and"].join(parts)
    row = done.summary.iloc[index]
    if "cost_total_mean" in done.summary.columns:
        text += t["cost_of"].format(currency=sc.cost_settings.currency,
                                    cost=i18n.number(row["cost_total_mean"], lang))
    return text


def key_value_text(key: str, value: float, scenario: Scenario, lang: str = "nl") -> str:
    """One swept key at one value in words: ``3 servers bij a``, ``instroom 130 per dag ...``."""
    from ketensim.studies.sweep import change

    t = TEXT[lang]
    ch = change(key, value, scenario)
    shown = value_text(value, lang)
    if ch.attribute == "capacity" and ch.kind == "step":
        return t["servers"].format(value=shown, step=step_name(scenario, ch.target))
    if ch.attribute == "rate":
        return t["rate"].format(value=shown, arrival=ch.target,
                                unit=i18n.unit_name(scenario.time_unit, lang))
    if ch.attribute == "service" and key.count(".") == 3:
        return t["service"].format(value=shown, step=step_name(scenario, ch.target),
                                   param=key.rsplit(".", 1)[1])
    return t["one"].format(key=key_label(key, scenario, lang), value=shown)


def key_label(key: str, scenario: Scenario, lang: str = "nl") -> str:
    """A swept key as a person says it: ``step.om.capacity`` -> ``capaciteit Beoordeling OM``."""
    t = TEXT[lang]
    parts = key.split(".")
    if len(parts) < 3:
        return key
    kind, target, attribute = parts[0], parts[1], parts[2]
    if kind == "step" and attribute == "capacity":
        return t["capacity_key"].format(step=step_name(scenario, target))
    if kind == "pool" and attribute == "capacity":
        return t["capacity_key"].format(step=target)
    if kind == "arrival" and attribute == "rate":
        return t["rate_key"].format(arrival=target, unit=i18n.unit_name(scenario.time_unit, lang))
    if kind == "step" and attribute == "service" and len(parts) == 4:
        return t["service_key"].format(step=step_name(scenario, target), param=parts[3])
    return key


def norm_head(norm_id: str, lang: str = "nl") -> str:
    """A norm's column heading: its id from the file, or "doel" for a norm given inline."""
    return norm_id if re.fullmatch(r"[A-Za-z0-9_-]+", norm_id) else TEXT[lang]["target_norm"]


# -- helpers ------------------------------------------------------------------------------


def value_text(value: float, lang: str = "nl") -> str:
    """A swept value exactly as set (no rounding), in the language's notation."""
    if isinstance(value, int) or float(value).is_integer():
        return i18n.number(float(value), lang, digits=0)
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "nl" else text


def _range_text(key: str, values: tuple[float, ...], lang: str) -> str:
    t = TEXT[lang]
    if len(values) == 1:
        return t["one"].format(key=key, value=value_text(values[0], lang))
    step = values[1] - values[0]
    step_text = value_text(float(f"{step:.12g}"), lang)
    return t["range"].format(key=key, start=value_text(values[0], lang),
                             stop=value_text(values[-1], lang), step=step_text)


def _fill(scenario: Scenario, lang: str) -> dict[str, str]:
    return {"unit": i18n.unit_name(scenario.time_unit, lang),
            "units": i18n.unit_name(scenario.time_unit, lang, plural=True),
            "currency": scenario.cost_settings.currency}


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH) or [""]
