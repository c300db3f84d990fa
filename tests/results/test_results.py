"""Records -> tables, on five hand-written replications (no simulation)."""

from __future__ import annotations

import math
import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from builders import poisson, scenario, step

from ketensim.engine.records import ReplicationRecord, StepRecord
from ketensim.results import stats
from ketensim.results.tables import (
    CHAIN_COLUMNS,
    OUTCOME_COLUMNS,
    STEP_COLUMNS,
    TIMESERIES_COLUMNS,
    build_results,
    replication_rows,
)

T = np.arange(0.0, 111.0, 10.0)  # 12 samples


def chain():
    return scenario(
        [
            step("a", 2, 1.0, [("b", 1.0)], partner="p"),
            step("b", 1, 0.5, [("exit", 0.6, "ok"), ("exit", 0.4, "nee")], partner="q"),
        ],
        [poisson("a", 0.5)],
        horizon=110,
        warmup=10,
    )


def step_record(sid: str, r: int) -> StepRecord:
    if sid == "a":
        return StepRecord(
            step="a", arrivals=50 + r, completions=48 + r,
            waits=np.array([0.0, 1.0, 2.0, 3.0, 4.0]) * (r + 1),
            queue_area=200.0 * (r + 1), busy_area=80.0, capacity_area=100.0,
            max_queue=5 + r, queue_at_end=r, in_service_at_end=1,
        )
    return StepRecord(
        step="b", arrivals=40, completions=39,
        waits=np.empty(0) if r == 2 else np.array([0.5, 1.5]),
        queue_area=10.0, busy_area=30.0, capacity_area=0.0 if r == 4 else 60.0,
        max_queue=2, queue_at_end=0, in_service_at_end=0,
    )


def record(r: int) -> ReplicationRecord:
    order = ["b", "a"] if r == 3 else ["a", "b"]  # the engine's order need not be the file's
    samples = {"a": T * (r + 1), "b": np.full(T.size, float(r))}
    return ReplicationRecord(
        replication=r, warmup=10.0, horizon=110.0,
        steps=[step_record(s, r) for s in order],
        cases_in=60 + r, cases_out=55 + r,
        lead_times=np.array([2.0, 4.0, 6.0, 8.0]) + r,
        outcomes={"ok": 10 + r},
        wip_at_end=5,
        sample_times=T,
        queue_samples=np.array([samples[s] for s in order]),
        busy_samples=np.array([np.full(T.size, 1 if s == "a" else 0) for s in order]),
    )


@pytest.fixture
def results():
    sc = chain()
    rows = [replication_rows(record(r), sc) for r in range(5)]
    return build_results(sc, rows[::-1], seed=3, replications=5)  # order must not matter


def test_columns_start_with_the_contract(results):
    assert list(results.steps.columns[: len(STEP_COLUMNS)]) == list(STEP_COLUMNS)
    assert list(results.chain.columns[: len(CHAIN_COLUMNS)]) == list(CHAIN_COLUMNS)
    assert list(results.outcomes.columns) == list(OUTCOME_COLUMNS)
    assert list(results.timeseries.columns) == list(TIMESERIES_COLUMNS)
    assert "in_service_at_end" in results.steps.columns


def test_step_rows_in_replication_then_scenario_order(results):
    s = results.steps
    assert list(zip(s.replication, s.step, s.partner, strict=True)) == [
        (r, sid, p) for r in range(5) for sid, p in (("a", "p"), ("b", "q"))
    ]


def test_step_figures(results):
    a = results.steps[results.steps.step == "a"].reset_index(drop=True)
    reps = np.arange(5)
    assert a.arrivals.tolist() == (50 + reps).tolist()
    assert a.mean_wait.tolist() == pytest.approx((2.0 * (reps + 1)).tolist())
    assert a.p90_wait.tolist() == pytest.approx((3.6 * (reps + 1)).tolist())
    assert a.mean_queue.tolist() == pytest.approx((2.0 * (reps + 1)).tolist())
    assert a.utilization.tolist() == pytest.approx([0.8] * 5)
    assert a.max_queue.tolist() == (5 + reps).tolist()
    assert a.queue_at_end.tolist() == reps.tolist()


def test_missing_figures_are_nan(results):
    b = results.steps[results.steps.step == "b"].set_index("replication")
    assert math.isnan(b.loc[2, "mean_wait"]) and math.isnan(b.loc[2, "p90_wait"])
    assert b.loc[1, "mean_wait"] == pytest.approx(1.0)
    assert math.isnan(b.loc[4, "utilization"])
    assert b.loc[3, "utilization"] == pytest.approx(0.5)


def test_chain_rows(results):
    c = results.chain
    assert c.replication.tolist() == list(range(5))
    assert c.mean_lead_time.tolist() == pytest.approx([5.0 + r for r in range(5)])
    assert c.p50_lead_time.tolist() == pytest.approx([5.0 + r for r in range(5)])
    assert c.p90_lead_time.tolist() == pytest.approx([7.4 + r for r in range(5)])
    assert c.cases_in.tolist() == [60 + r for r in range(5)]
    assert c.wip_at_end.tolist() == [5] * 5


def test_outcomes_include_zeros_in_scenario_order(results):
    o = results.outcomes
    assert list(zip(o.replication, o.outcome, o.cases, strict=True)) == [
        row for r in range(5) for row in ((r, "ok", 10 + r), (r, "nee", 0))
    ]


