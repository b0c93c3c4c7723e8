"""Finding the services and organisations a referral or relationship row names.

Rows name their ends the ways people write them: the id a node has in the
workspace (``GB-CHC-1122334``, ``directory:service:svc-12``), an org-id in
any spelling (``GB-CHC-01122334``), a directory's own id (``svc-12``, as in
the directory file the workspace was built from), or a name. Ids are tried
first; names last, through :func:`match_name`, the one place a name becomes
a node, so that a fuzzier organisation resolver can take its place.

Every distinct end is resolved once, so a file of half a million rows costs
as many look-ups as it has distinct ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..errors import InputError
from ..graph import Graph, Workspace
from ..ontology import EdgeType, NodeType, normalise_name, parse_org_id

__all__ = ["EndIndex", "EndMatch", "NameIndex", "match_name", "noun"]

_NOUNS = {NodeType.SERVICE: "service", NodeType.ORGANIZATION: "organisation"}


@dataclass
class NameIndex:
    """Nodes by normalised name, and each node's type and name, for :func:`match_name`."""

    by_name: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, NodeType] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def add(self, node_id: str, node_type: NodeType, name: str) -> None:
        self.types[node_id] = node_type
        self.names[node_id] = name
        key = normalise_name(name)
        if key:
            self.by_name.setdefault(key, []).append(node_id)

    def also(self, node_id: str, name: str) -> None:
        """Another name a node is known by."""
        key = normalise_name(name)
        if key and node_id not in self.by_name.get(key, ()):
            self.by_name.setdefault(key, []).append(node_id)


def match_name(
    name: str,
    index: NameIndex,
    types: frozenset[NodeType],
    *,
    within: frozenset[str] | None = None,
) -> list[str]:
    """The nodes of ``types`` whose name is ``name``, compared in normalised form.

    This is the only place ends are matched by name: an exact match of
    :func:`~civicgraph.ontology.normalise_name` forms ("The Hartley Trust
    Ltd" is "HARTLEY TRUST"). ``within`` restricts the candidates (to the
    services of one organisation). More than one result is an ambiguity the
    caller reports.

    Examples
    --------
    >>> index = NameIndex()
    >>> index.add("GB-CHC-1", NodeType.ORGANIZATION, "The Hartley Trust Ltd")
    >>> index.add("d:service:1", NodeType.SERVICE, "Hartley Trust")
    >>> match_name("HARTLEY TRUST", index, frozenset({NodeType.ORGANIZATION}))
    ['GB-CHC-1']
    """
    candidates = index.by_name.get(normalise_name(name), [])
    return [
        node
        for node in candidates
        if index.types[node] in types and (within is None or node in within)
    ]


class EndMatch(NamedTuple):
    """What a row's end resolved to: a node, or why not (with the candidates)."""

    node: str | None
    how: str
    """``id``, ``org-id``, ``directory id`` or ``name``; or ``ambiguous`` or ``unmatched``."""
    candidates: tuple[str, ...] = ()
    wrong_type: NodeType | None = None
    """Set when the end names a node of a type the edge cannot take."""


