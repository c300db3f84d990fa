"""What the command line prints: the run summary and the ``check`` tables, as text.

Pure functions from results and loads to lines, in Dutch or English, so the
wording can be tested without running a command. Columns are aligned and
carry their unit, because the first reader is often a newcomer to the model.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ketensim import i18n
from ketensim.distributions import Distribution
from ketensim.model import Change, Scenario

if TYPE_CHECKING:
    from ketensim.results import Results
    from ketensim.traffic import Phase, PoolLoad

TEXT = {
    "nl": {
        "step": "schakel", "partner": "partner", "load": "belasting", "rho": "(rho)",
        "wait": "wachttijd", "backlog": "achterstand", "at_end": "eind (zaken)",
        "util": "bezetting", "inflow": "instroom", "per": "(per {unit})", "capacity": "capaciteit",
        "available": "beschikbaar", "avg": "(gemiddeld)", "service": "bewerkingstijd",
        "closed": "dicht", "overloaded": "OVERBELAST",
        "run_head": "{label}: {reps} replicaties, seed {seed}, {horizon} {units} "
                    "(warm-up {warmup})",
        "lead": "Doorlooptijd keten: gemiddeld {mean} {units}{ci}",
        "ci": " (95%-interval {low} tot {high})",
        "cases": "Zaken in het venster: {cin} de keten in, {cout} uit; "
                 "{wip} nog onderweg aan het eind.",
        "attention": "Let op:",
        "none_over": "Geen schakel overbelast.",
        "over_all": "{step} is overbelast (belasting {rho}): er komt meer werk binnen dan de "
                    "capaciteit aankan, dus de achterstand groeit zolang dat zo blijft.",
        "over_from": "{step} is overbelast vanaf {unit} {at} (belasting {rho}): de achterstand "
                     "groeit vanaf dan zolang dat zo blijft.",
        "over_was": "{step} was overbelast van {unit} {start} tot {unit} {end} (belasting "
                    "{rho}); daarna kan de achterstand weer slinken.",
        "growing": "{step}: de wachtrij groeit aan het eind nog, sinds {unit} {since} met "
                   "{rate} zaken per {unit} (van {before} naar {last} zaken).",
        "where": "Resultaten: {path}",
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
    },
    "en": {
        "step": "step", "partner": "partner", "load": "load", "rho": "(rho)",
        "wait": "wait", "backlog": "backlog", "at_end": "at end (cases)",
        "util": "utilisation", "inflow": "inflow", "per": "(per {unit})", "capacity": "capacity",
        "available": "available", "avg": "(average)", "service": "service time",
        "closed": "closed", "overloaded": "OVERLOADED",
        "run_head": "{label}: {reps} replications, seed {seed}, {horizon} {units} "
                    "(warm-up {warmup})",
        "lead": "Chain lead time: mean {mean} {units}{ci}",
        "ci": " (95% interval {low} to {high})",
        "cases": "Cases in the window: {cin} entered the chain, {cout} left; "
                 "{wip} still in it at the end.",
        "attention": "Note:",
        "none_over": "No step is overloaded.",
        "over_all": "{step} is overloaded (load {rho}): more work arrives than its capacity can "
                    "handle, so its backlog grows for as long as this lasts.",
        "over_from": "{step} is overloaded from {unit} {at} (load {rho}): its backlog grows from "
                     "then on for as long as this lasts.",
        "over_was": "{step} was overloaded from {unit} {start} to {unit} {end} (load {rho}); "
                    "after that its backlog can shrink again.",
        "growing": "{step}: its queue is still growing at the end, since {unit} {since} by "
                   "{rate} cases per {unit} (from {before} to {last} cases).",
        "where": "Results: {path}",
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
    },
}

WIDTH = 88  # wrap long sentences so they read well in a normal terminal

NOUNS = {
    "nl": {"step": ("schakel", "schakels"), "arrival": ("instroombron", "instroombronnen"),
           "event": ("ingreep", "ingrepen")},
    "en": {"step": ("step", "steps"), "arrival": ("arrival source", "arrival sources"),
           "event": ("event", "events")},
}


def _count(n: int, noun: str, lang: str) -> str:
    one, many = NOUNS[lang][noun]
    return f"{n} {one if n == 1 else many}"


# -- numbers -----------------------------------------------------------------------------


def num(x: float, lang: str = "nl") -> str:
    """A figure with about two significant decimals, in the language's notation."""
    return i18n.number(x, lang)