def test_timeseries_long_and_ordered(results):
    ts = results.timeseries
    assert len(ts) == 5 * 2 * T.size
    rep3 = ts[ts.replication == 3]
    assert rep3.step.tolist() == ["a"] * T.size + ["b"] * T.size
    assert rep3.t.tolist() == T.tolist() * 2
    assert rep3[rep3.step == "a"].queue.tolist() == (T * 4).astype(int).tolist()
    assert rep3[rep3.step == "b"].queue.tolist() == [3] * T.size
    assert rep3[rep3.step == "a"].in_service.tolist() == [1] * T.size


def test_rows_are_small_and_plain():
    rows = replication_rows(record(0), chain())
    assert set(rows) == {"replication", "steps", "chain", "outcomes", "timeseries", "types",
                         "pools", "norms", "costs", "deadlocks", "lead_times", "fast",
                         "partners", "door"}
    assert "waits" not in rows["steps"][0]
    assert len(pickle.dumps(rows)) < 4000


def test_a_deadlock_is_kept_with_its_steps_and_written_only_when_it_happened(results):
    assert "deadlocks" not in results.tables and results.chain.deadlock_at.isna().all()
    sc = chain()
    locked = replace(record(1), deadlock=(42.5, ("a", "b")))
    rows = [replication_rows(record(0), sc), replication_rows(locked, sc)]
    assert rows[1]["deadlocks"] == [{"replication": 1, "at": 42.5, "steps": "a b"}]
    run = build_results(sc, rows, seed=3, replications=2)
    assert run.deadlocks.to_dict("records") == [{"replication": 1, "at": 42.5, "steps": "a b"}]
    assert run.chain.deadlock_at.isna().tolist() == [True, False]
    assert list(run.tables)[-2:] == ["deadlocks", "lead_times"]


def test_build_results_wants_every_replication_once():
    sc = chain()
    rows = [replication_rows(record(r), sc) for r in (0, 1, 3)]
    with pytest.raises(ValueError, match=r"replications 0\.\.3"):
        build_results(sc, rows, seed=0, replications=4)


def test_summary_means_and_intervals(results):
    summary = results.summary()
    assert list(summary.columns) == ["step", "kpi", "mean", "ci_low", "ci_high", "n"]
    row = summary[(summary.step == "a") & (summary.kpi == "mean_wait")].iloc[0]
    expected = stats.mean_ci([2.0, 4.0, 6.0, 8.0, 10.0])
    assert (row["mean"], row.ci_low, row.ci_high) == pytest.approx(
        (expected.mean, expected.low, expected.high)
    )
    b_wait = summary[(summary.step == "b") & (summary.kpi == "mean_wait")].iloc[0]
    assert b_wait.n == 4  # replication 2 had no waits
    chain_rows = summary[summary.step == ""]
    assert chain_rows.kpi.tolist()[:3] == ["cases_in", "cases_out", "mean_lead_time"]
    assert summary.step.tolist().index("b") > summary.step.tolist().index("a")


def test_interval_of_one_kpi(results):
    assert results.interval("mean_lead_time").mean == pytest.approx(7.0)
    with pytest.raises(KeyError):
        results.interval("mean_wait", "nope")


def test_backlog_trend_sees_a_growing_queue(results):
    trend = results.backlog_trend().set_index("step")
    assert bool(trend.loc["a", "growing"]) and trend.loc["a", "status"] == "growing"
    assert not bool(trend.loc["b", "growing"])


def test_tables_in_write_order(results):
    assert list(results.tables) == ["steps", "chain", "outcomes", "timeseries", "partners",
                                    "lead_times"]
    assert all(isinstance(df, pd.DataFrame) for df in results.tables.values())


def test_case_type_and_pool_tables_from_a_real_run():
    from dataclasses import replace

    from builders import scenario, step

    from ketensim.engine import run_replication
    from ketensim.scenario.model import Arrival, Pool, TypeRule

    a = replace(step("a", 2, 1.0), types=(TypeRule("urgent", priority=1),))
    b = step("b", 2, 1.0)
    sc = scenario([a, b], [Arrival("x", "a", 0.5, "urgent"), Arrival("y", "a", 0.5, "gewoon"),
                           Arrival("z", "b", 0.5)], horizon=2_000, warmup=100)
    sc = replace(sc, pools=(Pool("staf", "p", 2, ("a", "b")),))
    rows = [replication_rows(run_replication(sc, r, 1), sc) for r in range(2)]
    res = build_results(sc, rows, seed=1, replications=2)
    assert set(res.tables) == {"steps", "chain", "outcomes", "timeseries", "types", "pools",
                               "partners", "lead_times"}
    types = res.types[res.types.replication == 0].set_index("case_type")
    assert types.loc["urgent", "mean_wait"] < types.loc["gewoon", "mean_wait"]
    # The pool serves 1.5 cases per time unit of work 1.0 with 2 servers: 75% busy.
    assert res.pools.utilization.mean() == pytest.approx(0.75, abs=0.05)
    assert (res.timeseries.capacity == 2).all()


def test_lead_time_percentiles_describe_the_distribution():
    """Percentiles 1..99 per replication, rising, with the median equal to p50_lead_time."""
    from builders import poisson, scenario, step

    import ketensim

    res = ketensim.simulate(scenario([step("a", 2, 1.0)], [poisson("a", 1.5)], horizon=500),
                            replications=2, seed=1)
    lt = res.lead_times
    assert list(lt.columns) == ["replication", "percentile", "lead_time"]
    assert len(lt) == 2 * 99
    for rep, part in lt.groupby("replication"):
        assert part.lead_time.is_monotonic_increasing
        median = part[part.percentile == 50].lead_time.item()
        assert median == pytest.approx(res.chain.p50_lead_time[rep])
