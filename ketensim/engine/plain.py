"""Which chains the exact fast path can compute, and the moments fixed before any case arrives.

A chain is plain when every step is one FIFO queue in front of servers that
follow no calendar or pool and no step turns, holds back, diverts or rejects
a case; routes carry no delay, rework or re-entry and never loop back. Then
the order in which cases meet a step follows from their moments alone, and
:mod:`ketensim.engine.fastpath` can compute them without an event list.
"""

from __future__ import annotations

from ketensim.scenario.model import Route, Scenario, Step


class Tie(Exception):
    """Two moments coincide where only the event list knows their order: simulate instead."""


# -- which chains are plain ------------------------------------------------------------


def plain_reason(scenario: Scenario) -> str | None:
    """Why the fast path cannot run ``scenario`` exactly, or None when it can."""
    for step in scenario.steps:
        found = _step_reason(step)
        if found:
            return f"step {step.id}: {found}"
    if scenario.pools or scenario.policies or scenario.calendars:
        return "staff pools, steering policies or calendars"
    for ev in scenario.events:
        for ch in ev.changes:
            if ch.kind not in ("step", "arrival") or ch.attribute == "service":
                return f"event {ch.key}"
            if ch.attribute == "routes" and any(not _plain_route(r) for r in ch.value or ()):
                return f"event {ch.key}"
    if topological_order(scenario) is None:
        return "routes that loop back"
    return None


def _step_reason(step: Step) -> str | None:
    mechanisms = {"case-type rules": step.types, "a finite buffer": step.queue_limit,
                  "a deadline": step.deadline,
                  "sessions": step.sessions, "a calendar": step.calendar, "a pool": step.pool,
                  "failure demand": step.failure_demand}
    for name, present in mechanisms.items():
        if present:
            return name
    if any(not _plain_route(r) for r in step.routes):
        return "a route with a delay, rework or re-entry"
    return None


def _plain_route(route: Route) -> bool:
    return route.delay is None and not route.returned and route.reenter is None


def topological_order(scenario: Scenario) -> list[str] | None:
    """Steps so that every step comes after all steps that can send it work; None on a loop."""
    targets: dict[str, set[str]] = {s.id: set() for s in scenario.steps}
    for s in scenario.steps:
        targets[s.id].update(r.to for r in s.routes if not r.is_exit)
    for ev in scenario.events:
        for ch in ev.changes:
            if ch.attribute == "routes" and ch.kind == "step":
                targets[ch.target].update(r.to for r in ch.value or () if not r.is_exit)
    indegree = dict.fromkeys(targets, 0)
    for outs in targets.values():
        for t in outs:
            indegree[t] += 1
    ready = [sid for sid in scenario.step_ids if indegree[sid] == 0]
    order: list[str] = []
    while ready:
        sid = ready.pop(0)
        order.append(sid)
        for t in sorted(targets[sid], key=scenario.step_ids.index):
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    return order if len(order) == len(targets) else None


def wakes(moments: list[float]) -> list[float]:
    """The moments a SimPy process reaches when it sleeps ``t - now`` each time, from 0."""
    now = 0.0
    out = []
    for t in moments:
        if t > now:
            now = now + (t - now)
        out.append(now)
    return out
