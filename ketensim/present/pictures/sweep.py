"""Pictures of a sweep: each main KPI against the swept value, with its 95% interval.

One picture per KPI, because each answers its own question ("how long do
cases take?", "how many leave?", "is the norm met?"). The x axis is the first
swept key; with more keys, each combination of the others gets its own line.
A norm picture shows the required share as a line and marks the points that
meet it with certainty. Only ``matplotlib.figure`` is used, never pyplot.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ketensim.present.pictures.style import SCENARIO_COLOURS, TickText, framed_figure, styled
from ketensim.present.words import i18n
from ketensim.present.words import norms as norm_words
from ketensim.present.words.sweep import key_label, key_value_text, value_text

if TYPE_CHECKING:
    from ketensim.studies.sweep import Sweep

DPI = 110
_MainKpi = Literal["mean_lead_time", "p90_lead_time", "throughput", "wip_at_end", "cost_total"]


class _Words(TypedDict):
    """The words of one language; every language has the same keys."""

    mean_lead_time: tuple[str, str]
    p90_lead_time: tuple[str, str]
    throughput: tuple[str, str]
    wip_at_end: tuple[str, str]
    cost_total: tuple[str, str]
    norm: tuple[str, str]
    sub: str
    required: str
    certain: str
    chosen: str
    target: str
    table: str
    pictures: str
    title: str


WORDS: dict[str, _Words] = {
    "nl": {
        "mean_lead_time": ("Gemiddelde doorlooptijd van de keten", "doorlooptijd ({units})"),
        "p90_lead_time": ("Doorlooptijd waarbinnen 90% van de zaken klaar is",
                          "doorlooptijd ({units})"),
        "throughput": ("Uitstroom van de keten", "zaken per {unit}"),
        "wip_at_end": ("Zaken nog in de keten aan het eind", "zaken"),
        "cost_total": ("Kosten van de keten", "{currency}"),
        "norm": ("Norm: {norm}", "% van de zaken binnen de termijn"),
        "sub": "Gemiddelde over {reps} replicaties (lijn) met 95%-interval (band), gemeten over "
               "{unit} {start} tot {end}. Alle punten met dezelfde toevalsgetallen.",
        "required": "vereist: {share}",
        "certain": "gehaald, ook de ondergrens van het interval",
        "chosen": "gekozen: {value}",
        "target": "Doel",
        "table": "Per punt",
        "pictures": "Figuren",
        "title": "Sweep: {name}",
    },
    "en": {
        "mean_lead_time": ("Mean chain lead time", "lead time ({units})"),
        "p90_lead_time": ("Lead time within which 90% of cases finish", "lead time ({units})"),
        "throughput": ("Chain outflow", "cases per {unit}"),
        "wip_at_end": ("Cases still in the chain at the end", "cases"),
        "cost_total": ("Chain costs", "{currency}"),
        "norm": ("Norm: {norm}", "% of cases within the term"),
        "sub": "Mean over {reps} replications (line) with 95% interval (band), measured over "
               "{unit} {start} to {end}. Every point with the same random numbers.",
        "required": "required: {share}",
        "certain": "met, lower end of the interval too",
        "chosen": "chosen: {value}",
        "target": "Target",
        "table": "Per point",
        "pictures": "Pictures",
        "title": "Sweep: {name}",
    },
}


def figures(done: Sweep, lang: str = "nl") -> dict[str, Figure]:
    """One figure per main KPI, by file stem (``sweep_mean_lead_time``, ``sweep_norm-<id>``)."""
    kpis = ["mean_lead_time", "p90_lead_time", "throughput", "wip_at_end"]
    kpis += [k for k in done.kpis if k == "cost_total" or k.startswith("norm:")]
    return {stem(k): kpi_figure(done, k, lang) for k in kpis}


def stem(kpi: str) -> str:
    """A KPI's picture file name, safe on any file system: ``norm:a<=5@0.9`` -> ``norm-a_5_0_9``."""
    return "sweep_" + re.sub(r"[^A-Za-z0-9_-]+", "_", kpi.replace(":", "-", 1)).strip("_")


