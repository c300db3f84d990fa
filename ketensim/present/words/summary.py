"""What ``ketensim run`` prints when it is done: the run summary, as text.

Pure functions from results and loads to lines, in Dutch or English, so the
wording can be tested without running a command. Columns are aligned and
carry their unit, because the first reader is often a newcomer to the model.
The ``check`` tables live in :mod:`ketensim.present.words.check`, the mechanism lines
in :mod:`ketensim.present.words.mechanisms`; both, and the text helpers of
:mod:`ketensim.present.words.termtext`, are importable from here too.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ketensim.present.words import i18n
from ketensim.present.words.check import check_report, describe_event
from ketensim.present.words.mechanisms import deadlock_line, mechanism_lines
from ketensim.present.words.termtext import WIDTH, num, rho_text, table
from ketensim.present.words.termtext import unit as unit_word
from ketensim.scenario.model import Scenario

if TYPE_CHECKING:
    from ketensim.results.tables import Results
    from ketensim.scenario.traffic import Phase

__all__ = [
    "TEXT", "WIDTH", "check_report", "cost_lines", "describe_event", "mechanism_lines",
    "norm_lines", "num", "overload_notes", "rho_text", "run_summary", "table",
]

TEXT = {
    "nl": {
        "step": "schakel", "partner": "partner", "load": "belasting", "rho": "(rho)",
        "wait": "wachttijd", "backlog": "achterstand", "at_end": "eind (zaken)",
        "util": "bezetting",
        "run_head": "{label}: {reps} replicaties, seed {seed}, {horizon} {units} "
                    "(warm-up {warmup})",
        "lead": "Doorlooptijd keten: gemiddeld {mean} {units}{ci}",
        "ci": " (95%-interval {low} tot {high})",
        "cases": "Zaken in het venster: {cin} de keten in, {cout} uit; "
                 "{wip} nog onderweg aan het eind.",
        "mechanisms": "Mechanismen (gemiddeld per replicatie, na de warm-up):",
        "attention": "Let op:",
        "none_over": "Geen schakel overbelast.",
        "over_all": "{step} is overbelast (belasting {rho}): er komt meer werk binnen dan de "
                    "capaciteit aankan, dus de achterstand groeit zolang dat zo blijft.",
        "over_from": "{step} is overbelast vanaf {unit} {at} (belasting {rho}): de achterstand "
                     "groeit vanaf dan zolang dat zo blijft.",
        "over_was": "{step} was overbelast van {unit} {start} tot {unit} {end} (belasting "
                    "{rho}); daarna kan de achterstand weer slinken.",
        "over_bounded": "{step} krijgt meer aanbod dan de capaciteit (belasting {rho}), maar "
                        "de wachtrij is begrensd: het werk hoopt zich daar niet op, het houdt "
                        "de schakels ervoor bezet of wordt omgeleid of afgewezen.",
        "growing": "{step}: de wachtrij groeit aan het eind nog, sinds {unit} {since} met "
                   "{rate} zaken per {unit} (van {before} naar {last} zaken).",
        "where": "Resultaten: {path}",
        "fast_all": "Alle schakels exact berekend zonder gebeurtenislijst (snelle rekenweg), in "
                    "{n} van de {reps} replicaties; de uitkomsten zijn dezelfde als van de "
                    "simulatie.",
    },
    "en": {
        "step": "step", "partner": "partner", "load": "load", "rho": "(rho)",
        "wait": "wait", "backlog": "backlog", "at_end": "at end (cases)",
        "util": "utilisation",
        "run_head": "{label}: {reps} replications, seed {seed}, {horizon} {units} "
                    "(warm-up {warmup})",
        "lead": "Chain lead time: mean {mean} {units}{ci}",
        "ci": " (95% interval {low} to {high})",
        "cases": "Cases in the window: {cin} entered the chain, {cout} left; "
                 "{wip} still in it at the end.",
        "mechanisms": "Mechanisms (mean per replication, after the warm-up):",
        "attention": "Note:",
        "none_over": "No step is overloaded.",
        "over_all": "{step} is overloaded (load {rho}): more work arrives than its capacity can "
                    "handle, so its backlog grows for as long as this lasts.",
        "over_from": "{step} is overloaded from {unit} {at} (load {rho}): its backlog grows from "
                     "then on for as long as this lasts.",
        "over_was": "{step} was overloaded from {unit} {start} to {unit} {end} (load {rho}); "
                    "after that its backlog can shrink again.",
        "over_bounded": "{step} is offered more than its capacity (load {rho}), but its queue "
                        "is bounded: the work does not pile up there, it keeps the steps "
                        "before it busy or is diverted or turned away.",
        "growing": "{step}: its queue is still growing at the end, since {unit} {since} by "
                   "{rate} cases per {unit} (from {before} to {last} cases).",
        "where": "Results: {path}",
        "fast_all": "Every step computed exactly without an event list (fast path), in {n} of "
                    "the {reps} replications; the results are the same as the simulation's.",
    },
}


def _unit(scenario: Scenario, lang: str, plural: bool = False) -> str:
    return unit_word(scenario.time_unit, lang, plural=plural)


def _bullets(items: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for item in items:
        lines += textwrap.wrap(item, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return lines


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
        *_mechanism_block(results, lang),
        *_attention(results, phases, lang),
    ]
    fast = sum(results.fast_path)
    if fast:
        lines += textwrap.wrap(t["fast_all"].format(n=fast, reps=results.replications), WIDTH)
    return [*lines, "", t["where"].format(path=out)]


def _mechanism_block(results: Results, lang: str) -> list[str]:
    """The mechanisms that showed up, one line each, under a heading; nothing when none did."""
    found = mechanism_lines(results, lang)
    return [TEXT[lang]["mechanisms"], *_bullets(found), ""] if found else []


def _attention(results: Results, phases: Sequence[Phase] | None, lang: str) -> list[str]:
    """A deadlock, and steps that are (or were) overloaded or still piling up work."""
    t = TEXT[lang]
    locked = deadlock_line(results, lang)
    notes = overload_notes(results, phases, lang)
    lines = [*textwrap.wrap(locked, WIDTH), ""] if locked else []
    if notes:
        return [*lines, t["attention"], *_bullets(notes)]
    return [*lines, t["none_over"]]


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
    from ketensim.present.words.norms import title

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
        if note is not None and results.scenario.step(sid).queue_limit is not None:
            worst = max(p.load(sid).rho for p in phases or [])
            note = t["over_bounded"].format(step=sid, rho=rho_text(worst, lang))
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
