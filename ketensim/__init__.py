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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ketensim.errors import ScenarioError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from ketensim.results.replications import Progress
    from ketensim.results.tables import Results
    from ketensim.scenario.model import Norm, Scenario
    from ketensim.studies.compare import Comparison
    from ketensim.studies.sweep import Sweep

__version__ = "0.1.0"

__all__ = [
    "Comparison", "Results", "ScenarioError", "Sweep", "__version__", "bands", "compare", "load",
    "report", "serve", "simulate", "sweep", "write",
]


def load(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file (``extends`` resolved).

    Raises:
        ScenarioError: listing every problem in the file, each with its key path.
    """
    from ketensim.scenario.loader import load as _load

    return _load(path)


def simulate(
    scenario: Scenario | str | os.PathLike[str],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    sample_every: float | None = None,
    progress: Progress | None = None,
    fast_path: bool = True,
    events: str | os.PathLike[str] | None = None,
) -> Results:
    """Run a scenario's replications and return the results tables.

    Args:
        scenario: a loaded scenario, or the path of a scenario file.
        replications: how many replications; None takes the scenario's own.
        seed: the run's seed; None takes the scenario's own.
        jobs: worker processes (1 runs in this process, None uses every CPU).
            The results are the same whatever this is.
        sample_every: time between timeseries samples, in the scenario's time unit (default:
            one time unit, coarser for horizons over 100,000 units).
        progress: optional callback, called with each finished replication's index.
        fast_path: compute a plain chain by the exact fast path where it applies
            (False: always simulate; the tables are the same bytes either way).
        events: an existing folder to stream the event log of every replication to, as
            binary parts; :func:`write_results` with ``events=`` turns them into
            events.csv, XES and OCEL files (contract section 5).

    Raises:
        ScenarioError: when ``scenario`` is a path to an invalid file.
        ValueError: when replications, jobs or sample_every are out of range.
    """
    from ketensim.results.replications import RunOptions, run_experiment, sampling_interval
    from ketensim.scenario.model import Scenario as _Scenario

    if not isinstance(scenario, _Scenario):
        scenario = load(scenario)
    scenario = scenario.with_run_options(replications=replications, seed=seed)
    sampling_interval(scenario.horizon, sample_every)  # a bad value fails before anything runs
    rows = run_experiment(
        scenario, scenario.replications, scenario.seed, jobs=jobs,
        options=RunOptions(sample_every, fast_path, None if events is None else str(events)),
        progress=progress,
    )
    # pandas comes in after the run, so that it does not add to the run's peak memory
    from ketensim.results.tables import build_results

    return build_results(scenario, rows, scenario.seed, scenario.replications)


def compare(
    base: Scenario | str | os.PathLike[str],
    others: Sequence[Scenario | str | os.PathLike[str]],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    sample_every: float | None = None,
    progress: Progress | None = None,
    fast_path: bool = True,
) -> Comparison:
    """Run a base and its variants with common random numbers and compare every KPI.

    All scenarios get the same seed and replications (the base's own unless
    given), so their differences, taken replication by replication, show the
    effect of the change rather than luck. ``.results`` holds each scenario's
    results (base first); ``.table`` the comparison (as ``comparison.csv``).

    Raises:
        ScenarioError: for an invalid file, two scenarios with one name, or
            scenarios in different time units.
    """
    from ketensim.results.replications import RunOptions
    from ketensim.studies.compare import compare as _compare

    return _compare(base, others, replications, seed, jobs, RunOptions(sample_every, fast_path),
                    progress)


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    ranges: Sequence[str] | Mapping[str, tuple[float, float, float]],
    target: str | Norm | None = None,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    sample_every: float | None = None,
    progress: Progress | None = None,
    fast_path: bool = True,
) -> Sweep:
    """Run a scenario at every point of a grid, with common random numbers.

    Example::

        done = ketensim.sweep("keten.toml", {"step.om.capacity": (40, 60, 5)},
                              target="lead_time<=180@0.9")
        done.summary      # one row per point: means with 95% intervals
        done.target       # the cheapest point meeting the norm, if any

    Raises:
        ScenarioError: for a bad range, key, value or target.
    """
    from ketensim.results.replications import RunOptions
    from ketensim.studies.sweep import sweep as _sweep

    return _sweep(scenario, ranges, target, replications, seed, jobs,
                  RunOptions(sample_every, fast_path), progress)


def bands(
    scenario: Scenario | str | os.PathLike[str],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    sample_every: float | None = None,
    progress: Progress | None = None,
    fast_path: bool = True,
) -> Comparison:
    """The scenario as it is and with each ``[[band]]`` of inflow, compared with common randomness.

    Raises:
        ScenarioError: when the file is invalid or has no bands.
    """
    from ketensim.results.replications import RunOptions
    from ketensim.studies.compare import bands as _bands

    return _bands(scenario, replications, seed, jobs, RunOptions(sample_every, fast_path),
                  progress)


def write(
    done: Results | Comparison | Sweep,
    out: str | os.PathLike[str],
    *,
    formats: Sequence[str] = (),
    lang: str = "nl",
    force: bool = False,
    events: str | os.PathLike[str] | None = None,
    event_formats: Sequence[str] = ("csv",),
) -> Path:
    """Write a results folder as ``ketensim run``, ``compare`` or ``sweep`` does.

    The tables (CSV, and the extra ``formats`` "xlsx" or "parquet"), the
    pictures, ``report.html`` and ``manifest.json``, written whole or not at
    all. Example::

        results = ketensim.simulate("keten.toml", replications=10)
        ketensim.write(results, "uitkomsten/keten")

    Args:
        done: what :func:`simulate`, :func:`compare`, :func:`bands` or :func:`sweep` returned.
        out: the folder; refused when it exists and is not empty, unless ``force``.
        formats: extra table formats besides CSV.
        lang: language of the report and the pictures, "nl" or "en".
        force: replace a results folder that ketensim wrote before.
        events: for a run, the folder ``simulate(..., events=...)`` streamed its event log
            to; the log is written as events.csv and, per ``event_formats`` ("xes", "ocel"),
            one XES or OCEL 2.0 file per replication (as ``ketensim run --events``)::

                with tempfile.TemporaryDirectory() as parts:
                    results = ketensim.simulate("keten.toml", events=parts)
                    ketensim.write(results, "uitkomsten/keten", events=parts,
                                   event_formats=("csv", "xes"))

    Returns:
        The folder written.

    Raises:
        OutputError: when ``out`` may not be written or a format cannot be produced.
    """
    from pathlib import Path as _Path

    from ketensim.present import folder
    from ketensim.present.words.i18n import check_lang
    from ketensim.studies.compare import Comparison as _Comparison
    from ketensim.studies.sweep import Sweep as _Sweep

    options: dict[str, Any] = {"formats": tuple(formats), "force": force,
                               "command": "ketensim.write (Python)"}
    lang = check_lang(lang)
    if isinstance(done, _Comparison):
        return folder.write_comparison(done, _Path(out), lang, **options)
    if isinstance(done, _Sweep):
        return folder.write_sweep(done, _Path(out), lang, **options)
    parts = None if events is None else _Path(events)
    return folder.write_results(done, _Path(out), lang=lang, events=parts,
                                event_formats=tuple(event_formats), **options)


def serve(folder: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 0,
          open_browser: bool = True, lang: str = "nl") -> None:
    """Run the what-if app in the browser until interrupted (``ketensim serve``).

    Args:
        folder: the scenario files to offer (default: the bundled scenarios).
        host: the address to listen on; this machine only by default.
        port: the port (0: a free one).
        open_browser: open the app in the default browser.
        lang: language of the app, "nl" or "en".

    Raises:
        ImportError: without the optional extra ``ketensim[web]``.
    """
    from pathlib import Path as _Path

    from ketensim.scenario.catalogue import bundled_folder
    from ketensim.web.server import serve as _serve

    _serve(_Path(folder) if folder is not None else bundled_folder(), host, port,
           open_browser, lang)


def report(done: Results | Comparison | Sweep, lang: str = "nl") -> str:
    """The HTML report of a run, comparison or sweep, as ``report.html`` holds it.

    One self-contained page (pictures embedded), for a notebook
    (``IPython.display.HTML(ketensim.report(results))``) or to save anywhere.
    """
    from ketensim.present import folder
    from ketensim.present.pages import studies
    from ketensim.present.pictures import sweep as sweep_pictures
    from ketensim.present.words.i18n import check_lang
    from ketensim.studies.compare import Comparison as _Comparison
    from ketensim.studies.sweep import Sweep as _Sweep

    lang = check_lang(lang)
    if isinstance(done, _Comparison):
        pictures = studies.compare_pictures(done, lang)
        return studies.render_compare_report(done, lang, files=pictures)
    if isinstance(done, _Sweep):
        from ketensim.present.pages.sweep import render_sweep_report

        return render_sweep_report(done, sweep_pictures.figures(done, lang), lang)
    figures, files = folder.draw_pictures(done, lang)
    return folder.render_report(done, lang, figures=figures, files=files)


def __getattr__(name: str) -> Any:
    # Results and friends live with pandas; import them only when someone asks for them.
    if name == "Results":
        from ketensim.results.tables import Results

        return Results
    if name == "Comparison":
        from ketensim.studies.compare import Comparison

        return Comparison
    if name == "Sweep":
        from ketensim.studies.sweep import Sweep

        return Sweep
    raise AttributeError(f"module 'ketensim' has no attribute {name!r}")
