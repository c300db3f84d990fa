"""Where a value sits and how a problem with it is worded: the validator's shared vocabulary.

Every check reports through a :class:`Ctx`: the file a value was written in,
its key path (``step.om.capacity``), and the folder its data files are read
from. The helpers here spell keys as TOML does and list or suggest the names
that were meant.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ketensim.errors import Problem, show

MISSING: Any = object()
"""Stands for a key that the table does not hold, so ``None`` never has to."""

SUM_TOLERANCE = 1e-9
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class Text(str):
    """A ``got`` that is already spelled for the reader and must not be quoted again."""


def key_part(name: str) -> str:
    """Spell one part of a key path as TOML would, quoting it when it is not a bare key."""
    if _BARE_KEY.fullmatch(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unknown(what: str, name: Any, known: Iterable[str]) -> str:
    """``unknown key``, with ``(did you mean "capacity"?)`` when one known name is close.

    A misspelt key or id is the commonest mistake in a hand-written file; naming
    the likely intended one saves reading the whole list.
    """
    if isinstance(name, str):
        close = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.75)
        if close:
            return f'{what} (did you mean "{close[0]}"?)'
    return what


def one_of(names: Iterable[str], limit: int = 12) -> str:
    """List the allowed names for an ``expected`` text, cut short when there are many."""
    names = list(names)
    if not names:
        return "an id (but none is defined)"
    shown = ", ".join(names[:limit])
    return "one of " + shown + (", ..." if len(names) > limit else "")


@dataclass(frozen=True)
class Ctx:
    """Where a value sits: its file, the folder for its data files and its key path.

    All contexts of one validation share ``sink``, the list of problems found.
    """

    sink: list[Problem]
    file: str
    folder: Path
    path: str
    root: Path | None = None  # the top scenario's folder: no file is read from outside it

    def at(self, name: str) -> Ctx:
        """The context of key ``name`` inside this table."""
        part = key_part(name)
        return replace(self, path=f"{self.path}.{part}" if self.path else part)

    def item(self, index: int) -> Ctx:
        """The context of entry ``index`` of this array."""
        return replace(self, path=f"{self.path}[{index}]")

    def fail(self, problem: str, expected: str, got: Any) -> None:
        """Record one problem at this key."""
        self.sink.append(Problem(self.file, self.path, problem, expected, spell(got)))

    @property
    def count(self) -> int:
        """How many problems are known so far; compare before and after a check."""
        return len(self.sink)


def spell(value: Any) -> str:
    """A value as the message shows it: as TOML spells it, or as given for a Text."""
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return show(value)
