"""Events and their changes: ``set = { "step.<id>.capacity" = ..., ... }``.

The same parser serves an event's ``set`` and a sweep's ``--set KEY=VALUE``,
so a key that works in one works in the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ketensim.errors import Problem, ScenarioError
from ketensim.scenario.distributions import Distribution
from ketensim.scenario.model import Change, Event, Scenario
from ketensim.scenario.schema import fields
from ketensim.scenario.schema import routes as schema_routes
from ketensim.scenario.schema.fields import Ctx, one_of

CHANGE_KEYS = ("step.<id>.capacity | step.<id>.service | step.<id>.routes | arrival.<id>.rate"
               " | pool.<id>.capacity")
_ATTRIBUTES = {"step": ("capacity", "service", "routes"), "arrival": ("rate",),
               "pool": ("capacity",)}


@dataclass(frozen=True)
class Refs:
    """The ids a change may refer to, and what it needs to know of them."""

    partners: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    arrivals: tuple[str, ...] = ()
    services: dict[str, Distribution] = field(default_factory=dict)
    pools: tuple[str, ...] = ()
    replayed: tuple[str, ...] = ()  # arrivals that replay moments and have no rate

    def known(self, kind: str) -> tuple[str, ...]:
        return {"step": self.steps, "arrival": self.arrivals, "pool": self.pools}[kind]


def refs_of(scenario: Scenario) -> Refs:
    """The references of an already validated scenario (for ``sweep --set``)."""
    return Refs(
        tuple(p.id for p in scenario.partners), scenario.step_ids,
        tuple(a.id for a in scenario.arrivals), {s.id: s.service for s in scenario.steps},
        tuple(p.id for p in scenario.pools),
        tuple(a.id for a in scenario.arrivals if a.times is not None),
    )


def parse_change(
    key: str, value: Any, scenario: Scenario, file: str, folder: Path | None = None
) -> Change:
    """Parse one ``KEY = value`` change, as in an event's ``set`` or ``sweep --set``.

    Besides the contract keys, ``step.<id>.service.<param>`` replaces one
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
    change = _change(ctx, key, value, refs_of(scenario))
    if sink or change is None:
        raise ScenarioError(sink)
    return change


def event(ctx: Ctx, data: Any, refs: Refs, horizon: float | None) -> Event | None:
    """One ``[[event]]`` table, or None when anything in it is wrong."""
    before = ctx.count
    if not fields.table(ctx, data, ("at", "set"), ("label",)):
        return None
    at = fields.get(ctx, data, "at", lambda c, v: fields.number(c, v, 0.0))
    if at is not None and horizon is not None and at > horizon:
        ctx.at("at").fail("comes after the horizon, so it never happens",
                          f"a time in [0, {horizon:g}]", data["at"])
    changes = fields.get(ctx, data, "set", lambda c, v: _changes(c, v, refs))
    label = fields.get(ctx, data, "label", fields.text)
    if ctx.count > before:
        return None
    return Event(at, changes, label)


def _changes(ctx: Ctx, value: Any, refs: Refs) -> tuple[Change, ...] | None:
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


def _change(ctx: Ctx, key: str, value: Any, refs: Refs) -> Change | None:
    parts = _split_key(key)
    if parts is None:
        ctx.fail("unknown key", CHANGE_KEYS, key)
        return None
    kind, target, attribute, param = parts
    known = refs.known(kind)
    if target not in known:
        ctx.fail(f"no {kind} with this id", one_of(known), target)
        return None
    if kind == "arrival" and target in refs.replayed:
        ctx.fail("a replayed arrival (times or file) has no rate to change",
                 "an arrival with a rate", target)
        return None
    parsed = _value(ctx, attribute, param, value, refs.services.get(target), refs)
    return None if parsed is None else Change(key, kind, target, attribute, parsed)


def _value(ctx: Ctx, attribute: str, param: str | None, value: Any,
           service: Distribution | None, refs: Refs) -> Any:
    if attribute == "capacity":
        return fields.integer(ctx, value, 0)
    if attribute == "rate":
        return fields.number(ctx, value, 0.0)
    if attribute == "routes":
        return schema_routes.routes(ctx, value, refs.steps)
    if param is None:
        return fields.distribution(ctx, value)
    return None if service is None else fields.with_parameter(ctx, service, param, value)
