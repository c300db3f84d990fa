"""The engine against queueing theory.

Each check runs long enough that the stated tolerance is several standard
errors wide (the standard errors were measured over independent seeds), so
a correct engine passes reliably and a wrong formula or a lost case fails.
Little's law (L = lambda W) is checked on every theory run, per step and for
the whole chain.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import poisson, scenario, step
from queueing import md1_wait, mmc_queue, mmc_wait

from ketensim.engine import run_replication
from ketensim.engine.records import ReplicationRecord
from ketensim.scenario.distributions import Deterministic
from ketensim.scenario.model import Pool


def run(sc, reps: int, seed: int = 11) -> list[ReplicationRecord]:
    return [run_replication(sc, r, seed, sample_every=sc.horizon) for r in range(reps)]


def pooled(records: list[ReplicationRecord], i: int) -> dict[str, float]:
    """Step ``i``'s figures over all replications (waits pooled, areas summed)."""
    waits = np.concatenate([r.steps[i].waits for r in records])
    window = sum(r.window for r in records)
    busy = sum(r.steps[i].busy_area for r in records)
    return {
        "wait": float(waits.mean()),
        "queue": sum(r.steps[i].queue_area for r in records) / window,
        "busy": busy / window,
        "util": busy / sum(r.steps[i].capacity_area for r in records),
        "rate": sum(r.steps[i].arrivals for r in records) / window,
    }


def assert_little(records: list[ReplicationRecord], n_steps: int, rel: float = 0.03) -> None:
    """L = lambda W per step (queue) and for the chain (cases in the chain)."""
    for i in range(n_steps):
        f = pooled(records, i)
        assert f["queue"] == pytest.approx(f["rate"] * f["wait"], rel=rel)
    window = sum(r.window for r in records)
    wip = sum(sum(s.queue_area + s.busy_area for s in r.steps) for r in records) / window
    lead = np.concatenate([r.lead_times for r in records]).mean()
    rate = sum(r.cases_in for r in records) / window
    assert wip == pytest.approx(rate * lead, rel=rel)


@pytest.mark.slow
def test_mm1_wait_utilisation_and_littles_law():
    lam, mean = 0.7, 1.0
    sc = scenario([step("s", 1, mean)], [poisson("s", lam)], horizon=80_000, warmup=2_000)
    recs = run(sc, 4)
    f = pooled(recs, 0)
    # Wq = rho / (mu - lambda) = 2.333. Over 12 seeds this four-replication mean spreads
    # 1.4% (queue 1.6%, utilisation 0.3%): the bands are about four of them.
    assert f["wait"] == pytest.approx(mmc_wait(lam, mean, 1), rel=0.06)
    assert f["util"] == pytest.approx(lam * mean, rel=0.013)
    assert f["queue"] == pytest.approx(mmc_queue(lam, mean, 1), rel=0.065)
    assert_little(recs, 1)


@pytest.mark.slow
@pytest.mark.parametrize("c,rho,cases", [(3, 0.85, 200_000), (10, 0.9, 420_000)])
def test_mmc_erlang_c(c, rho, cases):
    """The mean wait spreads 1.7% over seeds with these case counts (utilisation 0.2%); the
    bands are four of that."""
    mean = 2.0
    lam = rho * c / mean
    sc = scenario([step("s", c, mean)], [poisson("s", lam)], horizon=cases / lam, warmup=500)
    recs = run(sc, 4)
    f = pooled(recs, 0)
    assert f["wait"] == pytest.approx(mmc_wait(lam, mean, c), rel=0.07)
    assert f["util"] == pytest.approx(rho, rel=0.008)
    assert_little(recs, 1)


@pytest.mark.slow
def test_md1_pollaczek_khinchine():
    lam, service = 0.8, 1.0
    sc = scenario([step("s", 1, Deterministic(service))], [poisson("s", lam)],
                  horizon=90_000, warmup=1_000)
    f = pooled(run(sc, 6), 0)  # spreads 1.1% over seeds: the band is about five of that
    assert f["wait"] == pytest.approx(md1_wait(lam, service), rel=0.06)


