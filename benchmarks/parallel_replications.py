"""Replications in parallel processes against one process, in one invocation.

Runs the same scenario with ``jobs=1`` and with all cores, prints both wall
times and the speed-up, and checks that both give identical tables (the
contract: results never depend on the number of processes).

Usage: python benchmarks/parallel_replications.py [SCENARIO] [--replications N]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

import ketensim

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "scenarios" / "strafrechtketen" / "politie-levert-meer.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT))
    parser.add_argument("--replications", type=int, default=4)
    args = parser.parse_args()
    scenario = ketensim.load(args.scenario)
    cores = os.cpu_count() or 1
    timings = {}
    tables = {}
    for jobs in (1, cores):
        start = time.perf_counter()
        res = ketensim.simulate(scenario, replications=args.replications, jobs=jobs)
        timings[jobs] = time.perf_counter() - start
        tables[jobs] = res
    for name in ("steps", "chain", "outcomes", "timeseries"):
        pd.testing.assert_frame_equal(getattr(tables[1], name), getattr(tables[cores], name))
    print(f"{args.replications} replications of {scenario.name}")
    print(f"jobs=1     : {timings[1]:7.2f} s")
    print(f"jobs={cores:<6}: {timings[cores]:7.2f} s")
    print(f"speed-up   : {timings[1] / timings[cores]:.2f}x on {cores} cores; tables identical")


if __name__ == "__main__":
    main()
