"""Activities in the place queries: si-index's active-community domain, gaps by activity kind."""

from __future__ import annotations

import networkx as nx

from civicgraph.queries import activities, gaps, si_index


def _two_areas() -> nx.MultiDiGraph:
    """Two LSOAs 11 km apart; a hall in the first holds a warm space and a volunteering role."""
    g = nx.MultiDiGraph()
    for code, lat in (("E01000001", 51.50), ("E01000002", 51.60)):
        g.add_node(code, type="Area", name=code, level="lsoa", population=2000,
                   latitude=lat, longitude=-1.0)  # fmt: skip
    g.add_node("hall", type="Location", name="Hope Hall", latitude=51.50, longitude=-1.0)
    g.add_edge("hall", "E01000001", key="IN_AREA", type="IN_AREA")
    g.add_node("warm", type="Activity", name="Warm hub", activity_kind="warm space",
               categories=["warm space"], sessions_per_week=3.0)  # fmt: skip
    g.add_node("role", type="Activity", name="Pantry helper", activity_kind="volunteering role",
               sessions_per_week=1.0)  # fmt: skip
    for activity in ("warm", "role"):
        g.add_edge(activity, "hall", key="HAPPENS_AT", type="HAPPENS_AT")
    return g


def test_si_index_counts_sessions_a_week_and_volunteering_per_1000_residents() -> None:
    rows = si_index(_two_areas(), distance_km=1.0).set_index("area")
    first, second = rows.loc["E01000001"], rows.loc["E01000002"]
    assert first["activity_sessions_per_week"] == 4.0  # 3 warm-space sessions + 1 volunteering
    assert first["sessions_per_1000_per_week"] == 2.0  # 4 a week for 2,000 residents
    assert first["volunteering_opportunities"] == 1.0
    assert first["volunteering_per_1000"] == 0.5
    assert second["sessions_per_1000_per_week"] == 0.0
    assert first["si_rank"] == 2 and second["si_rank"] == 1  # the second is the poorer
    assert "sessions_per_1000_per_week" in first["why"]


def test_si_index_without_activities_leaves_the_domain_unmeasured() -> None:
    g = _two_areas()
    g.remove_nodes_from(["warm", "role"])
    rows = si_index(g, distance_km=1.0)
    assert rows["sessions_per_1000_per_week"].isna().all()
    assert "sessions_per_1000_per_week" not in rows["why"].iloc[0]


def test_gaps_takes_an_activity_category() -> None:
    rows = gaps(_two_areas(), category="Warm space", distance_km=1.0)
    assert rows[["area", "category", "nearest", "nearest_id", "distance_km"]].values.tolist() == [
        ["E01000002", "warm space", "Warm hub at Hope Hall", "warm", 11.06]
    ]
    by_kind = gaps(_two_areas(), category="volunteering role", distance_km=1.0)
    assert by_kind["area"].tolist() == ["E01000002"]


def test_activities_why_counts_sessions_in_agreement() -> None:
    why = activities(_two_areas()).set_index("id")["why"]
    assert "1 session a week" in why["role"], why["role"]
    assert "3 sessions a week" in why["warm"], why["warm"]


def test_gaps_leaves_the_graph_as_it_was() -> None:
    """The activities' stand-in locations live in a graph that shares the original's nodes and
    edges: none of them, nor their edges into the areas, reach the original."""
    g = _two_areas()
    g.add_edge("hall", "E01000001", key="IN_AREA_2", type="IN_AREA")  # a second source's
    nodes, edges = dict(g.nodes(data=True)), list(g.edges(keys=True, data=True))
    into_area = list(g.in_edges("E01000001", keys=True))
    rows = gaps(g, distance_km=1.0)
    assert set(rows["category"]) == {"warm space", "volunteering role"}
    assert dict(g.nodes(data=True)) == nodes
    assert list(g.edges(keys=True, data=True)) == edges
    assert list(g.in_edges("E01000001", keys=True)) == into_area
    # Asked again, the same answer (nothing left over from the first time).
    assert gaps(g, distance_km=1.0).equals(rows)
