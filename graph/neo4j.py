"""Scale out to Neo4j: push a workspace's graph, idempotently and resumably; write import CSVs.

A push writes every node and relationship in batches (``UNWIND $rows``),
each batch one retried write transaction (``execute_write``) that also
records its step as done, so an interrupted push resumes where it stopped
with no duplicates. Everything pushed carries the ``CivicGraph`` label (or,
for relationships, properties) ``cg_workspace`` and ``cg_push``: once every
batch is in, what this workspace pushed before and no longer has is removed,
and nothing else in the database is touched.

Property values become what Neo4j stores: nested records become JSON text,
lists keep one type and lose their nulls, dates become temporal values.
Services, organisations and locations also get their lifecycle state
(``lifecycle``: open, reduced, transferred, volunteer-run, temporarily-closed
or closed) and the field that gave it (``lifecycle_evidence``).

Beside the present graph a push writes the snapshot history the change rules
read (:mod:`.history`): a ``:Snapshot`` node per snapshot of each source
(``snapshot``, ``source``, ``date``) and a ``:SnapshotFact`` node per thing a
snapshot asserted or placed (``snapshot``, ``node``, ``type``, ``props`` -- the
compared properties as JSON text --, and ``at_location``, ``in_area``,
``benefits_area``: the node ids it was placed at then).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from .._files import atomic_write, write_text
from .._spreadsheet import neutralise_formula
from ..errors import UsageError
from ..ontology import EDGE_TYPES, NODE_TYPES, Datatype, EdgeType, NodeType
from ..ontology.lifecycle import LIFECYCLE_TYPES, lifecycle_of
from . import _cypher
from ._bolt import BoltError, connect, mask
from .build import ASSERTED_PROPS, Graph
from .history import history_rows
from .workspace import Workspace

__all__ = [
    "PushResult",
    "cypher_statements",
    "neo4j_counts",
    "neo4j_properties",
    "neo4j_value",
    "node_properties",
    "push_to_neo4j",
    "write_neo4j_csv",
]

log = logging.getLogger(__name__)

RESERVED = frozenset({"id", "key", "cg_workspace", "cg_push", "lifecycle", "lifecycle_evidence"})
"""Property names the push writes itself; a node's own property of the name gets a ``_``."""


def _datatype(owner: NodeType | EdgeType, name: str) -> Datatype | None:
    if name in ASSERTED_PROPS:  # every node's and edge's, set by the graph build
        return Datatype.DATE
    definitions = (
        NODE_TYPES[owner].properties
        if isinstance(owner, NodeType)
        else EDGE_TYPES[owner].properties
    )
    definition = definitions.get(name)
    return definition.datatype if definition else None


def neo4j_value(value: Any, datatype: Datatype | None = None) -> Any:
    """A property value as Neo4j can store it, or ``None`` to leave the property out.

    Examples
    --------
    >>> neo4j_value([1, None, 2.5])
    [1.0, 2.5]
    >>> neo4j_value(["a", 1])
    '["a", 1]'
    >>> neo4j_value({"number": "01632 960201"})
    '{"number": "01632 960201"}'
    >>> neo4j_value("2024-04-01", Datatype.DATE)
    datetime.date(2024, 4, 1)
    >>> neo4j_value(float("nan")) is None
    True
    """
    if value is None:
        return None
    if isinstance(value, bool | int | str):
        if isinstance(value, str) and datatype in (Datatype.DATE, Datatype.DATETIME):
            return _temporal(value, datatype) or value
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, date | datetime):
        return value
    if isinstance(value, list):
        items = [v for v in value if v is not None]
        kinds = {type(v) for v in items}
        if not items:
            return None
        if kinds <= {str} or kinds <= {bool}:
            return items
        if kinds <= {int, float} and bool not in kinds:
            return [float(v) for v in items] if float in kinds else items
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _temporal(text: str, datatype: Datatype) -> date | datetime | None:
    try:
        if datatype is Datatype.DATE:
            return date.fromisoformat(text[:10])
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def neo4j_properties(owner: NodeType | EdgeType, attrs: dict[str, Any]) -> dict[str, Any]:
    """A node's or relationship's attributes as Neo4j properties (see :func:`neo4j_value`).

    Names the push uses itself (``id``, ``key``, ``cg_...``) get a trailing underscore.
    """
    props: dict[str, Any] = {}
    for name, value in attrs.items():
        if name == "type":
            continue
        converted = neo4j_value(value, _datatype(owner, name))
        if converted is not None:
            props[f"{name}_" if name in RESERVED else name] = converted
    return props


