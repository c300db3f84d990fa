"""What a policy maker decides in the browser, as a variant scenario file.

The levers are the ones a ministry decides on: a partner step's capacity
and handling time, the inflow of a source (as a percentage), a step removed
from the chain (the cases that went there go where it would have sent them)
and the moment all this takes effect. The variant is a small TOML file that
``extends`` the base and replays the decision as one ``[[event]]``, so every
browser what-if can be run again with ``ketensim run`` and read by anyone.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ketensim.scenario.model import EXIT, Route, Scenario, Step

MAX_CAPACITY = 1_000_000
MAX_PERCENT = 1000.0


@dataclass
class Levers:
    """The decisions of one what-if; empty ones leave the base as it is."""

    at: float = 0.0  # when the decision takes effect, in the scenario's time unit
    capacity: dict[str, int] = field(default_factory=dict)
    service_mean: dict[str, float] = field(default_factory=dict)
    inflow_percent: dict[str, float] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)


class LeverError(ValueError):
    """A lever set to something the scenario cannot take: ``key`` says which field."""

    def __init__(self, key: str, problem: str, expected: str, got: Any):
        super().__init__(f"{key}: {problem} (expected {expected}, got {got})")
        self.key = key


def parse(form: dict[str, Any], base: Scenario) -> Levers:
    """Levers from the browser's form: ``at``, ``capacity.<step>``, ``service.<step>``,
    ``inflow.<arrival>`` (percent) and ``removed.<step>``; unchanged values are dropped."""
    levers = Levers(at=_number(form, "at", 0.0, 0.0, base.horizon))
    steps = {s.id: s for s in base.steps}
    arrivals = {a.id: a for a in base.arrivals}
    for key, value in form.items():
        kind, _, ident = key.partition(".")
        if kind == "capacity" and ident in steps:
            number = _number(form, key, None, 0, MAX_CAPACITY)
            if number != int(number):
                raise LeverError(key, "must be a whole number", "0, 1, 2, ...", value)
            if int(number) != steps[ident].capacity:
                levers.capacity[ident] = int(number)
        elif kind == "service" and ident in steps and adjustable(steps[ident]):
            mean = _number(form, key, None, 1e-9, 1e9)
            if not math.isclose(mean, steps[ident].service.mean, rel_tol=1e-9):
                levers.service_mean[ident] = mean
        elif kind == "inflow" and ident in arrivals and arrivals[ident].times is None:
            percent = _number(form, key, None, -100.0, MAX_PERCENT)
            if percent != 0:
                levers.inflow_percent[ident] = percent
        elif kind == "removed" and ident in steps and str(value).lower() in ("1", "on", "true"):
            problem = removal_problem(base, ident)
            if problem:
                raise LeverError(key, problem, "a step no source feeds directly", ident)
            levers.removed.append(ident)
    return levers


def _number(form: dict[str, Any], key: str, default: float | None, low: float,
            high: float) -> float:
    raw = form.get(key, default)
    try:
        value = float(str(raw).replace(",", ".")) if raw is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise LeverError(key, "not a number in range", f"a number from {low:g} to {high:g}",
                         json.dumps(raw) if isinstance(raw, str) else raw)
    return value


def adjustable(step: Step) -> bool:
    """Can the step's handling time be set as a mean (its distribution has one to scale)?"""
    return step.service.to_dict().get("dist") != "empirical"


def removal_problem(base: Scenario, step_id: str) -> str | None:
    """Why a step cannot be taken out of the chain, or None when it can."""
    if any(a.to == step_id for a in base.arrivals):
        return "a source sends its cases straight to this step"
    step = base.step(step_id)
    if step.types or any(r.reenter is not None for r in step.effective_routes):
        return "cases leave this step by rules of their own (case types or re-entry)"
    if any(r.to == step_id for r in step.effective_routes):
        return "the step sends cases back to itself"
    return None


# -- the variant file --------------------------------------------------------------------


def variant_text(base: Scenario, base_file: str, levers: Levers, lang: str = "nl") -> str:
    """The variant: ``extends`` the base, one event with every decision at ``levers.at``."""
    name = variant_name(base.name)
    label = describe(base, levers, lang)
    lines = [
        "# A what-if made in ketensim serve; run it again with: ketensim run <this file>",
        "[scenario]",
        f"name = {json.dumps(name)}",
        f"title = {json.dumps((base.title or base.name) + ' - ' + label)}",
        f"extends = {json.dumps(base_file)}",
    ]
    changes = changes_of(base, levers)
    if changes:
        lines += ["", "[[event]]", f"at = {_toml(levers.at)}", f"label = {json.dumps(label)}",
                  "set = { " + ", ".join(f"{json.dumps(k)} = {_toml(v)}"
                                         for k, v in changes.items()) + " }"]
    return "\n".join(lines) + "\n"


