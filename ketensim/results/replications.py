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

import contextlib
import math
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from ketensim.results.rows import Rows, replication_rows
from ketensim.scenario import uncertainty
from ketensim.scenario.model import Scenario

Progress = Callable[[int], None]


DEFAULT_SAMPLES = 100_000  # samples per step and replication when --sample-every is not given
MAX_SAMPLES = 10_000_000  # more than this per step and replication is refused


def sampling_interval(horizon: float, asked: float | None = None) -> float:
    """The time between timeseries samples: ``asked``, or one time unit, coarser for long runs.

    One sample per time unit (the contract's default) up to a horizon of
    :data:`DEFAULT_SAMPLES` units; a longer horizon is sampled at the
    smallest round interval (1, 2 or 5 times a power of ten) that keeps to
    that many samples, so a horizon of ten million units writes no ten
    million rows per step.

    Raises:
        ValueError: when ``asked`` is not a finite number > 0, or would take more
            than :data:`MAX_SAMPLES` samples.
    """
    if asked is None:
        if horizon <= DEFAULT_SAMPLES:
            return 1.0
        raw = horizon / DEFAULT_SAMPLES
        power = 10.0 ** math.floor(math.log10(raw))
        return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if not (isinstance(asked, int | float) and math.isfinite(asked) and asked > 0):
        raise ValueError(f"sample_every must be a finite number > 0, got {asked!r}")
    if horizon / asked > MAX_SAMPLES:
        raise ValueError(f"sample_every {asked:g} takes {horizon / asked:.3g} samples per step "
                         f"over a horizon of {horizon:g}, more than {MAX_SAMPLES:,}; use at "
                         f"least {horizon / MAX_SAMPLES:.3g}")
    return float(asked)


@dataclass(frozen=True)
class RunOptions:
    """How replications run beside the scenario itself; sent to every worker.

    Attributes:
        sample_every: time between timeseries samples (None: :func:`sampling_interval`).
        fast_path: compute plain chains by the exact fast path (False: always simulate;
            the results are the same bytes either way).
        events: a folder where every replication streams its event log
            (:mod:`ketensim.engine.visits`; one part per replication, so workers
            never write to one file); None keeps no log.
    """

    sample_every: float | None = None
    fast_path: bool = True
    events: str | None = None


def run_one(scenario: Scenario, replication: int, seed: int,
            options: RunOptions | None = None) -> Rows:
    """Simulate one replication and reduce it to rows (what a worker does)."""
    from ketensim.engine import run_replication  # the engine is heavy: load it where it runs

    options = options or RunOptions()
    every = sampling_interval(scenario.horizon, options.sample_every)
    # Inputs known only within a range get this replication's own draw (the same whatever
    # worker runs it); the rows are read against the scenario as the file wrote it.
    drawn = uncertainty.for_replication(scenario, replication, seed)
    record = run_replication(drawn, replication, seed, every, fast=options.fast_path,
                             events=options.events)
    rows = replication_rows(record, scenario)
    del record
    _give_back_memory()
    return rows


