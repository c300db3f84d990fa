"""A scenario from a partner's published stocks and flows, and its back-test.

Partners publish what they count: cases that came in, cases finished, the
stock at the start and end of a year, sometimes a lead time, staff and norm
hours. That is enough for a first model of a chain, if each figure is read
for what it says: a stock that grows means the step ran at full capacity, so
its output *is* its capacity; Little's law (stock = output x lead time) gives
the time a case spends at a step where no lead time is published; staff and
norm hours give capacity and work directly. The fit writes every derived value
into the scenario with a comment saying what it came from, and the back-test
runs the scenario over the same period and sets simulated beside published,
so a user sees at once whether the model reproduces the year before asking it
a what-if.

The table (CSV, comma or semicolon, one row per step, one period for all):

=================  ========  ===============================================
column             needed    meaning
=================  ========  ===============================================
step               yes       the step's id (a-z, 0-9, _ and -)
partner            yes       the partner's id
start, end         yes       the period, in the time unit (e.g. 0 and 365)
inflow             yes       cases that arrived at the step in the period
output             yes       cases the step finished in the period
stock_start        yes       open cases at the step at the start (waiting + in handling)
stock_end          yes       open cases at the step at the end
lead_time          no        mean time a case spends at the step (time unit)
staff              no        staff working on the step (FTE)
hours_per_case     no        working hours a case takes (norm hours)
hours_per_staff    no        productive hours one FTE gives per time unit
next               no        where finished cases go: ``exit`` (default), a step
                             id, or shares ``b:0.7 exit:0.3``
label              no        the step's name for people
=================  ========  ===============================================
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ketensim.errors import Problem, ScenarioError, show
from ketensim.studies import aggregate_periods

REQUIRED = ("step", "partner", "start", "end", "inflow", "output", "stock_start", "stock_end")
OPTIONAL = ("lead_time", "staff", "hours_per_case", "hours_per_staff", "next", "label")
NUMBERS = ("start", "end", "inflow", "output", "stock_start", "stock_end", "lead_time", "staff",
           "hours_per_case", "hours_per_staff")
TARGET = 0.85  # utilisation assumed for a step that kept up, where nothing says how busy it was
BALANCE = 0.10  # stock_end may differ this share of the flows from start + inflow - output
GROWING = 0.05  # a stock that grows by more than this share of the inflow means a full step
TOLERANCE = 0.10  # the back-test's "within": published and simulated differ at most 10%
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SHARE = re.compile(r"(?P<to>[^:\s]+)(?::(?P<p>[^\s]+))?")


@dataclass(frozen=True)
class StepFigures:
    """One row of the table: what a partner published for one step."""

    step: str
    partner: str
    start: float
    end: float
    inflow: float
    output: float
    stock_start: float
    stock_end: float
    lead_time: float | None = None
    staff: float | None = None
    hours_per_case: float | None = None
    hours_per_staff: float | None = None
    next: tuple[tuple[str, float], ...] = (("exit", 1.0),)
    label: str = ""

    @property
    def period(self) -> float:
        return self.end - self.start

    @property
    def saturated(self) -> bool:
        """The stock grew: more came in than the step could finish, so it ran at capacity."""
        return self.stock_end - self.stock_start > GROWING * max(self.inflow, 1.0)


@dataclass(frozen=True)
class Derived:
    """What the fit made of one step, each value with the words saying where it came from."""

    step: str
    capacity: int
    service: float
    arrival_rate: float
    queue: int
    in_service: int
    notes: dict[str, str] = field(default_factory=dict)


# -- reading the table ------------------------------------------------------------------


def read_table(path: str | Path) -> list[StepFigures]:
    """Read and check an aggregates table; every problem is reported at once.

    Raises:
        ScenarioError: one problem per bad cell, missing column, duplicate step,
            unknown destination or a stock that does not add up.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(file, "file", "cannot be read as UTF-8 text",
                                   "a CSV file", type(exc).__name__) from None
    rows = _rows(text, file)
    problems: list[Problem] = []
    figures = [f for n, row in enumerate(rows, start=2)
               if (f := _row(row, n, file, problems)) is not None]
    if not problems:
        problems += _consistency(figures, file)
    if problems:
        raise ScenarioError(problems)
    return figures


