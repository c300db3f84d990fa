"""ketensim: discrete-event simulation of throughput in chains of public organisations.

The public API::

    import ketensim

    scenario = ketensim.load("scenarios/strafrechtketen/basis.toml")
    results = ketensim.simulate(scenario, replications=10, seed=1)
    results.steps        # pandas DataFrame, one row per replication x step
    results.chain        # one row per replication
    results.summary()    # means with 95% intervals over replications

Heavy modules (pandas, the engine) load on first use, so the command line
starts quickly.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ketensim.errors import ScenarioError

if TYPE_CHECKING:
    from ketensim.experiment import Progress
    from ketensim.model import Scenario
    from ketensim.results import Results

__version__ = "0.1.0"

__all__ = ["Results", "ScenarioError", "__version__", "load", "simulate"]


def load(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file (``extends`` resolved).

    Raises:
        ScenarioError: listing every problem in the file, each with its key path.
    """
    from ketensim.loader import load as _load

    return _load(path)


def simulate(
    scenario: Scenario | str | os.PathLike[str],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    sample_every: float = 1.0,
    progress: Progress | None = None,
) -> Results:
    """Run a scenario's replications and return the results tables.

    Args:
        scenario: a loaded scenario, or the path of a scenario file.
        replications: how many replications; None takes the scenario's own.
        seed: the run's seed; None takes the scenario's own.
        jobs: worker processes (1 runs in this process, None uses every CPU).
            The results are the same whatever this is.
        sample_every: time between timeseries samples, in the scenario's time unit.
        progress: optional callback, called with each finished replication's index.

    Raises:
        ScenarioError: when ``scenario`` is a path to an invalid file.
        ValueError: when replications, jobs or sample_every are out of range.
    """
    from ketensim.experiment import run_experiment
    from ketensim.model import Scenario as _Scenario
    from ketensim.results import build_results

    if not isinstance(scenario, _Scenario):
        scenario = load(scenario)
    if sample_every <= 0:
        raise ValueError(f"sample_every must be > 0, got {sample_every}")
    scenario = scenario.with_run_options(replications=replications, seed=seed)
    rows = run_experiment(
        scenario, scenario.replications, scenario.seed, jobs=jobs,
        sample_every=sample_every, progress=progress,
    )
    return build_results(scenario, rows, scenario.seed, scenario.replications)


def __getattr__(name: str) -> Any:
    # Results lives with pandas; import it only when someone asks for it.
    if name == "Results":
        from ketensim.results import Results

        return Results
    raise AttributeError(f"module 'ketensim' has no attribute {name!r}")
