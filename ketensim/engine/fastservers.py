"""Server free times on the fast path: the seeding at time 0 and a capacity change.

Both follow the simulation's rules exactly: servers busy at a change keep
their cases; with more capacity the new servers are free at once; with less,
the earliest to finish hand in their place and start nothing more.
"""

from __future__ import annotations

import heapq
import math

from ketensim.engine.plain import Tie


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


__all__ = ["rebuild", "seeded_servers"]
