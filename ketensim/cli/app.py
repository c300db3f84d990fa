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
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ketensim import __version__
from ketensim.cli import fit, studies
from ketensim.cli.commands import (
    check_work,
    claimed_out,
    command_line,
    event_parts,
    load_file,
    phases_of,
    phases_or_none,
    simulate_track,
)
from ketensim.cli.commands import timeseries_rows as _timeseries_rows
from ketensim.cli.options import LANG_CHOICES, options_of, progress, run_options, say
from ketensim.errors import ScenarioError, printable

if TYPE_CHECKING:
    pass

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
                say(f"error: {printable(str(exc), 400)}", err=True)
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
    say(f"error: unexpected failure: {type(exc).__name__}: {printable(message, 400)}", err=True)
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
@run_options
@click.option("--events", "events", type=click.Choice(("csv", "xes", "ocel")), multiple=True,
              help="Also write the simulated event log: events.csv (always), and per "
                   "replication events/replication-<r>.xes (xes) or .jsonocel (ocel, OCEL "
                   "2.0); may be given more than once.")
@click.pass_context
def run(
    ctx: click.Context, file: Path, replications: int | None, seed: int | None, out: Path | None,
    jobs: int | None, force: bool, lang: str, formats: tuple[str, ...], sample_every: float | None,
    events: tuple[str, ...],
) -> None:
    """Simulate a scenario and write its results folder.

    Prints a short summary (load, waiting, backlog and utilisation per step;
    the chain's lead time with its 95% interval) and writes steps.csv,
    chain.csv, outcomes.csv, timeseries.csv, manifest.json and report.html.
    With --events, also the event log of every visit of a case to a step, for
    process-mining tools (timestamps from the scenario's start_date).

    \b
    Example:
      ketensim run scenarios/strafrechtketen/basis.toml --replications 10 --seed 1
      ketensim run mijn-keten.toml --out results/test --force --format xlsx --lang en
      ketensim run scenarios/werk-en-inkomen/basis.toml --events csv --events xes
    """
    from ketensim import simulate
    from ketensim.present.words.check import suspect_lines

    scenario = load_file(file).with_run_options(replications=replications, seed=seed)
    phases = phases_or_none(scenario)
    check_work([scenario], force)
    for sentence in suspect_lines(scenario, phases or [], lang):
        say(sentence.replace("Let op:", "waarschuwing:").replace("Note:", "warning:"), err=True)
    rows = _timeseries_rows([scenario], sample_every)
    with claimed_out(out, scenario.name, force, formats, rows) as (started, target), \
            event_parts(target, bool(events)) as parts:
        with progress(scenario.replications, lang) as step_done:
            results = simulate(scenario, jobs=jobs, sample_every=sample_every,
                               fast_path=options_of(ctx, sample_every).fast_path,
                               progress=step_done, events=parts)
        # Tables and pictures are imported once the simulation has let go of its columns:
        # their libraries then do not add to the simulation's peak memory.
        from ketensim.present.folder import utc_now, write_results
        from ketensim.present.words.summary import run_summary

        written = write_results(
            results, target, formats=formats, lang=lang, command=command_line(ctx),
            started=started, finished=utc_now(), force=force, sample_every=sample_every,
            events=parts, event_formats=events,
        )
    for line in run_summary(results, phases, str(written), lang):
        say(line)


# -- serve -------------------------------------------------------------------------------


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only this machine by default (see docs/web.md "
                   "before serving a team).")
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port to listen on (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option("--lang", type=click.Choice(LANG_CHOICES), default="nl", show_default=True,
              help="Language of the app.")
def serve(folder: Path | None, host: str, port: int, no_browser: bool, lang: str) -> None:
    """Start the what-if app in the browser (needs ketensim[web]).

    A policy maker chooses a chain from FOLDER (default: the bundled
    scenarios) or uploads one, moves capacity, handling time and inflow or
    bypasses a step, sees the offered loads at once, and runs the what-if
    against its base with common random numbers: the verdict, the backlog
    over time and every KPI with its interval, as 'ketensim compare' gives
    them. The what-if downloads as a small TOML file that 'ketensim run' runs.

    \b
    Example:
      ketensim serve
      ketensim serve mijn-scenarios --port 8080 --no-browser
    """
    import ketensim

    if folder is not None and not folder.is_dir():
        raise ScenarioError.single(str(folder), "FOLDER", "is not a folder",
                                   "a folder with scenario files", str(folder))
    try:
        ketensim.serve(folder, host, port, not no_browser, lang)
    except ImportError as exc:
        raise ScenarioError.single("serve", "ketensim[web]", "the web app is not installed",
                                   "pip install 'ketensim[web]'", exc.name or "") from None
    except OSError as exc:  # the address is taken or not on this machine
        raise ScenarioError.single("serve", "--host/--port", "cannot listen there",
                                   "a free port on an address of this machine",
                                   f"{host}:{port} ({exc.strerror or exc})") from None


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
        say(line)


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
    say(anim.summary(written, track, fps, lang))


# -- helpers -----------------------------------------------------------------------------


EXIT_TERMINATED = 143  # 128 + SIGTERM


def _terminate(_signum: int, _frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C does, so a half-written results folder is removed."""
    raise SystemExit(EXIT_TERMINATED)


# -- scenarios, new -----------------------------------------------------------------------


@cli.command()
@click.option("--copy", "copy_to", type=click.Path(path_type=Path), metavar="FOLDER",
              help="Copy every bundled scenario (with its data files) into a new FOLDER.")
def scenarios(copy_to: Path | None) -> None:
    """List the bundled scenarios (chains, variants and lessons) with their titles.

    \b
    Example:
      ketensim scenarios
      ketensim scenarios --copy mijn-scenarios
    """
    from ketensim.scenario.catalogue import bundled_folder, catalogue, copy_bundled

    if copy_to is not None:
        if copy_to.exists():
            raise ScenarioError.single(str(copy_to), "--copy", "the folder exists already",
                                       "a new folder", "<an existing path>")
        say(f"Gekopieerd naar {copy_bundled(copy_to)}")
        return
    found = catalogue()
    width = max(len(b.relative) for b in found)
    say(f"{len(found)} scenario's in {bundled_folder()}:")
    for item in found:
        say(f"  {item.relative:<{width}}  {item.title}")
    say("")
    say("Draaien: ketensim run <map>/<bestand>.toml vanuit een checkout (scenarios/...), of "
        "kopieer ze eerst met --copy.")


@cli.command()
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (default: NAME.toml here).")
def new(name: str, out: Path | None) -> None:
    """Write a commented starting file for a chain of your own.

    NAME names the scenario and its results folder (a-z, 0-9 and -). The file
    holds a small chain (politie, OM, rechtbank) in which every key says what
    it means; check it with `ketensim check` and change the figures to yours.

    \b
    Example:
      ketensim new mijn-keten
    """
    from ketensim.scenario.catalogue import starter

    target = out if out is not None else Path(f"{name}.toml")
    try:
        text = starter(name)
    except ValueError as exc:
        raise ScenarioError.single("NAME", "name", str(exc).split(" (got")[0],
                                   "a slug such as mijn-keten", name) from None
    if target.exists():
        raise ScenarioError.single(str(target), "--out", "the file exists already",
                                   "a new file name", "<an existing file>")
    target.write_text(text, encoding="utf-8")
    say(f"Geschreven: {target}. Controleer het met: ketensim check {target}")


for _command in (studies.compare, studies.sweep, studies.bands, fit.fit):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``ketensim`` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="ketensim")
