"""Bar pictures of a run: waiting time per step and the chain's lead time.

Bars show the mean over replications, whiskers its 95% t-interval: the
interval is what keeps a reader from reading noise as a difference. Steps
run top to bottom in chain order so labels stay horizontal and readable.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ketensim.present.pictures.style import (
    SCENARIO_COLOURS,
    framed_figure,
    ordered_steps,
    partner_colours,
    step_title,
    styled,
    unit_label,
    wrap,
)
from ketensim.present.words import i18n
from ketensim.results.insights import Estimate, mean_ci
from ketensim.results.stats import bounds_of, has_interval


def _estimates(steps: pd.DataFrame, step_ids: list[str], column: str) -> list[Estimate]:
    return [mean_ci(steps.loc[steps["step"] == sid, column], bounds=bounds_of(column))
            for sid in step_ids]


def _errors(est: list[Estimate]) -> np.ndarray:
    """Whisker lengths below and above each mean; none where there is no interval."""
    low = [e.mean - e.low if has_interval(e) else 0.0 for e in est]
    high = [e.high - e.mean if has_interval(e) else 0.0 for e in est]
    return np.array([low, high])


def _value_labels(ax: Axes, y: np.ndarray, est: list[Estimate], lang: str,
                  horizontal: bool = True) -> None:
    top = max((e.high if has_interval(e) else e.mean for e in est if np.isfinite(e.mean)),
              default=0.0)
    pad = 0.015 * (top or 1.0)
    for pos, e in zip(y, est, strict=True):
        if not np.isfinite(e.mean):
            continue
        end = (e.high if has_interval(e) else e.mean) + pad
        if horizontal:
            ax.text(end, pos, i18n.number(e.mean, lang), va="center", ha="left", fontsize=10.5)
        else:
            ax.text(pos, end, i18n.number(e.mean, lang), va="bottom", ha="center", fontsize=11,
                    fontweight="bold")
    if horizontal:
        ax.set_xlim(0, top * 1.15 + pad)
    else:
        ax.set_ylim(0, top * 1.15 + pad)


@styled
def waits_chart(steps: pd.DataFrame, scenario: Any, lang: str = "nl") -> Figure:
    """Mean waiting time per step with its 95% interval over replications.

    Waiting is the part of the lead time that more capacity removes, so it
    points at where capacity is short.
    """
    order = ordered_steps(scenario)
    colours = partner_colours(scenario)
    est = _estimates(steps, [s.id for s in order], "mean_wait")
    fig, body = framed_figure(10.5, 1.4 + 0.62 * len(order), i18n.label("waits_title", lang),
                              i18n.label("waits_sub", lang))
    ax = body.subplots()
    y = np.arange(len(order))
    means = np.nan_to_num([e.mean for e in est])
    ax.barh(y, means, xerr=_errors(est), color=[colours[s.partner] for s in order],
            alpha=0.85, height=0.62, error_kw={"ecolor": "#222222", "capsize": 5, "lw": 1.4})
    ax.set_yticks(y, [wrap(step_title(scenario, s), 34) for s in order])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.label("wait_axis", lang, unit=unit_label(scenario, lang)))
    _value_labels(ax, y, est, lang)
    partners = [p for p in scenario.partners if any(s.partner == p.id for s in order)]
    if len(partners) > 1:
        body.legend(handles=[Patch(color=colours[p.id], label=p.label) for p in partners],
                    loc="outside lower center", ncols=min(5, len(partners)), frameon=False)
    return fig


@styled
def lead_time_chart(chain: pd.DataFrame, scenario: Any, lang: str = "nl",
                    distribution: pd.DataFrame | None = None) -> Figure:
    """Doorlooptijd van de keten: mean, median and 90th percentile, each with its interval,
    and beside them the whole distribution when its percentiles are known.

    Each bar is the mean of a per-replication figure and its whisker the
    interval of that mean. The distribution is drawn as the share of cases
    done within a given time (percentiles 1 to 99 per replication): the line
    is their mean, the band runs from the lowest to the highest replication.
    """
    columns = ["mean_lead_time", "p50_lead_time", "p90_lead_time"]
    names = [i18n.label(k, lang) for k in ("lead_mean", "lead_p50", "lead_p90")]
    est = [mean_ci(chain[c], bounds=bounds_of(c)) if c in chain else mean_ci([]) for c in columns]
    shown = distribution is not None and bool(distribution["lead_time"].notna().any())
    fig, body = framed_figure(13.0 if shown else 9.0, 4.8, i18n.label("lead_title", lang),
                              i18n.label("lead_sub", lang))
    if shown:
        ax, cdf = body.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        _lead_distribution(cdf, distribution, scenario, lang)  # type: ignore[arg-type]
    else:
        ax = body.subplots()
    x = np.arange(len(columns))
    ax.bar(x, np.nan_to_num([e.mean for e in est]), yerr=_errors(est), width=0.6,
           color=["#1f5f99", "#6a9bc9", "#0b2f52"], alpha=0.9,
           error_kw={"ecolor": "#222222", "capsize": 8, "lw": 1.5})
    ax.set_xticks(x, [wrap(n, 22) for n in names])
    ax.grid(axis="x", visible=False)
    ax.set_ylabel(i18n.label("lead_axis", lang, unit=unit_label(scenario, lang)))
    _value_labels(ax, x, est, lang, horizontal=False)
    return fig


def _lead_distribution(ax: Any, distribution: pd.DataFrame, scenario: Any, lang: str) -> None:
    wide = distribution.pivot(index="percentile", columns="replication", values="lead_time")
    share = wide.index.to_numpy(dtype=float)
    values = wide.to_numpy(dtype=float)
    colour = "#1f5f99"
    ax.fill_betweenx(share, np.nanmin(values, axis=1), np.nanmax(values, axis=1), color=colour,
                     alpha=0.2, lw=0, label=i18n.label("lead_cdf_band", lang))
    ax.plot(np.nanmean(values, axis=1), share, color=colour, lw=2,
            label=i18n.label("mean", lang))
    for p in (50, 90):
        ax.axhline(p, color="#999999", lw=0.8, ls=":")
    ax.set_ylim(0, 100)
    ax.set_xlim(left=0)
    ax.set_title(i18n.label("lead_cdf_title", lang), loc="left", fontsize="medium")
    ax.set_xlabel(i18n.label("lead_axis", lang, unit=unit_label(scenario, lang)))
    ax.set_ylabel(i18n.label("lead_cdf_axis", lang))
    ax.legend(loc="lower right", frameon=False)


@styled
def compare_waits(results_list: Sequence[Any], lang: str = "nl") -> Figure:
    """Mean waiting time per step, one bar per scenario, with 95% intervals.

    Steps follow the base scenario's chain order; steps only a variant has come last.
    """
    base = results_list[0].scenario
    order = ordered_steps(base)
    known = {s.id for s in order}
    for res in results_list[1:]:
        order += [s for s in ordered_steps(res.scenario) if s.id not in known]
        known |= {s.id for s in res.scenario.steps}
    k = len(results_list)
    bar = 0.8 / k
    fig, body = framed_figure(10.5, 1.4 + (0.35 + 0.3 * k) * len(order),
                              i18n.label("compare_waits_title", lang),
                              i18n.label("compare_waits_sub", lang))
    ax = body.subplots()
    y = np.arange(len(order), dtype=float)
    all_est: list[Estimate] = []
    positions: list[float] = []
    for i, res in enumerate(results_list):
        est = _estimates(res.steps, [s.id for s in order], "mean_wait")
        pos = y - 0.4 + bar * (i + 0.5)
        ax.barh(pos, np.nan_to_num([e.mean for e in est]), height=bar * 0.92,
                xerr=_errors(est), color=SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], alpha=0.85,
                label=textwrap.fill(res.scenario.label, 48),
                error_kw={"ecolor": "#222222", "capsize": 3, "lw": 1.1})
        all_est += est
        positions += list(pos)
    owners = {s.id: r.scenario for r in reversed(results_list) for s in r.scenario.steps}
    ax.set_yticks(y, [wrap(step_title(owners[s.id], s), 34) for s in order])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(i18n.label("wait_axis", lang, unit=unit_label(base, lang)))
    _value_labels(ax, np.array(positions), all_est, lang)
    body.legend(loc="outside lower center", ncols=min(k, 4 if all(
        len(r.scenario.label) <= 24 for r in results_list) else 2), frameon=False)
    return fig
