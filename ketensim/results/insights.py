"""The plain-words verdict a policy maker reads first, in numbers.

Tables answer questions the reader already has; these findings tell him which
question matters, and every one is taken from what the simulation did, never
from the paper load alone. For every queue the run has (each step, the door
of a cap on work in progress, each shared pool) the curves of all
replications are read (:mod:`.judgement`): growing, cleared, swinging,
shrinking, settled or stable, and held down by losses where cases give up,
are dismissed or turned away. Damage that is no pile (blocking, diversion,
rejection, long waits on a high level) is a finding of its own
(:mod:`.damage`), as is what each partner holds. The paper load of ``check``
is kept as context: it says why a step is under pressure, the run says what
came of it. Pure pandas/NumPy; the wording lives in
:mod:`ketensim.present.words.verdict`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ketensim.results.damage import (
    Damage,
    Losses,
    PartnerFigures,
    Plateau,
    damage_of,
    losses_at,
    partner_figures,
    plateaus_of,
)
from ketensim.results.judgement import Reading, read_curve
from ketensim.results.norms import Judgement, judge
from ketensim.results.stats import Interval as Estimate
from ketensim.results.stats import bounds_of, has_interval, mean_ci
from ketensim.scenario import traffic

__all__ = [
    "Damage", "Estimate", "Findings", "Load", "Losses", "NormFinding", "PartnerFigures",
    "Plateau", "QueueFinding", "Shield", "analyse", "has_interval", "mean_ci", "queue_findings",
]

SHIELD_DROP = 0.05  # a step gets at least this share less than offered before we call it shielded
EVENT_LAG = 0.25  # an event this share of the horizon before a change is named as its trigger
EVENT_AHEAD = 0.05  # a fitted start may land this share before its event (a sudden jump)
ABRUPT = 0.08  # a change done within this share of the time is a jump, not a drift
BOUNDED = 0.05  # losses of at least this share of the arrivals hold a queue down


@dataclass(frozen=True)
class Load:
    """How busy a step is: measured utilisation and, when known, offered load on paper."""

    step: str
    utilization: Estimate
    offered: float | None = None
    offered_from: float | None = None  # start of the period with the highest offered load


@dataclass(frozen=True)
class QueueFinding:
    """What one queue did: a step's werkvoorraad, the door of a WIP cap, or a shared pool.

    Attributes:
        queue: the step or pool id ("" for the door of the chain).
        kind: ``step``, ``door`` or ``pool``.
        reading: what the curves did (:class:`ketensim.results.judgement.Reading`).
        status: the reading's status, or ``bounded`` when losses hold a level queue down.
        event: (time, title) of the intervention that most likely set the state at the end off.
        losses: cases lost at the step (None when below :data:`BOUNDED` or not a step).
        paper: the offered load on paper, when it reaches 1 somewhere (context only).
        steps: the steps of a pool (empty otherwise).
        steered: the kind of steering policy that moves the step's capacity, if any
            (``follow_inflow`` or ``flex_pool``).
    """

    queue: str
    kind: str
    reading: Reading
    status: str
    event: tuple[float, str] | None = None
    losses: Losses | None = None
    paper: Load | None = None
    steps: tuple[str, ...] = ()
    steered: str | None = None

    @property
    def step(self) -> str:
        return self.queue

    @property
    def abrupt(self) -> bool:
        """The change was over quickly: a jump to a new level rather than a steady drift."""
        r = self.reading
        moved = [s for s in r.stretches if s.direction != "flat"]
        if self.status not in ("settled", "shrinking") or not moved or r.since is None:
            return False
        last = moved[-1]
        return last.end - last.start <= ABRUPT * max(last.end, 1.0)


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

    norm: Any  # ketensim.scenario.model.Norm
    share: Estimate
    met: Judgement


@dataclass(frozen=True)
class Findings:
    """Everything the summary of a run says, in numbers."""

    queues: tuple[QueueFinding, ...]
    lead_time: Estimate | None = None
    p50_lead_time: Estimate | None = None
    p90_lead_time: Estimate | None = None
    wip_at_end: Estimate | None = None
    busiest: Load | None = None
    overloaded: tuple[Load, ...] = ()
    shielded: tuple[Shield, ...] = ()
    replications: int = 1
    norms: tuple[NormFinding, ...] = ()
    damage: tuple[Damage, ...] = ()
    plateaus: tuple[Plateau, ...] = ()
    partners: tuple[PartnerFigures, ...] = ()
    waits: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # per step:
    # mean wait of started cases, age of those still waiting, wait ahead of a newcomer

    @property
    def steps(self) -> tuple[QueueFinding, ...]:
        return tuple(q for q in self.queues if q.kind == "step")

    @property
    def backing_up(self) -> tuple[QueueFinding, ...]:
        """Queues still growing at the end (steps, the door, pools)."""
        return tuple(q for q in self.queues if q.status == "growing")

    def queue(self, queue_id: str, kind: str = "step") -> QueueFinding | None:
        return next((q for q in self.queues if q.queue == queue_id and q.kind == kind), None)


def analyse(results: Any) -> Findings:
    """All findings of one run (a ``Results``, or anything with its attributes).

    Args:
        results: has ``scenario`` and the DataFrames ``steps``, ``chain`` and
            ``timeseries`` (and, when present, ``partners`` and ``door``).
    """
    scenario = results.scenario
    chain = results.chain
    loads = _loads(results.steps, scenario)
    queues = queue_findings(results, loads)
    piling = [q.queue for q in queues if q.kind == "step" and q.status in ("growing", "settled")]

    def est(column: str) -> Estimate | None:
        return mean_ci(chain[column], bounds=bounds_of(column)) \
            if column in chain and len(chain) else None

    return Findings(
        queues=queues,
        lead_time=est("mean_lead_time"),
        p50_lead_time=est("p50_lead_time"),
        p90_lead_time=est("p90_lead_time"),
        wip_at_end=est("wip_at_end"),
        busiest=max(loads, key=lambda ld: _finite(ld.utilization.mean), default=None),
        overloaded=tuple(ld for ld in loads if ld.offered is not None and ld.offered >= 1),
        shielded=_shielded(results.steps, scenario, piling),
        replications=int(getattr(results, "replications", 0) or results.steps["replication"]
                          .nunique()),
        norms=_norm_findings(results),
        damage=damage_of(results),
        plateaus=plateaus_of(results, queues),
        partners=partner_figures(results),
        waits=_waits(results),
    )


def queue_findings(results: Any, loads: list[Load] | None = None) -> tuple[QueueFinding, ...]:
    """Every queue of the run read from its curves: steps, the door of a WIP cap, pools."""
    scenario = results.scenario
    warmup = float(getattr(scenario, "warmup", 0.0) or 0.0)
    paper = {ld.step: ld for ld in (loads if loads is not None else _loads(results.steps,
                                                                            scenario))}
    out = []
    series = results.timeseries
    for step in scenario.steps:
        t, q = _curves(series[series["step"] == step.id], "queue")
        if not t.size:
            continue
        reading = read_curve(t, q, since=warmup)
        losses = losses_at(results.steps, step.id)
        status = reading.status
        if status in ("stable", "settled", "swinging") and losses is not None \
                and losses.share >= BOUNDED:
            status = "bounded"
        ld = paper.get(step.id)
        out.append(QueueFinding(step.id, "step", reading, status, _cause(scenario, reading, t),
                                losses if losses is not None and losses.share >= BOUNDED
                                else None,
                                ld if ld is not None and (ld.offered or 0) >= 1 else None,
                                steered=_steered(scenario, step.id)))
    door = getattr(results, "door", None)
    if door is not None and not door.empty:
        t, q = _curves(door, "outside")
        reading = read_curve(t, q, since=warmup)
        out.append(QueueFinding("", "door", reading, reading.status,
                                _cause(scenario, reading, t)))
    for pool in getattr(scenario, "pools", ()):
        rows = series[series["step"].isin(pool.steps)]
        t, q = _curves(rows.groupby(["replication", "t"], as_index=False)["queue"].sum(),
                       "queue")
        if t.size:
            reading = read_curve(t, q, since=warmup)
            out.append(QueueFinding(pool.id, "pool", reading, reading.status,
                                    _cause(scenario, reading, t), steps=tuple(pool.steps)))
    return tuple(out)


def _steered(scenario: Any, step_id: str) -> str | None:
    """The steering policy that moves a step's capacity during the run, if one does."""
    for policy in getattr(scenario, "policies", ()):
        if (policy.kind == "follow_inflow" and policy.step == step_id) or (
                policy.kind == "flex_pool" and step_id in policy.steps):
            return str(policy.kind)
    return None


