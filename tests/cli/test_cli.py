"""The command line, end to end on a tiny scenario."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import ketensim
from ketensim.cli.app import cli

CSV_FILES = ("steps.csv", "chain.csv", "outcomes.csv", "timeseries.csv")

TINY = """
[scenario]
name = "tiny"
title = "Kleine keten"
horizon = 60
warmup = 5
replications = 3
seed = 7

[[partner]]
id = "gemeente"

[[step]]
id = "intake"
partner = "gemeente"
capacity = 2
service = { dist = "exponential", mean = 1.0 }
routes = [{ to = "besluit", p = 1.0 }]

[[step]]
id = "besluit"
partner = "gemeente"
capacity = 1
service = { dist = "exponential", mean = 0.5 }
routes = [{ to = "intake", p = 0.2 }, { to = "exit", p = 0.8, outcome = "klaar" }]

[[arrival]]
id = "aanvragen"
to = "intake"
rate = 1.2
"""

OVERLOAD_EVENT = """
[[event]]
at = 30
set = { "arrival.aanvragen.rate" = 2.0 }
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture
def overloaded(tmp_path: Path) -> Path:
    path = tmp_path / "overloaded.toml"
    path.write_text(TINY + OVERLOAD_EVENT, encoding="utf-8")
    return path


def invoke(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="ketensim")


def csv_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in CSV_FILES}


