"""A step (schakel) as a station: its own server count over a queue.

SimPy's ``Resource`` cannot change its capacity after creation, and a process
per case with request/release costs about four events per visit. A station
that runs its own servers needs one event per visit (the end of service):
arrivals start service at once or join the queue, and a finished case hands
its server straight to the next in line. Statistics are aggregated as the
run goes: time integrals of queue length, busy, blocked and available
servers, and the waits as a columnar array.

The mechanisms a real keten needs (case types with their own service and
routes, priorities, finite buffers that block, divert or reject, deadlines,
dismissal under pressure, hand-over delays and rework) each cost one cheap
test on the plain path, so a plain step runs as fast as before.
"""

from __future__ import annotations

from array import array
from collections import deque
from typing import TYPE_CHECKING

from simpy.events import Timeout

from ketensim.engine import door
from ketensim.engine.routing import Hop, route_table
from ketensim.engine.sampling import Draws
from ketensim.engine.visits import DISMISSED
from ketensim.engine.window import counts
from ketensim.scenario.model import Route, Step

if TYPE_CHECKING:
    from ketensim.engine.core import Chain
    from ketensim.engine.pools import PoolRuntime


class Station:
    """The runtime side of one step in one replication."""

    # statistics of the measured window, set by reset_statistics
    last: float
    q_area: float
    b_area: float
    c_area: float
    blocked_area: float
    arrivals: int
    completions: int
    rejected: int
    diverted: int
    reneged: int
    dismissed: int
    returned: int
    max_queue: int

    # At the door and in the queue: the rare turns (:mod:`.door`).
    limited = door.limited
    full_for_block = door.full_for_block
    _overflow = door._overflow
    turned = door.turned
    _renege = door._renege
    _late = door._late

    def __init__(self, chain: Chain, step: Step):
        self.chain = chain
        self.env = chain.env
        self.id = step.id
        self.step = step
        self.nominal = step.capacity  # what events, policies and the capacity plan set
        self.flex = 0  # servers lent by a chain director's flexible pool
        self.open = True  # working time, from the calendar
        self.capacity = step.capacity  # servers available now
        self.busy = 0  # servers holding a case, blocked ones included
        self.blocked = 0  # servers holding a finished case that cannot move on
        self.levels: list[deque[tuple[int, float]]] = [deque()]
        self.level_of: dict[int, int] = {}
        self.nq = 0  # cases waiting
        self.service = chain.draws(f"service:{step.id}", step.service)
        self.route_u = chain.draws(f"route:{step.id}")
        self.routes: list[tuple[float, Hop]] = []
        self.typed = bool(step.types)
        self.type_service: dict[int, Draws] = {}
        self.type_routes: dict[int, list[tuple[float, Hop]]] = {}
        self.warmup = chain.warmup
        limit = step.queue_limit
        self.limit = limit.size if limit else -1
        self.policy = limit.policy if limit else ""
        self.overflow_outcome = chain.outcome_index[limit.outcome] if limit else -1
        # Case types the limit holds back (None: all): an SEH-stop turns ambulances away,
        # never the patients who walk in.
        self.limit_types = frozenset(chain.case_type_index(t) for t in limit.types) \
            if limit and limit.types else None
        self.senders: deque[tuple[Station | None, int]] = deque()  # blocked, first come first in
        self.deadline = chain.draws(f"deadline:{step.id}", step.deadline.max_wait) \
            if step.deadline else None
        self.failure = step.failure_demand
        self.failure_u = chain.draws(f"late:{step.id}") if step.failure_demand else None
        self.track = self.deadline is not None or self.failure is not None
        self.waiting: set[tuple[int, float]] = set()  # only kept when self.track
        self.pool: PoolRuntime | None = None
        self.gone: set[tuple[int, float]] = set()
        self.dismissal = step.dismissal
        self.dismiss_u = chain.draws(f"dismiss:{step.id}") if step.dismissal else None
        self.dismiss_outcome = chain.outcome_index[step.dismissal.outcome] if step.dismissal else -1
        self.side_u = chain.draws(f"side:{step.id}")  # rework and re-entry decisions
        self.pidx = chain.partner_index[step.partner]
        self.book = chain.book
        self.with_ = chain.book.with_  # per case: the partner it is with (grows in place)
        self.uncounted = 0  # werkvoorraad at start that reached the step before the window
        self.log = chain.log  # the event log, when one is asked for (else None)
        self.sidx = len(chain.stations)  # this step's number in the scenario (and the log)
        self.reset_statistics(0.0)
        self.waits: array[float] = array("d")
        self.wait_types: array[int] = array("i")  # case type of each wait, for typed steps

    # -- configuration (at start and at events) -------------------------------
    def configure(self) -> None:
        """Resolve routes and case-type rules once every station exists."""
        self.set_routes(self.step.effective_routes)
        levels = sorted({0, *(r.priority for r in self.step.types)}, reverse=True)
        self.levels = [deque() for _ in levels]
        for rule in self.step.types:
            t = self.chain.case_type_index(rule.case_type)
            self.level_of[t] = levels.index(rule.priority)
            if rule.service is not None:
                self.type_service[t] = self.chain.draws(
                    f"service:{self.id}:{rule.case_type}", rule.service
                )
            if rule.routes is not None:
                self.type_routes[t] = route_table(
                    self.chain, rule.routes or (Route("exit", 1.0),), self.id)
        self.default_level = levels.index(0)

    def set_routes(self, routes: tuple[Route, ...]) -> None:
        self.routes = route_table(self.chain, routes, self.id)

    def set_capacity(self, capacity: int) -> None:
        """A cut lets cases in service finish; a rise starts waiting cases at once."""
        self.nominal = capacity
        self._resize()

    def set_flex(self, servers: int) -> None:
        """Flexible staff come or go; the step's own capacity stays as decided."""
        self.flex = servers
        self._resize()

    def set_open(self, is_open: bool) -> None:
        """Working time starts or ends; cases in service are finished (no preemption)."""
        self.open = is_open
        self._resize()

    def _resize(self) -> None:
        now = self.env.now
        self.advance(now)
        self.capacity = self.nominal + self.flex if self.open else 0
        self.fill(now)

    def set_service(self, dist: object) -> None:
        self.service.set_dist(dist)  # type: ignore[arg-type]

    # -- arriving -----------------------------------------------------------
    def arrive(self, case: int, sender: Station | None = None) -> None:
        """A case reaches this step now (``sender`` is the step it comes from, if any)."""
        now = self.env.now
        dt = now - self.last  # self.advance(now), inlined on the hottest path
        if dt > 0.0:
            self.q_area += self.nq * dt
            self.b_area += self.busy * dt
            # Servers finishing a case after a cut or after closing time work overtime:
            # they count as available, so utilisation never exceeds 100%.
            self.c_area += (self.capacity if self.capacity > self.busy else self.busy) * dt
            if self.blocked:
                self.blocked_area += self.blocked * dt
            self.last = now
        full = self.nq >= self.limit and self.busy >= self.capacity
        if self.limit >= 0 and (self.senders or full) and self.limited(case):
            self._overflow(case, now)
            return
        self.arrivals += 1
        if self.with_[case] != self.pidx:
            self.book.take_in(case, self.pidx, now)
        if self.dismissal is not None and self.nq > self.dismissal.above \
                and self.dismiss_u.next() < self.dismissal.share:  # type: ignore[union-attr]
            self.dismissed += 1
            self.turned(case, now, self.dismiss_outcome, DISMISSED)
            self.chain.leave(case, self.dismiss_outcome, now)
        elif not self.nq and self._server_free():
            self._start(case, now, now)
        else:
            self._enqueue(case, now)

    def _enqueue(self, case: int, arrived: float) -> None:
        """Queue a case that reached the step at ``arrived`` (before now for a backlog)."""
        key = (case, arrived)
        level = self.level_of.get(self.chain.case_type[case], self.default_level) \
            if self.typed else 0
        self.levels[level].append(key)
        self.nq += 1
        if self.nq > self.max_queue:
            self.max_queue = self.nq
        if self.log is not None:
            self.log.waiting(case, self.sidx, arrived)
        if self.track:
            self.waiting.add(key)
            age = self.env.now - arrived
            if self.deadline is not None:
                delay = max(0.0, self.deadline.next() - age)
                Timeout(self.env, delay, key).callbacks.append(self._renege)
            # A case of the werkvoorraad already past the term at the start filed its
            # appeal before the model's time began: only terms reached from now on count.
            if self.failure is not None and age <= self.failure.after:
                Timeout(self.env, self.failure.after - age, key).callbacks.append(self._late)

    # -- serving ------------------------------------------------------------
    def fill(self, now: float) -> None:
        """Start waiting cases while servers are free, then let blocked senders in."""
        while self.nq and self._server_free():
            case, arrived = self._pop()
            self._start(case, arrived, now)
        self._admit(now)

    def fill_one(self, now: float) -> None:
        """Start the first waiting case (a pool hands this step a server)."""
        self.advance(now)  # the queue and busy counts change now: close the integrals first
        case, arrived = self._pop()
        self._start(case, arrived, now)
        self._admit(now)

    def _server_free(self) -> bool:
        """A server of this step is free, and of its pool when it shares one."""
        return self.busy < self.capacity and (
            self.pool is None or self.pool.busy < self.pool.capacity)

    def tally_wait(self, case: int, arrived: float, now: float) -> None:
        """A wait counts when the case reached the step in the window (:mod:`.window`)."""
        if counts(arrived, self.warmup):
            self.waits.append(now - arrived)
            if self.typed:
                self.wait_types.append(self.chain.case_type[case])

    def _start(self, case: int, arrived: float, now: float) -> None:
        self.tally_wait(case, arrived, now)
        if self.log is not None:
            self.log.started(case, self.sidx, arrived, now)
        self._begin(case, now)

    def _pop(self) -> tuple[int, float]:
        for queue in self.levels:
            while queue:
                key = queue.popleft()
                if self.gone and key in self.gone:
                    self.gone.discard(key)
                    continue
                self.nq -= 1
                if self.track:
                    self.waiting.discard(key)
                return key
        raise RuntimeError(f"step {self.id}: queue count out of step")  # pragma: no cover

    def _begin(self, case: int, now: float) -> None:
        self.busy += 1
        if self.pool is not None:
            self.pool.take(now)
        draws = self.type_service.get(self.chain.case_type[case], self.service) \
            if self.typed else self.service
        Timeout(self.env, draws.next(), case).callbacks.append(self._done)

    def _done(self, event: Timeout) -> None:
        case = event._value
        now = self.env.now
        dt = now - self.last  # self.advance(now), inlined on the hottest path
        if dt > 0.0:
            self.q_area += self.nq * dt
            self.b_area += self.busy * dt
            # Servers finishing a case after a cut or after closing time work overtime:
            # they count as available, so utilisation never exceeds 100%.
            self.c_area += (self.capacity if self.capacity > self.busy else self.busy) * dt
            if self.blocked:
                self.blocked_area += self.blocked * dt
            self.last = now
        self.completions += 1
        hop = self.pick(case)
        target = hop.target
        if self.log is not None:
            self.log.ended(case, self.chain.case_type[case], self.sidx, now,
                           hop.outcome if target is None else -1)
        if hop.blocking and target.full_for_block(case):  # type: ignore[union-attr]
            self.blocked += 1  # the server keeps the case until a place frees
            target.senders.append((self, case))  # type: ignore[union-attr]
            self.chain.watch_deadlock(self)
            return
        self.busy -= 1
        if self.pool is not None:
            self.pool.give_back(now)
            self._admit(now)
        elif self.nq and self.busy < self.capacity:
            self.fill(now)
        elif self.senders:
            self._admit(now)
        if not hop.plain:
            self.chain.hand_over(case, hop, self)
        elif target is None:
            self.chain.leave(case, hop.outcome, now)
        else:
            target.arrive(case, self)

    def pick(self, case: int) -> Hop:
        """Where a finished case goes: one routing draw against its type's routes."""
        table = self.type_routes.get(self.chain.case_type[case], self.routes) \
            if self.typed else self.routes
        u = self.route_u.next()
        for cum, hop in table:
            if u < cum:
                return hop
        return table[-1][1]  # pragma: no cover - the last threshold is infinite

    def _forward(self, case: int, hop: Hop, now: float) -> None:
        if not hop.plain:
            self.chain.hand_over(case, hop, self)
        elif hop.target is None:
            self.chain.leave(case, hop.outcome, now)
        else:
            hop.target.arrive(case, self)

    def _admit(self, now: float) -> None:
        """Let blocked senders' cases in while there is room (FIFO over senders)."""
        while self.senders and (self.nq < self.limit or self.busy < self.capacity):
            sender, case = self.senders.popleft()
            self.arrivals += 1
            if self.with_[case] != self.pidx:
                self.book.take_in(case, self.pidx, now)
            if not self.nq and self._server_free():
                self._start(case, now, now)
            else:
                self._enqueue(case, now)
            if sender is None:
                self.at_door -= 1
            else:
                sender.release(now)

    def release(self, now: float) -> None:
        """A blocked server's case has moved on: the server is free again."""
        self.advance(now)
        self.blocked -= 1
        self.busy -= 1
        if self.pool is not None:
            self.pool.give_back(now)
        self.fill(now)

    # -- statistics ---------------------------------------------------------
    @property
    def holding(self) -> int:
        """Cases held by servers (in service or blocked): with the queue, the step's stock."""
        return self.busy

    @property
    def stock_area(self) -> float:
        """Integral over the window of the cases at the step (waiting, in service, blocked)."""
        return self.q_area + self.b_area

    def advance(self, now: float) -> None:
        """Add the time since the last change to the time integrals."""
        dt = now - self.last
        if dt > 0.0:
            self.q_area += self.nq * dt
            self.b_area += self.busy * dt
            # Servers finishing a case after a cut or after closing time work overtime:
            # they count as available, so utilisation never exceeds 100%.
            self.c_area += (self.capacity if self.capacity > self.busy else self.busy) * dt
            if self.blocked:
                self.blocked_area += self.blocked * dt
            self.last = now

    def reset_statistics(self, now: float) -> None:
        """Open the steady-state window: forget what happened before ``now``."""
        if now > 0:
            self.advance(now)
        self.last = now
        self.q_area = self.b_area = self.c_area = self.blocked_area = 0.0
        self.arrivals_before = getattr(self, "arrivals_before", 0) + getattr(self, "arrivals", 0)
        self.arrivals = self.completions = 0
        self.rejected = self.diverted = self.reneged = self.dismissed = self.returned = 0
        self.late = 0
        self.at_door = getattr(self, "at_door", 0)
        self.max_queue = self.nq
