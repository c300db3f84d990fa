"""Harm that is no growing pile: losses, blocking, diversion, long waits, and what partners hold.

A queue can look tame and still hurt. Cases that give up, expire or are
dismissed keep a queue short (``blijft rond 20 doordat 30% wordt
geseponeerd``); servers held by cases that cannot move on do no work;
an ambulance that drives on or a case turned away is harm to a person; and
a queue that stays level at 2,000 waiting is a long wait, not a healthy
step. Each is measured here from the tables, as means over replications
with their 95% intervals, so the verdict can name it with its size. Pure pandas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ketensim.results.stats import Interval, bounds_of, mean_ci

LOSS_KPIS = ("dismissed", "reneged", "rejected", "diverted")  # ways a case leaves a queue unserved
HARM_KPIS = ("mean_blocked", "diverted", "rejected")  # harm named even when no pile grows
BLOCKED_SHARE = 0.02  # servers held blocked: news from this share of the capacity ...
BLOCKED_MIN = 0.05  # ... and at least this many servers on average
LOST_SHARE = 0.01  # cases diverted or turned away: news from this share of the arrivals
PLATEAU_LEVEL = 10.0  # a level queue is news from this many waiting ...
PLATEAU_WAIT = 1.0  # ... who wait at least this many times the work a case takes there,
PLATEAU_LEAD = 0.25  # ... or this share of the chain's mean lead time
MOST_PLATEAUS = 3  # the longest waits only: a verdict is no table


@dataclass(frozen=True)
class Losses:
    """Cases that left a step's queue without being handled, per replication in the window.

    Attributes:
        cases: all such cases (mean per replication).
        share: their share of the cases that arrived at the step.
        by: (mechanism, cases) for each mechanism that lost cases, most first:
            ``dismissed``, ``reneged``, ``rejected`` or ``diverted``.
    """

    cases: float
    share: float
    by: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Damage:
    """Harm at one step that is no growing pile.

    Attributes:
        kind: ``mean_blocked`` (servers held by cases that cannot move on),
            ``diverted`` or ``rejected`` (cases sent elsewhere or turned away).
        step: where it happens.
        size: servers (blocking) or cases per replication, with its interval.
        share: of the step's capacity (blocking) or of its arrivals.
        where: the step the cases go to (diverted), or the full steps that hold them (blocking).
    """

    kind: str
    step: str
    size: Interval
    share: float
    where: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plateau:
    """A level queue whose cases wait long: no growth, but harm all the same.

    Attributes:
        step: the step.
        level: number waiting at the end.
        wait: mean wait of the cases that started in the window.
        wait_ahead: what a case arriving at the end would wait (NaN when unknown).
        work: the work one case takes there (mean service time).
    """

    step: str
    level: float
    wait: float
    wait_ahead: float
    work: float

    @property
    def longest(self) -> float:
        return max((w for w in (self.wait, self.wait_ahead) if math.isfinite(w)), default=0.0)


@dataclass(frozen=True)
class PartnerFigures:
    """What one partner holds and does, over replications (``partners.csv``)."""

    partner: str
    stock_at_end: Interval
    mean_stock: Interval
    throughput: Interval  # visits completed per time unit
    mean_time: Interval
    utilization: Interval


def _column(rows: pd.DataFrame, column: str) -> np.ndarray:
    if column not in rows:
        return np.zeros(len(rows))
    return pd.to_numeric(rows[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)


def losses_at(steps: pd.DataFrame, step_id: str) -> Losses | None:
    """Cases lost at a step (dismissed, expired, turned away, diverted); None when none."""
    rows = steps[steps["step"] == step_id]
    if rows.empty:
        return None
    by = [(kpi, float(_column(rows, kpi).mean())) for kpi in LOSS_KPIS]
    by = sorted([(k, v) for k, v in by if v > 0], key=lambda kv: -kv[1])
    if not by:
        return None
    lost = sum(v for _, v in by)
    arrived = float(_column(rows, "arrivals").mean())
    return Losses(lost, lost / arrived if arrived > 0 else 0.0, tuple(by))


def damage_of(results: Any) -> tuple[Damage, ...]:
    """Blocking, diversion and rejection wherever they reach a size worth naming."""
    sc = results.scenario
    steps = results.steps
    out = []
    for step in sc.steps:
        rows = steps[steps["step"] == step.id]
        if rows.empty:
            continue
        arrived = float(_column(rows, "arrivals").mean())
        for kpi in HARM_KPIS:
            values = _column(rows, kpi)
            size = mean_ci(values, bounds=bounds_of(kpi))
            if not size.n or size.mean <= 0:
                continue
            if kpi == "mean_blocked":
                share = size.mean / step.capacity if step.capacity else 1.0
                if size.mean < BLOCKED_MIN or share < BLOCKED_SHARE:
                    continue
                where = tuple(t for t in _next_steps(sc, step.id) if _blocks(sc, t))
            else:
                share = size.mean / arrived if arrived > 0 else 0.0
                if share < LOST_SHARE:
                    continue
                limit = step.queue_limit
                where = (limit.divert_to,) if kpi == "diverted" and limit is not None \
                    and limit.divert_to else ()
            out.append(Damage(kpi, step.id, size, share, where))
    return tuple(out)


def _next_steps(scenario: Any, step_id: str) -> list[str]:
    step = scenario.step(step_id)
    return [r.to for r in step.routes if not r.is_exit]


def _blocks(scenario: Any, step_id: str) -> bool:
    limit = scenario.step(step_id).queue_limit
    return limit is not None and limit.policy == "block"


def work_of(step: Any) -> float:
    """The mean time one case takes at a step (a session's share with sessions)."""
    if step.sessions is not None:
        plan = step.sessions
        return max(plan.every, plan.duration.mean) / plan.size
    return float(step.service.mean)


def plateaus_of(results: Any, queues: tuple[Any, ...]) -> tuple[Plateau, ...]:
    """Level queues whose cases wait long, longest wait first: longer than the work itself,
    or a good part of the chain's lead time."""
    steps = results.steps
    chain = results.chain
    lead = float(pd.to_numeric(chain["mean_lead_time"], errors="coerce").mean()) \
        if "mean_lead_time" in chain and len(chain) else math.nan
    out = []
    for finding in queues:
        if finding.kind != "step" or finding.status in ("growing", "settled"):
            continue
        rows = steps[steps["step"] == finding.queue]
        level = finding.reading.level_end
        if rows.empty or level < PLATEAU_LEVEL:
            continue
        wait = float(pd.to_numeric(rows["mean_wait"], errors="coerce").mean())
        ahead = float(pd.to_numeric(rows.get("wait_ahead_at_end", pd.Series(dtype=float)),
                                    errors="coerce").mean())
        work = work_of(results.scenario.step(finding.queue))
        plateau = Plateau(finding.queue, level, wait, ahead, work)
        long_work = work > 0 and plateau.longest >= PLATEAU_WAIT * work
        long_lead = math.isfinite(lead) and lead > 0 and plateau.longest >= PLATEAU_LEAD * lead
        if long_work or long_lead:
            out.append(plateau)
    out.sort(key=lambda p: -p.longest)
    return tuple(out[:MOST_PLATEAUS])


def partner_figures(results: Any) -> tuple[PartnerFigures, ...]:
    """Per partner: stock at the end and on average, throughput, time with it, utilisation."""
    table = getattr(results, "partners", None)
    if table is None or table.empty:
        return ()
    window = results.scenario.horizon - results.scenario.warmup
    out = []
    for partner in results.scenario.partners:
        rows = table[table["partner"] == partner.id]
        if rows.empty:
            continue

        def ci(column: str, scale: float = 1.0, rows: pd.DataFrame = rows) -> Interval:
            values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float) * scale
            return mean_ci(values, bounds=bounds_of(column))

        out.append(PartnerFigures(
            partner.id, ci("stock_at_end"), ci("mean_stock"),
            ci("completions", 1 / window if window > 0 else math.nan), ci("mean_time"),
            ci("utilization")))
    return tuple(out)


def wait_now_differs(steps: pd.DataFrame) -> bool:
    """True when, at some step, a case arriving at the end faces a materially longer wait
    than the mean measured wait (at least one time unit and half as long again)."""
    if "wait_ahead_at_end" not in steps.columns or steps.empty:
        return False
    means = steps.groupby("step", sort=False)[["wait_ahead_at_end", "mean_wait"]].mean()
    ahead, wait = means["wait_ahead_at_end"], means["mean_wait"]
    return bool(((ahead - wait) >= (0.5 * wait).clip(lower=1.0)).fillna(False).any())
