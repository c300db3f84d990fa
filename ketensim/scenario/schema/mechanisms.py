"""The mechanisms of real chains as keys of a ``[[step]]``.

Finite buffers that reject, block or divert, maximum waits, dismissal under
pressure, court sessions, a werkvoorraad at time 0, failure demand, working
calendars and rules per case type: each is one optional key of a step,
checked here with the same strictness as the rest of the file. A key that
is absent leaves the step as the plain queue the contract describes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ketensim.scenario import datafiles as csvfiles
from ketensim.scenario.model import (
    DEFAULT_CASE_TYPE,
    Arrival,
    Backlog,
    Deadline,
    Dismissal,
    FailureDemand,
    QueueLimit,
    Sessions,
    Step,
    TypeRule,
)
from ketensim.scenario.schema import fields
from ketensim.scenario.schema import routes as schema_routes
from ketensim.scenario.schema.fields import MISSING, Ctx, Text, key_part, one_of

STEP_KEYS = ("calendar", "queue_limit", "deadline", "dismissal", "sessions", "backlog",
             "failure_demand", "types")
WHEN_FULL = ("reject", "block", "divert")
TYPE_KEYS = ("service", "routes", "priority")


@dataclass(frozen=True)
class StepRefs:
    """What a step's mechanisms may refer to: the step itself, the other steps, calendars."""

    step: str | None  # None when the step has no usable id
    steps: tuple[str, ...]
    calendars: tuple[str, ...]
    capacity: int | None  # for a backlog in service; None when unknown


def step_mechanisms(ctx: Ctx, data: dict[str, Any], refs: StepRefs) -> dict[str, Any] | None:
    """The mechanism fields of a ``Step`` from a step table (only the keys it holds).

    Returns None when any of them is wrong; every problem is reported.
    """
    before = ctx.count
    checks = {
        "calendar": fields.reference("calendar", refs.calendars),
        "queue_limit": lambda c, v: queue_limit(c, v, refs),
        "deadline": deadline,
        "dismissal": dismissal,
        "sessions": sessions,
        "backlog": lambda c, v: backlog(c, v, refs.capacity),
        "failure_demand": lambda c, v: failure_demand(c, v, refs.steps),
        "types": lambda c, v: types(c, v, refs.steps),
    }
    out = {key: check(ctx.at(key), data[key]) for key, check in checks.items() if key in data}
    return None if ctx.count > before else out


def _outcome(ctx: Ctx, data: dict[str, Any], default: str) -> Any:
    """The outcome a mechanism gives the cases it removes (None after a reported problem)."""
    return fields.get(ctx, data, "outcome", fields.label, default)


# -- finite buffers ------------------------------------------------------------------


