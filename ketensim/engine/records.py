"""What one replication of the engine produces: plain columnar records.

The engine aggregates while it runs (time integrals, counters) and keeps
per-case tallies as NumPy arrays; nothing here knows pandas. Every figure
covers the steady-state window ``[warmup, horizon]`` as defined in the
contract, except ``max_queue`` and the ``*_at_end`` readings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ketensim.engine.partners import PartnerRecord


@dataclass
class StepRecord:
    """One step in one replication."""

    step: str
    arrivals: int  # cases arriving at the step in the window
    completions: int  # cases finishing service at the step in the window
    waits: np.ndarray  # queue waits of cases that arrived in the window, taken at service start
    queue_area: float  # integral of queue length over the window
    busy_area: float  # integral of busy servers over the window
    capacity_area: float  # integral of available servers (overtime after a cut included)
    max_queue: int  # largest queue length seen in the window
    queue_at_end: int
    in_service_at_end: int
    blocked_area: float = 0.0  # integral of servers holding a case that cannot move on
    rejected: int = 0  # turned away: the buffer was full
    diverted: int = 0  # sent to another step: the buffer was full
    reneged: int = 0  # left the queue at their deadline
    dismissed: int = 0  # dismissed on arrival because the backlog was too high
    returned: int = 0  # hand-overs sent back to this step as incomplete
    at_door_end: int = 0  # cases waiting to get in (blocked) at the horizon
    wait_types: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    late: int = 0  # waits that passed the failure-demand term and made a new case
    queued_since: np.ndarray = field(default_factory=lambda: np.empty(0))  # arrival times of
    # the cases still waiting at the horizon: a norm on waits counts the long-waiting ones
    stock_area: float = 0.0  # integral of the cases at the step (waiting, in service, blocked)


@dataclass
class ReplicationRecord:
    """The whole output of one replication."""

    replication: int
    warmup: float
    horizon: float
    steps: list[StepRecord]
    cases_in: int  # cases entering the chain in the window
    cases_out: int  # cases leaving the chain in the window
    lead_times: np.ndarray  # doorlooptijd of cases entering in the window and leaving by horizon
    outcomes: dict[str, int]  # cases leaving in the window, per outcome
    wip_at_end: int  # cases in the chain at the horizon
    sample_times: np.ndarray  # shape (n,)
    queue_samples: np.ndarray  # shape (n_steps, n): queue length at each sample time
    busy_samples: np.ndarray  # shape (n_steps, n): cases in service at each sample time
    reentries: int = 0  # cases that came back after leaving (herinstroom) in the window
    backlog_lead_times: np.ndarray = field(default_factory=lambda: np.empty(0))
    outside_area: float = 0.0  # integral of cases held outside the chain by a WIP cap
    outside_at_end: int = 0
    deadlock: tuple[float, tuple[str, ...]] | None = None  # first moment the chain locked up
    case_types: tuple[str, ...] = ()  # names of the case-type numbers in StepRecord.wait_types
    capacity_samples: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    pools: dict[str, tuple[float, float]] = field(default_factory=dict)  # busy, capacity areas
    lead_entered: np.ndarray = field(default_factory=lambda: np.empty(0))  # entry time of each
    # case in lead_times; with ``entered`` a lead-time norm counts cases that never came out
    entered: np.ndarray = field(default_factory=lambda: np.empty(0))  # entry times of the cases
    # entering the chain in the window (cases_in of them), in order
    fast: bool = False  # computed by the exact fast path (engine/fastpath.py), not simulated
    arrived_samples: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))  # shape
    # (n_steps, n): cases taken in at each step since time 0 (the werkvoorraad at start too)
    left_samples: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))  # cases that
    # left each step since time 0: the gap to ``arrived_samples`` is the step's stock
    outside_samples: np.ndarray = field(default_factory=lambda: np.empty(0))  # cases a cap on
    # work in progress holds outside the chain, at each sample time
    partners: list[PartnerRecord] = field(default_factory=list)  # in scenario partner order

    @property
    def window(self) -> float:
        return self.horizon - self.warmup
