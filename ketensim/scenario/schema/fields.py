"""Checks of single values in a scenario file, each reporting at its key path.

The schema walks the tables; this module knows what one value must look like
(a number in a range, an integer, a string, a table with known keys, a
distribution, a list of routes). Every check records what is wrong and goes
on, returning ``None`` for a value it could not accept, so that one run over a
file lists every mistake in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
import stat
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ketensim.errors import Problem, show, type_name
from ketensim.scenario import distributions
from ketensim.scenario.distributions import Distribution, DistributionSpecError

MISSING: Any = object()
"""Stands for a key that the table does not hold, so ``None`` never has to."""

SUM_TOLERANCE = 1e-9
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class Text(str):
    """A ``got`` that is already spelled for the reader and must not be quoted again."""


def key_part(name: str) -> str:
    """Spell one part of a key path as TOML would, quoting it when it is not a bare key."""
    if _BARE_KEY.fullmatch(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unknown(what: str, name: Any, known: Iterable[str]) -> str:
    """``unknown key``, with ``(did you mean "capacity"?)`` when one known name is close.

    A misspelt key or id is the commonest mistake in a hand-written file; naming
    the likely intended one saves reading the whole list.
    """
    if isinstance(name, str):
        close = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.75)
        if close:
            return f'{what} (did you mean "{close[0]}"?)'
    return what


def one_of(names: Iterable[str], limit: int = 12) -> str:
    """List the allowed names for an ``expected`` text, cut short when there are many."""
    names = list(names)
    if not names:
        return "an id (but none is defined)"
    shown = ", ".join(names[:limit])
    return "one of " + shown + (", ..." if len(names) > limit else "")


@dataclass(frozen=True)
class Ctx:
    """Where a value sits: its file, the folder for its data files and its key path.

    All contexts of one validation share ``sink``, the list of problems found.
    """

    sink: list[Problem]
    file: str
    folder: Path
    path: str
    root: Path | None = None  # the top scenario's folder: no file is read from outside it

    def at(self, name: str) -> Ctx:
        """The context of key ``name`` inside this table."""
        part = key_part(name)
        return replace(self, path=f"{self.path}.{part}" if self.path else part)

    def item(self, index: int) -> Ctx:
        """The context of entry ``index`` of this array."""
        return replace(self, path=f"{self.path}[{index}]")

    def fail(self, problem: str, expected: str, got: Any) -> None:
        """Record one problem at this key."""
        self.sink.append(Problem(self.file, self.path, problem, expected, _spell(got)))

    @property
    def count(self) -> int:
        """How many problems are known so far; compare before and after a check."""
        return len(self.sink)


def _spell(value: Any) -> str:
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return show(value)


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
    return f"{type_name(value)} {_spell(value)}"


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
    values = read_column(ctx, params["file"], params["column"])
    if values is None:
        return None
    return {"values": values, "source": f"{params['file']}:{params['column']}"}


def read_column(ctx: Ctx, file: Any, column: Any) -> tuple[float, ...] | None:
    """The numbers of one column of a CSV file inside the scenario's folder tree.

    Scenario files travel between colleagues: a path that leaves the folder
    would make a file depend on the machine it was written on (or read data it
    should not), so such paths are refused.
    """
    name, col = text(ctx.at("file"), file), text(ctx.at("column"), column)
    if name is None or col is None:
        return None
    path = inside_folder(ctx.at("file"), name)
    if path is None:
        return None
    found = csv_rows(ctx.at("file"), path, name)
    if found is None:
        return None
    header, body, delimiter = found
    if col not in header:
        ctx.at("column").fail(f"no such column in {name}", one_of(header), col)
        return None
    return _column_values(ctx.at("column"), name, (header, body, delimiter), header.index(col))


def inside_folder(ctx: Ctx, name: str) -> Path | None:
    """The file ``name`` relative to the declaring file's folder, or None when it may not be read.

    Relative to the file that names it, and (symbolic links followed) inside
    the folder tree of the scenario that was loaded, also for a base file
    reached through ``extends``: a scenario received from someone else reads
    nothing else on the reader's machine.
    """
    if "\x00" in name:
        ctx.fail("contains a NUL character", "a file name", Text(repr(name)[:80]))
        return None
    root = (ctx.root or ctx.folder).resolve()
    try:
        target = (ctx.folder / name).resolve()
    except (OSError, RuntimeError, ValueError) as err:  # a symlink loop, an over-long path
        ctx.fail(f"cannot follow the path ({type(err).__name__})", "a file name", name)
        return None
    if not target.is_relative_to(root):
        ctx.fail("must lie inside the scenario's folder", f"a path inside {root}", name)
        return None
    problem = regular_file_problem(target)
    if problem is not None:
        ctx.fail(problem, "a regular file of at most 64 MiB", name)
        return None
    return target


MAX_FILE_BYTES = 64 * 2**20


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a data or scenario file, or None when it can.

    Checked before opening, so a FIFO, a device or a folder gives a clear
    error instead of a hang or a strange one, and a huge file is refused
    before it fills the memory.
    """
    try:
        info = path.stat()
    except OSError as err:
        return f"cannot read the file ({err.strerror or type(err).__name__})"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a pipe or a device)"
    if info.st_size > MAX_FILE_BYTES:
        return f"the file is too large ({info.st_size / 2**20:.0f} MiB)"
    return None


Rows = tuple[list[str], list[list[str]], str]  # header, body, delimiter


def csv_rows(ctx: Ctx, path: Path, name: str) -> Rows | None:
    """Header, body and separator of a CSV file; ``name`` is how the scenario spells it."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            delimiter = _delimiter(first)
            rows = list(csv.reader(fh, delimiter=delimiter))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        reason = getattr(err, "strerror", None) or type(err).__name__
        ctx.fail(f"cannot read the CSV file ({reason})", "a readable UTF-8 CSV file", name)
        return None
    if not rows:
        ctx.fail("the CSV file is empty", "a header row and values", name)
        return None
    return [h.strip() for h in rows[0]], rows[1:], delimiter


def _delimiter(header: str) -> str:
    """Comma by default; a semicolon (or tab) header, as Dutch spreadsheets export, is followed."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _column_values(ctx: Ctx, name: str, rows: Rows, index: int) -> tuple[float, ...] | None:
    """The column's numbers; with ``;`` as separator a decimal comma is read as a point."""
    header, body, delimiter = rows
    values = []
    for row_number, row in enumerate(body, start=2):
        if len(row) > len(header):
            ctx.fail(f"row {row_number} of {name} has more cells than the header",
                     f"{len(header)} cells per row", Text(str(len(row))))
            return None
        cell = row[index].strip() if index < len(row) else ""
        if not cell:
            continue  # blank cells and trailing empty lines of spreadsheet exports
        value = to_float(cell.replace(",", ".") if delimiter == ";" else cell)
        if not math.isfinite(value) or value < 0:
            ctx.fail(f"row {row_number} of {name} is not a duration", "numbers >= 0", cell)
            return None
        values.append(value)
    if not values:
        ctx.fail(f"the column in {name} holds no values", "at least one number", Text("none"))
        return None
    return tuple(values)


def to_float(cell: str) -> float:
    """A cell as a number, NaN when it is none (so one range check catches both)."""
    try:
        return float(cell)
    except ValueError:
        return math.nan
