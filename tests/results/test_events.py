"""The simulated event log: agrees with the tables, same bytes always, readable by pm4py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import ketensim
from ketensim.cli.app import cli
from ketensim.results.events import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
POLICE = ROOT / "scenarios" / "onderwijs" / "politie-klein.toml"
MECHANISMS = ROOT / "tests" / "data" / "mechanisms.toml"
ACUTE = ROOT / "scenarios" / "acute-zorg" / "basis.toml"
SCHEMAS = ROOT / "tests" / "data" / "schemas"


def run_with_log(path: Path, tmp: Path, *extra: str, name: str = "out") -> Path:
    out = tmp / name
    got = CliRunner().invoke(cli, ["run", str(path), "--out", str(out), "-n", "2", "--jobs", "1",
                                   *extra])
    assert got.exit_code == 0, got.output
    return out


def read(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "events.csv",
                       keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def police(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_with_log(POLICE, tmp_path_factory.mktemp("police"), "--events", "csv",
                        "--events", "xes", "--events", "ocel")


def step_figures(log: pd.DataFrame, warmup: float, horizon: float) -> pd.DataFrame:
    """arrivals, completions and mean_wait per replication and step, by the contract's rule."""
    taken_in = log[log["status"] != "at_door"]
    rows = []
    for (rep, step), v in taken_in.groupby(["replication", "activity"]):
        arrived = v["enable_time"] >= warmup
        started = arrived & v["start_time"].notna()
        waits = np.sort((v["start_time"] - v["enable_time"])[started].to_numpy())
        ended = v["end_time"].notna() & (v["end_time"] >= warmup) & (v["end_time"] < horizon)
        rows.append({"replication": rep, "step": step, "arrivals": int(arrived.sum()),
                     "completions": int(ended.sum()),
                     "mean_wait": float(waits.mean()) if waits.size else np.nan})
    return pd.DataFrame(rows)


def chain_figures(log: pd.DataFrame, warmup: float) -> pd.DataFrame:
    rows = []
    for rep, v in log.groupby("replication"):
        entered = v.groupby("case_id")["enable_time"].min()
        left = v.dropna(subset=["left_time"]).set_index("case_id")["left_time"]
        counted = entered[entered >= warmup]
        lead = (left.reindex(counted.index) - counted).dropna()
        rows.append({"replication": rep, "cases_out": int((left >= warmup).sum()),
                     "mean_lead_time": float(lead.mean()), "lead_n": len(lead)})
    return pd.DataFrame(rows)


def test_the_log_has_the_contract_columns_and_every_visit(police: Path) -> None:
    log = read(police)
    assert tuple(log.columns) == COLUMNS
    assert set(log["replication"]) == {0, 1}
    assert not log.duplicated(["replication", "case_id", "activity"]).any()  # no loops here
    done = log[log["status"] == "done"]
    assert (done["start_time"] >= done["enable_time"]).all()
    assert (done["end_time"] > done["start_time"]).all()
    assert log.loc[log["outcome"].notna(), "left_time"].notna().all()


@pytest.mark.parametrize("path", [POLICE, MECHANISMS, ACUTE], ids=["plain", "mechanisms", "acute"])
def test_the_log_gives_the_steps_table_exactly(path: Path, tmp_path: Path) -> None:
    out = run_with_log(path, tmp_path, "--events", "csv")
    scenario = ketensim.load(path)
    steps = pd.read_csv(out / "steps.csv")
    mine = step_figures(read(out), scenario.warmup, scenario.horizon)
    both = steps.merge(mine, on=["replication", "step"], suffixes=("", "_log"), how="left")
    assert (both["arrivals"] == both["arrivals_log"].fillna(0)).all()
    assert (both["completions"] == both["completions_log"].fillna(0)).all()
    # steps.csv holds 10 significant digits
    np.testing.assert_allclose(both["mean_wait_log"], both["mean_wait"], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("path", [POLICE, ACUTE], ids=["plain", "acute"])
def test_the_log_gives_the_chain_table_exactly(path: Path, tmp_path: Path) -> None:
    out = run_with_log(path, tmp_path, "--events", "csv")
    scenario = ketensim.load(path)
    chain = pd.read_csv(out / "chain.csv")
    mine = chain_figures(read(out), scenario.warmup)
    assert list(mine["cases_out"]) == list(chain["cases_out"])
    np.testing.assert_allclose(mine["mean_lead_time"], chain["mean_lead_time"], rtol=1e-9)


SEEDED = """
[scenario]
name = "voorraad"
horizon = 30
[[partner]]
id = "om"
[[step]]
id = "om"
partner = "om"
capacity = 2
service = { dist = "exponential", mean = 1.0 }
backlog = { queue = 5, in_service = 2, oldest = 8 }
[[arrival]]
id = "in"
to = "om"
rate = 1.5
"""


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "simulation"])
def test_the_werkvoorraad_at_start_is_in_the_log(tmp_path: Path, fast: bool) -> None:
    path = tmp_path / "v.toml"
    path.write_text(SEEDED, encoding="utf-8")
    out = run_with_log(path, tmp_path, "--events", "csv", *(() if fast else ("--no-fast-path",)))
    log = read(out)
    seeded = log[(log["replication"] == 0) & (log["case_id"] < 7)].sort_values("case_id")
    assert len(seeded) == 7  # every case of the werkvoorraad has its visit
    in_service, waiting = seeded.iloc[:2], seeded.iloc[2:]
    assert (in_service["enable_time"] == 0).all() and (in_service["start_time"] == 0).all()
    assert list(waiting["enable_time"]) == [-8.0, -6.0, -4.0, -2.0, -0.0]  # ages 8 down to 0
    assert (waiting["start_time"] >= 0).all()


