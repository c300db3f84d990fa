"""The schema: distributions, data files, changes, routing loops and collecting every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketensim.errors import ScenarioError
from ketensim.scenario import loader
from ketensim.scenario.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    Triangular,
    Uniform,
)
from ketensim.scenario.loops import closed_loop
from ketensim.scenario.model import Change, Route
from ketensim.scenario.schema import build as schema

HEAD = """
[scenario]
name = "t"
horizon = 100

[[partner]]
id = "om"

[[arrival]]
id = "in"
to = "a"
rate = 1
"""


def step(sid: str = "a", service: str = '{ dist = "exponential", mean = 1 }',
         routes: str = "[]", capacity: str = "1") -> str:
    return (f'\n[[step]]\nid = "{sid}"\npartner = "om"\ncapacity = {capacity}\n'
            f"service = {service}\nroutes = {routes}\n")


def load_text(tmp_path: Path, text: str, name: str = "s.toml"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return loader.load(path)


def problems_of(tmp_path: Path, text: str, name: str = "s.toml") -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, text, name)
    return [str(p) for p in info.value.problems]


def from_dict(doc: dict):
    return schema.build(schema.split(doc, schema.Origin("<dict>", Path.cwd())))


# -- distributions ------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "expected"), [
    ('{ dist = "exponential", mean = 2 }', Exponential(2.0)),
    ('{ dist = "deterministic", mean = 0 }', Deterministic(0.0)),
    ('{ dist = "lognormal", mean = 1.5, cv = 0.8 }', LogNormal(1.5, 0.8)),
    ('{ dist = "gamma", mean = 3, cv = 2 }', Gamma(3.0, 2.0)),
    ('{ dist = "uniform", low = 1, high = 4 }', Uniform(1.0, 4.0)),
    ('{ dist = "triangular", low = 1, mode = 2, high = 5 }', Triangular(1.0, 2.0, 5.0)),
    ('{ dist = "empirical", values = [1, 2.5, 0] }', Empirical((1.0, 2.5, 0.0))),
])
def test_every_distribution_kind(tmp_path, spec, expected):
    sc = load_text(tmp_path, HEAD + step(service=spec))
    assert sc.steps[0].service == expected
    assert type(sc.steps[0].service.mean) is float


@pytest.mark.parametrize(("spec", "key", "words"), [
    ('{ mean = 1 }', "step.a.service.dist", "missing required key"),
    ('{ dist = "weibull", mean = 1 }', "step.a.service.dist", "unknown distribution"),
    ('{ dist = 3 }', "step.a.service.dist", "unknown distribution"),
    ('{ dist = "exponential", mean = 0 }', "step.a.service.mean", "must be > 0"),
    ('{ dist = "exponential", mean = true }', "step.a.service.mean", "must be a number"),
    ('{ dist = "exponential", mean = 1, cv = 1 }', "step.a.service.cv", "unknown key"),
    ('{ dist = "gamma", mean = 1 }', "step.a.service.cv", "missing"),
    ('{ dist = "uniform", low = 3, high = 2 }', "step.a.service.high", "must be >= low"),
    ('{ dist = "triangular", low = 1, mode = 9, high = 5 }', "step.a.service.mode", "between"),
    ('{ dist = "empirical", values = [] }', "step.a.service.values", "non-empty"),
    ('{ dist = "empirical", values = [1, -2] }', "step.a.service.values", "negative"),
    ('{ dist = "empirical", values = [1], source = "x" }', "step.a.service.source", "unknown key"),
    ('3', "step.a.service", "must be a table"),
])
def test_bad_distribution_reports_its_parameter(tmp_path, spec, key, words):
    (line,) = problems_of(tmp_path, HEAD + step(service=spec))
    assert f": {key}: " in line and words in line


# -- empirical from a CSV file ------------------------------------------------------


def csv_step(file: str, column: str = "duur") -> str:
    return step(service=f'{{ dist = "empirical", file = "{file}", column = "{column}" }}')


def test_empirical_from_csv(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("zaak,duur\n1,2.5\n2,0\n\n3,4\n", encoding="utf-8")
    service = load_text(tmp_path, HEAD + csv_step("data/d.csv")).steps[0].service
    assert service == Empirical((2.5, 0.0, 4.0), "data/d.csv:duur")
    assert service.to_dict() == {"dist": "empirical", "file": "data/d.csv", "column": "duur"}


def test_empirical_from_dutch_spreadsheet_csv(tmp_path):
    (tmp_path / "d.csv").write_bytes("zaak;duur\n1;2,5\n2;1\n".encode("utf-8-sig"))
    assert load_text(tmp_path, HEAD + csv_step("d.csv")).steps[0].service.values == (2.5, 1.0)


def test_empirical_csv_outside_the_folder_is_refused(tmp_path):
    (tmp_path / "geheim.csv").write_text("duur\n1\n", encoding="utf-8")
    (line,) = problems_of(tmp_path, HEAD + csv_step("../geheim.csv"), "sub/s.toml")
    assert "step.a.service.file: must lie inside the scenario's folder" in line
    (line,) = problems_of(tmp_path, HEAD + csv_step(str(tmp_path / "geheim.csv")), "sub/s.toml")
    assert "step.a.service.file: must lie inside" in line


def test_empirical_csv_absolute_path_inside_the_folder_is_fine(tmp_path):
    (tmp_path / "d.csv").write_text("duur\n1\n", encoding="utf-8")
    sc = load_text(tmp_path, HEAD + csv_step(str(tmp_path / "d.csv")))
    assert sc.steps[0].service.values == (1.0,)


@pytest.mark.parametrize(("content", "column", "key", "words"), [
    (None, "duur", "service.file", "cannot read the file"),
    ("", "duur", "service.file", "empty"),
    ("zaak,duur\n1,2\n", "dagen", "service.column", "no such column"),
    ("duur\n1\nveel\n", "duur", "service.column", "row 3 of d.csv is not a duration"),
    ("duur\n1\n-4\n", "duur", "service.column", "not a duration"),
    ("duur\n\n", "duur", "service.column", "holds no values"),
    ("duur\n1,5\n", "duur", "service.column", "more cells than the header"),
])
def test_empirical_csv_problems(tmp_path, content, column, key, words):
    if content is not None:
        (tmp_path / "d.csv").write_text(content, encoding="utf-8")
    (line,) = problems_of(tmp_path, HEAD + csv_step("d.csv", column))
    assert f"step.a.{key}: " in line and words in line


def test_empirical_values_and_file_together_is_an_error(tmp_path):
    spec = '{ dist = "empirical", values = [1], file = "d.csv", column = "x" }'
    (line,) = problems_of(tmp_path, HEAD + step(service=spec))
    assert "step.a.service.values: unknown key for empirical" in line


def test_empirical_file_without_column(tmp_path):
    (line,) = problems_of(tmp_path, HEAD + step(service='{ dist = "empirical", file = "d.csv" }'))
    assert "step.a.service.column: missing" in line


# -- numbers, routes, references ----------------------------------------------------


def test_integer_accepted_where_a_number_is_meant_boolean_never(tmp_path):
    sc = load_text(tmp_path, HEAD + step())
    assert sc.horizon == 100 and isinstance(sc.horizon, float)
    text = HEAD.replace("rate = 1", "rate = true") + step()
    (line,) = problems_of(tmp_path, text)
    assert "arrival.in.rate: must be a number" in line and "got true" in line


def test_routes_sum_within_tolerance(tmp_path):
    routes = '[{ to = "exit", p = 0.1 }, { to = "exit", p = 0.2 }, { to = "exit", p = 0.7 }]'
    assert len(load_text(tmp_path, HEAD + step(routes=routes)).steps[0].routes) == 3
    (line,) = problems_of(tmp_path, HEAD + step(routes='[{ to = "exit", p = 0.9 }]'))
    assert "step.a.routes: route probabilities must sum to 1" in line and "0.9" in line
    (line,) = problems_of(tmp_path, HEAD + step(routes='[{ to = "exit", p = 0.995 }]'))
    assert "must sum to 1" in line  # within 1e-9, not within a percent


def test_route_p_may_be_an_integer(tmp_path):
    sc = load_text(tmp_path, HEAD + step(routes='[{ to = "exit", p = 1, outcome = "klaar" }]'))
    assert sc.steps[0].routes == (Route("exit", 1.0, "klaar"),)


def test_three_mistakes_give_three_problems(tmp_path):
    text = HEAD.replace("horizon = 100", "horizon = 0") + step(capacity="0") + "[[event]]\nat = 1"
    found = problems_of(tmp_path, text)
    assert len(found) == 3
    keys = [f.split(": ")[2] for f in found]
    assert keys == ["scenario.horizon", "step.a.capacity", "event[0].set"]


def test_build_from_a_plain_dict():
    doc = {
        "scenario": {"name": "d", "horizon": 10},
        "partner": [{"id": "p"}],
        "step": [{"id": "s", "partner": "p", "capacity": 1,
                  "service": {"dist": "exponential", "mean": 1}}],
        "arrival": [{"id": "in", "to": "s", "rate": 0.5}],
    }
    sc = from_dict(doc)
    assert (sc.name, sc.source, sc.step_ids) == ("d", "<dict>", ("s",))


def test_nothing_at_all_reports_each_missing_part():
    with pytest.raises(ScenarioError) as info:
        from_dict({})
    keys = [p.key for p in info.value.problems]
    assert keys == ["scenario.name", "scenario.horizon", "partner", "step", "arrival"]


# -- events and parse_change --------------------------------------------------------


def two_steps(at: float | None = None, changes: str = "") -> str:
    """Two steps in a row, with one event at ``at`` setting ``changes`` when given."""
    text = HEAD + step("a", routes='[{ to = "b", p = 1 }]') + step("b")
    return text if at is None else text + f"[[event]]\nat = {at}\nset = {{ {changes} }}\n"


def test_event_set_with_dotted_keys_equals_quoted_keys(tmp_path):
    quoted = load_text(tmp_path, two_steps(5, '"step.b.capacity" = 2'))
    dotted = load_text(tmp_path, two_steps(5, "step.b.capacity = 2"))
    assert quoted.events == dotted.events


def test_event_setting_one_key_twice_is_an_error(tmp_path):
    (line,) = problems_of(tmp_path, two_steps(5, '"step.b.capacity" = 2, step.b.capacity = 3'))
    assert 'event[0].set."step.b.capacity": set twice' in line


def test_event_at_horizon_is_fine_after_it_is_not(tmp_path):
    sc = load_text(tmp_path, two_steps(100, '"arrival.in.rate" = 0'))
    assert sc.events[0].at == 100
    (line,) = problems_of(tmp_path, two_steps(101, '"arrival.in.rate" = 0'))
    assert "event[0].at: comes after the horizon" in line


def test_event_service_parameter_key(tmp_path):
    sc = load_text(tmp_path, two_steps(5, '"step.b.service.mean" = 3'))
    assert sc.events[0].changes[0].value == Exponential(3.0)


@pytest.fixture
def scenario(tmp_path):
    return load_text(tmp_path, two_steps())


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("step.a.capacity", 40, 40),
    ("step.a.capacity", 0, 0),
    ("arrival.in.rate", 2.5, 2.5),
    ("arrival.in.rate", 3, 3.0),
    ("step.b.service", {"dist": "deterministic", "mean": 2}, Deterministic(2.0)),
    ("step.b.service.mean", 0.25, Exponential(0.25)),
    ("step.b.routes", [{"to": "a", "p": 0.5}, {"to": "exit", "p": 0.5}],
     (Route("a", 0.5), Route("exit", 0.5))),
])
def test_parse_change(scenario, key, value, expected):
    change = schema.parse_change(key, value, scenario, "s.toml")
    assert isinstance(change, Change) and change.key == key
    assert change.value == expected
    assert change.target == key.split(".")[1]


@pytest.mark.parametrize(("key", "value", "words"), [
    ("step.a.capacity", -1, "must be >= 0"),
    ("step.a.capacity", 40.5, "must be an integer"),
    ("step.zz.capacity", 1, "no step with this id"),
    ("arrival.zz.rate", 1, "no arrival with this id"),
    ("arrival.in.capacity", 1, "unknown key"),
    ("step.a.speed", 1, "unknown key"),
    ("step.a.service.cv", 1, "unknown parameter of exponential"),
    ("step.a.service.mean", -1, "must be > 0"),
    ("step.a.routes", [{"to": "exit", "p": 0.5}], "sum to 1"),
])
def test_parse_change_errors_name_the_key(scenario, key, value, words):
    with pytest.raises(ScenarioError) as info:
        schema.parse_change(key, value, scenario, "--set")
    (line,) = [str(p) for p in info.value.problems]
    assert line.startswith(f"error: --set: {key}") and words in line


def test_changes_apply_to_the_scenario(scenario):
    changes = [schema.parse_change("step.a.capacity", 7, scenario, "--set"),
               schema.parse_change("arrival.in.rate", 0.5, scenario, "--set")]
    variant = scenario.apply(changes)
    assert (variant.step("a").capacity, variant.arrival("in").rate) == (7, 0.5)
    assert scenario.step("a").capacity == 1


# -- routing that never ends ----------------------------------------------------------


def test_closed_loop_is_reported_at_a_step_on_the_loop(tmp_path):
    text = (HEAD + step("a", routes='[{ to = "b", p = 1 }]')
            + step("b", routes='[{ to = "c", p = 1 }]') + step("c", routes='[{ to = "b", p = 1 }]'))
    (line,) = problems_of(tmp_path, text)
    assert "step.b.routes: cases that reach this step can never leave" in line
    assert "a, b, c" in line


def test_loop_with_a_way_out_is_fine(tmp_path):
    text = HEAD + step("a", routes='[{ to = "a", p = 0.5 }, { to = "exit", p = 0.5 }]')
    assert load_text(tmp_path, text).steps[0].routes[0].to == "a"


def test_way_out_with_p_zero_is_no_way_out(tmp_path):
    text = HEAD + step("a", routes='[{ to = "a", p = 1 }, { to = "exit", p = 0 }]')
    (line,) = problems_of(tmp_path, text)
    assert "step.a.routes: cases that reach this step can never leave" in line


def test_loop_made_by_an_event_is_reported_at_the_event(tmp_path):
    text = two_steps(5, '"step.b.routes" = [{ to = "a", p = 1 }]')
    (line,) = problems_of(tmp_path, text)
    assert 'event[0].set."step.b.routes": cases that reach this step can never leave' in line


def test_loop_nobody_reaches_is_harmless():
    routes = {"a": (), "x": (Route("y", 1.0),), "y": (Route("x", 1.0),)}
    assert closed_loop(routes, ["a"]) == ()
    assert closed_loop(routes, ["a", "x"]) == ("x", "y")
