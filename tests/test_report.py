"""The one-area report: its sections hold the area's organisations, it runs no script, its
pictures load, and the PDF is printed when Chromium is here."""

from __future__ import annotations

from pathlib import Path

import pytest
from handmade import Town
from test_viz import IMG, SCRIPT

from civicgraph.errors import UsageError
from civicgraph.graph import Graph
from civicgraph.viz.report import write_area_report


def area_town() -> Graph:
    """Two organisations in E01000001 sharing a hall and a funder, one elsewhere."""
    t = Town()
    t.g.add_node("E01000001", type="Area", name=SCRIPT, level="lsoa", imd_rank=812, imd_decile=1)
    t.area("E01000002", "North")
    t.location("L1", "Hall")
    t.in_area("L1", "E01000001")
    t.org("O1", IMG)
    t.org("O2", "Advice centre")
    t.org("O3", "Far away club")
    t.org("F", "The Hartley Trust")
    t.concept("C1", "Food")
    t.concept("C2", "Advice")
    t.service("S1", "O1", name="Lunch club", terms=("C1",), at=("L1",))
    t.service("S2", "O2", name="Debt advice", terms=("C2",), at=("L1",))
    t.service("S3", "O3", name="Walks", terms=("C1",), serves=("E01000002",))
    for grant, recipient, amount in [("G1", "O1", 9000.0), ("G2", "O2", 500.0)]:
        t.g.add_node(grant, type="Grant", name=grant, amount=amount, currency="GBP")
        t._edge("F", grant, "AWARDS")
        t._edge(grant, recipient, "AWARDED_TO")
    t.refer("S1", "S3", 3)
    return t.g


def test_report_sections_hold_the_area(tmp_path: Path, open_page) -> None:
    report = write_area_report(area_town(), "e01000001", tmp_path / "rep")
    assert report.area == "E01000001"
    text = report.html.read_text()
    assert IMG not in text and SCRIPT not in text
    assert "<script" not in text
    opened = open_page(report.html, wait_ready=False)
    page = opened.page
    assert page.locator("h1").text_content() == f"{SCRIPT} (E01000001)"
    assert page.title() == f"{SCRIPT} (E01000001): civicgraph area report"
    sections = {h.text_content(): h for h in page.locator("h2").all()}
    assert {"The area", "Silos", "Suggested partnerships", "Dependence on single funders"} <= set(
        sections
    )
    partnerships = page.locator("section", has_text="Suggested partnerships").text_content()
    assert IMG in partnerships and "Advice centre" in partnerships  # shared hall, shared funder
    funding = page.locator("section", has_text="Dependence on single funders").text_content()
    assert "The Hartley Trust" in funding
    assert "Far away club" not in funding
    widths = page.evaluate("[...document.images].map(i => i.naturalWidth)")
    assert len(widths) >= 2 and all(w > 0 for w in widths)
    assert opened.dialogs == [] and opened.errors == []
    assert opened.requests == [report.html.resolve().as_uri()]
    assert (report.html.parent / "network.html").exists()
    assert all(p.exists() and p.read_bytes()[:4] == b"\x89PNG" for p in report.pictures)


def test_report_prints_a_pdf_when_chromium_is_here(tmp_path: Path) -> None:
    from browser import chromium_path

    chromium_path()
    report = write_area_report(area_town(), "E01000001", tmp_path / "rep")
    assert report.pdf is not None
    assert report.pdf.read_bytes()[:5] == b"%PDF-"


def test_report_without_pdf_says_nothing_of_chromium(tmp_path: Path) -> None:
    report = write_area_report(area_town(), "E01000001", tmp_path / "rep", pdf=False)
    assert report.pdf is None
    assert not (tmp_path / "rep" / "report.pdf").exists()


