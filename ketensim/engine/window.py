"""The warm-up rule, in one place: what counts in the measured window ``[warmup, horizon]``.

Two kinds of figure follow it. Time-weighted levels (queue length, busy
servers) and counters start afresh at ``warmup`` (``Chain.reset_statistics``).
Per-case tallies (a wait, a lead time, a late decision, a re-entry, an
entry into the chain) count when the moment the case *reached* the step or
the chain lies in the window: at or after ``warmup``, a case arriving exactly
at the warm-up included. A case of the werkvoorraad at start of age ``a``
reached its step at ``-a`` (one in service at time 0 at 0) and follows the
same rule: with no warm-up, cases of age 0 count, older ones do not. Their
lead times are also kept apart (``backlog_lead_times``).
"""

from __future__ import annotations

import numpy as np


def counts(moment: float, warmup: float) -> bool:
    """Does a case that reached its step or the chain at ``moment`` count in the tallies?"""
    return moment >= warmup


def counted(moments: np.ndarray, warmup: float) -> np.ndarray:
    """:func:`counts` for many moments at once: a boolean mask."""
    return np.asarray(moments, dtype=float) >= warmup
