"""What ``--events csv`` costs: the 400,000-case chain run with and without its event log.

Runs ``ketensim run benchmarks/chain4.toml -n 1 -j 1`` as a child process
without and with ``--events csv`` (on the fast path, and with
``--no-fast-path`` on the simulation), in this one invocation, and prints
wall-clock and CPU seconds, the child's peak resident memory and the ratios.
Aim: at most 2x the run without the log, memory flat (the log is streamed to
disk in blocks, so the run's memory does not grow with it).

    python benchmarks/event_log.py [--no-simulation]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent / "chain4.toml"


# A child's peak memory is read by a small parent of its own: RUSAGE_CHILDREN keeps the
# largest child a process ever had, so one parent for every run would report the maximum so far.
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(time.perf_counter() - start, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024)
"""


def whole_run(*extra: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MiB) and the log's bytes of one child run."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "ketensim", "run", str(SCENARIO), "-n", "1", "-j", "1",
               "--sample-every", "10", "--out", f"{tmp}/out", *extra]
        got = subprocess.run([sys.executable, "-c", MEASURE, *cmd], check=True,
                             capture_output=True, text=True)
        wall, cpu, rss = (float(x) for x in got.stdout.split())
        log = Path(tmp) / "out" / "events.csv"
        size = log.stat().st_size if log.exists() else 0
    return wall, cpu, rss, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-simulation", action="store_true",
                        help="skip the pair of runs with --no-fast-path")
    args = parser.parse_args()
    pairs = [("fast path", ())]
    if not args.no_simulation:
        pairs.append(("simulation", ("--no-fast-path",)))
    for label, extra in pairs:
        plain = whole_run(*extra)
        logged = whole_run(*extra, "--events", "csv")
        print(f"{label:10s} without log: {plain[0]:6.1f} s wall, {plain[1]:6.1f} s CPU, "
              f"peak RSS {plain[2]:5.0f} MiB")
        print(f"{label:10s} with log   : {logged[0]:6.1f} s wall, {logged[1]:6.1f} s CPU, "
              f"peak RSS {logged[2]:5.0f} MiB, events.csv {logged[3] / 2**20:6.0f} MiB")
        print(f"{label:10s} cost of the log: time {logged[1] / plain[1]:.2f}x (aim: at most 2), "
              f"memory {logged[2] / plain[2]:.2f}x")


if __name__ == "__main__":
    main()
