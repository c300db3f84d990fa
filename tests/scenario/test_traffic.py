"""Traffic equations against networks solved by hand, and against the engine."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from builders import event, poisson, scenario, step

from ketensim.scenario import traffic
from ketensim.scenario.distributions import Exponential
from ketensim.scenario.model import Calendar, Partner, Pool, Route, TypeRule


def feedback():
    """intake -> besluit; 20% goes back to intake: lambda = gamma / 0.8 at both steps."""
    return scenario(
        [
            step("intake", 2, 1.0, [("besluit", 1.0)]),
            step("besluit", 1, 0.5, [("intake", 0.2), ("exit", 0.8, "klaar")]),
        ],
        [poisson("intake", 1.2)],
        horizon=100,
    )


def test_feedback_loop_gives_gamma_over_exit_share():
    loads = traffic.offered_loads(feedback())
    assert [x.arrival_rate for x in loads] == pytest.approx([1.5, 1.5])
    assert loads[0].rho == pytest.approx(1.5 * 1.0 / 2)
    assert loads[1].rho == pytest.approx(1.5 * 0.5 / 1)
    assert traffic.visit_ratios(feedback()) == pytest.approx({"intake": 1.25, "besluit": 1.25})


def test_split_and_merge_by_hand():
    # a splits 30/70 to b and c; both go to d; two sources feed a and c.
    sc = scenario(
        [
            step("a", 1, 0.1, [("b", 0.3), ("c", 0.7)]),
            step("b", 1, 1.0, [("d", 1.0)]),
            step("c", 3, 0.5, [("d", 0.5), ("exit", 0.5)]),
            step("d", 2, 0.2),
        ],
        [poisson("a", 4.0, "x"), poisson("c", 1.0, "y")],
        horizon=10,
    )
    rates = traffic.arrival_rates(sc)
    assert rates == pytest.approx({"a": 4.0, "b": 1.2, "c": 3.8, "d": 1.2 + 1.9})
    by_id = {x.step: x for x in traffic.offered_loads(sc)}
    assert by_id["b"].rho == pytest.approx(1.2)
    assert by_id["b"].overloaded and not by_id["c"].overloaded


def test_solve_matches_matrix_inverse():
    routing = np.array([[0.0, 0.5, 0.3], [0.1, 0.0, 0.6], [0.2, 0.2, 0.0]])
    gamma = np.array([1.0, 0.5, 0.0])
    expected = np.linalg.inv(np.eye(3) - routing.T) @ gamma
    assert traffic.solve(gamma, routing) == pytest.approx(expected)


def test_closed_loop_is_a_clear_error():
    sc = scenario(
        [step("a", 1, 1.0, [("b", 1.0)]), step("b", 1, 1.0, [("a", 1.0)])],
        [poisson("a", 1.0)],
        horizon=10,
    )
    with pytest.raises(ValueError, match="a, b can never leave"):
        traffic.offered_loads(sc)


def test_loop_nobody_reaches_is_harmless():
    sc = scenario(
        [step("a", 1, 1.0), step("b", 1, 1.0, [("c", 1.0)]), step("c", 1, 1.0, [("b", 1.0)])],
        [poisson("a", 0.5)],
        horizon=10,
    )
    assert traffic.arrival_rates(sc) == pytest.approx({"a": 0.5, "b": 0.0, "c": 0.0})


def test_closed_step_with_work_has_infinite_load():
    sc = scenario([step("a", 0, 1.0), step("b", 0, 1.0)], [poisson("a", 1.0)], horizon=10)
    a, b = traffic.offered_loads(sc)
    assert math.isinf(a.rho) and a.overloaded
    assert b.rho == 0 and not b.overloaded


def test_phases_apply_events_cumulatively():
    sc = scenario(
        [step("a", 2, 1.0, [("b", 1.0)]), step("b", 1, 0.5)],
        [poisson("a", 1.5)],
        horizon=100,
        events=[event(50, b__capacity=0), event(80, in__rate=0.5),
                event(80, b__capacity=2), event(100, a__capacity=1)],
    )
    phases = traffic.phases(sc)
    assert [(p.start, p.end) for p in phases] == [(0, 50), (50, 80), (80, 100)]
    assert [len(p.events) for p in phases] == [0, 1, 2]
    assert phases[0].overloaded == ()
    assert phases[1].overloaded == ("b",)
    assert phases[2].load("b").rho == pytest.approx(0.5 * 0.5 / 2)
    assert phases[2].load("a").capacity == 2  # the event at the horizon never happens


def test_event_at_zero_opens_the_first_phase():
    sc = scenario([step("a", 1, 1.0)], [poisson("a", 0.5)], horizon=10,
                  events=[event(0, a__capacity=2)])
    (only,) = traffic.phases(sc)
    assert only.start == 0 and len(only.events) == 1
    assert only.load("a").rho == pytest.approx(0.25)


def test_rework_is_feedback_to_the_sender():
    sc = scenario(
        [step("a", 1, 0.5, [Route("b", 1.0, returned=0.25)]), step("b", 1, 0.5)],
        [poisson("a", 0.6)],
        horizon=10,
    )
    assert traffic.arrival_rates(sc) == pytest.approx({"a": 0.8, "b": 0.6})


def test_case_types_have_their_own_service():
    typed = replace(step("a", 2, 1.0), types=(TypeRule("zwaar", Exponential(3.0)),))
    heavy = replace(poisson("a", 0.2, "z"), case_type="zwaar")
    sc = scenario([typed], [poisson("a", 0.4), heavy], horizon=10)
    (a,) = traffic.offered_loads(sc)
    assert a.arrival_rate == pytest.approx(0.6)
    assert a.rho == pytest.approx((0.4 * 1.0 + 0.2 * 3.0) / 2)
    assert a.mean_service == pytest.approx((0.4 * 1.0 + 0.2 * 3.0) / 0.6)


def test_calendar_scales_available_capacity():
    sc = scenario([step("a", 10, 1.0)], [poisson("a", 2.0)], horizon=70)
    office = Calendar("kantoor", hours=8, weekdays=(1, 2, 3, 4, 5))
    sc = replace(sc, calendars=(office,), partners=(Partner("p", calendar="kantoor"),))
    (a,) = traffic.offered_loads(sc)
    assert a.available == pytest.approx(10 * 8 / 24 * 5 / 7)
    assert a.rho == pytest.approx(2.0 / a.available)


def test_arrival_rates_match_the_engine():
    """Jackson network: the simulated arrival rate per step matches the equations."""
    from ketensim import engine

    sc = replace(feedback(), horizon=4000.0, warmup=100.0)
    record = engine.run_replication(sc, 0, 5, sample_every=4000.0)
    expected = traffic.arrival_rates(sc)
    for sr in record.steps:
        assert sr.arrivals / record.window == pytest.approx(expected[sr.step], rel=0.05)


def test_shared_pool_adds_the_work_of_its_steps():
    sc = scenario(
        [step("a", 3, 1.0, [("b", 1.0)]), step("b", 3, 1.0)], [poisson("a", 1.2)], horizon=10
    )
    sc = replace(sc, pools=(Pool("team", "p", 2, ("a", "b")),))
    (phase,) = traffic.phases(sc)
    assert phase.load("a").rho == pytest.approx(0.4) and not phase.overloaded
    (team,) = phase.pools
    assert team.rho == pytest.approx(2.4 / 2) and team.overloaded


def test_sessions_in_a_calendar_count_held_sessions_not_open_hours(tmp_path):
    """Sessions at 09:00 on weekdays, 10 cases each: 5 a day offered is 5/(10 x 5/7) = 0.70."""
    path = tmp_path / "zitting.toml"
    path.write_text("""
