"""Network pages, opened in a real headless Chromium with networking disabled.

Each page must draw exactly the nodes and edges asked for (read from its vis-network
instance), show hostile names as text without running anything, fetch nothing, keep
its Content-Security-Policy, and let a reader find a node.
"""

from __future__ import annotations

import io
import math
import re
import time
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from handmade import Town
from PIL import Image

from civicgraph.errors import UsageError
from civicgraph.graph import Graph
from civicgraph.viz import build_view, write_view
from civicgraph.viz.page import PALETTE, json_for_html, page_data

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
CLOSE = "</script><script>alert(2)</script>"


def wait_until(condition: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def drawn(opened: Any) -> tuple[int, int]:
    """The nodes and edges drawn; a clustered page's clusters are each expanded first."""
    clusters = opened.page.evaluate("civicgraph.data.clusters.map(c => 'cluster:' + c.key)")
    if clusters:
        assert opened.page.evaluate("civicgraph.drawnNodes()") == len(clusters)
        opened.page.evaluate("ids => ids.forEach(id => civicgraph.expand(id))", clusters)
    counts = opened.page.evaluate(
        "[civicgraph.network.body.nodeIndices.length, civicgraph.network.body.edgeIndices.length]"
    )
    return int(counts[0]), int(counts[1])


def town() -> Graph:
    """Two organisations with hostile names, services, a shared building, an area."""
    t = Town()
    t.area("E01000001", "Middle Ward")
    t.area("E01000002", "North Ward")
    t.location("L1", "Hall", address="1 High St")
    t.in_area("L1", "E01000001")
    t.org("O1", IMG, website="javascript:alert(3)")
    t.org("O2", SCRIPT, website="https://example.org/o2")
    t.org("O3", "Food bank")
    t.org("O4", "Advice centre")
    t.concept("C1", "Food")
    t.concept("C2", "Advice")
    t.service("S1", "O1", name="Lunch club", terms=("C1",), at=("L1",), description=CLOSE)
    t.service("S2", "O2", name="Debt advice", terms=("C2",), at=("L1",))
    t.service("S3", "O3", name="Food parcels", terms=("C1",), serves=("E01000002",))
    t.service("S4", "O4", name="Benefits advice", terms=("C2",), at=("L1",))
    t.refer("S1", "S2", 5)
    t.refer("S3", "S4", 4)
    t.refer("S2", "S1", 2)
    t.partner("O3", "O4")
    return t.g


def expected_network(graph: Graph) -> tuple[int, int]:
    """Non-taxonomy nodes, and distinct (source, target, type) edges among them."""
    kept = {n for n, d in graph.nodes(data=True) if d["type"] != "Concept"}
    edges = {(u, v, d["type"]) for u, v, d in graph.edges(data=True) if u in kept and v in kept}
    return len(kept), len(edges)


def test_network_draws_what_was_asked_for_and_a_picture(tmp_path: Path, open_page) -> None:
    graph = town()
    result = write_view(graph, tmp_path / "town.html")
    assert (result.nodes, result.edges) == expected_network(graph)
    opened = open_page(result.path)
    assert drawn(opened) == (result.nodes, result.edges)
    shot = Image.open(io.BytesIO(opened.page.locator("#cg-graph").screenshot())).convert("L")
    dark = sum(shot.histogram()[:200])
    assert dark > 200, "the network canvas is blank"
    assert opened.dialogs == [] and opened.errors == [] and opened.violations() == []


def test_hostile_names_show_as_text_and_run_nothing(tmp_path: Path, open_page) -> None:
    result = write_view(town(), tmp_path / "town.html")
    text = result.path.read_text()
    assert IMG not in text and SCRIPT not in text and CLOSE not in text
    opened = open_page(result.path)
    page = opened.page
    for name, node in ((IMG, "O1"), (SCRIPT, "O2")):
        page.fill("#cg-query", name)
        page.press("#cg-query", "Enter")
        assert page.locator("#cg-info-title").text_content() == name
        assert page.locator("#cg-matches button").first.text_content() == f"{name} (Organization)"
        # The tooltip shows the name as text too.
        x, y = page.evaluate(
            "id => { const p = civicgraph.network.getPosition(id);"
            " const d = civicgraph.network.canvasToDOM(p); return [d.x, d.y]; }",
            node,
        )
        box = page.locator("#cg-graph").bounding_box()
        page.mouse.move(box["x"] + 5, box["y"] + 5)
        page.mouse.move(box["x"] + x, box["y"] + y, steps=3)
        tooltip = page.locator("div.vis-tooltip")
        assert wait_until(lambda n=name, t=tooltip: n in (t.text_content() or ""))
    # Only http(s) links are offered: O1's javascript: website is not.
    page.evaluate("civicgraph.focusNode('O1')")
    assert page.locator("#cg-info-links a").count() == 0
    page.evaluate("civicgraph.focusNode('O2')")
    assert page.locator("#cg-info-links a").get_attribute("href") == "https://example.org/o2"
    assert page.locator("img").count() == 0
    assert page.evaluate("document.scripts.length") == 4  # data, vis-network, clusters, the page
    assert opened.dialogs == []
    assert opened.errors == []
    assert opened.violations() == []


def test_page_fetches_nothing_and_keeps_its_policy(tmp_path: Path, open_page) -> None:
    result = write_view(town(), tmp_path / "town.html")
    opened = open_page(result.path)
    assert opened.requests == [result.path.resolve().as_uri()]
    policy = opened.page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute(
        "content"
    )
    assert "default-src 'none'" in policy and "unsafe-eval" not in policy
    script_policy = re.search(r"script-src ([^;]+);", policy)
    assert script_policy is not None and "unsafe-inline" not in script_policy.group(1)
    assert opened.violations() == []


def test_search_focuses_the_node(tmp_path: Path, open_page) -> None:
    result = write_view(town(), tmp_path / "town.html")
    page = open_page(result.path).page
    page.fill("#cg-query", "food parcels")
    page.click("#cg-search button[type=submit]")
    assert page.evaluate("civicgraph.network.getSelectedNodes()") == ["S3"]
    centre, node = page.evaluate(
        "[civicgraph.network.getViewPosition(), civicgraph.network.getPosition('S3')]"
    )
    assert math.dist((centre["x"], centre["y"]), (node["x"], node["y"])) < 1.0
    assert page.locator("#cg-info-title").text_content() == "Food parcels"


def test_filters_sit_beside_the_graph_and_hide_nodes(tmp_path: Path, open_page) -> None:
    graph = town()
    result = write_view(graph, tmp_path / "town.html")
    opened = open_page(result.path)
    page = opened.page
    side = page.locator("#cg-side").bounding_box()
    picture = page.locator("#cg-graph").bounding_box()
    assert side["x"] + side["width"] <= picture["x"]
    services = sum(1 for _, d in graph.nodes(data=True) if d["type"] == "Service")
    page.locator("#cg-filter-type label", has_text="Service").locator("input").uncheck()
    assert drawn(opened)[0] == result.nodes - services
    page.locator("#cg-filter-type label", has_text="Service").locator("input").check()
    assert drawn(opened)[0] == result.nodes
    # Areas: a node shows while any of its areas is ticked; nodes with no area always show.
    view = build_view(graph)
    only_there = [n for n in view.nodes.values() if n.areas == ["E01000001"]]
    assert only_there
    for facet in ("area", "sector"):
        page.locator("summary", has_text=facet.capitalize()).click()
    page.locator("#cg-filter-area label", has_text="E01000001").locator("input").uncheck()
    assert drawn(opened)[0] == result.nodes - len(only_there)
    page.locator("#cg-filter-sector label", has_text="Food").locator("input").uncheck()
    food = [n for n in view.nodes.values() if n.sector == "Food" and n not in only_there]
    assert food and drawn(opened)[0] == result.nodes - len(only_there) - len(food)


def test_physics_can_be_switched_on(tmp_path: Path, open_page) -> None:
    result = write_view(town(), tmp_path / "town.html")
    page = open_page(result.path).page
    assert page.evaluate("civicgraph.network.physics.physicsEnabled") is False
    page.check("#cg-physics")
    assert page.evaluate("civicgraph.network.physics.physicsEnabled") is True


def test_ego_view_reaches_its_depth_and_stops_at_areas_and_terms() -> None:
    graph = town()
    one = build_view(graph, view="ego", focus="O3", depth=1)
    assert set(one.nodes) == {"O3", "S3", "O4"}  # its service and its partner
    two = build_view(graph, view="ego", focus="O3", depth=2)
    # S3's term C1 and area E01000002 are shown but not walked through; O4's service S4.
    assert set(two.nodes) == {"O3", "S3", "O4", "C1", "E01000002", "S4"}
    by_name = build_view(graph, view="ego", focus="food bank", depth=0)
    assert set(by_name.nodes) == {"O3"}


def test_area_view_holds_what_is_placed_there() -> None:
    view = build_view(town(), view="area", area="E01000001")
    assert set(view.nodes) == {"E01000001", "L1", "S1", "S2", "S4", "O1", "O2", "O4"}


def test_silos_and_partnerships_views(tmp_path: Path, open_page) -> None:
    t = Town()
    for org, sector in [("A", "housing"), ("B", "housing"), ("C", "housing")]:
        t.org(org, sector=sector)
    for org, sector in [("D", "health"), ("E", "health"), ("F", "health")]:
        t.org(org, sector=sector)
    for u, v in ["AB", "BC", "CA", "DE", "EF", "FD"]:
        t.refer(u, v, 10)
    t.refer("C", "D", 1)
    t.location("L", "Shared hall")
    t.operates("A", "L")
    t.operates("E", "L")
    silos = build_view(t.g, view="silos")
    assert {n.group for n in silos.nodes.values()} == {"group 1, E-I -0.50", "group 2, E-I -0.50"}
    assert len(silos.edges) == 7
    partners = build_view(t.g, view="partnerships")
    dashed = [e for e in partners.edges if e.dashed]
    assert {frozenset((e.source, e.target)) for e in dashed} >= {frozenset("AE")}
    assert all("shared building" in e.reason for e in dashed if {e.source, e.target} == set("AE"))
    result = write_view(t.g, tmp_path / "partners.html", view="partnerships")
    opened = open_page(result.path)
    assert drawn(opened) == (len(partners.nodes), len(partners.edges))
    assert opened.page.evaluate("civicgraph.edges.get().filter(e => e.dashes).length") == len(
        dashed
    )


def test_large_views_fold_and_say_so() -> None:
    graph = town()
    folded = build_view(graph, max_nodes=8)
    assert folded.size <= 8
    assert "folded into their organisations" in " ".join(folded.notes)
    services = [n for n in folded.nodes.values() if n.type == "Service"]
    assert services == []
    areas = build_view(graph, max_nodes=3)
    assert areas.size <= 3
    assert "super-nodes" in " ".join(areas.notes)
    with pytest.raises(UsageError, match="raise `max_nodes`"):
        build_view(graph, max_nodes=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--view", "ego"], "needs --focus"),
        (["--view", "ego", "--focus", "nobody"], "not a node id or name"),
        (["--view", "area", "--area", "E09999999"], "not an area"),
        (["--max-nodes", "1"], "--max-nodes"),
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, run_cli, args: list[str], message: str) -> None:
    from handmade import small_town_workspace

    db = tmp_path / "w.db"
    small_town_workspace(db).close()
    result = run_cli("--db", db, "viz", *args, "--out", tmp_path / "x.html")
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_sizes_follow_the_measure_and_colours_the_choice() -> None:
    graph = town()
    for grant, recipient, amount in [("G1", "O3", 5000.0), ("G2", "O4", 100.0)]:
        graph.add_node(grant, type="Grant", name=grant, amount=amount, currency="GBP")
        graph.add_node("F", type="Organization", name="Funder")
        graph.add_edge("F", grant, type="AWARDS")
        graph.add_edge(grant, recipient, type="AWARDED_TO")
    view = build_view(graph)
    by_funding = {n["id"]: n for n in page_data(view, size_by="funding")["nodes"]}
    assert by_funding["O3"]["size"] > by_funding["O4"]["size"] > by_funding["O1"]["size"]
    by_degree = {n["id"]: n for n in page_data(view, size_by="degree")["nodes"]}
    hub = max(graph.to_undirected(as_view=True).degree, key=lambda pair: pair[1])[0]
    assert by_degree[hub]["size"] == max(n["size"] for n in by_degree.values())
    simple = nx.Graph([(e.source, e.target) for e in view.edges])
    simple.add_nodes_from(view.nodes)
    centrality = nx.betweenness_centrality(simple)
    broker = max(centrality, key=lambda n: centrality[n])
    by_betweenness = {n["id"]: n for n in page_data(view, size_by="betweenness")["nodes"]}
    assert by_betweenness[broker]["size"] == max(n["size"] for n in by_betweenness.values())
    assert by_betweenness[broker]["size"] > min(n["size"] for n in by_betweenness.values())
    sectors = page_data(view, color_by="sector")
    legend = {entry["label"] for entry in sectors["legend"]}
    assert {"Food", "Advice"} <= legend
    colours = {n["id"]: n["color"] for n in sectors["nodes"]}
    assert colours["S1"] == colours["S3"] != colours["S2"]
    with pytest.raises(UsageError, match="`size_by` 'height'"):
        page_data(view, size_by="height")


def test_viz_and_report_commands(tmp_path: Path, run_cli) -> None:
    from handmade import small_town_workspace

    db = tmp_path / "w.db"
    small_town_workspace(db).close()
    out = tmp_path / "town.html"
    result = run_cli("--db", db, "viz", "--color", "sector", "--size", "betweenness", "--out", out)
    assert result.code == 0, result.err
    assert f"written to {out}" in result.err
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_json_cannot_close_its_element() -> None:
    text = json_for_html({"a": CLOSE + "&\u2028<!--"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


@pytest.mark.slow
def test_views_on_the_real_miami_directory(tmp_path: Path, shared_data, open_page) -> None:
    from civicgraph import Workspace
    from civicgraph.ingest import ingest

    with Workspace(tmp_path / "miami.db") as workspace:
        ingest(workspace, "hsds", str(shared_data("hsds1_miami_open211")), name="miami")
        graph = workspace.graph()
    network = write_view(graph, tmp_path / "network.html")
    assert network.nodes <= 5000 < graph.number_of_nodes()
    assert any("folded" in note for note in network.notes)
    opened = open_page(network.path)
    assert drawn(opened) == (network.nodes, network.edges)
    assert opened.errors == [] and opened.violations() == []
    organisation = max(
        (n for n, d in graph.nodes(data=True) if d["type"] == "Organization"),
        key=graph.degree,
    )
    ego = write_view(graph, tmp_path / "ego.html", view="ego", focus=organisation, depth=2)
    opened = open_page(ego.path)
    assert drawn(opened) == (ego.nodes, ego.edges)
    name = graph.nodes[organisation]["name"]
    opened.page.fill("#cg-query", organisation)
    opened.page.press("#cg-query", "Enter")
    assert opened.page.evaluate("civicgraph.network.getSelectedNodes()") == [organisation]
    assert opened.page.locator("#cg-info-title").text_content() == " ".join(name.split())[:80]
    partners = write_view(graph, tmp_path / "partners.html", view="partnerships")
    assert partners.nodes and partners.edges
    opened = open_page(partners.path)
    assert drawn(opened) == (partners.nodes, partners.edges) and opened.errors == []
    # Miami has no UK areas: the area view and the report say why instead of drawing nothing.
    with pytest.raises(UsageError, match=r"of its locations are outside the UK"):
        write_view(graph, tmp_path / "area.html", view="area", area="33101")


@pytest.fixture(scope="module")
def demo_town(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    from civicgraph import Workspace
    from civicgraph.demo import run_demo

    result = run_demo(tmp_path_factory.mktemp("demo"), services=200, seed=3)
    with Workspace(result.workspace) as workspace:
        graph = workspace.graph()
    return result.outputs["network page"], graph


def test_demo_writes_the_network_page(demo_town, open_page) -> None:
    page, graph = demo_town
    opened = open_page(page)
    assert drawn(opened) == expected_network(graph)
    assert opened.errors == [] and opened.violations() == [] and opened.dialogs == []


@pytest.mark.parametrize("view", ["silos", "partnerships"])
def test_query_views_on_the_demo(view: str, demo_town, tmp_path: Path, open_page) -> None:
    _, graph = demo_town
    built = build_view(graph, view=view)
    assert built.nodes, f"the demo town has no {view} to draw"
    result = write_view(graph, tmp_path / f"{view}.html", view=view)
    assert (result.nodes, result.edges) == (len(built.nodes), len(built.edges))
    opened = open_page(result.path)
    assert drawn(opened) == (result.nodes, result.edges)
    if view == "silos":
        groups = {n.group for n in built.nodes.values()}
        legend = opened.page.locator("#cg-legend li").all_text_contents()
        assert len(legend) == min(len(groups), len(PALETTE) + 1) and all(groups)
