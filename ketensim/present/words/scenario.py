"""The scenario in words: partners, steps, inflow and interventions as readable tables.

A report is only trusted when the reader can see what was assumed. This
turns the frozen model into short phrases ("lognormaal, gemiddeld 56 dagen",
"Politierechter 42%, uit: sepot 20%") in Dutch or English. Plain data out
(lists of rows of cells), so any renderer can use it; no pandas, no HTML.
"""

from __future__ import annotations

from typing import Any

from ketensim.present.words import i18n
from ketensim.scenario.distributions import Distribution

_DIST = {
    "nl": {"exponential": "exponentieel", "deterministic": "vast", "lognormal": "lognormaal",
           "gamma": "gamma", "uniform": "uniform", "triangular": "driehoek",
           "empirical": "empirisch", "mean": "gemiddeld", "values": "waarden"},
    "en": {"exponential": "exponential", "deterministic": "fixed", "lognormal": "lognormal",
           "gamma": "gamma", "uniform": "uniform", "triangular": "triangular",
           "empirical": "empirical", "mean": "mean", "values": "values"},
}
_SPECIAL = {
    "nl": {"queue_limit": "wachtruimte {size} ({policy})", "deadline": "termijn {mean} {unit}",
           "dismissal": "boven {above} wachtenden {share} direct afgedaan",
           "sessions": "zittingen elke {every} {unit}, {size} zaken per zitting",
           "backlog": "beginvoorraad {queue}", "calendar": "werktijden: {name}",
           "types": "eigen regels voor: {names}", "block": "blokkeren",
           "divert": "doorsturen", "reject": "weigeren", "delay": "overdracht {mean} {unit}",
           "returned": "{share} terug"},
    "en": {"queue_limit": "waiting room {size} ({policy})", "deadline": "deadline {mean} {unit}",
           "dismissal": "above {above} waiting, {share} dismissed at once",
           "sessions": "sessions every {every} {unit}, {size} cases each",
           "backlog": "initial backlog {queue}", "calendar": "working hours: {name}",
           "types": "own rules for: {names}", "block": "block", "divert": "divert",
           "reject": "reject", "delay": "hand-over {mean} {unit}", "returned": "{share} back"},
}


def cell(text: str, numeric: bool = False, cls: str = "") -> dict[str, Any]:
    """One table cell: its text, whether it is a number (right-aligned) and a CSS class."""
    return {"text": text, "num": numeric, "cls": cls}


def describe_distribution(dist: Distribution, time_unit: str, lang: str = "nl") -> str:
    """'lognormaal, gemiddeld 56 dagen, cv 0,7' and the like."""
    words = _DIST[i18n.check_lang(lang)]
    name = words.get(dist.kind, dist.kind)
    mean = dist.mean
    unit = i18n.unit_for(mean, time_unit, lang)
    if dist.kind == "deterministic":
        return f"{name} {i18n.number(mean, lang)} {unit}"
    if dist.kind in ("uniform", "triangular"):
        points = [getattr(dist, p) for p in dist.params]
        span = "–".join(i18n.number(p, lang) for p in points)
        return f"{name} {span} {i18n.unit_name(time_unit, lang, plural=True)}"
    text = f"{name}, {words['mean']} {i18n.number(mean, lang)} {unit}"
    if dist.kind in ("lognormal", "gamma"):
        text += f", cv {i18n.number(dist.cv, lang)}"
    if dist.kind == "empirical":
        text += f" ({len(getattr(dist, 'values', ()))} {words['values']})"
    return text


def describe_routes(routes: Any, scenario: Any, lang: str = "nl") -> str:
    """Where cases go next, with their shares: 'Politierechter 42%, uit: sepot 20%'."""
    special = _SPECIAL[i18n.check_lang(lang)]
    parts = []
    for r in routes:
        if r.is_exit:
            target = f"{i18n.label('exit', lang)}: {r.exit_outcome.replace('_', ' ')}"
        else:
            target = _step_label(scenario, r.to)
        extra = []
        if r.delay is not None:
            extra.append(special["delay"].format(mean=i18n.number(r.delay.mean, lang),
                                                 unit=i18n.unit_for(r.delay.mean,
                                                                    scenario.time_unit, lang)))
        if r.returned:
            extra.append(special["returned"].format(share=i18n.percent(r.returned, lang)))
        tail = f" ({'; '.join(extra)})" if extra else ""
        parts.append(f"{target} {i18n.percent(r.p, lang)}{tail}")
    return ", ".join(parts)


def _step_label(scenario: Any, step_id: str) -> str:
    try:
        return scenario.step(step_id).label
    except KeyError:
        return step_id


