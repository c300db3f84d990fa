"""Costs of the chain, per partner, and how the partners share them.

A partner pays for the servers it keeps available (``cost_per_server`` per
server per time unit, on the partner or overriding it on one step), busy or
not, and possibly per case it handles (``cost_per_case`` on a step). The
costs cover the steady-state window ``[warmup, horizon]``, like every other
figure, so that a longer warm-up does not make a chain look dearer.

Nobody is the boss of a chain, so the bill is shared by agreement; the
``[costs]`` table names the rule (DOMAIN: equal shares, or by use):

- ``equal``: every partner pays the same part of the chain's total;
- ``use``: every partner pays in proportion to its busy server time, the work
  it actually did for the chain (a partner doing 80% of the work pays 80%).

Only partners with a cost rate on some step take part, and only those steps count as
work: time a case spends in a term that uses no staff is no work anybody pays for.

``allocated`` is what a partner pays under the rule, ``balance`` the
difference with its own costs: positive means it pays towards the others.

Server cost uses the step's available server time (its ``capacity_area``):
with a working calendar the rate is per available server time unit.
"""

from __future__ import annotations

import math
from typing import Any

from ketensim.scenario.model import Scenario

COST_COLUMNS = (
    "replication", "partner", "server_cost", "case_cost", "total", "busy_time", "share",
    "allocated", "balance", "cost_per_case",
)
CHAIN_COST_COLUMNS = ("cost_total", "cost_per_case")
SHARING = ("use", "equal")


def partner_costs(record: Any, scenario: Scenario) -> list[dict[str, Any]]:
    """Own costs and busy time of every partner in one replication, in scenario order.

    Args:
        record: the engine's ``ReplicationRecord``.
        scenario: the scenario that ran (rates, and which partner owns which step).
    """
    by_step = {sr.step: sr for sr in record.steps}
    rows = {p.id: {"server_cost": 0.0, "case_cost": 0.0, "busy_time": 0.0}
            for p in scenario.partners}
    for step in scenario.steps:
        sr = by_step[step.id]
        row = rows[step.partner]
        rate = step.server_rate(scenario.partner(step.partner))
        row["server_cost"] += sr.capacity_area * rate
        row["case_cost"] += sr.completions * (step.cost_per_case or 0.0)
        if rate or step.cost_per_case:  # a term that uses no staff does no work to share
            row["busy_time"] += sr.busy_area
    return [{"partner": pid, **row} for pid, row in rows.items()]


def paying_partners(scenario: Scenario) -> set[str]:
    """Partners with a cost rate on some step: the parties to the sharing agreement."""
    return {s.partner for s in scenario.steps
            if s.server_rate(scenario.partner(s.partner)) or s.cost_per_case}


def cost_rows(record: Any, scenario: Scenario) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The ``costs.csv`` rows of one replication, and the chain's cost columns.

    Returns:
        One row per partner (columns :data:`COST_COLUMNS`) and
        ``{"cost_total": ..., "cost_per_case": ...}`` for ``chain.csv``; the cost
        per case is per case leaving the chain in the window (NaN when none did).
    """
    own = partner_costs(record, scenario)
    total = sum(r["server_cost"] + r["case_cost"] for r in own)
    # Only partners with a cost rate share the bill: a "partner" that stands for terms
    # without staff (a summons term, a zienswijze) is no party to the agreement.
    payers = paying_partners(scenario)
    paying = [r for r in own if r["partner"] in payers] or own
    parts = dict(zip([r["partner"] for r in paying], sharing_shares(
        [r["busy_time"] for r in paying], scenario.cost_settings.sharing), strict=True))
    shares = [parts.get(r["partner"], 0.0) for r in own]
    out_cases = int(record.cases_out)
    rows = []
    for r, share in zip(own, shares, strict=True):
        mine = r["server_cost"] + r["case_cost"]
        rows.append({
            "replication": int(record.replication), "partner": r["partner"],
            "server_cost": r["server_cost"], "case_cost": r["case_cost"], "total": mine,
            "busy_time": r["busy_time"], "share": share, "allocated": share * total,
            "balance": share * total - mine, "cost_per_case": _per(mine, out_cases),
        })
    return rows, {"cost_total": total, "cost_per_case": _per(total, out_cases)}


def sharing_shares(busy: list[float], rule: str) -> list[float]:
    """Each partner's part of the bill under ``rule`` ("use" or "equal"); they sum to 1.

    With no work done at all, "use" falls back to equal parts rather than
    dividing by zero: there is nothing to tell the partners apart.
    """
    n = len(busy)
    if n == 0:
        return []
    if rule not in SHARING:
        raise ValueError(f"unknown sharing rule {rule!r} (expected one of {', '.join(SHARING)})")
    work = sum(busy)
    if rule == "equal" or work <= 0:
        return [1.0 / n] * n
    return [b / work for b in busy]


def _per(amount: float, cases: int) -> float:
    return amount / cases if cases > 0 else math.nan
