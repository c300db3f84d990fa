"""An event log from a small hand-written queueing simulation, independent of ketensim's engine.

A case system's export in miniature: cases arrive (Poisson), are handled at
``intake`` by named staff, then go on to ``besluit`` or leave (afgewezen);
after ``besluit`` a share goes back to ``intake`` (rework) and the rest
leave (toegekend). Each step serves first come first served with a heap of
staff free times. Times are ISO moments from a Monday, in hours.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

START = pd.Timestamp("2024-01-01")  # a Monday


@dataclass(frozen=True)
class Truth:
    rate: float = 4.0  # cases per hour
    intake_staff: int = 3
    intake_mean: float = 0.6  # hours, exponential
    besluit_staff: int = 2
    besluit_mean: float = 0.4  # hours, gamma with cv 0.5
    besluit_cv: float = 0.5
    p_besluit: float = 0.7
    p_rework: float = 0.15
    hours: float = 2000.0


def generate(truth: Truth = Truth(), seed: int = 3) -> pd.DataFrame:
    """The log: one row per visit, with resource, partner, outcome and ISO timestamps."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(1 / truth.rate, int(truth.rate * truth.hours * 1.2)))
    t = t[t < truth.hours]
    staff = {"intake": [(0.0, f"medewerker-{k}") for k in range(truth.intake_staff)],
             "besluit": [(0.0, f"beslisser-{k}") for k in range(truth.besluit_staff)]}
    for heap in staff.values():
        heapq.heapify(heap)
    shape = 1 / truth.besluit_cv ** 2
    events: list[tuple[float, int, str, float, float | None, str]] = []
    # every visit is put on one time-ordered list, so each step sees its cases in arrival order
    todo: list[tuple[float, int, int, str]] = [(a, i, i, "intake") for i, a in enumerate(t)]
    heapq.heapify(todo)
    n = len(t)
    while todo:
        enabled, _, case, step = heapq.heappop(todo)
        free, who = heapq.heappop(staff[step])
        start = max(enabled, free)
        if step == "intake":
            end = start + rng.exponential(truth.intake_mean)
            nxt = "besluit" if rng.random() < truth.p_besluit else "afgewezen"
        else:
            end = start + rng.gamma(shape, truth.besluit_mean / shape)
            nxt = "intake" if rng.random() < truth.p_rework else "toegekend"
        heapq.heappush(staff[step], (end, who))
        if end >= truth.hours:
            events.append((enabled, case, step, start if start < truth.hours else np.nan,
                           None, who if start < truth.hours else ""))
            continue
        if nxt in ("besluit", "intake"):
            heapq.heappush(todo, (end, n, case, nxt))
            n += 1
            events.append((enabled, case, step, start, end, who))
        else:
            events.append((enabled, case, step, start, end, who + "|" + nxt))
    rows = []
    for enabled, case, step, start, end, who in events:
        resource, _, outcome = who.partition("|")
        rows.append({"zaak": f"Z{case:06d}", "activiteit": step,
                     "klaar_voor": _iso(enabled), "begin": _iso(start), "eind": _iso(end),
                     "medewerker": resource, "afdeling": "gemeente" if step == "intake"
                     else "uwv", "uitkomst": outcome})
    return pd.DataFrame(rows)


def _iso(hours: float | None) -> str:
    if hours is None or not np.isfinite(hours):
        return ""
    return (START + pd.Timedelta(hours=float(hours))).isoformat()


__all__ = ["START", "Truth", "generate"]
