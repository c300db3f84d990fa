"""The simulated event log as files: ``events.csv``, XES and OCEL 2.0, from the engine's parts.

Each replication streams its visits to a binary part while it runs
(:mod:`ketensim.engine.visits`); here the parts become the contract's files
(section 5), replication after replication and block after block, so that
neither the run nor the writing holds the whole log. A part is a pure
function of (scenario, replication, seed) and the parts are joined in
replication order, so the files are the same bytes whatever ``--jobs`` was.

Times in ``events.csv`` stay in the scenario's time unit (the shortest
decimal that reads back as the same float); XES and OCEL need calendar
moments, counted from ``[scenario] start_date`` to the microsecond.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from ketensim.engine.visits import STATUSES, blocks, part_names, part_path, read_part
from ketensim.scenario.model import Scenario

FORMATS = ("csv", "xes", "ocel")
COLUMNS = ("replication", "case_id", "case_type", "activity", "partner", "enable_time",
           "start_time", "end_time", "outcome", "status", "left_time")
ROWS_AT_ONCE = 16_384  # rows formatted at a time: memory stays flat however long the log
UNIT_SECONDS = {"hour": 3600, "day": 86_400, "week": 604_800}


def write_event_files(scenario: Scenario, parts: Path, replications: int, out: Path,
                      formats: tuple[str, ...]) -> list[Path]:
    """Write the asked formats of the log into ``out`` and return the files written."""
    written = [write_csv(scenario, parts, replications, out / "events.csv")]  # always
    for rep in range(replications):
        if "xes" in formats:
            written.append(write_xes(scenario, parts, rep,
                                     out / "events" / f"replication-{rep}.xes"))
        if "ocel" in formats:
            written.append(write_ocel(scenario, parts, rep,
                                      out / "events" / f"replication-{rep}.jsonocel"))
    return written


# -- events.csv --------------------------------------------------------------------------


def write_csv(scenario: Scenario, parts: Path, replications: int, path: Path) -> Path:
    """One row per replication x visit, in replication order, visits in the order they closed.

    Rows are joined as text directly (a float as ``repr`` gives it: the
    shortest decimal that reads back as the same number, NaN as an empty
    field); a table writer's per-cell machinery costs three times as much
    for the same bytes.
    """
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(COLUMNS) + "\n")
        for rep in range(replications):
            names = part_names(parts, rep)
            steps = [f"{_csv_text(s)},{_csv_text(scenario.step(s).partner)}"
                     for s in names["steps"]]
            types = [_csv_text(t) for t in names["case_types"]]
            outcomes = [*(_csv_text(o) for o in names["outcomes"]), ""]
            statuses = list(STATUSES)
            for b in blocks(part_path(parts, rep), ROWS_AT_ONCE):
                enable, start, end, left = _moments(b)
                columns = [
                    [str(rep)] * b.size, map(str, b["case"].tolist()),
                    [types[k] for k in b["case_type"].tolist()],
                    [steps[k] for k in b["step"].tolist()],
                    enable, start, end,
                    [outcomes[k] for k in b["outcome"].tolist()],
                    [statuses[k] for k in b["status"].tolist()],
                    left,
                ]
                f.write("\n".join(map(",".join, zip(*columns, strict=True))))
                f.write("\n")
    return path


def _moments(block: np.ndarray) -> list[list[str]]:
    """The four time columns as text: each distinct moment formatted once, NaN as empty.

    A moment comes back often (an end is the next visit's enable and, on the
    last visit, the moment the case left), so the distinct values are found
    in C and only those go through ``repr``.
    """
    n = block.size
    moments = np.concatenate([block[c] for c in ("enable", "start", "end", "left")])
    distinct, inverse = np.unique(moments, return_inverse=True)
    text = [repr(x) if x == x else "" for x in distinct.tolist()]  # NaN: not equal to itself
    every = [text[k] for k in inverse.tolist()]
    return [every[i * n:(i + 1) * n] for i in range(4)]


def _csv_text(text: str) -> str:
    """A name as a CSV field: quoted when it holds a comma, a quote or a line break."""
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def frames(scenario: Scenario, parts: Path, replication: int) -> Iterator[pd.DataFrame]:
    """One replication's visits as tables of the contract's columns, a block at a time."""
    names = part_names(parts, replication)
    partner_of = np.asarray([scenario.step(s).partner for s in names["steps"]], dtype=object)
    steps = np.asarray(names["steps"], dtype=object)
    for block in blocks(part_path(parts, replication), ROWS_AT_ONCE):
        yield pd.DataFrame({
            "replication": np.full(block.size, replication, dtype=np.int64),
            "case_id": block["case"],
            "case_type": _names(block["case_type"], names["case_types"]),
            "activity": steps[block["step"]], "partner": partner_of[block["step"]],
            "enable_time": block["enable"], "start_time": block["start"],
            "end_time": block["end"],
            "outcome": _names(block["outcome"], names["outcomes"]),
            "status": np.asarray(STATUSES, dtype=object)[block["status"]],
            "left_time": block["left"],
        })


def _names(codes: np.ndarray, names: list[str]) -> np.ndarray:
    """Codes as names; -1 (none) as an empty field."""
    table = np.asarray([*names, ""], dtype=object)
    return table[np.where(codes < 0, len(names), codes)]


# -- moments -----------------------------------------------------------------------------


def stamps(scenario: Scenario, times: np.ndarray) -> np.ndarray:
    """Times in the scenario's unit as ISO 8601 moments (UTC) from its ``start_date``."""
    base = np.datetime64(scenario.start_date, "us")
    micro = np.round(np.asarray(times, dtype=float) * UNIT_SECONDS[scenario.time_unit] * 1e6)
    moments = base + micro.astype(np.int64).astype("timedelta64[us]")
    return np.char.add(np.datetime_as_string(moments, unit="us"), "+00:00")


