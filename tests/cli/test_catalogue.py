"""``ketensim scenarios`` and ``ketensim new``: the bundled chains are found, also in the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

import ketensim
from ketensim.cli import cli
from ketensim.scenario.catalogue import bundled_folder, catalogue, starter

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="ketensim")


def test_the_list_holds_every_bundled_file_with_its_title():
    listed = invoke("scenarios")
    assert listed.exit_code == 0
    files = sorted(p.relative_to(bundled_folder()).as_posix()
                   for p in bundled_folder().rglob("*.toml"))
    assert [b.relative for b in catalogue()] == files
    for item in catalogue():
        assert item.relative in listed.output and item.title, item.relative
    assert (ROOT / "scenarios").resolve() == bundled_folder().resolve()


def test_copy_gives_a_folder_that_runs(tmp_path):
    done = invoke("scenarios", "--copy", tmp_path / "kopie")
    assert done.exit_code == 0
    assert ketensim.load(tmp_path / "kopie" / "strafrechtketen" / "politie-levert-meer.toml")
    again = invoke("scenarios", "--copy", tmp_path / "kopie")
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_new_writes_a_commented_file_that_checks_and_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("new", "mijn-keten").exit_code == 0
    text = (tmp_path / "mijn-keten.toml").read_text(encoding="utf-8")
    assert text.count("#") > 20 and 'name = "mijn-keten"' in text
    assert invoke("check", "mijn-keten.toml").exit_code == 0
    results = ketensim.simulate(ketensim.load(tmp_path / "mijn-keten.toml"), replications=1)
    assert int(results.chain["cases_out"].iloc[0]) > 0
    assert invoke("new", "mijn-keten").exit_code == 2  # never overwrites
    assert invoke("new", "Mijn Keten").exit_code == 2
    assert starter("x-1").startswith("# Een keten")


def test_the_wheel_ships_the_bundled_scenarios(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w",
                    str(tmp_path)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("ketensim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.removeprefix("ketensim/bundled/") for n in names
               if n.startswith("ketensim/bundled/") and n.endswith(".toml")}
    assert shipped == {b.relative for b in catalogue()}
    assert "ketensim/bundled/README.md" in names  # the sources of every figure travel along
    assert "ketensim/present/pages/templates/report.html.j2" in names
