"""A scenario file as written: its tables sorted by kind, each entry with the file it came from.

The first step of validation. ``extends`` merges several files' documents
(:mod:`ketensim.scenario.loader`), so each entry remembers its own file and
position there: a mistake inherited from a base file is reported against the
base file, at the table the reader can find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ketensim.errors import Problem, type_name
from ketensim.scenario.schema.fields import Ctx, Text, key_part, unknown

ENTRY_KINDS = ("partner", "step", "arrival", "event", "calendar", "pool", "policy", "band",
               "norm", "uncertain")
KEYED = {"partner": "id", "step": "id", "arrival": "id", "calendar": "id", "pool": "id",
         "band": "name", "norm": "id", "uncertain": "key"}
# (the key each kind is known, and replaced through extends, by)
TABLES = ("scenario", "costs")  # top-level tables whose keys a child file overrides one by one


@dataclass(frozen=True)
class Origin:
    """The file an entry was written in, as shown in messages, and its folder for data files."""

    file: str
    folder: Path
    root: Path | None = None  # the top scenario's folder, which no file may leave


@dataclass(frozen=True)
class Entry:
    """One ``[[partner]]``, ``[[step]]``, ``[[event]]``, ... table as written.

    ``index`` is its position in its own file, so that a message points at the
    table the reader can find there.
    """

    origin: Origin
    index: int
    data: Any

    @property
    def ident(self) -> str | None:
        """The entry's id when it has a usable one (``extends`` replaces entries by it)."""
        return self.named("id")

    def named(self, key: str) -> str | None:
        """The entry's ``key`` (``id``, or ``name`` for a band) when it is a usable string."""
        ident = self.data.get(key) if isinstance(self.data, dict) else None
        return ident if isinstance(ident, str) and ident else None

    def ctx(self, sink: list[Problem], path: str) -> Ctx:
        """Where the entry sits, for a message: its own file and ``path``."""
        return Ctx(sink, self.origin.file, self.origin.folder, path, self.origin.root)


@dataclass
class RawScenario:
    """A scenario file (merged with what it extends) before validation."""

    top: Origin
    scenario: dict[str, tuple[Origin, Any]] = field(default_factory=dict)
    entries: dict[str, list[Entry]] = field(default_factory=lambda: {k: [] for k in ENTRY_KINDS})
    problems: list[Problem] = field(default_factory=list)
    costs: dict[str, tuple[Origin, Any]] | None = None  # None: no [costs] table anywhere


def split(doc: dict[str, Any], origin: Origin) -> RawScenario:
    """Sort one file's top-level tables into a RawScenario, reporting unknown top-level keys."""
    raw = RawScenario(top=origin)
    ctx = Ctx(raw.problems, origin.file, origin.folder, "", origin.root)
    for name, value in doc.items():
        if name == "scenario" and isinstance(value, dict):
            raw.scenario = {k: (origin, v) for k, v in value.items()}
        elif name == "costs" and isinstance(value, dict):
            raw.costs = {k: (origin, v) for k, v in value.items()}
        elif name in ENTRY_KINDS and isinstance(value, list):
            raw.entries[name] = [Entry(origin, i, v) for i, v in enumerate(value)]
        elif name in TABLES or name in ENTRY_KINDS:
            shape = f"a [{name}] table" if name in TABLES else f"[[{name}]] tables"
            ctx.at(name).fail("wrong shape", shape, Text(type_name(value)))
        else:
            expected = ", ".join((*TABLES, *ENTRY_KINDS))
            ctx.at(name).fail(unknown("unknown top-level key", name, (*TABLES, *ENTRY_KINDS)),
                              expected, Text(key_part(name)))
    return raw
