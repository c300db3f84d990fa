"""Where results go: the folder's name, who may write it, and writing it whole.

Results are never lost silently. A run *claims* its folder before it
simulates (:func:`claim`): the folder is created, or an empty one taken,
and a marker file is made in it with an exclusive create, so of two runs
aimed at one ``--out`` exactly one goes on and the other is refused at once.
``--force`` replaces only a folder that ketensim wrote (its manifest says
so), never a folder of the user's own. Everything is written into a hidden
sibling folder first and renamed into place at the end (:func:`staged`), so
a crash, a full disk, Ctrl-C or SIGTERM never leaves a folder that looks
finished but is not; what a killed run left behind is cleared by the next
run aimed at the same folder. Problems the user can fix (a read-only
folder, an ``--out`` under a file, too little disk space, an extra format
that cannot be written) are found before any time is spent simulating and
are bad input (exit status 2). No pandas here.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import socket
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

FORMATS = ("csv", "xlsx", "parquet", "csv-nl", "svg")
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
    """``results/<name>/<UTC timestamp>/``, made unique if that folder is taken.

    Two runs started in the same second get ``-2``, ``-3`` ... rather than
    one refusing to run: the user did not choose this folder, so it is ours to
    pick. :func:`claim` with ``default=True`` picks the next one if another
    run claims this one first.
    """
    stamp = (moment or utc_now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = (base if base is not None else Path("results")) / scenario_name
    out = folder / stamp
    k = 2
    while out.exists():
        out = folder / f"{stamp}-{k}"
        k += 1
    return out


MARKER = ".ketensim-claim"  # in a claimed folder while a run writes it
_CLAIMS: dict[Path, str] = {}  # folders this process holds, with the token in their marker


def written_by_ketensim(folder: Path) -> bool:
    """True when ``folder`` holds a manifest that ketensim wrote (``--force`` may replace it)."""
    try:
        doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and "ketensim_version" in doc and "files" in doc


def check_out(out: Path, force: bool = False) -> None:
    """Refuse an ``--out`` that would overwrite something, unless it may be replaced.

    A folder this process has claimed passes. An empty folder may be used;
    a non-empty one only with ``force`` and only when ketensim wrote it.

    Raises:
        OutputError: when ``out`` is a file, sits under a file, is being
            written by another run, or holds something that may not be replaced.
    """
    out = out.absolute()
    if out in _CLAIMS:
        return
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"{out}: {parent} is a file, not a folder; choose another --out")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    if _held_by_another_run(out):
        raise OutputError(f"{out}: another ketensim run is writing this folder right now; "
                          "choose another --out")
    content = [p for p in out.iterdir() if p.name != MARKER]
    if not content:
        return
    if not force:
        raise OutputError(
            f"{out}: folder exists and is not empty; choose another --out, "
            "or add --force to replace results ketensim wrote there before"
        )
    if not written_by_ketensim(out):
        raise OutputError(
            f"{out}: --force replaces only a results folder that ketensim wrote (with its "
            "manifest.json), and this one is not; choose another --out"
        )


@contextlib.contextmanager
def claim(out: Path, force: bool = False, needed_bytes: int = 0) -> Iterator[Path]:
    """Hold ``out`` for this run from before the simulation to the end of writing.

    Creates the folder (and missing parents) or takes an empty or
    replaceable one, and makes the marker file in it with an exclusive
    create: the one step that two runs cannot both win. On leaving, the
    marker goes, and so does the folder with its new parents when nothing
    was written into it. What an earlier, killed run left beside ``out``
    (hidden ``.NAME.partial-*`` and ``.NAME.old-*`` folders) is removed first.

    Args:
        out: the results folder.
        force: whether a folder ketensim wrote before may be replaced.
        needed_bytes: an estimate of what the run will write; refused at
            once when the disk has clearly less room.

    Raises:
        OutputError: when the folder may not be written (see :func:`check_out`),
            cannot be created, or the disk is too full.
    """
    out = out.absolute()
    if out in _CLAIMS:  # already held by this process (a command claimed it, the writer too)
        yield out
        return
    check_out(out, force)
    created = _make_parents(out.parent)
    made = False
    try:
        _clear_leftovers(out)
        try:
            out.mkdir()
            made = True
        except FileExistsError:
            check_out(out, force)
        token = _take_marker(out)
        _check_room(out.parent, needed_bytes)
    except OSError as exc:
        _undo(out, made, created)
        raise OutputError(f"{out}: cannot write here ({_reason(exc)}); choose another --out") \
            from None
    except BaseException:
        _undo(out, made, created)
        raise
    _CLAIMS[out] = token
    try:
        yield out
    finally:
        _CLAIMS.pop(out, None)
        with contextlib.suppress(OSError):
            (out / MARKER).unlink()
        if made and out.exists() and not any(out.iterdir()):
            _undo(out, made, created)


@contextlib.contextmanager
def staged(out: Path, force: bool = False) -> Iterator[Path]:
    """A hidden sibling folder to write into, renamed to ``out`` only when all went well.

    ``out`` is claimed for the time of writing unless the caller holds it
    already. A write that fails for lack of room or rights is bad output
    (OutputError), not an unexpected failure.

    Raises:
        OutputError: when ``out`` may not be written (see :func:`check_out`).
    """
    with claim(out, force) as held:
        tmp = held.parent / f".{held.name}.partial-{_owner()}-{secrets.token_hex(4)}"
        try:
            tmp.mkdir()
            yield tmp
            _move_into_place(tmp, held)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise OutputError(f"{held}: writing the results failed ({_reason(exc)}); "
                              "nothing was kept") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


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
    """Rename the finished folder to ``out``, replacing the claimed one (marker and all)."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.parent / f".{out.name}.old-{_owner()}-{secrets.token_hex(4)}"
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _owner() -> str:
    """Who writes: ``<host>_<pid>``, so the next run can tell a killed run's leftovers."""
    host = "".join(c for c in socket.gethostname() if c.isalnum() or c == "-") or "host"
    return f"{host}_{os.getpid()}"


