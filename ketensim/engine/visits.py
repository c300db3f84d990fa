"""The event log of one replication: every visit of a case to a step, written as it closes.

A visit is one stay of a case at a step: it is enabled when the case
reaches the step (is taken in, as the step counts its arrivals), starts when
a server takes it, and ends when handling ends. The engine tells the log the
moments; the log keeps only the visit each case is on now (two numbers per
case) and writes finished visits in blocks of fixed size to a binary file,
so memory does not grow with the log. Visits still open at the horizon are
written last, in case order. Formatting (CSV, XES, OCEL) is the results
layer's work (:mod:`ketensim.results.events`); nothing here knows pandas.

The order of the rows is the order visits close, which the fast path
repeats exactly, so the log is the same bytes whichever computed it: it
stages each served step's visits on disk and sorts them by their closing
moments at the end (:meth:`VisitLog.finish_fast`).
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ketensim.engine.plain import Tie

if TYPE_CHECKING:
    from ketensim.engine.fastpath import FastRun

ROW = np.dtype([("case", "<i8"), ("step", "<i4"), ("case_type", "<i4"), ("enable", "<f8"),
                ("start", "<f8"), ("end", "<f8"), ("left", "<f8"), ("outcome", "<i4"),
                ("status", "i1")])
STATUSES = ("done", "waiting", "in_service", "at_door", "rejected", "diverted", "reneged",
            "dismissed")
DONE, WAITING, IN_SERVICE, AT_DOOR, REJECTED, DIVERTED, RENEGED, DISMISSED = range(8)
BLOCK = 1 << 14  # visits held before they go to disk
NAN = math.nan


def part_path(folder: Path | str, replication: int) -> Path:
    """Where the log of one replication goes (and its names beside it, as JSON)."""
    return Path(folder) / f"replication-{replication}.visits"


class VisitLog:
    """The visits of one replication, streamed to ``part_path(folder, replication)``."""

    def __init__(self, folder: Path | str, replication: int, steps: list[str],
                 outcomes: list[str]):
        self.path = part_path(folder, replication)
        self.steps = steps
        self.outcomes = outcomes
        self.enable_of: array[float] = array("d")  # per case: the visit it is on now
        self.start_of: array[float] = array("d")
        self.state: array[int] = array("b")  # per case: WAITING / IN_SERVICE / AT_DOOR or -1
        self.step_of: array[int] = array("i")
        self.block = np.zeros(BLOCK, dtype=ROW)
        self.n = 0
        self.rows = 0
        self.file = open(self.path, "wb")  # noqa: SIM115 - closed by finish()

    def reset(self) -> None:
        """Start again from nothing (the fast path gave way to the simulation)."""
        self._unstage()
        self.file.seek(0)
        self.file.truncate()
        for column in (self.enable_of, self.start_of, self.state, self.step_of):
            del column[:]
        self.n = self.rows = 0

    # -- the engine tells the log ------------------------------------------------------
    def new_case(self) -> None:
        self.enable_of.append(NAN)
        self.start_of.append(NAN)
        self.state.append(-1)
        self.step_of.append(-1)

    def waiting(self, case: int, step: int, enabled: float) -> None:
        self.enable_of[case] = enabled
        self.start_of[case] = NAN
        self.state[case] = WAITING
        self.step_of[case] = step

    def at_door(self, case: int, step: int, now: float) -> None:
        self.enable_of[case] = now
        self.state[case] = AT_DOOR
        self.step_of[case] = step

    def started(self, case: int, step: int, enabled: float, now: float) -> None:
        self.enable_of[case] = enabled
        self.start_of[case] = now
        self.state[case] = IN_SERVICE
        self.step_of[case] = step

    def ended(self, case: int, case_type: int, step: int, now: float, outcome: int) -> None:
        """Handling ended now; ``outcome`` >= 0 when the case left the chain with it."""
        self.state[case] = -1
        self.add(case, step, case_type, self.enable_of[case], self.start_of[case], now,
                 now if outcome >= 0 else NAN, outcome, DONE)

    def turned(self, case: int, case_type: int, step: int, enabled: float, now: float,
               outcome: int, status: int) -> None:
        """A visit without handling: rejected, diverted, reneged or dismissed."""
        self.state[case] = -1
        self.add(case, step, case_type, enabled, NAN, NAN, now if outcome >= 0 else NAN,
                 outcome, status)

    def add(self, case: int, step: int, case_type: int, enable: float, start: float,
            end: float, left: float, outcome: int, status: int) -> None:
        self.block[self.n] = (case, step, case_type, enable, start, end, left, outcome, status)
        self.n += 1
        if self.n == BLOCK:
            self.flush()

    def flush(self) -> None:
        self.block[:self.n].tofile(self.file)
        self.rows += self.n
        self.n = 0

    def finish(self, case_types: list[str], case_type_of: Any) -> None:
        """Write the visits open at the horizon (in case order), the names, and close."""
        state = np.frombuffer(self.state, dtype=np.int8)
        for case in np.flatnonzero(state >= 0).tolist():
            kind = int(state[case])
            self.add(case, self.step_of[case], case_type_of[case], self.enable_of[case],
                     self.start_of[case] if kind == IN_SERVICE else NAN, NAN, NAN, -1, kind)
        self.close(case_types)

    def close(self, case_types: list[str]) -> None:
        self.flush()
        self.file.close()
        names = {"steps": self.steps, "outcomes": self.outcomes, "case_types": case_types,
                 "rows": self.rows}
        self.path.with_suffix(".json").write_text(json.dumps(names), encoding="utf-8")

    # -- the fast path hands over a step's columns as soon as the step is served ------------
    def stage_fast(self, run: FastRun, step: int, part: dict[str, Any],
                   closed: list[tuple[np.ndarray, ...]]) -> None:
        """Write one served step's visits to the staging files: closed ones and open ones.

        A plain chain has no loops, so a case visits a step at most once and
        its case number finds the visit's moments. ``closed`` holds the step's
        closings (moment, case, step, outcome, status): dismissals on arrival,
        then completions in time order.
        """
        by_case = np.argsort(part["case"], kind="stable")
        cases = part["case"][by_case]
        with open(self.path.with_suffix(".closed"), "ab") as f:
            for end, case, _, outcome, status in closed:
                at = by_case[np.searchsorted(cases, case)]
                rows = np.zeros(case.size, dtype=ROW)
                rows["case"], rows["step"], rows["case_type"] = case, step, run.ctype[case]
                rows["enable"], rows["start"], rows["end"] = part["arrived"][at], \
                    part["start"][at], end
                rows["outcome"], rows["status"] = outcome, status
                rows["left"] = np.where(outcome >= 0, end, NAN)
                turned = status != DONE  # dismissed on arrival: no handling
                rows["start"][turned] = rows["end"][turned] = NAN
                rows.tofile(f)
        still = part["done"] >= run.horizon
        if part.get("gone") is not None:
            still &= ~part["gone"]  # dismissed: closed on arrival
        with open(self.path.with_suffix(".open"), "ab") as f:
            _open_rows(run, step, part["case"][still], part["arrived"][still],
                       part["start"][still]).tofile(f)

    def finish_fast(self, case_types: list[str]) -> None:
        """The staged visits in the order they closed, then the open ones in case order.

        Steps were staged in routing order, so the stable sort keeps a case
        that was handled and then dismissed on arrival at the next step, at
        one moment, in that order; two cases closing at one moment only the
        event list can order.

        Raises:
            Tie: two cases close a visit at one moment.
        """
        staged = self.path.with_suffix(".closed")
        n = staged.stat().st_size // ROW.itemsize if staged.exists() else 0
        moments = np.empty(n)  # only the closing moments are held whole
        at = 0
        for block in blocks(staged):
            moments[at:at + block.size] = np.where(block["status"] == DONE, block["end"],
                                                   block["left"])
            at += block.size
        order = np.argsort(moments, kind="stable")
        moments = moments[order]
        tied = np.flatnonzero(np.diff(moments) == 0)
        del moments
        if tied.size:
            mapped = np.memmap(staged, dtype=ROW, mode="r")
            if (mapped["case"][order[tied]] != mapped["case"][order[tied + 1]]).any():
                raise Tie("two visits end at one moment")
            del mapped
        for lo in range(0, order.size, BLOCK):  # a block at a time, each through a mapping
            mapped = np.memmap(staged, dtype=ROW, mode="r")  # of its own, so that the pages
            self._write(np.asarray(mapped[order[lo:lo + BLOCK]]))  # read are let go again
            del mapped
        del order
        still = np.concatenate([np.zeros(0, ROW), *blocks(self.path.with_suffix(".open"))])
        self._write(still[np.argsort(still["case"], kind="stable")])
        self._unstage()
        self.close(case_types)

    def _unstage(self) -> None:
        for suffix in (".closed", ".open"):
            self.path.with_suffix(suffix).unlink(missing_ok=True)

    def _write(self, rows: np.ndarray) -> None:
        self.flush()
        rows.tofile(self.file)
        self.rows += rows.size


def blocks(path: Path, size: int = BLOCK) -> Iterator[np.ndarray]:
    """The rows of a visits file, a block at a time, read (not mapped): memory stays flat."""
    if not path.exists():
        return
    with open(path, "rb") as f:
        while (block := np.fromfile(f, dtype=ROW, count=size)).size:
            yield block


def _open_rows(run: FastRun, step: int, case: np.ndarray, enable: np.ndarray,
               start: np.ndarray) -> np.ndarray:
    """A step's visits open at the horizon: waiting, or in service when started by then."""
    rows = np.zeros(case.size, dtype=ROW)
    rows["case"], rows["step"], rows["enable"] = case, step, enable
    started = start < run.horizon
    rows["start"] = np.where(started, start, NAN)
    rows["end"] = rows["left"] = NAN
    rows["outcome"] = -1
    rows["status"] = np.where(started, IN_SERVICE, WAITING)
    rows["case_type"] = run.ctype[case]
    return rows


def read_part(folder: Path | str, replication: int) -> tuple[np.ndarray, dict[str, Any]]:
    """One replication's visits, whole (for a format that groups them), and its names."""
    path = part_path(folder, replication)
    names = part_names(folder, replication)
    return np.concatenate([np.zeros(0, ROW), *blocks(path)]), names


def part_names(folder: Path | str, replication: int) -> dict[str, Any]:
    """The names behind one replication's codes: steps, outcomes, case types."""
    path = part_path(folder, replication).with_suffix(".json")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


__all__ = ["ROW", "STATUSES", "VisitLog", "blocks", "part_names", "part_path", "read_part"]
