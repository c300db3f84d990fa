"""Routes as written in a scenario file: where a case goes, and what happens on the way.

A route is the same everywhere it appears (a step's ``routes``, a case
type's ``routes``, an event's ``step.<id>.routes``), so one function checks
them all. Besides ``to``, ``p`` and ``outcome``, a route can describe the
koppelvlak it crosses: a hand-over ``delay``, a share ``returned`` to the
sender as incomplete, and, on a way out of the chain, ``reenter``
(herinstroom: a share of the leavers comes back later as new cases).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

from ketensim.errors import show, type_name
from ketensim.scenario.model import EXIT, Reentry, Route
from ketensim.scenario.schema import fields
from ketensim.scenario.schema.fields import MISSING, SUM_TOLERANCE, Ctx, Text, one_of

ROUTE_KEYS = ("to", "p", "outcome", "delay", "returned", "reenter")
REENTRY_KEYS = ("p", "to", "after")


def routes(ctx: Ctx, value: Any, step_ids: Collection[str]) -> tuple[Route, ...] | None:
    """A list of routes whose probabilities sum to 1; ``[]`` means leaving the chain."""
    if not isinstance(value, list):
        got = Text(f"{type_name(value)} {show(value)}")
        ctx.fail("must be an array of routes", '[{ to = "...", p = ... }, ...]', got)
        return None
    before = ctx.count
    parsed = [_route(ctx.item(i), entry, step_ids) for i, entry in enumerate(value)]
    if ctx.count > before:
        return None
    found = [r for r in parsed if r is not None]
    total = math.fsum(r.p for r in found)
    if found and abs(total - 1.0) > SUM_TOLERANCE:
        got = Text(f"a sum of {total:.12g}")
        ctx.fail("route probabilities must sum to 1", "p summing to 1", got)
        return None
    return tuple(found)


def _route(ctx: Ctx, value: Any, step_ids: Collection[str]) -> Route | None:
    before = ctx.count
    if not fields.table(ctx, value, ("to", "p"), ROUTE_KEYS[2:]):
        return None
    to = value.get("to", MISSING)
    if to is not MISSING and (not isinstance(to, str) or (to != EXIT and to not in step_ids)):
        ctx.at("to").fail("no step with this id", f"{EXIT} or {one_of(step_ids)}", to)
    p = value.get("p", MISSING)
    if p is not MISSING:
        fields.number(ctx.at("p"), p, 0.0, high=1.0)
    outcome = _outcome(ctx, value, to)
    delay, returned = _hand_over(ctx, value, to)
    reenter = _reentry(ctx, value, to, step_ids)
    if ctx.count > before:
        return None
    return Route(to, float(p), outcome, delay, returned, reenter)


def _outcome(ctx: Ctx, value: dict[str, Any], to: Any) -> str | None:
    outcome = value.get("outcome")
    if outcome is None:
        return None
    if to != EXIT:
        ctx.at("outcome").fail("an outcome belongs on a route to exit", f'to = "{EXIT}"', to)
        return None
    return fields.label(ctx.at("outcome"), outcome)


def _hand_over(ctx: Ctx, value: dict[str, Any], to: Any) -> tuple[Any, float]:
    """The koppelvlak of a route to another step: its delay and the share sent back."""
    for key in ("delay", "returned"):
        if key in value and to == EXIT:
            ctx.at(key).fail(f"{key} belongs on a hand-over to a step, not on leaving the chain",
                             'a route with to = "<step id>"', Text(f'to = "{EXIT}"'))
    if to == EXIT:
        return None, 0.0
    delay = fields.get(ctx, value, "delay", fields.duration)
    returned = fields.get(ctx, value, "returned",
                          lambda c, v: fields.number(c, v, 0.0, high=1.0, below=True), 0.0)
    return delay, returned if returned is not None else 0.0


def _reentry(ctx: Ctx, value: dict[str, Any], to: Any,
             step_ids: Collection[str]) -> Reentry | None:
    """Herinstroom after leaving: only a case that leaves the chain can come back."""
    if "reenter" not in value:
        return None
    where = ctx.at("reenter")
    if to != EXIT:
        where.fail("reenter belongs on a route to exit (cases come back after leaving)",
                   f'to = "{EXIT}"', to)
        return None
    data = value["reenter"]
    before = where.count
    if not fields.table(where, data, REENTRY_KEYS, ()):
        return None
    p = fields.get(where, data, "p", lambda c, v: fields.number(c, v, 0.0, high=1.0))
    target = fields.get(where, data, "to", fields.reference("step", tuple(step_ids)))
    after = fields.get(where, data, "after", fields.duration)
    if where.count > before:
        return None
    return Reentry(p, target, after)