def queue_limit(ctx: Ctx, value: Any, refs: StepRefs) -> QueueLimit | None:
    """``10`` (ten waiting places, reject when full) or the table with what happens when full."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = fields.integer(ctx, value, 0)
        return None if size is None else QueueLimit(size)
    if not isinstance(value, dict):
        ctx.fail("must be an integer or a table",
                 '10 or { size = 10, when_full = "reject" | "block" | "divert" }', value)
        return None
    before = ctx.count
    fields.table(ctx, value, ("size",), ("when_full", "divert_to", "outcome", "types"))
    size = fields.get(ctx, value, "size", lambda c, v: fields.integer(c, v, 0))
    policy = fields.get(ctx, value, "when_full", _when_full, "reject")
    divert_to = _divert_to(ctx, value, policy, refs)
    outcome = "rejected"
    if policy == "block" and "outcome" in value:
        ctx.at("outcome").fail("a blocking step turns no case away, so it gives no outcome",
                               'when_full = "reject" or "divert"', value["outcome"])
    else:
        outcome = _outcome(ctx, value, "rejected")
    types = fields.get(ctx, value, "types", _type_list, ())
    if ctx.count > before:
        return None
    return QueueLimit(size, policy, divert_to, outcome, types)


def _type_list(ctx: Ctx, value: Any) -> tuple[str, ...] | None:
    """The case types a waiting-room limit holds back; the others always join the queue."""
    if not isinstance(value, list) or not value:
        ctx.fail("must be a non-empty list of case types", '["ambulance"]', value)
        return None
    names = [fields.label(ctx.item(k), v) for k, v in enumerate(value)]
    return None if None in names else tuple(n for n in names if n is not None)


def _when_full(ctx: Ctx, value: Any) -> str | None:
    if not isinstance(value, str) or value not in WHEN_FULL:
        ctx.fail("unknown policy for a full queue", " | ".join(f'"{w}"' for w in WHEN_FULL), value)
        return None
    return value


def _divert_to(ctx: Ctx, value: dict[str, Any], policy: str | None,
               refs: StepRefs) -> str | None:
    """The step a full step sends cases on to: required with divert, refused without it."""
    given = value.get("divert_to", MISSING)
    if policy != "divert":
        if given is not MISSING and policy is not None:
            ctx.at("divert_to").fail('divert_to belongs with when_full = "divert"',
                                     'when_full = "divert", or no divert_to', given)
        return None
    others = tuple(s for s in refs.steps if s != refs.step)
    if given is MISSING:
        ctx.at("divert_to").fail('missing: when_full = "divert" needs a step to send cases to',
                                 one_of(others), None)
        return None
    if given == refs.step:
        ctx.at("divert_to").fail("a full step cannot divert to itself", one_of(others), given)
        return None
    return fields.reference("step", others)(ctx.at("divert_to"), given)


# -- waiting and pressure ---------------------------------------------------------------


def deadline(ctx: Ctx, value: Any) -> Deadline | None:
    """A maximum wait: cases not started by then leave with ``outcome``."""
    before = ctx.count
    if not fields.table(ctx, value, ("max_wait",), ("outcome",)):
        return None
    max_wait = fields.get(ctx, value, "max_wait", lambda c, v: fields.duration(c, v, above=True))
    outcome = _outcome(ctx, value, "deadline")
    return None if ctx.count > before else Deadline(max_wait, outcome)


def dismissal(ctx: Ctx, value: Any) -> Dismissal | None:
    """Above ``above`` waiting cases, a ``share`` of new arrivals is dismissed at once."""
    before = ctx.count
    if not fields.table(ctx, value, ("above", "share"), ("outcome",)):
        return None
    above = fields.get(ctx, value, "above", lambda c, v: fields.integer(c, v, 0))
    share = fields.get(ctx, value, "share", lambda c, v: fields.number(c, v, 0.0, high=1.0))
    outcome = _outcome(ctx, value, "dismissed")
    return None if ctx.count > before else Dismissal(above, share, outcome)


def failure_demand(ctx: Ctx, value: Any, step_ids: tuple[str, ...]) -> FailureDemand | None:
    """Faalvraag: a case still waiting ``after`` its arrival makes, with chance p, new work."""
    before = ctx.count
    if not fields.table(ctx, value, ("after", "p", "to"), ("case_type",)):
        return None
    after = fields.get(ctx, value, "after", lambda c, v: fields.number(c, v, 0.0, above=True))
    p = fields.get(ctx, value, "p", lambda c, v: fields.number(c, v, 0.0, high=1.0))
    to = fields.get(ctx, value, "to", fields.reference("step", step_ids))
    case_type = fields.get(ctx, value, "case_type", fields.label, "niet_tijdig")
    return None if ctx.count > before else FailureDemand(after, p, to, case_type)


# -- sessions and the werkvoorraad -------------------------------------------------------


def sessions(ctx: Ctx, value: Any) -> Sessions | None:
    """Zittingen: every ``every`` time units each free server hears up to ``size`` cases."""
    before = ctx.count
    if not fields.table(ctx, value, ("every", "size", "duration"), ("offset",)):
        return None
    every = fields.get(ctx, value, "every", lambda c, v: fields.number(c, v, 0.0, above=True))
    size = fields.get(ctx, value, "size", lambda c, v: fields.integer(c, v, 1))
    duration = fields.get(ctx, value, "duration", fields.duration)
    offset = fields.get(ctx, value, "offset", lambda c, v: fields.number(c, v, 0.0), 0.0)
    return None if ctx.count > before else Sessions(every, size, duration, offset)


def backlog(ctx: Ctx, value: Any, capacity: int | None) -> Backlog | None:
    """The werkvoorraad at time 0: a count, or one row per waiting case with its age."""
    before = ctx.count
    if not fields.table(ctx, value, (), ("queue", "in_service", "case_type", "file", "oldest")):
        return None
    if "file" in value and "oldest" in value:
        ctx.at("oldest").fail("with a file, each case's age is in the file",
                              "oldest or file, not both", value["oldest"])
    if "file" in value and "queue" in value:
        ctx.at("queue").fail("with a file, the queue is its number of rows",
                             "queue or file, not both", value["queue"])
    queue = fields.get(ctx, value, "queue", lambda c, v: fields.integer(c, v, 0), 0)
    in_service = fields.get(ctx, value, "in_service", lambda c, v: _in_service(c, v, capacity), 0)
    case_type = fields.get(ctx, value, "case_type", fields.label, DEFAULT_CASE_TYPE)
    ages: tuple[float, ...] = ()
    kinds: tuple[str, ...] = ()
    if "file" in value:
        table = csvfiles.read_table(ctx.at("file"), value["file"], ("age",))
        read = None if table is None else csvfiles.numbers(ctx.at("file"), table, "age")
        if read is not None and table is not None:
            ages, queue = tuple(read), len(read)
            kinds = tuple(csvfiles.labels(table, "case_type", case_type or "") or ())
    oldest = fields.get(ctx, value, "oldest", lambda c, v: fields.number(c, v, 0.0), 0.0)
    if ctx.count > before:
        return None
    return Backlog(queue, in_service, case_type, ages, kinds, float(oldest))


def _in_service(ctx: Ctx, value: Any, capacity: int | None) -> int | None:
    count = fields.integer(ctx, value, 0)
    if count is not None and capacity is not None and count > capacity:
        ctx.fail("more cases in service than the step has servers",
                 f"an integer in [0, {capacity}]", value)
        return None
    return count


# -- case types ---------------------------------------------------------------------------


def types(ctx: Ctx, value: Any, step_ids: tuple[str, ...]) -> tuple[TypeRule, ...] | None:
    """Per case type: its own service, routes and priority at this step."""
    if not isinstance(value, dict):
        ctx.fail("must be a table of case types",
                 '{ <case type> = { service = ..., routes = [...], priority = 1 } }', value)
        return None
    before = ctx.count
    rules = [_type_rule(ctx.at(name), name, spec, step_ids) for name, spec in value.items()]
    return None if ctx.count > before else tuple(r for r in rules if r is not None)


def _type_rule(ctx: Ctx, name: str, value: Any, step_ids: tuple[str, ...]) -> TypeRule | None:
    before = ctx.count
    if not name.strip():
        ctx.fail("a case type needs a name", "a non-empty key", name)
    if not fields.table(ctx, value, (), TYPE_KEYS):
        return None
    service = fields.get(ctx, value, "service", fields.distribution)
    routes = fields.get(ctx, value, "routes", lambda c, v: schema_routes.routes(c, v, step_ids))
    priority = fields.get(ctx, value, "priority", fields.integer, 0)
    return None if ctx.count > before else TypeRule(name, service, routes, priority)


def produced_types(steps: Iterable[Step], arrivals: Iterable[Arrival]) -> set[str]:
    """Every case type that enters the chain: by arrival, in a backlog or as failure demand."""
    found: set[str] = set()
    for a in arrivals:
        found.update(a.types if a.types else (a.case_type,))
    for s in steps:
        if s.backlog is not None:
            found.add(s.backlog.case_type)
            found.update(s.backlog.types)
        if s.failure_demand is not None:
            found.add(s.failure_demand.case_type)
    return found


def check_case_types(step_ctx: dict[str, Ctx], steps: Iterable[Step],
                     arrivals: Iterable[Arrival]) -> None:
    """Report rules for case types nothing brings: usually a misspelt case type name.

    Args:
        step_ctx: per step id, where the step sits.
        steps: the validated steps.
        arrivals: the validated arrivals.
    """
    steps = list(steps)
    produced = produced_types(steps, arrivals)
    for s in steps:
        for rule in s.types:
            if rule.case_type not in produced:
                step_ctx[s.id].at("types").at(rule.case_type).fail(
                    f"no arrival brings case type {key_part(rule.case_type)}",
                    "a case type of an arrival, backlog or failure_demand: "
                    + one_of(sorted(produced)), Text(key_part(rule.case_type)))
        limit = s.queue_limit
        for k, name in enumerate(limit.types if limit is not None else ()):
            if name not in produced:
                step_ctx[s.id].at("queue_limit").at("types").item(k).fail(
                    f"no arrival brings case type {key_part(name)}",
                    "a case type of an arrival, backlog or failure_demand: "
                    + one_of(sorted(produced)), Text(key_part(name)))
