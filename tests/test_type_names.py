"""Type names come from the ontology: no module of the package spells one as a string.

``NodeType`` and ``EdgeType`` are StrEnums, so ``"Service"`` and ``NodeType.SERVICE``
behave alike, and a misspelt literal (``"Organisation"``) fails silently where a
misspelt member fails at import. This scans every module the package ships for string
constants equal to a type name, outside docstrings, f-strings and ``__all__``.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

from helpers import REPO

from civicgraph.ontology import EdgeType, NodeType

TYPE_NAMES = {t.value for t in NodeType} | {t.value for t in EdgeType}

ALLOWED: dict[tuple[str, str, str], str] = {
    ("ontology/model.py", "NodeType", "*"): "where the node type names are defined",
    ("ontology/model.py", "EdgeType", "*"): "where the edge type names are defined",
    ("ingest/giving360/_columns.py", "TITLES", "Location"): (
        "a 360Giving column title ('Recipient Org:Location:Name'), not a node type"
    ),
    ("ingest/openactive.py", "_Reader._organizer", "Organization"): (
        "the schema.org @type an OpenActive organizer defaults to, not our node type"
    ),
    ("ingest/volunteering.py", "_Reader.activity", "Activity"): (
        "the Volunteering Data Standard's opportunity type, kept as a property value"
    ),
    ("ingest/volunteering.py", "read_volunteering", "Activity"): (
        "a Volunteering Data Standard node type in the input file, not ours"
    ),
    ("ingest/volunteering.py", "read_volunteering", "Organization"): (
        "a Volunteering Data Standard node type in the input file (US spelling), not ours"
    ),
}
"""(module, enclosing definition, value) -> why the literal is not a civicgraph type name."""


def _package_modules() -> list[Path]:
    """Every module the package ships, as pyproject.toml lists its packages."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    root = REPO / setuptools["package-dir"]["civicgraph"]
    modules: list[Path] = []
    for package in setuptools["packages"]:
        folder = root.joinpath(*package.split(".")[1:])
        modules.extend(sorted(folder.glob("*.py")))
    return modules


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def type_literals(source: str) -> Iterator[tuple[str, str, int]]:
    """``(enclosing definition, value, line)`` of each type-name string constant in code."""
    tree = ast.parse(source)
    skipped = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # literal parts of f-strings are prose
            skipped.update(id(part) for part in ast.walk(node))
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skipped.update(id(part) for part in ast.walk(node.value))

    def visit(node: ast.AST, scope: list[str]) -> Iterator[tuple[str, str, int]]:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [*scope, child.name]
            elif not scope and isinstance(child, ast.Assign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                inner = [t.id for t in targets if isinstance(t, ast.Name)][:1]
            if (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and child.value in TYPE_NAMES
                and id(child) not in skipped
            ):
                yield ".".join(scope), child.value, child.lineno
            yield from visit(child, inner)

    yield from visit(tree, [])


def _allowed(module: str, scope: str, value: str) -> tuple[str, str, str] | None:
    outer = scope.split(".")[0]
    for key in ((module, scope, value), (module, outer, "*")):
        if key in ALLOWED:
            return key
    return None


def test_no_type_name_literals_in_the_package() -> None:
    modules = _package_modules()
    assert len(modules) > 100  # the scan really read the package
    offending = []
    used = set()
    for path in modules:
        module = path.relative_to(REPO).as_posix()
        for scope, value, line in type_literals(path.read_text(encoding="utf-8")):
            key = _allowed(module, scope, value)
            if key is None:
                member = "NodeType" if value in {t.value for t in NodeType} else "EdgeType"
                offending.append(f"{module}:{line} ({scope or 'module'}): {value!r}, use {member}")
            else:
                used.add(key)
    assert not offending, "type names spelt as strings:\n" + "\n".join(offending)
    assert set(ALLOWED) <= used, f"allowed literals no longer there: {set(ALLOWED) - used}"


def test_the_scan_finds_literals_in_code_and_not_in_prose() -> None:
    source = '''
"""A module about Service nodes: "Service"."""
__all__ = ["Area"]
KINDS = {"Service", "Activity"}
"""What "Location" means here."""


def f(graph, node):
    """Keep "Organization" nodes."""
    label = f"{node} is an Organization"
    if graph.nodes[node]["type"] == "Organization":
        return graph.edges(node, key="PROVIDES")
    return label, "Services", "provides"
'''
    found = sorted(type_literals(source))
    assert found == [
        ("KINDS", "Activity", 4),
        ("KINDS", "Service", 4),
        ("f", "Organization", 11),
        ("f", "PROVIDES", 12),
    ]
