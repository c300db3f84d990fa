"""The report page of a sweep: the choice in words, a table per point, the pictures.

A capacity planner reads the sentences first (which setting meets the norm,
with certainty or only in the mean; how far the main figures move over the
range), then the table: one row per point, the setting in words, every figure
in Dutch notation with its 95% interval under it, and whether the target is
met. Nothing here is terminal text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ketensim import __version__
from ketensim.present.pages.report import env, figure_list
from ketensim.present.pages.tables import _cell, fmt
from ketensim.present.words import i18n
from ketensim.present.words import sweep as terminal
from ketensim.present.words import sweep_page as words
from ketensim.present.words.verdict import growing_names
from ketensim.results import insights
from ketensim.results.stats import Interval

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ketensim.studies.sweep import Sweep


def sweep_context(done: Sweep, figures: dict[str, Figure], lang: str = "nl",
                  files: dict[str, bytes] | None = None) -> dict[str, Any]:
    """Everything the sweep template shows, as plain data."""
    lang = i18n.check_lang(lang)
    sc = done.scenario
    w = words.PAGE[lang]
    unit = i18n.unit_name(sc.time_unit, lang)
    verdict = terminal.target_lines(done, lang)[1:] or []
    verdict += words.range_sentences(done, lang)
    titles = {stem: words.figure_title(done, stem, lang) for stem in figures}
    return {
        "lang": lang, "L": i18n.LABELS[lang], "W": w,
        "title": w["title"].format(label=sc.label),
        "lead": terminal.varied_text(done, lang),
        "verdict": verdict,
        "method": w["method"].format(points=len(done.points), reps=sc.replications,
                                     seed=sc.seed, unit=unit, start=i18n.number(sc.warmup, lang),
                                     end=i18n.number(sc.horizon, lang)),
        "points": point_rows(done, lang),
        "notes": terminal.override_notes(done, lang),
        "figures": figure_list(figures, lang, titles, files),
        "facts": [(w["fact_scenario"], sc.name), (w["fact_points"], str(len(done.points))),
                  (w["fact_reps"], str(sc.replications)), (w["fact_seed"], str(sc.seed)),
                  (w["fact_version"], __version__)],
        "version": __version__,
    }


def point_rows(done: Sweep, lang: str) -> dict[str, Any]:
    """The table of points: the setting in words, each main figure with its interval, and
    the queues the simulation shows still growing (the same judgement as a run's verdict)."""
    sc = done.scenario
    columns = words.page_columns(done, lang)
    head = [words.PAGE[lang]["col_setting"], *(label for _, label, _ in columns)]
    head.append(words.PAGE[lang]["col_growing"])
    if done.target is not None:
        head.append(words.PAGE[lang]["col_met"])
    rows = []
    for i, point in enumerate(done.points):
        row = done.summary.iloc[i]
        setting = terminal.TEXT[lang]["and"].join(
            terminal.key_value_text(axis.key, value, sc, lang)
            for axis, value in zip(done.axes, point.values, strict=True))
        cells = [_cell(setting, numeric=False)]
        for kpi, _, _share in columns:
            est = Interval(float(row[f"{kpi}_mean"]), float(row[f"{kpi}_ci_low"]),
                           float(row[f"{kpi}_ci_high"]), sc.replications)
            cells.append(_cell(fmt(est, lang, kpi)))
        growing = growing_names(insights.analyse(done.results[i]), point.scenario, lang)
        cells.append(_cell(growing, numeric=False))
        if done.target is not None:
            met = words.met_word(row, done.target.norm, lang)
            cells.append(_cell(met, numeric=False, cls="total" if met == terminal.TEXT[lang]["yes"]
                               else ""))
        rows.append(cells)
    return {"head": head, "rows": rows}


def render_sweep_report(done: Sweep, figures: dict[str, Figure], lang: str = "nl",
                        files: dict[str, bytes] | None = None) -> str:
    """The sweep's ``report.html``: self-contained, Dutch unless ``lang`` is "en"."""
    return env().get_template("sweep.html.j2").render(**sweep_context(done, figures, lang, files))


__all__ = ["point_rows", "render_sweep_report", "sweep_context"]
