"""The report's social infrastructure and gaps sections, ranks among areas of the same
level, a local authority's report, and the demo's choice of area (si-index and gaps)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from handmade import Town
from test_viz import SCRIPT

from civicgraph.graph import Graph
from civicgraph.queries import gaps, prevention_profile, si_index
from civicgraph.viz.report import demo_area, most_under_served, write_area_report


def section_titled(page, title):
    """The report's section headed exactly ``title``."""
    return page.locator("section", has=page.get_by_role("heading", name=title, exact=True))


def gaps_section(page):
    """The report's section headed exactly "Gaps"."""
    return section_titled(page, "Gaps")


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
    assert "1 of 3 LSOAs in the workspace" in si.text_content()
    area = section_titled(page, "The area").text_content()
    assert "IMD rank (1 = most deprived LSOA in England)100" in area
    expected = gaps(graph)
    expected = expected[expected["area"] == "E01000003"]
    assert not expected.empty
    rows = gaps_section(page).locator("table:not(.compare) tbody tr").all()
    shown = [row.locator("td").first.text_content() for row in rows]
    assert shown == list(expected["category"])[: len(shown)]
    assert "Central Library" in gaps_section(page).text_content()
    assert opened.errors == [] and opened.dialogs == []


def authority() -> Graph:
    """three_areas inside one local authority (plus a second authority elsewhere), the
    poorest LSOA named with a script; two organisations tied by referrals."""
    g = three_areas()
    t = Town()
    t.g = g
    g.nodes["E01000003"]["name"] = SCRIPT
    t.area("E06000001", "Oakbridge")
    t.area("E06000002", "Elsewhere")
    g.nodes["E06000001"]["level"] = "lad"
    g.nodes["E06000002"]["level"] = "lad"
    for code in ("E01000001", "E01000002", "E01000003"):
        t._edge(code, "E06000001", "PART_OF")
    t.refer("S1", "S2", 4)
    return g


def test_an_authority_report_ranks_honestly_and_lists_the_gaps_inside_it(
    tmp_path: Path, open_page
) -> None:
    graph = authority()
    report = write_area_report(graph, "E06000001", tmp_path / "rep", pdf=False)
    text = report.html.read_text()
    assert SCRIPT not in text  # the LSOA's hostile name is escaped in the gaps table
    opened = open_page(report.html, wait_ready=False)
    page = opened.page
    body = page.locator("body").text_content()
    assert "1 of 1" not in body
    area = section_titled(page, "The area").text_content()
    si = section_titled(page, "Social infrastructure against deprivation").text_content()
    for figures in (area, si):  # no LSOA-level IMD figures given as the LAD's own
        assert "IMD decile" not in figures and "IMD rank (1" not in figures
    assert "average IMD rank of its 3 LSOAs" in area
    inside = gaps(graph)
    inside = inside[inside["area"].isin({"E01000001", "E01000002", "E01000003"})]
    assert not inside.empty
    rows = gaps_section(page).locator("table:not(.compare) tbody tr").all()
    shown = [row.locator("td").first.text_content() for row in rows]
    assert shown == list(inside["area"])[: len(shown)]
    assert SCRIPT in gaps_section(page).text_content()
    findings = page.locator("section.findings li").all_text_contents()
    assert len(findings) == 5
    top = inside.sort_values(["need", "distance_km"], ascending=[False, True]).iloc[0]
    assert findings[0].startswith("Largest gap by need") and top["category"] in findings[0]
    assert top["why"] in findings[0]  # the query's own evidence
    assert "What changed" in findings[4]
    assert opened.errors == [] and opened.dialogs == []


def test_an_lsoa_is_ranked_among_the_lsoas_of_its_authority(tmp_path: Path, open_page) -> None:
    graph = authority()
    graph.add_node(
        "E01000009",
        type="Area",
        name="Far",
        level="lsoa",
        population=10,
        imd_rank=5,
        imd_decile=1,
        latitude=50.0,
        longitude=-3.0,
    )
    graph.add_edge("E01000009", "E06000002", key="PART_OF", type="PART_OF")
    report = write_area_report(graph, "E01000003", tmp_path / "rep", pdf=False)
    si = open_page(report.html, wait_ready=False).page.locator(
        "section", has_text="Social infrastructure against deprivation"
    )
    assert "of 3 LSOAs in Oakbridge (E06000001)" in si.text_content()


def test_equal_lowest_scores_are_not_broken_by_name() -> None:
    graph = three_areas()
    graph.add_node(
        "E01000000",
        type="Area",
        name="A first by name",
        level="lsoa",
        population=10,
        imd_rank=30000,
        imd_decile=10,
        latitude=52.5,
        longitude=-1.0,
    )
    lowest = si_index(graph)
    lowest = lowest[lowest["si_score"] == lowest["si_score"].min()]
    assert set(lowest["area"]) == {"E01000000", "E01000003"}  # nothing in reach of either
    assert most_under_served(graph) == "E01000003"  # more residents, more deprived


