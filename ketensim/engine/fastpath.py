"""The exact fast path: a plain chain computed case by case instead of event by event.

A chain whose steps are plain (one FIFO queue, servers without calendars,
pools or sessions, no buffers, deadlines, case-type rules or failure
demand; routes without delays, rework or re-entry, and no loops) needs no
event list. Dismissal above a queue length is allowed: the queue a case
finds follows from the cases before it (:mod:`.fastdismiss`). Arrival
moments follow from each source's stream; at a step, case ``i`` starts at
the later of its arrival and the moment the first server frees (a heap of
server free times: the Kiefer-Wolfowitz recursion), and capacity events
rebuild that heap exactly as the simulation would; the completions, in time
order, draw their routes and feed the next step.

Every random number comes from the engine's own named streams, drawn in the
engine's order (each stream belongs to one source or step, so drawing a block
ahead changes nothing), and every figure is summed in the engine's order, so
the record is the same, bit for bit, as the simulation's
(:func:`ketensim.engine.run.simulate_replication`). Where that order cannot
be known without the event list (two moments that coincide exactly:
deterministic service, replayed arrivals, a completion at a sampling moment),
:class:`Tie` is raised and the caller simulates instead. Continuous random
times practically never tie, so a Poisson chain nearly always runs here.
"""

from __future__ import annotations

import heapq
import math
from array import array
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ketensim.engine.fastarrivals import poisson, replayed
from ketensim.engine.fastdismiss import dismissing_recursion
from ketensim.engine.fastpartners import PartnerVisits
from ketensim.engine.fastservers import ARRIVED, IN_SERVICE, WAITING, rebuild, seed
from ketensim.engine.plain import Tie, topological_order, wakes
from ketensim.engine.records import ReplicationRecord
from ketensim.engine.sampling import Draws
from ketensim.engine.streams import stream
from ketensim.engine.visits import DISMISSED
from ketensim.engine.window import counted
from ketensim.scenario.distributions import Distribution
from ketensim.scenario.model import EXIT, Arrival, Route, Scenario, Step

if TYPE_CHECKING:
    from ketensim.engine.visits import VisitLog

CASE, KIND = np.int32, np.int8  # column types: case numbers (and steps), kinds


# -- one replication -------------------------------------------------------------------


def run_fast(scenario: Scenario, replication: int, seed: int, times: np.ndarray,
             log: VisitLog | None = None) -> ReplicationRecord:
    """One replication of a plain chain: the same record as the simulation gives.

    Raises:
        Tie: when two moments coincide where the event list decides their order.
    """
    from ketensim.engine.fastrecord import assemble

    run = FastRun(scenario, replication, seed, times, log)
    run.serve_all()
    return assemble(run, log)


