"""Every documented event key, loaded from a file and replayed in a run.

The schema and the engine meet at events: a key the schema accepts must
never crash the engine. Each case sets one key at t=5 on a small chain and
checks the run finishes with what the change implies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ketensim
from ketensim.scenario.schema.events import CHANGE_KEYS

CHAIN = """
[scenario]
name = "events"
horizon = 40

[[partner]]
id = "p"

[[pool]]
id = "staf"
partner = "p"
capacity = 2
steps = ["b", "c"]

[[step]]
id = "a"
partner = "p"
capacity = 2
service = {{ dist = "deterministic", mean = 0.5 }}
routes = [{{ to = "b", p = 1 }}]

[[step]]
id = "b"
partner = "p"
service = {{ dist = "deterministic", mean = 0.5 }}
routes = [{{ to = "c", p = 1 }}]

[[step]]
id = "c"
partner = "p"
service = {{ dist = "deterministic", mean = 0.5 }}

[[arrival]]
id = "in"
to = "a"
rate = 1

[[event]]
at = 5
set = {{ {key} = {value} }}
"""

CASES = {
    "step.a.capacity": ("0", lambda r: _step(r, "c", "completions") < 20),
    "step.a.service": ('{ dist = "deterministic", mean = 0.25 }', None),
    "step.a.service.mean": ("0.25", None),
    "step.a.routes": ("[]", lambda r: _outcome(r, "done") > 0 and _step(r, "b", "arrivals") < 20),
    "step.a.routes.rerouted": ('[{ to = "c", p = 1 }]', lambda r: _step(r, "b", "arrivals") < 20),
    "arrival.in.rate": ("0", lambda r: r.chain["cases_in"].iloc[0] < 20),
    "pool.staf.capacity": ("1", None),
}


def _step(results: ketensim.Results, step: str, column: str) -> float:
    return float(results.steps.loc[results.steps["step"] == step, column].iloc[0])


def _outcome(results: ketensim.Results, outcome: str) -> int:
    return int(results.outcomes.loc[results.outcomes["outcome"] == outcome, "cases"].sum())


def test_every_documented_key_has_a_case() -> None:
    documented = {k.strip().replace("<id>", "x") for k in CHANGE_KEYS.split("|")}
    covered = {".".join(["x" if i == 1 else p for i, p in enumerate(k.split(".")[:3])])
               for k in CASES}
    assert documented <= covered


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_event_key_runs(case: str, tmp_path: Path) -> None:
    value, check = CASES[case]
    key = ".".join(case.split(".")[:4]) if case.count(".") >= 3 and case.endswith("mean") \
        else ".".join(case.split(".")[:3])
    path = tmp_path / "events.toml"
    path.write_text(CHAIN.format(key=f'"{key}"', value=value), encoding="utf-8")
    results = ketensim.simulate(ketensim.load(path), replications=1)
    assert int(results.chain["cases_in"].iloc[0]) > 0
    if check is not None:
        assert check(results), case
