"""Which mechanisms of a real chain showed up in a run, in numbers.

A plain queueing chain only queues. The mechanisms a scenario can switch on
(finite buffers that block, turn away or divert; deadlines; dismissal at high
workload; rework; failure demand; re-entry; priorities per case type; shared
staff pools) and the deadlock that blocking can cause each leave their own
trace in the results tables. This module finds the traces that are there
(means over replications, non-zero only), so that the report and the
terminal show a mechanism exactly when it mattered. Wording lives elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ketensim.results.stats import Interval, bounds_of, mean_ci

# Per-step counts, in the order a reader meets them; ``at_door_end`` is a reading, shown in
# the report only.
STEP_KPIS = ("mean_blocked", "rejected", "diverted", "reneged", "dismissed", "returned",
             "late", "at_door_end")
LINE_KPIS = STEP_KPIS[:-1]


@dataclass(frozen=True)
class Deadlock:
    """The chain locked up (steps blocking each other for good) in some replications.

    Attributes:
        replications: in how many replications it happened.
        of: how many replications ran.
        first_at: the earliest moment it happened.
        last_at: the latest moment it happened.
        steps: the steps that blocked each other, over all those replications.
    """

    replications: int
    of: int
    first_at: float
    last_at: float
    steps: tuple[str, ...]


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce")


def _happened(frame: pd.DataFrame | None, column: str) -> bool:
    if frame is None or column not in frame.columns or frame.empty:
        return False
    return bool(_numeric(frame, column).fillna(0).abs().sum() > 0)


def step_kpis(results: Any) -> list[str]:
    """The per-step mechanism columns of ``steps`` that are non-zero somewhere in the run."""
    return [k for k in STEP_KPIS if _happened(results.steps, k)]


def step_means(results: Any, kpi: str) -> list[tuple[str, Interval]]:
    """Per step (scenario order) where ``kpi`` happened: its mean over replications."""
    out = []
    for step in results.scenario.steps:
        part = results.steps[results.steps["step"] == step.id]
        values = _numeric(part, kpi).to_numpy(dtype=float)
        if values.size and abs(values).sum() > 0:
            out.append((step.id, mean_ci(values, bounds=bounds_of(kpi))))
    return out


def reentries(results: Any) -> Interval | None:
    """Cases that came back into the chain after leaving it, per replication; None if none."""
    if not _happened(results.chain, "reentries"):
        return None
    return mean_ci(_numeric(results.chain, "reentries").to_numpy(dtype=float),
                   bounds=bounds_of("reentries"))


def deadlock(results: Any) -> Deadlock | None:
    """When and where the chain locked up, or None when it never did."""
    chain = results.chain
    if "deadlock_at" not in chain.columns:
        return None
    at = _numeric(chain, "deadlock_at").dropna()
    if at.empty:
        return None
    table = getattr(results, "deadlocks", None)
    steps: set[str] = set()
    if table is not None and not table.empty:
        for names in table["steps"]:
            steps.update(str(names).split())
    return Deadlock(int(at.size), len(chain), float(at.min()), float(at.max()),
                    tuple(sorted(steps)))


def type_waits(results: Any) -> list[dict[str, Any]]:
    """Per typed step and case type that came there: mean wait, 90% wait, cases started."""
    table = getattr(results, "types", None)
    if table is None or table.empty:
        return []
    out = []
    for step in results.scenario.steps:
        mine = table[table["step"] == step.id]
        for case_type in dict.fromkeys(mine["case_type"]):
            rows = mine[mine["case_type"] == case_type]
            if not _numeric(rows, "started").fillna(0).sum() > 0:
                continue  # a type that never came to this step says nothing
            out.append({"step": step.id, "case_type": str(case_type),
                        "mean_wait": _ci(rows, "mean_wait"),
                        "p90_wait": _ci(rows, "p90_wait"),
                        "started": _ci(rows, "started")})
    return out


def pool_use(results: Any) -> list[dict[str, Any]]:
    """Per shared staff pool: utilisation, busy staff and staff available (means)."""
    table = getattr(results, "pools", None)
    if table is None or table.empty:
        return []
    out = []
    for pool in dict.fromkeys(table["pool"]):
        rows = table[table["pool"] == pool]
        out.append({"pool": str(pool), "partner": str(rows["partner"].iloc[0]),
                    **{k: _ci(rows, k)
                       for k in ("utilization", "mean_busy", "mean_capacity")}})
    return out


def any_shown(results: Any) -> bool:
    """True when the run has anything for the mechanism table."""
    return bool(step_kpis(results) or reentries(results) or deadlock(results)
                or type_waits(results) or pool_use(results))


def finite(est: Interval) -> bool:
    """True when an estimate has a usable mean."""
    return est.n > 0 and math.isfinite(est.mean)


def _ci(rows: pd.DataFrame, kpi: str) -> Interval:
    return mean_ci(_numeric(rows, kpi).to_numpy(dtype=float), bounds=bounds_of(kpi))
