"""The fast path's record: every figure the simulation keeps, summed in the simulation's order.

Levels (queue, busy servers, capacity) change only at a step's own arrivals,
completions and capacity changes; the simulation adds ``level x dt`` at each
of those moments from the warm-up on. Here the same moments are put in time
order and the same products are accumulated left to right (a cumulative sum
is sequential), so the integrals are the same floats, not merely close ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ketensim.engine.fastpath import FastRun, _meets
from ketensim.engine.fastservers import ARRIVED, IN_SERVICE, WAITING
from ketensim.engine.plain import Tie
from ketensim.engine.records import ReplicationRecord, StepRecord
from ketensim.engine.window import counted

if TYPE_CHECKING:
    from ketensim.engine.visits import VisitLog

CHUNK = 1 << 16  # moments summed at a time: the sums stay sequential, memory stays small


def assemble(run: FastRun, log: VisitLog | None = None) -> ReplicationRecord:
    """The replication's record (and its event log) once every step is served."""
    sc = run.sc
    n_samples = len(run.times)
    queue = np.zeros((len(sc.steps), n_samples), dtype=np.int64)
    busy = np.zeros_like(queue)
    capacity = np.zeros_like(queue)
    arrived = np.zeros_like(queue)
    steps = []
    for i, step in enumerate(sc.steps):
        record, levels = run.records[step.id]
        steps.append(record)
        queue[i], busy[i], capacity[i], arrived[i] = levels
    partners = run.visits_to.finish()  # before the chain's columns: the peaks do not add up
    t, case, outcome = (np.concatenate(x) for x in zip(*run.exits, strict=True)) \
        if run.exits else (np.empty(0), np.empty(0, np.int64), np.empty(0, np.int64))
    run.exits = []  # in the joined columns now
    order = np.argsort(t, kind="stable")
    t, case, outcome = t[order], case[order], outcome[order]
    del order
    if (np.diff(t) == 0).any():
        raise Tie("two cases leave the chain at one moment")
    if log is not None:
        log.finish_fast(list(run.case_types))
    entered = run.entered[case]
    window = counted(t, run.warmup)
    counts_lead = counted(entered, run.warmup)
    backlog = case < run.n_backlog
    del case
    outcome_counts = np.bincount(outcome[window], minlength=len(run.outcome_index))
    lead = t - entered
    return ReplicationRecord(
        replication=run.rep, warmup=run.warmup, horizon=run.horizon, steps=steps,
        cases_in=int(np.count_nonzero(counted(run.entered, run.warmup))),
        cases_out=int(np.count_nonzero(window)), lead_times=lead[counts_lead],
        outcomes={name: int(outcome_counts[i]) for name, i in run.outcome_index.items()},
        wip_at_end=int(run.entered.size - t.size), sample_times=run.times,
        queue_samples=queue, busy_samples=busy, reentries=0,
        backlog_lead_times=lead[backlog], outside_area=0.0, outside_at_end=0,
        deadlock=None, case_types=tuple(run.case_types), capacity_samples=capacity, pools={},
        lead_entered=entered[counts_lead], entered=_in_window(run), fast=True,
        arrived_samples=arrived, left_samples=arrived - queue - busy,
        outside_samples=np.zeros(n_samples, dtype=np.int64), partners=partners,
    )


def _in_window(run: FastRun) -> np.ndarray:
    """Entry moments of the cases that entered in the window (new cases are a sorted tail)."""
    backlog, new = run.entered[:run.n_backlog], run.entered[run.n_backlog:]
    if not np.count_nonzero(counted(backlog, run.warmup)):
        return new[int(np.searchsorted(new, run.warmup, side="left")):]
    return run.entered[counted(run.entered, run.warmup)]


