"""Readable network pages, in a real headless Chromium: labels that do not collide, edge
types told apart by a legend that matches, every node on the canvas, a focus mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgraph.graph import Graph
from civicgraph.viz import write_view
from civicgraph.viz.page import CLUSTER_AT, edge_style


def boxes(page) -> list[tuple[float, float, float, float]]:
    """The drawn labels' boxes on screen, measured with the canvas's own font."""
    return page.evaluate(
        """(() => {
          const net = civicgraph.network, ctx = document.createElement('canvas').getContext('2d');
          ctx.font = '12px arial';
          const scale = net.getScale(), out = [];
          civicgraph.nodes.get().forEach(n => {
            if (!n.label) return;
            const p = net.canvasToDOM(net.getPosition(n.id));
            const w = ctx.measureText(n.label).width * scale, h = 14 * scale;
            const top = p.y + n.size * scale + 2 * scale;
            out.push([p.x - w / 2, top, p.x + w / 2, top + h]);
          });
          return out;
        })()"""
    )


def collisions(found: list[tuple[float, float, float, float]]) -> int:
    return sum(
        1
        for i, a in enumerate(found)
        for b in found[i + 1 :]
        if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
    )


@pytest.fixture(scope="module")
def demo_graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    from civicgraph import Workspace
    from civicgraph.demo import run_demo

    result = run_demo(tmp_path_factory.mktemp("demo"), services=300, seed=4)
    with Workspace(result.workspace) as workspace:
        return workspace.graph()


@pytest.mark.parametrize("view", ["network", "partnerships", "silos"])
def test_labels_do_not_collide_and_nodes_stay_on_canvas(
    view: str, demo_graph: Graph, tmp_path: Path, open_page
) -> None:
    out = tmp_path / f"{view}.html"
    result = write_view(demo_graph, out, view=view, cluster_at=0)
    opened = open_page(out)
    page = opened.page
    found = boxes(page)
    labelled = page.evaluate("civicgraph.data.nodes.filter(n => n.showLabel).length")
    assert len(found) == labelled > 0
    # Measured with the real font the estimate may be off by a few pixels: bounded, not zero.
    assert collisions(found) <= max(2, len(found) // 50), collisions(found)
    if result.nodes > 40:
        assert labelled < result.nodes  # the rest wait for hover or zoom
    inside = page.evaluate(
        """(() => {
          const net = civicgraph.network, box = document.getElementById('cg-graph')
            .getBoundingClientRect();
          return civicgraph.data.nodes.filter(n => {
            const p = net.canvasToDOM(net.getPosition(n.id));
            return p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height;
          }).length;
        })()"""
    )
    assert inside == result.nodes
    assert opened.errors == [] and opened.violations() == []


def test_edge_legend_matches_the_edges_and_each_type_is_distinct(
    demo_graph: Graph, tmp_path: Path, open_page
) -> None:
    out = tmp_path / "network.html"
    write_view(demo_graph, out, cluster_at=0)
    page = open_page(out).page
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
    assert len(legend) >= 5
    assert {tuple(entry) for entry in drawn} == {tuple(entry) for entry in legend}
    styles = [(colour, dashes) for _, colour, dashes in legend]
    assert len(set(styles)) == len(styles)  # no two types look alike
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