def test_same_bytes_whatever_jobs_and_fast_path(police: Path, tmp_path: Path) -> None:
    out2 = tmp_path / "two"
    got = CliRunner().invoke(cli, ["run", str(POLICE), "--out", str(out2), "-n", "2",
                                   "--jobs", "2", "--events", "csv", "--events", "xes",
                                   "--events", "ocel"])
    assert got.exit_code == 0, got.output
    slow = run_with_log(POLICE, tmp_path, "--events", "csv", "--no-fast-path", name="slow")
    for name in ("events.csv", "events/replication-1.xes", "events/replication-0.jsonocel"):
        assert (police / name).read_bytes() == (out2 / name).read_bytes(), name
    assert (police / "events.csv").read_bytes() == (slow / "events.csv").read_bytes()


def test_no_log_without_the_option_and_no_parts_left(police: Path, tmp_path: Path) -> None:
    out = run_with_log(POLICE, tmp_path)
    assert not (out / "events.csv").exists() and not (out / "events").exists()
    assert not [p for p in police.parent.iterdir() if ".events-" in p.name]
    manifest = json.loads((police / "manifest.json").read_text())
    assert "events.csv" in manifest["files"]


def test_xes_timestamps_follow_start_date(tmp_path: Path) -> None:
    text = POLICE.read_text(encoding="utf-8").replace(
        'time_unit = "week"', 'time_unit = "week"\nstart_date = "2023-01-02"', 1)
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    out = run_with_log(path, tmp_path, "--events", "xes")
    xes = (out / "events" / "replication-0.xes").read_text(encoding="utf-8")
    tag = '<date key="time:timestamp" value="'
    first = xes.index(tag, xes.index("<trace>")) + len(tag)
    assert xes[first:first + 4] in ("2023", "2022")  # werkvoorraad cases start before
    log = read(out)
    assert log["enable_time"].max() < 104  # events.csv keeps times in the time unit


def test_a_bad_start_date_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(POLICE.read_text(encoding="utf-8").replace(
        'time_unit = "week"', 'time_unit = "week"\nstart_date = "2023-02-30"', 1),
        encoding="utf-8")
    got = CliRunner().invoke(cli, ["check", str(path)])
    assert got.exit_code == 2
    assert "scenario.start_date: not a date (expected a date YYYY-MM-DD" in got.output


pm4py = pytest.importorskip("pm4py")


def test_pm4py_reads_the_xes_log(police: Path) -> None:
    frame = pm4py.read_xes(str(police / "events" / "replication-0.xes"))
    log = read(police)
    visits = log[log["replication"] == 0]
    assert (frame["lifecycle:transition"] == "start").sum() == visits["start_time"].notna().sum()
    assert (frame["lifecycle:transition"] == "complete").sum() == visits["end_time"].notna().sum()
    assert frame["case:concept:name"].nunique() == visits[visits["start_time"].notna()][
        "case_id"].nunique()
    assert set(frame["org:group"]) == {"politie", "om", "rechtbank"}
    times = frame.groupby("case:concept:name")["time:timestamp"]
    assert (times.apply(lambda t: t.is_monotonic_increasing)).all()


def test_pm4py_reads_the_ocel_log(police: Path) -> None:
    ocel = pm4py.read_ocel2_json(str(police / "events" / "replication-0.jsonocel"))
    log = read(police)
    visits = log[log["replication"] == 0]
    counts = ocel.events["ocel:activity"].value_counts()
    assert counts["arrive"] == (visits["status"] != "at_door").sum()
    assert counts["start"] == visits["start_time"].notna().sum()
    assert counts["complete"] == visits["end_time"].notna().sum()
    assert set(ocel.objects["ocel:type"]) == {"case", "partner"}


def test_the_logs_validate_against_the_standards_schemas(police: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    etree = pytest.importorskip("lxml.etree")
    schema = json.loads((SCHEMAS / "ocel20.json").read_text(encoding="utf-8"))
    doc = json.loads((police / "events" / "replication-0.jsonocel").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "xes-ieee-1849-2016.xsd")))
    assert xsd.validate(etree.parse(str(police / "events" / "replication-0.xes"))), \
        xsd.error_log.last_error
