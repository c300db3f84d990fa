"""How cases arrive: a Poisson rate with its patterns, or replayed moments.

An ``[[arrival]]`` either has a ``rate`` (optionally shaped by a
``schedule`` of rate changes, twelve ``season`` factors and ``batch`` sizes)
or replays given moments, written inline as ``times`` or read from a CSV
``file``. The two kinds do not mix: a replayed arrival has no rate for a
pattern to shape, nor for an event to change.
"""

from __future__ import annotations

from typing import Any

from ketensim.scenario import datafiles as csvfiles
from ketensim.scenario.distributions import Distribution
from ketensim.scenario.schema import fields
from ketensim.scenario.schema.fields import Ctx, Text

ARRIVAL_KEYS = ("rate", "times", "file", "schedule", "season", "week", "batch")
REPLAYED = ("times", "file")
PATTERNS = ("schedule", "season", "week", "batch")
MONTHS = 12


def inflow(ctx: Ctx, data: dict[str, Any], case_type: str | None) -> dict[str, Any] | None:
    """The inflow fields of an ``Arrival`` (rate, times, types and patterns) from its table.

    Args:
        ctx: where the arrival table sits.
        data: the arrival table.
        case_type: the arrival's case type, for rows of a file that name none.
    """
    before = ctx.count
    replayed = [key for key in REPLAYED if key in data]
    if len(replayed) == 2:
        ctx.at("file").fail("times and file both give the arrival moments", "times or file",
                            data["file"])
    if replayed:
        for key in ("rate", *PATTERNS):
            if key in data:
                ctx.at(key).fail(f"a replayed arrival ({replayed[0]}) has no {key}",
                                 f"{replayed[0]} alone, or a rate without {replayed[0]}",
                                 data[key])
    elif "rate" not in data:
        ctx.at("rate").fail("missing required key", "a number >= 0 (or times or file)", None)
    out = _replayed(ctx, data, case_type) if replayed else _patterned(ctx, data)
    return None if ctx.count > before else out


def _patterned(ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "rate": fields.get(ctx, data, "rate", lambda c, v: fields.number(c, v, 0.0)),
        "schedule": fields.get(ctx, data, "schedule", schedule, ()),
        "season": fields.get(ctx, data, "season", season, ()),
        "week": fields.get(ctx, data, "week", week, ()),
        "batch": fields.get(ctx, data, "batch", batch),
    }


def _replayed(ctx: Ctx, data: dict[str, Any], case_type: str | None) -> dict[str, Any]:
    if "times" in data:
        return {"rate": 0.0, "times": times(ctx.at("times"), data["times"])}
    found = from_file(ctx.at("file"), data["file"], case_type or "")
    moments, kinds = found if found is not None else (None, None)
    return {"rate": 0.0, "times": moments, "types": kinds}


def times(ctx: Ctx, value: Any) -> tuple[float, ...] | None:
    """Arrival moments, in order (the same moment may repeat: cases arriving together)."""
    if not isinstance(value, list) or not value:
        ctx.fail("must be a non-empty array of times", "[0.5, 1.0, ...]", value)
        return None
    before = ctx.count
    found = [fields.number(ctx.item(i), v, 0.0) for i, v in enumerate(value)]
    if ctx.count > before:
        return None
    for i in range(1, len(found)):
        if found[i] < found[i - 1]:  # type: ignore[operator]
            ctx.item(i).fail("times must not go back", f"a time >= {found[i - 1]:g}", value[i])
            return None
    return tuple(found)  # type: ignore[arg-type]


def from_file(ctx: Ctx, value: Any, case_type: str
              ) -> tuple[tuple[float, ...], tuple[str, ...] | None] | None:
    """Moments (column ``t``) and, when there is a ``case_type`` column, the type of each.

    Rows are taken in time order: an export sorted by case number still replays
    as it happened. A blank case type means the arrival's own ``case_type``.
    """
    table = csvfiles.read_table(ctx, value, ("t",))
    moments = None if table is None else csvfiles.numbers(ctx, table, "t")
    if table is None or moments is None:
        return None
    kinds = csvfiles.labels(table, "case_type", case_type)
    order = sorted(range(len(moments)), key=lambda i: moments[i])
    ordered = tuple(moments[i] for i in order)
    return ordered, None if kinds is None else tuple(kinds[i] for i in order)


def schedule(ctx: Ctx, value: Any) -> tuple[tuple[float, float], ...] | None:
    """``[{ from, rate }, ...]``: the base rate from each moment on, in time order."""
    if not isinstance(value, list) or not value:
        ctx.fail("must be a non-empty array of tables", "[{ from = 0, rate = 80 }, ...]", value)
        return None
    before = ctx.count
    pairs = [_rate_from(ctx.item(i), entry) for i, entry in enumerate(value)]
    if ctx.count > before:
        return None
    for i in range(1, len(pairs)):
        if pairs[i][0] <= pairs[i - 1][0]:  # type: ignore[index]
            ctx.item(i).at("from").fail("must come after the entry before it",
                                        f"a time > {pairs[i - 1][0]:g}",  # type: ignore[index]
                                        value[i]["from"])
            return None
    return tuple(pairs)  # type: ignore[arg-type]


def _rate_from(ctx: Ctx, value: Any) -> tuple[float, float] | None:
    before = ctx.count
    if not fields.table(ctx, value, ("from", "rate"), ()):
        return None
    start = fields.get(ctx, value, "from", lambda c, v: fields.number(c, v, 0.0))
    rate = fields.get(ctx, value, "rate", lambda c, v: fields.number(c, v, 0.0))
    return None if ctx.count > before else (start, rate)


def season(ctx: Ctx, value: Any) -> tuple[float, ...] | None:
    """Twelve monthly factors on the rate, from the run's first month (of 365.25 / 12 days)."""
    if not isinstance(value, list) or len(value) != MONTHS:
        got = Text(f"{len(value)} values") if isinstance(value, list) else value
        ctx.fail("must be an array of 12 monthly factors", "12 numbers >= 0", got)
        return None
    before = ctx.count
    found = [fields.number(ctx.item(i), v, 0.0) for i, v in enumerate(value)]
    return None if ctx.count > before else tuple(found)  # type: ignore[arg-type]


def week(ctx: Ctx, value: Any) -> tuple[float, ...] | None:
    """Seven factors on the rate, Monday to Sunday: arrivals on working days only, say."""
    if not isinstance(value, list) or len(value) != 7:
        got = Text(f"{len(value)} values") if isinstance(value, list) else value
        ctx.fail("must be an array of 7 factors, Monday to Sunday", "7 numbers >= 0", got)
        return None
    before = ctx.count
    found = [fields.number(ctx.item(i), v, 0.0) for i, v in enumerate(value)]
    if ctx.count == before and not any(found):
        ctx.fail("no day has arrivals", "at least one factor > 0", value)
    return None if ctx.count > before else tuple(found)  # type: ignore[arg-type]


def batch(ctx: Ctx, value: Any) -> Distribution | None:
    """Cases per arrival moment: a number >= 1, or a distribution (drawn, rounded, at least 1)."""
    return fields.duration(ctx, value, 1.0)


def is_replayed(data: Any) -> bool:
    """Whether an arrival table replays moments: an event may not set its rate."""
    return isinstance(data, dict) and any(k in data for k in REPLAYED)
