"""One replication of a chain: the runtime chain, its cases and chain tallies.

The only place where a scenario meets SimPy. Everything random comes from
named streams (``ketensim.engine.streams``), so a replication is a pure function of
(scenario, replication, seed). Per-case data is columnar: a case is an
integer index into arrays, never a Python object.
"""

from __future__ import annotations

from array import array
from collections import deque

from simpy.core import Environment
from simpy.events import Event, Timeout

from ketensim.engine.partners import PartnerBook
from ketensim.engine.pools import PoolRuntime
from ketensim.engine.routing import Hop
from ketensim.engine.sampling import Draws
from ketensim.engine.sessions import SessionStation
from ketensim.engine.sources import Replay, Source
from ketensim.engine.station import Station
from ketensim.engine.streams import stream
from ketensim.engine.visits import DIVERTED, VisitLog
from ketensim.engine.window import counts
from ketensim.scenario.distributions import Distribution
from ketensim.scenario.model import EXIT, Change, Route, Scenario


class Chain:
    """The runtime chain of one replication: stations, cases and chain tallies."""

    def __init__(self, scenario: Scenario, replication: int, seed: int,
                 log: VisitLog | None = None):
        self.scenario = scenario
        self.log = log  # the event log, when one is asked for
        self.seed = seed
        self.replication = replication
        self.env = Environment()
        self.warmup = scenario.warmup
        self.outcome_index = {name: i for i, name in enumerate(scenario.outcomes)}
        self.case_types: dict[str, int] = {}
        # Per-case columns.
        self.entered: array[float] = array("d")
        self.case_type: array[int] = array("h")  # two bytes a case; widened past 32,767 types
        self.n_backlog = 0
        self.book = PartnerBook([p.id for p in scenario.partners], scenario.warmup)
        self.partner_index = {p.id: k for k, p in enumerate(scenario.partners)}
        # Chain tallies over the window.
        self.cases_in = self.cases_out = self.in_chain = self.reentries = 0
        self.lead_times: array[float] = array("d")
        self.lead_entered: array[float] = array("d")  # entry time of each lead time's case
        self.backlog_lead: array[float] = array("d")
        self.outcome_counts = [0] * len(self.outcome_index)
        # Ketenregie: a cap on work in progress holds new cases outside.
        self.wip_cap = scenario.wip_cap
        self.outside: deque[tuple[int, Station]] = deque()
        self.outside_area = 0.0
        self.outside_last = 0.0
        self.deadlock: tuple[float, tuple[str, ...]] | None = None
        self.stations: dict[str, Station] = {}
        for step in scenario.steps:
            cls = SessionStation if step.sessions is not None else Station
            self.stations[step.id] = cls(self, step)
        for station in self.stations.values():
            station.configure()
        self.pools = {p.id: PoolRuntime(self, p) for p in scenario.pools}
        self.sources: dict[str, Source | Replay] = {
            a.id: Replay(self, a) if a.times is not None else Source(self, a)
            for a in scenario.arrivals
        }

    def draws(self, name: str, dist: Distribution | None = None) -> Draws:
        """Draws from the named stream of this replication (uniforms when ``dist`` is None)."""
        return Draws(stream(self.seed, self.replication, name), dist)

    def case_type_index(self, name: str) -> int:
        index = self.case_types.setdefault(name, len(self.case_types))
        if index > 32767 and self.case_type.typecode == "h":
            self.case_type = array("i", self.case_type)
        return index

    # -- cases --------------------------------------------------------------
    def new_case(self, entered: float, case_type: int) -> int:
        case = len(self.entered)
        self.entered.append(entered)
        self.case_type.append(case_type)
        self.book.with_.append(-1)
        self.book.since.append(0.0)
        if self.log is not None:
            self.log.new_case()
        return case

    def enter(self, station: Station, case_type: int) -> None:
        """A new case enters the chain now at ``station``."""
        case = self.new_case(self.env.now, case_type)
        self.cases_in += 1
        if self.wip_cap is not None and self.in_chain >= self.wip_cap:
            self._advance_outside()
            self.outside.append((case, station))
            return
        self.in_chain += 1
        station.arrive(case)

    def leave(self, case: int, outcome: int, now: float) -> None:
        self.book.close(case, now)
        self.in_chain -= 1
        self.cases_out += 1
        self.outcome_counts[outcome] += 1
        entered = self.entered[case]
        if case < self.n_backlog:
            self.backlog_lead.append(now - entered)
        if counts(entered, self.warmup):
            self.lead_times.append(now - entered)
            self.lead_entered.append(entered)
        if self.outside and self.in_chain < self.wip_cap:  # type: ignore[operator]
            self._advance_outside()
            waiting, station = self.outside.popleft()
            self.in_chain += 1
            station.arrive(waiting)

    def _advance_outside(self) -> None:
        now = self.env.now
        self.outside_area += len(self.outside) * (now - self.outside_last)
        self.outside_last = now

    def divert(self, case: int, origin: Station, now: float) -> bool:
        """Send a case that found ``origin`` full to its divert step (as an ambulance drives on).

        Returns False, sending nothing, when the divert step is full as well:
        the origin then turns the case away.
        """
        limit = origin.step.queue_limit
        assert limit is not None and limit.divert_to is not None  # only diverting steps call this
        target = self.stations[limit.divert_to]
        if target.limit >= 0 and (target.senders or (
                target.nq >= target.limit and target.busy >= target.capacity)):
            return False
        origin.turned(case, now, -1, DIVERTED)  # on to the next step: no outcome
        target.arrive(case, origin)
        return True

    def hand_over(self, case: int, hop: Hop, src: Station) -> None:
        """A koppelvlak: a delay on the way, rework sent back, or re-entry after leaving."""
        now = self.env.now
        if hop.target is None:
            self.leave(case, hop.outcome, now)
            if hop.reenter is not None and src.side_u.next() < hop.reenter[0]:
                _, to, after = hop.reenter
                back = (self.stations[to], self.case_type[case])
                Timeout(self.env, after.next(), back).callbacks.append(self._reenter)
            return
        dest = hop.target
        if hop.returned and src.side_u.next() < hop.returned:
            src.returned += 1
            dest = src
        if hop.delay is None:
            dest.arrive(case, src)
            return
        if dest.pidx == self.book.with_[case]:  # on the way between two steps of one partner
            self.book.on_the_way(dest.pidx, now, +1)
        else:
            self.book.close(case, now)
        Timeout(self.env, hop.delay.next(), (case, dest)).callbacks.append(self._deliver)

    def _deliver(self, event: Timeout) -> None:
        case, dest = event._value
        if self.book.with_[case] >= 0:
            self.book.on_the_way(self.book.with_[case], self.env.now, -1)
        dest.arrive(case)

    def _reenter(self, event: Timeout) -> None:
        station, case_type = event._value
        if counts(self.env.now, self.warmup):
            self.reentries += 1
        self.enter(station, case_type)

    def seed_backlog(self) -> None:
        """Put the werkvoorraad of time 0 in place; its cases keep their real age.

        A waiting case of age ``a`` reached its step (and, as far as the model
        knows, the chain) at ``-a``; a case in service at time 0 reached it at 0.
        Like every case they count in the window's tallies by that moment
        (:mod:`.window`): with no warm-up, cases of age 0 do, older ones do not.
        """
        for station in self.stations.values():
            backlog = station.step.backlog
            if backlog is None:
                continue
            default = self.case_type_index(backlog.case_type)
            for _ in range(backlog.in_service):
                case = self.new_case(0.0, default)
                self._seed_counts(station, case, 0.0)
                station.tally_wait(case, 0.0, 0.0)
                if self.log is not None:
                    self.log.started(case, station.sidx, 0.0, 0.0)
                station._begin(case, 0.0)
            for k in range(backlog.queue):
                age = backlog.age(k)
                ctype = self.case_type_index(backlog.types[k]) if k < len(backlog.types) \
                    else default
                case = self.new_case(-age, ctype)
                self._seed_counts(station, case, -age)
                station._enqueue(case, -age)
        self.n_backlog = len(self.entered)
        for station in self.stations.values():  # free servers start on the werkvoorraad at once
            if station.nq:
                station.fill(self.env.now)

    def _seed_counts(self, station: Station, case: int, arrived: float) -> None:
        self.in_chain += 1
        self.book.take_in(case, station.pidx, arrived)
        if counts(arrived, self.warmup):
            self.cases_in += 1
            station.arrivals += 1
        else:
            station.uncounted += 1  # reached the step before the window: still part of its stock

    # -- interventions and the window ----------------------------------------
    def apply(self, change: Change) -> None:
        if change.kind == "arrival":
            self.sources[change.target].set_base_rate(change.value)
            return
        if change.kind == "pool":
            self.pools[change.target].set_capacity(change.value)
            return
        station = self.stations[change.target]
        if change.attribute == "capacity":
            station.set_capacity(change.value)
        elif change.attribute == "service":
            station.set_service(change.value)
        elif change.attribute == "routes":
            station.set_routes(change.value or (Route(EXIT, 1.0),))  # no routes: all leave
        else:  # pragma: no cover - the schema admits no other key
            raise ValueError(f"unknown change {change.key}")

    def watch_deadlock(self, start: Station) -> None:
        """Record the first moment a group of steps blocks each other for good.

        Candidates are steps whose every server holds a case it cannot pass
        on; a candidate stays stuck while all steps it waits for are stuck
        too. What remains at the fixpoint can never move again by itself.
        """
        if self.deadlock is not None or start.blocked < start.capacity:
            return
        stuck = {
            s for s in self.stations.values() if s.capacity and s.blocked == s.busy >= s.capacity
        }
        waits_for = {s: {t for t in self.stations.values() if any(x is s for x, _ in t.senders)}
                     for s in stuck}
        changed = True
        while changed:
            changed = False
            for s in list(stuck):
                if not waits_for[s] <= stuck:
                    stuck.discard(s)
                    changed = True
        if stuck:
            self.deadlock = (self.env.now, tuple(sorted(s.id for s in stuck)))

    def reset_statistics(self, _event: Event | None = None) -> None:
        """Levels and counters start afresh at ``warmup`` (the rule: :mod:`.window`)."""
        now = self.env.now
        for station in self.stations.values():
            station.reset_statistics(now)
        for pool in self.pools.values():
            pool.reset_statistics(now)
        self.cases_in = self.cases_out = self.reentries = 0
        self.outcome_counts = [0] * len(self.outcome_counts)
        self._advance_outside()
        self.outside_area = 0.0


__all__ = ["Chain"]
