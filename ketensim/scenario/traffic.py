"""Traffic equations: how much work reaches each step, and whether it can keep up.

For an open network the long-run arrival rate at each step solves
``lambda = gamma + P^T lambda``: outside inflow ``gamma`` plus what the other
steps send on (routing matrix ``P``). The offered load of a step is then
``rho = lambda * mean service / capacity``; at ``rho >= 1`` no amount of
waiting helps, the backlog grows for as long as the situation lasts. This is
the figure ``ketensim check`` shows before anything is simulated, and the
yardstick the tests hold the engine against (Jackson networks).

Each case type is solved on its own (it may have its own routes and service
at a step) and the loads are added. Rework (a hand-over sent back) and
re-entry after leaving are feedback flows like any other. Patterns that vary
within a period (arrival schedules and seasons, capacity plans) are averaged
over the period; working calendars scale capacity by their open share.
Losses (full buffers, deadlines, dismissals) are not subtracted: the load is
what is *offered*, which is what a capacity planner needs.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ketensim.scenario import calendars
from ketensim.scenario.model import EXIT, Arrival, Calendar, Event, Route, Scenario, Step
from ketensim.scenario.network import TrappedError, solve


@dataclass(frozen=True)
class StepLoad:
    """The long-run picture of one step in one period.

    Attributes:
        step: step id.
        partner: id of the partner that owns the step.
        arrival_rate: cases arriving per time unit (lambda), all case types.
        capacity: servers at the start of the period, as set in the file or by events.
        available: servers on average available in the period (calendars and plans applied).
        mean_service: work per case in time units, averaged over case types by their flow
            (per-case share of a session for steps with sessions).
        rho: offered load; ``inf`` when work arrives at a step without capacity.
        visits: expected visits per case entering the chain (above 1 with loops).
    """

    step: str
    partner: str
    arrival_rate: float
    capacity: int
    available: float
    mean_service: float
    rho: float
    visits: float

    @property
    def overloaded(self) -> bool:
        """True when the step cannot keep up, even with unlimited waiting room."""
        return self.rho >= 1.0


@dataclass(frozen=True)
class PoolLoad:
    """Staff shared by several steps: the work of all its steps against its servers.

    A step can look fine on its own and still wait for a pool that its
    neighbours keep busy; this is the figure that shows it.
    """

    pool: str
    partner: str
    steps: tuple[str, ...]
    capacity: int
    available: float
    rho: float

    @property
    def overloaded(self) -> bool:
        return self.rho >= 1.0


@dataclass(frozen=True)
class Phase:
    """A period between interventions, with the loads that hold in it.

    Attributes:
        start: time the period begins (0 for the first).
        end: time it ends (the next event, or the horizon).
        events: the events that open the period (empty for the first, unless some happen at 0).
        loads: one entry per step, in scenario order.
        pools: one entry per shared staff pool, in scenario order.
        unchanged: the loads of the same period had no intervention happened (the file's
            own inflow profile, calendars and plans): loads before and after an intervention
            compare like with like only within one period, since a season moves them too.
    """

    start: float
    end: float
    events: tuple[Event, ...]
    loads: tuple[StepLoad, ...]
    pools: tuple[PoolLoad, ...] = ()
    unchanged: tuple[StepLoad, ...] = ()

    def load(self, step_id: str) -> StepLoad:
        """The load of one step in this period."""
        for item in self.loads:
            if item.step == step_id:
                return item
        raise KeyError(step_id)

    def load_without_events(self, step_id: str) -> StepLoad | None:
        """The load of one step in this period without any intervention (None when the step
        exists only through an intervention)."""
        return next((item for item in self.unchanged if item.step == step_id), None)

    @property
    def overloaded(self) -> tuple[str, ...]:
        """Ids of the steps with offered load >= 1 in this period."""
        return tuple(item.step for item in self.loads if item.overloaded)


SUSPECT_LOAD = 10.0  # ten times more work than capacity: far more often a typo than a plan


def suspect_loads(phases: Sequence[Phase]) -> list[tuple[str, float, float]]:
    """Steps whose load is so high that a unit mistake is the likelier story.

    A yearly inflow typed as a daily rate, or a handling time in hours in a
    file that counts in days, gives loads of 50 or 300; a real overload of a
    keten is rarely more than two or three. Returns (step, load, from when)
    for the first period in which each such step passes :data:`SUSPECT_LOAD`.
    """
    found: dict[str, tuple[str, float, float]] = {}
    for phase in phases:
        for item in phase.loads:
            if item.rho >= SUSPECT_LOAD and item.step not in found:
                found[item.step] = (item.step, item.rho, phase.start)
    return list(found.values())


def expected_visits(scenario: Scenario, phases_: Sequence[Phase] | None = None) -> float:
    """Visits to steps one replication is expected to handle: the work a run takes.

    The sum over periods and steps of arrival rate times the period's length,
    so a typo (a rate of 1e8) shows as an absurd number before anything runs.
    """
    found = phases_ if phases_ is not None else phases(scenario)
    total = 0.0
    for phase in found:
        length = max(0.0, phase.end - phase.start)
        total += sum(item.arrival_rate for item in phase.loads) * length
    backlog = sum((s.backlog.queue + s.backlog.in_service) for s in scenario.steps if s.backlog)
    return total + backlog


def offered_loads(scenario: Scenario) -> tuple[StepLoad, ...]:
    """Loads of every step as the scenario stands, averaged over the whole horizon.

    Events are not applied; use :func:`phases` for the periods between them.

    Raises:
        ValueError: when cases can enter a loop they can never leave.
    """
    return _loads(scenario, 0.0, scenario.horizon, {})


def phases(scenario: Scenario) -> list[Phase]:
    """Loads per period: from the start, and again from each event time on.

    Events are applied cumulatively, in time order; events at the same time open
    one period together, and events at or after the horizon never happen.

    Raises:
        ValueError: when cases can enter a loop they can never leave.
    """
    horizon = scenario.horizon
    by_time: dict[float, list[Event]] = {0.0: []}
    for event in scenario.events:  # grouped once: the work grows with the events, not squared
        if event.at < horizon:
            by_time.setdefault(max(0.0, event.at), []).append(event)
    times = sorted(by_time)
    current = scenario
    set_at: dict[str, float] = {}
    out: list[Phase] = []
    for k, start in enumerate(times):
        end = times[k + 1] if k + 1 < len(times) else horizon
        opening = tuple(by_time[start])
        for event in opening:
            current = current.apply(event.changes)
            for change in event.changes:
                set_at[change.key] = start
        loads = _loads(current, start, end, set_at)
        unchanged = loads if current is scenario else _loads(scenario, start, end, {})
        out.append(Phase(start, end, opening, loads, pool_loads(current, loads), unchanged))
    return out



def pool_loads(scenario: Scenario, loads: tuple[StepLoad, ...]) -> tuple[PoolLoad, ...]:
    """Offered load of every shared pool, from its steps' loads in the same period."""
    by_step = {x.step: x for x in loads}
    out = []
    for pool in scenario.pools:
        work = sum(by_step[s].arrival_rate * by_step[s].mean_service
                   for s in pool.steps if s in by_step)
        cal = _partner_calendar(scenario, pool.partner)
        available = pool.capacity * (calendars.working_fraction(cal) if cal else 1.0)
        rho = 0.0 if work <= 0 else (math.inf if available <= 0 else work / available)
        out.append(PoolLoad(pool.id, pool.partner, tuple(pool.steps), pool.capacity,
                            available, float(rho)))
    return tuple(out)


