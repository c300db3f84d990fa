"""Is a werkvoorraad growing, shrinking, cleared, swinging or stable? Read from the curves.

A policy maker quotes the verdict, so it must hold for the whole curve, not
for a line drawn through it. A pile that rises, is cleared, and rises again
(capacity that follows a schedule, a flex pool that comes too late) has no
single slope; one ramp fitted over the window calls it stable. So the mean
curve over the replications is cut into stretches, each a straight piece
(least squares with a price per cut, by dynamic programming; the price is a
few times the curve's noise, BIC-like, so noise buys no cuts), and each
stretch is read as up, down or flat by size: a change counts only when it
is at least :data:`MIN_CHANGE` cases, clear of the noise and large against
the level it starts from. The state at the end then follows from the last
stretch and from the piles the curve built and cleared on the way:

- ``growing``: the last stretch rises, and every replication rises with it;
- ``cleared``: a pile (or the werkvoorraad at start) came down to the usual level;
- ``swinging``: two or more piles rose and were cleared again;
- ``shrinking``: the last stretch falls, or the level ends clearly lower;
- ``settled``: the level ends clearly higher, and stays there;
- ``stable``: nothing of that size happened.

The replications are independent, so a claim of growth or shrinking also
needs them to agree: the 95% interval of their slopes over the stretch must
exclude zero (with two, both must move that way by comparable amounts). Pure NumPy.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ketensim.results.stats import agreeing, theil_sen

POINTS = 160  # curves are averaged into this many bins before they are read
MIN_BINS = 4  # a stretch spans at least this many bins
MIN_CHANGE = 10.0  # a change of fewer cases than this is never news
NOISE = 5.0  # ... nor one within five noise deviations of the mean curve: the stretches are
# chosen on that same curve, so four would let wandering through too often
REL_GROWTH = 0.25  # a rise or fall is news at a quarter of the level it starts from
REL_SHIFT = 0.5  # a new level at the end is news at half the level at the start
HIGH, LOW = 0.4, 0.1  # a pile is up past 40% of the way from the usual level to the
# highest peak, and cleared again below a tenth of it
PENALTY = 3.0  # a cut costs PENALTY x noise^2 x log(bins) in squared error
MAX_PILES = 6  # piles remembered for the words (the count goes on)
PILE_NOISE = 8.0  # a pile stands this many noise deviations above the usual level: a
# stationary queue wanders about six deviations from top to bottom over a long window
LEVEL_SPAN = 0.15  # a new level must hold this share of the window to be called one
SINGLE_SPAN = 0.1  # one replication: growth must last this share of the window
PILE_SMOOTH = 0.005  # piles are counted on the mean curve averaged over this share
SMOOTH = 0.1  # one replication: its noise is its wandering about a mean over this share
CLEARED = 0.15  # a pile is cleared when it ends below this share of its peak (or 10 cases)
PACE = 1.5  # a rise that goes this many times faster (or slower) late has two paces
FILL_UP = 0.25  # a rise from empty within this share of the window, then level: filling up


@dataclass(frozen=True)
class Stretch:
    """A straight piece of the mean curve, read as ``up``, ``down`` or ``flat``."""

    start: float
    end: float
    level_start: float
    level_end: float
    direction: str

    @property
    def rate(self) -> float:
        """Cases per time unit over the stretch."""
        span = self.end - self.start
        return (self.level_end - self.level_start) / span if span > 0 else 0.0


@dataclass(frozen=True)
class Reading:
    """What one queue's curves did over the window, and where they ended.

    Attributes:
        status: ``growing``, ``cleared``, ``swinging``, ``shrinking``, ``settled`` or ``stable``.
        since: when the state at the end began (None when stable).
        rate: cases per time unit in the last stretch (growing or shrinking), else 0.
        level_start: mean queue at the start of the window.
        level_end: mean queue at the last sample.
        level_before: the level just before the state at the end began.
        peak: highest point of the mean curve in the window, and ``peak_at`` its time.
        piles: pile-ups that rose and came down to the usual level again.
        pile_peaks: (time, height) of those piles, the first :data:`MAX_PILES`.
        cleared_at: when the last pile came down (cleared), else None.
        stretches: the curve as straight pieces.
        noise: standard deviation of the mean curve's noise, in cases.
        typical: median of the mean curve over the last stretch (the level it holds).
        rate_from: growing only: when the growth changed pace within the rise (``rate``
            holds from then on, ``rate_before`` before it); None when it kept one pace.
    """

    status: str
    since: float | None = None
    rate: float = 0.0
    level_start: float = 0.0
    level_end: float = 0.0
    level_before: float = 0.0
    peak: float = 0.0
    peak_at: float = 0.0
    piles: int = 0
    pile_peaks: tuple[tuple[float, float], ...] = ()
    cleared_at: float | None = None
    stretches: tuple[Stretch, ...] = ()
    noise: float = 0.0
    typical: float = 0.0
    rate_from: float | None = None
    rate_before: float = 0.0


def read_curve(t: np.ndarray, queues: np.ndarray, since: float = 0.0) -> Reading:
    """Read a queue sampled at times ``t`` (one column per replication) from ``since`` on.

    Args:
        t: sample times, increasing, shape (n,).
        queues: queue lengths, shape (n,) or (n, replications).
        since: the warm-up: earlier samples are the model filling up, not news.
    """
    t = np.asarray(t, dtype=float)
    q = np.asarray(queues, dtype=float).reshape(len(t), -1)
    keep = t >= since
    if keep.sum() >= 8:
        t, q = t[keep], q[keep]
    if len(t) < 8 or not np.isfinite(q).all():
        level = float(np.nanmean(q)) if q.size else 0.0
        return Reading("stable", level_start=level, level_end=level, typical=level)
    tb, qb = _binned(t, q, POINTS)
    m = qb.mean(axis=1)
    noise = _noise(m, qb)
    material = max(MIN_CHANGE, NOISE * noise)
    pieces = _cuts(tb, m, noise)
    stretches = _fill_up_dropped(_merged(pieces, tb, m, material))
    reading = _status(tb, m, qb, stretches, material, noise, (t, q.mean(axis=1)))
    return _bend(reading, pieces, tb, m, material)


def _bend(reading: Reading, pieces: list[Stretch], tb: np.ndarray, m: np.ndarray,
          material: float) -> Reading:
    """A rise that changed pace late: its pace now and before (one average would be quoted
    as today's). The last piece of the fit must lie in the later part of the rise, last
    :data:`LEVEL_SPAN` of the window and go :data:`PACE` times faster or slower."""
    if reading.status != "growing" or reading.since is None or len(pieces) < 2:
        return reading
    last, rise_start = pieces[-1], reading.since
    span = tb[-1] - tb[0]
    if last.start <= rise_start + 0.25 * (last.end - rise_start) \
            or last.end - last.start < LEVEL_SPAN * span:
        return reading
    late_in, early_in = tb >= last.start, (tb >= rise_start) & (tb < last.start)
    if late_in.sum() < 5 or early_in.sum() < 5:
        return reading
    late, early = theil_sen(tb[late_in], m[late_in]), theil_sen(tb[early_in], m[early_in])
    if late <= 0 or early <= 0 or max(late / early, early / late) < PACE \
            or abs(late - early) * (last.end - last.start) < material:
        return reading
    return dataclasses.replace(reading, rate=late, rate_from=last.start, rate_before=early)


def _status(tb: np.ndarray, m: np.ndarray, qb: np.ndarray, stretches: list[Stretch],
            material: float, noise: float, raw: tuple[np.ndarray, np.ndarray]) -> Reading:
    """The state at the end, from the last stretch and the piles on the way.

    Piles are counted on the mean curve as sampled (``raw``), smoothed over
    :data:`PILE_SMOOTH` of the window only: a pile of a few days would vanish
    in a bin's average, but the ripple of a working week is no pile. The peak
    reported is the one the picture shows.
    """
    t, mean = raw
    width = max(1, round(PILE_SMOOTH * len(mean)))
    kernel = np.ones(width)
    smooth = np.convolve(mean, kernel, "same") / np.convolve(np.ones_like(mean), kernel, "same")
    k = int(np.argmax(mean))
    base = float(np.percentile(m, 10))
    span = float(mean[k]) - base
    piles: list[tuple[float, float]] = []
    cleared_at = None
    low = base + LOW * span
    if span >= max(material, PILE_NOISE * noise):
        piles, cleared_at = _piles(t, smooth, base + max(HIGH * span, material), low)
    start = float(np.median(m[: max(3, MIN_BINS)]))
    end = float(np.median(m[-3:]))
    last = stretches[-1]
    common: dict[str, Any] = {
        "level_start": start, "level_end": float(mean[-1]), "peak": float(mean[k]),
              "peak_at": float(t[k]), "piles": len(piles), "pile_peaks": tuple(piles[:MAX_PILES]),
              "stretches": tuple(stretches), "noise": noise,
              "typical": float(np.median(m[tb >= last.start]))}
    last = _still_rising(stretches, tb, m)
    ends_low = bool(piles) and end <= low
    emptied = ends_low and end <= max(MIN_CHANGE, CLEARED * float(mean[k]))
    if last.direction == "up" and _agree(tb, qb, last, levels=True) \
            and _long_enough(tb, qb, last, material):
        since = _departure(tb, m, last, material)
        return Reading("growing", since, _late_rate(tb, m, last),
                       level_before=_level_at(tb, m, since), **common)
    if (ends_low and len(piles) >= 2) or emptied:
        status = "swinging" if len(piles) >= 2 else "cleared"
        return Reading(status, cleared_at, level_before=piles[-1][1], cleared_at=cleared_at,
                       **common)
    if last.direction == "down" and _agree(tb, qb, last) and _long_enough(
            tb, qb, Stretch(last.start, last.end, last.level_end, last.level_start, "up"),
            material):
        return Reading("shrinking", last.start, last.rate,
                       level_before=_level_at(tb, m, last.start), **common)
    moved = _last_move(stretches)
    shift = max(material * (2 if qb.shape[1] <= 2 else 1), REL_SHIFT * max(start, 0.0))
    if moved is not None and end - start >= shift and moved.direction == "up" \
            and _agree_levels(qb, 1.0):
        return Reading("settled", moved.start, level_before=_level_at(tb, m, moved.start),
                       **common)
    if moved is not None and start - end >= shift and moved.direction == "down" \
            and _agree_levels(qb, -1.0):
        return Reading("shrinking", moved.start, moved.rate,
                       level_before=_level_at(tb, m, moved.start), **common)
    if len(piles) >= 2:
        return Reading("swinging", None, level_before=start, **common)
    return Reading("stable", level_before=start, **common)


def _still_rising(stretches: list[Stretch], tb: np.ndarray, m: np.ndarray) -> Stretch:
    """The last stretch, or the rise before it when the level "after" it is too short or
    too steep to call a new level: a rise that goes on is no plateau (yet)."""
    last = stretches[-1]
    if len(stretches) < 2 or last.direction != "flat" or stretches[-2].direction != "up":
        return last
    rise = stretches[-2]
    span = tb[-1] - tb[0]
    short = last.end - last.start < LEVEL_SPAN * span
    steep = last.rate >= 0.25 * rise.rate > 0
    return _fit(tb, m, rise.start, last.end, "up") if short or steep else last


def _long_enough(tb: np.ndarray, qb: np.ndarray, rise: Stretch, material: float) -> bool:
    """With one or two replications little tells a rise from slow wandering but its length
    and size: it must last :data:`SINGLE_SPAN` of the window and be twice the smallest news."""
    if qb.shape[1] > 2:
        return True
    span = tb[-1] - tb[0]
    return (rise.end - rise.start >= SINGLE_SPAN * span
            and rise.level_end - rise.level_start >= 2 * material)


def _departure(tb: np.ndarray, m: np.ndarray, rise: Stretch, material: float) -> float:
    """When the curve leaves its level for good within a rise: what a reader calls "from".

    A straight piece through a curve that bends upward starts before the
    curve visibly moves; from the first bin of the rise on which the curve
    stays above its level there by half the smallest news, the rise has begun.
    """
    inside = np.flatnonzero(tb >= rise.start)
    level = min(rise.level_start, float(np.median(m[inside[: max(3, MIN_BINS)]])))
    if inside[0] == 0:  # the fitted line may start below a flat werkvoorraad: use the curve
        level = max(float(np.median(m[: max(3, MIN_BINS)])), float(m[0]))
    stays = np.logical_and.accumulate((m[inside] > level + material / 4)[::-1])[::-1]
    hits = np.flatnonzero(stays)
    if not hits.size or (inside[0] == 0 and tb[hits[0]] - tb[0] < LEVEL_SPAN * (tb[-1] - tb[0])):
        return rise.start  # rising from (near) the first sample: from the start
    return float(tb[inside[max(int(hits[0]) - 1, 0)]])


def _level_at(tb: np.ndarray, m: np.ndarray, when: float) -> float:
    """The mean curve where a stretch starts (the fitted line may start off the curve)."""
    return float(m[min(int(np.searchsorted(tb, when)), len(m) - 1)])


def _last_move(stretches: list[Stretch]) -> Stretch | None:
    return next((s for s in reversed(stretches) if s.direction != "flat"), None)


def _late_rate(tb: np.ndarray, m: np.ndarray, last: Stretch) -> float:
    """Growth over the later half of the last stretch: what the pile does now, not at first."""
    inside = tb >= last.start
    t, y = tb[inside], m[inside]
    half = len(t) // 2
    if len(t) - half >= 5:
        t, y = t[half:], y[half:]
    return theil_sen(t, y) if len(t) >= 3 else last.rate


def _piles(t: np.ndarray, m: np.ndarray, high: float, low: float
           ) -> tuple[list[tuple[float, float]], float | None]:
    """Piles that rose above ``high`` and came down below ``low`` again (hysteresis).

    Returns their (time, height) peaks and when the last one came down. A
    curve that starts above ``high`` (a werkvoorraad at start) opens a pile at once.
    """
    piles: list[tuple[float, float]] = []
    up = False
    top, top_at, cleared = -math.inf, 0.0, None
    for ti, y in zip(t, m, strict=True):
        if not up and y > high:
            up, top, top_at = True, y, ti
        elif up:
            if y > top:
                top, top_at = y, ti
            if y < low:
                piles.append((float(top_at), float(top)))
                up, cleared = False, float(ti)
    return piles, cleared


# -- the curve as straight pieces -----------------------------------------------------


def _cuts(t: np.ndarray, m: np.ndarray, noise: float) -> list[Stretch]:
    """The best straight pieces by least squares with a price per cut (dynamic programming).

    Long on purpose: the prefix sums, the cost of every piece and the
    recursion belong together and read best in one place.
    """
    n = len(t)
    z = np.zeros(1)
    s1 = np.concatenate([z, np.cumsum(np.ones(n))])
    sx = np.concatenate([z, np.cumsum(t)])
    sy = np.concatenate([z, np.cumsum(m)])
    sxx = np.concatenate([z, np.cumsum(t * t)])
    sxy = np.concatenate([z, np.cumsum(t * m)])
    syy = np.concatenate([z, np.cumsum(m * m)])

    def sse(i: np.ndarray, j: int) -> np.ndarray:
        k = s1[j] - s1[i]
        x, y = sx[j] - sx[i], sy[j] - sy[i]
        vxx = (sxx[j] - sxx[i]) - x * x / k
        vxy = (sxy[j] - sxy[i]) - x * y / k
        vyy = (syy[j] - syy[i]) - y * y / k
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = np.where(vxx > 0, vxy * vxy / vxx, 0.0)
        return np.maximum(vyy - fit, 0.0)

    price = PENALTY * max(noise, 1e-9) ** 2 * math.log(max(n, 2))
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=int)
    for j in range(MIN_BINS, n + 1):
        i = np.arange(0, j - MIN_BINS + 1)
        i = i[(i == 0) | (i >= MIN_BINS)]
        cost = best[i] + sse(i, j) + price
        pick = int(np.argmin(cost))
        best[j], back[j] = cost[pick], i[pick]
    edges = [n]
    while edges[-1] > 0:
        edges.append(int(back[edges[-1]]))
    edges.reverse()
    return [_fit(t, m, float(t[a]), float(t[b - 1]), "flat")
            for a, b in itertools.pairwise(edges)]


def _merged(pieces: list[Stretch], t: np.ndarray, m: np.ndarray,
            material: float) -> list[Stretch]:
    """Name each piece's direction by the size of its change, then join equal neighbours.

    First by size alone (a steady rise cut in pieces is one rise), then the
    joined stretches by size against the level they start from. A joined
    stretch is fitted afresh over its whole span, so small drifts that
    cancel do not add up.
    """
    first = _joined(pieces, t, m, lambda p: material)
    return _joined(first, t, m, lambda p: max(material, REL_GROWTH * max(p.level_start, 0.0)))


def _joined(pieces: list[Stretch], t: np.ndarray, m: np.ndarray,
            big: Callable[[Stretch], float]) -> list[Stretch]:
    out: list[Stretch] = []
    for p in pieces:
        change = p.level_end - p.level_start
        size = big(p)
        direction = "up" if change >= size else "down" if change <= -size else "flat"
        if out and out[-1].direction == direction:
            out.append(_fit(t, m, out.pop().start, p.end, direction))
        else:
            out.append(Stretch(p.start, p.end, p.level_start, p.level_end, direction))
    return out


def _fit(t: np.ndarray, m: np.ndarray, start: float, end: float, direction: str) -> Stretch:
    """The straight line through the curve from ``start`` to ``end``, as a stretch."""
    inside = (t >= start) & (t <= end)
    slope, icpt = np.polyfit(t[inside], m[inside], 1)
    return Stretch(start, end, float(icpt + slope * start), float(icpt + slope * end), direction)


def _fill_up_dropped(stretches: list[Stretch]) -> list[Stretch]:
    """A short rise from the first sample followed only by a level curve is the model
    filling up from empty (a warm-up too short), not news."""
    if len(stretches) == 2 and stretches[0].direction == "up" \
            and stretches[1].direction == "flat" and stretches[0].level_start <= MIN_CHANGE \
            and stretches[0].end - stretches[0].start <= FILL_UP * (stretches[1].end
                                                                    - stretches[0].start):
        rest = stretches[1]
        return [Stretch(stretches[0].start, rest.end, rest.level_start, rest.level_end, "flat")]
    return stretches


# -- noise and agreement ------------------------------------------------------------------


def _binned(t: np.ndarray, q: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(t)
    if n <= points:
        return t, q
    edges = np.linspace(0, n, points + 1).astype(int)
    pairs = list(itertools.pairwise(edges))
    return (np.array([t[a:b].mean() for a, b in pairs]),
            np.array([q[a:b].mean(axis=0) for a, b in pairs]))


def _noise(m: np.ndarray, qb: np.ndarray) -> float:
    """Standard deviation of the mean curve's noise: from the replications' spread when
    there are several, and from its jitter from bin to bin (robustly) in any case."""
    jitter = 1.4826 * float(np.median(np.abs(np.diff(m) - np.median(np.diff(m))))) / math.sqrt(2)
    r = qb.shape[1]
    if r < 2:  # no spread to go by: its wandering about a running mean stands in for it
        width = max(5, round(SMOOTH * len(m)))
        kernel = np.ones(width)
        smooth = np.convolve(m, kernel, "same") / np.convolve(np.ones_like(m), kernel, "same")
        return max(jitter, float(np.std(m - smooth)))
    spread = float(np.mean(np.std(qb, axis=1, ddof=1))) / math.sqrt(r)
    return max(jitter, spread)


def _agree(tb: np.ndarray, qb: np.ndarray, stretch: Stretch, levels: bool = False) -> bool:
    """The replications move the stretch's way: their slopes' 95% interval excludes zero
    (or, with ``levels``, that of how far each ends above where it began)."""
    r = qb.shape[1]
    if r < 2:
        return True
    inside = (tb >= stretch.start) & (tb <= stretch.end)
    if inside.sum() < 3:
        return False
    sign = 1.0 if stretch.direction == "up" else -1.0
    if agreeing(np.polyfit(tb[inside], qb[inside], 1)[0] * sign):
        return True
    part = qb[inside]
    return levels and agreeing((np.median(part[-3:], axis=0) - np.median(part[:3], axis=0))
                                * sign)


def _agree_levels(qb: np.ndarray, sign: float) -> bool:
    """The replications end at a level that differs the same way from where they started."""
    moves = (np.median(qb[-3:], axis=0) - np.median(qb[:MIN_BINS], axis=0)) * sign
    return agreeing(moves)
