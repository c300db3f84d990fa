"""The mechanisms of a run in plain lines, for the terminal summary of ``ketensim run``.

One sentence per mechanism that showed up (see :mod:`ketensim.results.mechanisms`),
in Dutch or English: how many cases a full buffer turned away or sent
elsewhere, how many places blocking held, what each case type waited, how
busy a shared pool was, and a warning when the chain locked up. Counts are
means per replication over the window after the warm-up.
"""

from __future__ import annotations

from typing import Any

from ketensim.present.words import i18n
from ketensim.results import mechanisms

TEXT = {
    "nl": {
        "mean_blocked": "{step} houdt gemiddeld {n} plaatsen geblokkeerd met zaken die niet "
                        "verder kunnen (de volgende schakel is vol).",
        "rejected": "{step}: {n} zaken geweigerd omdat de wachtrij vol was.",
        "diverted": "{step}: {n} zaken omgeleid{to} omdat de wachtrij vol was.",
        "to": " naar {step}",
        "reneged": "{step}: {n} zaken vielen uit omdat hun termijn verstreek voordat ze aan de "
                   "beurt waren.",
        "dismissed": "{step}: {n} zaken geseponeerd of afgewezen wegens drukte.",
        "returned": "{step}: {n} zaken teruggestuurd als onvolledig (herstelwerk).",
        "late": "{step}: {n} zaken wachtten langer dan de termijn en leverden een nieuwe zaak op "
                "(faalvraag).",
        "reentries": "Herinstroom: {n} zaken kwamen na afloop terug in de keten.",
        "types": "Wachttijd per soort zaak bij {step}: {items}.",
        "type_item": "{case_type} {wait} {unit}",
        "pool": "Gedeelde pool {pool} ({partner}): bezetting {pct}, gemiddeld {busy} van "
                "{capacity} medewerkers bezig.",
        "deadlock": "Let op: de keten liep vast {when} (schakels {steps} blokkeren elkaar) in "
                    "{k} van de {n} replicaties.",
        "deadlock_at": "op {unit} {at}",
        "deadlock_first": "op zijn vroegst op {unit} {at}",
        "and": " en ",
    },
    "en": {
        "mean_blocked": "{step} holds on average {n} places blocked with cases that cannot move "
                        "on (the next step is full).",
        "rejected": "{step}: {n} cases turned away because the queue was full.",
        "diverted": "{step}: {n} cases diverted{to} because the queue was full.",
        "to": " to {step}",
        "reneged": "{step}: {n} cases dropped out because their deadline passed before their "
                   "turn.",
        "dismissed": "{step}: {n} cases dismissed because of the workload.",
        "returned": "{step}: {n} cases sent back as incomplete (rework).",
        "late": "{step}: {n} cases waited past the term and caused a new case (failure demand).",
        "reentries": "Re-entry: {n} cases came back into the chain after leaving it.",
        "types": "Waiting time per case type at {step}: {items}.",
        "type_item": "{case_type} {wait} {unit}",
        "pool": "Shared pool {pool} ({partner}): utilisation {pct}, on average {busy} of "
                "{capacity} staff busy.",
        "deadlock": "Note: the chain locked up {when} (steps {steps} block each other) in {k} "
                    "of {n} replications.",
        "deadlock_at": "at {unit} {at}",
        "deadlock_first": "at the earliest at {unit} {at}",
        "and": " and ",
    },
}


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + TEXT[lang]["and"] + items[-1]


def _label(scenario: Any, step_id: str) -> str:
    try:
        return str(scenario.step(step_id).label)
    except (KeyError, AttributeError):
        return step_id


def step_lines(results: Any, lang: str = "nl") -> list[str]:
    """One line per step and mechanism that happened (blocking, turned away, ...)."""
    t = TEXT[i18n.check_lang(lang)]
    sc = results.scenario
    lines = []
    for kpi in mechanisms.step_kpis(results):
        if kpi not in mechanisms.LINE_KPIS:
            continue
        for sid, est in mechanisms.step_means(results, kpi):
            to = ""
            limit = getattr(sc.step(sid), "queue_limit", None)
            if kpi == "diverted" and limit is not None and limit.divert_to:
                to = t["to"].format(step=_label(sc, limit.divert_to))
            lines.append(t[kpi].format(step=_label(sc, sid), n=i18n.number(est.mean, lang),
                                       to=to))
    return lines


def other_lines(results: Any, lang: str = "nl") -> list[str]:
    """Re-entry, waits per case type and shared pools, one line each."""
    t = TEXT[i18n.check_lang(lang)]
    sc = results.scenario
    lines = []
    again = mechanisms.reentries(results)
    if again is not None:
        lines.append(t["reentries"].format(n=i18n.number(again.mean, lang)))
    units = i18n.unit_name(sc.time_unit, lang, plural=True)
    by_step: dict[str, list[dict[str, Any]]] = {}
    for row in mechanisms.type_waits(results):
        by_step.setdefault(row["step"], []).append(row)
    for sid, rows in by_step.items():
        if not any(mechanisms.finite(r["mean_wait"]) and r["mean_wait"].mean > 0 for r in rows):
            continue  # nobody waits here, whatever the type: nothing to tell apart
        items = [t["type_item"].format(case_type=r["case_type"], unit=units,
                                       wait=i18n.number(r["mean_wait"].mean, lang))
                 for r in rows]
        lines.append(t["types"].format(step=_label(sc, sid), items=_join(items, lang)))
    for pool in mechanisms.pool_use(results):
        lines.append(t["pool"].format(
            pool=pool["pool"], partner=pool["partner"],
            pct=i18n.percent(pool["utilization"].mean, lang),
            busy=i18n.number(pool["mean_busy"].mean, lang),
            capacity=i18n.number(pool["mean_capacity"].mean, lang)))
    return lines


def deadlock_line(results: Any, lang: str = "nl") -> str | None:
    """A warning when the chain locked up in some replication, else None."""
    t = TEXT[i18n.check_lang(lang)]
    lock = mechanisms.deadlock(results)
    if lock is None:
        return None
    unit = i18n.unit_name(results.scenario.time_unit, lang)
    when = t["deadlock_at" if lock.first_at == lock.last_at else "deadlock_first"].format(
        unit=unit, at=i18n.number(lock.first_at, lang, digits=0))
    steps = _join([_label(results.scenario, s) for s in lock.steps], lang) or "?"
    return t["deadlock"].format(when=when, steps=steps, k=lock.replications, n=lock.of)


def mechanism_lines(results: Any, lang: str = "nl") -> list[str]:
    """Every notable mechanism as one plain sentence; empty when none showed up."""
    return [*step_lines(results, lang), *other_lines(results, lang)]
