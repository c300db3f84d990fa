"""Randomness belongs to the run: named streams, reproducible, independent."""

from __future__ import annotations

import pytest
from builders import poisson, scenario, step

from ketensim.engine import run_replication
from ketensim.engine.streams import stream


def draws(seed: int, replication: int, name: str) -> list[float]:
    return stream(seed, replication, name).random(5).tolist()


def test_same_name_same_numbers_other_name_other_numbers():
    assert draws(1, 0, "service:om") == draws(1, 0, "service:om")
    assert draws(1, 0, "service:om") != draws(1, 0, "service:rb")
    assert draws(1, 0, "service:om") != draws(1, 1, "service:om")
    assert draws(1, 0, "service:om") != draws(2, 0, "service:om")


def base_steps():
    return [step("a", 2, 1.0, [("b", 1.0)]), step("b", 2, 1.5)]


def test_same_seed_same_record_other_seed_differs():
    sc = scenario(base_steps(), [poisson("a", 1.0)], horizon=500)
    one, two = run_replication(sc, 0, 7), run_replication(sc, 0, 7)
    assert one.lead_times.tobytes() == two.lead_times.tobytes()
    assert one.queue_samples.tobytes() == two.queue_samples.tobytes()
    assert run_replication(sc, 0, 8).lead_times.tobytes() != one.lead_times.tobytes()
    assert run_replication(sc, 1, 7).lead_times.tobytes() != one.lead_times.tobytes()


def test_adding_a_step_leaves_the_other_streams_alone():
    """A step added after b (by name) must not shift the waits at a and b."""
    sc = scenario(base_steps(), [poisson("a", 1.0)], horizon=500)
    longer = scenario(
        [step("a", 2, 1.0, [("b", 1.0)]), step("b", 2, 1.5, [("c", 1.0)]), step("c", 1, 0.5)],
        [poisson("a", 1.0)], horizon=500,
    )
    one, two = run_replication(sc, 0, 7), run_replication(longer, 0, 7)
    for i in range(2):
        assert one.steps[i].waits.tobytes() == two.steps[i].waits.tobytes()


@pytest.mark.parametrize("sizes", [[1, 2047, 2048, 5000], [4096], [3, 0, 2045, 1], [2049, 2047]])
def test_taking_a_block_gives_the_draws_one_at_a_time_would(sizes):
    """The fast path takes draws in blocks; they must be the very numbers, in order,
    that calls of ``next`` give, and a changed distribution must go on from the
    next unused uniform either way."""
    from ketensim.engine.sampling import Draws
    from ketensim.scenario.distributions import build

    first = build("exponential", {"mean": 2.0})
    later = build("lognormal", {"mean": 3.0, "cv": 0.5})
    blocks = Draws(stream(5, 0, "service:x"), first)
    single = Draws(stream(5, 0, "service:x"), first)
    for k, n in enumerate(sizes):
        taken = blocks.take(n)
        assert taken.tolist() == [single.next() for _ in range(n)]
        if k == 1:
            blocks.set_dist(later)
            single.set_dist(later)
    assert blocks.take(10).tolist() == [single.next() for _ in range(10)]
