"""Entries known by an id: partners, pools, steps and arrivals, checked and built.

Each ``[[kind]]`` table gets its key path from its id where the id is
usable (``step.om``), else from its position (``step[3]``), so that every
message points at the table the reader can find. An entry with any
problem builds nothing (None): the validator raises with every problem
before a model is made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ketensim.errors import type_name
from ketensim.scenario.model import EXIT, Arrival, Partner, Pool, Step
from ketensim.scenario.schema import analysis as schema_analysis
from ketensim.scenario.schema import chain as schema_chain
from ketensim.scenario.schema import fields
from ketensim.scenario.schema import inflow as schema_inflow
from ketensim.scenario.schema import mechanisms as schema_mechanisms
from ketensim.scenario.schema import routes as schema_routes
from ketensim.scenario.schema.document import KEYED, Entry
from ketensim.scenario.schema.fields import MISSING, Ctx, Text, key_part
from ketensim.scenario.schema.mechanisms import StepRefs

REQUIRED_KINDS = ("partner", "step", "arrival")
STEP_REQUIRED = ("partner", "service")
STEP_OPTIONAL = ("id", "name", "capacity", "routes", *schema_mechanisms.STEP_KEYS,
                 *schema_analysis.STEP_COST_KEYS)


@dataclass(frozen=True)
class Listed:
    ctx: Ctx
    data: Any
    ident: str | None  # the usable, unique id (or band name); None otherwise

    @property
    def ok(self) -> bool:
        return self.ident is not None


def identify(top: Ctx, kind: str, entries: list[Entry]) -> list[Listed]:
    """Give each entry its key path (by id where the id is usable) and check the ids."""
    if not entries and kind in REQUIRED_KINDS:
        top.at(kind).fail(f"no [[{kind}]] given", f"at least one [[{kind}]] table", None)
    key = KEYED[kind]
    seen: set[str] = set()
    out = []
    for entry in entries:
        ctx = entry.ctx(top.sink, f"{kind}[{entry.index}]")
        if not isinstance(entry.data, dict):
            ctx.fail("must be a table", f"a [[{kind}]] table", Text(type_name(entry.data)))
            out.append(Listed(ctx, {}, None))
            continue
        ident = entry.data.get(key, MISSING)
        ok = _check_id(ctx.at(key), kind, ident, seen)
        if ok:
            seen.add(ident)
            ctx = replace(ctx, path=f"{kind}.{key_part(ident)}")
        out.append(Listed(ctx, entry.data, ident if ok else None))
    return out


def _check_id(ctx: Ctx, kind: str, ident: Any, seen: set[str]) -> bool:
    what = "a name for this band" if kind == "band" else f"an id for this {kind}"
    if ident is MISSING:
        ctx.fail("missing required key", what, None)
    elif fields.label(ctx, ident, what) is None:
        pass
    elif kind == "step" and ident == EXIT:
        ctx.fail(f'"{EXIT}" is reserved for leaving the chain', "any other step id", ident)
    elif ident in seen:
        article = "an" if KEYED[kind] == "id" else "a"
        ctx.fail(f"duplicate {kind} {KEYED[kind]}", f"{article} {KEYED[kind]} no other {kind} uses",
                 ident)
    else:
        return True
    return False


def partner(item: Listed, calendars: tuple[str, ...]) -> Partner | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, (), ("id", "name", "calendar", *schema_analysis.PARTNER_COST_KEYS))
    name = fields.get(ctx, data, "name", fields.text)
    calendar = fields.get(ctx, data, "calendar", fields.reference("calendar", calendars))
    rates = schema_analysis.cost_rates(ctx, data, schema_analysis.PARTNER_COST_KEYS)
    if item.ident is None or ctx.count > before:
        return None
    return Partner(item.ident, name, calendar, **rates)


def pools(listed: dict[str, list[Listed]], ids: dict[str, tuple[str, ...]]
           ) -> tuple[list[Pool | None], dict[str, tuple[str | None, int | None]]]:
    """The pools, and per member step its pool and the capacity it lends (None if unknown)."""
    owner = {i.ident: i.data.get("partner") for i in listed["step"] if i.ident}
    taken: dict[str, str] = {}
    pools = [schema_chain.pool(i.ctx, i.data, i.ident, ids["partner"], owner, taken)
             for i in listed["pool"]]
    pooled: dict[str, tuple[str | None, int | None]] = {}
    for item in listed["pool"]:  # an invalid pool still says which steps it meant to hold
        members = item.data.get("steps") if isinstance(item.data, dict) else None
        for step in members if isinstance(members, list) else ():
            if isinstance(step, str):
                pooled.setdefault(step, (None, None))
    for found in pools:
        if found is not None:
            pooled.update({step: (found.id, found.capacity) for step in found.steps})
    return pools, pooled


def step(item: Listed, ids: dict[str, tuple[str, ...]],
          pooled: dict[str, tuple[str | None, int | None]]) -> Step | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, STEP_REQUIRED, STEP_OPTIONAL)
    pool, lent = pooled.get(item.ident or "", (None, MISSING))
    partner = fields.get(ctx, data, "partner", fields.reference("partner", ids["partner"]))
    capacity = _capacity(ctx, data, lent)
    service = fields.get(ctx, data, "service", fields.distribution)
    routes = fields.get(ctx, data, "routes", lambda c, v: schema_routes.routes(c, v, ids["step"]),
                        ())
    name = fields.get(ctx, data, "name", fields.text)
    extra = schema_mechanisms.step_mechanisms(
        ctx, data, StepRefs(item.ident, ids["step"], ids["calendar"], capacity))
    # STEP_COST_KEYS are float fields of Step; a splat of a str-keyed dict cannot say so
    rates: dict[str, Any] = schema_analysis.cost_rates(ctx, data, schema_analysis.STEP_COST_KEYS)
    if extra is not None and "sessions" in extra and pool is not None:
        ctx.at("sessions").fail("a step with sessions cannot draw on a shared pool",
                                "sessions or a [[pool]], not both", Text(f'pool "{pool}"'))
    if item.ident is None or ctx.count > before or capacity is None or extra is None:
        return None
    return Step(item.ident, partner, capacity, service, routes, name=name, pool=pool, **extra,
                **rates)


def _capacity(ctx: Ctx, data: dict[str, Any], lent: Any) -> int | None:
    """The step's own capacity, or, in a pool, the pool's when the step sets none."""
    if "capacity" in data:
        return fields.integer(ctx.at("capacity"), data["capacity"], 1)
    if lent is MISSING:
        ctx.at("capacity").fail("missing required key",
                                "an integer >= 1 (or membership of a [[pool]])", None)
        return None
    return lent


def arrival(item: Listed, steps: tuple[str, ...]) -> Arrival | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, ("to",), ("id", "case_type", *schema_inflow.ARRIVAL_KEYS))
    to = fields.get(ctx, data, "to", fields.reference("step", steps))
    case_type = fields.get(ctx, data, "case_type", fields.label)
    found = schema_inflow.inflow(ctx, data, case_type)
    if item.ident is None or ctx.count > before or found is None:
        return None
    if case_type is not None:
        found["case_type"] = case_type
    return Arrival(item.ident, to, **found)
