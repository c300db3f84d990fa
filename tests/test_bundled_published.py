"""The bundled bases against what the partners published for their base year.

A what-if is only as good as the base it changes: each bundled base must reproduce, within 10%,
the figures its partners published (output, stock at the end of the year, lead time or waiting),
with the interval of the simulation around them. The same table is in scenarios/README.md, so
a reader can check the claim; the numbers here and there are the same on purpose.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import ketensim
from ketensim.results import stats

ROOT = Path(__file__).resolve().parents[1] / "scenarios"
TOLERANCE = 0.10
REPLICATIONS = 4
JANUARY = 31 * 24.0  # hours


def _steps(results: ketensim.Results) -> pd.DataFrame:
    return results.steps.groupby("step").mean(numeric_only=True)


def _close(simulated: float, published: float) -> bool:
    return abs(simulated - published) <= TOLERANCE * published


@pytest.fixture(scope="module")
def strafrecht() -> ketensim.Results:
    return ketensim.simulate(ketensim.load(ROOT / "strafrechtketen" / "basis.toml"),
                             replications=REPLICATIONS, seed=1)


@pytest.fixture(scope="module")
def vreemdelingen() -> ketensim.Results:
    return ketensim.simulate(ketensim.load(ROOT / "vreemdelingenketen" / "basis.toml"),
                             replications=REPLICATIONS, seed=1)


@pytest.fixture(scope="module")
def acute() -> ketensim.Results:
    return ketensim.simulate(ketensim.load(ROOT / "acute-zorg" / "basis.toml"),
                             replications=10, seed=1)


def test_criminal_chain_2022_matches_the_om_and_the_courts(strafrecht):
    g = _steps(strafrecht)
    om_in = g.loc["om_zsm", "arrivals"] + g.loc["om_beoordeling", "arrivals"]
    assert _close(om_in, 179_600)  # OM inflow first instance, OM Jaar in verhaal 2023
    assert _close(g.loc["om_zsm", "arrivals"] / om_in, 0.74)  # ZSM share, 132.3k of 179.6k
    zsm_time = g.loc["om_zsm", "mean_wait"] + 4 / (1300 / 365)  # wait + 4 hours of work
    assert _close(zsm_time, 86)  # days the OM takes on a ZSM case, OM in cijfers 2023
    judged = g.loc[["rb_politierechter", "rb_meervoudige_kamer"], "completions"].sum()
    assert _close(judged, 70_000)  # court judgments 2022, Rechtspraak 2023-10-11 (C&R 2022)
    assert _close(g.loc["hof_hoger_beroep", "arrivals"], 13_800)  # appeals, OM in cijfers 2023


def test_criminal_chain_starts_from_its_werkvoorraad_not_from_empty(strafrecht):
    """The OM's stock at the end of the year is near the one it started with: the chain is
    in its working state from the first week, not filling up."""
    g = _steps(strafrecht)
    assert _close(g.loc["om_zsm", "stock_at_end"], 30_800 + 408)
    first_week = strafrecht.timeseries.query("step == 'om_zsm' and t <= 7")
    assert first_week["queue"].min() > 29_000


def test_migration_chain_2023_matches_the_ind(vreemdelingen):
    g = _steps(vreemdelingen)
    ind = g.loc["ind_eerste_beslissing"]
    assert _close(ind["completions"], 35_000)  # first decisions 2023, IND jaarcijfers 2023
    assert _close(ind["stock_at_end"], 50_000)  # waiting at the end of 2023, IND jaarcijfers
    july = vreemdelingen.timeseries.query(
        "step == 'ind_eerste_beslissing' and t >= 181 and t < 212")
    in_july = (july["queue"] + july["in_service"]).groupby(july["replication"]).mean().mean()
    assert _close(in_july, 37_000)  # "nearly 37,000" waiting in July 2023 (Volkskrant)
    assert _close(ind["late"], 28_670)  # notices of default received in 2023, IND jaarcijfers
    assert ind["wait_ahead_at_end"] > 365  # "ruim een jaar" by December 2023 (NH Nieuws)
    outcomes = vreemdelingen.outcomes.groupby("outcome")["cases"].mean()
    assert _close(outcomes["vergunning"] / ind["completions"], 0.62)  # grant rate 2023


def test_migration_chain_decides_in_february_after_the_published_wait(tmp_path):
    """The IND's 36 weeks of February 2023 are the mean wait of the decisions taken that
    month (as the IND reports a wait): read from the event log, from the day a case reached
    the IND to its decision."""
    from ketensim.results.events import frames

    scenario = ketensim.load(ROOT / "vreemdelingenketen" / "basis.toml")
    ketensim.simulate(scenario, replications=2, seed=1, events=tmp_path)
    for replication in range(2):
        waits = [
            (f["end_time"] - f["enable_time"])[
                (f["activity"] == "ind_eerste_beslissing") & (f["status"] == "done")
                & (f["end_time"] >= 31) & (f["end_time"] < 59)]
            for f in frames(scenario, tmp_path, replication)]
        weeks = pd.concat(waits).mean() / 7
        assert _close(weeks, 36), weeks  # 36 weeks in February 2023 (IND)


def test_migration_chain_has_no_objection_step_and_appeals_at_the_raad_van_state(vreemdelingen):
    steps = set(vreemdelingen.steps["step"])
    assert not any("bezwaar" in s for s in steps)  # abolished in 2001 (Vw 2000)
    assert {"raad_van_state", "rb_vreemdelingenkamer", "rb_beroep_niet_tijdig"} <= steps


def test_acute_care_2022_matches_the_emergency_room_figures(acute):
    g = _steps(acute)
    visits = g.loc["seh", "arrivals"] + g.loc["ambulance", "diverted"]
    assert _close(visits, 1_840_000 / 80)  # SEH visits 2022 (VZinfo) over about 80 SEHs
    assert _close(g.loc["ambulance", "arrivals"] / visits, 0.16)  # by ambulance (NTvG 2016)


def test_acute_care_is_full_for_ambulances_as_often_as_published_in_january():
    """SEH-stop minutes a day in January 2023: 38 on average over the regions (8-60, LNAZ).

    One January shows anything from none to hours (the minutes come in rare long episodes),
    as the regions do; the published figure is an average over many hospitals, so it is held
    against the mean over many Januaries of the base: the year's first month, run alone.
    """
    januaries = dataclasses.replace(ketensim.load(ROOT / "acute-zorg" / "basis.toml"),
                                    horizon=JANUARY)
    results = ketensim.simulate(januaries, replications=1000, seed=1, jobs=2)
    seh = results.timeseries.query("step == 'seh' and t < @JANUARY")
    full = (seh["queue"] >= 3) & (seh["in_service"] >= seh["capacity"])
    minutes = full.groupby(seh["replication"]).mean().to_numpy() * 24 * 60
    iv = stats.mean_ci(minutes, bounds=(0.0, 24 * 60))
    assert _close(iv.mean, 38) and iv.high - iv.low < 0.25 * 38, iv


def test_acute_care_walk_ins_are_never_turned_away_but_ambulances_are_held(acute):
    g = _steps(acute)
    assert g.loc["seh", "rejected"] == 0 and g.loc["seh", "diverted"] == 0
    assert g.loc["ambulance", "mean_blocked"] > 0  # held at the door while the SEH is full
    assert g.loc["ambulance", "diverted"] > 0  # and the next region takes calls meanwhile


@pytest.mark.parametrize("variant, more", [
    ("strafrechtketen/politie-levert-meer.toml", "sepot_capaciteit"),
])
def test_the_om_dismisses_for_lack_of_capacity_when_the_police_delivers_more(variant, more):
    base = ketensim.simulate(ketensim.load(ROOT / "strafrechtketen" / "basis.toml"),
                             replications=2, seed=1)
    other = ketensim.simulate(ketensim.load(ROOT / variant), replications=2, seed=1)

    def share(results: ketensim.Results) -> float:
        o = results.outcomes.groupby("outcome")["cases"].sum()
        return float(o.get(more, 0.0) / o.sum())

    assert share(base) < 0.005 < 0.05 < share(other)


@pytest.mark.parametrize("table, base", [
    ("strafrechtketen/aggregates-2022.csv", "strafrechtketen/basis.toml"),
    ("vreemdelingenketen/aggregates-2023.csv", "vreemdelingenketen/basis.toml"),
])
def test_the_base_holds_what_the_fit_makes_of_its_shipped_aggregates(table, base):
    """The steps whose figures are published as a table are the steps the fit derives from
    it: staff as capacity, norm hours as service, the published stock as the werkvoorraad."""
    from ketensim.studies import aggregates

    figures = aggregates.read_table(ROOT / table)
    scenario = ketensim.load(ROOT / base)
    for derived in aggregates.derive(figures):
        step = scenario.step(derived.step)
        assert step.capacity == derived.capacity
        assert step.service.mean == pytest.approx(derived.service, rel=0.005)
        assert step.backlog is not None
        published = step.backlog.queue + step.backlog.in_service
        assert published == pytest.approx(derived.queue + derived.in_service, rel=0.02)
