"""The ``[scenario]`` and ``[costs]`` tables: run settings, each key checked in its own file."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ketensim.errors import Problem
from ketensim.scenario.model import TIME_UNITS, CostSettings
from ketensim.scenario.schema import analysis as schema_analysis
from ketensim.scenario.schema import fields
from ketensim.scenario.schema.document import RawScenario
from ketensim.scenario.schema.fields import Ctx, Text, key_part, one_of, unknown

SCENARIO_REQUIRED = ("name", "horizon")
SCENARIO_OPTIONAL = ("title", "description", "time_unit", "warmup", "replications", "seed",
                     "start_date")
_SLUG = re.compile(r"[a-z0-9-]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def settings(sink: list[Problem], raw: RawScenario) -> dict[str, Any]:
    def ctx(key: str) -> Ctx:
        origin = raw.scenario[key][0] if key in raw.scenario else raw.top
        return Ctx(sink, origin.file, origin.folder, f"scenario.{key_part(key)}", origin.root)

    allowed = SCENARIO_REQUIRED + SCENARIO_OPTIONAL
    for key in raw.scenario:
        if key not in allowed:
            ctx(key).fail(unknown("unknown key", key, allowed), one_of(allowed),
                          Text(key_part(key)))
    for key in SCENARIO_REQUIRED:
        if key not in raw.scenario:
            ctx(key).fail("missing required key", "a value", None)
    checks: dict[str, Callable[[Ctx, Any], Any]] = {
        "name": _slug,
        "title": fields.text,
        "description": fields.text,
        "time_unit": _time_unit,
        "horizon": lambda c, v: fields.number(c, v, 0.0, above=True),
        "warmup": lambda c, v: fields.number(c, v, 0.0),
        "replications": lambda c, v: fields.integer(c, v, 1),
        "seed": lambda c, v: fields.integer(c, v, 0),
        "start_date": _date,
    }
    out = {}
    for key, check in checks.items():
        if key in raw.scenario and (value := check(ctx(key), raw.scenario[key][1])) is not None:
            out[key] = value
    if "warmup" in out and "horizon" in out and out["warmup"] >= out["horizon"]:
        expected = f"a number in [0, {out['horizon']:g})"
        ctx("warmup").fail("must be shorter than the horizon", expected, raw.scenario["warmup"][1])
    return out


def window(settings: dict[str, Any]) -> float | None:
    """``horizon - warmup`` when the horizon is valid (the time norms are judged over)."""
    if "horizon" not in settings:
        return None
    return settings["horizon"] - settings.get("warmup", 0.0)


def costs(sink: list[Problem], raw: RawScenario) -> CostSettings | None:
    """The ``[costs]`` settings, each key checked in the file it was written in (``extends``)."""
    if raw.costs is None:
        return None
    before = len(sink)
    settings = CostSettings()
    for key, (origin, value) in raw.costs.items():
        one = schema_analysis.costs(Ctx(sink, origin.file, origin.folder, "costs", origin.root),
                                    {key: value})
        if one is not None:
            settings = replace(settings, **{key: getattr(one, key)})
    return settings if len(sink) == before else None


def _slug(ctx: Ctx, value: Any) -> str | None:
    name = fields.text(ctx, value, "a slug of a-z, 0-9 and -")
    if name is not None and not _SLUG.fullmatch(name):
        ctx.fail("must be a slug (it names the results folder)", "a slug of a-z, 0-9 and -", name)
        return None
    return name


def _date(ctx: Ctx, value: Any) -> str | None:
    """A calendar date ``YYYY-MM-DD`` (TOML's own date type too): the moment of time 0."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    ctx.fail("not a date", "a date YYYY-MM-DD", value)
    return None


def _time_unit(ctx: Ctx, value: Any) -> str | None:
    if value not in TIME_UNITS or not isinstance(value, str):
        ctx.fail("unknown time unit", " | ".join(TIME_UNITS), value)
        return None
    return value