def _events(scenario: Scenario, rows: Any, names: dict[str, Any], with_arrive: bool
            ) -> dict[str, np.ndarray]:
    """Every moment of one replication's visits as events (kind 0 arrive, 1 start, 2 complete)."""
    kinds, cases, times, steps, enabled = [], [], [], [], []
    started = ~np.isnan(rows["start"])
    ended = ~np.isnan(rows["end"])
    pieces = [(1, started, rows["start"]), (2, ended, rows["end"])]
    if with_arrive:
        pieces.insert(0, (0, rows["status"] != 3, rows["enable"]))  # at the door: not taken in
    for kind, mask, moment in pieces:
        kinds.append(np.full(int(mask.sum()), kind, dtype=np.int8))
        cases.append(rows["case"][mask])
        times.append(moment[mask])
        steps.append(rows["step"][mask])
        enabled.append(rows["enable"][mask])
    return {name: np.concatenate(x) for name, x in
            (("kind", kinds), ("case", cases), ("time", times), ("step", steps),
             ("enable", enabled))}


# -- XES (IEEE 1849) ---------------------------------------------------------------------

XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <string key="lifecycle:transition" value="complete"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>
"""


def write_xes(scenario: Scenario, parts: Path, replication: int, path: Path) -> Path:
    """One trace per case (in case order), per visit a ``start`` and a ``complete`` event."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows, names = read_part(parts, replication)
    ev = _events(scenario, rows, names, with_arrive=False)
    # At one moment a visit that ends comes before the next one that starts (enabled later).
    order = np.lexsort((ev["kind"], ev["enable"], ev["time"], ev["case"]))
    case_type = _case_types(rows, names)
    groups = [quoteattr(scenario.step(s).partner) for s in names["steps"]]
    activities = [quoteattr(s) for s in names["steps"]]
    transition = ('"start"', '"start"', '"complete"')
    with open(path, "w", encoding="utf-8") as f:
        f.write(XES_HEAD)
        f.write(f'  <string key="concept:name" value={quoteattr(scenario.name)}/>\n')
        previous = -1
        for lo in range(0, order.size, ROWS_AT_ONCE):
            chunk = order[lo:lo + ROWS_AT_ONCE]
            when = stamps(scenario, ev["time"][chunk]).tolist()
            for k, i in enumerate(chunk.tolist()):
                case = int(ev["case"][i])
                if case != previous:
                    if previous >= 0:
                        f.write("  </trace>\n")
                    f.write(f'  <trace>\n    <string key="concept:name" value="{case}"/>\n'
                            f'    <string key="case_type" value={quoteattr(case_type[case])}/>\n')
                    previous = case
                step = int(ev["step"][i])
                f.write(f'    <event>\n      <string key="concept:name" '
                        f'value={activities[step]}/>\n      <string key="lifecycle:transition" '
                        f'value={transition[ev["kind"][i]]}/>\n'
                        f'      <string key="org:group" value={groups[step]}/>\n'
                        f'      <date key="time:timestamp" value="{when[k]}"/>\n    </event>\n')
        if previous >= 0:
            f.write("  </trace>\n")
        f.write("</log>\n")
    return path


