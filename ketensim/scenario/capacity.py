"""Capacity of a step over time, as the scenario plans it.

Utilisation over time needs the number of servers at each sample: the
file's capacity, changed by a calendar's capacity plan and by events. The
result is a step function, which is what the engine replays. Working hours
(a calendar's open and closed times) are left out on purpose: a picture of
utilisation sampled once a day should show the planned staffing, not
whether the sample fell at night.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def capacity_changes(scenario: Any, step_id: str) -> list[tuple[float, float]]:
    """(time, capacity) from time 0 on, in time order, for one step.

    Args:
        scenario: anything with ``steps`` (with ``capacity``), ``events`` and,
            optionally, ``calendars`` and ``partners`` with calendar names.
        step_id: which step.
    """
    step = next(s for s in scenario.steps if s.id == step_id)
    changes: list[tuple[float, int, float]] = [(0.0, 0, float(step.capacity))]
    cal = _calendar(scenario, step)
    if cal is not None:
        changes += [(max(0.0, float(t)), 1, float(c)) for t, c in cal.plan]
    key = f"step.{step_id}.capacity"
    for ev in getattr(scenario, "events", ()):
        for ch in ev.changes:
            if ch.key == key:
                changes.append((max(0.0, float(ev.at)), 2, float(ch.value)))
    changes.sort(key=lambda c: (c[0], c[1]))
    return [(t, c) for t, _, c in changes]


def capacity_at(scenario: Any, step_id: str, t: np.ndarray) -> np.ndarray:
    """Capacity of ``step_id`` at each time in ``t`` (the last change at or before it)."""
    t = np.asarray(t, dtype=float)
    changes = capacity_changes(scenario, step_id)
    times = np.array([c[0] for c in changes])
    values = np.array([c[1] for c in changes])
    idx = np.searchsorted(times, t, side="right") - 1
    return values[np.clip(idx, 0, len(values) - 1)]


def _calendar(scenario: Any, step: Any) -> Any:
    name = getattr(step, "calendar", None)
    if name is None:
        partner = next((p for p in scenario.partners if p.id == step.partner), None)
        name = getattr(partner, "calendar", None)
    if name is None:
        return None
    return next((c for c in getattr(scenario, "calendars", ()) if c.id == name), None)
