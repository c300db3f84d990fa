"""The work behind the command line that needs no click.

Reading scenario files so that every failure is bad input (exit status 2),
the offered loads a summary shows, and the checks on the results folder that
must pass before any time is spent simulating. :mod:`ketensim.cli.app` keeps to
parsing options and printing; what it does with them is here, testable
without a command line.
"""

from __future__ import annotations

import contextlib
import hashlib
import shlex
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ketensim.errors import ScenarioError

if TYPE_CHECKING:
    from ketensim.present.pictures.scene import Track
    from ketensim.scenario.model import Norm, Scenario
    from ketensim.scenario.traffic import Phase
    from ketensim.studies.sweep import Axis, Point


def load_file(file: Path) -> Scenario:
    """Load a scenario; an unreadable file is bad input like any other.

    Raises:
        ScenarioError: when the file cannot be read or is not a valid scenario.
    """
    from ketensim import load

    try:
        return load(file)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError.single(str(file), "(file)", "cannot read the file",
                                   "a readable TOML file", f"<{reason}>") from None


def load_all(files: Sequence[Path]) -> list[Scenario]:
    """Load every file; the problems of all of them are reported together.

    Raises:
        ScenarioError: with the problems of every file that has any.
    """
    loaded, problems = [], []
    for file in files:
        try:
            loaded.append(load_file(file))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return loaded


def phases_of(scenario: Scenario, file: Path) -> list[Phase]:
    """Offered loads per period, for ``check``: a network without a way out is bad input.

    Raises:
        ScenarioError: when the traffic equations have no solution (a closed loop).
    """
    from ketensim.scenario import traffic

    try:
        return traffic.phases(scenario)
    except ValueError as exc:
        raise ScenarioError.single(
            str(file), "step.routes", str(exc), "a way out of every loop", "<no route to exit>"
        ) from None


def phases_or_none(scenario: Scenario) -> list[Phase] | None:
    """Loads for the run summary; a network the equations cannot solve just shows no load."""
    from ketensim.scenario import traffic

    try:
        return traffic.phases(scenario)
    except ValueError:
        return None


VISITS_WITHOUT_FORCE = 200_000_000  # about half an hour on one core; more asks for --force
BYTES_PER_VISIT = 100  # the engine's columns, about, per visit in flight in one replication


def check_work(scenarios: Sequence[Scenario], force: bool) -> None:
    """Refuse a run that the traffic equations say is enormous, unless ``--force``.

    A rate typed a million times too high would otherwise run for days
    without a word; the estimate (visits, and memory per replication) is
    named so the user can see whether it is what they meant.

    Raises:
        ScenarioError: when the run is over :data:`VISITS_WITHOUT_FORCE` and not forced.
    """
    from ketensim.scenario import traffic

    for sc in scenarios:
        try:
            per_rep = traffic.expected_visits(sc)
        except ValueError:
            continue  # a loop the equations cannot solve: check names it, run goes on
        total = per_rep * sc.replications
        if total > VISITS_WITHOUT_FORCE and not force:
            memory = per_rep * BYTES_PER_VISIT / 2**30
            raise ScenarioError.single(
                sc.source or sc.name, "(the run)",
                f"about {total:.3g} visits to steps ({per_rep:.3g} per replication, some "
                f"{memory:.3g} GiB each): far more than a usual run; check the rates and the "
                "horizon, or add --force to run it anyway",
                f"at most {VISITS_WITHOUT_FORCE:.0e} visits", f"{total:.3g}")


def timeseries_rows(scenarios: Sequence[Scenario], sample_every: float | None) -> int:
    """The longest timeseries any of the scenarios will write (Excel has a row limit).

    Raises:
        ScenarioError: when ``--sample-every`` asks for more samples than can be kept.
    """
    from ketensim.results.replications import sampling_interval

    rows = 0
    for s in scenarios:
        try:
            every = sampling_interval(s.horizon, sample_every)
        except ValueError:
            from ketensim.results.replications import MAX_SAMPLES

            least = s.horizon / MAX_SAMPLES
            raise ScenarioError.single(
                s.source or s.name, "--sample-every",
                f"too many samples over the horizon of {s.horizon:g} (at most {MAX_SAMPLES:,})",
                f"at least {least:.3g}", sample_every) from None
        rows = max(rows, s.replications * len(s.steps) * (int(s.horizon / every + 1e-9) + 1))
    return rows


