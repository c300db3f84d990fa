"""The exact fast path gives the simulation's record, bit for bit, or steps aside.

Every field of the record is compared exactly (floats with ==): random plain
chains from Hypothesis (capacities, service families, branching routes,
several sources, a werkvoorraad at start, capacity and rate events, warm-up),
every bundled scenario the fast path applies to, and chains where two moments
tie, which must fall back to the simulation and still agree.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import det, event, poisson, replay, scenario, step
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ketensim
from ketensim.cli import cli
from ketensim.engine.fastpath import run_fast
from ketensim.engine.plain import Tie, plain_reason
from ketensim.engine.run import run_replication, sample_times
from ketensim.scenario.distributions import Exponential, Gamma, LogNormal, Uniform
from ketensim.scenario.model import Backlog, Dismissal, QueueLimit

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def differences(a: object, b: object, path: str = "record") -> list[str]:
    """Where two records differ, exactly (NaN equals NaN); empty when they are the same."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return [d for f in dataclasses.fields(a) if f.name != "fast"
                for d in differences(getattr(a, f.name), getattr(b, f.name),
                                     f"{path}.{f.name}")]
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape:
            return [f"{path}: shape {x.shape} != {y.shape}"]
        same = (x == y) | (np.isnan(x) & np.isnan(y)) if x.dtype.kind == "f" else x == y
        return [] if np.all(same) else [f"{path}: differs"]
    if isinstance(a, list | tuple):
        if len(a) != len(b):  # type: ignore[arg-type]
            return [f"{path}: length"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))  # type: ignore[call-overload]
                for d in differences(x, y, f"{path}[{i}]")]
    if isinstance(a, dict):
        return [d for k in a for d in differences(a[k], b[k], f"{path}[{k}]")]  # type: ignore[index]
    if a != b and not (isinstance(a, float) and isinstance(b, float) and a != a and b != b):
        return [f"{path}: {a!r} != {b!r}"]
    return []


@st.composite
def plain_chains(draw: st.DrawFn):
    n = draw(st.integers(1, 4))
    steps = []
    for i in range(n):
        capacity = draw(st.integers(1, 5))
        mean = draw(st.floats(0.2, 2.0)) * capacity
        service = draw(st.sampled_from([Exponential(mean), Gamma(mean, 0.6),
                                        LogNormal(mean, 1.2), Uniform(0.5 * mean, 1.5 * mean)]))
        routes = []
        if i + 1 < n:
            to = draw(st.integers(i + 1, n - 1))
            p = draw(st.sampled_from([1.0, 0.7, 0.35]))
            routes.append((f"s{to}", p))
            if p < 1:
                routes.append(("exit", round(1 - p, 10), "eerder"))
        s = step(f"s{i}", capacity, service, routes, partner=draw(st.sampled_from("pqr")))
        if draw(st.booleans()):
            queue = draw(st.integers(0, 6))
            ages = tuple(draw(st.sampled_from([0.0, 1.5, 4.0])) for _ in range(queue))
            s = dataclasses.replace(s, backlog=Backlog(queue=queue, ages=ages,
                                                       in_service=draw(st.integers(0, capacity))))
        if draw(st.integers(0, 3)) == 0:  # sepot wegens capaciteit: dismissal above a queue
            s = dataclasses.replace(s, dismissal=Dismissal(
                above=draw(st.integers(0, 4)), share=draw(st.sampled_from([0.3, 1.0])),
                outcome="sepot"))
        steps.append(s)
    arrivals = [poisson("s0", draw(st.floats(0.3, 2.0)), "a")]
    if n > 1 and draw(st.booleans()):
        arrivals.append(poisson(f"s{draw(st.integers(1, n - 1))}", 0.4, "b"))
    events = []
    if draw(st.booleans()):
        events.append(event(draw(st.floats(5, 60)), **{
            f"s{draw(st.integers(0, n - 1))}__capacity": draw(st.integers(0, 6))}))
    if draw(st.booleans()):
        events.append(event(draw(st.floats(5, 60)), a__rate=draw(st.floats(0.1, 3.0))))
    return scenario(steps, arrivals, horizon=draw(st.sampled_from([40.0, 75.5])),
                    warmup=draw(st.sampled_from([0.0, 12.0])),
                    events=sorted(events, key=lambda e: e.at))


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(sc=plain_chains(), seed=st.integers(0, 10**6))
def test_a_plain_chain_gives_the_simulations_record_bit_for_bit(sc, seed):
    assert plain_reason(sc) is None
    times = sample_times(sc.horizon, 1.0)
    simulated = run_replication(sc, 0, seed, fast=False)
    try:
        fast = run_fast(sc, 0, seed, times)
    except Tie:
        return  # a coincidence the event list must order: the simulation runs instead
    assert fast.fast and not simulated.fast
    assert differences(fast, simulated) == []


