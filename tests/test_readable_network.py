"""Readable network pages, in a real headless Chromium: labels that do not collide nor cover
other nodes' dots (counted from what the page itself draws on its canvas, on every view, as
opened, in focus mode and zoomed in), edge types told apart by a legend that matches, every
node on the canvas, a focus mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.graph import Graph
from civicgraph.viz import write_view
from civicgraph.viz.page import CLUSTER_AT, edge_style

DRAWN_LABELS = """(() => {
  // Every text the page draws on its canvas in one redraw, with its box on screen, as
  // measured by the canvas itself (font, alignment and transform as drawn).
  const canvas = document.querySelector('#cg-graph canvas'), out = [];
  const ratio = canvas.width / canvas.clientWidth;
  const proto = CanvasRenderingContext2D.prototype, fill = proto.fillText;
  proto.fillText = function (text, x, y) {
    if (this.canvas === canvas && String(text).trim()) {
      const m = this.measureText(text), t = this.getTransform();
      const xs = [x - m.actualBoundingBoxLeft, x + m.actualBoundingBoxRight]
        .map(v => v * t.a + t.e);
      const ys = [y - m.actualBoundingBoxAscent, y + m.actualBoundingBoxDescent]
        .map(v => v * t.d + t.f);
      out.push([String(text), Math.min(...xs) / ratio, Math.min(...ys) / ratio,
                Math.max(...xs) / ratio, Math.max(...ys) / ratio]);
    }
    return fill.apply(this, arguments);
  };
  try { civicgraph.network.redraw(); } finally { proto.fillText = fill; }
  const w = canvas.clientWidth, h = canvas.clientHeight;
  return out.filter(b => b[3] > 0 && b[1] < w && b[4] > 0 && b[2] < h);
})()"""


def drawn_labels(page) -> list[tuple[str, float, float, float, float]]:
    """The labels on screen, from the page's own drawing."""
    return [tuple(found) for found in page.evaluate(DRAWN_LABELS)]


def collisions(found: list[tuple[str, float, float, float, float]]) -> list[tuple[str, str]]:
    """Pairs of drawn labels whose boxes overlap by more than a pixel each way."""
    return [
        (a[0], b[0])
        for i, a in enumerate(found)
        for b in found[i + 1 :]
        if a[1] < b[3] - 1 and b[1] < a[3] - 1 and a[2] < b[4] - 1 and b[2] < a[4] - 1
    ]


COVERED_DOTS = """(labels) => {
  // Drawn node labels that cover another node's dot on screen: [label, the dot's node].
  // A label's own node is the labelled node of that text nearest it (above or below).
  // Faded dots (focus mode) and the labels of the node the page or the click is about
  // (which may cover dots) are left out.
  const net = civicgraph.network, scale = net.getScale(), kept = civicgraph.kept;
  const canvas = document.querySelector('#cg-graph canvas');
  const w = canvas.clientWidth, h = canvas.clientHeight;
  const about = new Set(civicgraph.data.nodes.filter(n => n.focus).map(n => n.id));
  if (civicgraph.focusId) about.add(civicgraph.focusId);
  const dots = net.body.nodeIndices.map(id => {
    const node = net.body.nodes[id];
    if (!node || node.options.hidden || (kept && !kept.has(id))) return null;
    const p = net.canvasToDOM({x: node.x, y: node.y}), r = (node.options.size || 0) * scale;
    return {id: id, label: node.options.label || "", box: [p.x - r, p.y - r, p.x + r, p.y + r]};
  }).filter(d => d && d.box[2] > 0 && d.box[0] < w && d.box[3] > 0 && d.box[1] < h);
  const out = [];
  labels.forEach(([text, x0, y0, x1, y1]) => {
    const mine = dots.filter(d => d.label === text);
    if (!mine.length) return;  // a silo group's name or a cluster's label
    const off = d => Math.abs((d.box[0] + d.box[2]) / 2 - (x0 + x1) / 2)
      + Math.min(Math.abs(d.box[3] - y0), Math.abs(d.box[1] - y1));
    const owner = mine.reduce((a, b) => (off(a) <= off(b) ? a : b));
    if (about.has(owner.id)) return;
    dots.forEach(d => {
      const [a0, b0, a1, b1] = d.box;
      if (d !== owner && x0 < a1 - 1 && a0 < x1 - 1 && y0 < b1 - 1 && b0 < y1 - 1) {
        out.push([text, d.id]);
      }
    });
  });
  return out;
}"""


def covered_dots(page, labels: list[tuple[str, float, float, float, float]]) -> list[list[str]]:
    """Drawn labels that cover another node's dot: [label, that node]."""
    return list(page.evaluate(COVERED_DOTS, [list(found) for found in labels]))


def off_canvas(page) -> int:
    """How many drawn nodes (or folded clusters) sit outside the canvas."""
    return page.evaluate(
        """(() => {
          const net = civicgraph.network, box = document.getElementById('cg-graph')
            .getBoundingClientRect();
          return net.body.nodeIndices.filter(id => {
            const p = net.canvasToDOM(net.getPosition(id));
            return !(p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height);
          }).length;
        })()"""
    )


