"""Grants whose beneficiary locations are given by name land in the areas named (issue 13.5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from handmade import edge, ingest_records, node
from helpers import shared

from civicgraph import Workspace, ingest_360giving
from civicgraph.ingest import ingest_areas
from civicgraph.ontology import EdgeType, NodeType
from civicgraph.queries import run_query

AREA, GRANT = NodeType.AREA, NodeType.GRANT


def _areas() -> list[Any]:
    """Two regions, three authorities (two called Newport), a ward and an LSOA, by hand."""
    return [
        node(AREA, "E92000001", code="E92000001", name="England", level="country"),
        node(AREA, "E12000009", code="E12000009", name="South West", level="region"),
        node(AREA, "E12000008", code="E12000008", name="South East", level="region"),
        node(AREA, "E06000026", code="E06000026", name="Plymouth", level="lad"),
        node(AREA, "W06000022", code="W06000022", name="Newport", level="lad"),
        node(AREA, "E05008481", code="E05008481", name="Newport", level="ward"),
        node(AREA, "E06000046", code="E06000046", name="Isle of Wight", level="lad"),
        node(AREA, "E06000023", code="E06000023", name="Bristol, City of", level="lad"),
        node(AREA, "E01028512", code="E01028512", name="Oxford 008B", level="lsoa", vintage="2011"),
        node(AREA, "E01035999", code="E01035999", name="Oxford 008B", level="lsoa", vintage="2021"),
        edge(EdgeType.PART_OF, "E06000026", "E12000009"),
        edge(EdgeType.PART_OF, "E06000023", "E12000009"),
        edge(EdgeType.PART_OF, "E05008481", "E06000046"),
        edge(EdgeType.PART_OF, "E06000046", "E12000008"),
        edge(EdgeType.PART_OF, "E12000009", "E92000001"),
    ]


def _grant(key: str, *locations: dict[str, str]) -> Any:
    return node(GRANT, key, title=key, beneficiary_locations=list(locations))


def _grants() -> list[Any]:
    return [
        _grant("g:path", {"name": "England/South West/Plymouth"}),
        _grant("g:plain", {"name": "plymouth"}),
        _grant("g:loose", {"name": "Bristol City Council"}),
        _grant("g:lsoa-name", {"geoCode": "Oxford 008B", "geoCodeType": "LSOA", "name": "Oxford"}),
        _grant("g:list", {"name": "Plymouth, Bristol, Atlantis"}),
        _grant("g:ambiguous", {"name": "Newport"}),
        _grant("g:wales", {"name": "Wales/Newport"}),
        _grant("g:wight", {"name": "South East/Isle of Wight/Newport"}),
        _grant("g:nowhere", {"name": "Atlantis"}),
        _grant("g:national", {"name": "United Kingdom"}),
        _grant("g:bare", {"countryCode": "NL"}),
    ]


@pytest.fixture
def graph(tmp_path: Path) -> Any:
    workspace = Workspace(tmp_path / "w.db")
    ingest_records(workspace, _areas(), name="lookup")
    ingest_records(workspace, _grants(), name="grants", sha256="cd" * 32)
    return workspace, workspace.graph()


def _benefits(graph: Any, grant: str) -> list[str]:
    return sorted(
        v for _, v, d in graph.out_edges(grant, data=True) if d["type"] == "BENEFITS_AREA"
    )


def test_names_and_paths_land_in_the_area_named(graph: Any) -> None:
    _, g = graph
    assert _benefits(g, "g:path") == ["E06000026"]
    assert _benefits(g, "g:plain") == ["E06000026"]
    assert _benefits(g, "g:loose") == ["E06000023"]
    # the LSOA's name in the code field wins over the looser name, and 2011 over 2021
    assert _benefits(g, "g:lsoa-name") == ["E01028512"]
    assert _benefits(g, "g:list") == ["E06000023", "E06000026"]
    assert _benefits(g, "g:wales") == ["W06000022"]
    assert _benefits(g, "g:wight") == ["E05008481"]
    for grant in ("g:ambiguous", "g:nowhere", "g:national", "g:bare"):
        assert _benefits(g, grant) == []
    data = g.get_edge_data("g:lsoa-name", "E01028512", "BENEFITS_AREA")
    assert data["method"] == "name"
    assert data["matched"] == "Oxford 008B"
    assert data["vintage"] == "2011 codes from lookup"  # the lookup's vintage, stated
    assert set(data["sources"]) == {"lookup", "grants"}


def test_unplaced_grants_are_listed_with_the_reason(graph: Any) -> None:
    workspace, _ = graph
    rows = run_query("unplaced", workspace, kind="grant")
    reasons: dict[str, list[str]] = {}
    for grant, reason in zip(rows["id"], rows["reason"], strict=True):
        reasons.setdefault(grant, []).append(reason)
    assert set(reasons) == {"g:list", "g:ambiguous", "g:nowhere", "g:national", "g:bare"}
    assert set(rows["type"]) == {"Grant"}
    [ambiguous] = reasons["g:ambiguous"]
    assert "names 2 areas" in ambiguous
    assert "W06000022" in ambiguous and "E05008481" in ambiguous
    assert reasons["g:list"] == [
        "beneficiary location 'Atlantis' names no area in the areas ingested "
        "(lookup: 2011 LSOA, 2021 LSOA, country, local authority, region, ward); check the name, "
        "or ingest the areas it names"
    ]
    assert "whole country or wider" in reasons["g:national"][0]
    assert reasons["g:bare"] == ["beneficiary location gives only a country code (NL)"]
    assert rows["why"].str.startswith("Grant ").all()


def test_named_grants_without_areas_say_to_ingest_areas(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_records(workspace, _grants(), name="grants")
    rows = run_query("unplaced", workspace, kind="grant")
    named = {"g:path", "g:plain", "g:loose", "g:lsoa-name", "g:list", "g:ambiguous"}
    assert named <= set(rows["id"])
    assert "g:bare" not in set(rows["id"])  # names nothing, so no area could ever take it
    assert rows["reason"].str.contains("ingest areas first").all()


@pytest.mark.slow
def test_real_lsoa_names_in_oxfordshire_grants_land_in_those_lsoas(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_areas(
        workspace,
        shared("imd2019_lsoa/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"),
        name="imd",
    )
    path = shared("360giving_grantnav_samples/ocf1.json")
    ingest_360giving(workspace, path, name="ocf1")
    g = workspace.graph()
    named_codes = {
        grant["id"]: loc["geoCode"]
        for grant in json.loads(path.read_text())["grants"]
        for loc in grant["beneficiaryLocation"]
        if loc.get("geoCode")
    }
    assert len(named_codes) > 100
    placed = 0
    for grant, lsoa_name in named_codes.items():
        areas = _benefits(g, grant)
        if areas:
            placed += 1
            assert [g.nodes[a]["name"] for a in areas] == [lsoa_name]
    assert placed >= 0.9 * len(named_codes)
    rows = run_query("unplaced", workspace, kind="grant")
    assert not set(rows["id"]) & {k for k in named_codes if _benefits(g, k)}
    assert set(rows["id"]) <= {str(grant) for grant in g if g.nodes[grant]["type"] == "Grant"}
