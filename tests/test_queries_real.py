"""The queries that need no referral data, on the real 211 Miami directory (HSDS 1.0-era CSV).

Miami's 4,089 locations are one per service; many services of different
organisations sit at one street address. The README reports what these
queries find there.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import comb
from pathlib import Path

import pytest
from helpers import shared

from civicgraph import Workspace, ingest_hsds
from civicgraph.graph import Graph
from civicgraph.queries import (
    impact,
    isolates,
    network,
    partnerships,
    pathways,
    sector_gaps,
    shared_buildings,
    silos,
)
from civicgraph.queries._index import GraphIndex


@pytest.fixture(scope="module")
def miami(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    source = shared("hsds1_miami_open211")
    workspace = Workspace(Path(tmp_path_factory.mktemp("miami")) / "w.db")
    ingest_hsds(workspace, source, name="miami")
    yield workspace.graph()
    workspace.close()


def test_locations_fold_into_buildings_by_address(miami: Graph) -> None:
    buildings = GraphIndex(miami).buildings
    assert len(buildings.of_location) == 4089
    assert len(buildings.locations) == 2291  # distinct street addresses (and a few bare points)
    assert sum(1 for members in buildings.locations.values() if len(members) > 1) == 637


def test_shared_buildings_are_the_civic_and_medical_centres(miami: Graph) -> None:
    result = shared_buildings(miami)
    assert len(result) == 201
    top = result.iloc[0]
    assert top["label"] == "111 NW 1st Street, 33128"  # Miami-Dade's government centre
    assert top["organizations"] == 8
    assert "MIAMI-DADE WATER AND SEWER DEPARTMENT" in top["organization_names"]
    assert list(result["label"][1:3]) == ["1601 NW 12th Avenue, 33136", "3250 SW 3rd Avenue, 33129"]
    # With no referral or partnership data, no pair under a roof is tied.
    assert (result["tied_pairs"] == 0).all()
    assert (result["untied_pairs"] == result["organizations"].map(lambda n: comb(n, 2))).all()


def test_co_located_organisations_are_suggested_as_partners(miami: Graph) -> None:
    result = partnerships(miami, limit=0)
    assert len(result) == 379  # the distinct pairs under the 201 shared roofs
    assert set(result["reasons"]) == {"shared building"}
    assert result.iloc[0]["score"] == 3.0  # one building each, shared by the two alone
    pairs = set(map(frozenset, result[["organization_a", "organization_b"]].values.tolist()))
    assert (
        frozenset(("miami:organization:1824", "miami:organization:7839")) in pairs
    )  # crisis lines


def test_closing_a_building_leaves_its_services_without_one(miami: Graph) -> None:
    result = impact(miami, remove=["miami:location:136"])
    losses = result.groupby("loss")["subject_id"].apply(sorted).to_dict()
    assert losses["service without a building"] == ["miami:service:136", "miami:service:8323"]
    assert losses["organisation without a building"] == ["miami:organization:136"]
    assert result.iloc[0]["why"].endswith(
        "closes 1 building and 2 services, breaks 0 referral routes (0 referrals)"
    )


def test_queries_that_need_referrals_say_there_are_none(miami: Graph) -> None:
    shape = network(miami).set_index("measure")
    assert shape.loc["ties", "value"] == 0 and shape.loc["nodes", "value"] == 1074
    assert silos(miami).empty and sector_gaps(miami).empty
    assert len(isolates(miami, kind="organization")) == 1074
    needs = pathways(miami)
    assert set(needs["status"]) == {"no route"}
    assert "Basic Needs" in set(needs["need"])
