"""Closed-form queueing results the engine is checked against."""

from __future__ import annotations

import math


def erlang_c(c: int, offered: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load ``offered`` = lambda/mu."""
    rho = offered / c
    assert rho < 1
    term = 1.0
    total = 1.0
    for k in range(1, c):
        term *= offered / k
        total += term
    last = term * offered / c / (1 - rho)
    return last / (total + last)


def mmc_wait(lam: float, mean_service: float, c: int) -> float:
    """Mean wait in queue (Wq) of M/M/c."""
    mu = 1 / mean_service
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_queue(lam: float, mean_service: float, c: int) -> float:
    """Mean queue length (Lq) of M/M/c, by Little's law."""
    return lam * mmc_wait(lam, mean_service, c)


def mm1k_blocking(lam: float, mu: float, k: int) -> float:
    """Blocking probability of M/M/1/K (K places including the one in service)."""
    rho = lam / mu
    if math.isclose(rho, 1.0):
        return 1 / (k + 1)
    return (1 - rho) * rho**k / (1 - rho ** (k + 1))


def md1_wait(lam: float, service: float) -> float:
    """Mean wait in M/D/1 (Pollaczek-Khinchine)."""
    rho = lam * service
    return rho * service / (2 * (1 - rho))


def priority_waits(
    lams: list[float], means: list[float], second_moments: list[float]
) -> list[float]:
    """Cobham's mean waits per class in a non-preemptive priority M/G/1 (class 0 highest)."""
    w0 = sum(lam * m2 for lam, m2 in zip(lams, second_moments, strict=True)) / 2
    waits = []
    sigma_prev = 0.0
    for lam, mean in zip(lams, means, strict=True):
        sigma = sigma_prev + lam * mean
        waits.append(w0 / ((1 - sigma_prev) * (1 - sigma)))
        sigma_prev = sigma
    return waits
