"""Fitting from a big event log: a million events through ``ketensim fit LOG``.

Writes a log of about a million visits (the four-step benchmark chain
simulated with ``--events csv``, 250,000 cases), then fits it as a child
process and prints the wall-clock and CPU seconds and the child's peak
resident memory, beside the time of only reading the CSV file with pandas in
this same invocation (the floor any fit of this file stands on). Aim: under a
minute with bounded memory.

    python benchmarks/fit_log.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

SCENARIO = Path(__file__).resolve().parent / "chain4.toml"


def child(cmd: list[str]) -> tuple[float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = SCENARIO.read_text(encoding="utf-8").replace("horizon = 26667",
                                                            "horizon = 16667")
        (Path(tmp) / "chain.toml").write_text(text, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "ketensim", "run", f"{tmp}/chain.toml", "-n", "1",
                        "-j", "1", "--sample-every", "10", "--out", f"{tmp}/run", "--events",
                        "csv"], check=True, capture_output=True)
        log = Path(tmp) / "run" / "events.csv"
        start = time.process_time()
        rows = len(pd.read_csv(log))
        read = time.process_time() - start
        wall, cpu, rss = child([sys.executable, "-m", "ketensim", "fit", str(log), "--out",
                                f"{tmp}/fit.toml"])
    print(f"log: {rows:,} visits ({2 * rows:,} start and end events)")
    print(f"pandas read_csv only : {read:6.1f} s CPU")
    print(f"ketensim fit         : {wall:6.1f} s wall, {cpu:6.1f} s CPU, peak RSS {rss:5.0f} MiB")
    print(f"fit / read           : {cpu / read:.1f}x (aim: the whole fit under a minute)")


if __name__ == "__main__":
    main()
