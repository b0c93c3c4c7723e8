"""Network algorithms behind the queries, each with two backends: python-igraph and networkx.

Private plumbing. igraph (C) is what the queries use: at 10k–100k nodes it is
tens of times faster than networkx (FIELD-NOTES: betweenness 55–64x, Louvain
16–24x, components 30–84x). networkx is the reference: the tests run both on
small graphs and require the same answers. The igraph graph is built from an
integer edge list, which is faster than converting a networkx graph.

Betweenness is exact up to ``pivots`` nodes; above that it is estimated
from ``pivots`` sampled source nodes (Brandes and Pich 2007), scaled to the
whole network, and the result says so. Path lengths likewise: exact for a
component of up to ``pivots`` nodes, else from sampled breadth-first
searches (the average is estimated; the diameter is a lower bound).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from ._network import TieNetwork

if TYPE_CHECKING:
    import igraph as ig

__all__ = [
    "Backend",
    "PathStats",
    "articulation_cuts",
    "betweenness",
    "communities",
    "components",
    "constraint",
    "effective_size",
    "modularity",
    "path_stats",
    "to_igraph",
    "to_networkx",
]

Backend = Literal["igraph", "networkx"]

_TINY = 1e-9
"""Weighted algorithms see a zero-weight tie as this weight (a ratio of zeros is undefined)."""


def _weights(network: TieNetwork) -> list[float]:
    return [max(w, _TINY) for w in network.ties.values()]


def _ig() -> Any:
    """python-igraph, imported when first used: it imports matplotlib.pyplot with it, which
    costs most of a second, and most commands never run a network algorithm."""
    import igraph

    return igraph


def to_igraph(network: TieNetwork) -> ig.Graph:
    """The network as an undirected, weighted igraph graph (vertex ``i`` is node ``i``)."""
    cached = getattr(network, "_igraph", None)
    if cached is not None:
        return cached
    graph = _ig().Graph(n=network.size, edges=list(network.ties), directed=False)
    graph.es["weight"] = _weights(network)
    network._igraph = graph  # type: ignore[attr-defined]
    return graph


def to_networkx(network: TieNetwork) -> nx.Graph[int]:
    """The network as an undirected, weighted networkx graph on ``0..n-1``."""
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(network.size))
    for (a, b), weight in zip(network.ties, _weights(network), strict=True):
        graph.add_edge(a, b, weight=weight)
    return graph


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """igraph draws from Python's ``random`` module; give it its own seeded generator."""
    ig = _ig()
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def components(network: TieNetwork, *, backend: Backend = "igraph") -> list[list[int]]:
    """Connected components, largest first (ties: by smallest member)."""
    if backend == "igraph":
        found = [list(c) for c in to_igraph(network).connected_components()]
    else:
        found = [list(c) for c in nx.connected_components(to_networkx(network))]
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def communities(
    network: TieNetwork, *, backend: Backend = "igraph", seed: int = 1, resolution: float = 1.0
) -> list[int]:
    """A community number for each node, by weighted modularity (Leiden in igraph, Louvain in
    networkx). Communities are numbered by size, largest first."""
    if network.size == 0:
        return []
    if backend == "igraph":
        with _seeded(seed):
            clustering = to_igraph(network).community_leiden(
                objective_function="modularity",
                weights="weight",
                resolution=resolution,
                n_iterations=-1,
            )
        groups = [list(c) for c in clustering]
    else:
        groups = [
            list(c)
            for c in nx.community.louvain_communities(
                to_networkx(network), weight="weight", resolution=resolution, seed=seed
            )
        ]
    groups = sorted((sorted(g) for g in groups if g), key=lambda g: (-len(g), g[0]))
    membership = [0] * network.size
    for number, group in enumerate(groups):
        for node in group:
            membership[node] = number
    return membership


def modularity(network: TieNetwork, membership: Sequence[int]) -> float:
    """The weighted modularity of a partition (0 for a network without ties)."""
    if not network.ties:
        return 0.0
    return float(to_igraph(network).modularity(list(membership), weights="weight"))


def betweenness(
    network: TieNetwork, *, backend: Backend = "igraph", pivots: int = 2000, seed: int = 1
) -> tuple[list[float], bool]:
    """Normalised betweenness (hops, undirected) of each node, and whether it is exact.

    Normalised as networkx does: divided by ``(n-1)(n-2)/2``, the pairs a node could lie
    between.
    """
    n = network.size
    if n < 3:
        return [0.0] * n, True
    scale = 2.0 / ((n - 1) * (n - 2))
    exact = n <= pivots
    sources = None if exact else random.Random(seed).sample(range(n), pivots)
    if backend == "igraph":
        graph = to_igraph(network)
        raw = (
            graph.betweenness(directed=False, sources=sources)
            if sources
            else graph.betweenness(directed=False)
        )
        factor = 1.0 if exact else n / pivots
        return [b * scale * factor for b in raw], exact
    nx_graph = to_networkx(network)
    values: dict[int, float] = nx.betweenness_centrality(
        nx_graph, k=None if exact else pivots, normalized=True, seed=seed
    )
    return [values[i] for i in range(n)], exact


def constraint(network: TieNetwork, *, backend: Backend = "igraph") -> list[float | None]:
    """Burt's constraint of each node (weighted); ``None`` for a node without ties."""
    if backend == "igraph":
        values = to_igraph(network).constraint(weights="weight")
        return [None if not network.adjacency[i] else float(v) for i, v in enumerate(values)]
    found: dict[int, float] = nx.constraint(to_networkx(network), weight="weight")
    return [None if not network.adjacency[i] else float(found[i]) for i in range(network.size)]


