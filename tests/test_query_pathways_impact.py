"""pathways and impact on hand-built graphs with answers worked out by hand."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from handmade import Town

from civicgraph.errors import UsageError
from civicgraph.queries import impact, pathways


def advice_town() -> Town:
    """GP -> food bank -> advice centre (debt advice), in two areas; a housing office apart."""
    t = Town()
    t.concept("adv", "Advice and money")
    t.concept("debt", "Debt advice", parent="adv")
    t.concept("food", "Food")
    t.concept("hou", "Housing")
    t.area("LAD", "Oakbridge")
    t.area("N", "North", parent="LAD")
    t.area("S", "South", parent="LAD")
    t.service("gp", "NHS", name="GP", serves=("N",))
    t.service("foodbank", "Church", name="Food bank", terms=("food",), serves=("N",))
    t.service("cab", "CAB", name="Citizens Advice", terms=("debt",), serves=("N",))
    t.service("cab2", "CAB", name="Citizens Advice South", terms=("debt",), serves=("S",))
    t.service("housing", "Council", name="Housing office", terms=("hou",), serves=("S",))
    t.refer("gp", "foodbank", 9)
    t.refer("foodbank", "cab", 4)
    return t


def rows(frame: pd.DataFrame, *columns: str) -> list[list[object]]:
    return (
        frame[list(columns)]
        .astype(object)
        .where(frame[list(columns)].notna(), None)
        .values.tolist()
    )


# -- pathways -----------------------------------------------------------------------------------


def test_routes_to_a_need_with_their_lengths() -> None:
    result = pathways(advice_town().g, need="Debt advice")
    assert rows(result, "from_id", "hops", "route", "reaches_id") == [
        ["foodbank", 1, "Food bank → Citizens Advice", "cab"],
        ["gp", 2, "GP → Food bank → Citizens Advice", "cab"],
        ["housing", None, None, None],
    ]
    assert "no referral route of up to 4 steps" in result.iloc[2]["why"]
    # A category stands for the terms under it.
    by_category = pathways(advice_town().g, need="adv")
    assert by_category["hops"].tolist()[:2] == [1, 2]
    assert pathways(advice_town().g, need="Debt advice", max_hops=1)["hops"].isna().sum() == 2


def test_routes_in_an_area_reach_only_services_there() -> None:
    north = pathways(advice_town().g, need="Debt advice", area="North")
    assert rows(north, "from_id", "hops") == [["foodbank", 1], ["gp", 2]]
    south = pathways(advice_town().g, need="Debt advice", area="S")
    assert rows(south, "from_id", "hops") == [["housing", None]]
    # An area stands for the areas within it.
    everywhere = pathways(advice_town().g, need="Debt advice", area="Oakbridge")
    assert len(everywhere) == 3


def test_a_referral_to_an_organisation_reaches_its_services_but_not_through_it() -> None:
    t = Town()
    t.concept("debt", "Debt advice")
    t.service("gp", "NHS", name="GP")
    t.service("front", "CAB", name="Front desk")
    t.service("debtline", "CAB", name="Debt line", terms=("debt",))
    t.service("other", "Other", name="Other")
    t.refer("gp", "CAB", 5)  # to the organisation: reaches each of its services
    t.refer("front", "other", 2)
    result = pathways(t.g, need="Debt advice").set_index("from_id")
    assert result.loc["gp", "hops"] == 1
    assert result.loc["gp", "route"] == "GP → CAB (organisation) → Debt line"
    # The front desk is of the same organisation, but an organisation is no route between
    # its own services.
    assert pd.isna(result.loc["front", "hops"])


def test_needs_without_routes() -> None:
    t = advice_town()
    t.concept("dv", "Domestic abuse")
    summary = pathways(t.g).set_index("need")
    assert summary.loc["Domestic abuse", "status"] == "no service"
    assert summary.loc["Housing", "status"] == "no route"
    assert summary.loc["Advice and money", "status"] == "reachable"
    assert summary.loc["Advice and money", "reachable_from"] == 2  # GP and food bank
    assert summary.loc["Advice and money", "services"] == 2
    assert list(summary.index) == ["Domestic abuse", "Housing", "Food", "Advice and money"]
    assert summary.loc["Food", "share_reachable"] == pytest.approx(1 / 4)  # the GP, of four
    terms = pathways(t.g, needs="terms").set_index("need")
    assert "Debt advice" in terms.index and "Advice and money" not in terms.index


def test_pathways_edge_cases() -> None:
    assert pathways(nx.MultiDiGraph()).empty
    t = advice_town()
    t.refer("housing", "housing", 5)  # a self-referral is no route
    t.refer("housing", "cab2", 0)  # nor is a route with no referrals, by default
    assert pd.isna(pathways(t.g, need="debt").set_index("from_id").loc["housing", "hops"])
    assert pathways(t.g, need="debt", min_count=0).set_index("from_id").loc["housing", "hops"] == 1
    with pytest.raises(UsageError, match="Did you mean: Debt advice"):
        pathways(t.g, need="Debt advise")
    with pytest.raises(UsageError, match="`area` 'Nowhere' names no area"):
        pathways(t.g, need="debt", area="Nowhere")
    without_areas = Town()
    without_areas.area("E01")
    without_areas.service("s", "A")
    with pytest.raises(UsageError, match="no service in any area"):
        pathways(without_areas.g, area="E01")


# -- impact ----------------------------------------------------------------------------------------


def hall_town() -> Town:
    t = Town()
    t.concept("debt", "Debt advice")
    t.concept("food", "Food")
    t.area("N", "North")
    t.location("hall", "Village Hall", uprn="1")
    t.location("hall-annexe", "Village Hall annexe", uprn="1b")
    t.location("church", "St Mary's", uprn="2")
    t.service("cab", "CAB", name="Debt clinic", terms=("debt",), at=("hall",), serves=("N",))
    t.service(
        "pantry", "Church", name="Pantry", terms=("food",), at=("hall", "church"), serves=("N",)
    )
    t.service("meals", "Church", name="Meals", terms=("food",), at=("church",), serves=("N",))
    t.operates("CAB", "hall")
    t.service("gp", "NHS", name="GP")
    t.refer("gp", "cab", 5)
    t.refer("cab", "pantry", 2)
    return t


def test_closing_a_building() -> None:
    result = impact(hall_town().g, remove=["Village Hall"])
    assert result.iloc[0]["why"] == (
        "removing Village Hall: closes 1 building and 1 service, breaks 2 referral routes "
        "(7 referrals), cuts 1 organisation off from the rest, leaves 1 area without a kind of "
        "service, leaves no service at all for 1 kind of need"
    )
    losses = result.set_index("loss")
    assert losses.loc["service without a building", "subject_id"] == "cab"  # the pantry moves
    assert losses.loc["organisation without a building", "subject_id"] == "CAB"
    assert losses.loc["kind of service gone", "subject"] == "Debt advice"
    assert losses.loc["area without a kind of service", "detail"] == "Debt advice"
    # The GP's organisation and the church are left apart: one of the two is "cut off".
    assert losses.loc["group cut off", "subject"] == "NHS"


def test_closing_an_organisation_and_a_service() -> None:
    by_org = impact(hall_town().g, remove=["Church"]).set_index("loss")
    assert "closes 1 organisation and 2 services" in by_org.loc["summary", "why"]
    assert by_org.loc["kind of service gone", "subject"] == "Food"
    assert by_org.loc["building left unused", "subject_id"] == "church"
    assert "referral routes broken" in by_org.index
    by_service = impact(hall_town().g, remove=["cab"])
    broken = by_service[by_service["loss"] == "referral routes broken"]
    assert sorted(broken["subject_id"]) == ["Church", "NHS"]
    assert set(by_service["loss"]) >= {"left without ties", "kind of service gone"}


def test_removing_a_funder() -> None:
    t = Town()
    t.service("a1", "A")
    t.service("b1", "B")
    t.grant("F", "A", "g1", 1000)
    t.grant("F", "B", "g2", 250)
    t.grant("G", "B", "g3", 100)
    result = impact(t.g, remove=["F"]).set_index(["loss", "subject_id"])
    assert result.loc[("funding lost", "A"), "detail"] == "1 grants, 1,000"
    assert "still funded by G" in result.loc[("funding lost", "B"), "why"]
    assert ("organisation left without funding", "A") in result.index
    assert ("organisation left without funding", "B") not in result.index
    closing = impact(t.g, remove=["F"], close_unfunded=True)
    assert "closes 1 organisation and 1 service" in closing.iloc[0]["why"]


def test_impact_usage_errors() -> None:
    t = hall_town()
    with pytest.raises(UsageError, match="say what to remove"):
        impact(t.g)
    with pytest.raises(UsageError, match="names no location, service or organisation"):
        impact(t.g, remove=["Nowhere Hall"])
    t.service("dup1", "X", name="Drop-in")
    t.service("dup2", "Y", name="Drop-in")
    with pytest.raises(UsageError, match="names 2 things"):
        impact(t.g, remove=["Drop-in"])
