"""The Cypher civicgraph sends when it pushes a workspace. Private: see :mod:`.neo4j`.

Labels and relationship types come only from the ontology (and are quoted);
every value travels as a parameter. :func:`push_statements` lists every
statement this module can produce, for the linter and the golden file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..ontology import EDGE_TYPES, NODE_TYPES, EdgeType, NodeType
from ._bolt import Server

__all__ = [
    "FACT_LABEL",
    "HISTORY_LABELS",
    "SNAPSHOT_LABEL",
    "STATE_LABEL",
    "Dialect",
    "constraint_statements",
    "dialect_for",
    "push_statements",
]

STATE_LABEL = "CivicGraphPush"
"""One node per workspace pushed: which push is in progress and which batches are done.

Everything else civicgraph pushes is tagged by properties, ``cg_workspace`` (the
workspace's id) and ``cg_push`` (a fingerprint of the graph pushed), so that a
later push removes exactly what this workspace put there before and nothing else.
"""


SNAPSHOT_LABEL = "Snapshot"
"""One node per snapshot of each source: ``snapshot`` (its number), ``source``, ``date``."""

FACT_LABEL = "SnapshotFact"
"""One node per thing a snapshot asserted or placed: what the change rules compare."""

HISTORY_LABELS = (SNAPSHOT_LABEL, FACT_LABEL)
"""The labels of the snapshot history (:mod:`civicgraph.graph.history`), pushed beside the
present graph; tagged ``cg_workspace`` and ``cg_push`` like everything else."""


def _quote(name: str) -> str:
    """A label or type as a Cypher identifier. Names come from the ontology, never from data."""
    known = {t.value for t in NodeType} | {t.value for t in EdgeType}
    if name not in known | {STATE_LABEL, *HISTORY_LABELS}:
        raise ValueError(f"{name!r} is not an ontology label or relationship type")
    return f"`{name}`"


@dataclass(frozen=True)
class Dialect:
    """What differs between the servers civicgraph talks to, kept in this one place.

    Neo4j 5 is the target. ArcadeDB's Bolt plugin (used in tests) needs every
    constraint named (so all of ours are, on both), and relationship-property
    indexes there only slow the writes down, so they are made on Neo4j only.
    """

    relationship_indexes: bool


def dialect_for(server: Server) -> Dialect:
    return Dialect(relationship_indexes=not server.is_arcadedb)


def constraint_statements(dialect: Dialect) -> list[str]:
    """Uniqueness constraints on each label's ``id``, and the indexes the push relies on."""
    statements = []
    for t in NodeType:
        slug = NODE_TYPES[t].slug
        statements.append(
            f"CREATE CONSTRAINT cg_{slug}_id IF NOT EXISTS "
            f"FOR (n:{_quote(t.value)}) REQUIRE n.id IS UNIQUE"
        )
        statements.append(
            f"CREATE INDEX cg_{slug}_workspace IF NOT EXISTS "
            f"FOR (n:{_quote(t.value)}) ON (n.cg_workspace)"
        )
    for label in HISTORY_LABELS:
        slug = label.lower()
        statements.append(
            f"CREATE CONSTRAINT cg_{slug}_id IF NOT EXISTS "
            f"FOR (n:{_quote(label)}) REQUIRE n.id IS UNIQUE"
        )
        statements.append(
            f"CREATE INDEX cg_{slug}_workspace IF NOT EXISTS "
            f"FOR (n:{_quote(label)}) ON (n.cg_workspace)"
        )
    statements.append(
        f"CREATE CONSTRAINT cg_push_state IF NOT EXISTS FOR (p:{_quote(STATE_LABEL)}) "
        "REQUIRE p.workspace IS UNIQUE"
    )
    if dialect.relationship_indexes:
        statements += [
            f"CREATE INDEX cg_{t.value.lower()}_workspace IF NOT EXISTS "
            f"FOR ()-[r:{_quote(t.value)}]-() ON (r.cg_workspace)"
            for t in EdgeType
        ]
    return statements


def _label(node_type: NodeType | str) -> str:
    return node_type.value if isinstance(node_type, NodeType) else node_type


def upsert_nodes(node_type: NodeType | str) -> str:
    """Create or update a batch of nodes of one label; properties replace the old ones."""
    return (
        "UNWIND $rows AS row\n"
        f"MERGE (n:{_quote(_label(node_type))} {{id: row.id}})\n"
        "SET n = row.props"
    )


def upsert_relationships(
    edge_type: EdgeType,
    source: NodeType,
    target: NodeType,
    *,
    anchor: Literal["source", "target"] = "source",
) -> str:
    """Create or update a batch of relationships of one type between two labels.

    ``anchor`` is the end the ``MERGE`` pattern starts from: the end with fewer
    relationships of this type. Both forms mean the same; Neo4j's planner checks the
    smaller side either way, but a server that walks from the pattern's first node
    (ArcadeDB does) scans a funder's thousands of ``FUNDS`` for every row otherwise,
    which made a push quadratic (``benchmarks/RESULTS.md``).
    """
    a = f"MATCH (a:{_quote(source.value)} {{id: row.source}})\n"
    b = f"MATCH (b:{_quote(target.value)} {{id: row.target}})\n"
    relationship = f"[r:{_quote(edge_type.value)} {{key: row.key}}]"
    if anchor == "target":
        return f"UNWIND $rows AS row\n{b}{a}MERGE (b)<-{relationship}-(a)\nSET r = row.props"
    return f"UNWIND $rows AS row\n{a}{b}MERGE (a)-{relationship}->(b)\nSET r = row.props"


def remove_stale_nodes(node_type: NodeType | str) -> str:
    """Delete, a batch at a time, this workspace's nodes of a label that the push did not write."""
    return (
        f"MATCH (n:{_quote(_label(node_type))})\n"
        "WHERE n.cg_workspace = $workspace AND n.cg_push <> $push\n"
        "WITH n LIMIT $limit\n"
        "DETACH DELETE n\n"
        "RETURN count(*) AS removed"
    )


def remove_stale_relationships(edge_type: EdgeType) -> str:
    """Delete, a batch at a time, this workspace's relationships the push did not write."""
    return (
        f"MATCH ()-[r:{_quote(edge_type.value)}]->()\n"
        "WHERE r.cg_workspace = $workspace AND r.cg_push <> $push\n"
        "WITH r LIMIT $limit\n"
        "DELETE r\n"
        "RETURN count(*) AS removed"
    )


def count_nodes(node_type: NodeType | str) -> str:
    return (
        f"MATCH (n:{_quote(_label(node_type))}) WHERE n.cg_workspace = $workspace "
        "RETURN count(n) AS count"
    )


def count_relationships(edge_type: EdgeType) -> str:
    return (
        f"MATCH ()-[r:{_quote(edge_type.value)}]->() WHERE r.cg_workspace = $workspace "
        "RETURN count(r) AS count"
    )


MARK_DONE = (
    f"MATCH (p:{_quote(STATE_LABEL)} {{workspace: $workspace}})\nSET p.done = p.done + [$step]"
)

READ_STATE = (
    f"MATCH (p:{_quote(STATE_LABEL)} {{workspace: $workspace}})\n"
    "RETURN p.push AS push, p.done AS done, p.complete AS complete"
)

START_PUSH = (
    f"MERGE (p:{_quote(STATE_LABEL)} {{workspace: $workspace}})\n"
    "SET p.push = $push, p.done = [], p.complete = false, p.started = datetime()"
)

FINISH_PUSH = (
    f"MATCH (p:{_quote(STATE_LABEL)} {{workspace: $workspace}})\n"
    "SET p.complete = true, p.finished = datetime()"
)


def push_statements() -> dict[str, str]:
    """Every statement a push can send, by a stable name (for lint and golden files)."""
    statements: dict[str, str] = {}
    for text in constraint_statements(Dialect(relationship_indexes=True)):
        statements[f"schema/{text.split()[2]}"] = text  # named by the constraint or index
    for node_type in NodeType:
        statements[f"nodes/{node_type.value}"] = upsert_nodes(node_type)
    for label in HISTORY_LABELS:
        statements[f"history/{label}"] = upsert_nodes(label)
        statements[f"remove/history/{label}"] = remove_stale_nodes(label)
        statements[f"count/history/{label}"] = count_nodes(label)
    for edge_type, definition in EDGE_TYPES.items():
        for source, target in sorted(definition.endpoints):
            name = f"relationships/{edge_type.value}/{source.value}-{target.value}"
            statements[name] = upsert_relationships(edge_type, source, target)
            statements[f"{name}/from-target"] = upsert_relationships(
                edge_type, source, target, anchor="target"
            )
    for node_type in NodeType:
        statements[f"remove/nodes/{node_type.value}"] = remove_stale_nodes(node_type)
        statements[f"count/nodes/{node_type.value}"] = count_nodes(node_type)
    for edge_type in EdgeType:
        statements[f"remove/relationships/{edge_type.value}"] = remove_stale_relationships(
            edge_type
        )
        statements[f"count/relationships/{edge_type.value}"] = count_relationships(edge_type)
    statements.update(
        {
            "state/read": READ_STATE,
            "state/start": START_PUSH,
            "state/mark-done": MARK_DONE,
            "state/finish": FINISH_PUSH,
        }
    )
    return statements