class EndIndex:
    """The workspace's services and organisations, indexed by id, org-id, source id and name."""

    def __init__(self, workspace: Workspace, *, source: str, what: str) -> None:
        graph: Graph = workspace.graph()
        kinds = (NodeType.SERVICE, NodeType.ORGANIZATION)
        self.names = NameIndex()
        self.org_ids: dict[str, str] = {}
        self.providers: dict[str, set[str]] = {}
        for node, data in graph.nodes(data=True):
            node_type = data.get("type")
            if node_type not in kinds:
                continue
            self.names.add(node, NodeType(node_type), str(data.get("name") or ""))
            if node_type == NodeType.ORGANIZATION:
                for org_id in [node, *data.get("org_ids", [])]:
                    if parse_org_id(org_id) == org_id:
                        self.org_ids.setdefault(org_id, node)
                for _, service, key in graph.out_edges(node, keys=True):
                    if key == EdgeType.PROVIDES:
                        self.providers.setdefault(node, set()).add(service)
        if not self.names.types:
            raise InputError(
                f"the workspace has no services or organisations to match the {what} against.",
                path=workspace.path,
                fix="ingest the directory first (civicgraph ingest hsds ...), into the same "
                "--db, then this file.",
            )
        self.keys: dict[str, tuple[str, NodeType]] = {}
        self.local: dict[str, list[str]] = {}
        for key, (node, node_type, name) in workspace.node_keys(
            kinds, excluding_source=source
        ).items():
            if node not in self.names.types:
                continue  # a fact the graph does not show (its type clashed)
            self.keys[key] = (node, node_type)
            if name and name != self.names.names.get(node):
                # Every source's name for a merged node finds it, not only the one shown.
                self.names.also(node, str(name))
            parts = key.split(":", 2)
            if len(parts) == 3:
                self.local.setdefault(parts[2], []).append(node)
        self._cache: dict[tuple[str, str, str, frozenset[NodeType]], EndMatch] = {}

    def type_of(self, node: str) -> NodeType:
        return self.names.types[node]

    def name_of(self, node: str) -> str:
        return self.names.names.get(node, "")

    def resolve(
        self,
        value: str,
        *,
        name: str = "",
        organisation: str = "",
        types: frozenset[NodeType],
    ) -> EndMatch:
        """Resolve one end: ``value`` (an id or a name), with an optional ``name`` to fall
        back on and the ``organisation`` that provides it (a name or id) to narrow a
        service name down."""
        cache_key = (value, name, organisation, types)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._resolve(value, name, organisation, types)
            self._cache[cache_key] = found
        return found

    def _resolve(
        self, value: str, name: str, organisation: str, types: frozenset[NodeType]
    ) -> EndMatch:
        if value:
            by_id = self._by_id(value, types)
            if by_id is not None:
                return by_id
        within: frozenset[str] | None = None
        if organisation:
            provider = self.resolve(organisation, types=frozenset({NodeType.ORGANIZATION}))
            if provider.node is not None:
                within = frozenset(self.providers.get(provider.node, ()))
        ambiguous: list[str] = []
        for text in dict.fromkeys(t for t in (value, name) if t):
            nodes = match_name(text, self.names, types, within=within)
            if len(nodes) == 1:
                return EndMatch(nodes[0], "name")
            ambiguous = ambiguous or nodes
        if ambiguous:
            return EndMatch(None, "ambiguous", tuple(sorted(ambiguous)))
        other_types = frozenset(_NOUNS) - types
        if other_types:
            other = self._by_id(value, other_types) if value else None
            if other is None:
                for text in dict.fromkeys(t for t in (value, name) if t):
                    nodes = match_name(text, self.names, other_types)
                    if len(nodes) == 1:
                        other = EndMatch(nodes[0], "name")
                        break
            if other is not None and other.node is not None:
                return EndMatch(None, "unmatched", (other.node,), self.type_of(other.node))
        return EndMatch(None, "unmatched")

    def _by_id(self, value: str, types: frozenset[NodeType]) -> EndMatch | None:
        if value in self.names.types:
            return EndMatch(value, "id") if self.type_of(value) in types else None
        keyed = self.keys.get(value)
        if keyed is not None:
            return EndMatch(keyed[0], "id") if keyed[1] in types else None
        if NodeType.ORGANIZATION in types:
            org_id = parse_org_id(value)
            if org_id is not None and org_id in self.org_ids:
                return EndMatch(self.org_ids[org_id], "org-id")
        local = [n for n in dict.fromkeys(self.local.get(value, ())) if self.type_of(n) in types]
        if len(local) == 1:
            return EndMatch(local[0], "directory id")
        if len(local) > 1:
            return EndMatch(None, "ambiguous", tuple(sorted(local)))
        return None

    def describe(self, nodes: Iterable[str], limit: int = 4) -> str:
        """A few candidate nodes in words, for a message."""
        listed = list(nodes)
        shown = [f"{noun(self.type_of(n))} {n}" for n in listed[:limit]]
        more = f" and {len(listed) - limit} more" if len(listed) > limit else ""
        return ", ".join(shown) + more


def noun(node_type: NodeType) -> str:
    return _NOUNS.get(node_type, str(node_type).lower())
