"""Validation of a fit: the log beside the fitted scenario's own simulated log.

Both sides are measured by one function (:func:`measure`), so a difference
is the model's and not the bookkeeping's: per step arrivals, completions,
waits and handling times (mean and 90th percentile), for the chain cases in
and out, lead times (mean, median, 90th percentile) and the cases in progress
over time. The simulated side has one value per replication and so a 95%
interval; each distribution also gets its Wasserstein distance (the average
shift, in the time unit, that turns the simulated distribution into the
observed one), so an analyst sees at a glance where model and log disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ketensim.results.events import frames
from ketensim.results.stats import t_quantile
from ketensim.scenario.model import Scenario

STEP_KPIS = ("arrivals", "completions", "mean_wait", "p90_wait", "mean_handling",
             "p90_handling")
CHAIN_KPIS = ("cases_in", "cases_out", "mean_lead_time", "p50_lead_time", "p90_lead_time",
              "mean_in_progress")
COLUMNS = ("step", "kpi", "observed", "simulated", "ci_low", "ci_high", "distance")
GRID = 101  # moments at which the cases in progress are counted


@dataclass
class Measured:
    """One replication (or one observed log) measured over the period."""

    values: dict[tuple[str, str], float]
    samples: dict[tuple[str, str], np.ndarray]  # waits, handling and lead times
    in_progress: np.ndarray  # cases in progress at each grid moment


def measure(visits: pd.DataFrame, t0: float, t1: float) -> Measured:
    """Every KPI of one replication's visits over ``[t0, t1]``."""
    v = visits
    values: dict[tuple[str, str], float] = {}
    samples: dict[tuple[str, str], np.ndarray] = {}
    enable, start, end = (v[c].to_numpy(dtype=float) for c in ("enable", "start", "end"))
    with np.errstate(invalid="ignore"):
        waited = (enable >= t0) & (start <= t1)
        handled = (start >= t0) & (end <= t1)
    for act, idx in v.groupby("activity", sort=False).indices.items():
        waits = (start - enable)[idx][waited[idx]]
        handling = (end - start)[idx][handled[idx]]
        values[(act, "arrivals")] = float(np.count_nonzero((enable[idx] >= t0)
                                                           & (enable[idx] <= t1)))
        values[(act, "completions")] = float(np.count_nonzero((end[idx] >= t0)
                                                              & (end[idx] <= t1)))
        for name, x in (("wait", waits), ("handling", handling)):
            values[(act, f"mean_{name}")] = float(x.mean()) if x.size else np.nan
            values[(act, f"p90_{name}")] = float(np.quantile(x, 0.9)) if x.size else np.nan
            samples[(act, name)] = x
    entered, left = _case_moments(v)
    with np.errstate(invalid="ignore"):
        lead = (left - entered)[(entered >= t0) & (left <= t1)]
    values[("", "cases_in")] = float(np.count_nonzero((entered >= t0) & (entered <= t1)))
    values[("", "cases_out")] = float(np.count_nonzero((left >= t0) & (left <= t1)))
    for kpi, x in (("mean_lead_time", None), ("p50_lead_time", 0.5), ("p90_lead_time", 0.9)):
        values[("", kpi)] = np.nan if not lead.size else \
            float(lead.mean() if x is None else np.quantile(lead, x))
    samples[("", "lead_time")] = lead
    grid = np.linspace(t0, t1, GRID)
    left_or_never = np.where(np.isnan(left), np.inf, left)
    in_progress = (np.searchsorted(np.sort(entered), grid, side="right")
                   - np.searchsorted(np.sort(left_or_never), grid, side="right"))
    values[("", "mean_in_progress")] = float(in_progress.mean())
    return Measured(values, samples, in_progress.astype(float))


