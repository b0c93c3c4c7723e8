"""The snapshot history the change rules read, wherever it is kept.

``query changes`` and ``query area-changes`` compare what a source said in one
snapshot with what it said in another. They read that through a
:class:`History`: each source's snapshots, each snapshot's node facts (by node
id, after the identity decisions) and the buildings and areas each snapshot put
things in, and the present analysis graph. :func:`workspace_history` reads it
from the workspace store; the Neo4j push writes the same history as
``:Snapshot`` and ``:SnapshotFact`` nodes (see :mod:`.neo4j`), and the Cypher
twins read it back from there.

Only the properties the change rules compare travel to Neo4j
(:data:`COMPARED_FIELDS`), and no area or taxonomy facts (the rules skip them),
which keeps a push's history to about one small node per thing per snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..ontology import EdgeType, NodeType
from .build import Graph
from .workspace import Workspace

__all__ = [
    "COMPARED_FIELDS",
    "GRANT_FIELDS",
    "MOVE_FIELDS",
    "PLACE_EDGES",
    "Facts",
    "History",
    "Snap",
    "SnapshotFacts",
    "snapshot_facts",
    "workspace_history",
]

MOVE_FIELDS = ("address", "postcode", "uprn")
"""A location whose value of one of these changes has ``moved``."""

GRANT_FIELDS = ("amount", "currency", "award_date", "planned_start", "planned_end")
"""A grant whose value of one of these changes has ``changed``."""

COMPARED_FIELDS = ("name", "title", "status", "description", "schedules", *MOVE_FIELDS,
                   *GRANT_FIELDS)  # fmt: skip
"""Every property of a node fact the change rules read (the lifecycle reads status and
description, a reduction the schedules)."""

PLACE_EDGES = (EdgeType.AT_LOCATION, EdgeType.IN_AREA, EdgeType.BENEFITS_AREA)
"""The edges that say where a snapshot put a thing: its buildings, and its areas."""

SKIPPED_TYPES = frozenset({NodeType.AREA.value, NodeType.CONCEPT.value})
"""Node types the change rules never report on: geography and taxonomy."""

Facts = dict[str, tuple[str, dict[str, Any]]]
"""One snapshot's node facts: ``{node id: (node type, properties)}``."""


@dataclass(frozen=True)
class Snap:
    """One snapshot: its number, its source, and the day it describes."""

    id: int
    source: str
    date: str


@dataclass(frozen=True)
class SnapshotFacts:
    """What one snapshot said: its node facts and where it put things, by node id."""

    facts: Facts
    places: dict[EdgeType, dict[str, set[str]]]


@dataclass(frozen=True)
class History:
    """What the change rules read: snapshots, each one's facts, and the present graph."""

    snapshots: dict[str, list[Snap]]
    """Each source's snapshots, oldest first by the day they describe (then by number)."""
    read: Callable[[Snap], SnapshotFacts]
    """What one snapshot said."""
    graph: Graph
    """The present analysis graph (names, areas, grants' recipients and funders)."""


def _snapshots(workspace: Workspace) -> dict[str, list[Snap]]:
    found: dict[str, list[Snap]] = {}
    for source in workspace.sources():
        snaps = [Snap(s["snapshot"], source["name"], s["date"]) for s in source["snapshots"]]
        found[source["name"]] = sorted(snaps, key=lambda s: (s.date, s.id))
    return found


def snapshot_facts(workspace: Workspace, snap: Snap, node_ids: dict[str, str]) -> SnapshotFacts:
    """One snapshot's node facts and places from the store, keys mapped to node ids.

    Where two asserted keys of one snapshot are one node, the first fact read counts.
    """
    facts: Facts = {}
    for key, node_type, _, props in workspace.snapshot_facts(snap.id):
        facts.setdefault(node_ids.get(key, key), (node_type, props))
    places: dict[EdgeType, dict[str, set[str]]] = {}
    for edge_type in PLACE_EDGES:
        at: dict[str, set[str]] = {}
        for u, v in workspace.snapshot_edges(snap.id, edge_type=str(edge_type)):
            at.setdefault(node_ids.get(u, u), set()).add(node_ids.get(v, v))
        places[edge_type] = at
    return SnapshotFacts(facts, places)


def workspace_history(workspace: Workspace) -> History:
    """The history as the workspace store keeps it."""
    node_ids = workspace.node_ids()
    read: dict[int, SnapshotFacts] = {}

    def facts_of(snap: Snap) -> SnapshotFacts:
        if snap.id not in read:
            read[snap.id] = snapshot_facts(workspace, snap, node_ids)
        return read[snap.id]

    return History(_snapshots(workspace), facts_of, workspace.graph())


def history_rows(
    workspace: Workspace,
) -> Iterator[tuple[Snap, list[dict[str, Any]]]]:
    """Each snapshot and the rows of its facts the Neo4j push writes.

    One row per node the snapshot asserts (but areas and taxonomy) or places:
    ``{"node", "type", "props" (only :data:`COMPARED_FIELDS`), "at_location",
    "in_area", "benefits_area"}`` (the node ids it was placed at, sorted).
    """
    node_ids = workspace.node_ids()
    for snaps in _snapshots(workspace).values():
        for snap in snaps:
            said = snapshot_facts(workspace, snap, node_ids)
            nodes = {n for n, (t, _) in said.facts.items() if t not in SKIPPED_TYPES}
            for at in said.places.values():
                nodes |= set(at)
            rows = []
            for node in sorted(nodes):
                fact = said.facts.get(node)
                row: dict[str, Any] = {
                    "node": node,
                    "type": fact[0] if fact else None,
                    "props": (
                        {k: fact[1][k] for k in COMPARED_FIELDS if k in fact[1]} if fact else None
                    ),
                }
                for edge_type in PLACE_EDGES:
                    row[edge_type.value.lower()] = sorted(said.places[edge_type].get(node, ()))
                rows.append(row)
            yield snap, rows
