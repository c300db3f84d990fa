"""How ``ketensim check`` scales with the size of a model: steps and events.

Builds chains of 50 to 3,200 steps (a line with a feedback branch) and a
chain with 100 to 10,000 events, and times the traffic equations per period
as ``check`` computes them. Prints seconds and the growth factor per
doubling (2 means linear, 4 quadratic, 8 cubic), so a change that makes the
work grow faster than the input shows at once.

    python benchmarks/check_scaling.py
"""

from __future__ import annotations

import time
from pathlib import Path

from ketensim.scenario import traffic
from ketensim.scenario.distributions import Exponential
from ketensim.scenario.model import Arrival, Change, Event, Partner, Route, Scenario, Step


def line(n: int, events: int = 0) -> Scenario:
    steps = []
    for i in range(n):
        routes = (Route(f"s{i + 1}", 0.9), Route(f"s{max(0, i - 3)}", 0.1)) if i + 1 < n \
            else (Route("exit", 1.0),)
        steps.append(Step(f"s{i}", "p", 10, Exponential(0.5), routes))
    evs = tuple(Event(float(k + 1), (Change("arrival.in.rate", "arrival", "in", "rate",
                                            1.0 + (k % 5) / 10),)) for k in range(events))
    return Scenario("schaal", horizon=float(events + 10), partners=(Partner("p"),),
                    steps=tuple(steps), arrivals=(Arrival("in", "s0", 1.0),), events=evs)


def seconds(scenario: Scenario) -> float:
    start = time.perf_counter()
    traffic.phases(scenario)
    return time.perf_counter() - start


def table(label: str, sizes: list[int], make) -> None:  # type: ignore[no-untyped-def]
    print(f"{label:>8}  {'seconds':>8}  growth per doubling")
    before = None
    for size in sizes:
        took = seconds(make(size))
        growth = f"{took / before:6.2f}x" if before else ""
        print(f"{size:>8}  {took:8.3f}  {growth}")
        before = took


if __name__ == "__main__":
    print(f"check's traffic equations ({Path(__file__).name})")
    table("steps", [50, 100, 200, 400, 800, 1600, 3200], line)
    table("events", [1250, 2500, 5000, 10000], lambda e: line(10, e))
