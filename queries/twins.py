"""Cypher twins: the named queries run on a Neo4j the workspace pushed to.

Each twin's Cypher lives in ``queries/cypher/`` (read by the linter and shown
in review as it is). Two kinds:

- **Aggregation twins** (``funders``, ``funding-dependency``): the database
  computes the query's figures; the same finishing step as the networkx query
  turns them into rows.
- **Projection twins** (the network queries: ``isolates``, ``network``,
  ``impact``, ``partnerships``...): the database returns exactly the node and
  relationship types the query reads (the projection a Graph Data Science
  graph would take), and the query's own algorithm runs on it here. GDS is
  not used: Neo4j Community and Aura Free lack it, and a path the tests cannot
  reach on a real server is not shipped.

- **History twins** (``changes``, ``area-changes``): the database returns the
  snapshot history the push wrote (``:Snapshot`` and ``:SnapshotFact`` nodes)
  and the present graph, and the query's own change rules compare them here.

Either way both give the same rows; the tests prove it on one workspace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import networkx as nx
import orjson
import pandas as pd

from ..errors import UsageError
from ..graph._bolt import BoltError, connect, mask
from ..graph.build import Graph
from ..graph.history import PLACE_EDGES, History, Snap, SnapshotFacts
from ..graph.neo4j import RESERVED
from ..ontology import EdgeType, NodeType
from ._registry import QUERIES
from .funding import finish_dependency, finish_funders

__all__ = [
    "TWINS",
    "Projection",
    "Twin",
    "history_from",
    "projected_graph",
    "run_twin",
    "twin_statements",
]

Fetch = Callable[..., list[dict[str, Any]]]
"""Run one of the twin's Cypher files with parameters; return its records as dicts."""


@dataclass(frozen=True)
class Twin:
    """A query's Cypher version: its files and how their records become the query's rows."""

    name: str
    files: tuple[str, ...]
    run: Callable[[Fetch, dict[str, Any]], pd.DataFrame]


def _cypher(file: str) -> str:
    return (resources.files(__package__) / "cypher" / file).read_text(encoding="utf-8")


def _funders(fetch: Fetch, params: dict[str, Any]) -> pd.DataFrame:
    if params.get("within"):
        raise UsageError(
            "the 'funders' Cypher twin counts every area; it takes no --within. Fix: run "
            "'civicgraph query funders --within AREA' on the workspace."
        )
    currency = params.get("currency")
    records = [
        {**r, "money": [m for m in r["money"] if m["grants"]]}
        for r in fetch("funders.cypher", currency=currency.upper() if currency else None)
    ]
    return finish_funders(records, currency=currency, min_grants=params.get("min_grants", 0))


def _funding_dependency(fetch: Fetch, params: dict[str, Any]) -> pd.DataFrame:
    currency = params.get("currency")
    money: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    grants: dict[tuple[str, str], int] = defaultdict(int)
    stated: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for row in fetch("funding-dependency.cypher", currency=currency.upper() if currency else None):
        key = (row["organization"], row["currency"])
        names[row["organization"]] = row["name"]
        grants[key] += int(row["grants"])
        money[key]  # a grant with no funder still counts
        if row["funder"] is not None:
            names[row["funder"]] = row["funder_name"]
            money[key][row["funder"]] += float(row["amount"])
    for row in fetch("funding-dependency-stated.cypher"):
        names[row["organization"]] = row["name"]
        names[row["funder"]] = row["funder_name"]
        stated[row["organization"]].add(row["funder"])
    return finish_dependency(
        money, grants, stated, names, threshold=params.get("threshold", 0.5), currency=currency
    )


_PROJECTION_FILES = ("project-nodes.cypher", "project-relationships.cypher")
_RESERVED = RESERVED
"""Property names the push keeps for itself; a node's own ``key`` is stored as ``key_``."""


@dataclass(frozen=True)
class Projection:
    """The node and relationship types a query reads: what its projection twin fetches."""

    nodes: tuple[NodeType, ...]
    relationships: tuple[EdgeType, ...]

    def run(self, name: str) -> Callable[[Fetch, dict[str, Any]], pd.DataFrame]:
        def run(fetch: Fetch, params: dict[str, Any]) -> pd.DataFrame:
            return QUERIES[name](projected_graph(fetch, self), **params)

        return run


def _plain(properties: dict[str, Any]) -> dict[str, Any]:
    """Properties as the analysis graph has them: the push's own names out, dates as text."""
    plain: dict[str, Any] = {}
    for name, value in properties.items():
        if name in _RESERVED:
            continue
        if name.endswith("_") and name[:-1] in _RESERVED:
            name = name[:-1]
        plain[name] = value.iso_format() if hasattr(value, "iso_format") else value
    return plain


def projected_graph(fetch: Fetch, projection: Projection) -> Graph:
    """The analysis graph of a projection's types, from the database."""
    graph: Graph = nx.MultiDiGraph()
    labels = [t.value for t in projection.nodes]
    for row in fetch("project-nodes.cypher", labels=labels):
        graph.add_node(row["id"], **_plain(row["properties"]), type=row["type"])
    types = [t.value for t in projection.relationships]
    for row in fetch("project-relationships.cypher", types=types):
        source, target = row["source"], row["target"]
        if source in graph and target in graph:  # the other end is of a type not projected
            graph.add_edge(
                source, target, key=row["key"], **_plain(row["properties"]), type=row["type"]
            )
    return graph


