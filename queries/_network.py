"""The tie network the network queries share: who refers to and partners with whom.

Private plumbing. From the analysis graph (a typed ``MultiDiGraph``) it builds
a small, integer-indexed, weighted network at one of two levels:

- ``organization``: each organisation that provides a service or has a tie.
  A referral between services counts between their providers (a service with
  no provider stands for itself); a referral between two services of one
  organisation is *internal* (kept aside, not a tie). Declared ties
  (``PARTNERS_WITH``) join organisations.
- ``service``: every service, and each organisation named as a referral end
  itself. Only referrals tie them (declared ties are between organisations).

Referral counts of every period (or of one ``period``) are summed per
direction; a route without a count counts 1. A pair is tied when its summed
referrals reach ``min_count`` or it has a declared tie. The undirected tie
weight is the referrals both ways plus ``partnership_weight`` for a declared
tie (by default the median referral tie, so a partnership weighs like a
typical referral route). Self-referrals are never ties.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from ..errors import UsageError
from ..graph import Graph
from ..ontology import EdgeType, NodeType
from ._index import GraphIndex

__all__ = ["Level", "TieNetwork", "tie_network"]

Level = Literal["organization", "service"]

_ORG = NodeType.ORGANIZATION.value
_SERVICE = NodeType.SERVICE.value


@dataclass
class TieNetwork:
    """Nodes ``0..n-1`` with their ids, and their directed referrals and undirected ties."""

    level: str
    nodes: list[str]
    index: dict[str, int]
    lookup: GraphIndex
    referrals: dict[tuple[int, int], int] = field(default_factory=dict)
    """Directed referral volume between different nodes, summed over periods."""
    partnerships: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    """Declared ties by ``(low, high)`` index pair, with their kinds."""
    internal: Counter[int] = field(default_factory=Counter)
    """Referrals a node makes to itself (between one organisation's services)."""
    ties: dict[tuple[int, int], float] = field(default_factory=dict)
    """Undirected tie weight by ``(low, high)`` index pair."""
    periods: list[str] = field(default_factory=list)
    zero_weight_routes: int = 0
    """Referral routes below ``min_count``, left out of the ties."""
    _adjacency: list[set[int]] | None = None

    @property
    def size(self) -> int:
        return len(self.nodes)

    def name(self, i: int) -> str:
        return self.lookup.name(self.nodes[i])

    def sector(self, i: int) -> str:
        return self.lookup.sector(self.nodes[i])

    def kind(self, i: int) -> str:
        return self.lookup.type(self.nodes[i])

    @property
    def adjacency(self) -> list[set[int]]:
        if self._adjacency is None:
            adjacency: list[set[int]] = [set() for _ in self.nodes]
            for a, b in self.ties:
                adjacency[a].add(b)
                adjacency[b].add(a)
            self._adjacency = adjacency
        return self._adjacency

    def degree(self, i: int) -> int:
        return len(self.adjacency[i])

    def tie_words(self, a: int, b: int) -> str:
        """How two nodes are tied, in words: ``12 referrals to, 3 from; partnership``."""
        parts = []
        out, back = self.referrals.get((a, b), 0), self.referrals.get((b, a), 0)
        if out or back:
            parts.append(f"{out} referrals to, {back} from")
        kinds = self.partnerships.get((min(a, b), max(a, b)))
        if kinds:
            parts.append(", ".join(sorted(set(kinds))))
        return "; ".join(parts)


def _unit_of(types: dict[str, str], providers: dict[str, str], level: str, node: str) -> str | None:
    node_type = types.get(node)
    if level == "service" or node_type == _ORG:
        return node if node_type in (_ORG, _SERVICE) else None
    if node_type == _SERVICE:
        return providers.get(node, node)
    return None


def tie_network(
    graph: Graph,
    *,
    level: str = "organization",
    period: str | None = None,
    min_count: int = 1,
    partnership_weight: float | None = None,
    lookup: GraphIndex | None = None,
    without: frozenset[str] = frozenset(),
) -> TieNetwork:
    """Build the tie network of ``graph`` at ``level`` (see the module documentation).

    ``without`` leaves nodes out, as if closed (``impact``). A network built on a ``lookup``
    is kept there, so queries that need it twice build it once.
    """
    if level not in ("organization", "service"):
        raise UsageError(f"level '{level}' is not organization or service. Fix: pick one.")
    if min_count < 0:
        raise UsageError(
            f"`min_count` cannot be negative ({min_count}). Fix: give 0 or more.", param="min_count"
        )
    lookup = lookup or GraphIndex(graph)
    cache_key = (level, period, min_count, partnership_weight, without)
    cached = lookup.networks.get(cache_key)
    if isinstance(cached, TieNetwork):
        return cached
    types, providers = lookup.types, lookup.providers
    volume: Counter[tuple[str, str]] = Counter()
    periods: set[str] = set()
    for u, v, data in lookup.edges(EdgeType.REFERS_TO):
        edge_period = str(data.get("period") or "")
        periods.add(edge_period)
        if period is not None and edge_period != period:
            continue
        if without and (u in without or v in without):
            continue
        a, b = _unit_of(types, providers, level, u), _unit_of(types, providers, level, v)
        if a is None or b is None:
            continue
        count = data.get("count")
        volume[(a, b)] += count if isinstance(count, int) and not isinstance(count, bool) else 1
    if period is not None and period not in periods:
        known = ", ".join(sorted(p for p in periods if p)) or "none"
        raise UsageError(f"no referrals are for period '{period}'. Fix: use one of: {known}.")
    declared: dict[tuple[str, str], list[str]] = {}
    if level == "organization":
        for u, v, data in lookup.edges(EdgeType.PARTNERS_WITH):
            if u != v and u not in without and v not in without:
                declared.setdefault((min(u, v), max(u, v)), []).append(str(data.get("kind") or ""))

    members: list[str]
    if level == "organization":
        providing = {
            org
            for org, services in lookup.services_of.items()
            if org not in without and (not without or any(s not in without for s in services))
        }
        members = sorted(
            providing
            | {end for pair in volume for end in pair}
            | {end for pair in declared for end in pair}
        )
    else:
        services = {s for s in lookup.nodes(_SERVICE) if s not in without}
        members = sorted(services | {end for pair in volume for end in pair})
    index = {node: i for i, node in enumerate(members)}
    network = TieNetwork(level, members, index, lookup, periods=sorted(p for p in periods if p))
    for (a, b), count in volume.items():
        if a == b:
            network.internal[index[a]] += count
        elif count >= max(min_count, 0) and (count > 0 or min_count == 0):
            network.referrals[(index[a], index[b])] = count
        else:
            network.zero_weight_routes += 1
    for (first, second), kinds in declared.items():
        i, j = sorted((index[first], index[second]))
        network.partnerships[(i, j)] = kinds
    undirected: Counter[tuple[int, int]] = Counter()
    for (i, j), count in network.referrals.items():
        undirected[(min(i, j), max(i, j))] += count
    if partnership_weight is None:
        positive = [w for w in undirected.values() if w > 0]
        partnership_weight = float(statistics.median(positive)) if positive else 1.0
    ties: dict[tuple[int, int], float] = {pair: float(w) for pair, w in undirected.items()}
    for pair in network.partnerships:
        ties[pair] = ties.get(pair, 0.0) + partnership_weight
    network.ties = ties
    lookup.networks[cache_key] = network
    return network
