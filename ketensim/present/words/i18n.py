"""Dutch and English words for pictures, reports and plain-language findings.

The people who read a ketensim report are policy makers and chain managers,
mostly Dutch; every label they see is looked up here so that a picture and a
report speak one language, and so that `--lang en` changes all of it at once.
Dutch is the default everywhere.
"""

from __future__ import annotations

import math

LANGS = ("nl", "en")

_UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "nl": {"hour": ("uur", "uur"), "day": ("dag", "dagen"), "week": ("week", "weken")},
    "en": {"hour": ("hour", "hours"), "day": ("day", "days"), "week": ("week", "weeks")},
}

_BIGGER_UNIT = {"hour": ("day", 24.0), "day": ("week", 7.0), "week": ("year", 52.0)}
_SMALLER_UNIT = {"week": ("day", 7.0), "day": ("hour", 24.0)}
_EXTRA_UNITS = {"nl": {"year": ("jaar", "jaar")}, "en": {"year": ("year", "years")}}

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "backlog_title": "Werkvoorraad per schakel door de tijd",
        "backlog_sub": "Zaken die wachten, gemiddeld over {n} herhalingen; de band toont {band}",
        "band_minmax": "laagste tot hoogste herhaling",
        "band_q": "10% tot 90% van de herhalingen",
        "queue_axis": "zaken in wachtrij",
        "time_axis": "tijd ({unit})",
        "warmup": "opwarmperiode (telt niet mee)",
        "mean": "gemiddelde",
        "event": "ingreep",
        "waits_title": "Gemiddelde wachttijd per schakel",
        "waits_sub": "Wachten op behandeling (zonder de behandeling zelf); streepjes: 95%-interval",
        "wait_axis": "gemiddelde wachttijd ({unit})",
        "lead_title": "Doorlooptijd van de keten",
        "lead_sub": "Van binnenkomst tot uitstroom, zaken die vóór het einde klaar zijn; "
        "streepjes: 95%-interval",
        "lead_axis": "doorlooptijd ({unit})",
        "lead_cdf_title": "Verdeling: deel van de zaken klaar binnen",
        "lead_cdf_axis": "deel van de zaken (%)",
        "lead_cdf_band": "laagste tot hoogste herhaling",
        "lead_mean": "gemiddeld",
        "lead_p50": "mediaan (helft van de zaken sneller)",
        "lead_p90": "90% van de zaken binnen",
        "util_title": "Bezetting per schakel door de tijd",
        "util_sub": "Deel van de capaciteit dat bezig is, voortschrijdend gemiddelde over de "
        "herhalingen; op de stippellijn (100%) kan er niets meer bij",
        "util_axis": "bezetting (%)",
        "full": "volledig bezet",
        "chain_title": "De keten: stromen en belasting",
        "chain_title_at": "De keten vanaf {unit} {at}: stromen en belasting",
        "chain_sub": "Pijlen: zaken per {unit}; onder een schakel: wie daar de keten verlaat; "
        "kleur: belasting (aanbod gedeeld door capaciteit), groen < 0,8, oranje 0,8-1, "
        "rood ≥ 1 (loopt vast)",
        "load": "belasting",
        "capacity_short": "cap.",
        "capacity": "capaciteit",
        "inflow": "Instroom",
        "outflow": "Uitstroom",
        "per_unit": "/{unit}",
        "compare_backlog_title": "Werkvoorraad per schakel: scenario's vergeleken",
        "compare_backlog_sub": "Zaken die wachten, gemiddeld over de herhalingen",
        "compare_waits_title": "Gemiddelde wachttijd per schakel: scenario's vergeleken",
        "compare_waits_sub": "Streepjes: 95%-interval over de herhalingen",
        # report
        "report": "Rapport",
        "summary": "Samenvatting",
        "pictures": "Figuren",
        "tables": "Tabellen",
        "per_step": "Per schakel",
        "chain": "De keten",
        "outcomes": "Uitkomsten",
        "as_run": "Het scenario zoals gedraaid",
        "run_facts": "Over deze run",
        "partners": "Ketenpartners",
        "steps": "Schakels",
        "arrivals": "Instroom",
        "events": "Ingrepen",
        "no_events": "Geen ingrepen: het scenario loopt zonder wijzigingen door.",
        "table_note": "Gemiddelde over de herhalingen, met eronder (klein) het 95%-interval. "
        "Tijden in {unit}; wachttijden en doorlooptijden tellen vanaf de opwarmperiode.",
        "col_step": "Schakel", "col_partner": "Partner", "col_id": "Code", "col_name": "Naam",
        "col_capacity": "Capaciteit", "col_service": "Behandeltijd", "col_routes": "Daarna",
        "col_special": "Bijzonderheden", "col_to": "Naar schakel", "col_rate": "Per {unit}",
        "col_case_type": "Soort zaak", "col_at": "Moment ({unit})", "col_event": "Ingreep",
        "col_changes": "Wijzigingen", "col_kpi": "Kengetal", "col_value": "Waarde",
        "col_outcome": "Uitkomst", "col_cases": "Zaken", "col_share": "Aandeel",
        "col_scenario": "Scenario", "col_mean": "Gemiddelde", "col_diff": "Verschil met basis",
        "col_clear": "Duidelijk verschil?",
        "yes_clear": "ja", "not_clear": "nee",
        "fact_name": "Scenario", "fact_source": "Bestand", "fact_seed": "Seed",
        "fact_reps": "Herhalingen", "fact_horizon": "Gesimuleerde tijd",
        "fact_warmup": "Opwarmperiode", "fact_unit": "Tijdseenheid", "fact_version": "ketensim",
        "fact_wip_cap": "Maximum onderhanden werk in de keten",
        "card_lead": "Doorlooptijd keten", "card_backlog": "Groeiende werkvoorraad",
        "card_busiest": "Drukste schakel", "card_none": "geen",
        "interval_note": "95%-interval: {low} tot {high}",
        "exit": "uit", "back": "terug",
        "flow_title": "Instroom en uitstroom per schakel, opgeteld na de opwarmperiode",
        "flow_sub": "Gemiddeld over {n} herhalingen; de ruimte tussen de lijnen is de voorraad "
        "(wachtend en in behandeling)",
        "flow_axis": "Zaken (opgeteld)", "flow_in": "binnengekomen", "flow_out": "vertrokken",
        "flow_gap": "voorraad",
        "fig_instroom-uitstroom": "Komt er meer binnen dan eruit gaat? Waar de ruimte tussen de "
        "lijnen groeit, groeit de voorraad; de helling is het tempo.",
        "fig_werkvoorraad": "Waar hoopt het werk zich op? Elke rij is een schakel; een lijn die "
        "blijft stijgen is een werkvoorraad die uit de hand loopt.",
        "fig_wachttijd": "Hoe lang wachten zaken bij elke schakel voordat iemand eraan begint?",
        "fig_doorlooptijd": "Hoe lang duurt een zaak van begin tot eind?",
        "fig_bezetting": "Hoe vol zit elke schakel? Rond 100% kan er niets meer bij.",
        "fig_keten": "Hoe de keten in elkaar zit en hoeveel werk er doorheen stroomt.",
        "fig_keten-na-ingrepen": "Dezelfde keten na de ingrepen: waar komt de belasting nu "
        "boven 1?",
        "fig_compare_backlog": "Werkvoorraad per schakel, per scenario een kleur.",
        "fig_compare_waits": "Wachttijd per schakel, per scenario een kleur.",
        "compare_title": "Vergelijking van scenario's",
        "compare_intro": "Alle scenario's zijn gedraaid met dezelfde toevalsgetallen, zodat "
        "verschillen door de ingrepen komen en niet door toeval. Het verschil is scenario min "
        "basis, per herhaling, met een 95%-interval.",
        "differences": "Verschillen met de basis",
        "clear_differences": "Duidelijke verschillen met de basis",
        "no_clear_differences": "Geen verschil met de basis is duidelijk groter dan het toeval.",
        "diff_sentence": "{kpi}{where} {verb} {amount}{unit} (95%-interval: {low} tot {high}).",
        "more_differences": "En nog {n} duidelijke verschillen: zie de tabel met verschillen.",
        "more": "stijgt met", "less": "daalt met", "at": " bij ", "points": "procentpunt",
        "per_scenario": "Per scenario",
        "base": "basis",
        "kpi_arrivals": "instroom", "kpi_completions": "afgehandeld",
        "kpi_mean_wait": "gemiddelde wachttijd", "kpi_p90_wait": "wachttijd waarbinnen 90%",
        "kpi_mean_queue": "gemiddelde werkvoorraad", "kpi_max_queue": "grootste werkvoorraad",
        "kpi_utilization": "bezetting", "kpi_queue_at_end": "werkvoorraad aan het eind",
        "kpi_cases_in": "zaken de keten in", "kpi_cases_out": "zaken de keten uit",
        "kpi_mean_lead_time": "gemiddelde doorlooptijd",
        "kpi_p50_lead_time": "mediane doorlooptijd",
        "kpi_p90_lead_time": "doorlooptijd waarbinnen 90%",
        "kpi_wip_at_end": "onderhanden aan het eind",
        "kpi_in_service_at_end": "in behandeling aan het eind",
        "kpi_mean_blocked": "gemiddeld geblokkeerd", "kpi_rejected": "geweigerd (vol)",
        "kpi_diverted": "doorgestuurd (vol)", "kpi_reneged": "termijn verlopen",
        "kpi_dismissed": "geseponeerd wegens drukte", "kpi_returned": "teruggestuurd",
        "kpi_at_door_end": "wachtend aan de deur aan het eind", "kpi_late": "te laat",
        "kpi_reentries": "herinstroom", "kpi_mean_outside": "gemiddeld buiten de keten",
        "kpi_outside_at_end": "buiten de keten aan het eind",
        "kpi_backlog_cleared": "beginvoorraad weggewerkt",
        "kpi_mean_backlog_lead_time": "doorlooptijd beginvoorraad",
        "kpi_deadlock_at": "keten vast op",
        "kpi_stock_at_end": "voorraad aan het eind", "kpi_mean_stock": "gemiddelde voorraad",
        "kpi_mean_time": "tijd bij de partner",
        "kpi_waiting_age_at_end": "al gewacht (wie nog wacht)",
        "kpi_wait_ahead_at_end": "wacht nu (schatting)",
        "per_partner": "Per ketenpartner",
        "partner_note": "De voorraad van een partner telt al zijn open zaken (wachtend, in "
        "behandeling, geblokkeerd) over zijn schakels; de tijd bij de partner loopt van "
        "binnenkomst bij zijn eerste schakel tot vertrek uit zijn laatste, per bezoek.",
        "kpi_norm": "aandeel binnen de norm ‘{title}’", "kpi_cost_of": "kosten {partner}",
        "kpi_cost_total": "kosten van de keten", "kpi_cost_per_case": "kosten per zaak",
        # norms, costs and mechanisms in the run report
        "norms": "Normen", "costs": "Kosten", "mechanisms": "Mechanismen",
        "norms_note": "Aandeel van de zaken binnen de termijn: gemiddelde over de herhalingen "
        "met het 95%-interval. Gehaald (gemiddeld): het gemiddelde haalt de eis; gehaald "
        "(ondergrens): ook de onderkant van het interval, de norm wordt dan met vertrouwen "
        "gehaald.",
        "col_norm": "Norm", "col_requirement": "Eis", "col_within": "Binnen de termijn",
        "col_met_mean": "Gehaald (gemiddeld)", "col_met_low": "Gehaald (ondergrens 95%)",
        "col_reps_met": "Gehaald in herhalingen", "k_of_n": "{k} van {n}", "yes": "ja",
        "no": "nee", "col_own_costs": "Eigen kosten ({currency})", "col_cost_share": "Aandeel",
        "col_to_pay": "Te betalen ({currency})",
        "col_per_case": "Per afgehandelde zaak ({currency})",
        "cost_rule_use": "De partners delen de kosten naar gebruik: ieder betaalt naar zijn "
        "deel van de bezette capaciteit. Per afgehandelde zaak: de eigen kosten gedeeld door "
        "het aantal zaken dat de keten verlaat.",
        "cost_rule_equal": "De partners delen de kosten in gelijke delen. Per afgehandelde "
        "zaak: de eigen kosten gedeeld door het aantal zaken dat de keten verlaat.",
        "mechanisms_note": "Wat de bijzondere regels van het scenario deden; alleen wat "
        "voorkwam. Aantallen per herhaling, na de opwarmperiode.",
        "mech_steps": "Per schakel", "mech_types": "Wachttijd per soort zaak",
        "mech_pools": "Gedeelde pools", "mech_chain": "De keten", "col_started": "Gestart",
        "col_pool": "Pool", "col_util": "Bezetting", "col_busy": "Gemiddeld bezig",
        "col_available": "Gemiddeld beschikbaar", "deadlock": "Keten vastgelopen",
        "deadlock_cell": "in {k} van {n} herhalingen, voor het eerst op {unit} {at}; "
        "{steps} blokkeren elkaar",
    },
    "en": {
        "backlog_title": "Backlog per step over time",
        "backlog_sub": "Cases waiting, mean over {n} replications; the band shows {band}",
        "band_minmax": "lowest to highest replication",
        "band_q": "10% to 90% of replications",
        "queue_axis": "cases waiting",
        "time_axis": "time ({unit})",
        "warmup": "warm-up (not counted)",
        "mean": "mean",
        "event": "intervention",
        "waits_title": "Mean waiting time per step",
        "waits_sub": "Waiting for service (service itself excluded); whiskers: 95% interval",
        "wait_axis": "mean waiting time ({unit})",
        "lead_title": "Chain lead time",
        "lead_sub": "From entry to exit, cases finished before the end; whiskers: 95% interval",
        "lead_axis": "lead time ({unit})",
        "lead_cdf_title": "Distribution: share of cases done within",
        "lead_cdf_axis": "share of cases (%)",
        "lead_cdf_band": "lowest to highest replication",
        "lead_mean": "mean",
        "lead_p50": "median (half of cases faster)",
        "lead_p90": "90% of cases within",
        "util_title": "Utilisation per step over time",
        "util_sub": "Share of capacity that is busy, moving average over replications; at the "
        "dotted line (100%) nothing more fits in",
        "util_axis": "utilisation (%)",
        "full": "fully busy",
        "chain_title": "The chain: flows and load",
        "chain_title_at": "The chain from {unit} {at}: flows and load",
        "chain_sub": "Arrows: cases per {unit}; under a step: cases leaving the chain there; "
        "colour: offered load (work offered divided by capacity), green < 0.8, "
        "orange 0.8-1, red ≥ 1 (backs up)",
        "load": "load",
        "capacity_short": "cap.",
        "capacity": "capacity",
        "inflow": "Inflow",
        "outflow": "Outflow",
        "per_unit": "/{unit}",
        "compare_backlog_title": "Backlog per step: scenarios compared",
        "compare_backlog_sub": "Cases waiting, mean over replications",
        "compare_waits_title": "Mean waiting time per step: scenarios compared",
        "compare_waits_sub": "Whiskers: 95% interval over replications",
        # report
        "report": "Report",
        "summary": "Summary",
        "pictures": "Pictures",
        "tables": "Tables",
        "per_step": "Per step",
        "chain": "The chain",
        "outcomes": "Outcomes",
        "as_run": "The scenario as run",
        "run_facts": "About this run",
        "partners": "Partners",
        "steps": "Steps",
        "arrivals": "Inflow",
        "events": "Interventions",
        "no_events": "No interventions: the scenario runs unchanged.",
        "table_note": "Mean over replications, with the 95% interval below it (small). Times in "
        "{unit}; waiting and lead times count from the end of the warm-up.",
        "col_step": "Step", "col_partner": "Partner", "col_id": "Id", "col_name": "Name",
        "col_capacity": "Capacity", "col_service": "Service time", "col_routes": "Then",
        "col_special": "Special rules", "col_to": "To step", "col_rate": "Per {unit}",
        "col_case_type": "Case type", "col_at": "Time ({unit})", "col_event": "Intervention",
        "col_changes": "Changes", "col_kpi": "Figure", "col_value": "Value",
        "col_outcome": "Outcome", "col_cases": "Cases", "col_share": "Share",
        "col_scenario": "Scenario", "col_mean": "Mean", "col_diff": "Difference to base",
        "col_clear": "Clear difference?",
        "yes_clear": "yes", "not_clear": "no",
        "fact_name": "Scenario", "fact_source": "File", "fact_seed": "Seed",
        "fact_reps": "Replications", "fact_horizon": "Simulated time",
        "fact_warmup": "Warm-up", "fact_unit": "Time unit", "fact_version": "ketensim",
        "fact_wip_cap": "Maximum work in progress in the chain",
        "card_lead": "Chain lead time", "card_backlog": "Growing backlog",
        "card_busiest": "Busiest step", "card_none": "none",
        "interval_note": "95% interval: {low} to {high}",
        "exit": "exit", "back": "back",
        "flow_title": "Cases in and out per step, counted after the warm-up",
        "flow_sub": "Mean over {n} replications; the space between the lines is the stock "
        "(waiting and in handling)",
        "flow_axis": "Cases (cumulative)", "flow_in": "arrived", "flow_out": "left",
        "flow_gap": "stock",
        "fig_instroom-uitstroom": "Does more come in than goes out? Where the space between the "
        "lines widens, the stock grows; the slope is the pace.",
        "fig_werkvoorraad": "Where does work pile up? Each row is a step; a line that keeps "
        "rising is a backlog running away.",
        "fig_wachttijd": "How long do cases wait at each step before anyone starts on them?",
        "fig_doorlooptijd": "How long does a case take from start to finish?",
        "fig_bezetting": "How full is each step? Around 100% nothing more fits in.",
        "fig_keten": "How the chain is built and how much work flows through it.",
        "fig_keten-na-ingrepen": "The same chain after the interventions: where does the load "
        "now reach 1?",
        "fig_compare_backlog": "Backlog per step, one colour per scenario.",
        "fig_compare_waits": "Waiting time per step, one colour per scenario.",
        "compare_title": "Scenarios compared",
        "compare_intro": "All scenarios ran with the same random numbers, so differences come "
        "from the interventions, not from chance. The difference is scenario minus base, per "
        "replication, with a 95% interval.",
        "differences": "Differences to the base",
        "clear_differences": "Clear differences to the base",
        "no_clear_differences": "No difference to the base is clearly larger than chance.",
        "diff_sentence": "{kpi}{where} {verb} {amount}{unit} (95% interval: {low} to {high}).",
        "more_differences": "And {n} more clear differences: see the table of differences.",
        "more": "rises by", "less": "falls by", "at": " at ", "points": "percentage points",
        "per_scenario": "Per scenario",
        "base": "base",
        "kpi_arrivals": "arrivals", "kpi_completions": "completions",
        "kpi_mean_wait": "mean waiting time", "kpi_p90_wait": "waiting time 90% within",
        "kpi_mean_queue": "mean backlog", "kpi_max_queue": "largest backlog",
        "kpi_utilization": "utilisation", "kpi_queue_at_end": "backlog at the end",
        "kpi_cases_in": "cases entering the chain", "kpi_cases_out": "cases leaving the chain",
        "kpi_mean_lead_time": "mean lead time", "kpi_p50_lead_time": "median lead time",
        "kpi_p90_lead_time": "lead time 90% within", "kpi_wip_at_end": "in progress at the end",
        "kpi_in_service_at_end": "in service at the end",
        "kpi_mean_blocked": "mean blocked", "kpi_rejected": "rejected (full)",
        "kpi_diverted": "diverted (full)", "kpi_reneged": "deadline passed",
        "kpi_dismissed": "dismissed for workload", "kpi_returned": "sent back",
        "kpi_at_door_end": "waiting at the door at the end", "kpi_late": "late",
        "kpi_reentries": "re-entries", "kpi_mean_outside": "mean held outside the chain",
        "kpi_outside_at_end": "outside the chain at the end",
        "kpi_backlog_cleared": "initial backlog cleared",
        "kpi_mean_backlog_lead_time": "lead time of the initial backlog",
        "kpi_deadlock_at": "chain locked at",
        "kpi_stock_at_end": "stock at the end", "kpi_mean_stock": "mean stock",
        "kpi_mean_time": "time with the partner",
        "kpi_waiting_age_at_end": "waited so far (still waiting)",
        "kpi_wait_ahead_at_end": "wait now (estimate)",
        "per_partner": "Per partner",
        "partner_note": "A partner's stock counts all its open cases (waiting, in handling, "
        "blocked) over its steps; the time with the partner runs from entering its first step "
        "to leaving its last one, per visit.",
        "kpi_norm": "share within the norm ‘{title}’", "kpi_cost_of": "costs of {partner}",
        "kpi_cost_total": "costs of the chain", "kpi_cost_per_case": "cost per case",
        # norms, costs and mechanisms in the run report
        "norms": "Norms", "costs": "Costs", "mechanisms": "Mechanisms",
        "norms_note": "Share of cases within the term: mean over replications with the 95% "
        "interval. Met (mean): the mean reaches the requirement; met (lower bound): so does "
        "the low end of the interval, so the norm is met with confidence.",
        "col_norm": "Norm", "col_requirement": "Requirement", "col_within": "Within the term",
        "col_met_mean": "Met (mean)", "col_met_low": "Met (95% lower bound)",
        "col_reps_met": "Met in replications", "k_of_n": "{k} of {n}", "yes": "yes",
        "no": "no", "col_own_costs": "Own costs ({currency})", "col_cost_share": "Share",
        "col_to_pay": "To pay ({currency})", "col_per_case": "Per finished case ({currency})",
        "cost_rule_use": "The partners share the costs by use: each pays its part of the busy "
        "capacity. Per finished case: own costs divided by the cases leaving the chain.",
        "cost_rule_equal": "The partners share the costs in equal parts. Per finished case: "
        "own costs divided by the cases leaving the chain.",
        "mechanisms_note": "What the scenario's special rules did; only what happened. Counts "
        "per replication, after the warm-up.",
        "mech_steps": "Per step", "mech_types": "Waiting time per case type",
        "mech_pools": "Shared pools", "mech_chain": "The chain", "col_started": "Started",
        "col_pool": "Pool", "col_util": "Utilisation", "col_busy": "Mean busy",
        "col_available": "Mean available", "deadlock": "Chain locked up",
        "deadlock_cell": "in {k} of {n} replications, first at {unit} {at}; {steps} block "
        "each other",
    },
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported; a clear error beats a half-translated report."""
    if lang not in LANGS:
        raise ValueError(f'"lang" must be one of {", ".join(LANGS)}, got {lang!r}')
    return lang


def label(key: str, lang: str = "nl", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = LABELS[check_lang(lang)][key]
    return text.format(**values) if values else text


def kpi_name(kpi: str, lang: str = "nl") -> str:
    """A results column as people say it: ``mean_wait`` -> ``gemiddelde wachttijd``."""
    return LABELS[check_lang(lang)].get(f"kpi_{kpi}", kpi.replace("_", " "))


def unit_name(time_unit: str, lang: str = "nl", plural: bool = False) -> str:
    """The scenario's time unit as a word: ``day`` -> ``dag``/``dagen``."""
    table = {**_UNITS[check_lang(lang)], **_EXTRA_UNITS[lang]}
    singular, many = table.get(time_unit, (time_unit, time_unit))
    return many if plural else singular


