"""The plain-words verdict a policy maker reads first.

Tables answer questions the reader already has; these findings tell him which
question matters: which schakel backs up, from when and how fast, what the
lead time is with its uncertainty, which step is the busiest, and which steps
only look fine because a bottleneck upstream holds their work back
(afscherming), and whether the scenario's norms are met. Pure pandas/NumPy;
the wording lives in :mod:`ketensim.present.words.verdict`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ketensim.results.norms import Judgement, judge
from ketensim.results.stats import Interval as Estimate
from ketensim.results.stats import bounds_of, has_interval, mean_ci
from ketensim.results.trend import CurveTrend, curve_trend
from ketensim.scenario import traffic

__all__ = [
    "Estimate",
    "Findings",
    "Load",
    "NormFinding",
    "Shield",
    "Trend",
    "analyse",
    "backlog_trends",
    "has_interval",
    "mean_ci",
]

SHIELD_DROP = 0.05  # a step gets at least this share less than offered before we call it shielded
EVENT_LAG = 0.25  # an event this share of the horizon before a change is named as its trigger
ABRUPT = 0.08  # a change done within this share of the time is a jump, not a drift


@dataclass(frozen=True)
class Trend:
    """How one step's werkvoorraad develops (see ``ketensim.trend.CurveTrend``).

    Attributes:
        step: step id.
        status: ``growing``, ``settled``, ``shrinking`` or ``stable``.
        rate: cases per time unit while the change runs (negative when shrinking).
        start: time the change starts; ``None`` when stable.
        end: time the change stops (the horizon's last sample while it still runs).
        from_first: the change already runs when the analysis starts (at the warm-up).
        queue_at_warmup: mean queue at the end of the warm-up.
        queue_at_end: mean queue at the last sample.
        level_before: fitted queue just before the change (the mean when stable).
        event: (time, title) of the intervention that most likely set the change off.
    """

    step: str
    status: str
    rate: float
    start: float | None
    end: float | None
    from_first: bool
    queue_at_warmup: float
    queue_at_end: float
    level_before: float = 0.0
    event: tuple[float, str] | None = None

    @property
    def abrupt(self) -> bool:
        """The change is over quickly: a jump to a new level rather than a steady drift."""
        if self.start is None or self.end is None or self.status == "growing":
            return False
        return self.end - self.start <= ABRUPT * max(self.end, 1.0)


@dataclass(frozen=True)
class Load:
    """How busy a step is: measured utilisation and, when known, offered load on paper."""

    step: str
    utilization: Estimate
    offered: float | None = None
    offered_from: float | None = None  # start of the period with the highest offered load


@dataclass(frozen=True)
class Shield:
    """A step that receives less work than offered because a step before it backs up."""

    step: str
    upstream: tuple[str, ...]
    expected: float
    actual: Estimate

    @property
    def drop(self) -> float:
        """Share of the offered inflow that did not arrive."""
        return 1 - self.actual.mean / self.expected if self.expected > 0 else 0.0


@dataclass(frozen=True)
class NormFinding:
    """How a run does against one norm: the share within its term, and the judgement."""

    norm: Any  # ketensim.model.Norm
    share: Estimate
    met: Judgement


@dataclass(frozen=True)
class Findings:
    """Everything the summary of a run says, in numbers."""

    trends: tuple[Trend, ...]
    lead_time: Estimate | None = None
    p50_lead_time: Estimate | None = None
    p90_lead_time: Estimate | None = None
    wip_at_end: Estimate | None = None
    busiest: Load | None = None
    overloaded: tuple[Load, ...] = ()
    shielded: tuple[Shield, ...] = ()
    replications: int = 1
    norms: tuple[NormFinding, ...] = ()

    @property
    def backing_up(self) -> tuple[Trend, ...]:
        """Steps whose werkvoorraad is still growing at the end."""
        return tuple(tr for tr in self.trends if tr.status == "growing")

    def trend(self, step_id: str) -> Trend | None:
        return next((tr for tr in self.trends if tr.step == step_id), None)


def backlog_trends(timeseries: pd.DataFrame, scenario: Any) -> tuple[Trend, ...]:
    """Trend of every step's queue, from the per-replication time series.

    Args:
        timeseries: columns ``replication, step, t, queue`` (sampled on a common grid).
        scenario: anything with ``steps``, ``warmup`` and ``events``.
    """
    warmup = float(getattr(scenario, "warmup", 0.0) or 0.0)
    out = []
    for step in scenario.steps:
        rows = timeseries[timeseries["step"] == step.id]
        if rows.empty:
            continue
        wide = rows.pivot_table(index="t", columns="replication", values="queue", aggfunc="mean")
        wide = wide.sort_index().ffill().fillna(0.0)
        t = wide.index.to_numpy(dtype=float)
        q = wide.to_numpy(dtype=float)
        curve = curve_trend(t, q, since=warmup)
        out.append(Trend(
            step=step.id, status=curve.status, rate=curve.rate, start=curve.start,
            end=curve.end, from_first=curve.from_first,
            queue_at_warmup=_level_at(t, q.mean(axis=1), warmup),
            queue_at_end=curve.level_end, level_before=curve.level_before,
            event=_cause(scenario, curve, t),
        ))
    return tuple(out)


def analyse(results: Any) -> Findings:
    """All findings of one run (a ``Results``, or anything with its attributes).

    Args:
        results: has ``scenario`` and the DataFrames ``steps``, ``chain`` and ``timeseries``.
    """
    scenario = results.scenario
    trends = backlog_trends(results.timeseries, scenario)
    chain = results.chain
    loads = _loads(results.steps, scenario)
    growing = [tr.step for tr in trends if tr.status in ("growing", "settled")]

    def est(column: str) -> Estimate | None:
        return mean_ci(chain[column], bounds=bounds_of(column)) \
            if column in chain and len(chain) else None

    return Findings(
        trends=trends,
        lead_time=est("mean_lead_time"),
        p50_lead_time=est("p50_lead_time"),
        p90_lead_time=est("p90_lead_time"),
        wip_at_end=est("wip_at_end"),
        busiest=max(loads, key=lambda ld: _finite(ld.utilization.mean), default=None),
        overloaded=tuple(ld for ld in loads if ld.offered is not None and ld.offered >= 1),
        shielded=_shielded(results.steps, scenario, growing),
        replications=int(getattr(results, "replications", 0) or results.steps["replication"]
                          .nunique()),
        norms=_norm_findings(results),
    )


def _norm_findings(results: Any) -> tuple[NormFinding, ...]:
    """Every norm of the scenario with its share over replications (none without norms)."""
    if not getattr(results.scenario, "norms", ()) or not hasattr(results, "norm_shares"):
        return ()
    out = []
    for norm in results.scenario.norms:
        share = mean_ci(results.norm_shares(norm.id), bounds=bounds_of("share"))
        out.append(NormFinding(norm, share, judge(share.mean, share.low, norm.share)))
    return tuple(out)


def _finite(x: float) -> float:
    return x if math.isfinite(x) else -math.inf


def _level_at(t: np.ndarray, m: np.ndarray, when: float) -> float:
    """Mean queue in a short window around ``when`` (one sample is too noisy)."""
    if len(t) == 0:
        return 0.0
    half = max((t[-1] - t[0]) * 0.01, 0.5)
    near = np.abs(t - when) <= half
    return float(m[near].mean()) if near.any() else float(np.interp(when, t, m))


def _cause(scenario: Any, curve: CurveTrend, t: np.ndarray) -> tuple[float, str] | None:
    """The intervention closest to the change's start: before it, or within the ramp.

    A backlog may start to grow well after the event that set it off (servers
    first fill up), and the fitted start of a sudden jump can land a little
    before its event, so both count.
    """
    if curve.start is None or curve.from_first:
        return None
    span = float(getattr(scenario, "horizon", t[-1] if len(t) else 0.0))
    lo = curve.start - EVENT_LAG * span
    hi = min(curve.end if curve.end is not None else curve.start, curve.start + EVENT_LAG * span)
    near = [ev for ev in getattr(scenario, "events", ()) if lo <= ev.at <= hi and ev.at > 0]
    if not near:
        return None
    ev = min(near, key=lambda e: abs(e.at - curve.start))
    return float(ev.at), ev.title


def _loads(steps: pd.DataFrame, scenario: Any) -> list[Load]:
    peaks = _peak_offered(scenario)
    out = []
    for step in scenario.steps:
        rows = steps[steps["step"] == step.id]
        if rows.empty:
            continue
        offered, since = peaks.get(step.id, (None, None))
        out.append(Load(step.id, mean_ci(rows["utilization"], bounds=bounds_of("utilization")),
                        offered, since))
    return out


def _phases(scenario: Any) -> list[Any]:
    """Offered loads per period between interventions, or none when they cannot be solved."""
    try:
        return traffic.phases(scenario)
    except ValueError:  # a loop the equations cannot solve: no paper load to compare with
        return []


def _peak_offered(scenario: Any) -> dict[str, tuple[float, float]]:
    """Highest offered load per step over the periods, with the start of that period."""
    peaks: dict[str, tuple[float, float]] = {}
    for phase in _phases(scenario):
        for item in phase.loads:
            if item.step not in peaks or item.rho > peaks[item.step][0]:
                peaks[item.step] = (float(item.rho), float(phase.start))
    return peaks


def _expected_arrivals(scenario: Any) -> dict[str, float]:
    """Cases each step would receive in the window if nothing upstream held them back."""
    warmup = float(getattr(scenario, "warmup", 0.0) or 0.0)
    expected: dict[str, float] = {}
    for phase in _phases(scenario):
        overlap = max(0.0, min(phase.end, scenario.horizon) - max(phase.start, warmup))
        for item in phase.loads:
            expected[item.step] = expected.get(item.step, 0.0) + item.arrival_rate * overlap
    return expected


def _downstream(scenario: Any, step_id: str) -> set[str]:
    """Steps a case can reach after ``step_id`` (routes of the file and of its events)."""
    routes: dict[str, set[str]] = {}
    for s in scenario.steps:
        routes.setdefault(s.id, set()).update(r.to for r in s.routes)
    for ev in getattr(scenario, "events", ()):
        for ch in ev.changes:
            if ch.attribute == "routes" and ch.value:
                routes.setdefault(ch.target, set()).update(r.to for r in ch.value)
    seen: set[str] = set()
    todo = list(routes.get(step_id, ()))
    while todo:
        nxt = todo.pop()
        if nxt in seen or nxt not in routes:
            continue
        seen.add(nxt)
        todo.extend(routes[nxt])
    seen.discard(step_id)
    return seen


def _shielded(steps: pd.DataFrame, scenario: Any, growing: list[str]) -> tuple[Shield, ...]:
    if not growing:
        return ()
    expected = _expected_arrivals(scenario)
    out = []
    for step in scenario.steps:
        upstream = tuple(g for g in growing if step.id in _downstream(scenario, g))
        if not upstream or step.id in growing or expected.get(step.id, 0.0) <= 0:
            continue
        actual = mean_ci(steps.loc[steps["step"] == step.id, "arrivals"],
                         bounds=bounds_of("arrivals"))
        top = actual.high if has_interval(actual) else actual.mean
        if actual.mean < (1 - SHIELD_DROP) * expected[step.id] and top < expected[step.id]:
            out.append(Shield(step.id, upstream, expected[step.id], actual))
    return tuple(out)
