"""``fit.html``: does the fitted model reproduce the log? Observed beside simulated, in Dutch.

An analyst reads the verdict first (how many figures of the log fall inside
the model's 95% interval, and where the model is furthest off), then the
table per step and for the chain, then the two pictures: cases in progress
over time and the lead-time distribution, log and model together.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ketensim import __version__
from ketensim.present.pages.report import env, figure_uri
from ketensim.present.pictures.logfit import in_progress_chart, lead_time_chart
from ketensim.present.words import i18n

KPI_WORDS = {
    "nl": {"arrivals": "instroom", "completions": "afgehandeld", "mean_wait": "gem. wachttijd",
           "p90_wait": "wachttijd p90", "mean_handling": "gem. behandeltijd",
           "p90_handling": "behandeltijd p90", "cases_in": "zaken in de keten",
           "cases_out": "zaken uit de keten", "mean_lead_time": "gem. doorlooptijd",
           "p50_lead_time": "doorlooptijd mediaan", "p90_lead_time": "doorlooptijd p90",
           "mean_in_progress": "gem. zaken onderhanden"},
    "en": {"arrivals": "inflow", "completions": "completed", "mean_wait": "mean wait",
           "p90_wait": "wait p90", "mean_handling": "mean handling time",
           "p90_handling": "handling time p90", "cases_in": "cases into the chain",
           "cases_out": "cases out of the chain", "mean_lead_time": "mean lead time",
           "p50_lead_time": "median lead time", "p90_lead_time": "lead time p90",
           "mean_in_progress": "mean cases in progress"},
}
PAGE: dict[str, dict[str, Any]] = {
    "nl": {"title": "Fit uit de eventlog: {name}", "chain": "keten",
           "lead": "Het gefitte model is {reps} keer doorgerekend over de periode van de log "
                   "({start} tot {end} {unit}) en naast de log gezet, met dezelfde maten.",
           "inside": "{n} van de {total} cijfers uit de log vallen binnen het 95%-interval "
                     "van het model.",
           "worst": "Het verst ernaast: {what} bij {step} (log {obs}, model {sim}).",
           "all_in": "Het model geeft de log goed weer: geen cijfer valt erbuiten.",
           "head": ["stap", "maat", "log", "model", "95%-interval", "afstand", "binnen?"],
           "yes": "ja", "no": "nee", "summary": "Oordeel", "table": "Log en model per stap",
           "pictures": "Plaatjes", "distance": "Afstand: Wasserstein-afstand tussen de "
           "verdelingen in de log en in het model (in {unit}): hoeveel tijd gemiddeld "
           "verschoven moet worden om de een in de ander te veranderen. 0 is gelijk.",
           "about": "Over deze fit", "files": "fit.csv bevat dezelfde cijfers.",
           "interval": "95%-interval: waar het cijfer van de log 95% van de keren valt als het "
           "model klopt (een voorspelinterval: de spreiding tussen replicaties, niet alleen "
           "de onzekerheid van het gemiddelde). Een enkel cijfer erbuiten kan toeval zijn; "
           "meerdere bij een stap wijzen op een verschil tussen model en log."},
    "en": {"title": "Fit from the event log: {name}", "chain": "chain",
           "lead": "The fitted model ran {reps} times over the log's period ({start} to {end} "
                   "{unit}) and is set beside the log, measured the same way.",
           "inside": "{n} of the log's {total} figures fall inside the model's 95% interval.",
           "worst": "Furthest off: {what} at {step} (log {obs}, model {sim}).",
           "all_in": "The model reproduces the log: no figure falls outside.",
           "head": ["step", "measure", "log", "model", "95% interval", "distance", "inside?"],
           "yes": "yes", "no": "no", "summary": "Verdict", "table": "Log and model per step",
           "pictures": "Pictures", "distance": "Distance: the Wasserstein distance between the "
           "distributions in the log and the model (in {unit}): how much time on average must "
           "shift to turn one into the other. 0 is equal.",
           "about": "About this fit", "files": "fit.csv holds the same figures.",
           "interval": "95% interval: where the log's figure falls 95% of the time if the "
           "model is right (a prediction interval: the spread between replications, not only "
           "the uncertainty of the mean). One figure outside may be chance; several at one "
           "step point at a difference between model and log."},
}


def inside(row: pd.Series) -> bool:
    """Is the log's figure inside the model's 95% interval (or equal to a sure value)?"""
    o, lo, hi = float(row["observed"]), float(row["ci_low"]), float(row["ci_high"])
    if math.isnan(o):
        return True
    if math.isnan(lo) or math.isnan(hi):
        return math.isclose(o, float(row["simulated"]), rel_tol=1e-9, abs_tol=1e-9)
    return lo <= o <= hi


def verdict(table: pd.DataFrame, lang: str) -> list[str]:
    w = PAGE[lang]
    judged = table[table["observed"].notna()]
    ok = judged.apply(inside, axis=1)
    lines = [w["inside"].format(n=int(ok.sum()), total=len(judged))]
    off = judged[~ok]
    if off.empty:
        return [*lines, w["all_in"]]
    rel = (off["simulated"] - off["observed"]).abs() / off["observed"].abs().clip(lower=1e-9)
    row = off.loc[rel.idxmax()]
    lines.append(w["worst"].format(what=KPI_WORDS[lang][row["kpi"]],
                                   step=row["step"] or w["chain"],
                                   obs=i18n.number(float(row["observed"]), lang, digits=2),
                                   sim=i18n.number(float(row["simulated"]), lang, digits=2)))
    return lines


def render_fit_report(table: pd.DataFrame, curve: pd.DataFrame, lead: tuple[Any, Any],
                      name: str, unit: str, reps: int, period: tuple[float, float],
                      lang: str = "nl") -> str:
    """The whole page, self-contained (pictures inline)."""
    lang = i18n.check_lang(lang)
    w = PAGE[lang]
    units = i18n.unit_name(unit, lang, plural=True)

    def n(x: float) -> str:
        return "" if math.isnan(float(x)) else i18n.number(float(x), lang, digits=2)

    rows = [[{"text": r["step"] or w["chain"], "num": False, "cls": ""},
             {"text": KPI_WORDS[lang][r["kpi"]], "num": False, "cls": ""},
             {"text": n(r["observed"]), "num": True, "cls": ""},
             {"text": n(r["simulated"]), "num": True, "cls": ""},
             {"text": f"{n(r['ci_low'])} - {n(r['ci_high'])}", "num": True, "cls": ""},
             {"text": n(r["distance"]), "num": True, "cls": ""},
             {"text": w["yes"] if inside(r) else w["no"], "num": False,
              "cls": "" if inside(r) else "warn"}]
            for _, r in table.iterrows()]
    figures = [{"key": "onderhanden", "title": w["pictures"], "caption": "",
                "uri": figure_uri(in_progress_chart(curve, unit, lang))},
               {"key": "doorlooptijd", "title": w["pictures"], "caption": "",
                "uri": figure_uri(lead_time_chart(lead[0], lead[1], unit, lang))}]
    return env().get_template("logfit.html.j2").render(
        lang=lang, W=w, title=w["title"].format(name=name),
        lead=w["lead"].format(reps=reps, start=n(period[0]), end=n(period[1]), unit=units),
        verdict=verdict(table, lang), kpis={"head": w["head"], "rows": rows},
        distance=w["distance"].format(unit=units), figures=figures,
        facts=[("scenario", name), ("ketensim", __version__)], version=__version__)


__all__ = ["KPI_WORDS", "inside", "render_fit_report", "verdict"]
