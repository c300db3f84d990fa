"""Running one replication: set the chain going, replay the calendar, take the records."""

from __future__ import annotations

import gc
import math
from collections.abc import Generator
from typing import Any

import numpy as np
from simpy.core import Environment
from simpy.events import URGENT, Event

from ketensim.engine.core import Chain
from ketensim.engine.fastpath import run_fast
from ketensim.engine.plain import Tie, plain_reason
from ketensim.engine.policies import start_policies
from ketensim.engine.pools import PoolRuntime
from ketensim.engine.records import ReplicationRecord, StepRecord
from ketensim.engine.sessions import SessionStation
from ketensim.engine.station import Station
from ketensim.engine.visits import VisitLog
from ketensim.engine.window import counted
from ketensim.scenario.calendars import open_intervals
from ketensim.scenario.model import Calendar, Scenario


def sample_times(horizon: float, every: float) -> np.ndarray:
    """Sample moments 0, every, 2*every, ... up to and including the horizon."""
    n = math.floor(horizon / every + 1e-9) + 1
    return np.arange(n, dtype=float) * every


def run_replication(
    scenario: Scenario, replication: int, seed: int, sample_every: float = 1.0,
    fast: bool = True, events: str | None = None,
) -> ReplicationRecord:
    """Simulate one replication and return its records.

    A plain chain (:func:`ketensim.engine.fastpath.plain_reason`) is computed
    by the exact fast path, which gives the same record bit for bit; where two
    moments coincide and only the event list can order them, it falls back
    to the simulation.

    Args:
        scenario: the validated chain.
        replication: index of the replication (part of every stream's seed).
        seed: the run's seed.
        sample_every: time between timeseries samples, in the scenario's time unit.
        fast: use the fast path where it applies (False: always simulate).
        events: a folder to stream the replication's event log to
            (:mod:`ketensim.engine.visits`); None keeps no log.
    """
    times = sample_times(scenario.horizon, sample_every)
    log = None if events is None else VisitLog(
        events, replication, [s.id for s in scenario.steps], list(scenario.outcomes))
    if fast and plain_reason(scenario) is None:
        try:
            return run_fast(scenario, replication, seed, times, log)
        except Tie:
            if log is not None:
                log.reset()
    return simulate_replication(scenario, replication, seed, times, log)


def simulate_replication(scenario: Scenario, replication: int, seed: int,
                         times: np.ndarray, log: VisitLog | None = None) -> ReplicationRecord:
    """One replication by discrete-event simulation in SimPy (every mechanism)."""
    chain = Chain(scenario, replication, seed, log)
    env = chain.env
    queue = np.zeros((len(chain.stations), len(times)), dtype=np.int64)
    busy = np.zeros_like(queue)
    capacity = np.zeros_like(queue)
    arrived = np.zeros_like(queue)
    left = np.zeros_like(queue)
    outside = np.zeros(len(times), dtype=np.int64)
    samples = (queue, busy, capacity, arrived, left, outside)

    if scenario.warmup > 0:
        _at(env, scenario.warmup, chain.reset_statistics)
    _start_calendars(chain)
    env.process(_interventions(env, chain))
    env.process(_sampler(env, chain, times, samples))
    start_policies(chain)
    chain.seed_backlog()
    for source in chain.sources.values():
        source.start()
    for station in chain.stations.values():
        if isinstance(station, SessionStation):
            station.start()
    # What exists now lives through the run: keep the collector from scanning it again and
    # again while the run makes and drops its short-lived events (about 10% faster).
    gc.freeze()
    try:
        env.run(until=scenario.horizon)
    finally:
        gc.unfreeze()
    if log is not None:
        log.finish(list(chain.case_types), chain.case_type)
    return _record(chain, replication, times, samples)


def _at(env: Environment, when: float, callback: Any) -> None:
    """Call ``callback`` at ``when``, before anything else due at that moment."""
    event = Event(env)
    event._ok = True
    event._value = None
    event.callbacks.append(callback)
    env.schedule(event, URGENT, when - env.now)


def _interventions(env: Environment, chain: Chain) -> Generator[Event, Any, None]:
    for event in chain.scenario.events:
        if event.at > env.now:
            yield env.timeout(event.at - env.now)
        for change in event.changes:
            chain.apply(change)


def _calendar_of(chain: Chain, step_id: str) -> Calendar | None:
    scenario = chain.scenario
    step = scenario.step(step_id)
    name = step.calendar or scenario.partner(step.partner).calendar
    if name is None:
        return None
    return next(c for c in scenario.calendars if c.id == name)