def legend_matches_edges(page) -> None:
    legend = page.evaluate(
        """Array.from(document.querySelectorAll('#cg-edge-legend li')).map(li => {
          const line = li.querySelector('line');
          return [li.textContent, line.getAttribute('stroke'),
                  line.getAttribute('stroke-dasharray') || 'solid'];
        })"""
    )
    drawn = page.evaluate(
        "civicgraph.edges.get().map(e => [civicgraph.data.edges[e.id].type, e.color.color,"
        " e.dashes ? e.dashes.join(' ') : 'solid'])"
    )
    assert {tuple(entry) for entry in drawn} == {tuple(entry) for entry in legend}
    styles = [(colour, dashes) for _, colour, dashes in legend]
    assert len(set(styles)) == len(styles)  # no two types look alike


def click_node(page, node_id: str) -> None:
    point = page.evaluate(
        "id => civicgraph.network.canvasToDOM(civicgraph.network.getPosition(id))", node_id
    )
    box = page.locator("#cg-graph").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def zoom_in(page, times: float) -> None:
    """Zoom about the canvas's centre as the mouse wheel does, and wait for the labels."""
    box = page.locator("#cg-graph").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    scale = page.evaluate("civicgraph.network.getScale()")
    while page.evaluate("civicgraph.network.getScale()") < scale * times:
        page.mouse.wheel(0, -200)
    page.wait_for_timeout(200)


def check_readable(page, nodes: int) -> dict[str, int]:
    """Labels drawn without collisions or covering other nodes' dots, and every drawn node
    on the canvas: as opened, in focus mode (the largest drawn node clicked) and zoomed in;
    the counts of labels."""
    counts = {}
    assert off_canvas(page) == 0
    opened = drawn_labels(page)
    assert collisions(opened) == [], collisions(opened)
    assert covered_dots(page, opened) == []
    counts["opened"] = len(opened)
    labelled = page.evaluate("civicgraph.labelled")  # nodes' labels; clusters' come on top
    assert len(opened) >= labelled and len(opened) > 0
    if nodes > 40:
        assert labelled < nodes  # the rest wait for hover or zoom
    hub = page.evaluate(
        "civicgraph.network.body.nodeIndices.slice().sort((a, b) =>"
        " civicgraph.network.body.nodes[b].options.size - civicgraph.network.body.nodes[a]"
        ".options.size)[0]"
    )
    click_node(page, hub)
    focused = drawn_labels(page)
    assert collisions(focused) == [], collisions(focused)
    assert covered_dots(page, focused) == []
    counts["focused"] = len(focused)
    zoom_in(page, 3)
    zoomed = drawn_labels(page)
    assert collisions(zoomed) == [], collisions(zoomed)
    assert covered_dots(page, zoomed) == []
    counts["zoomed"] = len(zoomed)
    return counts


@pytest.fixture(scope="module")
def demo_graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    from civicgraph import Workspace
    from civicgraph.demo import run_demo

    result = run_demo(tmp_path_factory.mktemp("demo"), services=300, seed=4)
    with Workspace(result.workspace) as workspace:
        return workspace.graph()


def changed_town(folder: Path, services: int) -> Path:
    """A workspace holding two snapshots of the synthetic town, with planted changes."""
    from civicgraph import Workspace
    from civicgraph.ingest import ingest
    from civicgraph.synth import synth_changes

    sources, _, _ = synth_changes(folder / "town", services=services, seed=3)
    with Workspace(folder / "ws.db") as ws:
        for source in sources:
            ingest(ws, source.kind, str(source.path), name=source.name,
                   snapshot_date=source.snapshot_date)  # fmt: skip
    return folder / "ws.db"


def busiest(graph: Graph, kind: str) -> str:
    """The node of ``kind`` with the most edges (an area: the most placed in it)."""
    found = [n for n, data in graph.nodes(data=True) if data.get("type") == kind]
    return max(found, key=lambda n: (graph.degree(n), n))


@pytest.mark.parametrize(
    "view", ["network", "clustered", "partnerships", "silos", "area", "ego", "changes"]
)
def test_labels_never_collide_and_nodes_stay_on_canvas_on_every_view(
    view: str, demo_graph: Graph, tmp_path: Path, open_page
) -> None:
    from civicgraph import Workspace

    out = tmp_path / f"{view}.html"
    options: dict = {"cluster_at": 0}
    source: Graph | Workspace = demo_graph
    if view == "clustered":
        options = {"view": "network"}
    elif view == "area":
        options |= {"view": "area", "area": busiest(demo_graph, "Area")}
    elif view == "ego":
        options |= {"view": "ego", "focus": busiest(demo_graph, "Organization"), "depth": 2}
    elif view == "changes":
        source = Workspace(changed_town(tmp_path, 300))
        options |= {"view": "changes"}
    else:
        options |= {"view": view}
    try:
        result = write_view(source, out, **options)
    finally:
        if isinstance(source, Workspace):
            source.close()
    assert result.nodes >= 20
    opened = open_page(out)
    page = opened.page
    legend_matches_edges(page)
    if view == "clustered":
        assert page.evaluate("civicgraph.drawnNodes()") < result.nodes
    check_readable(page, result.nodes)
    assert opened.errors == [] and opened.violations() == []


