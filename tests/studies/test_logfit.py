"""Fitting a scenario from an event log: round trips, an independent log, bad logs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import ketensim
from ketensim.cli.app import cli
from tests.helpers.loggen import Truth, generate

KNOWN = """
[scenario]
name = "rond"
horizon = 400
replications = 4
seed = 5

[[partner]]
id = "gemeente"

[[partner]]
id = "uwv"

[[step]]
id = "intake"
partner = "gemeente"
capacity = 3
service = { dist = "exponential", mean = 0.25 }
routes = [{ to = "besluit", p = 0.8 }, { to = "exit", p = 0.2, outcome = "afgewezen" }]

[[step]]
id = "besluit"
partner = "uwv"
capacity = 2
service = { dist = "gamma", mean = 0.15, cv = 0.5 }
routes = [{ to = "intake", p = 0.1 }, { to = "exit", p = 0.9, outcome = "toegekend" }]

[[arrival]]
id = "aanvragen"
to = "intake"
rate = 10
case_type = "aanvraag"

[[arrival]]
id = "spoed"
to = "besluit"
rate = 2
case_type = "spoed"
"""
GENERATED = ["--case", "zaak", "--activity", "activiteit", "--enable", "klaar_voor",
             "--start", "begin", "--end", "eind", "--resource", "medewerker",
             "--partner", "afdeling", "--outcome", "uitkomst"]


def invoke(*args: str) -> tuple[int, str]:
    got = CliRunner().invoke(cli, list(args))
    return got.exit_code, got.output


@pytest.fixture(scope="module")
def simulated_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("known")
    (folder / "rond.toml").write_text(KNOWN, encoding="utf-8")
    code, out = invoke("run", str(folder / "rond.toml"), "--out", str(folder / "run"),
                       "--jobs", "1", "--events", "csv", "--events", "xes")
    assert code == 0, out
    return folder / "run"


def fitted(log: Path, tmp: Path, *extra: str) -> dict:
    out = tmp / "fit.toml"
    code, text = invoke("fit", str(log), "--out", str(out), *extra)
    assert code == 0, text
    ketensim.load(out)  # check accepts it
    return tomllib.loads(out.read_text(encoding="utf-8"))


def by_id(doc: dict, kind: str) -> dict:
    return {entry["id"]: entry for entry in doc[kind]}


def routes(step: dict) -> dict:
    return {(r["to"], r.get("outcome", "")): r["p"] for r in step["routes"]}


def test_round_trip_from_events_csv(simulated_log: Path, tmp_path: Path) -> None:
    doc = fitted(simulated_log / "events.csv", tmp_path)
    steps = by_id(doc, "step")
    assert steps["intake"]["capacity"] == 3 and steps["besluit"]["capacity"] == 2
    assert steps["intake"]["partner"] == "gemeente" and steps["besluit"]["partner"] == "uwv"
    assert steps["intake"]["service"]["dist"] == "exponential"
    assert steps["intake"]["service"]["mean"] == pytest.approx(0.25, rel=0.04)
    assert steps["besluit"]["service"]["dist"] == "gamma"
    assert steps["besluit"]["service"]["mean"] == pytest.approx(0.15, rel=0.04)
    assert steps["besluit"]["service"]["cv"] == pytest.approx(0.5, abs=0.04)
    intake, besluit = routes(steps["intake"]), routes(steps["besluit"])
    assert intake[("besluit", "")] == pytest.approx(0.8, abs=0.02)
    assert intake[("exit", "afgewezen")] == pytest.approx(0.2, abs=0.02)
    assert besluit[("intake", "")] == pytest.approx(0.1, abs=0.02)  # rework kept as a loop
    arrivals = {(a["to"], a["case_type"]): a["rate"] for a in doc["arrival"]}
    assert arrivals[("intake", "aanvraag")] == pytest.approx(10, rel=0.04)
    assert arrivals[("besluit", "spoed")] == pytest.approx(2, rel=0.08)
    assert doc["scenario"]["horizon"] == pytest.approx(400, abs=0.5)


def test_every_fitted_value_says_what_it_came_from(simulated_log: Path, tmp_path: Path) -> None:
    fitted(simulated_log / "events.csv", tmp_path)
    text = (tmp_path / "fit.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(("capacity", "service", "routes", "rate")):
            assert "#" in line, line
    assert "maximum likelihood, lowest AIC" in text and "KS distance" in text
    assert "observed concurrency" in text


def test_round_trip_from_the_xes_file(simulated_log: Path, tmp_path: Path) -> None:
    pytest.importorskip("pm4py")
    doc = fitted(simulated_log / "events" / "replication-0.xes", tmp_path)
    steps = by_id(doc, "step")
    assert steps["intake"]["capacity"] == 3 and steps["besluit"]["capacity"] == 2
    assert steps["intake"]["service"]["mean"] == pytest.approx(0.25, rel=0.08)
    assert steps["besluit"]["service"]["mean"] == pytest.approx(0.15, rel=0.08)
    assert routes(steps["intake"])[("besluit", "")] == pytest.approx(0.8, abs=0.03)
    rates = {(a["to"], a["case_type"]): a.get("rate") or a["schedule"][0]["rate"]
             for a in doc["arrival"]}
    assert rates[("intake", "aanvraag")] == pytest.approx(10, rel=0.08)


def test_the_fitted_model_reproduces_the_log(simulated_log: Path, tmp_path: Path) -> None:
    code, out = invoke("fit", str(simulated_log / "events.csv"), "--out",
                       str(tmp_path / "f.toml"), "--report", str(tmp_path / "r"), "-n", "8")
    assert code == 0, out
    table = pd.read_csv(tmp_path / "r" / "fit.csv")
    assert list(table.columns[:6]) == ["step", "kpi", "observed", "simulated", "ci_low",
                                       "ci_high"]
    judged = table.dropna(subset=["observed", "ci_low"])
    inside = (judged["observed"] >= judged["ci_low"]) & (judged["observed"] <= judged["ci_high"])
    assert inside.mean() >= 0.85, judged[~inside]
    page = (tmp_path / "r" / "fit.html").read_text(encoding="utf-8")
    assert "Fit uit de eventlog" in page and "data:image/png;base64," in page


def test_a_log_from_an_independent_generator(tmp_path: Path) -> None:
    truth = Truth()
    generate(truth).to_csv(tmp_path / "log.csv", index=False)
    doc = fitted(tmp_path / "log.csv", tmp_path, "--time-unit", "hour", *GENERATED)
    steps = by_id(doc, "step")
    assert steps["intake"]["capacity"] == truth.intake_staff  # from the named staff
    assert steps["besluit"]["capacity"] == truth.besluit_staff
    assert steps["intake"]["service"]["dist"] == "exponential"
    assert steps["intake"]["service"]["mean"] == pytest.approx(truth.intake_mean, rel=0.05)
    assert steps["besluit"]["service"]["dist"] == "gamma"
    assert steps["besluit"]["service"]["mean"] == pytest.approx(truth.besluit_mean, rel=0.05)
    assert steps["besluit"]["service"]["cv"] == pytest.approx(truth.besluit_cv, abs=0.05)
    assert routes(steps["intake"])[("besluit", "")] == pytest.approx(truth.p_besluit, abs=0.02)
    assert routes(steps["besluit"])[("intake", "")] == pytest.approx(truth.p_rework, abs=0.02)
    rate = doc["arrival"][0].get("schedule", [{"rate": doc["arrival"][0]["rate"]}])[0]["rate"]
    assert rate == pytest.approx(truth.rate, rel=0.04)
    assert doc["scenario"]["start_date"] == "2024-01-01"
    assert "calendar" not in doc  # cases are handled round the clock


def test_office_hours_become_a_calendar(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    days = rng.integers(0, 60, 400)
    days = days[(days % 7) < 5]  # weekdays only
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D") \
        + pd.to_timedelta(rng.uniform(8.5, 16.5, days.size), unit="h")
    end = start + pd.to_timedelta(rng.exponential(0.5, days.size), unit="h")
    pd.DataFrame({"case_id": np.arange(days.size), "activity": "loket",
                  "start_time": start.map(pd.Timestamp.isoformat),
                  "end_time": end.map(pd.Timestamp.isoformat)}).to_csv(tmp_path / "l.csv",
                                                                        index=False)
    doc = fitted(tmp_path / "l.csv", tmp_path, "--time-unit", "hour")
    calendar = doc["calendar"][0]
    assert calendar["weekdays"] == [1, 2, 3, 4, 5]
    assert calendar["start_hour"] == 8.5 and calendar["hours"] == 8  # to the half hour
    assert doc["step"][0]["calendar"] == calendar["id"]


def test_from_a_date_the_open_cases_are_the_werkvoorraad(tmp_path: Path) -> None:
    generate(Truth(hours=600)).to_csv(tmp_path / "log.csv", index=False)
    doc = fitted(tmp_path / "log.csv", tmp_path, "--time-unit", "hour", "--from",
                 "2024-01-10", *GENERATED)  # a Wednesday: time 0 is the Monday before
    intake = by_id(doc, "step")["intake"]
    assert "backlog" in intake
    ages_file = tmp_path / intake["backlog"]["file"]
    ages = pd.read_csv(ages_file)
    assert list(ages.columns) == ["age", "case_type"] and (ages["age"] >= 0).all()
    assert ages["age"].is_monotonic_decreasing  # oldest first, the queue's order
    assert doc["scenario"]["start_date"] == "2024-01-08"
    assert doc["arrival"][0]["rate"] == 0
    assert doc["arrival"][0]["schedule"][0]["from"] == pytest.approx(2 * 24)


BAD = [
    ("case_id,activity,start_time\n1,a,0\n", "column end_time: missing column"),
    ("case_id,activity,start_time,end_time\n1,a,2024-01-01T10:00,2024-01-01T11:00\n"
     "1,b,morgen,2024-01-01T12:00\n", "column start_time (row 3): unparsable timestamp "
     "(expected an ISO 8601 moment or a number, got morgen)"),
    ("case_id,activity,start_time,end_time\n1,a,0,1\n2,a,gisteren,2\n",
     "column start_time (row 3): not a number"),
    ("case_id,activity,start_time,end_time\n1,a,5,3\n",
     "column end_time (row 2): end before start (expected an end at or after the start, "
     "got end 3 < start 5)"),
    ("case_id,activity,start_time,end_time\n1,a,,\n2,a,1,2\n",
     "column case_id (row 2): a case with no events"),
    ("case_id,activity,start_time,end_time\n", "rows: the log is empty"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=["column", "time", "number", "order",
                                                         "empty-case", "empty"])
def test_a_bad_log_is_refused_and_nothing_is_written(text: str, message: str,
                                                    tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(text, encoding="utf-8")
    code, out = invoke("fit", str(log), "--out", str(tmp_path / "f.toml"), "--report",
                       str(tmp_path / "r"))
    assert code == 2
    assert f"error: {log}: {message}" in out
    assert "Traceback" not in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


def test_a_bad_from_says_what_it_expects(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case_id,activity,start_time,end_time\n1,a,0,1\n", encoding="utf-8")
    code, out = invoke("fit", str(log), "--out", str(tmp_path / "f.toml"), "--from", "maandag")
    assert code == 2 and "--from: the log's times are numbers (expected a number" in out
    stamped = tmp_path / "t.csv"
    stamped.write_text("case_id,activity,start_time,end_time\n"
                       "1,a,2024-01-01T10:00,2024-01-01T11:00\n", encoding="utf-8")
    code, out = invoke("fit", str(stamped), "--out", str(tmp_path / "f.toml"), "--from", "12")
    assert code == 2 and "--from: not a date (expected a date YYYY-MM-DD" in out
    code, out = invoke("fit", "--aggregates", str(log), "--out", str(tmp_path / "f.toml"),
                       "--from", "2024-01-01")
    assert code == 2 and "--from: reads an event log" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "t.csv"]


def test_log_and_aggregates_together_are_refused(tmp_path: Path) -> None:
    code, out = invoke("fit", "x.csv", "--aggregates", "y.csv", "--out", str(tmp_path / "f"))
    assert code == 2 and "not both" in out
    code, out = invoke("fit", "--out", str(tmp_path / "f.toml"))
    assert code == 2 and "LOG or --aggregates" in out


def test_a_parquet_log_fits_like_its_csv(tmp_path: Path) -> None:
    log = generate(Truth(hours=300))
    log.to_csv(tmp_path / "log.csv", index=False)
    log.to_parquet(tmp_path / "log.parquet")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    from_csv = fitted(tmp_path / "log.csv", tmp_path / "a", "--time-unit", "hour", *GENERATED)
    from_parquet = fitted(tmp_path / "log.parquet", tmp_path / "b", "--time-unit", "hour",
                          *GENERATED)
    assert from_csv["step"] == from_parquet["step"]
    assert from_csv["arrival"] == from_parquet["arrival"]


def test_arrivals_on_working_days_become_a_week(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    hours = np.sort(rng.uniform(0, 24 * 7 * 8, 6000))
    hours = hours[(hours // 24) % 7 < 5]  # 2024-01-01 is a Monday: no weekend arrivals
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(hours, unit="h")
    end = start + pd.to_timedelta(rng.exponential(0.2, hours.size), unit="h")
    pd.DataFrame({"case_id": np.arange(hours.size), "activity": "melding",
                  "start_time": start.map(pd.Timestamp.isoformat),
                  "end_time": end.map(pd.Timestamp.isoformat)}).to_csv(tmp_path / "l.csv",
                                                                        index=False)
    doc = fitted(tmp_path / "l.csv", tmp_path, "--time-unit", "hour")
    week = doc["arrival"][0]["week"]
    assert week[5] == 0 and week[6] == 0
    assert all(f == pytest.approx(1.4, abs=0.1) for f in week[:5])
    sc = ketensim.load(tmp_path / "fit.toml")
    run = ketensim.simulate(sc, replications=2, seed=1)
    arrivals = run.steps.groupby("replication")["arrivals"].sum().mean()
    assert arrivals == pytest.approx(hours.size, rel=0.05)
