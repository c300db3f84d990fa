"""Mechanisms in the terminal summary and the report: shown when they happened, never otherwise."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from analysis_scenarios import chain, invoke, plain_reports, write
from builders import det, scenario, step

import ketensim
from ketensim.present.pages import report
from ketensim.present.pages import tables as report_tables
from ketensim.present.words import summary as console
from ketensim.present.words.mechanisms import deadlock_line, mechanism_lines
from ketensim.results import mechanisms
from ketensim.scenario.model import Arrival, QueueLimit

DATA = Path(__file__).resolve().parents[1] / "data"
ACUTE = Path(__file__).resolve().parents[2] / "scenarios" / "acute-zorg"


@pytest.fixture(scope="module")
def mixed():
    """Every mechanism of the test file, over three replications."""
    return ketensim.simulate(ketensim.load(DATA / "mechanisms.toml"), replications=3)


@pytest.fixture(scope="module")
def locked():
    """Two steps that hand their one case to each other, with no room to wait: stuck at 1."""
    a = replace(step("a", 1, det(1.0), [("b", 1.0)]), queue_limit=QueueLimit(0, "block"))
    b = replace(step("b", 1, det(1.0), [("a", 1.0)]), queue_limit=QueueLimit(0, "block"))
    arrivals = [Arrival("x", "a", 0, times=(0.0,)), Arrival("y", "b", 0, times=(0.0,))]
    return ketensim.simulate(scenario([a, b], arrivals, horizon=10), replications=3)


def test_only_what_happened_is_found(mixed):
    kpis = mechanisms.step_kpis(mixed)
    for kpi in mechanisms.STEP_KPIS:
        assert (kpi in kpis) == bool(mixed.steps[kpi].abs().sum() > 0), kpi
    assert {"rejected", "returned", "dismissed", "late"} <= set(kpis)
    assert mechanisms.reentries(mixed) is not None
    assert mechanisms.deadlock(mixed) is None
    assert [p["pool"] for p in mechanisms.pool_use(mixed)] == ["om_staf"]
    assert all(row["started"].mean > 0 for row in mechanisms.type_waits(mixed))


def test_the_summary_names_each_mechanism(mixed):
    nl = "\n".join(console.run_summary(mixed, None, "uit", "nl"))
    assert "Mechanismen (gemiddeld per replicatie, na de warm-up):" in nl
    assert "politie_opsporing: " in nl and "zaken geweigerd omdat de wachtrij vol was." in nl
    assert "teruggestuurd als onvolledig (herstelwerk)" in nl
    assert "leverden een nieuwe zaak op" in nl.replace("\n    ", " ")
    assert "Herinstroom: " in nl
    assert "Gedeelde pool om_staf (om): bezetting " in nl
    en = "\n".join(mechanism_lines(mixed, "en"))
    assert "cases turned away because the queue was full." in en
    assert "Re-entry: " in en and "Shared pool om_staf (om): utilisation " in en


def test_a_plain_chain_has_no_mechanisms(tmp_path):
    results = ketensim.simulate(write(tmp_path, "k.toml", chain()))
    assert mechanism_lines(results) == [] and deadlock_line(results) is None
    assert not mechanisms.any_shown(results)
    assert report_tables.mechanism_tables(results, "nl") == []
    assert "Mechanismen" not in "\n".join(console.run_summary(results, None, "uit"))


def test_the_report_table_shows_the_columns_that_are_not_zero(mixed):
    html = report.render_run_report(mixed, figures={})
    section = html[html.index(">Mechanismen</h3>"):html.index(">De keten</h3>")]
    for kpi in mechanisms.STEP_KPIS:
        heading = report_tables.head(kpi, mixed.scenario, "nl")
        assert (f"<th>{heading}</th>" in section) == (kpi in mechanisms.step_kpis(mixed)), kpi
    for caption in ("Per schakel", "Wachttijd per soort zaak", "Gedeelde pools", "De keten"):
        assert f"<caption>{caption}</caption>" in section
    assert "<td>Herinstroom</td>" in section
    english = report.render_run_report(mixed, lang="en", figures={})
    assert ">Mechanisms</h3>" in english and "<caption>Shared pools</caption>" in english


def test_a_deadlock_is_a_warning_in_the_summary_and_the_report(locked):
    assert mechanisms.deadlock(locked) == mechanisms.Deadlock(3, 3, 1.0, 1.0, ("a", "b"))
    text = "\n".join(console.run_summary(locked, None, "uit", "nl")).replace("\n", " ")
    assert "Let op: de keten liep vast op dag 1 (schakels a en b blokkeren elkaar) in 3 van " \
        "de 3 replicaties." in text
    assert deadlock_line(locked, "en") == ("Note: the chain locked up at day 1 (steps a and b "
                                           "block each other) in 3 of 3 replications.")
    html = report.render_run_report(locked, figures={})
    verdict = html[html.index('class="verdict"'):html.index('class="cards"')]
    assert "de keten liep vast op dag 1" in verdict
    assert "<td>Keten vastgelopen</td>" in html
    assert "in 3 van 3 herhalingen, voor het eerst op dag 1; a (p), b (p) blokkeren elkaar" \
        in html


def test_ketensim_run_prints_the_mechanisms(tmp_path, monkeypatch):
    plain_reports(monkeypatch)
    result = invoke("run", DATA / "mechanisms.toml", "--out", tmp_path / "uit", "-n", "2")
    assert result.exit_code == 0, result.output
    assert "Mechanismen (gemiddeld per replicatie, na de warm-up):" in result.stdout
    assert "zaken geweigerd omdat de wachtrij vol was." in result.stdout


@pytest.mark.skipif(not (ACUTE / "basis.toml").exists(), reason="acute-zorg not bundled")
def test_acute_care_names_its_diversions_and_blocked_beds():
    results = ketensim.simulate(ketensim.load(ACUTE / "basis.toml"), replications=1)
    lines = mechanism_lines(results)
    assert any(line.startswith("Ambulance (112): ") and "omgeleid naar SEH buurregio" in line
               for line in lines)
    assert any(line.startswith("SEH houdt gemiddeld ") and "geblokkeerd" in line
               for line in lines)
    assert any(line.startswith("Wachttijd per soort zaak bij OK: ") and "spoed" in line
               for line in lines)
    assert not any("Verpleegafdeling" in line and "soort zaak" in line for line in lines)


def test_an_overloaded_bounded_step_is_not_said_to_pile_up():
    """Offered 2 a day with room for 1: the pile is upstream (blocked) or gone, not there."""
    from ketensim.scenario import traffic

    a = step("a", 3, 0.2, [("b", 1.0)])
    b = replace(step("b", 1, 0.5), queue_limit=QueueLimit(2, "reject", outcome="vol"))
    sc = scenario([a, b], [Arrival("x", "a", 3.0)], horizon=200)
    res = ketensim.simulate(sc, replications=2)
    notes = console.overload_notes(res, traffic.phases(sc), "nl")
    assert notes[0] == "Geen enkele werkvoorraad blijft groeien."
    assert notes[1].startswith("De werkvoorraad van b (p) blijft rond ")
    assert "wordt geweigerd omdat de wachtrij vol is" in notes[1]
    assert notes[2].startswith("Op papier is b (p) overbelast (belasting 1,5)")
    assert notes[2].endswith(
        "groeit de werkvoorraad daar niet: zaken die wegens de drukte vertrekken houden de rij "
        "binnen grenzen.")
    assert res.steps[res.steps.step == "b"].queue_at_end.max() <= 2