@pytest.mark.slow
def test_jackson_chain_with_exit_branch():
    """A -> B (60%) or exit (40%); B -> C: each step is M/M/c at its traffic-equation rate.

    Measured over 12 seeds, the mean waits of this four-replication run spread 1.2% (A),
    1.5% (B) and 1.3% (C), rates 0.13%, utilisations 0.2% and the exit share 0.06 points:
    the bands are about four of that.
    """
    gamma = 4.0
    steps = [
        step("a", 5, 1.0, [("b", 0.6), ("exit", 0.4, "early")]),
        step("b", 3, 1.0, [("c", 1.0)]),
        step("c", 3, 0.8),
    ]
    rates = {"a": gamma, "b": 0.6 * gamma, "c": 0.6 * gamma}
    sc = scenario(steps, [poisson("a", gamma)], horizon=50_000, warmup=500)
    recs = run(sc, 4)
    for i, s in enumerate(steps):
        f = pooled(recs, i)
        assert f["rate"] == pytest.approx(rates[s.id], rel=0.006)
        assert f["wait"] == pytest.approx(mmc_wait(rates[s.id], s.service.mean, s.capacity),
                                          rel=0.06)
        assert f["util"] == pytest.approx(rates[s.id] * s.service.mean / s.capacity, rel=0.009)
    outcome_share = sum(r.outcomes["early"] for r in recs) / sum(r.cases_out for r in recs)
    assert outcome_share == pytest.approx(0.4, abs=0.003)
    assert_little(recs, 3)


@pytest.mark.slow
def test_jackson_feedback_loop():
    """A -> B; B sends 30% back to A (rework). Visit rate of A and B is gamma / 0.7.

    Over 12 seeds the mean waits spread 2.0% (at this length), the rates 0.3%, the lead time
    0.7%: the bands are about four of that.
    """
    gamma = 1.4
    steps = [
        step("a", 3, 1.0, [("b", 1.0)]),
        step("b", 2, 0.5, [("a", 0.3), ("exit", 0.7)]),
    ]
    lam = gamma / 0.7  # traffic equations: lam_a = gamma + 0.3 lam_b, lam_b = lam_a
    sc = scenario(steps, [poisson("a", gamma)], horizon=60_000, warmup=500)
    recs = run(sc, 4)
    for i, s in enumerate(steps):
        f = pooled(recs, i)
        assert f["rate"] == pytest.approx(lam, rel=0.013)
        assert f["wait"] == pytest.approx(mmc_wait(lam, s.service.mean, s.capacity), rel=0.08)
    # Mean number of visits per case is 1 / 0.7: lead time by Jackson's product form.
    lead = np.concatenate([r.lead_times for r in recs]).mean()
    sojourn = sum(mmc_wait(lam, s.service.mean, s.capacity) + s.service.mean for s in steps)
    assert lead == pytest.approx(sojourn / 0.7, rel=0.03)
    assert_little(recs, 2)


@pytest.mark.slow
def test_overloaded_step_backlog_grows_at_the_excess_rate():
    """Offered 1.2 per unit to a step that serves 1.0: the backlog grows by about 0.2 per unit.

    The growth rate of this three-replication run spreads 1.9% over seeds (at this length).
    """
    sc = scenario([step("s", 1, 1 / 1.0)], [poisson("s", 1.2)], horizon=40_000)
    recs = run(sc, 3)
    growth = np.mean([r.steps[0].queue_at_end / r.horizon for r in recs])
    assert growth == pytest.approx(0.2, rel=0.08)
    assert all(r.steps[0].busy_area / r.steps[0].capacity_area > 0.99 for r in recs)


@pytest.mark.slow
def test_steps_sharing_a_pool_keep_littles_law_and_pool_like_mmc():
    """Two steps share two servers (priority rule), each offered 0.8 per unit of mean 1.

    The pool is work-conserving, so the two queues together are the queue of
    M/M/2 at load 0.8 (Lq = 2.84); each step on its own keeps Little's law.
    """
    a = replace(step("a", 2, 1.0), pool="staf")
    b = replace(step("b", 2, 1.0), pool="staf")
    sc = replace(scenario([a, b], [poisson("a", 0.8, "x"), poisson("b", 0.8, "y")],
                          horizon=40_000, warmup=1_000),
                 pools=(Pool("staf", "p", 2, ("a", "b")),))
    recs = run(sc, 4)
    assert_little(recs, 2)
    window = sum(r.window for r in recs)
    total = sum(r.steps[i].queue_area for r in recs for i in (0, 1)) / window
    # This four-replication mean spreads 2.4% (sd over 12 seeds): about four of them.
    assert total == pytest.approx(mmc_queue(1.6, 1.0, 2), rel=0.10)
    busy = sum(r.pools["staf"][0] for r in recs) / sum(r.pools["staf"][1] for r in recs)
    assert busy == pytest.approx(0.8, rel=0.015)
