"""A pyvis ``Network`` whose page is as safe and as offline as civicgraph's own. Private.

pyvis 0.3.2's own page has two escaping holes and needs the network: it inserts
``heading`` unescaped (a script in it runs on load), it switches to a popup that
sets ``innerHTML`` as soon as any node title contains "href" (so
``<img src=x onerror=...>`` runs on hover), and it loads Bootstrap from a CDN
whatever ``cdn_resources`` says. :class:`CivicNetwork` keeps pyvis's data model
(``nodes``, ``edges``, ``options``, ``write_html``, ``show``) and renders its own
page instead: vis-network inlined, the data as a JSON document that no value can
break out of, titles shown as text (vis-network's tooltip uses ``innerText``), the
heading escaped, and a Content-Security-Policy that allows exactly the page's two
scripts and no network.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

import orjson
from pyvis.network import Network

from .page import _asset, _script_hash, _vis_network, json_for_html

__all__ = ["CivicNetwork", "render_network_page"]

_BOOT = """(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var box = document.getElementById("cg-network");
  box.style.width = data.width;
  box.style.height = data.height;
  var options = data.options || {};
  if (options.configure && options.configure.enabled) {
    options.configure.container = document.getElementById("cg-config");
  }
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(box, { nodes: nodes, edges: edges }, options);
  var state = { network: network, nodes: nodes, edges: edges, ready: false };
  window.civicgraph = state;
  // Large networks open clustered, as the network pages do (clusters.js).
  var clusterOf = new Map();
  data.nodes.forEach(function (n) { clusterOf.set(n.id, n.cluster); });
  var button = document.getElementById("cg-collapse");
  var folding = window.civicgraphClusters(network, data.clusters, function (id) {
    return clusterOf.get(id);
  }, function () { button.hidden = folding.expanded.length === 0; });
  state.expanded = folding.expanded;
  state.expand = folding.expand;
  state.collapse = folding.collapse;
  state.drawnNodes = function () { return network.body.nodeIndices.length; };
  button.addEventListener("click", folding.collapse);
  network.on("click", function (params) {
    if (params.nodes.length) folding.expand(params.nodes[0]);
  });
  if (data.clusters.length) folding.collapse();
  network.once("afterDrawing", function () { state.ready = true; });
})();
"""


_SIZE = re.compile(r"\d+(?:\.\d+)?(?:px|%|vh|vw|em|rem)")


def _size(value: Any, default: str) -> str:
    """A CSS length the page accepts (``750px``, ``100%``); anything else is the default."""
    text = f"{value}px" if isinstance(value, int | float) else str(value).strip()
    return text if _SIZE.fullmatch(text) else default


@cache
def _policy() -> str:
    return (
        "default-src 'none'; "
        f"script-src {_script_hash(_vis_network())} {_script_hash(_asset('clusters.js'))} "
        f"{_script_hash(_BOOT)}; "
        "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'; object-src 'none'"
    )


def render_network_page(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    *,
    heading: str = "",
    height: str = "750px",
    width: str = "100%",
    options: Any = None,
    clusters: list[dict[str, Any]] | None = None,
) -> str:
    """One offline page drawing ``nodes`` and ``edges`` (vis-network data) with ``options``.

    ``clusters`` (as :func:`civicgraph.viz.page.page_data` makes them, each node naming
    its own in ``cluster``) fold the network on opening; a click expands one.
    """
    if isinstance(options, str):
        options = orjson.loads(options)
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": options or {},
        "height": _size(height, "750px"),
        "width": _size(width, "100%"),
        "clusters": clusters or [],
    }
    title = html.escape(heading or "civicgraph network")
    shown = f"<h1>{html.escape(heading)}</h1>\n" if heading else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(_policy())}">\n'
        f"<title>{title}</title>\n"
        "<style>body{margin:0;font-family:system-ui,sans-serif}"
        "h1{font-size:1.2rem;margin:.5rem 1rem}"
        "#cg-network{border:1px solid #ddd}</style>\n</head>\n<body>\n"
        f'{shown}<button id="cg-collapse" type="button" hidden>Collapse clusters</button>\n'
        '<div id="cg-network"></div>\n<div id="cg-config"></div>\n'
        f'<script type="application/json" id="cg-data">{json_for_html(data)}</script>\n'
        f"<script>{_vis_network()}</script>\n<script>{_asset('clusters.js')}</script>\n"
        f"<script>{_BOOT}</script>\n</body>\n</html>\n"
    )


class CivicNetwork(Network):  # type: ignore[misc]  # pyvis has no type hints
    """A ``pyvis.network.Network`` that writes civicgraph's safe, offline page.

    Everything pyvis offers for building a network works (``add_node``, ``add_edge``,
    ``set_options``, ``toggle_physics``, ``write_html``, ``show``); only the page is
    civicgraph's (see the module notes). pyvis's ``select_menu``, ``filter_menu`` and
    ``neighborhood_highlight`` belong to its own page and are not drawn.
    """

    def generate_html(
        self, name: str = "index.html", local: bool = True, notebook: bool = False
    ) -> str:
        nodes, edges, heading, height, width, options = self.get_network_data()
        self.html = render_network_page(
            nodes,
            edges,
            heading=heading,
            height=height,
            width=width,
            options=options,
            clusters=self.clusters,
        )
        return str(self.html)
