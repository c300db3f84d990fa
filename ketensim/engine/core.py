"""One replication of a chain: sources, stations, interventions, samples.

The only place where a scenario meets SimPy. Everything random comes from
named streams (``ketensim.streams``), so a replication is a pure function of
(scenario, replication, seed). Per-case data is columnar: a case is an
integer index into arrays, never a Python object.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Generator
from typing import Any

import numpy as np
from simpy.core import Environment
from simpy.events import URGENT, Event, Timeout

from ketensim.distributions import Exponential
from ketensim.engine.sampling import Draws
from ketensim.engine.station import Station
from ketensim.model import Arrival, Change, Scenario
from ketensim.records import ReplicationRecord, StepRecord
from ketensim.streams import stream

_UNIT_EXP = Exponential(1.0)


class Source:
    """A Poisson source whose rate can change at events.

    Inter-arrival times are unit exponentials divided by the rate. On a rate
    change the pending arrival keeps its unspent unit hazard and is moved to
    ``now + left / new_rate``: exact for a Poisson process with a
    piecewise-constant rate, and the stream of unit exponentials stays aligned
    with a scenario that did not change the rate.
    """

    def __init__(self, chain: Chain, arrival: Arrival, draws: Draws):
        self.chain = chain
        self.env = chain.env
        self.target = chain.stations[arrival.to]
        self.case_type = chain.case_type_index(arrival.case_type)
        self.rate = arrival.rate
        self.draws = draws
        self.due = math.inf  # time of the pending arrival
        self.left = 0.0  # unspent unit hazard while the rate is 0
        self.token = 0  # invalidates a pending arrival that a rate change moved

    def start(self) -> None:
        self._plan(self.env.now, self.draws.next())

    def _plan(self, now: float, hazard: float) -> None:
        self.token += 1
        if self.rate > 0:
            self.due = now + hazard / self.rate
            Timeout(self.env, self.due - now, self.token).callbacks.append(self._fire)
        else:
            self.due = math.inf
            self.left = hazard

    def _fire(self, event: Timeout) -> None:
        if event._value != self.token:
            return  # moved by a rate change
        self.chain.enter(self.target, self.case_type)
        self._plan(self.env.now, self.draws.next())

    def set_rate(self, rate: float) -> None:
        now = self.env.now
        left = (self.due - now) * self.rate if self.rate > 0 else self.left
        self.rate = rate
        self._plan(now, left)


class Replay:
    """Arrivals at given moments: real history replayed, or a hand-traced case."""

    def __init__(self, chain: Chain, arrival: Arrival):
        self.chain = chain
        self.env = chain.env
        self.target = chain.stations[arrival.to]
        self.case_type = chain.case_type_index(arrival.case_type)
        self.times = arrival.times or ()
        self.next = 0

    def start(self) -> None:
        self._plan()

    def _plan(self) -> None:
        if self.next < len(self.times):
            delay = max(0.0, self.times[self.next] - self.env.now)
            Timeout(self.env, delay).callbacks.append(self._fire)

    def _fire(self, _event: Timeout) -> None:
        self.next += 1
        self.chain.enter(self.target, self.case_type)
        self._plan()

    def set_rate(self, rate: float) -> None:  # pragma: no cover - the schema forbids it
        raise ValueError("a replayed arrival has no rate to change")


class Chain:
    """The runtime chain of one replication: stations, cases and chain tallies."""

    def __init__(self, scenario: Scenario, replication: int, seed: int):
        self.scenario = scenario
        self.env = Environment()
        self.warmup = scenario.warmup
        self.outcome_index = {name: i for i, name in enumerate(scenario.outcomes)}
        self.case_types: dict[str, int] = {}
        # Per-case columns.
        self.entered: array[float] = array("d")
        self.case_type: array[int] = array("i")
        # Chain tallies over the window.
        self.cases_in = 0
        self.cases_out = 0
        self.in_chain = 0
        self.lead_times: array[float] = array("d")
        self.outcome_counts = [0] * len(self.outcome_index)

        def rng(name: str) -> np.random.Generator:
            return stream(seed, replication, name)

        self.stations: dict[str, Station] = {}
        for step in scenario.steps:
            self.stations[step.id] = Station(
                self, step, Draws(rng(f"service:{step.id}"), step.service),
                Draws(rng(f"route:{step.id}")),
            )
        for step in scenario.steps:
            self.stations[step.id].set_routes(step.effective_routes)
        self.sources: dict[str, Source | Replay] = {
            a.id: Replay(self, a) if a.times is not None
            else Source(self, a, Draws(rng(f"arrival:{a.id}"), _UNIT_EXP))
            for a in scenario.arrivals
        }

    def case_type_index(self, name: str) -> int:
        return self.case_types.setdefault(name, len(self.case_types))

    # -- cases --------------------------------------------------------------
    def enter(self, station: Station, case_type: int) -> None:
        case = len(self.entered)
        self.entered.append(self.env.now)
        self.case_type.append(case_type)
        self.cases_in += 1
        self.in_chain += 1
        station.arrive(case)

    def leave(self, case: int, outcome: int, now: float) -> None:
        self.in_chain -= 1
        self.cases_out += 1
        self.outcome_counts[outcome] += 1
        entered = self.entered[case]
        if entered >= self.warmup:
            self.lead_times.append(now - entered)

    # -- interventions and the window ----------------------------------------
    def apply(self, change: Change) -> None:
        if change.kind == "arrival":
            self.sources[change.target].set_rate(change.value)
            return
        station = self.stations[change.target]
        if change.attribute == "capacity":
            station.set_capacity(change.value)
        elif change.attribute == "service":
            station.set_service(change.value)
        elif change.attribute == "routes":
            station.set_routes(change.value or ())
            if not station.routes:  # pragma: no cover - schema guarantees routes
                raise ValueError(change.key)
        else:  # pragma: no cover - the schema admits no other key
            raise ValueError(f"unknown change {change.key}")

    def reset_statistics(self, _event: Event | None = None) -> None:
        """The warm-up rule, in one place: at ``warmup`` every tally starts afresh."""
        now = self.env.now
        for station in self.stations.values():
            station.reset_statistics(now)
        self.cases_in = self.cases_out = 0
        self.outcome_counts = [0] * len(self.outcome_counts)


def _interventions(env: Environment, chain: Chain) -> Generator[Event, Any, None]:
    for event in chain.scenario.events:
        if event.at > env.now:
            yield env.timeout(event.at - env.now)
        for change in event.changes:
            chain.apply(change)


def _sampler(
    env: Environment, chain: Chain, times: np.ndarray, queue: np.ndarray, busy: np.ndarray
) -> Generator[Event, Any, None]:
    stations = list(chain.stations.values())
    for k, t in enumerate(times):
        if t >= chain.scenario.horizon:
            return  # the reading at the horizon is taken after the run
        if t > env.now:
            yield env.timeout(t - env.now)
        for i, st in enumerate(stations):
            queue[i, k] = len(st.queue)
            busy[i, k] = st.busy


def sample_times(horizon: float, every: float) -> np.ndarray:
    """Sample moments 0, every, 2*every, ... up to and including the horizon."""
    n = int(math.floor(horizon / every + 1e-9)) + 1
    return np.arange(n, dtype=float) * every


def run_replication(
    scenario: Scenario, replication: int, seed: int, sample_every: float = 1.0
) -> ReplicationRecord:
    """Simulate one replication and return its records.

    Args:
        scenario: the validated chain.
        replication: index of the replication (part of every stream's seed).
        seed: the run's seed.
        sample_every: time between timeseries samples, in the scenario's time unit.
    """
    chain = Chain(scenario, replication, seed)
    env = chain.env
    horizon = scenario.horizon
    times = sample_times(horizon, sample_every)
    queue = np.zeros((len(chain.stations), len(times)), dtype=np.int64)
    busy = np.zeros_like(queue)

    if scenario.warmup > 0:
        opening = Event(env)
        opening._ok = True
        opening._value = None
        opening.callbacks.append(chain.reset_statistics)
        env.schedule(opening, URGENT, scenario.warmup)
    env.process(_interventions(env, chain))
    env.process(_sampler(env, chain, times, queue, busy))
    for source in chain.sources.values():
        source.start()
    env.run(until=horizon)
    return _record(chain, replication, times, queue, busy)


def _record(
    chain: Chain, replication: int, times: np.ndarray, queue: np.ndarray, busy: np.ndarray
) -> ReplicationRecord:
    scenario = chain.scenario
    horizon = scenario.horizon
    steps = []
    for i, st in enumerate(chain.stations.values()):
        st.advance(horizon)
        if times.size and times[-1] >= horizon - 1e-9:
            queue[i, -1] = len(st.queue)
            busy[i, -1] = st.busy
        steps.append(
            StepRecord(
                step=st.id,
                arrivals=st.arrivals,
                completions=st.completions,
                waits=np.frombuffer(st.waits, dtype=float).copy(),
                queue_area=st.q_area,
                busy_area=st.b_area,
                capacity_area=st.c_area,
                max_queue=st.max_queue,
                queue_at_end=len(st.queue),
                in_service_at_end=st.busy,
            )
        )
    return ReplicationRecord(
        replication=replication,
        warmup=scenario.warmup,
        horizon=horizon,
        steps=steps,
        cases_in=chain.cases_in,
        cases_out=chain.cases_out,
        lead_times=np.frombuffer(chain.lead_times, dtype=float).copy(),
        outcomes=dict(zip(chain.outcome_index, chain.outcome_counts, strict=True)),
        wip_at_end=chain.in_chain,
        sample_times=times,
        queue_samples=queue,
        busy_samples=busy,
    )


__all__ = ["Chain", "Source", "run_replication", "sample_times"]
