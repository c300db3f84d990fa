"""From the raw tables of a scenario file to the validated, frozen model.

The schema is strict on purpose: an unknown key is an error, never ignored,
because a misspelt ``capacty`` that silently falls back to a default gives a
wrong answer that looks right. It also collects every problem before raising,
each naming the file it sits in and its key path, so one ``ketensim check``
shows everything to fix. Entries carry the file they came from, so that a
mistake inherited through ``extends`` is reported against the base file.

This module walks the file and ties the parts together; the checks of the
mechanisms of real chains live beside it (``schema_mechanisms`` for step keys,
``schema_inflow`` for arrivals, ``schema_chain`` for calendars, pools,
policies and bands, ``schema_events`` for events, ``schema_routes`` for routes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ketensim import (
    fields,
    loops,
    schema_analysis,
    schema_chain,
    schema_events,
    schema_inflow,
    schema_mechanisms,
    schema_routes,
)
from ketensim.errors import Problem, ScenarioError, type_name
from ketensim.fields import MISSING, Ctx, Text, key_part, one_of
from ketensim.model import (
    EXIT,
    TIME_UNITS,
    Arrival,
    CostSettings,
    Event,
    Partner,
    Pool,
    Scenario,
    Step,
)
from ketensim.schema_events import CHANGE_KEYS, Refs, parse_change
from ketensim.schema_mechanisms import StepRefs

ENTRY_KINDS = ("partner", "step", "arrival", "event", "calendar", "pool", "policy", "band",
               "norm")
KEYED = {"partner": "id", "step": "id", "arrival": "id", "calendar": "id", "pool": "id",
         "band": "name", "norm": "id"}  # the key each kind is known (and replaced through
# extends) by
TABLES = ("scenario", "costs")  # top-level tables whose keys a child file overrides one by one
REQUIRED_KINDS = ("partner", "step", "arrival")
SCENARIO_REQUIRED = ("name", "horizon")
SCENARIO_OPTIONAL = ("title", "description", "time_unit", "warmup", "replications", "seed")
STEP_REQUIRED = ("partner", "service")
STEP_OPTIONAL = ("id", "name", "capacity", "routes", *schema_mechanisms.STEP_KEYS,
                 *schema_analysis.STEP_COST_KEYS)
_SLUG = re.compile(r"[a-z0-9-]+")

__all__ = ["CHANGE_KEYS", "Entry", "Origin", "RawScenario", "build", "parse_change", "split"]


@dataclass(frozen=True)
class Origin:
    """The file an entry was written in, as shown in messages, and its folder for data files."""

    file: str
    folder: Path


@dataclass(frozen=True)
class Entry:
    """One ``[[partner]]``, ``[[step]]``, ``[[event]]``, ... table as written.

    ``index`` is its position in its own file, so that a message points at the
    table the reader can find there.
    """

    origin: Origin
    index: int
    data: Any

    @property
    def ident(self) -> str | None:
        """The entry's id when it has a usable one (``extends`` replaces entries by it)."""
        return self.named("id")

    def named(self, key: str) -> str | None:
        """The entry's ``key`` (``id``, or ``name`` for a band) when it is a usable string."""
        ident = self.data.get(key) if isinstance(self.data, dict) else None
        return ident if isinstance(ident, str) and ident else None

    def ctx(self, sink: list[Problem], path: str) -> Ctx:
        """Where the entry sits, for a message: its own file and ``path``."""
        return Ctx(sink, self.origin.file, self.origin.folder, path)


@dataclass
class RawScenario:
    """A scenario file (merged with what it extends) before validation."""

    top: Origin
    scenario: dict[str, tuple[Origin, Any]] = field(default_factory=dict)
    entries: dict[str, list[Entry]] = field(default_factory=lambda: {k: [] for k in ENTRY_KINDS})
    problems: list[Problem] = field(default_factory=list)
    costs: dict[str, tuple[Origin, Any]] | None = None  # None: no [costs] table anywhere


@dataclass(frozen=True)
class _Listed:
    ctx: Ctx
    data: Any
    ident: str | None  # the usable, unique id (or band name); None otherwise

    @property
    def ok(self) -> bool:
        return self.ident is not None


def split(doc: dict[str, Any], origin: Origin) -> RawScenario:
    """Sort one file's top-level tables into a RawScenario, reporting unknown top-level keys."""
    raw = RawScenario(top=origin)
    ctx = Ctx(raw.problems, origin.file, origin.folder, "")
    for name, value in doc.items():
        if name == "scenario" and isinstance(value, dict):
            raw.scenario = {k: (origin, v) for k, v in value.items()}
        elif name == "costs" and isinstance(value, dict):
            raw.costs = {k: (origin, v) for k, v in value.items()}
        elif name in ENTRY_KINDS and isinstance(value, list):
            raw.entries[name] = [Entry(origin, i, v) for i, v in enumerate(value)]
        elif name in TABLES or name in ENTRY_KINDS:
            shape = f"a [{name}] table" if name in TABLES else f"[[{name}]] tables"
            ctx.at(name).fail("wrong shape", shape, Text(type_name(value)))
        else:
            expected = ", ".join((*TABLES, *ENTRY_KINDS))
            ctx.at(name).fail("unknown top-level key", expected, Text(key_part(name)))
    return raw


