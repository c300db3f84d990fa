"""The fast path's record: every figure the simulation keeps, summed in the simulation's order.

Levels (queue, busy servers, capacity) change only at a step's own arrivals,
completions and capacity changes; the simulation adds ``level x dt`` at each
of those moments from the warm-up on. Here the same moments are put in time
order and the same products are accumulated left to right (a cumulative sum
is sequential), so the integrals are the same floats, not merely close ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ketensim.engine.fastpath import ARRIVED, IN_SERVICE, WAITING, FastRun
from ketensim.engine.plain import Tie
from ketensim.engine.records import ReplicationRecord, StepRecord
from ketensim.engine.window import counted

if TYPE_CHECKING:
    from ketensim.engine.visits import VisitLog

# what happens at a moment, in the order it takes effect when several share one
_CHANGE, _DONE, _ENQUEUE, _START = 0, 1, 2, 3


def assemble(run: FastRun, per_step: dict[str, dict[str, Any]],
             log: VisitLog | None = None) -> ReplicationRecord:
    """The replication's record (and its event log) from the cases' moments at every step."""
    sc = run.sc
    n_samples = len(run.times)
    queue = np.zeros((len(sc.steps), n_samples), dtype=np.int64)
    busy = np.zeros_like(queue)
    capacity = np.zeros_like(queue)
    steps = []
    for i, step in enumerate(sc.steps):
        record, levels = _step_record(run, step.id, step.capacity, per_step[step.id])
        steps.append(record)
        queue[i], busy[i], capacity[i] = levels
    t, case, outcome = (np.concatenate(x) for x in zip(*run.exits, strict=True)) \
        if run.exits else (np.empty(0), np.empty(0, np.int64), np.empty(0, np.int64))
    order = np.argsort(t, kind="stable")
    t, case, outcome = t[order], case[order], outcome[order]
    if (np.diff(t) == 0).any():
        raise Tie("two cases leave the chain at one moment")
    closed = tuple(np.concatenate(x) for x in zip(*run.closed, strict=True))
    closing = np.argsort(closed[0], kind="stable")
    if (np.diff(closed[0][closing]) == 0).any():
        raise Tie("two visits end at one moment")
    entered = run.entered[case]
    window = counted(t, run.warmup)
    counts_lead = counted(entered, run.warmup)
    backlog = case < run.n_backlog
    outcome_counts = np.bincount(outcome[window], minlength=len(run.outcome_index))
    if log is not None:
        log.write_fast(run, per_step, tuple(x[closing] for x in closed))
    return ReplicationRecord(
        replication=run.rep, warmup=run.warmup, horizon=run.horizon, steps=steps,
        cases_in=int(np.count_nonzero(counted(run.entered, run.warmup))),
        cases_out=int(np.count_nonzero(window)), lead_times=(t - entered)[counts_lead],
        outcomes={name: int(outcome_counts[i]) for name, i in run.outcome_index.items()},
        wip_at_end=int(run.entered.size - t.size), sample_times=run.times,
        queue_samples=queue, busy_samples=busy, reentries=0,
        backlog_lead_times=(t - entered)[backlog], outside_area=0.0, outside_at_end=0,
        deadlock=None, case_types=tuple(run.case_types), capacity_samples=capacity, pools={},
        lead_entered=entered[counts_lead],
        entered=run.entered[counted(run.entered, run.warmup)].copy(), fast=True,
    )


def _events(run: FastRun, part: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """The step's moments in the order they take effect: time, before-sample-0, kind, deltas."""
    a, s, d, k = part["arrived"], part["start"], part["done"], part["kind"]
    horizon = run.horizon
    started = s < horizon
    immediate = (k == ARRIVED) & (s == a)
    zero_change = any(t == 0.0 for t, _ in part["cap_changes"])
    rows = [
        # (time, pre, kind, d_queue, d_busy, capacity) per group of cases
        _rows(np.zeros(int((k == IN_SERVICE).sum())), 0, _START, 0, 1),
        _rows(np.zeros(int((k == WAITING).sum())), 0, _ENQUEUE, 1, 0),
        _rows(a[immediate], 1, _START, 0, 1),
        _rows(a[(k == ARRIVED) & ~immediate], 1, _ENQUEUE, 1, 0),
    ]
    from_queue = started & (k != IN_SERVICE) & ~immediate
    qs = s[from_queue]
    pre = np.where((qs == 0.0) & ((k[from_queue] == WAITING) | zero_change), 0, 1)
    rows.append(np.column_stack([qs, pre, np.full(qs.size, _START), np.full(qs.size, -1),
                                 np.ones(qs.size), np.full(qs.size, -1)]))
    rows.append(_rows(d[d < horizon], 1, _DONE, 0, -1))
    changes = part["cap_changes"]
    if changes:
        ct = np.array([t for t, _ in changes], dtype=float)
        rows.append(np.column_stack([ct, (ct != 0.0).astype(float), np.full(ct.size, _CHANGE),
                                     np.zeros(ct.size), np.zeros(ct.size),
                                     np.array([v for _, v in changes], dtype=float)]))
    table = np.concatenate(rows)
    order = np.lexsort((table[:, 2], table[:, 1], table[:, 0]))
    return tuple(table[order].T)


