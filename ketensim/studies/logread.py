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

import math
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
    start: float  # the period fitted: from here (--from, or where the log starts) ...
    last: float  # ... to the last moment in the log
    replications: int = 1

    @property
    def period(self) -> float:
        return self.last - self.start


def read_log(path: str | Path, columns: dict[str, str] | None = None, unit: str = "day",
             since: str | None = None) -> Log:
    """Read and check a CSV, Parquet or XES log; every problem is reported at once.

    Args:
        path: the log file (``.csv``, ``.parquet``, ``.xes`` or ``.xes.gz``).
        columns: column names by role where they differ from the defaults
            (:data:`COLUMNS`, the columns of ketensim's own ``events.csv``).
        unit: the time unit of the scenario to fit (and of numeric times).
        since: where the period starts (``--from``): a date for a log with timestamps
            (time 0 is then the Monday at or before it), a number for a log in numbers.
            Default: the log's first moment, or 0 for a log in numbers.

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
    times, origin, start = _times(frame, names, file, unit, since, problems)
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
    return Log(visits, file, unit, origin, start, float(np.nanmax(moments)),
               int(visits["replication"].nunique()))


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
           since: str | None, problems: list[Problem]
           ) -> tuple[dict[str, pd.Series], pd.Timestamp | None, float]:
    """Every time column in the time unit, the calendar moment of 0 and the period's start.

    Moments are counted from a Monday at midnight (day 0 of a calendar): the
    one at or before ``since``, else before the log's first moment.
    """
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
        start = _number_since(since, file, problems)
        return numeric, None, start
    parsed = {r: pd.to_datetime(raw[r].where(text[r]), errors="coerce", utc=True,
                                format="ISO8601") for r in roles}
    for r in roles:
        _bad(problems, file, names[r], np.flatnonzero((parsed[r].isna() & text[r]).to_numpy()),
             raw[r], "unparsable timestamp", "an ISO 8601 moment or a number")
    first = min((p.min() for p in parsed.values() if p.notna().any()),
                default=pd.Timestamp("2000-01-03", tz="UTC"))
    moment = first if since is None else _date_since(since, file, problems)
    if problems or moment is None:
        return {r: pd.Series(np.nan, index=frame.index) for r in roles}, None, 0.0
    origin = moment.normalize() - pd.Timedelta(days=moment.weekday())
    seconds = UNIT_SECONDS[unit]
    return ({r: (parsed[r] - origin).dt.total_seconds() / seconds for r in roles}, origin,
            (moment - origin).total_seconds() / seconds)


def _number_since(since: str | None, file: str, problems: list[Problem]) -> float:
    if since is None:
        return 0.0
    try:
        value = float(since)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(Problem(file, "--from", "the log's times are numbers",
                                "a number in the time unit", since))
        return 0.0
    return value


def _date_since(since: str, file: str, problems: list[Problem]) -> pd.Timestamp | None:
    try:
        moment = pd.Timestamp(since)
    except ValueError:
        moment = None
    if moment is None or pd.isna(moment):
        problems.append(Problem(file, "--from", "not a date", "a date YYYY-MM-DD", since))
        return None
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment


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