def build(raw: RawScenario, source: str | None = None) -> Scenario:
    """Validate a raw scenario whole and return the frozen model.

    Raises:
        ScenarioError: holding every problem found, part by part in file order.
    """
    sink = list(raw.problems)
    top = Ctx(sink, raw.top.file, raw.top.folder, "")
    settings = _settings(sink, raw)
    listed = {kind: _identify(top, kind, raw.entries[kind]) for kind in KEYED}
    ids = {kind: tuple(i.ident for i in items if i.ident) for kind, items in listed.items()}
    calendars = [schema_chain.calendar(i.ctx, i.data, i.ident) for i in listed["calendar"]]
    partners = [_partner(item, ids["calendar"]) for item in listed["partner"]]
    pools, pooled = _pools(listed, ids)
    steps = [_step(item, ids, pooled) for item in listed["step"]]
    arrivals = [_arrival(item, ids["step"]) for item in listed["arrival"]]
    replayed = tuple(i.ident for i in listed["arrival"]
                     if i.ident and schema_inflow.is_replayed(i.data))
    refs = Refs(ids["partner"], ids["step"], ids["arrival"],
                {s.id: s.service for s in steps if s is not None}, ids["pool"], replayed)
    horizon = settings.get("horizon")
    events = [_event(sink, e, refs, horizon) for e in raw.entries["event"]]
    policies = _policies(sink, raw.entries["policy"], ids["step"])
    bands = [schema_chain.band(i.ctx, i.data, i.ident) for i in listed["band"]]
    window = _window(settings)
    norms = [schema_analysis.norm(i.ctx, i.data, i.ident, ids["step"], window)
             for i in listed["norm"]]
    costs = _costs(sink, raw)
    if None not in steps and None not in arrivals:
        _chain_checks(listed["step"], steps, arrivals,  # type: ignore[arg-type]
                      _timed(sink, events, raw.entries["event"]))
    if sink:
        raise ScenarioError(sink)
    ordered = sorted((e for e in events if e is not None), key=lambda e: e.at)
    return Scenario(
        partners=tuple(partners), steps=tuple(steps), arrivals=tuple(arrivals),  # type: ignore[arg-type]
        events=tuple(ordered), calendars=tuple(calendars), pools=tuple(pools),  # type: ignore[arg-type]
        policies=tuple(policies), bands=tuple(bands),  # type: ignore[arg-type]
        norms=tuple(norms), costs=costs,  # type: ignore[arg-type]
        source=source if source is not None else raw.top.file, **settings,
    )


def _chain_checks(listed: list[_Listed], steps: list[Step], arrivals: list[Arrival],
                  timed: list[tuple[Event, Ctx]]) -> None:
    """Checks over the whole chain: case types that nothing brings, and routing without exit."""
    at = {item.ident: item.ctx for item in listed if item.ident}
    schema_mechanisms.check_case_types({s: c.at("types") for s, c in at.items()}, steps, arrivals)
    where: dict[tuple[str, str | None], Ctx] = {(s, None): c.at("routes") for s, c in at.items()}
    for s in steps:
        for rule in s.types:
            where[(s.id, rule.case_type)] = at[s.id].at("types").at(rule.case_type).at("routes")
    loops.report(where, {s.id: s.routes for s in steps}, loops.flows(steps, arrivals), timed,
                 loops.diverts(steps))


# -- [scenario] -------------------------------------------------------------------


def _settings(sink: list[Problem], raw: RawScenario) -> dict[str, Any]:
    def ctx(key: str) -> Ctx:
        origin = raw.scenario[key][0] if key in raw.scenario else raw.top
        return Ctx(sink, origin.file, origin.folder, f"scenario.{key_part(key)}")

    allowed = SCENARIO_REQUIRED + SCENARIO_OPTIONAL
    for key in raw.scenario:
        if key not in allowed:
            ctx(key).fail("unknown key", one_of(allowed), Text(key_part(key)))
    for key in SCENARIO_REQUIRED:
        if key not in raw.scenario:
            ctx(key).fail("missing required key", "a value", None)
    checks: dict[str, Callable[[Ctx, Any], Any]] = {
        "name": _slug,
        "title": fields.text,
        "description": fields.text,
        "time_unit": _time_unit,
        "horizon": lambda c, v: fields.number(c, v, 0.0, above=True),
        "warmup": lambda c, v: fields.number(c, v, 0.0),
        "replications": lambda c, v: fields.integer(c, v, 1),
        "seed": lambda c, v: fields.integer(c, v, 0),
    }
    out = {}
    for key, check in checks.items():
        if key in raw.scenario and (value := check(ctx(key), raw.scenario[key][1])) is not None:
            out[key] = value
    if "warmup" in out and "horizon" in out and out["warmup"] >= out["horizon"]:
        expected = f"a number in [0, {out['horizon']:g})"
        ctx("warmup").fail("must be shorter than the horizon", expected, raw.scenario["warmup"][1])
    return out


