"""Named, independent random streams.

Each source of randomness (an arrival source, a step's service times, a
step's routing) gets its own generator, derived from (seed, replication,
stream name) with NumPy's SeedSequence. Because a stream depends on its name
and not on its position in the file, adding or removing a step leaves every
other stream untouched: two scenarios that differ in one place share all
other random numbers (common random numbers), and a run never touches global
random state.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 64-bit number for a stream name (Python's ``hash`` changes per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big")


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator for one named stream of one replication."""
    seq = np.random.SeedSequence([int(seed), int(replication), stream_key(name)])
    return np.random.Generator(np.random.PCG64(seq))
