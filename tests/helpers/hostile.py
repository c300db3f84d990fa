"""Hypothesis strategies for hostile scenario files: random values, types and structure.

Two kinds of file: mutations of the bundled scenarios (one leaf replaced by a
value of any type, a key deleted, an unknown key added, a list emptied or
duplicated) and documents built from scratch over the schema's own keys. The
values come from a pool that has broken real files before: NUL bytes, control
characters, newlines, matplotlib math text, huge and tiny numbers, NaN and
infinity, deep nesting, dates and times.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BUNDLED = sorted(SCENARIOS.rglob("*.toml"))

NASTY_TEXT = [
    "", " ", "\x00", "a\x00b", "x\ny", "\x1b[2J\x1b]0;pwned\x07", "$\\sqrt{$", "$x$", "%s%d",
    "=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0", "../../etc/passwd", "/etc/passwd",
    "con", "é" * 300, "\u202e", "exit", "done", "a b", "-", "0", "1e309", "NaN",
]
NASTY_NUMBERS = [0, -1, 1, 2, 10**18, -(10**18), 0.0, -0.0, 1e-300, 1e300, math.inf, -math.inf,
                 math.nan, 0.5, 23.99, 24, 25, 1e8, 3.5, -3.5]
KEYS = [
    "name", "title", "description", "time_unit", "horizon", "warmup", "replications", "seed",
    "extends", "id", "partner", "capacity", "service", "routes", "to", "p", "outcome", "rate",
    "case_type", "at", "set", "label", "dist", "mean", "cv", "low", "high", "mode", "values",
    "file", "column", "hours", "start_hour", "weekdays", "holidays", "plan", "calendar", "pool",
    "steps", "rule", "shares", "kind", "every", "lag", "target", "limit", "servers", "queue",
    "in_service", "ages", "size", "policy", "divert_to", "max_wait", "above", "share",
    "sessions", "duration", "offset", "times", "season", "schedule", "batch", "backlog",
    "queue_limit", "deadline", "dismissal", "types", "priority", "delay", "returned", "reenter",
    "failure_demand", "after", "within", "factor", "cost_per_server", "cost_per_case", "sharing",
    "start_date", "step.a.capacity", "step.a.routes", "arrival.in.rate",
]

scalars = st.one_of(
    st.sampled_from(NASTY_TEXT), st.sampled_from(NASTY_NUMBERS), st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.just(dt.date(2024, 1, 1)), st.just(dt.time(12, 0)),
    st.just(dt.datetime(2024, 1, 1, 12, 0)),
)


def values(depth: int = 3) -> st.SearchStrategy[Any]:
    if depth <= 0:
        return scalars
    inner = values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4),
    )


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _leaves(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _leaves(v, (*path, i))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _alike(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.sampled_from([0, 1, 2, value * 1000, -value, value + 1]) | st.integers(-5, 10**6)
    if isinstance(value, float):
        top = value * 100 + 1 if math.isfinite(value) and value >= 0 else 1e6  # after a nasty one
        return st.sampled_from([x for x in NASTY_NUMBERS if isinstance(x, float)]) | st.floats(
            min_value=0, max_value=top)
    if isinstance(value, str):
        return st.sampled_from(NASTY_TEXT) | st.just(value + "\n") | st.just(value)
    if isinstance(value, list):
        return st.just(value[:1]) | st.just([]) | st.just(value * 2)
    return st.just(value)


@st.composite
def mutated_bundled(draw: st.DrawFn) -> tuple[Path, dict[str, Any]]:
    """A bundled scenario with one thing changed; returns its path (for extends) and document."""
    path = draw(st.sampled_from(BUNDLED))
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(_leaves(doc)[1:] or [()]))
        if not where:
            continue
        parent, last = _get(doc, where[:-1]), where[-1]
        action = draw(st.sampled_from(["alike", "alike", "alike", "replace", "delete", "add",
                                       "empty", "double"]))
        if action == "alike":  # a value of the same kind: the file often stays valid
            parent[last] = draw(_alike(parent[last]))
        elif action == "replace":
            parent[last] = draw(values(2))
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(values(2))
        elif action == "empty" and isinstance(parent[last], list | dict):
            parent[last] = type(parent[last])()
        elif action == "double" and isinstance(parent, list):
            parent.append(parent[last])
    scenario = doc.setdefault("scenario", {})
    if isinstance(scenario, dict) and isinstance(scenario.get("horizon"), int | float):
        scenario["horizon"] = min(scenario["horizon"], 60)  # keep a run short
    return path, doc


@st.composite
def from_scratch(draw: st.DrawFn) -> dict[str, Any]:
    """A document over the schema's own tables and keys, with values of any type."""
    doc: dict[str, Any] = {"scenario": draw(st.dictionaries(st.sampled_from(KEYS), values(1),
                                                            max_size=6))}
    for table in ("partner", "step", "arrival", "event", "calendar", "pool", "policy", "band",
                  "norm"):
        if draw(st.booleans()):
            doc[table] = draw(st.lists(st.dictionaries(st.sampled_from(KEYS), values(2),
                                                       max_size=6), max_size=3))
    return doc