@contextlib.contextmanager
def event_parts(target: Path, wanted: bool) -> Iterator[Path | None]:
    """A hidden folder beside the results for the replications' event-log parts, or None.

    The parts are written while the run goes and become the log files when
    the results folder is written; the folder goes, whatever happened.
    """
    if not wanted:
        yield None
        return
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.events-", dir=parent) as parts:
        yield Path(parts)


@contextlib.contextmanager
def claimed_out(
    out: Path | None, name: str, force: bool, formats: Iterable[str], rows: int
) -> Iterator[tuple[datetime, Path]]:
    """The start time and the results folder, claimed for this run before anything runs.

    The folder is held from here until the results are written, so that a
    second run aimed at it is refused at once instead of overwriting this
    one's results at the end.

    Args:
        out: the ``--out`` folder, or None for ``results/<name>/<UTC timestamp>/``.
        name: the folder name under ``results/`` for the default.
        force: whether a folder ketensim wrote before may be replaced.
        formats: the extra table formats asked for.
        rows: the longest timeseries that will be written.

    Raises:
        OutputError: when the folder may not be written or a format cannot be produced.
    """
    from ketensim.results.folders import OutputError, check_formats, claim, default_out, utc_now

    started = utc_now()
    check_formats(formats, rows)
    needed = rows * BYTES_PER_ROW * (1 + len(set(formats) - {"csv"}))
    for attempt in range(100):
        target = out if out is not None else default_out(name, started)
        try:
            with claim(target, force, needed) as held:
                yield started, held
            return
        except OutputError:
            if out is not None or attempt == 99 or not target.exists():
                raise  # a folder of the user's choice, or a problem another name won't solve


def comparison_folder(names: Sequence[str], limit: int = 100) -> str:
    """The folder under ``results/`` named after a comparison: ``<base>-vs-<other>-vs-...``.

    A comparison of many or long names keeps the base and a short digest of the
    others, so the name stays a readable folder name.
    """
    full = "-vs-".join(names)
    if len(full) <= limit:
        return full
    digest = hashlib.blake2b("\n".join(names[1:]).encode("utf-8"), digest_size=4).hexdigest()
    return f"{names[0][: limit - 30]}-vs-{len(names) - 1}-scenarios-{digest}"


BYTES_PER_ROW = 40  # a timeseries row in CSV, about: the results folder's bulk


def sweep_grid(
    base: Scenario, target: str | None, sets: Sequence[str]
) -> tuple[Scenario, Norm | None, list[Axis], list[Point]]:
    """The grid ``sweep`` runs: its ``--target`` norm, its ``--set`` ranges and every point.

    Returns:
        The base scenario (measuring the target norm too), the norm or None,
        the axes and the grid's points.

    Raises:
        ScenarioError: for a target or a range that does not fit the scenario.
    """
    from ketensim.studies import sweep as sweeps

    norm = sweeps.resolve_target(target, base)
    if norm is not None:
        base = sweeps.norms.with_norm(base, norm)
    axes = sweeps.parse_ranges(list(sets), base)
    return base, norm, axes, sweeps.grid(base, axes)


def command_line(ctx: Any) -> str:
    """The command as typed (arguments and the options actually given), for the manifest.

    Args:
        ctx: the command's click context (read through its attributes only).
    """
    words: list[str] = ctx.command_path.split()
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        source = ctx.get_parameter_source(param.name or "")
        if param.param_type_name == "argument":
            words += [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
        elif param.name == "scheduler" and ctx.meta.get("scheduler"):
            words += ["--scheduler", str(ctx.meta["scheduler"])]  # not a value of the command
        elif source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
            words += _option_words(param, value)
    return shlex.join(words)


def _option_words(param: Any, value: Any) -> list[str]:
    flag = max(param.opts, key=len)
    if getattr(param, "is_flag", False):
        return [flag] if value else []
    values: Sequence[Any] = value if isinstance(value, tuple | list) else [value]
    return [w for v in values for w in (flag, str(v))]


def simulate_track(scenario: Scenario, replication: int = 0, seed: int | None = None,
                   frames: int = 200) -> Track:
    """Simulate replications up to ``replication`` and keep that one, sampled ``frames`` times."""
    from ketensim import simulate
    from ketensim.present.pictures import animate

    every = animate.frame_every(scenario.horizon, frames)
    results = simulate(scenario, replications=replication + 1, seed=seed,
                       jobs=1 if replication == 0 else None, sample_every=every)
    return animate.track(results, replication)
