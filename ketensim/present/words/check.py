"""What ``ketensim check`` prints: validity, then the offered load of every step per period.

Pure functions from a scenario and its loads (``ketensim.scenario.traffic``) to
lines, in Dutch or English. A load at 1 or more is marked, with a sentence
saying from when, because the first reader is often a newcomer to the model.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ketensim.present.words.termtext import WIDTH, num, rho_text, table
from ketensim.present.words.termtext import unit as unit_word
from ketensim.scenario.distributions import Distribution
from ketensim.scenario.model import Change, Scenario

if TYPE_CHECKING:
    from ketensim.scenario.traffic import Phase, PoolLoad

TEXT = {
    "nl": {
        "step": "schakel", "load": "belasting", "rho": "(rho)", "inflow": "instroom",
        "per": "(per {unit})", "capacity": "capaciteit", "available": "beschikbaar",
        "avg": "(gemiddeld)", "service": "bewerkingstijd", "overloaded": "OVERBELAST",
        "valid": "{label} ({file}): het bestand is geldig.",
        "facts": "{steps}, {arrivals}, {events}; tijdseenheid {unit}, horizon {horizon}.",
        "from_start": "Vanaf de start ({unit} 0):",
        "from_at": "Vanaf {unit} {at}: {what}",
        "legend": "belasting = instroom x bewerkingstijd / capaciteit. Vanaf 1 kan de schakel "
                  "het werk niet bijhouden en groeit de achterstand zonder grens.",
        "check_over": "Overbelast: {items}.",
        "pool": "gedeelde pool {pool} ({steps}): capaciteit {capacity}, belasting {rho}",
        "from_word": "vanaf {unit} {at}",
        "start_word": "vanaf de start",
        "suspect": "Let op: een belasting van {items} is zo hoog dat een eenheidsfout "
                   "waarschijnlijker is dan een plan. Staat er een jaarcijfer als instroom per "
                   "{unit}, of een bewerkingstijd in een andere eenheid dan {units}? "
                   "(tijdseenheid van het bestand: {unit})",
        "suspect_item": "{rho} bij {step} ({when})",
        "warmup": "De keten begint leeg en heeft geen opwarmperiode: het begin van de run telt "
                  "het vollopen mee. Een warmup van ongeveer {value} {units} (vijf keer de "
                  "verblijftijd van de traagste schakel) houdt dat buiten de cijfers; of begin "
                  "met de werkvoorraad van nu (backlog).",
        "plain": "Zonder de ingrepen zou de belasting in deze periode zijn: {items}.",
        "season": "{step} is vanaf {unit} {at} overbelast (belasting {rho}) door het seizoen, "
                  "niet door de ingreep: zonder ingrepen zou de belasting in die periode "
                  "{plain} zijn.",
    },
    "en": {
        "step": "step", "load": "load", "rho": "(rho)", "inflow": "inflow",
        "per": "(per {unit})", "capacity": "capacity", "available": "available",
        "avg": "(average)", "service": "service time", "overloaded": "OVERLOADED",
        "valid": "{label} ({file}): the file is valid.",
        "facts": "{steps}, {arrivals}, {events}; time unit {unit}, horizon {horizon}.",
        "from_start": "From the start ({unit} 0):",
        "from_at": "From {unit} {at}: {what}",
        "legend": "load = inflow x service time / capacity. From 1 on the step cannot keep up "
                  "and its backlog grows without bound.",
        "check_over": "Overloaded: {items}.",
        "pool": "shared pool {pool} ({steps}): capacity {capacity}, load {rho}",
        "from_word": "from {unit} {at}",
        "start_word": "from the start",
        "suspect": "Note: a load of {items} is so high that a unit mistake is likelier than a "
                   "plan. Is a yearly figure given as inflow per {unit}, or a handling time in "
                   "another unit than {units}? (the file's time unit: {unit})",
        "suspect_item": "{rho} at {step} ({when})",
        "warmup": "The chain starts empty and has no warm-up: the start of the run counts the "
                  "filling up. A warmup of about {value} {units} (five times the slowest step's "
                  "time at the step) keeps that out of the figures; or start from today's "
                  "werkvoorraad (backlog).",
        "plain": "Without the interventions the load in this period would be: {items}.",
        "season": "{step} is overloaded from {unit} {at} (load {rho}) by the season, not by "
                  "the intervention: without interventions its load in that period would be "
                  "{plain}.",
    },
}

NOUNS = {
    "nl": {"step": ("schakel", "schakels"), "arrival": ("instroombron", "instroombronnen"),
           "event": ("ingreep", "ingrepen")},
    "en": {"step": ("step", "steps"), "arrival": ("arrival source", "arrival sources"),
           "event": ("event", "events")},
}


def _count(n: int, noun: str, lang: str) -> str:
    one, many = NOUNS[lang][noun]
    return f"{n} {one if n == 1 else many}"


def _unit(scenario: Scenario, lang: str, plural: bool = False) -> str:
    return unit_word(scenario.time_unit, lang, plural=plural)


def check_report(
    scenario: Scenario, phases: Sequence[Phase], file: str, lang: str = "nl"
) -> list[str]:
    """The lines ``ketensim check`` prints: validity, then the loads per period."""
    t = TEXT[lang]
    unit = _unit(scenario, lang)
    lines = [
        t["valid"].format(label=scenario.label, file=file),
        t["facts"].format(
            steps=_count(len(scenario.steps), "step", lang),
            arrivals=_count(len(scenario.arrivals), "arrival", lang),
            events=_count(len(scenario.events), "event", lang),
            unit=unit, horizon=f"{scenario.horizon:g}",
        ),
    ]
    for phase in phases:
        lines.append("")
        if phase.start == 0 and not phase.events:
            lines.append(t["from_start"].format(unit=unit))
        else:
            what = "; ".join(describe_event(e.label, e.changes) for e in phase.events)
            lines.append(t["from_at"].format(unit=unit, at=f"{phase.start:g}", what=what))
        lines += _load_table(scenario, phase, lang)
        lines += [_pool_line(pool, lang) for pool in phase.pools]
        lines += _plain_line(phase, lang)
    lines += ["", *textwrap.wrap(t["legend"], WIDTH)]
    over = _overloaded_items(phases, unit, lang)
    if over:
        lines.append(t["check_over"].format(items="; ".join(over)))
    for sentence in season_lines(scenario, phases, lang):
        lines += textwrap.wrap(sentence, WIDTH)
    for sentence in warmup_lines(scenario, phases, lang):
        lines += ["", *textwrap.wrap(sentence, WIDTH)]
    for sentence in suspect_lines(scenario, phases, lang):
        lines += ["", *textwrap.wrap(sentence, WIDTH)]
    return lines


def suspect_lines(scenario: Scenario, phases: Sequence[Phase], lang: str = "nl") -> list[str]:
    """The sentence (none or one) on loads that point at a unit mistake; ``run`` says it too."""
    from ketensim.scenario.traffic import suspect_loads

    t = TEXT[lang]
    unit = _unit(scenario, lang)
    found = suspect_loads(phases)
    if not found:
        return []
    items = [t["suspect_item"].format(
        rho=num(rho, lang), step=step,
        when=t["start_word"] if start == 0 else t["from_word"].format(unit=unit, at=f"{start:g}"))
        for step, rho, start in found[:5]]
    more = f", ... (+{len(found) - 5})" if len(found) > 5 else ""
    return [t["suspect"].format(items=", ".join(items) + more, unit=unit,
                                units=_unit(scenario, lang, plural=True))]


def _plain_line(phase: Phase, lang: str) -> list[str]:
    """The loads of the same period without interventions, where they differ: before and
    after compare like with like only within one season."""
    items = []
    for x in phase.loads:
        plain = phase.load_without_events(x.step)
        if plain is not None and rho_text(plain.rho, lang) != rho_text(x.rho, lang):
            items.append(f"{x.step} {rho_text(plain.rho, lang)}")
    if not items:
        return []
    return textwrap.wrap(TEXT[lang]["plain"].format(items=", ".join(items)), WIDTH,
                         initial_indent="  ", subsequent_indent="  ")


def warmup_lines(scenario: Scenario, phases: Sequence[Phase], lang: str = "nl") -> list[str]:
    """The warm-up to use, for a chain that starts empty without one (none otherwise)."""
    from ketensim.present.words.verdict import starts_empty_unwarmed
    from ketensim.scenario.periods import suggested_warmup

    value = suggested_warmup(phases)
    if not starts_empty_unwarmed(scenario) or not value > 0:
        return []
    step = 10 ** max(0, math.floor(math.log10(value)) - 1)  # two significant figures
    return [TEXT[lang]["warmup"].format(units=_unit(scenario, lang, plural=True),
                                        value=num(math.ceil(value / step - 1e-9) * step, lang))]


def season_lines(scenario: Scenario, phases: Sequence[Phase], lang: str = "nl") -> list[str]:
    """One sentence per step that a season, not an intervention, makes overloaded."""
    from ketensim.scenario.periods import season_overloads

    t = TEXT[lang]
    out = []
    for step, rho, start in season_overloads(phases):
        phase = next(p for p in phases if p.start == start)
        plain = phase.load_without_events(step)
        out.append(t["season"].format(step=step, unit=_unit(scenario, lang), at=f"{start:g}",
                                      rho=rho_text(rho, lang),
                                      plain=rho_text(plain.rho if plain else math.nan, lang)))
    return out


def _load_table(scenario: Scenario, phase: Phase, lang: str) -> list[str]:
    t = TEXT[lang]
    unit = _unit(scenario, lang)
    units = _unit(scenario, lang, plural=True)
    with_available = any(abs(x.available - x.capacity) > 1e-9 for x in phase.loads)
    head = [
        [t["step"], t["inflow"], t["capacity"]]
        + ([t["available"]] if with_available else []) + [t["service"], t["load"]],
        ["", t["per"].format(unit=unit), ""]
        + ([t["avg"]] if with_available else []) + [f"({units})", t["rho"]],
    ]
    rows = []
    for x in phase.loads:
        rows.append(
            [x.step, num(x.arrival_rate, lang), str(x.capacity)]
            + ([num(x.available, lang)] if with_available else [])
            + [num(x.mean_service, lang), rho_text(x.rho, lang)]
            + ([t["overloaded"]] if x.overloaded else [])
        )
    return table(head, rows, indent="  ")


def _pool_line(pool: PoolLoad, lang: str) -> str:
    t = TEXT[lang]
    line = "  " + t["pool"].format(pool=pool.pool, steps=", ".join(pool.steps),
                                   capacity=pool.capacity, rho=rho_text(pool.rho, lang))
    return f"{line}  {t['overloaded']}" if pool.overloaded else line


def _overloaded_items(phases: Sequence[Phase], unit: str, lang: str) -> list[str]:
    t = TEXT[lang]
    items: dict[str, str] = {}
    for phase in phases:
        names = [*phase.overloaded, *(p.pool for p in phase.pools if p.overloaded)]
        for sid in names:
            when = t["start_word"] if phase.start == 0 and not phase.events \
                else t["from_word"].format(unit=unit, at=f"{phase.start:g}")
            items.setdefault(sid, f"{sid} ({when})")
    return list(items.values())


def describe_event(label: str | None, changes: Sequence[Change]) -> str:
    """An event as a person would say it: its label, or ``key = value`` per change."""
    text = ", ".join(f"{c.key} = {_value(c.value)}" for c in changes)
    return f"{label} ({text})" if label else text


def _value(value: object) -> str:
    if isinstance(value, Distribution):
        params = ", ".join(f"{k}={v:g}" for k, v in value.to_dict().items()
                           if k != "dist" and isinstance(v, int | float))
        return f"{value.kind}({params})"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_route(r) for r in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _route(route: object) -> str:
    to = getattr(route, "to", None)
    p = getattr(route, "p", None)
    return f"{to} {p:g}" if to is not None and isinstance(p, int | float) else str(route)
