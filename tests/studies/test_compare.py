"""Comparisons with common random numbers: the command, the table and the statistics."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from analysis_scenarios import chain, invoke, plain_reports, write

import ketensim
from ketensim.errors import ScenarioError
from ketensim.results import stats
from ketensim.studies.compare import COMPARISON_COLUMNS, comparison_table, kpi_values

COLUMNS = ["scenario", "step", "kpi", "mean", "ci_low", "ci_high", "diff", "diff_low",
           "diff_high"]


@pytest.fixture
def quick(monkeypatch):
    plain_reports(monkeypatch)


@pytest.fixture
def pair(tmp_path):
    base = write(tmp_path, "basis.toml", chain("basis", intake=2, besluit=1))
    other = write(tmp_path, "meer.toml", chain("meer-capaciteit", intake=2, besluit=2))
    return base, other


def test_common_random_numbers_narrow_the_difference(tmp_path):
    base = write(tmp_path, "basis.toml", chain("basis"))
    faster = write(tmp_path, "sneller.toml", chain("sneller", besluit_mean=0.45))
    crn = ketensim.compare(base, [faster], replications=12, seed=4)
    paired = crn.row("sneller", "mean_lead_time")
    crn_half = (paired["diff_high"] - paired["diff_low"]) / 2
    # The same pair, but the variant on another seed: no shared randomness left.
    alone = ketensim.simulate(faster, replications=12, seed=5)
    independent = stats.paired_difference(crn.base.chain.mean_lead_time,
                                          alone.chain.mean_lead_time)
    assert paired["diff"] < 0  # faster decisions shorten the lead time
    assert crn_half < 0.5 * independent.half_width


def test_every_scenario_sees_the_same_arrivals(pair):
    base, other = pair
    done = ketensim.compare(base, [other], replications=3, seed=9)
    a, b = (r.steps[r.steps.step == "intake"] for r in done.results)
    assert a.arrivals.tolist() == b.arrivals.tolist()  # the change is downstream of intake


def test_compare_command_writes_folders_and_exact_columns(pair, tmp_path):
    base, other = pair
    out = tmp_path / "out"
    result = invoke("compare", base, other, "--out", out, "-n", "4", "-j", "1")
    assert result.exit_code == 0, result.output
    for name in ("basis", "meer-capaciteit"):
        for file in ("steps.csv", "chain.csv", "outcomes.csv", "timeseries.csv",
                     "manifest.json", "report.html"):
            assert (out / name / file).is_file(), (name, file)
    assert (out / "report.html").is_file()
    table = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    assert list(table.columns) == COLUMNS == list(COMPARISON_COLUMNS)
    assert table.scenario.drop_duplicates().tolist() == ["basis", "meer-capaciteit"]
    base_rows = table[table.scenario == "basis"]
    assert (base_rows["diff"] == "").all()
    kpis = set(table[table.step == "besluit"].kpi)
    assert {"arrivals", "completions", "mean_wait", "p90_wait", "mean_queue", "max_queue",
            "utilization", "queue_at_end"} <= kpis
    chain_kpis = set(table[table.step == ""].kpi)
    assert {"cases_in", "cases_out", "mean_lead_time", "p50_lead_time", "p90_lead_time",
            "wip_at_end", "throughput", "outcome:toegekend", "outcome:afgewezen"} <= chain_kpis
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenarios"] == ["basis", "meer-capaciteit"] and manifest["seed"] == 5
    assert manifest["command"].startswith(f"ketensim compare {base} {other}")


def test_terminal_table_marks_clear_differences_and_says_why(quick, pair, tmp_path):
    base, other = pair
    result = invoke("compare", base, other, "--out", tmp_path / "o", "-n", "6", "-j", "1")
    text = result.stdout
    assert "A  basis" in text and "B  meer-capaciteit" in text
    assert "B - A" in text and "Wachttijd (dagen)" in text
    assert " *" in text  # at least one difference that chance cannot explain
    assert "De wachttijd bij besluit daalt met" in text and "(95%:" in text
    english = invoke("compare", base, other, "--out", tmp_path / "e", "-n", "6", "--lang", "en")
    assert "The waiting time at besluit falls by" in english.stdout


def test_jobs_do_not_change_a_byte(quick, pair, tmp_path):
    base, other = pair
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke("compare", base, other, "--out", one, "-n", "3", "-j", "1").exit_code == 0
    assert invoke("compare", base, other, "--out", two, "-n", "3", "-j", "2").exit_code == 0
    for file in ("comparison.csv", "basis/steps.csv", "meer-capaciteit/chain.csv"):
        assert (one / file).read_bytes() == (two / file).read_bytes(), file


def test_steps_of_one_scenario_only_have_no_difference(tmp_path):
    base = ketensim.load(write(tmp_path, "a.toml", chain("a")))
    extra = chain("b").replace('{ to = "exit", p = 0.7, outcome = "toegekend" }',
                               '{ to = "archief", p = 0.7 }') + """
