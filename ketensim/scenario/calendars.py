"""Time patterns: working calendars and arrival rates that change over time.

Pure functions over the model, shared by the engine (which replays them as
capacity and rate changes) and by ``check`` (which needs the long-run
fractions for its load figures). Day 0 of a run is a Monday; a month is a
twelfth of 365.25 days.
"""

from __future__ import annotations

from ketensim.scenario.model import Arrival, Calendar

DAYS_PER_MONTH = 365.25 / 12


def units_per_day(time_unit: str) -> float:
    """How many of the scenario's time units make one day."""
    return {"hour": 24.0, "day": 1.0, "week": 1 / 7}[time_unit]


def open_intervals(cal: Calendar, horizon: float, time_unit: str) -> list[tuple[float, float]]:
    """The working periods of ``cal`` within [0, horizon], merged where they touch."""
    upd = units_per_day(time_unit)
    days = int(horizon / upd) + 2
    holidays = set(cal.holidays)
    out: list[tuple[float, float]] = []
    for day in range(days):
        if day % 7 + 1 not in cal.weekdays or day in holidays:
            continue
        start = (day + cal.start_hour / 24) * upd
        end = (day + (cal.start_hour + cal.hours) / 24) * upd
        if start >= horizon:
            break
        if out and abs(out[-1][1] - start) < 1e-9:
            out[-1] = (out[-1][0], min(end, horizon))
        else:
            out.append((start, min(end, horizon)))
    return out


def working_fraction(cal: Calendar) -> float:
    """Long-run share of time the calendar is open (holidays left out: they are few)."""
    return min(cal.hours, 24.0) / 24 * len(set(cal.weekdays)) / 7


def capacity_at(cal: Calendar | None, nominal: int, t: float) -> int:
    """The planned capacity at time ``t`` (the last plan entry at or before ``t``)."""
    cap = nominal
    if cal is not None:
        for start, value in cal.plan:
            if start <= t:
                cap = value
    return cap


def rate_changes(
    arrival: Arrival, horizon: float, time_unit: str
) -> list[tuple[float, float, float]]:
    """Moments where the arrival rate changes: (time, base rate, pattern factor).

    The base rate at time t is the last ``schedule`` entry at or before t (or
    ``rate`` before the first); the pattern factor is the month's entry of
    ``season`` times the weekday's entry of ``week`` (1 without them; day 0 is
    a Monday). The rate is their product.
    """
    points = {0.0}
    points.update(t for t, _ in arrival.schedule if 0 < t < horizon)
    month = DAYS_PER_MONTH * units_per_day(time_unit)
    if arrival.season:
        k = 1
        while k * month < horizon:
            points.add(k * month)
            k += 1
    day = units_per_day(time_unit)
    if arrival.week:
        k = 1
        while k * day < horizon:
            points.add(k * day)
            k += 1
    changes: list[tuple[float, float, float]] = []
    for t in sorted(points):
        base = arrival.rate
        for start, value in arrival.schedule:
            if start <= t + 1e-12:
                base = value
        factor = pattern_factor(arrival, t, month, day)
        if not changes or (base, factor) != changes[-1][1:]:
            changes.append((t, base, factor))
    return changes


def pattern_factor(arrival: Arrival, t: float, month: float, day: float) -> float:
    """The season's and the week's factor on the rate at time ``t``."""
    factor = arrival.season[int(t / month + 1e-9) % 12] if arrival.season else 1.0
    if arrival.week:
        factor *= arrival.week[int(t / day + 1e-9) % 7]
    return factor


def mean_rate(arrival: Arrival, horizon: float, time_unit: str) -> float:
    """Average arrival rate over [0, horizon], for load figures of patterned inflow."""
    if arrival.times is not None:
        return len(arrival.times) / horizon
    changes = rate_changes(arrival, horizon, time_unit)
    ends = [c[0] for c in changes[1:]] + [horizon]
    pieces = zip(changes, ends, strict=True)
    total = sum(base * factor * (end - t) for (t, base, factor), end in pieces)
    return total / horizon