SMALL = """
[scenario]
name = {name}
title = {title}
time_unit = {unit}
horizon = {horizon}
warmup = {warmup}

[[partner]]
id = {partner}
name = {partner_name}
{calendar_ref}

[[step]]
id = {step}
partner = {partner}
capacity = {capacity}
service = {{ dist = {dist}, mean = {mean}, cv = {cv} }}
routes = [{{ to = "exit", p = 1, outcome = {outcome} }}]

[[arrival]]
id = "in"
to = {step}
rate = {rate}
{calendar}
[[event]]
at = {at}
set = {{ {key} = {value} }}
"""


def _toml(value: Any) -> str:
    import tomli_w

    return tomli_w.dumps({"x": value})[4:].strip()


def _mostly(draw: st.DrawFn, good: st.SearchStrategy[Any],
            nasty: st.SearchStrategy[Any]) -> Any:
    """A plausible value nine times in ten, a nasty one otherwise: so most files stay valid
    and reach the simulation and the pictures, where the nasty value does its work."""
    return draw(nasty) if draw(st.integers(0, 9)) == 0 else draw(good)


@st.composite
def small_chain(draw: st.DrawFn) -> str:
    """A one-step chain whose fields are drawn from plausible and nasty values alike."""
    texts = st.sampled_from(NASTY_TEXT) | st.text(max_size=12)
    numbers = st.sampled_from(NASTY_NUMBERS) | st.floats(0, 100) | st.integers(0, 50)
    step = _mostly(draw, st.sampled_from(["a", "om", "stap-1", "Stap A"]), texts)
    with_calendar = draw(st.booleans())
    calendar = ""
    if with_calendar:
        hours = _mostly(draw, st.sampled_from([8, 7.5, 24, 1]), numbers)
        start = _mostly(draw, st.sampled_from([8, 9.5, 0, 16, 23.75]), numbers)
        calendar = f'\n[[calendar]]\nid = "kantoor"\nhours = {_toml(hours)}\n' \
                   f"start_hour = {_toml(start)}\n"
    key = draw(st.sampled_from([f"step.{step}.capacity", f"step.{step}.routes",
                                "arrival.in.rate", f"step.{step}.service.mean"]))
    value = {"capacity": _mostly(draw, st.integers(0, 5), numbers),
             "routes": _mostly(draw, st.just([]), numbers),
             "rate": _mostly(draw, st.floats(0, 5), numbers),
             "mean": _mostly(draw, st.floats(0.01, 5), numbers)}[key.rsplit(".", 1)[1]]
    return SMALL.format(
        name=_toml(_mostly(draw, st.sampled_from(["k", "keten-1"]), texts)),
        title=_toml(draw(texts)),
        unit=_toml(_mostly(draw, st.sampled_from(["hour", "day", "week"]), texts)),
        horizon=_toml(_mostly(draw, st.sampled_from([20, 50.5, 30]), numbers)),
        warmup=_toml(_mostly(draw, st.sampled_from([0, 5, 2.5]), numbers)),
        partner=_toml("p"), partner_name=_toml(draw(texts)),
        calendar_ref='calendar = "kantoor"' if with_calendar else "",
        step=_toml(step), capacity=_toml(_mostly(draw, st.integers(1, 5), numbers)),
        dist=_toml(_mostly(draw, st.sampled_from(["exponential", "gamma", "lognormal",
                                                  "deterministic"]), texts)),
        mean=_toml(_mostly(draw, st.floats(0.01, 3), numbers)),
        cv=_toml(_mostly(draw, st.floats(0.1, 2), numbers)),
        outcome=_toml(_mostly(draw, st.sampled_from(["klaar", "sepot"]), texts)),
        rate=_toml(_mostly(draw, st.floats(0.1, 3), numbers)), calendar=calendar,
        at=_toml(_mostly(draw, st.sampled_from([5, 0, 19.5]), numbers)), key=_toml(key),
        value=_toml(value),
    )
