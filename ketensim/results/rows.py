"""One replication's records reduced to plain rows: what a worker sends back.

:func:`replication_rows` turns the engine's record of one replication into
plain dicts and small arrays, so a worker process sends back a few kilobytes
instead of every case's wait. The column tuples here name what every row
holds; :mod:`ketensim.results.tables` stacks the rows of all replications into
DataFrames with these columns. No pandas here: the rows are plain data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ketensim.engine.records import ReplicationRecord, StepRecord
from ketensim.results import costs, norms
from ketensim.scenario.model import Scenario

STEP_COLUMNS = (
    "replication", "step", "partner", "arrivals", "completions", "mean_wait", "p90_wait",
    "mean_queue", "max_queue", "utilization", "queue_at_end",
)
STEP_EXTRA_COLUMNS = (
    "in_service_at_end", "mean_blocked", "rejected", "diverted", "reneged", "dismissed",
    "returned", "at_door_end", "late", "waiting_age_at_end", "wait_ahead_at_end",
    "stock_at_end", "mean_stock",
)
COUNT_COLUMNS = STEP_EXTRA_COLUMNS[2:9]  # whole-number extras, as the engine counts them
CHAIN_COLUMNS = (
    "replication", "cases_in", "cases_out", "mean_lead_time", "p50_lead_time", "p90_lead_time",
    "wip_at_end",
)
CHAIN_EXTRA_COLUMNS = (
    "reentries", "mean_outside", "outside_at_end", "backlog_cleared", "mean_backlog_lead_time",
    "deadlock_at", "lead_time_cases",
)
OUTCOME_COLUMNS = ("replication", "outcome", "cases")
TIMESERIES_COLUMNS = ("replication", "step", "t", "queue", "in_service", "capacity", "arrived",
                      "left")
PARTNER_COLUMNS = ("replication", "partner", "arrivals", "completions", "stock_at_end",
                   "mean_stock", "mean_time", "utilization")
DOOR_COLUMNS = ("replication", "t", "outside")
RECENT = 0.1  # the wait ahead at the end divides by the pace of this last share of the window
TYPE_COLUMNS = ("replication", "step", "case_type", "started", "mean_wait", "p90_wait")
POOL_COLUMNS = ("replication", "pool", "partner", "utilization", "mean_busy", "mean_capacity")
NORM_COLUMNS = norms.NORM_COLUMNS
COST_COLUMNS = costs.COST_COLUMNS
DEADLOCK_COLUMNS = ("replication", "at", "steps")
LEAD_TIME_COLUMNS = ("replication", "percentile", "lead_time")
PERCENTILES = tuple(range(1, 100))

Rows = dict[str, Any]


# -- one replication -> rows ---------------------------------------------------------


def replication_rows(record: ReplicationRecord, scenario: Scenario) -> Rows:
    """Reduce one replication to plain rows, in scenario step and outcome order.

    Args:
        record: the engine's output for one replication.
        scenario: the scenario it ran (fixes the order of steps and outcomes).

    Returns:
        A dict with ``replication``; ``steps`` (one dict per step), ``chain``
        (one dict), ``outcomes`` (one dict per outcome, zeros included) and
        ``timeseries`` (``t``, and ``queue`` / ``in_service`` as arrays of shape
        (steps, samples)); ``norms`` (one dict per norm: the share of cases
        within it), ``costs`` (one dict per partner, empty without costs) and
        ``deadlocks`` (one dict when the chain locked up: when, and which steps).
        Norm shares are taken here, in the worker, from every case's wait or
        lead time, so the cases themselves never cross a process boundary.
    """
    by_id = {sr.step: (i, sr) for i, sr in enumerate(record.steps)}
    order = [by_id[s.id] for s in scenario.steps]
    rep = int(record.replication)
    chain = _chain_row(record)
    cost_rows: list[dict[str, Any]] = []
    if scenario.has_costs:
        cost_rows, chain_costs = costs.cost_rows(record, scenario)
        chain.update(chain_costs)
    return {
        "replication": rep,
        "steps": [
            {**_step_row(rep, sr, s.partner, record.window), **_at_end(record, i, sr)}
            for (i, sr), s in zip(order, scenario.steps, strict=True)
        ],
        "partners": partner_rows(record, scenario),
        "door": _door(record) if scenario.wip_cap is not None else None,
        "chain": chain,
        "outcomes": [
            {"replication": rep, "outcome": name, "cases": int(record.outcomes.get(name, 0))}
            for name in _outcome_names(scenario, record)
        ],
        "timeseries": _timeseries_arrays(record, [i for i, _ in order]),
        "types": _type_rows(record, scenario),
        "pools": _pool_rows(record, scenario),
        "norms": norms.norm_rows(record, scenario),
        "costs": cost_rows,
        "deadlocks": _deadlock_rows(record),
        "lead_times": _lead_time_rows(record),
        "fast": bool(getattr(record, "fast", False)),
    }


def _lead_time_rows(record: ReplicationRecord) -> np.ndarray:
    """The lead-time distribution of one replication as its 1st to 99th percentiles.

    Ninety-nine numbers describe the whole distribution well enough for a
    picture and for questions like "how long do the slowest 5% take", without
    sending every case's lead time back from the worker.
    """
    lead = np.asarray(record.lead_times, dtype=float)
    if not lead.size:
        return np.full(len(PERCENTILES), np.nan)
    return np.percentile(lead, PERCENTILES)


def _timeseries_arrays(record: ReplicationRecord, order: list[int]) -> dict[str, np.ndarray]:
    """Sample times, and queue, busy servers and capacity per step (rows in ``order``)."""
    queue = np.asarray(record.queue_samples)
    arrived, left = np.asarray(record.arrived_samples), np.asarray(record.left_samples)
    if arrived.size == 0:  # records made by hand in tests carry no flow samples
        arrived = left = np.zeros_like(queue)
    return {
        "t": np.asarray(record.sample_times, dtype=float),
        "queue": queue[order].astype(np.int64),
        "in_service": np.asarray(record.busy_samples)[order].astype(np.int64),
        "capacity": _capacity_samples(record)[order].astype(np.int64),
        "arrived": arrived[order].astype(np.int64),
        "left": left[order].astype(np.int64),
    }


def _door(record: ReplicationRecord) -> dict[str, np.ndarray]:
    """Cases held outside the chain by its cap on work in progress, at every sample time."""
    outside = np.asarray(record.outside_samples, dtype=np.int64)
    if outside.size != np.asarray(record.sample_times).size:
        outside = np.zeros(np.asarray(record.sample_times).size, dtype=np.int64)
    return {"t": np.asarray(record.sample_times, dtype=float), "outside": outside}


def _at_end(record: ReplicationRecord, index: int, sr: StepRecord) -> dict[str, float]:
    """The waits of cases still waiting at the horizon: so far, and ahead of a newcomer.

    ``waiting_age_at_end`` is how long the cases still in the queue have waited
    so far (their waits are in no ``mean_wait`` yet); ``wait_ahead_at_end``
    estimates the wait of a case arriving at the horizon: the queue divided by
    the pace at which cases left the step over the last tenth of the window,
    leaving out those turned away, diverted or dismissed on arrival (they never
    stood in the queue). NaN when nobody waits, or when nothing left lately.
    """
    since = np.asarray(sr.queued_since, dtype=float)
    age = float(np.mean(record.horizon - since)) if since.size else math.nan
    return {"waiting_age_at_end": age, "wait_ahead_at_end": _wait_ahead(record, index, sr)}


def _wait_ahead(record: ReplicationRecord, index: int, sr: StepRecord) -> float:
    queue = int(sr.queue_at_end)
    if queue == 0:
        return 0.0
    t = np.asarray(record.sample_times, dtype=float)
    left = np.asarray(record.left_samples)
    if left.size == 0 or t.size < 2 or record.window <= 0:
        return math.nan
    lo = record.horizon - max(RECENT * record.window, t[1] - t[0])
    k = int(np.searchsorted(t, lo, side="left"))
    w = int(np.searchsorted(t, record.warmup, side="left"))
    recent = float(left[index, -1] - left[index, k])
    window = float(left[index, -1] - left[index, min(w, t.size - 1)])
    on_arrival = sr.rejected + sr.diverted + sr.dismissed
    pace = recent * (1 - min(1.0, on_arrival / window)) / (t[-1] - t[k]) \
        if window > 0 and t[-1] > t[k] else 0.0
    return queue / pace if pace > 0 else math.nan


def partner_rows(record: ReplicationRecord, scenario: Scenario) -> list[dict[str, Any]]:
    """One row per partner: visits in and out, stock, time with the partner, utilisation.

    The stock's time integral is the sum of the partner's steps' integrals
    (waiting, in service, blocked) plus the cases on their way between two of
    its steps, so ``mean_stock`` equals arrivals per time unit times
    ``mean_time`` in the long run (Little's law).
    """
    by_id = {sr.step: sr for sr in record.steps}
    window = record.window
    rows = []
    for pr in getattr(record, "partners", None) or []:
        mine = [by_id[s.id] for s in scenario.steps if s.partner == pr.partner]
        area = sum((sr.stock_area for sr in mine), 0.0) + pr.transit_area
        busy = sum((sr.busy_area for sr in mine), 0.0)
        capacity = sum((sr.capacity_area for sr in mine), 0.0)
        rows.append({
            "replication": int(record.replication), "partner": pr.partner,
            "arrivals": int(pr.arrivals), "completions": int(pr.completions),
            "stock_at_end": int(pr.open_at_end),
            "mean_stock": area / window if window > 0 else math.nan,
            "mean_time": pr.time_sum / pr.timed if pr.timed else math.nan,
            "utilization": busy / capacity if capacity > 0 else math.nan,
        })
    return rows


def _deadlock_rows(record: ReplicationRecord) -> list[dict[str, Any]]:
    """The moment the chain locked up and the steps that block each other (space-separated)."""
    if not record.deadlock:
        return []
    at, steps = record.deadlock
    return [{"replication": int(record.replication), "at": float(at), "steps": " ".join(steps)}]


def _capacity_samples(record: ReplicationRecord) -> np.ndarray:
    caps = np.asarray(record.capacity_samples)
    if caps.size == 0:  # records made by hand in tests carry no capacity samples
        return np.zeros_like(np.asarray(record.queue_samples))
    return caps


def _type_rows(record: ReplicationRecord, scenario: Scenario) -> list[dict[str, Any]]:
    """Waits per case type at steps that treat types differently (priorities, own service)."""
    rows = []
    by_id = {sr.step: sr for sr in record.steps}
    for step in scenario.steps:
        sr = by_id[step.id]
        if not step.types or not sr.wait_types.size:
            continue
        for index, name in enumerate(record.case_types):
            waits = sr.waits[sr.wait_types == index]
            rows.append({
                "replication": int(record.replication), "step": step.id, "case_type": name,
                "started": int(waits.size),
                "mean_wait": float(waits.mean()) if waits.size else math.nan,
                "p90_wait": float(np.percentile(waits, 90)) if waits.size else math.nan,
            })
    return rows


def _pool_rows(record: ReplicationRecord, scenario: Scenario) -> list[dict[str, Any]]:
    rows = []
    window = record.window
    for pool in scenario.pools:
        busy, capacity = record.pools.get(pool.id, (0.0, 0.0))
        rows.append({
            "replication": int(record.replication), "pool": pool.id, "partner": pool.partner,
            "utilization": busy / capacity if capacity > 0 else math.nan,
            "mean_busy": busy / window if window > 0 else math.nan,
            "mean_capacity": capacity / window if window > 0 else math.nan,
        })
    return rows


def _step_row(rep: int, sr: StepRecord, partner: str, window: float) -> dict[str, Any]:
    waits = np.asarray(sr.waits, dtype=float)
    return {
        "replication": rep,
        "step": sr.step,
        "partner": partner,
        "arrivals": int(sr.arrivals),
        "completions": int(sr.completions),
        "mean_wait": float(waits.mean()) if waits.size else math.nan,
        "p90_wait": float(np.percentile(waits, 90)) if waits.size else math.nan,
        "mean_queue": sr.queue_area / window if window > 0 else math.nan,
        "max_queue": int(sr.max_queue),
        "utilization": sr.busy_area / sr.capacity_area if sr.capacity_area > 0 else math.nan,
        "queue_at_end": int(sr.queue_at_end),
        "in_service_at_end": int(sr.in_service_at_end),
        "mean_blocked": getattr(sr, "blocked_area", 0.0) / window if window > 0 else math.nan,
        **{name: int(getattr(sr, name, 0)) for name in COUNT_COLUMNS},
        # The stock as partners publish it: every open case, waiting, in handling, blocked
        # or held at the door; the queue alone stays in queue_at_end.
        "stock_at_end": int(sr.queue_at_end) + int(sr.in_service_at_end)
        + int(getattr(sr, "at_door_end", 0)),
        "mean_stock": getattr(sr, "stock_area", 0.0) / window if window > 0 else math.nan,
    }


def _chain_row(record: ReplicationRecord) -> dict[str, Any]:
    lead = np.asarray(record.lead_times, dtype=float)
    window = record.window
    return {
        "replication": int(record.replication),
        "cases_in": int(record.cases_in),
        "cases_out": int(record.cases_out),
        "mean_lead_time": float(lead.mean()) if lead.size else math.nan,
        "p50_lead_time": float(np.percentile(lead, 50)) if lead.size else math.nan,
        "p90_lead_time": float(np.percentile(lead, 90)) if lead.size else math.nan,
        "wip_at_end": int(record.wip_at_end),
        "reentries": int(getattr(record, "reentries", 0)),
        "mean_outside": getattr(record, "outside_area", 0.0) / window if window > 0 else math.nan,
        "outside_at_end": int(getattr(record, "outside_at_end", 0)),
        "backlog_cleared": int(record.backlog_lead_times.size),
        "lead_time_cases": int(lead.size),
        "mean_backlog_lead_time": float(record.backlog_lead_times.mean())
        if record.backlog_lead_times.size else math.nan,
        "deadlock_at": record.deadlock[0] if record.deadlock else math.nan,
    }


def _outcome_names(scenario: Scenario, record: ReplicationRecord) -> list[str]:
    """The scenario's outcomes, then any the engine reported beyond them (e.g. rejections)."""
    names = list(scenario.outcomes)
    names += sorted(k for k in record.outcomes if k not in names)
    return names
