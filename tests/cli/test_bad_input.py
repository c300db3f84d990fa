"""A table of bad scenario files: each must name its key path, say what is wrong, and never crash.

Every case starts from one valid file and breaks one thing, so a case that
stops failing means the check it covers has gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ketensim.errors import ScenarioError
from ketensim.scenario import loader

SCENARIO = '[scenario]\nname = "fout"\nhorizon = 100\n'
PARTNER = '\n[[partner]]\nid = "om"\n'
STEP_A = """
[[step]]
id = "a"
partner = "om"
capacity = 2
service = { dist = "exponential", mean = 1 }
routes = [{ to = "b", p = 0.4 }, { to = "exit", p = 0.6, outcome = "klaar" }]
"""
STEP_B = """
[[step]]
id = "b"
partner = "om"
capacity = 1
service = { dist = "exponential", mean = 1 }
"""
ARRIVAL = '\n[[arrival]]\nid = "in"\nto = "a"\nrate = 1\n'
VALID = SCENARIO + PARTNER + STEP_A + STEP_B + ARRIVAL


def breaking(old: str, new: str) -> str:
    """The valid file with one piece replaced; fails loudly if the piece is not there."""
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def adding(extra: str) -> str:
    return VALID + "\n" + extra + "\n"


CASES = [
    pytest.param("[scenario\nname = 1\n", "line 1", "invalid TOML", id="toml-syntax"),
    pytest.param(adding("[extra]\nx = 1"), "extra", "unknown top-level key", id="unknown-table"),
    pytest.param(breaking("horizon = 100", "horizon = 100\nhorizn = 5"), "scenario.horizn",
                 "unknown key", id="unknown-scenario-key"),
    pytest.param(breaking('name = "fout"\n', ""), "scenario.name", "missing required key",
                 id="missing-name"),
    pytest.param(breaking('"fout"', '"Fout Scenario"'), "scenario.name", "slug",
                 id="name-not-slug"),
    pytest.param(breaking("horizon = 100", "horizon = 0"), "scenario.horizon", "must be > 0",
                 id="horizon-zero"),
    pytest.param(breaking("horizon = 100", 'horizon = "100"'), "scenario.horizon",
                 "must be a number", id="horizon-string"),
    pytest.param(breaking("horizon = 100", "horizon = 100\nwarmup = 100"), "scenario.warmup",
                 "shorter than the horizon", id="warmup-too-long"),
    pytest.param(breaking("horizon = 100", 'horizon = 100\ntime_unit = "month"'),
                 "scenario.time_unit", "unknown time unit", id="time-unit"),
    pytest.param(breaking("horizon = 100", "horizon = 100\nreplications = 0"),
                 "scenario.replications", "must be >= 1", id="replications-zero"),
    pytest.param(breaking("horizon = 100", "horizon = 100\nseed = 1.5"), "scenario.seed",
                 "must be an integer", id="seed-float"),
    pytest.param(breaking(PARTNER, ""), "step.a.partner", "no partner with this id",
                 id="no-partners"),
    pytest.param(breaking('id = "b"', 'id = "a"'), "step[1].id", "duplicate step id",
                 id="duplicate-step"),
    pytest.param(breaking('id = "b"', 'id = "exit"'), "step[1].id", "reserved", id="step-id-exit"),
    pytest.param(breaking('id = "b"\n', ""), "step[1].id", "missing required key",
                 id="step-without-id"),
    pytest.param(breaking('partner = "om"\ncapacity = 1', 'partner = "rechtbank"\ncapacity = 1'),
                 "step.b.partner", "no partner with this id", id="unknown-partner"),
    pytest.param(breaking("capacity = 2", "capacity = 0"), "step.a.capacity", "must be >= 1",
                 id="capacity-zero"),
    pytest.param(breaking("capacity = 2", "capacity = 2.5"), "step.a.capacity",
                 "must be an integer", id="capacity-float"),
    pytest.param(breaking("capacity = 2", "capacity = true"), "step.a.capacity",
                 "must be an integer", id="capacity-boolean"),
    pytest.param(breaking("capacity = 2\n", ""), "step.a.capacity", "missing required key",
                 id="capacity-missing"),
    pytest.param(breaking("capacity = 2", "capacity = 2\ncapacty = 3"), "step.a.capacty",
                 "unknown key", id="misspelt-step-key"),
    pytest.param(breaking("mean = 1 }\nroutes", "mean = -1 }\nroutes"), "step.a.service.mean",
                 "must be > 0", id="service-mean-negative"),
    pytest.param(breaking('dist = "exponential", mean = 1 }\nroutes', 'dist = "poisson" }\nroutes'),
                 "step.a.service.dist", "unknown distribution", id="unknown-distribution"),
    pytest.param(breaking('{ dist = "exponential", mean = 1 }\nroutes',
                          '{ dist = "empirical", file = "../../etc/passwd", column = "x" }\n'
                          "routes"),
                 "step.a.service.file", "inside the scenario's folder", id="csv-escape"),
    pytest.param(breaking("p = 0.6", "p = 0.5"), "step.a.routes", "sum to 1", id="p-sum"),
    pytest.param(breaking("p = 0.4", "p = 1.4"), "step.a.routes[0].p", "must be <= 1",
                 id="p-above-one"),
    pytest.param(breaking('to = "b"', 'to = "c"'), "step.a.routes[0].to", "no step with this id",
                 id="route-to-unknown"),
    pytest.param(breaking('{ to = "b", p = 0.4 }', '{ to = "b", p = 0.4, outcome = "x" }'),
                 "step.a.routes[0].outcome", "belongs on a route to exit", id="outcome-not-exit"),
    pytest.param(breaking('outcome = "klaar"', "outcome = 3"), "step.a.routes[1].outcome",
                 "must be a string", id="outcome-number"),
    pytest.param(breaking('{ to = "b", p = 0.4 }', '{ to = "b", p = 0.4, vertraging = 1 }'),
                 "step.a.routes[0].vertraging", "unknown key", id="route-unknown-key"),
    pytest.param(breaking("rate = 1", "rate = -1"), "arrival.in.rate", "must be >= 0",
                 id="rate-negative"),
    pytest.param(breaking('to = "a"\nrate', 'to = "z"\nrate'), "arrival.in.to",
                 "no step with this id", id="arrival-to-unknown"),
    pytest.param(breaking(ARRIVAL, ""), "arrival", "no [[arrival]] given", id="no-arrivals"),
    pytest.param(adding('[[event]]\nat = 500\nset = { "step.a.capacity" = 3 }'), "event[0].at",
                 "after the horizon", id="event-after-horizon"),
    pytest.param(adding('[[event]]\nat = -1\nset = { "step.a.capacity" = 3 }'), "event[0].at",
                 "must be >= 0", id="event-negative-time"),
    pytest.param(adding('[[event]]\nat = 5\nset = { "step.z.capacity" = 3 }'),
                 'event[0].set."step.z.capacity"', "no step with this id", id="event-unknown-step"),
    pytest.param(adding('[[event]]\nat = 5\nset = { "step.a.capacity" = -3 }'),
                 'event[0].set."step.a.capacity"', "must be >= 0", id="event-capacity-negative"),
    pytest.param(adding('[[event]]\nat = 5\nset = { "step.a.colour" = 3 }'),
                 'event[0].set."step.a.colour"', "unknown key", id="event-unknown-attribute"),
    pytest.param(adding("[[event]]\nat = 5\nset = {}"), "event[0].set", "sets nothing",
                 id="event-empty-set"),
    pytest.param(adding('[[event]]\nset = { "arrival.in.rate" = 2 }'), "event[0].at",
                 "missing required key", id="event-without-time"),
    pytest.param(breaking('{ to = "b", p = 0.4 }, { to = "exit", p = 0.6, outcome = "klaar" }',
                          '{ to = "a", p = 1 }'),
                 "step.a.routes", "never leave the chain", id="closed-loop"),
    # The mechanisms of real chains.
    pytest.param(breaking("capacity = 2",
                          'capacity = 2\nqueue_limit = { size = 3, when_full = "divert" }'),
                 "step.a.queue_limit.divert_to", "needs a step", id="divert-without-target"),
    pytest.param(breaking("capacity = 2", "capacity = 2\ndeadline = { max_wait = 0 }"),
                 "step.a.deadline.max_wait", "must be > 0", id="deadline-zero"),
    pytest.param(breaking("capacity = 2", "capacity = 2\nbacklog = { queue = 10, in_service = 3 }"),
                 "step.a.backlog.in_service", "more cases in service", id="backlog-in-service"),
    pytest.param(breaking("capacity = 2", "capacity = 2\ntypes = { spoed = { priority = 1 } }"),
                 "step.a.types.spoed", "no arrival brings case type", id="type-nobody-brings"),
    pytest.param(breaking('outcome = "klaar" }', 'outcome = "klaar", delay = 2 }'),
                 "step.a.routes[1].delay", "belongs on a hand-over", id="delay-on-exit"),
    pytest.param(breaking("rate = 1", "rate = 1\ntimes = [1, 2]"), "arrival.in.rate",
                 "has no rate", id="times-and-rate"),
    pytest.param(breaking("rate = 1", "rate = 1\nseason = [1, 2, 3]"), "arrival.in.season",
                 "12 monthly factors", id="season-length"),
    pytest.param(adding('[[calendar]]\nid = "kantoor"\nstart_hour = 20\nhours = 8'),
                 "calendar.kantoor.hours", "end by midnight", id="calendar-past-midnight"),
    pytest.param(adding('[[pool]]\nid = "staf"\npartner = "om"\ncapacity = 2\nsteps = ["a", "b"]\n'
                        'rule = "share"\nshares = [0.5, 0.6]'),
                 "pool.staf.shares", "must sum to 1", id="pool-shares-sum"),
    pytest.param(adding('[[policy]]\nkind = "wip_cap"\nlimit = 10\nstep = "a"'), "policy[0].step",
                 "unknown key", id="policy-key-of-other-kind"),
]


def test_the_valid_file_is_valid(tmp_path):
    path = tmp_path / "goed.toml"
    path.write_text(VALID, encoding="utf-8")
    assert loader.load(path).step_ids == ("a", "b")


def test_there_are_many_kinds_of_bad_input():
    assert len({c.id for c in CASES}) >= 20


def write_case(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fout.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "key", "words"), CASES)
def test_bad_input_names_key_and_problem(tmp_path, text, key, words):
    path = write_case(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        loader.load(path)
    lines = str(info.value).splitlines()
    assert lines and all(line.startswith(f"error: {path}: ") for line in lines)
    assert any(f": {key}" in line and words in line for line in lines), lines
    assert all("(expected " in line and ", got " in line for line in lines)


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize(("text", "key", "words"), CASES)
def test_bad_input_through_the_command_line(tmp_path, command, text, key, words):
    import click
    from click.testing import CliRunner

    from ketensim.cli import app as cli

    # The console script's ``main`` may be the click group itself or a function calling it.
    entry = cli.main if isinstance(cli.main, click.Command) else cli.cli
    path = write_case(tmp_path, text)
    out = tmp_path / "uit"
    args = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    result = CliRunner().invoke(entry, args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    assert any(path.name in line and key in line and words in line for line in lines)
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists() or not any(out.iterdir())
