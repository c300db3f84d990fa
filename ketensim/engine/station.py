"""A step (schakel) as a station: its own server count over a FIFO queue.

SimPy's ``Resource`` cannot change its capacity after creation, and a process
per case with request/release costs about four events per visit. A station
that runs its own servers needs one event per visit (the end of service):
arrivals start service at once or join the queue, and a finished case hands
its server straight to the next in line. Statistics are aggregated as the
run goes: time integrals of queue length, busy and available servers, and
the waits as a columnar array.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from typing import TYPE_CHECKING

from simpy.events import Timeout

from ketensim.engine.sampling import Draws
from ketensim.model import Route, Step

if TYPE_CHECKING:
    from ketensim.engine.core import Chain


class Station:
    """The runtime side of one step in one replication."""

    def __init__(self, chain: Chain, step: Step, service: Draws, route_u: Draws):
        self.chain = chain
        self.env = chain.env
        self.id = step.id
        self.capacity = step.capacity
        self.busy = 0
        self.queue: deque[int] = deque()
        self.since: deque[float] = deque()  # when each queued case arrived here
        self.service = service
        self.route_u = route_u
        self.routes: list[tuple[float, Station | None, int]] = []
        self.warmup = chain.warmup
        # Statistics over the window; reset_statistics() opens the window.
        self.last = 0.0
        self.q_area = 0.0
        self.b_area = 0.0
        self.c_area = 0.0
        self.arrivals = 0
        self.completions = 0
        self.max_queue = 0
        self.waits: array[float] = array("d")

    # -- configuration (at start and at events) -------------------------------
    def set_routes(self, routes: tuple[Route, ...]) -> None:
        """Routes as cumulative thresholds; the last is open-ended so rounding cannot drop a case."""
        table: list[tuple[float, Station | None, int]] = []
        cum = 0.0
        for route in routes:
            cum += route.p
            if route.p <= 0:
                continue
            if route.is_exit:
                table.append((cum, None, self.chain.outcome_index[route.exit_outcome]))
            else:
                table.append((cum, self.chain.stations[route.to], -1))
        last_cum, target, outcome = table[-1]
        table[-1] = (math.inf, target, outcome)
        self.routes = table

    def set_capacity(self, capacity: int) -> None:
        """A cut lets cases in service finish; a rise starts waiting cases at once."""
        now = self.env.now
        self.advance(now)
        self.capacity = capacity
        while self.queue and self.busy < self.capacity:
            self._start_next(now)

    def set_service(self, dist: object) -> None:
        self.service.set_dist(dist)  # type: ignore[arg-type]

    # -- the flow of cases --------------------------------------------------
    def arrive(self, case: int) -> None:
        """A case reaches this step now."""
        now = self.env.now
        self.advance(now)
        self.arrivals += 1
        if self.busy < self.capacity and not self.queue:
            self.busy += 1
            if now >= self.warmup:
                self.waits.append(0.0)
            Timeout(self.env, self.service.next(), case).callbacks.append(self._done)
        else:
            self.queue.append(case)
            self.since.append(now)
            if len(self.queue) > self.max_queue:
                self.max_queue = len(self.queue)

    def _start_next(self, now: float) -> None:
        case = self.queue.popleft()
        arrived = self.since.popleft()
        self.busy += 1
        if arrived >= self.warmup:
            self.waits.append(now - arrived)
        Timeout(self.env, self.service.next(), case).callbacks.append(self._done)

    def _done(self, event: Timeout) -> None:
        case = event._value
        now = self.env.now
        self.advance(now)
        self.completions += 1
        self.busy -= 1
        if self.queue and self.busy < self.capacity:
            self._start_next(now)
        u = self.route_u.next()
        for cum, target, outcome in self.routes:
            if u < cum:
                if target is None:
                    self.chain.leave(case, outcome, now)
                else:
                    target.arrive(case)
                return

    # -- statistics ---------------------------------------------------------
    def advance(self, now: float) -> None:
        """Add the time since the last change to the time integrals."""
        dt = now - self.last
        if dt > 0.0:
            self.q_area += len(self.queue) * dt
            self.b_area += self.busy * dt
            self.c_area += self.capacity * dt
            self.last = now

    def reset_statistics(self, now: float) -> None:
        """Open the steady-state window: forget what happened before ``now``."""
        self.advance(now)
        self.last = now
        self.q_area = self.b_area = self.c_area = 0.0
        self.arrivals = self.completions = 0
        self.max_queue = len(self.queue)