[[step]]
id = "archief"
partner = "gemeente"
capacity = 3
service = { dist = "deterministic", mean = 0.2 }
routes = [{ to = "exit", p = 1.0, outcome = "toegekend" }]
"""
    other = ketensim.load(write(tmp_path, "b.toml", extra))
    done = ketensim.compare(base, [other], replications=2, seed=1)
    rows = done.table[(done.table.scenario == "b") & (done.table.step == "archief")]
    assert not rows.empty and rows["diff"].isna().all()
    shared = done.row("b", "mean_wait", "besluit")
    assert not np.isnan(shared["diff"])


def test_comparison_table_of_hand_made_values(pair):
    base, other = pair
    done = ketensim.compare(base, [other], replications=3, seed=2)
    again = comparison_table(done.results)
    pd.testing.assert_frame_equal(again, done.table)
    wait = done.row("meer-capaciteit", "mean_wait", "besluit")
    a = kpi_values(done.results[0])[("besluit", "mean_wait")]
    b = kpi_values(done.results[1])[("besluit", "mean_wait")]
    assert wait["diff"] == pytest.approx(float(np.mean(b - a)))


def test_the_api_can_be_called_twice(pair):
    base, other = pair
    first = ketensim.compare(base, [other], replications=2, seed=1)
    second = ketensim.compare(base, [other], replications=2, seed=1)
    pd.testing.assert_frame_equal(first.table, second.table)


def test_same_name_twice_is_bad_input_and_writes_nothing(tmp_path):
    a = write(tmp_path, "a.toml", chain("zelfde"))
    b = write(tmp_path, "b.toml", chain("zelfde", besluit=2))
    out = tmp_path / "out"
    result = invoke("compare", a, b, "--out", out)
    assert result.exit_code == 2
    assert f"error: {b}: scenario.name: the same name as {a}" in result.stderr
    assert not out.exists()


def test_different_time_units_are_refused(tmp_path):
    a = write(tmp_path, "a.toml", chain("a"))
    b = write(tmp_path, "b.toml", chain("b").replace("horizon = 80", 'time_unit = "week"\n'
                                                                      "horizon = 80"))
    with pytest.raises(ScenarioError, match="time_unit: differs from the base"):
        ketensim.compare(a, [b], replications=1)


def test_problems_of_every_file_are_reported_together(tmp_path):
    a = write(tmp_path, "a.toml", chain("a").replace("capacity = 2", "capacity = 0"))
    b = write(tmp_path, "b.toml", chain("b").replace("rate = 1.5", "rate = -1"))
    result = invoke("compare", a, b, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"error: {a}: step.intake.capacity" in result.stderr
    assert f"error: {b}: arrival.aanvragen.rate" in result.stderr
    assert "Traceback" not in result.output


def test_compare_needs_another_scenario(pair):
    result = invoke("compare", pair[0])
    assert result.exit_code == 2 and "OTHER" in result.stderr


BANDS = """
[[band]]
name = "laag"
factor = 0.5

