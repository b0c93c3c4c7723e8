"""The query registry: named analyses, their parameters, and how to run them.

A query is a function ``f(graph, *, param=default, ...) -> pandas.DataFrame``
whose rows carry their evidence in a ``why`` column. Registering it makes a
``civicgraph query <name>`` command whose options are the function's
keyword-only parameters: their types come from the annotations, their help
from the numpy-style docstring, so the two cannot drift apart.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args, get_origin, overload

import pandas as pd

from ..errors import UsageError
from ..graph import Workspace
from ..graph.scope import STORED_SCOPE

__all__ = ["QUERIES", "Param", "Query", "register_query", "run_query"]

QueryFunction = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Param:
    """One keyword parameter of a query, as the CLI shows it."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    multiple: bool = False


@dataclass(frozen=True)
class Query:
    """A registered query: its CLI name, function, one-line summary and parameters."""

    name: str
    function: QueryFunction
    summary: str
    params: tuple[Param, ...]
    needs_workspace: bool = False
    """The first argument is the workspace rather than its graph."""

    def __call__(self, target: Any, **params: Any) -> pd.DataFrame:
        return self.function(target, **params)


QUERIES: dict[str, Query] = {}
"""Registered queries by CLI name, in registration order."""


def _docstring_params(doc: str) -> dict[str, str]:
    """Parameter descriptions from a numpy-style docstring's Parameters section."""
    match = re.search(r"Parameters\n\s*-+\n(.*?)(?:\n\s*\n\s*[A-Z][a-z]+\n\s*-+\n|\Z)", doc, re.S)
    if not match:
        return {}
    descriptions: dict[str, str] = {}
    current: str | None = None
    for line in match.group(1).splitlines():
        header = re.match(r"^\s{0,4}(\w+)\s*(?::.*)?$", line)
        if header and not line.startswith(" " * 8):
            current = header.group(1)
            descriptions[current] = ""
        elif current and line.strip():
            descriptions[current] = (descriptions[current] + " " + line.strip()).strip()
    return descriptions


def _param(name: str, annotation: Any, default: Any, help_text: str) -> Param:
    if name == "within":  # the study area (a Scope, codes or names): repeatable text on the CLI
        return Param(name, str, (), help_text, multiple=True)
    origin = get_origin(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin is Literal:
        return Param(name, str, default, help_text, choices=tuple(str(a) for a in args))
    if origin in (list, tuple) or annotation in (list, tuple):
        inner = args[0] if args else str
        return Param(name, inner, tuple(default or ()), help_text, multiple=True)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _param(name, args[0], default, help_text)  # X | None
    if annotation in (int, float, str, bool):
        return Param(name, annotation, default, help_text)
    raise TypeError(f"query parameter '{name}' has a type the CLI cannot offer: {annotation!r}")


def _annotation(func: QueryFunction, param: inspect.Parameter) -> Any:
    """A keyword parameter's type, evaluated where the function was written."""
    annotation = param.annotation
    if annotation is inspect.Parameter.empty:
        return str
    if isinstance(annotation, str):  # from __future__ import annotations
        return eval(annotation, vars(typing), func.__globals__)  # noqa: S307 - our own code
    return annotation


F = TypeVar("F", bound=QueryFunction)


@overload
def register_query(function: F) -> F: ...


@overload
def register_query(
    *, name: str | None = None, needs_workspace: bool = False
) -> Callable[[F], F]: ...


def register_query(
    function: F | None = None,
    *,
    name: str | None = None,
    needs_workspace: bool = False,
) -> F | Callable[[F], F]:
    """Register a query function; usable as ``@register_query`` or ``@register_query(name=...)``."""

    def decorate(func: F) -> F:
        doc = inspect.getdoc(func) or ""
        summary = doc.strip().splitlines()[0] if doc.strip() else func.__name__
        described = _docstring_params(doc)
        params = tuple(
            _param(p.name, _annotation(func, p), p.default, described.get(p.name, ""))
            for p in inspect.signature(func).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        )
        query_name = name or func.__name__.replace("_", "-")
        QUERIES[query_name] = Query(query_name, func, summary, params, needs_workspace)
        return func

    return decorate(function) if function is not None else decorate


def run_query(name: str, workspace: Workspace, **params: Any) -> pd.DataFrame:
    """Run a registered query by name on a workspace's graph (or the workspace itself)."""
    query = QUERIES.get(name)
    if query is None:
        known = ", ".join(sorted(QUERIES)) or "none yet"
        raise UsageError(f"there is no query '{name}'. Fix: use one of: {known}.")
    if query.needs_workspace:
        return query(workspace, **params)
    graph = workspace.graph()
    # The stored study area travels with the graph: place-based queries read it from there.
    graph.graph[STORED_SCOPE] = tuple(workspace.scope_areas())
    return query(graph, **params)
