"""Norms in words: how a person says "90% binnen 35 dagen wachttijd"."""

from __future__ import annotations

from ketensim.present.words import i18n
from ketensim.scenario.model import Norm


def describe(norm: Norm, time_unit: str, lang: str = "nl") -> str:
    """The norm as a person says it: ``90% binnen 35 dagen wachttijd bij rb_politierechter``."""
    share = i18n.percent(norm.share, lang)
    within = f"{i18n.number(norm.within, lang)} {i18n.unit_for(norm.within, time_unit, lang)}"
    if norm.kind == "lead_time":
        what = "doorlooptijd van de keten" if lang == "nl" else "chain lead time"
    else:
        what = (f"wachttijd bij {norm.step}" if lang == "nl" else f"wait at {norm.step}")
    return f"{share} {'binnen' if lang == 'nl' else 'within'} {within} {what}"


def title(norm: Norm, time_unit: str, lang: str = "nl") -> str:
    """The norm's label when the file gives one, else its description."""
    return norm.label or describe(norm, time_unit, lang)