def _case_moments(v: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per case: when it reached the chain, and when it left it (NaN: still in it)."""
    g = v.groupby("case", sort=False)
    entered = g["enable"].min().to_numpy(dtype=float)
    done = v["outcome"].astype(str) != ""
    if not done.any():  # a log without outcomes: a case left with its last handling
        left = g["end"].max().to_numpy(dtype=float)
        return entered, left
    moment = v["end"].where(v["end"].notna(), v.get("left", v["enable"]))
    left = moment.where(done).groupby(v["case"], sort=False).max()
    return entered, left.reindex(g["enable"].min().index).to_numpy(dtype=float)


def observed(visits: pd.DataFrame, t0: float, t1: float) -> list[Measured]:
    """The log measured per replication (a partner's log is one)."""
    return [measure(group, t0, t1) for _, group in visits.groupby("replication", sort=True)]


def simulated(scenario: Scenario, parts: Path, replications: int, t0: float,
              t1: float) -> list[Measured]:
    """The fitted scenario's simulated log, measured per replication as the log is."""
    out = []
    for rep in range(replications):
        table = pd.concat(list(frames(scenario, parts, rep)), ignore_index=True)
        table = table[table["status"] != "at_door"]
        visits = pd.DataFrame({
            "case": table["case_id"], "activity": table["activity"],
            "enable": table["enable_time"], "start": table["start_time"],
            "end": table["end_time"], "outcome": table["outcome"], "left": table["left_time"],
        })
        out.append(measure(visits, t0, t1))
    return out


def compare(obs: list[Measured], sim: list[Measured]) -> pd.DataFrame:
    """``fit.csv``: per step and chain KPI, observed beside simulated with a 95% interval.

    The log is one period (or the mean of a few replications), not a mean of
    many: set beside the model's mean interval, chance alone would put it
    outside most of the time. The interval is therefore where the log's
    figure falls 95% of the time if the model is right: the model's mean
    plus or minus t x s x sqrt(1/R + 1/n), for R observed and n simulated
    replications (a prediction interval).
    """
    rows = []
    keys = list(dict.fromkeys(k for m in obs for k in m.values))
    for step, kpi in keys:
        o = float(np.nanmean([m.values.get((step, kpi), np.nan) for m in obs])) \
            if any(not np.isnan(m.values.get((step, kpi), np.nan)) for m in obs) else np.nan
        values = np.asarray([m.values.get((step, kpi), np.nan) for m in sim], dtype=float)
        low, mean, high = prediction(values[~np.isnan(values)], len(obs))
        rows.append((step, kpi, o, mean, low, high, _distance(obs, sim, step, kpi)))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def prediction(values: np.ndarray, observed: int) -> tuple[float, float, float]:
    """Low, mean and high of the 95% interval for the mean of ``observed`` new replications."""
    n = values.size
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if n == 1:
        return np.nan, mean, np.nan
    half = t_quantile(n - 1) * float(values.std(ddof=1)) * math.sqrt(1 / observed + 1 / n)
    return max(mean - half, 0.0), mean, mean + half


def _distance(obs: list[Measured], sim: list[Measured], step: str, kpi: str) -> float:
    name = {"mean_wait": "wait", "mean_handling": "handling", "mean_lead_time": "lead_time"}
    if kpi not in name:
        return np.nan
    a = np.concatenate([m.samples.get((step, name[kpi]), np.empty(0)) for m in obs])
    b = np.concatenate([m.samples.get((step, name[kpi]), np.empty(0)) for m in sim])
    return float(stats.wasserstein_distance(a, b)) if a.size and b.size else np.nan


def in_progress(obs: list[Measured], sim: list[Measured], t0: float, t1: float
                ) -> pd.DataFrame:
    """Cases in progress over time: observed, and simulated with a 95% band over replications."""
    grid = np.linspace(t0, t1, GRID)
    s = np.vstack([m.in_progress for m in sim])
    return pd.DataFrame({"t": grid, "observed": np.mean([m.in_progress for m in obs], axis=0),
                         "simulated": s.mean(axis=0),
                         "low": np.quantile(s, 0.025, axis=0),
                         "high": np.quantile(s, 0.975, axis=0)})


def lead_times(obs: list[Measured], sim: list[Measured]) -> tuple[np.ndarray, np.ndarray]:
    """Observed and simulated lead times, pooled over replications."""
    return (np.concatenate([m.samples[("", "lead_time")] for m in obs]),
            np.concatenate([m.samples[("", "lead_time")] for m in sim]))


__all__ = ["CHAIN_KPIS", "COLUMNS", "STEP_KPIS", "Measured", "compare", "in_progress",
           "lead_times", "measure", "observed", "simulated"]