[scenario]
name = "zitting"
horizon = 70
[[calendar]]
id = "kantoor"
weekdays = [1, 2, 3, 4, 5]
start_hour = 8
hours = 6
[[partner]]
id = "rb"
calendar = "kantoor"
[[step]]
id = "zitting"
partner = "rb"
capacity = 1
service = { dist = "deterministic", mean = 0.25 }
sessions = { every = 1, size = 10, duration = 0.25, offset = 0.375 }
[[arrival]]
id = "in"
to = "zitting"
rate = 5
""", encoding="utf-8")
    from ketensim import load
    from ketensim.scenario.traffic import offered_loads

    (load_,) = offered_loads(load(path))
    assert load_.rho == pytest.approx(0.70, abs=0.01)


def test_a_chain_of_two_thousand_steps_solves_like_the_dense_equations():
    """The sparse solver agrees with lambda = (I - P^T)^-1 gamma solved densely."""
    import numpy as np

    from ketensim.scenario.distributions import Exponential
    from ketensim.scenario.model import Arrival, Partner, Route, Scenario, Step

    n = 2000
    steps = []
    for i in range(n):
        routes = (Route(f"s{i + 1}", 0.9), Route(f"s{max(0, i - 3)}", 0.1)) if i + 1 < n \
            else (Route("exit", 1.0),)
        steps.append(Step(f"s{i}", "p", 10, Exponential(0.5), routes))
    sc = Scenario("groot", horizon=10.0, partners=(Partner("p"),), steps=tuple(steps),
                  arrivals=(Arrival("in", "s0", 1.0),))
    rates = traffic.arrival_rates(sc)
    dense = np.zeros((n, n))
    for i in range(n - 1):
        dense[i, i + 1] += 0.9
        dense[i, max(0, i - 3)] += 0.1
    gamma = np.zeros(n)
    gamma[0] = 1.0
    expected = np.linalg.solve(np.eye(n) - dense.T, gamma)
    got = np.array([rates[f"s{i}"] for i in range(n)])
    assert np.allclose(got, expected, rtol=1e-9)