def node_properties(node_type: NodeType, attrs: dict[str, Any]) -> dict[str, Any]:
    """A node's Neo4j properties: :func:`neo4j_properties` and, where it has one, its lifecycle.

    Examples
    --------
    >>> node_properties(NodeType.SERVICE, {"name": "Lunch club", "status": "inactive"})
    {'name': 'Lunch club', 'status': 'inactive', 'lifecycle': 'closed', \
'lifecycle_evidence': "status 'inactive'"}
    """
    props = neo4j_properties(node_type, attrs)
    if node_type in LIFECYCLE_TYPES:
        props["lifecycle"], props["lifecycle_evidence"] = lifecycle_of(attrs)
    return props


def _edges(graph: Graph) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Every edge as (source, target, key, attributes), in a stable order."""
    edges = [(str(u), str(v), str(k), d) for u, v, k, d in graph.edges(keys=True, data=True)]
    return sorted(edges, key=lambda e: e[:3])


def _push_id(graph: Graph, history: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """A fingerprint of what is pushed: the same graph and history always give the same id."""
    digest = hashlib.sha256()
    for node in sorted(graph.nodes):
        digest.update(json.dumps([node, graph.nodes[node]], sort_keys=True, default=str).encode())
    for edge in _edges(graph):
        digest.update(json.dumps(edge, sort_keys=True, default=str).encode())
    for label, rows in sorted((history or {}).items()):
        for row in rows:
            digest.update(json.dumps([label, row], sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def _history(workspace: Workspace, tag: str) -> dict[str, list[dict[str, Any]]]:
    """The ``:Snapshot`` and ``:SnapshotFact`` rows of a push (``props`` without ``cg_push``)."""
    snapshots: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    for snap, rows in history_rows(workspace):
        snap_id = f"{tag}:{snap.id}"
        snapshots.append(
            {
                "id": snap_id,
                "props": {
                    "id": snap_id,
                    "snapshot": snap.id,
                    "source": snap.source,
                    "date": neo4j_value(snap.date, Datatype.DATE),
                    "cg_workspace": tag,
                },
            }
        )
        for row in rows:
            fact_id = f"{snap_id}:{row['node']}"
            props: dict[str, Any] = {
                "id": fact_id,
                "snapshot": snap.id,
                "node": row["node"],
                "cg_workspace": tag,
            }
            if row["type"] is not None:
                props["type"] = row["type"]
                props["props"] = json.dumps(row["props"], ensure_ascii=False, sort_keys=True)
            for name in ("at_location", "in_area", "benefits_area"):
                if row[name]:
                    props[name] = row[name]
            facts.append({"id": fact_id, "props": props})
    return {_cypher.SNAPSHOT_LABEL: snapshots, _cypher.FACT_LABEL: facts}


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    for start in range(0, len(rows), size):
        yield start // size, rows[start : start + size]


@dataclass
class PushResult:
    """What a push did."""

    push: str
    server: str
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    batches_written: int = 0
    batches_skipped: int = 0
    history: dict[str, int] = field(default_factory=dict)
    """The snapshot history read back: ``Snapshot`` and ``SnapshotFact`` nodes."""
    removed_nodes: int = 0
    removed_relationships: int = 0
    seconds: float = 0.0
    """The whole push: building the graph, writing, removing, reading the counts back."""
    write_seconds: float = 0.0
    """The batches alone."""


Progress = Callable[[str, int, int], None]


def _anchor(rows: list[dict[str, Any]]) -> Literal["source", "target"]:
    """The end of these relationships whose busiest node has fewer of them."""
    sources = Counter(row["source"] for row in rows)
    targets = Counter(row["target"] for row in rows)
    busiest = max(sources.values(), default=0), max(targets.values(), default=0)
    return "target" if busiest[0] > busiest[1] else "source"


def push_to_neo4j(
    workspace: Workspace,
    *,
    uri: str,
    user: str = "neo4j",
    password: str | None = None,
    database: str | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> PushResult:
    """Push the workspace's graph to Neo4j (or any Bolt server that speaks Neo4j 5 Cypher).

    Parameters
    ----------
    workspace
        The workspace whose analysis graph is pushed.
    uri
        ``bolt://host:7687`` or ``neo4j://...`` (``+s`` for TLS).
    user
        The database user.
    password
        The password; by default ``$NEO4J_PASSWORD``. Never logged or shown.
    database
        The database to write to (default: the server's default).
    batch_size
        Rows per transaction.
    progress
        Called with (step, rows done, rows in all) after each batch.

    Returns
    -------
    PushResult
        Counts per label and type read back from the server, batches written and
        skipped (already done by an interrupted push), and what was removed.

    Raises
    ------
    BoltError
        The server cannot be reached, refuses the login, or fails a statement.
    """
    import time

    if batch_size < 1:
        raise UsageError(f"`batch_size` must be at least 1, not {batch_size}.", param="batch_size")
    started = time.perf_counter()
    graph = workspace.graph()
    tag = workspace.workspace_id()
    history = _history(workspace, tag)
    push = _push_id(graph, history)
    for rows in history.values():
        for row in rows:
            row["props"]["cg_push"] = push
    node_rows: dict[NodeType, list[dict[str, Any]]] = {}
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        node_type = NodeType(data["type"])
        props = node_properties(node_type, data)
        props.update(id=node, cg_workspace=tag, cg_push=push)
        node_rows.setdefault(node_type, []).append({"id": node, "props": props})
    edge_rows: dict[tuple[EdgeType, NodeType, NodeType], list[dict[str, Any]]] = {}
    for u, v, key, data in _edges(graph):
        edge_type = EdgeType(data["type"])
        ends = (NodeType(graph.nodes[u]["type"]), NodeType(graph.nodes[v]["type"]))
        props = neo4j_properties(edge_type, data)
        props.update(key=key, cg_workspace=tag, cg_push=push)
        edge_rows.setdefault((edge_type, *ends), []).append(
            {"source": u, "target": v, "key": key, "props": props}
        )
    total = (
        sum(map(len, node_rows.values()))
        + sum(map(len, edge_rows.values()))
        + sum(map(len, history.values()))
    )
    secret = password
    result = PushResult(push=push, server="")
    with connect(uri, user=user, password=password, database=database) as (driver, server):
        result.server = server.agent
        dialect = _cypher.dialect_for(server)
        try:
            with driver.session(database=database) as session:
                for statement in _cypher.constraint_statements(dialect):
                    session.run(statement).consume()
                done = _start(session, tag, push)
                written = 0
                writing = time.perf_counter()
                steps: list[tuple[str, str, list[dict[str, Any]]]] = [
                    (f"nodes:{t.value}:{i}", _cypher.upsert_nodes(t), batch)
                    for t, rows in node_rows.items()
                    for i, batch in _batches(rows, batch_size)
                ] + [
                    (f"rels:{e.value}:{s.value}:{t.value}:{i}",
                     _cypher.upsert_relationships(e, s, t, anchor=_anchor(rows)), batch)
                    for (e, s, t), rows in edge_rows.items()
                    for i, batch in _batches(rows, batch_size)
                ] + [
                    (f"history:{label}:{i}", _cypher.upsert_nodes(label), batch)
                    for label, rows in history.items()
                    for i, batch in _batches(rows, batch_size)
                ]  # fmt: skip
                for step, statement, batch in steps:
                    written += len(batch)
                    if step in done:
                        result.batches_skipped += 1
                    else:
                        session.execute_write(_write_batch, statement, batch, tag, step)
                        result.batches_written += 1
                    if progress is not None:
                        progress(step, written, total)
                result.write_seconds = time.perf_counter() - writing
                result.removed_relationships = sum(
                    _remove(session, _cypher.remove_stale_relationships(t), tag, push, batch_size)
                    for t in EdgeType
                )
                result.removed_nodes = sum(
                    _remove(session, _cypher.remove_stale_nodes(t), tag, push, batch_size)
                    for t in [*NodeType, *_cypher.HISTORY_LABELS]
                )
                session.run(_cypher.FINISH_PUSH, workspace=tag).consume()
                result.nodes, result.relationships = _counts(session, tag)
                result.history = {
                    label: int(
                        session.run(_cypher.count_nodes(label), workspace=tag).single()["count"]
                    )
                    for label in _cypher.HISTORY_LABELS
                }
        except BoltError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("neo4j"):
                raise BoltError(
                    f"{mask(uri, secret)}: the server failed a statement: {mask(str(exc), secret)}"
                ) from None
            raise
    result.seconds = time.perf_counter() - started
    log.info(
        "pushed %d nodes and %d relationships to %s (%d batches written, %d already done)",
        sum(result.nodes.values()),
        sum(result.relationships.values()),
        mask(uri, None),
        result.batches_written,
        result.batches_skipped,
    )
    return result


def _start(session: Any, tag: str, push: str) -> set[str]:
    """The steps already done by an interrupted push of the same graph (else start afresh)."""
    record = session.run(_cypher.READ_STATE, workspace=tag).single()
    if record is not None and record["push"] == push:
        return set(record["done"] or [])
    session.run(_cypher.START_PUSH, workspace=tag, push=push).consume()
    return set()


def _write_batch(tx: Any, statement: str, rows: list[dict[str, Any]], tag: str, step: str) -> None:
    tx.run(statement, rows=rows).consume()
    tx.run(_cypher.MARK_DONE, workspace=tag, step=step).consume()


def _remove(session: Any, statement: str, tag: str, push: str, limit: int) -> int:
    removed = 0
    while True:
        record = session.execute_write(
            lambda tx: tx.run(statement, workspace=tag, push=push, limit=limit).single()
        )
        count = int(record["removed"]) if record is not None else 0
        removed += count
        if count < limit:
            return removed


def _counts(session: Any, tag: str) -> tuple[dict[str, int], dict[str, int]]:
    nodes = {
        t.value: int(session.run(_cypher.count_nodes(t), workspace=tag).single()["count"])
        for t in NodeType
    }
    rels = {
        t.value: int(session.run(_cypher.count_relationships(t), workspace=tag).single()["count"])
        for t in EdgeType
    }
    return {k: v for k, v in nodes.items() if v}, {k: v for k, v in rels.items() if v}


def neo4j_counts(
    *, uri: str, user: str, password: str | None, database: str | None, workspace: Workspace
) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type that this workspace has in the database."""
    with (
        connect(uri, user=user, password=password, database=database) as (driver, _),
        driver.session(database=database) as session,
    ):
        return _counts(session, workspace.workspace_id())


def cypher_statements() -> dict[str, str]:
    """Every Cypher statement a push can send, by name (the linter checks them all)."""
    return _cypher.push_statements()


# -- CSV files for neo4j-admin database import ------------------------------------------

ARRAY_DELIMITER = "\x1f"
"""Between the items of a list property: the ASCII unit separator, so no text collides."""


def _csv_type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "string"
    for names, csv_type in (
        ({bool}, "boolean"),
        ({int}, "long"),
        ({int, float}, "double"),
        ({float}, "double"),
        ({date}, "date"),
        ({datetime}, "datetime"),
    ):
        if kinds <= names:
            return csv_type
    if kinds <= {list}:
        items = {type(i) for v in values if isinstance(v, list) for i in v}
        element = "string" if items <= {str} else "double" if items <= {int, float} else "string"
        return f"{element}[]"
    return "string"


def _csv_cell(value: Any) -> str:
    """A property value as a neo4j-admin cell; text that a spreadsheet would run as a
    formula gets a leading ``'`` (the files are often opened in one to check them)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return str(neutralise_formula(ARRAY_DELIMITER.join(str(v) for v in value)))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return str(neutralise_formula(str(value)))


def _write_table(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    with atomic_write(path, newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)


def write_neo4j_csv(
    workspace: Workspace,
    out: str | Path,
    *,
    nodes: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the graph as the CSV files ``neo4j-admin database import full`` takes.

    One nodes file per label and one relationships file per type, with typed
    headers (``id:ID``, ``:LABEL``, ``amount:double``, ``award_date:date``,
    ``org_ids:string[]``...), and ``import.sh`` with the command that loads them.
    Lists use the unit separator (U+001F) between items. Every node and
    relationship carries ``first_asserted`` / ``last_asserted``; the snapshot history
    the ``changes`` twins read is written as a push writes it:
    ``history_Snapshot.csv`` (``snapshot``, ``source``, ``date``) and
    ``history_SnapshotFact.csv`` (``snapshot``, ``node``, ``type``, ``props``,
    ``at_location``, ``in_area``, ``benefits_area``), each in its own ID space.
    ``nodes``: only these nodes and the edges among them (one place:
    ``civicgraph.graph.scope.scope_nodes``), and no history.
    ``progress``: called with (step, rows written, rows in all) as each file is written:
    steps ``nodes``, ``relationships`` and ``snapshot history``.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    graph = workspace.graph()
    if nodes is not None:
        graph = graph.subgraph(set(nodes))
    tag = workspace.workspace_id()
    written: list[Path] = []
    nodes_by_type: dict[NodeType, list[tuple[str, dict[str, Any]]]] = {}
    for node in sorted(graph.nodes):
        node_type = NodeType(graph.nodes[node]["type"])
        nodes_by_type.setdefault(node_type, []).append(
            (node, node_properties(node_type, graph.nodes[node]))
        )
    node_total, nodes_done = sum(len(typed) for typed in nodes_by_type.values()), 0
    if progress is not None:
        progress("nodes", 0, node_total)
    for node_type, typed in nodes_by_type.items():
        keys = sorted({k for _, props in typed for k in props})
        types = {k: _csv_type(props.get(k) for _, props in typed) for k in keys}
        header = ["id:ID", ":LABEL", "cg_workspace"] + [f"{k}:{types[k]}" for k in keys]
        path = folder / f"nodes_{node_type.value}.csv"
        _write_table(
            path,
            header,
            ([node, node_type.value, tag]
             + [_csv_cell(props.get(k)) for k in keys] for node, props in typed),
        )  # fmt: skip
        written.append(path)
        nodes_done += len(typed)
        if progress is not None:
            progress("nodes", nodes_done, node_total)
    rels_by_type: dict[EdgeType, list[tuple[str, str, str, dict[str, Any]]]] = {}
    for u, v, key, data in _edges(graph):
        edge_type = EdgeType(data["type"])
        rels_by_type.setdefault(edge_type, []).append(
            (u, v, key, neo4j_properties(edge_type, data))
        )
    rel_total, rels_done = sum(len(rels) for rels in rels_by_type.values()), 0
    if progress is not None:
        progress("relationships", 0, rel_total)
    for edge_type, rels in rels_by_type.items():
        keys = sorted({k for *_, props in rels for k in props})
        types = {k: _csv_type(props.get(k) for *_, props in rels) for k in keys}
        header = [":START_ID", ":END_ID", ":TYPE", "key", "cg_workspace"] + [
            f"{k}:{types[k]}" for k in keys
        ]
        path = folder / f"relationships_{edge_type.value}.csv"
        _write_table(
            path,
            header,
            ([u, v, edge_type.value, key, tag] + [_csv_cell(props.get(k)) for k in keys]
             for u, v, key, props in rels),
        )  # fmt: skip
        written.append(path)
        rels_done += len(rels)
        if progress is not None:
            progress("relationships", rels_done, rel_total)
    if nodes is None:  # the snapshot history, as a push writes it (a place's export has none)
        history = _history(workspace, tag)
        history_total, history_done = sum(len(rows) for rows in history.values()), 0
        if progress is not None:
            progress("snapshot history", 0, history_total)
        for label, labelled in history.items():
            props_rows = [row["props"] for row in labelled]
            keys = sorted({k for props in props_rows for k in props} - {"id"})
            types = {k: _csv_type(props.get(k) for props in props_rows) for k in keys}
            path = folder / f"history_{label}.csv"
            _write_table(
                path,
                [f"id:ID({label})", ":LABEL"] + [f"{k}:{types[k]}" for k in keys],
                ([props["id"], label] + [_csv_cell(props.get(k)) for k in keys]
                 for props in props_rows),
            )  # fmt: skip
            written.append(path)
            history_done += len(labelled)
            if progress is not None:
                progress("snapshot history", history_done, history_total)
    script = folder / "import.sh"
    arguments = " \\\n  ".join(
        [f"--nodes={p.name}" for p in written if p.name.startswith(("nodes_", "history_"))]
        + [f"--relationships={p.name}" for p in written if p.name.startswith("relationships_")]
    )
    write_text(
        script,
        "#!/bin/sh\n"
        "# Load these files into an empty Neo4j database (stop the database first):\n"
        "#   neo4j-admin database import full DATABASE --array-delimiter=U+001F ...\n"
        'cd "$(dirname "$0")"\n'
        'neo4j-admin database import full "${1:-neo4j}" --overwrite-destination \\\n'
        f"  --array-delimiter=U+001F --quote='\"' \\\n  {arguments}\n",
    )
    written.append(script)
    return written
