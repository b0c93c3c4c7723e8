"""One self-contained HTML page per view: vis-network inlined, layout frozen, data escaped.

Safety. The page's data travels as one JSON document inside a
``<script type="application/json">`` element with ``<``, ``>``, ``&`` and the two
JavaScript line separators escaped, so no value can close the element; the page's
own script reads it with ``JSON.parse`` and puts every value on screen with
``textContent`` (vis-network draws labels on a canvas and shows tooltips with
``innerText``). Links are kept only when they are http or https. A
Content-Security-Policy allows exactly the two inlined scripts (by their SHA-256),
no network at all, no plugins, no forms and no ``<base>``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .._files import write_text
from ..errors import UsageError
from ..graph import Graph, Workspace
from ..graph.scope import Scope
from ..ontology import EdgeType, NodeType
from ._layout import MEASURES, layout, measure, sizes
from .views import DEFAULT_MAX_NODES, View, build_view, safe_url

__all__ = [
    "CLUSTER_AT",
    "COLOR_BY",
    "PageResult",
    "render_page",
    "write_page",
    "write_view",
]

COLOR_BY = ("type", "sector", "group")

TYPE_COLORS = {
    NodeType.ORGANIZATION.value: "#1f77b4",
    NodeType.SERVICE.value: "#2ca02c",
    NodeType.LOCATION.value: "#8c564b",
    NodeType.AREA.value: "#9467bd",
    NodeType.GRANT.value: "#ff7f0e",
    NodeType.CONCEPT.value: "#7f7f7f",
    NodeType.ACTIVITY.value: "#e377c2",
}
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
    "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
    "#dbdb8d", "#9edae5", "#393b79", "#637939",
)  # fmt: skip
OTHER_COLOR = "#bbbbbb"
EDGE_STYLES: dict[str, tuple[str, list[int] | bool]] = {
    EdgeType.PROVIDES.value: ("#1f77b4", False),
    EdgeType.AT_LOCATION.value: ("#8c564b", False),
    EdgeType.OPERATES.value: ("#8c564b", [8, 4]),
    EdgeType.IN_AREA.value: ("#9467bd", [2, 4]),
    EdgeType.SERVES_AREA.value: ("#9467bd", [8, 4]),
    EdgeType.PART_OF.value: ("#7f7f7f", [2, 4]),
    EdgeType.CLASSIFIED_AS.value: ("#bcbd22", [2, 4]),
    EdgeType.REFERS_TO.value: ("#2ca02c", False),
    EdgeType.PARTNERS_WITH.value: ("#17becf", False),
    EdgeType.AWARDS.value: ("#ff7f0e", False),
    EdgeType.AWARDED_TO.value: ("#ff7f0e", [8, 4]),
    EdgeType.BENEFITS_AREA.value: ("#ff7f0e", [2, 4]),
    EdgeType.FUNDS.value: ("#ff7f0e", [12, 4, 2, 4]),
    EdgeType.HAPPENS_AT.value: ("#e377c2", False),
    EdgeType.RUNS.value: ("#e377c2", [8, 4]),
    "tie": ("#555555", False),
    "suggested partnership": ("#d62728", [10, 6]),
}
"""Each edge type's colour and dash pattern (False: solid), as the page and its legend draw it."""
_SPARE_STYLES = [(c, d) for d in ([6, 3], [1, 3], [10, 3, 2, 3]) for c in PALETTE[:10]]
LABEL_FONT = 12
"""The label font's size in pixels at scale 1; labels are placed so that none collide."""


def edge_style(kind: str) -> tuple[str, list[int] | bool]:
    """The colour and dashes of an edge type (unknown types get a stable spare style)."""
    if kind in EDGE_STYLES:
        return EDGE_STYLES[kind]
    index = int(hashlib.sha256(kind.encode()).hexdigest(), 16) % len(_SPARE_STYLES)
    return _SPARE_STYLES[index]


