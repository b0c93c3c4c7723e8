"""si-index and gaps on hand-built areas whose answers are worked out by hand below.

The town: local authority L holds MSOA M1 (LSOAs A and B) and MSOA M2 (LSOA C).

====  ==========  ======  ==========  ========================================
LSOA  population  IMD     centroid    what reaches it (distance 1 km)
====  ==========  ======  ==========  ========================================
A     1,000       100/1   51.5, -1.0  library (at its centre), food bank s1 (at
                                      its centre, O1), debt advice s2 (O2, serves L)
B     2,000       20000/7 51.5, -0.95 community centre (placed in B, no
                                      coordinates), s2; grant of 3,000 to B
C     1,500       30000/10 51.6, -1.0 s2, benefits advice s3 (O1, placed in C)
====  ==========  ======  ==========  ========================================

s1 refers to s2, so O1 and O2 are tied wherever both reach.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from handmade import Town

from civicgraph.errors import UsageError
from civicgraph.queries import gaps, si_index
from civicgraph.queries.places import INDICATOR_WEIGHTS


def _town() -> Town:
    t = Town()
    t.area("L", "Town")
    t.g.nodes["L"].update(level="lad")
    for code, parent in (("M1", "L"), ("M2", "L")):
        t.area(code, f"MSOA {code}", parent=parent)
        t.g.nodes[code].update(level="msoa")
    for code, parent, pop, rank, decile, lat, lon in (
        ("A", "M1", 1000, 100, 1, 51.5, -1.0),
        ("B", "M1", 2000, 20000, 7, 51.5, -0.95),
        ("C", "M2", 1500, 30000, 10, 51.6, -1.0),
    ):
        t.area(code, f"LSOA {code}", parent=parent)
        t.g.nodes[code].update(
            level="lsoa",
            population=pop,
            imd_rank=rank,
            imd_decile=decile,
            latitude=lat,
            longitude=lon,
        )
    t.location("lib", "Library", facility_kind="library", latitude=51.5, longitude=-1.0)
    t.location("hall", "Community Hall", facility_kind="community centre")
    t.in_area("hall", "B")
    t.location("L1", "Food bank site", latitude=51.5, longitude=-1.0)
    t.location("L3", "Advice shop")
    t.in_area("L3", "C")
    t.service("s1", "O1", name="Food bank", sector="Food", at=("L1",))
    t.service("s2", "O2", name="Debt advice", sector="Advice", serves=("L",))
    t.service("s3", "O1", name="Benefits advice", sector="Advice", at=("L3",))
    t.refer("s1", "s2", count=3)
    t.grant("F", "O2", "g1", amount=3000.0, area="B")
    return t


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (the query projects; the two agree to well under 1% here)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def test_si_index_lsoa_values_and_ranks_worked_by_hand() -> None:
    frame = si_index(_town().g, distance_km=1.0).set_index("area")
    assert frame.loc[["A", "B", "C"], "civic_assets"].tolist() == [1, 1, 0]
    assert frame.loc[["A", "B", "C"], "services"].tolist() == [2, 1, 2]
    assert frame.loc[["A", "B", "C"], "organisations"].tolist() == [2, 1, 2]
    assert frame.loc[["A", "B", "C"], "ties"].tolist() == [1, 0, 1]
    assert frame.loc["C", "services_per_1000"] == pytest.approx(2 / 1.5, abs=1e-3)
    assert frame.loc[["A", "B", "C"], "category_coverage"].tolist() == [1.0, 0.5, 0.5]
    assert frame.loc[["A", "B", "C"], "preventative_share"].tolist() == [0.5, 1.0, 1.0]
    assert frame.loc[["A", "B", "C"], "funding_per_head"].tolist() == [0.0, 1.5, 0.0]
    assert frame.loc["A", "services_by_category"] == "Advice: 1; Food: 1"

    # Percentile ranks of three areas (ties share the mean rank), by hand:
    third = 1 / 3
    pct = {
        "civic_assets_per_1000": (1, 2 * third, third),  # 1.0, 0.5, 0.0
        "services_per_1000": (1, third, 2 * third),  # 2.0, 0.5, 1.33
        "category_coverage": (1, 0.5, 0.5),
        "organisations_per_1000": (1, third, 2 * third),
        "preventative_share": (third, 2.5 / 3, 2.5 / 3),
        "funding_per_head": (0.5, 1, 0.5),
        "connectedness": (2.5 / 3, third, 2.5 / 3),  # 0.5, 0, 0.5 ties per organisation
    }
    expected = {
        area: 100 * sum(INDICATOR_WEIGHTS[k] * v[i] for k, v in pct.items())
        for i, area in enumerate("ABC")
    }
    assert expected["A"] == pytest.approx(86.67, abs=0.01)
    for area in "ABC":
        assert frame.loc[area, "si_score"] == pytest.approx(expected[area], abs=0.06)
    assert frame.loc[["B", "C", "A"], "si_rank"].tolist() == [1, 2, 3]
    assert frame.index.tolist() == ["B", "C", "A"]  # ordered poorest first
    assert frame.loc["A", "imd_mismatch"] == "richer than its IMD suggests"
    assert frame.loc["B", "imd_mismatch"] == "poorer than its IMD suggests"
    assert frame.loc["C", "imd_mismatch"] == "poorer than its IMD suggests"
    assert frame.loc["C", "imd_rank"] == 30000 and frame.loc["C", "imd_decile"] == 10


def test_si_index_msoa_is_the_union_of_its_lsoas() -> None:
    frame = si_index(_town().g, level="msoa", distance_km=1.0).set_index("area")
    assert sorted(frame.index) == ["M1", "M2"]
    assert frame.loc["M1", "population"] == 3000
    assert frame.loc["M1", "civic_assets"] == 2  # the library and the hall, once each
    assert frame.loc["M1", "services"] == 2  # s1 and s2 (s2 reaches both LSOAs, counted once)
    assert frame.loc["M2", "services"] == 2
    # IMD of an MSOA: population-weighted average rank (100*1000 + 20000*2000)/3000 = 13,367
    # against 30,000: M1 is the more deprived of the two.
    assert frame.loc[["M1", "M2"], "imd_rank"].tolist() == [1, 2]
    assert frame.loc[["M1", "M2"], "imd_decile"].tolist() == [5, 10]
    lad = si_index(_town().g, level="lad", distance_km=1.0)
    assert lad["area"].tolist() == ["L"] and lad.loc[0, "population"] == 4500
    assert lad.loc[0, "services"] == 3 and lad.loc[0, "civic_assets"] == 2


def test_gaps_ranked_by_need_with_nearest_provision() -> None:
    frame = gaps(_town().g, distance_km=1.0)
    pairs = list(zip(frame["area"], frame["category"], strict=True))
    # need = population/1000 x (1 + (10 - decile)/9): A 2.0, B 2.667, C 1.5; then farthest first.
    assert pairs == [
        ("B", "Food"),
        ("B", "library"),
        ("A", "community centre"),
        ("C", "community centre"),
        ("C", "Food"),
        ("C", "library"),
    ]
    # B's food bank and library stand together, as do C's: equal need and distance tie.
    assert frame["rank"].tolist() == [1, 1, 3, 4, 5, 5]
    rows = frame.set_index(["area", "category"])
    assert rows.loc[("B", "Food"), "need"] == pytest.approx(2 * (1 + 3 / 9), abs=1e-3)
    assert rows.loc[("B", "Food"), "nearest_id"] == "s1"
    assert rows.loc[("B", "Food"), "distance_km"] == pytest.approx(
        _km(51.5, -0.95, 51.5, -1.0), rel=0.01
    )
    assert rows.loc[("C", "library"), "nearest"] == "Library"
    assert rows.loc[("C", "library"), "distance_km"] == pytest.approx(
        _km(51.6, -1.0, 51.5, -1.0), rel=0.01
    )
    # The hall has no coordinates: no distance to give, and the row says so.
    assert pd.isna(rows.loc[("A", "community centre"), "nearest_id"])
    assert "no located provision" in rows.loc[("A", "community centre"), "why"]
    assert "no Food service within 1 km" in rows.loc[("B", "Food"), "missing"]
    # Advice serves the whole authority: never a gap.
    assert "Advice" not in set(frame["category"])


def test_gaps_one_category_any_case_and_at_msoa_level() -> None:
    frame = gaps(_town().g, category="food", distance_km=1.0)
    assert frame["area"].tolist() == ["B", "C"]
    msoa = gaps(_town().g, category="library", level="msoa", distance_km=1.0)
    assert msoa["area"].tolist() == ["M2"]  # M1 holds A, which has the library


def test_wider_distance_closes_a_gap() -> None:
    near = gaps(_town().g, category="library", distance_km=1.0)
    far = gaps(_town().g, category="library", distance_km=5.0)
    assert set(near["area"]) == {"B", "C"} and far["area"].tolist() == ["C"]


def test_unknown_category_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError, match=r"no category 'swimming'.*Advice.*library"):
        gaps(_town().g, category="swimming")


def test_empty_graph_gives_empty_tables_with_the_contract_columns() -> None:
    empty = Town().g
    assert {"area", "si_score", "si_rank", "imd_mismatch", "why"} <= set(si_index(empty).columns)
    assert {"rank", "need", "missing", "nearest", "nearest_id", "distance_km"} <= set(
        gaps(empty).columns
    )


def test_cli_runs_both_and_refuses_an_unknown_category(run_cli, workspace_path) -> None:  # type: ignore[no-untyped-def]
    from handmade import AREA, LOC, edge, ingest_records, node

    from civicgraph import Workspace
    from civicgraph.ontology import EdgeType

    records = [
        node(
            AREA,
            "E01000001",
            name="A",
            level="lsoa",
            population=1000,
            imd_decile=2,
            latitude=51.5,
            longitude=-1.0,
        ),
        node(
            AREA,
            "E01000002",
            name="B",
            level="lsoa",
            population=1500,
            imd_decile=9,
            latitude=51.6,
            longitude=-1.0,
        ),
        node(
            LOC,
            "hand:location:lib",
            name="Library",
            facility_kind="library",
            latitude=51.5,
            longitude=-1.0,
        ),
        edge(EdgeType.IN_AREA, "hand:location:lib", "E01000001"),
    ]
    with Workspace(workspace_path) as workspace:
        ingest_records(workspace, records)
    result = run_cli("--db", workspace_path, "query", "si-index", "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]
    assert [r["area"] for r in rows] == ["E01000002", "E01000001"]
    result = run_cli("--db", workspace_path, "query", "gaps", "--format", "json")
    assert [(r["area"], r["nearest"]) for r in json.loads(result.out)["rows"]] == [
        ("E01000002", "Library")
    ]
    result = run_cli("--db", workspace_path, "query", "gaps", "--category", "swimming")
    assert result.code == 2 and "no category 'swimming'" in result.err
    assert "Traceback" not in result.err


def test_an_area_nothing_can_score_comes_last_unranked() -> None:
    t = Town()
    for code, pop in (("A", 1000), ("B", 2000), ("D", None)):
        t.area(code)
        t.g.nodes[code].update(level="lsoa", **({"population": pop} if pop else {}))
    t.location("lib", "Library", facility_kind="library")
    t.in_area("lib", "A")
    frame = si_index(t.g)
    assert frame["area"].tolist() == ["B", "A", "D"]
    assert frame["si_rank"].tolist()[:2] == [1, 2] and pd.isna(frame["si_rank"].iloc[2])
    assert "not scored" in frame["why"].iloc[2]
