"""Scenarios compared with common random numbers: what a policy change does.

Every scenario runs with the same seed and the same replication indices.
Because the engine draws each source's and step's randomness from its own
named stream, replication ``k`` of the base and replication ``k`` of a
variant see the same arrivals and the same work wherever the chain is the
same. Their difference, taken replication by replication, is then mostly the
effect of the change and hardly any luck, so its interval is much narrower
than that of two independent runs (``stats.paired_difference``).

The comparison table holds, per scenario, every KPI with its 95% interval
and, for each variant, the paired difference to the base with its interval.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from ketensim.errors import Problem, ScenarioError
from ketensim.results import stats
from ketensim.results.replications import (
    Progress,
    RunOptions,
    effective_jobs,
    run_one,
    worker_pool,
)
from ketensim.results.rows import PARTNER_COLUMNS
from ketensim.results.tables import Results, Rows, build_results
from ketensim.scenario.model import Scenario

COMPARISON_COLUMNS = (
    "scenario", "step", "kpi", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high",
)
_NOT_KPIS = ("replication", "step", "partner")

ScenarioLike = Scenario | str | os.PathLike[str]
Key = tuple[str, str]  # (step or "", kpi)


@dataclass(eq=False)  # holds DataFrames
class Comparison:
    """Several scenarios run with common random numbers, and how they differ.

    Attributes:
        results: one Results per scenario, the base first, then as given.
        table: the ``comparison.csv`` table (columns :data:`COMPARISON_COLUMNS`).
    """

    results: list[Results]
    table: pd.DataFrame

    def __repr__(self) -> str:
        names = ", ".join(r.scenario.name for r in self.results[1:])
        return (f"<Comparison of {self.base.scenario.name} with {names or 'nothing'}: "
                f"{self.replications} replications, seed {self.seed}>")

    @property
    def base(self) -> Results:
        """The base scenario's results."""
        return self.results[0]

    @property
    def seed(self) -> int:
        return self.base.seed

    @property
    def replications(self) -> int:
        return self.base.replications

    def row(self, scenario: str, kpi: str, step: str = "") -> pd.Series:
        """One row of the table, e.g. ``row("variant", "mean_wait", "om")``."""
        t = self.table
        hit = t[(t["scenario"] == scenario) & (t["kpi"] == kpi) & (t["step"] == step)]
        if hit.empty:
            raise KeyError((scenario, step, kpi))
        return hit.iloc[0]


# -- running ----------------------------------------------------------------------------


