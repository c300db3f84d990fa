"""Server free times on the fast path: the werkvoorraad at time 0 and a capacity change.

Both follow the simulation's rules exactly: servers busy at a change keep
their cases; with more capacity the new servers are free at once; with less,
the earliest to finish hand in their place and start nothing more. Shared by
the plain recursion and the one that dismisses (:mod:`.fastdismiss`).
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np

from ketensim.engine.plain import Tie

WAITING, IN_SERVICE, ARRIVED = 1, 2, 0  # the kinds of case at a step


def seed(kind: np.ndarray, service: Any, capacity: int, start: Any, done: Any
         ) -> tuple[list[float], list[float], int, int]:
    """The werkvoorraad at time 0, as the simulation seeds it.

    Cases in service hold a server each (with a fresh handling time), then
    free servers start on the first waiting cases at once. ``service`` holds
    the step's handling times in draw order; ``start`` and ``done`` are
    filled for the cases seeded. Returns the server heap, the servers retiring
    (more in service than capacity), the cases in service and the next case
    (also the handling times used).
    """
    n_in = int(np.count_nonzero(kind == IN_SERVICE))
    busy: list[float] = []
    for j in range(n_in):
        start[j] = 0.0
        done[j] = 0.0 + service[j]
        busy.append(done[j])
    heap, retired = seeded_servers(busy, capacity)
    j = n_in
    while j < len(kind) and kind[j] == WAITING and heap and heap[0] <= 0.0:
        heapq.heapreplace(heap, 0.0 + service[j])
        start[j] = 0.0
        done[j] = 0.0 + service[j]
        j += 1
    return heap or [math.inf], retired, n_in, j  # no server: none starts until a change


def seeded_servers(busy: list[float], capacity: int) -> tuple[list[float], list[float]]:
    """The servers at time 0: those holding the werkvoorraad in service, then free ones.

    More cases in service than servers (an input drawn within its range can
    cut the capacity below the werkvoorraad) is a cut at time 0: the first to
    finish hand in their place, as the simulation lets them.
    """
    if len(busy) > capacity:
        heap, retired = rebuild(busy, [], 0.0, capacity)
        return ([] if heap == [math.inf] else heap), retired
    heap = busy + [0.0] * (capacity - len(busy))
    heapq.heapify(heap)
    return heap, []


def rebuild(heap: list[float], retired: list[float], t: float,
             capacity: int) -> tuple[list[float], list[float]]:
    """The servers after a capacity change at ``t``, exactly as the simulation treats them.

    Servers busy at ``t`` (retiring ones too) keep their cases; with more
    capacity than busy servers the rest are free at ``t``; with fewer, the
    earliest to finish hand in their place (they start nothing more).
    """
    if t > 0 and (t in heap or t in retired):
        raise Tie("a completion (or a second change) coincides with a capacity change")
    busy = sorted([f for f in heap if t < f < math.inf] + [f for f in retired if f > t])
    if len(busy) <= capacity:
        new = busy + [t] * (capacity - len(busy))
        heapq.heapify(new)
        return new or [math.inf], []
    cut = len(busy) - capacity
    new = busy[cut:]
    heapq.heapify(new)
    return new or [math.inf], busy[:cut]


__all__ = ["ARRIVED", "IN_SERVICE", "WAITING", "rebuild", "seed", "seeded_servers"]