def shares_shown(section) -> dict[str, float]:
    """The prevention profile's table: level -> share (the "25.0%" cell as 0.25)."""
    rows = section.locator("table:not(.compare) tbody tr").all()
    cells = [[td.text_content() for td in row.locator("td").all()] for row in rows]
    return {c[0]: float(c[2].rstrip("%")) / 100 for c in cells}


def column_shown(section, heading: str) -> dict[str, float | None]:
    """One column of the prevention table by its heading: level -> share (None if blank)."""
    heads = [th.text_content() for th in section.locator("thead th").all()]
    at = heads.index(heading)
    rows = section.locator("table:not(.compare) tbody tr").all()
    cells = [[td.text_content() for td in row.locator("td").all()] for row in rows]
    return {c[0]: float(c[at].rstrip("%")) / 100 if c[at] else None for c in cells}


def test_the_demo_reports_on_an_area_where_every_section_has_content(
    tmp_path: Path, open_page, run_cli
) -> None:
    from civicgraph.demo import run_demo
    from civicgraph.viz._report_places import comparator_areas, gaps_inside

    result = run_demo(tmp_path / "demo", services=200, seed=3)
    reports = [path for name, path in result.outputs.items() if name.startswith("report on")]
    assert len(reports) == 1
    from civicgraph import Workspace

    with Workspace(result.workspace) as workspace:
        graph = workspace.graph()
    code = demo_area(graph)
    assert code is not None
    assert f"({code})</h1>" in reports[0].read_text()
    assert not gaps_inside(graph, code).empty  # the rule's promise: gaps, provision, ties
    assert comparator_areas(graph, code).within is not None  # and peers in its authority
    page = open_page(reports[0], wait_ready=False).page
    said = page.locator("section.findings p.comparators").text_content() or ""
    assert said.startswith("Every figure is set beside"), said
    assert page.locator("table.compare").count() > 0
    assert "Area chosen as the smallest area" in page.locator("p.note").first.text_content()
    required = {
        "The area",
        "Social infrastructure against deprivation",
        "Gaps",
        "Services by sector",
        "Silos",
        "Suggested partnerships",
        "Dependence on single funders",
        "Prevention profile",
    }
    for title in required:
        section = page.locator("section", has=page.locator("h2", has_text=title)).first
        assert section.locator("p.none").count() == 0, title  # none says "nothing here"
        assert section.locator("table:not(.compare) tbody tr").count() > 0, title
    # The prevention profile is the query's, for this area, and sums to 1.
    shown = shares_shown(section_titled(page, "Prevention profile"))
    profile = prevention_profile(graph, code)
    assert list(shown) == ["primary", "secondary", "tertiary", "acute"]
    assert shown == pytest.approx(profile, abs=0.0005)
    assert sum(shown.values()) == pytest.approx(1, abs=0.002)
    by_area = run_cli(
        "--db", result.workspace, "query", "prevention", "--by", "area", "--format", "json"
    )
    assert by_area.code == 0, by_area.err
    row = next(r for r in json.loads(by_area.out)["rows"] if r["area"] == code)
    assert {k: row[f"services_{k}"] for k in shown} == pytest.approx(shown, abs=0.0005)
    # Grant money and facilities by level are the query's too (the demo has both here).
    prevention_box = section_titled(page, "Prevention profile")
    for kind, heading in (("grants", "grant money share"), ("facilities", "facilities share")):
        assert row[kind], kind
        column = column_shown(prevention_box, heading)
        for step, value in column.items():
            expected = row[f"{kind}_{step}"]
            assert (value is None) == (expected is None), (kind, step)
            if value is not None:
                assert value == pytest.approx(expected, abs=0.0005), (kind, step)
    findings = page.locator("section.findings li")
    assert findings.count() == 5
    assert page.locator("section.findings li .evidence").count() == 4  # all but what changed
    # Sections the demo has no data for say what would fill them, never an empty box.
    for section in page.locator("section").all():
        text = section.text_content() or ""
        filled = section.locator("table:not(.compare) tbody tr, li").count() > 0
        assert filled or "would fill" in text or "not given" in text, text[:80]


def test_the_report_embeds_a_static_map_of_its_areas(tmp_path: Path, open_page) -> None:
    """The map section draws every LSOA the map page would (same shapes, same colours), the
    reported area outlined, a hostile name kept as text, with no script and no request."""
    from civicgraph.viz.map import map_data

    graph = three_areas()
    graph.nodes["E01000002"]["name"] = SCRIPT
    report = write_area_report(graph, "E01000003", tmp_path / "rep", pdf=False)
    text = report.html.read_text()
    assert "<script" not in text and SCRIPT not in text
    opened = open_page(report.html, wait_ready=False)
    page = opened.page
    svg = section_titled(page, "Map").locator("svg.map")
    assert svg.count() == 1
    expected = map_data(graph, level="lsoa", layer="imd")["areas"]
    drawn = page.evaluate(
        "[...document.querySelectorAll('svg.map .cg-area, svg.map .cg-here')].map("
        "e => [e.querySelector('title').textContent, e.getAttribute('fill'), e.classList[0]])"
    )
    assert sorted(d[1] for d in drawn) == sorted(a["color"] for a in expected)
    assert len(drawn) == len(expected) == 3
    here = [d for d in drawn if d[2] == "cg-here"]
    assert len(here) == 1 and here[0][0].startswith("Area 3 (E01000003)")
    assert any(d[0].startswith(f"{SCRIPT} (E01000002)") for d in drawn)
    box = svg.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    assert opened.errors == [] and opened.dialogs == []
    assert opened.requests == [report.html.resolve().as_uri()]


