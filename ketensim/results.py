"""Results tables: replication records turned into the contract's DataFrames.

Two steps, both pure. :func:`replication_rows` reduces one replication's
records to plain rows and small arrays, so a worker process sends back a few
kilobytes instead of every case's wait. :func:`build_results` stacks the rows
of all replications into tidy tables in which every row says where it came
from (replication, step, outcome, time), in a fixed order, so equal inputs
give equal bytes on disk.

This is the first module that uses pandas; everything before it works on
plain numbers and arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ketensim import costs, norms, stats, trend
from ketensim.model import Scenario
from ketensim.records import ReplicationRecord, StepRecord

STEP_COLUMNS = (
    "replication", "step", "partner", "arrivals", "completions", "mean_wait", "p90_wait",
    "mean_queue", "max_queue", "utilization", "queue_at_end",
)
STEP_EXTRA_COLUMNS = (
    "in_service_at_end", "mean_blocked", "rejected", "diverted", "reneged", "dismissed",
    "returned", "at_door_end", "late",
)
CHAIN_COLUMNS = (
    "replication", "cases_in", "cases_out", "mean_lead_time", "p50_lead_time", "p90_lead_time",
    "wip_at_end",
)
CHAIN_EXTRA_COLUMNS = (
    "reentries", "mean_outside", "outside_at_end", "backlog_cleared", "mean_backlog_lead_time",
    "deadlock_at",
)
OUTCOME_COLUMNS = ("replication", "outcome", "cases")
TIMESERIES_COLUMNS = ("replication", "step", "t", "queue", "in_service", "capacity")
TYPE_COLUMNS = ("replication", "step", "case_type", "started", "mean_wait", "p90_wait")
POOL_COLUMNS = ("replication", "pool", "partner", "utilization", "mean_busy", "mean_capacity")
SUMMARY_COLUMNS = ("step", "kpi", "mean", "ci_low", "ci_high", "n")
NORM_COLUMNS = norms.NORM_COLUMNS
NORM_SUMMARY_COLUMNS = (
    "norm", "kind", "step", "within", "share", "mean", "ci_low", "ci_high", "replications_met",
    "replications",
)
COST_COLUMNS = costs.COST_COLUMNS
COST_SUMMARY_COLUMNS = ("partner", "kpi", "mean", "ci_low", "ci_high", "n")
TREND_COLUMNS = ("step", "status", "since", "rate", "before", "last", "growing")

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
        within it) and ``costs`` (one dict per partner, empty without costs).
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
            _step_row(rep, sr, s.partner, record.window)
            for (_, sr), s in zip(order, scenario.steps, strict=True)
        ],
        "chain": chain,
        "outcomes": [
            {"replication": rep, "outcome": name, "cases": int(record.outcomes.get(name, 0))}
            for name in _outcome_names(scenario, record)
        ],
        "timeseries": {
            "t": np.asarray(record.sample_times, dtype=float),
            "queue": np.asarray(record.queue_samples)[[i for i, _ in order]].astype(np.int64),
            "in_service": np.asarray(record.busy_samples)[[i for i, _ in order]].astype(np.int64),
            "capacity": _capacity_samples(record)[[i for i, _ in order]].astype(np.int64),
        },
        "types": _type_rows(record, scenario),
        "pools": _pool_rows(record, scenario),
        "norms": norms.norm_rows(record, scenario),
        "costs": cost_rows,
    }


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
        **{name: int(getattr(sr, name, 0)) for name in STEP_EXTRA_COLUMNS[2:]},
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
        "mean_backlog_lead_time": float(record.backlog_lead_times.mean())
        if record.backlog_lead_times.size else math.nan,
        "deadlock_at": record.deadlock[0] if record.deadlock else math.nan,
    }


def _outcome_names(scenario: Scenario, record: ReplicationRecord) -> list[str]:
    """The scenario's outcomes, then any the engine reported beyond them (e.g. rejections)."""
    names = list(scenario.outcomes)
    names += sorted(k for k in record.outcomes if k not in names)
    return names


# -- all replications -> tables --------------------------------------------------------


