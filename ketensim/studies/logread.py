"""Reading a partner's event log into visits: one row per stay of a case at a step.

A case system exports what happened to each case: per activity a start and
an end (a CSV or Parquet table, or an XES file with ``start`` and
``complete`` events). That is all a fit needs: arrivals are first visits,
routes are the order of a case's visits, handling times are end minus start,
and the cases open at a moment are the werkvoorraad then. Every problem in
the log is reported at once, naming the file, the column and the row, before
anything is fitted.

Times may be numbers (in the scenario's time unit, 0 being the model's
start) or ISO 8601 moments; moments are counted from a Monday at midnight,
as the scenario's calendars count days (day 0 is a Monday).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ketensim.errors import Problem, ScenarioError

COLUMNS = {"case": "case_id", "activity": "activity", "start": "start_time",
           "end": "end_time", "enable": "enable_time", "partner": "partner",
           "case_type": "case_type", "outcome": "outcome", "resource": "resource"}
REQUIRED = ("case", "activity", "start", "end")
XES = {"case": "case:concept:name", "activity": "concept:name", "partner": "org:group",
       "resource": "org:resource", "case_type": "case:case_type", "outcome": "case:outcome"}
UNIT_SECONDS = {"hour": 3600.0, "day": 86_400.0, "week": 604_800.0}
SHOWN = 5  # problems of one kind shown per column; the rest are counted


@dataclass
class Log:
    """The visits of a log, times in the time unit from ``origin``.

    ``visits`` has columns ``case`` (a key unique over the whole log, also
    over replications), ``activity``, ``enable``, ``start``, ``end`` (NaN:
    not reached), ``partner``, ``case_type``, ``outcome``, ``resource`` and
    ``replication`` (0 for a log of one period); rows are in the log's order.
    """

    visits: pd.DataFrame
    file: str
    unit: str
    origin: pd.Timestamp | None  # the calendar moment of time 0; None when times are numbers
    first: float  # the log's period: from the first to the last moment in it
    last: float
    replications: int = 1

    @property
    def period(self) -> float:
        return self.last - self.first


def read_log(path: str | Path, columns: dict[str, str] | None = None, unit: str = "day",
             origin: pd.Timestamp | None = None) -> Log:
    """Read and check a CSV, Parquet or XES log; every problem is reported at once.

    Args:
        path: the log file (``.csv``, ``.parquet``, ``.xes`` or ``.xes.gz``).
        columns: column names by role where they differ from the defaults
            (:data:`COLUMNS`, the columns of ketensim's own ``events.csv``).
        unit: the time unit of the scenario to fit (and of numeric times).
        origin: the calendar moment of time 0 for a log with timestamps (default:
            the Monday at or before the log's first moment).

    Raises:
        ScenarioError: one problem per missing column, unparsable time, end before
            start, case without events, or an empty log; nothing is fitted then.
    """
    file = str(path)
    names = {**COLUMNS, **(columns or {})}
    frame = _table(Path(path), file, names)
    problems: list[Problem] = []
    missing = [role for role in REQUIRED if names[role] not in frame.columns]
    for role in missing:
        problems.append(Problem(file, f"column {names[role]}", "missing column",
                                f"a column {names[role]!r} (--{role.replace('_', '-')})",
                                ", ".join(map(str, frame.columns[:8])) or "no columns"))
    if problems:
        raise ScenarioError(problems)
    if frame.empty:
        raise ScenarioError([Problem(file, "rows", "the log is empty", "at least one visit",
                                     "no rows")])
    times, origin = _times(frame, names, file, unit, origin, problems)
    visits = pd.DataFrame({
        "case": _case_keys(frame, names),
        # "exit" names leaving the chain in a scenario: an activity of that name is renamed
        "activity": frame[names["activity"]].astype(str).str.strip().replace("exit", "exit_"),
        "enable": times.get("enable", times["start"]),
        "start": times["start"], "end": times["end"],
    })
    for role in ("partner", "case_type", "outcome", "resource"):
        column = names[role]
        visits[role] = frame[column].fillna("").astype(str).str.strip() \
            if column in frame.columns else ""
    visits["replication"] = pd.to_numeric(frame["replication"], errors="coerce").fillna(0) \
        .astype(int) if "replication" in frame.columns else 0
    if not problems:
        _check_rows(visits, names, file, problems)
    if problems:
        raise ScenarioError(problems)
    moments = visits[["enable", "start", "end"]].to_numpy(dtype=float)
    first = 0.0 if origin is None else float(np.nanmin(moments))
    return Log(visits, file, unit, origin, min(first, 0.0) if origin is None else first,
               float(np.nanmax(moments)), int(visits["replication"].nunique()))


def _table(path: Path, file: str, names: dict[str, str]) -> pd.DataFrame:
    name = path.name.lower()
    try:
        if name.endswith((".xes", ".xes.gz")):
            return _xes(path, file, names)
        if name.endswith(".parquet"):
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                           encoding="utf-8-sig", sep=None, engine="python") \
            if path.stat().st_size < 1 << 20 else \
            pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                        encoding="utf-8-sig")
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError.single(file, "file", "does not exist", "an event log",
                                   "no such file") from None
    except Exception as exc:  # a parser's own words say what is wrong with the file
        raise ScenarioError.single(file, "file", "cannot be read as an event log",
                                   "a CSV, Parquet or XES file",
                                   f"{type(exc).__name__}: {str(exc)[:120]}") from None


def _xes(path: Path, file: str, names: dict[str, str]) -> pd.DataFrame:
    """An XES log as one row per visit: a ``start`` and its ``complete`` become one row."""
    try:
        import pm4py
    except ImportError:
        raise ScenarioError.single(file, "file", "reading XES needs pm4py",
                                   "pip install 'ketensim[logs]'", "pm4py not installed") from None
    events = pm4py.read_xes(str(path), return_legacy_log_object=False)
    case = names["case"] if names["case"] != COLUMNS["case"] else XES["case"]
    activity = names["activity"] if names["activity"] != COLUMNS["activity"] else XES["activity"]
    need = [c for c in (case, activity, "time:timestamp") if c not in events.columns]
    if need:
        raise ScenarioError([Problem(file, f"attribute {c}", "missing attribute",
                                     f"{c!r} on every event", "none") for c in need])
    transition = events.get("lifecycle:transition", pd.Series("complete", index=events.index))
    transition = transition.fillna("complete").astype(str).str.lower()
    events = events.assign(_t=events["time:timestamp"].astype(str), _kind=transition,
                           _key=events[case].astype(str) + "\x00" + events[activity].astype(str))
    events["_n"] = events.groupby(["_key", "_kind"]).cumcount()  # the n-th start meets the n-th end
    starts = events[events["_kind"] == "start"]
    ends = events[events["_kind"] == "complete"]
    rows = ends.merge(starts[["_key", "_n", "_t"]], on=["_key", "_n"], how="left",
                      suffixes=("", "_start"))
    out = pd.DataFrame({names["case"]: rows[case].astype(str),
                        names["activity"]: rows[activity].astype(str),
                        names["start"]: rows["_t_start"].fillna(rows["_t"]),
                        names["end"]: rows["_t"]})
    for role in ("partner", "resource", "case_type", "outcome"):
        if XES[role] in rows.columns:
            out[names[role]] = rows[XES[role]].astype(str)
    return out


def _case_keys(frame: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    case = frame[names["case"]].astype(str).str.strip()
    if "replication" in frame.columns:
        return frame["replication"].astype(str) + "/" + case  # ids repeat between replications
    return case


def _times(frame: pd.DataFrame, names: dict[str, str], file: str, unit: str,
           origin: pd.Timestamp | None, problems: list[Problem]
           ) -> tuple[dict[str, pd.Series], pd.Timestamp | None]:
    """Every time column in the time unit; ISO moments counted from ``origin``."""
    roles = [r for r in ("enable", "start", "end") if names[r] in frame.columns]
    raw = {r: frame[names[r]] for r in roles}
    numeric = {r: pd.to_numeric(raw[r], errors="coerce") for r in roles}
    text = {r: raw[r].notna() & (raw[r].astype(str).str.strip() != "") for r in roles}
    given = sum(int(text[r].sum()) for r in roles)
    as_numbers = sum(int((numeric[r].notna() & text[r]).sum()) for r in roles) * 2 >= given
    if as_numbers:  # mostly numbers: a cell that is none is the problem, not the rest
        for r in roles:
            _bad(problems, file, names[r], np.flatnonzero((numeric[r].isna() & text[r])
                                                          .to_numpy()), raw[r],
                 "not a number", "a number in the time unit (the log's times are numbers)")
        return numeric, None
    parsed = {r: pd.to_datetime(raw[r].where(text[r]), errors="coerce", utc=True,
                                format="ISO8601") for r in roles}
    for r in roles:
        _bad(problems, file, names[r], np.flatnonzero((parsed[r].isna() & text[r]).to_numpy()),
             raw[r], "unparsable timestamp", "an ISO 8601 moment or a number")
    if problems:
        return {r: pd.Series(np.nan, index=frame.index) for r in roles}, None
    if origin is None:
        first = min((p.min() for p in parsed.values() if p.notna().any()),
                    default=pd.Timestamp("2000-01-03", tz="UTC"))
        origin = first.normalize() - pd.Timedelta(days=first.weekday())
    elif origin.tzinfo is None:
        origin = origin.tz_localize("UTC")
    seconds = UNIT_SECONDS[unit]
    return {r: (parsed[r] - origin).dt.total_seconds() / seconds for r in roles}, origin


def _bad(problems: list[Problem], file: str, column: str, rows: np.ndarray, raw: pd.Series,
         what: str, expected: str) -> None:
    """One problem per bad cell (the first few), then how many more."""
    for i in rows[:SHOWN]:
        problems.append(Problem(file, f"column {column} (row {i + 2})", what, expected,
                                str(raw.iloc[i])[:40]))
    if len(rows) > SHOWN:
        problems.append(Problem(file, f"column {column}", f"{what} in {len(rows) - SHOWN} more "
                                "rows", expected, "..."))


def _check_rows(visits: pd.DataFrame, names: dict[str, str], file: str,
                problems: list[Problem]) -> None:
    """End before start, a visit enabled after it started, a case with no moment at all."""
    start, end, enable = visits["start"], visits["end"], visits["enable"]
    checks = [
        (end < start, names["end"], "end before start", "an end at or after the start"),
        (start < enable, names["start"], "start before the case reached the step",
         f"a start at or after {names['enable']}"),
        (visits["activity"].isin(["", "nan"]), names["activity"], "no activity",
         "an activity name"),
    ]
    for mask, column, what, expected in checks:
        bad = np.flatnonzero(mask.to_numpy())
        for i in bad[:SHOWN]:
            got = {"end before start": f"end {end.iloc[i]:g} < start {start.iloc[i]:g}",
                   "no activity": "an empty name"}.get(
                what, f"start {start.iloc[i]:g} < {enable.iloc[i]:g}")
            problems.append(Problem(file, f"column {column} (row {i + 2})", what, expected, got))
        if len(bad) > SHOWN:
            problems.append(Problem(file, f"column {column}", f"{what} in {len(bad) - SHOWN} "
                                    "more rows", expected, "..."))
    timed = visits[["enable", "start", "end"]].notna().any(axis=1)
    empty = ~timed.groupby(visits["case"]).any()
    for case in empty[empty].index[:SHOWN]:
        row = int(np.flatnonzero((visits["case"] == case).to_numpy())[0]) + 2
        problems.append(Problem(file, f"column {names['case']} (row {row})",
                                "a case with no events", "a time on at least one of its rows",
                                str(case)))


__all__ = ["COLUMNS", "Log", "read_log"]
