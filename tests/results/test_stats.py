"""Confidence intervals against values computed independently with scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from ketensim.results import stats


def test_mean_ci_matches_scipy_t_interval():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    low, high = sps.t.interval(0.95, 4, loc=3.0, scale=sps.sem(values))
    iv = stats.mean_ci(values)
    assert iv.mean == 3.0 and iv.n == 5
    assert (iv.low, iv.high) == pytest.approx((low, high))
    # Known by hand: t(0.975, 4) = 2.776445, sd = 1.581139, half width = 1.963243.
    assert iv.half_width == pytest.approx(1.963243, abs=1e-6)


def test_t_quantile_known_values():
    assert stats.t_quantile(9) == pytest.approx(2.262157, abs=1e-6)
    assert stats.t_quantile(1) == pytest.approx(12.706205, abs=1e-6)
    assert stats.t_quantile(4, 0.90) == pytest.approx(2.131847, abs=1e-6)


def test_one_value_has_no_interval():
    iv = stats.mean_ci([7.5])
    assert iv.mean == 7.5 and iv.n == 1
    assert math.isnan(iv.low) and math.isnan(iv.high)


def test_no_values_give_nan():
    iv = stats.mean_ci([])
    assert math.isnan(iv.mean) and iv.n == 0


def test_nan_values_are_left_out():
    iv = stats.mean_ci([1.0, math.nan, 3.0])
    assert iv.n == 2 and iv.mean == 2.0
    assert (iv.low, iv.high) == pytest.approx(sps.t.interval(0.95, 1, loc=2.0, scale=1.0))


def test_constant_values_give_a_point_interval():
    iv = stats.mean_ci([4.0, 4.0, 4.0])
    assert (iv.low, iv.mean, iv.high) == (4.0, 4.0, 4.0)


def test_paired_difference_is_the_interval_of_differences():
    base = np.array([10.0, 12.0, 9.0, 14.0, 11.0])
    other = base + np.array([1.0, 1.5, 0.5, 1.2, 0.8])
    d = stats.paired_difference(base, other)
    direct = stats.mean_ci(other - base)
    assert (d.mean, d.low, d.high) == pytest.approx((direct.mean, direct.low, direct.high))
    assert d.mean == pytest.approx(1.0)
    assert d.excludes_zero
    # Pairing removes the shared noise: far narrower than either mean's own interval.
    assert d.half_width < stats.mean_ci(other).half_width / 3


def test_paired_difference_drops_incomplete_pairs():
    d = stats.paired_difference([1.0, math.nan, 3.0], [2.0, 5.0, 5.0])
    assert d.n == 2 and d.mean == pytest.approx(1.5)


def test_paired_difference_needs_equal_lengths():
    with pytest.raises(ValueError, match="equal lengths"):
        stats.paired_difference([1.0, 2.0], [1.0])


def test_intervals_respect_the_range_of_their_quantity():
    """A queue of 0, 0, 0, 5 has a t-interval reaching below zero; its mean cannot."""
    values = [0.0, 0.0, 0.0, 5.0]
    assert stats.mean_ci(values).low < 0
    cut = stats.mean_ci(values, bounds=stats.bounds_of("max_queue"))
    assert cut.low == 0.0 and cut.high == stats.mean_ci(values).high
    share = stats.mean_ci([0.99, 1.0, 0.9], bounds=stats.bounds_of("utilization"))
    assert share.high == 1.0 and share.low < 0.99
    assert stats.bounds_of("balance") == (-math.inf, math.inf)
    assert stats.bounds_of("norm:snel") == (0.0, 1.0)


def test_the_summary_never_shows_a_negative_count():
    from builders import poisson, scenario, step

    import ketensim

    sc = scenario([step("s", 1, 1.0)], [poisson("s", 0.3)], horizon=5)
    res = ketensim.simulate(sc, replications=4, seed=3)
    queues = res.steps["max_queue"].to_numpy(dtype=float)
    assert stats.mean_ci(queues).low < 0  # the plain t-interval would dip below zero here
    summary = res.summary()
    assert (summary["ci_low"].dropna() >= 0).all()
    row = summary[(summary["kpi"] == "max_queue")].iloc[0]
    assert row["ci_low"] == 0.0
