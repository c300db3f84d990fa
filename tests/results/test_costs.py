"""Costs per partner and their sharing: by hand, in the file, and in a run."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from analysis_scenarios import COSTS, chain, invoke, plain_reports, write
from builders import poisson, scenario, step

import ketensim
from ketensim.engine.records import ReplicationRecord, StepRecord
from ketensim.errors import ScenarioError
from ketensim.results import costs
from ketensim.scenario.model import CostSettings, Partner


def priced(sharing: str = "use"):
    """Two partners: p pays 10 per server per day, q 2 (its step b 4); b costs 1 per case."""
    sc = scenario([step("a", 2, 1.0, [("b", 1.0)], partner="p"),
                   step("b", 1, 0.5, partner="q")], [poisson("a", 0.5)], horizon=110, warmup=10)
    b = replace(sc.steps[1], cost_per_server=4.0, cost_per_case=1.0)
    return replace(sc, partners=(Partner("p", cost_per_server=10.0),
                                 Partner("q", cost_per_server=2.0)),
                   steps=(sc.steps[0], b), costs=CostSettings(sharing=sharing))


def record(cases_out: int = 50) -> ReplicationRecord:
    def st(sid: str, busy: float, cap: float, done: int) -> StepRecord:
        return StepRecord(step=sid, arrivals=done, completions=done, waits=np.empty(0),
                          queue_area=0.0, busy_area=busy, capacity_area=cap, max_queue=0,
                          queue_at_end=0, in_service_at_end=0)

    return ReplicationRecord(
        replication=2, warmup=10.0, horizon=110.0, steps=[st("a", 150.0, 200.0, 60),
                                                          st("b", 50.0, 100.0, 55)],
        cases_in=60, cases_out=cases_out, lead_times=np.empty(0), outcomes={}, wip_at_end=0,
        sample_times=np.empty(0), queue_samples=np.empty((2, 0)), busy_samples=np.empty((2, 0)),
    )


def test_server_time_and_cases_are_priced():
    rows, chain_costs = costs.cost_rows(record(), priced())
    p, q = rows
    assert (p["server_cost"], p["case_cost"], p["total"]) == (2000.0, 0.0, 2000.0)
    assert (q["server_cost"], q["case_cost"], q["total"]) == (400.0, 55.0, 455.0)  # step rate
    assert chain_costs == {"cost_total": 2455.0, "cost_per_case": 2455.0 / 50}
    assert p["cost_per_case"] == 40.0


def test_sharing_by_use_follows_busy_time():
    p, q = costs.cost_rows(record(), priced("use"))[0]
    assert (p["share"], q["share"]) == (0.75, 0.25)
    assert p["allocated"] == pytest.approx(0.75 * 2455.0)
    assert p["balance"] + q["balance"] == pytest.approx(0.0)


def test_sharing_in_equal_parts():
    p, q = costs.cost_rows(record(), priced("equal"))[0]
    assert p["share"] == q["share"] == 0.5
    assert q["balance"] == pytest.approx(2455.0 / 2 - 455.0)


def test_shares_without_any_work_are_equal():
    assert costs.sharing_shares([0.0, 0.0], "use") == [0.5, 0.5]
    assert costs.sharing_shares([], "equal") == []
    with pytest.raises(ValueError, match="unknown sharing rule"):
        costs.sharing_shares([1.0], "fair")


def test_no_case_out_gives_no_cost_per_case():
    _, chain_costs = costs.cost_rows(record(cases_out=0), priced())
    assert math.isnan(chain_costs["cost_per_case"])


# -- in a scenario file -----------------------------------------------------------------------


def priced_file(tmp_path, sharing: str = "use", extra: str = ""):
    text = chain("duur", replications=3, extra=COSTS.format(sharing=sharing) + extra)
    text = text.replace('id = "gemeente"', 'id = "gemeente"\ncost_per_server = 100', 1)
    text = text.replace("capacity = 1",
                        "capacity = 1\ncost_per_server = 250\ncost_per_case = 20", 1)
    return write(tmp_path, "duur.toml", text)


def test_cost_keys_are_read(tmp_path):
    sc = ketensim.load(priced_file(tmp_path, "equal"))
    assert sc.partner("gemeente").cost_per_server == 100.0
    assert sc.partner("rechtbank").cost_per_server is None
    besluit = sc.step("besluit")
    assert (besluit.cost_per_server, besluit.cost_per_case) == (250.0, 20.0)
    assert sc.costs == CostSettings(sharing="equal", currency="EUR")
    assert sc.has_costs and not ketensim.load(write(tmp_path, "g.toml", chain())).has_costs


@pytest.mark.parametrize(("change", "message"), [
    (('sharing = "use"', 'sharing = "eerlijk"'),
     'costs.sharing: unknown sharing rule (expected one of use, equal, got "eerlijk")'),
    (("cost_per_case = 20", "cost_per_case = -1"), "step.besluit.cost_per_case: must be >= 0"),
    (("cost_per_server = 100", 'cost_per_server = "veel"'),
     "partner.gemeente.cost_per_server: must be a number"),
    (('sharing = "use"', 'sharing = "use"\nvaluta = "EUR"'), "costs.valuta: unknown key"),
])
def test_bad_cost_keys_are_named(tmp_path, change, message):
    file = priced_file(tmp_path)
    file.write_text(file.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        ketensim.load(file)
    assert message in str(err.value)


def test_a_child_file_overrides_one_cost_key(tmp_path):
    base = priced_file(tmp_path, "use")
    child = write(tmp_path, "kind.toml", '[scenario]\nextends = "duur.toml"\nname = "kind"\n\n'
                  '[costs]\nsharing = "equal"\ncurrency = "euro"\n')
    sc = ketensim.load(child)
    assert sc.costs == CostSettings(sharing="equal", currency="euro")
    assert ketensim.load(base).costs == CostSettings(sharing="use")


def test_a_run_writes_costs(tmp_path, monkeypatch):
    plain_reports(monkeypatch)
    out = tmp_path / "out"
    result = invoke("run", priced_file(tmp_path), "--out", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "costs.csv")
    assert list(table.columns) == ["replication", "partner", "server_cost", "case_cost", "total",
                                   "busy_time", "share", "allocated", "balance", "cost_per_case"]
    assert table.partner.tolist() == ["gemeente", "rechtbank"] * 3
    chain_table = pd.read_csv(out / "chain.csv")
    assert {"cost_total", "cost_per_case"} <= set(chain_table.columns)
    totals = table.groupby("replication")["total"].sum().to_numpy()
    np.testing.assert_allclose(totals, chain_table.cost_total.to_numpy())
    server = table[table.partner == "gemeente"].server_cost
    np.testing.assert_allclose(server, 100 * 2 * 70)  # two servers over the 70-day window
    assert "Kosten (EUR), verdeeld naar gebruik" in result.stdout


def test_costs_enter_the_comparison(tmp_path):
    cheap = priced_file(tmp_path)
    dear_text = cheap.read_text(encoding="utf-8").replace('name = "duur"', 'name = "duurder"')
    dear_text = dear_text.replace("cost_per_server = 250", "cost_per_server = 300")
    dear = write(tmp_path, "duurder.toml", dear_text)
    done = ketensim.compare(cheap, [dear], replications=2, seed=1)
    row = done.row("duurder", "cost_total")
    assert row["diff"] == pytest.approx(50 * 70)  # one server, 50 more per day, 70 days
    assert "cost:rechtbank" in done.table.kpi.tolist()


@pytest.mark.parametrize("sharing", ["use", "equal"])
def test_a_partner_without_rates_is_no_party_to_the_bill(sharing):
    """Step b belongs to a 'partner' for terms without staff: its long busy time is time
    cases wait for a hearing date, no work, and it pays nothing and gets no share."""
    sc = priced(sharing)
    b = replace(sc.steps[1], cost_per_server=None, cost_per_case=None)
    sc = replace(sc, partners=(sc.partners[0], Partner("q")), steps=(sc.steps[0], b))
    p, q = costs.cost_rows(record(), sc)[0]
    assert (q["total"], q["share"], q["allocated"]) == (0.0, 0.0, 0.0)
    assert p["share"] == 1.0 and p["balance"] == pytest.approx(0.0)
