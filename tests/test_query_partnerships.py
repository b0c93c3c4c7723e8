"""partnerships, pooled-budgets and shared-buildings on hand-built graphs, scores worked by hand."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from handmade import Town

from civicgraph.queries import partnerships, pooled_budgets, shared_buildings


def pairs(frame) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(a, b) for a, b in frame[["organization_a", "organization_b"]].values.tolist()]


def test_a_shared_building_suggests_every_untied_pair_with_its_score() -> None:
    t = Town()
    t.location("hall", "Village Hall", uprn="100012345678")
    for org in "ABC":
        t.service(f"{org}1", org, at=("hall",))
    t.refer("A1", "B1", 3)  # A and B are tied already
    result = partnerships(t.g)
    assert pairs(result) == [("A", "C"), ("B", "C")]
    # One building shared by three: weight 3 x 1/log2(3); each has one building, so no scaling.
    assert result.iloc[0]["score"] == pytest.approx(round(3 / math.log2(3), 4))
    assert result.iloc[0]["reasons"] == "shared building"
    assert result.iloc[0]["shared_buildings"] == "Village Hall"
    assert result.iloc[0]["why"] == "A and C are not tied, yet both work from Village Hall"


def test_every_kind_of_evidence_with_its_weight() -> None:
    t = Town()
    t.area("E01", "Hartley North")
    t.service("x1", "X", serves=("E01",), sector="advice")
    t.service("y1", "Y", serves=("E01",), sector="housing")
    t.service("z1", "Z", serves=("E01",), sector="housing")  # same sector as Y: not complementary
    t.service("t1", "T")
    t.refer("x1", "t1", 2)
    t.refer("y1", "t1", 5)
    t.grant("F", "X", "g1", 1000)
    t.grant("F", "Y", "g2", 500)
    result = partnerships(t.g).set_index(["organization_a", "organization_b"])
    x_y = result.loc[("X", "Y")]
    assert x_y["reasons"] == (
        "shared funder; same areas, complementary services; refer to the same services; "
        "common contacts"
    )
    # Funder of two: 2 x 1; area of three (1/log2 3) over breadth 1; target of two: 1;
    # one common contact (T, two ties): Adamic-Adar 1/ln 2.
    expected = 2.0 + 1 / math.log2(3) + 1.0 + 1 / math.log(2)
    assert x_y["score"] == pytest.approx(round(expected, 4))
    assert x_y["adamic_adar"] == pytest.approx(round(1 / math.log(2), 4))
    assert x_y["shared_funders"] == "F"
    assert x_y["shared_areas"] == "Hartley North"
    assert x_y["common_referral_targets"] == "t1"
    assert x_y["common_contacts"] == "T"
    assert x_y["sectors"] == "advice + housing"
    assert "both are funded by F" in x_y["why"]
    # Y and Z share the area but not a sector: the area is no reason for them.
    assert ("Y", "Z") not in result.index
    assert result.loc[("X", "Z"), "reasons"] == "same areas, complementary services"
    # Tied pairs (X and Y both refer to T) are never suggested.
    assert ("T", "X") not in result.index and ("T", "Y") not in result.index


def test_larger_organisations_do_not_rank_first_for_their_size() -> None:
    t = Town()
    for i in range(6):
        t.location(f"hall{i}", f"Hall {i}", uprn=str(i))
    for i in range(6):  # two big organisations sharing one of their six buildings each
        t.service(f"big1-{i}", "Big1", at=(f"hall{i}",))
        t.service(f"big2-{i}", "Big2", at=(f"hall{(i + 3) % 6}",) if i == 0 else (f"other{i}",))
    t.service("s1", "Small1", at=("corner",))
    t.service("s2", "Small2", at=("corner",))
    result = partnerships(t.g)
    assert pairs(result)[0] == ("Small1", "Small2")


def test_already_tied_pairs_are_never_suggested() -> None:
    t = Town()
    t.location("hall", uprn="1")
    for org in "ABCDE":
        t.service(f"{org}1", org, at=("hall",))
    t.partner("A", "B", "consortium")
    t.refer("C1", "D", 0)  # even a route with no referrals means they know each other
    t.funds("E", "A")
    t.g.add_edge("E", "C", key="PART_OF", type="PART_OF")  # a branch of its parent
    suggested = set(pairs(partnerships(t.g)))
    assert suggested == {("A", "C"), ("A", "D"), ("B", "C"), ("B", "D"), ("B", "E"), ("D", "E")}


def test_partnerships_of_empty_and_tiny_graphs_and_over_common_evidence() -> None:
    empty = partnerships(nx.MultiDiGraph())
    assert empty.empty and list(empty.columns)[-1] == "why"
    t = Town()
    t.service("a", "A")
    assert partnerships(t.g).empty
    crowd = Town()
    crowd.area("E01")
    for i in range(60):
        crowd.service(f"s{i}", f"O{i:02d}", serves=("E01",), sector=f"sector {i % 2}")
    # Sixty organisations in one area: more than max_group, so no pair is proposed from it
    # (the work does not grow with the square of the organisations).
    assert partnerships(crowd.g).empty
    assert len(partnerships(crowd.g, max_group=60, limit=0)) == 30 * 30


def test_min_score_and_limit() -> None:
    t = Town()
    t.location("hall", uprn="1")
    for org in "ABCD":
        t.service(f"{org}1", org, at=("hall",))
    assert len(partnerships(t.g)) == 6
    assert len(partnerships(t.g, limit=2)) == 2
    assert partnerships(t.g, min_score=10).empty


def test_pooled_budgets_by_outcome_and_area() -> None:
    t = Town()
    t.area("E01", "Hartley North")
    t.area("E02", "Hartley South")
    t.service("r1s", "R1", serves=("E01",), sector="advice")
    t.service("r2s", "R2", serves=("E01", "E02"), sector="advice")
    t.service("r3s", "R3", serves=("E01",), sector="food")
    t.grant("F1", "R1", "g1", 1000)
    t.grant("F2", "R2", "g2", 500)
    t.grant("F3", "R3", "g3", 200)
    t.funds("F3", "r2s")  # a funding statement for a service counts for its outcome
    result = pooled_budgets(t.g)
    assert result[
        ["sector", "area", "funders", "recipients", "grants", "amount"]
    ].values.tolist() == [
        ["advice", "E01", 3, 2, 2, 1500.0],
        ["advice", "E02", 2, 1, 1, 500.0],
    ]
    assert "a case for pooling the budget" in result.iloc[0]["why"]
    assert pooled_budgets(t.g, min_funders=4).empty
    assert pooled_budgets(nx.MultiDiGraph()).empty


def test_pooled_budgets_without_areas_compare_outcomes_only() -> None:
    t = Town()
    t.org("R1", sector="advice")
    t.org("R2", sector="advice")
    t.grant("F1", "R1", "g1")
    t.grant("F2", "R2", "g2")
    result = pooled_budgets(t.g)
    assert result[["sector", "funders"]].values.tolist() == [["advice", 2]]
    assert result.iloc[0]["area"] is None


def test_shared_buildings_group_locations_by_uprn_address_or_point() -> None:
    t = Town()
    t.location("l1", "Civic Centre", address_1="1 High St", postcode="OB1 1AA")
    t.location("l2", "Civic Centre, floor 2", address_1="1 HIGH ST.", postcode="ob11aa")
    t.location("p1", "Corner", latitude=52.1, longitude=-1.2)
    t.location("p2", "Corner shop", latitude=52.1, longitude=-1.2)
    t.location("u1", "Library", uprn="123", address_1="1 High St", postcode="OB1 1AA")
    t.service("a1", "A", at=("l1",))
    t.service("b1", "B", at=("l2",))
    t.service("c1", "C", at=("p1",))
    t.service("d1", "D", at=("p2",))
    t.service("e1", "E", at=("u1",))  # a UPRN is its own building, whatever the address
    t.org("F")
    t.operates("F", "l1")  # operating a site counts, with no service listed there
    t.refer("a1", "b1", 2)
    result = shared_buildings(t.g)
    assert result[["organizations", "tied_pairs", "untied_pairs", "services"]].values.tolist() == [
        [3, 1, 2, 2],
        [2, 0, 1, 2],
    ]
    assert result.iloc[0]["organization_names"] == "A; B; F"
    assert result.iloc[0]["label"] == "1 High St, OB1 1AA"  # the address names the building
    assert shared_buildings(t.g, min_organizations=3)["organizations"].tolist() == [3]
    assert shared_buildings(nx.MultiDiGraph()).empty
