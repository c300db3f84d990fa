"""Confidence intervals over replications.

Replications are independent runs of the same model, so their per-run figures
are independent draws of the same quantity and a Student-t interval on their
mean is the honest statement of what the simulation knows. Differences
between two scenarios run with common random numbers are taken per
replication (paired): the pairs share their randomness, which cancels most
of the noise and gives a much narrower interval than two separate ones.

Replications without a value (NaN: e.g. no case waited at a step) are left
out, since there is nothing to average; ``n`` says how many counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special  # the t quantile; scipy.stats would double the memory of a run

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean over replications with its two-sided confidence interval.

    Attributes:
        mean: the average of the values that count (NaN when none do).
        low: lower end of the interval (NaN with fewer than two values).
        high: upper end of the interval (NaN with fewer than two values).
        n: how many values counted.
    """

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width: the ``+/-`` figure."""
        return (self.high - self.low) / 2

    @property
    def excludes_zero(self) -> bool:
        """True when the interval lies wholly above or below zero (a clear difference)."""
        return bool(self.low > 0 or self.high < 0)


def has_interval(est: Interval) -> bool:
    """True when ``est`` carries a usable interval (two or more replications)."""
    return est.n >= 2 and math.isfinite(est.low) and math.isfinite(est.high)


# KPIs whose values can be negative (a balance after cost sharing); every other KPI of the
# results tables is a count, a time, a level, a share or money spent, never below zero.
SIGNED_KPIS = frozenset({"balance", "diff", "diff_low", "diff_high"})
# KPIs that are shares of a whole, so never above one either.
SHARE_KPIS = frozenset({"utilization", "share", "share_within"})
UNBOUNDED = (-math.inf, math.inf)


def bounds_of(kpi: str) -> tuple[float, float]:
    """The range a KPI's mean lies in: [0, 1] for shares, [0, inf) for counts and times."""
    if kpi in SIGNED_KPIS:
        return UNBOUNDED
    if kpi in SHARE_KPIS or kpi.startswith("norm:"):
        return (0.0, 1.0)
    return (0.0, math.inf)


def mean_ci(
    values: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
    bounds: tuple[float, float] = UNBOUNDED,
) -> Interval:
    """Mean and t-interval of independent replication values.

    A quantity that cannot be negative (a queue, a count, a wait) cannot have
    a negative mean either, so the t-interval is cut to ``bounds``: the
    interval intersected with the range the true mean lies in. That keeps
    the coverage (the true mean is never in the part cut off) and never
    shows a queue of -0.88.

    Args:
        values: one value per replication; NaN values are left out.
        confidence: coverage of the interval, 0.95 by default.
        bounds: the range of the quantity's mean (see :func:`bounds_of`).

    Returns:
        The interval; with one value its ends are NaN (one run says nothing about spread).
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    n = int(arr.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(arr.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1)
    if not np.isfinite(arr).all():
        return Interval(mean, math.nan, math.nan, n)
    half = t_quantile(n - 1, confidence) * float(arr.std(ddof=1)) / math.sqrt(n)
    low, high = bounds
    return Interval(mean, max(mean - half, low), min(mean + half, high), n)


def paired_difference(
    base: Sequence[float] | np.ndarray,
    other: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
) -> Interval:
    """Mean and t-interval of ``other - base``, replication by replication.

    Both sequences must be in replication order and of equal length; a pair
    counts only when both of its values are known.

    Raises:
        ValueError: when the two sequences differ in length.
    """
    a = np.asarray(base, dtype=float)
    b = np.asarray(other, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need equal lengths, got {a.size} and {b.size}")
    return mean_ci(b - a, confidence)


def t_quantile(dof: int, confidence: float = CONFIDENCE) -> float:
    """The two-sided Student-t critical value, e.g. 2.262 for 9 degrees of freedom at 95%."""
    return float(special.stdtrit(dof, 0.5 + confidence / 2))


FEW = 3  # up to this many replications, agreement in direction stands in for the t-test
AGREE = 0.975  # one-sided level of the replications' agreement (a 95% interval)


def agreeing(values: np.ndarray) -> bool:
    """Positive in every sense the replications allow: a t-interval above zero, or with
    three or fewer (where t is 4.3 or more) each one clearly positive; positive with one."""
    r = values.size
    mean = float(np.mean(values))
    if r < 2:
        return mean > 0
    half = float(special.stdtrit(r - 1, AGREE)) * float(np.std(values, ddof=1)) / math.sqrt(r)
    if mean - half > 0:
        return True
    least = 0.5 if r == 2 else 0.25  # two replications must move by comparable amounts
    return r <= FEW and mean > 0 and float(np.min(values)) >= least * mean


def theil_sen(t: np.ndarray, m: np.ndarray, most: int = 1000) -> float:
    """The median of the slopes between every two points (Theil-Sen), robust to bursts.

    Long curves are thinned evenly to ``most`` points first: a trend does not
    need every sample, and the pairs grow with the square of the points.
    """
    if len(t) > most:
        keep = np.linspace(0, len(t) - 1, most).round().astype(int)
        t, m = t[keep], m[keep]
    i, j = np.triu_indices(len(t), k=1)
    dt = t[j] - t[i]
    ok = dt > 0
    return float(np.median((m[j] - m[i])[ok] / dt[ok])) if ok.any() else 0.0
