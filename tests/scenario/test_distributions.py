"""Distributions: sampled moments against the analytic ones, and parameter checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketensim.scenario.distributions import DistributionSpecError, Empirical, build

CASES = [
    ("exponential", {"mean": 2.0}),
    ("deterministic", {"mean": 3.0}),
    ("lognormal", {"mean": 5.0, "cv": 0.8}),
    ("gamma", {"mean": 4.0, "cv": 0.5}),
    ("gamma", {"mean": 1.0, "cv": 2.0}),
    ("uniform", {"low": 1.0, "high": 3.0}),
    ("triangular", {"low": 1.0, "mode": 2.0, "high": 6.0}),
    ("empirical", {"values": [1.0, 2.0, 2.0, 7.0]}),
]


@pytest.mark.parametrize("kind,params", CASES)
def test_sampled_moments_match_analytic(kind, params):
    dist = build(kind, params)
    x = dist.sample(np.random.default_rng(5), 400_000)
    # Standard error of the mean is sd / sqrt(n) = sd / 632; allow 5 of them.
    sd = np.sqrt(dist.variance)
    assert x.mean() == pytest.approx(dist.mean, abs=5 * sd / 632 + 1e-12)
    # The variance estimate is noisier for heavy tails; 6% is over 4 standard errors here.
    assert x.var() == pytest.approx(dist.variance, rel=0.06, abs=1e-12)
    assert (x >= 0).all()


@pytest.mark.parametrize("kind,params", CASES)
def test_inverse_cdf_is_monotone(kind, params):
    u = np.linspace(0, 0.999999, 1001)
    assert (np.diff(build(kind, params).ppf(u)) >= 0).all()


def test_lognormal_and_gamma_cv_are_what_the_file_says():
    for kind in ("lognormal", "gamma"):
        assert build(kind, {"mean": 10, "cv": 0.3}).cv == pytest.approx(0.3)


@pytest.mark.parametrize(
    "kind,params,param",
    [
        ("exponential", {"mean": 0}, "mean"),
        ("exponential", {"mean": True}, "mean"),
        ("exponential", {}, "mean"),
        ("exponential", {"mean": 1, "sd": 2}, "sd"),
        ("lognormal", {"mean": 1, "cv": 0}, "cv"),
        ("uniform", {"low": 3, "high": 1}, "high"),
        ("triangular", {"low": 0, "mode": 5, "high": 2}, "mode"),
        ("empirical", {"values": []}, "values"),
        ("empirical", {"values": [1, -2]}, "values"),
        ("weibull", {"mean": 1}, "dist"),
    ],
)
def test_bad_parameters_name_the_parameter(kind, params, param):
    with pytest.raises(DistributionSpecError) as info:
        build(kind, params)
    assert info.value.param == param


def test_empirical_from_file_keeps_its_source_for_the_manifest():
    dist = Empirical((1.0, 2.0), source="durations.csv:days")
    assert dist.to_dict() == {"dist": "empirical", "file": "durations.csv", "column": "days"}


@given(st.floats(0.01, 100), st.floats(0.05, 3))
def test_any_mean_and_cv_give_that_mean(mean, cv):
    for kind in ("lognormal", "gamma"):
        dist = build(kind, {"mean": mean, "cv": cv})
        assert dist.mean == pytest.approx(mean)
        assert np.isfinite(dist.ppf(np.array([0.1, 0.5, 0.9]))).all()