def rho_text(rho: float, lang: str) -> str:
    """An offered load to two decimals, with ``closed`` for work at a step without capacity."""
    if math.isinf(rho):
        return TEXT[lang]["closed"]
    text = f"{rho:.2f}"
    return text.replace(".", ",") if lang == "nl" else text


def table(
    head: Sequence[Sequence[str]], rows: Sequence[Sequence[str]], indent: str = ""
) -> list[str]:
    """Aligned columns: the first left, the others right; ``head`` may have several lines."""
    ncol = max(len(r) for r in [*head, *rows])
    cells = [list(r) + [""] * (ncol - len(r)) for r in [*head, *rows]]
    widths = [max(len(r[c]) for r in cells) for c in range(ncol)]
    lines = []
    for r in cells:
        parts = [r[0].ljust(widths[0])] + [r[c].rjust(widths[c]) for c in range(1, ncol)]
        lines.append((indent + "  ".join(parts)).rstrip())
    return lines


def _unit(scenario: Scenario, lang: str, plural: bool = False) -> str:
    return i18n.unit_name(scenario.time_unit, lang, plural=plural)


# -- the run summary ---------------------------------------------------------------------


def run_summary(
    results: Results, phases: Sequence[Phase] | None, out: str, lang: str = "nl"
) -> list[str]:
    """The lines ``ketensim run`` prints when it is done."""
    t = TEXT[lang]
    sc = results.scenario
    units = _unit(sc, lang, plural=True)
    lines = [
        t["run_head"].format(label=sc.label, reps=results.replications, seed=results.seed,
                             horizon=f"{sc.horizon:g}", units=units, warmup=f"{sc.warmup:g}"),
        "",
        *_step_table(results, phases, lang),
        "",
        *_chain_lines(results, lang),
        "",
        *norm_lines(results, lang),
        *cost_lines(results, lang),
    ]
    notes = overload_notes(results, phases, lang)
    if notes:
        lines.append(t["attention"])
        for note in notes:
            lines += textwrap.wrap(note, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    else:
        lines.append(t["none_over"])
    return [*lines, "", t["where"].format(path=out)]


def _step_table(results: Results, phases: Sequence[Phase] | None, lang: str) -> list[str]:
    t = TEXT[lang]
    units = _unit(results.scenario, lang, plural=True)
    head = [
        [t["step"], t["partner"], t["load"], t["wait"], t["backlog"], t["util"]],
        ["", "", t["rho"], f"({units})", t["at_end"], ""],
    ]
    rows = []
    for s in results.scenario.steps:
        rows.append([
            s.id, s.partner, _load_cell(s.id, phases, lang),
            num(results.interval("mean_wait", s.id).mean, lang),
            num(results.interval("queue_at_end", s.id).mean, lang),
            i18n.percent(results.interval("utilization", s.id).mean, lang),
        ])
    return table(head, rows)


def _load_cell(step_id: str, phases: Sequence[Phase] | None, lang: str) -> str:
    if not phases:
        return i18n.number(math.nan, lang)
    first = rho_text(phases[0].load(step_id).rho, lang)
    last = rho_text(phases[-1].load(step_id).rho, lang)
    return first if first == last else f"{first} -> {last}"


def _chain_lines(results: Results, lang: str) -> list[str]:
    t = TEXT[lang]
    lead = results.interval("mean_lead_time")
    ci = "" if math.isnan(lead.low) else t["ci"].format(
        low=num(lead.low, lang), high=num(lead.high, lang)
    )
    units = _unit(results.scenario, lang, plural=True)
    return [
        t["lead"].format(mean=num(lead.mean, lang), units=units, ci=ci),
        t["cases"].format(
            cin=num(results.interval("cases_in").mean, lang),
            cout=num(results.interval("cases_out").mean, lang),
            wip=num(results.interval("wip_at_end").mean, lang),
        ),
    ]


def norm_lines(results: Results, lang: str = "nl") -> list[str]:
    """Per norm: the mean share within it, its interval, and in how many replications it held."""
    from ketensim.norms import title

    sc = results.scenario
    if not sc.norms:
        return []
    nl = lang == "nl"
    rows = []
    for _, row in results.norm_summary().iterrows():
        norm = next(n for n in sc.norms if n.id == row["norm"])
        share = i18n.percent(row["mean"], lang)
        ci = "" if math.isnan(row["ci_low"]) else (
            f" ({i18n.percent(row['ci_low'], lang)}-{i18n.percent(row['ci_high'], lang)})")
        held = (f"{row['replications_met']} van {row['replications']}" if nl
                else f"{row['replications_met']} of {row['replications']}")
        rows.append([f"  {norm.id}: {title(norm, sc.time_unit, lang)}", share + ci, held])
    head = [["Normen" if nl else "Norms", "binnen (95%)" if nl else "within (95%)",
             "gehaald (replicaties)" if nl else "met (replications)"]]
    return [*table(head, rows), ""]


def cost_lines(results: Results, lang: str = "nl") -> list[str]:
    """The chain's costs, and what each partner costs and pays under the sharing rule."""
    sc = results.scenario
    if not sc.has_costs:
        return []
    nl = lang == "nl"
    rule = sc.cost_settings.sharing
    rule_text = {"use": "naar gebruik" if nl else "by use",
                 "equal": "in gelijke delen" if nl else "in equal parts"}[rule]
    summary = results.cost_summary()
    value = {(r["partner"], r["kpi"]): r["mean"] for _, r in summary.iterrows()}
    total, per_case = value.get(("", "cost_total"), math.nan), value.get(("", "cost_per_case"))
    head = [[f"Kosten ({sc.cost_settings.currency}), verdeeld {rule_text}" if nl
             else f"Costs ({sc.cost_settings.currency}), shared {rule_text}",
             "eigen kosten" if nl else "own costs", "aandeel" if nl else "share",
             "te betalen" if nl else "to pay", "saldo" if nl else "balance"]]
    rows = [[f"  {p.id}", num(value[(p.id, "total")], lang),
             i18n.percent(value[(p.id, "share")], lang), num(value[(p.id, "allocated")], lang),
             num(value[(p.id, "balance")], lang)] for p in sc.partners]
    rows.append(["  " + ("keten" if nl else "chain"), num(total, lang), "100%", num(total, lang),
                 ""])
    each = f"{sc.cost_settings.currency} {num(per_case or math.nan, lang)}"
    case = (f"Per zaak die de keten verlaat: {each}." if nl
            else f"Per case leaving the chain: {each}.")
    return [*table(head, rows), case, ""]


def overload_notes(results: Results, phases: Sequence[Phase] | None, lang: str) -> list[str]:
    """One plain sentence per step that is (or was) overloaded or still piling up work."""
    t = TEXT[lang]
    unit = _unit(results.scenario, lang)
    trend = results.backlog_trend().set_index("step")
    notes = []
    for sid in results.scenario.step_ids:
        note = _phase_note(sid, phases or [], unit, lang)
        if note is None and bool(trend.loc[sid, "growing"]):
            row = trend.loc[sid]
            note = t["growing"].format(
                step=sid, unit=unit, since=num(row["since"], lang), rate=num(row["rate"], lang),
                before=num(row["before"], lang), last=num(row["last"], lang),
            )
        if note is not None:
            notes.append(note)
    return notes


def _phase_note(sid: str, phases: Sequence[Phase], unit: str, lang: str) -> str | None:
    t = TEXT[lang]
    if not phases:
        return None
    over = [p.load(sid).overloaded for p in phases]
    if over[-1]:
        k = len(over) - 1
        while k > 0 and over[k - 1]:
            k -= 1
        rho = rho_text(phases[-1].load(sid).rho, lang)
        if k == 0:
            return t["over_all"].format(step=sid, rho=rho)
        return t["over_from"].format(step=sid, unit=unit, at=f"{phases[k].start:g}", rho=rho)
    for k, phase in enumerate(phases):
        if over[k]:
            end = k
            while end + 1 < len(phases) and over[end + 1]:
                end += 1
            return t["over_was"].format(
                step=sid, unit=unit, start=f"{phase.start:g}", end=f"{phases[end].end:g}",
                rho=rho_text(phase.load(sid).rho, lang),
            )
    return None


# -- check -------------------------------------------------------------------------------


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
    lines += ["", *textwrap.wrap(t["legend"], WIDTH)]
    over = _overloaded_items(phases, unit, lang)
    if over:
        lines.append(t["check_over"].format(items="; ".join(over)))
    return lines


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
