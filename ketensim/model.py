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
class Reentry:
    """Herinstroom: a share of the cases leaving on a route come back later as new cases."""

    p: float
    to: str
    after: Distribution


@dataclass(frozen=True)
class Route:
    """Where a case goes after a step, with probability ``p``.

    A route between partners is a koppelvlak: ``delay`` is the hand-over time
    (a paper dossier travels slower than an electronic one) and ``returned``
    the share of hand-overs sent back to the sender as incomplete (rework).
    """

    to: str
    p: float
    outcome: str | None = None
    delay: Distribution | None = None
    returned: float = 0.0
    reenter: Reentry | None = None

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
    calendar: str | None = None
    cost_per_server: float | None = None  # per server per time unit, for all its steps

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class TypeRule:
    """How a step treats one case type: its own service, routes and priority."""

    case_type: str
    service: Distribution | None = None
    routes: tuple[Route, ...] | None = None
    priority: int = 0  # higher is served first (non-preemptive)


@dataclass(frozen=True)
class QueueLimit:
    """A finite buffer: ``size`` waiting places and what happens to a case that finds it full."""

    size: int
    policy: str = "reject"  # "block" | "divert" | "reject"
    divert_to: str | None = None
    outcome: str = "rejected"


@dataclass(frozen=True)
class Deadline:
    """A maximum wait: a case not started by then leaves (verjaring, sepot wegens termijn)."""

    max_wait: Distribution
    outcome: str = "deadline"


@dataclass(frozen=True)
class Dismissal:
    """Above ``above`` waiting cases, a ``share`` of arriving cases is dismissed at once."""

    above: int
    share: float
    outcome: str = "dismissed"


@dataclass(frozen=True)
class FailureDemand:
    """Faalvraag: a case still waiting ``after`` its arrival makes, with chance ``p``, a new
    case at step ``to`` (an appeal or penalty procedure against the late decision)."""

    after: float
    p: float
    to: str
    case_type: str = "niet_tijdig"


@dataclass(frozen=True)
class Sessions:
    """Batch service: every ``every`` time units (from ``offset``) each server hears up to
    ``size`` cases together, all finishing after one ``duration`` (a zitting)."""

    every: float
    size: int
    duration: Distribution
    offset: float = 0.0


@dataclass(frozen=True)
class Backlog:
    """The werkvoorraad at time 0: cases already waiting (and in service), with their ages."""

    queue: int = 0
    in_service: int = 0
    case_type: str = DEFAULT_CASE_TYPE
    ages: tuple[float, ...] = ()  # age of each waiting case at time 0 (from a CSV)
    types: tuple[str, ...] = ()  # case type of each waiting case (from a CSV)


@dataclass(frozen=True)
class Step:
    """A schakel: one processing step with its own server pool and FIFO queue."""

    id: str
    partner: str
    capacity: int
    service: Distribution
    routes: tuple[Route, ...] = ()
    name: str | None = None
    types: tuple[TypeRule, ...] = ()
    queue_limit: QueueLimit | None = None
    deadline: Deadline | None = None
    dismissal: Dismissal | None = None
    sessions: Sessions | None = None
    backlog: Backlog | None = None
    calendar: str | None = None
    pool: str | None = None
    failure_demand: FailureDemand | None = None
    cost_per_server: float | None = None  # overrides the partner's rate for this step
    cost_per_case: float | None = None  # per case finishing the step

    def server_rate(self, partner: Partner) -> float:
        """Cost of one server per time unit: the step's own rate, else its partner's, else 0."""
        if self.cost_per_server is not None:
            return self.cost_per_server
        return partner.cost_per_server or 0.0

    @property
    def label(self) -> str:
        return self.name or self.id

    def rule(self, case_type: str) -> TypeRule | None:
        for rule in self.types:
            if rule.case_type == case_type:
                return rule
        return None

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
    types: tuple[str, ...] | None = None  # case type per replayed moment
    schedule: tuple[tuple[float, float], ...] = ()  # (from, rate): piecewise-constant rate
    season: tuple[float, ...] = ()  # 12 monthly factors on the rate
    batch: Distribution | None = None  # cases per arrival moment (rounded, at least 1)


@dataclass(frozen=True)
class Calendar:
    """Working time: when a partner's or step's capacity is available.

    Day 0 is a Monday. ``hours`` of each working day are open, from
    ``start_hour``; ``weekdays`` lists the open days (1 = Monday ... 7 = Sunday);
    ``holidays`` are closed day numbers; ``plan`` is a capacity plan over time,
    (from, capacity) pairs that replace the step's capacity from then on.
    """

    id: str
    hours: float = 24.0
    start_hour: float = 0.0
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
    holidays: tuple[int, ...] = ()
    plan: tuple[tuple[float, int], ...] = ()


@dataclass(frozen=True)
class Pool:
    """Staff shared by several steps of one partner.

    A step in the pool starts a case only while the pool has a free server
    (and the step stays within its own ``capacity``). When a server frees,
    ``rule`` decides which step it serves next: ``priority`` takes the steps
    in the listed order; ``share`` the step furthest below its share of the
    pool (``shares``, in the order of ``steps``).
    """

    id: str
    partner: str
    capacity: int
    steps: tuple[str, ...]
    rule: str = "priority"
    shares: tuple[float, ...] = ()


@dataclass(frozen=True)
class Policy:
    """Ketenregie, a steering rule the chain follows during the run.

    - ``follow_inflow`` (afstemming with a long lag, samenwerking with a short
      one): every ``every`` time units the ``step`` measures its inflow and, after
      ``lag`` (hiring and training), gets the capacity that inflow needs at
      utilisation ``target``, between ``minimum`` and ``budget``.
    - ``wip_cap``: at most ``limit`` cases in the chain; new ones wait outside.
    - ``flex_pool``: ``servers`` flexible staff that a chain director moves every
      ``every`` time units to whichever of ``steps`` has the longest queue.
    """

    kind: str
    step: str | None = None
    steps: tuple[str, ...] = ()
    every: float = 30.0
    lag: float = 0.0
    target: float = 0.85
    minimum: int = 1
    budget: int | None = None
    limit: int | None = None
    servers: int = 0


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
    calendars: tuple[Calendar, ...] = ()
    pools: tuple[Pool, ...] = ()
    policies: tuple[Policy, ...] = ()
    bands: tuple[Band, ...] = ()
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
