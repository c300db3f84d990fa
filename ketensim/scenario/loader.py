"""Reading scenario files: TOML, ``extends`` chains, and which file each entry came from.

A variant is usually a small file that ``extends`` a base and changes a few
entries. The loader reads the chain of files base first, merges them by id and
keeps, for every entry and every ``[scenario]`` key, the file it was written
in, so that the schema can report a mistake against the file that holds it.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from ketensim.errors import Problem, ScenarioError
from ketensim.scenario.model import Scenario
from ketensim.scenario.schema import build as schema
from ketensim.scenario.schema.build import Entry, Origin, RawScenario
from ketensim.scenario.schema.fields import Ctx

_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_CONCATENATED = ("event", "policy")  # no id: base entries first, then this file's


def load(path: str | os.PathLike[str]) -> Scenario:
    """Read, merge and validate a scenario file.

    Args:
        path: the scenario file; a relative ``extends`` or data file is found
            next to the file that names it.

    Raises:
        ScenarioError: every problem found, each naming file and key path.
    """
    return schema.build(read(path), source=str(path))


def read(path: str | os.PathLike[str]) -> RawScenario:
    """The raw tables of ``path`` merged with every file it extends, not yet validated."""
    return _read_chain(Path(path), str(path), ())


def merge(base: RawScenario, child: RawScenario) -> RawScenario:
    """``child`` on top of ``base``: keys override, entries replace by id, events add up.

    Calendars and pools are replaced by id like steps, bands by name; events
    and policies have no id, so the child's come after the base's.
    """
    entries = {kind: _merge_by_id(base.entries[kind], child.entries[kind], key)
               for kind, key in schema.KEYED.items()}
    for kind in _CONCATENATED:
        entries[kind] = base.entries[kind] + child.entries[kind]
    return RawScenario(
        top=child.top,
        scenario={**base.scenario, **child.scenario},
        entries=entries,
        problems=base.problems + child.problems,
        costs=None if base.costs is None and child.costs is None
        else {**(base.costs or {}), **(child.costs or {})},
    )


def _merge_by_id(base: list[Entry], child: list[Entry], key: str = "id") -> list[Entry]:
    """Replace base entries whole, in place, by child entries with the same id; append the rest.

    A second child entry with an id already replaced is appended, so the
    schema reports the duplicate instead of one of them vanishing.
    """
    merged = list(base)
    position: dict[str, int] = {}
    for i, entry in enumerate(base):
        name = entry.named(key)
        if name is not None:
            position.setdefault(name, i)
    for entry in child:
        ident = entry.named(key)
        if ident is not None and ident in position:
            merged[position.pop(ident)] = entry
        else:
            merged.append(entry)
    return merged


def _read_chain(path: Path, shown: str, chain: tuple[tuple[Path, str], ...]) -> RawScenario:
    """Read ``path`` and, recursively, what it extends; ``chain`` holds the files below it."""
    raw = schema.split(_parse(path, shown), Origin(shown, path.parent))
    origin, target = raw.scenario.pop("extends", (None, None))
    if origin is None:
        return raw
    here = (*chain, (path.resolve(), shown))

    def fail(problem: str, expected: str, got: Any) -> ScenarioError:
        ctx = Ctx(raw.problems, shown, path.parent, "scenario.extends")
        ctx.fail(problem, expected, got)
        return ScenarioError(raw.problems)

    if not isinstance(target, str) or not target.strip():
        raise fail("must be a file name", 'a path such as "basis.toml"', target)
    base_path = path.parent / target
    base_shown = os.path.normpath(os.path.join(os.path.dirname(shown), target))
    seen = [p for p, _ in here]
    if base_path.resolve() in seen:
        cycle = [s for _, s in here[seen.index(base_path.resolve()):]] + [base_shown]
        raise fail("extends makes a cycle: " + " -> ".join(cycle),
                   "a base that does not extend this file again", target)
    if not base_path.is_file():
        raise fail("the base file does not exist", "an existing TOML file", target)
    try:
        base = _read_chain(base_path, base_shown, here)
    except ScenarioError as err:
        raise ScenarioError(err.problems + raw.problems) from None
    return merge(base, raw)


def _parse(path: Path, shown: str) -> dict[str, Any]:
    """The TOML document in ``path``; unreadable files and syntax errors become problems."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise ScenarioError([Problem(shown, "<file>", f"cannot read the file ({reason})",
                                     "a readable TOML file", f'"{shown}"')]) from None
    except UnicodeDecodeError:
        raise ScenarioError([Problem(shown, "<file>", "not UTF-8 text",
                                     "a UTF-8 TOML file", "other bytes")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([_syntax_problem(shown, text, err)]) from None


def _syntax_problem(shown: str, text: str, err: tomllib.TOMLDecodeError) -> Problem:
    """Point at the line tomllib names, and echo that line so the mistake is visible."""
    message = str(err)
    match = _AT.search(message)
    what = message[: match.start()] if match else message
    if match is None or match.group(1) is None:
        return Problem(shown, "end of file", f"invalid TOML: {what}", "valid TOML",
                       "the end of the file")
    line, column = int(match.group(1)), int(match.group(2))
    lines = text.splitlines()
    source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    if len(source) > 60:
        source = source[:57] + "..."
    return Problem(shown, f"line {line}, column {column}", f"invalid TOML: {what}",
                   "valid TOML", f"`{source}`")
