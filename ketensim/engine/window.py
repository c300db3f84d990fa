"""The warm-up rule, in one place: what counts in the measured window ``[warmup, horizon]``.

Two kinds of figure follow it. Time-weighted levels (queue length, busy
servers) and counters start afresh at ``warmup`` (``Chain.reset_statistics``).
Per-case tallies (a wait, a lead time, a late decision, a re-entry, an
entry into the chain) count when the moment the case *reached* the step or
the chain lies in the window: at or after ``warmup``, a case arriving exactly
at the warm-up included. The werkvoorraad at start reached its step before
time 0 and so never counts as a wait (its lead times are kept apart).
"""

from __future__ import annotations

import numpy as np


def counts(moment: float, warmup: float) -> bool:
    """Does a case that reached its step or the chain at ``moment`` count in the tallies?"""
    return moment >= warmup


def counted(moments: np.ndarray, warmup: float) -> np.ndarray:
    """:func:`counts` for many moments at once: a boolean mask."""
    return np.asarray(moments, dtype=float) >= warmup
