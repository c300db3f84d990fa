"""The ``ketensim`` command: a thin skin over the Python API.

One error path for every command: a scenario the user can fix gives one
``error: FILE: key: ...`` line per problem and exit status 2; a bad option
or an output folder that may not be overwritten also exits with 2; anything
else is a bug, reported in one line with exit status 1 (``KETENSIM_DEBUG=1``
shows the traceback). Heavy modules are imported inside the commands, so
``ketensim --help`` answers at once.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ketensim import __version__
from ketensim.errors import ScenarioError

if TYPE_CHECKING:
    from ketensim.model import Scenario
    from ketensim.traffic import Phase

FORMAT_CHOICES = ("csv", "xlsx", "parquet")
LANG_CHOICES = ("nl", "en")


class _Group(click.Group):
    """A click group with ketensim's one error path around every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ScenarioError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.exceptions.Exit(2) from None
        except Exception as exc:
            if _is_output_error(exc):
                click.echo(f"error: {exc}", err=True)
                raise click.exceptions.Exit(2) from None
            _unexpected(exc)


def _is_output_error(exc: Exception) -> bool:
    # Only loaded when a command wrote results, so checking it costs nothing at start-up.
    output = sys.modules.get("ketensim.output")
    return output is not None and isinstance(exc, output.OutputError)


def _unexpected(exc: Exception) -> NoReturn:
    if os.environ.get("KETENSIM_DEBUG") == "1":
        traceback.print_exc(file=sys.stderr)
    message = " ".join(str(exc).split()) or type(exc).__name__
    click.echo(f"error: unexpected failure: {type(exc).__name__}: {message}", err=True)
    if os.environ.get("KETENSIM_DEBUG") != "1":
        click.echo("(set KETENSIM_DEBUG=1 to see the traceback)", err=True)
    raise click.exceptions.Exit(1) from None


@click.group(cls=_Group, name="ketensim", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ketensim")
def cli() -> None:
    """Simulate throughput in chains of public organisations (ketens).

    \b
    Start with:
      ketensim check scenarios/strafrechtketen/basis.toml
      ketensim run scenarios/strafrechtketen/basis.toml --replications 10
    """


# -- run ---------------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replications", "-n", type=click.IntRange(min=1),
              help="Number of replications (default: the scenario's own).")
@click.option("--seed", type=click.IntRange(min=0),
              help="Random seed (default: the scenario's own).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Results folder (default: results/<scenario name>/<UTC timestamp>/).")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Worker processes (default: all CPUs). Results are the same whatever this is.")
@click.option("--force", is_flag=True, help="Replace an existing non-empty --out folder.")
@click.option("--lang", type=click.Choice(LANG_CHOICES), default="nl", show_default=True,
              help="Language of the summary and the report.")
@click.option("--format", "formats", type=click.Choice(FORMAT_CHOICES), multiple=True,
              help="Extra table format besides CSV; may be given more than once.")
@click.option("--sample-every", type=click.FloatRange(min=0, min_open=True), default=1.0,
              show_default=True,
              help="Time between timeseries samples, in the scenario's time unit.")
@click.pass_context
def run(
    ctx: click.Context, file: Path, replications: int | None, seed: int | None, out: Path | None,
    jobs: int | None, force: bool, lang: str, formats: tuple[str, ...], sample_every: float,
) -> None:
    """Simulate a scenario and write its results folder.

    Prints a short summary (load, waiting, backlog and utilisation per step;
    the chain's lead time with its 95% interval) and writes steps.csv,
    chain.csv, outcomes.csv, timeseries.csv, manifest.json and report.html.

    \b
    Example:
      ketensim run scenarios/strafrechtketen/basis.toml --replications 10 --seed 1
      ketensim run mijn-keten.toml --out results/test --force --format xlsx --lang en
    """
    from ketensim import simulate
    from ketensim.console import run_summary
    from ketensim.output import check_formats, check_out, default_out, utc_now, write_results

    started = utc_now()
    scenario = _load(file).with_run_options(replications=replications, seed=seed)
    target = out if out is not None else default_out(scenario.name, started)
    check_out(target, force)
    n_samples = int(scenario.horizon / sample_every + 1e-9) + 1
    check_formats(formats, scenario.replications * len(scenario.steps) * n_samples)
    phases = _phases_or_none(scenario)

    with _progress(scenario.replications, lang) as step_done:
        results = simulate(scenario, jobs=jobs, sample_every=sample_every, progress=step_done)
    finished = utc_now()
    written = write_results(
        results, target, formats=formats, lang=lang, command=_command_line(ctx),
        started=started, finished=finished, force=force, sample_every=sample_every,
    )
    for line in run_summary(results, phases, str(written), lang):
        click.echo(line)


