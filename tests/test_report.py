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


def test_report_on_an_unknown_area_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    with pytest.raises(UsageError, match="not an area"):
        write_area_report(area_town(), "E09999999", tmp_path / "rep")
