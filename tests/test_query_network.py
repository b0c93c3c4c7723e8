"""network, silos, sector-gaps and isolates on hand-built graphs with answers worked out by hand."""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest
from handmade import Town

from civicgraph.errors import UsageError
from civicgraph.queries import isolates, network, sector_gaps, silos
from civicgraph.queries._index import GraphIndex


def measures(frame: pd.DataFrame, scope: str = "whole network") -> dict[str, float]:
    rows = frame[frame["scope"] == scope]
    return dict(zip(rows["measure"], rows["value"], strict=True))


# -- network ------------------------------------------------------------------------------


def test_network_measures_of_a_small_star() -> None:
    t = Town()
    for org in "ABC":
        t.org(org)
    t.refer("A", "B", 5)
    t.refer("B", "A", 2)
    t.partner("B", "C", "MoU")
    frame = network(t.g)
    whole = measures(frame)
    assert whole["nodes"] == 3
    assert whole["ties"] == 2
    assert whole["referrals"] == 7
    assert whole["density"] == pytest.approx(2 / 3)
    assert whole["mean degree"] == pytest.approx(4 / 3)
    assert whole["degree centralisation"] == pytest.approx(1.0)  # a perfect star on B
    assert whole["reciprocity"] == pytest.approx(1.0)  # A->B and B->A
    assert whole["transitivity"] == 0.0
    assert whole["components"] == 1
    assert whole["average path length"] == pytest.approx(4 / 3)  # (1 + 1 + 2) / 3
    component = measures(frame, "component 1 (3 organisations)")
    assert component == {"diameter": 2, "average path length": pytest.approx(4 / 3)}
    degrees = frame[frame["measure"] == "degree"].set_index("scope")["value"].to_dict()
    assert degrees == {"1 ties": 2, "2 ties": 1}
    assert frame["why"].str.len().min() > 10


def test_network_of_an_empty_graph_and_of_one_organisation() -> None:
    empty = measures(network(nx.MultiDiGraph()))
    assert empty["nodes"] == 0 and empty["ties"] == 0 and empty["density"] == 0
    assert empty["components"] == 0
    t = Town()
    t.service("s", "A")
    one = network(t.g)
    assert measures(one)["nodes"] == 1 and measures(one)["components"] == 1
    assert "diameter" not in set(one["measure"])
    assert measures(one, "0 ties") == {"degree": 1}


def test_network_of_separate_parts_never_reports_an_infinite_path() -> None:
    t = Town()
    for a, b in [("A", "B"), ("C", "D")]:
        t.org(a)
        t.org(b)
        t.refer(a, b, 3)
    t.service("e1", "E")  # a provider with no ties at all
    t.org("F")  # neither a provider nor tied: not in the network
    frame = network(t.g)
    whole = measures(frame)
    assert whole["components"] == 3
    assert whole["largest component share"] == pytest.approx(2 / 5)
    assert whole["average path length"] == 1.0
    assert all(math.isfinite(v) for v in frame["value"])
    assert len(frame[frame["measure"] == "diameter"]) == 2


def test_self_referrals_parallel_periods_and_zero_counts() -> None:
    t = Town()
    t.service("a1", "A")
    t.service("a2", "A")
    t.service("b1", "B")
    t.refer("a1", "a2", 4)  # within one organisation: not a tie
    t.refer("a1", "a1", 9)  # a service to itself
    t.refer("a1", "b1", 3, period="2024-Q1")
    t.refer("a1", "b1", 4, period="2024-Q2")  # a parallel edge, another period
    t.partner("A", "B")  # and a declared tie on the same pair
    t.service("c1", "C")
    t.refer("c1", "b1", 0, period="2024-Q1")  # a route with no referrals
    whole = measures(network(t.g))
    assert whole["ties"] == 1 and whole["referrals"] == 7
    assert "13 more stayed within one organisation" in network(t.g).iloc[2]["why"]
    assert measures(network(t.g, period="2024-Q1"))["referrals"] == 3
    with_zero = measures(network(t.g, min_count=0))
    assert with_zero["ties"] == 2
    at_service_level = measures(network(t.g, level="service"))
    assert at_service_level["ties"] == 2  # a1-a2 and a1-b1; the zero route and a1-a1 are not
    with pytest.raises(UsageError, match="2024-Q1, 2024-Q2"):
        network(t.g, period="2023")


# -- sectors ---------------------------------------------------------------------------------


def test_sectors_come_from_the_top_of_the_taxonomy_and_stated_sectors_win() -> None:
    t = Town()
    t.concept("adv", "Advice and money")
    t.concept("debt", "Debt advice", parent="adv")
    t.concept("ben", "Benefits advice", parent="adv")
    t.concept("hou", "Housing")
    t.concept("hless", "Homelessness support", parent="hou")
    t.service("s1", "A", terms=("debt",))
    t.service("s2", "A", terms=("ben", "hless"))  # 1 advice + 1 housing: advice (by name)
    t.service("s3", "A", terms=("hless",))
    t.service("s4", "B", terms=("hless",), sector="tenancy support")
    t.service("s5", "C")
    t.org("D", sector="public health")
    lookup = GraphIndex(t.g)
    assert lookup.sector("s1") == "Advice and money"
    assert lookup.sector("s2") == "Advice and money"  # a tie between sectors: first by name
    assert lookup.sector("s3") == "Housing"
    assert lookup.sector("A") == "Advice and money"  # 2 of its 3 services
    assert lookup.sector("s4") == "tenancy support"
    assert lookup.sector("B") == "tenancy support"
    assert lookup.sector("C") == "unclassified"
    assert lookup.sector("D") == "public health"


