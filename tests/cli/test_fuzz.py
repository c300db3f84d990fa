"""Hostile scenario files never end in an unexpected failure: exit 0 or 2, never 1.

Generated files (mutations of every bundled scenario, documents built from
the schema's keys with values of any type, and small chains with nasty
names, numbers and calendars) go through ``check``, and the valid small
chains through ``run`` with its pictures and report. Every refusal is one
``error: FILE: key.path: ...`` line per problem, never a traceback. The
examples are derandomised, so a failure here fails the same way again.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import from_scratch, mutated_bundled, small_chain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketensim.cli import cli

tomli_w = pytest.importorskip("tomli_w")

LINE = re.compile(r"error: [^\n]+?: [^\n]+")
def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def _holds_the_contract(result, allowed=(0, 2)) -> None:
    out = result.stdout + result.stderr
    assert result.exit_code in allowed, out
    assert "Traceback" not in out and "unexpected failure" not in out, out
    if result.exit_code == 2 and result.stderr.startswith("error:"):
        for line in result.stderr.splitlines():
            assert LINE.fullmatch(line), line
            assert len(line) < 1200


def _write(folder: Path, doc: dict) -> Path | None:
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return None  # not expressible in TOML (e.g. NaN keys): no file a user could write
    path = folder / "gemaakt.toml"
    path.write_text(text, encoding="utf-8")
    return path


@fuzz(300)
@given(pair=st.one_of(mutated_bundled(), from_scratch().map(lambda d: (None, d))))
def test_check_never_fails_unexpectedly(pair, tmp_path_factory):
    origin, doc = pair
    folder = tmp_path_factory.mktemp("fuzz")
    if origin is not None:  # beside its siblings, so extends and data files resolve
        shutil.copytree(origin.parent, folder, dirs_exist_ok=True)
    path = _write(folder, doc)
    if path is not None:
        _holds_the_contract(CliRunner().invoke(cli, ["check", str(path)], prog_name="ketensim"))


@fuzz(60)
@given(text=small_chain())
def test_run_never_fails_unexpectedly(text, tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    path = folder / "klein.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "-n", "1", "--out", str(folder / "o")],
                                prog_name="ketensim")
    _holds_the_contract(result)
    if result.exit_code == 2:
        assert not (folder / "o").exists()  # nothing half-written
