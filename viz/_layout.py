"""Positions and sizes for a view, computed once before a page is written (igraph)."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from .views import View

if TYPE_CHECKING:
    import igraph as ig

__all__ = ["MEASURES", "layout", "measure", "sizes"]

MEASURES = ("degree", "betweenness", "funding")
_SPACING = 60.0
_EXACT_BETWEENNESS = 3000
"""Above this many nodes betweenness counts paths of up to 4 steps only (igraph cutoff)."""


def _igraph(view: View) -> tuple[ig.Graph, list[str]]:
    ids = list(view.nodes)
    index = {node: i for i, node in enumerate(ids)}
    pairs = {
        (min(index[e.source], index[e.target]), max(index[e.source], index[e.target]))
        for e in view.edges
        if e.source in index and e.target in index and e.source != e.target
    }
    import igraph  # on first use: it brings matplotlib.pyplot, most of a second

    return igraph.Graph(n=len(ids), edges=sorted(pairs)), ids


def _component_layout(graph: ig.Graph, members: list[int]) -> list[tuple[float, float]]:
    """Fruchterman-Reingold positions of one component, in a box of side ~60 * sqrt(size)."""
    if len(members) == 1:
        return [(0.0, 0.0)]
    if len(members) == 2:
        return [(0.0, 0.0), (_SPACING, 0.0)]
    sub = graph.induced_subgraph(members)
    # Grid Fruchterman-Reingold: 0.6 s at 20,000 nodes, where DrL took 15 s.
    coords = sub.layout_fruchterman_reingold(niter=300, grid="auto")
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = _SPACING * 1.8 * math.sqrt(len(members)) / span
    left, top = min(xs), min(ys)
    return [((x - left) * scale, (y - top) * scale) for x, y in zip(xs, ys, strict=True)]


def layout(view: View, *, seed: int = 1) -> dict[str, tuple[float, float]]:
    """Screen positions for every node, about 60 pixels apart.

    Each connected component is laid out on its own (igraph's Fruchterman-Reingold) and the
    components are packed in rows, largest first, so that a few isolated nodes do not push
    the network into a corner.
    """
    graph, ids = _igraph(view)
    if not ids:
        return {}
    state = random.getstate()  # igraph draws from Python's random: seed it, then restore
    random.seed(seed)
    try:
        if view.name == "silos":
            # Each silo group is laid out on its own and set apart from the others.
            by_group: dict[str, list[int]] = {}
            for i, node in enumerate(ids):
                by_group.setdefault(view.nodes[node].group, []).append(i)
            blocks = list(by_group.values())
        else:
            blocks = list(graph.connected_components())
        components = sorted(blocks, key=lambda c: (-len(c), c[0]))
        placed = [(members, _component_layout(graph, members)) for members in components]
    finally:
        random.setstate(state)
    boxes = [
        (max((x for x, _ in coords), default=0.0), max((y for _, y in coords), default=0.0))
        for _, coords in placed
    ]
    area = sum((w + _SPACING) * (h + _SPACING) for w, h in boxes)
    row_width = max(math.sqrt(area) * 1.2, boxes[0][0] + _SPACING)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for (members, coords), (w, h) in zip(placed, boxes, strict=True):
        if x > 0 and x + w > row_width:
            x, y, row_height = (
                0.0,
                y + row_height + _SPACING * (3 if view.name == "silos" else 1),
                0.0,
            )
        for member, (cx, cy) in zip(members, coords, strict=True):
            positions[ids[member]] = (cx + x, cy + y)
        x += w + _SPACING * (3 if view.name == "silos" else 1)
        row_height = max(row_height, h)
    mid_x = (max(p[0] for p in positions.values()) + min(p[0] for p in positions.values())) / 2
    mid_y = (max(p[1] for p in positions.values()) + min(p[1] for p in positions.values())) / 2
    return {
        node: (round(px - mid_x, 1), round(py - mid_y, 1)) for node, (px, py) in positions.items()
    }


def measure(view: View, by: str) -> dict[str, float]:
    """Each node's degree, betweenness (in the view) or funding received."""
    if by == "funding":
        return {node: view.nodes[node].funding for node in view.nodes}
    graph, ids = _igraph(view)
    if by == "degree":
        values = graph.degree()
    elif by == "betweenness":
        cutoff = None if len(ids) <= _EXACT_BETWEENNESS else 4
        values = graph.betweenness(directed=False, cutoff=cutoff)
    else:
        raise ValueError(f"unknown measure {by!r}")
    return {node: float(v) for node, v in zip(ids, values, strict=True)}


def sizes(
    values: dict[str, float], *, smallest: float = 6.0, largest: float = 26.0
) -> dict[str, float]:
    """Node radii from a measure: square-root scaled so that area follows the value."""
    top = max(values.values(), default=0.0)
    if top <= 0:
        return dict.fromkeys(values, smallest)
    return {
        node: round(smallest + (largest - smallest) * math.sqrt(max(v, 0.0) / top), 1)
        for node, v in values.items()
    }
