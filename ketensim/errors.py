"""The one error format of ketensim.

Every problem a user can fix in a scenario file is reported as
``error: FILE: key.path: what is wrong (expected X, got Y)``, so that a person
can jump to the line and a script can parse the message. Validation collects
all problems of a file before raising, so one run shows everything to fix.
"""

from __future__ import annotations

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
        where = f"error: {self.file}: {self.key}"
        return f"{where}: {self.problem} (expected {self.expected}, got {self.got})"


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
