"""From the raw tables of a scenario file to the validated, frozen model.

The schema is strict on purpose: an unknown key is an error, never ignored,
because a misspelt ``capacty`` that silently falls back to a default gives a
wrong answer that looks right. It also collects every problem before raising,
each naming the file it sits in and its key path, so one ``ketensim check``
shows everything to fix. Entries carry the file they came from, so that a
mistake inherited through ``extends`` is reported against the base file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ketensim import fields, loops
from ketensim.distributions import Distribution
from ketensim.errors import Problem, ScenarioError, type_name
from ketensim.fields import MISSING, Ctx, Text, key_part, one_of
from ketensim.model import (
    EXIT,
    TIME_UNITS,
    Arrival,
    Change,
    Event,
    Partner,
    Scenario,
    Step,
)

ENTRY_KINDS = ("partner", "step", "arrival", "event")
SCENARIO_REQUIRED = ("name", "horizon")
SCENARIO_OPTIONAL = ("title", "description", "time_unit", "warmup", "replications", "seed")
CHANGE_KEYS = "step.<id>.capacity | step.<id>.service | step.<id>.routes | arrival.<id>.rate"
_ATTRIBUTES = {"step": ("capacity", "service", "routes"), "arrival": ("rate",)}
_SLUG = re.compile(r"[a-z0-9-]+")


@dataclass(frozen=True)
class Origin:
    """The file an entry was written in, as shown in messages, and its folder for data files."""

    file: str
    folder: Path


@dataclass(frozen=True)
class Entry:
    """One ``[[partner]]``, ``[[step]]``, ``[[arrival]]`` or ``[[event]]`` table as written.

    ``index`` is its position in its own file, so that a message points at the
    table the reader can find there.
    """

    origin: Origin
    index: int
    data: Any

    @property
    def ident(self) -> str | None:
        """The entry's id when it has a usable one (``extends`` replaces entries by it)."""
        ident = self.data.get("id") if isinstance(self.data, dict) else None
        return ident if isinstance(ident, str) and ident else None


@dataclass
class RawScenario:
    """A scenario file (merged with what it extends) before validation."""

    top: Origin
    scenario: dict[str, tuple[Origin, Any]] = field(default_factory=dict)
    entries: dict[str, list[Entry]] = field(default_factory=lambda: {k: [] for k in ENTRY_KINDS})
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Refs:
    """The ids each kind of entry may refer to."""

    partners: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    arrivals: tuple[str, ...] = ()
    services: dict[str, Distribution] = field(default_factory=dict)


@dataclass(frozen=True)
class _Listed:
    ctx: Ctx
    data: Any
    ok: bool  # a table with a usable, unique id


def split(doc: dict[str, Any], origin: Origin) -> RawScenario:
    """Sort one file's top-level tables into a RawScenario, reporting unknown top-level keys."""
    raw = RawScenario(top=origin)
    ctx = Ctx(raw.problems, origin.file, origin.folder, "")
    for name, value in doc.items():
        if name == "scenario" and isinstance(value, dict):
            raw.scenario = {k: (origin, v) for k, v in value.items()}
        elif name in ENTRY_KINDS and isinstance(value, list):
            raw.entries[name] = [Entry(origin, i, v) for i, v in enumerate(value)]
        elif name == "scenario" or name in ENTRY_KINDS:
            shape = "a [scenario] table" if name == "scenario" else f"[[{name}]] tables"
            ctx.at(name).fail("wrong shape", shape, Text(type_name(value)))
        else:
            expected = "scenario, " + ", ".join(ENTRY_KINDS)
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
    listed = {"partner": _identify(top, "partner", raw.entries["partner"])}
    partners = [_partner(item) for item in listed["partner"]]
    listed["step"] = _identify(top, "step", raw.entries["step"])
    refs = _Refs(tuple(_ids(listed["partner"])), tuple(_ids(listed["step"])))
    steps = [_step(item, refs) for item in listed["step"]]
    listed["arrival"] = _identify(top, "arrival", raw.entries["arrival"])
    arrivals = [_arrival(item, refs) for item in listed["arrival"]]
    refs = replace(refs, arrivals=tuple(_ids(listed["arrival"])),
                   services={s.id: s.service for s in steps if s is not None})
    horizon = settings.get("horizon")
    events = [_event(_event_ctx(sink, e), e.data, refs, horizon) for e in raw.entries["event"]]
    if None not in steps and None not in arrivals:
        loops.report(
            {item.data["id"]: item.ctx.at("routes") for item in listed["step"] if item.ok},
            {s.id: s.routes for s in steps}, [a.to for a in arrivals],  # type: ignore[union-attr]
            _timed(sink, events, raw.entries["event"]),
        )
    if sink:
        raise ScenarioError(sink)
    ordered = sorted((e for e in events if e is not None), key=lambda e: e.at)
    return Scenario(
        partners=tuple(partners), steps=tuple(steps), arrivals=tuple(arrivals),  # type: ignore[arg-type]
        events=tuple(ordered), source=source if source is not None else raw.top.file, **settings,
    )


