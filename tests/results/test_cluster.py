"""Replications on a Dask cluster give the same tables as on this machine."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from builders import poisson, scenario, step

import ketensim
from ketensim.results import replications as experiment

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    # Workers are threads of this process, but reached over TCP on the loopback address,
    # so that a command started as another process can use the same cluster.
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local.scheduler_address


def small():
    return scenario([step("a", 2, 1.0, [("b", 1.0)]), step("b", 1, 0.5)],
                    [poisson("a", 1.2)], horizon=300, warmup=20, name="klein")


def test_cluster_results_equal_local_results(cluster, monkeypatch):
    local = ketensim.simulate(small(), replications=4, seed=3, jobs=1)
    monkeypatch.setenv(experiment.SCHEDULER, cluster)
    remote = ketensim.simulate(small(), replications=4, seed=3, jobs=None)
    for name in ("steps", "chain", "outcomes", "timeseries"):
        pd.testing.assert_frame_equal(getattr(local, name), getattr(remote, name))


def test_the_scheduler_option_of_the_command_line(cluster, tmp_path):
    path = tmp_path / "klein.toml"
    path.write_text("""
[scenario]
name = "klein"
horizon = 200
replications = 3
[[partner]]
id = "p"
[[step]]
id = "a"
partner = "p"
capacity = 2
service = { dist = "exponential", mean = 1.0 }
[[arrival]]
id = "in"
to = "a"
rate = 1.2
""", encoding="utf-8")
    here = [sys.executable, "-m", "ketensim", "run", str(path)]
    subprocess.run([*here, "--out", str(tmp_path / "local"), "-j", "1"], check=True,
                   capture_output=True)
    done = subprocess.run([*here, "--out", str(tmp_path / "remote"), "--scheduler", cluster],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("steps.csv", "chain.csv", "timeseries.csv"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "remote" / name).read_bytes()


def test_an_unreachable_scheduler_is_bad_input(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ketensim", "run", "scenarios/onderwijs/dobbelspel.toml",
         "--out", str(tmp_path / "x"), "--scheduler", "tcp://127.0.0.1:9"],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("address", ["tcp://", "http://127.0.0.1:8786", "tcp://x:99999", "x" * 500])
def test_a_garbage_scheduler_address_is_bad_input(address, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ketensim", "run", "scenarios/onderwijs/dobbelspel.toml",
         "--out", str(tmp_path / "x"), "--scheduler", address],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: --scheduler: not a Dask scheduler address")
    assert len(done.stderr.splitlines()) == 1 and len(done.stderr) < 200
    assert not (tmp_path / "x").exists()


def test_a_scheduler_that_never_answers_is_given_up_on(monkeypatch):
    import threading

    never = threading.Event()

    class Silent:  # accepts the call and then waits, as a handshake with an HTTP server does
        def __init__(self, address, timeout):
            never.wait(30)

    monkeypatch.setattr(experiment, "CONNECT_SECONDS", 0.2)
    with pytest.raises(experiment.ClusterError, match="no answer within"):
        experiment._connect(Silent, "tcp://127.0.0.1:8786")
    never.set()


def test_the_manifest_records_the_scheduler_address(cluster, tmp_path):
    import json

    out = tmp_path / "remote"
    done = subprocess.run(
        [sys.executable, "-m", "ketensim", "run", "scenarios/onderwijs/dobbelspel.toml",
         "--out", str(out), "--scheduler", cluster, "-n", "2"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    command = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["command"]
    assert f"--scheduler {cluster}" in command and "None" not in command
