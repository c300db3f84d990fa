"""The mechanisms of real chains, each against theory or a case traced by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import det, event, poisson, replay, scenario, step
from queueing import mm1k_blocking, priority_waits

from ketensim.engine import run_replication
from ketensim.scenario.distributions import Exponential
from ketensim.scenario.model import (
    Arrival,
    Backlog,
    Calendar,
    Deadline,
    Dismissal,
    FailureDemand,
    Policy,
    Pool,
    QueueLimit,
    Reentry,
    Route,
    Sessions,
    TypeRule,
)


def run(sc, seed=1, rep=0):
    return run_replication(sc, rep, seed, sample_every=sc.horizon)


# -- priorities and case types ---------------------------------------------------------

def test_two_class_priority_matches_cobham():
    """Non-preemptive M/M/1 with two classes: W_k = W0 / ((1 - s_{k-1})(1 - s_k))."""
    lams, mean = [0.3, 0.45], 1.0
    s = replace(step("s", 1, mean), types=(TypeRule("hoog", priority=1),))
    arrivals = [Arrival("h", "s", lams[0], "hoog"), Arrival("l", "s", lams[1], "laag")]
    sc = scenario([s], arrivals, horizon=80_000, warmup=1_000)
    theory = priority_waits(lams, [mean, mean], [2 * mean**2, 2 * mean**2])  # 1.07, 4.29
    recs = [run(sc, rep=r) for r in range(3)]
    for k, name in enumerate(["hoog", "laag"]):
        waits = np.concatenate([
            r.steps[0].waits[r.steps[0].wait_types == r.case_types.index(name)] for r in recs
        ])
        # Standard errors over seeds: 1.5% (hoog) and 2.5% (laag).
        assert waits.mean() == pytest.approx(theory[k], rel=0.08), name


def test_case_types_get_their_own_service_and_routes():
    rule = TypeRule("verkeer", service=det(1.0), routes=(Route("exit", 1.0, "strafbeschikking"),))
    s = replace(step("om", 5, det(3.0), [("rechter", 1.0)]), types=(rule,))
    arrivals = [Arrival("a", "om", 0, "verkeer", times=(0.0,)),
                Arrival("b", "om", 0, "geweld", times=(0.0,))]
    sc = scenario([s, step("rechter", 1, det(2.0))], arrivals, horizon=10)
    rec = run(sc)
    assert rec.outcomes == {"done": 1, "strafbeschikking": 1}
    assert sorted(rec.lead_times.tolist()) == [1.0, 5.0]


# -- finite buffers ------------------------------------------------------------------

def test_mm1k_blocking_probability():
    lam, mu, k = 0.9, 1.0, 5
    s = replace(step("s", 1, 1 / mu), queue_limit=QueueLimit(k - 1, "reject", outcome="vol"))
    sc = scenario([s], [poisson("s", lam)], horizon=150_000, warmup=100)
    rec = run(sc)
    st = rec.steps[0]
    # Standard error over seeds: 1.2%.
    assert st.rejected / st.arrivals == pytest.approx(mm1k_blocking(lam, mu, k), rel=0.05)
    assert rec.outcomes["vol"] == st.rejected


def test_blocking_keeps_the_upstream_server_busy():
    """A (1 server, 1) -> B (1 server, 3, no waiting places, block). Cases at 0, 0, 0.

    A: c0 0-1, c1 1-2 then blocked 2-4, c2 4-5 then blocked 5-7.
    B: c0 1-4, c1 4-7, c2 7-10.
    """
    a = step("a", 1, det(1.0), [("b", 1.0)])
    b = replace(step("b", 1, det(3.0)), queue_limit=QueueLimit(0, "block"))
    rec = run(scenario([a, b], [replay("a", [0, 0, 0])], horizon=20))
    sa, sb = rec.steps
    assert sa.waits.tolist() == [0, 1, 4]
    assert sb.waits.tolist() == [0, 0, 0]
    assert sa.blocked_area == 4
    assert sa.busy_area == 3 + 4  # serving 3, holding 4
    assert rec.lead_times.tolist() == [4, 7, 10]
    assert rec.deadlock is None


def test_deadlock_is_detected_and_reported():
    a = replace(step("a", 1, det(1.0), [("b", 1.0)]), queue_limit=QueueLimit(0, "block"))
    b = replace(step("b", 1, det(1.0), [("a", 1.0)]), queue_limit=QueueLimit(0, "block"))
    arrivals = [Arrival("x", "a", 0, times=(0.0,)), Arrival("y", "b", 0, times=(0.0,))]
    rec = run(scenario([a, b], arrivals, horizon=10))
    assert rec.deadlock == (1.0, ("a", "b"))
    assert rec.wip_at_end == 2


def test_divert_when_full():
    a = replace(step("a", 1, det(5.0)), queue_limit=QueueLimit(0, "divert", divert_to="b"))
    rec = run(scenario([a, step("b", 1, det(1.0))], [replay("a", [0, 0])], horizon=10))
    assert rec.steps[0].diverted == 1 and rec.steps[1].arrivals == 1
    assert sorted(rec.lead_times.tolist()) == [1, 5]


# -- deadlines and dismissal -----------------------------------------------------------

def test_deadline_trace():
    s = replace(step("s", 1, det(5.0)), deadline=Deadline(det(2.0), "verjaard"))
    rec = run(scenario([s], [replay("s", [0, 1, 2])], horizon=10))
    assert rec.outcomes == {"done": 1, "verjaard": 2}
    assert rec.steps[0].reneged == 2
    assert rec.steps[0].queue_area == 2 + 2  # c1 waits 1-3, c2 waits 2-4


def abandonment_share(lam: float, mu: float, gamma: float, n_max: int = 400) -> float:
    """M/M/1+M: birth rate lam, death rate mu + (n - 1) gamma; share that abandons."""
    pi = [1.0]
    for n in range(1, n_max):
        pi.append(pi[-1] * lam / (mu + (n - 1) * gamma))
    pi = np.array(pi) / sum(pi)
    n = np.arange(n_max)
    return float((pi[1:] * (n[1:] - 1) * gamma).sum() / lam)


def test_abandonment_matches_the_birth_death_chain():
    lam, mu, patience = 1.0, 1.0, 2.0
    s = replace(step("s", 1, 1 / mu), deadline=Deadline(Exponential(patience), "weg"))
    rec = run(scenario([s], [poisson("s", lam)], horizon=100_000, warmup=100))
    share = rec.steps[0].reneged / rec.steps[0].arrivals
    # About 0.33; standard error over seeds 0.8%.
    assert share == pytest.approx(abandonment_share(lam, mu, 1 / patience), rel=0.04)


def test_dismissal_above_a_backlog_level():
    s = replace(step("s", 1, det(5.0)), dismissal=Dismissal(0, 1.0, "sepot"))
    rec = run(scenario([s], [replay("s", [0, 1, 2, 3])], horizon=30))
    assert rec.outcomes == {"done": 2, "sepot": 2}
    assert rec.steps[0].dismissed == 2


# -- sessions --------------------------------------------------------------------------

def test_court_sessions_trace():
    """Sessions at 0.5, 1.5, 2.5 ... hear up to two cases each, for 0.25."""
    s = replace(step("zitting", 1, det(9.0)), sessions=Sessions(1.0, 2, det(0.25), 0.5))
    rec = run(scenario([s], [replay("zitting", [0, 0.1, 0.2, 0.3, 1.6])], horizon=5))
    assert rec.steps[0].waits.tolist() == pytest.approx([0.5, 0.4, 1.3, 1.2, 0.9])
    assert rec.lead_times.tolist() == pytest.approx([0.75, 0.65, 1.55, 1.45, 1.15])


# -- calendars ------------------------------------------------------------------------

def test_saturated_step_works_capacity_times_working_fraction():
    """Open 6 hours on weekdays: 2 servers x 64 cases a day x 6/24 x 5/7.

    Service is not interrupted at closing time, so a period that does not hold
    a whole number of services runs over; 1/64 day fits 16 times in 6 hours
    (exact in binary), so the fraction shows exactly.
    """
    cal = Calendar("kantoor", hours=6, start_hour=9, weekdays=(1, 2, 3, 4, 5))
    s = replace(step("s", 2, det(1 / 64)), calendar="kantoor")
    sc = replace(scenario([s], [poisson("s", 200.0)], horizon=70), calendars=(cal,))
    rec = run(sc)
    assert rec.steps[0].completions / 70 == pytest.approx(2 * 64 * 6 / 24 * 5 / 7)
    assert rec.steps[0].capacity_area == pytest.approx(2 * 70 * 6 / 24 * 5 / 7)


def test_capacity_plan_from_the_calendar():
    cal = Calendar("plan", plan=((0.0, 1), (10.0, 3)))
    s = replace(step("s", 1, det(1.0)), calendar="plan")
    sc = replace(scenario([s], [replay("s", [0] * 6)], horizon=20), calendars=(cal,))
    # One at a time until 10 (waits 0..5 would need 6), then three at once.
    assert run(sc).steps[0].waits.tolist() == [0, 1, 2, 3, 4, 5]
    early = replace(sc, calendars=(Calendar("plan", plan=((0.0, 1), (2.0, 3))),))
    assert run(early).steps[0].waits.tolist() == [0, 1, 2, 2, 2, 3]


# -- hand-overs, feedback, backlog, WIP cap --------------------------------------------

def test_hand_over_delay():
    a = step("a", 1, det(1.0), [Route("b", 1.0, delay=det(2.0))])
    rec = run(scenario([a, step("b", 1, det(1.0))], [replay("a", [0])], horizon=10))
    assert rec.lead_times.tolist() == [4.0]


def test_rework_share_returns_cases_to_the_sender():
    """Half of the hand-overs come back: on average two visits to the sender per case."""
    a = step("a", 10, 0.1, [Route("b", 1.0, returned=0.5)])
    rec = run(scenario([a, step("b", 10, 0.1)], [poisson("a", 1.0)], horizon=20_000))
    assert rec.steps[0].arrivals / rec.steps[1].arrivals == pytest.approx(2.0, rel=0.03)
    assert rec.steps[0].returned == pytest.approx(rec.steps[1].arrivals, rel=0.03)


def test_reentry_after_leaving():
    a = step("a", 1, det(1.0), [Route("exit", 1.0, "vrij", reenter=Reentry(1.0, "a", det(10.0)))])
    rec = run(scenario([a], [replay("a", [0])], horizon=25))
    assert rec.cases_in == 3 and rec.reentries == 2
    assert rec.lead_times.tolist() == [1.0, 1.0, 1.0]


def test_backlog_at_start_keeps_its_age():
    s = replace(step("s", 1, det(1.0)), backlog=Backlog(queue=3, in_service=1, ages=(10, 5, 1)))
    rec = run(scenario([s], [replay("s", [])], horizon=10))
    assert rec.backlog_lead_times.tolist() == [1, 12, 8, 5]
    assert rec.cases_out == 4
    # The case in service at 0 reached the chain at 0, in the window; the others before it.
    assert rec.lead_times.tolist() == [1] and rec.cases_in == 1


def test_backlog_on_idle_servers_starts_at_once():
    """Ten cases waiting at time 0 on three free servers (handling 2): traced by hand.

    t=0: three start, 7 wait; t=2: three more, 4 wait; t=4: 1 waits; t=6: the last
    starts and is done at 8. Each lead time counts the case's age before time 0.
    """
    ages = (5, 4, 3, 2, 1, 0, 0, 0, 0, 0)
    s = replace(step("s", 3, det(2.0)), backlog=Backlog(queue=10, ages=ages))
    sc = scenario([s], [replay("s", [])], horizon=20)
    rec = run_replication(sc, 0, 1, sample_every=1.0)
    queue = dict(zip(rec.sample_times.tolist(), rec.queue_samples[0].tolist(), strict=True))
    assert [queue[t] for t in (1.0, 3.0, 5.0, 7.0, 9.0)] == [7, 4, 1, 0, 0]
    assert rec.backlog_lead_times.tolist() == [7, 6, 5, 6, 5, 4, 6, 6, 6, 8]
    assert rec.steps[0].busy_area == 20.0  # ten cases of 2: no server idles while cases wait
    # One rule: a wait counts when the case reached the step in the window. The five of
    # age 0 reached it at 0 and start at 2, 4, 4, 4 and 6; the older five reached it before 0.
    assert rec.steps[0].waits.tolist() == [2.0, 4.0, 4.0, 4.0, 6.0]
    assert rec.steps[0].arrivals == 5 and rec.cases_in == 5


def test_backlog_with_inflow_serves_the_werkvoorraad_first():
    """Two new cases at t=1 queue behind the werkvoorraad: they start at 6, wait 5, leave at 8."""
    s = replace(step("s", 3, det(2.0)), backlog=Backlog(queue=10, ages=(1.0,) * 10))
    rec = run(scenario([s], [replay("s", [1.0, 1.0])], horizon=20))
    assert rec.steps[0].waits.tolist() == [5.0, 5.0]  # the werkvoorraad reached it at -1
    assert rec.lead_times.tolist() == [7.0, 7.0]
    assert rec.backlog_lead_times.size == 10 and rec.cases_out == 12


def test_backlog_in_service_below_capacity_fills_the_spare_servers():
    s = replace(step("s", 3, det(2.0)), backlog=Backlog(queue=2, in_service=1))
    rec = run(scenario([s], [replay("s", [])], horizon=10))
    assert rec.backlog_lead_times.tolist() == [2.0, 2.0, 2.0]


def test_wip_cap_holds_cases_outside():
    sc = replace(scenario([step("a", 5, det(2.0))], [replay("a", [0, 0, 0])], horizon=10),
                 policies=(Policy("wip_cap", limit=1),))
    rec = run(sc)
    assert rec.lead_times.tolist() == [2, 4, 6]
    assert rec.outside_area == 2 * 2 + 1 * 2


# -- arrival patterns -----------------------------------------------------------------

def test_schedule_and_batches():
    sched = Arrival("in", "s", 1.0, schedule=((500.0, 3.0),), batch=det(2.0))
    sc = scenario([step("s", 100, 0.01)], [sched], horizon=1000, warmup=500)
    rec = run(sc)
    assert rec.cases_in % 2 == 0
    # 3 arrival moments a day over 500 days, two cases each: 3000 (sd 77 cases).
    assert rec.cases_in == pytest.approx(3000, rel=0.1)


def test_season_factors_shape_the_inflow():
    season = (2.0,) + (1.0,) * 11
    sc = scenario([step("s", 100, 0.01)], [Arrival("in", "s", 10.0, season=season)],
                  horizon=365.25 / 12, events=[event(365.25 / 24, in__rate=20.0)])
    rec = run(sc)
    # Rate 20 in the first half month, then the event's 20 times January's factor 2: 40.
    assert rec.cases_in == pytest.approx(365.25 / 24 * (20 + 40), rel=0.06)


# -- shared capacity, steering, failure demand ------------------------------------------

def pooled_pair(rule: str, shares=()):
    a = replace(step("a", 1, det(2.0)), pool="staf")
    b = replace(step("b", 1, det(2.0)), pool="staf")
    arrivals = [Arrival("x", "a", 0, times=(0.0, 1.0)), Arrival("y", "b", 0, times=(0.0,))]
    sc = scenario([a, b], arrivals, horizon=10)
    return replace(sc, pools=(Pool("staf", "p", 1, ("a", "b"), rule, shares),))


def test_pool_priority_rule_serves_the_first_step_first():
    rec = run(pooled_pair("priority"))
    assert rec.steps[0].waits.tolist() == [0, 1]
    assert rec.steps[1].waits.tolist() == [4]
    assert rec.pools["staf"] == (6.0, 10.0)


def test_pool_share_rule_serves_the_step_furthest_below_its_share():
    rec = run(pooled_pair("share", (0.2, 0.8)))
    assert rec.steps[0].waits.tolist() == [0, 3]
    assert rec.steps[1].waits.tolist() == [2]


def test_pool_shares_hold_under_saturation():
    a = replace(step("a", 10, 1.0), pool="staf")
    b = replace(step("b", 10, 1.0), pool="staf")
    sc = replace(scenario([a, b], [poisson("a", 20.0, "x"), poisson("b", 20.0, "y")],
                          horizon=500, warmup=50),
                 pools=(Pool("staf", "p", 10, ("a", "b"), "share", (0.3, 0.7)),))
    rec = run(sc)
    assert rec.steps[0].busy_area / rec.window == pytest.approx(3.0, rel=0.02)
    assert rec.steps[1].busy_area / rec.window == pytest.approx(7.0, rel=0.02)


def test_follow_inflow_sets_capacity_after_the_lag():
    times = [k / 3 + 0.1 for k in range(90)]  # 3 a day
    policy = Policy("follow_inflow", step="s", every=10, lag=5, target=1.0, budget=10)
    sc = replace(scenario([step("s", 1, det(1.0))], [replay("s", times)], horizon=30),
                 policies=(policy,))
    rec = run_replication(sc, 0, 1, sample_every=1.0)
    cap = dict(zip(rec.sample_times.tolist(), rec.capacity_samples[0].tolist(), strict=True))
    assert (cap[14], cap[16]) == (1, 3)


def test_flex_pool_moves_to_the_longest_queue():
    policy = Policy("flex_pool", steps=("a", "b"), every=5, servers=2)
    steps = [step("a", 1, det(1.0)), step("b", 1, det(10.0))]
    sc = replace(scenario(steps, [replay("b", [0.5] * 6)], horizon=20), policies=(policy,))
    rec = run_replication(sc, 0, 1, sample_every=1.0)
    assert rec.capacity_samples[:, 4].tolist() == [1, 1]
    assert rec.capacity_samples[:, 6].tolist() == [1, 3]


def test_failure_demand_makes_new_work():
    s = replace(step("s", 1, det(10.0)), failure_demand=FailureDemand(2.0, 1.0, "beroep", "nt"))
    sc = scenario([s, step("beroep", 1, det(1.0))], [replay("s", [0, 0])], horizon=30)
    rec = run(sc)
    assert rec.steps[0].late == 1
    assert rec.steps[1].arrivals == 1 and rec.cases_in == 3


def test_overtime_after_closing_keeps_utilisation_at_most_one():
    """Service of 0.3 day in a 09:00-17:00 weekday office runs past closing time."""
    cal = Calendar("kantoor", hours=8, start_hour=9, weekdays=(1, 2, 3, 4, 5))
    s = replace(step("s", 1, det(0.3)), calendar="kantoor")
    sc = replace(scenario([s], [poisson("s", 3.0)], horizon=70), calendars=(cal,))
    st = run(sc).steps[0]
    assert 0.95 < st.busy_area / st.capacity_area <= 1.0


def test_divert_to_a_full_step_counts_as_rejected_only():
    a = replace(step("a", 1, det(1.0)), queue_limit=QueueLimit(0, "divert", divert_to="b"))
    b = replace(step("b", 1, det(1.0)), queue_limit=QueueLimit(0))
    rec = run(scenario([a, b], [poisson("a", 5.0)], horizon=100))
    sa, sb = rec.steps
    assert sa.diverted == sb.arrivals
    assert sa.diverted + sa.rejected + sa.completions + sa.in_service_at_end == sa.arrivals


def test_flex_pool_and_follow_inflow_on_one_step_keep_both():
    """The director's flexible servers come on top of what the step decided for itself."""
    steps = [step("a", 2, det(1.0)), step("b", 2, det(1.0))]
    to_a = [k / 4 + 0.01 for k in range(800)]  # exactly 4 a day: a decides on 5 servers
    to_b = [k + 0.5 for k in range(100)] + [100 + k / 6 for k in range(600)]
    arrivals = [replay("a", to_a, "x"), replay("b", to_b, "y")]
    policies = (Policy("follow_inflow", step="a", every=10, lag=30, target=0.8, minimum=2),
                Policy("flex_pool", steps=("a", "b"), every=5, servers=3))
    sc = replace(scenario(steps, arrivals, horizon=200), policies=policies)
    caps = run_replication(sc, 0, 1, sample_every=1.0).capacity_samples
    # From day 41 on: a's own 5, b's own 2 and the 3 flexible servers, wherever they are.
    assert (caps.sum(axis=0)[41:] == 5 + 2 + 3).all()
    assert caps[1, 150] == 2 + 3  # b's queue is the longest after its inflow rose