def parse_change(
    key: str, value: Any, scenario: Scenario, file: str, folder: Path | None = None
) -> Change:
    """Parse one ``KEY = value`` change, as in an event's ``set`` or ``sweep --set``.

    Besides the four contract keys, ``step.<id>.service.<param>`` replaces one
    parameter of the step's own distribution, so a sweep can vary a mean.

    Args:
        key: e.g. ``"step.om.capacity"``.
        value: the new value (a number for capacity, rate and service parameters).
        scenario: the scenario the change applies to; ids are checked against it.
        file: the name shown in messages (the scenario file, or the command line).
        folder: where relative data files are looked up; the file's folder by default.

    Raises:
        ScenarioError: when the key or the value is not acceptable.
    """
    sink: list[Problem] = []
    ctx = Ctx(sink, file, folder if folder is not None else Path(file).parent, key)
    refs = _Refs(
        tuple(p.id for p in scenario.partners), scenario.step_ids,
        tuple(a.id for a in scenario.arrivals), {s.id: s.service for s in scenario.steps},
    )
    change = _change(ctx, key, value, refs)
    if sink or change is None:
        raise ScenarioError(sink)
    return change


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


# -- entries with an id -----------------------------------------------------------


def _identify(top: Ctx, kind: str, entries: list[Entry]) -> list[_Listed]:
    """Give each entry its key path (by id where the id is usable) and check the ids."""
    if not entries:
        top.at(kind).fail(f"no [[{kind}]] given", f"at least one [[{kind}]] table", None)
    seen: set[str] = set()
    out = []
    for entry in entries:
        ctx = Ctx(top.sink, entry.origin.file, entry.origin.folder, f"{kind}[{entry.index}]")
        if not isinstance(entry.data, dict):
            ctx.fail("must be a table", f"a [[{kind}]] table", Text(type_name(entry.data)))
            out.append(_Listed(ctx, {}, False))
            continue
        ident = entry.data.get("id", MISSING)
        ok = _check_id(ctx.at("id"), kind, ident, seen)
        if ok:
            seen.add(ident)
            ctx = replace(ctx, path=f"{kind}.{key_part(ident)}")
        out.append(_Listed(ctx, entry.data, ok))
    return out


def _check_id(ctx: Ctx, kind: str, ident: Any, seen: set[str]) -> bool:
    if ident is MISSING:
        ctx.fail("missing required key", f"an id for this {kind}", None)
    elif fields.text(ctx, ident, f"an id for this {kind}") is None:
        pass
    elif kind == "step" and ident == EXIT:
        ctx.fail(f'"{EXIT}" is reserved for leaving the chain', "any other step id", ident)
    elif ident in seen:
        ctx.fail(f"duplicate {kind} id", f"an id no other {kind} uses", ident)
    else:
        return True
    return False


def _ids(listed: list[_Listed]) -> Iterator[str]:
    return (item.data["id"] for item in listed if item.ok)


def _get(ctx: Ctx, data: dict[str, Any], key: str, check: Callable[[Ctx, Any], Any],
         default: Any = None) -> Any:
    value = data.get(key, MISSING)
    return default if value is MISSING else check(ctx.at(key), value)


def _reference(what: str, known: tuple[str, ...]) -> Callable[[Ctx, Any], str | None]:
    def check(ctx: Ctx, value: Any) -> str | None:
        if not isinstance(value, str) or value not in known:
            ctx.fail(f"no {what} with this id", one_of(known), value)
            return None
        return value

    return check


def _partner(item: _Listed) -> Partner | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, (), ("id", "name"))
    name = _get(ctx, data, "name", fields.text)
    return Partner(data["id"], name) if item.ok and ctx.count == before else None


def _step(item: _Listed, refs: _Refs) -> Step | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, ("partner", "capacity", "service"), ("id", "name", "routes"))
    partner = _get(ctx, data, "partner", _reference("partner", refs.partners))
    capacity = _get(ctx, data, "capacity", lambda c, v: fields.integer(c, v, 1))
    service = _get(ctx, data, "service", fields.distribution)
    routes = _get(ctx, data, "routes", lambda c, v: fields.routes(c, v, refs.steps), ())
    name = _get(ctx, data, "name", fields.text)
    if not item.ok or ctx.count > before:
        return None
    return Step(data["id"], partner, capacity, service, routes, name=name)