def variant_name(base: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", f"{base}-wat-als")[:80].strip("-")


def changes_of(base: Scenario, levers: Levers) -> dict[str, Any]:
    """The event's ``set`` table: one key per changed capacity, handling time, rate, routes."""
    out: dict[str, Any] = {}
    for sid, capacity in levers.capacity.items():
        out[f"step.{sid}.capacity"] = capacity
    for sid, mean in levers.service_mean.items():
        out[f"step.{sid}.service"] = scaled(base.step(sid).service.to_dict(), mean)
    for aid, percent in levers.inflow_percent.items():
        rate = next(a for a in base.arrivals if a.id == aid).rate
        out[f"arrival.{aid}.rate"] = round(rate * (1 + percent / 100), 9)
    routes = {s.id: list(s.effective_routes) for s in base.steps}
    for gone in levers.removed:
        for sid, table in routes.items():
            if sid != gone and any(r.to == gone for r in table):
                routes[sid] = _bypass(table, routes[gone], gone)
                out[f"step.{sid}.routes"] = [_route(r) for r in routes[sid]]
        routes[gone] = []
    return out


def scaled(spec: dict[str, Any], mean: float) -> dict[str, Any]:
    """A distribution with a new mean: the same shape (cv), or its range scaled."""
    spec = dict(spec)
    if "mean" in spec:
        old = float(spec["mean"])
        spec["mean"] = mean
        if "mode" in spec:
            spec["mode"] = float(spec["mode"]) * mean / old
        return spec
    factor = mean / _mean_of(spec)
    return {k: (float(v) * factor if k in ("low", "mode", "high") else v) for k, v in spec.items()}


def _mean_of(spec: dict[str, Any]) -> float:
    values = [float(spec[k]) for k in ("low", "mode", "high") if k in spec]
    return sum(values) / len(values)


def _bypass(table: list[Route], through: list[Route], gone: str) -> list[Route]:
    """Routes to ``gone`` replaced by where ``gone`` sent its cases (shares multiplied)."""
    merged: dict[tuple[str, str | None], Route] = {}
    for route in table:
        parts = [Route(r.to, route.p * r.p, r.outcome, route.delay, route.returned)
                 for r in through] if route.to == gone else [route]
        for part in parts:
            key = (part.to, part.outcome if part.to == EXIT else None)
            if key in merged:
                old = merged[key]
                merged[key] = Route(old.to, old.p + part.p, old.outcome, old.delay, old.returned)
            else:
                merged[key] = part
    total = sum(r.p for r in merged.values())
    return [Route(r.to, r.p / total, r.outcome, r.delay, r.returned) for r in merged.values()]


def _route(route: Route) -> dict[str, Any]:
    out: dict[str, Any] = {"to": route.to, "p": round(route.p, 12)}
    if route.is_exit:
        out["outcome"] = route.exit_outcome
    if route.delay is not None:
        out["delay"] = route.delay.to_dict()
    if route.returned:
        out["returned"] = route.returned
    return out


def describe(base: Scenario, levers: Levers, lang: str = "nl") -> str:
    """The decision in a few words, for titles and the picture's event line."""
    nl = lang == "nl"
    parts = [f"{sid} {'capaciteit' if nl else 'capacity'} {n}"
             for sid, n in levers.capacity.items()]
    parts += [f"{sid} {'behandeltijd' if nl else 'handling time'} {m:g}"
              for sid, m in levers.service_mean.items()]
    parts += [f"{aid} {'instroom' if nl else 'inflow'} {p:+g}%"
              for aid, p in levers.inflow_percent.items()]
    parts += [f"{sid} {'overgeslagen' if nl else 'bypassed'}" for sid in levers.removed]
    return ", ".join(parts) or ("geen wijziging" if nl else "no change")


def _toml(value: Any) -> str:
    """A value as TOML: numbers, strings, inline tables and arrays (all the event needs)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value != int(value) or abs(value) >= 1e15 else f"{value:.1f}"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(type(value).__name__)  # pragma: no cover - the levers make no other values


__all__ = ["LeverError", "Levers", "adjustable", "changes_of", "describe", "parse",
           "removal_problem", "variant_name", "variant_text"]
