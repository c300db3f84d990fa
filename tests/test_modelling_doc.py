"""The worked example of docs/modelling.md does what the text says it does.

The page tells a user how to turn staff and norm hours into a step and to back-test the
base year before any what-if; its own example must pass that back-test, or the advice is
hollow. Published figures: IND jaarcijfers 2023 (about 35,000 first decisions, nearly
50,000 waiting at the end of the year, "ruim een jaar" to a decision).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ketensim

DOC = Path(__file__).resolve().parents[1] / "docs" / "modelling.md"


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    text = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path_factory.mktemp("doc") / "ind.toml"
    path.write_text(text, encoding="utf-8")
    return ketensim.simulate(ketensim.load(path), replications=3)


def test_the_example_reproduces_the_published_year_within_ten_percent(year):
    assert year.interval("completions", "eerste_beslissing").mean == \
        pytest.approx(35_000, rel=0.10)
    stock = year.partner_interval("stock_at_end", "ind").mean
    assert stock == pytest.approx(50_000, rel=0.10)
    assert year.interval("wait_ahead_at_end", "eerste_beslissing").mean > 365


def test_littles_law_cross_check_of_the_text_holds(year):
    mean_stock = year.partner_interval("mean_stock", "ind").mean
    output_per_year = year.interval("completions", "eerste_beslissing").mean
    assert mean_stock / output_per_year == pytest.approx(1.1, abs=0.1)  # "1.1 years"
