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
from ketensim.present.words.i18n import percent
from ketensim.present.words.mechanisms import deadlock_line, mechanism_lines
from ketensim.present.words.termtext import WIDTH, num, rho_text, table
from ketensim.present.words.termtext import unit as unit_word
from ketensim.results.damage import wait_now_differs
from ketensim.scenario.model import Scenario

if TYPE_CHECKING:
    from ketensim.results.tables import Results
    from ketensim.scenario.traffic import Phase

__all__ = [
    "TEXT", "WIDTH", "check_report", "cost_lines", "describe_event", "mechanism_lines",
    "norm_lines", "num", "overload_notes", "rho_text", "run_summary", "table", "verdict_notes",
]

FEW_FINISHED = 0.5  # below this share of the cases in, the chain lead time gets a caveat

TEXT = {
    "nl": {
        "step": "schakel", "partner": "partner", "load": "belasting", "rho": "(rho)",
        "wait": "wachttijd", "backlog": "achterstand", "at_end": "eind (zaken)",
        "util": "bezetting",
        "run_head": "{label}: {reps} replicaties, seed {seed}, {horizon} {units} "
                    "(warm-up {warmup})",
        "lead": "Doorlooptijd keten: gemiddeld {mean} {units}{ci}",
        "ci": " (95%-interval {low} tot {high})",
        "lead_few": "Let op: dit gemiddelde telt alleen de {n} zaken die in het venster "
                    "binnenkwamen én klaar waren ({share} van wie binnenkwam); wie nog "
                    "onderweg is, doet er langer over.",
        "noise_only": "De 95%-intervallen tonen alleen het toeval tussen replicaties, niet hoe "
                      "goed de invoer bekend is.",
        "with_inputs": "De 95%-intervallen bevatten het toeval én de onzekerheid in de invoer: "
                       "elke replicatie trekt eigen waarden voor {inputs}.",
        "cases": "Zaken in het venster: {cin} de keten in, {cout} uit; "
                 "{wip} nog onderweg aan het eind.",
        "mechanisms": "Mechanismen (gemiddeld per replicatie, na de warm-up):",
        "verdict": "Oordeel (uit de simulatie):",
        "wait_now": "wacht nu", "estimate": "(schatting)",
        "load_note": "belasting A -> B: in de laatste periode ({unit} {start} tot {end}) "
                     "zonder en met de ingrepen, dus in hetzelfde seizoen.",
        "partners": "Per ketenpartner (gemiddeld over de replicaties, 95%-interval in de "
                    "CSV):",
        "p_stock_end": "voorraad", "p_stock_mean": "voorraad", "p_through": "doorvoer",
        "p_time": "tijd bij", "p_util": "bezetting",
        "p_end": "eind", "p_mean": "gemiddeld", "p_per": "per {unit}", "p_units": "({units})",
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
        "lead_few": "Note: this mean counts only the {n} cases that entered in the window and "
                    "finished ({share} of those that entered); the cases still under way take "
                    "longer.",
        "ci": " (95% interval {low} to {high})",
        "noise_only": "The 95% intervals show the chance variation between replications only, "
                      "not how well the inputs are known.",
        "with_inputs": "The 95% intervals hold chance and the uncertainty of the inputs: each "
                       "replication draws its own values for {inputs}.",
        "cases": "Cases in the window: {cin} entered the chain, {cout} left; "
                 "{wip} still in it at the end.",
        "mechanisms": "Mechanisms (mean per replication, after the warm-up):",
        "verdict": "Verdict (from the simulation):",
        "wait_now": "wait now", "estimate": "(estimate)",
        "load_note": "load A -> B: in the last period ({unit} {start} to {end}) without and "
                     "with the interventions, so in the same season.",
        "partners": "Per chain partner (mean over the replications, 95% interval in the CSV):",
        "p_stock_end": "stock", "p_stock_mean": "stock", "p_through": "throughput",
        "p_time": "time with", "p_util": "utilisation",
        "p_end": "at end", "p_mean": "mean", "p_per": "per {unit}", "p_units": "({units})",
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
        *_partner_table(results, lang),
        *_mechanism_block(results, lang),
        *_attention(results, lang),
    ]
    fast = sum(results.fast_path)
    if fast:
        lines += textwrap.wrap(t["fast_all"].format(n=fast, reps=results.replications), WIDTH)
    return [*lines, "", t["where"].format(path=out)]


def _mechanism_block(results: Results, lang: str) -> list[str]:
    """The mechanisms that showed up, one line each, under a heading; nothing when none did."""
    found = mechanism_lines(results, lang)
    return [TEXT[lang]["mechanisms"], *_bullets(found), ""] if found else []


def _attention(results: Results, lang: str) -> list[str]:
    """A deadlock, then the verdict: what the queues did, and harm that is no pile."""
    t = TEXT[lang]
    locked = deadlock_line(results, lang)
    lines = [*textwrap.wrap(locked, WIDTH), ""] if locked else []
    return [*lines, t["verdict"], *_bullets(verdict_notes(results, lang))]


def _partner_table(results: Results, lang: str) -> list[str]:
    """Stock, throughput, time with the partner and utilisation, one row per partner."""
    t = TEXT[lang]
    table_ = getattr(results, "partners", None)
    if table_ is None or table_.empty:
        return []
    sc = results.scenario
    units = _unit(sc, lang, plural=True)
    head = [
        [t["partner"], t["p_stock_end"], t["p_stock_mean"], t["p_through"], t["p_time"],
         t["p_util"]],
        ["", t["p_end"], t["p_mean"], t["p_per"].format(unit=_unit(sc, lang)),
         t["p_units"].format(units=units), ""],
    ]
    window = sc.horizon - sc.warmup
    rows = []
    for p in sc.partners:
        mine = table_[table_["partner"] == p.id]
        if mine.empty:
            continue
        rows.append([p.id, num(mine["stock_at_end"].mean(), lang),
                     num(mine["mean_stock"].mean(), lang),
                     num(mine["completions"].mean() / window if window > 0 else math.nan, lang),
                     num(mine["mean_time"].mean(), lang),
                     i18n.percent(mine["utilization"].mean(), lang)])
    return [t["partners"], *table(head, rows), ""]


def _step_table(results: Results, phases: Sequence[Phase] | None, lang: str) -> list[str]:
    """Per step: load, the measured wait, the wait now (when it tells more), backlog, use."""
    t = TEXT[lang]
    units = _unit(results.scenario, lang, plural=True)
    now = _waits_now(results)
    head = [
        [t["step"], t["partner"], t["load"], t["wait"], *([t["wait_now"]] if now else []),
         t["backlog"], t["util"]],
        ["", "", t["rho"], f"({units})", *([t["estimate"]] if now else []), t["at_end"], ""],
    ]
    rows = []
    for s in results.scenario.steps:
        ahead = [num(now[s.id], lang)] if now else []
        rows.append([
            s.id, s.partner, _load_cell(s.id, phases, lang),
            num(results.interval("mean_wait", s.id).mean, lang), *ahead,
            num(results.interval("queue_at_end", s.id).mean, lang),
            i18n.percent(results.interval("utilization", s.id).mean, lang),
        ])
    lines = table(head, rows)
    if phases and any("->" in row[2] for row in rows):
        last = phases[-1]
        lines += textwrap.wrap(t["load_note"].format(
            unit=_unit(results.scenario, lang), start=f"{last.start:g}", end=f"{last.end:g}"),
            WIDTH)
    return lines


def _waits_now(results: Results) -> dict[str, float]:
    """The wait a case arriving at the end faces, per step, when it differs materially from
    the measured wait somewhere (else empty: the column would only repeat)."""
    steps = results.steps
    if not wait_now_differs(steps):
        return {}
    return {s.id: float(steps.loc[steps["step"] == s.id, "wait_ahead_at_end"].mean())
            for s in results.scenario.steps}


def _load_cell(step_id: str, phases: Sequence[Phase] | None, lang: str) -> str:
    """The load in the last period without and with the interventions ("A -> B"): the same
    period, so that a season is not taken for the effect of an intervention."""
    if not phases:
        return i18n.number(math.nan, lang)
    last = phases[-1]
    plain = last.load_without_events(step_id)
    after = rho_text(last.load(step_id).rho, lang)
    before = rho_text(plain.rho, lang) if plain is not None else "–"
    return after if before == after else f"{before} -> {after}"


def _chain_lines(results: Results, lang: str) -> list[str]:
    t = TEXT[lang]
    lead = results.interval("mean_lead_time")
    ci = "" if math.isnan(lead.low) else t["ci"].format(
        low=num(lead.low, lang), high=num(lead.high, lang)
    )
    units = _unit(results.scenario, lang, plural=True)
    lines = [t["lead"].format(mean=num(lead.mean, lang), units=units, ci=ci)]
    caveat = lead_caveat(results, lang)
    if caveat:
        lines.extend(textwrap.wrap(caveat, WIDTH, initial_indent="  ", subsequent_indent="  "))
    lines.append(t["cases"].format(
        cin=num(results.interval("cases_in").mean, lang),
        cout=num(results.interval("cases_out").mean, lang),
        wip=num(results.interval("wip_at_end").mean, lang),
    ))
    lines.extend(textwrap.wrap(interval_kind(results.scenario, lang), WIDTH))
    return lines


def lead_caveat(results: Results, lang: str = "nl") -> str:
    """The warning that belongs next to a chain lead time measured on few cases ("" if none).

    A window that starts from a werkvoorraad or ends before most cases are through
    measures the quick ones only: said next to the figure wherever it is shown (summary,
    report card), so nobody quotes it alone.
    """
    chain = results.chain
    if "lead_time_cases" not in chain or "cases_in" not in chain:
        return ""  # results from before the count was kept
    measured, cases_in = chain["lead_time_cases"].mean(), chain["cases_in"].mean()
    if not cases_in > 0 or not measured < FEW_FINISHED * cases_in:
        return ""
    return TEXT[i18n.check_lang(lang)]["lead_few"].format(
        n=num(measured, lang), share=percent(measured / cases_in, lang))


def interval_kind(scenario: Scenario, lang: str = "nl") -> str:
    """Which variation an interval holds: chance alone, or chance and uncertain inputs.

    Said next to every interval, so that nobody reads "106 to 107 days" as the precision
    of the inputs.
    """
    t = TEXT[i18n.check_lang(lang)]
    if not scenario.uncertain:
        return t["noise_only"]
    sep = " en " if lang == "nl" else " and "
    names = [u.label or f"{u.key} (x{num(u.low, lang)}-{num(u.high, lang)})"
             for u in scenario.uncertain]
    inputs = names[0] if len(names) == 1 else ", ".join(names[:-1]) + sep + names[-1]
    return t["with_inputs"].format(inputs=inputs)



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


def verdict_notes(results: Results, lang: str = "nl") -> list[str]:
    """The verdict's sentences about queues and harm, as the report words them.

    The same judgement (:func:`ketensim.results.insights.analyse`) and the
    same sentences as the HTML report; the lead time, the norms and the
    busiest step are left to the lines and tables around it.
    """
    from ketensim.present.words.verdict import verdict_sentences
    from ketensim.results.insights import analyse

    skip = {"lead", "busiest", "norm_met", "norm_mean", "norm_not", "norm_none"}
    return [said.text for said in verdict_sentences(analyse(results), results.scenario, lang)
            if said.kind not in skip]


def overload_notes(results: Results, phases: Sequence[Phase] | None, lang: str) -> list[str]:
    """The verdict's notes (kept under its old name; ``phases`` is no longer needed)."""
    return verdict_notes(results, lang)