def _give_back_memory() -> None:
    """Return the replication's freed columns to the operating system (glibc only).

    glibc keeps freed heap memory for reuse; when a small object lives above
    the freed columns it keeps all of them, so the tables and pictures made
    next would come on top of the run's peak. ``malloc_trim`` gives the free
    pages back (as Dask's workers do); elsewhere this does nothing.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to give back
        ctypes.CDLL("libc.so.6").malloc_trim(0)


SCHEDULER = "KETENSIM_SCHEDULER"


class ClusterError(ValueError):
    """The cluster named in ``KETENSIM_SCHEDULER`` cannot be used (bad input: exit 2)."""


def scheduler() -> str | None:
    """The Dask scheduler to run replications on, if one is named (``--scheduler``)."""
    return os.environ.get(SCHEDULER) or None


def effective_jobs(jobs: int | None, replications: int) -> int:
    """Processes to use: ``jobs`` (all CPUs when None), never more than the replications.

    With a cluster named, every replication is a task for the cluster's workers.
    """
    if scheduler() is not None and jobs != 1:
        return max(1, replications)
    wanted = jobs if jobs is not None else (os.cpu_count() or 1)
    if wanted < 1:
        raise ValueError(f"jobs must be at least 1, got {wanted}")
    return max(1, min(wanted, replications))


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[Executor]:
    """Worker processes on this machine, or a Dask cluster's workers when one is named.

    Both hand out ``concurrent.futures`` futures, so the callers gather answers
    the same way (by replication, never in finishing order) and the results
    are the same bytes wherever they were computed.
    """
    address = scheduler()
    if address is None:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
        return
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ClusterError(
            f"{SCHEDULER}={address}: running on a cluster needs Dask "
            "(pip install 'ketensim[cluster]')"
        ) from exc
    client = _connect(Client, address)
    with client:
        yield client.get_executor()


CONNECT_SECONDS = 15.0
ADDRESS = re.compile(r"(tcp|tls|ucx|ws|wss)://[^\s/:]+:[0-9]{1,5}")


def check_address(address: str) -> str:
    """A Dask scheduler address as ``tcp://HOST:PORT`` (tls, ucx, ws, wss too), or bad input.

    Raises:
        ClusterError: when the text cannot be a scheduler address.
    """
    if not ADDRESS.fullmatch(address) or not 0 < int(address.rsplit(":", 1)[1]) < 65536:
        raise ClusterError(f"--scheduler: not a Dask scheduler address (expected tcp://HOST:PORT, "
                           f"got {address[:80]!r})")
    return address


def _connect(client_class: Any, address: str) -> Any:
    """A Dask client, or a ClusterError within CONNECT_SECONDS whatever answers at the address.

    Dask's own timeout does not cover a server that accepts the connection and
    then says nothing a scheduler would (an HTTP server on that port): the
    handshake waits for ever, or reads garbage as a frame length and asks for
    exabytes. The client is made in a helper thread that the run waits for at
    most CONNECT_SECONDS; a thread still waiting then is left behind (it is a
    daemon and ends with the process).
    """
    check_address(address)
    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = client_class(address, timeout=f"{CONNECT_SECONDS:g}s")
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=connect, name="ketensim-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_SECONDS + 5.0)
    if "client" in box:
        return box["client"]
    reason = box.get("error")
    what = f"{type(reason).__name__}: {str(reason)[:120]}" if reason else \
        f"no answer within {CONNECT_SECONDS:g} s"
    raise ClusterError(f"cannot reach a Dask scheduler at {address} ({what})")


def run_experiment(
    scenario: Scenario,
    replications: int,
    seed: int,
    jobs: int | None = None,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> list[Rows]:
    """Run replications 0 .. replications-1 and return their rows in that order.

    Args:
        scenario: the validated scenario.
        replications: how many independent replications to run (>= 1).
        seed: the run's seed; with the replication index it fixes every random stream.
        jobs: worker processes; None uses every CPU, 1 runs in this process.
        options: sampling interval and fast path (:class:`RunOptions`).
        progress: called with a replication's index each time one finishes
            (in finishing order, which is fine for a progress bar).

    Returns:
        One rows dict per replication, in replication order whatever ``jobs`` is.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    workers = effective_jobs(jobs, replications)
    if workers == 1:
        return _sequential(scenario, replications, seed, options, progress)
    return _parallel(scenario, replications, seed, options, progress, workers)


def _sequential(
    scenario: Scenario, replications: int, seed: int, options: RunOptions | None,
    progress: Progress | None,
) -> list[Rows]:
    out = []
    for rep in range(replications):
        out.append(run_one(scenario, rep, seed, options))
        if progress is not None:
            progress(rep)
    return out


def _parallel(
    scenario: Scenario, replications: int, seed: int, options: RunOptions | None,
    progress: Progress | None, workers: int,
) -> list[Rows]:
    slots: list[Rows | None] = [None] * replications
    with worker_pool(workers) as pool:
        futures = {
            pool.submit(run_one, scenario, rep, seed, options): rep
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
