"""Visits to a partner: from entering its first step to leaving its last one on that visit.

A keten holds partners to account, not steps: the OM answers for the time a
case spends with the OM, over all its steps. A visit opens when a case is
taken in at a step of a partner it is not already with (a case waiting at
a full step's door is not yet taken in), and closes when the case leaves for
a step of another partner, leaves the chain, or is turned away, dismissed or
gives up. A hand-over between two steps of one partner stays inside the visit.

Counted by the warm-up rule (:mod:`.window`): a visit counts as an arrival
when it opened in the window, as a completion when it closed in it, and its
duration in ``time_sum`` when it opened in the window (as a lead time does).
Durations are added in the order visits close, which the fast path repeats,
so both give the same floats. The time integral of a partner's stock is not
kept here: it is the sum of its steps' integrals (:mod:`ketensim.results.rows`)
plus the time cases spend on their way between two of its steps.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from ketensim.engine.window import counts


@dataclass
class PartnerRecord:
    """One partner in one replication.

    Attributes:
        partner: partner id.
        arrivals: visits that opened in the window.
        completions: visits that closed in the window.
        open_at_end: visits still open at the horizon (the partner's stock then).
        time_sum: summed duration of the visits that opened in the window and closed.
        timed: how many visits ``time_sum`` adds up.
        transit_area: integral over the window of cases on their way between two of its steps.
    """

    partner: str
    arrivals: int = 0
    completions: int = 0
    open_at_end: int = 0
    time_sum: float = 0.0
    timed: int = 0
    transit_area: float = 0.0


class PartnerBook:
    """Which partner each case is with, since when, and the partners' tallies (simulation)."""

    def __init__(self, partners: list[str], warmup: float):
        self.warmup = warmup
        self.records = [PartnerRecord(p) for p in partners]
        self.open = [0] * len(partners)
        self.transit = [0] * len(partners)
        self.transit_last = [0.0] * len(partners)
        # per case: partner index, -1 between partners (two bytes a case where that holds them)
        self.with_: array[int] = array("h" if len(partners) <= 32767 else "i")
        self.since: array[float] = array("d")  # per case: when the open visit began

    def new_case(self) -> None:
        self.with_.append(-1)
        self.since.append(0.0)

    def take_in(self, case: int, partner: int, now: float) -> None:
        """A case is taken in at a step of ``partner`` (it was not with it yet)."""
        if self.with_[case] >= 0:
            self.close(case, now)
        self.with_[case] = partner
        self.since[case] = now
        self.open[partner] += 1
        if counts(now, self.warmup):
            self.records[partner].arrivals += 1

    def close(self, case: int, now: float) -> None:
        """The case leaves the partner it is with (nothing when it is with none)."""
        partner = self.with_[case]
        if partner < 0:
            return
        self.with_[case] = -1
        self.open[partner] -= 1
        record = self.records[partner]
        if counts(now, self.warmup):
            record.completions += 1
        start = self.since[case]
        if counts(start, self.warmup):
            record.time_sum += now - start
            record.timed += 1

    def on_the_way(self, partner: int, now: float, change: int) -> None:
        """A case starts (+1) or ends (-1) a hand-over between two steps of one partner."""
        self._advance(partner, now)
        self.transit[partner] += change

    def _advance(self, partner: int, now: float) -> None:
        dt = now - max(self.transit_last[partner], self.warmup)
        if dt > 0 and self.transit[partner]:
            self.records[partner].transit_area += self.transit[partner] * dt
        self.transit_last[partner] = now

    def finish(self, horizon: float) -> list[PartnerRecord]:
        """The records at the horizon."""
        for k, record in enumerate(self.records):
            self._advance(k, horizon)
            record.open_at_end = self.open[k]
        return self.records
