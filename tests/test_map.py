"""The map page, opened in a real headless Chromium with networking disabled.

It must draw every area in scope (counted from the page's own state), shade them as its
legend says, keep hostile names as text on hover and click, fetch nothing, and refuse
layers whose data this version lacks.
"""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pytest
from PIL import Image

from civicgraph.errors import UsageError
from civicgraph.graph import Graph
from civicgraph.viz.map import map_data, write_map

IMG = "<img src=x onerror=alert(1)>"
CLOSE = "</script><script>alert(2)</script>"


def square(lon: float, lat: float, side: float = 0.01) -> dict[str, object]:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def place() -> Graph:
    """A local authority of three outlined LSOAs and one with a centroid only, an LSOA
    outside it, a hall with a service in the first, hostile names throughout."""
    g = nx.MultiDiGraph()
    g.add_node("E08000001", type="Area", name="Town", level="lad")
    for i, (name, decile) in enumerate([(IMG, 1), (CLOSE, 5), ("Riverside", 10), ("Hill", 3)]):
        code = f"E0100000{i + 1}"
        lon, lat = -1.55 + 0.01 * i, 53.80
        props = {"latitude": lat + 0.005, "longitude": lon + 0.005}
        if i < 3:
            props["geometry"] = square(lon, lat)
        g.add_node(code, type="Area", name=name, level="lsoa", imd_decile=decile,
                   population=1500, **props)  # fmt: skip
        g.add_edge(code, "E08000001", type="PART_OF")
    g.add_node("E01000009", type="Area", name="Elsewhere", level="lsoa", imd_decile=2,
               geometry=square(-2.5, 52.0), latitude=52.005, longitude=-2.495)  # fmt: skip
    g.add_node("L1", type="Location", name=IMG, latitude=53.805, longitude=-1.545)
    g.add_edge("L1", "E01000001", type="IN_AREA")
    g.add_node("O1", type="Organization", name=CLOSE)
    g.add_node("S1", type="Service", name="Lunch club")
    g.add_edge("O1", "S1", type="PROVIDES")
    g.add_edge("S1", "L1", type="AT_LOCATION")
    return g


def test_map_draws_every_area_in_scope_as_its_legend_says(tmp_path: Path, open_page) -> None:
    graph = place()
    out = tmp_path / "map.html"
    result = write_map(graph, out, within="E08000001")
    assert (result.areas, result.outlined) == (4, 3)
    assert any("drawn as circles" in note for note in result.notes)
    opened = open_page(out)
    page = opened.page
    assert page.evaluate("civicgraph.drawn") == {"polygons": 3, "circles": 1}
    assert page.locator("svg .cg-area").count() == 4
    fills = page.evaluate(
        "Array.from(document.querySelectorAll('svg .cg-area')).map(e => e.getAttribute('fill'))"
    )
    legend = page.evaluate("civicgraph.data.legend")
    colours = {entry["color"]: entry for entry in legend}
    assert set(fills) <= set(colours)
    for colour in set(fills):
        assert colours[colour]["count"] == fills.count(colour)
    # IMD decile 1 is the first legend entry's colour; decile 10 the last.
    by_code = {
        e: page.locator(f"svg [data-code='{e}']").get_attribute("fill")
        for e in ("E01000001", "E01000003")
    }
    assert by_code["E01000001"] == legend[0]["color"]
    assert by_code["E01000003"] == legend[9]["color"]
    assert page.locator("svg .cg-point").count() == 2  # the hall and its service
    # The services' type filter hides their points.
    page.locator("#cg-filter-type label", has_text="Service").locator("input").uncheck()
    assert page.evaluate("civicgraph.pointsShown") == 1
    shot = Image.open(io.BytesIO(page.screenshot())).convert("L")
    low, high = shot.getextrema()
    assert high - low > 100
    assert opened.requests == [out.resolve().as_uri()]
    assert opened.errors == [] and opened.violations() == [] and opened.dialogs == []


