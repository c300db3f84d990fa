"""Chain tables in a scenario file: calendars, pools, policies, bands and their events."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_texts import BASE, CALENDAR, EVENT, POOL, bad, load, on, plus, problems, write_csvs

from ketensim.errors import ScenarioError
from ketensim.scenario.model import Band, Calendar
from ketensim.scenario.schema import build as schema


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_csvs(tmp_path)


def calendar(lines: str) -> str:
    return on("a", 'calendar = "k"', plus(CALENDAR + lines))


def pool(lines: str = "", base: str = POOL) -> str:
    return plus(base + lines)


def policy(lines: str) -> str:
    return plus("[[policy]]\n" + lines)


CHAIN_CASES = [
    bad(on("om", 'calendar = "k"'), "partner.om.calendar", "no calendar with this id",
        "partner-calendar"),
    bad(calendar("hours = 0"), "calendar.k.hours", "must be > 0", "hours-zero"),
    bad(calendar("hours = 25"), "calendar.k.hours", "must be <= 24", "hours-long"),
    bad(calendar("start_hour = 24"), "calendar.k.start_hour", "must be < 24", "start-hour"),
    bad(calendar("start_hour = 20\nhours = 8"), "calendar.k.hours", "end by midnight",
        "past-midnight"),
    bad(calendar("weekdays = [1, 8]"), "calendar.k.weekdays[1]", "must be <= 7", "weekday-8"),
    bad(calendar("weekdays = [1, 1]"), "calendar.k.weekdays[1]", "listed twice", "weekday-twice"),
    bad(calendar("weekdays = []"), "calendar.k.weekdays", "non-empty", "weekdays-empty"),
    bad(calendar("holidays = [-1]"), "calendar.k.holidays[0]", "must be >= 0", "holiday"),
    bad(calendar("plan = [{ from = 5, capacity = 1 }, { from = 5, capacity = 2 }]"),
        "calendar.k.plan[1].from", "must come after", "plan-order"),
    bad(calendar("plan = [{ from = 0, capacity = -1 }]"), "calendar.k.plan[0].capacity",
        "must be >= 0", "plan-capacity"),
    bad(calendar('plan = [{ from = 0, capacity = 1 }]\nplan_file = "fte.csv"'),
        "calendar.k.plan_file", "both give the capacity plan", "plan-and-file"),
    bad(calendar('plan_file = "fte_half.csv"'), "calendar.k.plan_file",
        "row 2 of fte_half.csv: capacity is not a whole number", "plan-file-half"),
    bad(calendar('plan_file = "fte_order.csv"'), "calendar.k.plan_file",
        "row 3 of fte_order.csv: from must come after", "plan-file-order"),
    bad(calendar('kleur = "rood"'), "calendar.k.kleur", "unknown key", "calendar-unknown"),
    bad(plus(CALENDAR + CALENDAR), "calendar[1].id", "duplicate calendar id", "calendar-twice"),
    bad(plus("[[calendar]]\nhours = 8"), "calendar[0].id", "missing required key",
        "calendar-no-id"),
    bad(pool(base=POOL.replace('"om"', '"z"')), "pool.p.partner", "no partner with this id",
        "pool-partner"),
    bad(pool(base=POOL.replace("capacity = 2", "capacity = 0")), "pool.p.capacity",
        "must be >= 1", "pool-capacity"),
    bad(pool(base=POOL.replace('["a", "b"]', '["a", "c"]')), "pool.p.steps[1]",
        "belongs to another partner", "pool-other-partner"),
    bad(pool(base=POOL.replace('["a", "b"]', '["a", "z"]')), "pool.p.steps[1]",
        "no step with this id", "pool-unknown-step"),
    bad(pool(base=POOL.replace('["a", "b"]', "[]")), "pool.p.steps", "non-empty",
        "pool-no-steps"),
    bad(pool(base=POOL.replace('["a", "b"]', '["a", "a"]')), "pool.p.steps[1]", "listed twice",
        "pool-step-twice"),
    bad(pool("\n" + POOL.replace('"p"', '"q"')), "pool.q.steps[0]", "already in pool p",
        "step-in-two-pools"),
    bad(pool('rule = "fifo"'), "pool.p.rule", "unknown pool rule", "pool-rule"),
    bad(pool('rule = "share"'), "pool.p.shares", "needs a share per step", "shares-missing"),
    bad(pool("shares = [0.5, 0.5]"), "pool.p.shares", 'belong with rule = "share"',
        "shares-without-rule"),
    bad(pool('rule = "share"\nshares = [0.5, 0.6]'), "pool.p.shares", "must sum to 1",
        "shares-sum"),
    bad(pool('rule = "share"\nshares = [1]'), "pool.p.shares", "one share per step",
        "shares-count"),
    bad(pool('rule = "share"\nshares = [0, 1]'), "pool.p.shares[0]", "must be > 0",
        "shares-zero"),
    bad(policy('step = "a"'), "policy[0].kind", "missing required key", "policy-no-kind"),
    bad(policy('kind = "magic"'), "policy[0].kind", "unknown policy kind", "policy-kind"),
    bad(policy('kind = "follow_inflow"\nstep = "a"\nlimit = 3'), "policy[0].limit",
        "unknown key", "policy-key-of-other-kind"),
    bad(policy('kind = "follow_inflow"\nstep = "z"'), "policy[0].step", "no step with this id",
        "follow-step"),
    bad(policy('kind = "follow_inflow"\nstep = "a"\ntarget = 0'), "policy[0].target",
        "must be > 0", "follow-target-zero"),
    bad(policy('kind = "follow_inflow"\nstep = "a"\ntarget = 1.5'), "policy[0].target",
        "must be <= 1", "follow-target-high"),
    bad(policy('kind = "follow_inflow"\nstep = "a"\nminimum = 3\nbudget = 2'),
        "policy[0].budget", "must be >= 3", "follow-budget"),
    bad(policy('kind = "follow_inflow"\nstep = "a"\nlag = -1'), "policy[0].lag", "must be >= 0",
        "follow-lag"),
    bad(policy('kind = "follow_inflow"\nstep = "a"') + '\n[[policy]]\nkind = "follow_inflow"\n'
        'step = "a"', "policy[1].step", "already follows inflow", "follow-twice"),
    bad(policy('kind = "wip_cap"\nlimit = 0'), "policy[0].limit", "must be >= 1", "wip-limit"),
    bad(policy('kind = "wip_cap"\nlimit = 5') + '\n[[policy]]\nkind = "wip_cap"\nlimit = 6',
        "policy[1].kind", "one wip_cap at most", "wip-twice"),
    bad(policy('kind = "flex_pool"\nsteps = ["a"]\nservers = 1'), "policy[0].steps",
        "at least two step ids", "flex-one-step"),
    bad(policy('kind = "flex_pool"\nsteps = ["a", "b"]\nservers = 0'), "policy[0].servers",
        "must be >= 1", "flex-servers"),
    bad(policy('kind = "flex_pool"\nsteps = ["a", "b"]'), "policy[0].servers",
        "missing required key", "flex-servers-missing"),
    bad("policy = [1]\n" + BASE, "policy[0]", "must be a table", "policy-not-a-table"),
    bad(plus('[[band]]\nname = "Hoog"\nfactor = 1.2'), "band.Hoog.name", "must be a slug",
        "band-slug"),
    bad(plus('[[band]]\nname = "hoog"\nfactor = 0'), "band.hoog.factor", "must be > 0",
        "band-factor"),
    bad(plus('[[band]]\nname = "hoog"\nfactor = 1\n[[band]]\nname = "hoog"\nfactor = 2'),
        "band[1].name", "duplicate band name", "band-twice"),
    bad(plus('[[band]]\nname = "hoog"'), "band.hoog.factor", "missing required key",
        "band-no-factor"),
    bad(plus('[[band]]\nfactor = 2'), "band[0].name", "missing required key", "band-no-name"),
    bad(plus('[[band]]\nname = "hoog"\nfactor = 2\nrate = 3'), "band.hoog.rate", "unknown key",
        "band-unknown"),
    bad(pool("\n" + EVENT.format('"pool.z.capacity" = 1')), 'event[0].set."pool.z.capacity"',
        "no pool with this id", "event-pool-unknown"),
    bad(pool("\n" + EVENT.format('"pool.p.capacity" = -1')), 'event[0].set."pool.p.capacity"',
        "must be >= 0", "event-pool-negative"),
    bad(pool("\n" + EVENT.format('"pool.p.kleur" = 1')), 'event[0].set."pool.p.kleur"',
        "unknown key", "event-pool-attribute"),
    bad(plus("[kalender]\nid = 1"), "kalender", "unknown top-level key", "top-level"),
]


@pytest.mark.parametrize(("text", "key", "words"), CHAIN_CASES)
def test_bad_chain_tables(folder, text, key, words):
    found = problems(folder, text)
    assert any(f": {key}: " in line and words in line for line in found), found
    assert all("(expected " in line and ", got " in line for line in found)


def test_every_problem_of_a_file_is_collected(folder):
    text = on("a", "queue_limit = -1\ndeadline = { max_wait = 0 }", plus(
        CALENDAR + "hours = 0\n" + POOL.replace("capacity = 2", "capacity = 0")))
    keys = [line.split(": ")[2] for line in problems(folder, text)]
    assert set(keys) == {"calendar.k.hours", "pool.p.capacity", "step.a.queue_limit",
                         "step.a.deadline.max_wait"}


def test_event_on_pool_capacity_and_sweep_key(folder):
    sc = load(folder, plus(POOL + "\n" + EVENT.format('"pool.p.capacity" = 0')))
    assert sc.events[0].changes[0].value == 0
    change = schema.parse_change("pool.p.capacity", 5, sc, "--set")
    assert sc.apply([change]).pools[0].capacity == 5 and sc.pools[0].capacity == 2


def test_extends_merges_the_new_tables(folder):
    base = plus("\n".join([
        CALENDAR + "hours = 8", POOL, '[[policy]]\nkind = "wip_cap"\nlimit = 9',
        '[[band]]\nname = "hoog"\nfactor = 1.2', '[[band]]\nname = "laag"\nfactor = 0.8']))
    load(folder, base, "basis.toml")
    child = "\n".join([
        '[scenario]\nextends = "basis.toml"\nname = "variant"', CALENDAR + "hours = 6",
        POOL.replace("capacity = 2", "capacity = 4"),
        '[[policy]]\nkind = "flex_pool"\nsteps = ["a", "b"]\nservers = 1',
        '[[band]]\nname = "hoog"\nfactor = 1.5'])
    sc = load(folder, child, "variant.toml")
    assert sc.calendars == (Calendar("k", hours=6.0),)
    assert sc.pools[0].capacity == 4
    assert [p.kind for p in sc.policies] == ["wip_cap", "flex_pool"]
    assert sc.bands == (Band("hoog", 1.5), Band("laag", 0.8))


def test_a_sweep_may_not_set_the_rate_of_a_replayed_arrival(folder):
    sc = load(folder, BASE.replace("rate = 1", "times = [1, 2]"))
    with pytest.raises(ScenarioError) as info:
        schema.parse_change("arrival.in.rate", 2, sc, "--set")
    assert "replayed arrival" in str(info.value)


@pytest.mark.parametrize("text, key, words", [
    (calendar("start_hour = 16\nhours = 8.01"), "calendar.k.hours", "end by midnight"),
    (pool('rule = "share"\nshares = [0.5, 0.45]'), "pool.p.shares", "must sum to 1"),
])
def test_tolerances_are_tight(folder, text, key, words):
    """A working day 36 seconds past midnight, or shares summing to 0.95, are still refused."""
    found = problems(folder, text)
    assert any(f": {key}: " in line and words in line for line in found), found


def test_a_working_day_to_exactly_midnight_is_fine(folder):
    sc = load(folder, calendar("start_hour = 16\nhours = 8"))
    assert sc.calendars[0].start_hour == 16 and sc.calendars[0].hours == 8
