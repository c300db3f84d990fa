"""A scenario from published stocks and flows: derived as the text says, back-tested, refused
when the table does not add up (one line per problem, nothing written)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from analysis_scenarios import invoke

import ketensim
from ketensim.errors import ScenarioError
from ketensim.studies.aggregates import derive, read_table

ROOT = Path(__file__).resolve().parents[2]
IND = ROOT / "docs" / "examples" / "ind-2023-aggregates.csv"

HEAD = "step,partner,start,end,inflow,output,stock_start,stock_end,lead_time,staff,next\n"
# OM: kept up (stock level), no staff; 70% to court. Court: stock grew, 40 judges.
CHAIN = HEAD + ("om,om,0,365,10000,10000,1200,1200,,,rb:0.7 exit:0.3\n"
                "rb,rechtspraak,0,365,7000,6000,500,1500,,40,exit\n")


def write(folder: Path, text: str, name: str = "t.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_ind_example_reproduces_its_year(tmp_path):
    result = invoke("fit", "--aggregates", IND, "--out", tmp_path / "ind.toml",
                    "--report", tmp_path / "bt", "-n", "3")
    assert result.exit_code == 0, result.output
    scenario = ketensim.load(tmp_path / "ind.toml")
    step = scenario.step("eerste_beslissing")
    assert step.capacity == 700
    assert step.service.mean == pytest.approx(26 / 3.56, rel=1e-5)
    assert step.backlog.queue + step.backlog.in_service == 31_400
    assert scenario.arrivals[0].rate == pytest.approx(53_600 / 365, rel=1e-5)
    text = (tmp_path / "ind.toml").read_text(encoding="utf-8")
    assert "# published staff 700 FTE" in text and "26 hours per case" in text
    fit = pd.read_csv(tmp_path / "bt" / "fit.csv")
    assert list(fit.columns) == ["step", "kpi", "observed", "simulated", "ci_low", "ci_high",
                                 "period"]
    assert list(fit["kpi"]) == ["output", "stock_end", "lead_time"]
    assert ((fit["simulated"] - fit["observed"]).abs() <= 0.1 * fit["observed"]).all()
    assert "Alle 3 kengetallen liggen binnen 10%" in result.stdout


def test_a_chain_derives_routing_outside_inflow_and_both_readings(tmp_path):
    figures = read_table(write(tmp_path, CHAIN))
    om, rb = derive(figures)
    assert om.arrival_rate == pytest.approx(10000 / 365)
    assert rb.arrival_rate == 0  # all of the court's inflow comes from the OM (7,000)
    # OM kept up and publishes no staff: one place per case for the time at the step (Little)
    assert om.service == pytest.approx(1200 / (10000 / 365))
    assert om.capacity == pytest.approx(10000 / 365 * om.service / 0.85, abs=1)
    # the court's stock grew: its output is its capacity, so 40 judges / 6,000 a year
    assert rb.capacity == 40 and rb.service == pytest.approx(40 / (6000 / 365))
    assert (rb.queue, rb.in_service) == (460, 40)
    result = invoke("fit", "--aggregates", write(tmp_path, CHAIN, "c.csv"), "--out",
                    tmp_path / "keten.toml", "--report", tmp_path / "bt", "-n", "3",
                    "--lang", "en")
    assert result.exit_code == 0, result.output
    scenario = ketensim.load(tmp_path / "keten.toml")
    routes = {(r.to, r.p) for r in scenario.step("om").routes}
    assert routes == {("rb", 0.7), ("exit", 0.3)}
    fit = pd.read_csv(tmp_path / "bt" / "fit.csv").set_index(["step", "kpi"])
    assert fit.loc[("rb", "stock_end"), "simulated"] == pytest.approx(1500, rel=0.15)
    assert fit.loc[("rb", "output"), "simulated"] == pytest.approx(6000, rel=0.05)
    assert "Back-test over the same period (3 replications)" in result.stdout


BAD = {
    "missing column": ("step,partner,start,end,inflow,output,stock_start\n"
                       "a,p,0,1,1,1,1\n", ["error: {f}: column stock_end: is missing"]),
    "not a number": (HEAD + "a,p,0,365,abc,10,5,5,,,exit\n",
                     ["error: {f}: column inflow (row 2): is not a number"]),
    "negative": (HEAD + "a,p,0,365,10,-1,5,5,,,exit\n",
                 ["error: {f}: column output (row 2): must be a finite number >= 0"]),
    "does not add up": (HEAD + "a,p,0,365,1000,900,100,900,,5,exit\n",
                        ["error: {f}: column stock_end (row 2): does not add up"]),
    "unknown next": (HEAD + "a,p,0,365,100,100,5,5,,,b\n",
                     ["error: {f}: column next (row 2): names no step of the table"]),
    "saturated without staff": (HEAD + "a,p,0,365,1000,800,100,300,,,exit\n",
                                ["error: {f}: column staff (row 2): is needed"]),
    "twice in one period": (HEAD + "a,p,0,365,100,100,5,5,,,exit\n"
                            "a,p,0,300,100,100,5,5,,,exit\n",
                            ["error: {f}: column step (row 3): appears twice",
                             "error: {f}: column end (row 2): differs between rows of one period"]),
    "a missing period": (HEAD + "a,p,0,100,100,100,5,5,,,exit\n"
                         "a,p,200,300,100,100,5,5,,,exit\n",
                         ["error: {f}: column start (row 3): leaves a gap after the period"]),
    "a step missing from a period": (HEAD + "a,p,0,100,100,100,5,5,,,b\n"
                                     "b,p,0,100,100,100,5,5,,,exit\n"
                                     "a,p,100,200,100,100,5,5,,,b\n",
                                     ["error: {f}: column step (period 100 to 200): has no row"]),
    "a stock that jumps": (HEAD + "a,p,0,100,100,100,5,5,,,exit\n"
                           "a,p,100,200,100,100,50,50,,,exit\n",
                           ["error: {f}: column stock_start (row 3): does not follow on"]),
    "zero lead time": (HEAD + "a,p,0,365,100,100,5,5,0,,exit\n",
                       ["error: {f}: column lead_time (row 2): is 0"]),
    "shares": (HEAD + "a,p,0,365,100,100,5,5,,,exit:0.5\n",
               ["error: {f}: column next (row 2): shares do not add up to 1"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_table_that_does_not_add_up_is_refused_and_nothing_is_written(tmp_path, case):
    text, expected = BAD[case]
    table = write(tmp_path, text)
    out, report = tmp_path / "out" / "s.toml", tmp_path / "bt"
    out.parent.mkdir()
    result = invoke("fit", "--aggregates", table, "--out", out, "--report", report)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start.format(f=table)), line
        assert "(expected " in line and ", got " in line
    assert list(out.parent.iterdir()) == [] and not report.exists()
    with pytest.raises(ScenarioError):
        read_table(table)


def test_an_existing_scenario_file_is_not_overwritten(tmp_path):
    out = write(tmp_path, "keep me", "s.toml")
    result = invoke("fit", "--aggregates", IND, "--out", out)
    assert result.exit_code == 2 and "the file exists already" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"


def test_a_dutch_excel_table_with_semicolons_and_decimal_commas_reads_the_same(tmp_path):
    dutch = CHAIN.replace(",", ";").replace("rb:0.7 exit:0.3", "rb:0,7 exit:0,3")
    dutch = dutch.replace("10000;10000", "10000,0;10000")
    assert read_table(write(tmp_path, dutch)) == read_table(write(tmp_path, CHAIN, "c.csv"))


TWO_HALVES = (
    "step,partner,start,end,inflow,output,stock_start,stock_end,staff,hours_per_case,"
    "hours_per_staff,next\n"
    "ind,ind,0,182,26700,17450,31400,40650,700,26,3.56,exit\n"
    "ind,ind,182,365,26900,20046,40650,47504,800,26,3.56,exit\n"
)


def test_several_periods_become_a_schedule_and_events_and_are_back_tested_per_period(tmp_path):
    """The IND's year in two halves, 100 FTE more from the second: the inflow of each half
    becomes the arrival schedule, the new staff an event, and each half is held apart."""
    result = invoke("fit", "--aggregates", write(tmp_path, TWO_HALVES), "--out",
                    tmp_path / "ind.toml", "--report", tmp_path / "bt", "-n", "3")
    assert result.exit_code == 0, result.output
    scenario = ketensim.load(tmp_path / "ind.toml")
    assert scenario.horizon == 365
    arrival = scenario.arrivals[0]
    assert arrival.rate == pytest.approx(26700 / 182)
    assert arrival.schedule == (pytest.approx((182, 26900 / 183)),)
    (event,) = scenario.events
    assert event.at == 182 and event.changes[0].value == 800
    fit = pd.read_csv(tmp_path / "bt" / "fit.csv")
    assert list(fit["period"].unique()) == ["0-182", "182-365"]
    assert len(fit) == 6
    output = fit[fit["kpi"] == "output"].set_index("period")["simulated"]
    assert output["182-365"] > output["0-182"] * 1.05  # the extra staff shows in the half
    assert ((fit["simulated"] - fit["observed"]).abs() <= 0.1 * fit["observed"]).all(), fit


def test_a_capacity_that_goes_back_is_set_back_and_one_that_stays_is_not_set_again(tmp_path):
    third = ("ind,ind,365,547,26700,17450,47504,56754,700,26,3.56,exit\n"
             "ind,ind,547,730,26700,17538,56754,65916,700,26,3.56,exit\n")
    table = write(tmp_path, TWO_HALVES + third)
    assert invoke("fit", "--aggregates", table, "--out", tmp_path / "x.toml").exit_code == 0
    events = ketensim.load(tmp_path / "x.toml").events
    assert [(e.at, e.changes[0].value) for e in events] == [(182, 800), (365, 700)]
