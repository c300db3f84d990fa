"""Where new cases come from: Poisson sources with patterns, and replayed history."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simpy.events import Event, Timeout

from ketensim.scenario.calendars import rate_changes
from ketensim.scenario.distributions import Exponential
from ketensim.scenario.model import Arrival

if TYPE_CHECKING:
    from ketensim.engine.core import Chain

_UNIT_EXP = Exponential(1.0)


class Source:
    """A Poisson source whose rate can change over time.

    Inter-arrival times are unit exponentials divided by the rate. On a rate
    change the pending arrival keeps its unspent unit hazard and is moved to
    ``now + left / new_rate``: exact for a Poisson process with a
    piecewise-constant rate, and the stream of unit exponentials stays aligned
    with a scenario that did not change the rate (common random numbers).
    A schedule and seasonal factors are replayed as such rate changes; an
    event's ``arrival.<id>.rate`` replaces the base rate, which the season
    keeps scaling.
    """

    def __init__(self, chain: Chain, arrival: Arrival):
        self.chain = chain
        self.env = chain.env
        self.arrival = arrival
        self.target = chain.stations[arrival.to]
        self.case_type = chain.case_type_index(arrival.case_type)
        self.draws = chain.draws(f"arrival:{arrival.id}", _UNIT_EXP)
        self.batch = chain.draws(f"batch:{arrival.id}", arrival.batch) if arrival.batch else None
        self.changes = rate_changes(arrival, chain.scenario.horizon, chain.scenario.time_unit)
        _, self.base, self.factor = self.changes[0]
        self.rate = self.base * self.factor
        self.due = math.inf  # time of the pending arrival
        self.left = 0.0  # unspent unit hazard while the rate is 0
        self.token = 0  # invalidates a pending arrival that a rate change moved

    def start(self) -> None:
        self._plan(self.env.now, self.draws.next())
        if len(self.changes) > 1:
            self.env.process(self._pattern())

    def _pattern(self) -> Generator[Event, Any, None]:
        for t, base, factor in self.changes[1:]:
            yield self.env.timeout(t - self.env.now)
            self.base, self.factor = base, factor
            self.set_rate(base * factor)

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
        n = 1 if self.batch is None else max(1, round(self.batch.next()))
        for _ in range(n):
            self.chain.enter(self.target, self.case_type)
        self._plan(self.env.now, self.draws.next())

    def set_rate(self, rate: float) -> None:
        now = self.env.now
        left = (self.due - now) * self.rate if self.rate > 0 else self.left
        self.rate = rate
        self._plan(now, left)

    def set_base_rate(self, rate: float) -> None:
        """An event replaces the base rate; the season keeps scaling it, later schedule
        entries replace it again."""
        self.base = rate
        self.set_rate(rate * self.factor)


class Replay:
    """Arrivals at given moments: real history replayed, or a hand-traced case."""

    def __init__(self, chain: Chain, arrival: Arrival):
        self.chain = chain
        self.env = chain.env
        self.target = chain.stations[arrival.to]
        self.times = arrival.times or ()
        self.types = [chain.case_type_index(t) for t in arrival.types] if arrival.types else None
        self.default = chain.case_type_index(arrival.case_type)
        self.next = 0

    def start(self) -> None:
        self._plan()

    def _plan(self) -> None:
        if self.next < len(self.times):
            delay = max(0.0, self.times[self.next] - self.env.now)
            Timeout(self.env, delay).callbacks.append(self._fire)

    def _fire(self, _event: Timeout) -> None:
        case_type = self.types[self.next] if self.types else self.default
        self.next += 1
        self.chain.enter(self.target, case_type)
        self._plan()

    def set_base_rate(self, rate: float) -> None:  # pragma: no cover - the schema forbids it
        raise ValueError("a replayed arrival has no rate to change")