def test_no_area_qualifies_for_the_demo_rule_on_a_town_without_ties(tmp_path: Path) -> None:
    # Filtering an already empty table once dropped its columns (KeyError: 'area').
    from civicgraph import Workspace
    from civicgraph.ingest import ingest
    from civicgraph.synth import synth_changes

    sources, _, _ = synth_changes(tmp_path / "town", services=300, seed=3)
    with Workspace(tmp_path / "ws.db") as workspace:
        for source in sources:
            ingest(
                workspace,
                source.kind,
                str(source.path),
                name=source.name,
                snapshot_date=source.snapshot_date,
            )
        graph = workspace.graph()
    tied = [
        level
        for level in ("lsoa", "msoa", "ward", "lad")
        if not (scored := si_index(graph, level=level)).empty and (scored["ties"] > 0).any()
    ]
    assert tied == []  # the rule needs an area with ties, so none qualifies
    assert not gaps(graph, level="lsoa").empty
    assert demo_area(graph) is None


def dense_authority() -> Graph:
    """One authority: three LSOAs half a kilometre apart, each with two tied organisations
    offering Food and Advice (everything within reach of all three), and a far LSOA with
    nothing in it (the only gaps, inside the authority but in no area with provision)."""
    t = Town()
    t.area("E06000001", "Oakbridge")
    t.g.nodes["E06000001"]["level"] = "lad"
    t.concept("C1", "Food")
    t.concept("C2", "Advice")
    places = [
        ("E01000001", 51.500, -1.0, 1500, 20000),
        ("E01000002", 51.505, -1.0, 2500, 9000),
        ("E01000003", 51.510, -1.0, 1800, 26000),
        ("E01000004", 51.600, -1.0, 1600, 400),
    ]
    for code, lat, lon, population, rank in places:
        t.area(code, f"Area {code[-1]}", parent="E06000001")
        t.g.nodes[code].update(
            level="lsoa", population=population, imd_rank=rank,
            imd_decile=max(1, rank * 10 // 32844), latitude=lat, longitude=lon,
        )  # fmt: skip
    for code, lat, lon, *_ in places[:3]:
        n = code[-1]
        t.location(f"L{n}", f"Hall {n}", latitude=lat, longitude=lon)
        t.in_area(f"L{n}", code)
        t.service(f"S{n}a", f"O{n}a", name=f"Pantry {n}", terms=("C1",), at=(f"L{n}",))
        t.service(f"S{n}b", f"O{n}b", name=f"Advice {n}", terms=("C2",), at=(f"L{n}",))
        t.refer(f"S{n}a", f"S{n}b", int(n))
    return t.g


def test_the_demo_rule_never_picks_an_area_without_comparators() -> None:
    """Where the only gaps lie in an area with no provision (the demo town's planted estate),
    the rule takes the smallest area that has peers, provision and ties, by its SI score; the
    authority, alone at its level, is never chosen for the gaps inside it."""
    from civicgraph.viz._report_places import comparator_areas, gaps_inside

    graph = dense_authority()
    lacking = set(gaps(graph, level="lsoa")["area"])
    assert lacking == {"E01000004"}  # the far one only
    assert not gaps_inside(graph, "E06000001").empty  # the authority holds those gaps
    scored = si_index(graph, level="lsoa").set_index("area")
    provided = scored.loc[["E01000001", "E01000002", "E01000003"]]
    lowest = provided[provided["si_score"] == provided["si_score"].min()]
    expected = lowest.sort_values("population", ascending=False).index[0]
    code = demo_area(graph)
    assert code == expected
    assert comparator_areas(graph, code).within == "E06000001"


def test_the_demo_rule_prefers_an_area_with_peers_and_gaps() -> None:
    """An LSOA with provision and ties that lacks a category wins over those that lack none."""
    graph = dense_authority()
    t = Town()
    t.g = graph
    t.area("E01000005", "Area 5", parent="E06000001")
    graph.nodes["E01000005"].update(
        level="lsoa", population=1200, imd_rank=30000, imd_decile=10,
        latitude=51.505, longitude=-0.94,
    )  # fmt: skip
    t.location("L5", "Hall 5", latitude=51.505, longitude=-0.94)  # about 4 km east
    t.in_area("L5", "E01000005")
    t.service("S5a", "O5a", name="Pantry 5", terms=("C1",), at=("L5",))
    t.service("S5b", "O5b", name="Lunch 5", terms=("C1",), at=("L5",))
    t.refer("S5a", "S5b", 2)
    lacking = gaps(graph, level="lsoa")
    assert set(lacking[lacking["area"] == "E01000005"]["category"]) == {"Advice"}
    assert demo_area(graph) == "E01000005"
