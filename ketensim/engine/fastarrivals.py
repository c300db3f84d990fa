"""Where a plain chain's cases come from: the sources' moments, replayed as the engine does.

A Poisson source fires after a unit-exponential hazard divided by its rate;
a change of rate (its schedule, its season, an event) keeps the unspent
hazard, exactly as :class:`ketensim.engine.sources.Source` does, and the same
floating-point steps are taken so that every moment is the same number.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

from ketensim.engine.plain import Tie, wakes
from ketensim.engine.sampling import Draws
from ketensim.scenario.calendars import rate_changes
from ketensim.scenario.distributions import Exponential
from ketensim.scenario.model import Arrival

if TYPE_CHECKING:
    from ketensim.engine.fastpath import FastRun

_UNIT_EXP = Exponential(1.0)


def replayed(run: FastRun, arrival: Arrival, types: list[int] | int
             ) -> tuple[np.ndarray, np.ndarray]:
    """The moments a replayed source brings its cases, as :class:`~.sources.Replay` does."""
    out, kinds = [], []
    now = 0.0
    for i, t in enumerate(arrival.times or ()):
        now = now + max(0.0, t - now)
        if now >= run.horizon:
            break
        out.append(now)
        kinds.append(types[i] if isinstance(types, list) else types)
    return np.asarray(out, dtype=float), np.asarray(kinds, dtype=np.int32)


def poisson(run: FastRun, arrival: Arrival, ctype: int) -> tuple[np.ndarray, np.ndarray]:
    """The moments a Poisson source fires, replayed as :class:`~.sources.Source` does."""
    moments = rate_moments(run, arrival)
    hazards = run.draws(f"arrival:{arrival.id}", _UNIT_EXP)
    batch = run.draws(f"batch:{arrival.id}", arrival.batch) if arrival.batch else None
    changes = rate_changes(arrival, run.horizon, run.sc.time_unit)
    _, base, factor = changes[0]
    rate = base * factor
    horizon = run.horizon
    out: list[float] = []
    block: list[float] = []

    def hazard() -> float:
        nonlocal block
        if not block:
            block = hazards.take(4096)[::-1].tolist()
        return block.pop()

    if not moments and rate > 0:
        found = _steady(hazards, rate, horizon)
        if found is not None:
            return _batched(found, batch, ctype)
    due = fire = math.inf
    left = 0.0
    now = 0.0
    h = hazard()
    m = 0
    change = moments[0][0] if moments else math.inf
    while True:
        if rate > 0:
            due = now + h / rate
            fire = now + (due - now)
        else:
            due = fire = math.inf
            left = h
        while fire < change and fire < horizon:  # the common case: no change in between
            out.append(fire)
            now = fire
            h = hazard()
            due = now + h / rate
            fire = now + (due - now)
        if change < fire and change < horizon:
            now, which, value, fac = moments[m]
            if which == 0:
                base, factor = value, fac
            else:
                base = value
            h = (due - now) * rate if rate > 0 else left
            rate = base * factor
            m += 1
            change = moments[m][0] if m < len(moments) else math.inf
            continue
        if change == fire and fire < horizon:
            raise Tie("an arrival and a rate change coincide")
        break
    return _batched(np.asarray(out, dtype=float), batch, ctype)


def _batched(t: np.ndarray, batch: Draws | None, ctype: int) -> tuple[np.ndarray, np.ndarray]:
    if batch is not None and t.size:
        sizes = np.maximum(1, np.round(batch.take(t.size))).astype(np.int64)
        t = np.repeat(t, sizes)  # round half to even, as Python's round in the source
    return t, np.full(t.size, ctype, dtype=np.int32)


def _steady(hazards: Draws, rate: float, horizon: float) -> np.ndarray | None:
    """A source at one rate: its moments as a running sum, when that is exact.

    The source plans each arrival at ``now + h / rate`` and sleeps the
    difference, so it wakes at ``now + ((now + h / rate) - now)``; that is the
    running sum ``now + h / rate`` itself whenever the subtraction is exact,
    which it nearly always is (Sterbenz). The sum is taken in one pass and
    every step is checked; on the rare step where it is not exact, None makes
    the caller replay the source step by step instead.
    """
    chunks: list[np.ndarray] = []
    now = 0.0
    expected = int(rate * horizon * 1.05) + 64
    while now < horizon:
        x = hazards.take(expected) / rate
        running = np.cumsum(np.concatenate([[now], x]))  # sequential, as the source adds
        prev, due = running[:-1], running[1:]
        if not np.array_equal(prev + (due - prev), due):
            return None
        chunks.append(due)
        now = float(due[-1])
        expected = int(rate * max(horizon - now, 0.0) * 1.1) + 64
    moments = np.concatenate(chunks)
    return moments[moments < horizon]

def rate_moments(run: FastRun, arrival: Arrival) -> list[tuple[float, int, float, float]]:
    """Every moment the source's rate changes (its pattern and events), or a Tie."""
    changes = rate_changes(arrival, run.horizon, run.sc.time_unit)
    pattern = [(w, 0, base, factor) for w, (_, base, factor)
               in zip(wakes([c[0] for c in changes[1:]]), changes[1:], strict=True)]
    events = [(t, 1, float(ch.value), 0.0) for t, e in run.events for ch in e.changes
              if ch.kind == "arrival" and ch.target == arrival.id]
    moments = sorted(pattern + events, key=lambda m: (m[0], m[1]))
    for x, y in itertools.pairwise(moments):
        if x[0] == y[0] and x[1] != y[1]:
            raise Tie("a rate change of the pattern and of an event coincide")
    return moments
