"""Where a finished case goes: routes as cumulative thresholds, and what happens on the way.

A route table is built once per step (and again when an event changes the
routes); a finished case takes one uniform from its step's routing stream
and walks the thresholds. The last threshold is open-ended, so rounding in
the probabilities never drops a case. A hop knows at build time whether it
is plain (straight to the next step or out) or carries a hand-over delay,
rework or re-entry, so the hot path tests one flag.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ketensim.scenario.model import Route

if TYPE_CHECKING:
    from ketensim.engine.core import Chain
    from ketensim.engine.station import Station


class Hop:
    """A route as the engine follows it: target (None = exit) and what happens on the way."""

    __slots__ = ("blocking", "delay", "outcome", "plain", "reenter", "returned", "target")

    def __init__(self, target: Station | None, outcome: int, route: Route, chain: Chain, src: str):
        self.target = target
        self.outcome = outcome
        self.delay = chain.draws(f"handover:{src}:{route.to}", route.delay) if route.delay else None
        self.returned = route.returned
        self.reenter = None
        if route.reenter is not None:
            after = chain.draws(f"reenter:{src}:{route.exit_outcome}", route.reenter.after)
            self.reenter = (route.reenter.p, route.reenter.to, after)
        # Checked on every completion, so worked out once here.
        self.plain = self.delay is None and not self.returned and self.reenter is None
        self.blocking = target is not None and target.policy == "block" and self.delay is None


def route_table(chain: Chain, routes: tuple[Route, ...], src: str) -> list[tuple[float, Hop]]:
    """Routes as cumulative thresholds; the last is open-ended so rounding drops no case."""
    table: list[tuple[float, Hop]] = []
    cum = 0.0
    for route in routes:
        cum += route.p
        if route.p <= 0:
            continue
        target = None if route.is_exit else chain.stations[route.to]
        outcome = chain.outcome_index[route.exit_outcome] if route.is_exit else -1
        table.append((cum, Hop(target, outcome, route, chain, src)))
    table[-1] = (math.inf, table[-1][1])
    return table
