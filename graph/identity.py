"""The identity stage: which asserted keys are one real-world node.

Sources name the same organisation differently: a directory by its own id, a
grant file by org-id. After every ingest this stage gathers *links* (pairs of
keys that evidence says are the same thing) from each registered link finder,
joins them into clusters, picks one id per cluster and records the decision,
with its evidence, in the workspace's ``entity`` table. The graph is built
through that table; the facts themselves never change.

Link finders are a registry (:data:`LINK_FINDERS`): identifiers (here), names
(:mod:`.matching`), places. A person's decisions (``same`` / ``not-same`` pairs,
see :mod:`.decisions`) come first and bind every later ingest; uncertain
links go to a review list instead of merging.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import orjson

from ..ontology import ORG_ID_SCHEMES, parse_org_id

__all__ = [
    "LINK_FINDERS",
    "Link",
    "canonical_id",
    "links_by_identifier",
    "register_link_finder",
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
    within_source: bool = False
    """The link may join two records of one source: listings of one venue by different
    directories that the source collates (warm spaces), which a link by name never may."""


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


def register_link_finder(finder: LinkFinder) -> LinkFinder:
    """Add a link finder to the identity stage (once)."""
    if finder not in LINK_FINDERS:
        LINK_FINDERS.append(finder)
    return finder


# Registries that identify the organisation itself come before those that
# identify a legal wrapper (a company) or a sub-unit.
_SCHEME_RANK = {scheme: rank for rank, scheme in enumerate(ORG_ID_SCHEMES)}


def canonical_id(keys: Iterable[str]) -> str:
    """The id a cluster of keys is known by.

    Its best org-id, else its UPRN, else its smallest source key; a key made
    only from a name (``funder:<name>``) is the last resort.

    Examples
    --------
    >>> canonical_id(["town:organization:7", "GB-COH-01234567", "GB-CHC-1122334"])
    'GB-CHC-1122334'
    >>> canonical_id(["town:location:3", "uprn:100012345678"])
    'uprn:100012345678'
    >>> canonical_id(["funder:hartley trust", "b:organization:2", "a:organization:9"])
    'a:organization:9'
    """
    keys = list(keys)
    org_ids = [k for k in keys if parse_org_id(k) == k]
    if org_ids:
        return min(org_ids, key=lambda k: (_rank(k), k))
    uprns = [k for k in keys if k.startswith("uprn:")]
    if uprns:
        return min(uprns)
    named_only = [k for k in keys if k.startswith(NAME_ONLY_PREFIXES)]
    return min(k for k in keys if k not in named_only) if len(named_only) < len(keys) else min(keys)


NAME_ONLY_PREFIXES = ("funder:",)
"""Keys made from nothing but a name: a cluster takes any other key's id before theirs."""


def _rank(org_id: str) -> int:
    for scheme, rank in _SCHEME_RANK.items():
        if org_id.startswith(scheme + "-"):
            return rank
    return len(_SCHEME_RANK)


class _Clusters:
    """Union-find over keys, refusing unions that a decision, a register or a source forbids.

    Each cluster remembers its members, the org-ids among them (by register),
    the sources whose own ids it holds, and the keys a person decided are
    *not* the same as one of its members.
    """

    def __init__(self, sources: Iterable[str] = ()) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        self.registered: dict[str, dict[str, str]] = {}
        self.forbidden: dict[str, set[str]] = {}
        self.owners: dict[str, set[str]] = {}
        self._prefixes = tuple(f"{name}:" for name in sources)

    def find(self, key: str) -> str:
        parent = self.parent
        if key not in parent:
            parent[key] = key
            self.members[key] = [key]
            org_id = parse_org_id(key)
            self.registered[key] = {key.rsplit("-", 1)[0]: key} if org_id == key else {}
            self.owners[key] = {p for p in self._prefixes if key.startswith(p)}
            return key
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def forbid(self, a: str, b: str) -> None:
        self.find(a)
        self.find(b)
        self.forbidden.setdefault(a, set()).add(b)
        self.forbidden.setdefault(b, set()).add(a)

    def _forbidden_between(self, ra: str, rb: str) -> bool:
        smaller, other = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        for key in self.members[smaller]:
            for partner in self.forbidden.get(key, ()):
                if self.find(partner) == other:
                    return True
        return False

    def _registers_clash(self, ra: str, rb: str) -> bool:
        a, b = self.registered[ra], self.registered[rb]
        return any(scheme in b and b[scheme] != org_id for scheme, org_id in a.items())

    def union(
        self, a: str, b: str, *, by_name: bool = False, within_source: bool = False
    ) -> str | None:
        """Join the clusters of ``a`` and ``b``; the reason it is refused, or ``None``.

        Links by name are also refused when they would join two different
        numbers of one register, or two records one source keeps apart under
        ids of its own (two names in one directory joined through a third
        source's spelling): a person decides those.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if self._forbidden_between(ra, rb):
            return "decision"
        if by_name and self._registers_clash(ra, rb):
            return "register"
        if by_name and not within_source and self.owners[ra] & self.owners[rb]:
            return "same source"
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        for scheme, org_id in self.registered.pop(rb).items():
            self.registered[ra].setdefault(scheme, org_id)
        self.owners[ra] |= self.owners.pop(rb)
        return None


_ASSERTED_KEYS = """
    SELECT DISTINCT f.key FROM node_fact f JOIN snapshot s ON s.id = f.snapshot_id
    WHERE s.is_current = 1