def _start_calendars(chain: Chain) -> None:
    """Replay working time as the step closing and opening, and the capacity plan as changes."""
    horizon = chain.scenario.horizon
    for station in chain.stations.values():
        cal = _calendar_of(chain, station.id)
        if cal is None:
            continue
        for t, capacity in cal.plan:
            if t <= 0:
                station.nominal = station.capacity = capacity
            elif t < horizon:
                _at(chain.env, t, lambda _e, s=station, c=capacity: s.set_capacity(c))
        intervals = open_intervals(cal, horizon, chain.scenario.time_unit)
        if intervals == [(0.0, horizon)]:
            continue
        station.open = False
        station.capacity = 0
        for start, end in intervals:
            _at(chain.env, start, lambda _e, s=station: s.set_open(True))
            if end < horizon:
                _at(chain.env, end, lambda _e, s=station: s.set_open(False))


def _closed_pools(chain: Chain) -> list[PoolRuntime]:
    for pool in chain.pools.values():
        pool.advance(chain.scenario.horizon)
    return list(chain.pools.values())


def _sampler(
    env: Environment, chain: Chain, times: np.ndarray, samples: tuple[np.ndarray, ...]
) -> Generator[Event, Any, None]:
    for k, t in enumerate(times):
        if t >= chain.scenario.horizon:
            return  # the reading at the horizon is taken after the run
        if t > env.now:
            yield env.timeout(t - env.now)
        _read(chain, samples, k)


def _read(chain: Chain, samples: tuple[np.ndarray, ...], k: int) -> None:
    """Take sample ``k``: levels per step, the cumulative flow and the queue at the door."""
    queue, busy, capacity, arrived, left, outside = samples
    for i, st in enumerate(chain.stations.values()):
        queue[i, k] = st.nq
        busy[i, k] = st.busy
        capacity[i, k] = st.capacity
        taken_in = st.arrivals_before + st.arrivals + st.uncounted
        arrived[i, k] = taken_in
        left[i, k] = taken_in - st.nq - st.holding
    outside[k] = len(chain.outside)


def _record(
    chain: Chain, replication: int, times: np.ndarray, samples: tuple[np.ndarray, ...]
) -> ReplicationRecord:
    scenario = chain.scenario
    queue, busy, capacity, arrived, left, outside = samples
    horizon = scenario.horizon
    steps = []
    for st in chain.stations.values():
        st.advance(horizon)
        steps.append(_step_record(st))
    if times.size and times[-1] >= horizon - 1e-9:
        _read(chain, samples, len(times) - 1)
    chain._advance_outside()
    return ReplicationRecord(
        replication=replication,
        warmup=scenario.warmup,
        horizon=horizon,
        steps=steps,
        cases_in=chain.cases_in,
        cases_out=chain.cases_out,
        lead_times=np.frombuffer(chain.lead_times, dtype=float),
        outcomes=dict(zip(chain.outcome_index, chain.outcome_counts, strict=True)),
        wip_at_end=chain.in_chain + len(chain.outside),
        sample_times=times,
        queue_samples=queue,
        busy_samples=busy,
        reentries=chain.reentries,
        backlog_lead_times=np.frombuffer(chain.backlog_lead, dtype=float),
        outside_area=chain.outside_area,
        outside_at_end=len(chain.outside),
        deadlock=chain.deadlock,
        case_types=tuple(chain.case_types),
        capacity_samples=capacity,
        pools={p.id: (p.b_area, p.c_area) for p in _closed_pools(chain)},
        lead_entered=np.frombuffer(chain.lead_entered, dtype=float),
        entered=_entered_in_window(chain),
        arrived_samples=arrived,
        left_samples=left,
        outside_samples=outside,
        partners=chain.book.finish(horizon),
    )


def _step_record(st: Station) -> StepRecord:
    """One station's tallies at the horizon, copied out of the engine's arrays."""
    return StepRecord(
        step=st.id,
        arrivals=st.arrivals,
        completions=st.completions,
        waits=np.frombuffer(st.waits, dtype=float),
        queue_area=st.q_area,
        busy_area=st.b_area,
        capacity_area=st.c_area,
        max_queue=st.max_queue,
        queue_at_end=st.nq,
        in_service_at_end=st.busy,
        blocked_area=st.blocked_area,
        rejected=st.rejected,
        diverted=st.diverted,
        reneged=st.reneged,
        dismissed=st.dismissed,
        returned=st.returned,
        at_door_end=st.at_door,
        wait_types=np.frombuffer(st.wait_types, dtype=np.int32),
        late=st.late,
        queued_since=_queued_since(st),
        stock_area=st.stock_area,
    )


def _queued_since(station: Station) -> np.ndarray:
    """Arrival times of the cases still waiting at a step (reneged ones left already)."""
    return np.array([key[1] for queue in station.levels for key in queue
                     if key not in station.gone], dtype=float)


def _entered_in_window(chain: Chain) -> np.ndarray:
    """Entry times of the cases that entered the chain in the window, in case order."""
    entered = np.frombuffer(chain.entered, dtype=float)
    backlog, new = entered[:chain.n_backlog], entered[chain.n_backlog:]
    if not backlog[counted(backlog, chain.warmup)].size:
        # New cases are numbered as they enter, so the window is a tail: a view, no copy.
        return new[int(np.searchsorted(new, chain.warmup, side="left")):]
    return entered[counted(entered, chain.warmup)]