def arrival_rates(scenario: Scenario) -> dict[str, float]:
    """Long-run arrival rate per step id (lambda), all case types together."""
    return {item.step: item.arrival_rate for item in offered_loads(scenario)}


def visit_ratios(scenario: Scenario) -> dict[str, float]:
    """Expected visits per entering case, per step id (NaN when nothing enters)."""
    return {item.step: item.visits for item in offered_loads(scenario)}


# -- one period -------------------------------------------------------------------


def _loads(
    scenario: Scenario, start: float, end: float, set_at: dict[str, float]
) -> tuple[StepLoad, ...]:
    steps = scenario.steps
    index = {s.id: i for i, s in enumerate(steps)}
    types = sorted({a.case_type for a in scenario.arrivals})
    total_in = 0.0
    lam_total = np.zeros(len(steps))
    work = np.zeros(len(steps))
    for case_type in types:
        gamma = np.zeros(len(steps))
        for arrival in scenario.arrivals:
            if arrival.case_type == case_type:
                gamma[index[arrival.to]] += _arrival_rate(arrival, scenario, start, end, set_at)
        total_in += gamma.sum()
        try:
            lam = solve(gamma, _routing(steps, index, case_type))
        except TrappedError as exc:
            trapped = [steps[i].id for i in exc.nodes]
            raise ValueError(_trapped_message(trapped, case_type)) from None
        lam_total += lam
        work += lam * np.array([_work(s, case_type) for s in steps])
    return tuple(
        _step_load(scenario, s, lam_total[i], work[i], total_in, start, end, set_at)
        for i, s in enumerate(steps)
    )


