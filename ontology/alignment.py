"""How civicgraph's terms align to the standard vocabularies: the hand-written part of the ontology.

Everything else in ``civicgraph.ttl`` (classes, properties, labels,
definitions, domains, ranges) is generated from ``model.py``; this table says
only what a person has to judge: which standard term each ``cg:`` term is a
specialisation of, equivalent to, the inverse of, or only close to.

Relations (as CURIEs of the predicate used in the ontology):

- ``rdfs:subClassOf`` / ``rdfs:subPropertyOf``: every ``cg:`` statement is
  also a statement with the standard term;
- ``owl:inverseOf``: the standard term runs the other way (``schema:provider``
  points from the service to the organisation);
- ``inverse-sub``: a specialisation of the standard term's inverse (OWL 2
  ``rdfs:subPropertyOf [ owl:inverseOf X ]``), used where two ``cg:`` terms are
  both narrower than one inverse (``AWARDS`` and ``FUNDS`` both say who is the
  ``schema:funder``);
- ``skos:closeMatch``: related, but not the same (an HSDS service need not be
  a CPSV *public* service; a year of incorporation is not a founding date).

A property's ``rdf`` hint in ``model.py`` becomes ``rdfs:subPropertyOf``
unless this table says otherwise for that name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .model import EdgeType, NodeType

__all__ = [
    "CLASS_ALIGNMENT",
    "DATED",
    "EDGE_ALIGNMENT",
    "EXPORT_TERMS",
    "EXPORT_TERM_DETAILS",
    "ONTOLOGY_VERSION",
    "PROPERTY_ALIGNMENT",
    "WRITTEN_DIRECTLY",
]

ONTOLOGY_VERSION = "1.1.0"
"""Bumped when a term is added (minor) or its meaning changes (major); terms are never removed."""

Alignment = tuple[tuple[str, str], ...]
"""(relation CURIE, standard term CURIE) pairs."""

_SUB_C = "rdfs:subClassOf"
_SUB_P = "rdfs:subPropertyOf"
_CLOSE = "skos:closeMatch"
_INV = "owl:inverseOf"
_INV_SUB = "inverse-sub"

CLASS_ALIGNMENT: Mapping[NodeType, Alignment] = MappingProxyType(
    {
        NodeType.ORGANIZATION: ((_SUB_C, "schema:Organization"), (_SUB_C, "org:Organization")),
        NodeType.SERVICE: ((_SUB_C, "schema:Service"), (_CLOSE, "cpsv:PublicService")),
        NodeType.LOCATION: (
            (_SUB_C, "schema:Place"),
            (_SUB_C, "org:Site"),
            (_SUB_C, "geosparql:Feature"),
            (_SUB_C, "geo:SpatialThing"),
        ),
        NodeType.AREA: ((_SUB_C, "schema:AdministrativeArea"), (_SUB_C, "geosparql:Feature")),
        NodeType.GRANT: ((_SUB_C, "schema:MonetaryGrant"),),
        NodeType.CONCEPT: ((_SUB_C, "skos:Concept"),),
        NodeType.ACTIVITY: (
            (_SUB_C, "schema:Event"),
            (_CLOSE, "oa:SessionSeries"),
            (_CLOSE, "schema:VolunteerAction"),
        ),
    }
)
"""Each node type's class alignment. ``rdfs:subClassOf`` targets are also written as types."""

EDGE_ALIGNMENT: Mapping[EdgeType, Alignment] = MappingProxyType(
    {
        EdgeType.PROVIDES: ((_INV, "schema:provider"),),
        EdgeType.AT_LOCATION: ((_SUB_P, "schema:availableAtOrFrom"),),
        EdgeType.OPERATES: ((_SUB_P, "org:hasSite"),),
        EdgeType.IN_AREA: ((_SUB_P, "schema:containedInPlace"), (_SUB_P, "geosparql:sfWithin")),
        EdgeType.SERVES_AREA: ((_SUB_P, "schema:areaServed"), (_SUB_P, "dct:spatial")),
        EdgeType.PART_OF: ((_SUB_P, "dct:isPartOf"), (_CLOSE, "schema:isPartOf")),
        EdgeType.CLASSIFIED_AS: ((_SUB_P, "dct:subject"),),
        EdgeType.REFERS_TO: (),
        EdgeType.PARTNERS_WITH: ((_SUB_P, "org:linkedTo"),),
        EdgeType.AWARDS: ((_INV_SUB, "schema:funder"),),
        EdgeType.AWARDED_TO: ((_SUB_P, "schema:fundedItem"),),
        EdgeType.BENEFITS_AREA: ((_SUB_P, "schema:areaServed"),),
        EdgeType.FUNDS: ((_INV_SUB, "schema:funder"),),
        EdgeType.HAPPENS_AT: ((_SUB_P, "schema:location"),),
        EdgeType.RUNS: ((_INV, "schema:organizer"),),
    }
)
"""Each edge type's alignment. Edge types not listed have no standard counterpart."""

PROPERTY_ALIGNMENT: Mapping[str, Alignment] = MappingProxyType(
    {
        # One cg: term serves every type with the name; the hint of one type may not fit all.
        "name": ((_SUB_P, "schema:name"), (_SUB_P, "rdfs:label")),
        "title": ((_SUB_P, "schema:name"), (_SUB_P, "dct:title")),
        "description": ((_SUB_P, "schema:description"), (_SUB_P, "dct:description")),
        "code": ((_SUB_P, "dct:identifier"), (_SUB_P, "skos:notation")),
        "year_incorporated": ((_CLOSE, "schema:foundingDate"),),
        "award_date": ((_SUB_P, "dct:date"), (_CLOSE, "schema:startDate")),
        "uri": ((_CLOSE, "schema:sameAs"),),
        "term_uri": ((_CLOSE, "skos:exactMatch"),),
        "latitude": ((_SUB_P, "geo:lat"),),
        "longitude": ((_SUB_P, "geo:long"),),
        "website": ((_SUB_P, "schema:url"),),
        "last_modified": ((_SUB_P, "dct:modified"),),
    }
)
"""Property alignments that differ from (or add to) the ``rdf`` hint in ``model.py``."""