def _rows(times: np.ndarray, pre: int, kind: int, dq: int, db: int) -> np.ndarray:
    n = times.size
    return np.column_stack([times, np.full(n, pre), np.full(n, kind), np.full(n, dq),
                            np.full(n, db), np.full(n, -1)]).astype(float)


def _step_record(run: FastRun, step_id: str, nominal: int, part: dict[str, Any]
                 ) -> tuple[StepRecord, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    t, pre, kind, dq, db, cap_value = _events(run, part)
    nq = np.cumsum(dq).astype(np.int64)
    bz = np.cumsum(db).astype(np.int64)
    cap = _capacity_after(cap_value, nominal)
    warmup, horizon = run.warmup, run.horizon
    # the levels on the first interval of the window: after every moment up to the warm-up
    at_w = int(np.searchsorted(t, warmup, side="right"))
    q0, b0, c0 = (nq[at_w - 1], bz[at_w - 1], cap[at_w - 1]) if at_w else (0, 0, nominal)
    moments = np.concatenate([t[at_w:], [horizon]])
    before_q = np.concatenate([[q0], nq[at_w:]])
    before_b = np.concatenate([[b0], bz[at_w:]])
    before_c = np.concatenate([[c0], cap[at_w:]])
    dt = np.diff(np.concatenate([[warmup], moments]))
    before_w = int(np.searchsorted(t, warmup, side="left"))  # the reset comes first at warmup
    m0 = int(nq[before_w - 1]) if before_w else 0
    enqueued = nq[(kind == _ENQUEUE) & (t >= warmup)]
    a, k, s, d = part["arrived"], part["kind"], part["start"], part["done"]
    record = StepRecord(
        step=step_id,
        arrivals=int(np.count_nonzero(counted(np.where(k == IN_SERVICE, 0.0, a), warmup))),
        completions=int(np.count_nonzero((d >= warmup) & (d < horizon))),
        waits=np.asarray(part["waits"], dtype=float),
        queue_area=_sequential(before_q * dt), busy_area=_sequential(before_b * dt),
        capacity_area=_sequential(np.maximum(before_c, before_b) * dt),
        max_queue=max(m0, int(enqueued.max()) if enqueued.size else 0),
        queue_at_end=int(nq[-1]) if nq.size else 0,
        in_service_at_end=int(bz[-1]) if bz.size else 0,
        queued_since=a[s >= horizon].astype(float),
    )
    return record, _samples(run, t, pre, nq, bz, cap, nominal)


def _capacity_after(values: np.ndarray, nominal: int) -> np.ndarray:
    """The nominal capacity after each moment (a moment without a change carries -1)."""
    index = np.where(values >= 0, np.arange(values.size), -1)
    last = np.maximum.accumulate(index) if index.size else index
    return np.where(last >= 0, values[np.maximum(last, 0)], nominal).astype(np.int64)


def _sequential(products: np.ndarray) -> float:
    """A sum taken left to right, as the simulation adds one product per moment."""
    return float(np.cumsum(products)[-1]) if products.size else 0.0


def _samples(run: FastRun, t: np.ndarray, pre: np.ndarray, nq: np.ndarray, bz: np.ndarray,
             cap: np.ndarray, nominal: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(run.times)
    wakes = np.asarray(run.sample_wakes, dtype=float)
    index = np.searchsorted(t, wakes, side="left")
    after = np.asarray(run.sample_after_event, dtype=bool)
    if after.any():  # an event at that moment came first: its changes (and starts) count
        index[after] = np.searchsorted(t, wakes[after], side="right")
    if wakes.size:  # time 0: after the seeding and the changes of time 0, before arrivals
        index[0] = int(np.count_nonzero((t < 0.0) | ((t == 0.0) & (pre == 0))))
    q = np.zeros(n, dtype=np.int64)
    b = np.zeros(n, dtype=np.int64)
    c = np.full(n, nominal, dtype=np.int64)
    k = np.flatnonzero(index > 0)
    q[k], b[k], c[k] = nq[index[k] - 1], bz[index[k] - 1], cap[index[k] - 1]
    if n and run.times[-1] >= run.horizon - 1e-9:
        q[-1] = nq[-1] if nq.size else 0
        b[-1] = bz[-1] if bz.size else 0
        c[-1] = cap[-1] if cap.size else nominal
    return q, b, c
