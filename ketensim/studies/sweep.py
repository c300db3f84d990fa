"""Parameter sweeps: the chain at every point of a grid, with common random numbers.

A sweep answers "how much capacity does the OM need?" by running the same
scenario at every combination of the ``--set KEY=START:STOP:STEP`` ranges,
each change applied from time 0. All points share the seed and the
replication indices, so neighbouring points differ by the change and not by
luck, and a curve of a KPI against the swept value is smooth where the
chain is. With a target norm, the sweep also names the cheapest point that
meets it.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from ketensim.errors import ScenarioError
from ketensim.results import norms, stats
from ketensim.results.replications import Progress, RunOptions
from ketensim.results.tables import Results
from ketensim.scenario.model import Change, Norm, Scenario
from ketensim.studies.compare import run_all

MAX_POINTS = 400
OPTION = "--set"
_INTEGER = re.compile(r"[+-]?[0-9]+")
_SUMMARY_STATS = ("mean", "ci_low", "ci_high")

Number = int | float


@dataclass(frozen=True)
class Axis:
    """One swept key and the values it takes, in order."""

    key: str
    values: tuple[Number, ...]


@dataclass(frozen=True)
class Point:
    """One grid point: its index, the value of every swept key, and its scenario."""

    index: int
    values: tuple[Number, ...]
    scenario: Scenario

    @property
    def folder(self) -> str:
        return f"point-{self.index:03d}"


@dataclass(frozen=True)
class TargetVerdict:
    """Where a target norm is met: the best point in the mean, and with its interval.

    Attributes:
        norm: the target.
        in_mean: index of the best point whose mean share meets the norm, or None.
        with_interval: index of the best point whose interval's lower end meets it, or None.
        closest: index of the point with the highest mean share (for "none meets it").
        ranked_by: "cost" (costs are defined), "capacity" (total servers) or "value".
    """

    norm: Norm
    in_mean: int | None
    with_interval: int | None
    closest: int
    ranked_by: str


@dataclass(eq=False)  # holds DataFrames
class Sweep:
    """A finished sweep.

    Attributes:
        scenario: the swept scenario as loaded (with the run's seed and replications).
        axes: the swept keys and their values.
        points: every grid point, in grid order (the first key varies slowest).
        results: one Results per point.
        table: ``sweep.csv``: one row per point x replication.
        summary: ``sweep_summary.csv``: one row per point, means with 95% intervals.
        target: the target verdict, when a target norm was given.
    """

    scenario: Scenario
    axes: list[Axis]
    points: list[Point]
    results: list[Results]
    table: pd.DataFrame
    summary: pd.DataFrame
    target: TargetVerdict | None = None

    def __repr__(self) -> str:
        keys = ", ".join(f"{a.key} ({len(a.values)} values)" for a in self.axes)
        return (f"<Sweep of {self.scenario.name}: {len(self.points)} points over {keys}, "
                f"{self.scenario.replications} replications, seed {self.scenario.seed}>")

    @property
    def keys(self) -> list[str]:
        return [a.key for a in self.axes]

    @property
    def kpis(self) -> list[str]:
        """The KPI columns of ``table``, in order."""
        return [c for c in self.table.columns if c not in ("point", "replication", *self.keys)]


# -- the grid ---------------------------------------------------------------------------


def parse_set(text: str, scenario: Scenario) -> Axis:
    """Read one ``KEY=START:STOP:STEP`` option into an axis, checking every value.

    The values are integers when START, STOP and STEP all are, else numbers;
    both ends are included, and a float range is cut so that rounding never
    adds or drops the last point. Every value is checked as an event's ``set``
    would check it (``schema.parse_change``).

    Raises:
        ScenarioError: for a malformed option, a bad range, or a key or value the
            scenario does not accept.
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    parts = [p.strip() for p in spec.split(":")]
    if not sep or not key or len(parts) != 3:
        raise ScenarioError.single(OPTION, key or text, "must read KEY=START:STOP:STEP",
                                   "e.g. step.om.capacity=40:60:5", text)
    values = grid_values(key, *parts)
    for value in values:
        change(key, value, scenario)
    return Axis(key, values)


def grid_values(key: str, start: str, stop: str, step: str) -> tuple[Number, ...]:
    """The values from START to STOP (inclusive) by STEP.

    Raises:
        ScenarioError: when a part is not a number, STEP is not positive or STOP < START.
    """
    integer = all(_INTEGER.fullmatch(p) for p in (start, stop, step))
    spelled = f"{start}:{stop}:{step}"
    try:
        a, b, d = (int(p) if integer else float(p) for p in (start, stop, step))
    except ValueError:
        raise ScenarioError.single(OPTION, key, "START, STOP and STEP must be numbers",
                                   "START:STOP:STEP, e.g. 40:60:5", spelled) from None
    if not all(math.isfinite(x) for x in (a, b, d)):
        raise ScenarioError.single(OPTION, key, "the range must be finite", "finite numbers",
                                   spelled)
    if d <= 0:
        raise ScenarioError.single(OPTION, key, "STEP must be > 0", "a positive STEP", spelled)
    if b < a:
        raise ScenarioError.single(OPTION, key, "the range runs backwards",
                                   "START <= STOP", spelled)
    count = math.floor((b - a) / d + 1e-9) + 1
    if count > MAX_POINTS:  # refused before a single value is made, however fine the step
        raise ScenarioError.single(OPTION, key, f"the range has {count:,} values, a sweep "
                                   f"runs at most {MAX_POINTS} points; use a larger STEP",
                                   f"at most {MAX_POINTS} values", spelled)
    if integer:
        return tuple(int(a + i * d) for i in range(count))
    values = [float(f"{a + i * d:.12g}") for i in range(count)]
    if math.isclose(values[-1], b, rel_tol=1e-9, abs_tol=1e-12):
        values[-1] = float(b)
    return tuple(values)


def change(key: str, value: Number, scenario: Scenario) -> Change:
    """One swept value as a change of the scenario (checked like an event's ``set``)."""
    from ketensim.scenario.schema.build import parse_change

    return parse_change(key, value, scenario, OPTION)


def grid(scenario: Scenario, axes: Sequence[Axis]) -> list[Point]:
    """Every combination of the axes' values, the first key varying slowest.

    Raises:
        ScenarioError: when a key is swept twice or the grid is too large to run.
    """
    keys = [a.key for a in axes]
    for key in {k for k in keys if keys.count(k) > 1}:
        raise ScenarioError.single(OPTION, key, "swept twice", "each KEY in one --set", key)
    size = math.prod(len(a.values) for a in axes)
    if size > MAX_POINTS:
        raise ScenarioError.single(OPTION, ", ".join(keys), "the grid is too large",
                                   f"at most {MAX_POINTS} points; use larger steps",
                                   f"<{size} points>")
    points = []
    for index, values in enumerate(itertools.product(*(a.values for a in axes))):
        changes = [change(a.key, v, scenario) for a, v in zip(axes, values, strict=True)]
        varied = replace(scenario.apply(changes), name=f"{scenario.name}-point-{index:03d}")
        points.append(Point(index, tuple(values), varied))
    return points


def overridden(scenario: Scenario, axes: Sequence[Axis]) -> list[tuple[str, float]]:
    """Swept keys that an event of the scenario sets again later: (key, time).

    From that moment the event's value holds at every point, which the user
    should know when reading the sweep.
    """
    out = []
    for axis in axes:
        target = change(axis.key, axis.values[0], scenario)
        for event in scenario.events:
            if any((c.kind, c.target, c.attribute) == (target.kind, target.target,
                                                       target.attribute) for c in event.changes):
                out.append((axis.key, event.at))
    return out


# -- running ----------------------------------------------------------------------------


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    ranges: Sequence[str] | Mapping[str, tuple[Number, Number, Number]],
    target: str | Norm | None = None,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> Sweep:
    """Run a scenario at every point of a grid, with common random numbers.

    Args:
        scenario: a loaded scenario or a file path.
        ranges: ``["step.om.capacity=40:60:5", ...]`` as on the command line, or
            ``{"step.om.capacity": (40, 60, 5)}``.
        target: a norm to meet: a norm id of the scenario, an inline norm such as
            ``"lead_time<=180@0.9"``, or a ``Norm``.
        replications: replications per point; None takes the scenario's own.
        seed: the one seed for every point; None takes the scenario's own.
        jobs: worker processes; no effect on the results.
        options: sampling interval and fast path.
        progress: called once per finished replication.

    Raises:
        ScenarioError: for a bad range, key, value or target.
    """
    from ketensim.scenario.loader import load

    base = scenario if isinstance(scenario, Scenario) else load(scenario)
    base = base.with_run_options(replications=replications, seed=seed)
    norm = resolve_target(target, base)
    if norm is not None:
        base = norms.with_norm(base, norm)
    axes = parse_ranges(ranges, base)
    points = grid(base, axes)
    results = run_all([p.scenario for p in points], jobs, options, progress)
    return finish(base, axes, points, results, norm)


def parse_ranges(ranges: Sequence[str] | Mapping[str, tuple[Number, Number, Number]],
                 scenario: Scenario) -> list[Axis]:
    """The axes of the command line's ``--set`` texts, or of a key -> (start, stop, step) map."""
    if isinstance(ranges, Mapping):
        texts = [f"{k}={':'.join(str(x) for x in v)}" for k, v in ranges.items()]
    else:
        texts = list(ranges)
    if not texts:
        raise ScenarioError.single(OPTION, "(none)", "nothing to sweep",
                                   "at least one --set KEY=START:STOP:STEP", "<nothing>")
    return [parse_set(text, scenario) for text in texts]


def resolve_target(target: str | Norm | None, scenario: Scenario) -> Norm | None:
    """The target norm, from a norm id, an inline norm or a Norm object."""
    if target is None or isinstance(target, Norm):
        return target
    return norms.resolve(target, scenario, scenario.source or scenario.name)


def finish(base: Scenario, axes: list[Axis], points: list[Point], results: list[Results],
           norm: Norm | None) -> Sweep:
    """Build the sweep's tables (and the target verdict) from the finished runs."""
    table = sweep_table(axes, points, results)
    summary = sweep_summary(table, axes, points)
    done = Sweep(base, axes, points, results, table, summary)
    if norm is not None:
        done.target = judge(done, norm)
    return done


# -- tables -----------------------------------------------------------------------------


def sweep_table(axes: Sequence[Axis], points: Sequence[Point],
                results: Sequence[Results]) -> pd.DataFrame:
    """``sweep.csv``: point, swept keys, replication, chain KPIs, throughput, norm shares."""
    frames = []
    for point, res in zip(points, results, strict=True):
        chain = res.chain
        frame = pd.DataFrame({"point": point.index}, index=range(len(chain)))
        for axis, value in zip(axes, point.values, strict=True):
            frame[axis.key] = value
        frame["replication"] = chain["replication"].to_numpy()
        for column in chain.columns:
            if column != "replication" and is_numeric_dtype(chain[column]):
                frame[column] = chain[column].to_numpy()
        frame["throughput"] = res.throughput()
        for norm in res.scenario.norms:
            frame[f"norm:{norm.id}"] = res.norm_shares(norm.id)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def sweep_summary(table: pd.DataFrame, axes: Sequence[Axis],
                  points: Sequence[Point]) -> pd.DataFrame:
    """``sweep_summary.csv``: per point its keys, total servers, each KPI's mean and interval."""
    keys = [a.key for a in axes]
    kpis = [c for c in table.columns if c not in ("point", "replication", *keys)]
    rows = []
    for point in points:
        mine = table[table["point"] == point.index]
        row: dict[str, Any] = {"point": point.index}
        row.update(zip(keys, point.values, strict=True))
        row["total_capacity"] = sum(s.capacity for s in point.scenario.steps)
        for kpi in kpis:
            iv = stats.mean_ci(mine[kpi].to_numpy(dtype=float), bounds=stats.bounds_of(kpi))
            row.update({f"{kpi}_mean": iv.mean, f"{kpi}_ci_low": iv.low,
                        f"{kpi}_ci_high": iv.high})
        rows.append(row)
    return pd.DataFrame(rows)


# -- the target ---------------------------------------------------------------------------


def judge(done: Sweep, norm: Norm) -> TargetVerdict:
    """Find the best point meeting ``norm`` in the mean, and with its interval's lower end.

    "Best" is the cheapest when the scenario has costs (mean chain cost), else
    the one with the fewest servers in total; among equals, the point that
    asks most of the chain: the smallest swept capacities and the largest
    swept inflows or service times.
    """
    summary = done.summary
    column = f"norm:{norm.id}"
    mean = summary[f"{column}_mean"].to_numpy(dtype=float)
    low = summary[f"{column}_ci_low"].to_numpy(dtype=float)
    ranked_by = "cost" if "cost_total_mean" in summary.columns else "capacity"
    if ranked_by == "capacity" and summary["total_capacity"].nunique() == 1:
        ranked_by = "value"
    order = sorted(range(len(summary)), key=lambda i: _rank(done, i, ranked_by))
    met_mean = [i for i in order if mean[i] >= norm.share - 1e-12]
    met_low = [i for i in order if low[i] >= norm.share - 1e-12]
    closest = int(np.nanargmax(np.where(np.isnan(mean), -1.0, mean)))
    return TargetVerdict(norm, met_mean[0] if met_mean else None,
                         met_low[0] if met_low else None, closest, ranked_by)


def _rank(done: Sweep, index: int, ranked_by: str) -> tuple[float, ...]:
    row = done.summary.iloc[index]
    primary = {"cost": row.get("cost_total_mean", math.nan),
               "capacity": row["total_capacity"], "value": 0.0}[ranked_by]
    demanding = [
        v if change(a.key, v, done.scenario).attribute == "capacity" else -v
        for a, v in zip(done.axes, done.points[index].values, strict=True)
    ]
    return (math.inf if math.isnan(primary) else float(primary), *demanding, float(index))
