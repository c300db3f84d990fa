"""Norms (beslistermijnen, duurnormen): shares by hand, the file keys, and a run that uses them."""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from analysis_scenarios import NORMS, chain, invoke, plain_reports, write
from builders import poisson, scenario, step

import ketensim
from ketensim.engine.records import ReplicationRecord, StepRecord
from ketensim.errors import ScenarioError
from ketensim.present.words import norms as norm_words
from ketensim.results import norms
from ketensim.scenario.model import Norm


def record(**chain_fields) -> ReplicationRecord:
    """A replication of a one-step chain over [10, 110], made by hand."""
    waits = chain_fields.pop("waits", np.array([0.0, 1.0, 2.0, 5.0]))
    queued = chain_fields.pop("queued_since", np.empty(0))
    fields = {
        "replication": 0, "warmup": 10.0, "horizon": 110.0, "cases_in": 6, "cases_out": 4,
        "lead_times": np.array([1.0, 3.0, 4.0, 30.0]), "outcomes": {}, "wip_at_end": 2,
        "sample_times": np.empty(0), "queue_samples": np.empty((1, 0)),
        "busy_samples": np.empty((1, 0)), **chain_fields,
    }
    st = StepRecord(step="s", arrivals=6, completions=4, waits=waits, queue_area=0.0,
                    busy_area=0.0, capacity_area=0.0, max_queue=0, queue_at_end=queued.size,
                    in_service_at_end=0, queued_since=queued)
    return ReplicationRecord(steps=[st], **fields)


def test_share_within_counts_cases_at_the_term():
    assert norms.share_within([1.0, 2.0, 3.0, 4.0], 2.0) == (4, 0.5)
    assert norms.share_within([], 2.0)[0] == 0 and math.isnan(norms.share_within([], 2.0)[1])


def test_lead_time_share_judges_the_cohort_the_horizon_settles():
    # The horizon (110) settles the cases that entered by 110 - 10 = 100: those of 10, 20,
    # 30 and 95. In time: the one of 10 (5 <= 10). Late: 20 (12), and 30 and 95 never came
    # out. The case of 104 came out in time, but too late to be judged.
    rec = record(lead_times=np.array([5.0, 12.0, 3.0]), lead_entered=np.array([10.0, 20.0, 104.0]),
                 entered=np.array([10.0, 20.0, 30.0, 95.0, 104.0, 105.0]))
    assert norms.lead_time_share(rec, 10.0) == (4, 0.25)


def test_lead_time_share_of_hand_made_records_without_entries():
    rec = record()
    assert norms.lead_time_share(rec, 4.0) == (4, 0.75)


def test_wait_share_counts_cases_still_waiting_past_the_term():
    rec = record(queued_since=np.array([5.0, 20.0, 105.0]))
    # Started: waits 0, 1, 2, 5 (3 within 2). Still waiting: since 20 (90 > 2, late),
    # since 105 (5 > 2, late), since 5 (before the warm-up: not counted).
    cases, share = norms.wait_share(rec.steps[0], 2.0, rec.warmup, rec.horizon)
    assert (cases, share) == (6, 0.5)


def test_norm_rows_one_per_norm_in_file_order():
    sc = scenario([step("s", 1, 1.0)], [poisson("s", 0.5)], horizon=110, warmup=10)
    from dataclasses import replace

    sc = replace(sc, norms=(Norm("w", "wait", 2.0, 0.5, step="s"),
                            Norm("l", "lead_time", 4.0, 0.9)))
    rows = norms.norm_rows(record(), sc)
    assert [r["norm"] for r in rows] == ["w", "l"]
    assert rows[0]["share_within"] == 0.75 and rows[0]["met"] is True
    assert rows[1]["share_within"] == 0.75 and rows[1]["met"] is False


