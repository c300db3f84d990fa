"""The one error format of ketensim.

Every problem a user can fix in a scenario file is reported as
``error: FILE: key.path: what is wrong (expected X, got Y)``, so that a person
can jump to the line and a script can parse the message. Validation collects
all problems of a file before raising, so one run shows everything to fix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one key of one file."""

    file: str
    key: str
    problem: str
    expected: str
    got: str

    def __str__(self) -> str:
        file, key = printable(self.file, 200), printable(self.key, 200)
        what, expected = printable(self.problem, 300), printable(self.expected, 300)
        return f"error: {file}: {key}: {what} (expected {expected}, got {printable(self.got)})"


class ScenarioError(Exception):
    """Bad input: one or more problems, each naming file, key, expected and got.

    The CLI turns this into exit status 2 with one line per problem on stderr.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, key: str, problem: str, expected: str, got: Any) -> ScenarioError:
        """Build an error holding one problem; ``got`` is shown as TOML would spell it."""
        return cls([Problem(str(file), key, problem, expected, show(got))])


LONGEST = 120  # characters of an echoed value: enough to recognise it, short enough to read


def printable(text: str, limit: int = LONGEST, keep: str = "") -> str:
    """``text`` safe for one line of a terminal: control characters shown escaped, cut short.

    A value echoed from a file may hold a newline (which would split one
    message over two lines), or escape sequences that clear the screen,
    retitle the window or hide text. They are shown as ``\\n`` or
    ``\\x1b`` instead. Characters in ``keep`` (e.g. a newline in a
    multi-line summary) pass as they are.
    """
    out = []
    for ch in str(text):
        if ch not in keep and unicodedata.category(ch) in _CONTROL:
            out.append(_ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 256
                                            else f"\\u{ord(ch):04x}"))
        else:
            out.append(ch)
    clean = "".join(out)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


_CONTROL = ("Cc", "Cf", "Zl", "Zp")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def has_control(text: str) -> bool:
    """True when ``text`` holds a control or format character (refused in ids)."""
    return any(unicodedata.category(ch) in _CONTROL for ch in text)


def show(value: Any) -> str:
    """Spell a value the way a user wrote it in TOML, so messages echo their input."""
    if isinstance(value, str):
        return '"' + value + '"' if not value.startswith("<") else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {show(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if value is None:
        return "nothing"
    return repr(value)


def type_name(value: Any) -> str:
    """Name a value's TOML type for an ``expected ..., got ...`` message."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, list):
        return "array"
    return type(value).__name__
