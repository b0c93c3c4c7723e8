"""The graph model: records, reports, the workspace store and the analysis graph."""

from . import (
    matching,  # registers the name link finder
    places,  # registers the place link finder
)
from .build import Graph, build_graph, count_by_type, edge_key
from .identity import LINK_FINDERS, Link, canonical_id, register_link_finder, resolve_identities
from .records import EdgeRecord, NodeRecord, Record, local_key
from .report import IngestReport, Problem, ProblemGroup, Severity, TableCounts
from .workspace import DEFAULT_WORKSPACE, Workspace, default_workspace_path

__all__ = [
    "DEFAULT_WORKSPACE",
    "LINK_FINDERS",
    "EdgeRecord",
    "Graph",
    "IngestReport",
    "Link",
    "NodeRecord",
    "Problem",
    "ProblemGroup",
    "Record",
    "Severity",
    "TableCounts",
    "Workspace",
    "build_graph",
    "canonical_id",
    "count_by_type",
    "default_workspace_path",
    "edge_key",
    "local_key",
    "matching",
    "places",
    "register_link_finder",
    "resolve_identities",
]

_SUBMODULES = ("neo4j", "netfiles", "rdf", "shacl", "tables")
"""Modules loaded on first use (``civicgraph.graph.tables``): they bring pandas, rdflib..."""


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'civicgraph.graph' has no attribute {name!r}")