class _Moments:
    """A step's moments as sorted columns; a level is a count of moments up to a time.

    The queue after all moments up to ``x`` is (cases queued by ``x``) minus
    (cases taken from the queue by ``x``); busy servers likewise from starts
    and completions; the capacity is the last change by ``x``. Counting in
    sorted columns (binary search) needs no table of every moment.
    """

    def __init__(self, run: FastRun, nominal: int, part: dict[str, Any]):
        a, s, k = part["arrived"], part["start"], part["kind"]
        horizon = run.horizon
        started = s < horizon
        stayed = ~part["gone"] if part["gone"] is not None else True  # not dismissed
        immediate = (k == ARRIVED) & (s == a)
        self.n_waiting = int(np.count_nonzero(k == WAITING))
        self.n_in = int(np.count_nonzero(k == IN_SERVICE))
        self.enqueued = np.concatenate([np.zeros(self.n_waiting),
                                        a[(k == ARRIVED) & ~immediate & stayed]])
        self.from_queue = s[started & (k != IN_SERVICE) & ~immediate]  # FIFO: sorted already
        # Views where the order allows (no copies of a step's columns): starts are in
        # FIFO order, and the werkvoorraad comes before the arrivals.
        n_started = int(np.count_nonzero(started))
        self.starts = s[:n_started] if started[:n_started].all() else s[started]
        self.done = part["done_sorted"]
        seeded = self.n_waiting + self.n_in
        self.arrived = a[seeded:] if not (k[:seeded] == ARRIVED).any() else a[k == ARRIVED]
        self.seeded_starts = int(np.count_nonzero((k == WAITING) & (s == 0.0)))
        changes = part["cap_changes"]
        self.change_at = np.array([t for t, _ in changes], dtype=float)
        self.change_to = np.array([v for _, v in changes] or [nominal], dtype=np.int64)
        self.nominal = nominal
        # Fixed servers, no dismissal, no more in service than servers: the step is
        # work-conserving, so its queue and busy servers follow from the cases present.
        self.conserving = not changes and part["gone"] is None and self.n_in <= nominal
        self.present = None if not self.conserving else self.arrived if not seeded else \
            np.concatenate([np.zeros(seeded), self.arrived])

    def stock_levels(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        """As :meth:`levels` after the moments ``<= x``, counted from the cases present.

        In a work-conserving step at fixed capacity ``c``, ``n`` cases present
        are ``min(n, c)`` in service and the rest in the queue (a server freed
        at a moment takes the next case at that moment), so two counts do what
        four do in :meth:`levels`.
        """
        if self.present is None:
            return self.levels(x, "right")
        n = (np.searchsorted(self.present, x, side="right")
             - np.searchsorted(self.done, x, side="right"))
        busy = np.minimum(n, self.nominal)
        return n - busy, busy, np.full(x.size, self.nominal, dtype=np.int64)

    def levels(self, x: np.ndarray, side: str) -> tuple[np.ndarray, ...]:
        """Queue, busy servers and capacity after the moments ``<= x`` (``side="right"``)
        or ``< x`` (``side="left"``)."""
        def count(col: np.ndarray) -> np.ndarray:
            return np.searchsorted(col, x, side=side)  # type: ignore[call-overload]

        queue = count(self.enqueued) - count(self.from_queue)
        busy = count(self.starts) - count(self.done)
        index = count(self.change_at)
        capacity = np.where(index > 0, self.change_to[np.maximum(index - 1, 0)], self.nominal)
        return queue, busy, capacity


def step_record(run: FastRun, step_id: str, nominal: int, part: dict[str, Any]
                ) -> tuple[StepRecord, tuple[np.ndarray, ...]]:
    """One step's record and its sampled levels, from its cases' moments."""
    m = _Moments(run, nominal, part)
    warmup, horizon = run.warmup, run.horizon
    # The simulation adds level x dt at each of the step's own moments in the window.
    breaks = np.concatenate([m.arrived, m.done, m.change_at, [horizon]])
    breaks.sort(kind="stable")  # in place; sorted runs merge in O(n)
    if (breaks[1:] == breaks[:-1]).any() and _meets(m.arrived, m.done):
        raise Tie("a completion at an arrival")  # which came first, only the event list knows
    breaks = breaks[np.searchsorted(breaks, warmup, side="right"):]  # a view: the window
    areas = np.zeros(3)
    for lo in range(0, breaks.size, CHUNK):
        chunk = breaks[lo:lo + CHUNK]
        prev = np.concatenate([[warmup if lo == 0 else breaks[lo - 1]], chunk[:-1]])
        queue, busy, capacity = m.stock_levels(prev)
        dt = chunk - prev
        for i, level in enumerate((queue, busy, np.maximum(capacity, busy))):
            areas[i] = float(np.cumsum(np.concatenate([[areas[i]], level * dt]))[-1])
    before = np.array([warmup])  # the reset comes first at the warm-up
    m0 = int(m.levels(before, "left")[0][0]) if warmup > 0 else 0
    # The queue on each joining in the window: those joined by then (the last of a
    # batch counts the whole batch, and so holds the peak) minus those taken before.
    first_late = int(np.searchsorted(m.enqueued, warmup, side="left"))
    peak = 0
    for lo in range(first_late, m.enqueued.size, CHUNK):
        late = m.enqueued[lo:lo + CHUNK]
        joined = np.arange(lo + 1, lo + late.size + 1)
        peak = max(peak, int((joined - np.searchsorted(m.from_queue, late, side="left")).max()))
    a, k, s, d = part["arrived"], part["kind"], part["start"], part["done"]
    end = m.levels(np.array([horizon]), "left")
    record = StepRecord(
        step=step_id,
        arrivals=int(np.count_nonzero(counted(np.where(k == IN_SERVICE, 0.0, a), warmup))),
        completions=int(np.count_nonzero((d >= warmup) & (d < horizon))),
        waits=np.asarray(part["waits"], dtype=float),
        queue_area=float(areas[0]), busy_area=float(areas[1]), capacity_area=float(areas[2]),
        max_queue=max(m0, peak),
        queue_at_end=int(end[0][0]), in_service_at_end=int(end[1][0]),
        queued_since=a[(s >= horizon) & (part["gone"] is None or ~part["gone"])].astype(float),
        dismissed=0 if part["gone"] is None else int(np.count_nonzero(
            part["gone"] & counted(a, warmup))),
        stock_area=float(areas[0]) + float(areas[1]),
    )
    return record, _samples(run, m)


def _samples(run: FastRun, m: _Moments) -> tuple[np.ndarray, ...]:
    """Queue, busy servers, capacity and cases taken in so far, at every sample time."""
    n = len(run.times)
    wakes = np.asarray(run.sample_wakes, dtype=float)
    after = np.asarray(run.sample_after_event, dtype=bool)
    q = np.zeros(n, dtype=np.int64)
    b = np.zeros(n, dtype=np.int64)
    c = np.full(n, m.nominal, dtype=np.int64)
    seeded = m.n_waiting + m.n_in
    taken = np.full(n, seeded, dtype=np.int64)  # the werkvoorraad was taken in at time 0
    if wakes.size:
        sides: tuple[tuple[Literal["left", "right"], np.ndarray], ...] = (
            ("left", ~after), ("right", after))
        for side, mask in sides:
            # an event at a sample moment that came first shows its change (and starts)
            q[:wakes.size][mask], b[:wakes.size][mask], c[:wakes.size][mask] = \
                m.levels(wakes[mask], side)
            taken[:wakes.size][mask] = seeded + np.searchsorted(m.arrived, wakes[mask], side=side)
        # time 0: after the seeding and the changes of time 0, before the arrivals of time 0
        q[0] = m.n_waiting - m.seeded_starts
        b[0] = m.n_in + m.seeded_starts
        at_zero = np.flatnonzero(m.change_at == 0.0)
        c[0] = m.change_to[at_zero[-1]] if at_zero.size else m.nominal
        taken[0] = seeded  # time 0 is read before the arrivals of time 0
    if n and run.times[-1] >= run.horizon - 1e-9:
        end = m.levels(np.array([run.horizon]), "left")
        q[-1], b[-1], c[-1] = end[0][0], end[1][0], end[2][0]
        taken[-1] = seeded + np.searchsorted(m.arrived, run.horizon, side="left")
    return q, b, c, taken
