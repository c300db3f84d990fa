"""Tables that concern the chain as a whole: calendars, shared pools, policies, bands.

``[[calendar]]`` says when staff work and how many there are over time;
``[[pool]]`` lets steps of one partner share staff; ``[[policy]]`` writes
down how the chain is steered (ketenregie); ``[[band]]`` names inflow levels
to run side by side, such as the minimum and maximum of a prognosis.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from ketensim.errors import type_name
from ketensim.scenario import datafiles as csvfiles
from ketensim.scenario.model import Band, Calendar, Policy, Pool
from ketensim.scenario.schema import fields
from ketensim.scenario.schema.fields import MISSING, SUM_TOLERANCE, Ctx, Text, one_of
from ketensim.scenario.uncertainty import KINDS, Uncertain

CALENDAR_KEYS = ("id", "hours", "start_hour", "weekdays", "holidays", "plan", "plan_file")
POOL_RULES = ("priority", "share")
POLICY_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # required, optional
    "follow_inflow": (("step",), ("every", "lag", "target", "minimum", "budget")),
    "wip_cap": (("limit",), ()),
    "flex_pool": (("steps", "servers"), ("every",)),
}
_SLUG = re.compile(r"[a-z0-9-]+")


def _positive(ctx: Ctx, value: Any) -> float | None:
    return fields.number(ctx, value, 0.0, above=True)


def _count(low: int) -> Callable[[Ctx, Any], int | None]:
    return lambda ctx, value: fields.integer(ctx, value, low)


# -- calendars ----------------------------------------------------------------------------


def calendar(ctx: Ctx, data: dict[str, Any], ident: str | None) -> Calendar | None:
    """Working time (hours, weekdays, holidays) and a capacity plan over time."""
    before = ctx.count
    fields.table(ctx, data, (), CALENDAR_KEYS)
    hours = fields.get(ctx, data, "hours",
                       lambda c, v: fields.number(c, v, 0.0, above=True, high=24.0), 24.0)
    start = fields.get(ctx, data, "start_hour",
                       lambda c, v: fields.number(c, v, 0.0, high=24.0, below=True), 0.0)
    if hours is not None and start is not None and start + hours > 24:
        ctx.at("hours").fail("a working day must end by midnight (start_hour + hours <= 24)",
                             f"hours <= {24 - start:g}", data["hours"])
    weekdays = fields.get(ctx, data, "weekdays", _weekdays, (1, 2, 3, 4, 5, 6, 7))
    holidays = fields.get(ctx, data, "holidays", _holidays, ())
    plan = _plan_of(ctx, data)
    if ident is None or ctx.count > before:
        return None
    return Calendar(ident, hours, start, weekdays, holidays, plan)


def _weekdays(ctx: Ctx, value: Any) -> tuple[int, ...] | None:
    expected = "distinct integers 1..7 (1 = Monday)"
    if not isinstance(value, list) or not value:
        ctx.fail("must be a non-empty array of weekdays", expected, value)
        return None
    before = ctx.count
    for i, day in enumerate(value):
        if fields.integer(ctx.item(i), day, 1) is None:
            continue
        if day > 7:
            ctx.item(i).fail("must be <= 7", expected, day)
        elif day in value[:i]:
            ctx.item(i).fail("weekday listed twice", expected, day)
    return None if ctx.count > before else tuple(value)


def _holidays(ctx: Ctx, value: Any) -> tuple[int, ...] | None:
    if not isinstance(value, list):
        ctx.fail("must be an array of day numbers", "[0, 121, ...] (day 0 is a Monday)", value)
        return None
    before = ctx.count
    for i, day in enumerate(value):
        fields.integer(ctx.item(i), day, 0)
    return None if ctx.count > before else tuple(value)


def _plan_of(ctx: Ctx, data: dict[str, Any]) -> tuple[tuple[float, int], ...]:
    if "plan" in data and "plan_file" in data:
        ctx.at("plan_file").fail("plan and plan_file both give the capacity plan",
                                 "plan or plan_file", data["plan_file"])
        return ()
    if "plan_file" in data:
        return _plan_file(ctx.at("plan_file"), data["plan_file"]) or ()
    return fields.get(ctx, data, "plan", _plan, ()) or ()


def _plan(ctx: Ctx, value: Any) -> tuple[tuple[float, int], ...] | None:
    if not isinstance(value, list) or not value:
        ctx.fail("must be a non-empty array of tables", "[{ from = 0, capacity = 10 }, ...]",
                 value)
        return None
    before = ctx.count
    pairs = [_plan_entry(ctx.item(i), entry) for i, entry in enumerate(value)]
    if ctx.count > before:
        return None
    late = _not_increasing([p[0] for p in pairs])  # type: ignore[index]
    if late is not None:
        ctx.item(late).at("from").fail("must come after the entry before it",
                                       f"a time > {pairs[late - 1][0]:g}",  # type: ignore[index]
                                       value[late]["from"])
        return None
    return tuple(pairs)  # type: ignore[arg-type]


def _plan_entry(ctx: Ctx, value: Any) -> tuple[float, int] | None:
    before = ctx.count
    if not fields.table(ctx, value, ("from", "capacity"), ()):
        return None
    start = fields.get(ctx, value, "from", lambda c, v: fields.number(c, v, 0.0))
    capacity = fields.get(ctx, value, "capacity", _count(0))
    return None if ctx.count > before else (start, capacity)


def _plan_file(ctx: Ctx, value: Any) -> tuple[tuple[float, int], ...] | None:
    table = csvfiles.read_table(ctx, value, ("from", "capacity"))
    if table is None:
        return None
    starts = csvfiles.numbers(ctx, table, "from")
    capacities = csvfiles.numbers(ctx, table, "capacity", whole=True)
    if starts is None or capacities is None:
        return None
    late = _not_increasing(starts)
    if late is not None:
        row = table.rows[late][0]
        ctx.fail(f"row {row} of {table.name}: from must come after the row before",
                 f"a time > {starts[late - 1]:g}", Text(f"{starts[late]:g}"))
        return None
    return tuple((s, int(c)) for s, c in zip(starts, capacities, strict=True))


def _not_increasing(values: Sequence[float]) -> int | None:
    """The index of the first value not above the one before it, if any."""
    return next((i for i in range(1, len(values)) if values[i] <= values[i - 1]), None)


# -- shared pools -------------------------------------------------------------------------


def pool(ctx: Ctx, data: dict[str, Any], ident: str | None, partners: tuple[str, ...],
         owner: dict[str, Any], taken: dict[str, str]) -> Pool | None:
    """Staff shared by steps of one partner.

    Args:
        ctx: where the pool table sits.
        data: the pool table.
        ident: its id, None when unusable.
        partners: the partner ids.
        owner: per step id, the partner its table names.
        taken: per step id, the pool that already claimed it (updated here).
    """
    before = ctx.count
    fields.table(ctx, data, ("partner", "capacity", "steps"), ("id", "rule", "shares"))
    partner = fields.get(ctx, data, "partner", fields.reference("partner", partners))
    capacity = fields.get(ctx, data, "capacity", _count(1))
    steps = fields.get(ctx, data, "steps", lambda c, v: _members(c, v, partner, owner))
    rule = fields.get(ctx, data, "rule", _rule, "priority")
    shares = _shares(ctx, data, rule, steps)
    if steps is not None and ident is not None:
        _claim(ctx.at("steps"), steps, ident, taken)
    if ident is None or ctx.count > before:
        return None
    return Pool(ident, partner, capacity, steps, rule, shares)


def _members(ctx: Ctx, value: Any, partner: str | None,
             owner: dict[str, Any]) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        ctx.fail("must be a non-empty array of step ids", '["a", "b"]', value)
        return None
    before = ctx.count
    for i, step in enumerate(value):
        where = ctx.item(i)
        if fields.reference("step", tuple(owner))(where, step) is None:
            continue
        if step in value[:i]:
            where.fail("step listed twice", "each step once", step)
        elif partner is not None and owner[step] != partner:
            where.fail(f"the step belongs to another partner than the pool's ({partner})",
                       f"a step of partner {partner}", step)
    return None if ctx.count > before else tuple(value)


def _claim(ctx: Ctx, steps: tuple[str, ...], ident: str, taken: dict[str, str]) -> None:
    for i, step in enumerate(steps):
        if step in taken:
            ctx.item(i).fail(f"the step is already in pool {taken[step]}",
                             "each step in one pool at most", step)
        else:
            taken[step] = ident


def _rule(ctx: Ctx, value: Any) -> str | None:
    if not isinstance(value, str) or value not in POOL_RULES:
        ctx.fail("unknown pool rule", " | ".join(f'"{r}"' for r in POOL_RULES), value)
        return None
    return value


def _shares(ctx: Ctx, data: dict[str, Any], rule: str | None,
            steps: tuple[str, ...] | None) -> tuple[float, ...]:
    given = data.get("shares", MISSING)
    where = ctx.at("shares")
    if rule != "share":
        if given is not MISSING and rule is not None:
            where.fail('shares belong with rule = "share"', 'rule = "share", or no shares', given)
        return ()
    if given is MISSING:
        where.fail('missing: rule = "share" needs a share per step', "[0.3, 0.7, ...]", None)
        return ()
    if not isinstance(given, list) or (steps is not None and len(given) != len(steps)):
        count = "one share per step" if steps is None else f"{len(steps)} shares, one per step"
        where.fail("must give one share per step of the pool", count, given)
        return ()
    found = [fields.number(where.item(i), v, 0.0, above=True) for i, v in enumerate(given)]
    if None not in found and abs(math.fsum(found) - 1.0) > SUM_TOLERANCE:  # type: ignore[arg-type]
        where.fail("shares must sum to 1", "shares summing to 1",
                   Text(f"a sum of {math.fsum(found):.12g}"))  # type: ignore[arg-type]
    return tuple(found)  # type: ignore[arg-type]


# -- policies -----------------------------------------------------------------------------


def policy(ctx: Ctx, data: Any, steps: tuple[str, ...]) -> Policy | None:
    """One steering rule; which keys it takes depends on its ``kind``."""
    if not isinstance(data, dict):
        ctx.fail("must be a table", "a [[policy]] table", Text(type_name(data)))
        return None
    kind = data.get("kind", MISSING)
    if kind is MISSING or not isinstance(kind, str) or kind not in POLICY_KEYS:
        problem = "missing required key" if kind is MISSING else "unknown policy kind"
        ctx.at("kind").fail(problem, one_of(POLICY_KEYS), None if kind is MISSING else kind)
        return None
    required, optional = POLICY_KEYS[kind]
    before = ctx.count
    fields.table(ctx, data, ("kind", *required), optional)
    found = _POLICY_FIELDS[kind](ctx, data, steps)
    return None if ctx.count > before else Policy(kind, **found)


def _follow_inflow(ctx: Ctx, data: dict[str, Any], steps: tuple[str, ...]) -> dict[str, Any]:
    minimum = fields.get(ctx, data, "minimum", _count(0), 1)
    return {
        "step": fields.get(ctx, data, "step", fields.reference("step", steps)),
        "every": fields.get(ctx, data, "every", _positive, 30.0),
        "lag": fields.get(ctx, data, "lag", lambda c, v: fields.number(c, v, 0.0), 0.0),
        "target": fields.get(ctx, data, "target",
                             lambda c, v: fields.number(c, v, 0.0, above=True, high=1.0), 0.85),
        "minimum": minimum,
        "budget": fields.get(ctx, data, "budget", _count(minimum if minimum is not None else 0)),
    }


def _wip_cap(ctx: Ctx, data: dict[str, Any], _steps: tuple[str, ...]) -> dict[str, Any]:
    return {"limit": fields.get(ctx, data, "limit", _count(1))}


def _flex_pool(ctx: Ctx, data: dict[str, Any], steps: tuple[str, ...]) -> dict[str, Any]:
    return {
        "steps": fields.get(ctx, data, "steps", lambda c, v: _flex_steps(c, v, steps), ()),
        "servers": fields.get(ctx, data, "servers", _count(1), 0),
        "every": fields.get(ctx, data, "every", _positive, 30.0),
    }


def _flex_steps(ctx: Ctx, value: Any, steps: tuple[str, ...]) -> tuple[str, ...] | None:
    if not isinstance(value, list) or len(value) < 2:
        ctx.fail("must be an array of at least two step ids", '["a", "b"]', value)
        return None
    before = ctx.count
    for i, step in enumerate(value):
        if fields.reference("step", steps)(ctx.item(i), step) is not None and step in value[:i]:
            ctx.item(i).fail("step listed twice", "each step once", step)
    return None if ctx.count > before else tuple(value)


_POLICY_FIELDS: dict[str, Callable[[Ctx, dict[str, Any], tuple[str, ...]], dict[str, Any]]] = {
    "follow_inflow": _follow_inflow, "wip_cap": _wip_cap, "flex_pool": _flex_pool,
}


def check_policies(found: list[tuple[Ctx, Policy | None]]) -> None:
    """One cap for the whole chain, and one capacity rule per step."""
    caps = 0
    followed: set[str] = set()
    for ctx, pol in found:
        if pol is None:
            continue
        if pol.kind == "wip_cap":
            caps += 1
            if caps > 1:
                ctx.at("kind").fail("a chain has one wip_cap at most", "one wip_cap policy",
                                    pol.kind)
        elif pol.kind == "follow_inflow":
            if pol.step in followed:
                ctx.at("step").fail("the step already follows inflow under another policy",
                                    "one follow_inflow policy per step", pol.step)
            followed.add(pol.step)  # type: ignore[arg-type]


# -- bands --------------------------------------------------------------------------------


def band(ctx: Ctx, data: dict[str, Any], name: str | None) -> Band | None:
    """An inflow band: every arrival rate times ``factor``, named for the results."""
    before = ctx.count
    fields.table(ctx, data, ("factor",), ("name",))
    if name is not None and not _SLUG.fullmatch(name):
        ctx.at("name").fail("must be a slug (it names a results folder)",
                            "a slug of a-z, 0-9 and -", name)
    factor = fields.get(ctx, data, "factor", _positive)
    return None if name is None or ctx.count > before else Band(name, factor)


# -- uncertain inputs ---------------------------------------------------------------------


def uncertain(ctx: Ctx, data: dict[str, Any], key: str | None,
              ids: dict[str, tuple[str, ...]]) -> Uncertain | None:
    """An input known within a range of factors, drawn per replication."""
    before = ctx.count
    fields.table(ctx, data, ("low", "high"), ("key", "label"))
    if key is not None:
        parts = key.split(".")
        known = {"arrival": ids["arrival"], "step": ids["step"]}
        if len(parts) != 3 or parts[0] not in KINDS or parts[2] not in KINDS[parts[0]]:
            ctx.at("key").fail("not an input that can be uncertain",
                               "arrival.<id>.rate, step.<id>.capacity or step.<id>.service",
                               key)
        elif parts[1] not in known[parts[0]]:
            ctx.at("key").fail(f"no {parts[0]} with this id",
                               f"one of {', '.join(known[parts[0]]) or 'none'}", parts[1])
    low = fields.get(ctx, data, "low", _positive)
    high = fields.get(ctx, data, "high", _positive)
    if low is not None and high is not None and high < low:
        ctx.at("high").fail("the range runs backwards", f"a factor >= low ({low:g})", high)
    label = fields.get(ctx, data, "label", fields.text)
    if key is None or ctx.count > before:
        return None
    return Uncertain(key, float(low), float(high), label)
