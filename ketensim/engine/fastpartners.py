"""Partner visits on the fast path: the same tallies as :class:`.partners.PartnerBook`.

A plain chain has no hand-over delays, so a visit opens where a case
reaches a step from a source or from another partner's step, and closes
where it finishes a step and goes on to another partner or out. Steps are
served in routing order, so a case's visit has opened before it closes.
Durations are summed in the order the visits close, as the simulation adds them.
"""

from __future__ import annotations

import numpy as np

from ketensim.engine.partners import PartnerRecord
from ketensim.engine.plain import Tie
from ketensim.engine.window import counted
from ketensim.scenario.model import EXIT, Route, Scenario

CHUNK = 1 << 16  # durations summed at a time


class PartnerVisits:
    """Visits to every partner of one fast replication, built step by step."""

    def __init__(self, scenario: Scenario):
        index = {p.id: k for k, p in enumerate(scenario.partners)}
        self.partner_of = np.array([index[s.partner] for s in scenario.steps], dtype=np.int32)
        self.records = [PartnerRecord(p.id) for p in scenario.partners]
        self.warmup = scenario.warmup
        self.opened = [0] * len(index)
        self.closed = [0] * len(index)
        self.closing: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in index]
        self.since = np.zeros(0)  # per case: when its open visit began (set once cases exist)
        self.sole_closer = _sole_closers(scenario, index)


    def _elsewhere(self, me: int, steps: np.ndarray) -> np.ndarray:
        """Step numbers (-1: a source or the exit) that lie outside partner ``me``."""
        return (steps < 0) | (self.partner_of[np.maximum(steps, 0)] != me)

    def take_in(self, step: int, case: np.ndarray, arrived: np.ndarray,
                origin: np.ndarray) -> None:
        """Open a visit for each case that reaches ``step`` from outside its partner."""
        me = int(self.partner_of[step])
        new = self._elsewhere(me, origin)
        self.since[case[new]] = arrived[new]
        self.opened[me] += int(np.count_nonzero(new))
        self.records[me].arrivals += int(np.count_nonzero(counted(arrived[new], self.warmup)))

    def let_go(self, step: int, moved: np.ndarray, done: np.ndarray, target: np.ndarray) -> None:
        """Close the visit of each case finishing ``step`` for another partner or the exit.

        ``moved``, ``done`` and ``target`` are the finished cases in the order they finished.
        """
        me = int(self.partner_of[step])
        ends = self._elsewhere(me, target)
        every = bool(ends.all())  # then the columns are used as they are, not copied
        n_ends = ends.size if every else int(np.count_nonzero(ends))
        self.closed[me] += n_ends
        end = done if every else done[ends]
        self.records[me].completions += int(np.count_nonzero(counted(end, self.warmup)))
        took = self.since[moved if every else moved[ends]]  # the start, then the duration
        del ends
        timed = counted(took, self.warmup)
        if not timed.all():
            end, took = end[timed], took[timed]
        del timed
        np.subtract(end, took, out=took)
        if self.sole_closer[me] == step:  # its closings come in order here: sum them now
            record = self.records[me]
            for lo in range(0, took.size, CHUNK):  # sequential, as the simulation adds them
                record.time_sum = float(np.cumsum(
                    np.concatenate([[record.time_sum], took[lo:lo + CHUNK]]))[-1])
            record.timed += int(took.size)
        elif took.size:
            self.closing[me].append((end, took))

    def finish(self) -> list[PartnerRecord]:
        """The records at the horizon, durations summed in the order the visits closed.

        Raises:
            Tie: two visits to one partner close at one moment (the event list orders them).
        """
        for k, record in enumerate(self.records):
            record.open_at_end = self.opened[k] - self.closed[k]
            if self.closing[k]:
                end, took = (np.concatenate(x) for x in zip(*self.closing[k], strict=True))
                order = np.argsort(end, kind="stable")
                if (np.diff(end[order]) == 0).any():
                    raise Tie("two visits to one partner end at one moment")
                record.time_sum = float(np.cumsum(np.concatenate([[record.time_sum],
                                                                  took[order]]))[-1])
                record.timed += int(end.size)
            self.closing[k] = []
        return self.records


def _sole_closers(scenario: Scenario, index: dict[str, int]) -> list[int]:
    """Per partner: the one step where its visits can end (-1: several, or none).

    Visits that can end at one step only end in that step's completion order,
    which is their time order, so their durations can be summed as the step is
    served instead of kept to the end. Route changes by events count too.
    """
    step_index = {s.id: i for i, s in enumerate(scenario.steps)}
    closers: list[set[int]] = [set() for _ in index]
    routes: dict[str, list[Route]] = {s.id: list(s.effective_routes) for s in scenario.steps}
    for event in scenario.events:
        for ch in event.changes:
            if ch.kind == "step" and ch.attribute == "routes":
                routes[ch.target] += list(ch.value or (Route(EXIT, 1.0),))
    for step in scenario.steps:
        me, i = index[step.partner], step_index[step.id]
        if step.dismissal is not None:  # dismissals end visits at arrival moments too
            closers[me].update({i, -1})
        for route in routes[step.id]:
            if route.is_exit or index[scenario.step(route.to).partner] != me:
                closers[me].add(i)
    return [next(iter(c)) if len(c) == 1 else -1 for c in closers]
