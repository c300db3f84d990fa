"""The ``ketensim`` command: a thin skin over the Python API.

One error path for every command: a scenario the user can fix gives one
``error: FILE: key: ...`` line per problem and exit status 2; a bad option
or an output folder that may not be overwritten also exits with 2; anything
else is a bug, reported in one line with exit status 1 (``KETENSIM_DEBUG=1``
shows the traceback). A reader that stops reading (``ketensim check f.toml |
head``) ends the command quietly with status 141, as for other tools killed
by SIGPIPE. Heavy modules are imported inside the commands, so ``ketensim
--help`` answers at once. Only option parsing and printing live here; the
work behind the commands is in :mod:`ketensim.cli.commands`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ketensim import __version__
from ketensim.cli.commands import (
    claimed_out,
    command_line,
    comparison_folder,
    load_all,
    load_file,
    phases_of,
    phases_or_none,
    simulate_track,
    sweep_grid,
)
from ketensim.cli.commands import timeseries_rows as _timeseries_rows
from ketensim.errors import ScenarioError

if TYPE_CHECKING:
    from ketensim.scenario.model import Scenario

FORMAT_CHOICES = ("csv", "xlsx", "parquet")
LANG_CHOICES = ("nl", "en")
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader left


class _Group(click.Group):
    """A click group with ketensim's one error path around every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            _closed_stdout()
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
    # Only loaded when a command checked or wrote results, so checking costs nothing at start-up.
    folders = sys.modules.get("ketensim.results.folders")
    experiment = sys.modules.get("ketensim.results.replications")
    return (folders is not None and isinstance(exc, folders.OutputError)) or (
        experiment is not None and isinstance(exc, experiment.ClusterError))


