"""What the loads of each period mean for a reader: seasons and the warm-up to use.

Small readings of :func:`ketensim.scenario.traffic.phases` that ``check``
turns into advice: a step that a season (not an intervention) overloads, and
how long an empty chain takes to fill.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from ketensim.scenario.traffic import Phase

__all__ = ["season_overloads", "suggested_warmup"]


def season_overloads(phases: Sequence[Phase]) -> list[tuple[str, float, float]]:
    """Steps overloaded in a later period because of its season, not its interventions.

    A step counts when its load is 1 or more in the period, would be too without any
    intervention (the inflow profile or calendar of that period does it), and was below 1
    in the period before. Returns (step, load, start of the period).
    """
    out = []
    for before, phase in itertools.pairwise(phases):
        for item in phase.loads:
            plain = phase.load_without_events(item.step)
            try:
                earlier = before.load(item.step).rho
            except KeyError:
                continue
            if item.overloaded and plain is not None and plain.overloaded and earlier < 1.0:
                out.append((item.step, item.rho, phase.start))
    return out


WARMUP_SOJOURNS = 5  # time constants of the slowest step before its queue forgets an empty start


def suggested_warmup(phases_: Sequence[Phase]) -> float:
    """A warm-up long enough for an empty chain to fill: five times the slowest step's mean
    time at the step in the first period, estimated as service / (1 - load) (the M/M/1 sojourn
    time, with the load held below 0.95 so that a step near saturation does not ask for
    forever). A rule of thumb for ``check`` to suggest, not a guarantee: look at the backlog
    picture, which shows when the curves level off.
    """
    if not phases_:
        return 0.0
    slowest = 0.0
    for item in phases_[0].loads:
        if item.arrival_rate <= 0 or not math.isfinite(item.mean_service):
            continue
        rho = min(item.rho, 0.95) if math.isfinite(item.rho) else 0.95
        slowest = max(slowest, item.mean_service / (1.0 - rho))
    return WARMUP_SOJOURNS * slowest
