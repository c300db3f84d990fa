"""Norms in words: how a person says "90% binnen 35 dagen wachttijd bij Politierechter"."""

from __future__ import annotations

import contextlib

from ketensim.present.words import i18n
from ketensim.scenario.model import Norm, Scenario


def describe(norm: Norm, where: str | Scenario, lang: str = "nl") -> str:
    """The norm as a person says it: ``90% binnen 35 dagen wachttijd bij Politierechter``.

    Args:
        norm: the norm.
        where: the scenario (its time unit, and the step's name as people know it),
            or just the time unit, when only the id can be named.
        lang: "nl" or "en".
    """
    time_unit = where if isinstance(where, str) else where.time_unit
    share = i18n.percent(norm.share, lang)
    within = f"{i18n.number(norm.within, lang)} {i18n.unit_for(norm.within, time_unit, lang)}"
    if norm.kind == "lead_time":
        what = "doorlooptijd van de keten" if lang == "nl" else "chain lead time"
    else:
        step = norm.step or ""
        if not isinstance(where, str):
            with contextlib.suppress(KeyError):
                step = where.step(step).label
        what = (f"wachttijd bij {step}" if lang == "nl" else f"wait at {step}")
    return f"{share} {'binnen' if lang == 'nl' else 'within'} {within} {what}"


def title(norm: Norm, where: str | Scenario, lang: str = "nl") -> str:
    """The norm's label when the file gives one, else its description."""
    return norm.label or describe(norm, where, lang)