WRITTEN_DIRECTLY: Mapping[tuple[NodeType, str], str] = MappingProxyType(
    {
        (NodeType.CONCEPT, "name"): "skos:prefLabel",
        (NodeType.CONCEPT, "code"): "skos:notation",
        (NodeType.CONCEPT, "description"): "skos:definition",
        (NodeType.CONCEPT, "term_uri"): "skos:exactMatch",
        (NodeType.LOCATION, "latitude"): "geo:lat",
        (NodeType.LOCATION, "longitude"): "geo:long",
        (NodeType.AREA, "latitude"): "geo:lat",
        (NodeType.AREA, "longitude"): "geo:long",
        # Time: a grant's dates and an activity's, in the terms consumers query for.
        (NodeType.GRANT, "award_date"): "dct:date",
        (NodeType.GRANT, "planned_start"): "schema:startDate",
        (NodeType.GRANT, "planned_end"): "schema:endDate",
        (NodeType.ACTIVITY, "start_date"): "schema:startDate",
        (NodeType.ACTIVITY, "end_date"): "schema:endDate",
    }
)
"""Standard terms the export writes beside the ``cg:`` term, for consumers without a reasoner.

Every named node also gets ``rdfs:label``; concepts get ``skos:inScheme`` and
``skos:broader``; anything with coordinates gets a GeoSPARQL geometry; services,
organisations and locations get their lifecycle state (``cg:lifecycleState``).
"""

DATED: Mapping[NodeType, tuple[str, str]] = MappingProxyType(
    {
        NodeType.GRANT: ("planned_start", "planned_end"),
        NodeType.ACTIVITY: ("start_date", "end_date"),
    }
)
"""Each dated type's (start, end) properties: the shapes check that a start is not after its end."""

EXPORT_TERMS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "recordId": (
            "owl:DatatypeProperty",
            "record id",
            "Where in a source snapshot a node's facts came from: '<table>/<id or row>'.",
        ),
        "sha256": (
            "owl:DatatypeProperty",
            "sha256",
            "The SHA-256 digest of the input a snapshot was read from (hex).",
        ),
        "variant": (
            "owl:DatatypeProperty",
            "format variant",
            "The format variant a snapshot was read as (for example 'HSDS 3.0 JSON').",
        ),
        "ingester": (
            "owl:DatatypeProperty",
            "ingester",
            "The civicgraph ingester that reads a source (hsds, 360giving, ...).",
        ),
        "lifecycleState": (
            "owl:ObjectProperty",
            "lifecycle state",
            "Whether a service, organisation or location is open, reduced, transferred, "
            "volunteer-run, temporarily closed or closed: a concept of the lifecycle scheme "
            "(https://w3id.org/civicgraph/lifecycle), from its status field or its own words.",
        ),
        "lifecycleEvidence": (
            "owl:DatatypeProperty",
            "lifecycle evidence",
            "Which field gave a node's lifecycle state, and what it said.",
        ),
        "licenseName": (
            "owl:DatatypeProperty",
            "licence name",
            "A source's licence as it names itself, where it gives no IRI.",
        ),
        "firstAsserted": (
            "owl:DatatypeProperty",
            "first asserted",
            "The first day a source snapshot in the workspace asserts this node or edge (a "
            "snapshot's day is the day its data describes, else the day it was ingested).",
        ),
        "lastAsserted": (
            "owl:DatatypeProperty",
            "last asserted",
            "The last day a source snapshot in the workspace asserts this node or edge. A thing "
            "no longer listed also has prov:invalidatedAtTime: the start of the day of the first "
            "snapshot that no longer lists it.",
        ),
    }
)
"""Terms of the export's provenance and dataset description that ``model.py`` does not hold:
local name → (OWL kind, label, definition)."""

_WHY_NOT_GENERATED = (
    "Why not prov:generatedAtTime: that would date the making of the thing itself, and a "
    "service or organisation first listed in a snapshot usually existed long before it; it also "
    "takes an xsd:dateTime, where snapshots describe days. Why not prov:invalidatedAtTime: a "
    "thing still listed has not ended, so that term is written only for things no longer "
    "listed (with cg:lifecycleState closed and the reason in cg:lifecycleEvidence). Both days "
    "are dates in the life of the description (dct:date); the snapshots they come from are its "
    "prov:wasDerivedFrom."
)

EXPORT_TERM_DETAILS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "firstAsserted": (
            ("rdfs:range", "xsd:date"),
            ("rdfs:subPropertyOf", "dct:date"),
            ("rdfs:seeAlso", "prov:generatedAtTime"),
            ("rdfs:comment", _WHY_NOT_GENERATED),
        ),
        "lastAsserted": (
            ("rdfs:range", "xsd:date"),
            ("rdfs:subPropertyOf", "dct:date"),
            ("rdfs:seeAlso", "prov:invalidatedAtTime"),
            ("rdfs:comment", _WHY_NOT_GENERATED),
        ),
    }
)
"""More statements about some :data:`EXPORT_TERMS` (predicate CURIE, object: a CURIE or text)."""
