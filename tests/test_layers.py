"""The one-way flow holds in the imports: no forbidden arrow between layers, no cycle.

Every ``import`` in portal/ is read from the source (module level and inside functions
alike: an import inside a function is still an arrow). The rules are data: a package named
on the left must never import a package named on the right. The architecture they keep is
drawn in docs/ARCHITECTURE.md.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"

FACES = {"catalog", "api", "admin"}
# package -> packages it must never import (issue #15's rules, plus the neutral core's).
FORBIDDEN: dict[str, set[str]] = {
    "core": {"config", "extensions", "sources", "statistics", "privacy", "harvest", "datasets", "auth", "audit", "i18n",
             "ops", "demogen", "demo", "cli", "models", "search", "uploads"} | FACES,
    "audit": {"uploads", "sources", "statistics", "privacy", "harvest", "datasets", "auth", "demogen",
              "demo", "cli", "search"} | FACES,
    "sources": {"uploads", "statistics", "privacy", "harvest", "datasets", "auth", "audit", "ops", "demogen",
                "demo", "cli", "search"} | FACES,
    "statistics": {"uploads", "privacy", "harvest", "datasets", "auth", "audit", "demogen", "demo",
                   "search"} | FACES,
    "privacy": {"uploads", "harvest", "datasets", "auth", "audit", "demogen", "demo", "search"} | FACES,
    "harvest": {"demogen", "demo", "cli", "uploads"} | FACES,
    # The OPD door, beside the harvest: sources, privacy, datasets, core, audit (and auth's checks).
    "uploads": {"harvest", "statistics", "demogen", "demo", "cli", "search"} | FACES,
    "datasets": {"uploads", "harvest", "demogen", "demo", "cli", "search"} | FACES,
    # The one read path: pages and API ask it, it reads datasets.
    "search": {"uploads", "harvest", "demogen", "demo", "cli", "privacy", "statistics", "sources"} | FACES,
    "auth": {"uploads", "statistics", "privacy", "harvest", "datasets", "demogen", "demo", "search"} | FACES,
    "demogen": {"uploads", "statistics", "privacy", "harvest", "datasets", "auth", "audit", "demo", "cli",
                "search"} | FACES,
    "catalog": {"api", "admin"},
    "api": {"catalog", "admin"},
    "admin": {"api", "catalog"},
}


def module_name(path: Path) -> str:
    """The dotted name of a module file under portal/."""
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    """Every module of the portal package by dotted name."""
    return {module_name(p): p for p in sorted(PORTAL.rglob("*.py"))}


def imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The portal modules ``name`` imports (``from pkg import submodule`` names the submodule)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return {m for m in found if m == "portal" or m.startswith("portal.")}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Module -> the portal modules it imports."""
    modules = all_modules()
    return {name: imported(name, path, modules) for name, path in modules.items()}


def layer(module: str) -> str:
    """The top-level package (or module) of portal a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "portal"


def test_the_rules_name_real_packages():
    """A rule about a package that does not exist protects nothing: keep the table true."""
    packages = {layer(m) for m in all_modules()}
    named = set(FORBIDDEN) | set().union(*FORBIDDEN.values())
    assert named <= packages, named - packages


def test_no_forbidden_arrow(graph):
    """No module imports a package its layer must never import."""
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items() for t in targets
                   if layer(t) in FORBIDDEN.get(layer(m), set()))
    assert not wrong, "forbidden imports:\n" + "\n".join(wrong)


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one node (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles


def test_no_cycle_between_modules(graph):
    """No module imports itself back through others (not even inside a function)."""
    edges = {m: {t for t in ts if t in graph and t != m} for m, ts in graph.items()}
    assert strongly_connected(edges) == []


def test_no_cycle_between_packages(graph):
    """The packages form a one-way graph; the app factory (portal/__init__) sits on top."""
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        for target in targets:
            a, b = layer(module), layer(target)
            if a != b and "portal" not in (a, b):
                edges[a].add(b)
    assert strongly_connected(edges) == []


def test_no_module_imports_private_names_of_another_package(graph):
    """A package's underscore names are its own: other packages use its public names."""
    wrong = []
    for name, path in all_modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("portal."):
                if layer(node.module) != layer(name):
                    wrong += [f"{name}: {node.module}.{a.name}" for a in node.names
                              if a.name.startswith("_")]
    assert not wrong, wrong


def test_the_rules_catch_a_forbidden_arrow(tmp_path):
    """The checker itself works: a privacy module importing datasets is reported."""
    (tmp_path / "portal" / "privacy").mkdir(parents=True)
    bad = tmp_path / "portal" / "privacy" / "leak.py"
    bad.write_text("from portal.datasets.models import Release\n")
    targets = imported("portal.privacy.leak", bad, {"portal.datasets.models": bad})
    assert targets == {"portal.datasets.models"}
    assert layer("portal.datasets.models") in FORBIDDEN["privacy"]


def test_tests_share_through_support_not_through_each_other():
    """A test module imports helpers from tests.support; fixtures come through pytest_plugins.

    Importing a conftest or another test module runs its fixtures twice and ties folders
    together; the next person moving a test should not break another folder.
    """
    tests = Path(__file__).resolve().parent
    wrong = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
                last = node.module.rsplit(".", 1)[-1]
                if last == "conftest" or last.startswith("test_"):
                    wrong.append(f"{path.relative_to(tests)}: {node.module}")
    assert not wrong, wrong
