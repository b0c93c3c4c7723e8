"""``civicgraph.viz.to_pyvis``: a pyvis network with civicgraph's layout, colours and safe page,
opened in a real headless Chromium with networking disabled, like the network pages.

The control test shows that pyvis's own page runs a script put in its heading, so the
checks here can fail; civicgraph's page runs nothing, whatever the data or the caller adds.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from handmade import Town
from helpers import missing
from PIL import Image

from civicgraph.graph import Graph
from civicgraph.viz import build_view, to_pyvis
from civicgraph.viz._layout import layout
from civicgraph.viz.page import CLUSTER_AT, page_data

try:
    import pyvis.network as pyvis_network
except ImportError:  # the dev extra installs it
    pyvis_network = None


@pytest.fixture(autouse=True)
def _needs_pyvis() -> None:
    if pyvis_network is None:
        missing("pyvis is not installed (pip install -e '.[dev]' has it)")


IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
HREF = '<a href="javascript:alert(3)" onmouseover="alert(4)">link</a>'


def hostile_town() -> Graph:
    t = Town()
    t.area("E01000001", "Middle Ward")
    t.location("L1", "Hall", address="1 High St")
    t.in_area("L1", "E01000001")
    t.org("O1", IMG)
    t.org("O2", SCRIPT)
    t.org("O3", HREF)  # pyvis's own page turns to innerHTML popups on "href"
    t.org("O4", "Advice centre")
    t.service("S1", "O1", name="Lunch club", at=("L1",), description=HREF)
    t.service("S2", "O2", name="Debt advice", at=("L1",))
    t.service("S3", "O3", name="Food parcels")
    t.service("S4", "O4", name="Benefits advice", at=("L1",))
    t.refer("S1", "S2", 5)
    t.refer("S3", "S4", 4)
    t.partner("O3", "O4")
    return t.g


def wait_until(condition: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def hover(page: Any, node: str, expected: str) -> str:
    """Move the mouse onto a node and return the tooltip's text once it shows ``expected``."""
    x, y = page.evaluate(
        "id => { const p = civicgraph.network.getPosition(id);"
        " const d = civicgraph.network.canvasToDOM(p); return [d.x, d.y]; }",
        node,
    )
    box = page.locator("#cg-network").bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    tooltip = page.locator("div.vis-tooltip")
    wait_until(lambda: expected in (tooltip.text_content() or ""))
    return str(tooltip.text_content() or "")


def test_the_network_carries_the_frozen_layout_colours_and_tooltips() -> None:
    graph = hostile_town()
    net = to_pyvis(graph, seed=3)
    assert isinstance(net, pyvis_network.Network)
    view = build_view(graph, seed=3)
    positions = layout(view, seed=3)
    assert {n["id"] for n in net.nodes} == set(view.nodes) == set(net.node_ids)
    for node in net.nodes:
        assert (node["x"], node["y"]) == positions[node["id"]]
        assert node["physics"] is False and node["color"].startswith("#")
    assert net.options.physics.enabled is False
    assert len(net.edges) == len(view.edges)
    titles = {n["id"]: n["title"] for n in net.nodes}
    assert titles["O1"].splitlines()[:2] == [IMG, "Organization"]
    # The same colour for the same type; a different one for another.
    colours = {n["type"]: n["color"] for n in net.nodes}
    assert len(set(colours.values())) == len(colours)


def test_in_chromium_it_draws_everything_runs_nothing_and_fetches_nothing(
    tmp_path: Path, open_page
) -> None:
    graph = hostile_town()
    net = to_pyvis(graph)
    net.heading = f"{SCRIPT} network"  # as an ego view's title names its focus
    path = tmp_path / "town.html"
    net.write_html(str(path))
    text = path.read_text(encoding="utf-8")
    assert SCRIPT not in text and IMG not in text and HREF not in text
    opened = open_page(path)
    page = opened.page
    drawn = page.evaluate(
        "[civicgraph.network.body.nodeIndices.length, civicgraph.network.body.edgeIndices.length]"
    )
    assert drawn == [len(net.nodes), len(net.edges)]
    # The layout is the frozen one (vis-network reports whole pixels), and the colours ours.
    placed = page.evaluate("civicgraph.network.getPositions()")
    for node in net.nodes:
        assert placed[node["id"]]["x"] == pytest.approx(node["x"], abs=1)
        assert placed[node["id"]]["y"] == pytest.approx(node["y"], abs=1)
        shown = page.evaluate(
            "id => civicgraph.network.body.nodes[id].options.color.background", node["id"]
        )
        assert shown == node["color"]
    assert page.locator("h1").text_content() == net.heading  # the heading, as text
    for node, name in (("O1", IMG), ("O2", SCRIPT), ("O3", HREF)):
        assert name in hover(page, node, name)
    assert page.locator("img").count() == 0 and page.locator("a").count() == 0
    assert page.evaluate("document.scripts.length") == 4  # data, vis-network, clusters, boot
    shot = Image.open(io.BytesIO(page.locator("#cg-network").screenshot())).convert("L")
    assert sum(shot.histogram()[:200]) > 200, "the network canvas is blank"
    assert opened.dialogs == [] and opened.errors == [] and opened.violations() == []
    assert opened.requests == [path.resolve().as_uri()]


