"""Build the networkx analysis graph from a workspace's current facts.

The graph is a view, not the truth: every call reads the current snapshot of
each source, maps asserted keys through the identity decisions, and merges
what several sources say about one node.

Precedence (documented in the README): snapshots are applied in order of
source priority, then ingest time; a later snapshot's value of a property
replaces an earlier one's, so the most recently ingested source wins.
``org_ids`` and ``roles`` are the exceptions: they accumulate every source's values;
and a record made from a name alone (a funder named in a funding statement) only
fills gaps. Each node
and edge carries ``type``, ``sources`` (the names of the sources that
assert it), and ``first_asserted`` / ``last_asserted``: the earliest and latest
day of any snapshot, current or not, that asserts it (a snapshot's day is its
``--snapshot-date``, else the day it was ingested). The per-record provenance
stays in the workspace.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
from collections.abc import Callable, Collection
from typing import Any, TypeAlias

import networkx as nx
import orjson

from ..ontology import EDGE_TYPES, NODE_TYPES
from .identity import NAME_ONLY_PREFIXES
from .placing import place

__all__ = [
    "ASSERTED_PROPS",
    "Graph",
    "StepProgress",
    "assert_spans",
    "build_graph",
    "count_by_type",
    "edge_key",
]

log = logging.getLogger(__name__)

_ACCUMULATE = ("org_ids", "roles")

ASSERTED_PROPS = ("first_asserted", "last_asserted")
"""The properties that say over which days the workspace's snapshots assert a node or edge."""

_SNAPSHOT_DAYS = """
    SELECT id, coalesce(json_extract(report, '$.snapshot_date'), substr(ingested_at, 1, 10))
    FROM snapshot
"""

_NODE_SPANS = """
    SELECT key, snapshot_id FROM node_fact
"""

_EDGE_SPANS = """
    SELECT type, source_key, target_key, discriminator, snapshot_id FROM edge_fact
"""

_NODE_FACTS = """
    SELECT s.source, f.key, f.type, f.props
    FROM snapshot s
    JOIN source src ON src.name = s.source
    JOIN node_fact f ON f.snapshot_id = s.id
    WHERE {snapshots}
    ORDER BY src.priority, s.id
"""

_EDGE_FACTS = """
    SELECT s.source, f.type, f.source_key, f.target_key, f.discriminator, f.props
    FROM snapshot s
    JOIN source src ON src.name = s.source
    JOIN edge_fact f ON f.snapshot_id = s.id
    WHERE {snapshots}
    ORDER BY src.priority, s.id
"""


StepProgress: TypeAlias = Callable[[str, int, int], None]
"""Told ``(step, done, total)`` as a long step goes on (the CLI shows it on a terminal)."""

_CURRENT = "s.is_current = 1"
_CHOSEN = "s.id IN (SELECT value FROM json_each(?))"

_EVERY = 20_000
"""Rows between two progress reports."""


def _current_count(
    conn: sqlite3.Connection, table: str, where: str, params: tuple[str, ...]
) -> int:
    return int(
        conn.execute(
            f"SELECT count(*) FROM {table} f JOIN snapshot s ON s.id = f.snapshot_id WHERE {where}",
            params,
        ).fetchone()[0]
    )


def edge_key(edge_type: str, discriminator: str = "") -> str:
    """The multigraph key of an edge: its type, and its discriminator when it has one.

    Examples
    --------
    >>> edge_key("PROVIDES"), edge_key("REFERS_TO", "2024-Q1")
    ('PROVIDES', 'REFERS_TO|2024-Q1')
    """
    return f"{edge_type}|{discriminator}" if discriminator else edge_type


Graph: TypeAlias = "nx.MultiDiGraph[str]"
"""The analysis graph type: a networkx MultiDiGraph whose node ids are strings."""


