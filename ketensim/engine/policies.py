"""Ketenregie as rules the chain follows while it runs.

The three levels seen in practice map onto these rules: each partner on its
own is no rule at all; afstemming and samenwerking are ``follow_inflow`` with
a long or a short reaction lag; a chain that steers as a whole caps its work
in progress (``wip_cap``, handled where cases enter) or moves a flexible pool
of staff to wherever the backlog is largest (``flex_pool``).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simpy.events import Event, Timeout

from ketensim.scenario.model import Policy

if TYPE_CHECKING:
    from ketensim.engine.core import Chain
    from ketensim.engine.station import Station


def start_policies(chain: Chain) -> None:
    for policy in chain.scenario.policies:
        if policy.kind == "follow_inflow":
            chain.env.process(_follow_inflow(chain, policy))
        elif policy.kind == "flex_pool":
            chain.env.process(_flex_pool(chain, policy))


def _follow_inflow(chain: Chain, policy: Policy) -> Generator[Event, Any, None]:
    """Each period: measure inflow, decide the capacity it needs, get it after the lag."""
    env = chain.env
    station = chain.stations[policy.step]  # type: ignore[index]
    seen = 0
    while True:
        yield env.timeout(policy.every)
        total = station.arrivals_before + station.arrivals
        inflow = (total - seen) / policy.every
        seen = total
        mean = station.service._dist.mean  # type: ignore[union-attr]
        need = math.ceil(inflow * mean / policy.target - 1e-9)
        need = max(policy.minimum, need)
        if policy.budget is not None:
            need = min(policy.budget, need)
        if policy.lag > 0:
            def set_later(e: Event, s: Station = station) -> None:
                s.set_capacity(e._value)

            Timeout(env, policy.lag, need).callbacks.append(set_later)
        elif need != station.nominal:
            station.set_capacity(need)


def _flex_pool(chain: Chain, policy: Policy) -> Generator[Event, Any, None]:
    """Each period the flexible staff go to the step with the longest queue."""
    env = chain.env
    stations = [chain.stations[s] for s in policy.steps]
    current = None
    while True:
        longest = max(stations, key=lambda s: s.nq)
        if longest.nq and (current is None or longest.nq > current.nq):
            if current is not None:
                current.set_flex(current.flex - policy.servers)
            longest.set_flex(longest.flex + policy.servers)
            current = longest
        yield env.timeout(policy.every)
