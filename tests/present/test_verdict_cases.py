"""The verdict on chains whose right answer is known by construction, in both languages.

Each scenario below was built to show one situation in which a verdict read
from the paper load or from one ramp over the whole window goes wrong: piles
that come and go, a queue outside a capped chain, a queue held down by cases
running out of time, a pile a steering rule clears, a quiet chain. The
bundled scenarios are read too, since they are what newcomers run first.
The sentence kind is asserted in Dutch and English alike (the texts differ,
the judgement must not).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ketensim
from ketensim.present.words import verdict_text
from ketensim.present.words.verdict import Said, verdict_sentences
from ketensim.results import insights

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def chain(name: str, rate: float, extra: str = "", intake_extra: str = "") -> str:
    """Intake (one server, one day a case) and a roomy decision step after it."""
    return f"""
[scenario]
name = "{name}"
horizon = 600
warmup = 50
replications = 6
seed = 3

[[partner]]
id = "gemeente"

[[partner]]
id = "rechtbank"

[[step]]
id = "intake"
partner = "gemeente"
capacity = 1
service = {{ dist = "exponential", mean = 1.0 }}
routes = [{{ to = "besluit", p = 1.0 }}]
{intake_extra}

[[step]]
id = "besluit"
partner = "rechtbank"
capacity = 3
service = {{ dist = "exponential", mean = 1.0 }}
routes = []