def _step_load(
    scenario: Scenario, step: Step, lam: float, work: float, total_in: float,
    start: float, end: float, set_at: dict[str, float],
) -> StepLoad:
    available = _available(scenario, step, start, end, set_at)
    mean = work / lam if lam > 0 else _work(step, None)
    if work <= 0:
        rho = 0.0
    elif available <= 0:
        rho = math.inf
    else:
        rho = work / available
    return StepLoad(
        step=step.id, partner=step.partner, arrival_rate=float(lam), capacity=step.capacity,
        available=available, mean_service=float(mean), rho=float(rho),
        visits=float(lam / total_in) if total_in > 0 else math.nan,
    )


def _trapped_message(step_ids: list[str], case_type: str) -> str:
    which = ", ".join(step_ids)
    kind = "" if case_type == "case" else f" of type {case_type!r}"
    return (
        f"cases{kind} that reach step(s) {which} can never leave the chain: every route from "
        "there leads back into the loop (add a route to exit)"
    )


def _routes(step: Step, case_type: str | None) -> tuple[Route, ...]:
    rule = step.rule(case_type) if case_type is not None else None
    if rule is not None and rule.routes is not None:
        return rule.routes or (Route(EXIT, 1.0),)
    return step.effective_routes


def _routing(steps: tuple[Step, ...], index: dict[str, int],
             case_type: str) -> sparse.csr_matrix:
    """Routing matrix of one case type, rework and re-entry included as feedback (sparse)."""
    n = len(steps)
    rows: list[int] = []
    cols: list[int] = []
    chances: list[float] = []

    def add(i: int, j: int, p: float) -> None:
        rows.append(i)
        cols.append(j)
        chances.append(p)

    for i, step in enumerate(steps):
        for route in _routes(step, case_type):
            if route.p <= 0:
                continue
            if route.is_exit:
                if route.reenter is not None and route.reenter.to in index:
                    add(i, index[route.reenter.to], route.p * route.reenter.p)
            elif route.to in index:
                add(i, index[route.to], route.p * (1 - route.returned))
                add(i, i, route.p * route.returned)
    return sparse.csr_matrix((chances, (rows, cols)), shape=(n, n))  # duplicates add up


def _work(step: Step, case_type: str | None) -> float:
    """Server time one case takes at a step (its share of a session with sessions)."""
    if step.sessions is not None:
        plan = step.sessions
        return max(plan.every, plan.duration.mean) / plan.size
    rule = step.rule(case_type) if case_type is not None else None
    service = rule.service if rule is not None and rule.service is not None else step.service
    return float(service.mean)


