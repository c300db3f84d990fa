"""Small deterministic cases traced by hand: exact equality, no tolerance."""

from __future__ import annotations

import numpy as np
import pytest
from builders import det, event, poisson, replay, scenario, step

from ketensim.engine import run_replication
from ketensim.engine.core import Chain
from ketensim.engine.run import _interventions
from ketensim.scenario.model import Route


def one_step(capacity, service, times, events=(), horizon=20.0, warmup=0.0, routes=()):
    sc = scenario([step("s", capacity, det(service), routes)], [replay("s", times)],
                  horizon=horizon, warmup=warmup, events=list(events))
    return run_replication(sc, 0, 1, sample_every=0.5)


def test_fifo_single_server():
    # Arrivals 0, 1, 2, 7 with service 2: starts 0, 2, 4, 7; leaves 2, 4, 6, 9.
    rec = one_step(1, 2.0, [0, 1, 2, 7])
    st = rec.steps[0]
    assert st.waits.tolist() == [0, 1, 2, 0]
    assert rec.lead_times.tolist() == [2, 3, 4, 2]
    # At 2 case 0 leaves before case 2 arrives (its end was scheduled first): never two waiting.
    assert (st.arrivals, st.completions, st.max_queue) == (4, 4, 1)
    assert st.queue_area == 1 + 2  # case 1 waits over [1, 2), case 2 over [2, 4)
    assert st.busy_area == 8
    assert rec.outcomes == {"done": 4} and rec.wip_at_end == 0


def test_capacity_cut_lets_cases_in_service_finish():
    # Two servers, four cases at 0, service 4; at 1 the capacity drops to 1.
    # Cases 0 and 1 finish at 4; only then case 2 starts (4 -> 8), then case 3 (8 -> 12).
    rec = one_step(2, 4.0, [0, 0, 0, 0], [event(1, s__capacity=1)])
    assert rec.steps[0].waits.tolist() == [0, 0, 4, 8]
    assert rec.lead_times.tolist() == [4, 4, 8, 12]
    # Capacity 2 over [0,1), then 1, but both servers work on until 4 (overtime counts as
    # available, so utilisation stays at most 1): 2 + 2 * 3 + 1 * 16.
    assert rec.steps[0].capacity_area == 2 + 6 + 16


def test_capacity_rise_starts_waiting_cases_at_once():
    rec = one_step(1, 4.0, [0, 0, 0], [event(1, s__capacity=3)])
    assert rec.steps[0].waits.tolist() == [0, 1, 1]


def test_capacity_zero_closes_the_step_until_it_returns():
    rec = one_step(1, 1.0, [0, 3], [event(2, s__capacity=0), event(5, s__capacity=1)])
    assert rec.steps[0].waits.tolist() == [0, 2]
    assert rec.lead_times.tolist() == [1, 3]


def test_route_change_sends_later_cases_elsewhere():
    steps = [step("a", 1, det(1.0), [("b", 1.0)]), step("b", 1, det(1.0))]
    change = event(5, a__routes=(Route("exit", 1.0, "direct"),))
    sc = scenario(steps, [replay("a", [0, 6])], horizon=20, events=[change])
    rec = run_replication(sc, 0, 1)
    assert rec.outcomes == {"done": 1, "direct": 1}
    assert [s.arrivals for s in rec.steps] == [2, 1]
    assert rec.lead_times.tolist() == [2, 1]


def test_warmup_window():
    # As test_fifo_single_server, with the window opening at 1.5.
    rec = one_step(1, 2.0, [0, 1, 2, 7], warmup=1.5)
    st = rec.steps[0]
    assert st.arrivals == 2  # at 2 and 7
    assert st.completions == 4  # at 2, 4, 6, 9
    assert st.waits.tolist() == [2, 0]  # only cases arriving at or after 1.5
    assert rec.lead_times.tolist() == [4, 2]
    assert rec.cases_in == 2 and rec.cases_out == 4
    assert st.queue_area == pytest.approx(0.5 + 2)  # one waiting over [1.5, 2) and [2, 4)
    assert st.busy_area == pytest.approx(4.5 + 2)  # busy [1.5, 6) and [7, 9)
    assert st.capacity_area == pytest.approx(18.5)
    assert st.max_queue == 1


def test_timeseries_samples():
    rec = one_step(1, 2.0, [0, 1, 2, 7], horizon=10)
    times = rec.sample_times.tolist()
    assert times[0] == 0 and times[-1] == 10 and len(times) == 21
    q = dict(zip(times, rec.queue_samples[0].tolist(), strict=True))
    b = dict(zip(times, rec.busy_samples[0].tolist(), strict=True))
    assert (q[1.5], b[1.5]) == (1, 1)
    assert (q[2.5], b[2.5]) == (1, 1)
    assert (q[4.5], b[4.5]) == (0, 1)
    assert (q[6.5], b[6.5]) == (0, 0)
    assert (q[10], b[10]) == (0, 0)


def test_cases_in_chain_at_the_horizon():
    rec = one_step(1, 5.0, [0, 0, 0], horizon=7)
    assert rec.wip_at_end == 2
    assert rec.steps[0].queue_at_end == 1 and rec.steps[0].in_service_at_end == 1


def arrival_times(sc, seed=3) -> np.ndarray:
    chain = Chain(sc, 0, seed)
    chain.env.process(_interventions(chain.env, chain))
    for source in chain.sources.values():
        source.start()
    chain.env.run(until=sc.horizon)
    return np.frombuffer(chain.entered, dtype=float)


def test_rate_change_keeps_the_arrival_stream_aligned():
    base = scenario([step("s", 50, 0.1)], [poisson("s", 1.0)], horizon=200)
    same = scenario([step("s", 50, 0.1)], [poisson("s", 1.0)], horizon=200,
                    events=[event(50, in__rate=1.0)])
    paused = scenario([step("s", 50, 0.1)], [poisson("s", 1.0)], horizon=200,
                      events=[event(50, in__rate=0.0), event(60, in__rate=1.0)])
    doubled = scenario([step("s", 50, 0.1)], [poisson("s", 1.0)], horizon=200,
                       events=[event(100, in__rate=2.0)])
    t0 = arrival_times(base)
    assert arrival_times(same).tolist() == t0.tolist()
    # A pause of 10 shifts every later arrival by exactly 10.
    tp = arrival_times(paused)
    before = t0[t0 < 50]
    np.testing.assert_allclose(tp[: len(before)], before)
    np.testing.assert_allclose(tp[len(before):], t0[t0 >= 50][: len(tp) - len(before)] + 10)
    # Doubling the rate halves the gaps after 100, from the same unit hazards.
    td = arrival_times(doubled)
    after = t0[t0 >= 100]
    np.testing.assert_allclose(td[td >= 100][:20], 100 + (after[:20] - 100) / 2)
