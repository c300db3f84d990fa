"""Every bundled scenario is valid and runs; the mechanism scenarios show their headline effect.

The files are found by glob, so a scenario added under ``scenarios/`` is covered without
touching this file. The general runs are short (one replication, at most a year of simulated
time) to keep the whole module fast; the targeted tests run the few files they need over the
stretch of time in which the effect appears.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import ketensim
from ketensim.cli.app import cli
from ketensim.scenario.calendars import units_per_day
from ketensim.scenario.model import Scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIOS.rglob("*.toml"))
IDS = [str(f.relative_to(SCENARIOS)) for f in FILES]


def _short(scenario: Scenario, days: float = 365.0) -> Scenario:
    """The same scenario over at most ``days`` days (in its own time unit).

    The warm-up is cut to half the horizon where it is longer.
    """
    horizon = min(scenario.horizon, days * units_per_day(scenario.time_unit))
    return dataclasses.replace(scenario, horizon=horizon, warmup=min(scenario.warmup, horizon / 2))


@cache
def _run(relative: str, horizon: float | None = None) -> ketensim.Results:
    """One replication of a bundled file at its own seed, over ``horizon`` (default: the file's)."""
    scenario = ketensim.load(SCENARIOS / relative)
    if horizon is not None:
        scenario = dataclasses.replace(scenario, horizon=min(scenario.horizon, horizon))
    return ketensim.simulate(scenario, replications=1, jobs=1)


def _step(results: ketensim.Results, step: str, column: str) -> float:
    row = results.steps[results.steps["step"] == step]
    assert len(row) == 1, f"no single row for step {step}"
    return float(row[column].iloc[0])


def _outcome(results: ketensim.Results, outcome: str) -> int:
    rows = results.outcomes[results.outcomes["outcome"] == outcome]
    return int(rows["cases"].sum())


def test_the_glob_finds_the_bundled_chains() -> None:
    folders = {f.parent.name for f in FILES}
    assert {"strafrechtketen", "vreemdelingenketen", "acute-zorg", "werk-en-inkomen"} <= folders


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_check_accepts_the_file(path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(path)], prog_name="ketensim")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_a_short_run_gives_one_row_per_step(path: Path) -> None:
    scenario = _short(ketensim.load(path))
    results = ketensim.simulate(scenario, replications=1, jobs=1)
    step_ids = [s.id for s in scenario.steps]
    assert sorted(results.steps["step"]) == sorted(step_ids)
    assert len(results.steps) == len(step_ids)
    assert len(results.chain) == 1
    assert int(results.chain["cases_in"].iloc[0]) > 0
    assert set(results.timeseries["step"]) == set(step_ids)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_file_has_a_dutch_title_and_description(path: Path) -> None:
    scenario = ketensim.load(path)
    assert scenario.title and scenario.description


def test_scenario_names_are_unique() -> None:
    names = [ketensim.load(f).name for f in FILES]
    assert len(names) == len(set(names))


# -- acute zorg: beds closed -> more blocking and more SEH-stops ------------------------


def test_closed_ward_beds_raise_diversions_and_blocking() -> None:
    basis = _run("acute-zorg/basis.toml")
    closed = _run("acute-zorg/bedden-dicht.toml")
    # The basis has an occasional SEH-stop: ambulances held at the door, calls taken over by
    # the next region; with fewer beds it happens more often.
    assert _step(basis, "ambulance", "diverted") > 0
    assert _step(closed, "ambulance", "diverted") > 1.5 * _step(basis, "ambulance", "diverted")
    assert _step(closed, "ambulance", "mean_blocked") > _step(basis, "ambulance", "mean_blocked")
    assert _step(closed, "seh", "mean_blocked") > _step(basis, "seh", "mean_blocked")
    assert _step(closed, "seh", "diverted") == _step(closed, "seh", "rejected") == 0
    assert _step(closed, "ok", "mean_blocked") > _step(basis, "ok", "mean_blocked")
    # Diverted patients end in the neighbouring region, and only there.
    assert _outcome(closed, "opgevangen_in_buurregio") > _outcome(basis, "opgevangen_in_buurregio")


def test_acute_patients_go_first_at_the_operating_room() -> None:
    types = _run("acute-zorg/basis.toml").types
    assert types is not None
    ok = types[types["step"] == "ok"].set_index("case_type")["mean_wait"]
    assert ok["spoed"] < ok["electief"]


