"""A scenario file received from someone else reads nothing outside its own folder tree.

``extends`` and data files are held to the folder of the scenario that was
loaded (symbolic links followed); a file that is not a scenario is never
echoed; pipes, devices, folders and huge files give a clear error instead of
a hang; an ``extends`` chain a thousand deep is an error, not a crash.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ketensim.errors import ScenarioError
from ketensim.scenario import loader

CHAIN = """
[scenario]
name = "k"
horizon = 10
{extra}

[[partner]]
id = "p"

[[step]]
id = "a"
partner = "p"
capacity = 1
service = {service}

[[arrival]]
id = "in"
to = "a"
rate = 1
"""


def write(folder: Path, name: str, extra: str = "",
          service: str = '{ dist = "exponential", mean = 1 }') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(CHAIN.format(extra=extra, service=service), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loader.load(path)
    return [str(p) for p in info.value.problems]


def test_extends_may_not_leave_the_folder(tmp_path):
    write(tmp_path, "buiten.toml")
    top = write(tmp_path / "in", "k.toml", 'extends = "../buiten.toml"')
    found = problems(top)
    assert len(found) == 1 and "scenario.extends: must lie inside the scenario's folder" in found[0]


def test_extends_may_not_escape_by_an_absolute_path_or_a_symlink(tmp_path):
    outside = write(tmp_path, "buiten.toml")
    top = write(tmp_path / "in", "k.toml", f'extends = "{outside}"')
    assert "must lie inside" in problems(top)[0]
    (tmp_path / "in" / "link.toml").symlink_to(outside)
    top = write(tmp_path / "in", "k.toml", 'extends = "link.toml"')
    assert "must lie inside" in problems(top)[0]


def test_a_base_in_a_sub_folder_may_be_extended(tmp_path):
    write(tmp_path / "basis", "b.toml")
    top = tmp_path / "k.toml"
    top.write_text('[scenario]\nname = "v"\nextends = "basis/b.toml"\n', encoding="utf-8")
    assert loader.load(top).name == "v"


def test_a_base_data_file_is_held_to_the_top_folder_too(tmp_path):
    (tmp_path / "tijden.csv").write_text("t\n1\n2\n", encoding="utf-8")
    service = '{ dist = "empirical", file = "../tijden.csv", column = "t" }'
    write(tmp_path / "in" / "basis", "b.toml", service=service)
    top = tmp_path / "in" / "k.toml"
    top.write_text('[scenario]\nname = "v"\nextends = "basis/b.toml"\n', encoding="utf-8")
    # From the base's folder "../tijden.csv" is in/tijden.csv: inside the tree, but missing.
    assert "cannot read the file" in problems(top)[0]
    service = '{ dist = "empirical", file = "../../tijden.csv", column = "t" }'
    write(tmp_path / "in" / "basis", "b.toml", service=service)
    assert "must lie inside the scenario's folder" in problems(top)[0]


def test_a_file_that_is_not_a_scenario_is_never_echoed(tmp_path):
    secret = tmp_path / "in" / "wachtwoorden"
    secret.parent.mkdir()
    secret.write_text("root:geheim:0:0\n", encoding="utf-8")
    top = write(tmp_path / "in", "k.toml", 'extends = "wachtwoorden"')
    found = problems(top)
    assert "is not a scenario file" in found[0] and "geheim" not in "".join(found)
    toml = tmp_path / "in" / "kapot.toml"
    toml.write_text("root:geheim:0:0\n", encoding="utf-8")
    via = write(tmp_path / "in", "v.toml", 'extends = "kapot.toml"')
    assert "geheim" not in "".join(problems(via))  # a base's text is not echoed either
    assert "geheim" in "".join(problems(toml))  # the user's own file shows the bad line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_pipes_devices_and_folders_give_an_error_not_a_hang(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pijp.toml")
    os.mkfifo(folder / "pijp.csv")
    (folder / "map.toml").mkdir()
    assert "not a regular file" in problems(folder / "pijp.toml")[0]
    top = write(folder, "k.toml", 'extends = "pijp.toml"')
    assert "not a regular file" in problems(top)[0]
    top = write(folder, "k.toml", 'extends = "map.toml"')
    assert "is a folder" in problems(top)[0]
    service = '{ dist = "empirical", file = "pijp.csv", column = "t" }'
    assert "not a regular file" in problems(write(folder, "d.toml", service=service))[0]
    assert "not a regular file" in problems(Path("/dev/zero"))[0]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from ketensim.scenario.schema import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    top = write(tmp_path, "k.toml")
    assert "too large" in problems(top)[0]


def test_a_nul_byte_in_a_path_is_an_error(tmp_path):
    top = write(tmp_path, "k.toml", 'extends = "b\\u0000.toml"')
    assert "NUL" in problems(top)[0]
    service = '{ dist = "empirical", file = "t\\u0000.csv", column = "t" }'
    assert "NUL" in problems(write(tmp_path, "d.toml", service=service))[0]


def test_a_deep_extends_chain_is_an_error_not_a_crash(tmp_path):
    write(tmp_path, "f0.toml")
    for k in range(1, 60):
        (tmp_path / f"f{k}.toml").write_text(
            f'[scenario]\nname = "f{k}"\nextends = "f{k - 1}.toml"\n', encoding="utf-8")
    found = problems(tmp_path / "f59.toml")
    assert "more than 32 files deep" in found[0]


def test_arrays_nested_a_thousand_deep_are_an_error(tmp_path):
    path = tmp_path / "diep.toml"
    path.write_text("x = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    assert "nested too deeply" in problems(path)[0]


def test_a_missing_base_says_where_it_looked(tmp_path):
    top = write(tmp_path, "k.toml", 'extends = "basis.toml"')
    assert f"looked for {tmp_path.resolve() / 'basis.toml'}" in problems(top)[0]


def test_a_decimal_comma_gets_a_hint(tmp_path):
    path = tmp_path / "komma.toml"
    path.write_text(CHAIN.format(extra="", service='{ dist = "exponential", mean = 1 }')
                    .replace("rate = 1", "rate = 70,5"), encoding="utf-8")
    found = problems(path)
    assert "a decimal comma" in found[0] and "expected a number such as 70.5, got 70,5" in found[0]


def test_a_misspelt_key_gets_did_you_mean(tmp_path):
    path = write(tmp_path, "k.toml", "horizn = 5")
    assert 'unknown key (did you mean "horizon"?)' in problems(path)[0]
    path = tmp_path / "s.toml"
    path.write_text(CHAIN.format(extra="", service='{ dist = "exponential", mean = 1 }')
                    .replace('to = "a"', 'to = "aa"').replace('id = "a"', 'id = "aab"'),
                    encoding="utf-8")
    assert 'no step with this id (did you mean "aab"?)' in problems(path)[0]