def _alive(owner: str) -> bool:
    """Is the run that wrote ``owner`` still going? Only this host's processes can be asked."""
    host, _, pid = owner.rpartition("_")
    if host != _owner().rpartition("_")[0] or not pid.isdigit():
        return True  # another machine's run (a shared drive): never touch it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _held_by_another_run(out: Path) -> bool:
    try:
        owner = (out / MARKER).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return False
    if _alive(owner):
        return True
    with contextlib.suppress(OSError):
        (out / MARKER).unlink()  # a killed run's marker
    return False


def _take_marker(out: Path) -> str:
    token = secrets.token_hex(8)
    try:
        fd = os.open(out / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise OutputError(f"{out}: another ketensim run is writing this folder right now; "
                          "choose another --out") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{_owner()} {token}\n")
    return token


def _clear_leftovers(out: Path) -> None:
    """Remove what a killed run left beside ``out``: hidden partial and old folders."""
    for prefix in (f".{out.name}.partial-", f".{out.name}.old-"):
        for left in out.parent.glob(f"{prefix}*"):
            owner = left.name[len(prefix):].rpartition("-")[0]
            if left.is_dir() and not _alive(owner):
                shutil.rmtree(left, ignore_errors=True)


def _check_room(folder: Path, needed_bytes: int) -> None:
    if needed_bytes <= 0:
        return
    free = shutil.disk_usage(folder).free
    if free < needed_bytes:
        raise OutputError(f"{folder}: the disk has {free / 2**20:.0f} MiB free and these results "
                          f"need about {needed_bytes / 2**20:.0f} MiB; free some room, or use "
                          "a larger --sample-every")


def _undo(out: Path, made: bool, created: list[Path]) -> None:
    if made:
        with contextlib.suppress(OSError):
            (out / MARKER).unlink()
        _remove_if_empty(out)
    for folder in reversed(created):
        _remove_if_empty(folder)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__