def _window(settings: dict[str, Any]) -> float | None:
    """``horizon - warmup`` when the horizon is valid (the time norms are judged over)."""
    if "horizon" not in settings:
        return None
    return settings["horizon"] - settings.get("warmup", 0.0)


def _costs(sink: list[Problem], raw: RawScenario) -> CostSettings | None:
    """The ``[costs]`` settings, each key checked in the file it was written in (``extends``)."""
    if raw.costs is None:
        return None
    before = len(sink)
    settings = CostSettings()
    for key, (origin, value) in raw.costs.items():
        one = schema_analysis.costs(Ctx(sink, origin.file, origin.folder, "costs"), {key: value})
        if one is not None:
            settings = replace(settings, **{key: getattr(one, key)})
    return settings if len(sink) == before else None


def _slug(ctx: Ctx, value: Any) -> str | None:
    name = fields.text(ctx, value, "a slug of a-z, 0-9 and -")
    if name is not None and not _SLUG.fullmatch(name):
        ctx.fail("must be a slug (it names the results folder)", "a slug of a-z, 0-9 and -", name)
        return None
    return name


def _time_unit(ctx: Ctx, value: Any) -> str | None:
    if value not in TIME_UNITS or not isinstance(value, str):
        ctx.fail("unknown time unit", " | ".join(TIME_UNITS), value)
        return None
    return value


# -- entries with an id ----------------------------------------------------------


def _identify(top: Ctx, kind: str, entries: list[Entry]) -> list[_Listed]:
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
            out.append(_Listed(ctx, {}, None))
            continue
        ident = entry.data.get(key, MISSING)
        ok = _check_id(ctx.at(key), kind, ident, seen)
        if ok:
            seen.add(ident)
            ctx = replace(ctx, path=f"{kind}.{key_part(ident)}")
        out.append(_Listed(ctx, entry.data, ident if ok else None))
    return out


def _check_id(ctx: Ctx, kind: str, ident: Any, seen: set[str]) -> bool:
    what = "a name for this band" if kind == "band" else f"an id for this {kind}"
    if ident is MISSING:
        ctx.fail("missing required key", what, None)
    elif fields.text(ctx, ident, what) is None:
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


def _partner(item: _Listed, calendars: tuple[str, ...]) -> Partner | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, (), ("id", "name", "calendar", *schema_analysis.PARTNER_COST_KEYS))
    name = fields.get(ctx, data, "name", fields.text)
    calendar = fields.get(ctx, data, "calendar", fields.reference("calendar", calendars))
    rates = schema_analysis.cost_rates(ctx, data, schema_analysis.PARTNER_COST_KEYS)
    if item.ident is None or ctx.count > before:
        return None
    return Partner(item.ident, name, calendar, **rates)


def _pools(listed: dict[str, list[_Listed]], ids: dict[str, tuple[str, ...]]
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


def _step(item: _Listed, ids: dict[str, tuple[str, ...]],
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


def _arrival(item: _Listed, steps: tuple[str, ...]) -> Arrival | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, ("to",), ("id", "case_type", *schema_inflow.ARRIVAL_KEYS))
    to = fields.get(ctx, data, "to", fields.reference("step", steps))
    case_type = fields.get(ctx, data, "case_type", fields.text)
    found = schema_inflow.inflow(ctx, data, case_type)
    if item.ident is None or ctx.count > before or found is None:
        return None
    if case_type is not None:
        found["case_type"] = case_type
    return Arrival(item.ident, to, **found)


# -- events and policies ------------------------------------------------------------


def _event(sink: list[Problem], entry: Entry, refs: Refs,
                        horizon: float | None) -> Event | None:
    """One ``[[event]]``, named by its position in its own file."""
    return schema_events.event(entry.ctx(sink, f"event[{entry.index}]"), entry.data, refs,
                               horizon)


def _timed(sink: list[Problem], events: list[Event | None],
           entries: list[Entry]) -> list[tuple[Event, Ctx]]:
    """The valid events in time order (stable), each with where it sits in its file."""
    pairs = [(ev, e.ctx(sink, f"event[{e.index}]")) for ev, e in zip(events, entries, strict=True)
             if ev]
    return sorted(pairs, key=lambda pair: pair[0].at)


def _policies(sink: list[Problem], entries: Iterable[Entry], steps: tuple[str, ...]) -> list[Any]:
    found = [(ctx, schema_chain.policy(ctx, e.data, steps))
             for e in entries for ctx in [e.ctx(sink, f"policy[{e.index}]")]]
    schema_chain.check_policies(found)
    return [pol for _, pol in found]
