"""What the commands share: their options, the option types, printing and progress.

``run``, ``compare``, ``sweep`` and ``bands`` take the same run options; a
value click would let through (a NaN sampling interval, a garbage cluster
address) is refused here as bad input before anything runs.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from ketensim.errors import printable

FORMAT_CHOICES = ("csv", "xlsx", "parquet", "csv-nl", "svg")
LANG_CHOICES = ("nl", "en")


def say(line: str, err: bool = False) -> None:
    """Print one line of output with any control character in it shown escaped.

    Titles, names and paths come from files that may have been written by
    someone else; printed raw, an escape sequence in them could clear the
    screen, retitle the window or hide text.
    """
    click.echo(printable(line, limit=10_000), err=err)


def _use_scheduler(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """Name the cluster for this process; the runner reads it where it starts workers."""
    if value:
        from ketensim.results.replications import check_address

        os.environ["KETENSIM_SCHEDULER"] = check_address(value)
        ctx.meta["scheduler"] = value  # the manifest's command records the address


def _no_fast_path(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta["fast_path"] = not value


def options_of(ctx: click.Context, sample_every: float | None) -> Any:
    """The :class:`~ketensim.results.replications.RunOptions` the command's options ask for."""
    from ketensim.results.replications import RunOptions

    return RunOptions(sample_every, ctx.meta.get("fast_path", True))


class _PositiveFinite(click.ParamType):
    """A number > 0 that is not infinite or NaN (click's FloatRange lets NaN through)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} is not a finite number > 0", param, ctx)
        return number


POSITIVE = _PositiveFinite()


def run_options(fn: Callable[..., Any]) -> Callable[..., Any]:
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
                     help="Extra format besides CSV tables and PNG pictures (csv-nl: "
                          "semicolons and a decimal comma for a Dutch spreadsheet; svg: the "
                          "pictures as SVG too); may be given more than once."),
        click.option("--no-fast-path", "no_fast_path", is_flag=True, expose_value=False,
                     callback=_no_fast_path,
                     help="Simulate every replication event by event, also a plain chain "
                          "(the results are the same bytes; for checking, and slower)."),
        click.option("--sample-every", type=POSITIVE, default=None,
                     help="Time between timeseries samples, in the scenario's time unit "
                          "(default: 1, coarser for horizons over 100,000 units)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@contextlib.contextmanager
def progress(replications: int, lang: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over replications on stderr; silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield lambda _rep: None
        return
    label = "simuleren" if lang == "nl" else "simulating"
    with click.progressbar(length=replications, label=label, file=sys.stderr) as bar:
        yield lambda _rep: bar.update(1)
