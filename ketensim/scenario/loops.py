"""Closed loops in a routing: steps that cases can reach but never leave the chain from.

Pure graph work on step ids, kept apart from the schema so that other checks
(and tests) can ask the same question of any routing.

Cases of each type are followed on their own: a case type with its own
routes at a step (``types``) takes those there, and the step's routes
elsewhere. Besides routes, cases get to a step by being diverted to it when
another step is full, and by re-entering the chain after leaving it; both
make a step reachable, neither is a way out. A cycle of blocking buffers is
no closed loop as long as cases can leave it: whether it jams is for the
run to find (the engine reports a deadlock instead of hanging).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ketensim.scenario.model import EXIT, Arrival, Event, Route, Step
from ketensim.scenario.schema.fields import Ctx, Text

Routing = Mapping[str, tuple[Route, ...]]


@dataclass(frozen=True)
class Flow:
    """The cases of one type: where they enter the chain, and the routes only they take."""

    case_type: str
    starts: tuple[str, ...]
    own: Mapping[str, tuple[Route, ...]] = field(default_factory=dict)


def flows(steps: Sequence[Step], arrivals: Sequence[Arrival]) -> list[Flow]:
    """One flow per case type that enters the chain, by arrival, backlog or failure demand."""
    starts: dict[str, list[str]] = {}
    for a in arrivals:
        for case_type in dict.fromkeys(a.types or (a.case_type,)):
            starts.setdefault(case_type, []).append(a.to)
    for s in steps:
        if s.backlog is not None:
            for case_type in dict.fromkeys((s.backlog.case_type, *s.backlog.types)):
                starts.setdefault(case_type, []).append(s.id)
        if s.failure_demand is not None:
            starts.setdefault(s.failure_demand.case_type, []).append(s.failure_demand.to)
    own: dict[str, dict[str, tuple[Route, ...]]] = {}
    for s in steps:
        for rule in s.types:
            if rule.routes is not None:
                own.setdefault(rule.case_type, {})[s.id] = rule.routes
    return [Flow(t, tuple(dict.fromkeys(st)), own.get(t, {})) for t, st in starts.items()]


def diverts(steps: Iterable[Step]) -> dict[str, list[str]]:
    """Per step, where its cases go when it is full (a divert buffer)."""
    return {s.id: [s.queue_limit.divert_to] for s in steps
            if s.queue_limit is not None and s.queue_limit.divert_to is not None}


def report(
    where: Mapping[tuple[str, str | None], Ctx],
    routes: Routing,
    found: Sequence[Flow],
    timed: list[tuple[Event, Ctx]],
    divert: Mapping[str, list[str]] | None = None,
) -> None:
    """Report routing in which cases can never leave: as loaded, and after each event.

    Args:
        where: per (step id, None), where its ``routes`` key sits; per (step id,
            case type), where that type's ``routes`` sit.
        routes: per step id, its routes as loaded.
        found: the case types' flows through the chain.
        timed: the events in time order, each with where it sits.
        divert: per step id, where it diverts cases when full.
    """
    current = dict(routes)
    reported: set[tuple[str, ...]] = set()
    for flow, stuck, blamed in _stuck(current, found, divert, reported):
        key = (blamed, flow.case_type) if blamed in flow.own else (blamed, None)
        _problem(where[key], stuck)
    for event, ctx in timed:
        changed = [c for c in event.changes if c.attribute == "routes"]
        if not changed:
            continue
        current.update({c.target: c.value for c in changed})
        for _flow, stuck, _blamed in _stuck(current, found, divert, reported):
            culprit = next((c for c in changed if c.target in stuck), changed[0])
            _problem(ctx.at("set").at(culprit.key), stuck)


def _stuck(routes: Routing, found: Sequence[Flow], divert: Mapping[str, list[str]] | None,
           reported: set[tuple[str, ...]]) -> Iterator[tuple[Flow, tuple[str, ...], str]]:
    """Each new closed loop, with the flow that runs into it and the step to blame."""
    for flow in found:
        effective = {**routes, **flow.own}
        stuck = closed_loop(effective, flow.starts, divert)
        if stuck and stuck not in reported:
            reported.add(stuck)
            yield flow, stuck, blame(effective, stuck)


def _problem(ctx: Ctx, stuck: Iterable[str]) -> None:
    ctx.fail("cases that reach this step can never leave the chain",
             f"a path with p > 0 to {EXIT}", Text("a closed loop through " + ", ".join(stuck)))


def closed_loop(routes: Routing, starts: Iterable[str],
                divert: Mapping[str, list[str]] | None = None) -> tuple[str, ...]:
    """The steps that cases can reach from an arrival but never leave the chain from.

    Such cases would circulate for ever; a route with ``p = 0`` is no way out.
    ``routes`` maps each step id to its routes (empty: leave with outcome "done");
    ``divert`` maps a step to where it sends cases when full.
    """
    succ = _successors(routes)
    pred: dict[str, list[str]] = {}
    for step_id, targets in succ.items():
        for target in targets:
            pred.setdefault(target, []).append(step_id)
    can_leave = _reachable(pred, [s for s, targets in succ.items() if EXIT in targets])
    reach = _reachable(_onward(routes, succ, divert or {}), starts)
    return tuple(s for s in routes if s in reach and s not in can_leave)


def _successors(routes: Routing) -> dict[str, list[str]]:
    return {s: [r.to for r in (rs or (Route(EXIT, 1.0),)) if r.p > 0] for s, rs in routes.items()}


def _onward(routes: Routing, succ: dict[str, list[str]],
            divert: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Every way a case can get from one step to another: routes, diverting and re-entry."""
    out = {}
    for s, targets in succ.items():
        back = [r.reenter.to for r in routes[s] if r.p > 0 and r.reenter and r.reenter.p > 0]
        out[s] = [*targets, *divert.get(s, ()), *back]
    return out


def _reachable(graph: Mapping[str, list[str]], starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        node = todo.pop()
        if node != EXIT and node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def blame(routes: Routing, stuck: tuple[str, ...]) -> str:
    """The first stuck step that lies on the loop itself, rather than leads into it."""
    succ = _successors(routes)
    return next((s for s in stuck if s in _reachable(succ, succ[s])), stuck[0])