# -- check -------------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(LANG_CHOICES), default="nl", show_default=True,
              help="Language of the tables.")
def check(file: Path, lang: str) -> None:
    """Validate a scenario and show the offered load of every step.

    The load (rho) is inflow x service time / capacity, from the routing's
    traffic equations; a step at 1 or more cannot keep up and is marked
    OVERLOADED (OVERBELAST). Loads are shown from the start and again from
    each event on. An overloaded step is information, not an error: the exit
    status is 0 for every valid file and 2 for an invalid one.

    \b
    Example:
      ketensim check scenarios/strafrechtketen/politie-levert-meer.toml
      ketensim check mijn-keten.toml --lang en
    """
    from ketensim import traffic
    from ketensim.console import check_report

    scenario = _load(file)
    try:
        phases = traffic.phases(scenario)
    except ValueError as exc:
        raise ScenarioError.single(
            str(file), "step.routes", str(exc), "a way out of every loop", "<no route to exit>"
        ) from None
    for line in check_report(scenario, phases, str(file), lang):
        click.echo(line)


# -- compare, sweep, bands ---------------------------------------------------------------


def _batch_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that runs several scenarios shares with ``run``."""
    options = [
        click.option("--replications", "-n", type=click.IntRange(min=1),
                     help="Replications per scenario (default: the first scenario's own)."),
        click.option("--seed", type=click.IntRange(min=0),
                     help="The one seed for all (default: the first scenario's own)."),
        click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                     help="Results folder (default: results/<scenario name>/<UTC timestamp>/)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1),
                     help="Worker processes (default: all CPUs). Results are the same "
                          "whatever this is."),
        click.option("--force", is_flag=True, help="Replace an existing non-empty --out folder."),
        click.option("--lang", type=click.Choice(LANG_CHOICES), default="nl", show_default=True,
                     help="Language of the summary and the reports."),
        click.option("--format", "formats", type=click.Choice(FORMAT_CHOICES), multiple=True,
                     help="Extra table format besides CSV; may be given more than once."),
        click.option("--sample-every", type=click.FloatRange(min=0, min_open=True), default=1.0,
                     show_default=True,
                     help="Time between timeseries samples, in the scenarios' time unit."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@cli.command()
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("others", nargs=-1, required=True, metavar="OTHER...",
                type=click.Path(dir_okay=False, path_type=Path))
@_batch_options
@click.pass_context
def compare(
    ctx: click.Context, base: Path, others: tuple[Path, ...], replications: int | None,
    seed: int | None, out: Path | None, jobs: int | None, force: bool, lang: str,
    formats: tuple[str, ...], sample_every: float,
) -> None:
    """Compare scenarios with common random numbers: what does a change do?

    Runs BASE and every OTHER with the same seed and replications, so each
    replication of each scenario sees the same randomness, and reports every
    KPI with its 95% interval and its difference to BASE (paired per
    replication). Writes a folder per scenario, comparison.csv and report.html.

    \b
    Example:
      ketensim compare scenarios/vreemdelingenketen/basis.toml \\
                       scenarios/vreemdelingenketen/bezwaar-afgeschaft.toml
    """
    from ketensim.comparison import prepare

    scenarios = prepare(_load_all([base, *others]), replications, seed)
    _run_comparison(ctx, scenarios, out, jobs, force, lang, formats, sample_every)


def _load_all(files: Sequence[Path]) -> list[Scenario]:
    """Load every file; the problems of all of them are reported together."""
    loaded, problems = [], []
    for file in files:
        try:
            loaded.append(_load(file))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return loaded


def _run_comparison(
    ctx: click.Context, scenarios: Sequence[Scenario], out: Path | None, jobs: int | None,
    force: bool, lang: str, formats: tuple[str, ...], sample_every: float,
) -> None:
    """Run prepared scenarios side by side, write the folder and print the comparison."""
    from ketensim.compare_text import compare_summary
    from ketensim.comparison import Comparison, comparison_table, run_all, write_comparison
    from ketensim.output import check_formats, check_out, default_out, utc_now

    started = utc_now()
    target = out if out is not None else default_out(scenarios[0].name, started)
    check_out(target, force)
    check_formats(formats, _timeseries_rows(scenarios, sample_every))
    with _progress(sum(s.replications for s in scenarios), lang) as step_done:
        results = run_all(scenarios, jobs, sample_every, step_done)
    comparison = Comparison(results, comparison_table(results))
    written = write_comparison(
        comparison, target, lang, formats=formats, command=_command_line(ctx), started=started,
        finished=utc_now(), force=force, sample_every=sample_every,
    )
    for line in compare_summary(comparison, str(written), lang):
        click.echo(line)


def _timeseries_rows(scenarios: Sequence[Scenario], sample_every: float) -> int:
    """The longest timeseries any of the scenarios will write (Excel has a row limit)."""
    return max(
        s.replications * len(s.steps) * (int(s.horizon / sample_every + 1e-9) + 1)
        for s in scenarios
    )


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "sets", metavar="KEY=START:STOP:STEP", multiple=True, required=True,
              help="A key as in an event's set, and its range (both ends included); "
                   "repeat for a grid.")
@click.option("--target", metavar="NORM",
              help="A norm to meet: a norm id of the file, or e.g. lead_time<=180@0.9 or "
                   "wait:<step><=35@0.9.")
@_batch_options
@click.pass_context
def sweep(
    ctx: click.Context, file: Path, sets: tuple[str, ...], target: str | None,
    replications: int | None, seed: int | None, out: Path | None, jobs: int | None,
    force: bool, lang: str, formats: tuple[str, ...], sample_every: float,
) -> None:
    """Run a scenario at every point of a grid of settings, with common random numbers.

    Each --set KEY=START:STOP:STEP varies one key (as in an event's set) from
    time 0; several --set options make a grid of every combination. Writes a
    folder per point, sweep.csv (one row per point and replication),
    sweep_summary.csv (means with 95% intervals), a picture per main KPI and
    report.html. With --target, names the cheapest point that meets the norm
    (over the part of the run after the warm-up).

    \b
    Example:
      ketensim sweep scenarios/strafrechtketen/politie-levert-meer.toml \\
          --set step.om_beoordeling.capacity=7750:8500:125 --target "wait:om_beoordeling<=7@0.9"
    """
    from ketensim import sweeps as sweeping
    from ketensim.output import check_formats, check_out, default_out, utc_now
    from ketensim.sweep_text import sweep_summary_lines

    started = utc_now()
    base = _load(file).with_run_options(replications=replications, seed=seed)
    norm = sweeping.resolve_target(target, base)
    if norm is not None:
        base = sweeping.norms.with_norm(base, norm)
    axes = sweeping.parse_ranges(list(sets), base)
    points = sweeping.grid(base, axes)
    destination = out if out is not None else default_out(base.name, started)
    check_out(destination, force)
    check_formats(formats, _timeseries_rows([base], sample_every))
    with _progress(len(points) * base.replications, lang) as step_done:
        results = sweeping.run_all([p.scenario for p in points], jobs, sample_every, step_done)
    done = sweeping.finish(base, axes, points, results, norm)
    written = sweeping.write_sweep(
        done, destination, lang, formats=formats, command=_command_line(ctx), started=started,
        finished=utc_now(), force=force, sample_every=sample_every,
    )
    for line in sweep_summary_lines(done, str(written), lang):
        click.echo(line)


# -- animate -----------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="GIF or MP4 file (default: results/<scenario name>/animation.gif).")
@click.option("--seed", type=click.IntRange(min=0),
              help="Random seed (default: the scenario's own).")
@click.option("--replication", "-r", type=click.IntRange(min=0), default=0, show_default=True,
              help="Which replication to show: the same run as replication R of 'run'.")
@click.option("--fps", type=click.IntRange(1, 50), default=10, show_default=True,
              help="Frames per second.")
@click.option("--frames", type=click.IntRange(2, 1000), default=200, show_default=True,
              help="Moments shown, evenly spread over the horizon.")
@click.option("--lang", type=click.Choice(LANG_CHOICES), default="nl", show_default=True,
              help="Language of the labels.")
@click.option("--force", is_flag=True, help="Replace an existing file at --out.")
def animate(
    file: Path, out: Path | None, seed: int | None, replication: int, fps: int, frames: int,
    lang: str, force: bool,
) -> None:
    """Render one replication as an animation of the chain's queues over time.

    Steps are boxes left to right along the routing, grouped by partner;
    the bar over a box is the number of cases waiting there, the box shows
    the cases in service. A clock runs in the scenario's time unit, and each
    intervention appears as a banner from its moment on, with the steps it
    changes outlined. An existing file is only replaced with --force. MP4
    needs ffmpeg on PATH; GIF always works.

    \b
    Example:
      ketensim animate scenarios/onderwijs/politie-klein.toml
      ketensim animate mijn-keten.toml --out film.mp4 --replication 3 --fps 15
    """
    from ketensim import animate as anim

    scenario = _load(file)
    target = out if out is not None else anim.default_target(scenario.name)
    try:
        anim.check_target(target, force)
        track = anim.simulate_track(scenario, replication, seed, frames)
        written = anim.write(scenario, track, target, fps=fps, lang=lang)
    except anim.AnimationError as exc:
        click.echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(2) from None
    click.echo(anim.summary(written, track, fps, lang))


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_batch_options
@click.pass_context
def bands(
    ctx: click.Context, file: Path, replications: int | None, seed: int | None,
    out: Path | None, jobs: int | None, force: bool, lang: str, formats: tuple[str, ...],
    sample_every: float,
) -> None:
    """Run a scenario as it is and with each of its inflow bands ([[band]]), compared.

    A band (e.g. the minimum and maximum of a prognosis) multiplies every
    arrival rate by its factor. The scenario and its bands run with common
    random numbers and are compared as by the compare command: a folder per
    band (<scenario>-<band>), comparison.csv and report.html.

    \b
    Example:
      ketensim bands scenarios/vreemdelingenketen/prognosebanden.toml
    """
    from ketensim.comparison import band_scenarios, prepare

    scenarios = prepare(band_scenarios(_load(file)), replications, seed)
    _run_comparison(ctx, scenarios, out, jobs, force, lang, formats, sample_every)


# -- helpers -----------------------------------------------------------------------------


def _load(file: Path) -> Scenario:
    """Load a scenario; an unreadable file is bad input like any other."""
    from ketensim import load

    try:
        return load(file)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError.single(str(file), "(file)", "cannot read the file",
                                   "a readable TOML file", f"<{reason}>") from None


@contextlib.contextmanager
def _progress(replications: int, lang: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over replications on stderr; silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield lambda _rep: None
        return
    label = "simuleren" if lang == "nl" else "simulating"
    with click.progressbar(length=replications, label=label, file=sys.stderr) as bar:
        yield lambda _rep: bar.update(1)


def _phases_or_none(scenario: Scenario) -> list[Phase] | None:
    """Loads for the summary; a network the equations cannot solve just shows no load."""
    from ketensim import traffic

    try:
        return traffic.phases(scenario)
    except ValueError:
        return None


def _command_line(ctx: click.Context) -> str:
    """The command as typed (arguments and the options actually given), for the manifest."""
    words: list[str] = ctx.command_path.split()
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        source = ctx.get_parameter_source(param.name or "")
        if isinstance(param, click.Argument):
            words += [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
        elif source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
            words += _option_words(param, value)
    return shlex.join(words)


def _option_words(param: click.Parameter, value: Any) -> list[str]:
    flag = max(param.opts, key=len)
    if isinstance(param, click.Option) and param.is_flag:
        return [flag] if value else []
    values: Sequence[Any] = value if isinstance(value, tuple | list) else [value]
    return [w for v in values for w in (flag, str(v))]


def main() -> None:
    """Entry point of the ``ketensim`` console script."""
    cli(prog_name="ketensim")
