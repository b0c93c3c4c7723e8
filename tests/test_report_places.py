"""The report's social infrastructure and gaps sections, and the demo's report on the most
under-served area (si-index and gaps queries)."""

from __future__ import annotations

import csv
from pathlib import Path

from handmade import Town

from civicgraph.graph import Graph
from civicgraph.queries import gaps, si_index
from civicgraph.viz.report import most_under_served, write_area_report


def three_areas() -> Graph:
    """Three LSOAs 5 km apart: a library and services in the first, a service in the
    second, nothing in the third (the most deprived)."""
    t = Town()
    for code, lat, rank in [
        ("E01000001", 51.50, 30000),
        ("E01000002", 51.545, 15000),
        ("E01000003", 51.59, 100),
    ]:
        t.g.add_node(
            code,
            type="Area",
            name=f"Area {code[-1]}",
            level="lsoa",
            population=1500,
            imd_rank=rank,
            imd_decile=max(1, rank * 10 // 32844),
            latitude=lat,
            longitude=-1.0,
        )
    t.location("lib", "Central Library", facility_kind="library", latitude=51.50, longitude=-1.0)
    t.in_area("lib", "E01000001")
    t.location("hall", "Hall", latitude=51.545, longitude=-1.0)
    t.in_area("hall", "E01000002")
    t.concept("C1", "Food")
    t.concept("C2", "Advice")
    t.service("S1", "O1", name="Food bank", terms=("C1",), at=("lib",))
    t.service("S2", "O2", name="Debt advice", terms=("C2",), at=("lib",))
    t.service("S3", "O3", name="Lunch club", terms=("C1",), at=("hall",))
    return t.g


def test_the_most_under_served_area_is_si_rank_1() -> None:
    graph = three_areas()
    ranked = si_index(graph)
    assert most_under_served(graph) == ranked.sort_values("si_rank").iloc[0]["area"]
    assert most_under_served(graph) == "E01000003"  # nothing in it or within reach


def test_report_sets_the_index_against_imd_and_lists_the_gaps(tmp_path: Path, open_page) -> None:
    graph = three_areas()
    report = write_area_report(graph, "E01000003", tmp_path / "rep", pdf=False)
    assert report.notes == []
    assert any(p.name == "si-index.png" for p in report.pictures)
    opened = open_page(report.html, wait_ready=False)
    page = opened.page
    si = page.locator("section", has_text="Social infrastructure against deprivation")
    assert "1 of 3 LSOAs" in si.text_content()
    assert "IMD rank100" in si.text_content()
    expected = gaps(graph)
    expected = expected[expected["area"] == "E01000003"]
    assert not expected.empty
    rows = page.locator("section", has_text="Gaps").locator("tbody tr").all()
    shown = [row.locator("td").first.text_content() for row in rows]
    assert shown == list(expected["category"])[: len(shown)]
    assert "Central Library" in page.locator("section", has_text="Gaps").text_content()
    assert opened.errors == [] and opened.dialogs == []


def test_the_demo_reports_on_its_most_under_served_area(tmp_path: Path) -> None:
    from civicgraph.demo import run_demo

    result = run_demo(tmp_path / "demo", services=200, seed=3)
    reports = [path for name, path in result.outputs.items() if name.startswith("report on")]
    assert len(reports) == 1
    with open(result.out / "queries" / "si-index.csv", encoding="utf-8") as handle:
        first = min(csv.DictReader(handle), key=lambda row: int(row["si_rank"]))
    text = reports[0].read_text()
    assert f"({first['area']})</h1>" in text
    assert "1 of " in text
