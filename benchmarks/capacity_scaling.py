"""Cost per visit against capacity: does a step with 10,000 servers cost more per case?

One step at load 0.8, capacity 1 to 10,000 (the mean service grows with the
capacity, so every run handles the same 200,000 cases), timed with the event
simulation and with the exact fast path in this one invocation. Prints
microseconds per case and the ratio to capacity 1: a heap of busy servers
costs ``log(capacity)`` per case, so some growth is inherent.

    python benchmarks/capacity_scaling.py
"""

from __future__ import annotations

import time

from ketensim.engine.run import run_replication
from ketensim.scenario.distributions import Exponential
from ketensim.scenario.model import Arrival, Partner, Scenario, Step

CASES = 200_000
RATE = 10.0


def one_step(capacity: int) -> Scenario:
    mean = 0.8 * capacity / RATE
    return Scenario("schaal", horizon=CASES / RATE, warmup=0.0, partners=(Partner("p"),),
                    steps=(Step("s", "p", capacity, Exponential(mean)),),
                    arrivals=(Arrival("in", "s", RATE),))


def per_case(capacity: int, fast: bool) -> float:
    sc = one_step(capacity)
    start = time.process_time()
    record = run_replication(sc, 0, 1, sample_every=sc.horizon / 100, fast=fast)
    took = time.process_time() - start
    return took / max(record.cases_in, 1) * 1e6


if __name__ == "__main__":
    print(f"{'capacity':>9}  {'simulation':>12}  {'ratio':>6}  {'fast path':>10}  {'ratio':>6}")
    base = {}
    for capacity in (1, 10, 100, 1_000, 10_000):
        row = []
        for fast in (False, True):
            us = per_case(capacity, fast)
            base.setdefault(fast, us)
            row.append((us, us / base[fast]))
        (s_us, s_r), (f_us, f_r) = row
        print(f"{capacity:>9,}  {s_us:9.2f} us  {s_r:5.2f}x  {f_us:7.2f} us  {f_r:5.2f}x")
