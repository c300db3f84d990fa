"""The fast path at a step that dismisses cases when its queue is too long (capacity sepot).

The simulation decides at each arrival: with more than ``above`` cases
waiting, a uniform from the step's ``dismiss`` stream below ``share``
dismisses the case at once. The queue a case finds is known from the cases
before it alone: in first-come-first-served order the cases start in the
order they came, so the waiting ones are those taken in before it that had
not started by its arrival. The recursion below is the plain one of
:func:`ketensim.engine.fastpath._recursion` with that decision in front of
every arrival, its draws taken only when the queue is long enough (as the
simulation draws them), and handling times drawn only for cases that stay.
"""

from __future__ import annotations

import heapq
import math
from array import array
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ketensim.engine.fastservers import ARRIVED, rebuild, seed
from ketensim.engine.plain import Tie

if TYPE_CHECKING:
    from ketensim.engine.fastpath import FastRun
    from ketensim.scenario.model import Step



def dismissing_recursion(run: FastRun, step: Step, times: np.ndarray, kind: np.ndarray,
                         changes: list[tuple[float, int]]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and dismissal of every case at a FIFO step that dismisses under pressure.

    Long on purpose: one loop over the step's cases, as the plain recursion,
    with the queue count and the dismissal draw inside it.
    """
    rule = step.dismissal
    assert rule is not None  # only dismissing steps come here
    n = len(times)
    horizon = run.horizon
    arrived = memoryview(cast(Any, times))
    service = memoryview(cast(Any, run.draws(f"service:{step.id}", step.service).take(n)))
    dismiss = run.draws(f"dismiss:{step.id}")
    start = array("d", [math.inf]) * n
    done = array("d", [math.inf]) * n
    gone = np.zeros(n, dtype=bool)
    heap, retired, n_in, j = seed(kind, service, step.capacity, start, done)
    made_free: set[float] = {0.0}
    s = j  # handling times used: one per case started so far
    taken: list[int] = list(range(n_in, j))  # cases taken in (not dismissed), in order
    first_waiting = len(taken)  # taken[first_waiting:] may still wait; earlier ones started
    c = 0
    nxt = changes[0][0] if changes else math.inf
    stuck = False  # a case could not start by the horizon: no later one can
    for j in range(j, n):  # noqa: B020 - the loop goes on from the seeding
        a = arrived[j]
        if kind[j] == ARRIVED:
            while first_waiting < len(taken) and start[taken[first_waiting]] <= a:
                first_waiting += 1
            if len(taken) - first_waiting > rule.above and dismiss.next() < rule.share:
                gone[j] = True
                continue
        taken.append(j)
        if stuck:
            continue
        while True:
            top = heap[0]
            cand = a if a > top else top
            if cand < (nxt if nxt < horizon else horizon):
                break
            if cand < nxt or c >= len(changes):
                stuck = True  # by the horizon it has not started
                break
            t, new = changes[c]
            if t == cand and t > 0 and (t == a or (t == top and top not in made_free)):
                raise Tie("a capacity change coincides with a start")
            heap, retired = rebuild(heap, retired, t, new)
            made_free.add(t)
            c += 1
            nxt = changes[c][0] if c < len(changes) else math.inf
        if stuck:
            continue
        d = cand + service[s]
        s += 1
        heapq.heapreplace(heap, d)
        start[j] = cand
        done[j] = d
    while c < len(changes):  # changes after the last start: a tie with a completion still counts
        heap, retired = rebuild(heap, retired, changes[c][0], changes[c][1])
        c += 1
    return np.frombuffer(start, dtype=float), np.frombuffer(done, dtype=float), gone


__all__ = ["dismissing_recursion"]
