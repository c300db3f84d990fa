"""A run whose figures include the chain filling up says so, and ``check`` proposes a warm-up."""

from __future__ import annotations

import dataclasses

import pytest
from builders import poisson, scenario, step

import ketensim
from ketensim.present.words.check import check_report, warmup_lines
from ketensim.present.words.verdict import verdict_sentences
from ketensim.results import insights
from ketensim.scenario.parts import Backlog
from ketensim.scenario.periods import suggested_warmup
from ketensim.scenario.traffic import phases


def chain(warmup: float = 0.0):
    # a: load 0.5, service 1 -> 2 days at the step; b: load 0.8, service 2 -> 10 days
    return scenario([step("a", 1, 1.0, [("b", 1.0)]), step("b", 1, 2.0)], [poisson("a", 0.4)],
                    horizon=200, warmup=warmup)


def test_the_suggested_warm_up_is_five_times_the_slowest_time_at_a_step():
    assert suggested_warmup(phases(chain())) == pytest.approx(5 * 2.0 / (1 - 0.8))


@pytest.mark.parametrize("lang, words", [("nl", "Een warmup van ongeveer 50 dagen"),
                                         ("en", "A warmup of about 50 days")])
def test_check_proposes_it_only_for_an_empty_start_without_warm_up(lang, words):
    empty = chain()
    assert words in " ".join(check_report(empty, phases(empty), "f.toml", lang))
    assert warmup_lines(chain(warmup=50), phases(chain(warmup=50)), lang) == []
    stocked = dataclasses.replace(empty, steps=(
        dataclasses.replace(empty.steps[0], backlog=Backlog(queue=5)), empty.steps[1]))
    assert warmup_lines(stocked, phases(stocked), lang) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_verdict_warns_that_the_figures_include_the_filling_up(lang):
    results = ketensim.simulate(chain(), replications=2, seed=1)
    kinds = [s.kind for s in verdict_sentences(insights.analyse(results), chain(), lang)]
    assert "filling" in kinds
    warmed = ketensim.simulate(chain(warmup=50), replications=2, seed=1)
    kinds = [s.kind for s in verdict_sentences(insights.analyse(warmed), chain(50), lang)]
    assert "filling" not in kinds


@pytest.mark.parametrize("lang, words", [("nl", "Let op: dit gemiddelde telt alleen de"),
                                         ("en", "Note: this mean counts only the")])
def test_a_lead_time_over_few_finished_cases_is_said_to_be_that(lang, words):
    """A step with a werkvoorraad of 300 and room for 1 a day: over 100 days almost nobody
    who enters finishes, so the chain's mean lead time speaks of the few quick ones."""
    from ketensim.present.words.summary import run_summary

    busy = dataclasses.replace(step("a", 1, 1.0, [("exit", 1.0)]), backlog=Backlog(queue=300))
    backed = ketensim.simulate(scenario([busy], [poisson("a", 0.9)], horizon=100),
                               replications=2, seed=1)
    free = ketensim.simulate(scenario([step("a", 3, 1.0, [("exit", 1.0)])],
                                      [poisson("a", 0.9)], horizon=100), replications=2, seed=1)
    said = " ".join(run_summary(backed, phases(backed.scenario), "uit", lang))
    assert words in said and "(0%" not in said
    assert words not in " ".join(run_summary(free, phases(free.scenario), "uit", lang))
    assert (backed.chain["lead_time_cases"] < 0.5 * backed.chain["cases_in"]).all()
    # The report's lead-time card, the figure most often copied, carries it too.
    from ketensim.present.pages.report import run_context

    card = run_context(backed, lang)["cards"][0]
    assert words in card["note"]
    assert words not in run_context(free, lang)["cards"][0]["note"]
