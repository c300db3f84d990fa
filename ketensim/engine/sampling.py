"""Draws from a stream in blocks, by inversion.

Calling a NumPy generator once per draw costs far more than the draw itself;
drawing uniforms a block at a time and handing them out from a Python list
keeps sampling out of the engine's profile. Keeping the uniforms (not the
draws) as the stream's unit means a distribution changed by an event goes on
from the very next uniform, so the stream stays aligned with a scenario that
did not change it.
"""

from __future__ import annotations

import numpy as np

from ketensim.scenario.distributions import Distribution

BLOCK = 2048


class Draws:
    """Hands out draws of one distribution from one stream, in stream order."""

    __slots__ = ("_dist", "_rng", "_u", "values")

    def __init__(self, rng: np.random.Generator, dist: Distribution | None = None):
        self._rng = rng
        self._dist = dist
        self._u: np.ndarray = np.empty(0)
        # Reversed, so that ``values.pop()`` yields the next draw cheaply.
        self.values: list[float] = []

    def next(self) -> float:
        """The next draw."""
        values = self.values
        if not values:
            self._refill()
            values = self.values
        return values.pop()

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` draws at once, in stream order (as ``n`` calls of :meth:`next`).

        Whole blocks are mapped as :meth:`_refill` maps them (the same uniforms,
        the same block, so the same numbers) but copied as arrays, not lists.
        """
        out = np.empty(n)
        got = min(n, len(self.values))
        if got:
            out[:got] = self.values[len(self.values) - got:][::-1]
            del self.values[len(self.values) - got:]
        while got < n:
            self._u = self._rng.random(BLOCK)
            block = self._u if self._dist is None else self._dist.ppf(self._u)
            k = min(n - got, BLOCK)
            out[got:got + k] = block[:k]
            got += k
            if k < BLOCK:
                self.values = block[k:][::-1].tolist()
        return out

    def set_dist(self, dist: Distribution) -> None:
        """Switch distribution; the uniforms not yet used are re-mapped, not skipped."""
        self._dist = dist
        left = self._u[len(self._u) - len(self.values) :]
        self._u = left
        self.values = self._map(left)

    def _refill(self) -> None:
        self._u = self._rng.random(BLOCK)
        self.values = self._map(self._u)

    def _map(self, u: np.ndarray) -> list[float]:
        if self._dist is None:  # plain uniforms (routing)
            return u[::-1].tolist()
        return self._dist.ppf(u)[::-1].tolist()
