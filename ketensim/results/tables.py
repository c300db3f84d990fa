"""Results tables: replication records turned into the contract's DataFrames.

Two steps, both pure. :func:`ketensim.rows.replication_rows` reduces one
replication's records to plain rows and small arrays (in the worker);
:func:`build_results` stacks the rows of all replications into tidy tables
in which every row says where it came from (replication, step, outcome,
time), in a fixed order, so equal inputs give equal bytes on disk.

This is the first module that uses pandas; everything before it works on
plain numbers and arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ketensim.results import costs, judgement, stats
from ketensim.results.rows import (
    CHAIN_COLUMNS,
    CHAIN_EXTRA_COLUMNS,
    COST_COLUMNS,
    DEADLOCK_COLUMNS,
    DOOR_COLUMNS,
    LEAD_TIME_COLUMNS,
    NORM_COLUMNS,
    OUTCOME_COLUMNS,
    PARTNER_COLUMNS,
    PERCENTILES,
    POOL_COLUMNS,
    STEP_COLUMNS,
    STEP_EXTRA_COLUMNS,
    TIMESERIES_COLUMNS,
    TYPE_COLUMNS,
    Rows,
    replication_rows,
)
from ketensim.scenario.model import Scenario

__all__ = [
    "CHAIN_COLUMNS", "CHAIN_EXTRA_COLUMNS", "COST_COLUMNS", "COST_SUMMARY_COLUMNS",
    "DEADLOCK_COLUMNS", "DOOR_COLUMNS", "NORM_COLUMNS", "NORM_SUMMARY_COLUMNS", "OUTCOME_COLUMNS",
    "PARTNER_COLUMNS", "POOL_COLUMNS", "STEP_COLUMNS", "STEP_EXTRA_COLUMNS", "SUMMARY_COLUMNS",
    "TIMESERIES_COLUMNS", "TREND_COLUMNS", "TYPE_COLUMNS", "Results", "Rows", "build_results",
    "replication_rows",
]

SUMMARY_COLUMNS = ("step", "kpi", "mean", "ci_low", "ci_high", "n")
NORM_SUMMARY_COLUMNS = (
    "norm", "kind", "step", "within", "share", "mean", "ci_low", "ci_high", "replications_met",
    "replications",
)
COST_SUMMARY_COLUMNS = ("partner", "kpi", "mean", "ci_low", "ci_high", "n")
TREND_COLUMNS = ("step", "status", "since", "rate", "before", "last", "growing")


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
        deadlocks: one row per replication in which the chain locked up (when, which steps).
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
    deadlocks: pd.DataFrame | None = None  # when and where the chain locked up
    lead_times: pd.DataFrame | None = None  # lead-time percentiles 1..99 per replication
    fast_path: tuple[bool, ...] = ()  # per replication: computed by the exact fast path
    partners: pd.DataFrame | None = None  # one row per replication x partner (contract 7)
    door: pd.DataFrame | None = None  # cases held outside by a cap on work in progress, over time

    def __repr__(self) -> str:
        sc = self.scenario
        return (f"<Results {sc.name}: {self.replications} replication"
                f"{'s' if self.replications != 1 else ''}, seed {self.seed}, "
                f"{len(sc.steps)} steps, window {sc.warmup:g}-{sc.horizon:g} {sc.time_unit}>")

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file stem, in the order they are written.

        The contract's four and ``partners`` always; ``door`` when the scenario caps
        the work in progress; ``types`` and ``pools`` when the scenario
        has typed steps or staff pools; ``norms``, ``norms_summary`` and
        ``costs`` when it has norms or costs; ``deadlocks`` when the chain
        locked up in some replication.
        """
        tables = {
            "steps": self.steps, "chain": self.chain,
            "outcomes": self.outcomes, "timeseries": self.timeseries,
        }
        if self.partners is not None:
            tables["partners"] = self.partners
        if self.door is not None and not self.door.empty:
            tables["door"] = self.door
        if self.types is not None and not self.types.empty:
            tables["types"] = self.types
        if self.pools is not None and not self.pools.empty:
            tables["pools"] = self.pools
        if self.scenario.norms and self.norms is not None:
            tables["norms"] = self.norms
            tables["norms_summary"] = self.norm_summary()
        if self.scenario.has_costs and self.costs is not None:
            tables["costs"] = self.costs
        if self.deadlocks is not None and not self.deadlocks.empty:
            tables["deadlocks"] = self.deadlocks
        if self.lead_times is not None and not self.lead_times.empty:
            tables["lead_times"] = self.lead_times
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
            iv = stats.mean_ci(self.norm_shares(norm.id), bounds=stats.bounds_of("share"))
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
        """Per partner, then the chain (empty ``partner``): costs with 95% intervals.

        Per partner the KPIs ``total`` (own costs), ``allocated`` (what it pays
        under the sharing rule), ``balance``, ``share`` and ``cost_per_case``
        (own costs per case leaving the chain); for the chain ``cost_total``
        and ``cost_per_case``.
        """
        table = self.costs if self.costs is not None else _frame([], COST_COLUMNS)
        rows = []
        for partner in self.scenario.partners:
            mine = table[table["partner"] == partner.id]
            for kpi in ("total", "allocated", "balance", "share", "cost_per_case"):
                iv = stats.mean_ci(mine[kpi].to_numpy(dtype=float), bounds=stats.bounds_of(kpi))
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
            return stats.mean_ci(self.chain[kpi].to_numpy(dtype=float), bounds=stats.bounds_of(kpi))
        rows = self.steps[self.steps["step"] == step]
        if rows.empty:
            raise KeyError(step)
        return stats.mean_ci(rows[kpi].to_numpy(dtype=float), bounds=stats.bounds_of(kpi))

    def partner_interval(self, kpi: str, partner: str) -> stats.Interval:
        """Mean of one ``partners`` column for one partner, with its 95% interval."""
        table = self.partners if self.partners is not None else _frame([], PARTNER_COLUMNS)
        rows = table[table["partner"] == partner]
        if rows.empty:
            raise KeyError(partner)
        return stats.mean_ci(rows[kpi].to_numpy(dtype=float), bounds=stats.bounds_of(kpi))

    def partner_summary(self) -> pd.DataFrame:
        """Per partner x KPI: mean and 95% interval over replications (``step`` holds the partner).

        Same columns as :meth:`summary`, so the two read alike.
        """
        rows = []
        kpis = PARTNER_COLUMNS[2:]
        for p in self.scenario.partners:
            rows += [_summary_row(p.id, kpi, self.partner_interval(kpi, p.id)) for kpi in kpis]
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).rename(columns={"step": "partner"})

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
            _summary_row("", f"norm:{n.id}",
                         stats.mean_ci(self.norm_shares(n.id), bounds=stats.bounds_of("share")))
            for n in self.scenario.norms
        ]
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def backlog_trend(self) -> pd.DataFrame:
        """What each step's queue did over the window, read from all replications' curves.

        Uses :func:`ketensim.results.judgement.read_curve`: a queue that truly
        runs away rises in every replication, one that only wanders by chance
        does not; a pile that is built and cleared again is no trend at all.

        Returns:
            One row per step: ``step, status, since, rate, before, last, growing``
            (``status`` is growing, cleared, swinging, shrinking, settled or stable;
            ``since`` when the state at the end began; ``rate`` in cases per time
            unit; ``before`` the level before it, ``last`` the level at the end).
        """
        out = []
        for sid in self.scenario.step_ids:
            t, q = self.queue_curves(sid)
            r = judgement.read_curve(t, q, since=self.scenario.warmup) if t.size \
                else judgement.Reading("stable")
            out.append({
                "step": sid, "status": r.status,
                "since": r.since if r.since is not None else math.nan, "rate": r.rate,
                "before": r.level_before, "last": r.level_end,
                "growing": r.status == "growing",
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
    chain_columns: tuple[str, ...] = CHAIN_COLUMNS + CHAIN_EXTRA_COLUMNS
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
        deadlocks=_frame([row for r in ordered for row in r.get("deadlocks", [])],
                         DEADLOCK_COLUMNS),
        lead_times=_lead_times(ordered),
        fast_path=tuple(bool(r.get("fast", False)) for r in ordered),
        partners=_frame([row for r in ordered for row in r.get("partners", [])],
                        PARTNER_COLUMNS),
        door=_door(ordered) if scenario.wip_cap is not None else None,
    )


def _door(ordered: list[Rows]) -> pd.DataFrame:
    """Long table of the cases held outside the chain: replication, then time."""
    parts = [(r["replication"], r["door"]) for r in ordered if r.get("door") is not None]
    if not parts:
        return _frame([], DOOR_COLUMNS)
    return pd.DataFrame({
        "replication": np.concatenate([np.full(d["t"].size, rep, dtype=np.int64)
                                       for rep, d in parts]),
        "t": np.concatenate([np.asarray(d["t"], dtype=float) for _, d in parts]),
        "outside": np.concatenate([np.asarray(d["outside"], dtype=np.int64) for _, d in parts]),
    }, columns=list(DOOR_COLUMNS))


def _lead_times(ordered: list[Rows]) -> pd.DataFrame:
    """Long table of each replication's lead-time percentiles 1..99."""
    rows = [
        {"replication": r["replication"], "percentile": p, "lead_time": float(v)}
        for r in ordered if "lead_times" in r
        for p, v in zip(PERCENTILES, r["lead_times"], strict=True)
    ]
    return _frame(rows, LEAD_TIME_COLUMNS)


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
        for column in ("capacity", "arrived", "left"):
            values = ts.get(column, np.zeros_like(np.asarray(ts["queue"])))
            parts[column].append(np.asarray(values, dtype=np.int64).reshape(-1))
    dtypes = {"replication": np.int64, "step": object, "t": float, "queue": np.int64,
              "in_service": np.int64, "capacity": np.int64, "arrived": np.int64,
              "left": np.int64}
    data = {c: np.concatenate(v) if v else np.empty(0, dtype=dtypes[c]) for c, v in parts.items()}
    return pd.DataFrame(data, columns=list(TIMESERIES_COLUMNS))
