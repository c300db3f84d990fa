"""Loads before and after an intervention compare like with like: the same period, the same
season. A season that overloads a step is named as such, not taken for the intervention."""

from __future__ import annotations

import pytest

import ketensim
from ketensim.present.words.check import check_report, season_lines
from ketensim.present.words.summary import run_summary
from ketensim.scenario.periods import season_overloads
from ketensim.scenario.traffic import phases

# intake: 1.5 a day on two servers of a day (load 0.75), half as much again from month 7 on
# (load 1.125); besluit gets a second server at day 190, which has nothing to do with it
TEXT = """
[scenario]
name = "seizoen"
horizon = 365
warmup = 30
replications = 2
seed = 1

[[partner]]
id = "gemeente"

[[step]]
id = "intake"
partner = "gemeente"
capacity = 2
service = { dist = "exponential", mean = 1.0 }
routes = [{ to = "besluit", p = 1.0 }]

[[step]]
id = "besluit"
partner = "gemeente"
capacity = 1
service = { dist = "exponential", mean = 0.5 }
routes = []

[[arrival]]
id = "aanvragen"
to = "intake"
rate = 1.5
season = [1, 1, 1, 1, 1, 1, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]

[[event]]
at = 190
label = "tweede beslisser"
set = { "step.besluit.capacity" = 2 }
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("season") / "seizoen.toml"
    path.write_text(TEXT, encoding="utf-8")
    return ketensim.load(path)


def test_the_unchanged_loads_are_those_of_the_same_period(scenario):
    first, last = phases(scenario)
    assert last.load("intake").rho == pytest.approx(1.125)
    assert last.load_without_events("intake").rho == pytest.approx(1.125)
    assert last.load_without_events("besluit").rho == pytest.approx(2.25 * 0.5)
    assert last.load("besluit").rho == pytest.approx(2.25 * 0.5 / 2)
    assert first.unchanged == first.loads  # no intervention yet


def test_check_names_the_season_not_the_intervention(scenario):
    assert season_overloads(phases(scenario)) == [("intake", pytest.approx(1.125), 190.0)]
    nl = season_lines(scenario, phases(scenario), "nl")
    assert nl == ["intake is vanaf dag 190 overbelast (belasting 1,12) door het seizoen, niet "
                  "door de ingreep: zonder ingrepen zou de belasting in die periode 1,12 zijn."]
    assert "by the season, not by the intervention" in season_lines(
        scenario, phases(scenario), "en")[0]
    text = "\n".join(check_report(scenario, phases(scenario), "seizoen.toml", "nl"))
    assert "Zonder de ingrepen zou de belasting in deze periode zijn: besluit 1,12." in text


def test_the_summary_load_column_compares_within_the_last_period(scenario):
    results = ketensim.simulate(scenario)
    lines = run_summary(results, phases(scenario), "out", "nl")
    row = {line.split()[0]: line for line in lines if line.startswith(("intake", "besluit"))}
    assert "1,12 -> 0,56" in row["besluit"]  # not 0,75 -> 0,56: the season is the same
    assert "->" not in row["intake"] and "1,12" in row["intake"]
    assert any(line.startswith("belasting A -> B: in de laatste periode (dag 190 tot 365)")
               for line in lines)
