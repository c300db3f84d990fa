"""Mutation run of the engine and results layer: a random sample of mutants, the share killed.

Every mutant is a deliberate bug (an operator flipped, a constant changed, a
condition negated) that mutmut writes into a copy of ``ketensim/engine`` and
``ketensim/results`` (see ``[tool.mutmut]`` in pyproject.toml for the paths and
the tests that may kill them). A mutant that no test notices is a behaviour no
test pins down. All six thousand mutants take many hours on two cores, so this
script draws a seeded random sample, runs only those, and prints the kill rate
with its 95% interval (Wilson), the survivors by name to read with
``mutmut show NAME``. The target is a kill rate above 90%.

    python benchmarks/mutation.py --sample 60 --seed 1

Not part of the test command: it needs mutmut (``pip install mutmut``) and
writes its work into ``mutants/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A mutant that makes the tests fail or run out of time is caught; one whose tests pass, or
# that no selected test reaches, is a bug that would go unnoticed.
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
LIVE = {"survived", "no tests", "suspicious"}
CHEAP = "ketensim.results.stats.x_bounds_of__mutmut_1"
LINE = re.compile(r"^\s*(?P<name>ketensim\.\S+__mutmut_\d+):\s*(?P<status>.+?)\s*$")


def mutmut(*args: str) -> str:
    """Run mutmut in the project root and return what it printed (it exits 0 on survivors)."""
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, text=True,
                          capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"mutmut {' '.join(args[:1])} failed ({done.returncode}):\n"
                 f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def statuses() -> dict[str, str]:
    """Every mutant mutmut knows, with its status ("not checked" until run)."""
    out = {}
    for line in mutmut("results", "--all", "true").splitlines():
        found = LINE.match(line)
        if found:
            out[found["name"]] = found["status"]
    return out


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a share from n trials: stays inside [0, 1] even near 100%."""
    if n == 0:
        return math.nan, math.nan
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=60, help="mutants to run (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the draw (default 1)")
    parser.add_argument("--children", type=int, default=2, help="parallel mutants (default 2)")
    args = parser.parse_args()

    start = time.monotonic()
    # bring the mutants up to date with the code and map tests to functions (mutmut does both
    # before any run), running one cheap mutant
    mutmut("run", "--max-children", str(args.children), CHEAP)
    known = statuses()
    if not known:
        sys.exit("mutmut made no mutants: is [tool.mutmut] in pyproject.toml?")
    names = sorted(known)
    picked = sorted(random.Random(args.seed).sample(names, min(args.sample, len(names))))
    print(f"{len(names)} mutants in engine/ and results/; running {len(picked)} drawn with "
          f"seed {args.seed}", flush=True)
    mutmut("run", "--max-children", str(args.children), *picked)
    after = statuses()
    results = {name: after.get(name, "not checked") for name in picked}
    killed = sum(status in KILLED for status in results.values())
    counted = sum(status in KILLED | LIVE for status in results.values())
    low, high = wilson(killed, counted)
    for name, status in results.items():
        if status not in KILLED:
            print(f"  {status:12s} {name}")
    print(f"killed {killed} of {counted} ({100 * killed / max(counted, 1):.0f}%, 95% interval "
          f"{100 * low:.0f}% to {100 * high:.0f}%); target above 90%; "
          f"{time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