def _specials(step: Any, scenario: Any, lang: str) -> str:
    words = _SPECIAL[lang]
    unit = scenario.time_unit
    out = []
    if step.queue_limit is not None:
        policy = words.get(step.queue_limit.policy, step.queue_limit.policy)
        out.append(words["queue_limit"].format(size=step.queue_limit.size, policy=policy))
    if step.deadline is not None:
        mean = step.deadline.max_wait.mean
        out.append(words["deadline"].format(mean=i18n.number(mean, lang),
                                            unit=i18n.unit_for(mean, unit, lang)))
    if step.dismissal is not None:
        out.append(words["dismissal"].format(above=step.dismissal.above,
                                             share=i18n.percent(step.dismissal.share, lang)))
    if step.sessions is not None:
        out.append(words["sessions"].format(every=i18n.number(step.sessions.every, lang),
                                            unit=i18n.unit_for(step.sessions.every, unit, lang),
                                            size=step.sessions.size))
    if step.backlog is not None and (step.backlog.queue or step.backlog.in_service):
        out.append(words["backlog"].format(queue=step.backlog.queue + step.backlog.in_service))
    if step.calendar:
        out.append(words["calendar"].format(name=step.calendar))
    if step.types:
        out.append(words["types"].format(names=", ".join(r.case_type for r in step.types)))
    return "; ".join(out)


def _change_text(change: Any, scenario: Any, lang: str) -> str:
    value = change.value
    if change.attribute == "service" and isinstance(value, Distribution):
        shown = describe_distribution(value, scenario.time_unit, lang)
    elif change.attribute == "routes":
        shown = describe_routes(value or (), scenario, lang)
    elif isinstance(value, int | float):
        shown = i18n.number(value, lang)
    else:
        shown = str(value)
    if change.kind == "step":
        target = _step_label(scenario, change.target)
        what = i18n.label("col_capacity" if change.attribute == "capacity" else
                          "col_service" if change.attribute == "service" else "col_routes", lang)
    else:
        target = change.target.replace("_", " ")
        what = i18n.label("col_rate", lang, unit=i18n.unit_name(scenario.time_unit, lang))
    return f"{target}: {what.lower()} → {shown}"


def scenario_tables(scenario: Any, lang: str = "nl") -> list[dict[str, Any]]:
    """Partners, steps, inflow and interventions, each as a titled table of cells."""
    lang = i18n.check_lang(lang)
    unit = scenario.time_unit
    lab = i18n.label
    partners = {"title": lab("partners", lang),
                "head": [lab("col_id", lang), lab("col_name", lang)],
                "rows": [[cell(p.id), cell(p.label)] for p in scenario.partners], "narrow": True}
    steps = {"title": lab("steps", lang),
             "head": [lab(k, lang) for k in ("col_step", "col_partner", "col_capacity",
                                             "col_service", "col_routes", "col_special")],
             "rows": [[cell(s.label), cell(_partner_label(scenario, s.partner)),
                       cell(str(s.capacity), numeric=True),
                       cell(describe_distribution(s.service, unit, lang)),
                       cell(describe_routes(s.effective_routes, scenario, lang)),
                       cell(_specials(s, scenario, lang))] for s in scenario.steps]}
    arrivals = {"title": lab("arrivals", lang),
                "head": [lab("col_id", lang), lab("col_to", lang),
                         lab("col_rate", lang, unit=i18n.unit_name(unit, lang)),
                         lab("col_case_type", lang)],
                "rows": [[cell(a.id), cell(_step_label(scenario, a.to)),
                          cell(i18n.number(_rate(a, scenario), lang), numeric=True),
                          cell(a.case_type)] for a in scenario.arrivals]}
    events = {"title": lab("events", lang),
              "head": [lab("col_at", lang, unit=i18n.unit_name(unit, lang)),
                       lab("col_event", lang), lab("col_changes", lang)],
              "rows": [[cell(i18n.number(e.at, lang), numeric=True), cell(e.title),
                        cell("; ".join(_change_text(c, scenario, lang) for c in e.changes))]
                       for e in sorted(scenario.events, key=lambda e: e.at)],
              "empty": lab("no_events", lang)}
    return [partners, _without_empty_columns(steps), arrivals, events]


def _without_empty_columns(table: dict[str, Any]) -> dict[str, Any]:
    """Drop columns no row fills (most chains have no special rules at all)."""
    keep = [k for k in range(len(table["head"])) if any(row[k]["text"] for row in table["rows"])]
    return {**table, "head": [table["head"][k] for k in keep],
            "rows": [[row[k] for k in keep] for row in table["rows"]]}


def _partner_label(scenario: Any, partner_id: str) -> str:
    try:
        return scenario.partner(partner_id).label
    except KeyError:
        return partner_id


def _rate(arrival: Any, scenario: Any) -> float:
    if arrival.times is not None:
        return len(arrival.times) / max(float(scenario.horizon), 1e-9)
    return float(arrival.rate)
