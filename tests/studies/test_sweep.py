"""Sweeps: the grid, the command, the tables, the pictures and the target."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from analysis_scenarios import COSTS, NORMS, chain, invoke, plain_reports, write

import ketensim
from ketensim.errors import ScenarioError
from ketensim.studies.sweep import grid_values, parse_set

KEY = "step.besluit.capacity"


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    plain_reports(monkeypatch)


@pytest.fixture
def file(tmp_path):
    return write(tmp_path, "keten.toml", chain("keten", replications=3, extra=NORMS))


# -- the grid ----------------------------------------------------------------------------


def test_integer_ranges_include_both_ends():
    assert grid_values(KEY, "1", "5", "2") == (1, 3, 5)
    assert grid_values(KEY, "1", "6", "2") == (1, 3, 5)
    assert grid_values(KEY, "4", "4", "1") == (4,)
    assert all(isinstance(v, int) for v in grid_values(KEY, "10", "30", "10"))


def test_float_ranges_survive_rounding():
    assert grid_values(KEY, "0.1", "0.3", "0.1") == (0.1, 0.2, 0.3)
    assert grid_values(KEY, "0", "1", "0.1")[-1] == 1.0
    assert len(grid_values(KEY, "0", "1", "0.1")) == 11
    assert grid_values(KEY, "1", "2", "0.5") == (1.0, 1.5, 2.0)


@pytest.mark.parametrize(("spec", "problem"), [
    (("5", "1", "1"), "the range runs backwards"),
    (("1", "5", "0"), "STEP must be > 0"),
    (("1", "5", "-1"), "STEP must be > 0"),
    (("a", "5", "1"), "START, STOP and STEP must be numbers"),
    (("1", "inf", "1"), "the range must be finite"),
])
def test_bad_ranges_name_the_problem(spec, problem):
    with pytest.raises(ScenarioError, match=problem) as err:
        grid_values(KEY, *spec)
    assert str(err.value).startswith(f"error: --set: {KEY}: ")


def test_keys_and_values_are_checked_like_an_events_set(file):
    sc = ketensim.load(file)
    assert parse_set(f"{KEY}=1:3:1", sc).values == (1, 2, 3)
    assert parse_set("arrival.aanvragen.rate=1:2:0.5", sc).values == (1.0, 1.5, 2.0)
    assert parse_set("step.besluit.service.mean=0.4:0.5:0.1", sc).values == (0.4, 0.5)
    with pytest.raises(ScenarioError, match="no step with this id"):
        parse_set("step.onbekend.capacity=1:3:1", sc)
    with pytest.raises(ScenarioError, match="unknown key"):
        parse_set("step.besluit.kleur=1:3:1", sc)
    with pytest.raises(ScenarioError, match="must be an integer"):
        parse_set(f"{KEY}=1:2:0.5", sc)
    with pytest.raises(ScenarioError, match="must read KEY=START:STOP:STEP"):
        parse_set(f"{KEY}=1:3", sc)


# -- the command ---------------------------------------------------------------------------


def test_sweep_writes_tables_pictures_and_folders(file, tmp_path):
    out = tmp_path / "out"
    result = invoke("sweep", file, "--set", f"{KEY}=1:3:1", "--out", out, "-j", "1")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns[:3]) == ["point", KEY, "replication"]
    assert {"cases_in", "cases_out", "mean_lead_time", "p50_lead_time", "p90_lead_time",
            "wip_at_end", "throughput", "norm:wacht-intake", "norm:doorloop"} <= set(table.columns)
    assert table[["point", KEY]].drop_duplicates().values.tolist() == [[0, 1], [1, 2], [2, 3]]
    assert table.replication.tolist() == [0, 1, 2] * 3
    summary = pd.read_csv(out / "sweep_summary.csv")
    assert len(summary) == 3
    assert {"mean_lead_time_mean", "mean_lead_time_ci_low", "mean_lead_time_ci_high",
            "total_capacity"} <= set(summary.columns)
    for point in ("point-000", "point-001", "point-002"):
        assert (out / point / "steps.csv").is_file() and (out / point / "report.html").is_file()
    for stem in ("sweep_mean_lead_time", "sweep_throughput", "sweep_norm-doorloop"):
        assert (out / f"{stem}.png").read_bytes()[:4] == b"\x89PNG"
        assert not (out / f"{stem}.svg").exists()  # SVG only on request
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "<script" not in page
    assert_a_page_for_people(page)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["keys"] == {KEY: [1, 2, 3]}
    assert "Sweep van keten: 3 punten x 3 replicaties" in result.stdout


def test_more_capacity_shortens_the_lead_time(file, tmp_path):
    done = ketensim.sweep(file, {KEY: (1, 3, 1)}, replications=4, seed=1)
    means = done.summary["mean_lead_time_mean"].tolist()
    assert means[0] > means[1] >= means[2] * 0.95


def test_a_grid_of_two_keys(file, tmp_path):
    out = tmp_path / "out"
    result = invoke("sweep", file, "--set", f"{KEY}=1:2:1", "--set",
                    "step.intake.capacity=2:3:1", "--out", out, "-n", "2", "-j", "1")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    points = table[["point", KEY, "step.intake.capacity"]].drop_duplicates().values.tolist()
    assert points == [[0, 1, 2], [1, 1, 3], [2, 2, 2], [3, 2, 3]]


def test_jobs_do_not_change_a_byte(file, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    args = ("sweep", file, "--set", f"{KEY}=1:2:1", "-n", "2")
    assert invoke(*args, "--out", one, "-j", "1").exit_code == 0
    assert invoke(*args, "--out", two, "-j", "2").exit_code == 0
    for name in ("sweep.csv", "sweep_summary.csv", "point-001/chain.csv"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_target_names_the_smallest_capacity(file, tmp_path):
    out = tmp_path / "out"
    result = invoke("sweep", file, "--set", f"{KEY}=1:3:1", "--target", "doorloop",
                    "--out", out, "-n", "4", "-j", "1")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Doel: 90% binnen 5 dagen doorlooptijd van de keten, gemeten over dag 10 tot 80" in text
    assert "bij besluit (rechtbank) haalt de keten de norm" in text or "Geen enkel punt" in text
    assert "servers" not in text  # capacity, not jargon


def test_target_verdict_follows_the_summary(file):
    done = ketensim.sweep(file, [f"{KEY}=1:3:1"], target="lead_time<=6@0.8", replications=4,
                          seed=2)
    verdict = done.target
    assert verdict is not None and verdict.ranked_by == "capacity"
    column = "norm:lead_time<=6@0.8"
    assert column in done.table.columns
    means = done.summary[f"{column}_mean"].tolist()
    meeting = [i for i, m in enumerate(means) if m >= 0.8]
    assert verdict.in_mean == (meeting[0] if meeting else None)


def test_with_costs_the_cheapest_point_wins(tmp_path):
    costly = chain("duur", replications=3, extra=COSTS.format(sharing="use")).replace(
        'id = "gemeente"', 'id = "gemeente"\ncost_per_server = 10', 1).replace(
        'id = "rechtbank"', 'id = "rechtbank"\ncost_per_server = 100', 1)
    file = write(tmp_path, "duur.toml", costly)
    done = ketensim.sweep(file, [f"{KEY}=1:2:1", "step.intake.capacity=2:4:2"],
                          target="wait:intake<=5@0.5", replications=3, seed=1)
    assert done.target is not None and done.target.ranked_by == "cost"
    costs = done.summary["cost_total_mean"]
    meeting = done.summary["norm:wait:intake<=5@0.5_mean"] >= 0.5
    assert done.target.in_mean == int(costs[meeting].idxmin())


def test_an_event_that_sets_the_key_again_is_pointed_out(tmp_path):
    text = chain("keten", replications=2) + (
        f'\n[[event]]\nat = 40\nset = {{ "{KEY}" = 2 }}\n')
    file = write(tmp_path, "k.toml", text)
    result = invoke("sweep", file, "--set", f"{KEY}=1:2:1", "--out", tmp_path / "o", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "Let op: de ingreep op dag 40 zet capaciteit besluit (rechtbank) opnieuw" in " ".join(
        result.stdout.split())


@pytest.mark.parametrize(("args", "message"), [
    (("--set", "step.onbekend.capacity=1:3:1"), "error: --set: step.onbekend.capacity: no step"),
    (("--set", f"{KEY}=5:1:1"), f"error: --set: {KEY}: the range runs backwards"),
    (("--set", f"{KEY}=1:5:0"), f"error: --set: {KEY}: STEP must be > 0"),
    (("--set", f"{KEY}=1:2:1", "--set", f"{KEY}=1:2:1"), f"error: --set: {KEY}: swept twice"),
    (("--set", f"{KEY}=1:2:1", "--target", "snel"), "--target: no norm with this id"),
    (("--set", f"{KEY}=1:2:1", "--target", "wait:nergens<=3@0.9"),
     "--target: no step with this id"),
])
def test_bad_input_exits_2_and_writes_nothing(file, tmp_path, args, message):
    out = tmp_path / "out"
    result = invoke("sweep", file, *args, "--out", out)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_sweep_needs_a_set(file, tmp_path):
    result = invoke("sweep", file, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "--set" in result.stderr


@pytest.mark.parametrize("command", ["compare", "sweep", "bands"])
def test_help_shows_an_example_on_a_bundled_scenario(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"ketensim {command} scenarios/" in result.stdout


def assert_a_page_for_people(page: str) -> None:
    """Dutch headings and numbers, the verdict in sentences: no terminal dump, no raw names."""
    import re

    assert "<pre" not in page
    assert "Wat de sweep laat zien" in page and "Per punt" in page and "Instelling" in page
    for raw in ("_mean", "_ci_low", "mean_lead_time", "cases_in", "step.besluit.capacity"):
        assert raw not in re.sub(r"<[^>]+>", " ", page.split("<section id=\"figuren\">")[0]), raw
    assert not re.search(r"\d\.\d+e[+-]\d", page), "scientific notation on the page"
    assert "capaciteit besluit" in page.lower()


def test_each_point_says_which_backlog_keeps_growing(tmp_path):
    # besluit: 1.5 cases a day, one server of 0.5 to 1 day: overloaded from a mean of 0.7 on
    path = write(tmp_path, "keten.toml", chain("keten", replications=4, besluit_mean=0.9))
    done = ketensim.sweep(path, ["step.besluit.capacity=1:2:1"], seed=2)
    from ketensim.present.pages.sweep import point_rows
    from ketensim.present.words.sweep import growing_line

    rows = point_rows(done, "nl")
    assert rows["head"][-1] == "Groeiende werkvoorraad (uit de simulatie)"
    assert [r[-1]["text"] for r in rows["rows"]] == ["besluit (rechtbank)", "geen"]
    assert growing_line(done, "nl") == \
        "Groeiende werkvoorraad (uit de simulatie): punt 0: besluit (rechtbank)."
    assert growing_line(done, "en") == "Growing backlog (from the simulation): point 0: " \
        "besluit (rechtbank)."
