"""The parts of a chain as frozen data: partners, steps, routes, arrivals and their mechanisms.

A step is more than a server count over a queue in a real keten: case types
with their own handling, finite buffers, deadlines, dismissal, sessions,
a werkvoorraad at start, calendars, shared pools, steering policies. Each
is a small frozen value here; :mod:`ketensim.scenario.model` ties them into
a Scenario, and the schema builds them only after checking them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketensim.scenario.distributions import Distribution

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
    types: tuple[str, ...] = ()  # only these case types meet the limit; others always queue


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
    oldest: float = 0.0  # without a CSV: ages spread evenly from this down to 0 (steady inflow)

    def age(self, k: int) -> float:
        """Age at time 0 of waiting case ``k`` (0 is first in line).

        A stock built by a steady inflow into a FIFO queue has its ages spread evenly
        between the oldest case and the newest, which is what ``oldest`` gives.
        """
        if k < len(self.ages):
            return self.ages[k]
        if self.oldest and self.queue > 1:
            return self.oldest * (self.queue - 1 - k) / (self.queue - 1)
        return self.oldest


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
    week: tuple[float, ...] = ()  # 7 factors on the rate, Monday first (day 0 is a Monday)
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
