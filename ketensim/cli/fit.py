"""``ketensim fit --aggregates``: a scenario from a partner's published stocks and flows.

Reads the table, derives the scenario (:mod:`ketensim.studies.aggregates`),
checks that it loads, optionally back-tests it over the same period, and only
then puts the scenario file in place: a bad table or a failed run leaves
nothing behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import click

from ketensim.cli.options import LANG_CHOICES, say
from ketensim.errors import ScenarioError


@click.command()
@click.option("--aggregates", "table", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with one row per step: step, partner, start, end, inflow, output, "
                   "stock_start, stock_end (and optionally lead_time, staff, hours_per_case, "
                   "hours_per_staff, next, label).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The scenario file to write (a new file).")
@click.option("--report", type=click.Path(file_okay=False, path_type=Path),
              help="Also run the scenario over the period and write DIR/fit.csv: published "
                   "beside simulated (a new or empty folder).")
@click.option("--name", help="Scenario name (default: from the file name of --out).")
@click.option("--time-unit", type=click.Choice(["hour", "day", "week"]), default="day",
              show_default=True, help="The unit of the table's times and periods.")
@click.option("-n", "--replications", type=click.IntRange(min=1), default=10,
              show_default=True, help="Replications of the back-test.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Random seed of the back-test.")
@click.option("--lang", type=click.Choice(LANG_CHOICES), default="nl", show_default=True,
              help="Language of the output.")
def fit(table: Path, out: Path, report: Path | None, name: str | None, time_unit: str,
        replications: int, seed: int, lang: str) -> None:
    """Derive a scenario from published stocks and flows, and back-test it.

    A stock that grows means the step ran at capacity, so its output is its
    capacity; Little's law (stock = output x lead time) gives the time at a
    step where none is published; staff and norm hours give capacity and work
    per case directly. Every derived value is written with a comment saying
    where it came from. With --report the scenario runs over the same period
    and the published output, stock at the end and time at the step are set
    beside the simulated ones with their 95% intervals (DIR/fit.csv). A table
    that does not add up is refused, one line per problem, and nothing is
    written.

    \b
    Example (the IND's first asylum decision in 2023, see docs/modelling.md):
      ketensim fit --aggregates docs/examples/ind-2023-aggregates.csv \\
                   --out ind-2023.toml --report fit-ind-2023
    """
    import ketensim
    from ketensim.present.words.fit import backtest_lines, fit_lines
    from ketensim.studies import aggregates

    figures = aggregates.read_table(table)
    scenario_name = name or _slug(out.stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", scenario_name):
        raise ScenarioError.single("--name", "name", "is not a slug",
                                   "a-z, 0-9, _ and -, e.g. ind-2023", scenario_name)
    if out.exists():
        raise ScenarioError.single(str(out), "--out", "the file exists already",
                                   "a new file name", "<an existing file>")
    if report is not None and report.exists() and (not report.is_dir() or any(report.iterdir())):
        raise ScenarioError.single(str(report), "--report", "is not a new or empty folder",
                                   "a new or empty folder", "<an existing path>")
    derived = aggregates.derive(figures, time_unit)
    text = aggregates.scenario_text(figures, derived, scenario_name, str(table), time_unit)
    folder = out.parent if str(out.parent) else Path(".")
    handle, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # an ordinary file, as any editor would write it
        scenario = ketensim.load(tmp)
        lines = fit_lines(figures, derived, str(out), time_unit, lang)
        if report is not None:
            results = ketensim.simulate(scenario, replications=replications, seed=seed)
            frame = aggregates.backtest(results, figures)
            report.mkdir(parents=True, exist_ok=True)
            frame.to_csv(report / "fit.csv", index=False, lineterminator="\n")
            lines += backtest_lines(frame, replications, time_unit, str(report / "fit.csv"),
                                    lang)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    for line in lines:
        say(line)


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_") or "gefit"
