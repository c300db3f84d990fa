"""The pieces a calibrated base needs: a werkvoorraad with its ages, stocks as partners
publish them, limits that hold back only some case types, and failure demand that
starts at the model's time 0.

Each answer is known by hand: replayed arrivals and deterministic times.
"""

from __future__ import annotations

import dataclasses

import pytest
from builders import det, replay, scenario, step
from scenario_texts import load, on, problems

import ketensim
from ketensim.scenario.model import Arrival, Backlog, FailureDemand, QueueLimit


def test_oldest_spreads_the_ages_evenly_from_the_oldest_case_down_to_zero():
    b = Backlog(queue=5, oldest=8.0)
    assert [b.age(k) for k in range(5)] == [8.0, 6.0, 4.0, 2.0, 0.0]
    assert Backlog(queue=1, oldest=3.0).age(0) == 3.0
    assert Backlog(queue=3).age(2) == 0.0
    assert Backlog(queue=2, ages=(5.0, 1.0), oldest=9.0).age(0) == 5.0  # a file wins


def test_the_oldest_key_is_read_and_refused_beside_a_file_or_below_zero(tmp_path):
    ok = load(tmp_path, on("a", "backlog = { queue = 4, oldest = 30 }"))
    assert ok.step("a").backlog.oldest == 30.0
    (tmp_path / "leeftijden.csv").write_text("age\n1\n2\n", encoding="utf-8")
    beside = problems(tmp_path, on("a", 'backlog = { file = "leeftijden.csv", oldest = 30 }'))
    assert len(beside) == 1 and ": step.a.backlog.oldest: " in beside[0]
    assert "oldest or file, not both" in beside[0]
    negative = problems(tmp_path, on("a", "backlog = { queue = 4, oldest = -1 }"))
    assert len(negative) == 1 and ": step.a.backlog.oldest: " in negative[0]


def test_cases_of_the_werkvoorraad_wait_their_age_plus_the_queue_ahead():
    """Three waiting cases aged 4, 2, 0 at a one-server step of one time unit each: they
    start at 0, 1, 2 and leave at 1, 2, 3; their lead times include the age."""
    s = dataclasses.replace(step("s", 1, det(1.0), [("exit", 1.0)]),
                            backlog=Backlog(queue=3, oldest=4.0))
    sc = scenario([s], [replay("s", [10.0])], horizon=20)
    chain = ketensim.simulate(sc).chain.iloc[0]
    assert chain["backlog_cleared"] == 3
    assert chain["mean_backlog_lead_time"] == pytest.approx(((4 + 1) + (2 + 2) + (0 + 3)) / 3)


def test_the_stock_counts_every_open_case_and_the_queue_stays_its_own_column():
    s = dataclasses.replace(step("s", 2, det(100.0), [("exit", 1.0)]),
                            backlog=Backlog(queue=5, in_service=2))
    row = ketensim.simulate(scenario([s], [replay("s", [1.0])], horizon=10)).steps.iloc[0]
    assert row["queue_at_end"] == 6 and row["in_service_at_end"] == 2
    assert row["stock_at_end"] == 8
    assert row["mean_stock"] == pytest.approx((7 * 1 + 8 * 9) / 10)


def test_a_limit_for_some_case_types_turns_only_those_away():
    """One server busy for 10 units; an 'ambulance' finds it full and is rejected, a
    walk-in ('eigen') joins the queue whatever its length."""
    s = dataclasses.replace(step("s", 1, det(10.0), [("exit", 1.0)]),
                            queue_limit=QueueLimit(0, "reject", outcome="weg",
                                                   types=("ambulance",)))
    arrivals = [Arrival("a", "s", 0.0, times=(0.0, 1.0), types=("eigen", "ambulance")),
                Arrival("b", "s", 0.0, times=(2.0, 3.0), case_type="eigen")]
    done = ketensim.simulate(scenario([s], arrivals, horizon=100))
    row = done.steps.iloc[0]
    assert row["rejected"] == 1 and row["completions"] == 3
    assert done.outcomes.set_index("outcome").loc["weg", "cases"] == 1


@pytest.mark.parametrize("types, key, words", [
    ('["ambulanse"]', "step.a.queue_limit.types[0]", "no arrival brings case type ambulanse"),
    ("[]", "step.a.queue_limit.types", "must be a non-empty list of case types"),
    ('"ambulance"', "step.a.queue_limit.types", "must be a non-empty list of case types"),
])
def test_the_types_of_a_limit_are_case_types_something_brings(tmp_path, types, key, words):
    found = problems(tmp_path, on("a", f"queue_limit = {{ size = 0, types = {types} }}"))
    assert len(found) == 1 and f": {key}: {words}" in found[0], found


def test_failure_demand_counts_only_terms_reached_after_the_start():
    """Waiting cases aged 8, 4 and 0 with a term of 6: the oldest passed it before the
    model's time began; the other two reach it at 2 and 6 while still waiting."""
    s = dataclasses.replace(
        step("s", 1, det(20.0), [("exit", 1.0)]),
        backlog=Backlog(queue=3, oldest=8.0, in_service=1),
        failure_demand=FailureDemand(after=6.0, p=1.0, to="klacht", case_type="klacht"))
    k = step("klacht", 5, det(0.5), [("exit", 1.0)])
    done = ketensim.simulate(scenario([s, k], [replay("s", [30.0])], horizon=15))
    rows = done.steps.set_index("step")
    assert rows.loc["s", "late"] == 2
    assert rows.loc["klacht", "arrivals"] == 2
