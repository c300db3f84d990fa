"""Scenario texts for the schema tests: one valid small chain, and ways to change it.

Every bad-input case starts from ``BASE`` and breaks one thing, so a case that
stops failing means the check it covers has gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ketensim.errors import ScenarioError
from ketensim.scenario import loader

BASE = """
[scenario]
name = "m"
horizon = 100

[[partner]]
id = "om"

[[partner]]
id = "rb"

[[step]]
id = "a"
partner = "om"
capacity = 2
service = { dist = "exponential", mean = 1 }
routes = [{ to = "b", p = 0.5 }, { to = "exit", p = 0.5, outcome = "klaar" }]

[[step]]
id = "b"
partner = "om"
capacity = 1
service = { dist = "exponential", mean = 1 }

[[step]]
id = "c"
partner = "rb"
capacity = 1
service = { dist = "exponential", mean = 1 }

[[arrival]]
id = "in"
to = "a"
rate = 1
"""
CSV_FILES = {
    "w.csv": "zaak,age,case_type\n1,4,case\n2,0,\n",
    "geen_age.csv": "leeftijd\n3\n",
    "neg_age.csv": "age\n1\n-2\n",
    "i.csv": "t,case_type\n2,case\n1,\n",
    "i_bad.csv": "t\nmorgen\n",
    "leeg.csv": "t\n\n",
    "fte.csv": "from,capacity\n0,2\n50,3\n",
    "fte_half.csv": "from,capacity\n0,2.5\n",
    "fte_order.csv": "from,capacity\n5,1\n2,1\n",
}


def write_csvs(tmp_path: Path) -> Path:
    """The data files the cases name, next to the scenario file."""
    for name, text in CSV_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def load(folder: Path, text: str, name: str = "s.toml"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return loader.load(path)


def problems(folder: Path, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(folder, text)
    return [str(p) for p in info.value.problems]


def on(table_id: str, line: str, text: str = BASE) -> str:
    """``text`` with ``line`` added to the table whose id (or name) line is ``table_id``."""
    anchor = f'id = "{table_id}"\n'
    assert anchor in text, table_id
    return text.replace(anchor, anchor + line + "\n", 1)


def without(piece: str, text: str = BASE) -> str:
    assert piece in text, piece
    return text.replace(piece, "", 1)


def plus(extra: str, text: str = BASE) -> str:
    return text + "\n" + extra + "\n"


A_ROUTES = 'routes = [{ to = "b", p = 0.5 }, { to = "exit", p = 0.5, outcome = "klaar" }]'


def routes_a(routes: str) -> str:
    return BASE.replace(A_ROUTES, f"routes = {routes}")


CALENDAR = '[[calendar]]\nid = "k"\n'
POOL = '[[pool]]\nid = "p"\npartner = "om"\ncapacity = 2\nsteps = ["a", "b"]\n'
EVENT = "[[event]]\nat = 5\nset = {{ {} }}"


def bad(text: str, key: str, words: str, case_id: str):
    return pytest.param(text, key, words, id=case_id)
