"""Closed loops in a routing: steps that cases can reach but never leave the chain from.

Pure graph work on step ids, kept apart from the schema so that other checks
(and tests) can ask the same question of any routing.
"""

from __future__ import annotations

from collections.abc import Iterable

from ketensim.fields import Ctx, Text
from ketensim.model import EXIT, Event, Route


def report(
    routes_ctx: dict[str, Ctx],
    routes: dict[str, tuple[Route, ...]],
    starts: list[str],
    timed: list[tuple[Event, Ctx]],
) -> None:
    """Report routing in which cases can never leave: as loaded, and after each event.

    Args:
        routes_ctx: per step id, where its ``routes`` key sits.
        routes: per step id, its routes as loaded.
        starts: the steps arrivals send cases to.
        timed: the events in time order, each with where it sits.
    """
    routes = dict(routes)
    reported: set[tuple[str, ...]] = set()
    stuck = closed_loop(routes, starts)
    if stuck:
        reported.add(stuck)
        _problem(routes_ctx[blame(routes, stuck)], stuck)
    for event, ctx in timed:
        changed = [c for c in event.changes if c.attribute == "routes"]
        routes.update({c.target: c.value for c in changed})
        stuck = closed_loop(routes, starts) if changed else ()
        if stuck and stuck not in reported:
            reported.add(stuck)
            blamed = next((c for c in changed if c.target in stuck), changed[0])
            _problem(ctx.at("set").at(blamed.key), stuck)


def _problem(ctx: Ctx, stuck: Iterable[str]) -> None:
    ctx.fail("cases that reach this step can never leave the chain",
             f"a path with p > 0 to {EXIT}", Text("a closed loop through " + ", ".join(stuck)))


def closed_loop(routes: dict[str, tuple[Route, ...]], starts: Iterable[str]) -> tuple[str, ...]:
    """The steps that cases can reach from an arrival but never leave the chain from.

    Such cases would circulate for ever; a route with ``p = 0`` is no way out.
    ``routes`` maps each step id to its routes (empty: leave with outcome "done").
    """
    succ = _successors(routes)
    pred: dict[str, list[str]] = {}
    for step_id, targets in succ.items():
        for target in targets:
            pred.setdefault(target, []).append(step_id)
    can_leave = _reachable(pred, [s for s, targets in succ.items() if EXIT in targets])
    reach = _reachable(succ, starts)
    return tuple(s for s in routes if s in reach and s not in can_leave)


def _successors(routes: dict[str, tuple[Route, ...]]) -> dict[str, list[str]]:
    return {s: [r.to for r in (rs or (Route(EXIT, 1.0),)) if r.p > 0] for s, rs in routes.items()}


def _reachable(graph: dict[str, list[str]], starts: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        node = todo.pop()
        if node != EXIT and node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def blame(routes: dict[str, tuple[Route, ...]], stuck: tuple[str, ...]) -> str:
    """The first stuck step that lies on the loop itself, rather than leads into it."""
    succ = _successors(routes)
    return next((s for s in stuck if s in _reachable(succ, succ[s])), stuck[0])
