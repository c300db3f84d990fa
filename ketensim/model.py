"""The validated chain model: frozen data, built whole by the schema.

A scenario never changes once loaded. Interventions, sweeps and comparisons
make new objects (``Scenario.apply``), so a run can never leak a change into
another run that shares the same loaded file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any

from ketensim.distributions import Distribution

TIME_UNITS = ("hour", "day", "week")
EXIT = "exit"
DEFAULT_OUTCOME = "done"
DEFAULT_CASE_TYPE = "case"


@dataclass(frozen=True)
class Route:
    """Where a case goes after a step, with probability ``p``."""

    to: str
    p: float
    outcome: str | None = None

    @property
    def is_exit(self) -> bool:
        return self.to == EXIT

    @property
    def exit_outcome(self) -> str:
        """The outcome a case leaves with on this route (only meaningful for exits)."""
        return self.outcome if self.outcome is not None else DEFAULT_OUTCOME


@dataclass(frozen=True)
class Partner:
    """A ketenpartner: an organisation that owns one or more steps."""

    id: str
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Step:
    """A schakel: one processing step with its own server pool and FIFO queue."""

    id: str
    partner: str
    capacity: int
    service: Distribution
    routes: tuple[Route, ...] = ()
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def effective_routes(self) -> tuple[Route, ...]:
        """Routes with the contract's default: no routes means leaving with outcome "done"."""
        return self.routes or (Route(EXIT, 1.0),)


@dataclass(frozen=True)
class Arrival:
    """A source of new cases entering the chain at one step.

    Poisson with ``rate`` per time unit, or, when ``times`` is given, exactly
    at those moments (replayed history, or a hand-traced test).
    """

    id: str
    to: str
    rate: float
    case_type: str = DEFAULT_CASE_TYPE
    times: tuple[float, ...] | None = None  # replayed arrival moments instead of Poisson


@dataclass(frozen=True)
class Change:
    """One ``set`` entry of an event, already parsed: e.g. step ``om`` attribute ``capacity``."""

    key: str  # as written: "step.om.capacity"
    kind: str  # "step" | "arrival"
    target: str
    attribute: str  # "capacity" | "service" | "routes" | "rate"
    value: Any


@dataclass(frozen=True)
class Event:
    """An intervention replayed at simulated time ``at``."""

    at: float
    changes: tuple[Change, ...]
    label: str | None = None

    @property
    def title(self) -> str:
        """What to write beside the event's line in a picture."""
        if self.label:
            return self.label
        return ", ".join(c.key for c in self.changes)


@dataclass(frozen=True)
class Scenario:
    """One chain model or variant, validated whole."""

    name: str
    horizon: float
    partners: tuple[Partner, ...]
    steps: tuple[Step, ...]
    arrivals: tuple[Arrival, ...]
    events: tuple[Event, ...] = ()
    title: str | None = None
    description: str | None = None
    time_unit: str = "day"
    warmup: float = 0.0
    replications: int = 1
    seed: int = 0
    source: str | None = field(default=None, compare=False)

    # -- look-ups -----------------------------------------------------------
    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def partner(self, partner_id: str) -> Partner:
        for p in self.partners:
            if p.id == partner_id:
                return p
        raise KeyError(partner_id)

    def arrival(self, arrival_id: str) -> Arrival:
        for a in self.arrivals:
            if a.id == arrival_id:
                return a
        raise KeyError(arrival_id)

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Every outcome a case can leave with, in order of first mention (events included)."""
        seen: dict[str, None] = {}
        route_sets = [s.effective_routes for s in self.steps]
        for ev in self.events:
            for ch in ev.changes:
                if ch.attribute == "routes":
                    route_sets.append(ch.value or (Route(EXIT, 1.0),))
        for routes in route_sets:
            for r in routes:
                if r.is_exit:
                    seen.setdefault(r.exit_outcome, None)
        return tuple(seen)

    # -- variants -----------------------------------------------------------
    def apply(self, changes: tuple[Change, ...] | list[Change]) -> Scenario:
        """A new scenario with ``changes`` made from the start (sweeps, phases of ``check``)."""
        steps = {s.id: s for s in self.steps}
        arrivals = {a.id: a for a in self.arrivals}
        for ch in changes:
            if ch.kind == "step":
                steps[ch.target] = replace(steps[ch.target], **{ch.attribute: ch.value})
            elif ch.kind == "arrival":
                arrivals[ch.target] = replace(arrivals[ch.target], **{ch.attribute: ch.value})
            else:  # pragma: no cover - the schema admits no other kind
                raise ValueError(f"unknown change kind {ch.kind!r}")
        return replace(
            self,
            steps=tuple(steps[s.id] for s in self.steps),
            arrivals=tuple(arrivals[a.id] for a in self.arrivals),
        )

    def with_run_options(
        self, replications: int | None = None, seed: int | None = None
    ) -> Scenario:
        """The same scenario with the CLI's overrides of replications and seed."""
        return replace(
            self,
            replications=self.replications if replications is None else replications,
            seed=self.seed if seed is None else seed,
        )

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved scenario as plain data, for the manifest and the report."""
        return _plain(self)


def _plain(obj: Any) -> Any:
    if isinstance(obj, Distribution):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: _plain(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if getattr(obj, f.name) is not None
        }
    if isinstance(obj, tuple | list):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj
