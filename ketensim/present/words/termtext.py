"""Text for the terminal: figures in the reader's notation, loads, aligned columns.

The building blocks every command's printout shares (``run``, ``check``,
``compare``, ``sweep``), so that a number or a column looks the same wherever
it appears. Pure functions of their arguments, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ketensim.present.words import i18n

WIDTH = 88  # wrap long sentences so they read well in a normal terminal

CLOSED = {"nl": "dicht", "en": "closed"}


def num(x: float, lang: str = "nl") -> str:
    """A figure with about two significant decimals, in the language's notation."""
    return i18n.number(x, lang)


def rho_text(rho: float, lang: str) -> str:
    """An offered load to two decimals, with ``closed`` for work at a step without capacity."""
    if math.isinf(rho):
        return CLOSED[lang]
    text = f"{rho:.2f}"
    return text.replace(".", ",") if lang == "nl" else text


def table(
    head: Sequence[Sequence[str]], rows: Sequence[Sequence[str]], indent: str = ""
) -> list[str]:
    """Aligned columns: the first left, the others right; ``head`` may have several lines."""
    ncol = max(len(r) for r in [*head, *rows])
    cells = [list(r) + [""] * (ncol - len(r)) for r in [*head, *rows]]
    widths = [max(len(r[c]) for r in cells) for c in range(ncol)]
    lines = []
    for r in cells:
        parts = [r[0].ljust(widths[0])] + [r[c].rjust(widths[c]) for c in range(1, ncol)]
        lines.append((indent + "  ".join(parts)).rstrip())
    return lines


def unit(time_unit: str, lang: str, plural: bool = False) -> str:
    """The scenario's time unit as a word in ``lang``."""
    return i18n.unit_name(time_unit, lang, plural=plural)
