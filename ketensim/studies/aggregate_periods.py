"""Aggregates tables over several periods: checks across periods, changes, back-test per period.

A partner publishes per year (or quarter): inflow, output, stock at start and end, staff. A
table with several periods per step describes how the chain changed: the first period gives
the scenario's start (capacity, work per case, werkvoorraad), every later one the inflow and
staff from its start on (an arrival schedule and capacity events). The back-test then sets
simulated beside published per period, so that a model that matches the year's total but not
its course is seen as such.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ketensim.errors import Problem

if TYPE_CHECKING:
    from ketensim.studies.aggregates import Derived, StepFigures

BALANCE = 0.10  # the stock at a period's start may differ this share from the previous end


def split(figures: Sequence[StepFigures]) -> list[list[StepFigures]]:
    """The rows per period, periods in time order, steps in the order of the first period."""
    starts = sorted({f.start for f in figures})
    order = {f.step: n for n, f in enumerate(figures)}
    return [sorted((f for f in figures if f.start == s), key=lambda f: order[f.step])
            for s in starts]


def problems(figures: Sequence[StepFigures], file: str) -> list[Problem]:
    """Periods that leave a gap or overlap, steps missing from a period, stocks that jump."""
    rows = {id(f): n for n, f in enumerate(figures, start=2)}
    periods = split(figures)
    out: list[Problem] = []
    for before, after in itertools.pairwise(periods):
        end, start = before[0].end, after[0].start
        if start != end:
            what = "leaves a gap after the period before" if start > end else \
                "overlaps the period before"
            out.append(Problem(file, f"column start (row {rows[id(after[0])]})", what,
                               f"{end:g}, the end of the period before", f"{start:g}"))
    first = {f.step for f in periods[0]}
    for period in periods:
        steps = {f.step for f in period}
        ends = {f.end for f in period}
        if len(ends) > 1:
            out.append(Problem(file, f"column end (row {rows[id(period[0])]})",
                               "differs between rows of one period", "one end per start",
                               ", ".join(f"{e:g}" for e in sorted(ends))))
        for step in sorted(first - steps):
            out.append(Problem(file, f"column step (period {period[0].start:g} to "
                               f"{period[0].end:g})", "has no row for this step",
                               "a row for every step in every period", step))
        for step in sorted(steps - first):
            out.append(Problem(file, f"column step (period {period[0].start:g} to "
                               f"{period[0].end:g})", "is not in the first period",
                               "the steps of the first period", step))
    ended = {f.step: f for f in periods[0]}
    for period in periods[1:]:
        for f in period:
            prev = ended.get(f.step)
            if prev is not None and abs(f.stock_start - prev.stock_end) > BALANCE * max(
                    prev.stock_end, f.stock_start, 1.0):
                out.append(Problem(file, f"column stock_start (row {rows[id(f)]})",
                                   "does not follow on from the period before",
                                   f"within {100 * BALANCE:g}% of its stock_end "
                                   f"{prev.stock_end:g}", f"{f.stock_start:g}"))
            ended[f.step] = f
    return out


def changes(periods: list[list[StepFigures]], unit: str
            ) -> dict[str, list[tuple[float, Derived]]]:
    """Per step, what each later period derives, at its time since the first period's start."""
    from ketensim.studies.aggregates import derive

    t0 = periods[0][0].start
    out: dict[str, list[tuple[float, Derived]]] = {}
    for period in periods[1:]:
        for d in derive(period, unit):
            out.setdefault(d.step, []).append((period[0].start - t0, d))
    return out


def event_lines(first: Sequence[StepFigures], derived: Sequence[Derived],
                later: dict[str, list[tuple[float, Derived]]], num: Any, q: Any) -> list[str]:
    """An ``[[event]]`` at the start of each later period that changes a step's capacity or
    work per case, each key with the comment saying what it was derived from."""
    lines: list[str] = []
    for f, d in zip(first, derived, strict=True):
        service, capacity = d.service, d.capacity  # as the period before left them
        for t, c in later.get(f.step, []):
            sets = []
            if c.capacity != capacity:
                sets.append((f'"step.{f.step}.capacity" = {c.capacity}', c.notes["capacity"]))
                capacity = c.capacity
            if abs(c.service - service) > 0.01 * service:
                sets.append((f'"step.{f.step}.service" = {{ dist = "exponential", mean = '
                             f"{num(c.service)} }}", c.notes["service"]))
                service = c.service
            if sets:
                lines += ["", "[[event]]", f"at = {num(t)}",
                          f"label = {q(f'{f.step}: periode vanaf {t:g}')}"]
                lines += [f"# {key.split(' = ')[0]}: {why}" for key, why in sets]
                lines.append("set = { " + ", ".join(k for k, _ in sets) + " }")
    return lines


def backtest(results: Any, periods: list[list[StepFigures]], columns: Sequence[str]
             ) -> pd.DataFrame:
    """Published beside simulated per period and step: output, stock at the end, time there.

    Read from the time series (cumulative cases that left, the cases at the step at each
    sample), so that every period is measured the same way; the last sample at or before a
    moment stands for that moment. A period that ends with the run takes its end from the
    step table instead, which counts to the horizon exactly.
    """
    from ketensim.results import stats

    ts, scenario = results.timeseries, results.scenario
    t0 = periods[0][0].start
    rows = []
    for period in periods:
        a, b = period[0].start - t0, period[0].end - t0
        to_end = b >= scenario.horizon - 1e-9 and scenario.warmup == 0
        for f in period:
            mine = ts[ts["step"] == f.step]
            final = results.steps[results.steps["step"] == f.step].set_index("replication")
            out, stock, lead = [], [], []
            for r, rep in mine.groupby("replication", sort=True):
                rep = rep.sort_values("t")
                t = rep["t"].to_numpy(dtype=float)
                left = rep["left"].to_numpy(dtype=float)
                here = (rep["queue"] + rep["in_service"]).to_numpy(dtype=float)
                i, j = _at(t, a), _at(t, b)
                before = left[i] if a > 0 else 0.0
                done = (final.at[r, "completions"] if to_end else left[j]) - before
                inside = (t >= a) & (t <= b)
                mean_here = float(here[inside].mean()) if inside.any() else math.nan
                out.append(done)
                stock.append(final.at[r, "stock_at_end"] if to_end else here[j])
                lead.append(mean_here / (done / (b - a)) if done > 0 else math.nan)
            published_lead = f.lead_time if f.lead_time is not None else (
                (f.stock_start + f.stock_end) / 2 / (f.output / f.period) if f.output
                else math.nan)
            for kpi, observed, values in (("output", f.output, out),
                                          ("stock_end", f.stock_end, stock),
                                          ("lead_time", published_lead, lead)):
                iv = stats.mean_ci(np.asarray(values, dtype=float), bounds=(0.0, math.inf))
                rows.append({"step": f.step, "kpi": kpi, "observed": observed,
                             "simulated": iv.mean, "ci_low": iv.low, "ci_high": iv.high,
                             "period": f"{f.start:g}-{f.end:g}"})
    return pd.DataFrame(rows, columns=list(columns))


def _at(t: np.ndarray, moment: float) -> int:
    """Index of the last sample at or before ``moment`` (the first sample if none is)."""
    return max(int(np.searchsorted(t, moment + 1e-9, side="right")) - 1, 0)
