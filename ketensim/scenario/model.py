"""The validated chain model: frozen data, built whole by the schema.

The parts (partners, steps, routes, arrivals and their mechanisms) live in
:mod:`ketensim.scenario.parts` and are importable from here too; this module
holds the Scenario that ties them together, its interventions and the
analysis settings (norms, costs, bands).

A scenario never changes once loaded. Interventions, sweeps and comparisons
make new objects (``Scenario.apply``), so a run can never leak a change into
another run that shares the same loaded file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any

from ketensim.scenario.distributions import Distribution
from ketensim.scenario.parts import (
    DEFAULT_CASE_TYPE,
    DEFAULT_OUTCOME,
    EXIT,
    Arrival,
    Backlog,
    Calendar,
    Deadline,
    Dismissal,
    FailureDemand,
    Partner,
    Policy,
    Pool,
    QueueLimit,
    Reentry,
    Route,
    Sessions,
    Step,
    TypeRule,
)
from ketensim.scenario.uncertainty import Uncertain

TIME_UNITS = ("hour", "day", "week")


@dataclass(frozen=True)
class Band:
    """An inflow band (e.g. the MPP's minimum and maximum): every arrival rate times ``factor``."""

    name: str
    factor: float


@dataclass(frozen=True)
class Norm:
    """A beslistermijn or duurnorm: at least ``share`` of the cases within ``within``.

    ``kind`` "wait" measures the waiting time at ``step`` (until handling starts);
    "lead_time" the chain's doorlooptijd, from entry to exit.
    """

    id: str
    kind: str  # "wait" | "lead_time"
    within: float
    share: float
    step: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class CostSettings:
    """How the chain shares its costs: ``equal`` parts per partner, or by ``use`` (busy time)."""

    sharing: str = "use"
    currency: str = "EUR"


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
    start_date: str = "2000-01-01"  # the calendar date of time 0 (event logs' timestamps)
    calendars: tuple[Calendar, ...] = ()
    pools: tuple[Pool, ...] = ()
    policies: tuple[Policy, ...] = ()
    bands: tuple[Band, ...] = ()
    uncertain: tuple[Uncertain, ...] = ()  # inputs drawn per replication within a range
    norms: tuple[Norm, ...] = ()
    costs: CostSettings | None = None
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
    def wip_cap(self) -> int | None:
        """The chain's cap on work in progress, from a ``wip_cap`` policy."""
        for policy in self.policies:
            if policy.kind == "wip_cap":
                return policy.limit
        return None

    @property
    def has_costs(self) -> bool:
        """True when the file says anything about costs (a ``[costs]`` table or any rate)."""
        rates = [p.cost_per_server for p in self.partners]
        rates += [x for s in self.steps for x in (s.cost_per_server, s.cost_per_case)]
        return self.costs is not None or any(r is not None for r in rates)

    @property
    def cost_settings(self) -> CostSettings:
        """The ``[costs]`` settings, or their defaults."""
        return self.costs if self.costs is not None else CostSettings()

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
        route_sets: list[tuple[Route, ...]] = []
        for s in self.steps:
            route_sets.append(s.effective_routes)
            route_sets.extend(
                r.routes or (Route(EXIT, 1.0),) for r in s.types if r.routes is not None
            )
        for ev in self.events:
            for ch in ev.changes:
                if ch.attribute == "routes":
                    route_sets.append(ch.value or (Route(EXIT, 1.0),))
        for routes in route_sets:
            for r in routes:
                if r.is_exit:
                    seen.setdefault(r.exit_outcome, None)
        for s in self.steps:
            for extra in (s.queue_limit, s.deadline, s.dismissal):
                if extra is not None:
                    seen.setdefault(extra.outcome, None)
        return tuple(seen)

    # -- variants -----------------------------------------------------------
    def apply(self, changes: tuple[Change, ...] | list[Change]) -> Scenario:
        """A new scenario with ``changes`` made from the start (sweeps, phases of ``check``)."""
        parts: dict[str, dict[str, Any]] = {
            "step": {s.id: s for s in self.steps},
            "arrival": {a.id: a for a in self.arrivals},
            "pool": {p.id: p for p in self.pools},
        }
        for ch in changes:
            if ch.kind not in parts:  # pragma: no cover - the schema admits no other kind
                raise ValueError(f"unknown change kind {ch.kind!r}")
            found = parts[ch.kind]
            found[ch.target] = replace(found[ch.target], **{ch.attribute: ch.value})
        return replace(
            self,
            steps=tuple(parts["step"].values()),
            arrivals=tuple(parts["arrival"].values()),
            pools=tuple(parts["pool"].values()),
        )

    def scaled_inflow(self, factor: float, name: str | None = None) -> Scenario:
        """The same chain with every arrival rate (schedules and events too) times ``factor``."""
        arrivals = tuple(
            replace(a, rate=a.rate * factor,
                    schedule=tuple((t, r * factor) for t, r in a.schedule))
            for a in self.arrivals
        )
        events = tuple(
            replace(ev, changes=tuple(
                replace(ch, value=ch.value * factor) if ch.kind == "arrival" else ch
                for ch in ev.changes
            ))
            for ev in self.events
        )
        return replace(self, name=name or self.name, arrivals=arrivals, events=events)

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


__all__ = [
    "DEFAULT_CASE_TYPE",
    "DEFAULT_OUTCOME",
    "EXIT",
    "TIME_UNITS",
    "Arrival",
    "Backlog",
    "Band",
    "Calendar",
    "Change",
    "CostSettings",
    "Deadline",
    "Dismissal",
    "Event",
    "FailureDemand",
    "Norm",
    "Partner",
    "Policy",
    "Pool",
    "QueueLimit",
    "Reentry",
    "Route",
    "Scenario",
    "Sessions",
    "Step",
    "TypeRule",
]