# -- rates and capacities averaged over a period ------------------------------------


def _arrival_rate(
    arrival: Arrival, scenario: Scenario, start: float, end: float, set_at: dict[str, float]
) -> float:
    if arrival.times is not None:
        if end <= start:
            return 0.0
        moments = _sorted_times(arrival.times)
        return (bisect.bisect_left(moments, end) - bisect.bisect_left(moments, start)) \
            / (end - start)
    since = set_at.get(f"arrival.{arrival.id}.rate", -math.inf)
    unit = calendars.units_per_day(scenario.time_unit) * calendars.DAYS_PER_MONTH
    cuts = {start, end} | {t for t, _ in arrival.schedule if start < t < end}
    day = calendars.units_per_day(scenario.time_unit)
    for used, length in ((arrival.season, unit), (arrival.week, day)):
        if used:
            k = math.floor(start / length) + 1
            while k * length < end:
                cuts.add(k * length)
                k += 1
    points = sorted(cuts)

    def rate_at(t: float) -> float:
        base = _latest(arrival.rate, since, arrival.schedule, t)
        return base * calendars.pattern_factor(arrival, t, unit, day)

    rate = _average(rate_at, points)
    batch = max(1.0, arrival.batch.mean) if arrival.batch is not None else 1.0
    return rate * batch


@functools.lru_cache(maxsize=64)
def _sorted_times(times: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(sorted(times))


def _available(
    scenario: Scenario, step: Step, start: float, end: float, set_at: dict[str, float]
) -> float:
    cal = _calendar(scenario, step)
    if cal is None:
        return float(step.capacity)
    since = set_at.get(f"step.{step.id}.capacity", -math.inf)
    points = sorted({start, end} | {t for t, _ in cal.plan if start < t < end})
    mean_cap = _average(lambda t: _latest(step.capacity, since, cal.plan, t), points)
    if step.sessions is not None:
        return mean_cap * _sessions_held(scenario, step, cal)
    return mean_cap * calendars.working_fraction(cal)


def _sessions_held(scenario: Scenario, step: Step, cal: Calendar) -> float:
    """Share of a step's session moments that fall in working time.

    A session is held whole when it starts in working time, so what counts is
    how many session moments are open (weekdays, holidays), not the share of
    open hours.
    """
    plan = step.sessions
    assert plan is not None
    horizon = scenario.horizon
    moments = [plan.offset + k * plan.every for k in range(10_000)]
    moments = [t for t in moments if t < horizon]
    if not moments:
        return 0.0
    open_ = calendars.open_intervals(cal, horizon, scenario.time_unit)
    held = sum(1 for t in moments if any(a <= t < b for a, b in open_))
    return held / len(moments)


def _calendar(scenario: Scenario, step: Step) -> Calendar | None:
    if step.calendar is None:
        return _partner_calendar(scenario, step.partner)
    return next((c for c in scenario.calendars if c.id == step.calendar), None)


def _partner_calendar(scenario: Scenario, partner_id: str) -> Calendar | None:
    try:
        name = scenario.partner(partner_id).calendar
    except KeyError:
        return None
    return next((c for c in scenario.calendars if c.id == name), None)


def _latest(value: float, since: float, entries: tuple, t: float) -> float:
    """The value in force at ``t``: a plan entry made after the last event's setting wins."""
    out = value
    last = since
    for when, planned in sorted(entries):
        if last < when <= t + 1e-12:
            out, last = planned, when
    return float(out)


def _average(fn: Callable[[float], float], points: list[float]) -> float:
    """Time-average of a piecewise-constant function given its break points."""
    if len(points) < 2 or points[-1] <= points[0]:
        return float(fn(points[0]))
    total = sum(fn(a) * (b - a) for a, b in itertools.pairwise(points))
    return total / (points[-1] - points[0])