_DIRECTORY = Projection(
    nodes=(NodeType.ORGANIZATION, NodeType.SERVICE, NodeType.CONCEPT),
    relationships=(
        EdgeType.PROVIDES,
        EdgeType.CLASSIFIED_AS,
        EdgeType.PART_OF,
        EdgeType.REFERS_TO,
        EdgeType.PARTNERS_WITH,
    ),
)
"""Organisations, services, their taxonomy, referrals and declared ties."""

_EVERYTHING_LOCAL = Projection(
    nodes=(*_DIRECTORY.nodes, NodeType.LOCATION, NodeType.AREA, NodeType.GRANT, NodeType.ACTIVITY),
    relationships=(
        *_DIRECTORY.relationships,
        EdgeType.HAPPENS_AT,
        EdgeType.RUNS,
        EdgeType.AT_LOCATION,
        EdgeType.OPERATES,
        EdgeType.IN_AREA,
        EdgeType.SERVES_AREA,
        EdgeType.AWARDS,
        EdgeType.AWARDED_TO,
        EdgeType.FUNDS,
        EdgeType.BENEFITS_AREA,
    ),
)
"""The directory with its buildings, areas, funding and activities."""

_PROJECTIONS = {
    "isolates": _DIRECTORY,
    "network": _DIRECTORY,
    "brokers": _DIRECTORY,
    "silos": _DIRECTORY,
    "sector-gaps": _DIRECTORY,
    "impact": _EVERYTHING_LOCAL,
    "partnerships": _EVERYTHING_LOCAL,
    "shared-buildings": _EVERYTHING_LOCAL,
    "si-index": _EVERYTHING_LOCAL,
    "gaps": _EVERYTHING_LOCAL,
}

_EVERYTHING = Projection(nodes=tuple(NodeType), relationships=tuple(EdgeType))
"""The whole present graph: where things are placed, named and funded."""

_HISTORY_FILES = ("history-snapshots.cypher", "history-facts.cypher")


def _day(value: Any) -> str:
    return str(value.iso_format() if hasattr(value, "iso_format") else value)


def history_from(fetch: Fetch) -> History:
    """The snapshot history a push wrote, read back from the database."""
    snapshots: dict[str, list[Snap]] = {}
    for row in fetch("history-snapshots.cypher"):
        snap = Snap(int(row["snapshot"]), str(row["source"]), _day(row["date"]))
        snapshots.setdefault(snap.source, []).append(snap)
    for snaps in snapshots.values():
        snaps.sort(key=lambda s: (s.date, s.id))
    read: dict[int, SnapshotFacts] = {}

    def facts_of(snap: Snap) -> SnapshotFacts:
        if snap.id not in read:
            facts: dict[str, tuple[str, dict[str, Any]]] = {}
            places: dict[EdgeType, dict[str, set[str]]] = {e: {} for e in PLACE_EDGES}
            for row in fetch("history-facts.cypher", snapshot=snap.id):
                if row["type"] is not None:
                    facts[row["node"]] = (row["type"], orjson.loads(row["props"]))
                for edge_type in PLACE_EDGES:
                    at = row[edge_type.value.lower()]
                    if at:
                        places[edge_type][row["node"]] = set(at)
            read[snap.id] = SnapshotFacts(facts, places)
        return read[snap.id]

    return History(snapshots, facts_of, projected_graph(fetch, _EVERYTHING))


def _history_twin(name: str) -> Callable[[Fetch, dict[str, Any]], pd.DataFrame]:
    def run(fetch: Fetch, params: dict[str, Any]) -> pd.DataFrame:
        return QUERIES[name](history_from(fetch), **params)

    return run


TWINS: dict[str, Twin] = {
    "funders": Twin("funders", ("funders.cypher",), _funders),
    "funding-dependency": Twin(
        "funding-dependency",
        ("funding-dependency.cypher", "funding-dependency-stated.cypher"),
        _funding_dependency,
    ),
    **{
        name: Twin(name, _PROJECTION_FILES, projection.run(name))
        for name, projection in _PROJECTIONS.items()
    },
    **{
        name: Twin(name, (*_HISTORY_FILES, *_PROJECTION_FILES), _history_twin(name))
        for name in ("changes", "area-changes")
    },
}
"""The queries with a Cypher twin, by query name."""


def twin_statements() -> dict[str, str]:
    """Every twin's Cypher, by file name (for the linter and review)."""
    return {file: _cypher(file) for twin in TWINS.values() for file in twin.files}


def run_twin(
    name: str,
    *,
    uri: str,
    user: str,
    password: str | None,
    database: str | None,
    workspace_id: str,
    **params: Any,
) -> pd.DataFrame:
    """Run a query's Cypher twin on the database the workspace ``workspace_id`` pushed to."""
    twin = TWINS.get(name)
    if twin is None:
        raise UsageError(
            f"the query '{name}' has no Cypher twin. Fix: use one of {', '.join(TWINS)}, or run "
            "it on the workspace with 'civicgraph query'."
        )
    from neo4j.exceptions import Neo4jError

    with (
        connect(uri, user=user, password=password, database=database) as (driver, _),
        driver.session(database=database) as session,
    ):

        def fetch(file: str, **parameters: Any) -> list[dict[str, Any]]:
            result = session.run(_cypher(file), workspace=workspace_id, **parameters)
            return [record.data() for record in result]

        try:
            return twin.run(fetch, params)
        except Neo4jError as exc:
            raise BoltError(
                f"{uri}: the '{name}' twin failed: {mask(str(exc), password)}"
            ) from None
