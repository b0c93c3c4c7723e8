"""``--within`` on ``export`` (network formats), ``query unplaced`` and ``query pathways``.

Two local authorities, each with one LSOA: North (E08000001 > E01000001) and South
(E08000002 > E01000002). North holds the hall (a service, its organisation, an activity,
a grant's beneficiary area); South the shed. The known answers are which of these each
command keeps.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx

from civicgraph.graph import Workspace
from civicgraph.graph.netfiles import export_network
from civicgraph.graph.scope import resolve_scope, scope_nodes
from civicgraph.ingest import ingest, ingest_areas
from civicgraph.queries import funders, pathways, unplaced

DATA = Path(__file__).parent / "data"
NORTH = {
    "E08000001",
    "E01000001",
    "hall",
    "advice",
    "advice_org",
    "club",
    "club_org",
    "grant_n",
    "grantee",
    "hall_owner",
}


def _edge(g: nx.MultiDiGraph, u: str, v: str, kind: str, **data: object) -> None:
    g.add_edge(u, v, key=kind, type=kind, **data)


def two_authorities() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for lsoa, lad, name in [
        ("E01000001", "E08000001", "North"),
        ("E01000002", "E08000002", "South"),
    ]:
        g.add_node(lad, type="Area", name=name, level="lad")
        g.add_node(lsoa, type="Area", name=f"{name} 001A", level="lsoa")
        _edge(g, lsoa, lad, "PART_OF")
    g.add_node("debt", type="Concept", name="Debt advice")
    for side, lsoa in [("hall", "E01000001"), ("shed", "E01000002")]:
        g.add_node(side, type="Location", name=side.title())
        _edge(g, side, lsoa, "IN_AREA")
    for service, org, location in [
        ("advice", "advice_org", "hall"),
        ("befriend", "befriend_org", "shed"),
        ("debt_s", "debt_org", "shed"),
    ]:
        g.add_node(service, type="Service", name=service.title())
        g.add_node(org, type="Organization", name=org.title())
        _edge(g, org, service, "PROVIDES")
        _edge(g, service, location, "AT_LOCATION")
    g.add_node("debt_n", type="Service", name="North debt line")
    _edge(g, "debt_n", "E01000001", "SERVES_AREA")
    _edge(g, "debt_n", "debt", "CLASSIFIED_AS")
    _edge(g, "debt_s", "debt", "CLASSIFIED_AS")
    _edge(g, "advice", "debt_n", "REFERS_TO", count=3)
    _edge(g, "befriend", "debt_s", "REFERS_TO", count=2)
    g.add_node("hall_owner", type="Organization", name="Hall owner")
    _edge(g, "hall_owner", "hall", "OPERATES")
    g.add_node("club", type="Activity", name="Club")
    g.add_node("club_org", type="Organization", name="Club org")
    _edge(g, "club", "hall", "HAPPENS_AT")
    _edge(g, "club_org", "club", "RUNS")
    g.add_node("grant_n", type="Grant", title="Grant N")
    g.add_node("grantee", type="Organization", name="Grantee")
    _edge(g, "grant_n", "E01000001", "BENEFITS_AREA")
    _edge(g, "grant_n", "grantee", "AWARDED_TO")
    # unplaced: a service at the hall whose named service area matched nothing, one at the
    # shed, and a location with no area at all
    g.add_node("odd_n", type="Service", name="Odd north")
    _edge(g, "odd_n", "hall", "AT_LOCATION")
    g.add_node("odd_s", type="Service", name="Odd south")
    _edge(g, "odd_s", "shed", "AT_LOCATION")
    g.add_node("lost", type="Location", name="Lost")
    g.graph["locations_placed"] = True
    g.graph["unplaced"] = [
        ("odd_n", "service area 'Nowhere' names no known area"),
        ("odd_s", "service area 'Elsewhere' names no known area"),
        ("lost", "no postcode or coordinates"),
    ]
    return g


def test_the_nodes_of_a_scope_are_what_is_placed_there() -> None:
    g = two_authorities()
    north = scope_nodes(g, resolve_scope(g, "North"))
    assert north == NORTH | {"debt_n", "odd_n"}
    south = scope_nodes(g, resolve_scope(g, "E08000002"))
    assert {"shed", "befriend", "befriend_org", "debt_s", "debt_org", "odd_s"} <= south
    assert not south & north


def test_export_within_writes_only_that_place(tmp_path: Path) -> None:
    g = two_authorities()
    nodes = scope_nodes(g, resolve_scope(g, "North"))
    path = export_network(g, tmp_path / "north.graphml", format="graphml", nodes=nodes)
    written = nx.read_graphml(path)
    assert set(written.nodes) == nodes
    assert written.number_of_edges() == g.subgraph(nodes).number_of_edges() > 0


def test_unplaced_within_keeps_its_place_and_the_placeless() -> None:
    g = two_authorities()
    assert set(unplaced(g)["id"]) == {"odd_n", "odd_s", "lost"}
    north = unplaced(g, within="North").set_index("id")
    assert set(north.index) == {"odd_n", "lost"}
    assert "no area at all" in north.loc["lost", "why"]
    assert "partly placed in the scope: North (E08000001)" in north.loc["odd_n", "why"]
    assert set(unplaced(g, within="South")["id"]) == {"odd_s", "lost"}


def test_pathways_within_start_and_end_in_the_scope() -> None:
    g = two_authorities()
    every = pathways(g, need="Debt advice")
    assert set(every["from_id"]) == {"advice", "befriend", "odd_n", "odd_s"}
    north = pathways(g, need="Debt advice", within="North")
    assert set(north["from_id"]) == {"advice", "odd_n"}
    routed = north.set_index("from_id").loc["advice"]
    assert routed["reaches_id"] == "debt_n" and routed["hops"] == 1
    assert north["why"].str.endswith("[scope: North (E08000001); chosen by --within]").all()
    assert north.attrs["scope"].startswith("scope: North")
    summary = pathways(g, within="South").set_index("need_id")
    assert summary.loc["debt", "services"] == 1 and summary.loc["debt", "reachable_from"] == 1


def test_the_cli_takes_within_on_export_unplaced_and_pathways(
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    db = tmp_path / "two.db"
    workspace = Workspace(db)
    ingest_areas(workspace, DATA / "scope", name="areas")
    ingest(workspace, "assets", str(DATA / "scope_two" / "assets.csv"), name="assets")
    names = {n: d.get("name") for n, d in workspace.graph().nodes(data=True)}
    workspace.close()

    out = tmp_path / "hometown.gexf"
    done = run_cli("--db", db, "export", "gexf", "--within", "Hometown", "--out", out)
    assert done.code == 0, done.err
    assert "scope: Hometown (E08000901); chosen by --within" in done.err
    written = {names[n] for n in nx.read_gexf(out).nodes}
    assert "Hometown Library" in written and "Hometown" in written
    assert not written & {"Newport Hall", "Newport", "Lost Hut", "Faraway"}
    whole = run_cli("--db", db, "export", "graphml", "--out", tmp_path / "all.graphml")
    assert whole.code == 0 and "whole graph" in whole.err
    assert "Newport Hall" in {names[n] for n in nx.read_graphml(tmp_path / "all.graphml").nodes}

    rows = run_cli("--db", db, "query", "unplaced", "--within", "Hometown", "--format", "json")
    assert rows.code == 0, rows.err
    answer = json.loads(rows.out)
    found = answer["rows"]
    assert [r["name"] for r in found] == ["Lost Hut"] and "no area at all" in found[0]["why"]
    assert answer["scope"]["described"].startswith("scope: Hometown (E08000901)")
    routes = run_cli("--db", db, "query", "pathways", "--within", "W06000022", "--format", "json")
    assert routes.code == 0, routes.err
    assert json.loads(routes.out)["scope"]["areas"] == [{"area": "W06000022", "name": "Newport"}]
    folder = tmp_path / "neo4j"
    neo = run_cli("--db", db, "export", "neo4j-csv", "--within", "Hometown", "--out", folder)
    assert neo.code == 0, neo.err and "scope: Hometown (E08000901)" in neo.err
    with (folder / "nodes_Area.csv").open(encoding="utf-8") as areas:
        area_ids = {row["id:ID"] for row in csv.DictReader(areas)}
    assert "E08000901" in area_ids and not area_ids & {"W06000022", "E07000922", "E09000921"}
    with (folder / "relationships_PART_OF.csv").open(encoding="utf-8") as links:
        ends = {e for row in csv.DictReader(links) for e in (row[":START_ID"], row[":END_ID"])}
    assert ends and ends <= area_ids  # only edges among the place's nodes
    bad = run_cli("--db", db, "export", "kumu", "--within", "Nowhere", "--out", tmp_path / "k.xlsx")
    assert bad.code == 2 and "is not an area" in bad.err and not (tmp_path / "k.xlsx").exists()
    nt = tmp_path / "hometown.nt"
    rdf = run_cli(
        "--db", db, "export", "rdf", "--format", "nt", "--within", "Hometown", "--out", nt
    )
    assert rdf.code == 0, rdf.err
    assert "scope: Hometown (E08000901)" in rdf.err
    text = nt.read_text(encoding="utf-8")
    assert "E08000901" in text and "Hometown Library" in text
    assert not any(code in text for code in ("W06000022", "E07000922", "E09000921", "Newport"))


def test_funders_within_counts_only_the_areas_inside() -> None:
    g = two_authorities()
    g.add_node("trust", type="Organization", name="Trust")
    g.add_node("grant_s", type="Grant", title="Grant S", amount=500.0, currency="GBP")
    g.nodes["grant_n"].update(amount=1500.0, currency="GBP")
    g.nodes["E01000001"]["imd_decile"] = 1
    g.nodes["E01000002"]["imd_decile"] = 9
    _edge(g, "trust", "grant_n", "AWARDS")
    _edge(g, "trust", "grant_s", "AWARDS")
    _edge(g, "grant_s", "E01000002", "BENEFITS_AREA")
    _edge(g, "grant_s", "grantee", "AWARDED_TO")
    whole = funders(g).set_index("funder").loc["trust"]
    assert whole["areas"] == 2 and whole["share_most_deprived"] == 0.75  # 1,500 of 2,000
    north = funders(g, within="North")
    row = north.set_index("funder").loc["trust"]
    assert row["areas"] == 1 and row["share_most_deprived"] == 1.0
    assert row["total"] == 2000.0 and row["grants"] == 2  # money stays the funder's whole
    assert "within the scope: North (E08000001)" in row["why"]
    assert north.attrs["scope_detail"]["areas"] == [{"area": "E08000001", "name": "North"}]
