"""The mechanisms of real chains in a scenario file: what they become, what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scenario_texts import (
    BASE,
    CALENDAR,
    EVENT,
    POOL,
    bad,
    load,
    on,
    plus,
    problems,
    routes_a,
    without,
    write_csvs,
)

from ketensim.engine import run_replication
from ketensim.scenario import loader
from ketensim.scenario.distributions import Deterministic, Exponential, Gamma, Uniform
from ketensim.scenario.model import (
    Backlog,
    Band,
    Calendar,
    Change,
    Deadline,
    Dismissal,
    FailureDemand,
    Policy,
    Pool,
    QueueLimit,
    Reentry,
    Route,
    Sessions,
    TypeRule,
)

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_csvs(tmp_path)


# -- a file with every mechanism -----------------------------------------------------


@pytest.fixture(scope="module")
def mechanisms():
    return loader.load(DATA / "mechanisms.toml")


def test_step_mechanisms_become_model_objects(mechanisms):
    intake, beoordeling, zitting = (mechanisms.step(s) for s in
                                    ("om_intake", "om_beoordeling", "rechtbank_zitting"))
    assert mechanisms.step("politie_opsporing").queue_limit == QueueLimit(50)
    assert intake.queue_limit == QueueLimit(5, "divert", "om_beoordeling", "doorgezet")
    assert intake.backlog == Backlog(3, 1, "misdrijf", (40.0, 12.5, 3.0),
                                     ("misdrijf", "verkeer", "misdrijf"))
    assert intake.types == (TypeRule("verkeer", Deterministic(0.05),
                                     (Route("exit", 1.0, "strafbeschikking"),), 1),)
    assert (intake.pool, intake.capacity) == ("om_staf", 3)  # the pool's capacity by default
    assert (beoordeling.pool, beoordeling.capacity, beoordeling.calendar) == ("om_staf", 2,
                                                                              "rooster")
    assert beoordeling.deadline == Deadline(Deterministic(30.0), "verjaard")
    assert beoordeling.dismissal == Dismissal(20, 0.3, "sepot_capaciteit")
    assert beoordeling.failure_demand == FailureDemand(20.0, 0.2, "rechtbank_zitting")
    assert beoordeling.service == Gamma(0.5, 0.8)
    assert zitting.sessions == Sessions(7.0, 10, Deterministic(1.0), 1.0)
    assert zitting.queue_limit == QueueLimit(100, "block")
    assert zitting.backlog == Backlog(5, 1, "oud")
    assert zitting.types == (TypeRule("niet_tijdig", priority=2),)


def test_routes_carry_the_hand_over(mechanisms):
    first = mechanisms.step("politie_opsporing").routes[0]
    assert (first.delay, first.returned) == (Deterministic(1.0), 0.1)
    assert mechanisms.step("om_intake").routes[0].delay == Uniform(0.5, 1.5)
    leave = mechanisms.step("om_beoordeling").routes[1]
    assert leave.reenter == Reentry(0.1, "politie_opsporing", Exponential(60.0))


def test_arrival_patterns_and_replays(mechanisms):
    instroom, verkeer, historie = mechanisms.arrivals
    assert instroom.schedule == ((0.0, 5.0), (100.0, 6.0))
    assert len(instroom.season) == 12 and instroom.season[6] == 0.7
    assert instroom.batch == Uniform(1.0, 2.0)
    assert (verkeer.rate, verkeer.times, verkeer.types) == (0.0, (1.0, 2.0, 2.0, 5.5), None)
    # Semicolons and decimal commas as a Dutch spreadsheet writes them; rows taken in time order.
    assert historie.times == (0.5, 3.5, 10.0)
    assert historie.types == ("misdrijf", "verkeer", "misdrijf")


def test_chain_tables(mechanisms):
    kantoor, rooster = mechanisms.calendars
    assert kantoor == Calendar("kantoor", 8.0, 8.0, (1, 2, 3, 4, 5), (4, 121),
                               ((0.0, 3), (100.0, 4)))
    assert rooster == Calendar("rooster", plan=((0.0, 2), (60.0, 3)))
    assert mechanisms.partner("politie").calendar == "kantoor"
    assert mechanisms.pools == (Pool("om_staf", "om", 3, ("om_intake", "om_beoordeling"),
                                     "share", (0.4, 0.6)),)
    assert mechanisms.policies == (
        Policy("follow_inflow", step="hoger_beroep", every=30.0, lag=60.0, target=0.8,
               minimum=1, budget=5),
        Policy("wip_cap", limit=500),
        Policy("flex_pool", steps=("politie_opsporing", "hoger_beroep"), every=14.0, servers=1),
    )
    assert mechanisms.wip_cap == 500
    assert mechanisms.bands == (Band("laag", 0.8), Band("hoog", 1.2))
    assert mechanisms.events[0].changes[0] == Change("pool.om_staf.capacity", "pool", "om_staf",
                                                     "capacity", 4)


def test_outcomes_of_every_mechanism_are_known(mechanisms):
    assert {"doorgezet", "verjaard", "sepot_capaciteit", "strafbeschikking"} <= set(
        mechanisms.outcomes)


def test_the_mechanisms_file_runs_and_serialises(mechanisms):
    record = run_replication(mechanisms, 0, 1)
    assert record.cases_in > 0 and record.deadlock is None
    plain = json.loads(json.dumps(mechanisms.to_dict()))
    assert plain["steps"][1]["backlog"]["ages"] == [40.0, 12.5, 3.0]
    assert plain["calendars"][1]["plan"] == [[0.0, 2], [60.0, 3]]


# -- valid shorthands and defaults ---------------------------------------------------


def test_defaults(folder):
    deadline = 'deadline = { max_wait = { dist = "exponential", mean = 3 } }'
    text = without("capacity = 2\n", on("a", deadline))
    text = on("b", "sessions = { every = 7, size = 2, duration = 1 }", text)
    pool = POOL.replace("capacity = 2", "capacity = 3").replace('["a", "b"]', '["a"]')
    follow = '[[policy]]\nkind = "follow_inflow"\nstep = "c"'
    sc = load(folder, plus("\n".join([CALENDAR, pool, follow]), text))
    assert sc.calendars == (Calendar("k"),)
    assert (sc.step("a").capacity, sc.step("a").pool) == (3, "p")  # the pool's capacity
    assert sc.step("a").deadline == Deadline(Exponential(3.0))
    assert sc.step("b").sessions == Sessions(7.0, 2, Deterministic(1.0), 0.0)
    assert sc.policies == (Policy("follow_inflow", step="c"),)


def test_replayed_arrival_from_a_file_and_backlog_from_a_file(folder):
    text = on("c", 'backlog = { file = "w.csv" }',
              BASE.replace("rate = 1", 'file = "i.csv"\ncase_type = "zaak"'))
    sc = load(folder, text)
    assert (sc.arrival("in").times, sc.arrival("in").types) == ((1.0, 2.0), ("zaak", "case"))
    assert sc.step("c").backlog == Backlog(2, 0, "case", (4.0, 0.0), ("case", "case"))


def test_a_block_cycle_with_a_way_out_is_allowed(folder):
    text = on("a", 'queue_limit = { size = 0, when_full = "block" }',
              on("b", 'queue_limit = { size = 0, when_full = "block" }\n'
                      'routes = [{ to = "a", p = 0.5 }, { to = "exit", p = 0.5 }]'))
    assert load(folder, text).step("b").routes[0].to == "a"


def test_a_type_with_its_own_way_out_is_no_closed_loop(folder):
    text = routes_a('[{ to = "a", p = 1 }]').replace("rate = 1", 'rate = 1\ncase_type = "x"')
    sc = load(folder, on("a", 'types = { x = { routes = [{ to = "exit", p = 1 }] } }', text))
    assert sc.step("a").rule("x").routes == (Route("exit", 1.0),)


# -- bad input, key by key -------------------------------------------------------------


STEP_CASES = [
    bad(on("a", 'calendar = "nacht"'), "step.a.calendar", "no calendar with this id", "calendar"),
    bad(without("capacity = 2\n"), "step.a.capacity", "missing required key", "capacity"),
    bad(on("a", "queue_limit = -1"), "step.a.queue_limit", "must be >= 0", "ql-negative"),
    bad(on("a", "queue_limit = true"), "step.a.queue_limit", "an integer or a table", "ql-bool"),
    bad(on("a", "queue_limit = 2.5"), "step.a.queue_limit", "an integer or a table", "ql-float"),
    bad(on("a", 'queue_limit = { size = 2, when_full = "wait" }'), "step.a.queue_limit.when_full",
        "unknown policy for a full queue", "ql-policy"),
    bad(on("a", 'queue_limit = { size = 2, when_full = "divert" }'),
        "step.a.queue_limit.divert_to", "needs a step", "ql-divert-missing"),
    bad(on("a", 'queue_limit = { size = 2, when_full = "divert", divert_to = "a" }'),
        "step.a.queue_limit.divert_to", "cannot divert to itself", "ql-divert-self"),
    bad(on("a", 'queue_limit = { size = 2, when_full = "divert", divert_to = "z" }'),
        "step.a.queue_limit.divert_to", "no step with this id", "ql-divert-unknown"),
    bad(on("a", 'queue_limit = { size = 2, divert_to = "b" }'), "step.a.queue_limit.divert_to",
        'belongs with when_full = "divert"', "ql-divert-without-divert"),
    bad(on("a", 'queue_limit = { size = 2, when_full = "block", outcome = "x" }'),
        "step.a.queue_limit.outcome", "turns no case away", "ql-block-outcome"),
    bad(on("a", 'queue_limit = { size = 2, outcome = " " }'), "step.a.queue_limit.outcome",
        "must not be empty", "ql-outcome-empty"),
    bad(on("a", 'queue_limit = { when_full = "reject" }'), "step.a.queue_limit.size",
        "missing required key", "ql-size-missing"),
    bad(on("a", "queue_limit = { size = 2, grootte = 3 }"), "step.a.queue_limit.grootte",
        "unknown key", "ql-unknown"),
    bad(on("a", "deadline = { max_wait = 0 }"), "step.a.deadline.max_wait", "must be > 0",
        "deadline-zero"),
    bad(on("a", 'deadline = { max_wait = { dist = "deterministic", mean = 0 } }'),
        "step.a.deadline.max_wait", "mean must be > 0", "deadline-dist-zero"),
    bad(on("a", 'deadline = { max_wait = "30" }'), "step.a.deadline.max_wait",
        "a number or a distribution table", "deadline-string"),
    bad(on("a", 'deadline = { outcome = "x" }'), "step.a.deadline.max_wait",
        "missing required key", "deadline-missing"),
    bad(on("a", "deadline = 30"), "step.a.deadline", "must be a table", "deadline-number"),
    bad(on("a", "dismissal = { above = 1.5, share = 0.2 }"), "step.a.dismissal.above",
        "must be an integer", "dismissal-above"),
    bad(on("a", "dismissal = { above = 1, share = 1.2 }"), "step.a.dismissal.share",
        "must be <= 1", "dismissal-share"),
    bad(on("a", "sessions = { every = 0, size = 1, duration = 1 }"), "step.a.sessions.every",
        "must be > 0", "sessions-every"),
    bad(on("a", "sessions = { every = 7, size = 0, duration = 1 }"), "step.a.sessions.size",
        "must be >= 1", "sessions-size"),
    bad(on("a", "sessions = { every = 7, size = 2, duration = 1, offset = -1 }"),
        "step.a.sessions.offset", "must be >= 0", "sessions-offset"),
    bad(on("a", "sessions = { every = 7, size = 2 }"), "step.a.sessions.duration",
        "missing required key", "sessions-duration"),
    bad(plus(POOL, on("a", "sessions = { every = 7, size = 2, duration = 1 }")),
        "step.a.sessions", "cannot draw on a shared pool", "sessions-in-pool"),
    bad(on("a", "backlog = { queue = -1 }"), "step.a.backlog.queue", "must be >= 0",
        "backlog-queue"),
    bad(on("a", "backlog = { in_service = 3 }"), "step.a.backlog.in_service",
        "more cases in service than the step has servers", "backlog-in-service"),
    bad(on("a", 'backlog = { file = "w.csv", queue = 3 }'), "step.a.backlog.queue",
        "with a file", "backlog-file-and-queue"),
    bad(on("a", 'backlog = { file = "geen_age.csv" }'), "step.a.backlog.file",
        "no column age in geen_age.csv", "backlog-no-age"),
    bad(on("a", 'backlog = { file = "neg_age.csv" }'), "step.a.backlog.file",
        "row 3 of neg_age.csv: age is below 0", "backlog-negative-age"),
    bad(on("a", 'backlog = { file = "../w.csv" }'), "step.a.backlog.file",
        "inside the scenario's folder", "backlog-outside"),
    bad(on("a", 'backlog = { kleur = "rood" }'), "step.a.backlog.kleur", "unknown key",
        "backlog-unknown"),
    bad(on("a", 'failure_demand = { after = 0, p = 0.5, to = "c" }'),
        "step.a.failure_demand.after", "must be > 0", "failure-after"),
    bad(on("a", 'failure_demand = { after = 5, p = 0.5, to = "z" }'),
        "step.a.failure_demand.to", "no step with this id", "failure-to"),
    bad(on("a", 'failure_demand = { after = 5, p = 2, to = "c" }'), "step.a.failure_demand.p",
        "must be <= 1", "failure-p"),
    bad(on("a", "types = { spoed = { priority = 1 } }"), "step.a.types.spoed",
        "no arrival brings case type spoed", "types-unknown-type"),
    bad(on("a", "types = { case = { priority = 1.5 } }"), "step.a.types.case.priority",
        "must be an integer", "types-priority"),
    bad(on("a", 'types = { case = { routes = [{ to = "exit", p = 0.5 }] } }'),
        "step.a.types.case.routes", "must sum to 1", "types-routes-sum"),
    bad(on("a", "types = { case = { kleur = 1 } }"), "step.a.types.case.kleur", "unknown key",
        "types-unknown-key"),
    bad(on("a", 'types = { case = { routes = [{ to = "a", p = 1 }] } }'),
        "step.a.types.case.routes", "can never leave the chain", "types-closed-loop"),
    bad(on("a", "types = 3"), "step.a.types", "must be a table of case types", "types-number"),
]

ROUTE_CASES = [
    bad(routes_a('[{ to = "exit", p = 1, delay = 2 }]'), "step.a.routes[0].delay",
        "belongs on a hand-over to a step", "delay-on-exit"),
    bad(routes_a('[{ to = "b", p = 1, delay = -1 }]'), "step.a.routes[0].delay", "must be >= 0",
        "delay-negative"),
    bad(routes_a('[{ to = "b", p = 1, delay = { dist = "normal" } }]'),
        "step.a.routes[0].delay.dist", "unknown distribution", "delay-bad-dist"),
    bad(routes_a('[{ to = "b", p = 1, returned = 1 }]'), "step.a.routes[0].returned",
        "must be < 1", "returned-one"),
    bad(routes_a('[{ to = "exit", p = 1, returned = 0.1 }]'), "step.a.routes[0].returned",
        "belongs on a hand-over", "returned-on-exit"),
    bad(routes_a('[{ to = "b", p = 1, reenter = { p = 1, to = "a", after = 1 } }]'),
        "step.a.routes[0].reenter", "belongs on a route to exit", "reenter-not-exit"),
    bad(routes_a('[{ to = "exit", p = 1, reenter = { p = 0.5, to = "z", after = 1 } }]'),
        "step.a.routes[0].reenter.to", "no step with this id", "reenter-to"),
    bad(routes_a('[{ to = "exit", p = 1, reenter = { p = 0.5, to = "a" } }]'),
        "step.a.routes[0].reenter.after", "missing required key", "reenter-after"),
    bad(plus(EVENT.format('"step.b.routes" = [{ to = "exit", p = 1, reenter = { p = 2, '
                          'to = "a", after = 1 } }]')),
        'event[0].set."step.b.routes"[0].reenter.p', "must be <= 1", "reenter-in-event"),
    bad(on("c", 'routes = [{ to = "c", p = 1 }]',
           on("a", 'queue_limit = { size = 0, when_full = "divert", divert_to = "c" }')),
        "step.c.routes", "can never leave the chain", "divert-into-a-loop"),
    bad(on("c", 'routes = [{ to = "c", p = 1 }]', routes_a(
        '[{ to = "exit", p = 1, reenter = { p = 0.5, to = "c", after = 1 } }]')),
        "step.c.routes", "can never leave the chain", "reenter-into-a-loop"),
]

IN = 'id = "in"\nto = "a"\nrate = 1\n'
ARRIVAL_CASES = [
    bad(BASE.replace("rate = 1", "times = [1, 0.5]"), "arrival.in.times[1]", "must not go back",
        "times-order"),
    bad(BASE.replace("rate = 1", "times = []"), "arrival.in.times", "non-empty", "times-empty"),
    bad(BASE.replace("rate = 1", "times = [-1]"), "arrival.in.times[0]", "must be >= 0",
        "times-negative"),
    bad(on("in", "times = [1]"), "arrival.in.rate", "a replayed arrival (times) has no rate",
        "times-and-rate"),
    bad(BASE.replace("rate = 1", 'times = [1]\nschedule = [{ from = 0, rate = 1 }]'),
        "arrival.in.schedule", "has no schedule", "times-and-schedule"),
    bad(BASE.replace("rate = 1", 'times = [1]\nfile = "i.csv"'), "arrival.in.file",
        "times and file both", "times-and-file"),
    bad(BASE.replace(IN, 'id = "in"\nto = "a"\n'), "arrival.in.rate", "missing required key",
        "rate-missing"),
    bad(BASE.replace("rate = 1", 'file = "w.csv"'), "arrival.in.file", "no column t in w.csv",
        "file-no-t"),
    bad(BASE.replace("rate = 1", 'file = "i_bad.csv"'), "arrival.in.file",
        "row 2 of i_bad.csv: t is not a number", "file-bad-cell"),
    bad(BASE.replace("rate = 1", 'file = "leeg.csv"'), "arrival.in.file", "holds no rows",
        "file-empty"),
    bad(BASE.replace("rate = 1", 'file = "geen.csv"'), "arrival.in.file",
        "cannot read the file", "file-missing"),
    bad(on("in", "schedule = [{ from = 10, rate = 1 }, { from = 5, rate = 2 }]"),
        "arrival.in.schedule[1].from", "must come after", "schedule-order"),
    bad(on("in", "schedule = [{ from = 0, rate = -1 }]"), "arrival.in.schedule[0].rate",
        "must be >= 0", "schedule-rate"),
    bad(on("in", "schedule = [{ from = 0, tempo = 1 }]"), "arrival.in.schedule[0].tempo",
        "unknown key", "schedule-unknown"),
    bad(on("in", "season = [1, 1]"), "arrival.in.season", "12 monthly factors", "season-short"),
    bad(on("in", "season = [1, 1, 1, -1, 1, 1, 1, 1, 1, 1, 1, 1]"), "arrival.in.season[3]",
        "must be >= 0", "season-negative"),
    bad(on("in", "week = [1, 1, 1]"), "arrival.in.week", "7 factors, Monday to Sunday",
        "week-short"),
    bad(on("in", "week = [0, 0, 0, 0, 0, 0, 0]"), "arrival.in.week", "no day has arrivals",
        "week-empty"),
    bad(on("in", "week = [1, 1, -1, 1, 1, 1, 1]"), "arrival.in.week[2]", "must be >= 0",
        "week-negative"),
    bad(on("in", "batch = 0.5"), "arrival.in.batch", "must be >= 1", "batch-small"),
    bad(on("in", 'batch = { dist = "deterministic", mean = 0.5 }'), "arrival.in.batch",
        "mean must be >= 1", "batch-dist-small"),
    bad(plus(EVENT.format('"arrival.in.rate" = 2'), BASE.replace("rate = 1", "times = [1]")),
        'event[0].set."arrival.in.rate"', "replayed arrival", "event-rate-of-replay"),
]


@pytest.mark.parametrize(("text", "key", "words"), STEP_CASES + ROUTE_CASES + ARRIVAL_CASES)
def test_bad_step_route_and_arrival_keys(folder, text, key, words):
    found = problems(folder, text)
    assert any(f": {key}: " in line and words in line for line in found), found
    assert all("(expected " in line and ", got " in line for line in found)