def build_graph(
    conn: sqlite3.Connection,
    *,
    progress: StepProgress | None = None,
    snapshots: Collection[int] | None = None,
) -> Graph:
    """Build the analysis graph from the current facts of a workspace connection.

    ``progress``, if given, is told how many node and edge facts are read, of how many.
    ``snapshots``, if given, are the snapshots to build from instead of the current
    ones (the graph as it stood on a day: see ``civicgraph.graph.timeline``).
    """
    where = _CURRENT if snapshots is None else _CHOSEN
    params = () if snapshots is None else (orjson.dumps(sorted(snapshots)).decode(),)
    node_total = _current_count(conn, "node_fact", where, params) if progress else 0
    edge_total = _current_count(conn, "edge_fact", where, params) if progress else 0
    entity: dict[str, str] = dict(conn.execute("SELECT key, node_id FROM entity"))
    graph: Graph = nx.MultiDiGraph()
    nodes: dict[str, dict[str, Any]] = graph._node  # type: ignore[attr-defined]  # fast lookups
    loads = orjson.loads
    type_conflicts = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector, not the work, dominates building large graphs
    try:
        for done, (source, key, node_type, props_json) in enumerate(
            conn.execute(_NODE_FACTS.format(snapshots=where), params)
        ):
            if progress and done % _EVERY == 0:
                progress("building the analysis graph: node facts", done, node_total)
            node_id = entity.get(key, key)
            attrs = nodes.get(node_id)
            props = loads(props_json)
            if attrs is None:
                props["type"] = node_type
                props["sources"] = [source]
                graph.add_node(node_id, **props)
                continue
            if attrs["type"] != node_type:
                type_conflicts += 1
                continue
            for name in _ACCUMULATE:
                if name in props and name in attrs:
                    props[name] = sorted(set(attrs[name]) | set(props[name]))
            if key.startswith(NAME_ONLY_PREFIXES):
                # A record made from a name alone only fills gaps in what others say.
                for name, value in props.items():
                    attrs.setdefault(name, value)
                if "roles" in props:
                    attrs["roles"] = props["roles"]
            else:
                attrs.update(props)
            if source not in attrs["sources"]:
                attrs["sources"].append(source)

        if progress:
            progress("building the analysis graph: node facts", node_total, node_total)
        skipped = 0
        for done, (source, edge_type, source_key, target_key, disc, props_json) in enumerate(
            conn.execute(_EDGE_FACTS.format(snapshots=where), params)
        ):
            if progress and done % _EVERY == 0:
                progress("building the analysis graph: edge facts", done, edge_total)
            u = entity.get(source_key, source_key)
            v = entity.get(target_key, target_key)
            if u not in nodes or v not in nodes or (u == v and source_key != target_key):
                skipped += 1
                continue
            key = edge_key(edge_type, disc)
            existing = graph.get_edge_data(u, v, key)
            if existing is None:
                props = loads(props_json) if props_json else {}
                props["type"] = edge_type
                props["sources"] = [source]
                graph.add_edge(u, v, key=key, **props)
            else:
                if props_json:
                    existing.update(loads(props_json))
                if source not in existing["sources"]:
                    existing["sources"].append(source)
    finally:
        if gc_was_enabled:
            gc.enable()
    if progress:
        progress("building the analysis graph: edge facts", edge_total, edge_total)
    graph.graph["skipped_edges"] = skipped
    assert_spans(conn, graph, entity)
    place(graph)
    if skipped:
        log.warning(
            "skipped %d edges whose ends are no longer in the workspace or were merged into one",
            skipped,
        )
    if type_conflicts:
        log.warning(
            "%d facts name a node already known under another type; ignored", type_conflicts
        )
    log.info(
        "built graph with %d nodes and %d edges", graph.number_of_nodes(), graph.number_of_edges()
    )
    return graph


def _widen(spans: dict[Any, list[str]], item: Any, day: str) -> None:
    span = spans.get(item)
    if span is None:
        spans[item] = [day, day]
    elif day < span[0]:
        span[0] = day
    elif day > span[1]:
        span[1] = day


def assert_spans(
    conn: sqlite3.Connection,
    graph: Graph,
    entity: dict[str, str],
    *,
    only: Collection[int] | None = None,
) -> None:
    """Set ``first_asserted`` / ``last_asserted`` on every node and edge of ``graph``.

    Every snapshot counts, current or not: a node asserted in March and again in
    June was first asserted in March, though only June's snapshot is current.
    ``only``: just these snapshots count (the graph as it stood on a day).
    """
    days: dict[int, str] = dict(conn.execute(_SNAPSHOT_DAYS))
    if only is not None:
        days = {sid: day for sid, day in days.items() if sid in only}
    nodes: dict[str, dict[str, Any]] = graph._node  # type: ignore[attr-defined]
    node_spans: dict[str, list[str]] = {}
    for key, snapshot_id in conn.execute(_NODE_SPANS):
        if snapshot_id in days:
            _widen(node_spans, entity.get(key, key), days[snapshot_id])
    for node, (first, last) in node_spans.items():
        attrs = nodes.get(node)
        if attrs is not None:
            attrs["first_asserted"] = first
            attrs["last_asserted"] = last
    edge_spans: dict[tuple[str, str, str], list[str]] = {}
    for edge_type, source_key, target_key, disc, snapshot_id in conn.execute(_EDGE_SPANS):
        if snapshot_id not in days:
            continue
        u = entity.get(source_key, source_key)
        v = entity.get(target_key, target_key)
        _widen(edge_spans, (u, v, edge_key(edge_type, disc)), days[snapshot_id])
    adj = graph._adj  # type: ignore[attr-defined]
    for (u, v, key), (first, last) in edge_spans.items():
        data = adj.get(u, {}).get(v, {}).get(key)
        if data is not None:
            data["first_asserted"] = first
            data["last_asserted"] = last


def count_by_type(graph: Graph) -> dict[str, dict[str, int]]:
    """``{"nodes": {TYPE: n}, "edges": {TYPE: n}}`` in ontology order, zero counts left out."""
    node_counts: dict[str, int] = {}
    for _, data in graph.nodes(data=True):
        node_counts[data["type"]] = node_counts.get(data["type"], 0) + 1
    edge_counts: dict[str, int] = {}
    for _, _, data in graph.edges(data=True):
        edge_counts[data["type"]] = edge_counts.get(data["type"], 0) + 1
    return {
        "nodes": {t.value: node_counts[t] for t in NODE_TYPES if t in node_counts},
        "edges": {t.value: edge_counts[t] for t in EDGE_TYPES if t in edge_counts},
    }
