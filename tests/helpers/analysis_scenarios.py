"""Small, fast scenario files for the compare, sweep, norm and cost tests."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ketensim.cli.app import cli

CHAIN = """
[scenario]
name = "{name}"
horizon = 80
warmup = 10
replications = {replications}
seed = 5

[[partner]]
id = "gemeente"

[[partner]]
id = "rechtbank"

[[step]]
id = "intake"
partner = "gemeente"
capacity = {intake}
service = {{ dist = "exponential", mean = 1.0 }}
routes = [{{ to = "besluit", p = 1.0 }}]

[[step]]
id = "besluit"
partner = "rechtbank"
capacity = {besluit}
service = {{ dist = "exponential", mean = {besluit_mean} }}
routes = [
  {{ to = "exit", p = 0.7, outcome = "toegekend" }},
  {{ to = "exit", p = 0.3, outcome = "afgewezen" }},
]

[[arrival]]
id = "aanvragen"
to = "intake"
rate = 1.5
"""

NORMS = """
[[norm]]
id = "wacht-intake"
kind = "wait"
step = "intake"
within = 1.0
share = 0.8
label = "80% binnen een dag in behandeling"

[[norm]]
id = "doorloop"
kind = "lead_time"
within = 5
share = 0.9
"""

COSTS = """
[costs]
sharing = "{sharing}"
"""


def chain(name: str = "klein", intake: int = 2, besluit: int = 1, replications: int = 4,
          extra: str = "", besluit_mean: float = 0.5) -> str:
    """The two-step chain as TOML, with optional extra tables appended."""
    return CHAIN.format(name=name, intake=intake, besluit=besluit, besluit_mean=besluit_mean,
                        replications=replications) + extra


def write(folder: Path, file: str, text: str) -> Path:
    path = folder / file
    path.write_text(text, encoding="utf-8")
    return path


def plain_reports(monkeypatch) -> None:
    """Plain report pages instead of the full ones with pictures: these tests are about
    the tables and the terminal, and pictures take a second per folder."""
    from ketensim.present import folder as output
    from ketensim.present.pages import studies as pages

    monkeypatch.setattr(output, "render_report", output.plain_report)
    monkeypatch.setattr(output, "draw_pictures", lambda *a, **k: ({}, {}))
    monkeypatch.setattr(pages, "render_compare_report", pages.plain_compare_report)
    monkeypatch.setattr(pages, "compare_pictures", lambda *a, **k: {})


def invoke(*args: object):
    """Run the command line as a user would, capturing both streams apart."""
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="ketensim")
