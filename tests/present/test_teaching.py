"""The classroom scenarios (scenarios/onderwijs): valid, quick, and they teach what they promise.

Each lesson in the folder's README rests on an effect; the cheapest form of
that effect is asserted here, with the same seed the README quotes, so a
change to the engine that breaks a lesson shows up as a failing test and not
as a wrong sentence in front of a class.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import ketensim
from ketensim.cli.app import cli

FOLDER = Path(__file__).resolve().parents[2] / "scenarios" / "onderwijs"
ROOT = FOLDER.parent.parent
FILES = sorted(FOLDER.glob("*.toml"))
LESSONS = {
    "dobbelspel.toml", "benutting-080.toml", "benutting-090.toml", "benutting-095.toml",
    "verkeerde-schakel-basis.toml", "verkeerde-schakel-extra-intake.toml",
    "verkeerde-schakel-extra-beoordeling.toml", "politie-klein.toml",
    "politie-klein-om-erbij.toml", "ind-klein.toml",
}


def load(name: str) -> ketensim.model.Scenario:
    return ketensim.load(FOLDER / name)


def per_step(results, kpi: str, step: str) -> np.ndarray:
    rows = results.steps[results.steps["step"] == step]
    return rows[kpi].to_numpy(dtype=float)


def test_every_lesson_file_is_there():
    assert {f.name for f in FILES} >= LESSONS


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_check_accepts_it(path):
    result = CliRunner().invoke(cli, ["check", str(path)], prog_name="ketensim")
    assert result.exit_code == 0, result.stderr
    assert "geldig" in result.output


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_it_has_a_dutch_title_and_description(path):
    scenario = ketensim.load(path)
    assert scenario.name.startswith("onderwijs-")
    assert scenario.title and scenario.description
    assert re.search(r"\b(de|het|een|en)\b", scenario.description)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_value_says_where_it_comes_from(path):
    """A value line without a comment would be a number nobody can check."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        if "=" in code and not code.lstrip().startswith("["):
            assert "#" in line, f"{path.name}:{number} has no comment: {line.strip()}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_short_run_works(path):
    scenario = ketensim.load(path)
    short = min(scenario.horizon, 4000.0)
    scenario = dataclasses.replace(scenario, horizon=short, warmup=min(scenario.warmup, short / 4))
    results = ketensim.simulate(scenario, replications=1, sample_every=short / 50)
    assert results.chain["cases_out"].iloc[0] > 0


# -- the lessons -------------------------------------------------------------------------


def test_lesson_1_the_balanced_line_falls_short_of_its_capacity():
    scenario = load("dobbelspel.toml")
    results = ketensim.simulate(scenario, replications=3, sample_every=25)
    capacity = scenario.horizon / 3.5  # every step does one case per 3.5 hours on average
    assert results.chain["cases_out"].mean() < 0.95 * capacity
    assert results.chain["wip_at_end"].mean() > 10
    queues = [per_step(results, "mean_queue", s).mean() for s in scenario.step_ids]
    assert queues[0] == max(queues)  # work piles up most in front of the first step


def test_lesson_2_waits_grow_with_utilisation_like_kingman():
    cs2 = (35 / 12) / 3.5**2  # the die: variance 35/12, mean 3.5
    waits, leads = [], []
    for name, rho in (("benutting-080.toml", 0.8), ("benutting-090.toml", 0.9),
                      ("benutting-095.toml", 0.95)):
        scenario = dataclasses.replace(load(name), horizon=12000.0, warmup=1000.0)
        results = ketensim.simulate(scenario, replications=3, sample_every=200)
        waits.append(per_step(results, "mean_wait", "stap_1").mean())
        leads.append(results.chain["mean_lead_time"].mean())
        assert per_step(results, "utilization", "stap_1").mean() == pytest.approx(rho, abs=0.04)
        if rho == 0.8:  # M/G/1 at the first step: Kingman is exact (Pollaczek-Khinchine)
            kingman = (1 + cs2) / 2 * rho / (1 - rho) * 3.5
            assert waits[-1] == pytest.approx(kingman, rel=0.25)
    assert waits[0] < waits[1] < waits[2]
    assert leads[0] < leads[1] < leads[2]


def test_lesson_3_capacity_before_the_bottleneck_moves_the_queue_to_it():
    runs = {name: ketensim.simulate(load(f"verkeerde-schakel-{name}.toml"), replications=5,
                                    sample_every=20)
            for name in ("basis", "extra-intake", "extra-beoordeling")}
    base, wrong, right = runs["basis"], runs["extra-intake"], runs["extra-beoordeling"]
    # Equal seeds: replication k of each file sees the same arrivals and service times.
    queue_wrong = per_step(wrong, "mean_queue", "beoordeling")
    assert (queue_wrong - per_step(base, "mean_queue", "beoordeling")).mean() > 1.0
    assert per_step(wrong, "mean_wait", "intake").mean() < 0.2
    gain_wrong = (base.chain["mean_lead_time"] - wrong.chain["mean_lead_time"]).mean()
    gain_right = (base.chain["mean_lead_time"] - right.chain["mean_lead_time"]).mean()
    assert gain_right > 3 * gain_wrong
    out = [r.chain["cases_out"].mean() for r in (base, wrong, right)]
    assert max(out) - min(out) < 0.01 * out[0]  # the bottleneck sets the outflow


def test_lesson_4a_the_om_backs_up_and_shields_the_court():
    results = ketensim.simulate(load("politie-klein.toml"), replications=3)
    om_end = per_step(results, "queue_at_end", "beoordeling_om").mean()
    assert 180 < om_end < 380  # about 5 a week for a year
    assert per_step(results, "queue_at_end", "rechtbank_zitting").mean() < 20
    assert per_step(results, "utilization", "rechtbank_zitting").mean() < 0.95


def test_lesson_4a_quotes_the_numbers_the_run_and_the_animation_show():
    """The lesson text quotes the mean of the ten replications and the animated replication 0."""
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    results = ketensim.simulate(load("politie-klein.toml"))  # the file's own 10 replications
    ts = results.timeseries
    at_end = ts[(ts["step"] == "beoordeling_om") & (ts["t"] == 104)].set_index("replication")
    mean, low, high = at_end["queue"].mean(), at_end["queue"].min(), at_end["queue"].max()
    assert f"**{round(mean)} in week 104**" in text
    flat = " ".join(text.split())
    assert f"uiteenlopen van {low} tot {high}" in flat
    assert f"in week 104 {at_end['queue'][0]}." in flat


def test_lesson_4a_then_the_bottleneck_moves_to_the_court():
    before = ketensim.simulate(load("politie-klein.toml"), replications=3)
    after = ketensim.simulate(load("politie-klein-om-erbij.toml"), replications=3)
    court = "rechtbank_zitting"
    assert per_step(after, "queue_at_end", court).mean() > (
        per_step(before, "queue_at_end", court).mean() + 20)
    assert per_step(after, "queue_at_end", "beoordeling_om").mean() < 60


def test_lesson_4b_without_objection_the_court_backs_up():
    results = ketensim.simulate(load("ind-klein.toml"), replications=3)
    assert per_step(results, "arrivals", "ind_bezwaar").sum() == 0  # nothing new after week 52
    court_end = per_step(results, "queue_at_end", "rechtbank_beroep").mean()
    assert 40 < court_end < 120  # about 1.5 a week for a year


# -- the lesson plan -----------------------------------------------------------------------


def readme_commands() -> list[list[str]]:
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    return [shlex.split(line) for block in blocks for line in block.splitlines()
            if line.startswith("ketensim ")]


def test_the_readme_names_every_file_and_only_real_commands():
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    for path in FILES:
        assert path.stem.split("-0")[0] in text, path.name
    commands = readme_commands()
    assert len(commands) >= 10
    for words in commands:
        assert words[1] in cli.commands, words
        files = [w for w in words[2:] if w.endswith(".toml")]
        assert files, words
        for f in files:
            assert (ROOT / f).is_file(), f


def test_the_readme_commands_parse():
    """Every command in the lesson plan is accepted by the command line as written."""
    for words in readme_commands():
        command = cli.commands[words[1]]
        ctx = command.make_context(words[1], list(words[2:]))  # types and names checked
        assert ctx.params, words


@pytest.mark.parametrize("wrong", [["--replicatons", "5"], ["--replications", "abc"]])
def test_a_wrong_option_in_a_lesson_would_fail_the_check(wrong):
    import click

    with pytest.raises(click.UsageError):
        cli.commands["run"].make_context("run", ["dobbelspel.toml", *wrong])