def unit_for(value: float, time_unit: str, lang: str = "nl") -> str:
    """The unit word that fits a number: ``1 dag`` but ``3 dagen``."""
    return unit_name(time_unit, lang, plural=abs(value) != 1)


def readable_rate(rate: float, time_unit: str) -> tuple[float, str]:
    """Express a small rate per a bigger unit: 0.4 per day reads better as 2.8 per week.

    Returns:
        The rate and the time unit it is expressed in.
    """
    if 0 < abs(rate) < 1 and time_unit in _BIGGER_UNIT:
        bigger, factor = _BIGGER_UNIT[time_unit]
        return rate * factor, bigger
    return rate, time_unit


def readable_duration(value: float, time_unit: str) -> tuple[float, str]:
    """Express a short duration in a smaller unit: 0.4 week reads better as 2.8 days.

    Returns:
        The duration and the time unit it is expressed in.
    """
    if 0 < value < 1 and time_unit in _SMALLER_UNIT:
        smaller, factor = _SMALLER_UNIT[time_unit]
        return value * factor, smaller
    return value, time_unit


def number(value: float, lang: str = "nl", digits: int | None = None) -> str:
    """Format a number for people: about two significant figures, Dutch decimal comma.

    Args:
        value: the number.
        lang: ``nl`` writes 2,5 and 12.500; ``en`` writes 2.5 and 12,500.
        digits: fixed number of decimals instead of the automatic choice.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "∞" if value is not None and value > 0 else "–"
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 10 or size == 0 else (1 if size >= 1 else 2)
    text = f"{value:,.{digits}f}"
    if digits and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if check_lang(lang) == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def percent(share: float, lang: str = "nl") -> str:
    """A share as a whole percentage: 0.934 -> ``93%``."""
    if share is None or not math.isfinite(share):
        return "–"
    return f"{number(100 * share, lang, digits=0)}%"
