"""Hand-made results tables for testing findings, pictures and reports without the engine.

The chain: politie (opsporing) -> OM (beoordeling) -> rechtbank (zitting).
An event at day 365 gives the police more capacity; from day 380 the court's
backlog grows by 5 cases a day, the other backlogs stay flat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ketensim.scenario.distributions import Exponential, LogNormal
from ketensim.scenario.model import Arrival, Change, Event, Partner, Route, Scenario, Step

HORIZON = 730
WARMUP = 180
GROWTH_START = 380
GROWTH_RATE = 5.0


@dataclass
class FakeResults:
    """Duck-typed stand-in for ``ketensim.results.Results``."""

    scenario: Scenario
    seed: int
    replications: int
    steps: pd.DataFrame
    chain: pd.DataFrame
    outcomes: pd.DataFrame
    timeseries: pd.DataFrame


def chain_scenario(name: str = "synthetisch", court_capacity: int = 10) -> Scenario:
    """A three-partner criminal chain with one intervention."""
    partners = (
        Partner("politie", "Politie"),
        Partner("om", "Openbaar Ministerie"),
        Partner("rechtspraak", "Rechtspraak"),
    )
    steps = (
        Step("opsporing", "politie", 40, Exponential(4.0), (Route("beoordeling", 1.0),),
             name="Opsporing"),
        Step("beoordeling", "om", 12, Exponential(1.0),
             (Route("zitting", 0.5), Route("exit", 0.5, outcome="sepot")), name="Beoordeling"),
        Step("zitting", "rechtspraak", court_capacity, LogNormal(1.8, 0.5),
             (Route("exit", 1.0, outcome="vonnis"),), name="Zitting rechtbank"),
    )
    change = Change("step.opsporing.capacity", "step", "opsporing", "capacity", 60)
    return Scenario(
        name=name, title="Politie levert meer (synthetisch)",
        description="Meer rechercheurs vanaf dag 365; de rechtbank houdt het niet bij.",
        horizon=HORIZON, warmup=WARMUP, partners=partners, steps=steps,
        arrivals=(Arrival("instroom", "opsporing", 9.0),),
        events=(Event(365, (change,), label="meer rechercheurs"),),
        replications=3, seed=7,
    )


def _queue_curves() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    return {
        "opsporing": lambda t: 30 - 20 * (t >= 365),
        "beoordeling": lambda t: 8 + 0 * t,
        "zitting": lambda t: 15 + GROWTH_RATE * np.maximum(0, t - GROWTH_START),
    }


def timeseries(replications: int = 3, seed: int = 1, flat: bool = False,
               noise: float = 3.0) -> pd.DataFrame:
    """Per replication, step and day: queue and cases in service."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, HORIZON + 1, dtype=float)
    caps = {"opsporing": 40, "beoordeling": 12, "zitting": 10}
    frames = []
    for step, curve in _queue_curves().items():
        base = np.full_like(t, 15.0) if flat else curve(t)
        for r in range(replications):
            queue = np.maximum(0, np.round(base + rng.normal(0, noise, len(t))))
            busy = np.minimum(caps[step], np.round(caps[step] * rng.uniform(0.6, 1.0, len(t))))
            left = np.round(caps[step] * 0.8 * t)  # cumulative: stock = arrived - left
            frames.append(pd.DataFrame({"replication": r, "step": step, "t": t,
                                        "queue": queue, "in_service": busy,
                                        "arrived": left + queue + busy, "left": left}))
    return pd.concat(frames, ignore_index=True).sort_values(["replication", "step", "t"],
                                                            ignore_index=True)


def steps_table(replications: int = 3, seed: int = 2) -> pd.DataFrame:
    """Per replication and step; the court receives fewer cases than offered."""
    rng = np.random.default_rng(seed)
    rows = []
    spec = {  # step: partner, arrivals, mean wait, utilisation
        "opsporing": ("politie", 4900, 2.0, 0.78),
        "beoordeling": ("om", 4800, 0.6, 0.93),
        "zitting": ("rechtspraak", 2400, 60.0, 0.99),
    }
    for r in range(replications):
        for step, (partner, arrivals, wait, util) in spec.items():
            a = int(arrivals * rng.uniform(0.97, 1.03))
            w = wait * rng.uniform(0.8, 1.2)
            rows.append({
                "replication": r, "step": step, "partner": partner, "arrivals": a,
                "completions": int(a * 0.98), "mean_wait": w, "p90_wait": 2.3 * w,
                "mean_queue": 9 * w, "max_queue": int(30 * w), "utilization": util,
                "queue_at_end": int(12 * w),
            })
    return pd.DataFrame(rows)


def chain_table(replications: int = 3, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mean = 80 + rng.normal(0, 4, replications)
    return pd.DataFrame({
        "replication": np.arange(replications), "cases_in": 4900, "cases_out": 4100,
        "mean_lead_time": mean, "p50_lead_time": mean * 0.8, "p90_lead_time": mean * 2.1,
        "wip_at_end": 1900 + rng.integers(0, 50, replications),
    })


def outcomes_table(replications: int = 3) -> pd.DataFrame:
    rows = []
    for r in range(replications):
        rows += [{"replication": r, "outcome": "sepot", "cases": 2400 + r},
                 {"replication": r, "outcome": "vonnis", "cases": 1700 - r}]
    return pd.DataFrame(rows)


def results(replications: int = 3, flat: bool = False, name: str = "synthetisch",
            seed: int = 1) -> FakeResults:
    """A complete fake run."""
    return FakeResults(
        scenario=chain_scenario(name), seed=7, replications=replications,
        steps=steps_table(replications, seed + 1), chain=chain_table(replications, seed + 2),
        outcomes=outcomes_table(replications),
        timeseries=timeseries(replications, seed, flat=flat),
    )
