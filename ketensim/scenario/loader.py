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
from ketensim.scenario.schema.files import regular_file_problem

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


MAX_EXTENDS = 32  # a chain of bases deeper than this is a mistake, not a model


def load_text(text: str, name: str, folder: str | os.PathLike[str],
              memory: dict[str, str] | None = None) -> Scenario:
    """Validate a scenario given as text (an upload, a variant made in the browser).

    ``name`` is its path relative to ``folder``, and how problems name it;
    ``extends`` and data files are looked for in ``folder`` and must lie
    inside it, as for a file there. ``memory`` holds files that exist only as
    text (an uploaded base), by their path relative to ``folder``; they are
    read before the disk. Nothing is written anywhere.

    Raises:
        ScenarioError: every problem found, each naming ``name`` and the key path.
    """
    root = Path(folder).resolve()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([_syntax_problem(name, text, err)]) from None
    except RecursionError:
        raise ScenarioError([Problem(name, "<file>", "values nested too deeply",
                                     "arrays and tables nested a few levels deep",
                                     "hundreds of levels")]) from None
    raw = _read_chain(root / name, name, (), root, document, memory or {})
    return schema.build(raw, source=name)


def read(path: str | os.PathLike[str]) -> RawScenario:
    """The raw tables of ``path`` merged with every file it extends, not yet validated.

    Every file of the chain, and every data file they name, must lie inside
    the folder tree of ``path`` (symbolic links followed): a scenario received
    from someone else cannot make ketensim read anything else on this machine.
    """
    top = Path(path)
    try:
        root = top.parent.resolve()
    except (OSError, RuntimeError):
        root = top.parent.absolute()
    return _read_chain(top, str(path), (), root)


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


def _read_chain(path: Path, shown: str, chain: tuple[tuple[Path, str], ...],
                root: Path, document: dict[str, Any] | None = None,
                memory: dict[str, str] | None = None) -> RawScenario:
    """Read ``path`` (or take its ``document``) and, recursively, what it extends;
    ``chain`` holds the files below it."""
    if document is None:
        document = _parse(path, shown, trusted=not chain)
    raw = schema.split(document, Origin(shown, path.parent, root))
    origin, target = raw.scenario.pop("extends", (None, None))
    if origin is None:
        return raw
    here = (*chain, (path.resolve(), shown))

    def fail(problem: str, expected: str, got: Any) -> ScenarioError:
        ctx = Ctx(raw.problems, shown, path.parent, "scenario.extends", root)
        ctx.fail(problem, expected, got)
        return ScenarioError(raw.problems)

    if not isinstance(target, str) or not target.strip():
        raise fail("must be a file name", 'a path such as "basis.toml"', target)
    if "\x00" in target:
        raise fail("contains a NUL character", 'a path such as "basis.toml"', repr(target)[:80])
    if len(here) >= MAX_EXTENDS:
        raise fail(f"extends goes more than {MAX_EXTENDS} files deep",
                   f"a chain of at most {MAX_EXTENDS} files", target)
    base_path = path.parent / target
    base_shown = os.path.normpath(os.path.join(os.path.dirname(shown), target))
    try:
        resolved = base_path.resolve()
    except (OSError, RuntimeError) as err:  # a symlink loop
        raise fail(f"cannot follow the path ({type(err).__name__})", "a TOML file", target) \
            from None
    if not resolved.is_relative_to(root):
        raise fail("must lie inside the scenario's folder", f"a .toml file inside {root}",
                   target)
    seen = [p for p, _ in here]
    if resolved in seen:
        cycle = [s for _, s in here[seen.index(resolved):]] + [base_shown]
        raise fail("extends makes a cycle: " + " -> ".join(cycle),
                   "a base that does not extend this file again", target)
    remembered = (memory or {}).get(resolved.relative_to(root).as_posix())
    if remembered is not None:
        try:
            base = _read_chain(base_path, base_shown, here, root, tomllib.loads(remembered), memory)
        except ScenarioError as err:
            raise ScenarioError(err.problems + raw.problems) from None
        return merge(base, raw)
    if not base_path.exists():
        raise fail(f"the base file does not exist (looked for {resolved})",
                   "an existing TOML file", target)
    problem = regular_file_problem(base_path)
    if problem is None and resolved.suffix.lower() != ".toml":
        problem = "is not a scenario file"
    if problem is not None:
        raise fail(problem, "a .toml scenario file", target)
    try:
        base = _read_chain(base_path, base_shown, here, root, None, memory)
    except ScenarioError as err:
        raise ScenarioError(err.problems + raw.problems) from None
    return merge(base, raw)


def _parse(path: Path, shown: str, trusted: bool = True) -> dict[str, Any]:
    """The TOML document in ``path``; unreadable files and syntax errors become problems.

    A syntax error quotes the offending line only from a file named ``.toml``
    that the user gave (``trusted``) or that extends reached: the text of any
    other file is never echoed.
    """
    problem = regular_file_problem(path)
    if problem is not None:
        raise ScenarioError([Problem(shown, "<file>", problem, "a TOML scenario file",
                                     f'"{shown}"')])
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
        echo = trusted and path.suffix.lower() == ".toml"
        raise ScenarioError([_syntax_problem(shown, text if echo else "", err)]) from None
    except RecursionError:
        raise ScenarioError([Problem(shown, "<file>", "values nested too deeply",
                                     "arrays and tables nested a few levels deep",
                                     "hundreds of levels")]) from None


_DECIMAL_COMMA = re.compile(r"=\s*[-+]?[0-9]+,[0-9]+\s*(#.*)?$")


def _syntax_problem(shown: str, text: str, err: tomllib.TOMLDecodeError) -> Problem:
    """Point at the line tomllib names, and echo that line so the mistake is visible.

    A number written with a decimal comma (``rate = 70,5``, as a Dutch
    spreadsheet shows it) gets a hint to use a point. ``text`` is empty when
    the file's content may not be echoed.
    """
    message = str(err)
    match = _AT.search(message)
    what = message[: match.start()] if match else message
    if match is None or match.group(1) is None:
        return Problem(shown, "end of file", f"invalid TOML: {what}", "valid TOML",
                       "the end of the file")
    line, column = int(match.group(1)), int(match.group(2))
    lines = text.splitlines()
    source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    where = f"line {line}, column {column}"
    if not text:
        return Problem(shown, where, f"invalid TOML: {what}", "valid TOML",
                       "text that is not shown (not a scenario file)")
    if _DECIMAL_COMMA.search(source):
        number = source.split("=", 1)[1].split("#")[0].strip()
        return Problem(shown, where, "a decimal comma: TOML writes decimals with a point",
                       f"a number such as {number.replace(',', '.')}", number)
    if len(source) > 60:
        source = source[:57] + "..."
    return Problem(shown, where, f"invalid TOML: {what}", "valid TOML", f"`{source}`")
