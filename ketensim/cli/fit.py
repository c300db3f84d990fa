"""``ketensim fit``: a scenario from an event log, or from published stocks and flows.

``ketensim fit LOG`` reads a partner's event log (:mod:`ketensim.studies.logfit`);
``ketensim fit --aggregates TABLE`` a table of published figures
(:mod:`ketensim.studies.aggregates`). Either way the scenario is derived,
checked to load, optionally validated over the same period, and only then
put in place: a bad input or a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import click

from ketensim.cli.options import LANG_CHOICES, say
from ketensim.errors import ScenarioError

LOG_COLUMNS = ("case", "activity", "start", "end", "enable", "partner", "case_type", "outcome",
               "resource")


def _column_options(fn):  # type: ignore[no-untyped-def]
    for role in reversed(LOG_COLUMNS):
        flag = "--" + role.replace("_", "-")
        fn = click.option(flag, f"col_{role}", metavar="COL",
                          help=f"The log's column with the {role.replace('_', ' ')} "
                               "(default: as in events.csv).")(fn)
    return fn


@click.command()
@click.argument("log", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--aggregates", "table",
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
@click.option("--from", "from_", metavar="DATE",
              help="With LOG: the period starts here (a date, or a number for a log in "
                   "numbers); the cases open then are the werkvoorraad at the start.")
@_column_options
def fit(log: Path | None, table: Path | None, out: Path, report: Path | None, name: str | None,
        time_unit: str, replications: int, seed: int, lang: str, from_: str | None,
        **columns: str | None) -> None:
    """Derive a scenario from an event log (LOG) or published figures (--aggregates).

    From LOG (CSV, Parquet or XES; one row per visit of a case to an
    activity, with start and end): steps from activities, arrival rates per
    entry step and case type, routes with exits and rework, handling-time
    distributions chosen by likelihood, capacity from resources or the
    observed concurrency, office hours, and with --from the cases open at
    that date as werkvoorraad. Every value carries a comment saying what it
    was fitted from. With --report the scenario runs over the log's period and
    DIR/fit.csv and DIR/fit.html set the log beside the model.

    From --aggregates TABLE:

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
    if (log is None) == (table is None):
        raise ScenarioError.single("fit", "LOG", "give an event log or --aggregates, not both",
                                   "LOG or --aggregates TABLE",
                                   "both" if log is not None else "neither")
    if log is not None:
        from ketensim.cli.logfit import fit_from_log

        picked = {role: str(columns[f"col_{role}"]) for role in LOG_COLUMNS
                  if columns.get(f"col_{role}")}
        lines = fit_from_log(log, out, report, name or _slug(out.stem), time_unit, from_,
                             picked, replications, seed, lang)
        for line in lines:
            say(line)
        return
    assert table is not None
    log_only = [f"--{k.removeprefix('col_').replace('_', '-')}" for k, v in columns.items() if v]
    if from_ is not None or log_only:
        raise ScenarioError.single("fit", (log_only or ["--from"])[0], "reads an event log",
                                   "LOG with this option, or --aggregates without it",
                                   "--aggregates")
    _fit_aggregates(table, out, report, name, time_unit, replications, seed, lang)


def _fit_aggregates(table: Path, out: Path, report: Path | None, name: str | None,
                    time_unit: str, replications: int, seed: int, lang: str) -> None:
    import ketensim
    from ketensim.cli.logfit import check_targets
    from ketensim.present.words.fit import backtest_lines, fit_lines
    from ketensim.studies import aggregates

    figures = aggregates.read_table(table)
    scenario_name = name or _slug(out.stem)
    check_targets(out, report, scenario_name)
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
