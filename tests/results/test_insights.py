"""The plain-words verdict: growth found where it is, not where noise is."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import synthetic

from ketensim.present.words import i18n
from ketensim.present.words.verdict import verdict_lines
from ketensim.results import insights
from ketensim.results.judgement import read_curve

T = np.arange(0, 731, dtype=float)


def noisy(curve: np.ndarray, replications: int, rng: np.random.Generator, sd: float = 3.0,
          ar: float = 0.0) -> np.ndarray:
    """Replications of ``curve`` plus AR(1) noise (ar=0: independent noise), never below 0."""
    out = np.empty((len(curve), replications))
    for r in range(replications):
        e = rng.normal(0, sd, len(curve))
        for k in range(1, len(e)):
            e[k] += ar * e[k - 1]
        out[:, r] = np.maximum(0, curve + e)
    return out


# -- reading curves -------------------------------------------------------------------


def test_growth_of_five_a_day_from_day_380_is_found():
    q = noisy(20 + 5 * np.maximum(0, T - 380), 3, np.random.default_rng(1))
    r = read_curve(T, q, since=180)
    assert r.status == "growing"
    assert r.rate == pytest.approx(5.0, abs=0.25)  # tolerance: 5% of the rate
    assert r.since == pytest.approx(380, abs=10)  # tolerance: 10 days


@pytest.mark.parametrize("ar", [0.0, 0.9])
@pytest.mark.parametrize("replications", [1, 3, 10])
def test_noise_alone_never_reads_as_growth(ar, replications):
    # AR(0.9) noise of sd 3 wanders about +-15 cases over weeks: no claim may follow from it
    # with several replications; with one, wandering and change cannot be told apart, so a
    # rare claim of a level shift is allowed there (the verdict flags one replication).
    rng = np.random.default_rng(7)
    flat = np.full(len(T), 20.0)
    statuses = [read_curve(T, noisy(flat, replications, rng, ar=ar), since=180).status
                for _ in range(25)]
    assert "growing" not in statuses
    if ar == 0.0 or replications >= 3:
        assert statuses == ["stable"] * 25


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_a_rise_that_speeds_up_late_gives_the_pace_now_and_before(seed):
    # 30 a day from the start, 100 a day from day 550 (an autumn rush): one average pace
    # would be quoted as today's; the reading keeps both, and when the pace changed
    q = noisy(1000 + 30 * T + 70 * np.maximum(0, T - 550), 3, np.random.default_rng(seed))
    r = read_curve(T, q)
    assert r.status == "growing" and r.rate_from is not None
    assert r.rate == pytest.approx(100, rel=0.05)  # tolerance: 5% of the pace
    assert r.rate_before == pytest.approx(30, rel=0.05)
    assert r.rate_from == pytest.approx(550, abs=20)  # tolerance: 20 days


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_a_rise_at_one_pace_keeps_one_pace(seed):
    # a steady 30 a day, and a pace that changes by less than half (30 -> 40): one pace
    for curve in (1000 + 30 * T, 1000 + 30 * T + 10 * np.maximum(0, T - 550)):
        r = read_curve(T, noisy(curve, 3, np.random.default_rng(seed)))
        assert r.status == "growing" and r.rate_from is None


@pytest.mark.parametrize("lang, words", [
    ("nl", ", sinds dag 550 met ongeveer 100 zaken per dag (daarvoor ongeveer 30). Aan het eind"),
    ("en", ", since day 550 by about 100 cases per day (before that about 30). At the end")])
def test_the_verdict_says_the_pace_now_and_since_when(lang, words):
    from ketensim.present.words.verdict import verdict_sentences

    results = synthetic.results()
    findings = insights.analyse(results)
    grows = next(q for q in findings.queues if q.reading.status == "growing")
    paced = dataclasses.replace(grows, reading=dataclasses.replace(
        grows.reading, rate=100.0, rate_from=550.0, rate_before=30.0))
    found = dataclasses.replace(findings, queues=tuple(
        paced if q is grows else q for q in findings.queues))
    said = " ".join(s.text for s in verdict_sentences(found, results.scenario, lang))
    assert words in said
    plain = " ".join(s.text for s in verdict_sentences(findings, results.scenario, lang))
    assert ("daarvoor ongeveer" if lang == "nl" else "before that about") not in plain


def test_a_backlog_that_rises_then_levels_off_has_settled():
    q = noisy(20 + 3 * np.clip(T - 300, 0, 100), 3, np.random.default_rng(2))
    r = read_curve(T, q, since=100)
    assert r.status == "settled"
    assert r.since == pytest.approx(300, abs=10)


def test_a_long_rise_that_pauses_only_at_the_very_end_is_still_growth():
    # 5 a day from day 200 to day 690, then 40 days (5% of the window) without change:
    # too short a level to call the pile settled
    q = noisy(20 + 5 * np.clip(T - 200, 0, 490), 3, np.random.default_rng(12))
    r = read_curve(T, q, since=100)
    assert r.status == "growing"
    assert r.since == pytest.approx(200, abs=15)


def test_eight_samples_after_the_warm_up_are_read_without_the_warm_up():
    # the warm-up holds a pile of 500 that is gone by its end; the 8 samples after it are
    # quiet, and the warm-up must not make them look like a pile cleared
    t = np.arange(20, dtype=float)
    q = noisy(np.where(t < 12, 500.0, 5.0), 3, np.random.default_rng(4), sd=0.5)
    r = read_curve(t, q, since=12)
    assert r.status == "stable"
    assert r.peak < 10


def test_a_backlog_that_falls_to_a_lower_level_is_shrinking():
    q = noisy(800 - 2.5 * np.clip(T - 200, 0, 200), 3, np.random.default_rng(3))
    r = read_curve(T, q, since=100)
    assert r.status == "shrinking"
    assert r.level_end == pytest.approx(300, abs=15)


def test_a_backlog_brought_down_to_nothing_is_cleared():
    q = noisy(800 - 3.9 * np.clip(T - 200, 0, 205), 3, np.random.default_rng(3))
    r = read_curve(T, q, since=100)
    assert r.status == "cleared"
    assert r.cleared_at == pytest.approx(400, abs=15)


def test_a_pile_that_comes_and_goes_is_cleared_not_stable():
    pile = np.where((T > 200) & (T < 400), 200 - np.abs(T - 300) * 2, 0.0)
    r = read_curve(T, noisy(pile, 3, np.random.default_rng(8)), since=100)
    assert (r.status, r.piles) == ("cleared", 1)
    assert r.peak == pytest.approx(200, abs=15)
    assert r.peak_at == pytest.approx(300, abs=15)


def test_piles_that_rise_and_fall_twice_are_swinging():
    # capacity that follows a schedule: two overload periods, each cleared afterwards
    two = np.where((T > 150) & (T < 350), 150 - np.abs(T - 250) * 1.5, 0.0) + np.where(
        (T > 450) & (T < 650), 150 - np.abs(T - 550) * 1.5, 0.0)
    r = read_curve(T, noisy(two, 3, np.random.default_rng(9)), since=100)
    assert (r.status, r.piles) == ("swinging", 2)
    assert [round(t, -1) for t, _ in r.pile_peaks] == pytest.approx([250, 550], abs=20)


def test_a_second_pile_still_rising_at_the_end_is_growth_with_an_earlier_pile():
    curve = np.where((T > 150) & (T < 350), 150 - np.abs(T - 250) * 1.5, 0.0) + np.where(
        T > 500, 1.5 * (T - 500), 0.0)
    r = read_curve(T, noisy(curve, 3, np.random.default_rng(10)), since=100)
    assert (r.status, r.piles) == ("growing", 1)
    assert r.since == pytest.approx(500, abs=20)


def test_filling_up_from_empty_is_warm_up_not_news():
    q = noisy(30 * (1 - np.exp(-T / 20)), 3, np.random.default_rng(4))
    assert read_curve(T, q, since=0).status == "stable"


def test_overload_from_the_start_grows_from_the_first_sample():
    q = noisy(2 * T, 3, np.random.default_rng(5))
    r = read_curve(T, q, since=0)
    assert r.status == "growing"
    assert r.since == pytest.approx(0, abs=5)
    assert r.rate == pytest.approx(2.0, abs=0.1)


def test_growth_that_only_some_replications_show_is_no_growth():
    rng = np.random.default_rng(11)
    q = noisy(np.full(len(T), 20.0), 4, rng)
    q[:, 0] += 3 * np.maximum(0, T - 500)  # one replication runs away, three do not
    assert read_curve(T, q, since=100).status != "growing"


# -- findings of a run ----------------------------------------------------------------


def test_findings_name_the_backlog_and_its_trigger():
    f = insights.analyse(synthetic.results())
    court = f.queue("zitting")
    assert court is not None and court.status == "growing"
    assert court.reading.rate == pytest.approx(synthetic.GROWTH_RATE, abs=0.25)
    assert court.reading.since == pytest.approx(synthetic.GROWTH_START, abs=10)
    assert court.event == (365.0, "meer rechercheurs")
    assert f.queue("beoordeling").status == "stable"
    assert [q.queue for q in f.backing_up] == ["zitting"]
    assert f.busiest is not None and f.busiest.step == "zitting"
    assert f.lead_time is not None and f.lead_time.low < f.lead_time.mean < f.lead_time.high


def test_verdict_in_dutch_names_step_start_and_rate():
    r = synthetic.results()
    lines = verdict_lines(insights.analyse(r), r.scenario)
    first = lines[0]
    assert first.startswith("De werkvoorraad van Zitting rechtbank (Rechtspraak) groeit "
                            "vanaf dag 3")
    assert "met ongeveer 5 zaken per dag" in first
    assert "‘meer rechercheurs’ (dag 365)" in first
    assert any(line.startswith("De doorlooptijd van de keten is gemiddeld") and "95%-interval"
               in line for line in lines)
    assert any(line.startswith("De drukste schakel is Zitting rechtbank") for line in lines)


def test_verdict_in_english():
    r = synthetic.results()
    lines = verdict_lines(insights.analyse(r), r.scenario, "en")
    assert lines[0].startswith("The backlog of Zitting rechtbank (Rechtspraak) grows from day 3")
    assert "by about 5 cases per day" in lines[0]
    assert any("95% interval" in line for line in lines)


def test_all_stable_says_so_and_one_replication_is_flagged():
    r = synthetic.results(replications=1, flat=True)
    r.steps = r.steps.assign(mean_wait=0.5)  # short waits: no step is a plateau either
    lines = verdict_lines(insights.analyse(r), r.scenario)
    assert lines[0] == "Geen enkele schakel raakt verstopt: alle werkvoorraden blijven stabiel."
    assert any("één herhaling" in line for line in lines)
    en = verdict_lines(insights.analyse(r), r.scenario, "en")
    assert en[0] == "No step backs up: all backlogs stay stable."


@pytest.mark.parametrize(("unit", "nl", "en"), [
    ("week", "vanaf week 3", "from week 3"),
    ("hour", "vanaf uur 3", "from hour 3"),
])
def test_time_unit_is_translated(unit, nl, en):
    r = synthetic.results()
    r.scenario = dataclasses.replace(r.scenario, time_unit=unit)
    f = insights.analyse(r)
    assert nl in verdict_lines(f, r.scenario, "nl")[0]
    assert en in verdict_lines(f, r.scenario, "en")[0]


def test_steps_behind_a_bottleneck_are_shielded():
    """The OM backs up; the court receives far less than the traffic equations offer it."""
    r = synthetic.results()
    ts = r.timeseries.copy()
    om = ts["step"] == "beoordeling"
    ts.loc[om, "queue"] = 8 + 4 * np.maximum(0, ts.loc[om, "t"] - 400)
    ts.loc[ts["step"] == "zitting", "queue"] = 15.0
    r.timeseries = ts
    steps = r.steps.copy()
    court = steps["step"] == "zitting"
    steps.loc[court, "arrivals"] = (steps.loc[court, "arrivals"] * 0.7).astype(int)
    r.steps = steps
    f = insights.analyse(r)
    assert [s.step for s in f.shielded] == ["zitting"]
    assert f.shielded[0].upstream == ("beoordeling",)
    assert f.shielded[0].drop == pytest.approx(0.33, abs=0.05)
    text = " ".join(verdict_lines(f, r.scenario))
    assert "Zitting rechtbank (Rechtspraak) krijgt ongeveer" in text
    assert "schermt deze schakel af" in text


def test_a_queue_missing_from_the_timeseries_is_skipped():
    r = synthetic.results()
    r.timeseries = r.timeseries[r.timeseries["step"] != "opsporing"]
    assert [q.queue for q in insights.analyse(r).queues] == ["beoordeling", "zitting"]


def test_empty_chain_table_gives_no_lead_time_sentence():
    r = synthetic.results()
    r.chain = pd.DataFrame(columns=r.chain.columns)
    f = insights.analyse(r)
    assert f.lead_time is None
    assert not any("doorlooptijd" in line for line in verdict_lines(f, r.scenario))


# -- numbers and words ------------------------------------------------------------------


@pytest.mark.parametrize(("value", "nl", "en"), [
    (1764.4, "1.764", "1,764"), (2.5, "2,5", "2.5"), (5.01, "5", "5"), (0.594, "0,59", "0.59"),
    (0.0, "0", "0"), (float("inf"), "∞", "∞"),
])
def test_numbers_are_written_for_people(value, nl, en):
    assert i18n.number(value, "nl") == nl
    assert i18n.number(value, "en") == en


def test_small_rates_move_to_a_bigger_unit():
    assert i18n.readable_rate(0.4, "day") == (pytest.approx(2.8), "week")
    assert i18n.readable_rate(5.0, "day") == (5.0, "day")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        i18n.label("summary", "de")