@dataclass(eq=False)  # DataFrames have no single truth value; compare tables one by one
class Results:
    """Everything one run produced, as tables with the contract's columns.

    Attributes:
        scenario: the scenario that ran (with the run's replications and seed).
        seed: the run's seed.
        replications: how many replications ran.
        steps: one row per replication x step.
        chain: one row per replication.
        outcomes: one row per replication x outcome.
        timeseries: one row per replication x step x sample time.
        norms: one row per replication x norm (None or empty without norms).
        costs: one row per replication x partner (None or empty without costs).
    """

    scenario: Scenario
    seed: int
    replications: int
    steps: pd.DataFrame
    chain: pd.DataFrame
    outcomes: pd.DataFrame
    timeseries: pd.DataFrame
    types: pd.DataFrame | None = None  # waits per case type at typed steps
    pools: pd.DataFrame | None = None  # use of shared staff pools
    norms: pd.DataFrame | None = None  # share of cases within each norm
    costs: pd.DataFrame | None = None  # costs per partner and their sharing

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file stem, in the order they are written.

        The contract's four always; ``types`` and ``pools`` when the scenario
        has typed steps or staff pools.
        """
        tables = {
            "steps": self.steps, "chain": self.chain,
            "outcomes": self.outcomes, "timeseries": self.timeseries,
        }
        if self.types is not None and not self.types.empty:
            tables["types"] = self.types
        if self.pools is not None and not self.pools.empty:
            tables["pools"] = self.pools
        if self.scenario.norms and self.norms is not None:
            tables["norms"] = self.norms
            tables["norms_summary"] = self.norm_summary()
        if self.scenario.has_costs and self.costs is not None:
            tables["costs"] = self.costs
        return tables

    @property
    def window(self) -> float:
        """Length of the steady-state window ``[warmup, horizon]``, in time units."""
        return self.scenario.horizon - self.scenario.warmup

    def throughput(self) -> np.ndarray:
        """Cases leaving the chain per time unit in the window, one value per replication."""
        out = self.chain["cases_out"].to_numpy(dtype=float)
        return out / self.window if self.window > 0 else np.full(out.shape, math.nan)

    def norm_shares(self, norm_id: str) -> np.ndarray:
        """The share of cases within one norm, one value per replication (in order)."""
        rows = self._norm_rows(norm_id)
        if rows.empty:
            raise KeyError(norm_id)
        return rows.sort_values("replication")["share_within"].to_numpy(dtype=float)

    def norm_summary(self) -> pd.DataFrame:
        """Per norm: the mean share within it with its 95% interval, and how often it was met."""
        rows = []
        for norm in self.scenario.norms:
            iv = stats.mean_ci(self.norm_shares(norm.id))
            met = self._norm_rows(norm.id)["met"].astype(bool)
            rows.append({
                "norm": norm.id, "kind": norm.kind, "step": norm.step or "",
                "within": norm.within, "share": norm.share, "mean": iv.mean, "ci_low": iv.low,
                "ci_high": iv.high, "replications_met": int(met.sum()),
                "replications": int(met.size),
            })
        return pd.DataFrame(rows, columns=list(NORM_SUMMARY_COLUMNS))

    def _norm_rows(self, norm_id: str) -> pd.DataFrame:
        table = self.norms if self.norms is not None else _frame([], NORM_COLUMNS)
        return table[table["norm"] == norm_id]

    def cost_summary(self) -> pd.DataFrame:
        """Per partner, then the chain (empty ``partner``): costs with 95% intervals."""
        table = self.costs if self.costs is not None else _frame([], COST_COLUMNS)
        rows = []
        for partner in self.scenario.partners:
            mine = table[table["partner"] == partner.id]
            for kpi in ("total", "allocated", "balance", "share"):
                iv = stats.mean_ci(mine[kpi].to_numpy(dtype=float))
                rows.append({"partner": partner.id, "kpi": kpi, "mean": iv.mean,
                             "ci_low": iv.low, "ci_high": iv.high, "n": iv.n})
        for kpi in costs.CHAIN_COST_COLUMNS:
            if kpi in self.chain.columns:
                iv = self.interval(kpi)
                rows.append({"partner": "", "kpi": kpi, "mean": iv.mean, "ci_low": iv.low,
                             "ci_high": iv.high, "n": iv.n})
        return pd.DataFrame(rows, columns=list(COST_SUMMARY_COLUMNS))

    def interval(self, kpi: str, step: str | None = None) -> stats.Interval:
        """Mean of one KPI over replications with its 95% interval.

        Args:
            kpi: a column of ``steps`` (with ``step``) or of ``chain`` (without).
            step: the step id, or None for a chain KPI.
        """
        if step is None:
            return stats.mean_ci(self.chain[kpi].to_numpy(dtype=float))
        rows = self.steps[self.steps["step"] == step]
        if rows.empty:
            raise KeyError(step)
        return stats.mean_ci(rows[kpi].to_numpy(dtype=float))

    def summary(self) -> pd.DataFrame:
        """Per-step and chain KPIs: mean and 95% interval over replications.

        One row per step x KPI (scenario order), then the chain KPIs with an
        empty ``step`` (costs among them when defined), then one ``norm:<id>``
        row per norm (the share of cases within it); columns
        ``step, kpi, mean, ci_low, ci_high, n``.
        """
        rows = []
        step_kpis = [c for c in self.steps.columns if c not in ("replication", "step", "partner")]
        for sid in self.scenario.step_ids:
            rows += [_summary_row(sid, kpi, self.interval(kpi, sid)) for kpi in step_kpis]
        chain_kpis = [c for c in self.chain.columns if c != "replication"]
        rows += [_summary_row("", kpi, self.interval(kpi)) for kpi in chain_kpis]
        rows += [
            _summary_row("", f"norm:{n.id}", stats.mean_ci(self.norm_shares(n.id)))
            for n in self.scenario.norms
        ]
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def backlog_trend(self) -> pd.DataFrame:
        """Is each step's queue still growing at the end of the run, and since when?

        Uses :func:`ketensim.trend.curve_trend` on the queue curves of all
        replications after the warm-up: a queue that truly runs away rises in
        every replication, one that only wanders by chance does not.

        Returns:
            One row per step: ``step, status, since, rate, before, last, growing``
            (``status`` is growing, settled, shrinking or stable; ``rate`` in cases
            per time unit; ``before`` the level before the change, ``last`` at the end).
        """
        out = []
        for sid in self.scenario.step_ids:
            t, q = self.queue_curves(sid)
            tr = trend.curve_trend(t, q, since=self.scenario.warmup) if t.size else None
            status = tr.status if tr is not None else "stable"
            out.append({
                "step": sid, "status": status,
                "since": tr.start if tr is not None and tr.start is not None else math.nan,
                "rate": tr.rate if tr is not None else 0.0,
                "before": tr.level_before if tr is not None else math.nan,
                "last": tr.level_end if tr is not None else math.nan,
                "growing": status == "growing",
            })
        return pd.DataFrame(out, columns=list(TREND_COLUMNS))

    def queue_curves(self, step: str) -> tuple[np.ndarray, np.ndarray]:
        """Sample times and the queue of one step, shape (times, replications)."""
        ts = self.timeseries[self.timeseries["step"] == step]
        if ts.empty:
            return np.empty(0), np.empty((0, 0))
        wide = ts.pivot(index="t", columns="replication", values="queue").sort_index()
        return wide.index.to_numpy(dtype=float), wide.to_numpy(dtype=float)


def _summary_row(step: str, kpi: str, iv: stats.Interval) -> dict[str, Any]:
    return {"step": step, "kpi": kpi, "mean": iv.mean, "ci_low": iv.low, "ci_high": iv.high,
            "n": iv.n}


def build_results(
    scenario: Scenario, rows_list: list[Rows], seed: int, replications: int
) -> Results:
    """Stack the rows of every replication into the four tables.

    Rows are put in replication order whatever order they come in, so the
    tables never depend on which worker finished first.

    Raises:
        ValueError: when the rows do not cover replications 0 .. replications-1 exactly.
    """
    ordered = sorted(rows_list, key=lambda r: r["replication"])
    got = [r["replication"] for r in ordered]
    if got != list(range(replications)):
        raise ValueError(f"expected rows of replications 0..{replications - 1}, got {got}")
    chain_columns = CHAIN_COLUMNS + CHAIN_EXTRA_COLUMNS
    if scenario.has_costs:
        chain_columns += costs.CHAIN_COST_COLUMNS
    return Results(
        scenario=scenario,
        seed=int(seed),
        replications=int(replications),
        steps=_frame(
            [row for r in ordered for row in r["steps"]], STEP_COLUMNS + STEP_EXTRA_COLUMNS
        ),
        chain=_frame([r["chain"] for r in ordered], chain_columns),
        outcomes=_frame([row for r in ordered for row in r["outcomes"]], OUTCOME_COLUMNS),
        timeseries=_timeseries(ordered, scenario.step_ids),
        types=_frame([row for r in ordered for row in r.get("types", [])], TYPE_COLUMNS),
        pools=_frame([row for r in ordered for row in r.get("pools", [])], POOL_COLUMNS),
        norms=_frame([row for r in ordered for row in r.get("norms", [])], NORM_COLUMNS),
        costs=_frame([row for r in ordered for row in r.get("costs", [])], COST_COLUMNS),
    )


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def _timeseries(ordered: list[Rows], step_ids: tuple[str, ...]) -> pd.DataFrame:
    """Long table: replication, then step in scenario order, then time."""
    parts: dict[str, list[np.ndarray]] = {c: [] for c in TIMESERIES_COLUMNS}
    ids = np.asarray(step_ids, dtype=object)
    for r in ordered:
        ts = r["timeseries"]
        t = np.asarray(ts["t"], dtype=float)
        n_steps, n = len(step_ids), t.size
        parts["replication"].append(np.full(n_steps * n, r["replication"], dtype=np.int64))
        parts["step"].append(np.repeat(ids, n))
        parts["t"].append(np.tile(t, n_steps))
        parts["queue"].append(np.asarray(ts["queue"], dtype=np.int64).reshape(-1))
        parts["in_service"].append(np.asarray(ts["in_service"], dtype=np.int64).reshape(-1))
        capacity = ts.get("capacity", np.zeros_like(np.asarray(ts["queue"])))
        parts["capacity"].append(np.asarray(capacity, dtype=np.int64).reshape(-1))
    dtypes = {"replication": np.int64, "step": object, "t": float, "queue": np.int64,
              "in_service": np.int64, "capacity": np.int64}
    data = {c: np.concatenate(v) if v else np.empty(0, dtype=dtypes[c]) for c, v in parts.items()}
    return pd.DataFrame(data, columns=list(TIMESERIES_COLUMNS))
