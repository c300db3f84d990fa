"""Checks of single values in a scenario file, each reporting at its key path.

The schema walks the tables; this module knows what one value must look like
(a number in a range, an integer, a string, a table with known keys, a
distribution, a list of routes). Every check records what is wrong and goes
on, returning ``None`` for a value it could not accept, so that one run over a
file lists every mistake in it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any

from ketensim.errors import has_control, printable, type_name
from ketensim.scenario import distributions
from ketensim.scenario.distributions import Distribution, DistributionSpecError
from ketensim.scenario.schema.context import (
    MISSING,
    SUM_TOLERANCE,
    Ctx,
    Text,
    key_part,
    one_of,
    spell,
    unknown,
)
from ketensim.scenario.schema.files import (
    MAX_FILE_BYTES,
    csv_rows,
    inside_folder,
    read_column,
    regular_file_problem,
    to_float,
)

__all__ = [
    "MAX_FILE_BYTES", "MISSING", "SUM_TOLERANCE", "Ctx", "Text", "csv_rows", "inside_folder",
    "key_part", "one_of", "read_column", "regular_file_problem", "to_float", "unknown",
]


# -- tables ---------------------------------------------------------------------


def table(ctx: Ctx, value: Any, required: Collection[str], optional: Collection[str]) -> bool:
    """Check that ``value`` is a table with all ``required`` keys and no unknown ones.

    Returns whether it is a table at all, so the caller knows whether to look inside.
    """
    if not isinstance(value, dict):
        ctx.fail("must be a table", "a table { ... }", Text(_kind(value)))
        return False
    allowed = [*required, *optional]
    for name in value:
        if name not in allowed:
            ctx.at(name).fail(unknown("unknown key", name, allowed), one_of(allowed),
                              Text(key_part(name)))
    for name in required:
        if name not in value:
            ctx.at(name).fail("missing required key", "a value", None)
    return True


def _kind(value: Any) -> str:
    return f"{type_name(value)} {spell(value)}"


# -- scalars --------------------------------------------------------------------


def number(
    ctx: Ctx,
    value: Any,
    low: float | None = None,
    *,
    above: bool = False,
    high: float | None = None,
    below: bool = False,
) -> float | None:
    """A finite number (a TOML integer is fine, a boolean is not) within the given bounds.

    ``above`` makes ``low`` exclusive (a horizon must be > 0, a rate may be 0);
    ``below`` makes ``high`` exclusive (a share sent back must stay under 1).
    """
    expected = _range_text("a number", low, above, high, below)
    if isinstance(value, bool) or not isinstance(value, int | float):
        ctx.fail("must be a number", expected, value)
        return None
    if not math.isfinite(value):
        ctx.fail("must be finite", expected, value)
        return None
    if low is not None and (value <= low if above else value < low):
        ctx.fail(f"must be {'>' if above else '>='} {low:g}", expected, value)
        return None
    if high is not None and (value >= high if below else value > high):
        ctx.fail(f"must be {'<' if below else '<='} {high:g}", expected, value)
        return None
    return float(value)


def integer(ctx: Ctx, value: Any, low: int | None = None) -> int | None:
    """An integer of at least ``low``; ``40.0`` is refused, as TOML says what it means."""
    expected = "an integer" if low is None else f"an integer >= {low}"
    if isinstance(value, bool) or not isinstance(value, int):
        ctx.fail("must be an integer", expected, value)
        return None
    if low is not None and value < low:
        ctx.fail(f"must be >= {low}", expected, value)
        return None
    return value


def text(ctx: Ctx, value: Any, expected: str = "a non-empty string") -> str | None:
    """A non-empty string."""
    if not isinstance(value, str):
        ctx.fail("must be a string", expected, value)
        return None
    if not value.strip():
        ctx.fail("must not be empty", expected, value)
        return None
    return value


def label(ctx: Ctx, value: Any, expected: str = "a non-empty string") -> str | None:
    """A name that ends up in tables and terminals (an id, an outcome, a case type).

    Control characters are refused: in a terminal they could clear the screen
    or hide text, and in a CSV file they break the line a row is on.
    """
    found = text(ctx, value, expected)
    if found is not None and has_control(found):
        ctx.fail("contains a control character", f"{expected} of printable characters",
                 Text(printable(repr(found))))
        return None
    return found


def _range_text(what: str, low: float | None, above: bool, high: float | None,
                below: bool = False) -> str:
    if low is not None and high is not None:
        return f"{what} in {'(' if above else '['}{low:g}, {high:g}{')' if below else ']'}"
    if low is not None:
        return f"{what} {'>' if above else '>='} {low:g}"
    if high is not None:
        return f"{what} {'<' if below else '<='} {high:g}"
    return what


def get(ctx: Ctx, data: dict[str, Any], key: str, check: Callable[[Ctx, Any], Any],
        default: Any = None) -> Any:
    """Check ``data[key]`` at its own key path, or give ``default`` when the key is absent."""
    value = data.get(key, MISSING)
    return default if value is MISSING else check(ctx.at(key), value)


def reference(what: str, known: Collection[str]) -> Callable[[Ctx, Any], str | None]:
    """A check that a value names one of ``known`` (a step id, a calendar id, ...)."""
    def check(ctx: Ctx, value: Any) -> str | None:
        if not isinstance(value, str) or value not in known:
            ctx.fail(unknown(f"no {what} with this id", value, known), one_of(known), value)
            return None
        return value

    return check


# -- distributions --------------------------------------------------------------


def distribution(ctx: Ctx, value: Any) -> Distribution | None:
    """A duration distribution written as ``{ dist = "...", <parameters> }``.

    An empirical distribution may name a CSV ``file`` and ``column`` instead of
    ``values``; the file is read here, relative to the file that declares it.
    """
    if not isinstance(value, dict):
        ctx.fail("must be a table", '{ dist = "exponential", mean = ... }', Text(_kind(value)))
        return None
    kind = value.get("dist", MISSING)
    if kind is MISSING:
        ctx.at("dist").fail("missing required key", one_of(distributions.KINDS), None)
        return None
    if not isinstance(kind, str) or kind not in distributions.KINDS:
        ctx.at("dist").fail("unknown distribution", one_of(distributions.KINDS), kind)
        return None
    params: dict[str, Any] | None = {k: v for k, v in value.items() if k != "dist"}
    if kind == distributions.Empirical.kind:
        params = _empirical_params(ctx, params or {})
    return None if params is None else _build(ctx, kind, params, at_param=True)


def duration(ctx: Ctx, value: Any, low: float = 0.0, *, above: bool = False
             ) -> Distribution | None:
    """A time written as a plain number (always exactly that long) or as a distribution.

    Hand-over delays, maximum waits and session lengths are often known only
    as one figure; a table is there for when their spread matters. A
    distribution must have a mean within the same bound as the plain number.
    """
    if isinstance(value, dict):
        dist = distribution(ctx, value)
        if dist is not None and (dist.mean <= low if above else dist.mean < low):
            expected = _range_text("a distribution with mean", low, above, None)
            ctx.fail(f"its mean must be {'>' if above else '>='} {low:g}", expected,
                     Text(f"mean {dist.mean:g}"))
            return None
        return dist
    if isinstance(value, bool) or not isinstance(value, int | float):
        expected = _range_text("a number", low, above, None) + ' or { dist = "...", ... }'
        ctx.fail("must be a number or a distribution table", expected, value)
        return None
    seconds = number(ctx, value, low, above=above)
    return None if seconds is None else distributions.Deterministic(seconds)


def _build(
    ctx: Ctx, kind: str, params: dict[str, Any], *, at_param: bool
) -> Distribution | None:
    try:
        return distributions.build(kind, params)
    except DistributionSpecError as err:
        where = ctx.at(err.param) if at_param else ctx
        where.fail(err.problem, err.expected, err.got)
        return None


def with_parameter(ctx: Ctx, base: Distribution, param: str, value: Any) -> Distribution | None:
    """``base`` with one parameter replaced, for a key like ``step.om.service.mean``.

    A sweep over a mean then needs no full distribution table per grid point.
    """
    if isinstance(base, distributions.Empirical):
        ctx.fail("an empirical distribution has no single parameter to set", "mean, cv, low, ...",
                 Text(key_part(param)))
        return None
    if param not in base.params:
        ctx.fail(f"unknown parameter of {base.kind}", one_of(base.params), Text(key_part(param)))
        return None
    spec = base.to_dict()
    spec.pop("dist")
    spec[param] = value
    return _build(ctx, base.kind, spec, at_param=False)


def _empirical_params(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any] | None:
    from_file = "file" in params or "column" in params
    allowed = ("file", "column") if from_file else ("values",)
    ok = True
    for name in params:
        if name not in allowed:
            expected = "file and column" if from_file else "values, or file and column"
            ctx.at(name).fail("unknown key for empirical", expected, Text(key_part(name)))
            ok = False
    if not from_file:
        return params if ok else None
    for name in allowed:
        if name not in params:
            ctx.at(name).fail("missing for empirical from a file", "a string", None)
            ok = False
    if not ok:
        return None
    file = text(ctx.at("file"), params["file"])
    col = text(ctx.at("column"), params["column"])
    values = None if file is None or col is None else read_column(ctx, file, col)
    if values is None:
        return None
    return {"values": values, "source": f"{params['file']}:{params['column']}"}