def _curves(rows: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Sample times and one column per replication (missing samples carried forward)."""
    if rows.empty:
        return np.empty(0), np.empty((0, 0))
    wide = rows.pivot_table(index="t", columns="replication", values=column, aggfunc="mean")
    wide = wide.sort_index().ffill().fillna(0.0)
    return wide.index.to_numpy(dtype=float), wide.to_numpy(dtype=float)


def _waits(results: Any) -> dict[str, tuple[float, float, float]]:
    """Per step: mean wait of started cases, and the two waits of cases still waiting."""
    out = {}
    steps = results.steps
    for step in results.scenario.steps:
        rows = steps[steps["step"] == step.id]
        if rows.empty:
            continue

        def mean(column: str, rows: pd.DataFrame = rows) -> float:
            if column not in rows:
                return math.nan
            values = pd.to_numeric(rows[column], errors="coerce").dropna()
            return float(values.mean()) if len(values) else math.nan

        out[step.id] = (mean("mean_wait"), mean("waiting_age_at_end"),
                        mean("wait_ahead_at_end"))
    return out


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


def _cause(scenario: Any, reading: Reading, t: np.ndarray) -> tuple[float, str] | None:
    """The intervention closest to the start of the state at the end: before it, or within.

    A backlog may start to grow well after the event that set it off (servers
    first fill up), and the fitted start of a sudden jump can land a little
    before its event, so both count; a growth that began well before an event
    was not set off by it.
    """
    if reading.since is None:
        return None
    span = float(getattr(scenario, "horizon", t[-1] if len(t) else 0.0))
    lo = reading.since - EVENT_LAG * span
    hi = reading.since + EVENT_AHEAD * span  # growth that began well before an event: not its
    near = [ev for ev in getattr(scenario, "events", ()) if lo <= ev.at <= hi and ev.at > 0]
    if not near or reading.since <= (t[0] if len(t) else 0.0) + 1e-9:
        return None
    ev = min(near, key=lambda e: abs(e.at - reading.since))  # type: ignore[operator]
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


def downstream(scenario: Any, step_id: str) -> set[str]:
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
        upstream = tuple(g for g in growing if step.id in downstream(scenario, g))
        if not upstream or step.id in growing or expected.get(step.id, 0.0) <= 0:
            continue
        actual = mean_ci(steps.loc[steps["step"] == step.id, "arrivals"],
                         bounds=bounds_of("arrivals"))
        top = actual.high if has_interval(actual) else actual.mean
        if actual.mean < (1 - SHIELD_DROP) * expected[step.id] and top < expected[step.id]:
            out.append(Shield(step.id, upstream, expected[step.id], actual))
    return tuple(out)