def test_service_type_terms_outrank_target_groups_where_facets_are_marked() -> None:
    t = Town()
    t.concept("B", "Basic Needs")
    t.concept("Y", "Target Populations")
    t.g.add_node("food", type="Concept", name="Food Pantries", facet="Service")
    t.g.add_node("old", type="Concept", name="Older Adults")
    t.g.add_node("vets", type="Concept", name="Veterans")
    t.g.add_edge("food", "B", key="PART_OF", type="PART_OF")
    t.g.add_edge("old", "Y", key="PART_OF", type="PART_OF")
    t.g.add_edge("vets", "Y", key="PART_OF", type="PART_OF")
    t.service("pantry", "A", terms=("food", "old", "vets"))
    t.service("club", "A", terms=("old",))
    lookup = GraphIndex(t.g)
    assert lookup.sector("pantry") == "Basic Needs"
    assert lookup.sector("club") == "Target Populations"  # nothing better is known


def test_a_cycle_in_the_taxonomy_does_not_hang() -> None:
    t = Town()
    t.concept("x", "X", parent="y")
    t.concept("y", "Y", parent="x")
    t.service("s", "A", terms=("x",))
    assert GraphIndex(t.g).sector("s") in ("X", "Y")


# -- silos and sector gaps --------------------------------------------------------------------


def _two_triangles() -> Town:
    t = Town()
    for org in "ABC":
        t.org(org, sector="housing")
    for org in "DEF":
        t.org(org, sector="health")
    t.org("G", sector="advice")
    for u, v in [("A", "B"), ("B", "C"), ("C", "A"), ("D", "E"), ("E", "F"), ("F", "D")]:
        t.refer(u, v, 10)
    t.refer("C", "D", 1)
    t.partner("G", "A")
    return t


def test_silos_are_the_two_triangles_with_their_e_i_index() -> None:
    result = silos(_two_triangles().g)
    assert list(result["members"]) == ["A, B, C, G", "D, E, F"]  # most closed first
    housing, health = result.iloc[0], result.iloc[1]
    assert (health.internal_ties, health.external_ties) == (3, 1)
    assert health.ei_index == pytest.approx(-0.5)  # (1 - 3) / 4
    assert health.internal_referrals == 30 and health.external_referrals == 1
    assert health.ei_index_referrals == pytest.approx((1 - 30) / 31)
    assert (housing.internal_ties, housing.external_ties) == (4, 1)
    assert housing.ei_index == pytest.approx(-0.6)
    # Advice (G) ties only with housing: advice and health never connect.
    assert health.never_connects == "advice – health"
    assert "never tied anywhere: advice – health" in health.why
    assert housing.sectors == "housing 3, advice 1"


def test_sector_gaps_lists_the_pairs_that_never_tie() -> None:
    gaps = sector_gaps(_two_triangles().g)
    assert gaps[["sector_a", "sector_b"]].values.tolist() == [["advice", "health"]]
    every = sector_gaps(_two_triangles().g, only_missing=False).set_index(["sector_a", "sector_b"])
    assert every.loc[("health", "housing"), "ties"] == 1
    assert every.loc[("health", "housing"), "referrals"] == 1
    assert every.loc[("advice", "housing"), "ties"] == 1


def test_silos_and_sector_gaps_of_graphs_without_ties() -> None:
    t = Town()
    t.org("A")
    for graph in (nx.MultiDiGraph(), t.g):
        assert silos(graph).empty and list(silos(graph).columns)[-1] == "why"
        assert sector_gaps(graph).empty


def test_silos_are_reproducible_with_a_seed() -> None:
    t = Town()
    for prefix in "PQR":
        t.ring_of_orgs(prefix, 6)
    t.refer("P0-s", "Q0-s", 1)
    t.refer("Q3-s", "R0-s", 1)
    first, second = silos(t.g, seed=3), silos(t.g, seed=3)
    pd.testing.assert_frame_equal(first, second)
    assert sorted(first["size"]) == [6, 6, 6]


# -- isolates -----------------------------------------------------------------------------------


def test_isolates_of_organisations_and_services() -> None:
    t = Town()
    t.service("a1", "A")
    t.service("a2", "A")
    t.service("b1", "B")
    t.service("c1", "C")
    t.service("d1", "D")
    t.service("lone")  # a service without a provider
    t.refer("a1", "a2", 4)
    t.refer("c1", "d1", 2)
    t.refer("d1", "d1", 5)  # a self-referral is not a tie
    t.org("F")  # a funder: no services, not listed
    t.grant("F", "B", "g1")
    orgs = isolates(t.g, kind="organization")
    assert orgs[["id", "reason", "internal_referrals"]].values.tolist() == [
        ["A", "only within its organisation", 4],
        ["B", "no ties", 0],
    ]
    services = isolates(t.g, kind="service").set_index("id")
    assert sorted(services.index) == ["a1", "a2", "b1", "lone"]
    assert services.loc["a1", "reason"] == "only within its organisation"
    assert services.loc["b1", "reason"] == "no ties"
    assert pd.isna(services.loc["lone", "organization"])
    assert services.loc["a1", "why"] == "a1: referrals only with 1 other service of A (4 referrals)"
    assert len(isolates(t.g)) == 6
    assert isolates(nx.MultiDiGraph()).empty


def test_a_partnership_alone_is_a_tie_and_an_organisation_level_referral_counts() -> None:
    t = Town()
    t.service("a1", "A")
    t.service("b1", "B")
    t.service("c1", "C")
    t.partner("A", "B")
    t.refer("C", "a1", 3)  # recorded against the organisation C, not a service
    assert isolates(t.g, kind="organization").empty
    services = isolates(t.g, kind="service").set_index("id")
    assert list(services.index) == ["b1", "c1"]
    assert "its organisation B has 1 tie" in services.loc["b1", "why"]
