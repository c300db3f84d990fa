"""Pictures of a run: where the chain backs up, how long cases wait, how busy steps are.

Every function takes the results tables (and the scenario) and returns a
``matplotlib.figure.Figure``; nothing is shown or kept globally, so the
same functions serve the report, the CLI and a notebook. ``save_all`` writes
the standard set as PNG (for reports and slides) and SVG (for print).
Dutch labels by default, English with ``lang="en"``.
"""

from __future__ import annotations

import io
import itertools
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ketensim.present.pictures.barcharts import compare_waits, lead_time_chart, waits_chart
from ketensim.present.pictures.diagram import chain_diagram
from ketensim.present.pictures.style import (
    SCENARIO_COLOURS,
    draw_events,
    framed_figure,
    grid_size,
    legend_handles,
    ordered_steps,
    panel_grid,
    partner_colours,
    shade_warmup,
    step_title,
    styled,
    unit_label,
)
from ketensim.present.words import i18n
from ketensim.scenario.capacity import capacity_at

__all__ = [
    "backlog_chart",
    "chain_diagram",
    "compare_backlog",
    "compare_waits",
    "figures",
    "flow_chart",
    "lead_time_chart",
    "png_bytes",
    "save_all",
    "utilization_chart",
    "waits_chart",
]

DPI = 110
MAX_POINTS = 1500  # samples per line in a picture; longer series are averaged in blocks
RAW_POINTS = 800  # utilisation: show the unsmoothed line too up to this many samples
HEADROOM = 0.25  # share of a panel's height kept above the data for event labels


def _wide(ts: pd.DataFrame, step_id: str, column: str) -> pd.DataFrame:
    """Rows: sample time; columns: replication."""
    rows = ts[ts["step"] == step_id]
    wide = rows.pivot_table(index="t", columns="replication", values=column, aggfunc="mean")
    return wide.sort_index()


