"""The fitted scenario as a TOML file: every value with a comment saying what it came from."""

from __future__ import annotations

from pathlib import Path

from ketensim.studies.logfit import LogFit, StepFit, num, q


def scenario_text(fitted: LogFit, name: str, source: str, unit: str,
                  start_date: str | None, backlog_files: dict[str, str]) -> str:
    """The scenario file of a fit; ``backlog_files`` names each step's werkvoorraad file."""
    span = fitted.end
    lines = [
        f"# Fitted by ketensim fit from the event log {Path(source).name}.",
        "# Each value says what it was fitted from; check the fit with --report DIR, and",
        "# replace a value by a better one where you know it.",
        "",
        "[scenario]",
        f"name = {q(name)}",
        f"title = {q('Gefit uit ' + Path(source).name)}",
        f"time_unit = {q(unit)}",
        f"horizon = {num(span)}   # the log's period ends here",
        "warmup = 0   # the period starts from the cases open at its start",
        "replications = 10",
        "seed = 1",
    ]
    if start_date is not None:
        lines.append(f"start_date = {q(start_date)}   # time 0 (a Monday: day 0 of a calendar)")
    for key, (start_hour, hours, weekdays) in fitted.calendars.items():
        lines += ["", "[[calendar]]", f"id = {q(key)}", f"start_hour = {num(start_hour)}",
                  f"hours = {num(hours)}", f"weekdays = {weekdays}"]
    for pid in dict.fromkeys(s.partner for s in fitted.steps):
        lines += ["", "[[partner]]", f"id = {q(pid)}"]
    for step in fitted.steps:
        lines += _step_lines(step, backlog_files.get(step.id))
    for a in fitted.arrivals:
        lines += ["", "[[arrival]]", f"id = {q(_arrival_id(a.step, a.case_type))}",
                  f"to = {q(a.step)}", f"case_type = {q(a.case_type)}"]
        schedule = []
        if fitted.start > 0:
            lines.append(f"rate = 0   # nothing enters before the period starts, at "
                         f"{num(fitted.start)}")
            schedule.append(f"  {{ from = {num(fitted.start)}, rate = {num(a.rate)} }},   "
                            f"# {a.note}")
        else:
            lines.append(f"rate = {num(a.rate)}   # {a.note}")
        if a.change is not None:
            schedule.append(f"  {{ from = {num(a.change[0])}, rate = {num(a.change[1])} }},   "
                            f"# {a.change[2]}")
        if schedule:
            lines += ["schedule = [", *schedule, "]"]
        if a.season is not None:
            lines.append(f"season = [{', '.join(num(f) for f in a.season)}]")
        if a.week is not None:
            lines.append(f"week = [{', '.join(num(f) for f in a.week)}]   # Monday to Sunday")
    return "\n".join(lines) + "\n"


def _step_lines(step: StepFit, backlog_file: str | None) -> list[str]:
    service = ", ".join(f"{k} = {q(v) if isinstance(v, str) else num(v)}"
                        for k, v in step.service.items())
    lines = ["", "[[step]]", f"id = {q(step.id)}", f"partner = {q(step.partner)}",
             f"capacity = {step.capacity}   # {step.capacity_note}",
             f"service = {{ {service} }}   # {step.service_note}"]
    if step.calendar is not None:
        lines.append(f"calendar = {q(step.calendar)}   # {step.calendar_note}")
    if step.queue_ages or step.in_service:
        parts = [f"in_service = {step.in_service}"] if step.in_service else []
        if step.queue_ages and backlog_file is not None:
            parts.insert(0, f"file = {q(backlog_file)}")
        types = {t for _, t in step.queue_ages}
        if len(types) == 1:
            parts.append(f"case_type = {q(types.pop())}")
        oldest = max((a for a, _ in step.queue_ages), default=0.0)
        lines.append(f"backlog = {{ {', '.join(parts)} }}   # open at the period's start: "
                     f"{len(step.queue_ages):,} waiting (oldest {num(oldest)}), "
                     f"{step.in_service} in handling")
    routes = ", ".join(
        f"{{ to = {q(to)}, p = {p!r}" + (f", outcome = {q(outcome)}" if to == "exit" else "")
        + " }" for to, p, outcome in _rounded(step.routes))
    lines.append(f"routes = [{routes}]   # {step.routes_note}")
    return lines


def _rounded(routes: list[tuple[str, float, str]]) -> list[tuple[str, float, str]]:
    """Shares to six decimals that still add up to 1 (the last one takes the rest)."""
    kept = [(to, round(p, 6), o) for to, p, o in routes if round(p, 6) > 0] or \
        [max(routes, key=lambda r: r[1])]
    rest = round(1.0 - sum(p for _, p, _ in kept[:-1]), 6)
    return [*kept[:-1], (kept[-1][0], rest, kept[-1][2])]


def backlog_csv(step: StepFit) -> str:
    """A step's waiting werkvoorraad: one row per case, oldest first (the queue's order)."""
    rows = ["age,case_type", *(f"{num(a)},{t}" for a, t in step.queue_ages)]
    return "\n".join(rows) + "\n"


def _arrival_id(act: str, ctype: str) -> str:
    return f"in_{act}" if ctype in ("", "case") else f"in_{act}_{ctype}"


__all__ = ["backlog_csv", "scenario_text"]
