"""The public Python API: load, simulate, Results, ScenarioError, __version__."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from builders import poisson, scenario, step

import ketensim
from ketensim.results import replications as experiment
from ketensim.results.tables import CHAIN_COLUMNS, OUTCOME_COLUMNS, STEP_COLUMNS, TIMESERIES_COLUMNS

TINY = """
[scenario]
name = "api"
horizon = 30
replications = 2
seed = 5

[[partner]]
id = "p"

[[step]]
id = "a"
partner = "p"
capacity = 1
service = { dist = "exponential", mean = 0.5 }

[[arrival]]
id = "in"
to = "a"
rate = 1.0
"""


def two_steps(capacity: int = 1):
    return scenario(
        [step("a", 2, 1.0, [("b", 1.0)]), step("b", capacity, 0.8)],
        [poisson("a", 1.0)], horizon=200, warmup=20,
    )


def test_public_names():
    assert ketensim.__version__ == "0.1.0"
    assert set(ketensim.__all__) >= {"load", "simulate", "Results", "ScenarioError"}
    assert ketensim.Results.__name__ == "Results"
    assert issubclass(ketensim.ScenarioError, Exception)


def test_simulate_a_path_uses_the_files_own_settings(tmp_path: Path):
    path = tmp_path / "api.toml"
    path.write_text(TINY, encoding="utf-8")
    results = ketensim.simulate(path)
    assert isinstance(results, ketensim.Results)
    assert (results.replications, results.seed) == (2, 5)
    assert list(results.steps.columns[: len(STEP_COLUMNS)]) == list(STEP_COLUMNS)
    assert list(results.chain.columns[: len(CHAIN_COLUMNS)]) == list(CHAIN_COLUMNS)
    assert list(results.outcomes.columns) == list(OUTCOME_COLUMNS)
    assert list(results.timeseries.columns) == list(TIMESERIES_COLUMNS)
    assert results.scenario == ketensim.load(path).with_run_options(2, 5)


def test_load_reports_problems(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text("[scenario]\nhorizon = 1\n", encoding="utf-8")
    with pytest.raises(ketensim.ScenarioError) as info:
        ketensim.load(path)
    assert info.value.problems
    assert all(str(p).startswith(f"error: {path}: ") for p in info.value.problems)


def test_overrides_and_replication_numbering():
    results = ketensim.simulate(two_steps(), replications=3, seed=9)
    assert (results.replications, results.seed) == (3, 9)
    assert results.chain.replication.tolist() == [0, 1, 2]
    assert results.scenario.replications == 3 and results.scenario.seed == 9


def test_same_seed_same_tables_whatever_jobs():
    one = ketensim.simulate(two_steps(), replications=3, seed=2, jobs=1)
    many = ketensim.simulate(two_steps(), replications=3, seed=2, jobs=3)
    for name, frame in one.tables.items():
        pd.testing.assert_frame_equal(frame, many.tables[name], check_exact=True)


def test_more_servers_shorter_waits():
    """Common random numbers: the same arrivals meet a bigger team."""
    small = ketensim.simulate(two_steps(capacity=1), replications=3, seed=4)
    big = ketensim.simulate(two_steps(capacity=2), replications=3, seed=4)
    assert big.interval("mean_wait", "b").mean < small.interval("mean_wait", "b").mean


def test_progress_called_once_per_replication():
    seen: list[int] = []
    ketensim.simulate(two_steps(), replications=4, seed=1, jobs=2, progress=seen.append)
    assert sorted(seen) == [0, 1, 2, 3]


def test_experiment_rows_in_replication_order():
    rows = experiment.run_experiment(two_steps(), 3, seed=1, jobs=2)
    assert [r["replication"] for r in rows] == [0, 1, 2]
    assert experiment.effective_jobs(None, 2) <= 2
    assert experiment.effective_jobs(8, 3) == 3
    with pytest.raises(ValueError):
        experiment.run_experiment(two_steps(), 0, seed=1)


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="sample_every"):
        ketensim.simulate(two_steps(), replications=1, sample_every=0)
    with pytest.raises(ValueError, match="jobs"):
        ketensim.simulate(two_steps(), replications=1, jobs=0)


def test_sample_every_sets_the_timeseries_grid():
    sc = replace(two_steps(), horizon=10.0, warmup=0.0)
    results = ketensim.simulate(sc, replications=1, sample_every=2.5)
    assert sorted(set(results.timeseries.t)) == [0.0, 2.5, 5.0, 7.5, 10.0]


def test_import_is_light():
    code = (
        "import sys, ketensim, ketensim.cli; "
        "heavy = [m for m in ('pandas', 'simpy', 'matplotlib', 'scipy') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_api_writes_what_the_command_line_writes(tmp_path):
    path = tmp_path / "api.toml"
    path.write_text(TINY, encoding="utf-8")
    results = ketensim.simulate(path)
    out = ketensim.write(results, tmp_path / "uit", formats=["xlsx"])
    names = {p.name for p in out.iterdir()}
    assert {"steps.csv", "chain.csv", "report.html", "manifest.json", "results.xlsx"} <= names
    from click.testing import CliRunner

    from ketensim.cli import cli

    CliRunner().invoke(cli, ["run", str(path), "--out", str(tmp_path / "cli")])
    for name in ("steps.csv", "chain.csv", "outcomes.csv", "timeseries.csv"):
        assert (out / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    page = ketensim.report(results, lang="en")
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    with pytest.raises(Exception, match="--force"):
        ketensim.write(results, out)


def test_the_api_writes_a_comparison_and_its_report(tmp_path):
    path = tmp_path / "api.toml"
    path.write_text(TINY, encoding="utf-8")
    other = tmp_path / "meer.toml"
    text = TINY.replace('name = "api"', 'name = "meer"').replace("rate = 1.0", "rate = 1.5")
    other.write_text(text, encoding="utf-8")
    done = ketensim.compare(path, [other])
    out = ketensim.write(done, tmp_path / "cmp")
    assert (out / "comparison.csv").exists() and (out / "meer" / "steps.csv").exists()
    assert "meer" in ketensim.report(done)


def test_repr_is_a_short_summary(tmp_path):
    path = tmp_path / "api.toml"
    path.write_text(TINY, encoding="utf-8")
    results = ketensim.simulate(path)
    text = repr(results)
    assert text == "<Results api: 2 replications, seed 5, 1 steps, window 0-30 day>"
    assert len(text) < 120
