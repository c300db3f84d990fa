"""Small scenario builders for tests that need no TOML file."""

from __future__ import annotations

from ketensim.scenario.distributions import Deterministic, Distribution, Exponential
from ketensim.scenario.model import Arrival, Change, Event, Partner, Route, Scenario, Step


def step(
    sid: str,
    capacity: int,
    service: Distribution | float,
    routes: tuple[Route, ...] | list[tuple] = (),
    partner: str = "p",
) -> Step:
    """A step; a float ``service`` is an exponential mean; routes as (to, p[, outcome])."""
    dist = Exponential(service) if isinstance(service, int | float) else service
    parsed = tuple(r if isinstance(r, Route) else Route(*r) for r in routes)
    return Step(sid, partner, capacity, dist, parsed)


def scenario(
    steps: list[Step],
    arrivals: list[Arrival],
    horizon: float,
    warmup: float = 0.0,
    events: list[Event] = (),  # type: ignore[assignment]
    name: str = "test",
) -> Scenario:
    partners = tuple(Partner(p) for p in dict.fromkeys(s.partner for s in steps))
    return Scenario(
        name=name, horizon=horizon, warmup=warmup, partners=partners,
        steps=tuple(steps), arrivals=tuple(arrivals), events=tuple(events),
    )


def poisson(to: str, rate: float, aid: str = "in") -> Arrival:
    return Arrival(aid, to, rate)


def replay(to: str, times: list[float], aid: str = "in") -> Arrival:
    return Arrival(aid, to, 0.0, times=tuple(times))


def det(mean: float) -> Deterministic:
    return Deterministic(mean)


def event(at: float, **changes: object) -> Event:
    """``event(5, s__capacity=1)`` sets step s's capacity; ``in__rate`` an arrival's rate."""
    parsed = []
    for key, value in changes.items():
        target, attribute = key.split("__")
        kind = "arrival" if attribute == "rate" else "step"
        parsed.append(Change(f"{kind}.{target}.{attribute}", kind, target, attribute, value))
    return Event(at, tuple(parsed))