def test_hostile_names_stay_text_on_hover_and_click(tmp_path: Path, open_page) -> None:
    out = tmp_path / "map.html"
    result = write_map(place(), out, within="E08000001")
    assert [p.name for p in result.area_pages] == ["E01000001.html"]
    text = out.read_text()
    assert IMG not in text and "</script><script>alert" not in text
    opened = open_page(out)
    page = opened.page
    for code, name in (("E01000001", IMG), ("E01000002", CLOSE)):
        shape = page.locator(f"svg [data-code='{code}']")
        shape.hover(position={"x": 4, "y": 4})  # off the points at its middle
        assert page.locator("#cg-tooltip").text_content().startswith(f"{name} ({code})")
        shape.click(position={"x": 4, "y": 4})
        assert page.locator("#cg-info-title").text_content() == f"{name} ({code})"
    assert page.locator("img").count() == 0 and page.locator("#cg-side script").count() == 0
    link = page.locator("#cg-info-link a")
    assert link.count() == 0  # the second area has nothing placed in it
    page.locator("svg [data-code='E01000001']").click(position={"x": 4, "y": 4})
    assert page.locator("#cg-info-link a").get_attribute("href") == "map-areas/E01000001.html"
    assert opened.dialogs == [] and opened.errors == [] and opened.violations() == []
    # The area page it links to is a network page of what is placed there.
    area = open_page(result.area_pages[0])
    ids = set(area.page.evaluate("civicgraph.data.nodes.map(n => n.id)"))
    assert {"E01000001", "L1", "S1", "O1"} <= ids
    assert area.dialogs == [] and area.errors == []


def test_layers_and_scope() -> None:
    graph = place()
    # By default the scope is the local authority holding the placed data: not Elsewhere.
    default = map_data(graph)
    assert {a["code"] for a in default["areas"]} == {f"E0100000{i}" for i in range(1, 5)}
    assert "Town (E08000001)" in default["notes"][0]
    inside = map_data(graph, within="Town")
    assert {a["code"] for a in inside["areas"]} == {f"E0100000{i}" for i in range(1, 5)}
    # Every drawn area lies within the page's frame; so does every point.
    for area in inside["areas"]:
        numbers = [float(v) for v in area.get("path", "").replace("M", " ").replace("L", " ")
                   .replace("Z", " ").replace(",", " ").split()] or area["circle"][:2]  # fmt: skip
        assert all(0 <= v <= max(inside["width"], inside["height"]) for v in numbers)
    for point in inside["points"]:
        assert 0 <= point["x"] <= inside["width"] and 0 <= point["y"] <= inside["height"]
    for layer, message in (
        ("changes", "a graph alone has none"),
        ("height", "is not one of"),
    ):
        with pytest.raises(UsageError, match=message):
            map_data(graph, layer=layer)
    with pytest.raises(UsageError, match="area in the workspace"):
        map_data(graph, within="E09999999")
    with pytest.raises(UsageError, match="no msoa areas"):
        map_data(graph, level="msoa")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--layer", "gaps:"], "is not one of"),
        (["--level", "county"], "county"),
    ],
)
def test_bad_map_usage_exits_2(tmp_path: Path, run_cli, args: list[str], message: str) -> None:
    from handmade import small_town_workspace

    db = tmp_path / "w.db"
    small_town_workspace(db).close()
    result = run_cli("--db", db, "viz", "--view", "map", *args, "--out", tmp_path / "m.html")
    assert result.code == 2, result.err
    assert message in result.err
    assert "Traceback" not in result.err


def _hover_text(page, code: str) -> str:
    shape = page.locator(f"svg [data-code='{code}']")
    # A polygon off the points at its middle; a centroid circle at its centre.
    circle = shape.evaluate("e => e.tagName") == "circle"
    shape.hover(position=None if circle else {"x": 3, "y": 3})
    return str(page.locator("#cg-tooltip").text_content())


def _fills_match_legend(page) -> dict[str, str]:
    """Each area's fill is a legend colour, and each legend count is the areas so filled."""
    fills = page.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('svg .cg-area'))"
        ".map(e => [e.dataset.code, e.getAttribute('fill')]))"
    )
    legend = {entry["color"]: entry for entry in page.evaluate("civicgraph.data.legend")}
    assert set(fills.values()) <= set(legend)
    for colour, entry in legend.items():
        assert entry["count"] == list(fills.values()).count(colour), entry
    shown = page.locator("#cg-legend li").all_text_contents()
    assert [f"{e['label']} ({e['count']})" for e in legend.values()] == shown
    return {code: legend[colour]["label"] for code, colour in fills.items()}


