"""Community control of assets: ownership, ACV dates, transfer candidates; and query activities."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from helpers import TEST_DATA

from civicgraph.errors import UsageError
from civicgraph.graph import Workspace
from civicgraph.ingest import ingest
from civicgraph.queries import activities, assets


def test_the_register_keeps_ownership_acv_moratorium_and_transfer_dates(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "assets", str(TEST_DATA / "assets_acv.csv"), name="register")
    graph = ws.graph()
    by_name = {d["name"]: d for _, d in graph.nodes(data=True) if d["type"] == "Location"}
    library = by_name["Old Library"]
    assert (library["ownership"], library["acv_listed"], library["acv_expires"]) == (
        "council",
        "2021-03-01",  # 01/03/2021 is the UK order
        "2026-03-01",  # five years after listing, the register stating no end
    )
    assert library["acv_expiry_basis"] == "five years after listing"
    pub = by_name["Red Lion"]
    assert (pub["ownership"], pub["acv_expires"], pub["acv_expiry_basis"]) == (
        "private",
        "2027-01-31",
        "stated",
    )
    assert pub["moratorium_end"] == "2024-12-15"
    welfare = by_name["Miners Welfare"]
    assert welfare["ownership"] == "charity" and "acv_listed" not in welfare
    bad = [p for p in report.problems if p.code == "bad-date"]
    assert len(bad) == 1 and bad[0].field == "acv_listed" and bad[0].examples[0]["value"] == "soon"
    pavilion = by_name["Park Pavilion"]
    assert pavilion["ownership"] == "community" and pavilion["asset_transfer_date"] == "2022-05-01"

    rows = assets(graph, as_of="2025-06-01").set_index("name")
    assert rows.loc["Old Library", "acv_status"] == "listed"
    assert bool(rows.loc["Miners Welfare", "community_controlled"])
    assert bool(rows.loc["Park Pavilion", "community_controlled"])
    assert not bool(rows.loc["Red Lion", "community_controlled"])
    expiring = assets(graph, as_of="2025-06-01", expiring_within_months=12)
    assert expiring["name"].tolist() == ["Old Library"]  # ends 2026-03-01; the pub in 2027
    later = assets(graph, as_of="2026-06-01")
    assert later.set_index("name").loc["Old Library", "acv_status"] == "ended"


def _town() -> nx.MultiDiGraph:
    """Two small areas in one ward: a council hall used by a charity, a community-owned hall."""
    g = nx.MultiDiGraph()
    g.add_node("W1", type="Area", level="ward", name="Ward One")
    for lsoa in ("E01000001", "E01000002"):
        g.add_node(lsoa, type="Area", level="lsoa", name=lsoa)
        g.add_edge(lsoa, "W1", key="PART_OF", type="PART_OF")
    g.add_node("hall", type="Location", name="Council Hall", ownership="council")
    g.add_node("centre", type="Location", name="Hope Centre", ownership="community")
    g.add_node("depot", type="Location", name="Depot", ownership="council")
    g.add_edge("hall", "E01000001", key="IN_AREA", type="IN_AREA")
    g.add_edge("depot", "E01000001", key="IN_AREA", type="IN_AREA")
    g.add_edge("centre", "E01000002", key="IN_AREA", type="IN_AREA")
    g.add_node("trust", type="Organization", name="Hope Trust", org_ids=["GB-CHC-1122334"])
    g.add_node("council", type="Organization", name="Town Council", kind="council")
    g.add_node("lunch", type="Service", name="Lunch club")
    g.add_edge("trust", "lunch", key="PROVIDES", type="PROVIDES")
    g.add_edge("lunch", "hall", key="AT_LOCATION", type="AT_LOCATION")
    g.add_edge("council", "depot", key="OPERATES", type="OPERATES")
    g.add_node("netball", type="Activity", name="Walking netball", activity_kind="session series")
    g.add_edge("netball", "centre", key="HAPPENS_AT", type="HAPPENS_AT")
    g.add_edge("trust", "netball", key="RUNS", type="RUNS")
    return g


def test_council_buildings_used_by_community_organisations_are_transfer_candidates() -> None:
    rows = assets(_town(), as_of="2025-01-01").set_index("name")
    assert bool(rows.loc["Council Hall", "transfer_candidate"])
    assert rows.loc["Council Hall", "used_by"] == ["Hope Trust"]
    assert "service Lunch club" in rows.loc["Council Hall", "why"]
    assert "transfer candidate" in rows.loc["Council Hall", "why"]
    assert not bool(rows.loc["Depot", "transfer_candidate"])  # only the council uses it
    assert rows.loc["Hope Centre", "used_by"] == ["Hope Trust"]  # runs an activity there


def test_each_areas_share_of_community_controlled_assets() -> None:
    by_lsoa = assets(_town(), by="area", as_of="2025-01-01").set_index("area")
    assert by_lsoa.loc["E01000001", "community_share"] == 0.0
    assert by_lsoa.loc["E01000001", "transfer_candidates"] == 1
    assert by_lsoa.loc["E01000002", "community_share"] == 1.0
    by_ward = assets(_town(), by="area", level="ward", as_of="2025-01-01")
    assert by_ward[["area", "assets", "community_controlled"]].values.tolist() == [["W1", 3, 1]]
    within = assets(_town(), within="E01000002", as_of="2025-01-01")
    assert within["name"].tolist() == ["Hope Centre"]
    with pytest.raises(UsageError, match="not an area"):
        assets(_town(), within="nowhere")


def test_query_activities_lists_place_organisation_and_area() -> None:
    rows = activities(_town())
    assert rows[["name", "place", "organization", "area"]].values.tolist() == [
        ["Walking netball", "Hope Centre", "Hope Trust", "E01000002"]
    ]
    assert activities(_town(), within="W1")["name"].tolist() == ["Walking netball"]
    assert activities(_town(), within="E01000001").empty
    assert activities(_town(), kind="warm space").empty