@pytest.mark.slow
def test_labels_never_collide_at_two_thousand_nodes(tmp_path: Path, open_page) -> None:
    from civicgraph import Workspace

    with Workspace(changed_town(tmp_path, 800)) as ws:
        graph = ws.graph()
        pages = {
            "network": write_view(graph, tmp_path / "network.html", cluster_at=0),
            "clustered": write_view(graph, tmp_path / "clustered.html"),
            "area": write_view(
                graph, tmp_path / "area.html", view="area", area=busiest(graph, "Area")
            ),
        }
    assert pages["network"].nodes >= 1500
    for name, result in pages.items():
        opened = open_page(result.path)
        counts = check_readable(opened.page, result.nodes)
        assert counts["opened"] >= 10, (name, counts)
        assert opened.errors == [], opened.errors


def test_edge_legend_matches_the_edges_and_each_type_is_distinct(
    demo_graph: Graph, tmp_path: Path, open_page
) -> None:
    out = tmp_path / "network.html"
    write_view(demo_graph, out, cluster_at=0)
    page = open_page(out).page
    assert page.locator("#cg-edge-legend li").count() >= 5
    legend_matches_edges(page)
    assert edge_style("SOMETHING_NEW") == edge_style("SOMETHING_NEW")


def test_clicking_a_node_fades_all_but_its_neighbours(
    demo_graph: Graph, tmp_path: Path, open_page
) -> None:
    out = tmp_path / "network.html"
    result = write_view(demo_graph, out, cluster_at=0)
    page = open_page(out).page
    hub = page.evaluate("civicgraph.data.nodes.slice().sort((a, b) => b.size - a.size)[0].id")
    neighbours = page.evaluate(f"civicgraph.network.getConnectedNodes({hub!r}).length")
    point = page.evaluate(
        "id => civicgraph.network.canvasToDOM(civicgraph.network.getPosition(id))", hub
    )
    box = page.locator("#cg-graph").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.evaluate("civicgraph.faded") == result.nodes - neighbours - 1
    assert page.locator("#cg-info-title").text_content()
    page.mouse.click(box["x"] + 3, box["y"] + 3)
    assert page.evaluate("civicgraph.faded") == 0


def test_a_large_network_opens_clustered_and_a_click_expands_a_cluster(
    demo_graph: Graph, tmp_path: Path, open_page
) -> None:
    out = tmp_path / "network.html"
    result = write_view(demo_graph, out)
    assert result.nodes >= CLUSTER_AT
    opened = open_page(out)
    page = opened.page
    clusters = page.evaluate("civicgraph.data.clusters")
    keys = page.evaluate("civicgraph.data.nodes.map(n => n.cluster)")
    assert sum(c["count"] for c in clusters) == len(keys) == result.nodes
    assert {c["key"] for c in clusters} == set(keys)
    drawn = page.evaluate("civicgraph.drawnNodes()")
    assert drawn == len(clusters) < result.nodes
    assert page.evaluate("civicgraph.nodes.get().filter(n => !n.hidden).length") == result.nodes
    # Click the largest cluster on screen: its members come out, the rest stay folded.
    big = clusters[0]
    point = page.evaluate(
        "id => civicgraph.network.canvasToDOM(civicgraph.network.getPosition(id))",
        "cluster:" + big["key"],
    )
    box = page.locator("#cg-graph").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.evaluate("civicgraph.expanded") == [big["key"]]
    assert page.evaluate("civicgraph.drawnNodes()") == len(clusters) - 1 + big["count"]
    assert "click one to expand" in page.locator("#cg-counts").text_content()
    page.locator("#cg-collapse").click()
    assert page.evaluate("civicgraph.drawnNodes()") == len(clusters)
    assert page.locator("#cg-collapse").is_hidden()
    assert opened.errors == [] and opened.violations() == [] and opened.dialogs == []


def test_silo_groups_are_laid_apart_with_their_names(demo_graph: Graph) -> None:
    from civicgraph.viz import build_view
    from civicgraph.viz.page import page_data

    data = page_data(build_view(demo_graph, view="silos"))
    names = {n["group"] for n in data["nodes"]}
    assert {g["label"] for g in data["groups"]} == names and len(names) >= 2
    boxes: dict[str, list[float]] = {}
    for n in data["nodes"]:
        box = boxes.setdefault(n["group"], [1e9, 1e9, -1e9, -1e9])
        box[:] = [
            min(box[0], n["x"]),
            min(box[1], n["y"]),
            max(box[2], n["x"]),
            max(box[3], n["y"]),
        ]
    groups = list(boxes.values())
    for i, a in enumerate(groups):
        for b in groups[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
