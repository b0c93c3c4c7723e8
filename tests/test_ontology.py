"""The ontology is the single source of truth: its tables are complete and consistent."""

from __future__ import annotations

import pytest

from civicgraph.ontology import (
    EDGE_TYPES,
    NODE_TYPES,
    EdgeType,
    NodeType,
    base_iri,
    edge_allowed,
    node_iri,
)

DESIGN_NODE_TYPES = {"Organization", "Service", "Location", "Area", "Grant", "Concept", "Activity"}
DESIGN_EDGES = {
    "PROVIDES": {("Organization", "Service")},
    "AT_LOCATION": {("Service", "Location")},
    "OPERATES": {("Organization", "Location")},
    "IN_AREA": {("Location", "Area")},
    "SERVES_AREA": {("Service", "Area")},
    "PART_OF": {("Area", "Area"), ("Organization", "Organization"), ("Concept", "Concept")},
    "CLASSIFIED_AS": {("Service", "Concept"), ("Activity", "Concept")},
    "REFERS_TO": {
        ("Service", "Service"),
        ("Service", "Organization"),
        ("Organization", "Service"),
        ("Organization", "Organization"),
    },
    "PARTNERS_WITH": {("Organization", "Organization")},
    "AWARDS": {("Organization", "Grant")},
    "AWARDED_TO": {("Grant", "Organization")},
    "BENEFITS_AREA": {("Grant", "Area")},
    "FUNDS": {("Organization", "Organization"), ("Organization", "Service")},
    # The strong-communities dimension (DESIGN.md, "New vocabulary as data").
    "HAPPENS_AT": {("Activity", "Location")},
    "RUNS": {("Organization", "Activity")},
}


def test_the_public_type_names_are_the_designs() -> None:
    assert {t.value for t in NodeType} >= DESIGN_NODE_TYPES
    assert {t.value for t in EdgeType} >= set(DESIGN_EDGES)


@pytest.mark.parametrize("edge_type", list(DESIGN_EDGES))
def test_edge_endpoints_match_the_design(edge_type: str) -> None:
    endpoints = {(s.value, t.value) for s, t in EDGE_TYPES[EdgeType(edge_type)].endpoints}
    assert endpoints == DESIGN_EDGES[edge_type]


def test_every_type_is_defined_with_rdf_and_documented_properties() -> None:
    assert set(NODE_TYPES) == set(NodeType)
    assert set(EDGE_TYPES) == set(EdgeType)
    for definition in NODE_TYPES.values():
        assert definition.rdf_types and definition.description and definition.id_scheme
        for name, prop in definition.properties.items():
            assert prop.name == name and prop.description
    for edge in EDGE_TYPES.values():
        assert edge.rdf and edge.description and edge.endpoints


def test_misspelt_terms_fail_loudly() -> None:
    with pytest.raises(AttributeError):
        _ = NodeType.ORGANISATION  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        NodeType("Organisation")


def test_edge_allowed_is_directional() -> None:
    assert edge_allowed(EdgeType.AWARDED_TO, NodeType.GRANT, NodeType.ORGANIZATION)
    assert not edge_allowed(EdgeType.AWARDED_TO, NodeType.ORGANIZATION, NodeType.GRANT)


def test_iris_are_built_from_ids_and_the_base_is_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIVICGRAPH_BASE_IRI", "https://data.example.gov.uk/id")
    assert base_iri() == "https://data.example.gov.uk/id/"
    iri = node_iri(NodeType.LOCATION, "town:location:a/b c")
    assert iri == "https://data.example.gov.uk/id/location/town:location:a%2Fb%20c"
    assert (
        node_iri(NodeType.LOCATION, "x", base="https://other.org/#")
        == "https://other.org/#location/x"
    )
