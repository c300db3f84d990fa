"""Does a backlog grow, and since when? Change points on queue curves.

A policy maker asks two things of a queue curve: is the werkvoorraad running
away, and since when. The curve is noisy, so a straight line through it
answers neither. We fit a ramp (flat, then a straight rise or fall, then
flat again) by least squares over every pair of knees; a ramp that runs to
the end is a backlog still growing (or shrinking), one that stops earlier
is a backlog that moved to a new level. The slope is then re-estimated
robustly (Theil-Sen) and tested across replications, which are independent:
a backlog that truly grows grows in every replication, noise does not.
Pure NumPy/SciPy, no plotting.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import special

FINE_POINTS = 400  # longer curves are averaged into this many bins: faster, less noisy
COARSE_POINTS = 100  # the knee search runs on this many bins, then is refined
MIN_RISE = 10.0  # a change of fewer cases than this is never news
REL_GROWTH = 0.25  # a backlog still growing at the end: a quarter of the level before is news
REL_SHIFT = 0.5  # a backlog that moved to a new level: half the level before is news
NOISE_RISE = 4.0  # ... and never a change within four noise standard deviations
MIN_RAMP = 0.05  # a ramp spans at least this share of the curve: shorter is a blip
FIRST_SHARE = 0.03  # a change starting this close to the first sample runs from the start
FEW_REPLICATIONS = 3  # up to this many, agreement in direction replaces the t-test
PLATEAU = 0.15  # a backlog has levelled off only if it stays level this share of the time


@dataclass(frozen=True)
class CurveTrend:
    """The shape of one mean queue curve.

    Attributes:
        status: ``growing`` (still rising at the end), ``settled`` (rose, then levelled
            off higher), ``shrinking`` (fell, whether or not it levelled off) or ``stable``.
        rate: cases per time unit between ``start`` and ``end`` (negative when falling).
        start: time from which the change runs (``None`` when stable).
        end: time the change stops (the last sample while it still runs).
        from_first: the change already runs at the first sample analysed.
        level_before: fitted queue before ``start`` (the mean when stable).
        level_end: queue at the last sample.
    """

    status: str
    rate: float = 0.0
    start: float | None = None
    end: float | None = None
    from_first: bool = False
    level_before: float = 0.0
    level_end: float = 0.0


def curve_trend(t: np.ndarray, queues: np.ndarray, since: float = 0.0) -> CurveTrend:
    """Classify a queue curve sampled at times ``t``, looking from ``since`` on.

    Args:
        t: sample times, increasing, shape (n,).
        queues: queue lengths, shape (n,) for one curve or (n, r) for r replications.
        since: ignore samples before this time (the warm-up fill is not news).

    Returns:
        The trend; ``stable`` unless the change is large, consistent and clear of noise.
    """
    t = np.asarray(t, dtype=float)
    q = np.asarray(queues, dtype=float).reshape(len(t), -1)
    keep = t >= since
    if keep.sum() >= 8:
        t, q = t[keep], q[keep]
    level_end = float(q[-1].mean()) if len(t) else 0.0
    tf, qf = _binned(t, q, FINE_POINTS)
    m = qf.mean(axis=1)
    if len(tf) < 8 or not np.isfinite(m).all():
        return CurveTrend("stable", level_before=float(np.nanmean(m)) if len(m) else 0.0,
                          level_end=level_end)
    i, j = _refine(tf, m, *_ramp_knees(*_coarse(tf, m)))
    if not _levels_off(tf, m, i, j):
        j = len(tf) - 1  # a short or sloping "plateau" is the ramp running on
    stable = CurveTrend("stable", level_before=float(m.mean()), level_end=level_end)
    seg = slice(i, j + 1)
    rate = _robust_slope(tf[seg], m[seg])
    x = np.clip(tf, tf[i], tf[j])
    fit = np.polyfit(x, m, 1)
    noise = max(_noise(m - np.polyval(fit, x), qf.shape[1]), _spread(qf))
    level_before = float(np.polyval(fit, tf[i]))
    change = float(fit[0]) * (tf[j] - tf[i])
    runs_to_end = j == len(tf) - 1
    if i == 0 and not runs_to_end and rate > 0:
        return stable  # filling up from empty, then steady: the system warming up
    status = "shrinking" if rate < 0 else ("growing" if runs_to_end else "settled")
    rel = REL_GROWTH if status == "growing" else REL_SHIFT
    if not _material(change, rel * abs(level_before), noise) or not _consistent(x, qf, rate):
        return stable
    start = _departure(m, i, j, rate)
    if start > i:  # the fitted knee sits before the curve visibly leaves its level
        level_before = float(np.median(m[: start + 1]))
    if status == "growing":
        rate = _current_rate(tf[start:], m[start:])
    from_first = bool(tf[start] - tf[0] <= FIRST_SHARE * (tf[-1] - tf[0]))
    return CurveTrend(status, float(rate), float(tf[start]), float(tf[j]), from_first,
                      level_before, level_end)


def _departure(m: np.ndarray, i: int, j: int, rate: float) -> int:
    """First sample from which the curve stays clearly off its starting level.

    A curve that rises fast and then slower fits a ramp whose knee lies
    before the rise, one that starts slowly a knee after it; the moment it
    leaves its level for good is what a reader calls "from when".
    """
    head = m[: max(i + 1, 3)]  # the level before the knee (the first samples if none)
    base = float(np.median(head))
    margin = max(MIN_RISE / 2, 3 * float(np.std(head)))
    off = (m[: j + 1] - base) * np.sign(rate) > margin
    stays = np.logical_and.accumulate(off[::-1])[::-1]
    hits = np.flatnonzero(stays)
    return max(int(hits[0]) - 1, 0) if hits.size else i


def _current_rate(t: np.ndarray, m: np.ndarray) -> float:
    """Growth over the later half of the rise: what the backlog does now, not at first."""
    half = len(t) // 2
    if len(t) - half >= 5:
        return _robust_slope(t[half:], m[half:])
    return _robust_slope(t, m)


def _binned(t: np.ndarray, q: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(t)
    if n <= points:
        return t, q
    edges = np.linspace(0, n, points + 1).astype(int)
    pairs = list(itertools.pairwise(edges))
    tb = np.array([t[a:b].mean() for a, b in pairs])
    qb = np.array([q[a:b].mean(axis=0) for a, b in pairs])
    return tb, qb


def _coarse(t: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tc, mc = _binned(t, m.reshape(-1, 1), COARSE_POINTS)
    return tc, mc[:, 0]


def _ramp_sse(t: np.ndarray, m: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Residual sum of squares of ``m ~ a + b * clip(t, lo, hi)`` for each (lo, hi) row."""
    x = np.clip(t[None, :], lo[:, None], hi[:, None])
    xc = x - x.mean(axis=1, keepdims=True)
    mc = m - m.mean()
    sxx = np.einsum("ij,ij->i", xc, xc)
    sxy = xc @ mc
    with np.errstate(divide="ignore", invalid="ignore"):
        explained = np.where(sxx > 0, sxy**2 / sxx, 0.0)
    return float(mc @ mc) - explained


