"""Reading scenario files: the round trip, ``extends`` chains, and where problems are reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ketensim.errors import ScenarioError
from ketensim.scenario import loader
from ketensim.scenario.distributions import Empirical, Exponential, Gamma, Triangular
from ketensim.scenario.model import Arrival, Change, Partner, Route

DATA = Path(__file__).resolve().parents[1] / "data"

BASE = """
[scenario]
name = "basis"
title = "Basis"
horizon = 100
warmup = 10
seed = 3

[[partner]]
id = "politie"

[[partner]]
id = "om"

[[step]]
id = "a"
partner = "politie"
capacity = 2
service = { dist = "exponential", mean = 1 }
routes = [{ to = "b", p = 1 }]

[[step]]
id = "b"
partner = "om"
capacity = 3
service = { dist = "exponential", mean = 0.5 }

[[step]]
id = "c"
partner = "om"
capacity = 1
service = { dist = "deterministic", mean = 0.1 }

[[arrival]]
id = "in"
to = "a"
rate = 1

[[event]]
at = 50
set = { "step.a.capacity" = 3 }
"""


def write(folder: Path, name: str, text: str) -> Path:
    """Write a scenario (or data) file, dedented, creating folders on the way."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loader.load(path)
    return [str(p) for p in info.value.problems]


# -- a valid file -------------------------------------------------------------------


def test_valid_file_round_trip():
    sc = loader.load(DATA / "keten.toml")
    assert (sc.name, sc.title, sc.time_unit) == ("kleine-keten", "Kleine keten", "week")
    assert (sc.horizon, sc.warmup, sc.replications, sc.seed) == (104, 26, 3, 7)
    assert sc.description.startswith("Politie")
    assert sc.partners == (Partner("politie", "Politie"), Partner("om"))
    assert sc.step_ids == ("opsporing", "beoordeling", "zitting")
    opsporing, beoordeling, zitting = sc.steps
    assert (opsporing.name, opsporing.partner, opsporing.capacity) == ("Opsporing", "politie", 12)
    assert opsporing.service == Gamma(2.0, 0.5)
    assert opsporing.routes == (Route("beoordeling", 1.0),)
    assert beoordeling.service == Empirical((0.5, 1.5, 1.0), "metingen/doorlooptijden.csv:weken")
    assert beoordeling.routes[1] == Route("exit", 0.75, "afgedaan_door_om")
    assert zitting.service == Triangular(0.5, 1.0, 3.0)
    assert zitting.routes == () and zitting.effective_routes == (Route("exit", 1.0),)
    assert sc.arrivals == (Arrival("instroom", "opsporing", 5.0, "misdrijf"),)
    assert sc.source == str(DATA / "keten.toml")


def test_events_are_sorted_by_time_and_parsed():
    sc = loader.load(DATA / "keten.toml")
    assert [e.at for e in sc.events] == [52, 80]
    first, second = sc.events
    assert first.label == "Extra rechercheurs"
    assert first.changes[0] == Change(
        "step.opsporing.capacity", "step", "opsporing", "capacity", 14
    )
    assert first.changes[1].value == (Route("exit", 1.0, "vonnis"),)
    assert second.changes == (Change("arrival.instroom.rate", "arrival", "instroom", "rate", 6.5),)
    assert second.title == "arrival.instroom.rate"


def test_outcomes_of_loaded_file_include_events():
    sc = loader.load(DATA / "keten.toml")
    assert sc.outcomes == ("afgedaan_door_om", "done", "vonnis")


def test_string_path_and_source(tmp_path):
    path = write(tmp_path, "basis.toml", BASE)
    sc = loader.load(str(path))
    assert sc.source == str(path)
    assert sc.steps[0].service == Exponential(1.0)


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(BASE).encode())
    assert loader.load(path).name == "basis"


# -- reading problems ---------------------------------------------------------------


def test_missing_file(tmp_path):
    (line,) = problems(tmp_path / "nergens.toml")
    assert line.startswith("error: ") and "nergens.toml: <file>: cannot read" in line