def _case_types(rows: Any, names: dict[str, Any]) -> dict[int, str]:
    """The case type of every case in the log (a case keeps its type through the chain)."""
    first = np.unique(rows["case"], return_index=True)
    return {int(c): names["case_types"][int(rows["case_type"][i])]
            for c, i in zip(first[0], first[1], strict=True)}


# -- OCEL 2.0 (JSON) ---------------------------------------------------------------------

OCEL_EVENT_TYPES = ("arrive", "start", "complete")


def write_ocel(scenario: Scenario, parts: Path, replication: int, path: Path) -> Path:
    """Objects ``case`` and ``partner``; per visit ``arrive``, ``start``, ``complete`` events."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows, names = read_part(parts, replication)
    ev = _events(scenario, rows, names, with_arrive=True)
    order = np.lexsort((ev["kind"], ev["enable"], ev["case"], ev["time"]))
    case_type = _case_types(rows, names)
    partners = [p.id for p in scenario.partners]
    partner_of = [scenario.step(s).partner for s in names["steps"]]
    origin = stamps(scenario, np.zeros(1))[0]
    with open(path, "w", encoding="utf-8") as f:
        head = {
            "objectTypes": [{"name": "case", "attributes": [{"name": "case_type",
                                                             "type": "string"}]},
                            {"name": "partner", "attributes": []}],
            "eventTypes": [{"name": k, "attributes": [{"name": "activity", "type": "string"}]}
                           for k in OCEL_EVENT_TYPES],
        }
        f.write(json.dumps(head)[:-1] + ',\n"objects": [\n')
        first = True
        for pid in partners:
            first = _item(f, {"id": f"partner:{pid}", "type": "partner", "attributes": []}, first)
        for case, ctype in sorted(case_type.items()):
            first = _item(f, {"id": f"case:{case}", "type": "case", "attributes": [
                {"name": "case_type", "time": origin, "value": ctype}]}, first)
        f.write('\n],\n"events": [\n')
        _ocel_events(f, scenario, ev, order, names["steps"], partner_of)
        f.write("\n]}\n")
    return path


def _ocel_events(f: IO[str], scenario: Scenario, ev: dict[str, np.ndarray], order: np.ndarray,
                 steps: list[str], partner_of: list[str]) -> None:
    first = True
    for lo in range(0, order.size, ROWS_AT_ONCE):
        chunk = order[lo:lo + ROWS_AT_ONCE]
        when = stamps(scenario, ev["time"][chunk]).tolist()
        for k, i in enumerate(chunk.tolist()):
            step = int(ev["step"][i])
            first = _item(f, {
                "id": f"e{lo + k}", "type": OCEL_EVENT_TYPES[ev["kind"][i]], "time": when[k],
                "attributes": [{"name": "activity", "value": steps[step]}],
                "relationships": [{"objectId": f"case:{int(ev['case'][i])}", "qualifier": "case"},
                                  {"objectId": f"partner:{partner_of[step]}",
                                   "qualifier": "partner"}],
            }, first)


def _item(f: IO[str], item: dict[str, Any], first: bool) -> bool:
    if not first:
        f.write(",\n")
    f.write(json.dumps(item, ensure_ascii=False))
    return False


__all__ = ["COLUMNS", "FORMATS", "frames", "stamps", "write_csv", "write_event_files",
           "write_ocel", "write_xes"]
