"""ketensim's engine against a plain hand-written SimPy model of the same chain.

Three baselines in one invocation: the plain SimPy model, ketensim's event
simulation (``--no-fast-path``) and ketensim's exact fast path; and, for the
fast path, an independent recursion written here (a heap of server free times
per step, its own random numbers): the fast path aims to stay within 2x of it.

Both run the chain of ``chain4.toml`` (four steps with 20, 25, 20 and 5
servers, mean service 1.0, 1.5, 2.0 and 0.5, 40% leave after step 2, 15
arrivals per time unit, about 400,000 cases) inside this one invocation, so
the ratio does not depend on how fast the machine is. The plain model is the
textbook SimPy shape: one process per case, one ``simpy.Resource`` per step.
Then a whole ``ketensim run`` process (loading, simulating, writing every
result file and the report) is timed against the same plain model.

With ``--memory`` both models run once more under tracemalloc, which
reports the peak of memory the Python heap held: ketensim keeps per-case data
in columnar arrays, the plain model one generator and its events per case in
flight.

Usage: python benchmarks/engine_vs_simpy.py [--repeat N] [--no-cli] [--memory]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import simpy

import ketensim
from ketensim.engine import run_replication

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "chain4.toml"
CAPACITY = (20, 25, 20, 5)
MEAN = (1.0, 1.5, 2.0, 0.5)
RATE = 15.0
HORIZON = 26667.0


def plain_simpy(seed: int = 1) -> int:
    """The hand-written model; returns the number of cases that entered.

    Like ketensim it keeps what the results need, the way SimPy's own
    documentation suggests: every wait and every lead time in a plain list.
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    servers = [simpy.Resource(env, capacity=c) for c in CAPACITY]
    waits: list[list[float]] = [[] for _ in CAPACITY]
    lead_times: list[float] = []
    entered = 0

    def case(env: simpy.Environment):
        start = env.now
        for i in range(4):
            arrived = env.now
            with servers[i].request() as req:
                yield req
                waits[i].append(env.now - arrived)
                yield env.timeout(rng.exponential(MEAN[i]))
            if i == 1 and rng.random() < 0.4:
                break
        lead_times.append(env.now - start)

    def source(env: simpy.Environment):
        nonlocal entered
        while True:
            yield env.timeout(rng.exponential(1 / RATE))
            entered += 1
            env.process(case(env))

    env.process(source(env))
    env.run(until=HORIZON)
    return entered


def engine(seed: int = 1) -> int:
    """The event simulation (the fast path switched off)."""
    scenario = ketensim.load(SCENARIO)
    return run_replication(scenario, 0, seed, fast=False).cases_in


def fast_path(seed: int = 1) -> int:
    """The exact fast path (the same record, bit for bit)."""
    scenario = ketensim.load(SCENARIO)
    record = run_replication(scenario, 0, seed)
    assert record.fast, "the benchmark chain should run on the fast path"
    return record.cases_in


def recursion(seed: int = 1) -> int:
    """An independent Kiefer-Wolfowitz recursion: arrivals, per step a heap of free servers.

    Written here without ketensim's code, as a floor for what a recursion in
    Python costs; it keeps the waits and lead times like the others.
    """
    import heapq

    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / RATE, int(RATE * HORIZON * 1.1)))
    arrivals = arrivals[arrivals < HORIZON]
    moments, entered = arrivals, arrivals
    waits, lead_times = [], []
    for i, (c, mean) in enumerate(zip(CAPACITY, MEAN, strict=True)):
        service = rng.exponential(mean, moments.size).tolist()
        free = [0.0] * c
        done, wait = [], []
        for a, s in zip(moments.tolist(), service, strict=True):
            start = a if a > free[0] else free[0]
            d = start + s
            heapq.heapreplace(free, d)
            done.append(d)
            wait.append(start - a)
        waits.append(wait)
        done_arr = np.asarray(done)
        keep = done_arr < HORIZON
        if i == 1:
            leave = rng.random(moments.size) < 0.4
            lead_times.append((done_arr - entered)[keep & leave])
            keep &= ~leave
        order = np.argsort(done_arr[keep])
        moments, entered = done_arr[keep][order], entered[keep][order]
    lead_times.append(moments - entered)
    return arrivals.size


def timed(fn, *args) -> tuple[float, int]:
    start = time.perf_counter()
    cases = fn(*args)
    return time.perf_counter() - start, cases


def peak_memory(fn, *args) -> float:
    """Peak traced heap in MiB while ``fn`` runs."""
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def whole_run() -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "ketensim", "run", str(SCENARIO), "--out", f"{tmp}/out",
               "--jobs", "1"]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        return time.perf_counter() - start, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of each")
    parser.add_argument("--no-cli", action="store_true", help="skip the whole-process run")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    args = parser.parse_args()

    plain = min(timed(plain_simpy) for _ in range(args.repeat))
    ours = min(timed(engine) for _ in range(args.repeat))
    fast = min(timed(fast_path) for _ in range(args.repeat))
    floor = min(timed(recursion) for _ in range(args.repeat))
    print(f"plain SimPy model        : {plain[0]:7.2f} s  {plain[1] / plain[0]:9,.0f} cases/s")
    print(f"ketensim simulation      : {ours[0]:7.2f} s  {ours[1] / ours[0]:9,.0f} cases/s")
    print(f"ketensim fast path       : {fast[0]:7.2f} s  {fast[1] / fast[0]:9,.0f} cases/s")
    print(f"independent recursion    : {floor[0]:7.2f} s  {floor[1] / floor[0]:9,.0f} cases/s")
    print(f"speed-up (plain / ketensim simulation): {plain[0] / ours[0]:.2f}x")
    print(f"speed-up (plain / ketensim fast path) : {plain[0] / fast[0]:.2f}x")
    print(f"fast path / independent recursion      : {fast[0] / floor[0]:.2f}x (aim: at most 2)")
    if not args.no_cli:
        cli = min(whole_run() for _ in range(args.repeat))
        print(f"ketensim run (whole process, all result files): {cli[0]:7.2f} s "
              f"{ours[1] / cli[0]:9,.0f} cases/s")
        print(f"speed-up (plain / whole ketensim run): {plain[0] / cli[0]:.2f}x")
    if args.memory:
        plain_mem, our_mem = peak_memory(plain_simpy), peak_memory(engine)
        fast_mem = peak_memory(fast_path)
        print(f"peak Python heap (tracemalloc): plain {plain_mem:.1f} MiB, ketensim simulation "
              f"{our_mem:.1f} MiB ({our_mem * 2**20 / ours[1]:.0f} bytes a case), fast path "
              f"{fast_mem:.1f} MiB ({fast_mem * 2**20 / ours[1]:.0f} bytes a case)")


if __name__ == "__main__":
    main()
