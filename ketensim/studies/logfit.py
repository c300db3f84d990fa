"""A scenario fitted from an event log: steps, arrivals, routes, handling times, capacity.

Each value is read from the log the way a chain analyst would, and written
into the scenario with a comment saying what it came from:

- steps are the log's activities, their partner the partner column's most
  frequent value (one partner ``keten`` where the log names none);
- arrivals are first visits from the period's start on, per entry step and
  case type, as a Poisson rate; a season over the months where a year's
  log shows one, and factors per weekday where a log with timestamps does
  (chi-square tests against an even spread);
- routes are the order of each case's visits: the share of visits at a step
  followed by a visit to each next step, or by the case leaving with its
  outcome (visits after which the log stops without an outcome are cases
  still under way, not exits); a route back is a rework loop;
- handling time is end minus start, fitted by maximum likelihood as
  exponential, gamma or lognormal (scipy) and chosen by AIC (the exponential
  unless another is at least 2 lower), with the
  Kolmogorov-Smirnov distance as goodness of fit; nearly constant times
  become deterministic;
- capacity is the number of distinct resources at the step where the log
  names them, else the most visits in handling at one moment (the observed
  concurrency: a lower bound where the step never had a queue);
- a working calendar where nearly every start falls in office hours on
  weekdays (timestamps only);
- the cases open at the period's start (``--from``) are the werkvoorraad,
  waiting ones with their ages (a CSV file beside the scenario).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ketensim.studies.logread import UNIT_SECONDS, Log

FIT_AT_MOST = 100_000  # handling times fitted per step at most (an even sample beyond)
OFFICE_SHARE = 0.97  # starts within office hours that make a working calendar
SEASON_P = 0.001  # a monthly spread this unlikely under an even rate makes a season
DETERMINISTIC_CV = 0.02
SIMPLER = 2.0  # an AIC this much lower is needed to prefer a two-parameter family


@dataclass
class StepFit:
    id: str
    partner: str
    capacity: int
    capacity_note: str
    service: dict[str, Any]
    service_note: str
    routes: list[tuple[str, float, str]]  # (to, p, outcome) - to "exit" with an outcome
    routes_note: str
    calendar: str | None = None
    calendar_note: str = ""
    queue_ages: list[tuple[float, str]] = field(default_factory=list)  # waiting at the start
    in_service: int = 0


@dataclass
class Arrival:
    step: str
    case_type: str
    rate: float
    note: str
    season: list[float] | None = None
    change: tuple[float, float, str] | None = None  # from, rate after, why
    week: list[float] | None = None  # Monday to Sunday


@dataclass
class LogFit:
    steps: list[StepFit]
    arrivals: list[Arrival]
    calendars: dict[str, tuple[float, float, list[int]]]  # id: start_hour, hours, weekdays
    start: float  # the period fitted: from start to end, in the time unit
    end: float
    notes: list[str] = field(default_factory=list)


def fit(log: Log) -> LogFit:
    """Fit every part of a scenario from the log, over its period (``log.start`` on)."""
    v = log.visits.sort_values(["case", "enable", "start"], kind="stable").reset_index(drop=True)
    t0 = log.start
    t1 = log.last
    order = list(dict.fromkeys(v.sort_values("enable", kind="stable")["activity"]))
    seed = _werkvoorraad(v, t0, log.origin is None)
    steps = []
    calendars: dict[str, tuple[float, float, list[int]]] = {}
    for act in order:
        mine = v[v["activity"] == act]
        capacity, cap_note = _capacity(mine, log.replications)
        service, service_note = fit_service((mine["end"] - mine["start"]).dropna().to_numpy())
        cal = _calendar(mine, log) if log.origin is not None else None
        step = StepFit(act, _partner(mine), capacity, cap_note, service, service_note,
                       *_routes(v, act, t0))
        if cal is not None:
            key = f"kantoor-{_clock(cal[0])}-{_clock(cal[0] + cal[1])}".replace(":", "")
            calendars[key] = cal[:3]
            step.calendar, step.calendar_note = key, cal[3]
        ages, busy = seed.get(act, ([], 0))
        step.queue_ages, step.in_service = ages, min(busy, capacity)
        if busy > capacity:  # more in handling than the capacity seen: the rest wait
            step.queue_ages = [(0.0, ages[0][1] if ages else "case")] * (busy - capacity) + ages
        steps.append(step)
    arrivals = _arrivals(v, t0, t1, log)
    return LogFit(steps, arrivals, calendars, t0, t1)


# -- handling times ------------------------------------------------------------------------


def fit_service(d: np.ndarray) -> tuple[dict[str, Any], str]:
    """The handling-time distribution that fits best by AIC, and how it was chosen."""
    d = np.asarray(d, dtype=float)
    d = d[np.isfinite(d) & (d >= 0)]
    n = d.size
    if n == 0:
        return {"dist": "exponential", "mean": 1.0}, "no finished visit in the log: an assumption"
    mean = float(d.mean())
    if n < 3 or mean <= 0 or float(d.std()) / mean < DETERMINISTIC_CV:
        return {"dist": "deterministic", "mean": max(mean, 1e-9)}, \
            f"mean of {n} handling times, all (nearly) the same"
    x = d[d > 0]
    if x.size > FIT_AT_MOST:
        x = np.sort(x)[np.linspace(0, x.size - 1, FIT_AT_MOST).astype(int)]
    frozen = {
        "exponential": stats.expon(scale=float(x.mean())),
        "gamma": stats.gamma(*_fixed(stats.gamma.fit(x, floc=0))),
        "lognormal": stats.lognorm(*_fixed(stats.lognorm.fit(x, floc=0))),
    }
    params = {"exponential": 1, "gamma": 2, "lognormal": 2}
    aic = {k: 2 * params[k] - 2 * float(np.sum(f.logpdf(x))) for k, f in frozen.items()}
    best = min(aic, key=lambda k: aic[k])
    if aic["exponential"] - aic[best] < SIMPLER:
        best = "exponential"  # one parameter fewer and no worse: the simpler family
    f = frozen[best]
    ks = float(stats.kstest(x, f.cdf).statistic)
    spec: dict[str, Any] = {"dist": best, "mean": float(f.mean())}
    if best != "exponential":
        spec["cv"] = float(f.std() / f.mean())
    others = ", ".join(f"{k} {aic[k] - aic[best]:+.1f}" for k in aic if k != best)
    sample = f" (an even sample of {x.size:,})" if x.size < n - np.sum(d == 0) else ""
    return spec, (f"{n:,} handling times{sample}, maximum likelihood, lowest AIC "
                  f"(others: {others}); KS distance {ks:.3f}")


def _fixed(params: tuple[float, ...]) -> tuple[float, ...]:
    shape, _loc, scale = params
    return shape, 0.0, scale


# -- capacity, partner, calendar -----------------------------------------------------------


def _capacity(mine: pd.DataFrame, replications: int) -> tuple[int, str]:
    resources = mine["resource"][mine["resource"] != ""]
    if len(resources):
        n = int(resources.nunique())
        return n, f"{n} distinct resources in the log's {len(resources):,} visits"
    peak = 0
    for _, rep in mine.groupby("replication"):
        s = rep["start"].dropna().to_numpy()
        e = rep["end"].to_numpy()[rep["start"].notna().to_numpy()]
        e = np.where(np.isnan(e), np.inf, e)
        moments = np.concatenate([s, e])
        change = np.concatenate([np.ones(s.size), -np.ones(e.size)])
        at = np.lexsort((change, moments))  # an end before a start at one moment
        peak = max(peak, int(np.cumsum(change[at]).max()) if at.size else 0)
    over = f" over {replications} replications" if replications > 1 else ""
    return max(peak, 1), (f"observed concurrency: at most {peak} visits in handling at one "
                          f"moment{over} (no resource column; a lower bound if it never queued)")


def _partner(mine: pd.DataFrame) -> str:
    named = mine["partner"][mine["partner"] != ""]
    return str(named.mode().iloc[0]) if len(named) else "keten"


def _calendar(mine: pd.DataFrame, log: Log) -> tuple[float, float, list[int], str] | None:
    """Office hours where nearly every start falls in them: start hour, hours, weekdays."""
    if log.unit == "week":
        return None
    s = mine["start"].dropna().to_numpy() * UNIT_SECONDS[log.unit] / 3600.0  # hours from Monday
    if s.size < 20:
        return None
    hour = s % 24.0
    day = (np.floor(s / 24.0) % 7).astype(int)
    # to the half hour: offices open at 8:30 as often as at 8:00
    lo = math.floor(2 * float(np.quantile(hour, 0.005))) / 2
    hi = math.ceil(2 * float(np.quantile(hour, 0.995))) / 2
    weekdays = sorted({int(d) + 1 for d in np.unique(day) if np.mean(day == d) > 0.01})
    inside = np.mean((hour >= lo) & (hour < hi) & np.isin(day + 1, weekdays))
    if hi - lo > 14 or inside < OFFICE_SHARE or (hi - lo >= 24 and len(weekdays) == 7):
        return None
    note = (f"{inside:.1%} of {s.size:,} starts fall on days {weekdays} between "
            f"{_clock(lo)} and {_clock(hi)}")
    return float(lo), float(hi - lo), weekdays, note


def _clock(hour: float) -> str:
    return f"{int(hour)}:{round(60 * (hour % 1)):02d}"


# -- routes --------------------------------------------------------------------------------


def _routes(v: pd.DataFrame, act: str, t0: float) -> tuple[list[tuple[str, float, str]], str]:
    nxt = v["activity"].shift(-1).where(v["case"].shift(-1) == v["case"])
    mine = (v["activity"] == act) & v["end"].notna() & (v["end"] >= t0)
    to = nxt[mine]
    leaving = to.isna()
    has_outcome = (v["outcome"] != "").any()
    outcome = v["outcome"][mine][leaving].replace("", np.nan if has_outcome else "done")
    counts = to.dropna().value_counts().sort_index()
    exits = outcome.dropna().value_counts().sort_index()
    total = int(counts.sum() + exits.sum())
    if total == 0:
        return [("exit", 1.0, "done")], "no finished visit with a known next step: all leave"
    routes = [(str(k), n / total, "") for k, n in counts.items()] + \
             [("exit", n / total, str(k)) for k, n in exits.items()]
    unknown = int(leaving.sum() - exits.sum())
    back = [k for k in counts.index if k == act]
    note = f"{total:,} finished visits and where each case went next"
    if unknown:
        note += f"; {unknown:,} cases still under way at the end of the log left out"
    if back:
        note += "; a route back to this step is rework"
    return routes, note


# -- arrivals and the werkvoorraad ----------------------------------------------------------


def _firsts(v: pd.DataFrame) -> pd.DataFrame:
    return v.groupby("case", sort=False).head(1)


def _arrivals(v: pd.DataFrame, t0: float, t1: float, log: Log) -> list[Arrival]:
    first = _firsts(v)
    new = first[(first["enable"] >= t0) & ~_open_at(first, t0, log.origin is None)]
    span = (t1 - t0) * log.replications
    out = []
    for (act, ctype), group in new.groupby(["activity", "case_type"], sort=True):
        n = len(group)
        t = group["enable"].to_numpy()
        season, note = _season(t, t0, t1, log)
        week, week_note = _week(t, t0, t1, log)
        note = week_note or note
        change = None if season is not None else _change(t, t0, t1, log.replications)
        before = n if change is None else int(np.count_nonzero(t < change[0]))
        until = t1 if change is None else change[0]
        rate = before / ((until - t0) * log.replications) if span > 0 else 0.0
        out.append(Arrival(str(act), str(ctype) or "case", rate,
                           f"{before:,} cases entering here over {until - t0:g} {log.unit}s"
                           + (f" x {log.replications} replications" if log.replications > 1
                              else "") + f": Poisson rate{note}", season, change, week))
    return out


def _week(t: np.ndarray, t0: float, t1: float, log: Log) -> tuple[list[float] | None, str]:
    """Factors per weekday where the log shows a weekly pattern (timestamps, two weeks or more).

    Each weekday's count over the number of such days in the period (a part
    day counts in part), against one rate for all days: a chi-square test.
    """
    per_day = UNIT_SECONDS[log.unit] / 86_400.0  # days per time unit
    days = (t1 - t0) * per_day
    if log.origin is None or log.unit == "week" or days < 14 or t.size < 100:
        return None, ""
    day = (np.floor(t * per_day) % 7).astype(int)  # time 0 is a Monday
    counts = np.bincount(day, minlength=7).astype(float)
    exposure = np.zeros(7)
    first, last = t0 * per_day, t1 * per_day
    for k in range(math.floor(first), math.ceil(last)):
        exposure[k % 7] += min(k + 1, last) - max(k, first)
    expected = counts.sum() * exposure / exposure.sum()
    p = float(stats.chisquare(counts, expected).pvalue)
    if p >= SEASON_P:
        return None, ""
    factors = (counts / exposure) / (counts.sum() / exposure.sum())
    weekdays = float(counts[:5].sum() / counts.sum())
    return [round(float(f), 3) for f in factors], (
        f"; a weekly pattern ({weekdays:.0%} on weekdays; chi-square p = {p:.1g})")


CHANGE_LR = 25.0  # a likelihood ratio this large (of a Poisson rate that steps once) is a change


def _change(t: np.ndarray, t0: float, t1: float, reps: int) -> tuple[float, float, str] | None:
    """One step in the arrival rate, where the log shows one (a likelihood-ratio scan).

    The rate before and after every candidate moment is the count over the
    time; the best split's log-likelihood ratio against one rate over the
    whole period decides. A change of under 5% is not worth a schedule.
    """
    n = t.size
    if n < 100 or t1 <= t0:
        return None
    t = np.sort(t)
    grid = np.linspace(t0, t1, 202)[1:-1]
    k = np.searchsorted(t, grid)
    a, b = (grid - t0) * reps, (t1 - grid) * reps
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = (np.where(k > 0, k * np.log(k / a), 0.0)
              + np.where(n - k > 0, (n - k) * np.log((n - k) / b), 0.0)
              - n * np.log(n / ((t1 - t0) * reps)))
    best = int(np.nanargmax(ll))
    lr = 2.0 * float(ll[best])
    before, after = k[best] / a[best], (n - k[best]) / b[best]
    if lr < CHANGE_LR or abs(after / before - 1.0) < 0.05:
        return None
    return float(grid[best]), float(after), (
        f"{n - int(k[best]):,} cases from then on: the rate steps here (likelihood ratio "
        f"{lr:.0f} against one rate over the period)")


def _season(t: np.ndarray, t0: float, t1: float, log: Log) -> tuple[list[float] | None, str]:
    days = (t1 - t0) * UNIT_SECONDS[log.unit] / 86_400.0
    note = ""
    if days < 360 or t.size < 120:
        return None, note
    month_days = 365.25 / 12
    month = np.floor((t - t0) * UNIT_SECONDS[log.unit] / 86_400.0 / month_days).astype(int)
    counts = np.bincount(month % 12, minlength=12)[:12].astype(float)
    exposure = np.zeros(12)  # days of the period in each month of the year (a part year too)
    for m in range(math.ceil(days / month_days)):
        exposure[m % 12] += min(month_days, days - m * month_days)
    expected = counts.sum() * exposure / exposure.sum()
    p = float(stats.chisquare(counts, expected).pvalue)
    if p >= SEASON_P:
        return None, note
    factors = (counts / exposure) / (counts.sum() / exposure.sum())
    return [round(float(f), 3) for f in factors], \
        f"{note}; a season over the months (chi-square p = {p:.1g})"


def _open_at(first: pd.DataFrame, t0: float, seeded: bool) -> pd.Series:
    """Visits open at ``t0``: reached before it and not finished by then.

    In a log in numbers (``seeded``), a visit reached and started exactly at
    ``t0`` is a case in handling at the start, as ketensim's own logs write
    the werkvoorraad in service at time 0.
    """
    reached = (first["enable"] < t0) | (first["start"] < t0)
    if seeded:
        reached |= (first["start"] == t0) & (first["enable"] == t0)
    return reached & ~(first["end"] <= t0)


def _werkvoorraad(v: pd.DataFrame, t0: float, seeded: bool
                  ) -> dict[str, tuple[list[tuple[float, str]], int]]:
    """Per step the cases open at ``t0`` (first replication): waiting with ages, in handling."""
    rep = v[v["replication"] == v["replication"].min()]
    open_ = rep[_open_at(rep, t0, seeded)]
    out: dict[str, tuple[list[tuple[float, str]], int]] = {}
    for act, group in open_.groupby("activity", sort=False):
        busy = (group["start"] < t0) | ((group["start"] == t0) & (group["enable"] == t0))
        waiting = group[~busy].sort_values("enable", kind="stable")
        ages = [(float(t0 - e), str(c) or "case")
                for e, c in zip(waiting["enable"], waiting["case_type"], strict=True)]
        out[str(act)] = (ages, int(busy.sum()))
    return out


# -- the scenario file ---------------------------------------------------------------------


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def num(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:.6g}"


__all__ = ["LogFit", "StepFit", "fit", "fit_service", "num", "q"]
