"""Shared staff: one pool of servers that several steps of a partner draw on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ketensim.scenario.model import Pool

if TYPE_CHECKING:
    from ketensim.engine.core import Chain
    from ketensim.engine.station import Station


class PoolRuntime:
    """The runtime side of a pool: who holds its servers, and who gets the next free one."""

    # statistics of the measured window, set by reset_statistics
    last: float
    b_area: float
    c_area: float

    def __init__(self, chain: Chain, pool: Pool):
        self.id = pool.id
        self.env = chain.env
        self.capacity = pool.capacity
        self.busy = 0
        self.members: list[Station] = [chain.stations[s] for s in pool.steps]
        self.rule = pool.rule
        shares = pool.shares or tuple(1.0 / len(pool.steps) for _ in pool.steps)
        self.share = {st: sh for st, sh in zip(self.members, shares, strict=True)}
        for station in self.members:
            station.pool = self
        self.reset_statistics(0.0)

    def take(self, now: float) -> None:
        self.advance(now)
        self.busy += 1

    def give_back(self, now: float) -> None:
        """A server is free: it goes to the waiting step the pool rule picks."""
        self.advance(now)
        self.busy -= 1
        self.dispatch(now)

    def dispatch(self, now: float) -> None:
        while self.busy < self.capacity:
            waiting = [s for s in self.members if s.nq and s.busy < s.capacity]
            if not waiting:
                return
            if self.rule == "share":
                chosen = min(waiting, key=lambda s: (s.busy / self.share[s], -self.share[s]))
            else:
                chosen = waiting[0]
            before = self.busy
            chosen.fill_one(now)
            if self.busy == before:  # pragma: no cover - fill_one always starts a case
                return

    def set_capacity(self, capacity: int) -> None:
        now = self.env.now
        self.advance(now)
        self.capacity = capacity
        self.dispatch(now)

    def advance(self, now: float) -> None:
        dt = now - self.last
        if dt > 0:
            self.b_area += self.busy * dt
            self.c_area += (self.capacity if self.capacity > self.busy else self.busy) * dt
            self.last = now

    def reset_statistics(self, now: float) -> None:
        if now > 0:
            self.advance(now)
        self.last = now
        self.b_area = self.c_area = 0.0