def test_the_prevention_profile_flags_acute_and_says_why_when_empty(
    tmp_path: Path, open_page
) -> None:
    from civicgraph.queries import prevention_profile

    graph = area_town()
    t = Town()
    t.g = graph
    for node, name in [
        ("S4", "Night shelter"),
        ("S5", "Crisis line"),
        ("S7", "Emergency food"),
        ("S6", SCRIPT),
    ]:
        t.service(node, "O2", name=name, at=("L1",))
    report = write_area_report(graph, "E01000001", tmp_path / "rep", pdf=False)
    assert SCRIPT not in report.html.read_text()  # escaped
    page = open_page(report.html, wait_ready=False).page
    section = page.locator("section", has=page.get_by_role("heading", name="Prevention profile"))
    rows = [
        [td.text_content() for td in r.locator("td").all()]
        for r in section.locator("table:not(.compare) tbody tr").all()
    ]
    shares = {level: float(share.rstrip("%")) / 100 for level, _, share in rows}
    assert shares == pytest.approx(prevention_profile(graph, "E01000001"), abs=0.0005)
    counts = {level: int(n) for level, n, _ in rows}
    assert counts["acute"] > counts["primary"] + counts["secondary"]
    text = section.locator("p").first.text_content()
    levelled = sum(counts.values())
    assert f"{levelled} of 6 services" in text  # all six services in the area counted
    assert "Acute provision outweighs prevention" in text
    assert section.locator("img").count() == 1

    bare = Town()
    bare.area("E01000009", "Empty")
    empty = write_area_report(bare.g, "E01000009", tmp_path / "bare", pdf=False)
    page = open_page(empty.html, wait_ready=False).page
    section = page.locator("section", has=page.get_by_role("heading", name="Prevention profile"))
    assert "would fill" in section.text_content()
    assert section.locator("img, table:not(.compare) tbody tr").count() == 0


def test_report_on_an_unknown_area_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    with pytest.raises(UsageError, match="not an area"):
        write_area_report(area_town(), "E09999999", tmp_path / "rep")


@pytest.mark.slow
def test_area_view_and_report_on_real_england(tmp_path: Path, shared_data, open_page) -> None:
    """England's IMD 2019 areas and the real 360Giving samples: the local authority most
    grants benefit gets an area page and a report."""
    from collections import Counter

    from civicgraph import Workspace
    from civicgraph.ingest import ingest
    from civicgraph.viz import build_view, write_view

    with Workspace(tmp_path / "england.db") as workspace:
        ingest(workspace, "areas", str(shared_data("imd2019_lsoa")), name="england")
        ingest(
            workspace, "360giving", str(shared_data("360giving_grantnav_samples")), name="grants"
        )
        graph = workspace.graph()
    benefiting = Counter(v for _, v, d in graph.edges(data=True) if d["type"] == "BENEFITS_AREA")
    area, grants = benefiting.most_common(1)[0]
    view = build_view(graph, view="area", area=area)
    descendants, frontier = {area}, [area]
    while frontier:
        parent = frontier.pop()
        for child, _, d in graph.in_edges(parent, data=True):
            if d["type"] == "PART_OF" and child not in descendants:
                descendants.add(child)
                frontier.append(child)
    benefit = {
        u for u, v, d in graph.edges(data=True) if d["type"] == "BENEFITS_AREA" and v in descendants
    }
    assert len(benefit) >= grants
    assert {n for n, node in view.nodes.items() if node.type == "Grant"} == benefit
    within = {c for c, p, d in graph.edges(data=True) if d["type"] == "PART_OF" and p == area}
    assert within <= set(view.nodes)
    page = write_view(graph, tmp_path / "area.html", view="area", area=area)
    opened = open_page(page.path)
    assert (page.nodes, page.edges) == (len(view.nodes), len(view.edges))
    assert opened.page.evaluate(
        "[civicgraph.network.body.nodeIndices.length, civicgraph.network.body.edgeIndices.length]"
    ) == [page.nodes, page.edges]
    report = write_area_report(graph, area, tmp_path / "report", pdf=False)
    opened = open_page(report.html, wait_ready=False)
    name = graph.nodes[area]["name"]
    assert opened.page.locator("h1").text_content() == f"{name} ({area})"
    facts = opened.page.locator("table.facts").first.text_content()
    assert f"organisations{sum(1 for n in view.nodes.values() if n.type == 'Organization')}" in (
        facts.replace(",", "")
    )
    assert opened.errors == [] and opened.dialogs == []
