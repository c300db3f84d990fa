"""Hold the architecture's line by walking every import of the package.

Data flows one way: scenario file -> loader -> model -> engine -> records ->
experiment -> results tables -> output / report / plots -> command line. So
SimPy stays inside the engine, pandas starts at the results tables,
matplotlib is for pictures only, click for the command line only, and no
module early in the flow reaches for one later in it. Imports inside
functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ketensim"

# Picture modules: the only ones that may draw.
PICTURES = {"plots", "report", "animate", "scene", "barcharts", "diagram", "figstyle",
            "sweepplots"}
# Modules that come after the results tables in the flow (present or planned). A new
# module that needs pandas or pictures is placed here on purpose, not by accident.
LATE = PICTURES | {"results", "experiment", "output", "console", "insights", "wording", "cli",
                   "comparison", "compare_text", "sweeps", "sweep_text", "pages", "commands",
                   "mechanisms", "mechanism_text", "report_tables"}
PANDAS_OK = LATE | {"__init__"}
MATPLOTLIB_OK = PICTURES
CLICK_OK = {"cli"}


def module_name(path: Path) -> str:
    """``ketensim/engine/core.py`` -> ``engine.core``; ``ketensim/cli.py`` -> ``cli``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts)


def imports_of(source: str, module: str) -> set[str]:
    """Every module a source imports, anywhere in it, as dotted absolute names."""
    found: set[str] = set()
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["ketensim", *package[: len(package) - node.level + 1]]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            if target == "ketensim" or node.level:
                found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def package_imports() -> dict[str, set[str]]:
    return {
        module_name(path): imports_of(path.read_text(encoding="utf-8"), module_name(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def top(name: str) -> str:
    return name.split(".")[0]


def stage(name: str) -> str:
    """The package module a dotted name belongs to: ``ketensim.engine.core`` -> ``engine``."""
    return name.split(".")[1] if name.startswith("ketensim.") else ""


ALL = package_imports()


def users_of(library: str) -> set[str]:
    return {mod for mod, names in ALL.items() if any(top(n) == library for n in names)}


def test_the_walker_sees_lazy_and_relative_imports():
    source = "import os\ndef f():\n    import simpy.core\n    from . import sampling\n"
    assert imports_of(source, "engine.core") == {"os", "simpy.core", "ketensim.engine",
                                                 "ketensim.engine.sampling"}
    assert "ketensim.stats" in imports_of("from ketensim import stats, trend\n", "results")


def test_package_is_found():
    assert {"model", "results", "cli", "engine.core"} <= set(ALL)


def test_only_the_engine_imports_simpy():
    assert {m for m in users_of("simpy") if not m.startswith("engine")} == set()


def test_pandas_starts_at_the_results_tables():
    assert users_of("pandas") - PANDAS_OK == set()
    assert "results" in users_of("pandas")


def test_matplotlib_only_for_pictures():
    assert users_of("matplotlib") - MATPLOTLIB_OK == set()


def test_click_only_in_the_command_line():
    assert users_of("click") == CLICK_OK


@pytest.mark.parametrize("module", sorted(m for m in ALL if m.split(".")[0] not in LATE
                                          and m not in ("__init__", "__main__")))
def test_early_modules_never_reach_downstream(module):
    late = {n for n in ALL[module] if stage(n) in LATE}
    assert late == set(), f"{module} imports {sorted(late)}, which come later in the flow"


def test_only_main_imports_the_command_line():
    users = {m for m, names in ALL.items() if any(stage(n) == "cli" for n in names)}
    assert users == {"__main__"}
