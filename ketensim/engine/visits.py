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
repeats exactly, so the log is the same bytes whichever computed it.
"""

from __future__ import annotations

import json
import math
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

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

    # -- the fast path hands over whole columns ----------------------------------------
    def write_fast(self, run: FastRun, visits: dict[str, dict[str, Any]],
                   closed: tuple[np.ndarray, ...], order: np.ndarray) -> None:
        """The visits of a plain chain: closed ones in closing order, then the open ones.

        A plain chain has no loops, so a case visits a step at most once and
        (step, case) finds the visit's moments. ``closed`` holds the closings
        (moment, case, step, outcome, status) step by step; ``order`` puts them
        in closing order.
        """
        end, case, step, outcome, status = closed
        index = {sid: k for k, sid in enumerate(self.steps)}
        looked_up = {}  # per step: its cases in order, to find a visit by its case
        open_rows = []
        for sid, part in visits.items():
            by_case = np.argsort(part["case"], kind="stable")
            looked_up[index[sid]] = (part["case"][by_case], by_case, part)
            still = part["done"] >= run.horizon
            if part.get("gone") is not None:
                still &= ~part["gone"]  # dismissed: closed on arrival
            open_rows.append((part["case"][still], np.full(int(still.sum()), index[sid]),
                              part["arrived"][still], part["start"][still]))
        for lo in range(0, end.size, BLOCK):  # a block at a time: memory stays flat
            block = order[lo:lo + BLOCK]
            rows = np.zeros(block.size, dtype=ROW)
            rows["case"], rows["step"], rows["end"] = case[block], step[block], end[block]
            for k, (cases, by_case, part) in looked_up.items():
                mine = np.flatnonzero(rows["step"] == k)
                at = by_case[np.searchsorted(cases, rows["case"][mine])]
                rows["enable"][mine] = part["arrived"][at]
                rows["start"][mine] = part["start"][at]
            rows["outcome"], rows["status"] = outcome[block], status[block]
            rows["case_type"] = run.ctype[rows["case"]]
            rows["left"] = np.where(rows["outcome"] >= 0, rows["end"], NAN)
            turned = rows["status"] != DONE  # dismissed on arrival: no handling
            rows["start"][turned] = rows["end"][turned] = NAN
            self._write(rows)
        self._write(_open_rows(run, open_rows))
        self.close(list(run.case_types))

    def _write(self, rows: np.ndarray) -> None:
        self.flush()
        rows.tofile(self.file)
        self.rows += rows.size


def _open_rows(run: FastRun, parts: list[Any]) -> np.ndarray:
    """Visits open at the horizon in a plain chain, in case order (as the simulation writes)."""
    if not parts:
        return np.zeros(0, dtype=ROW)
    case, step, enable, start = (np.concatenate([p[i] for p in parts]) for i in range(4))
    order = np.argsort(case, kind="stable")
    rows = np.zeros(case.size, dtype=ROW)
    rows["case"], rows["step"], rows["enable"] = case[order], step[order], enable[order]
    started = start[order] < run.horizon
    rows["start"] = np.where(started, start[order], NAN)
    rows["end"] = rows["left"] = NAN
    rows["outcome"] = -1
    rows["status"] = np.where(started, IN_SERVICE, WAITING)
    rows["case_type"] = run.ctype[rows["case"]]
    return rows


def read_part(folder: Path | str, replication: int) -> tuple[np.memmap | np.ndarray,
                                                             dict[str, Any]]:
    """One replication's visits (memory-mapped: read as needed) and its names."""
    path = part_path(folder, replication)
    names = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    if names["rows"] == 0:
        return np.zeros(0, dtype=ROW), names
    return np.memmap(path, dtype=ROW, mode="r"), names


__all__ = ["ROW", "STATUSES", "VisitLog", "part_path", "read_part"]
