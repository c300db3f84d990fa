"""Inputs known only within a range: drawn once per replication.

Replications show how much the outcome varies by chance with the inputs as written; they
say nothing of how well the inputs are known. An inflow known to +-15% or norm hours that
are an estimate move the outcome far more than the luck of one year does, and a report that
shows "106 to 107 days" then claims a precision that nothing supports. A scenario names
such inputs in ``[[uncertain]]`` tables with a range of factors; each replication draws
its own factor per input (uniform in the range) and runs with it, so that the interval
over replications holds both kinds of variation. The draws come from their own random
stream per input and replication: the same for every scenario that names the same key,
so comparisons keep their common random numbers, and the same whatever the number of
worker processes.
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from ketensim.scenario.distributions import Distribution

if TYPE_CHECKING:
    from ketensim.scenario.model import Change, Scenario

KINDS = {"arrival": ("rate",), "step": ("capacity", "service")}  # what may be uncertain
STREAM = 0x756E63  # keeps these draws apart from the engine's streams


@dataclass(frozen=True)
class Uncertain:
    """One input known within a range: ``key`` as in an event's ``set``, times a factor
    drawn per replication between ``low`` and ``high``."""

    key: str
    low: float
    high: float
    label: str | None = None


def factors(scenario: Scenario, replication: int, seed: int) -> dict[str, float]:
    """The factor of each uncertain input in this replication (1.0 where none is named)."""
    out = {}
    for u in scenario.uncertain:
        rng = np.random.default_rng([seed, replication, STREAM, zlib.crc32(u.key.encode())])
        out[u.key] = float(rng.uniform(u.low, u.high)) if u.high > u.low else u.low
    return out


def for_replication(scenario: Scenario, replication: int, seed: int) -> Scenario:
    """The scenario as this replication runs it: every uncertain input times its factor."""
    if not scenario.uncertain:
        return scenario
    return apply(scenario, factors(scenario, replication, seed))


def apply(scenario: Scenario, drawn: dict[str, float]) -> Scenario:
    """Scale the named inputs, in the file and in the events that set them later."""
    steps = {s.id: s for s in scenario.steps}
    arrivals = {a.id: a for a in scenario.arrivals}
    for key, f in drawn.items():
        kind, ident, attribute = key.split(".", 2)
        if kind == "arrival":
            a = arrivals[ident]
            arrivals[ident] = replace(a, rate=a.rate * f,
                                      schedule=tuple((t, r * f) for t, r in a.schedule))
        elif attribute == "capacity":
            steps[ident] = replace(steps[ident], capacity=_staff(steps[ident].capacity, f))
        else:
            s = steps[ident]
            types = tuple(replace(t, service=scaled(t.service, f)) if t.service else t
                          for t in s.types)
            steps[ident] = replace(s, service=scaled(s.service, f), types=types)
    events = tuple(replace(ev, changes=tuple(_changed(ch, drawn) for ch in ev.changes))
                   for ev in scenario.events)
    return replace(scenario, steps=tuple(steps.values()), arrivals=tuple(arrivals.values()),
                   events=events)


def scaled(dist: Distribution, f: float) -> Distribution:
    """The same shape, every duration ``f`` times as long (the cv stays)."""
    changes = {}
    for field in dataclasses.fields(dist):
        value = getattr(dist, field.name)
        if field.name in ("mean_", "low", "mode", "high"):
            changes[field.name] = value * f
        elif field.name == "values":
            changes[field.name] = tuple(v * f for v in value)
    return replace(dist, **changes)


def _staff(capacity: int, f: float) -> int:
    return max(1, round(capacity * f))


def _changed(change: Change, drawn: dict[str, float]) -> Change:
    """An event that sets an uncertain input sets it times the same factor."""
    key = f"{change.kind}.{change.target}.{change.attribute}"
    f = drawn.get(key)
    if f is None or change.value is None:
        return change
    if change.attribute == "capacity":
        return replace(change, value=_staff(change.value, f))
    if change.attribute == "service":
        return replace(change, value=scaled(change.value, f))
    return replace(change, value=change.value * f)
