"""Inputs known within a range: one draw per input and replication, applied everywhere.

The interval over replications must hold the input uncertainty when a scenario names it,
reproducibly (same bytes whatever the worker count), with common draws for scenarios that
name the same input, and the words must say which kind of interval is shown.
"""

from __future__ import annotations

import dataclasses

import pytest
from analysis_scenarios import chain, invoke, write

import ketensim
from ketensim.errors import ScenarioError
from ketensim.present.words.summary import interval_kind
from ketensim.scenario import uncertainty
from ketensim.scenario.distributions import Gamma, Triangular

UNCERTAIN = """
[[uncertain]]
key = "arrival.aanvragen.rate"
low = 0.7
high = 1.3
label = "de instroom (±30%)"

[[uncertain]]
key = "step.besluit.service"
low = 0.8
high = 1.2

[[uncertain]]
key = "step.intake.capacity"
low = 1.0
high = 1.5
"""

EVENT = """
[[event]]
at = 40
set = { "arrival.aanvragen.rate" = 1.0, "step.intake.capacity" = 4 }
"""


@pytest.fixture
def sure(tmp_path):
    return ketensim.load(write(tmp_path, "zeker.toml", chain("zeker", replications=12)))


@pytest.fixture
def unsure(tmp_path):
    return ketensim.load(write(tmp_path, "onzeker.toml",
                               chain("onzeker", replications=12, extra=UNCERTAIN + EVENT)))


def test_each_replication_draws_its_own_factor_within_the_range(unsure):
    drawn = [uncertainty.factors(unsure, rep, 5) for rep in range(12)]
    rates = [d["arrival.aanvragen.rate"] for d in drawn]
    assert all(0.7 <= r <= 1.3 for r in rates)
    assert len(set(rates)) == 12  # a draw per replication, not one for the run
    assert drawn == [uncertainty.factors(unsure, rep, 5) for rep in range(12)]  # repeatable
    assert drawn != [uncertainty.factors(unsure, rep, 6) for rep in range(12)]  # seeded


def test_the_draw_of_an_input_does_not_depend_on_the_other_inputs(unsure):
    """Two scenarios naming the same input get the same factor: comparisons stay paired."""
    alone = dataclasses.replace(unsure, uncertain=unsure.uncertain[:1])
    for rep in range(5):
        key = "arrival.aanvragen.rate"
        assert uncertainty.factors(alone, rep, 5)[key] == uncertainty.factors(unsure, rep, 5)[key]


def test_the_factors_reach_rates_capacities_service_times_and_later_events(unsure):
    done = uncertainty.apply(unsure, {"arrival.aanvragen.rate": 1.2,
                                      "step.besluit.service": 0.5,
                                      "step.intake.capacity": 1.5})
    assert done.arrival("aanvragen").rate == pytest.approx(1.8)
    assert done.step("besluit").service.mean == pytest.approx(0.25)
    assert done.step("intake").capacity == 3
    changes = {ch.key: ch.value for ch in done.events[0].changes}
    assert changes["arrival.aanvragen.rate"] == pytest.approx(1.2)
    assert changes["step.intake.capacity"] == 6


def test_scaling_keeps_the_shape_of_a_distribution():
    g = uncertainty.scaled(Gamma(mean_=2.0, cv_=0.5), 1.5)
    assert g.mean == pytest.approx(3.0) and g.cv == pytest.approx(0.5)
    t = uncertainty.scaled(Triangular(low=1.0, mode=2.0, high=4.0), 2.0)
    assert (t.low, t.mode, t.high) == (2.0, 4.0, 8.0)


def test_the_interval_holds_the_input_uncertainty(sure, unsure):
    """Over a long window chance averages out; an inflow known to +-30% does not."""
    long = {"horizon": 3000.0, "warmup": 100.0}
    narrow = ketensim.simulate(dataclasses.replace(sure, **long)).interval("mean_lead_time")
    only_inflow = dataclasses.replace(unsure, uncertain=unsure.uncertain[:1], events=(), **long)
    wide = ketensim.simulate(only_inflow).interval("mean_lead_time")
    assert (wide.high - wide.low) > 3 * (narrow.high - narrow.low)


def test_the_same_bytes_whatever_the_number_of_workers(unsure):
    one = ketensim.simulate(unsure, jobs=1)
    two = ketensim.simulate(unsure, jobs=2)
    assert one.steps.to_csv() == two.steps.to_csv()
    assert one.chain.to_csv() == two.chain.to_csv()


def test_the_words_say_which_kind_of_interval_it_is(sure, unsure):
    assert "alleen het toeval" in interval_kind(sure, "nl")
    text = interval_kind(unsure, "nl")
    assert "onzekerheid in de invoer" in text and "de instroom (±30%)" in text
    assert "step.besluit.service (x0,8-1,2)" in text
    assert "chance variation between replications only" in interval_kind(sure, "en")


def test_the_run_summary_and_report_say_it_too(tmp_path):
    path = write(tmp_path, "onzeker.toml", chain("onzeker", replications=3, extra=UNCERTAIN))
    done = invoke("run", path, "--out", tmp_path / "uit")
    assert done.exit_code == 0, done.output
    assert "onzekerheid in de invoer" in " ".join(done.stdout.split())
    html = (tmp_path / "uit" / "report.html").read_text(encoding="utf-8")
    assert "onzekerheid in de invoer" in html


@pytest.mark.parametrize("entry, where, expected", [
    ('key = "arrival.aanvragen.capacity"\nlow = 0.9\nhigh = 1.1',
     'uncertain."arrival.aanvragen.capacity".key',
     "arrival.<id>.rate"),
    ('key = "step.nergens.service"\nlow = 0.9\nhigh = 1.1', 'uncertain."step.nergens.service".key',
     "one of intake, besluit"),
    ('key = "step.besluit.service"\nlow = 1.2\nhigh = 0.9', 'uncertain."step.besluit.service".high',
     "a factor >= low"),
    ('key = "step.besluit.service"\nlow = 0\nhigh = 0.9', 'uncertain."step.besluit.service".low',
     "> 0"),
])
def test_a_bad_range_is_one_clear_message(tmp_path, entry, where, expected):
    path = write(tmp_path, "fout.toml", chain("fout", extra=f"\n[[uncertain]]\n{entry}\n"))
    with pytest.raises(ScenarioError) as info:
        ketensim.load(path)
    problems = info.value.problems
    assert len(problems) == 1
    assert problems[0].key == where
    assert expected in str(problems[0])
