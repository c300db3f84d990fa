"""What may happen to a case at a step before it is served.

A full waiting room blocks the sender, diverts the case or turns it away; a
case that waits past its deadline leaves (reneging); a case still waiting
at the legal term may bring an appeal against the late decision. Each is a
rare branch off a station's plain path, kept here so that
:mod:`.station` reads as the plain path it mostly is. They are the station's
methods (its class takes them in as they are), written as functions of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpy.events import Timeout

from ketensim.engine.visits import REJECTED, RENEGED
from ketensim.engine.window import counts

if TYPE_CHECKING:
    from ketensim.engine.station import Station


def limited(self: Station, case: int) -> bool:
    """Does the waiting-room limit apply to this case (by its case type)?"""
    return self.limit_types is None or self.chain.case_type[case] in self.limit_types


def full_for_block(self: Station, case: int) -> bool:
    """Would this case, sent here now, have to stay with its sender?"""
    return self.policy == "block" and self.limited(case) and bool(self.senders or (
        self.nq >= self.limit and self.busy >= self.capacity))


def _overflow(self: Station, case: int, now: float) -> None:
    if self.policy == "block":
        self.senders.append((None, case))  # nobody upstream to hold it: it waits at the door
        self.at_door += 1
        if self.log is not None:
            self.log.at_door(case, self.sidx, now)
        return
    self.arrivals += 1
    if self.policy == "divert" and self.chain.divert(case, self, now):
        self.diverted += 1
    else:  # rejected, or nowhere to divert to either
        self.rejected += 1
        self.turned(case, now, self.overflow_outcome, REJECTED)
        self.chain.leave(case, self.overflow_outcome, now)


def turned(self: Station, case: int, now: float, outcome: int, status: int,
           enabled: float | None = None) -> None:
    """Tell the event log of a visit that ends without handling."""
    if self.log is not None:
        self.log.turned(case, self.chain.case_type[case], self.sidx,
                        now if enabled is None else enabled, now, outcome, status)


def _renege(self: Station, event: Timeout) -> None:
    key = event._value
    if key not in self.waiting:
        return  # started service in time
    now = self.env.now
    self.advance(now)
    self.waiting.discard(key)
    self.gone.add(key)
    self.nq -= 1
    self.reneged += 1
    outcome = self.chain.outcome_index[self.step.deadline.outcome]  # type: ignore[union-attr]
    self.turned(key[0], now, outcome, RENEGED, key[1])
    self.chain.leave(key[0], outcome, now)
    self._admit(now)


def _late(self: Station, event: Timeout) -> None:
    """Still waiting at the term: a share files an appeal against the late decision."""
    if event._value in self.waiting and self.failure_u.next() < self.failure.p:  # type: ignore[union-attr]
        if counts(self.env.now, self.warmup):
            self.late += 1
        fd = self.failure
        self.chain.enter(self.chain.stations[fd.to], self.chain.case_type_index(fd.case_type))  # type: ignore[union-attr]