def test_what_a_caller_adds_through_pyvis_is_safe_too(tmp_path: Path, open_page) -> None:
    """Both of pyvis's holes stay shut for nodes and headings added with pyvis's own API."""
    net = to_pyvis(hostile_town())
    net.heading = SCRIPT
    net.add_node("extra", label="extra", title=f"see {HREF} and {IMG}", x=0, y=0, physics=False)
    path = tmp_path / "extra.html"
    net.write_html(str(path))
    opened = open_page(path)
    assert f"see {HREF} and {IMG}" in hover(opened.page, "extra", "see")
    assert opened.page.locator("h1").text_content() == SCRIPT
    assert opened.page.locator("img").count() == 0
    assert opened.dialogs == [] and opened.errors == [] and opened.violations() == []


def test_control_pyvis_own_page_runs_its_heading(tmp_path: Path, open_page) -> None:
    net = pyvis_network.Network(heading=SCRIPT, cdn_resources="in_line")
    net.add_node(1, label="one")
    path = tmp_path / "pyvis.html"
    net.write_html(str(path))
    opened = open_page(path, wait_ready=False)
    assert wait_until(lambda: opened.dialogs != [], 10)  # alert(2) ran: the hole is real
    assert any("cdn.jsdelivr.net" in url for url in opened.requests)  # and it asks a CDN


def test_without_pyvis_the_error_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from civicgraph import UsageError

    monkeypatch.setitem(sys.modules, "civicgraph.viz._pyvis", None)
    with pytest.raises(UsageError, match=r"pip install 'civicgraph\[pyvis\]'"):
        to_pyvis(hostile_town())


def test_the_network_is_filled_without_pyvis_quadratic_adds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pyvis's add_node and add_edge check membership in lists (quadratic: from_nx took 30 s
    at 10,000 nodes); to_pyvis fills the lists directly, so it never calls them."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("to_pyvis called pyvis's quadratic add_node/add_edge")

    monkeypatch.setattr(pyvis_network.Network, "add_node", refuse)
    monkeypatch.setattr(pyvis_network.Network, "add_edge", refuse)
    t = Town()
    for i in range(2000):
        t.org(f"O{i}", f"Org {i}")
    for i in range(0, 2000, 2):
        t.partner(f"O{i}", f"O{i + 1}")
    net = to_pyvis(t.g)
    assert len(net.nodes) == 2000 and len(net.edges) == 1000
    assert net.num_nodes() == 2000 and net.get_node("O7")["label"] == "Org 7"


def large_town() -> Graph:
    """Over CLUSTER_AT nodes: three sectors (one named with markup) and some buildings."""
    t = Town()
    for prefix, sector in (("A", "health"), ("B", IMG), ("C", "housing")):
        t.ring_of_orgs(prefix, 80, sector=sector)
    for i in range(30):
        t.location(f"L{i}", f"Hall {i}")
    assert t.g.number_of_nodes() >= CLUSTER_AT
    return t.g


def test_a_large_network_is_clustered_as_the_pages_cluster_it() -> None:
    graph = large_town()
    net = to_pyvis(graph)
    page = page_data(build_view(graph))
    assert net.clusters == page["clusters"] and len(net.clusters) >= 4
    assert {n["id"]: n["cluster"] for n in net.nodes} == {
        n["id"]: n["cluster"] for n in page["nodes"]
    }
    assert sum(c["count"] for c in net.clusters) == len(net.nodes)
    # Below the threshold (the small town) or with cluster_at=0, nothing folds.
    assert to_pyvis(hostile_town()).clusters == []
    unfolded = to_pyvis(graph, cluster_at=0)
    assert unfolded.clusters == [] and all("cluster" not in n for n in unfolded.nodes)


def test_in_chromium_the_clusters_fold_expand_on_a_click_and_collapse(
    tmp_path: Path, open_page
) -> None:
    net = to_pyvis(large_town())
    path = tmp_path / "large.html"
    net.write_html(str(path))
    opened = open_page(path)
    page = opened.page
    clusters = net.clusters
    assert page.evaluate("civicgraph.drawnNodes()") == len(clusters) < len(net.nodes)
    # Click the largest cluster where it is drawn: its members come out, the rest stay.
    big = clusters[0]
    x, y = page.evaluate(
        "id => { const d = civicgraph.network.canvasToDOM(civicgraph.network.getPosition(id));"
        " return [d.x, d.y]; }",
        "cluster:" + big["key"],
    )
    box = page.locator("#cg-network").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.evaluate("civicgraph.expanded") == [big["key"]]
    assert page.evaluate("civicgraph.drawnNodes()") == len(clusters) - 1 + big["count"]
    # A cluster named with markup shows it as text in its tooltip.
    hostile = next(c for c in clusters if IMG in c["key"])
    assert IMG in hover(page, "cluster:" + hostile["key"], IMG)
    page.locator("#cg-collapse").click()
    assert page.evaluate("civicgraph.drawnNodes()") == len(clusters)
    assert page.locator("#cg-collapse").is_hidden()
    assert page.locator("img").count() == 0
    assert opened.dialogs == [] and opened.errors == [] and opened.violations() == []
    assert opened.requests == [path.resolve().as_uri()]
