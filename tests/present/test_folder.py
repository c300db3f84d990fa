"""The results folder: fixed bytes, refusals, and nothing half-written."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from builders import event, poisson, scenario, step

import ketensim
from ketensim.present import folder as output
from ketensim.results import files, folders
from ketensim.results.tables import (
    CHAIN_COLUMNS,
    OUTCOME_COLUMNS,
    PARTNER_COLUMNS,
    STEP_COLUMNS,
    TIMESERIES_COLUMNS,
)

CSV_FILES = ("steps.csv", "chain.csv", "outcomes.csv", "timeseries.csv", "partners.csv",
             "lead_times.csv")


@pytest.fixture(scope="module")
def results():
    sc = scenario(
        [step("a", 2, 1.0, [("b", 1.0)]), step("b", 1, 0.5, [("exit", 1.0, "klaar")])],
        [poisson("a", 1.2)],
        horizon=40, warmup=5, name="klein",
        events=[event(20, b__capacity=2)],
    )
    return ketensim.simulate(sc, replications=3, seed=4)


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


def test_folder_holds_every_file_with_contract_columns(results, tmp_path):
    out = output.write_results(results, tmp_path / "run")
    names = sorted(p.name for p in out.iterdir())
    pictures = ["werkvoorraad", "instroom-uitstroom", "wachttijd", "doorlooptijd", "bezetting",
                "keten", "keten-na-ingrepen"]
    expected = [*CSV_FILES, "manifest.json", "report.html"]
    expected += [f"{p}.png" for p in pictures]
    assert names == sorted(expected)
    # The report embeds exactly the PNG written beside it.
    page = (out / "report.html").read_text(encoding="utf-8")
    png = base64.b64encode((out / "werkvoorraad.png").read_bytes()).decode("ascii")
    assert png in page
    assert header(out / "steps.csv")[: len(STEP_COLUMNS)] == list(STEP_COLUMNS)
    assert header(out / "chain.csv")[: len(CHAIN_COLUMNS)] == list(CHAIN_COLUMNS)
    assert header(out / "outcomes.csv") == list(OUTCOME_COLUMNS)
    assert header(out / "timeseries.csv") == list(TIMESERIES_COLUMNS)
    assert header(out / "partners.csv") == list(PARTNER_COLUMNS)
    raw = (out / "steps.csv").read_bytes()
    assert b"\r\n" not in raw and raw.endswith(b"\n")


def test_two_writes_give_identical_csv_bytes(results, tmp_path):
    one = output.write_results(results, tmp_path / "one")
    two = output.write_results(results, tmp_path / "two")
    for name in CSV_FILES:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_csv_reads_back_equal(results, tmp_path):
    out = output.write_results(results, tmp_path / "run")
    back = pd.read_csv(out / "steps.csv")
    pd.testing.assert_frame_equal(back, results.steps, check_dtype=False, rtol=1e-9)


def test_manifest_says_what_ran(results, tmp_path):
    start = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    end = datetime(2024, 5, 1, 12, 0, 9, tzinfo=UTC)
    out = output.write_results(
        results, tmp_path / "run", command="ketensim run x.toml", started=start, finished=end,
        sample_every=1.0,
    )
    text = (out / "manifest.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["scenario_name"] == "klein"
    assert doc["scenario"]["steps"][0]["id"] == "a"
    assert doc["scenario"]["events"][0]["at"] == 20
    assert (doc["seed"], doc["replications"]) == (4, 3)
    assert doc["ketensim_version"] == ketensim.__version__
    assert doc["command"] == "ketensim run x.toml"
    assert (doc["started"], doc["finished"]) == ("2024-05-01T12:00:00Z", "2024-05-01T12:00:09Z")
    assert text == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_non_empty_out_is_refused(results, tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(output.OutputError, match="--force") as info:
        output.write_results(results, out)
    assert str(out) in str(info.value)
    assert (out / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_empty_out_is_fine(results, tmp_path):
    (tmp_path / "empty").mkdir()
    out = output.write_results(results, tmp_path / "empty")
    assert (out / "steps.csv").exists()


def test_force_replaces_a_folder_ketensim_wrote(results, tmp_path):
    out = output.write_results(results, tmp_path / "taken")
    (out / "old.txt").write_text("old")
    output.write_results(results, out, force=True)
    assert not (out / "old.txt").exists()
    assert (out / "chain.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_failure_mid_write_leaves_nothing(results, tmp_path, monkeypatch):
    real = output.write_csv

    def flaky(frame, path):
        if path.name == "timeseries.csv":
            raise OSError("disk full")
        real(frame, path)

    monkeypatch.setattr(files, "write_csv", flaky)
    with pytest.raises(output.OutputError, match="disk full"):
        output.write_results(results, tmp_path / "results" / "klein" / "now")
    assert list(tmp_path.iterdir()) == []


def test_failure_with_force_keeps_the_old_folder(results, tmp_path, monkeypatch):
    out = output.write_results(results, tmp_path / "taken")
    before = sorted(p.name for p in out.iterdir())
    monkeypatch.setattr(output, "render_report", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        output.write_results(results, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_default_out_is_unique_per_second(tmp_path):
    moment = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    first = output.default_out("klein", moment, base=tmp_path)
    assert first == tmp_path / "klein" / "20240501T120000Z"
    first.mkdir(parents=True)
    assert output.default_out("klein", moment, base=tmp_path).name == "20240501T120000Z-2"


def test_the_plain_report_of_a_sweep_point_is_self_contained(results):
    page = output.plain_report(results, lang="en")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<title>klein</title>" in page and "mean_lead_time" in page
    assert "http" not in page  # self-contained


def test_xlsx_and_parquet_are_readable(results, tmp_path):
    pytest.importorskip("openpyxl")
    pytest.importorskip("pyarrow")
    out = output.write_results(results, tmp_path / "run", formats=["xlsx", "parquet", "xlsx"])
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert list(sheets) == ["samenvatting", "steps", "chain", "outcomes", "timeseries",
                            "partners", "lead_times"]
    assert list(sheets["steps"].columns) == list(results.steps.columns)
    assert len(sheets["timeseries"]) == len(results.timeseries)
    for name, frame in results.tables.items():
        back = pd.read_parquet(out / f"{name}.parquet")
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_missing_optional_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(folders.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(output.OutputError, match=r"ketensim\[excel\]"):
        output.check_formats(["xlsx"])
    with pytest.raises(output.OutputError, match=r"ketensim\[parquet\]"):
        output.check_formats(["parquet"])


def test_timeseries_too_long_for_excel_is_refused_early():
    with pytest.raises(output.OutputError, match="sample-every"):
        output.check_formats(["xlsx"], timeseries_rows=2_000_000)


def test_force_never_replaces_a_folder_of_the_users_own(results, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    with pytest.raises(output.OutputError, match="only a results folder that ketensim wrote"):
        output.write_results(results, out, force=True)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_claimed_folder_is_refused_to_a_second_writer(results, tmp_path):
    out = tmp_path / "samen"
    with folders.claim(out):
        assert (out / folders.MARKER).exists()
        # another process holds it: forget our own hold to see what a second run sees
        token = folders._CLAIMS.pop(out.absolute())
        try:
            with pytest.raises(output.OutputError, match="another ketensim run"):
                folders.check_out(out)
        finally:
            folders._CLAIMS[out.absolute()] = token
        written = output.write_results(results, out)  # the holder itself may write
    assert (written / "steps.csv").exists() and not (written / folders.MARKER).exists()


def test_two_processes_racing_for_one_folder_one_wins(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from ketensim.results import folders\n"
        "try:\n"
        "    with folders.claim(Path(sys.argv[1])):\n"
        "        print('won', flush=True); time.sleep(2)\n"
        "except folders.OutputError as exc:\n"
        "    print('lost', exc, flush=True)\n"
    )
    out = tmp_path / "een"
    runs = [subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE,
                             text=True) for _ in range(4)]
    said = sorted(r.communicate(timeout=60)[0].split()[0] for r in runs)
    assert said == ["lost", "lost", "lost", "won"]
    assert not out.exists()  # the winner wrote nothing and left no empty folder


def test_a_killed_runs_leftovers_are_cleared_by_the_next_run(results, tmp_path):
    out = tmp_path / "run"
    host = folders._owner().rpartition("_")[0]
    dead = tmp_path / f".run.partial-{host}_999999999-abcd1234"
    dead.mkdir()
    (dead / "steps.csv").write_text("half")
    alive = tmp_path / f".run.partial-{folders._owner()}-beefbeef"
    alive.mkdir()
    output.write_results(results, out)
    assert not dead.exists() and alive.exists()


def test_an_out_under_a_file_or_read_only_is_refused(results, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(output.OutputError, match="is a file"):
        folders.check_out(tmp_path / "file" / "run")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(output.OutputError, match="cannot write here"), \
                folders.claim(locked / "run"):
            pass
    finally:
        locked.chmod(0o700)


def test_too_little_room_is_refused_before_running(tmp_path):
    with pytest.raises(output.OutputError, match="MiB free"), \
            folders.claim(tmp_path / "groot", needed_bytes=2**62):
        pass
    assert not (tmp_path / "groot").exists()


def test_svg_pictures_on_request(results, tmp_path):
    out = output.write_results(results, tmp_path / "run", formats=["svg"])
    assert (out / "werkvoorraad.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert (out / "werkvoorraad.png").exists()
