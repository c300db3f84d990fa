"""Where results go: the folder's name, what may be overwritten, and writing it whole.

Everything is written into a hidden sibling folder first and renamed into
place at the end (:func:`staged`), so a crash, a full disk or Ctrl-C never
leaves a folder that looks finished but is not. The checks here run before
any time is spent simulating: an ``--out`` that may not be replaced, or an
extra format that cannot be written, is refused at once. No pandas here.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

FORMATS = ("csv", "xlsx", "parquet")
EXCEL_MAX_ROWS = 1_048_576
_NEEDS = {"xlsx": ("openpyxl", "excel"), "parquet": ("pyarrow", "parquet")}


class OutputError(Exception):
    """The results cannot go where asked (exit status 2: the user can fix it)."""


# -- where results go ------------------------------------------------------------------


def utc_now() -> datetime:
    """The current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """A UTC moment as ISO 8601 with a ``Z``, e.g. ``2024-05-01T12:00:00Z``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def default_out(
    scenario_name: str, moment: datetime | None = None, base: Path | None = None
) -> Path:
    """``results/<scenario name>/<UTC timestamp>/``, made unique if that folder is taken.

    Two runs started in the same second get ``-2``, ``-3`` ... rather than
    one refusing to run: the user did not choose this folder, so it is ours to pick.
    """
    stamp = (moment or utc_now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = (base if base is not None else Path("results")) / scenario_name
    out = folder / stamp
    k = 2
    while out.exists():
        out = folder / f"{stamp}-{k}"
        k += 1
    return out


def check_out(out: Path, force: bool = False) -> None:
    """Refuse an ``--out`` that would overwrite something, unless forced.

    Raises:
        OutputError: when ``out`` is a file, or a non-empty folder and ``force`` is False.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    if not force and any(out.iterdir()):
        raise OutputError(
            f"{out}: folder exists and is not empty; choose another --out, "
            "or add --force to replace it"
        )


def check_formats(formats: Iterable[str], timeseries_rows: int | None = None) -> None:
    """Make sure every extra format can be written, before any time is spent simulating.

    Raises:
        OutputError: for an unknown format, a missing optional package, or a
            timeseries too long for one Excel sheet.
    """
    for fmt in formats:
        if fmt not in FORMATS:
            raise OutputError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
        if fmt in _NEEDS:
            module, extra = _NEEDS[fmt]
            if importlib.util.find_spec(module) is None:
                raise OutputError(
                    f"--format {fmt} needs the {module} package: install ketensim[{extra}] "
                    f"(pip install 'ketensim[{extra}]')"
                )
        if fmt == "xlsx" and timeseries_rows is not None and timeseries_rows >= EXCEL_MAX_ROWS:
            raise OutputError(
                f"--format xlsx: the timeseries has {timeseries_rows} rows, more than an Excel "
                "sheet holds; use a larger --sample-every or --format parquet"
            )


@contextlib.contextmanager
def staged(out: Path, force: bool = False) -> Iterator[Path]:
    """A hidden sibling folder to write into, renamed to ``out`` only when all went well.

    Raises:
        OutputError: when ``out`` may not be written (see :func:`check_out`).
    """
    check_out(out, force)
    created = _make_parents(out.parent)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        yield tmp
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in reversed(created):
            _remove_if_empty(folder)
        raise


# -- the folder dance ------------------------------------------------------------------


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return the ones created (outermost first)."""
    missing = []
    current = folder.absolute()
    while not current.exists():
        missing.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def _move_into_place(tmp: Path, out: Path) -> None:
    """Rename the finished folder to ``out``, replacing what ``check_out`` allowed to go."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
