"""Replications, one after another or in parallel, always returned in order.

A replication is a pure function of (scenario, replication, seed): its random
streams are derived from those three alone. So running replications in
separate processes changes nothing but the wall-clock time, provided the
answers are put back in replication order; they never are gathered in the
order the workers happen to finish.

Each worker reduces its replication to plain rows before sending it back, so
what crosses the process boundary is small.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from ketensim.model import Scenario
from ketensim.rows import Rows, replication_rows

Progress = Callable[[int], None]


def run_one(scenario: Scenario, replication: int, seed: int, sample_every: float = 1.0) -> Rows:
    """Simulate one replication and reduce it to rows (what a worker does)."""
    from ketensim.engine import run_replication  # the engine is heavy: load it where it runs

    record = run_replication(scenario, replication, seed, sample_every)
    return replication_rows(record, scenario)


def effective_jobs(jobs: int | None, replications: int) -> int:
    """Processes to use: ``jobs`` (all CPUs when None), never more than the replications."""
    wanted = jobs if jobs is not None else (os.cpu_count() or 1)
    if wanted < 1:
        raise ValueError(f"jobs must be at least 1, got {wanted}")
    return max(1, min(wanted, replications))


def run_experiment(
    scenario: Scenario,
    replications: int,
    seed: int,
    jobs: int | None = None,
    sample_every: float = 1.0,
    progress: Progress | None = None,
) -> list[Rows]:
    """Run replications 0 .. replications-1 and return their rows in that order.

    Args:
        scenario: the validated scenario.
        replications: how many independent replications to run (>= 1).
        seed: the run's seed; with the replication index it fixes every random stream.
        jobs: worker processes; None uses every CPU, 1 runs in this process.
        sample_every: time between timeseries samples, in the scenario's time unit.
        progress: called with a replication's index each time one finishes
            (in finishing order, which is fine for a progress bar).

    Returns:
        One rows dict per replication, in replication order whatever ``jobs`` is.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    workers = effective_jobs(jobs, replications)
    if workers == 1:
        return _sequential(scenario, replications, seed, sample_every, progress)
    return _parallel(scenario, replications, seed, sample_every, progress, workers)


def _sequential(
    scenario: Scenario, replications: int, seed: int, sample_every: float,
    progress: Progress | None,
) -> list[Rows]:
    out = []
    for rep in range(replications):
        out.append(run_one(scenario, rep, seed, sample_every))
        if progress is not None:
            progress(rep)
    return out


def _parallel(
    scenario: Scenario, replications: int, seed: int, sample_every: float,
    progress: Progress | None, workers: int,
) -> list[Rows]:
    slots: list[Rows | None] = [None] * replications
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(run_one, scenario, rep, seed, sample_every): rep
            for rep in range(replications)
        }
        try:
            for future in as_completed(futures):
                rep = futures[future]
                slots[rep] = future.result()
                if progress is not None:
                    progress(rep)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [rows for rows in slots if rows is not None]