class FastRun:
    """The moments of one replication of a plain chain, step by step in routing order."""

    def __init__(self, scenario: Scenario, replication: int, seed: int, times: np.ndarray,
                 log: VisitLog | None = None):
        self.sc = scenario
        self.log = log  # the event log, when one is asked for: each step's visits go to it
        self.keep_visits = log is not None  # as soon as the step is served
        self.rep = replication
        self.seed = seed
        self.horizon = scenario.horizon
        self.warmup = scenario.warmup
        self.times = times
        self.step_index = {s.id: i for i, s in enumerate(scenario.steps)}
        self.visits_to = PartnerVisits(scenario)
        self.outcome_index = {name: i for i, name in enumerate(scenario.outcomes)}
        self.case_types: dict[str, int] = {}
        ordered = list(scenario.events)
        at = wakes([max(0.0, e.at) for e in ordered])
        self.events = [(t, e) for t, e in zip(at, ordered, strict=True) if t < self.horizon]
        self.sample_wakes = wakes([float(t) for t in times if t < self.horizon])
        self.sample_after_event = self._samples_after_events(at)
        fixed = set(self.sample_wakes[1:]) | {t for t, _ in self.events if t > 0}
        if self.warmup > 0:
            fixed.add(self.warmup)
        self.fixed = np.array(sorted(fixed), dtype=float)

    def _samples_after_events(self, at: list[float]) -> list[bool]:
        """Per sample moment: does an event at that very moment come first?

        The sampler and the interventions each sleep from one moment to their
        next; of two sleepers due at one moment, the one that went to sleep
        first wakes first. An event at a sample moment that was scheduled
        earlier is applied before the sample (which then shows its capacity).
        """
        scheduled: dict[float, float] = {}
        previous = 0.0
        for t in at:
            if t not in scheduled:
                scheduled[t] = previous
                previous = t
        out = [False] * len(self.sample_wakes)
        for k in range(1, len(self.sample_wakes)):
            wake = self.sample_wakes[k]
            if wake in scheduled and wake > 0:
                asleep = self.sample_wakes[k - 1]
                if scheduled[wake] == asleep:
                    raise Tie("an event and a sample went to sleep at one moment")
                out[k] = scheduled[wake] < asleep
        return out

    def draws(self, name: str, dist: Distribution | None = None) -> Draws:
        return Draws(stream(self.seed, self.rep, name), dist)

    def type_index(self, name: str) -> int:
        return self.case_types.setdefault(name, len(self.case_types))

    def at_fixed(self, moments: np.ndarray) -> bool:
        return _meets(self.fixed, moments)  # few fixed moments: a binary search each

    # -- who enters, and when ----------------------------------------------------------
    def serve_all(self) -> None:
        """Serve every step in routing order; each step's record is made as soon as it is done.

        A step's columns are dropped once its record is made (an event log has
        them on disk by then), so memory holds one step's cases at a time besides
        the chain's own columns.
        """
        from ketensim.engine.fastrecord import step_record

        source_types = [self._register(a) for a in self.sc.arrivals]
        parts: dict[str, list[tuple[np.ndarray, ...]]] = {s.id: [] for s in self.sc.steps}
        entered, ctype = self._seed_backlog(parts)
        self.n_backlog = len(entered)
        t, case_type, to = self._entries(source_types)
        self.entered = np.concatenate([np.asarray(entered, dtype=float), t])
        self.ctype = np.concatenate([np.asarray(ctype, dtype=CASE), case_type.astype(CASE)])
        self.visits_to.since = np.zeros(self.entered.size)
        cases = np.arange(self.n_backlog, self.n_backlog + t.size, dtype=CASE)
        for sid, index in self.step_index.items():
            mine = to == index
            if mine.any():
                parts[sid].append(_piece(cases[mine], t[mine], ARRIVED, -1))
        del cases, t, to
        self.exits: list[tuple[np.ndarray, ...]] = []
        self.closed: list[tuple[np.ndarray, ...]] = []
        self.records: dict[str, Any] = {}
        for sid in topological_order(self.sc) or []:
            part = self._serve(self.sc.step(sid), parts.pop(sid), parts)
            self.records[sid] = step_record(self, sid, self.sc.step(sid).capacity, part)
            if self.log is not None:  # the step's visits go to disk now, not kept to the end
                self.log.stage_fast(self, self.step_index[sid], part, self.closed)
                self.closed = []

    def _register(self, arrival: Arrival) -> list[int] | int:
        if arrival.times is not None:
            types = [self.type_index(t) for t in arrival.types] if arrival.types else None
            default = self.type_index(arrival.case_type)
            return types if types is not None else default
        return self.type_index(arrival.case_type)

    def _seed_backlog(self, parts: dict[str, list[tuple[np.ndarray, ...]]]
                      ) -> tuple[list[float], list[int]]:
        entered: list[float] = []
        ctype: list[int] = []
        for step in self.sc.steps:
            backlog = step.backlog
            if backlog is None:
                continue
            default = self.type_index(backlog.case_type)
            first = len(entered)
            arrived, kinds = [], []
            for _ in range(backlog.in_service):
                entered.append(0.0)
                ctype.append(default)
                arrived.append(0.0)
                kinds.append(IN_SERVICE)
            for k in range(backlog.queue):
                age = backlog.age(k)
                entered.append(-age)
                ctype.append(self.type_index(backlog.types[k]) if k < len(backlog.types)
                             else default)
                arrived.append(-age)
                kinds.append(WAITING)
            n = len(entered) - first
            parts[step.id].append((np.arange(first, first + n, dtype=CASE),
                                   np.asarray(arrived, dtype=float),
                                   np.asarray(kinds, dtype=KIND),
                                   np.full(n, -1, dtype=CASE)))
        return entered, ctype

    def _entries(self, source_types: list[list[int] | int]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every new case in the order it enters: moment, case type, entry step."""
        moments, types, sources = [], [], []
        for k, arrival in enumerate(self.sc.arrivals):
            t, ct = (replayed(self, arrival, source_types[k]) if arrival.times is not None
                     else poisson(self, arrival, source_types[k]))  # type: ignore[arg-type]
            moments.append(t)
            types.append(ct)
            sources.append(np.full(t.size, k, dtype=CASE))
        t = np.concatenate(moments) if moments else np.empty(0)
        src = np.concatenate(sources) if sources else np.empty(0, CASE)
        ct = np.concatenate(types) if types else np.empty(0, CASE)
        if len(moments) > 1:  # one source is in order already (a batch keeps its order)
            order = np.argsort(t, kind="stable")
            t, src, ct = t[order], src[order], ct[order]
            del order
            if ((np.diff(t) == 0) & (np.diff(src) != 0)).any():
                raise Tie("two sources bring a case at one moment")
        to = np.array([self.step_index[a.to] for a in self.sc.arrivals], dtype=CASE)
        return t, ct, to[src] if src.size else np.empty(0, CASE)

    # -- one step ------------------------------------------------------------------------
    def _serve(self, step: Step, pieces: list[tuple[np.ndarray, ...]],
               parts: dict[str, list[tuple[np.ndarray, ...]]]) -> dict[str, Any]:
        """Starts and completions of one step, first come first served, under its capacity."""
        case, arrived, kind, origin = _joined(pieces)
        # The werkvoorraad first (as seeded: in service, then waiting), then arrivals by time;
        # cases that arrive at one moment (a batch) keep their order.
        first = int(np.count_nonzero(kind != ARRIVED))
        in_order = bool((kind[:first] != ARRIVED).all()) and bool(
            (arrived[first + 1:] >= arrived[first:-1]).all())
        if not in_order:  # cases came from several places: put them in time order
            seeded = np.flatnonzero(kind != ARRIVED)
            new = np.flatnonzero(kind == ARRIVED)
            order = np.concatenate([seeded, new[np.argsort(arrived[new], kind="stable")]])
            del seeded, new
            case, arrived, kind, origin = case[order], arrived[order], kind[order], origin[order]
            del order
        first = int(np.count_nonzero(kind != ARRIVED))
        self._check_arrivals(arrived[first:], origin[first:])
        self.visits_to.take_in(self.step_index[step.id], case, arrived, origin)
        del origin
        changes = [(t, int(ch.value)) for t, e in self.events for ch in e.changes
                   if ch.kind == "step" and ch.target == step.id and ch.attribute == "capacity"]
        if step.dismissal is None:
            start, done = _recursion(self, step, arrived, kind, changes)
            gone = None
        else:
            start, done, gone = dismissing_recursion(self, step, arrived, kind, changes)
            self._dismissed(step, case[gone], arrived[gone])
        keep = (start < self.horizon) & counted(arrived, self.warmup)  # in service: arrived 0
        waits = start[keep] - arrived[keep]
        del keep
        self._route(step, case, done, parts)
        return {"case": case, "arrived": arrived, "kind": kind, "start": start, "done": done,
                "done_sorted": self.done_sorted, "waits": waits, "cap_changes": changes,
                "step": step, "gone": gone}

    def _dismissed(self, step: Step, case: np.ndarray, at: np.ndarray) -> None:
        """Cases dismissed on arrival leave the chain there and then (visit closed, logged)."""
        assert step.dismissal is not None
        index = self.step_index[step.id]
        outcome = np.full(case.size, self.outcome_index[step.dismissal.outcome], dtype=CASE)
        self.visits_to.let_go(index, case, at, np.full(case.size, -1, dtype=CASE))
        self.exits.append((at, case, outcome))
        if self.keep_visits:
            self.closed.append((at, case, np.full(case.size, index, CASE), outcome,
                                np.full(case.size, DISMISSED, np.int8)))

    def _check_arrivals(self, arrived: np.ndarray, origin: np.ndarray) -> None:
        """Arrivals at one moment from two places, or at a fixed moment, need the event list."""
        if self.at_fixed(arrived):
            raise Tie("an arrival at a fixed moment")
        same = np.diff(arrived) == 0
        if (same & ((origin[1:] != -1) | (origin[:-1] != -1))).any():
            raise Tie("two arrivals at one step at one moment")

    def _route(self, step: Step, case: np.ndarray, done: np.ndarray,
               parts: dict[str, list[tuple[np.ndarray, ...]]]) -> None:
        # Unfinished cases are at +inf, so they sort to the end: one index column, not two.
        order = np.argsort(done, kind="stable")
        finished = order[:int(np.count_nonzero(done < self.horizon))]
        d, moved = done[finished], case[finished]
        del order, finished
        self.done_sorted = d  # the step's record counts completions in this order too
        if (np.diff(d) == 0).any():
            raise Tie("two completions at one moment")
        if self.at_fixed(d):  # a completion at an arrival: checked by the step's record
            raise Tie("a completion at a fixed moment")
        u = self.draws(f"route:{step.id}").take(d.size)
        target = np.empty(d.size, dtype=CASE)
        outcome = np.empty(d.size, dtype=CASE)
        tables = [(0.0, step.effective_routes)] + [
            (t, ch.value or (Route(EXIT, 1.0),)) for t, e in self.events for ch in e.changes
            if ch.kind == "step" and ch.target == step.id and ch.attribute == "routes"]
        bounds = np.asarray([t for t, _ in tables[1:]], dtype=float)
        if _meets(d, bounds):
            raise Tie("a route change coincides with a completion")
        segment = np.searchsorted(bounds, d, side="right") if bounds.size else None
        for k, (_, routes) in enumerate(tables):
            cum, to, out = _table(routes, self.step_index, self.outcome_index)
            mine = slice(None) if segment is None else segment == k
            hop = np.searchsorted(cum, u[mine], side="right")
            target[mine], outcome[mine] = to[hop], out[hop]
            del hop
        del u, segment
        index = self.step_index[step.id]
        leaving = target < 0
        self.visits_to.let_go(index, moved, d, target)
        self.exits.append((d[leaving], moved[leaving], outcome[leaving]))
        if self.keep_visits:
            self.closed.append((d, moved, np.full(d.size, index, CASE),
                                np.where(leaving, outcome, -1), np.zeros(d.size, np.int8)))
        for sid, t_index in self.step_index.items():
            mine = target == t_index
            if mine.any():
                parts[sid].append(_piece(moved[mine], d[mine], ARRIVED, index))


def _piece(case: np.ndarray, arrived: np.ndarray, kind: int, origin: int
           ) -> tuple[np.ndarray, ...]:
    """Cases reaching a step: numbers, moments, kind and where they came from (-1: a source)."""
    n = case.size
    return case, arrived, np.full(n, kind, KIND), np.full(n, origin, CASE)


def _joined(pieces: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    if not pieces:
        return (np.empty(0, CASE), np.empty(0), np.empty(0, KIND), np.empty(0, CASE))
    joined = tuple(np.concatenate([p[i] for p in pieces]) for i in range(4))
    pieces.clear()  # the parts are in the joined columns now
    return joined


def _meets(sorted_moments: np.ndarray, moments: np.ndarray) -> bool:
    """Does any of ``moments`` equal one of the ``sorted_moments`` (binary search, no copies)?"""
    if not sorted_moments.size or not moments.size:
        return False
    at = np.minimum(np.searchsorted(sorted_moments, moments), sorted_moments.size - 1)
    return bool((sorted_moments[at] == moments).any())


def _recursion(run: FastRun, step: Step, times: np.ndarray, kind: np.ndarray,
               changes: list[tuple[float, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of every case at a FIFO step with ``capacity`` servers (inf: not by then).

    Long on purpose: the one loop over every case of a step, kept in one piece
    (local names, no calls) because it is the fast path's whole cost.
    """
    n = len(times)
    horizon = run.horizon
    arrived = memoryview(cast(Any, times))  # a float read from a memoryview copies no column
    service = memoryview(cast(Any, run.draws(f"service:{step.id}", step.service).take(n)))
    start = array("d", [math.inf]) * n  # compact columns: a float object per case only in flight
    done = array("d", [math.inf]) * n
    heap, retired, _, j = seed(kind, service, step.capacity, start, done)
    made_free: set[float] = {0.0}  # moments a change (or the start) freed a server
    c = 0
    nxt = changes[0][0] if changes else math.inf
    replace = heapq.heapreplace
    while j < n:
        limit = nxt if nxt < horizon else horizon
        for j in range(j, n):  # noqa: B020 - each pass picks up where the last one stopped
            a = arrived[j]
            top = heap[0]
            cand = a if a > top else top
            if cand >= limit:
                break
            d = cand + service[j]
            replace(heap, d)
            start[j] = cand
            done[j] = d
        else:
            break  # every case has started
        if cand < nxt or c >= len(changes):
            break  # by the horizon the rest has not started
        t, new = changes[c]
        if t == cand and t > 0 and (t == a or (t == top and top not in made_free)):
            raise Tie("a capacity change coincides with a start")
        heap, retired = rebuild(heap, retired, t, new)
        made_free.add(t)
        c += 1
        nxt = changes[c][0] if c < len(changes) else math.inf
    while c < len(changes):  # changes after the last start: a tie with a completion still counts
        heap, retired = rebuild(heap, retired, changes[c][0], changes[c][1])
        c += 1
    return np.frombuffer(start, dtype=float), np.frombuffer(done, dtype=float)


def _table(routes: tuple[Route, ...], steps: dict[str, int], outcomes: dict[str, int]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Routes as cumulative thresholds, built as the engine builds them (the last one open)."""
    cum, to, out = [], [], []
    total = 0.0
    for route in routes:
        total += route.p
        if route.p <= 0:
            continue
        cum.append(total)
        to.append(-1 if route.is_exit else steps[route.to])
        out.append(outcomes[route.exit_outcome] if route.is_exit else -1)
    cum[-1] = math.inf
    return (np.asarray(cum, dtype=float), np.asarray(to, dtype=CASE),
            np.asarray(out, dtype=CASE))
