"""The identity stage: which asserted keys are one real-world node.

Sources name the same organisation differently: a directory by its own id, a
grant file by org-id. After every ingest this stage gathers *links* (pairs of
keys that evidence says are the same thing) from each registered link finder,
joins them into clusters, picks one id per cluster and records the decision,
with its evidence, in the workspace's ``entity`` table. The graph is built
through that table; the facts themselves never change.

Link finders are a registry (:data:`LINK_FINDERS`) so that later stages (name
similarity, a user's decisions file) plug in beside the identifier rule.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import orjson

from ..ontology import ORG_ID_SCHEMES, parse_org_id

__all__ = [
    "LINK_FINDERS",
    "Link",
    "canonical_id",
    "links_by_identifier",
    "resolve_identities",
]


class Link(NamedTuple):
    """Evidence that two keys are one node. Either may be a bare identifier (an org-id).

    Only ``certain`` links merge records; uncertain ones (a similar name, nearby
    coordinates) are kept for a person to decide.
    """

    a: str
    b: str
    rule: str
    evidence: dict[str, Any]
    score: float = 1.0
    certain: bool = True


LinkFinder = Callable[[sqlite3.Connection], Iterable[Link]]

_CURRENT_IDENTIFIERS = """
    SELECT i.key, i.identifier
    FROM node_identifier i JOIN snapshot s ON s.id = i.snapshot_id
    WHERE s.is_current = 1
"""


def links_by_identifier(conn: sqlite3.Connection) -> Iterator[Link]:
    """Link every record to each identifier it carries (org-ids, ``uprn:<UPRN>``).

    Two records that carry the same identifier therefore fall into one
    cluster, and a record asserted under an org-id (a 360Giving recipient)
    joins the directory record that lists that org-id among its identifiers.
    """
    for key, identifier in conn.execute(_CURRENT_IDENTIFIERS):
        if identifier != key:
            yield Link(key, identifier, "identifier", {"identifier": identifier})


LINK_FINDERS: list[LinkFinder] = [links_by_identifier]
"""The link finders the identity stage runs, in order."""

# Registries that identify the organisation itself come before those that
# identify a legal wrapper (a company) or a sub-unit.
_SCHEME_RANK = {scheme: rank for rank, scheme in enumerate(ORG_ID_SCHEMES)}


def canonical_id(keys: Iterable[str]) -> str:
    """The id a cluster of keys is known by: its best org-id, else its UPRN, else its smallest key.

    Examples
    --------
    >>> canonical_id(["town:organization:7", "GB-COH-01234567", "GB-CHC-1122334"])
    'GB-CHC-1122334'
    >>> canonical_id(["town:location:3", "uprn:100012345678"])
    'uprn:100012345678'
    >>> canonical_id(["b:organization:2", "a:organization:9"])
    'a:organization:9'
    """
    keys = list(keys)
    org_ids = [k for k in keys if parse_org_id(k) == k]
    if org_ids:
        return min(org_ids, key=lambda k: (_rank(k), k))
    uprns = [k for k in keys if k.startswith("uprn:")]
    return min(uprns or keys)


def _rank(org_id: str) -> int:
    for scheme, rank in _SCHEME_RANK.items():
        if org_id.startswith(scheme + "-"):
            return rank
    return len(_SCHEME_RANK)


class _DisjointSet:
    """Union-find with path halving and union by size."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        if x not in parent:
            parent[x] = x
            self.size[x] = 1
            return x
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def resolve_identities(
    conn: sqlite3.Connection, finders: Iterable[LinkFinder] | None = None
) -> dict[str, int]:
    """Recompute the ``entity`` table from the current facts; return counts for the report.

    Runs inside the caller's transaction.
    """
    clusters = _DisjointSet()
    evidence: dict[str, list[dict[str, Any]]] = {}
    uncertain = 0
    for finder in LINK_FINDERS if finders is None else finders:
        for link in finder(conn):
            if not link.certain:
                uncertain += 1
                continue
            clusters.union(link.a, link.b)
            evidence.setdefault(link.a, []).append({"rule": link.rule, **link.evidence})

    members: dict[str, list[str]] = {}
    for key in list(clusters.parent):
        members.setdefault(clusters.find(key), []).append(key)

    rows = []
    merged_clusters = 0
    for keys in members.values():
        node_id = canonical_id(keys)
        if sum(1 for k in keys if k in evidence) > 1:
            merged_clusters += 1
        for key in keys:
            if key != node_id and key in evidence:
                rules = sorted({e["rule"] for e in evidence[key]})
                rows.append((key, node_id, "+".join(rules), orjson.dumps(evidence[key]).decode()))

    conn.execute("DELETE FROM entity")
    conn.executemany("INSERT INTO entity (key, node_id, rule, evidence) VALUES (?, ?, ?, ?)", rows)
    return {
        "records known by an org-id or UPRN (workspace)": len(rows),
        "nodes merged from several records (workspace)": merged_clusters,
        "uncertain matches not merged (workspace)": uncertain,
    }
