"""Duration distributions as small value objects.

Each distribution knows its analytic mean and variance (for ``check``, the
traffic equations and the tests) and turns uniforms into draws by its inverse
CDF. Sampling by inversion is deliberate: two scenarios that give a step a
different mean still see the same uniforms, so their service times stay
monotonely coupled and common random numbers keep working after a change.
No I/O here: an empirical distribution read from a CSV gets its values from
the loader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import special


class DistributionSpecError(ValueError):
    """A parameter of a distribution is wrong; the schema adds file and key path."""

    def __init__(self, param: str, problem: str, expected: str, got: Any):
        self.param = param
        self.problem = problem
        self.expected = expected
        self.got = got
        super().__init__(f"{param}: {problem} (expected {expected}, got {got!r})")


@dataclass(frozen=True)
class Distribution:
    """Base class: a non-negative duration distribution sampled by inversion."""

    kind: ClassVar[str] = ""
    params: ClassVar[tuple[str, ...]] = ()

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def variance(self) -> float:
        raise NotImplementedError

    @property
    def cv(self) -> float:
        """Coefficient of variation, the figure Kingman's formula needs."""
        return math.sqrt(self.variance) / self.mean if self.mean > 0 else 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map uniforms on [0, 1) to draws."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values from the caller's generator."""
        return self.ppf(rng.random(size))

    def to_dict(self) -> dict[str, Any]:
        """The distribution as a scenario file would spell it."""
        out: dict[str, Any] = {"dist": self.kind}
        for name in self.params:
            out[name] = getattr(self, name)
        return out


@dataclass(frozen=True)
class Exponential(Distribution):
    kind: ClassVar[str] = "exponential"
    params: ClassVar[tuple[str, ...]] = ("mean",)
    mean_: float = 1.0

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_ * np.log1p(-u)

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.kind, "mean": self.mean_}


@dataclass(frozen=True)
class Deterministic(Distribution):
    kind: ClassVar[str] = "deterministic"
    params: ClassVar[tuple[str, ...]] = ("mean",)
    mean_: float = 0.0

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), float(self.mean_))

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.kind, "mean": self.mean_}


@dataclass(frozen=True)
class LogNormal(Distribution):
    kind: ClassVar[str] = "lognormal"
    params: ClassVar[tuple[str, ...]] = ("mean", "cv")
    mean_: float = 1.0
    cv_: float = 1.0

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return (self.cv_ * self.mean_) ** 2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        sigma2 = math.log1p(self.cv_**2)
        mu = math.log(self.mean_) - sigma2 / 2
        return np.exp(mu + math.sqrt(sigma2) * special.ndtri(u))

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.kind, "mean": self.mean_, "cv": self.cv_}


@dataclass(frozen=True)
class Gamma(Distribution):
    kind: ClassVar[str] = "gamma"
    params: ClassVar[tuple[str, ...]] = ("mean", "cv")
    mean_: float = 1.0
    cv_: float = 1.0

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return (self.cv_ * self.mean_) ** 2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        shape = 1.0 / self.cv_**2
        scale = self.mean_ * self.cv_**2
        return special.gammaincinv(shape, u) * scale

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.kind, "mean": self.mean_, "cv": self.cv_}


@dataclass(frozen=True)
class Uniform(Distribution):
    kind: ClassVar[str] = "uniform"
    params: ClassVar[tuple[str, ...]] = ("low", "high")
    low: float = 0.0
    high: float = 1.0

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * u


@dataclass(frozen=True)
class Triangular(Distribution):
    kind: ClassVar[str] = "triangular"
    params: ClassVar[tuple[str, ...]] = ("low", "mode", "high")
    low: float = 0.0
    mode: float = 0.5
    high: float = 1.0

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def ppf(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full(np.shape(u), float(a))
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resampling of observed durations (a bootstrap of e.g. real lead times)."""

    kind: ClassVar[str] = "empirical"
    params: ClassVar[tuple[str, ...]] = ("values",)
    values: tuple[float, ...] = ()
    source: str | None = None  # "file.csv:column" when read from a file, for the manifest

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        return float(np.var(self.values))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        arr = np.asarray(self.values, dtype=float)
        idx = np.minimum((u * len(arr)).astype(np.int64), len(arr) - 1)
        return arr[idx]

    def to_dict(self) -> dict[str, Any]:
        if self.source is not None:
            file, _, column = self.source.rpartition(":")
            return {"dist": self.kind, "file": file, "column": column}
        return {"dist": self.kind, "values": list(self.values)}


KINDS: dict[str, type[Distribution]] = {
    cls.kind: cls
    for cls in (Exponential, Deterministic, LogNormal, Gamma, Uniform, Triangular, Empirical)
}


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DistributionSpecError(name, "must be a number", "a number", value)
    if not math.isfinite(value):
        raise DistributionSpecError(name, "must be finite", "a finite number", value)
    return float(value)


def build(kind: str, params: dict[str, Any]) -> Distribution:
    """Make a distribution from its scenario parameters, checking every constraint.

    ``params`` holds the keys besides ``dist``; for an empirical distribution
    read from a file the loader passes ``values`` (and ``source``) already read.
    Raises DistributionSpecError naming the first bad parameter.
    """
    if kind not in KINDS:
        raise DistributionSpecError("dist", "unknown distribution", " | ".join(KINDS), kind)
    cls = KINDS[kind]
    allowed = set(cls.params) | ({"source"} if cls is Empirical else set())
    for name in params:
        if name not in allowed:
            raise DistributionSpecError(
                name, f"unknown key for {kind}", ", ".join(cls.params), name
            )
    for name in cls.params:
        if name not in params:
            raise DistributionSpecError(name, f"missing for {kind}", "a number", None)
    if cls is Empirical:
        return _empirical(params)
    p = {name: _number(name, params[name]) for name in cls.params}
    if cls in (Exponential, LogNormal, Gamma) and p["mean"] <= 0:
        raise DistributionSpecError("mean", "must be > 0", "a number > 0", params["mean"])
    if cls is Deterministic:
        if p["mean"] < 0:
            raise DistributionSpecError("mean", "must be >= 0", "a number >= 0", params["mean"])
        return Deterministic(p["mean"])
    if cls is Exponential:
        return Exponential(p["mean"])
    if cls in (LogNormal, Gamma):
        if p["cv"] <= 0:
            raise DistributionSpecError("cv", "must be > 0", "a number > 0", params["cv"])
        return cls(p["mean"], p["cv"])  # type: ignore[call-arg]
    if p["low"] < 0:
        raise DistributionSpecError(
            "low", "durations cannot be negative", "low >= 0", params["low"]
        )
    if cls is Uniform:
        if p["high"] < p["low"]:
            raise DistributionSpecError(
                "high", "must be >= low", f">= {p['low']:g}", params["high"]
            )
        return Uniform(p["low"], p["high"])
    if not p["low"] <= p["mode"] <= p["high"]:
        raise DistributionSpecError(
            "mode", "must lie between low and high", f"{p['low']:g} <= mode <= {p['high']:g}",
            params["mode"],
        )
    return Triangular(p["low"], p["mode"], p["high"])


def _empirical(params: dict[str, Any]) -> Empirical:
    values = params["values"]
    if not isinstance(values, list | tuple) or not values:
        raise DistributionSpecError(
            "values", "must be a non-empty array", "[1.5, 2.0, ...]", values
        )
    clean = []
    for v in values:
        x = _number("values", v)
        if x < 0:
            raise DistributionSpecError("values", "durations cannot be negative", "values >= 0", v)
        clean.append(x)
    return Empirical(tuple(clean), params.get("source"))
