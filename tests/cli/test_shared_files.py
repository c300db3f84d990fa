"""A shared scenario file must not attack its user: formulas, escape sequences, math text.

A colleague's file may hold step ids and outcomes such as ``=HYPERLINK(...)``
(live formulas in Excel), titles with terminal escape sequences, or names
that matplotlib would parse as formulas. ketensim writes text as text, shows
control characters escaped, refuses them in ids, and draws names as written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim.cli import cli

FILE = """
[scenario]
name = "gedeeld"
title = "{title}"
horizon = 30
replications = 2

[[partner]]
id = "p"
name = "{partner}"

[[step]]
id = "{step}"
partner = "p"
capacity = 2
service = {{ dist = "exponential", mean = 1 }}
routes = [{{ to = "exit", p = 1, outcome = "{outcome}" }}]

[[arrival]]
id = "in"
to = "{step}"
rate = 1
"""


def scenario(tmp_path: Path, **parts: str) -> Path:
    values = {"title": "Gedeeld", "partner": "Partner", "step": "a", "outcome": "klaar", **parts}
    path = tmp_path / "gedeeld.toml"
    path.write_text(FILE.format(**values), encoding="utf-8")
    return path


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="ketensim")


def test_formulas_in_ids_are_text_in_the_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = scenario(tmp_path, step='=cmd|\\" /C calc\\"!A0',
                    outcome='=HYPERLINK(\\"http://x\\")')
    done = invoke("run", path, "--out", tmp_path / "o", "--format", "xlsx")
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(tmp_path / "o" / "results.xlsx")
    seen = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")]
    assert seen and all(c.data_type == "s" for c in seen)
    assert book.sheetnames[0] == "samenvatting"
    head = [c.value for c in book["samenvatting"][1]]
    assert head[:3] == ["schakel", "kengetal", "gemiddelde"] and "95%-interval van" in head


def test_escape_sequences_are_shown_escaped_and_refused_in_ids(tmp_path):
    path = scenario(tmp_path, title="Titel\\u001b[2J\\u001b]0;weg\\u0007")
    done = invoke("run", path, "--out", tmp_path / "o")
    assert done.exit_code == 0
    assert "\x1b" not in done.output and "\\x1b[2J" in done.output
    assert "\x1b" not in invoke("check", path).output
    bad = scenario(tmp_path, step="a\\u001b[31m")
    refused = invoke("check", bad)
    assert refused.exit_code == 2 and "contains a control character" in refused.output
    assert "\x1b" not in refused.output


def test_a_newline_in_a_value_keeps_each_message_on_one_line(tmp_path):
    path = scenario(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('rate = 1', 'rate = "een\\ntwee"'),
                    encoding="utf-8")
    refused = invoke("check", path)
    assert refused.exit_code == 2
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "een\\ntwee" in lines[0]


def test_math_text_in_a_name_is_drawn_as_written(tmp_path):
    path = scenario(tmp_path, partner="$\\\\sqrt{$", title="$x$ %s")
    done = invoke("run", path, "--out", tmp_path / "o")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "o" / "werkvoorraad.png").stat().st_size > 1000


def test_csv_for_a_dutch_spreadsheet_on_request(tmp_path):
    path = scenario(tmp_path)
    done = invoke("run", path, "--out", tmp_path / "o", "--format", "csv-nl")
    assert done.exit_code == 0, done.output
    plain = (tmp_path / "o" / "steps.csv").read_text(encoding="utf-8").splitlines()
    dutch = (tmp_path / "o" / "steps.nl.csv").read_text(encoding="utf-8").splitlines()
    assert plain[0].split(",") == dutch[0].split(";")
    assert [c.replace(".", ",") for c in plain[1].split(",")] == dutch[1].split(";")
