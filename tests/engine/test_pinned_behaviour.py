"""Behaviours a mutation run found unpinned: each test here kills one deliberate bug.

Every case is traced by hand on a tiny chain, so the expected value is exact
and a change to the rule it pins (a boundary, a rounding, an off-by-one)
fails here at once.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import det, event, poisson, replay, scenario, step

import ketensim
from ketensim.engine import run_replication
from ketensim.scenario import traffic
from ketensim.scenario.distributions import Exponential, Gamma, Uniform
from ketensim.scenario.model import (
    Arrival,
    Backlog,
    Change,
    Deadline,
    Event,
    FailureDemand,
    Policy,
    Pool,
    QueueLimit,
    Reentry,
    Route,
    Sessions,
)


def run(sc, seed=1, every=None):
    return run_replication(sc, 0, seed, sample_every=every or sc.horizon)


def test_a_backlog_deadline_counts_from_the_cases_real_arrival():
    """Waiting 5 at time 0 with a term of 8: the case leaves at 3, not at 8."""
    s = replace(step("s", 1, det(100.0)), deadline=Deadline(det(8.0), "verjaard"),
                backlog=Backlog(queue=1, in_service=1, ages=(5.0,)))
    rec = run(scenario([s], [replay("s", [])], horizon=20), every=1.0)
    assert rec.outcomes["verjaard"] == 1
    queue = dict(zip(rec.sample_times.tolist(), rec.queue_samples[0].tolist(), strict=True))
    assert (queue[2.0], queue[4.0]) == (1, 0)


def test_late_decisions_before_the_warmup_do_not_count():
    """Term 2: the case at 0 turns late at 2 (before the warm-up at 5), the one at 6 at 8."""
    s = replace(step("s", 1, det(20.0)), failure_demand=FailureDemand(2.0, 1.0, "b", "nt"))
    sc = scenario([s, step("b", 5, det(1.0))], [replay("s", [0, 0, 6])], horizon=30, warmup=5)
    rec = run(sc)
    assert rec.steps[0].late == 1  # only the one at 8; the one at 2 made work but is not counted
    assert rec.steps[1].arrivals == 1  # the appeal made at 2 was heard before the window


def test_max_queue_after_the_warmup_remembers_who_is_waiting():
    s = step("s", 1, det(50.0))
    rec = run(scenario([s], [replay("s", [0, 0, 0, 0])], horizon=20, warmup=10))
    assert rec.steps[0].max_queue == 3  # three waited already when the window opened


def test_a_hand_over_with_a_delay_never_blocks_its_sender():
    """B is full and blocks; A's route to B has a delay, so A's server is free at once."""
    a = step("a", 1, det(1.0), [Route("b", 1.0, delay=det(0.5))])
    b = replace(step("b", 1, det(100.0)), queue_limit=QueueLimit(0, "block"))
    rec = run(scenario([a, b], [replay("a", [0, 0, 0])], horizon=10))
    assert rec.steps[0].completions == 3 and rec.steps[0].blocked_area == 0


def test_a_divert_target_with_exactly_one_place_left_takes_the_case():
    a = replace(step("a", 1, det(5.0)), queue_limit=QueueLimit(0, "divert", divert_to="b"))
    b = replace(step("b", 1, det(5.0)), queue_limit=QueueLimit(1, "reject"))
    # t=0: a takes 1, b gets the next by diversion (in service), the third waits at b
    # (its one place), the fourth finds a and b full and is rejected.
    rec = run(scenario([a, b], [replay("a", [0, 0, 0, 0])], horizon=30))
    assert (rec.steps[0].diverted, rec.steps[0].rejected) == (2, 1)
    assert rec.steps[1].arrivals == 2


def test_wip_at_the_end_counts_cases_held_outside_by_a_wip_cap():
    sc = replace(scenario([step("a", 5, det(100.0))], [replay("a", [0, 0, 0])], horizon=10),
                 policies=(Policy("wip_cap", limit=1),))
    rec = run(sc)
    assert rec.wip_at_end == 3 and rec.outside_at_end == 2


def test_a_case_arriving_exactly_at_the_warmup_counts():
    rec = run(scenario([step("s", 1, det(1.0))], [replay("s", [4.0, 5.0])], horizon=10,
                       warmup=5.0))
    assert rec.cases_in == 1 and rec.lead_times.tolist() == [1.0]
    assert rec.steps[0].waits.tolist() == [0.0] and rec.entered.tolist() == [5.0]


def test_batch_sizes_are_rounded_and_count_in_the_load():
    sc = scenario([step("s", 100, 0.01)], [Arrival("in", "s", 0.0, times=None)], horizon=1)
    arrival = Arrival("in", "s", 2.0, batch=det(2.6))
    sc = replace(sc, arrivals=(arrival,), horizon=200.0)
    rec = run(sc)
    assert rec.cases_in % 3 == 0  # 2.6 rounds to 3, never truncates to 2
    assert traffic.arrival_rates(sc)["s"] == pytest.approx(2.0 * 2.6)


def test_follow_inflow_rounds_the_needed_capacity_up():
    """2.1 cases a day of one day each at target 1.0 need 2.1 servers: 3, not 2."""
    times = [k / 2.1 + 0.01 for k in range(42)]
    policy = Policy("follow_inflow", step="s", every=10, lag=0, target=1.0, budget=10)
    sc = replace(scenario([step("s", 1, det(1.0))], [replay("s", times)], horizon=15),
                 policies=(policy,))
    rec = run_replication(sc, 0, 1, sample_every=1.0)
    assert rec.capacity_samples[0, 12] == 3


def test_a_pooled_step_keeps_to_its_own_capacity():
    a = replace(step("a", 1, det(1.0)), pool="staf")
    b = replace(step("b", 3, det(1.0)), pool="staf")
    sc = replace(scenario([a, b], [replay("a", [0, 0, 0])], horizon=10),
                 pools=(Pool("staf", "p", 3, ("a", "b")),))
    rec = run(sc)
    assert rec.steps[0].waits.tolist() == [0.0, 1.0, 2.0]  # one at a time at a


def test_a_session_steps_buffer_holds_exactly_its_size():
    s = replace(step("zitting", 1, det(9.0)), sessions=Sessions(10.0, 5, det(1.0), 5.0),
                queue_limit=QueueLimit(2, "reject"))
    rec = run(scenario([s], [replay("zitting", [0, 0, 0])], horizon=20))
    assert rec.steps[0].rejected == 1 and rec.steps[0].completions == 2


def test_changing_a_distribution_keeps_the_stream_aligned():
    """An event that sets the same service again changes nothing: no uniform is dropped."""
    base = scenario([step("s", 1, Gamma(1.0, 0.8))], [poisson("s", 0.7)], horizon=400)
    same = replace(base, events=(Event(137.0, (Change("step.s.service", "step", "s", "service",
                                                      Gamma(1.0, 0.8)),)),))
    a, b = run(base, seed=3), run(same, seed=3)
    assert a.steps[0].waits.tolist() == b.steps[0].waits.tolist()
    assert a.lead_times.tolist() == b.lead_times.tolist()
    other = replace(base, events=(Event(137.0, (Change("step.s.service", "step", "s",
                                                       "service", Uniform(0.5, 1.5)),)),))
    c = run(other, seed=3)
    first = int(np.searchsorted(a.entered, 137.0))  # cases before the change: same waits
    assert c.steps[0].waits[:first - 5].tolist() == a.steps[0].waits[:first - 5].tolist()


def test_a_step_at_exactly_load_one_is_overloaded():
    sc = scenario([step("s", 2, det(1.0))], [poisson("s", 2.0)], horizon=10)
    (phase,) = traffic.phases(sc)
    assert phase.load("s").rho == 1.0 and phase.overloaded == ("s",)


def test_reentry_counts_in_the_load():
    s = step("s", 1, det(0.5), [Route("exit", 1.0, reenter=Reentry(0.5, "s", det(1.0)))])
    sc = scenario([s], [poisson("s", 1.0)], horizon=10)
    assert traffic.arrival_rates(sc)["s"] == pytest.approx(2.0)  # 1 + 0.5 + 0.25 + ...


def test_throughput_counts_the_window_only():
    sc = scenario([step("s", 5, det(0.1))], [replay("s", [float(t) for t in range(100)])],
                  horizon=100, warmup=50)
    res = ketensim.simulate(sc, replications=1)
    assert res.throughput()[0] == pytest.approx(50 / 50)


def test_the_backlog_trend_leaves_the_warmup_out():
    """A pile that grows only in the warm-up and is flat after it is not called growing."""
    s = step("s", 1, det(1.0))
    times = [0.01 * k for k in range(300)]  # 300 cases at once, then nothing
    sc = scenario([s], [replay("s", times)], horizon=2000, warmup=1000)
    res = ketensim.simulate(replace(sc, events=(event(999, s__capacity=0),)), replications=2)
    trend = res.backlog_trend().set_index("step")
    assert trend.loc["s", "status"] != "growing"


def test_exponential_and_events_stay_exact_at_capacity_zero():
    sc = scenario([step("s", 1, Exponential(1.0))], [replay("s", [0.0, 0.0])], horizon=10,
                  events=[event(0.5, s__capacity=0), event(4.0, s__capacity=1)])
    rec = run(sc)
    assert rec.cases_out >= 1 and rec.steps[0].completions >= 1
