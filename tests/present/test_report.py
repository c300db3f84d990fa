"""The report page: self-contained, in the reader's language, verdict first."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import synthetic
from analysis_scenarios import COSTS, NORMS, chain, write

import ketensim as ketensim_api
from ketensim.present.pages import report
from ketensim.present.pages import tables as report_tables

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NL_HEADINGS = ("Samenvatting", "Figuren", "Tabellen", "Het scenario zoals gedraaid",
               "Over deze run")
EN_HEADINGS = ("Summary", "Pictures", "Tables", "The scenario as run", "About this run")


@pytest.fixture(scope="module")
def run():
    return synthetic.results()


@pytest.fixture(scope="module")
def page_nl(run):
    return report.render_run_report(run)


@pytest.fixture(scope="module")
def page_en(run):
    return report.render_run_report(run, lang="en")


def assert_self_contained(html: str) -> None:
    assert not re.search(r"https?://", html)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@import" not in html and "url(" not in html
    sources = re.findall(r"""src\s*=\s*["']?([^"'\s>]*)""", html)
    assert sources, "expected embedded pictures"
    assert all(src.startswith("data:image/png;base64,") for src in sources)


def test_run_report_is_self_contained(page_nl, page_en):
    assert_self_contained(page_nl)
    assert_self_contained(page_en)


def test_run_report_is_dutch_by_default(page_nl):
    assert '<html lang="nl">' in page_nl
    for heading in NL_HEADINGS:
        assert f">{heading}</h" in page_nl
    assert "Politie levert meer (synthetisch)" in page_nl


def test_run_report_in_english(page_en):
    assert '<html lang="en">' in page_en
    for heading in EN_HEADINGS:
        assert f">{heading}</h" in page_en
    assert "The backlog of Zitting rechtbank (Rechtspraak) grows from day" in page_en


def test_verdict_comes_first(page_nl):
    verdict = page_nl.index("De werkvoorraad van Zitting rechtbank (Rechtspraak) groeit vanaf dag")
    assert verdict < page_nl.index("<img")
    assert verdict < page_nl.index("<table")
    assert "met ongeveer 5 zaken per dag" in page_nl


def test_pictures_tables_and_scenario_are_all_there(page_nl):
    assert page_nl.count("<img") == 7
    assert "Gemiddelde wachttijd (dagen)" in page_nl
    assert "Gemiddelde doorlooptijd (dagen)" in page_nl
    assert "lognormaal, gemiddeld 1,8 dagen, cv 0,5" in page_nl
    assert "Zitting rechtbank 50%, uit: sepot 50%" in page_nl
    assert "Opsporing: capaciteit → 60" in page_nl
    assert "<dt>Seed</dt><dd>7</dd>" in page_nl


def test_text_from_the_scenario_is_escaped(run):
    evil = dataclasses.replace(run.scenario, title="<script>alert(1)</script>")
    html = report.render_run_report(dataclasses.replace(run, scenario=evil))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def comparison_table(base: str, other: str) -> pd.DataFrame:
    """One clear difference (interval excludes 0) and one that is not."""
    rows = [
        (base, "zitting", "mean_wait", 60.0, 41.0, 80.0, None, None, None),
        (other, "zitting", "mean_wait", 35.0, 30.0, 40.0, -25.0, -30.0, -20.0),
        (base, "", "mean_lead_time", 80.0, 57.0, 103.0, None, None, None),
        (other, "", "mean_lead_time", 79.0, 55.0, 100.0, -1.0, -4.0, 2.0),
    ]
    return pd.DataFrame(rows, columns=["scenario", "step", "kpi", "mean", "ci_low", "ci_high",
                                       "diff", "diff_low", "diff_high"])


@pytest.fixture(scope="module")
def compared(run):
    other = synthetic.results(name="meer-rechters", seed=4)
    other.scenario = dataclasses.replace(other.scenario, name="meer-rechters",
                                         title="Meer rechters")
    table = comparison_table(run.scenario.name, other.scenario.name)
    return [run, other], table


def test_compare_report_marks_clear_differences(compared):
    results_list, table = compared
    html = report.render_compare_report(results_list, table)
    assert_self_contained(html)
    assert ">Vergelijking van scenario&#39;s</h1>" in html
    assert html.count('class="num sig"') == 1
    assert html.count('<td class="sig">ja</td>') == 1
    assert html.count("<td>nee</td>") == 1
    assert "<li>Gemiddelde wachttijd bij Zitting rechtbank (Rechtspraak) daalt met 25 dagen " \
        "(95%-interval: 20 tot 30).</li>" in html
    assert html.count("<img") == 2


def test_compare_report_in_english_with_scenario_colours(compared):
    results_list, table = compared
    html = report.render_compare_report(results_list, table, lang="en")
    assert ">Scenarios compared</h1>" in html
    assert "Clear differences to the base" in html
    swatches = set(re.findall(r'class="swatch" style="background: (#[0-9a-f]{6})"', html))
    assert len(swatches) == 2


def test_a_real_run_renders():
    import ketensim

    path = Path(__file__).resolve().parents[2] / "scenarios" / "strafrechtketen" / \
        "politie-levert-meer.toml"
    if not path.exists():
        pytest.skip("bundled scenario not present")
    html = report.render_run_report(ketensim.simulate(ketensim.load(path), replications=2))
    assert_self_contained(html)
    assert "OM ZSM" in html


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="chromium is not installed (CI installs it: there this test runs)")
def test_report_renders_in_a_browser(page_nl, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(page_nl, encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1200,2000", page.as_uri()],
        check=False, capture_output=True, timeout=120,
    )
    assert shot.exists(), "chromium made no screenshot"
    image = mpimg.imread(shot)
    assert image.shape[:2] == (2000, 1200)
    assert float(np.var(image[..., :3])) > 0.01, "the page looks blank"


# -- norms and costs -------------------------------------------------------------------

GENEROUS = """
[[norm]]
id = "ruim"
kind = "wait"
step = "besluit"
within = 60
share = 0.5
label = "De helft binnen zestig dagen"
"""


def priced_chain(name: str = "klein", besluit: int = 1) -> str:
    """The small two-step chain with norms, prices and sharing by use."""
    text = chain(name, besluit=besluit, extra=NORMS + GENEROUS + COSTS.format(sharing="use"))
    return text.replace('id = "gemeente"\n', 'id = "gemeente"\ncost_per_server = 100\n')


@pytest.fixture(scope="module")
def priced(tmp_path_factory):
    folder = tmp_path_factory.mktemp("priced")
    return ketensim_api.simulate(write(folder, "k.toml", priced_chain()))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_run_with_norms_and_costs_shows_both(priced, lang):
    html = report.render_run_report(priced, lang=lang, figures={})
    nl = lang == "nl"
    assert (">Normen</h2>" if nl else ">Norms</h2>") in html
    assert (">Kosten</h2>" if nl else ">Costs</h2>") in html
    assert ("<th>Gehaald (ondergrens 95%)</th>" if nl else "<th>Met (95% lower bound)</th>") \
        in html
    assert ("<th>Per afgehandelde zaak (EUR)</th>" if nl
            else "<th>Per finished case (EUR)</th>") in html
    # The gemeente keeps 2 servers for the 70 days after the warm-up at 100 a day.
    assert '<td>gemeente</td><td class="num">' + ("14.000" if nl else "14,000") in html
    assert html.index('id="normen"') < html.index('id="kosten"') < html.index('id="figuren"')
    verdict = html[html.index('class="verdict"'):html.index('class="cards"')]
    if nl:
        assert "<li>De norm ‘80% binnen een dag in behandeling’ wordt " in verdict
        assert "<li>De norm ‘De helft binnen zestig dagen’ wordt gehaald: 100% binnen de " \
            "termijn" in verdict
    else:
        assert "<li>The norm ‘80% binnen een dag in behandeling’ is " in verdict
        assert "<li>The norm ‘De helft binnen zestig dagen’ is met: 100% within the term" \
            in verdict
        assert "<li>The norm ‘90% within 5 days chain lead time’ is " in verdict


def test_the_norm_table_judges_mean_and_lower_bound(priced):
    table = report_tables.norm_table(priced, "nl")
    rows = {r[0]["text"]: [c["text"] for c in r] for r in table["rows"]}
    summary = priced.norm_summary().set_index("norm")
    for norm in priced.scenario.norms:
        row = rows[norm.label or norm.id]
        mean, low = summary.loc[norm.id, "mean"], summary.loc[norm.id, "ci_low"]
        assert row[3] == ("ja" if mean >= norm.share else "nee")
        assert row[4] == ("ja" if low >= norm.share else "nee")
    assert rows["De helft binnen zestig dagen"][3:5] == ["ja", "ja"]


def test_a_run_without_norms_or_costs_has_neither(run):
    html = report.render_run_report(run, figures={})
    assert 'id="normen"' not in html and 'id="kosten"' not in html
    assert ">Mechanismen</h3>" not in html


def test_the_compare_report_has_norm_and_cost_rows(tmp_path):
    base = write(tmp_path, "a.toml", priced_chain("basis"))
    other = write(tmp_path, "b.toml", priced_chain("meer", besluit=2))
    comparison = ketensim_api.compare(base, [other], replications=3)
    for lang, norm, cost in (("nl", "Aandeel binnen de norm ‘80% binnen een dag in behandeling’",
                              "Kosten gemeente"),
                             ("en", "Share within the norm ‘80% binnen een dag in behandeling’",
                              "Costs of gemeente")):
        html = report.render_compare_report(comparison.results, comparison.table, lang=lang)
        assert f"<td>{norm}</td>" in html
        assert f"<td>{cost}</td>" in html


def test_partners_and_the_waits_of_those_still_waiting_are_in_the_report(tmp_path):
    ketensim, tables, render_run_report = ketensim_api, report_tables, report.render_run_report
    # besluit: 1.5 cases a day against 1/0.9: a pile that grows all the time
    path = write(tmp_path, "keten.toml", chain("keten", replications=3, besluit_mean=0.9))
    results = ketensim.simulate(path)
    page = render_run_report(results, "nl", figures={})
    assert '<h3 id="partners">Per ketenpartner</h3>' in page
    partner = tables.partner_table(results, "nl")
    assert [r[0]["text"] for r in partner["rows"]] == ["gemeente", "rechtbank"]
    assert partner["head"][1:] == ["Instroom", "Afgehandeld", "Voorraad aan het eind",
                                   "Gemiddelde voorraad", "Tijd bij de partner (dagen)",
                                   "Bezetting"]
    steps = tables.step_table(results, "en")
    assert steps["head"][-2:] == ["Waited so far (still waiting) (days)",
                                  "Wait now (estimate) (days)"]
    ahead = results.steps.groupby("step")["wait_ahead_at_end"].mean()["besluit"]
    assert ahead > 2 * results.steps.groupby("step")["mean_wait"].mean()["besluit"]
    quiet = ketensim.simulate(write(tmp_path, "rustig.toml", chain("rustig", besluit=3)))
    assert "Wait now (estimate) (days)" not in tables.step_table(quiet, "en")["head"]
