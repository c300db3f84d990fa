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
            words.append(str(value))
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