"""


def resolve_identities(
    conn: sqlite3.Connection, finders: Iterable[LinkFinder] | None = None
) -> dict[str, int]:
    """Recompute the ``entity`` and ``review`` tables from the current facts and decisions.

    A person's decisions come first (``same`` joins, ``not-same`` forbids);
    then certain links, identifiers before the rest and stronger scores first,
    each refused if a decision forbids it or it would join two different
    numbers of one register; uncertain links between records still apart go
    to the review list. Runs inside the caller's transaction; returns counts.
    """
    clusters = _Clusters(name for (name,) in conn.execute("SELECT name FROM source"))
    evidence: dict[str, list[dict[str, Any]]] = {}

    def note(link: Link) -> None:
        for key, other in ((link.a, link.b), (link.b, link.a)):
            evidence.setdefault(key, []).append({"rule": link.rule, "with": other, **link.evidence})

    decided: set[frozenset[str]] = set()
    for a, b, verdict in conn.execute("SELECT a, b, verdict FROM decision"):
        decided.add(frozenset((a, b)))
        if verdict == "not-same":
            clusters.forbid(a, b)
    for a, b, note_text in conn.execute("SELECT a, b, note FROM decision WHERE verdict = 'same'"):
        if clusters.union(a, b) is None:
            note(Link(a, b, "decision", {"note": note_text} if note_text else {}))

    certain: list[Link] = []
    uncertain: list[Link] = []
    for finder in LINK_FINDERS if finders is None else finders:
        for link in finder(conn):
            (certain if link.certain else uncertain).append(link)
    certain.sort(key=lambda link: (link.rule != "identifier", -link.score))
    merged: Counter[str] = Counter()
    refused = 0
    for link in certain:
        reason = clusters.union(
            link.a, link.b, by_name=link.rule != "identifier", within_source=link.within_source
        )
        if reason is None:
            note(link)
            merged[link.rule] += 1
        elif reason == "same source":
            uncertain.append(link._replace(evidence={**link.evidence, "joins_apart": True}))
        else:
            refused += 1

    review = [
        (link.a, link.b, link.rule, link.score, orjson.dumps(link.evidence).decode())
        for link in uncertain
        if clusters.find(link.a) != clusters.find(link.b)
        and frozenset((link.a, link.b)) not in decided
    ]

    asserted = {key for (key,) in conn.execute(_ASSERTED_KEYS)}
    rows = []
    merged_nodes = 0
    for keys in clusters.members.values():
        node_id = canonical_id(keys)
        if sum(1 for k in keys if k in asserted) > 1:
            merged_nodes += 1
        for key in keys:
            if key != node_id and key in asserted:
                rules = sorted({e["rule"] for e in evidence.get(key, ())}) or ["identifier"]
                rows.append(
                    (key, node_id, "+".join(rules), orjson.dumps(evidence.get(key, [])).decode())
                )

    conn.execute("DELETE FROM entity")
    conn.executemany("INSERT INTO entity (key, node_id, rule, evidence) VALUES (?, ?, ?, ?)", rows)
    conn.execute("DELETE FROM review")
    conn.executemany(
        "INSERT OR IGNORE INTO review (a, b, rule, score, evidence) VALUES (?, ?, ?, ?, ?)", review
    )
    return {
        "records given another node's id (workspace)": len(rows),
        "nodes merged from several records (workspace)": merged_nodes,
        **{f"links applied: {rule} (workspace)": n for rule, n in sorted(merged.items())},
        "links refused by a decision or a register (workspace)": refused,
        "pairs to review (workspace)": len(review),
    }