@pytest.mark.parametrize(("text", "expected"), [
    ("lead_time<=180@0.9", Norm("lead_time<=180@0.9", "lead_time", 180.0, 0.9)),
    ("wait:rb_politierechter<=35@0.9",
     Norm("wait:rb_politierechter<=35@0.9", "wait", 35.0, 0.9, step="rb_politierechter")),
    ("lead_time <= 180 @ 90%", Norm("lead_time<=180@90%", "lead_time", 180.0, 0.9)),
])
def test_inline_norms(text, expected):
    assert norms.parse_inline(text) == expected


def test_inline_nonsense_is_not_a_norm():
    assert norms.parse_inline("snel") is None
    assert norms.parse_inline("lead_time<180@0.9") is None


def test_resolve_prefers_the_files_norms_and_checks_inline_ones(tmp_path):
    sc = ketensim.load(write(tmp_path, "k.toml", chain(extra=NORMS)))
    assert norms.resolve("doorloop", sc, "k.toml").within == 5
    assert norms.resolve("wait:besluit<=1@0.5", sc, "k.toml").step == "besluit"
    with pytest.raises(ScenarioError, match="expected one of wacht-intake, doorloop, or"):
        norms.resolve("snel", sc, "k.toml")
    with pytest.raises(ScenarioError, match="no step with this id"):
        norms.resolve("wait:x<=1@0.5", sc, "k.toml")
    with pytest.raises(ScenarioError, match=r"the share must lie in \(0, 1\]"):
        norms.resolve("lead_time<=1@1.5", sc, "k.toml")


def test_describe_in_both_languages():
    norm = Norm("p", "wait", 35.0, 0.9, step="rb_politierechter")
    assert norm_words.describe(norm, "day") == "90% binnen 35 dagen wachttijd bij rb_politierechter"
    assert norm_words.describe(norm, "day", "en") == "90% within 35 days wait at rb_politierechter"
    assert norm_words.title(Norm("x", "lead_time", 1, 0.5, label="Eigen"), "day") == "Eigen"


# -- in a scenario file -----------------------------------------------------------------------


def test_norms_are_read_from_the_file(tmp_path):
    sc = ketensim.load(write(tmp_path, "k.toml", chain(extra=NORMS)))
    assert sc.norms == (
        Norm("wacht-intake", "wait", 1.0, 0.8, step="intake",
             label="80% binnen een dag in behandeling"),
        Norm("doorloop", "lead_time", 5.0, 0.9),
    )


@pytest.mark.parametrize(("table", "message"), [
    ('id = "n"\nkind = "wait"\nwithin = 1\nshare = 0.8',
     "norm.n.step: missing required key for a wait norm"),
    ('id = "n"\nkind = "lead_time"\nstep = "intake"\nwithin = 1\nshare = 0.8',
     "norm.n.step: a lead_time norm is about the whole chain"),
    ('id = "n"\nkind = "snel"\nwithin = 1\nshare = 0.8',
     'norm.n.kind: unknown kind of norm (expected one of wait, lead_time, got "snel")'),
    ('id = "n"\nkind = "lead_time"\nwithin = 70\nshare = 0.8',
     "norm.n.within: must be shorter than the time after the warm-up"),
    ('id = "n"\nkind = "lead_time"\nwithin = 5\nshare = 1.2', "norm.n.share: must be <= 1"),
    ('id = "n"\nkind = "lead_time"\nwithin = 5\nshare = 0.9\nwithn = 3',
     "norm.n.withn: unknown key"),
    ('kind = "lead_time"\nwithin = 5\nshare = 0.9', "norm[0].id: missing required key"),
])
def test_bad_norms_are_named(tmp_path, table, message):
    file = write(tmp_path, "k.toml", chain() + "\n[[norm]]\n" + table + "\n")
    with pytest.raises(ScenarioError) as err:
        ketensim.load(file)
    assert message in str(err.value)


