"""Comparators beside every figure of the area report: one set chosen per report (and said
how, or why there is none), each figure's area value, median and range agreeing with the
queries' own rows for those areas (``Workspace.query``), shown in real Chromium."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from handmade import Town
from test_report_places import authority, section_titled
from test_viz import SCRIPT

from civicgraph import Workspace
from civicgraph.graph import Graph
from civicgraph.queries.silos import silo_groups
from civicgraph.viz.report import write_area_report

COMPARED_SECTIONS = {
    "Social infrastructure against deprivation",
    "Gaps",
    "Services by sector",
    "Prevention profile",
    "Silos",
    "Suggested partnerships",
    "Dependence on single funders",
    "What changed",
    "Activities",
    "Community-controlled assets",
}
"""Every section with a figure: each carries the comparison (or says why there is none)."""


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from civicgraph.demo import run_demo

    result = run_demo(tmp_path_factory.mktemp("demo") / "demo", services=200, seed=3)
    with Workspace(result.workspace) as workspace:
        yield workspace


def _inside(graph: Graph, area: str) -> set[str]:
    """The area and every area under it, by PART_OF (recomputed here, not the report's)."""
    found, frontier = {area}, [area]
    while frontier:
        parent = frontier.pop()
        for child, _, data in graph.in_edges(parent, data=True):
            if data["type"] == "PART_OF" and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _round_brackets_nested(text: str) -> list[str]:
    """The lines of ``text`` where a round bracket opens inside another."""
    found = []
    for line in text.splitlines():
        depth = 0
        for char in line:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth > 1:
                found.append(line.strip())
                break
            depth = max(depth, 0)
    return found


def _organisations(graph: Graph, area: str) -> set[str]:
    """Providers of the services placed in or serving the area (or an area inside it)."""
    inside = _inside(graph, area)
    located = {u for u, v, d in graph.edges(data=True) if d["type"] == "IN_AREA" and v in inside}
    services = {
        u
        for u, v, d in graph.edges(data=True)
        if (d["type"] == "SERVES_AREA" and v in inside)
        or (d["type"] == "AT_LOCATION" and v in located)
    }
    return {u for u, v, d in graph.edges(data=True) if d["type"] == "PROVIDES" and v in services}


def expected_figures(workspace: Workspace, graph: Graph, level: str, areas: list[str]) -> dict:
    """Each figure for each area, from ``Workspace.query`` rows."""
    si = workspace.query("si-index", level=level).set_index("area")
    gaps = workspace.query("gaps", level="lsoa")
    prevention = workspace.query("prevention", by="area", level=level).set_index("area")
    pairs = workspace.query("partnerships", limit=10**6)
    funding = workspace.query("funding-dependency")
    silos = workspace.query("silos")
    owned = workspace.query("assets", by="area", level=level)
    owned = owned.set_index("area")["community_share"] if len(owned) else {}
    table, groups = silo_groups(graph)
    assert list(table["ei_index"]) == pytest.approx(list(silos["ei_index"]))
    closed = {m for i, g in enumerate(groups) if silos.iloc[i]["ei_index"] < 0 for m in g}
    figures: dict[str, dict[str, float | None]] = {}
    for area in areas:
        lsoas = {a for a in _inside(graph, area) if graph.nodes[a].get("level") == "lsoa"}
        orgs = _organisations(graph, area)
        funded = funding[funding["organization"].isin(orgs)]
        involving = pairs["organization_a"].isin(orgs) | pairs["organization_b"].isin(orgs)
        row = prevention.loc[area] if area in prevention.index else None
        figures[area] = {
            **{k: float(si.at[area, k]) for k in ("services_per_1000", "category_coverage")},
            "funding_per_head": float(si.at[area, "funding_per_head"]),
            "connectedness": float(si.at[area, "connectedness"]),
            "gaps_per_lsoa": gaps["area"].isin(lsoas).sum() / len(lsoas),
            "in_closed_silo": len(orgs & closed) / len(orgs) if orgs else None,
            "partnerships_per_org": involving.sum() / len(orgs) if orgs else None,
            "one_funder_share": (funded["hhi"] >= 0.5).mean() if len(funded) else None,
            "preventative_share": None
            if row is None or not row["services"]
            else row["services_primary"] + row["services_secondary"],
            "acute_share": None if row is None or not row["services"] else row["services_acute"],
            "sessions_per_1000": _or_none(si.at[area, "sessions_per_1000_per_week"]),
            "volunteering_per_1000": _or_none(si.at[area, "volunteering_per_1000"]),
            "community_share": _or_none(owned.get(area)),
        }
    return figures


def _or_none(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def shown_rows(page: Any) -> list[dict[str, str]]:
    return page.evaluate(
        "[...document.querySelectorAll('table.compare tbody tr')].map(r => ({"
        "section: r.closest('section').querySelector('h2').textContent, ...r.dataset}))"
    )


def _number(text: str) -> float | None:
    return float(text) if text else None


def _level(graph: Graph, area: str) -> str:
    return str(graph.nodes[area].get("level") or "lsoa")


def test_every_figure_of_a_demo_lsoa_stands_beside_comparators_of_its_level(
    demo_workspace: Workspace, tmp_path: Path, open_page
) -> None:
    graph = demo_workspace.graph()
    si = demo_workspace.query("si-index", level="lsoa")
    code = str(si.sort_values(["services", "area"], ascending=[False, True]).iloc[0]["area"])
    report = write_area_report(graph, code, tmp_path / "rep", pdf=False, workspace=demo_workspace)
    chosen = report.comparators
    assert chosen is not None and len(chosen.areas) >= 2, chosen
    assert code not in chosen.areas
    assert {_level(graph, a) for a in chosen.areas} == {"lsoa"} and chosen.level == "lsoa"
    opened = open_page(report.html, wait_ready=False)
    page = opened.page
    said = page.locator("section.findings p.comparators").text_content()
    assert chosen.how in said and chosen.areas[0] in said  # page one says how, and which
    rows = shown_rows(page)
    here = expected_figures(demo_workspace, graph, "lsoa", [code])[code]
    theirs = expected_figures(demo_workspace, graph, chosen.level, list(chosen.areas))
    # the demo has one snapshot, no activities and no asset register: those sections name
    # their figures as measured nowhere instead of drawing rows of nothing
    unmeasured = {"What changed", "Activities", "Community-controlled assets"}
    assert {r["section"] for r in rows} == COMPARED_SECTIONS - unmeasured
    for title in unmeasured:
        said = section_titled(page, title).locator(".compare-none").text_content() or ""
        assert said.startswith("Not measured here or for its 5 statistical neighbours"), title
    changed = section_titled(page, "What changed").locator(".compare-none").text_content()
    assert "net change in services per 1,000 residents (area-changes)" in (changed or "")
    checked = 0
    for row in rows:
        key = row["figure"]
        values = [v[key] for v in theirs.values() if v[key] is not None]
        assert here.get(key) is not None or values, key  # a row has something measured
        if here.get(key) is None:
            assert row["here"] == "", key
        else:
            assert _number(row["here"]) == pytest.approx(here[key], abs=1e-9), key
        assert int(row["measured"]) == len(values), key
        if not values:
            assert row["median"] == "", key
            continue
        assert _number(row["median"]) == pytest.approx(statistics.median(values)), key
        assert _number(row["low"]) == pytest.approx(min(values)), key
        assert _number(row["high"]) == pytest.approx(max(values)), key
        checked += 1
    assert checked >= 12
    findings = page.locator("section.findings li").all_text_contents()
    assert sum("Against comparators" in f for f in findings) >= 4
    assert opened.errors == [] and opened.dialogs == []
    assert opened.requests == [report.html.resolve().as_uri()]


def test_the_demo_authority_alone_at_its_level_is_not_set_beside_its_parts(
    demo_workspace: Workspace, tmp_path: Path, open_page
) -> None:
    """The demo town's only local authority (the demo's rule passes it over for an area with
    peers): areas of another level are not its comparators (an MSOA's services per 1,000
    counts what serves the whole authority), so every section says there are none and page
    one says why and what would give some."""
    graph = demo_workspace.graph()
    authorities = [a for a, d in graph.nodes(data=True) if d.get("type") == "Area"
                   and _level(graph, a) == "lad"]  # fmt: skip
    assert len(authorities) == 1
    code = authorities[0]
    report = write_area_report(graph, code, tmp_path / "rep", pdf=False, workspace=demo_workspace)
    chosen = report.comparators
    assert chosen is not None and chosen.areas == ()
    page = open_page(report.html, wait_ready=False).page
    said = page.locator("section.findings p.comparators").text_content() or ""
    assert "only LAD in the study area, Oakbridge (E06000999), and" in said
    assert "would give it comparators" in said
    body = page.locator("body").text_content() or ""
    assert _round_brackets_nested(body) == []  # not "the study area (Oakbridge (E06000999))"
    assert page.locator("table.compare").count() == 0
    for title in COMPARED_SECTIONS:
        box = section_titled(page, title)
        assert "No comparators of its level" in box.locator(".compare-none").text_content(), title
    findings = page.locator("section.findings li").all_text_contents()
    assert not any("Against comparators" in f for f in findings)


def test_an_lsoa_is_compared_with_its_statistical_neighbours(tmp_path: Path, open_page) -> None:
    graph = authority()
    report = write_area_report(graph, "E01000001", tmp_path / "rep", pdf=False)
    chosen = report.comparators
    assert chosen is not None
    assert set(chosen.areas) == {"E01000002", "E01000003"}
    assert chosen.level == "lsoa" and "statistical neighbours" in chosen.how
    text = report.html.read_text()
    assert SCRIPT not in text  # E01000003's hostile name stays escaped
    page = open_page(report.html, wait_ready=False).page
    services = next(r for r in shown_rows(page) if r["figure"] == "services_per_1000")
    from civicgraph.queries import si_index

    si = si_index(graph).set_index("area")["services_per_1000"]
    assert _number(services["here"]) == pytest.approx(si["E01000001"])
    assert _number(services["median"]) == pytest.approx(
        statistics.median([si["E01000002"], si["E01000003"]])
    )
    area = section_titled(page, "The area").text_content()
    assert "statistical neighbours" in area


def test_without_population_the_peers_of_its_authority_stand_in_and_it_says_why(
    tmp_path: Path,
) -> None:
    graph = authority()
    del graph.nodes["E01000001"]["population"]
    report = write_area_report(graph, "E01000001", tmp_path / "rep", pdf=False)
    chosen = report.comparators
    assert chosen is not None and set(chosen.areas) == {"E01000002", "E01000003"}
    assert "no statistical neighbours" in chosen.how
    assert "no population" in chosen.how or "not score" in chosen.how


def test_an_area_alone_says_why_it_has_no_comparators(tmp_path: Path, open_page) -> None:
    t = Town()
    t.area("E01000009", "Alone")
    report = write_area_report(t.g, "E01000009", tmp_path / "rep", pdf=False)
    chosen = report.comparators
    assert chosen is not None and chosen.areas == ()
    assert "only" in chosen.none and "would give it comparators" in chosen.none
    page = open_page(report.html, wait_ready=False).page
    assert page.locator("table.compare").count() == 0
    said = page.locator("section.findings p.comparators").text_content() or ""
    assert "would give it comparators" in said
    for title in COMPARED_SECTIONS - {"What changed"}:
        box = section_titled(page, title)
        assert "No comparators of its level" in box.locator(".compare-none").text_content(), title


def test_activities_and_assets_stand_beside_their_comparators(tmp_path: Path, open_page) -> None:
    """Sessions and volunteering per 1,000 residents (si-index) and the share of assets the
    community controls (assets --by area) beside the two sections' tables, as the queries
    give them for the area and its statistical neighbours."""
    graph = authority()
    t = Town()
    t.g = graph
    graph.nodes["lib"]["ownership"] = "council"
    graph.nodes["hall"]["ownership"] = "community"
    t.location("shed", "Men's shed", ownership="charity", latitude=51.59, longitude=-1.0)
    t.in_area("shed", "E01000003")
    t.location("depot", "Old depot", ownership="council", latitude=51.59, longitude=-1.0)
    t.in_area("depot", "E01000003")
    for node, place, per_week in (("A1", "lib", 3.0), ("A2", "hall", 1.0), ("A3", "lib", 2.0)):
        t._node(node, "Activity", f"Walk {node}", activity_kind="session series",
                sessions_per_week=per_week)  # fmt: skip
        t._edge(node, place, "HAPPENS_AT")
    report = write_area_report(graph, "E01000001", tmp_path / "rep", pdf=False)
    chosen = report.comparators
    assert chosen is not None and set(chosen.areas) == {"E01000002", "E01000003"}
    from civicgraph.queries import assets, si_index

    si = si_index(graph).set_index("area")
    owned = assets(graph, by="area").set_index("area")["community_share"]
    expected = {
        "sessions_per_1000": {
            a: _or_none(si.at[a, "sessions_per_1000_per_week"]) for a in si.index
        },
        "volunteering_per_1000": {a: _or_none(si.at[a, "volunteering_per_1000"]) for a in si.index},
        "community_share": {a: _or_none(owned.get(a)) for a in si.index},
    }
    assert expected["sessions_per_1000"]["E01000001"] == pytest.approx(
        5.0 / 1.5, abs=1e-3
    )  # rounded
    assert expected["community_share"]["E01000001"] == 0.0  # the council's library
    assert expected["community_share"]["E01000003"] == 0.5
    page = open_page(report.html, wait_ready=False).page
    rows = {r["figure"]: r for r in shown_rows(page)}
    sections = {"sessions_per_1000": "Activities", "volunteering_per_1000": "Activities",
                "community_share": "Community-controlled assets"}  # fmt: skip
    for key, values in expected.items():
        if all(values[a] is None for a in ("E01000001", *chosen.areas)):  # measured nowhere
            assert key not in rows, key
            note = section_titled(page, sections[key]).locator(".compare-unmeasured")
            assert "Not measured here" in (note.text_content() or ""), key
            continue
        row = rows[key]
        assert row["section"] == sections[key], key
        here = values["E01000001"]
        assert (row["here"] == "") if here is None else _number(row["here"]) == pytest.approx(here)
        theirs = [values[a] for a in chosen.areas if values[a] is not None]
        assert int(row["measured"]) == len(theirs), key
        if theirs:
            assert _number(row["median"]) == pytest.approx(statistics.median(theirs)), key
            assert _number(row["low"]) == pytest.approx(min(theirs)), key
    assert expected["sessions_per_1000"]["E01000003"] == 0.0  # no venue there, but measured
    assert int(rows["sessions_per_1000"]["measured"]) == 2
    assert int(rows["community_share"]["measured"]) == 2
