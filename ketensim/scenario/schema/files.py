"""Data files named by a scenario: found inside its folder tree, read as CSV, checked.

A scenario may name CSV files (an empirical distribution's column, replayed
inflow, a werkvoorraad, a capacity plan). Each is looked up relative to the
file that names it, must stay inside the folder tree of the scenario that
was loaded, and must be a regular file of sensible size, so that a file
received from someone else reads nothing else and never hangs on a pipe.
"""

from __future__ import annotations

import csv
import math
import stat
from pathlib import Path

from ketensim.scenario.schema.context import Ctx, Text, one_of


def read_column(ctx: Ctx, name: str, col: str) -> tuple[float, ...] | None:
    """The numbers of column ``col`` of the CSV file ``name`` inside the scenario's folder tree.

    Scenario files travel between colleagues: a path that leaves the folder
    would make a file depend on the machine it was written on (or read data it
    should not), so such paths are refused.
    """
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
