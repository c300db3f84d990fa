"""The criminal chain as a user runs it: a whole ``ketensim run``, as it was and as it is.

Times ``ketensim run scenarios/strafrechtketen/basis.toml`` (2022, national scale, plain
enough for the fast path; politie-levert-meer.toml adds the OM's dismissal rule, which the
simulation runs)
(10 replications) three ways in this one invocation: as before the fast path
and with every picture also drawn as SVG (``--no-fast-path --format svg``),
with the simulation but PNG only (``--no-fast-path``), and as it runs now.
With ``--jobs`` the replications spread over the cores.

    python benchmarks/police_run.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "strafrechtketen" / \
    "basis.toml"


def whole_run(jobs: int, *extra: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "ketensim", "run", str(SCENARIO), "-n", "10",
               "-j", str(jobs), "--out", f"{tmp}/out", *extra]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    args = parser.parse_args()
    before = whole_run(args.jobs, "--no-fast-path", "--format", "svg")
    png = whole_run(args.jobs, "--no-fast-path")
    now = whole_run(args.jobs)
    print(f"criminal chain 2022, 10 replications, {args.jobs} job(s):")
    print(f"  simulation, PNG and SVG (as before) : {before:6.1f} s")
    print(f"  simulation, PNG only                : {png:6.1f} s")
    print(f"  fast path, PNG only (now)           : {now:6.1f} s")
    print(f"  speed-up of the whole run           : {before / now:.2f}x")


if __name__ == "__main__":
    main()
