"""Data files with several columns: replayed inflow, a werkvoorraad, a capacity plan.

Real chains keep such figures in spreadsheets, so a scenario may name a CSV
file instead of copying thousands of numbers into TOML. The same rules as
for an empirical distribution hold: the path is relative to the file that
names it and stays inside its folder tree; comma, semicolon and tab
separators are recognised (with ``;`` a decimal comma is read as a point).
Columns besides the ones asked for are ignored: an export may carry case
numbers or remarks next to the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ketensim.scenario.schema import fields, files
from ketensim.scenario.schema.fields import Ctx, Text


@dataclass(frozen=True)
class CsvTable:
    """The rows of a CSV file that hold anything, each with its row number in the file."""

    name: str  # as the scenario spells it, for messages
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    delimiter: str

    def cells(self, column: str) -> list[tuple[int, str]]:
        """(row number, stripped cell) of one column, for every row."""
        index = self.header.index(column)
        return [(n, row[index].strip() if index < len(row) else "") for n, row in self.rows]


def read_table(ctx: Ctx, value: Any, required: Sequence[str]) -> CsvTable | None:
    """Read the CSV file named by ``value`` (at key ``ctx``) and check its ``required`` columns.

    Every problem is reported at ``ctx``, the key that names the file: that is
    the line of the scenario a reader can find.
    """
    name = fields.text(ctx, value, 'a CSV file name such as "data.csv"')
    if name is None:
        return None
    path = files.inside_folder(ctx, name)
    found = None if path is None else files.csv_rows(ctx, path, name)
    if found is None:
        return None
    header, body, delimiter = found
    missing = [c for c in required if c not in header]
    if missing:
        ctx.fail(f"no column {', '.join(missing)} in {name}",
                 "a header row with " + ", ".join(required), Text("columns " + ", ".join(header)))
        return None
    rows = []
    for number, row in enumerate(body, start=2):
        if len(row) > len(header):
            ctx.fail(f"row {number} of {name} has more cells than the header",
                     f"{len(header)} cells per row", Text(str(len(row))))
            return None
        if any(cell.strip() for cell in row):
            rows.append((number, tuple(row)))
    if not rows:
        ctx.fail(f"{name} holds no rows", "a header row and at least one row of values",
                 Text("none"))
        return None
    return CsvTable(name, tuple(header), tuple(rows), delimiter)


def numbers(ctx: Ctx, table: CsvTable, column: str, low: float = 0.0,
            *, whole: bool = False) -> list[float] | None:
    """Every cell of ``column`` as a number >= ``low`` (an integer when ``whole``).

    The first bad cell is reported, naming its row, so a long export does not
    flood the screen with one message per row.
    """
    expected = f"{'integers' if whole else 'numbers'} >= {low:g} in column {column}"
    out = []
    for number, cell in table.cells(column):
        value = files.to_float(cell.replace(",", ".") if table.delimiter == ";" else cell)
        problem = _problem(cell, value, low, whole)
        if problem:
            ctx.fail(f"row {number} of {table.name}: {column} {problem}", expected,
                     cell if cell else Text("an empty cell"))
            return None
        out.append(value)
    return out


def _problem(cell: str, value: float, low: float, whole: bool) -> str:
    if not cell:
        return "is empty"
    if not math.isfinite(value):
        return "is not a number"
    if value < low:
        return f"is below {low:g}"
    if whole and value != int(value):
        return "is not a whole number"
    return ""


def labels(table: CsvTable, column: str, default: str) -> list[str] | None:
    """The cells of an optional text column (None when absent); a blank cell means ``default``."""
    if column not in table.header:
        return None
    return [cell or default for _, cell in table.cells(column)]