@styled
def kpi_figure(done: Sweep, kpi: str, lang: str = "nl") -> Figure:
    """One KPI against the first swept key; a line per combination of the other keys."""
    w = WORDS[lang]
    sc = done.scenario
    fill = {"unit": i18n.unit_name(sc.time_unit, lang),
            "units": i18n.unit_name(sc.time_unit, lang, plural=True),
            "currency": sc.cost_settings.currency}
    norm = _norm(done, kpi)
    # without a norm the KPI is one of the main ones the words name
    title, ylabel = w["norm"] if norm is not None else w[cast("_MainKpi", kpi)]
    if norm is not None:
        title = title.format(norm=norm_words.title(norm, sc, lang))
    subtitle = w["sub"].format(reps=sc.replications, start=f"{sc.warmup:g}",
                               end=f"{sc.horizon:g}", **fill)
    fig, body = framed_figure(9.0, 4.6, title.format(**fill), subtitle)
    ax = body.subplots()
    scale = 100.0 if norm is not None else 1.0
    for k, (label, rows) in enumerate(_lines(done, lang)):
        colour = SCENARIO_COLOURS[(k + 1) % len(SCENARIO_COLOURS)] if label else "#1f5f99"
        _draw(ax, done, kpi, rows, scale, colour, label)
    if norm is not None:
        _norm_marks(ax, done, norm, lang)
    ax.set_xlabel(axis_label(done, lang))
    ax.set_ylabel(ylabel.format(**fill))
    ax.yaxis.set_major_formatter(TickText(lang))
    ax.xaxis.set_major_formatter(TickText(lang))
    values = done.axes[0].values
    if len(values) <= 12:  # a tick at every swept value: the reader looks them up
        ax.set_xticks([float(v) for v in values])
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", frameon=False)
    return fig


def _lines(done: Sweep, lang: str) -> list[tuple[str, list[int]]]:
    """(label, point indices in x order) per combination of the keys after the first."""
    rest = done.axes[1:]
    if not rest:
        return [("", [p.index for p in done.points])]
    out = []
    for combo in itertools.product(*(a.values for a in rest)):
        label = ", ".join(key_value_text(a.key, v, done.scenario, lang)
                          for a, v in zip(rest, combo, strict=True))
        rows = [p.index for p in done.points if tuple(p.values[1:]) == combo]
        out.append((label, rows))
    return out


def _draw(ax: Axes, done: Sweep, kpi: str, rows: list[int], scale: float, colour: str,
          label: str) -> None:
    s = done.summary.iloc[rows]
    x = np.array([done.points[i].values[0] for i in rows], dtype=float)
    mean = s[f"{kpi}_mean"].to_numpy(dtype=float) * scale
    low = s[f"{kpi}_ci_low"].to_numpy(dtype=float) * scale
    high = s[f"{kpi}_ci_high"].to_numpy(dtype=float) * scale
    if scale == 100.0:  # a share: a t-interval may reach past 0% or 100%, a share cannot
        low, high = np.clip(low, 0.0, 100.0), np.clip(high, 0.0, 100.0)
    if np.isfinite(low).any():
        ax.fill_between(x, low, high, color=colour, alpha=0.2, lw=0)
    ax.plot(x, mean, color=colour, lw=2, marker="o", ms=5, label=label or None)


def _norm_marks(ax: Axes, done: Sweep, norm: Any, lang: str) -> None:
    """The required share as a line; points meeting it with certainty as green dots."""
    w = WORDS[lang]
    ax.axhline(norm.share * 100, color="#a3303f", ls="--", lw=1.5,
               label=w["required"].format(share=i18n.percent(norm.share, lang)))
    column = f"norm:{norm.id}"
    low = done.summary[f"{column}_ci_low"].to_numpy(dtype=float)
    sure = [i for i in range(len(done.points)) if low[i] >= norm.share - 1e-12]
    if sure:
        x = [done.points[i].values[0] for i in sure]
        y = done.summary[f"{column}_mean"].to_numpy(dtype=float)[sure] * 100
        ax.plot(x, y, ls="none", marker="o", ms=9, mfc="none", mec="#2e8540", mew=2,
                label=w["certain"])
    verdict = done.target
    if verdict is not None and verdict.norm.id == norm.id and len(done.axes) == 1:
        chosen = verdict.with_interval if verdict.with_interval is not None else verdict.in_mean
        if chosen is not None:
            value = done.points[chosen].values[0]
            ax.axvline(value, color="#555555", ls=":", lw=1.3,
                       label=w["chosen"].format(value=value_text(value, lang)))


def _norm(done: Sweep, kpi: str) -> Any:
    if not kpi.startswith("norm:"):
        return None
    return next((n for n in done.scenario.norms if n.id == kpi[5:]), None)


def axis_label(done: Sweep, lang: str = "nl") -> str:
    """The first swept key as a person says it: ``capaciteit Beoordeling OM``."""
    return key_label(done.axes[0].key, done.scenario, lang)


# -- files and the page --------------------------------------------------------------------