def _rows(text: str, file: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ScenarioError.single(file, "header", "the table is empty",
                                   f"a header with {', '.join(REQUIRED)}", "<empty>")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScenarioError([Problem(file, f"column {c}", "is missing",
                                     f"the columns {', '.join(REQUIRED)}",
                                     show(", ".join(header))) for c in missing])
    rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    if not rows:
        raise ScenarioError.single(file, "rows", "the table has no steps",
                                   "one row per step", "<only a header>")
    return rows


def _row(row: dict[str, str], n: int, file: str, problems: list[Problem]
         ) -> StepFigures | None:
    before = len(problems)

    def bad(column: str, what: str, expected: str, got: str) -> None:
        problems.append(Problem(file, f"column {column} (row {n})", what, expected, show(got)))

    values: dict[str, Any] = {}
    for column in ("step", "partner"):
        if not _ID.fullmatch(row.get(column, "")):
            bad(column, "is not an id", "a-z, 0-9, _ and -, starting with a letter or digit",
                row.get(column, ""))
        values[column] = row.get(column, "")
    if values["step"] == "exit":
        bad("step", "is the name of the way out", "another id", "exit")
    for column in NUMBERS:
        raw = row.get(column, "")
        if raw == "":
            if column in REQUIRED:
                bad(column, "is empty", "a number", raw)
            continue
        try:
            number = float(raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw
                           else raw)
        except ValueError:
            bad(column, "is not a number", "a number", raw)
            continue
        if not math.isfinite(number) or number < 0:
            bad(column, "must be a finite number >= 0", "a number >= 0", raw)
            continue
        values[column] = number
    if "start" in values and "end" in values and values["end"] <= values["start"]:
        bad("end", "is not after start", f"a number above {values['start']:g}", row["end"])
    for column in ("staff", "hours_per_case", "hours_per_staff", "lead_time"):
        if values.get(column) == 0:
            bad(column, "is 0", "a number above 0, or an empty cell", row[column])
    if ("hours_per_case" in values) != ("hours_per_staff" in values):
        given = "hours_per_case" if "hours_per_case" in values else "hours_per_staff"
        other = "hours_per_staff" if given == "hours_per_case" else "hours_per_case"
        bad(other, f"is needed with {given}", "both hours_per_case and hours_per_staff",
            row.get(other, ""))
    nxt = _next(row.get("next", ""), n, file, problems)
    if len(problems) > before:
        return None
    return StepFigures(**values, next=nxt, label=row.get("label", ""))


def _next(raw: str, n: int, file: str, problems: list[Problem]) -> tuple[tuple[str, float], ...]:
    if raw in ("", "exit"):
        return (("exit", 1.0),)
    parts = raw.replace(";", " ").split() if ":" in raw else [raw]  # shares may use 0,7
    out = []
    for part in parts:
        found = _SHARE.fullmatch(part)
        try:
            share = float(found["p"].replace(",", ".")) if found and found["p"] else (
                1.0 if len(parts) == 1 else math.nan)
        except ValueError:
            share = math.nan
        if not found or not (0 < share <= 1) or not (found["to"] == "exit"
                                                      or _ID.fullmatch(found["to"])):
            problems.append(Problem(file, f"column next (row {n})", "is not a destination",
                                    "exit, a step id, or shares such as b:0.7 exit:0.3",
                                    show(raw)))
            return ()
        out.append((found["to"], share))
    if abs(sum(p for _, p in out) - 1.0) > 0.01:
        problems.append(Problem(file, f"column next (row {n})", "shares do not add up to 1",
                                "shares summing to 1", show(raw)))
    return tuple(out)


def _consistency(figures: Sequence[StepFigures], file: str) -> list[Problem]:
    """Problems across rows: duplicates, periods, known destinations, stocks that add up."""
    problems = []
    seen: dict[tuple[str, float], int] = {}
    for n, f in enumerate(figures, start=2):
        where = f"(row {n})"
        if (f.step, f.start) in seen:
            problems.append(Problem(file, f"column step {where}", "appears twice",
                                    "one row per step and period (first in row "
                                    f"{seen[f.step, f.start]})", show(f.step)))
        seen.setdefault((f.step, f.start), n)
        for to, _ in f.next:
            if to != "exit" and to not in {g.step for g in figures}:
                problems.append(Problem(file, f"column next {where}", "names no step of the table",
                                        "exit or a step in the column step", show(to)))
        balance = f.stock_start + f.inflow - f.output
        if abs(balance - f.stock_end) > BALANCE * max(f.inflow, f.stock_end, f.stock_start, 1.0):
            problems.append(Problem(
                file, f"column stock_end {where}",
                "does not add up: stock_start + inflow - output gives "
                f"{balance:g}", f"within {100 * BALANCE:g}% of {balance:g}", f"{f.stock_end:g}"))
        if f.output <= 0 and f.lead_time is None and f.hours_per_case is None:
            problems.append(Problem(file, f"column output {where}", "is 0, so nothing says how "
                                    "long a case takes", "a number above 0, or a lead_time or "
                                    "hours_per_case", "0"))
        if f.saturated and f.staff is None and f.hours_per_case is None:
            problems.append(Problem(
                file, f"column staff {where}", "is needed: the stock grew, so the output is the "
                "step's capacity, but not how it splits over staff and time per case",
                "the staff (FTE), or hours_per_case and hours_per_staff", "<empty>"))
    problems += aggregate_periods.problems(figures, file)
    for period in aggregate_periods.split(figures):
        problems += _upstream_problems(period, file)
    return problems


def _upstream_problems(figures: Sequence[StepFigures], file: str) -> list[Problem]:
    fed = _fed(figures)
    out = []
    for f in figures:
        if fed.get(f.step, 0.0) > (1 + BALANCE) * f.inflow + 1.0:
            out.append(Problem(file, f"column inflow ({f.step}, {f.start:g} to {f.end:g})",
                               "is less than the steps "
                               "before it send on", f"at least {fed[f.step]:g} (their output "
                               "times the share to this step)", f"{f.inflow:g}"))
    return out


def _fed(figures: Sequence[StepFigures]) -> dict[str, float]:
    """Cases each step receives from the steps before it in the period."""
    fed: dict[str, float] = {}
    for f in figures:
        for to, share in f.next:
            if to != "exit":
                fed[to] = fed.get(to, 0.0) + f.output * share
    return fed


# -- deriving the scenario -------------------------------------------------------------------


def derive(figures: Sequence[StepFigures], unit: str = "day") -> list[Derived]:
    """Arrival rates, capacity, work per case and the werkvoorraad at start, step by step
    (from the first period; :func:`scenario_text` adds what later periods change)."""
    figures = aggregate_periods.split(figures)[0]
    fed = _fed(figures)
    out = []
    for f in figures:
        t = f.period
        notes: dict[str, str] = {}
        rate_in, rate_out = f.inflow / t, f.output / t
        stock = (f.stock_start + f.stock_end) / 2
        lead = f.lead_time if f.lead_time is not None else (stock / rate_out if rate_out else 0.0)
        lead_note = (f"published lead time {lead:.4g}" if f.lead_time is not None else
                     f"Little: mean stock {stock:.6g} / output {rate_out:.4g} per {unit} = "
                     f"{lead:.4g}")
        if f.hours_per_case is not None and f.hours_per_staff is not None:
            service = f.hours_per_case / f.hours_per_staff
            notes["service"] = (f"{f.hours_per_case:g} hours per case / {f.hours_per_staff:g} "
                                f"productive hours per FTE per {unit}")
            if f.staff is not None:
                capacity, notes["capacity"] = round(f.staff), f"published staff {f.staff:g} FTE"
            elif f.saturated:
                capacity = max(1, round(rate_out * service))
                notes["capacity"] = (f"the stock grew, so the output ({rate_out:.4g} per {unit})"
                                     f" is the capacity: output x work per case")
            else:
                capacity = max(1, math.ceil(rate_in * service / TARGET))
                notes["capacity"] = (f"kept up: inflow x work per case at {TARGET:.0%} "
                                     "utilisation (estimate)")
        elif f.staff is not None:
            capacity, notes["capacity"] = max(1, round(f.staff)), f"published staff {f.staff:g} FTE"
            if f.saturated:
                service = f.staff / rate_out
                notes["service"] = (f"the stock grew, so the output ({rate_out:.4g} per {unit}) "
                                    "is the capacity: staff / output")
            elif rate_in * lead < f.staff:
                service, notes["service"] = lead, f"kept up: the time at the step ({lead_note})"
            else:
                service = f.staff * TARGET / rate_in
                notes["service"] = (f"kept up: staff at {TARGET:.0%} utilisation / inflow "
                                    "(estimate)")
        else:  # kept up, nothing on staff: one server = one case, the whole time at the step
            service = lead
            notes["service"] = f"the time at the step ({lead_note}), one case per place"
            capacity = max(1, math.ceil(rate_in * service / TARGET))
            notes["capacity"] = (f"places for inflow x time at the step at {TARGET:.0%} "
                                 "utilisation (estimate)")
        external = f.inflow - fed.get(f.step, 0.0)
        if external <= GROWING * f.inflow:
            external = 0.0
        notes["arrival"] = (f"inflow {f.inflow:g} - {fed.get(f.step, 0.0):g} from the steps "
                            f"before it, over {t:g} {unit}s")
        in_service = int(min(capacity, round(f.stock_start)))
        out.append(Derived(f.step, int(capacity), float(service), external / t,
                           round(f.stock_start) - in_service, in_service, notes))
    return out


def scenario_text(figures: Sequence[StepFigures], derived: Sequence[Derived], name: str,
                  source: str, unit: str = "day") -> str:
    """The scenario file: every derived value with a comment saying where it came from.

    Later periods of the table become an arrival schedule and capacity (and service) events
    from their start on, each commented like the first period's values.
    """
    periods = aggregate_periods.split(figures)
    first = periods[0]
    later = aggregate_periods.changes(periods, unit)
    span = periods[-1][0].end - first[0].start
    lines = [
        f"# Derived by ketensim fit --aggregates from {source}.",
        "# Each value says what it came from; replace an estimate by a published figure where",
        "# you have one, and run the back-test again (ketensim fit --aggregates ... --report).",
        "",
        "[scenario]",
        f"name = {_q(name)}",
        f"title = {_q('Gefit uit ' + Path(source).name)}",
        f"time_unit = {_q(unit)}",
        f"horizon = {_num(span)}               # the published period"
        + ("s" if len(periods) > 1 else ""),
        "warmup = 0                   # the period starts from the published stock",
        "replications = 10",
        "seed = 1",
    ]
    for pid in dict.fromkeys(f.partner for f in first):
        lines += ["", "[[partner]]", f"id = {_q(pid)}"]
    for f, d in zip(first, derived, strict=True):
        lines += ["", "[[step]]", f"id = {_q(f.step)}"]
        if f.label:
            lines.append(f"name = {_q(f.label)}")
        lines += [
            f"partner = {_q(f.partner)}",
            f"capacity = {d.capacity}   # {d.notes['capacity']}",
            f'service = {{ dist = "exponential", mean = {_num(d.service)} }}   # '
            f"{d.notes['service']}; exponential: nothing published on the spread",
        ]
        if d.queue or d.in_service:
            lines.append(f"backlog = {{ queue = {d.queue}, in_service = {d.in_service} }}   "
                         f"# published stock at the start: {f.stock_start:g}")
        routes = ", ".join(
            f"{{ to = {_q(to)}, p = {_num(p)}" + (', outcome = "done"' if to == "exit" else "")
            + " }" for to, p in f.next)
        lines.append(f"routes = [{routes}]")
    for f, d in zip(first, derived, strict=True):
        steps = later.get(f.step, [])
        if d.arrival_rate > 0 or any(c.arrival_rate > 0 for _, c in steps):
            lines += ["", "[[arrival]]", f"id = {_q('in_' + f.step)}", f"to = {_q(f.step)}",
                      f"rate = {_num(d.arrival_rate)}   # {d.notes['arrival']}"]
            if steps:
                lines.append("schedule = [")
                lines += [f"  {{ from = {_num(t)}, rate = {_num(c.arrival_rate)} }},   "
                          f"# {c.notes['arrival']}" for t, c in steps]
                lines.append("]")
    lines += aggregate_periods.event_lines(first, derived, later, _num, _q)
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _num(x: float) -> str:
    return repr(round(float(x), 6)) if not float(x).is_integer() else str(int(x))


# -- the back-test -------------------------------------------------------------------------


BACKTEST_COLUMNS = ("step", "kpi", "observed", "simulated", "ci_low", "ci_high", "period")


def backtest(results: Any, figures: Sequence[StepFigures]) -> pd.DataFrame:
    """Published beside simulated, per period and step: output, stock at the end and time
    at the step (the published lead time, or Little's law on the published stock and output;
    simulated: the mean stock over the output, per replication)."""
    return aggregate_periods.backtest(results, aggregate_periods.split(figures),
                                      BACKTEST_COLUMNS)


def within(row: pd.Series, tolerance: float = TOLERANCE) -> bool:
    """True when the simulated mean lies within ``tolerance`` of the published figure (or
    within one case or time unit of it, for small figures)."""
    observed, simulated = float(row["observed"]), float(row["simulated"])
    if not (math.isfinite(observed) and math.isfinite(simulated)):
        return False
    return abs(simulated - observed) <= max(tolerance * abs(observed), 1.0)
