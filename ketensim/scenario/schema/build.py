"""From the raw tables of a scenario file to the validated, frozen model.

The schema is strict on purpose: an unknown key is an error, never ignored,
because a misspelt ``capacty`` that silently falls back to a default gives a
wrong answer that looks right. It also collects every problem before raising,
each naming the file it sits in and its key path, so one ``ketensim check``
shows everything to fix. Entries carry the file they came from, so that a
mistake inherited through ``extends`` is reported against the base file.

This module ties the parts together; ``document`` sorts a file's tables,
``settings`` checks ``[scenario]`` and ``[costs]``, ``entries`` the tables
known by an id, and beside them ``mechanisms`` (step keys), ``inflow``
(arrivals), ``chain`` (calendars, pools, policies, bands), ``events`` and
``routes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ketensim.errors import Problem, ScenarioError
from ketensim.scenario import loops
from ketensim.scenario.model import Arrival, Event, Scenario, Step
from ketensim.scenario.schema import analysis as schema_analysis
from ketensim.scenario.schema import chain as schema_chain
from ketensim.scenario.schema import events as schema_events
from ketensim.scenario.schema import inflow as schema_inflow
from ketensim.scenario.schema import mechanisms as schema_mechanisms
from ketensim.scenario.schema.document import KEYED, Entry, Origin, RawScenario, split
from ketensim.scenario.schema.entries import Listed, arrival, identify, partner, pools, step
from ketensim.scenario.schema.events import CHANGE_KEYS, Refs, parse_change
from ketensim.scenario.schema.fields import Ctx
from ketensim.scenario.schema.settings import costs, settings, window

__all__ = ["CHANGE_KEYS", "KEYED", "Entry", "Origin", "RawScenario", "build", "parse_change",
           "split"]


def build(raw: RawScenario, source: str | None = None) -> Scenario:
    """Validate a raw scenario whole and return the frozen model.

    Raises:
        ScenarioError: holding every problem found, part by part in file order.
    """
    sink = list(raw.problems)
    top = Ctx(sink, raw.top.file, raw.top.folder, "", raw.top.root)
    found = settings(sink, raw)
    listed = {kind: identify(top, kind, raw.entries[kind]) for kind in KEYED}
    ids = {kind: tuple(i.ident for i in items if i.ident) for kind, items in listed.items()}
    calendars = [schema_chain.calendar(i.ctx, i.data, i.ident) for i in listed["calendar"]]
    partners = [partner(item, ids["calendar"]) for item in listed["partner"]]
    staff_pools, pooled = pools(listed, ids)
    steps = [step(item, ids, pooled) for item in listed["step"]]
    arrivals = [arrival(item, ids["step"]) for item in listed["arrival"]]
    replayed = tuple(i.ident for i in listed["arrival"]
                     if i.ident and schema_inflow.is_replayed(i.data))
    refs = Refs(ids["partner"], ids["step"], ids["arrival"],
                {s.id: s.service for s in steps if s is not None}, ids["pool"], replayed)
    horizon = found.get("horizon")
    events = [_event(sink, e, refs, horizon) for e in raw.entries["event"]]
    policies = _policies(sink, raw.entries["policy"], ids["step"])
    bands = [schema_chain.band(i.ctx, i.data, i.ident) for i in listed["band"]]
    uncertain = [schema_chain.uncertain(i.ctx, i.data, i.ident, ids) for i in listed["uncertain"]]
    measured = window(found)
    norms = [schema_analysis.norm(i.ctx, i.data, i.ident, ids["step"], measured)
             for i in listed["norm"]]
    cost_settings = costs(sink, raw)
    if None not in steps and None not in arrivals:
        _chain_checks(listed["step"], steps, arrivals,  # type: ignore[arg-type]
                      _timed(sink, events, raw.entries["event"]))
    if sink:
        raise ScenarioError(sink)
    ordered = sorted((e for e in events if e is not None), key=lambda e: e.at)
    return Scenario(
        partners=tuple(partners), steps=tuple(steps), arrivals=tuple(arrivals),  # type: ignore[arg-type]
        events=tuple(ordered), calendars=tuple(calendars), pools=tuple(staff_pools),  # type: ignore[arg-type]
        policies=tuple(policies), bands=tuple(bands),  # type: ignore[arg-type]
        uncertain=tuple(uncertain),  # type: ignore[arg-type]
        norms=tuple(norms), costs=cost_settings,  # type: ignore[arg-type]
        source=source if source is not None else raw.top.file, **found,
    )


def _chain_checks(listed: list[Listed], steps: list[Step], arrivals: list[Arrival],
                  timed: list[tuple[Event, Ctx]]) -> None:
    """Checks over the whole chain: case types that nothing brings, and routing without exit."""
    at = {item.ident: item.ctx for item in listed if item.ident}
    schema_mechanisms.check_case_types(at, steps, arrivals)
    where: dict[tuple[str, str | None], Ctx] = {(s, None): c.at("routes") for s, c in at.items()}
    for s in steps:
        for rule in s.types:
            where[(s.id, rule.case_type)] = at[s.id].at("types").at(rule.case_type).at("routes")
    loops.report(where, {s.id: s.routes for s in steps}, loops.flows(steps, arrivals), timed,
                 loops.diverts(steps))


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
