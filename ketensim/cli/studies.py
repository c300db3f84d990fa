"""The commands that run several scenarios: compare, sweep and bands.

Each runs its scenarios with common random numbers through
:mod:`ketensim.studies`, writes one folder through
:mod:`ketensim.present.folder` and prints what :mod:`ketensim.present.words`
makes of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ketensim.cli.commands import (
    check_work,
    claimed_out,
    command_line,
    comparison_folder,
    load_all,
    load_file,
    sweep_grid,
)
from ketensim.cli.commands import timeseries_rows as _timeseries_rows
from ketensim.cli.options import options_of, progress, run_options, say

if TYPE_CHECKING:
    from ketensim.scenario.model import Scenario


@click.command()
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("others", nargs=-1, required=True, metavar="OTHER...",
                type=click.Path(dir_okay=False, path_type=Path))
@run_options
@click.pass_context
def compare(
    ctx: click.Context, base: Path, others: tuple[Path, ...], replications: int | None,
    seed: int | None, out: Path | None, jobs: int | None, force: bool, lang: str,
    formats: tuple[str, ...], sample_every: float | None,
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
    force: bool, lang: str, formats: tuple[str, ...], sample_every: float | None, folder_name: str,
) -> None:
    """Run prepared scenarios side by side, write the folder and print the comparison."""
    from ketensim.present.folder import utc_now, write_comparison
    from ketensim.present.words.compare import compare_summary
    from ketensim.studies.compare import Comparison, comparison_table, run_all

    check_work(scenarios, force)
    with claimed_out(out, folder_name, force, formats,
                     _timeseries_rows(scenarios, sample_every)) as (started, target):
        with progress(sum(s.replications for s in scenarios), lang) as step_done:
            results = run_all(scenarios, jobs, options_of(ctx, sample_every), step_done)
        comparison = Comparison(results, comparison_table(results))
        written = write_comparison(
            comparison, target, lang, formats=formats, command=command_line(ctx),
            started=started, finished=utc_now(), force=force, sample_every=sample_every,
        )
    for line in compare_summary(comparison, str(written), lang):
        say(line)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "sets", metavar="KEY=START:STOP:STEP", multiple=True, required=True,
              help="A key as in an event's set, and its range (both ends included); "
                   "repeat for a grid.")
@click.option("--target", metavar="NORM",
              help="A norm to meet: a norm id of the file, or e.g. lead_time<=180@0.9 or "
                   "wait:<step><=35@0.9.")
@run_options
@click.pass_context
def sweep(
    ctx: click.Context, file: Path, sets: tuple[str, ...], target: str | None,
    replications: int | None, seed: int | None, out: Path | None, jobs: int | None,
    force: bool, lang: str, formats: tuple[str, ...], sample_every: float | None,
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
          --set step.om_beoordeling.capacity=583:703:30 --target "wait:om_beoordeling<=120@0.9"
    """
    from ketensim.present.folder import utc_now, write_sweep
    from ketensim.present.words.sweep import sweep_summary_lines
    from ketensim.studies import sweep as sweeping

    base = load_file(file).with_run_options(replications=replications, seed=seed)
    base, norm, axes, points = sweep_grid(base, target, sets)
    check_work([p.scenario for p in points], force)
    with claimed_out(out, f"{base.name}-sweep", force, formats,
                     _timeseries_rows([base], sample_every) * len(points)) as (started,
                                                                                 destination):
        with progress(len(points) * base.replications, lang) as step_done:
            results = sweeping.run_all([p.scenario for p in points], jobs,
                                       options_of(ctx, sample_every),
                                       step_done)
        done = sweeping.finish(base, axes, points, results, norm)
        written = write_sweep(
            done, destination, lang, formats=formats, command=command_line(ctx), started=started,
            finished=utc_now(), force=force, sample_every=sample_every,
        )
    for line in sweep_summary_lines(done, str(written), lang):
        say(line)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@run_options
@click.pass_context
def bands(
    ctx: click.Context, file: Path, replications: int | None, seed: int | None,
    out: Path | None, jobs: int | None, force: bool, lang: str, formats: tuple[str, ...],
    sample_every: float | None,
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