def test_dismissal_runs_on_the_fast_path_and_matches():
    """A step that dismisses above a queue length: the police scenario's OM."""
    sc = scenario([dataclasses.replace(step("om", 2, Exponential(1.0), [("exit", 1.0, "klaar")]),
                                       dismissal=Dismissal(above=3, share=0.5, outcome="sepot"))],
                  [poisson("om", 2.6)], horizon=400, warmup=20)
    fast = run_replication(sc, 0, 5)
    assert fast.fast and fast.steps[0].dismissed > 50
    assert differences(fast, run_replication(sc, 0, 5, fast=False)) == []
    assert plain_reason(ketensim.load(SCENARIOS / "strafrechtketen/politie-levert-meer.toml")) \
        is None


def test_coinciding_moments_fall_back_to_the_simulation_and_agree():
    sc = scenario([step("a", 2, det(1.0), [("b", 1.0)]), step("b", 1, det(0.5))],
                  [replay("a", [0.0, 0.0, 1.0, 2.0, 2.0])], horizon=10)
    with pytest.raises(Tie):
        run_fast(sc, 0, 1, sample_times(sc.horizon, 1.0))
    record = run_replication(sc, 0, 1)
    assert not record.fast
    assert differences(record, run_replication(sc, 0, 1, fast=False)) == []


def test_the_reason_a_chain_is_not_plain_is_named():
    limited = dataclasses.replace(step("a", 1, 1.0), queue_limit=QueueLimit(3, "reject"))
    assert plain_reason(scenario([limited], [poisson("a", 1.0)], horizon=5)) == \
        "step a: a finite buffer"
    loop = scenario([step("a", 1, 1.0, [("b", 1.0)]), step("b", 1, 1.0, [("a", 0.5),
                                                                          ("exit", 0.5)])],
                    [poisson("a", 0.2)], horizon=5)
    assert plain_reason(loop) == "routes that loop back"


PLAIN = [f for f in sorted(SCENARIOS.rglob("*.toml")) if plain_reason(ketensim.load(f)) is None]


@pytest.mark.parametrize("path", PLAIN, ids=[str(p.relative_to(SCENARIOS)) for p in PLAIN])
def test_every_plain_bundled_scenario_gives_the_same_tables(path):
    sc = ketensim.load(path)
    fast = ketensim.simulate(sc, replications=2, seed=3)
    slow = ketensim.simulate(sc, replications=2, seed=3, fast_path=False)
    assert not any(slow.fast_path)
    for name, table in slow.tables.items():
        pd.testing.assert_frame_equal(fast.tables[name], table, check_exact=True, obj=name)


def test_poisson_chains_run_on_the_fast_path():
    """Dice and replays tie (they fall back above); continuous moments do not."""
    for name in ("strafrechtketen/basis.toml",
                 "vreemdelingenketen/historisch-2000-met-bezwaar.toml",
                 "onderwijs/politie-klein.toml"):
        done = ketensim.simulate(ketensim.load(SCENARIOS / name), replications=2)
        assert all(done.fast_path), name


def test_the_command_line_says_so_and_can_switch_it_off(tmp_path):
    path = SCENARIOS / "onderwijs" / "politie-klein.toml"
    on = CliRunner().invoke(cli, ["run", str(path), "-n", "2", "--out", str(tmp_path / "a")])
    off = CliRunner().invoke(cli, ["run", str(path), "-n", "2", "--out", str(tmp_path / "b"),
                                   "--no-fast-path"])
    assert on.exit_code == off.exit_code == 0
    assert "snelle rekenweg" in " ".join(on.stdout.split())
    assert "snelle rekenweg" not in off.stdout
    for name in ("steps.csv", "chain.csv", "outcomes.csv", "timeseries.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_weekly_pattern_keeps_weekends_empty_on_both_paths():
    source = dataclasses.replace(poisson("a", 2.0), week=(1.4, 1.4, 1.4, 1.4, 1.4, 0.0, 0.0))
    sc = scenario([step("a", 3, Exponential(1.0))], [source], horizon=70)
    fast = run_replication(sc, 0, 2)
    assert fast.fast and differences(fast, run_replication(sc, 0, 2, fast=False)) == []
    entered = fast.entered
    assert not ((entered // 1) % 7 >= 5).any()  # day 0 is a Monday
    assert len(entered) == pytest.approx(2.0 * 70, rel=0.2)
