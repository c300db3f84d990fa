"""Norms: beslistermijnen and duurnormen, and how often a run meets them.

A norm says that at least a ``share`` of the cases must be done ``within`` a
time: "90% of police-judge cases waits at most 35 days" or "90% of cases
leaves the chain within 180 days". Whether a chain meets one is a question
about the spread of waits, which a mean cannot answer, so the share is taken
from every case's own wait or lead time. That happens in the worker that ran
the replication: it sends back one share per norm instead of every case.

Which cases count: a share that only looked at finished cases would flatter
a chain that falls behind, because the cases stuck in it never finish and so
never count. So a lead-time norm looks at the cases entering the chain from
the warm-up up to ``horizon - within``, whose fate the horizon settles: out in
time, or not (still inside counts as late). A wait norm counts the cases
that started service after arriving in the window, plus those still waiting
at the horizon that have already waited longer than the term.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ketensim.engine.window import counted
from ketensim.errors import ScenarioError
from ketensim.scenario.model import Norm, Scenario

KINDS = ("wait", "lead_time")
NORM_COLUMNS = ("replication", "norm", "cases", "share_within", "met")
EPS = 1e-9  # a case done exactly at the term is in time, whatever the rounding
_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?"
_INLINE = re.compile(
    rf"^\s*(?P<kind>lead_time|wait\s*:\s*(?P<step>[^<\s]+))\s*<=\s*(?P<within>{_NUMBER})"
    rf"\s*@\s*(?P<share>{_NUMBER})\s*(?P<percent>%?)\s*$"
)
INLINE_FORM = '"lead_time<=180@0.9" or "wait:<step><=35@0.9"'


# -- per replication -------------------------------------------------------------------


def share_within(values: Sequence[float] | np.ndarray, within: float) -> tuple[int, float]:
    """How many cases were measured, and the share of them done within ``within``.

    Returns:
        ``(cases, share)``; the share is NaN when no case was measured, since an
        empty step neither meets nor misses a norm.
    """
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return 0, math.nan
    return int(arr.size), float(np.count_nonzero(arr <= within + EPS) / arr.size)


def lead_time_share(record: Any, within: float) -> tuple[int, float]:
    """Share of the cases entering the chain that leave it within ``within``.

    Counts the cohort that entered between the warm-up and ``horizon - within``:
    for each of those the horizon tells whether it left in time, and one still
    in the chain has certainly not. (Cases entering later cannot be judged yet.)
    Records without entry times (made by hand) fall back to the finished cases.
    """
    lead = np.asarray(record.lead_times, dtype=float)
    entered = np.asarray(getattr(record, "entered", ()), dtype=float)
    if entered.size == 0 and lead.size:
        return share_within(lead, within)
    cut = record.horizon - within + EPS
    lead_entered = np.asarray(record.lead_entered, dtype=float)
    cohort = int(np.count_nonzero(entered <= cut))
    met = int(np.count_nonzero((lead_entered <= cut) & (lead <= within + EPS)))
    return cohort, (met / cohort if cohort else math.nan)


def wait_share(step_record: Any, within: float, warmup: float, horizon: float
               ) -> tuple[int, float]:
    """Share of the cases arriving at a step that wait at most ``within``.

    Counts every case that started service in the window, plus the cases
    still waiting at the horizon that have waited longer than ``within``
    already: they certainly miss the norm, and leaving them out would make an
    overloaded step look fine.
    """
    waits = np.asarray(step_record.waits, dtype=float)
    queued = np.asarray(getattr(step_record, "queued_since", ()), dtype=float)
    overdue = int(np.count_nonzero(counted(queued, warmup) & (horizon - queued > within + EPS)))
    cases = int(waits.size) + overdue
    if cases == 0:
        return 0, math.nan
    return cases, float(np.count_nonzero(waits <= within + EPS) / cases)


def norm_rows(record: Any, scenario: Scenario) -> list[dict[str, Any]]:
    """One row per norm of the scenario for one replication (what a worker sends back).

    Args:
        record: the engine's ``ReplicationRecord``.
        scenario: the scenario that ran; its norms, in file order, give the rows.
    """
    by_step = {sr.step: sr for sr in record.steps}
    rows = []
    for norm in scenario.norms:
        if norm.kind == "lead_time":
            cases, share = lead_time_share(record, norm.within)
        else:
            cases, share = wait_share(by_step[norm.step], norm.within, record.warmup,
                                      record.horizon)
        rows.append({
            "replication": int(record.replication), "norm": norm.id, "cases": cases,
            "share_within": share, "met": bool(share >= norm.share - EPS),
        })
    return rows


# -- over replications ----------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """Whether a norm is met over the replications of a run.

    Attributes:
        in_mean: the mean share within the term reaches the norm's share.
        by_lower_bound: so does the lower end of its 95% interval: met with confidence.
    """

    in_mean: bool
    by_lower_bound: bool


def judge(mean: float, low: float, share: float) -> Judgement:
    """Judge a norm from the mean share within it and the lower end of its interval.

    A NaN (no case measured, or one replication and so no interval) never meets it.
    """
    in_mean = math.isfinite(mean) and mean >= share - EPS
    return Judgement(in_mean, in_mean and math.isfinite(low) and low >= share - EPS)


# -- naming a norm ---------------------------------------------------------------------


def parse_inline(text: str) -> Norm | None:
    """A norm written on the command line, or None when ``text`` is not one.

    ``lead_time<=180@0.9`` asks 90% of cases out of the chain within 180 time
    units; ``wait:rb_politierechter<=35@0.9`` (or ``@90%``) 90% of the cases at
    that step waiting at most 35. The norm's id is the text without spaces.
    """
    found = _INLINE.match(text)
    if found is None:
        return None
    share = float(found["share"]) / (100.0 if found["percent"] else 1.0)
    kind = "lead_time" if found["step"] is None else "wait"
    return Norm(id="".join(text.split()), kind=kind, within=float(found["within"]),
                share=share, step=found["step"])


def resolve(text: str, scenario: Scenario, file: str, option: str = "--target") -> Norm:
    """The norm a command-line option names: a norm id of the file, or an inline norm.

    Raises:
        ScenarioError: when ``text`` is neither, or an inline norm is out of range.
    """
    for norm in scenario.norms:
        if norm.id == text:
            return norm
    inline = parse_inline(text)
    ids = [n.id for n in scenario.norms]
    if inline is None:
        known = f"one of {', '.join(ids)}, or " if ids else ""
        raise ScenarioError.single(file, option, "no norm with this id, and not an inline norm",
                                   known + INLINE_FORM, text)
    if inline.kind == "wait" and inline.step not in scenario.step_ids:
        raise ScenarioError.single(file, option, "no step with this id",
                                   "one of " + ", ".join(scenario.step_ids), inline.step)
    if not 0 < inline.share <= 1:
        raise ScenarioError.single(file, option, "the share must lie in (0, 1]",
                                   "e.g. @0.9 or @90%", text)
    return inline


def with_norm(scenario: Scenario, norm: Norm) -> Scenario:
    """The scenario with ``norm`` measured too (no change when it already holds it)."""
    if any(n.id == norm.id for n in scenario.norms):
        return scenario
    return replace(scenario, norms=(*scenario.norms, norm))