def effective_size(network: TieNetwork, *, backend: Backend = "igraph") -> list[float | None]:
    """Burt's effective size of each node's contacts (Borgatti's form for unweighted ties:
    degree minus the ties among its contacts per contact); ``None`` without ties."""
    if backend == "igraph":
        graph = to_igraph(network)
        local = graph.transitivity_local_undirected(mode="zero")
        degrees = graph.degree()
        return [
            None if d == 0 else float(d - c * (d - 1)) for d, c in zip(degrees, local, strict=True)
        ]
    found: dict[int, float] = nx.effective_size(to_networkx(network))
    return [None if not network.adjacency[i] else float(found[i]) for i in range(network.size)]


def articulation_cuts(network: TieNetwork) -> dict[int, list[list[int]]]:
    """For each cut vertex (articulation point), the groups its removal cuts off from the rest
    of its component: every part but the largest, largest first.

    One iterative depth-first search (Hopcroft and Tarjan), linear in the ties.
    """
    adjacency = [sorted(a) for a in network.adjacency]
    n = network.size
    discovered = [-1] * n
    low = [0] * n
    parent = [-1] * n
    separated: list[list[int]] = [[] for _ in range(n)]
    order: list[int] = []
    clock = 0
    for root in range(n):
        if discovered[root] != -1:
            continue
        discovered[root] = low[root] = clock
        clock += 1
        order.append(root)
        stack: list[tuple[int, Iterator[int]]] = [(root, iter(adjacency[root]))]
        while stack:
            node, neighbours = stack[-1]
            advanced = False
            for next_node in neighbours:
                if discovered[next_node] == -1:
                    parent[next_node] = node
                    discovered[next_node] = low[next_node] = clock
                    clock += 1
                    order.append(next_node)
                    stack.append((next_node, iter(adjacency[next_node])))
                    advanced = True
                    break
                if next_node != parent[node]:
                    low[node] = min(low[node], discovered[next_node])
            if advanced:
                continue
            stack.pop()
            up = parent[node]
            if up != -1:
                low[up] = min(low[up], low[node])
                if low[node] >= discovered[up]:
                    separated[up].append(node)
    size = [1] * n
    children: list[list[int]] = [[] for _ in range(n)]
    for node in reversed(order):
        if parent[node] != -1:
            size[parent[node]] += size[node]
            children[parent[node]].append(node)
    root_of = list(range(n))
    for node in order:
        if parent[node] != -1:
            root_of[node] = root_of[parent[node]]
    cuts: dict[int, list[list[int]]] = {}
    for node in range(n):
        parts = separated[node]
        if not parts or (parent[node] == -1 and len(parts) < 2):
            continue
        rest = size[root_of[node]] - 1 - sum(size[c] for c in parts)
        entries: list[tuple[int, int, int | None]] = [(size[c], 1, c) for c in parts]
        if rest > 0:
            entries.append((rest, 0, None))
        entries.sort(key=lambda e: (-e[0], e[1], e[2] if e[2] is not None else -1))
        cut_off: list[list[int]] = []
        for _, _, child in entries[1:]:
            if child is not None:
                cut_off.append(sorted(_descendants(child, children)))
            else:
                below = {m for c in parts for m in _descendants(c, children)}
                members = _descendants(root_of[node], children)
                cut_off.append(sorted(m for m in members if m != node and m not in below))
        cuts[node] = cut_off
    return cuts


def _descendants(node: int, children: list[list[int]]) -> list[int]:
    found, stack = [node], [node]
    while stack:
        for child in children[stack.pop()]:
            found.append(child)
            stack.append(child)
    return found


class PathStats:
    """Diameter and average path length of one component, exact or estimated."""

    __slots__ = ("average", "diameter", "exact", "sources")

    def __init__(self, diameter: int, average: float, exact: bool, sources: int) -> None:
        self.diameter, self.average, self.exact, self.sources = diameter, average, exact, sources


def path_stats(
    network: TieNetwork,
    component: Sequence[int],
    *,
    backend: Backend = "igraph",
    pivots: int = 2000,
    seed: int = 1,
) -> PathStats:
    """Hop-count diameter and average shortest path of a component (finite by construction)."""
    size = len(component)
    if size < 2:
        return PathStats(0, 0.0, True, size)
    exact = size <= pivots
    if backend == "networkx":
        sub = to_networkx(network).subgraph(component)
        if exact:
            return PathStats(
                int(nx.diameter(sub)), float(nx.average_shortest_path_length(sub)), True, size
            )
        sample = random.Random(seed).sample(list(component), pivots)
        lengths = [nx.single_source_shortest_path_length(sub, s) for s in sample]
        total = sum(sum(d.values()) for d in lengths)
        return PathStats(
            max(max(d.values()) for d in lengths), total / (pivots * (size - 1)), False, pivots
        )
    sub = to_igraph(network).induced_subgraph(list(component))
    if exact:
        return PathStats(
            int(sub.diameter(directed=False, unconn=True)),
            float(sub.average_path_length(directed=False, unconn=True)),
            True,
            size,
        )
    sample = random.Random(seed).sample(range(size), pivots)
    diameter, total = 0, 0
    for start in range(0, pivots, 64):
        chunk = sample[start : start + 64]
        for row in sub.distances(source=chunk):
            diameter = max(diameter, max(row))
            total += sum(row)
    return PathStats(int(diameter), total / (pivots * (size - 1)), False, pivots)
