"""civicgraph's views as pyvis networks, for notebook users who already draw with pyvis.

pyvis is an optional extra: ``pip install civicgraph[pyvis]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..graph import Graph, Workspace
from .page import CLUSTER_AT, page_data
from .views import DEFAULT_MAX_NODES, build_view

if TYPE_CHECKING:
    from ._pyvis import CivicNetwork

__all__ = ["to_pyvis"]


def to_pyvis(
    graph: Graph | Workspace,
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
    height: str = "750px",
    width: str = "100%",
    cluster_at: int = CLUSTER_AT,
) -> CivicNetwork:
    """One view of the graph as a ``pyvis.network.Network``, laid out, coloured and safe.

    The network carries civicgraph's frozen layout (each node's ``x`` and ``y``, physics
    off), its colours, sizes, edge styles, and the same tooltips as the pages (key facts
    and sources), shown as text. Its page (``write_html``, ``show``) inlines
    vis-network and fetches nothing; the heading and every title are escaped, whatever
    they contain (pyvis's own page runs markup in both).

    Parameters
    ----------
    graph
        The analysis graph, or a workspace.
    view, focus, depth, area, limit, max_nodes
        Which view (see :func:`civicgraph.viz.build_view`).
    color
        Colour nodes by type, sector or group; default: the view's own.
    size
        Size nodes by degree, betweenness or funding.
    seed
        The layout's (and the silo groups') random seed.
    height, width
        The drawing's size as CSS lengths (``"750px"``, ``"100%"``).
    cluster_at
        From this many nodes the page opens clustered as the network pages do (by sector
        or silo group, other nodes by type; a click expands a cluster); 0: never. Each
        node names its cluster in ``cluster``; the clusters are ``network.clusters``.

    Returns
    -------
    pyvis.network.Network
        A :class:`~civicgraph.viz._pyvis.CivicNetwork`, pyvis's class with civicgraph's page.

    Raises
    ------
    UsageError
        pyvis is not installed, or the view's options are wrong.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", type="Organization", name="<b>Hall</b>")
    >>> g.add_node("s", type="Service", name="Lunch club")
    >>> _ = g.add_edge("o", "s", type="PROVIDES")
    >>> net = to_pyvis(g)
    >>> sorted(node["id"] for node in net.nodes), len(net.edges)
    (['o', 's'], 1)
    >>> net.options.physics.enabled, all("x" in node for node in net.nodes)
    (False, True)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "town.html"
    >>> net.write_html(str(out))
    >>> page = out.read_text()
    >>> "<b>Hall</b>" in page, "<script src" in page, "<link" in page
    (False, False, False)
    """
    try:
        from ._pyvis import CivicNetwork
    except ImportError as error:
        raise UsageError(
            "to_pyvis needs pyvis, which is not installed. "
            "Fix: pip install 'civicgraph[pyvis]' (or pip install pyvis)."
        ) from error
    if isinstance(graph, Workspace):
        graph = graph.graph()
    built = build_view(
        graph,
        view=view,
        focus=focus,
        depth=depth,
        area=area,
        limit=limit,
        max_nodes=max_nodes,
        seed=seed,
    )
    data = page_data(built, color_by=color, size_by=size, seed=seed, cluster_at=cluster_at)
    network = CivicNetwork(
        height=height,
        width=width,
        directed=True,
        heading=built.title,
        cdn_resources="in_line",
    )
    # Filled directly: pyvis's add_node and add_edge check membership in lists, which is
    # quadratic (30 s at 10,000 nodes).
    for item in data["nodes"]:
        node: dict[str, Any] = {
            "id": item["id"],
            "label": item["label"],
            "x": item["x"],
            "y": item["y"],
            "size": item["size"],
            "color": item["color"],
            "title": item["title"],
            "shape": "dot",
            "physics": False,
            "type": item["type"],
            "sector": item["sector"],
            "group_name": item["group"],
        }
        if "cluster" in item:
            node["cluster"] = item["cluster"]
        network.nodes.append(node)
        network.node_ids.append(item["id"])
        network.node_map[item["id"]] = node
    for item in data["edges"]:
        network.edges.append(
            {
                "from": item["from"],
                "to": item["to"],
                "title": item["title"],
                "color": item["color"],
                "dashes": item["dashes"],
                "width": item["width"],
                "arrows": "to",
            }
        )
    network.clusters = data["clusters"]
    network.toggle_physics(False)
    network.options.edges.smooth = {"enabled": False}
    interaction = network.options.interaction
    interaction.hover = True
    interaction.tooltipDelay = 150
    interaction.hideEdgesOnDrag = data["large"]
    return network
