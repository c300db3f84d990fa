"""Partner visits, the cumulative flow per step and the waits of cases still waiting.

Hand traces fix what a visit is (from the first step of a partner to leaving
its last one); Little's law and an overloaded queue check the figures in the
long run; the flow identity (taken in minus left is the stock) must hold at
every sample, whatever mechanism moves the cases.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from builders import det, event, poisson, replay, scenario, step

from ketensim.engine.run import run_replication
from ketensim.results.rows import partner_rows, replication_rows
from ketensim.scenario.distributions import Deterministic, Exponential
from ketensim.scenario.model import Backlog, Deadline, Dismissal, QueueLimit, Route


def _partners(sc, seed=1, fast=True):
    record = run_replication(sc, 0, seed, fast=fast)
    return {row["partner"]: row for row in partner_rows(record, sc)}, record


def _two_partners():
    """Cases 1 and 2 enter at 1 and 1.5: A has steps a1, a2 (1 unit each), B one step (2)."""
    return scenario(
        [step("a1", 1, det(1.0), [("a2", 1.0)], partner="A"),
         step("a2", 1, det(1.0), [("b", 1.0)], partner="A"),
         step("b", 1, det(2.0), [], partner="B")],
        [replay("a1", [1.0, 1.5])], horizon=10.0)


@pytest.mark.parametrize("fast", [True, False])
def test_a_visit_runs_from_the_partners_first_step_to_leaving_its_last(fast):
    # A: case 1 in 1-3 (2), case 2 in 1.5-4 (2.5). B: case 1 in 3-5 (2), case 2 in 4-7 (3).
    rows, _ = _partners(_two_partners(), fast=fast)
    a, b = rows["A"], rows["B"]
    assert (a["arrivals"], a["completions"], a["stock_at_end"]) == (2, 2, 0)
    assert a["mean_time"] == pytest.approx(2.25)
    assert a["mean_stock"] == pytest.approx(4.5 / 10)
    assert a["utilization"] == pytest.approx(4.0 / 20)  # two servers, busy 2 units each
    assert b["mean_time"] == pytest.approx(2.5)
    assert b["mean_stock"] == pytest.approx(5.0 / 10)
    assert b["utilization"] == pytest.approx(4.0 / 10)


def test_visits_follow_the_warmup_rule_and_open_ones_make_the_stock():
    # Warm-up 1.2: case 1 (took in at 1) counts as no arrival at A and its time is not
    # counted, but it completes in the window; at horizon 6 case 2 is still in B.
    sc = dataclasses.replace(_two_partners(), warmup=1.2, horizon=6.0)
    rows, _ = _partners(sc)
    a, b = rows["A"], rows["B"]
    assert (a["arrivals"], a["completions"]) == (1, 2)
    assert a["mean_time"] == pytest.approx(2.5)
    assert (b["arrivals"], b["completions"], b["stock_at_end"]) == (2, 1, 1)
    assert b["mean_time"] == pytest.approx(2.0)
    assert b["mean_stock"] == pytest.approx((2.0 + 2.0) / 4.8)  # case 1 3-5, case 2 4-6


def test_a_hand_over_between_two_steps_of_one_partner_stays_in_the_visit():
    route = Route("a2", 1.0, delay=Deterministic(0.5))
    sc = scenario([step("a1", 1, det(1.0), [route], partner="A"),
                   step("a2", 1, det(1.0), [], partner="A")],
                  [replay("a1", [1.0])], horizon=10.0)
    rows, _ = _partners(sc)
    assert rows["A"]["mean_time"] == pytest.approx(2.5)  # 1 + 0.5 on the way + 1
    assert rows["A"]["mean_stock"] == pytest.approx(2.5 / 10)
    rows, _ = _partners(dataclasses.replace(sc, horizon=2.2))
    assert rows["A"]["stock_at_end"] == 1  # on its way between a1 and a2 at the horizon


def test_a_hand_over_to_another_partner_ends_the_visit_when_the_case_leaves():
    route = Route("b", 1.0, delay=Deterministic(0.5))
    sc = scenario([step("a", 1, det(1.0), [route], partner="A"),
                   step("b", 1, det(1.0), [], partner="B")],
                  [replay("a", [1.0])], horizon=10.0)
    rows, _ = _partners(sc)
    assert rows["A"]["mean_time"] == pytest.approx(1.0)
    assert rows["B"]["mean_time"] == pytest.approx(1.0)
    assert rows["A"]["mean_stock"] + rows["B"]["mean_stock"] == pytest.approx(0.2)


def test_a_dismissed_case_ends_its_visit_at_once_and_a_rejected_one_never_starts():
    om = dataclasses.replace(step("om", 1, det(5.0), [], partner="OM"),
                             dismissal=Dismissal(above=0, share=1.0, outcome="sepot"))
    sc = scenario([step("pol", 1, det(0.5), [("om", 1.0)], partner="POL"), om],
                  [replay("pol", [0.0, 1.0, 2.0])], horizon=20.0)
    rows, _ = _partners(sc)
    # case 1 is served (0.5 -> 5.5); cases 2 and 3 find one waiting? no: the queue is empty
    # while case 1 is in service, so they wait; dismissal needs a queue above 0.
    assert rows["OM"]["arrivals"] == 3 == rows["OM"]["completions"] + rows["OM"]["stock_at_end"]
    full = dataclasses.replace(step("om", 1, det(5.0), [], partner="OM"),
                               queue_limit=QueueLimit(size=0, policy="reject", outcome="weg"))
    sc = scenario([step("pol", 1, det(0.5), [("om", 1.0)], partner="POL"), full],
                  [replay("pol", [0.0, 1.0])], horizon=20.0)
    rows, _ = _partners(sc)
    assert rows["OM"]["arrivals"] == 1  # the second case was turned away at the door
    assert rows["POL"]["completions"] == 2  # ... and its police visit ended then


def _flow_ok(record, sc):
    rows = replication_rows(record, sc)["timeseries"]
    stock = rows["queue"] + rows["in_service"]
    assert np.array_equal(rows["arrived"] - rows["left"], stock)
    assert (np.diff(rows["arrived"], axis=1) >= 0).all()
    assert (np.diff(rows["left"], axis=1) >= 0).all()


MECHANISMS = {
    "block": lambda s: dataclasses.replace(s, queue_limit=QueueLimit(size=2, policy="block")),
    "reject": lambda s: dataclasses.replace(
        s, queue_limit=QueueLimit(size=1, policy="reject", outcome="weg")),
    "deadline": lambda s: dataclasses.replace(
        s, deadline=Deadline(max_wait=Exponential(2.0), outcome="te_laat")),
    "dismissal": lambda s: dataclasses.replace(
        s, dismissal=Dismissal(above=3, share=0.5, outcome="sepot")),
    "backlog": lambda s: dataclasses.replace(s, backlog=Backlog(queue=8, ages=(3.0,) * 8,
                                                                 in_service=1)),
}


@pytest.mark.parametrize("name", sorted(MECHANISMS))
def test_taken_in_minus_left_is_the_stock_at_every_sample(name):
    second = MECHANISMS[name](step("b", 1, 1.2, [], partner="B"))
    sc = scenario([step("a", 2, 0.9, [("b", 1.0)], partner="A"), second],
                  [poisson("a", 1.0)], horizon=200.0, warmup=20.0,
                  events=[event(100.0, b__capacity=2)])
    record = run_replication(sc, 0, 3, fast=False)
    _flow_ok(record, sc)
    series = replication_rows(record, sc)["timeseries"]
    assert series["arrived"][1, 0] == (9 if name == "backlog" else 0)  # the werkvoorraad at 0


def test_the_fast_path_counts_the_same_flow():
    sc = scenario([step("a", 2, 0.9, [("b", 1.0)], partner="A"), step("b", 1, 0.6, [])],
                  [poisson("a", 1.0)], horizon=300.0, warmup=30.0)
    fast, slow = run_replication(sc, 0, 5), run_replication(sc, 0, 5, fast=False)
    assert fast.fast and not slow.fast
    assert np.array_equal(fast.arrived_samples, slow.arrived_samples)
    assert np.array_equal(fast.left_samples, slow.left_samples)
    assert fast.partners == slow.partners
    _flow_ok(fast, sc)


def test_littles_law_holds_for_a_partner_with_two_steps():
    # Tandem M/M/1 at load 0.5 in one partner: time with it 2 / (1 - 0.5) = 4 on average.
    sc = scenario([step("a1", 1, 1.0, [("a2", 1.0)], partner="A"),
                   step("a2", 1, 1.0, [("b", 1.0)], partner="A"),
                   step("b", 1, 0.5, [], partner="B")],
                  [poisson("a1", 0.5)], horizon=60_000.0, warmup=500.0)
    rows, _ = _partners(sc, seed=11)
    a = rows["A"]
    rate = a["arrivals"] / (sc.horizon - sc.warmup)
    assert a["mean_time"] == pytest.approx(4.0, rel=0.06)
    assert a["mean_stock"] == pytest.approx(rate * a["mean_time"], rel=0.01)
    assert a["utilization"] == pytest.approx(0.5, rel=0.03)


def test_the_waits_of_cases_still_waiting_show_what_the_started_ones_hide():
    # lambda 2, mu 1: about 4,000 wait at t = 4,000, having arrived since about t = 2,000;
    # the pace of the last 400 units (about 400 +- 20 completions) is 1 +- 5%.
    sc = scenario([step("s", 1, 1.0, [])], [poisson("s", 2.0)], horizon=4000.0)
    row = replication_rows(run_replication(sc, 0, 2), sc)["steps"][0]
    assert row["wait_ahead_at_end"] == pytest.approx(row["queue_at_end"] / 1.0, rel=0.15)
    assert row["waiting_age_at_end"] == pytest.approx(1000.0, rel=0.1)
    assert row["wait_ahead_at_end"] > 3 * row["mean_wait"]


def test_nobody_waiting_means_no_age_and_no_wait_ahead():
    sc = scenario([step("s", 3, 1.0, [])], [poisson("s", 0.5)], horizon=50.0)
    row = replication_rows(run_replication(sc, 0, 2), sc)["steps"][0]
    if row["queue_at_end"] == 0:
        assert np.isnan(row["waiting_age_at_end"]) and row["wait_ahead_at_end"] == 0.0


def test_a_step_that_stopped_working_has_no_estimate_of_the_wait_ahead():
    sc = scenario([step("s", 1, 1.0, [])], [poisson("s", 0.8)], horizon=100.0,
                  events=[event(50.0, s__capacity=0)])
    row = replication_rows(run_replication(sc, 0, 2), sc)["steps"][0]
    assert row["queue_at_end"] > 0 and np.isnan(row["wait_ahead_at_end"])