def test_folder_instead_of_file(tmp_path):
    (line,) = problems(tmp_path)
    assert "<file>: is a folder, not a file" in line


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes('[scenario]\nname = "caf\xe9"\n'.encode("latin-1"))
    (line,) = problems(path)
    assert "latin.toml: <file>: not UTF-8" in line


def test_syntax_error_names_line_and_column(tmp_path):
    path = write(tmp_path, "kapot.toml", '[scenario]\nname = "x"\nhorizon 730\n')
    (line,) = problems(path)
    assert "kapot.toml: line 3, column 9: invalid TOML" in line
    assert "`horizon 730`" in line


def test_syntax_error_at_end_of_document(tmp_path):
    path = write(tmp_path, "open.toml", "[scenario]\nname = [1,\n")
    (line,) = problems(path)
    assert "open.toml: end of file: invalid TOML" in line


# -- extends ------------------------------------------------------------------------


def test_extends_overrides_scenario_keys(tmp_path):
    write(tmp_path, "basis.toml", BASE)
    child = write(tmp_path, "variant.toml", """
        [scenario]
        extends = "basis.toml"
        name = "variant"
        horizon = 200
    """)
    sc = loader.load(child)
    assert (sc.name, sc.horizon) == ("variant", 200)
    assert (sc.title, sc.warmup, sc.seed) == ("Basis", 10, 3)
    assert sc.source == str(child)


def test_extends_replaces_by_id_in_place_and_appends_new_ids(tmp_path):
    write(tmp_path, "basis.toml", BASE)
    child = write(tmp_path, "variant.toml", """
        [scenario]
        extends = "basis.toml"

        [[step]]
        id = "b"
        partner = "politie"
        capacity = 9
        service = { dist = "uniform", low = 1, high = 2 }

        [[step]]
        id = "d"
        partner = "om"
        capacity = 1
        service = { dist = "exponential", mean = 1 }

        [[partner]]
        id = "rechtspraak"
    """)
    sc = loader.load(child)
    assert sc.step_ids == ("a", "b", "c", "d")
    b = sc.step("b")
    assert (b.partner, b.capacity, b.routes) == ("politie", 9, ())  # replaced whole, not merged
    assert [p.id for p in sc.partners] == ["politie", "om", "rechtspraak"]


def test_extends_concatenates_events_base_first(tmp_path):
    write(tmp_path, "basis.toml", BASE)
    child = write(tmp_path, "variant.toml", """
        [scenario]
        extends = "basis.toml"

        [[event]]
        at = 50
        set = { "arrival.in.rate" = 2 }

        [[event]]
        at = 20
        set = { "step.b.capacity" = 0 }
    """)
    sc = loader.load(child)
    assert [(e.at, e.changes[0].key) for e in sc.events] == [
        (20, "step.b.capacity"), (50, "step.a.capacity"), (50, "arrival.in.rate"),
    ]


def test_three_file_chain_in_subfolders(tmp_path):
    """A variant extends bases in sub-folders of its own folder (never in a parent folder)."""
    write(tmp_path, "bases/extra/basis.toml", BASE)
    write(tmp_path, "bases/midden.toml", """
        [scenario]
        extends = "extra/basis.toml"
        horizon = 300
        [[arrival]]
        id = "in"
        to = "b"
        rate = 4
    """)
    top = write(tmp_path, "top.toml", """
        [scenario]
        extends = "bases/midden.toml"
        name = "top"
    """)
    sc = loader.load(top)
    assert (sc.name, sc.horizon, sc.warmup) == ("top", 300, 10)
    assert sc.arrivals == (Arrival("in", "b", 4.0),)
    below = write(tmp_path, "varianten/v.toml", '[scenario]\nextends = "../top.toml"\n')
    (line,) = problems(below)
    assert "scenario.extends: must lie inside the scenario's folder" in line


def test_extends_cycle_is_named(tmp_path):
    write(tmp_path, "a.toml", '[scenario]\nextends = "b.toml"\n')
    write(tmp_path, "b.toml", '[scenario]\nextends = "a.toml"\n')
    (line,) = problems(tmp_path / "a.toml")
    assert "b.toml: scenario.extends: extends makes a cycle" in line
    assert "a.toml -> " in line and "b.toml -> " in line