[[arrival]]
id = "aanvragen"
to = "intake"
rate = {rate}
{extra}
"""


def rate_at(at: float, rate: float) -> str:
    return f'\n[[event]]\nat = {at}\nset = {{ "arrival.aanvragen.rate" = {rate} }}\n'


CASES = {
    # overloaded (load 1.4) from 100 to 180 and from 330 to 410, quiet (0.3) in between
    "twee-pieken": chain("twee-pieken", 0.3, rate_at(100, 1.4) + rate_at(180, 0.3)
                         + rate_at(330, 1.4) + rate_at(410, 0.3)),
    # one case in the chain at a time: about 0.5 a day get in, 0.9 a day arrive
    "wip-cap": chain("wip-cap", 0.9, '\n[[policy]]\nkind = "wip_cap"\nlimit = 1\n'),
    # load 1.2, but a case that waits five days is gone
    "termijn": chain("termijn", 1.2,
                     intake_extra='deadline = { max_wait = 5, outcome = "verlopen" }'),
    # the inflow doubles at day 100; capacity follows it 40 days after each review
    "volgen": chain("volgen", 0.7, rate_at(100, 1.5) + '\n[[policy]]\nkind = "follow_inflow"\n'
                    'step = "intake"\nevery = 20\nlag = 40\nminimum = 1\n'),
    # load 0.7 throughout
    "stabiel": chain("stabiel", 0.7),
    # overloaded (1.3) from the end of the warm-up on, by an intervention at that moment
    "vanaf-ingreep": chain("vanaf-ingreep", 0.7, rate_at(50, 1.3)),
    # a werkvoorraad of 200 kept level (load 0.97) until the inflow rises at day 220
    "voorraad-dan-ingreep": chain("voorraad-dan-ingreep", 0.97, rate_at(220, 1.4),
                                  intake_extra="backlog = { queue = 200, oldest = 200 }"),
}


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> dict[str, tuple[insights.Findings, ketensim.Results]]:
    folder = tmp_path_factory.mktemp("cases")
    out = {}
    for name, text in CASES.items():
        path = folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        results = ketensim.simulate(ketensim.load(path))
        out[name] = (insights.analyse(results), results)
    return out


def said(judged, name: str, lang: str) -> list[Said]:
    findings, results = judged[name]
    return verdict_sentences(findings, results.scenario, lang)


def kinds(sentences: list[Said]) -> list[str]:
    return [s.kind for s in sentences]


def about(sentences: list[Said], kind: str) -> list[str]:
    return [s.text for s in sentences if s.kind == kind]


LANGS = pytest.mark.parametrize("lang", ["nl", "en"])


@LANGS
def test_two_overload_phases_are_piles_that_come_and_go(judged, lang):
    found = said(judged, "twee-pieken", lang)
    assert "swinging" in kinds(found)
    assert "all_stable" not in kinds(found) and "growing" not in kinds(found)
    assert "intake" in about(found, "swinging")[0]
    assert ("2×" if lang == "nl" else "2 peaks") in about(found, "swinging")[0]
    # the paper load is context, never the verdict
    assert "paper_growing" not in kinds(found)


@LANGS
def test_a_cap_below_the_inflow_grows_a_queue_at_the_door(judged, lang):
    found = said(judged, "wip-cap", lang)
    growing = about(found, "growing")
    assert len(growing) == 1
    door = "om de keten in te mogen" if lang == "nl" else "waiting to enter the chain"
    assert door in growing[0]
    assert "all_stable" not in kinds(found) and "none_growing" not in kinds(found)
    findings, _ = judged["wip-cap"]
    assert [q.kind for q in findings.backing_up] == ["door"]


@LANGS
def test_losses_that_keep_a_queue_short_are_their_own_finding(judged, lang):
    found = said(judged, "termijn", lang)
    assert "bounded" in kinds(found)
    assert "growing" not in kinds(found) and "all_stable" not in kinds(found)
    text = about(found, "bounded")[0]
    assert "intake" in text and "%" in text
    per = "per herhaling" if lang == "nl" else "per replication"
    assert per in text  # the number of cases lost is named
    findings, _ = judged["termijn"]
    assert findings.queue("intake").losses.share >= 0.05


@LANGS
def test_a_pile_a_steering_rule_clears_is_cleared_not_overloaded(judged, lang):
    found = said(judged, "volgen", lang)
    assert "cleared" in kinds(found)
    assert "growing" not in kinds(found) and "paper_growing" not in kinds(found)
    held = about(found, "paper_held")
    rule = "stuurregel" if lang == "nl" else "steering rule"
    assert held and rule in held[0]


@LANGS
def test_a_chain_at_load_seven_tenths_is_stable(judged, lang):
    found = said(judged, "stabiel", lang)
    assert kinds(found)[0] == "all_stable"
    assert not {"growing", "swinging", "cleared", "bounded", "shrinking"} & set(kinds(found))


@LANGS
def test_growth_from_an_intervention_at_the_warm_up_is_dated_not_from_the_start(judged, lang):
    text = about(said(judged, "vanaf-ingreep", lang), "growing")[0]
    assert re.search(r"(vanaf dag|from day) 5\d ", text)  # the first sample after day 50
    assert ("al vanaf het begin" if lang == "nl" else "from the start") not in text


@LANGS
def test_a_level_werkvoorraad_that_grows_after_a_change_is_dated_from_the_change(judged, lang):
    text = about(said(judged, "voorraad-dan-ingreep", lang), "growing")[0]
    found = re.search(r"(?:vanaf dag|from day) (\d+)", text)
    assert found and 220 <= int(found.group(1)) <= 280, text
    assert ("ingreep" if lang == "nl" else "intervention") in text


@pytest.fixture(scope="module")
def bundled():
    out = {}
    for name in ("strafrechtketen/regie-3-samenwerking",
                 "vreemdelingenketen/piek-2015-ind-in-de-pas", "acute-zorg/bedden-dicht"):
        reps = 2 if name.startswith("strafrechtketen") else None  # five national years: short
        results = ketensim.simulate(ketensim.load(SCENARIOS / f"{name}.toml"), replications=reps)
        out[name.split("/")[1]] = (insights.analyse(results), results)
    return out


@LANGS
def test_regie_samenwerking_works_the_om_pile_down_instead_of_calling_it_overloaded(bundled,
                                                                                   lang):
    found = said(bundled, "regie-3-samenwerking", lang)
    assert kinds(found)[0] == "none_growing"
    down = about(found, "shrinking") + about(found, "cleared")
    assert any("OM ZSM" in t for t in down)
    assert any("Politierechter" in t for t in down)
    assert "growing" not in kinds(found) and "paper_growing" not in kinds(found)
    held = about(found, "paper_held")  # five steps, one reason: one sentence
    assert len(held) == 1 and "Hoger beroep" in held[0] and "OM ZSM" in held[0]


@LANGS
def test_the_2015_peak_names_the_court_with_its_stock_and_wait(bundled, lang):
    found = said(bundled, "piek-2015-ind-in-de-pas", lang)
    assert any("IND" in t for t in about(found, "swinging"))
    assert any("Rechtbank" in t for t in about(found, "shrinking"))
    plateau = about(found, "plateau")
    assert plateau and "Rechtbank" in plateau[0]
    findings, _ = bundled["piek-2015-ind-in-de-pas"]
    court = findings.queue("rechtbank_vreemdelingenkamer")
    assert court.reading.level_end > 1000  # thousands wait at the end, not a backlog of 0


@LANGS
def test_closed_beds_show_blocking_diversion_and_the_or_piling_up(bundled, lang):
    found = said(bundled, "bedden-dicht", lang)
    assert "all_stable" not in kinds(found)
    # The OK's pile follows the season (up after the closure and again in winter, down in
    # summer): named as growing or as piles that come and go, never left unsaid.
    assert any("OK" in t for t in about(found, "growing") + about(found, "swinging"))
    assert {"mean_blocked", "diverted"} <= set(kinds(found))
    assert any("SEH" in t for t in about(found, "diverted"))


def test_both_languages_have_the_same_sentences():
    nl, en = verdict_text.S["nl"], verdict_text.S["en"]
    assert set(nl) == set(en)
    for key in nl:  # the same blanks to fill, or a sentence breaks in one language only
        assert _fields(nl[key]) == _fields(en[key]), key


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_a_duration_that_shows_as_one_is_singular() -> None:
    from ketensim.present.words.verdict import _duration

    assert _duration(1.04, "week", "nl") == "1 week"
    assert _duration(2.5, "week", "nl") == "2,5 weken"
    assert _duration(1.04, "day", "en") == "1 day"


@LANGS
def test_the_lead_time_says_when_appeals_against_lateness_count_as_cases(bundled, lang):
    """Failure demand enters the chain as cases of its own, short ones, which pull the mean
    down: the lead-time sentence says so where a step makes it, and only there."""
    late = about(said(bundled, "piek-2015-ind-in-de-pas", lang), "lead")
    plain = about(said(bundled, "regie-3-samenwerking", lang), "lead")
    kinds = ("Zaken van het soort", "Cases of the kind")[lang == "en"]
    assert late and f"{kinds} niet_tijdig" in late[0]  # the case type its step makes
    assert plain and kinds not in plain[0]