def _band(wide: pd.DataFrame, lang: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Spread over replications: the full range for few runs, 10-90% for many."""
    values = wide.to_numpy(dtype=float)
    if values.shape[1] < 5:
        return np.nanmin(values, axis=1), np.nanmax(values, axis=1), i18n.label("band_minmax",
                                                                                 lang)
    lo, hi = np.nanpercentile(values, [10, 90], axis=1)
    return lo, hi, i18n.label("band_q", lang)


def _time_label(scenario: Any, lang: str) -> str:
    return i18n.label("time_axis", lang, unit=unit_label(scenario, lang))


def _curve(wide: pd.DataFrame, lang: str) -> tuple[np.ndarray, ...]:
    """Times, mean and band of a queue table, thinned to what a picture can show.

    Long runs (an hour unit over years) hold tens of thousands of samples;
    block means keep the shape, the band keeps each block's extremes, and the
    files stay small.
    """
    t = wide.index.to_numpy(dtype=float)
    mean = wide.mean(axis=1).to_numpy(dtype=float)
    lo, hi, _ = _band(wide, lang)
    if len(t) <= MAX_POINTS:
        return t, mean, lo, hi
    edges = np.linspace(0, len(t), MAX_POINTS + 1).astype(int)
    blocks = list(itertools.pairwise(edges))
    return (np.array([t[a:b].mean() for a, b in blocks]),
            np.array([mean[a:b].mean() for a, b in blocks]),
            np.array([lo[a:b].min() for a, b in blocks]),
            np.array([hi[a:b].max() for a, b in blocks]))


def _span(scenario: Any, ts: pd.DataFrame) -> tuple[float, float]:
    hi = float(getattr(scenario, "horizon", 0) or (ts["t"].max() if len(ts) else 1.0))
    return 0.0, hi


@styled
def backlog_chart(timeseries: pd.DataFrame, scenario: Any, lang: str = "nl") -> Figure:
    """The verstopping chart: werkvoorraad per step over time, one panel per step.

    Shows the mean over replications with their spread, the interventions as
    dashed lines and the warm-up shaded, so a reader sees where and when work
    piles up and which intervention preceded it.
    """
    steps = ordered_steps(scenario)
    colours = partner_colours(scenario)
    width, height = grid_size(len(steps))
    reps = int(timeseries["replication"].nunique()) if len(timeseries) else 0
    band_name = i18n.label("band_minmax" if reps < 5 else "band_q", lang)
    fig, body = framed_figure(width, height, i18n.label("backlog_title", lang),
                              i18n.label("backlog_sub", lang, n=reps, band=band_name))
    axes = panel_grid(body, len(steps), _time_label(scenario, lang))
    span = _span(scenario, timeseries)
    ncols = 1 if len(steps) <= 3 else 2
    for k, (ax, step) in enumerate(zip(axes, steps, strict=True)):
        wide = _wide(timeseries, step.id, "queue")
        colour = colours[step.partner]
        if not wide.empty:
            t, mean, lo, hi = _curve(wide, lang)
            ax.fill_between(t, lo, hi, color=colour, alpha=0.22, lw=0)
            ax.plot(t, mean, color=colour, lw=2 if len(t) < MAX_POINTS else 1.3)
        _decorate(ax, scenario, step, span, labelled=k < ncols)
        _headroom(ax, max(1.0, ax.get_ylim()[1]), k < ncols and bool(scenario.events))
    body.supylabel(i18n.label("queue_axis", lang))
    body.legend(handles=legend_handles(lang, band_name, scenario.warmup > 0,
                                       bool(scenario.events)),
                loc="outside lower center", ncols=4, frameon=False)
    return fig


@styled
def flow_chart(timeseries: pd.DataFrame, scenario: Any, lang: str = "nl") -> Figure:
    """The cumulative flow diagram: cases in and cases out per step, counted from the start.

    The vertical gap between the two lines is the step's stock (waiting and in
    handling); a gap that widens is a pile that grows, and the slope of each
    line is the pace of inflow and of output. Analysts read throughput and
    lead times from it at a glance, which a queue curve alone does not show.
    """
    steps = ordered_steps(scenario)
    colours = partner_colours(scenario)
    width, height = grid_size(len(steps))
    reps = int(timeseries["replication"].nunique()) if len(timeseries) else 0
    fig, body = framed_figure(width, height, i18n.label("flow_title", lang),
                              i18n.label("flow_sub", lang, n=reps))
    axes = panel_grid(body, len(steps), _time_label(scenario, lang))
    span = (float(scenario.warmup), _span(scenario, timeseries)[1])
    ncols = 1 if len(steps) <= 3 else 2
    have_flow = {"arrived", "left"} <= set(timeseries.columns)
    for k, (ax, step) in enumerate(zip(axes, steps, strict=True)):
        colour = colours[step.partner]
        if have_flow:
            into = _wide(timeseries, step.id, "arrived")
            out = _wide(timeseries, step.id, "left").reindex_like(into)
            if not into.empty:
                t = into.index.to_numpy(dtype=float)
                a = into.mean(axis=1).to_numpy(dtype=float)
                d = out.mean(axis=1).to_numpy(dtype=float)
                # counted from the end of the warm-up: the lines then start at the stock
                # that was there, and the window's flows fill the height of the panel
                w = min(int(np.searchsorted(t, span[0], side="left")), len(t) - 1)
                t, a, d = t[w:], a[w:] - d[w], d[w:] - d[w]
                every = max(1, len(t) // MAX_POINTS)  # cumulative lines thin without loss
                t, a, d = t[::every], a[::every], d[::every]
                ax.fill_between(t, d, a, color=colour, alpha=0.3, lw=0)
                ax.plot(t, a, color=colour, lw=2)
                ax.plot(t, d, color=colour, lw=2, ls=(0, (4, 2)))
        _decorate(ax, scenario, step, span, labelled=k < ncols)
        _headroom(ax, max(1.0, ax.get_ylim()[1]), k < ncols and bool(scenario.events))
    body.supylabel(i18n.label("flow_axis", lang))
    ink = "#333333"
    handles: list[Any] = [
        Line2D([], [], color=ink, lw=2, label=i18n.label("flow_in", lang)),
        Line2D([], [], color=ink, lw=2, ls=(0, (4, 2)), label=i18n.label("flow_out", lang)),
        Patch(color=ink, alpha=0.3, label=i18n.label("flow_gap", lang)),
    ]
    handles += legend_handles(lang, None, False, bool(scenario.events))[1:]
    body.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5),
                frameon=False)
    return fig


def _decorate(ax: Axes, scenario: Any, step: Any, span: tuple[float, float],
              labelled: bool) -> None:
    shade_warmup(ax, float(scenario.warmup))
    draw_events(ax, list(scenario.events), labelled, span)
    ax.set_title(step_title(scenario, step), loc="left", fontweight="bold")
    ax.set_xlim(*span)


def _headroom(ax: Axes, top: float, labels: bool) -> None:
    """Leave the top band free for event labels, so they never hide the data."""
    ax.set_ylim(0, top / (1 - HEADROOM) if labels else top)


def _utilisation(timeseries: pd.DataFrame, scenario: Any, step: Any) -> pd.DataFrame:
    """Busy share per sample and replication, in percent (NaN where the step is closed).

    The engine's own capacity reading is used when the table has it (it knows
    calendars); otherwise the planned capacity from the scenario and its events.
    """
    wide = _wide(timeseries, step.id, "in_service")
    if wide.empty:
        return wide
    if "capacity" in timeseries.columns:
        cap = _wide(timeseries, step.id, "capacity").reindex_like(wide).to_numpy(dtype=float)
    else:
        cap = capacity_at(scenario, step.id, wide.index.to_numpy(dtype=float))[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = wide.to_numpy(dtype=float) / np.where(cap > 0, cap, np.nan)
    return pd.DataFrame(100 * share, index=wide.index, columns=wide.columns)


@styled
def utilization_chart(timeseries: pd.DataFrame, scenario: Any, lang: str = "nl") -> Figure:
    """Share of each step's servers at work over time, against the planned capacity.

    A line that sits at 100% marks a step that cannot do more; the smoothed
    line makes the level readable where single samples jump between a few values.
    """
    steps = ordered_steps(scenario)
    colours = partner_colours(scenario)
    width, height = grid_size(len(steps))
    fig, body = framed_figure(width, height, i18n.label("util_title", lang),
                              i18n.label("util_sub", lang))
    axes = panel_grid(body, len(steps), _time_label(scenario, lang))
    span = _span(scenario, timeseries)
    ncols = 1 if len(steps) <= 3 else 2
    top = 110.0
    for k, (ax, step) in enumerate(zip(axes, steps, strict=True)):
        share = _utilisation(timeseries, scenario, step)
        colour = colours[step.partner]
        if not share.empty:
            t = share.index.to_numpy(dtype=float)
            mean = share.mean(axis=1)
            window = max(1, len(t) // 60)
            smooth = mean.rolling(window, center=True, min_periods=1).mean()
            if len(t) <= RAW_POINTS:  # beyond this the raw samples are only a grey smear
                ax.plot(t, mean.to_numpy(), color=colour, lw=0.8, alpha=0.35)
            every = max(1, len(t) // MAX_POINTS)
            ax.plot(t[::every], smooth.to_numpy()[::every], color=colour, lw=2.2)
            top = max(top, float(np.nanmax(smooth.to_numpy(), initial=0.0)) + 5)
        ax.axhline(100, color="#b2182b", ls=":", lw=1.6, zorder=2)
        _decorate(ax, scenario, step, span, labelled=k < ncols)
    for ax in axes:
        _headroom(ax, top, bool(scenario.events))
    body.supylabel(i18n.label("util_axis", lang))
    handles = legend_handles(lang, None, scenario.warmup > 0, bool(scenario.events))
    handles.append(Line2D([], [], color="#b2182b", ls=":", lw=1.6,
                          label=i18n.label("full", lang)))
    body.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False)
    return fig


@styled
def compare_backlog(results_list: Sequence[Any], lang: str = "nl") -> Figure:
    """Werkvoorraad per step over time, one line per scenario: what a change does where.

    Steps are those of the first (base) scenario plus any a variant adds.
    """
    base = results_list[0].scenario
    steps = ordered_steps(base)
    known = {s.id for s in steps}
    for res in results_list[1:]:
        steps += [s for s in ordered_steps(res.scenario) if s.id not in known]
        known |= {s.id for s in res.scenario.steps}
    width, height = grid_size(len(steps))
    fig, body = framed_figure(width, height, i18n.label("compare_backlog_title", lang),
                              i18n.label("compare_backlog_sub", lang))
    axes = panel_grid(body, len(steps), _time_label(base, lang))
    span = (0.0, max(float(r.scenario.horizon) for r in results_list))
    ncols = 1 if len(steps) <= 3 else 2
    events = _distinct_events(results_list)
    for k, (ax, step) in enumerate(zip(axes, steps, strict=True)):
        for i, res in enumerate(results_list):
            wide = _wide(res.timeseries, step.id, "queue")
            if wide.empty:
                continue
            colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
            t, mean, lo, hi = _curve(wide, lang)
            ax.fill_between(t, lo, hi, color=colour, alpha=0.12, lw=0)
            ax.plot(t, mean, color=colour, lw=2 if len(t) < MAX_POINTS else 1.3)
        shade_warmup(ax, float(base.warmup))
        for colour, evs in events:
            draw_events(ax, evs, k < ncols, span, colour=colour)
        _headroom(ax, max(1.0, ax.get_ylim()[1]), k < ncols and bool(events))
        ax.set_title(step_title(base if step.id in base.step_ids else _owner(results_list, step),
                                step), loc="left", fontweight="bold")
        ax.set_xlim(*span)
    body.supylabel(i18n.label("queue_axis", lang))
    handles = scenario_handles(results_list)
    if base.warmup > 0:
        handles += legend_handles(lang, None, True, False)[1:]
    body.legend(handles=handles, loc="outside lower center", ncols=legend_columns(handles),
                frameon=False)
    return fig


def scenario_handles(results_list: Sequence[Any]) -> list[Line2D]:
    """One legend entry per scenario, in its comparison colour (long titles wrapped)."""
    return [Line2D([], [], color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], lw=3,
                   label=textwrap.fill(res.scenario.label, 48))
            for i, res in enumerate(results_list)]


def legend_columns(handles: Sequence[Any]) -> int:
    """As many columns as fit across the figure: long scenario titles get fewer."""
    longest = max((max(map(len, h.get_label().splitlines()), default=0) for h in handles),
                  default=0)
    return min(len(handles), 4 if longest <= 24 else 2)


def _owner(results_list: Sequence[Any], step: Any) -> Any:
    return next(r.scenario for r in results_list if step.id in r.scenario.step_ids)


def _distinct_events(results_list: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """Each intervention once, in the colour of the first scenario that has it."""
    seen: set[tuple[float, str]] = set()
    out = []
    for i, res in enumerate(results_list):
        mine = [ev for ev in res.scenario.events if (ev.at, ev.title) not in seen]
        seen |= {(ev.at, ev.title) for ev in mine}
        if mine:
            out.append((SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], mine))
    return out


def figures(results: Any, lang: str = "nl") -> dict[str, Figure]:
    """The standard pictures of one run, by file stem, in reading order."""
    scenario = results.scenario
    out = {
        "werkvoorraad": backlog_chart(results.timeseries, scenario, lang),
        "wachttijd": waits_chart(results.steps, scenario, lang),
        "doorlooptijd": lead_time_chart(results.chain, scenario, lang,
                                        getattr(results, "lead_times", None)),
        "bezetting": utilization_chart(results.timeseries, scenario, lang),
        "keten": chain_diagram(scenario, lang),
    }
    if {"arrived", "left"} <= set(results.timeseries.columns):  # folders of older versions
        out = {"werkvoorraad": out.pop("werkvoorraad"),
               "instroom-uitstroom": flow_chart(results.timeseries, scenario, lang), **out}
    later = sorted({ev.at for ev in scenario.events if 0 < ev.at < scenario.horizon})
    if later:
        out["keten-na-ingrepen"] = chain_diagram(scenario, lang, at=later[-1])
    return out


def save_all(results: Any, folder: str | Path, lang: str = "nl") -> list[Path]:
    """Write every standard picture as PNG into ``folder``; return the paths.

    File names are the same in every language, so scripts can rely on them.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in picture_files(figures(results, lang)).items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def picture_files(figs: dict[str, Figure], svg: bool = False) -> dict[str, bytes]:
    """Each figure as ``<stem>.png`` bytes (and ``<stem>.svg`` with ``svg``), rendered once.

    The report embeds the same PNG bytes, so a results folder's pictures and
    its report never disagree and nothing is drawn twice. SVG (for print and
    slides) is drawn only on request (``--format svg``): it costs as much as
    the PNG again.
    """
    out = {}
    for stem, fig in figs.items():
        for ext in ("png", "svg") if svg else ("png",):
            buf = io.BytesIO()
            with mpl.rc_context({"svg.hashsalt": "ketensim"}):  # stable ids in the SVG
                fig.savefig(buf, dpi=DPI, format=ext, metadata=_metadata(ext))
            out[f"{stem}.{ext}"] = buf.getvalue()
    return out


def _metadata(ext: str) -> dict[str, Any]:
    """No creation dates in the files: the same run gives the same bytes."""
    if ext == "svg":
        return {"Date": None}
    if ext == "png":
        return {"Software": None}
    return {}


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """A figure as PNG bytes (for embedding in a self-contained report)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=_metadata("png"))
    return buf.getvalue()