def _closed_stdout() -> NoReturn:
    """The reader of stdout went away: stop without a word, as ``head`` expects.

    As the Python documentation advises, stdout is pointed at devnull first, so
    that the final flush at exit does not fail on the broken pipe once more.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    raise click.exceptions.Exit(EXIT_CLOSED_PIPE) from None


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


def _use_scheduler(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """Name the cluster for this process; the runner reads it where it starts workers."""
    if value:
        from ketensim.results.replications import check_address

        os.environ["KETENSIM_SCHEDULER"] = check_address(value)
        ctx.meta["scheduler"] = value  # the manifest's command records the address


def _run_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``run`` shares with every command that runs several scenarios."""
    options = [
        click.option("--replications", "-n", type=click.IntRange(min=1),
                     help="Replications (default: the scenario's own; with several, the "
                          "first one's)."),
        click.option("--seed", type=click.IntRange(min=0),
                     help="Random seed, one for all (default: the scenario's own; with "
                          "several, the first one's)."),
        click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                     help="Results folder (default: results/<name>/<UTC timestamp>/, "
                          "<name> being the scenario's, <base>-vs-<other> for a "
                          "comparison, <scenario>-sweep for a sweep)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1),
                     help="Worker processes (default: all CPUs). Results are the same "
                          "whatever this is."),
        click.option("--scheduler", metavar="ADDRESS", expose_value=False,
                     callback=_use_scheduler, is_eager=True,
                     help="Run the replications on a Dask cluster, e.g. tcp://10.0.0.5:8786 "
                          "(needs ketensim[cluster]); also read from KETENSIM_SCHEDULER."),
        click.option("--force", is_flag=True,
                     help="Replace an --out folder that ketensim wrote before."),
        click.option("--lang", type=click.Choice(LANG_CHOICES), default="nl", show_default=True,
                     help="Language of the summary and the report."),
        click.option("--format", "formats", type=click.Choice(FORMAT_CHOICES), multiple=True,
                     help="Extra table format besides CSV; may be given more than once."),
        click.option("--sample-every", type=click.FloatRange(min=0, min_open=True), default=1.0,
                     show_default=True,
                     help="Time between timeseries samples, in the scenario's time unit."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


# -- run ---------------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_run_options
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
    from ketensim.present.folder import utc_now, write_results
    from ketensim.present.words.check import suspect_lines
    from ketensim.present.words.summary import run_summary

    scenario = load_file(file).with_run_options(replications=replications, seed=seed)
    phases = phases_or_none(scenario)
    for sentence in suspect_lines(scenario, phases or [], lang):
        click.echo(sentence.replace("Let op:", "waarschuwing:").replace("Note:", "warning:"),
                   err=True)
    with claimed_out(out, scenario.name, force, formats,
                     _timeseries_rows([scenario], sample_every)) as (started, target):
        with _progress(scenario.replications, lang) as step_done:
            results = simulate(scenario, jobs=jobs, sample_every=sample_every,
                               progress=step_done)
        written = write_results(
            results, target, formats=formats, lang=lang, command=command_line(ctx),
            started=started, finished=utc_now(), force=force, sample_every=sample_every,
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
    from ketensim.present.words.check import check_report

    scenario = load_file(file)
    for line in check_report(scenario, phases_of(scenario, file), str(file), lang):
        click.echo(line)


# -- compare, sweep, bands ---------------------------------------------------------------


@cli.command()
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("others", nargs=-1, required=True, metavar="OTHER...",
                type=click.Path(dir_okay=False, path_type=Path))
@_run_options
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
    from ketensim.studies.compare import prepare

    scenarios = prepare(load_all([base, *others]), replications, seed)
    _run_comparison(ctx, scenarios, out, jobs, force, lang, formats, sample_every,
                    comparison_folder([s.name for s in scenarios]))


def _run_comparison(
    ctx: click.Context, scenarios: Sequence[Scenario], out: Path | None, jobs: int | None,
    force: bool, lang: str, formats: tuple[str, ...], sample_every: float, folder_name: str,
) -> None:
    """Run prepared scenarios side by side, write the folder and print the comparison."""
    from ketensim.present.folder import utc_now, write_comparison
    from ketensim.present.words.compare import compare_summary
    from ketensim.studies.compare import Comparison, comparison_table, run_all

    with claimed_out(out, folder_name, force, formats,
                     _timeseries_rows(scenarios, sample_every)) as (started, target):
        with _progress(sum(s.replications for s in scenarios), lang) as step_done:
            results = run_all(scenarios, jobs, sample_every, step_done)
        comparison = Comparison(results, comparison_table(results))
        written = write_comparison(
            comparison, target, lang, formats=formats, command=command_line(ctx),
            started=started, finished=utc_now(), force=force, sample_every=sample_every,
        )
    for line in compare_summary(comparison, str(written), lang):
        click.echo(line)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "sets", metavar="KEY=START:STOP:STEP", multiple=True, required=True,
              help="A key as in an event's set, and its range (both ends included); "
                   "repeat for a grid.")
@click.option("--target", metavar="NORM",
              help="A norm to meet: a norm id of the file, or e.g. lead_time<=180@0.9 or "
                   "wait:<step><=35@0.9.")
@_run_options
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
    from ketensim.present.folder import utc_now, write_sweep
    from ketensim.present.words.sweep import sweep_summary_lines
    from ketensim.studies import sweep as sweeping

    base = load_file(file).with_run_options(replications=replications, seed=seed)
    base, norm, axes, points = sweep_grid(base, target, sets)
    with claimed_out(out, f"{base.name}-sweep", force, formats,
                     _timeseries_rows([base], sample_every) * len(points)) as (started, target):
        with _progress(len(points) * base.replications, lang) as step_done:
            results = sweeping.run_all([p.scenario for p in points], jobs, sample_every,
                                       step_done)
        done = sweeping.finish(base, axes, points, results, norm)
        written = write_sweep(
            done, target, lang, formats=formats, command=command_line(ctx), started=started,
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
    from ketensim.present.pictures import animate as anim

    scenario = load_file(file)
    target = out if out is not None else anim.default_target(scenario.name)
    anim.check_target(target, force)  # an AnimationError is bad output like any other: exit 2
    track = simulate_track(scenario, replication, seed, frames)
    written = anim.write(scenario, track, target, fps=fps, lang=lang)
    click.echo(anim.summary(written, track, fps, lang))


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_run_options
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
    from ketensim.studies.compare import band_scenarios, prepare

    scenarios = prepare(band_scenarios(load_file(file)), replications, seed)
    _run_comparison(ctx, scenarios, out, jobs, force, lang, formats, sample_every,
                    f"{scenarios[0].name}-bands")


# -- helpers -----------------------------------------------------------------------------


@contextlib.contextmanager
def _progress(replications: int, lang: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over replications on stderr; silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield lambda _rep: None
        return
    label = "simuleren" if lang == "nl" else "simulating"
    with click.progressbar(length=replications, label=label, file=sys.stderr) as bar:
        yield lambda _rep: bar.update(1)


EXIT_TERMINATED = 143  # 128 + SIGTERM


def _terminate(_signum: int, _frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C does, so a half-written results folder is removed."""
    raise SystemExit(EXIT_TERMINATED)


def main() -> None:
    """Entry point of the ``ketensim`` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="ketensim")