def test_extends_itself(tmp_path):
    write(tmp_path, "zelf.toml", '[scenario]\nextends = "zelf.toml"\n')
    (line,) = problems(tmp_path / "zelf.toml")
    assert "scenario.extends: extends makes a cycle" in line


def test_extends_missing_base_is_reported_in_child(tmp_path):
    child = write(tmp_path, "variant.toml", '[scenario]\nextends = "weg.toml"\n')
    (line,) = problems(child)
    assert "variant.toml: scenario.extends: the base file does not exist" in line


def test_extends_must_be_a_string(tmp_path):
    child = write(tmp_path, "variant.toml", "[scenario]\nextends = 3\n")
    (line,) = problems(child)
    assert "scenario.extends: must be a file name" in line


def test_extends_syntax_error_in_base_names_base(tmp_path):
    write(tmp_path, "basis.toml", "[scenario\n")
    child = write(tmp_path, "variant.toml", '[scenario]\nextends = "basis.toml"\n')
    (line,) = problems(child)
    assert "basis.toml: line 1" in line and "variant.toml" not in line


def test_extends_key_is_not_in_the_resolved_scenario(tmp_path):
    write(tmp_path, "basis.toml", BASE)
    child = write(tmp_path, "variant.toml", '[scenario]\nextends = "basis.toml"\n')
    raw = loader.read(child)
    assert "extends" not in raw.scenario
    assert "extends" not in loader.load(child).to_dict()


def test_inherited_problem_is_reported_against_base_file(tmp_path):
    write(tmp_path, "basis.toml", BASE.replace("capacity = 3", "capacity = -3"))
    child = write(tmp_path, "variant.toml", """
        [scenario]
        extends = "basis.toml"
        [[step]]
        id = "c"
        partner = "om"
        capacity = 1
        service = { dist = "exponential", mean = -1 }
    """)
    found = problems(child)
    assert len(found) == 2
    assert any(f.startswith(f"error: {tmp_path / 'basis.toml'}: step.b.capacity:") for f in found)
    assert any(f.startswith(f"error: {child}: step.c.service.mean:") for f in found)


def test_inherited_scenario_key_problem_names_the_file_that_set_it(tmp_path):
    write(tmp_path, "basis.toml", BASE.replace("warmup = 10", "warmup = -1"))
    child = write(tmp_path, "variant.toml", """
        [scenario]
        extends = "basis.toml"
        horizon = "lang"
    """)
    found = problems(child)
    assert f"{tmp_path / 'basis.toml'}: scenario.warmup" in found[1]
    assert f"{child}: scenario.horizon" in found[0]


def test_child_problems_and_base_problems_are_collected_together(tmp_path):
    write(tmp_path, "basis.toml", BASE + "\n[[onbekend]]\nx = 1\n")
    child = write(tmp_path, "variant.toml", '[scenario]\nextends = "basis.toml"\nkleur = 1\n')
    found = problems(child)
    assert any("basis.toml: onbekend: unknown top-level key" in f for f in found)
    assert any("variant.toml: scenario.kleur: unknown key" in f for f in found)


def test_empirical_file_is_relative_to_the_file_that_declares_it(tmp_path):
    write(tmp_path, "basis/data.csv", "duur\n1\n3\n")
    write(tmp_path, "basis/basis.toml", BASE.replace(
        '{ dist = "deterministic", mean = 0.1 }',
        '{ dist = "empirical", file = "data.csv", column = "duur" }',
    ))
    child = write(tmp_path, "variant.toml", '[scenario]\nextends = "basis/basis.toml"\n')
    assert loader.load(child).step("c").service.values == (1.0, 3.0)


def test_duplicate_replacement_in_child_is_reported(tmp_path):
    write(tmp_path, "basis.toml", BASE)
    child = write(tmp_path, "variant.toml", """
        [scenario]
        extends = "basis.toml"
        [[partner]]
        id = "om"
        [[partner]]
        id = "om"
    """)
    (line,) = problems(child)
    assert "variant.toml: partner[1].id: duplicate partner id" in line