def test_a_run_writes_norms_and_their_summary(tmp_path, monkeypatch):
    plain_reports(monkeypatch)
    file = write(tmp_path, "k.toml", chain(extra=NORMS))
    out = tmp_path / "out"
    result = invoke("run", file, "--out", out, "-n", "3")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "norms.csv")
    assert list(table.columns) == ["replication", "norm", "cases", "share_within", "met"]
    assert table.norm.tolist() == ["wacht-intake", "doorloop"] * 3
    summary = pd.read_csv(out / "norms_summary.csv")
    assert summary.norm.tolist() == ["wacht-intake", "doorloop"]
    assert set(summary.replications) == {3}
    assert "Normen" in result.stdout
    assert "wacht-intake: 80% binnen een dag in behandeling" in result.stdout


def test_an_overloaded_step_does_not_meet_its_wait_norm(tmp_path):
    text = chain("vol", replications=3, besluit_mean=1.2) + """
[[norm]]
id = "besluit-op-tijd"
kind = "wait"
step = "besluit"
within = 2
share = 0.5
"""
    results = ketensim.simulate(write(tmp_path, "vol.toml", text), seed=1)
    row = results.norm_summary().iloc[0]
    # rho = 1.5 * 1.2 = 1.8: the queue grows all the time, and the long waiters count.
    assert row["mean"] < 0.5 and row["replications_met"] == 0
    comparison = results.summary()
    assert "norm:besluit-op-tijd" in comparison.kpi.tolist()


def test_the_bundled_example_with_norms_and_costs_loads():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "scenarios"
    sc = ketensim.load(root / "strafrechtketen" / "normen-en-kosten.toml")
    assert [n.id for n in sc.norms] == ["om-zsm-binnen-drie-maanden", "politierechter-5-weken",
                                        "doorlooptijd-keten"]
    assert sc.has_costs and sc.cost_settings.sharing == "use"
    assert sc.events == ketensim.load(root / "strafrechtketen" / "politie-levert-meer.toml").events
    bands = ketensim.load(root / "vreemdelingenketen" / "prognosebanden.toml").bands
    assert [b.name for b in bands] == ["mpp-2026-minimum", "mpp-2026-maximum"]


def test_the_engine_records_what_norms_need(tmp_path):
    from ketensim.engine import run_replication

    sc = ketensim.load(write(tmp_path, "vol.toml", chain("vol", besluit_mean=1.2)))
    rec = run_replication(sc, 0, 1, 1.0)
    assert rec.entered.size == rec.cases_in
    assert (rec.entered >= sc.warmup).all() and (np.diff(rec.entered) >= 0).all()
    assert rec.lead_entered.size == rec.lead_times.size
    assert (rec.lead_entered + rec.lead_times <= sc.horizon + 1e-9).all()
    for st in rec.steps:
        assert st.queued_since.size == st.queue_at_end
        assert (st.queued_since <= sc.horizon).all()


@pytest.mark.parametrize(("mean", "low", "expected"), [
    (0.95, 0.91, (True, True)),  # met, with confidence
    (0.92, 0.85, (True, False)),  # met in the mean only
    (0.63, 0.60, (False, False)),
    (0.95, math.nan, (True, False)),  # one replication: no interval, so no confidence
    (math.nan, math.nan, (False, False)),  # nothing measured
])
def test_judge_in_the_mean_and_by_the_lower_bound(mean, low, expected):
    met = norms.judge(mean, low, 0.9)
    assert (met.in_mean, met.by_lower_bound) == expected


def test_a_step_record_without_waiting_cases_counts_its_waits_only():
    # records made elsewhere (older folders, hand-made ones) may lack the cases still waiting
    assert norms.wait_share(SimpleNamespace(waits=[1.0, 2.0, 5.0]), 3.0, 0.0, 10.0) == \
        (3, pytest.approx(2 / 3))


def test_asking_a_run_without_norms_for_a_norm_is_a_key_error():
    results = ketensim.simulate(scenario([step("a", 1, 0.5)], [poisson("a", 1.0)], 20),
                                replications=2, seed=1)
    assert results.norms is None or results.norms.empty
    for table in (results.norms, None):  # None: results put together without a norms table
        with pytest.raises(KeyError):
            dataclasses.replace(results, norms=table).norm_shares("doorloop")