def test_prevention_layer_shades_by_the_share_that_prevents(tmp_path: Path, open_page) -> None:
    graph = place()
    # The second area: a night shelter and crisis food parcels, so acute outweighs
    # prevention; the first: the lunch club alone, so all its provision prevents.
    graph.add_node("L2", type="Location", name="Depot", latitude=53.805, longitude=-1.535)
    graph.add_edge("L2", "E01000002", type="IN_AREA")
    for key, name in (("S2", "Night shelter"), ("S3", "Crisis food parcels")):
        graph.add_node(key, type="Service", name=name)
        graph.add_edge("O1", key, type="PROVIDES")
        graph.add_edge(key, "L2", type="AT_LOCATION")
    out = tmp_path / "prevention.html"
    write_map(graph, out, within="E08000001", layer="prevention", area_pages=False)
    opened = open_page(out)
    page = opened.page
    labels = _fills_match_legend(page)
    assert labels["E01000001"] == "prevention 75-100% of services"
    assert labels["E01000002"] == "acute outweighs prevention"
    assert labels["E01000003"] == labels["E01000004"] == "no figure"
    tip = _hover_text(page, "E01000002")
    assert tip.startswith(f"{CLOSE} (E01000002)")
    assert "acute outweighs prevention" in tip and "why: " in tip and "2 acute" in tip
    assert "prevention 100% of 1 services" in _hover_text(page, "E01000001")
    assert page.locator("img").count() == 0
    assert opened.requests == [out.resolve().as_uri()]
    assert opened.errors == [] and opened.violations() == [] and opened.dialogs == []


def test_changes_layer_marks_the_spiral(tmp_path: Path, open_page, run_cli) -> None:
    from handmade import edge, ingest_records, node
    from test_changes import _grant, _places

    from civicgraph import Workspace
    from civicgraph.ontology import EdgeType, NodeType

    svc = NodeType.SERVICE
    db = tmp_path / "w.db"
    ws = Workspace(db)
    centroids = [
        node(NodeType.AREA, code, name=name, level="lsoa", population=pop, imd_decile=decile,
             latitude=53.8, longitude=lon)
        for code, name, pop, decile, lon in (
            ("E01000001", "Town 001A", 2000, 1, -1.55), ("E01000002", "Town 001B", 1000, 9, -1.53)
        )
    ]  # fmt: skip
    before = _places(
        [
            *centroids,
            node(svc, "dir:svc:a", name="A"),
            node(svc, "dir:svc:b", name="B"),
            node(svc, "dir:svc:c", name="C"),
            edge(EdgeType.AT_LOCATION, "dir:svc:a", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:b", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:c", "dir:loc:rich"),
            *_grant("g-poor", 5000, "E01000001"),
        ]
    )
    after = _places(
        [
            *centroids,
            node(svc, "dir:svc:c", name="C"),
            node(svc, "dir:svc:d", name="D"),
            edge(EdgeType.AT_LOCATION, "dir:svc:c", "dir:loc:rich"),
            edge(EdgeType.AT_LOCATION, "dir:svc:d", "dir:loc:rich"),
        ]
    )
    ingest_records(ws, before, name="dir", snapshot_date="2025-01-15")
    ingest_records(ws, after, name="dir", snapshot_date="2025-07-15")
    ws.close()
    out = tmp_path / "changes.html"
    result = run_cli(
        "--db", db, "viz", "--view", "map", "--layer", "changes", "--within", "E02000001",
        "--no-area-pages", "--out", out,
    )  # fmt: skip
    assert result.code == 0, result.err
    opened = open_page(out)
    page = opened.page
    labels = _fills_match_legend(page)
    assert labels["E01000001"].startswith("spiral")
    assert labels["E01000002"] == "provision rose"
    tip = _hover_text(page, "E01000001")
    assert tip.startswith("Town 001A (E01000001)")
    assert "services -2 +0, -1.00 per 1,000 residents" in tip
    assert "closed dir:svc:a" in tip and "IMD decile 2 or lower" in tip
    assert page.locator("img").count() == 0
    assert opened.requests == [out.resolve().as_uri()]
    assert opened.errors == [] and opened.violations() == [] and opened.dialogs == []


@pytest.mark.slow
def test_map_of_leeds_from_real_boundaries_and_imd(tmp_path: Path, shared_data, open_page) -> None:
    from civicgraph import Workspace
    from civicgraph.ingest import ingest

    boundaries = shared_data("lsoa2011_boundaries") / "lsoa_by_lad_E08000035.json"
    imd = shared_data("imd2019_lsoa") / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
    with Workspace(tmp_path / "w.db") as workspace:
        ingest(workspace, "areas", str(boundaries))
        ingest(workspace, "areas", str(imd))
        graph = workspace.graph()
    out = tmp_path / "leeds.html"
    result = write_map(graph, out, within="E08000035", area_pages=False)
    assert (result.areas, result.outlined) == (482, 482)
    opened = open_page(out)
    assert opened.page.evaluate("civicgraph.drawn") == {"polygons": 482, "circles": 0}
    legend = opened.page.evaluate("civicgraph.data.legend")
    assert [entry["label"] for entry in legend] == [f"decile {i}" for i in range(1, 11)]
    assert sum(entry["count"] for entry in legend) == 482
    assert opened.requests == [out.resolve().as_uri()]
    assert opened.errors == [] and opened.violations() == []