def _ramp_knees(t: np.ndarray, m: np.ndarray) -> tuple[float, float]:
    """The pair of knee times (start, end of the ramp) that fits best, on a coarse grid."""
    n = len(t)
    a, b = np.triu_indices(n, k=max(2, round(MIN_RAMP * n)))
    sse = _ramp_sse(t, m, t[a], t[b])
    k = int(np.argmin(sse))
    return float(t[a[k]]), float(t[b[k]])


def _refine(t: np.ndarray, m: np.ndarray, lo: float, hi: float) -> tuple[int, int]:
    """Move each knee to the best fine-grid point near its coarse position."""
    span = (t[-1] - t[0]) / COARSE_POINTS * 2
    i = _best_index(t, m, np.flatnonzero(np.abs(t - lo) <= span), lambda c: (t[c], hi))
    j = _best_index(t, m, np.flatnonzero(np.abs(t - hi) <= span), lambda c: (t[i], t[c]))
    if j <= i + 1:
        j = min(len(t) - 1, i + 2)
    return i, j


def _best_index(t: np.ndarray, m: np.ndarray, cands: np.ndarray, knees: object) -> int:
    pairs = np.array([knees(c) for c in cands])  # type: ignore[operator]
    ok = pairs[:, 0] < pairs[:, 1]
    cands, pairs = cands[ok], pairs[ok]
    return int(cands[int(np.argmin(_ramp_sse(t, m, pairs[:, 0], pairs[:, 1])))])


def _levels_off(t: np.ndarray, m: np.ndarray, i: int, j: int) -> bool:
    """After the ramp the curve stays level long enough, at a clearly lower slope."""
    if j >= len(t) - 2 or t[-1] - t[j] < PLATEAU * (t[-1] - t[0]):
        return False
    ramp = _robust_slope(t[i : j + 1], m[i : j + 1])
    return abs(_robust_slope(t[j:], m[j:])) <= 0.25 * abs(ramp)


def _robust_slope(t: np.ndarray, m: np.ndarray) -> float:
    if len(t) < 3:
        return float(np.polyfit(t, m, 1)[0]) if len(t) == 2 else 0.0
    return theil_sen(t, m)


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


def _noise(resid: np.ndarray, replications: int) -> float:
    """Noise around the fitted ramp; robust, unless one replication must speak for itself.

    With a single replication slow random wandering is indistinguishable from a
    change, so the plain standard deviation (which such wandering inflates) is used.
    """
    if replications < 2:
        return float(np.std(resid))
    return 1.4826 * float(np.median(np.abs(resid - np.median(resid))))


def _spread(q: np.ndarray) -> float:
    """Standard error of the mean curve from the replications: how far it may wander."""
    r = q.shape[1]
    if r < 2:
        return 0.0
    return float(np.mean(np.std(q, axis=1, ddof=1))) / np.sqrt(r)


def _material(change: float, relative: float, noise: float) -> bool:
    return abs(change) >= max(MIN_RISE, relative, NOISE_RISE * noise)


def _consistent(x: np.ndarray, q: np.ndarray, rate: float) -> bool:
    """The replications agree: the 95% interval of their ramp slopes excludes 0.

    With two or three replications that interval is very wide (t = 12.7 for
    two), so there it is enough that every replication moves the same way by
    a comparable amount; the size rules in ``_material`` still guard against noise.
    """
    r = q.shape[1]
    if r < 2:
        return True
    slopes = np.polyfit(x, q, 1)[0] * np.sign(rate)
    mean = float(np.mean(slopes))
    sd = float(np.std(slopes, ddof=1))
    half = float(special.stdtrit(r - 1, 0.975)) * sd / np.sqrt(r)
    if mean - half > 0:
        return True
    return r <= FEW_REPLICATIONS and mean > 0 and float(np.min(slopes)) >= 0.25 * mean
