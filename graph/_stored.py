"""The persisted analysis graph: a cache of the store, kept in the workspace file. Private.

Building the analysis graph from the facts costs seconds on national data
(8 s with all-England areas); loading a stored copy costs a fraction of that.
The copy is a cache, never the truth:

- it is keyed by a *fingerprint* of what it was built from: the workspace's
  change counter (bumped by triggers on every write to ``source``,
  ``snapshot`` and ``decision``, and by every identity resolution), the
  newest snapshot id, the number of current snapshots, the civicgraph
  version and encoding that wrote it, and a hash of the source of the code
  that builds it (``graph/`` and ``ontology/``: a development checkout changes
  that code without changing the version; hashing it costs about 1 ms). A
  copy whose fingerprint differs from the store's is rebuilt, never used;
- it is written in one transaction (the old rows deleted, the new ones and
  their fingerprint written), so a crash while writing leaves the previous
  copy, and its fingerprint, as they were;
- it is JSON (orjson) laid out in columns (nodes grouped by their attribute
  names, edges by node number: see ``_encode``), zlib-compressed, in chunks
  of at most 32 MB: data, never code. A workspace is a file people send each other, so it is not
  unpickled: a pickle in a received file would run whatever it holds.

A workspace that cannot be written (read-only, or locked by a writer) just
builds the graph and does not store it.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import sqlite3
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from .._version import __version__
from .build import Graph, count_by_type

__all__ = [
    "ENCODING",
    "build_sources",
    "code_hash",
    "fingerprint",
    "load_graph",
    "store_graph",
    "stored_counts",
]

log = logging.getLogger(__name__)

ENCODING = "orjson-columns-zlib/3"
"""How the stored graph is encoded; part of the fingerprint, so a change rebuilds."""

_CHUNK = 32 * 1024 * 1024

_TUPLE_LISTS = ("unplaced",)
"""Graph attributes that are lists of tuples (JSON gives them back as lists)."""


def build_sources() -> list[Path]:
    """The source files of the code that builds the analysis graph."""
    package = Path(__file__).resolve().parent.parent
    return sorted(
        path for folder in ("graph", "ontology") for path in (package / folder).glob("*.py")
    )


def code_hash(files: Iterable[Path]) -> str:
    """A short hash of the files' names and contents."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@cache
def _build_code() -> str:
    return code_hash(build_sources())


def fingerprint(conn: sqlite3.Connection) -> str:
    """The state of the store the analysis graph depends on, as one string."""
    generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    newest, current = conn.execute("SELECT max(id), sum(is_current) FROM snapshot").fetchone()
    return (
        f"civicgraph {__version__}; {ENCODING}; generation {generation[0] if generation else 0}; "
        f"snapshot {newest or 0}; current {current or 0}; code {_build_code()}"
    )


def _encode(graph: Graph) -> bytes:
    """The graph as columns: nodes grouped by their attribute names, edges by node number.

    ``ids`` lists the nodes in the graph's order; ``nodes`` holds one
    ``[names, members, rows]`` per set of attribute names (each row the values
    in that order, each member a node's number); ``adjacency`` holds, for each
    node with out-edges, ``[number, [[neighbour number, [[key, names group,
    *values]...]]...]]`` in the graph's own order. Loading is then
    ``dict(zip(names, row))`` per node and edge: the names are not read again
    for every one of them, which made up most of the JSON.
    """
    node: dict[str, dict[str, Any]] = graph._node  # type: ignore[attr-defined]
    ids = list(node)
    number = {n: i for i, n in enumerate(ids)}
    groups: dict[tuple[str, ...], tuple[list[int], list[list[Any]]]] = {}
    for i, attrs in enumerate(node.values()):
        members, rows = groups.setdefault(tuple(attrs), ([], []))
        members.append(i)
        rows.append(list(attrs.values()))
    edge_groups: dict[tuple[str, ...], int] = {}
    adjacency = []
    for u, neighbours in graph._adj.items():  # type: ignore[attr-defined]
        if not neighbours:
            continue
        out = []
        for v, keyed in neighbours.items():
            items = []
            for key, attrs in keyed.items():
                group = edge_groups.setdefault(tuple(attrs), len(edge_groups))
                items.append([key, group, *attrs.values()])
            out.append([number[v], items])
        adjacency.append([number[u], out])
    data = {
        "graph": graph.graph,
        "ids": ids,
        "nodes": [[list(names), members, rows] for names, (members, rows) in groups.items()],
        "edge_names": [list(names) for names in edge_groups],
        "adjacency": adjacency,
    }
    return zlib.compress(orjson.dumps(data), 1)