# -- werk en inkomen: late decisions make failure demand ---------------------------------


def test_a_wave_without_extra_staff_makes_failure_demand() -> None:
    basis = _run("werk-en-inkomen/basis.toml")
    wave = _run("werk-en-inkomen/instroomgolf.toml")
    planned = _run("werk-en-inkomen/instroomgolf-capaciteitsplan.toml")
    assert _step(basis, "gemeente_aanvraag", "late") == 0
    assert _step(wave, "gemeente_aanvraag", "late") > 500
    assert _outcome(wave, "ingebrekestelling_afgehandeld") > 500
    step = "gemeente_aanvraag"
    assert _step(planned, step, "late") < 0.1 * _step(wave, step, "late")
    assert _step(planned, step, "mean_wait") < _step(wave, step, "mean_wait")
    # With the plan the gemeente keeps up, and the pile moves on to re-integration.
    assert _step(planned, "reintegratie", "mean_wait") > _step(wave, "reintegratie", "mean_wait")


def test_under_27s_wait_four_weeks_before_they_apply() -> None:
    results = _run("werk-en-inkomen/basis.toml")
    assert _outcome(results, "werk_of_school_in_zoektermijn") > 0


# -- strafrechtketen, rijk: priorities, dismissal, today's backlog -----------------------


def test_rich_criminal_chain_works_off_its_backlog() -> None:
    results = _run("strafrechtketen/rijk.toml", horizon=365)
    assert _outcome(results, "sepot_capaciteit") > 0  # the OM's pile starts above the level
    assert int(results.chain["backlog_cleared"].iloc[0]) > 0
    types = results.types
    assert types is not None
    court = types[types["step"] == "rb_meervoudige_kamer"].set_index("case_type")["mean_wait"]
    assert court["voorgeleid"] < court["misdrijf"]  # detained suspects are heard first
    om = types[types["step"] == "om_beoordeling"].set_index("case_type")["mean_wait"]
    assert om["voorgeleid"] < om["misdrijf"]


def test_an_asylum_peak_takes_police_staff_from_investigation() -> None:
    quiet = _run("strafrechtketen/rijk.toml", horizon=450)
    peak = _run("strafrechtketen/rijk-asielpiek.toml", horizon=450)
    step = "politie_opsporing"
    assert _step(peak, step, "max_queue") > 5 * max(1.0, _step(quiet, step, "max_queue"))
    assert _step(peak, step, "mean_wait") > _step(quiet, step, "mean_wait")


# -- ketenregie: three steering levels on the same chain ---------------------------------


def test_steering_levels_order_the_prosecutors_pile() -> None:
    levels = [
        _run(f"strafrechtketen/regie-{name}.toml", horizon=1000)
        for name in ("1-eigen-koers", "2-afstemming", "3-samenwerking")
    ]
    piles = [_step(r, "om_beoordeling", "queue_at_end") for r in levels]
    assert piles[0] > piles[1] > piles[2]
    waits = [_step(r, "om_beoordeling", "mean_wait") for r in levels]
    assert waits[0] > waits[1] > waits[2]


# -- vreemdelingenketen: the 2015 peak, with and without the IND scaling ------------------


def _capacity(results: ketensim.Results, step: str) -> pd.Series:
    ts = results.timeseries
    return ts[ts["step"] == step].set_index("t")["capacity"]


def test_the_2015_peak_and_the_capacity_yo_yo() -> None:
    fixed = _run("vreemdelingenketen/piek-2015.toml", horizon=1100)
    late = _run("vreemdelingenketen/piek-2015-ind-schaalt-mee.toml", horizon=1100)
    fixed_pile = _step(fixed, "ind_eerste_beslissing", "queue_at_end")
    assert fixed_pile > 10_000  # a normal year's IND cannot work off 2015
    assert _step(fixed, "ind_eerste_beslissing", "late") > 0
    assert _outcome(fixed, "beroep_niet_tijdig") > 0
    assert _step(late, "ind_eerste_beslissing", "queue_at_end") < 0.1 * fixed_pile
    # Capacity rises after the peak and falls again: the yo-yo.
    cap = _capacity(late, "ind_eerste_beslissing")
    assert cap.max() > 2 * 5480
    assert cap.iloc[-1] < 0.5 * cap.max()
    assert cap.idxmax() > 730  # the extra staff arrive after 2015 is over
