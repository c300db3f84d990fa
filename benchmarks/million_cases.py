"""One million cases through a six-step chain: a whole ``ketensim run``, time and memory.

Runs ``ketensim run benchmarks/chain6.toml -n 1 -j 1`` (a million cases over
50,000 days: loading, the fast path, every table, the pictures and the
report) as a child process, then the same with ``--no-fast-path``, in this one
invocation. Prints wall-clock and CPU seconds and the child's peak resident
memory (RSS, from the operating system: everything the process held, the
Python heap, NumPy's arrays and matplotlib included). Aim: under a minute per
core and under 300 MB.

    python benchmarks/million_cases.py [--no-simulation]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent / "chain6.toml"


def whole_run(*extra: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one ``ketensim run`` child."""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        cmd = [sys.executable, "-m", "ketensim", "run", str(SCENARIO), "-n", "1", "-j", "1",
               "--sample-every", "10", "--out", f"{tmp}/out", *extra]
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-simulation", action="store_true",
                        help="skip the run with --no-fast-path (it takes a few minutes)")
    args = parser.parse_args()
    wall, cpu, rss = whole_run()
    print(f"fast path : {wall:6.1f} s wall, {cpu:6.1f} s CPU, peak RSS {rss:6.0f} MiB")
    if not args.no_simulation:
        wall2, cpu2, rss2 = whole_run("--no-fast-path")
        print(f"simulation: {wall2:6.1f} s wall, {cpu2:6.1f} s CPU, peak RSS {rss2:6.0f} MiB "
              "(a child's peak never lowers the maximum, so read it as at least)")
        print(f"fast path / simulation, wall: {wall / wall2:.2f}")


if __name__ == "__main__":
    main()