def _decode(blob: bytes) -> Graph:
    data = orjson.loads(zlib.decompress(blob))
    graph: Graph = nx.MultiDiGraph()
    graph.graph.update(data["graph"])
    for name in _TUPLE_LISTS:
        if isinstance(graph.graph.get(name), list):
            graph.graph[name] = [tuple(item) for item in graph.graph[name]]
    ids: list[str] = data["ids"]
    attributes: list[dict[str, Any] | None] = [None] * len(ids)
    for names, members, rows in data["nodes"]:
        for i, row in zip(members, rows, strict=True):
            attributes[i] = dict(zip(names, row, strict=True))
    # Filled directly, as networkx itself lays a MultiDiGraph out: add_edge per
    # edge costs three times as much, and the data was a valid graph when written.
    node: dict[str, Any] = graph._node  # type: ignore[attr-defined]
    succ: dict[str, Any] = graph._succ  # type: ignore[attr-defined]
    pred: dict[str, Any] = graph._pred  # type: ignore[attr-defined]
    for node_id, attrs in zip(ids, attributes, strict=True):
        if attrs is None:
            raise ValueError(f"node {node_id!r} has no attributes")
        node[node_id] = attrs
        succ[node_id] = {}
        pred[node_id] = {}
    edge_names: list[list[str]] = data["edge_names"]
    edges = 0
    for u_number, neighbours in data["adjacency"]:
        u = ids[u_number]
        out = succ[u]
        for v_number, items in neighbours:
            v = ids[v_number]
            keyed = {
                item[0]: dict(zip(edge_names[item[1]], item[2:], strict=True)) for item in items
            }
            out[v] = keyed
            pred[v][u] = keyed
            edges += len(keyed)
    log.info("loaded the stored graph: %d nodes, %d edges", len(node), edges)
    return graph


def load_graph(conn: sqlite3.Connection, wanted: str) -> Graph | None:
    """The stored graph if it was built from the store as it is now (``wanted``), else None."""
    stored = conn.execute("SELECT value FROM meta WHERE key = 'graph_fingerprint'").fetchone()
    if stored is None or stored[0] != wanted:
        return None
    blob = b"".join(
        part for (part,) in conn.execute("SELECT CAST(data AS BLOB) FROM graph_store ORDER BY part")
    )
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector, not the decoding, dominates loading large graphs
    try:
        graph = _decode(blob)
    except (zlib.error, orjson.JSONDecodeError, IndexError, KeyError, TypeError, ValueError) as exc:
        log.warning("the stored analysis graph could not be read (%s); building it again", exc)
        return None
    finally:
        if gc_was_enabled:
            gc.enable()
    return graph


def stored_counts(conn: sqlite3.Connection, wanted: str) -> dict[str, dict[str, int]] | None:
    """The stored graph's node and edge counts by type, if it is current (``wanted``)."""
    rows = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('graph_fingerprint', 'graph_counts')"
        ).fetchall()
    )
    if rows.get("graph_fingerprint") != wanted or "graph_counts" not in rows:
        return None
    counts: dict[str, dict[str, int]] = orjson.loads(rows["graph_counts"])
    return counts


def store_graph(conn: sqlite3.Connection, graph: Graph, built_from: str) -> bool:
    """Keep ``graph`` as built from the store at ``built_from``, in one transaction.

    Returns False (and keeps nothing) when the workspace cannot be written now:
    read-only, locked by another writer, or the store changed while building.
    """
    if conn.in_transaction:
        return False  # asked for inside a write (an ingest's checks): not the store's state yet
    blob = _encode(graph)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        log.info("the analysis graph was not stored (%s)", exc)
        return False
    try:
        if fingerprint(conn) != built_from:
            conn.execute("ROLLBACK")
            return False
        conn.execute("DELETE FROM graph_store")
        conn.executemany(
            "INSERT INTO graph_store (part, data) VALUES (?, ?)",
            (
                (i // _CHUNK, sqlite3.Binary(blob[i : i + _CHUNK]))
                for i in range(0, len(blob), _CHUNK)
            ),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [
                ("graph_fingerprint", built_from),
                ("graph_counts", orjson.dumps(count_by_type(graph)).decode()),
            ],
        )
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        log.info("the analysis graph was not stored (%s)", exc)
        return False
    return True
