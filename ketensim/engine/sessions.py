"""Court sessions: batch service at scheduled moments.

A zitting hears several cases together: at each session moment every free
server (a courtroom, a chamber) takes up to ``size`` waiting cases, and all
of them finish when the session ends. Cases that arrive while a session runs
wait for the next one, so a step with sessions never starts a case on
arrival.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simpy.events import Event, Timeout

from ketensim.engine.station import Station
from ketensim.scenario.model import Step

if TYPE_CHECKING:
    from ketensim.engine.core import Chain


class SessionStation(Station):
    """A step whose servers work in sessions instead of case by case."""

    def __init__(self, chain: Chain, step: Step):
        super().__init__(chain, step)
        assert step.sessions is not None
        self.sessions = step.sessions
        self.duration = chain.draws(f"session:{step.id}", step.sessions.duration)

    # A session server holds a whole batch: the step's stock counts the cases in sessions.
    held = 0  # cases in a session now
    held_area = 0.0  # their integral over the window

    @property
    def holding(self) -> int:
        return self.held

    @property
    def stock_area(self) -> float:
        return self.q_area + self.held_area

    def advance(self, now: float) -> None:
        dt = now - self.last
        if dt > 0.0 and self.held:
            self.held_area += self.held * dt
        super().advance(now)

    def reset_statistics(self, now: float) -> None:
        super().reset_statistics(now)
        self.held_area = 0.0

    def start(self) -> None:
        self.env.process(self._calendar())

    def _calendar(self) -> Generator[Event, Any, None]:
        plan = self.sessions
        k = 0
        while True:
            at = plan.offset + k * plan.every
            if at >= self.chain.scenario.horizon:
                return
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            self._hold_sessions(self.env.now)
            k += 1

    def arrive(self, case: int, sender: Station | None = None) -> None:
        now = self.env.now
        self.advance(now)
        if self.limit >= 0 and (self.senders or self.nq >= self.limit) and self.limited(case):
            self._overflow(case, now)
            return
        self.arrivals += 1
        if self.with_[case] != self.pidx:
            self.book.take_in(case, self.pidx, now)
        self._enqueue(case, now)

    def full_for_block(self, case: int) -> bool:
        return self.policy == "block" and self.limited(case) and bool(
            self.senders or self.nq >= self.limit)

    def fill(self, now: float) -> None:
        """Between sessions free servers wait: only blocked senders may move in."""
        self._admit(now)

    def _admit(self, now: float) -> None:
        while self.senders and self.nq < self.limit:
            sender, case = self.senders.popleft()
            self.arrivals += 1
            if self.with_[case] != self.pidx:
                self.book.take_in(case, self.pidx, now)
            self._enqueue(case, now)
            if sender is None:
                self.at_door -= 1
            else:
                sender.release(now)

    def _hold_sessions(self, now: float) -> None:
        self.advance(now)
        while self.nq and self.busy < self.capacity:
            batch: list[int] = []
            while self.nq and len(batch) < self.sessions.size:
                case, arrived = self._pop()
                self.tally_wait(case, arrived, now)
                if self.log is not None:
                    self.log.started(case, self.sidx, arrived, now)
                batch.append(case)
            self.busy += 1
            self.held += len(batch)
            Timeout(self.env, self.duration.next(), batch).callbacks.append(self._session_done)
        self._admit(now)

    def _session_done(self, event: Timeout) -> None:
        now = self.env.now
        self.advance(now)
        self.busy -= 1
        self.held -= len(event._value)
        for case in event._value:
            self.completions += 1
            hop = self.pick(case)
            if self.log is not None:
                self.log.ended(case, self.chain.case_type[case], self.sidx, now,
                               hop.outcome if hop.target is None else -1)
            self._forward(case, hop, now)