def _label_box(x: float, y: float, size: float, label: str) -> tuple[float, float, float, float]:
    # vis-network draws a dot's label centred below it; ~0.6 em a character.
    width = 0.6 * LABEL_FONT * len(label)
    top = y + size + 2
    return (x - width / 2, top, x + width / 2, top + LABEL_FONT + 2)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(nodes: list[dict[str, Any]]) -> set[str]:
    """The nodes whose labels are drawn: largest first, each only if it collides with no
    label already drawn nor with another node's dot (the rest show on hover and in search)."""
    cell = 120.0
    grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def cells(box: tuple[float, float, float, float]) -> list[tuple[int, int]]:
        return [
            (i, j)
            for i in range(int(box[0] // cell), int(box[2] // cell) + 1)
            for j in range(int(box[1] // cell), int(box[3] // cell) + 1)
        ]

    for node in nodes:
        r = node["size"]
        dot = (node["x"] - r, node["y"] - r, node["x"] + r, node["y"] + r)
        for key in cells(dot):
            grid.setdefault(key, []).append(dot)
    shown: set[str] = set()
    for node in sorted(nodes, key=lambda n: (-n["size"], n["id"])):
        if not node["label"]:
            continue
        box = _label_box(node["x"], node["y"], node["size"], node["label"])
        keys = cells(box)
        if any(_overlaps(box, other) for key in keys for other in grid.get(key, ())):
            continue
        shown.add(node["id"])
        for key in keys:
            grid.setdefault(key, []).append(box)
    return shown


LARGE_PAGE = 1500
"""From this many nodes the page hides edges while dragging and zooming."""
CLUSTER_AT = 400
"""From this many nodes a page opens clustered: organisations and services by sector
(or silo group, when coloured by group), other nodes by type; a click on a cluster
expands it, the page's Collapse button folds the expanded ones again."""


def _clusters(nodes: list[dict[str, Any]], color_by: str) -> list[dict[str, Any]]:
    """Each node's cluster key (set on the node), and the clusters with label, colour, size."""
    members: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        if color_by == "group" and node["group"]:
            key = f"group: {node['group']}"
        elif node["type"] in (NodeType.ORGANIZATION.value, NodeType.SERVICE.value):
            key = f"sector: {node['sector']}"
        else:
            key = f"type: {node['type']}"
        node["cluster"] = key
        members.setdefault(key, []).append(node)
    found = []
    # Clusters sit on a grid, largest first, far enough apart for their labels.
    columns = max(1, math.ceil(math.sqrt(len(members))))
    ranked = sorted(members.items(), key=lambda item: (-len(item[1]), item[0]))
    for index, (key, inside) in enumerate(ranked):
        colour = Counter(n["color"] for n in inside).most_common(1)[0][0]
        found.append(
            {
                "key": key,
                "label": f"{key.split(': ', 1)[1]} ({len(inside):,})",
                "title": f"{key} — {len(inside):,} nodes; click to expand",
                "color": colour,
                "size": round(min(60.0, 10 + 3 * math.sqrt(len(inside))), 1),
                "count": len(inside),
                "x": (index % columns) * 440.0,
                "y": (index // columns) * 220.0,
            }
        )
    return found


@dataclass
class PageResult:
    """What was written: the file, what it shows, and the notes shown on the page."""

    path: Path
    nodes: int
    edges: int
    notes: list[str]
    bytes: int


@cache
def _asset(name: str) -> str:
    return (resources.files("civicgraph.viz") / name).read_text(encoding="utf-8")


@cache
def _vis_network() -> str:
    text = (resources.files("civicgraph.viz") / "vendor" / "vis-network.min.js").read_text(
        encoding="utf-8"
    )
    # The source map is not shipped; a page that names it would ask for it.
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)


def _script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def json_for_html(data: Any) -> str:
    """JSON that cannot end the ``<script>`` element it sits in, nor open markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _colors(view: View, color_by: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    if color_by not in COLOR_BY:
        raise UsageError(
            f"`color_by` '{color_by}' is not one of {', '.join(COLOR_BY)}.", param="color_by"
        )
    if color_by == "type":
        counts = Counter(n.type for n in view.nodes.values())
        colors = {k: TYPE_COLORS.get(k, OTHER_COLOR) for k in counts}
    elif view.name == "changes" and color_by == "group":
        from ._changes_view import CHANGE_COLORS

        counts = Counter(n.group or "no group" for n in view.nodes.values())
        colors = {k: CHANGE_COLORS.get(k, OTHER_COLOR) for k in counts}
    else:
        counts = Counter(
            (n.sector if color_by == "sector" else n.group) or "no group"
            for n in view.nodes.values()
        )
        ranked = sorted(counts, key=lambda k: (k in ("no group", "unclassified"), -counts[k], k))
        colors = {k: PALETTE[i] if i < len(PALETTE) else OTHER_COLOR for i, k in enumerate(ranked)}
    by_node: dict[str, str] = {}
    for node_id, node in view.nodes.items():
        key = (
            node.type
            if color_by == "type"
            else ((node.sector if color_by == "sector" else node.group) or "no group")
        )
        by_node[node_id] = colors[key]
    legend: dict[str, dict[str, Any]] = {}
    for key, color in colors.items():
        shown = key if color != OTHER_COLOR or key in ("no group", "unclassified") else "other"
        entry = legend.setdefault(shown, {"label": shown, "color": color, "count": 0})
        entry["count"] += counts[key]
    return by_node, sorted(legend.values(), key=lambda e: -int(e["count"]))


def _tooltip(node: Any, value: float, size_by: str) -> str:
    lines = [
        node.label,
        node.type + (f" standing for {node.members:,}" if node.members > 1 else ""),
    ]
    lines += [f"{key}: {text}" for key, text in node.facts[:6]]
    if size_by != "degree" or value:
        lines.append(f"{size_by}: {value:,.2f}".rstrip("0").rstrip("."))
    if node.sources:
        lines.append("sources: " + ", ".join(node.sources))
    return "\n".join(lines)


def page_data(
    view: View,
    *,
    color_by: str | None = None,
    size_by: str = "degree",
    seed: int = 1,
    positions: dict[str, tuple[float, float]] | None = None,
    cluster_at: int = CLUSTER_AT,
) -> dict[str, Any]:
    """The JSON document a page embeds: positions, colours, sizes, texts, filters.

    ``positions`` are the view's layout when the caller has it already; else it is computed.
    From ``cluster_at`` nodes (0: never) the page opens clustered.
    """
    if size_by not in MEASURES:
        raise UsageError(
            f"`size_by` '{size_by}' is not one of {', '.join(MEASURES)}.", param="size_by"
        )
    color_by = color_by or view.default_color
    positions = positions if positions is not None else layout(view, seed=seed)
    values = measure(view, size_by)
    radii = sizes(values)
    colors, legend = _colors(view, color_by)
    nodes = []
    for node_id, node in view.nodes.items():
        x, y = positions[node_id]
        nodes.append(
            {
                "id": node_id,
                "label": node.label,
                "x": x,
                "y": y,
                "size": radii[node_id],
                "color": colors[node_id],
                "type": node.type,
                "sector": node.sector,
                "areas": node.areas[:20],
                "group": node.group,
                "title": _tooltip(node, values[node_id], size_by),
                "facts": node.facts,
                "links": [url for url in node.links if safe_url(url)],
                "sources": node.sources,
                "focus": node.group == "focus",
            }
        )
    labelled = place_labels(nodes)
    for entry in nodes:
        entry["showLabel"] = entry["id"] in labelled
    edges = []
    for edge in view.edges:
        title = edge.type if edge.count <= 1 else f"{edge.type} ×{edge.count}"
        if edge.reason:
            title += f": {edge.reason}"
        colour, dashes = edge_style(edge.type)
        edges.append(
            {
                "from": edge.source,
                "to": edge.target,
                "type": edge.type,
                "dashes": dashes,
                "title": title,
                "color": colour,
                "width": 2 if edge.dashed else 1,
            }
        )
    edge_legend = sorted({e.type for e in view.edges})
    group_boxes: dict[str, list[float]] = {}
    if view.name == "silos":
        for node_id, node in view.nodes.items():
            x, y = positions[node_id]
            r = radii[node_id]
            box = group_boxes.setdefault(node.group, [math.inf, math.inf, -math.inf])
            box[0], box[1], box[2] = min(box[0], x - r), min(box[1], y - r), max(box[2], x + r)
    areas = Counter(a for n in view.nodes.values() for a in n.areas[:20])
    return {
        "title": view.title,
        "view": view.name,
        "notes": view.notes,
        "colorBy": color_by,
        "sizeBy": size_by,
        "legend": legend,
        "edgeLegend": [
            {"label": kind, "dashes": edge_style(kind)[1], "color": edge_style(kind)[0]}
            for kind in edge_legend
        ],
        "filters": {
            "type": sorted(Counter(n.type for n in view.nodes.values()).items()),
            "sector": sorted(Counter(n.sector for n in view.nodes.values()).items()),
            "area": sorted(areas.items())[:500],
        },
        "groups": [
            {"label": label, "x": round((box[0] + box[2]) / 2, 1), "y": round(box[1] - 18, 1)}
            for label, box in sorted(group_boxes.items())
            if label
        ],
        "large": len(nodes) >= LARGE_PAGE,
        "clusters": _clusters(nodes, color_by) if 0 < cluster_at <= len(nodes) else [],
        "nodes": nodes,
        "edges": edges,
    }


def render_page(data: dict[str, Any]) -> str:
    """The page's HTML for :func:`page_data`'s document."""
    vis = _vis_network()
    folding = _asset("clusters.js")
    app = _asset("page.js")
    policy = (
        "default-src 'none'; "
        f"script-src {_script_hash(vis)} {_script_hash(folding)} {_script_hash(app)}; "
        # vis-network injects its stylesheet and positions its tooltip with style attributes.
        "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'; object-src 'none'"
    )
    title = html.escape(f"civicgraph: {data['title']}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>\n{_asset('page.css')}</style>\n</head>\n<body>\n"
        f"{_asset('page.html')}"
        f'<script type="application/json" id="cg-data">{json_for_html(data)}</script>\n'
        f"<script>{vis}</script>\n<script>{folding}</script>\n<script>{app}</script>\n"
        "</body>\n</html>\n"
    )


def write_page(view: View, out: str | Path, **options: Any) -> PageResult:
    """Lay out ``view`` and write it as one HTML page to ``out``."""
    data = page_data(view, **options)
    path = Path(out)
    if path.is_dir():
        raise UsageError(
            f"`out` {path} is a folder. Fix: give `out` a file name such as network.html.",
            param="out",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_page(data)
    write_text(path, text)
    return PageResult(path, len(data["nodes"]), len(data["edges"]), view.notes, len(text.encode()))


def write_view(
    graph: Graph | Workspace,
    out: str | Path,
    *,
    view: str = "network",
    focus: str | None = None,
    depth: int = 1,
    area: str | None = None,
    limit: int = 50,
    color: str | None = None,
    size: str = "degree",
    max_nodes: int = DEFAULT_MAX_NODES,
    seed: int = 1,
    cluster_at: int = CLUSTER_AT,
    since: str | None = None,
    until: str | None = None,
    within: Scope | str | Sequence[str] | None = None,
) -> PageResult:
    """Write one view of ``graph`` as a self-contained, offline HTML page.

    Parameters
    ----------
    graph
        The analysis graph, or a workspace (needed by the changes view; one read
        ``as_of`` a day draws the network as it stood then).
    out
        The HTML file to write.
    view, focus, depth, area, limit, max_nodes, since, until, within
        Which view (see :func:`civicgraph.viz.build_view`).
    color
        Colour nodes by type, sector or group (silo group); default: the view's own.
    size
        Size nodes by degree, betweenness or funding.
    seed
        The layout's (and the silo groups') random seed.
    cluster_at
        From this many nodes the page opens clustered by sector (or silo group) and
        type, each cluster expanding on a click; 0: never.

    Returns
    -------
    PageResult
        The file, the numbers of nodes and edges drawn, and what was folded.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", type="Organization", name="<b>Hall</b>")
    >>> g.add_node("s", type="Service", name="Lunch club")
    >>> _ = g.add_edge("o", "s", type="PROVIDES")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "town.html"
    >>> result = write_view(g, out)
    >>> result.nodes, result.edges
    (2, 1)
    >>> "<b>Hall</b>" in out.read_text()
    False
    """
    built = build_view(
        graph,
        view=view,
        focus=focus,
        depth=depth,
        area=area,
        limit=limit,
        max_nodes=max_nodes,
        seed=seed,
        since=since,
        until=until,
        within=within,
    )
    return write_page(built, out, color_by=color, size_by=size, seed=seed, cluster_at=cluster_at)
