"""The words of a sweep's report page: headings, column names and sentences on the range.

The terminal table (:mod:`ketensim.present.words.sweep`) is for a quick look;
the page names every setting and figure in words and says how far the main
figures move over the grid, from which setting to which.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from ketensim.present.words import i18n
from ketensim.present.words import norms as norm_words
from ketensim.present.words.sweep import (
    _fill,
    _met,
    key_label,
    setting_text,
)

if TYPE_CHECKING:
    from ketensim.scenario.model import Norm
    from ketensim.studies.sweep import Sweep


PAGE: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Sweep: {label}", "summary": "Wat de sweep laat zien", "table": "Per punt",
        "pictures": "Figuren", "about": "Over deze sweep",
        "method": "{points} punten, elk {reps} replicaties met dezelfde toevalsgetallen (seed "
                  "{seed}), zodat punten verschillen door de instelling en niet door toeval. "
                  "Gemeten over {unit} {start} tot {end}, na de opwarmperiode. Onder elk getal "
                  "staat klein het 95%-interval.",
        "col_setting": "Instelling", "col_met": "Doel gehaald",
        "col_growing": "Groeiende werkvoorraad (uit de simulatie)",
        "fact_scenario": "Scenario", "fact_points": "Punten", "fact_reps": "Replicaties per punt",
        "fact_seed": "Seed", "fact_version": "ketensim",
        "files": "Elk punt heeft een eigen map (point-000, ...) met de tabellen van een gewone "
                 "run; sweep.csv en sweep_summary.csv staan naast dit rapport.",
        "range": "{what} loopt van {low} ({at_low}) tot {high} ({at_high}).",
        "flat": "{what} blijft over het hele bereik rond {value}.",
        "lead": "De gemiddelde doorlooptijd van de keten", "p90": "De doorlooptijd waarbinnen "
                "90% van de zaken klaar is", "throughput": "De uitstroom van de keten (per {unit})",
        "wip": "Het aantal zaken dat aan het eind nog in de keten zit",
        "cost": "De kosten van de keten ({currency})",
        "col_lead": "Doorlooptijd gemiddeld ({units})", "col_p90": "Doorlooptijd 90% ({units})",
        "col_throughput": "Uitstroom per {unit}", "col_wip": "Onderweg aan het eind",
        "col_cost": "Kosten ({currency})", "col_norm": "Binnen de norm: {norm}",
    },
    "en": {
        "title": "Sweep: {label}", "summary": "What the sweep shows", "table": "Per point",
        "pictures": "Pictures", "about": "About this sweep",
        "method": "{points} points, each {reps} replications with the same random numbers (seed "
                  "{seed}), so points differ by their setting and not by luck. Measured over "
                  "{unit} {start} to {end}, after the warm-up. Under every figure, small, its 95% "
                  "interval.",
        "col_setting": "Setting", "col_met": "Target met",
        "col_growing": "Growing backlog (from the simulation)",
        "fact_scenario": "Scenario", "fact_points": "Points", "fact_reps": "Replications per point",
        "fact_seed": "Seed", "fact_version": "ketensim",
        "files": "Every point has its own folder (point-000, ...) with the tables of a plain run; "
                 "sweep.csv and sweep_summary.csv are beside this report.",
        "range": "{what} goes from {low} ({at_low}) to {high} ({at_high}).",
        "flat": "{what} stays about {value} over the whole range.",
        "lead": "The mean chain lead time", "p90": "The lead time within which 90% of cases "
                "finish", "throughput": "The chain outflow (per {unit})",
        "wip": "The cases still in the chain at the end", "cost": "The chain costs ({currency})",
        "col_lead": "Lead time mean ({units})", "col_p90": "Lead time 90% ({units})",
        "col_throughput": "Outflow per {unit}", "col_wip": "In the chain at the end",
        "col_cost": "Costs ({currency})", "col_norm": "Within the norm: {norm}",
    },
}

_PAGE_KPIS = (("mean_lead_time", "lead"), ("p90_lead_time", "p90"), ("throughput", "throughput"),
              ("wip_at_end", "wip"), ("cost_total", "cost"))


def page_columns(done: Sweep, lang: str = "nl") -> list[tuple[str, str, bool]]:
    """(kpi, heading, is a share) of the report's table: the main figures, then the norms."""
    w = PAGE[lang]
    fill = _fill(done.scenario, lang)
    out = [(kpi, w[f"col_{key}"].format(**fill), False) for kpi, key in _PAGE_KPIS
           if f"{kpi}_mean" in done.summary.columns]
    for kpi in done.kpis:
        if kpi.startswith("norm:"):
            norm = next((n for n in done.scenario.norms if n.id == kpi[5:]), None)
            name = norm_words.title(norm, done.scenario, lang) if norm else kpi[5:]
            out.append((kpi, w["col_norm"].format(norm=name), True))
    return out


def range_sentences(done: Sweep, lang: str = "nl") -> list[str]:
    """How far the main figures move over the grid, naming the settings at both ends."""
    w = PAGE[lang]
    fill = _fill(done.scenario, lang)
    out = []
    for kpi, key in _PAGE_KPIS[:4]:
        column = f"{kpi}_mean"
        if column not in done.summary.columns or len(done.points) < 2:
            continue
        means = done.summary[column].to_numpy(dtype=float)
        if not any(math.isfinite(m) for m in means):
            continue
        lo, hi = int(_nanargmin(means)), int(_nanargmax(means))
        what = w[key].format(**fill)
        unit = "" if kpi in ("throughput", "wip_at_end") else " " + fill["units"]
        if abs(means[hi] - means[lo]) <= 0.02 * max(abs(means[hi]), 1e-12):
            out.append(w["flat"].format(what=what, value=i18n.number(means[lo], lang) + unit))
            continue
        out.append(w["range"].format(
            what=what, low=i18n.number(means[lo], lang) + unit,
            high=i18n.number(means[hi], lang) + unit,
            at_low=setting_text(done, lo, lang), at_high=setting_text(done, hi, lang)))
    return out


def _nanargmin(values: Any) -> int:
    return min((v, i) for i, v in enumerate(values) if math.isfinite(v))[1]


def _nanargmax(values: Any) -> int:
    return max((v, i) for i, v in enumerate(values) if math.isfinite(v))[1]


def figure_title(done: Sweep, stem: str, lang: str = "nl") -> str:
    """A picture's title for the page (and its alt text): what it shows against the setting."""
    keys = {f"sweep_{kpi}": key for kpi, key in _PAGE_KPIS}
    what = PAGE[lang][keys[stem]].format(**_fill(done.scenario, lang)) if stem in keys \
        else stem.removeprefix("sweep_").replace("_", " ")
    return f"{what} / {key_label(done.axes[0].key, done.scenario, lang)}"


def met_word(row: pd.Series, norm: Norm, lang: str = "nl") -> str:
    """Whether a point meets the target: ``ja``, ``gemiddeld`` (in the mean only) or ``nee``."""
    return _met(row, norm, lang)