def _arrival(item: _Listed, refs: _Refs) -> Arrival | None:
    ctx, data, before = item.ctx, item.data, item.ctx.count
    fields.table(ctx, data, ("to", "rate"), ("id", "case_type"))
    to = _get(ctx, data, "to", _reference("step", refs.steps))
    rate = _get(ctx, data, "rate", lambda c, v: fields.number(c, v, 0.0))
    case_type = _get(ctx, data, "case_type", fields.text)
    if not item.ok or ctx.count > before:
        return None
    if case_type is None:
        return Arrival(data["id"], to, rate)
    return Arrival(data["id"], to, rate, case_type)


# -- events and changes -------------------------------------------------------------


def _event_ctx(sink: list[Problem], entry: Entry) -> Ctx:
    return Ctx(sink, entry.origin.file, entry.origin.folder, f"event[{entry.index}]")


def _timed(sink: list[Problem], events: list[Event | None],
           entries: list[Entry]) -> list[tuple[Event, Ctx]]:
    """The valid events in time order (stable), each with where it sits in its file."""
    pairs = [(ev, _event_ctx(sink, e)) for ev, e in zip(events, entries, strict=True) if ev]
    return sorted(pairs, key=lambda pair: pair[0].at)


def _event(ctx: Ctx, data: Any, refs: _Refs, horizon: float | None) -> Event | None:
    before = ctx.count
    if not fields.table(ctx, data, ("at", "set"), ("label",)):
        return None
    at = _get(ctx, data, "at", lambda c, v: fields.number(c, v, 0.0))
    if at is not None and horizon is not None and at > horizon:
        ctx.at("at").fail("comes after the horizon, so it never happens",
                          f"a time in [0, {horizon:g}]", data["at"])
    changes = _get(ctx, data, "set", lambda c, v: _changes(c, v, refs))
    label = _get(ctx, data, "label", fields.text)
    if ctx.count > before:
        return None
    return Event(at, changes, label)


def _changes(ctx: Ctx, value: Any, refs: _Refs) -> tuple[Change, ...] | None:
    if not isinstance(value, dict):
        ctx.fail("must be a table", '{ "step.<id>.capacity" = ..., ... }', value)
        return None
    flat = list(_flatten(value))
    if not flat:
        ctx.fail("sets nothing", CHANGE_KEYS, value)
        return None
    keys = [key for key, _ in flat]
    for key in {k for k in keys if keys.count(k) > 1}:
        ctx.at(key).fail("set twice in one event (quoted and dotted)", "each key once", key)
    parsed = [_change(ctx.at(key), key, v, refs) for key, v in flat]
    if len(set(keys)) < len(keys) or any(c is None for c in parsed):
        return None
    return tuple(parsed)  # type: ignore[arg-type]


def _flatten(table: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Accept ``set = { step.om.capacity = 1 }`` (dotted, so nested) like its quoted form."""
    for key, value in table.items():
        if key in _ATTRIBUTES and isinstance(value, dict):
            for target, attrs in value.items():
                items = attrs.items() if isinstance(attrs, dict) else [("", attrs)]
                for attr, inner in items:
                    yield ".".join(p for p in (key, target, attr) if p), inner
        else:
            yield key, value


def _split_key(key: str) -> tuple[str, str, str, str | None] | None:
    kind, _, rest = key.partition(".")
    for attr in _ATTRIBUTES.get(kind, ()):
        if rest.endswith("." + attr) and len(rest) > len(attr) + 1:
            return kind, rest[: -len(attr) - 1], attr, None
    target, found, param = rest.rpartition(".service.")
    if kind == "step" and found and target and param:
        return kind, target, "service", param
    return None


def _change(ctx: Ctx, key: str, value: Any, refs: _Refs) -> Change | None:
    parts = _split_key(key)
    if parts is None:
        ctx.fail("unknown key", CHANGE_KEYS, key)
        return None
    kind, target, attribute, param = parts
    known = refs.steps if kind == "step" else refs.arrivals
    if target not in known:
        ctx.fail(f"no {kind} with this id", one_of(known), target)
        return None
    parsed = _change_value(ctx, attribute, param, value, refs.services.get(target), refs)
    return None if parsed is None else Change(key, kind, target, attribute, parsed)


def _change_value(ctx: Ctx, attribute: str, param: str | None, value: Any,
                  service: Distribution | None, refs: _Refs) -> Any:
    if attribute == "capacity":
        return fields.integer(ctx, value, 0)
    if attribute == "rate":
        return fields.number(ctx, value, 0.0)
    if attribute == "routes":
        return fields.routes(ctx, value, refs.steps)
    if param is None:
        return fields.distribution(ctx, value)
    return None if service is None else fields.with_parameter(ctx, service, param, value)
