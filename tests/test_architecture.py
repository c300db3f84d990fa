"""Hold the architecture's line by walking every import of the package.

Data flows one way: scenario file -> model (``scenario``) -> one replication
(``engine``) -> records -> tables (``results``) -> several runs
(``studies``) -> pictures, words, pages (``present``) -> command line
(``cli``) and browser (``web``). A module may import from its own package
and from packages earlier in that order, never from a later one, and no
import circle may tie modules of two packages together. Heavy libraries are
confined: SimPy to the engine, matplotlib and jinja2 to ``present``, click
to ``cli``, pandas to ``results`` and after. Imports inside functions and
under ``TYPE_CHECKING`` count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ketensim"

ORDER = ("errors", "scenario", "engine", "results", "studies", "present", "cli", "web")
RANK = {name: i for i, name in enumerate(ORDER)}
RANK["web"] = RANK["cli"]  # two skins over the same API, side by side
# The public API (``ketensim/__init__``) and ``python -m ketensim`` stand outside the flow:
# they are the front door and may call any stage.
FRONT = {"__init__", "__main__"}

CONFINED = {
    "simpy": {"engine"},
    "matplotlib": {"present"},
    "jinja2": {"present"},
    "click": {"cli"},
    "starlette": {"web"},
    "uvicorn": {"web"},
    "pandas": {"results", "studies", "present", "cli", "web"},
}


def module_name(path: Path) -> str:
    """``ketensim/engine/core.py`` -> ``engine.core``; ``ketensim/cli/__init__.py`` -> ``cli``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module a source imports, anywhere in it, as dotted absolute names."""
    found: set[str] = set()
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["ketensim", *here[: len(here) - node.level + 1]]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            if target.startswith("ketensim"):
                found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def package_imports() -> dict[str, set[str]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        out[name] = imports_of(path.read_text(encoding="utf-8"), name,
                               is_package=path.name == "__init__.py")
    return out


ALL = package_imports()


def stage(module: str) -> str:
    """The stage a module belongs to: ``present.words.i18n`` -> ``present``."""
    return module.split(".")[0]


def internal(names: set[str]) -> set[str]:
    """The ketensim modules among imported names (``a.b.func`` resolved to module ``a.b``)."""
    out = set()
    for name in names:
        if not name.startswith("ketensim."):
            continue
        parts = name.split(".")[1:]
        while parts and ".".join(parts) not in ALL:
            parts = parts[:-1]
        if parts:
            out.add(".".join(parts))
        elif name.split(".")[1] != "__version__":
            out.add("__init__")  # a name of the public API: the front door
    return out


GRAPH = {m: internal(names) - {m} for m, names in ALL.items()}


def test_the_walker_sees_lazy_relative_and_package_imports() -> None:
    source = "import os\ndef f():\n    import simpy.core\n    from . import sampling\n"
    assert imports_of(source, "engine.core") == {"os", "simpy.core", "ketensim.engine",
                                                 "ketensim.engine.sampling"}
    assert imports_of("from .run import x\n", "engine", is_package=True) >= {
        "ketensim.engine.run"}
    assert internal({"ketensim.results.stats.mean_ci"}) == {"results.stats"}
    assert "ketensim.results.trend" in imports_of(
        "from ketensim.results import stats, trend\n", "results.tables")


def test_every_module_has_a_stage() -> None:
    stray = {m for m in ALL if m not in FRONT and stage(m) not in RANK}
    assert stray == set(), f"modules outside the stages {ORDER}: {sorted(stray)}"


def test_every_stage_says_what_it_takes_and_gives() -> None:
    for path in PACKAGE.rglob("__init__.py"):
        if path.parent == PACKAGE:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert "Takes:" in doc and "Gives:" in doc, f"{path}: docstring lacks Takes/Gives"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m not in FRONT))
def test_data_flows_one_way(module: str) -> None:
    later = {t for t in GRAPH[module]
             if t not in FRONT and RANK[stage(t)] > RANK[stage(module)]}
    sideways = {t for t in GRAPH[module] if t not in FRONT and stage(t) != stage(module)
                and RANK[stage(t)] == RANK[stage(module)]}
    assert later | sideways == set(), (
        f"{module} imports {sorted(later | sideways)}, which come later in the flow")
    if RANK[stage(module)] < RANK["cli"]:  # the skins are thin layers over the public API
        assert not GRAPH[module] & FRONT, f"{module} calls the public API instead of a stage"


def _cycles() -> list[set[str]]:
    """Strongly connected components of the module graph with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(comp)

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def package_of(module: str) -> str:
    """The (sub-)package a module sits in: ``present.words.i18n`` -> ``present.words``."""
    path = PACKAGE.joinpath(*module.split("."))
    return module if path.is_dir() else module.rpartition(".")[0]


def test_no_circle_between_packages() -> None:
    mixed = [sorted(c) for c in _cycles() if len({package_of(m) for m in c}) > 1]
    assert mixed == [], f"import circles across packages: {mixed}"


def test_the_circle_finder_finds_circles() -> None:
    global GRAPH
    saved = GRAPH
    try:
        GRAPH = {"a.x": {"b.y"}, "b.y": {"a.x"}, "c": set()}
        assert _cycles() == [{"a.x", "b.y"}]
    finally:
        GRAPH = saved


def _users_of(library: str) -> set[str]:
    return {m for m, names in ALL.items() if any(n.split(".")[0] == library for n in names)}


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_heavy_libraries_stay_in_their_stage(library: str) -> None:
    outside = {m for m in _users_of(library) if stage(m) not in CONFINED[library]}
    assert outside == set(), f"{library} imported outside {sorted(CONFINED[library])}"


def test_the_confined_libraries_are_used_where_expected() -> None:
    assert any(stage(m) == "engine" for m in _users_of("simpy"))
    assert any(stage(m) == "cli" for m in _users_of("click"))
    assert any(m.startswith("present.pictures") for m in _users_of("matplotlib"))
    assert any(m.startswith("present.pages") for m in _users_of("jinja2"))


def test_only_main_imports_the_command_line() -> None:
    users = {m for m, targets in GRAPH.items() if stage(m) != "cli"
             and any(stage(t) == "cli" for t in targets)}
    assert users <= {"__main__"}


MODULE_LINES = 450  # a module read in one sitting (the aim is ~400)
FUNCTION_LINES = 60  # a function seen whole on one screen


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p))
def test_modules_and_functions_are_readable_in_one_sitting(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MODULE_LINES, f"{path.name}: split it along its seams"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            reason = "Long on purpose:" in (ast.get_docstring(node) or "")
            assert length <= FUNCTION_LINES or reason, (
                f"{path.name}: {node.name} has {length} lines; split it, or say in its "
                "docstring why not ('Long on purpose: ...')")