def test_run_writes_results_and_prints_summary(tiny, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", tiny, "--out", out)
    assert result.exit_code == 0, result.output
    for name in (*CSV_FILES, "manifest.json", "report.html"):
        assert (out / name).is_file(), name
    text = result.stdout
    assert "Kleine keten: 3 replicaties, seed 7" in text
    assert "intake" in text and "besluit" in text
    assert "0,75" in text  # offered load from the traffic equations
    assert "Doorlooptijd keten" in text and "95%-interval" in text
    assert f"Resultaten: {out}" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == f"ketensim run {tiny} --out {out}"
    assert len(pd.read_csv(out / "chain.csv")) == 3


def test_run_in_english_with_overrides(tiny, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", tiny, "--out", out, "-n", "2", "--seed", "11", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "2 replications, seed 11" in result.stdout
    assert "Chain lead time" in result.stdout and "utilisation" in result.stdout
    assert pd.read_csv(out / "chain.csv").replication.tolist() == [0, 1]


def test_jobs_do_not_change_a_byte(tiny, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("run", tiny, "--out", one, "--jobs", "1").exit_code == 0
    assert invoke("run", tiny, "--out", two, "--jobs", "2").exit_code == 0
    assert csv_bytes(one) == csv_bytes(two)


def test_another_seed_gives_other_numbers(tiny, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("run", tiny, "--out", one, "--seed", "1").exit_code == 0
    assert invoke("run", tiny, "--out", two, "--seed", "2").exit_code == 0
    assert csv_bytes(one)["steps.csv"] != csv_bytes(two)["steps.csv"]
    assert csv_bytes(one)["timeseries.csv"] != csv_bytes(two)["timeseries.csv"]


def test_default_out_under_results(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", tiny, "-n", "1")
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "results" / "tiny").iterdir()
    assert len(folder.name) == len("20240501T120000Z") and folder.name.endswith("Z")
    assert (folder / "steps.csv").is_file()


def test_non_empty_out_refused_unless_forced(tiny, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    refused = invoke("run", tiny, "--out", out)
    assert refused.exit_code == 2
    assert str(out) in refused.stderr and "--force" in refused.stderr
    assert (out / "notes.txt").exists()
    forced = invoke("run", tiny, "--out", out, "--force")
    assert forced.exit_code == 2 and "ketensim wrote" in forced.stderr
    assert (out / "notes.txt").exists()
    ours = tmp_path / "ours"
    assert invoke("run", tiny, "--out", ours).exit_code == 0
    (ours / "notes.txt").write_text("old")
    forced = invoke("run", tiny, "--out", ours, "--force")
    assert forced.exit_code == 0, forced.output
    assert not (ours / "notes.txt").exists() and (ours / "steps.csv").exists()


def test_extra_formats_are_readable(tiny, tmp_path):
    pytest.importorskip("openpyxl")
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    result = invoke("run", tiny, "--out", out, "--format", "xlsx", "--format", "parquet")
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert set(sheets) == {"samenvatting", "steps", "chain", "outcomes", "timeseries",
                           "partners", "lead_times"}
    assert len(pd.read_parquet(out / "timeseries.parquet")) == len(
        pd.read_csv(out / "timeseries.csv")
    )


def test_check_marks_the_overloaded_step(overloaded):
    result = invoke("check", overloaded)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "het bestand is geldig" in lines[0]
    assert "Vanaf dag 30" in result.stdout
    flagged = [line for line in lines if line.rstrip().endswith("OVERBELAST")]
    assert [line.split()[0] for line in flagged] == ["intake", "besluit"]
    english = invoke("check", overloaded, "--lang", "en")
    assert "OVERLOADED" in english.stdout and "From day 30" in english.stdout


def test_check_of_a_healthy_file(tiny):
    result = invoke("check", tiny)
    assert result.exit_code == 0
    assert "OVERBELAST" not in result.stdout and "0,75" in result.stdout


def test_run_names_overload_in_plain_words(overloaded, tmp_path):
    result = invoke("run", overloaded, "--out", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "0.75 -> 1.25" in result.stdout
    text = " ".join(result.stdout.split())
    assert "The backlog of intake (gemeente) grows from day 3" in text
    assert "after the intervention ‘arrival.aanvragen.rate’ (day 30)" in text
    assert "On paper the capacity falls short of the work offered (load 1 or more) at: intake " \
           "(gemeente) (load 1.25 from day 30)." in text


def test_invalid_file_exits_2_with_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "Not A Slug"\nhorizon = -1\n', encoding="utf-8")
    for command in ("run", "check"):
        result = invoke(command, bad)
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) >= 2
        assert all(line.startswith(f"error: {bad}: ") for line in lines), lines
        assert "Traceback" not in result.stderr


def test_missing_file_exits_2(tmp_path):
    result = invoke("check", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    "option", [["--replications", "0"], ["--jobs", "0"], ["--seed", "-1"],
               ["--sample-every", "0"], ["--lang", "de"], ["--format", "pdf"]],
)
def test_bad_options_exit_2(tiny, option):
    result = invoke("run", tiny, *option)
    assert result.exit_code == 2


def test_unexpected_failure_is_one_line_exit_1(tiny, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(ketensim, "simulate", broken)
    monkeypatch.delenv("KETENSIM_DEBUG", raising=False)
    result = invoke("run", tiny, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "error: unexpected failure: RuntimeError: something broke" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("KETENSIM_DEBUG", "1")
    debug = invoke("run", tiny, "--out", tmp_path / "out")
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


def test_help_shows_examples():
    for command in ("run", "check"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout
        assert f"    ketensim {command} scenarios/" in result.stdout
    assert "check" in invoke("--help").stdout


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and ketensim.__version__ in result.stdout


def test_python_dash_m_works():
    proc = subprocess.run(
        [sys.executable, "-m", "ketensim", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage: ketensim" in proc.stdout and "run" in proc.stdout


def _closed_early(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the command with its stdout pipe closed before it writes (as ``| head`` does)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ketensim", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line: every write meets EPIPE
    err = proc.stderr.read()
    proc.stderr.close()
    return subprocess.CompletedProcess(proc.args, proc.wait(timeout=120), "", err)


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_closed_stdout_ends_quietly(command, tiny, tmp_path):
    extra = ["--out", str(tmp_path / "out")] if command == "run" else []
    done = _closed_early(command, tiny, *extra)
    assert done.stderr == ""
    assert done.returncode == 141  # as for a command ended by SIGPIPE; no "error:" line
    if command == "run":
        assert (tmp_path / "out" / "report.html").exists()  # the results were written first


def test_head_reads_the_start_of_check(tiny):
    shell = subprocess.run(
        ["bash", "-c", 'set -o pipefail; "$0" -m ketensim check "$1" | head -1', sys.executable,
         str(tiny)], capture_output=True, text=True, check=False,
    )
    assert shell.stdout.startswith("Kleine keten (")
    assert "error" not in shell.stderr and "Traceback" not in shell.stderr
    assert shell.returncode in (0, 141)


def test_sigterm_leaves_nothing_behind(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    slow = tmp_path / "traag.toml"
    slow.write_text("""
[scenario]
name = "traag"
horizon = 2000000
[[partner]]
id = "p"
[[step]]
id = "a"
partner = "p"
capacity = 1
service = { dist = "exponential", mean = 0.5 }
[[arrival]]
id = "in"
to = "a"
rate = 1.0
""", encoding="utf-8")
    out = tmp_path / "res" / "run"
    proc = subprocess.Popen([sys.executable, "-m", "ketensim", "run", str(slow), "--out", str(out),
                             "-j", "1", "--sample-every", "1000"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not out.exists() and time.monotonic() < deadline:  # claimed: the run has started
        time.sleep(0.05)
    assert out.exists(), "the run never claimed its folder"
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert not (tmp_path / "res").exists()  # the claimed folder and its new parent are gone


def test_studies_get_folders_named_after_them(tiny, tmp_path, monkeypatch):
    other = tmp_path / "meer.toml"
    other.write_text(TINY.replace('name = "tiny"', 'name = "meer"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert invoke("compare", tiny, other, "-n", "2").exit_code == 0
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["tiny-vs-meer"]
    from ketensim.cli.commands import comparison_folder

    long = comparison_folder(["basis", *[f"variant-{i:03d}-met-een-lange-naam" for i in range(9)]])
    assert long.startswith("basis-vs-9-scenarios-") and len(long) <= 100


def test_a_load_far_above_one_is_flagged_as_a_probable_unit_mistake(tiny, tmp_path):
    typo = tmp_path / "typo.toml"
    typo.write_text(TINY.replace("rate = 1.2", "rate = 438"), encoding="utf-8")
    assert "rate = 438" in typo.read_text(encoding="utf-8")
    checked = invoke("check", typo)
    assert checked.exit_code == 0 and "eenheidsfout" in checked.output
    assert "eenheidsfout" not in invoke("check", tiny).output
    ran = invoke("run", typo, "--out", tmp_path / "o", "-n", "1")
    assert "waarschuwing: een belasting van" in ran.stderr


def test_an_enormous_run_asks_for_force_before_it_starts(tiny, tmp_path):
    typo = tmp_path / "groot.toml"
    typo.write_text(TINY.replace("rate = 1.2", "rate = 1200000000"), encoding="utf-8")
    done = invoke("run", typo, "--out", tmp_path / "o")
    assert done.exit_code == 2 and "add --force to run it anyway" in done.stderr
    assert "visits to steps" in done.stderr and not (tmp_path / "o").exists()