[[band]]
name = "hoog"
factor = 1.2
"""


def test_bands_run_as_a_comparison(quick, tmp_path):
    file = write(tmp_path, "k.toml", chain("keten", extra=BANDS))
    out = tmp_path / "out"
    result = invoke("bands", file, "--out", out, "-n", "3", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "keten", "keten-hoog", "keten-laag"]
    table = pd.read_csv(out / "comparison.csv")
    inflow = table[(table.kpi == "cases_in")].set_index("scenario")["mean"]
    assert inflow["keten-laag"] < inflow["keten"] < inflow["keten-hoog"]


def test_bands_without_bands_is_bad_input(tmp_path):
    file = write(tmp_path, "k.toml", chain("keten"))
    result = invoke("bands", file, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"error: {file}: band: the file has no inflow bands" in result.stderr
    assert not (tmp_path / "out").exists()


def test_compare_writes_its_pictures_beside_the_report(pair, tmp_path):
    base, other = pair
    done = ketensim.compare(base, [other], replications=2, seed=3)
    from ketensim.present.folder import write_comparison

    out = write_comparison(done, tmp_path / "cmp", formats=["svg"])
    for stem in ("compare_backlog", "compare_waits"):
        assert (out / f"{stem}.png").stat().st_size > 1000
        assert (out / f"{stem}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert (out / "basis" / "werkvoorraad.png").exists()


def test_partners_are_compared_like_steps(quick, pair, tmp_path):
    base, other = pair
    done = ketensim.compare(base, [other], replications=4, seed=3)
    row = done.row("meer-capaciteit", "partner:rechtbank:stock_at_end")
    partners = done.results[1].partners
    mine = partners[partners["partner"] == "rechtbank"]
    assert row["mean"] == pytest.approx(mine["stock_at_end"].mean())
    base_rows = done.results[0].partners
    expected = (mine["mean_time"].to_numpy()
                - base_rows[base_rows["partner"] == "rechtbank"]["mean_time"].to_numpy()).mean()
    assert done.row("meer-capaciteit", "partner:rechtbank:mean_time")["diff"] == \
        pytest.approx(expected)
    text = invoke("compare", base, other, "--out", tmp_path / "o", "-n", "4").stdout
    assert "Voorraad per partner aan het eind (zaken)" in text
    assert "Tijd bij de partner (dagen)" in text
    assert "Oordeel per scenario (uit de simulatie):" in text
    assert "A  basis" in text.split("Oordeel per scenario")[1]
    from ketensim.present.pages.report import compare_context

    rows = compare_context(done.results, done.table, "nl")["diff_table"]["rows"]
    partner_rows = [r for r in rows if r[1]["text"] == "rechtbank"]
    assert {r[2]["text"] for r in partner_rows} >= {"Voorraad aan het eind",
                                                     "Tijd bij de partner (dagen)"}


def test_damage_that_is_no_pile_is_named_in_the_comparison(quick, tmp_path):
    text = chain("basis", intake=2, besluit=1, besluit_mean=0.6)
    base = write(tmp_path, "basis.toml", text)
    full = text.replace('name = "basis"', 'name = "weinig-plek"').replace(
        'id = "besluit"\npartner = "rechtbank"\ncapacity = 1\n',
        'id = "besluit"\npartner = "rechtbank"\ncapacity = 1\nqueue_limit = 1\n')
    assert full.count("queue_limit") == 1
    other = write(tmp_path, "vol.toml", full)
    done = ketensim.compare(base, [other], replications=4, seed=3)
    from ketensim.present.words.compare import change_sentences

    nl = " ".join(change_sentences(done, "nl", limit=10))
    en = " ".join(change_sentences(done, "en", limit=10))
    assert "Bij besluit worden" in nl and "meer geweigerd omdat het vol is" in nl
    assert "more cases are turned away at besluit because it is full" in en


def test_a_shorter_lead_time_from_cases_closed_untreated_is_said_to_be_that(quick, tmp_path):
    """More inflow at a step that dismisses when crowded: the cases closed at once make the
    mean lead time fall, and the sentence about it must say why."""
    text = chain("basis", intake=1, besluit=2).replace(
        'id = "intake"\npartner = "gemeente"\ncapacity = 1\n',
        'id = "intake"\npartner = "gemeente"\ncapacity = 1\n'
        'dismissal = { above = 30, share = 0.9, outcome = "geseponeerd" }\n'
        'backlog = { queue = 30, oldest = 30 }\n').replace("rate = 1.5", "rate = 1.0")
    base = write(tmp_path, "basis.toml", text)
    other = write(tmp_path, "meer.toml", text.replace('name = "basis"', 'name = "meer"')
                  .replace("rate = 1.0", "rate = 2.0"))
    done = ketensim.compare(base, [other], replications=6, seed=3)
    from ketensim.present.words.compare import change_sentences

    nl = " ".join(change_sentences(done, "nl", limit=10))
    en = " ".join(change_sentences(done, "en", limit=10))
    assert "doorlooptijd van de keten daalt" in nl
    assert "maar dat komt doordat meer zaken zonder behandeling vertrekken" in nl
    assert "zonder behandeling afgedaan wegens de drukte" in nl
    assert "but only because more cases leave untreated" in en
