"""The report's "What changed" section: the ``area_changes`` rows of the area, from the
workspace's two snapshots; an honest absence without them."""

from __future__ import annotations

from pathlib import Path

from handmade import edge, ingest_records, node
from test_changes import SVC, _grant, _places

from civicgraph import Workspace
from civicgraph.ontology import EdgeType
from civicgraph.queries import area_changes
from civicgraph.viz.report import write_area_report


def _two_snapshots() -> Workspace:
    ws = Workspace(":memory:")
    before = _places(
        [
            node(SVC, "dir:svc:a", name="A"),
            node(SVC, "dir:svc:b", name="B"),
            edge(EdgeType.AT_LOCATION, "dir:svc:a", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:b", "dir:loc:poor"),
            *_grant("g-poor", 5000, "E01000001"),
        ]
    )
    after = _places(
        [
            node(SVC, "dir:svc:b", name="B"),
            edge(EdgeType.AT_LOCATION, "dir:svc:b", "dir:loc:poor"),
        ]
    )
    ingest_records(ws, before, name="dir", snapshot_date="2025-01-15")
    ingest_records(ws, after, name="dir", snapshot_date="2025-07-15")
    return ws


def _section(page, title: str):
    return page.locator("section", has=page.get_by_role("heading", name=title, exact=True))


def test_what_changed_shows_the_query_rows_of_the_area(tmp_path: Path, open_page) -> None:
    ws = _two_snapshots()
    graph = ws.graph()
    report = write_area_report(graph, "E01000001", tmp_path / "rep", pdf=False, workspace=ws)
    page = open_page(report.html, wait_ready=False).page
    rows = [
        [td.text_content() for td in r.locator("td").all()]
        for r in _section(page, "What changed").locator("table:not(.compare) tbody tr").all()
    ]
    expected = area_changes(ws).query("area == 'E01000001'")
    assert len(rows) == len(expected) == 2
    shown = {r[0]: (float(r[1].replace(",", "")), float(r[3].replace(",", ""))) for r in rows}
    for row in expected.to_dict("records"):
        assert shown[row["category"]] == (row["lost"], row["net"])
    assert "Downward spiral" in _section(page, "What changed").text_content()
    finding = page.locator("section.findings li").nth(4).text_content()
    assert "services -1" in finding and "grant money -5,000.00" in finding

    alone = write_area_report(graph, "E01000001", tmp_path / "alone", pdf=False)
    page = open_page(alone.html, wait_ready=False).page
    text = _section(page, "What changed").text_content()
    assert "graph only" in text and "would fill" in text
    assert _section(page, "What changed").locator("table:not(.compare) tbody tr").count() == 0


def test_the_prevention_profile_honours_the_workspace_mapping(tmp_path: Path, open_page) -> None:
    """A mapping kept by ``query prevention --mapping`` levels the report's services when the
    report is given the workspace; the graph alone knows no such mapping."""
    from test_changes import LOC

    from civicgraph.ontology import NodeType
    from civicgraph.queries import prevention

    ws = Workspace(":memory:")
    records = [
        node(NodeType.AREA, "E01000001", name="Town 001A", level="lsoa", population=2000),
        node(LOC, "dir:loc:hall", name="Hall", address="1 Low St"),
        edge(EdgeType.IN_AREA, "dir:loc:hall", "E01000001"),
        node(NodeType.CONCEPT, "dir:term:zz", name="Zebra tending"),
        node(SVC, "dir:svc:a", name="Stripes"),
        edge(EdgeType.AT_LOCATION, "dir:svc:a", "dir:loc:hall"),
        edge(EdgeType.CLASSIFIED_AS, "dir:svc:a", "dir:term:zz"),
    ]
    ingest_records(ws, records, name="dir", snapshot_date="2025-01-15")
    mapping = tmp_path / "levels.csv"
    mapping.write_text("term,level\nZebra tending,tertiary\n", encoding="utf-8")
    kept = prevention(ws, by="service", mapping=str(mapping))
    assert kept.set_index("id").loc["dir:svc:a", "level"] == "tertiary"
    graph = ws.graph()
    report = write_area_report(graph, "E01000001", tmp_path / "rep", pdf=False, workspace=ws)
    page = open_page(report.html, wait_ready=False).page
    box = _section(page, "Prevention profile")
    rows = {
        cells[0]: cells[2]
        for cells in (
            [td.text_content() for td in r.locator("td").all()]
            for r in box.locator("table:not(.compare) tbody tr").all()
        )
    }
    assert rows["tertiary"] == "100.0%" and rows["primary"] == "0.0%"
    alone = write_area_report(graph, "E01000001", tmp_path / "alone", pdf=False)
    page = open_page(alone.html, wait_ready=False).page
    assert "would fill" in _section(page, "Prevention profile").text_content()
