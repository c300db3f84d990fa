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
        "lead_mean": "gemiddeld",
        "lead_p50": "mediaan (helft van de zaken sneller)",
        "lead_p90": "90% van de zaken binnen",
        "util_title": "Bezetting per schakel door de tijd",
        "util_sub": "Deel van de capaciteit dat bezig is; boven de stippellijn (100%) is er "
        "te weinig capaciteit",
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
        "lead_mean": "mean",
        "lead_p50": "median (half of cases faster)",
        "lead_p90": "90% of cases within",
        "util_title": "Utilisation per step over time",
        "util_sub": "Share of capacity that is busy; above the dotted line (100%) capacity "
        "falls short",
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