def compare(
    base: ScenarioLike,
    others: Sequence[ScenarioLike],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run a base and its variants with common random numbers and compare them.

    Args:
        base: the reference scenario (a loaded scenario or a file path).
        others: the variants, compared to the base in this order.
        replications: replications for every scenario; None takes the base's own.
        seed: the one seed for every scenario; None takes the base's own.
        jobs: worker processes (1 runs here, None uses every CPU); no effect on results.
        options: sampling interval and fast path.
        progress: called once per finished replication of any scenario.

    Raises:
        ScenarioError: for an invalid file, two scenarios with one name, or
            scenarios in different time units.
    """
    scenarios = prepare([base, *others], replications, seed)
    results = run_all(scenarios, jobs, options, progress)
    return Comparison(results, comparison_table(results))


def bands(
    scenario: ScenarioLike,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run a scenario as it is and with each of its inflow bands, compared with common randomness.

    The bands of a prognosis (the MPP's minimum and maximum, say) are the
    scenario with every arrival rate times the band's factor; each is named
    ``<scenario>-<band>``. Arguments as for :func:`compare`.

    Raises:
        ScenarioError: when the file is invalid or has no ``[[band]]``.
    """
    base = band_scenarios(scenario)
    return compare(base[0], base[1:], replications, seed, jobs, options, progress)


def band_scenarios(scenario: ScenarioLike) -> list[Scenario]:
    """The scenario itself, then one variant per ``[[band]]``, in file order.

    Raises:
        ScenarioError: when the scenario has no bands.
    """
    from ketensim.scenario.loader import load

    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    if not sc.bands:
        raise ScenarioError.single(sc.source or sc.name, "band", "the file has no inflow bands",
                                   '[[band]] tables, e.g. { name = "laag", factor = 0.66 }',
                                   "<none>")
    return [sc, *(replace(sc.scaled_inflow(b.factor, f"{sc.name}-{b.name}"),
                          title=f"{sc.label}: {b.name} (x{b.factor:g})") for b in sc.bands)]


def prepare(
    items: Sequence[ScenarioLike], replications: int | None, seed: int | None
) -> list[Scenario]:
    """Load the scenarios and give them all the base's (or the given) seed and replications.

    Raises:
        ScenarioError: when the scenarios cannot be compared (see :func:`check_comparable`).
    """
    from ketensim.scenario.loader import load

    loaded = [s if isinstance(s, Scenario) else load(s) for s in items]
    base = loaded[0].with_run_options(replications=replications, seed=seed)
    same = [s.with_run_options(base.replications, base.seed) for s in loaded]
    check_comparable(same)
    return same


def check_comparable(scenarios: Sequence[Scenario]) -> None:
    """Scenarios compared side by side need distinct names and one time unit.

    The name is the folder each scenario's results go to; a difference in
    days between a scenario in days and one in weeks would be meaningless.

    Raises:
        ScenarioError: with one problem per scenario that does not fit.
    """
    problems = []
    seen: dict[str, str] = {}
    unit = scenarios[0].time_unit
    for sc in scenarios:
        file = sc.source or sc.name
        if sc.name in seen:
            problems.append(Problem(
                file, "scenario.name", f"the same name as {seen[sc.name]}",
                "a name of its own for each scenario (it names its results folder)",
                f'"{sc.name}"'))
        seen.setdefault(sc.name, file)
        if sc.time_unit != unit:
            problems.append(Problem(
                file, "scenario.time_unit", "differs from the base scenario's",
                f'"{unit}", as in {scenarios[0].source or scenarios[0].name}',
                f'"{sc.time_unit}"'))
    if problems:
        raise ScenarioError(problems)


def run_all(
    scenarios: Sequence[Scenario],
    jobs: int | None = 1,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> list[Results]:
    """Run every replication of every scenario, in one pool of workers.

    One pool for all (scenario, replication) pairs keeps every worker busy
    until the last replication, however the work is spread over scenarios.
    Answers are put back by scenario and replication, never in finishing order.
    """
    tasks = [(i, rep) for i, sc in enumerate(scenarios) for rep in range(sc.replications)]
    if not tasks:
        return []
    workers = effective_jobs(jobs, len(tasks))
    slots: dict[tuple[int, int], Rows] = {}
    if workers == 1:
        for i, rep in tasks:
            slots[(i, rep)] = run_one(scenarios[i], rep, scenarios[i].seed, options)
            _tick(progress, rep)
    else:
        slots = _in_pool(scenarios, tasks, workers, options, progress)
    return [
        build_results(sc, [slots[(i, rep)] for rep in range(sc.replications)], sc.seed,
                      sc.replications)
        for i, sc in enumerate(scenarios)
    ]


def _in_pool(
    scenarios: Sequence[Scenario], tasks: list[tuple[int, int]], workers: int,
    options: RunOptions | None, progress: Progress | None,
) -> dict[tuple[int, int], Rows]:
    slots: dict[tuple[int, int], Rows] = {}
    with worker_pool(workers) as pool:
        futures = {
            pool.submit(run_one, scenarios[i], rep, scenarios[i].seed, options): (i, rep)
            for i, rep in tasks
        }
        try:
            for future in as_completed(futures):
                slots[futures[future]] = future.result()
                _tick(progress, futures[future][1])
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return slots


def _tick(progress: Callable[[int], None] | None, rep: int) -> None:
    if progress is not None:
        progress(rep)


# -- the comparison table ---------------------------------------------------------------


def kpi_values(results: Results) -> dict[Key, np.ndarray]:
    """Every KPI of one run as one value per replication, in the table's order.

    Per step (scenario order) every numeric column of ``steps.csv``; then the
    chain's columns with an empty step, ``throughput`` (cases out per time
    unit in the window), ``outcome:<name>`` (cases leaving with that outcome),
    ``norm:<id>`` (share of cases within the norm) and ``cost:<partner>``
    (the partner's own costs) when the scenario has them, and per partner
    ``partner:<id>:<kpi>`` for each column of ``partners.csv``.
    """
    out: dict[Key, np.ndarray] = {}
    steps = results.steps
    step_kpis = [c for c in steps.columns if c not in _NOT_KPIS and is_numeric_dtype(steps[c])]
    for sid in results.scenario.step_ids:
        rows = steps[steps["step"] == sid]
        for kpi in step_kpis:
            out[(sid, kpi)] = rows[kpi].to_numpy(dtype=float)
    chain = results.chain
    for kpi in chain.columns:
        if kpi != "replication" and is_numeric_dtype(chain[kpi]):
            out[("", kpi)] = chain[kpi].to_numpy(dtype=float)
    out[("", "throughput")] = results.throughput()
    out.update(_grouped(results.outcomes, "outcome", "cases", "outcome", results.replications))
    for norm in results.scenario.norms:
        out[("", f"norm:{norm.id}")] = results.norm_shares(norm.id)
    if results.costs is not None and not results.costs.empty:
        out.update(_grouped(results.costs, "partner", "total", "cost", results.replications))
    out.update(_partner_values(results))
    return out


def _partner_values(results: Results) -> dict[Key, np.ndarray]:
    """``partner:<id>:<kpi>`` for every column of ``partners.csv``: the unit of account."""
    table = results.partners
    if table is None or table.empty:
        return {}
    out = {}
    for p in results.scenario.partners:
        rows = table[table["partner"] == p.id].sort_values("replication")
        if rows.empty:
            continue
        for kpi in PARTNER_COLUMNS[2:]:
            out[("", f"partner:{p.id}:{kpi}")] = rows[kpi].to_numpy(dtype=float)
    return out


def _grouped(frame: pd.DataFrame, by: str, value: str, prefix: str, reps: int
             ) -> dict[Key, np.ndarray]:
    """``prefix:<name>`` -> values per replication (0 where a replication lacks the name)."""
    out = {}
    for name in dict.fromkeys(frame[by]):
        rows = frame[frame[by] == name]
        values = np.zeros(reps)
        values[rows["replication"].to_numpy(dtype=int)] = rows[value].to_numpy(dtype=float)
        out[("", f"{prefix}:{name}")] = values
    return out


def comparison_table(results: Sequence[Results]) -> pd.DataFrame:
    """The ``comparison.csv`` table: every scenario's KPIs and their paired differences.

    Rows per scenario (the base first), then per step and KPI as in
    :func:`kpi_values`. ``diff``, ``diff_low`` and ``diff_high`` are the mean
    and 95% interval of (scenario - base) over paired replications; they are
    empty for the base itself and for KPIs the base does not have (a step
    only the variant has).
    """
    if not results:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    base = kpi_values(results[0])
    rows = []
    for index, res in enumerate(results):
        for (step, kpi), values in kpi_values(res).items():
            iv = stats.mean_ci(values, bounds=stats.bounds_of(kpi))
            row: dict[str, Any] = {"scenario": res.scenario.name, "step": step, "kpi": kpi,
                                   "mean": iv.mean, "ci_low": iv.low, "ci_high": iv.high}
            if index > 0 and (step, kpi) in base:
                d = stats.paired_difference(base[(step, kpi)], values)
                row.update({"diff": d.mean, "diff_low": d.low, "diff_high": d.high})
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
