"""How the property graph maps to RDF: namespaces, and the RDF term of every type and property.

The mapping is uniform, so that it can be inverted and checked:

- a node type ``Organization`` is the class ``cg:Organization``;
- an edge type ``AT_LOCATION`` is the object property ``cg:atLocation``;
- a documented property ``alternate_name`` (of a node or an edge) is
  ``cg:alternateName``, the same term on every type that has it;
- a property a source gave that the ontology does not document keeps its own
  name in the ``cgf:`` namespace (source fields), so nothing is lost.

The ontology (``civicgraph.ttl``) aligns each ``cg:`` term to schema.org, W3C
ORG, SKOS, PROV-O, WGS84/GeoSPARQL and CPSV-AP; the export also writes a few
standard terms directly (types, labels, SKOS, geometry, provenance) so that
consumers without a reasoner find them. See ``docs/ontology.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from .iri import VOCAB
from .model import EDGE_TYPES, NODE_TYPES, Datatype, EdgeType, EdgeTypeDef, NodeType, NodeTypeDef

__all__ = [
    "CG",
    "CGF",
    "DATATYPES",
    "DCAT",
    "DCT",
    "GEO",
    "GSP",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SF",
    "SH",
    "SKOS",
    "VOID",
    "XSD",
    "camel_case",
    "class_iri",
    "datatype_iri",
    "edge_property_iri",
    "edge_slug",
    "expand_curie",
    "field_iri",
    "property_iri",
    "property_names",
]

CG = VOCAB
CGF = "https://w3id.org/civicgraph/field#"
"""Fields a source gave that the ontology does not document, under their own names."""
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GSP = "http://www.opengis.net/ont/geosparql#"
SF = "http://www.opengis.net/ont/sf#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
CPSV = "http://purl.org/vocab/cpsv#"
OA = "https://openactive.io/"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "cg": CG,
        "cgf": CGF,
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "schema": SCHEMA,
        "org": ORG,
        "skos": SKOS,
        "prov": PROV,
        "geo": GEO,
        "geosparql": GSP,
        "sf": SF,
        "dct": DCT,
        "dcat": DCAT,
        "void": VOID,
        "cpsv": CPSV,
        "oa": OA,
    }
)
"""The prefixes the ontology and the exports use (``sh:`` only in the shapes)."""

DATATYPES: Mapping[Datatype, str] = MappingProxyType(
    {
        Datatype.STRING: XSD + "string",
        Datatype.TEXT: XSD + "string",
        Datatype.INTEGER: XSD + "integer",
        Datatype.DECIMAL: XSD + "decimal",
        Datatype.BOOLEAN: XSD + "boolean",
        Datatype.DATE: XSD + "date",
        Datatype.DATETIME: XSD + "dateTime",
        Datatype.URI: XSD + "anyURI",
        Datatype.EMAIL: XSD + "string",
        Datatype.LIST: XSD + "string",  # one triple per item
        Datatype.JSON: RDF + "JSON",  # the nested value as one JSON literal
    }
)
"""The literal datatype each property datatype is written as."""


def expand_curie(curie: str) -> str:
    """The full IRI of a CURIE in one of :data:`PREFIXES` (plus ``sh:``).

    Examples
    --------
    >>> expand_curie("schema:name")
    'https://schema.org/name'
    """
    prefix, _, local = curie.partition(":")
    namespace = SH if prefix == "sh" else PREFIXES.get(prefix)
    if namespace is None or not local:
        raise KeyError(f"'{curie}' is not a CURIE in a known namespace")
    return namespace + local


def camel_case(name: str) -> str:
    """``alternate_name`` → ``alternateName``; ``AT_LOCATION`` → ``atLocation``.

    Examples
    --------
    >>> camel_case("alternate_name"), camel_case("AT_LOCATION"), camel_case("uprn")
    ('alternateName', 'atLocation', 'uprn')
    """
    first, *rest = name.lower().split("_")
    return first + "".join(part.capitalize() for part in rest)


def class_iri(node_type: NodeType) -> str:
    """``cg:Organization`` for ``NodeType.ORGANIZATION``."""
    return CG + node_type.value


def edge_property_iri(edge_type: EdgeType) -> str:
    """``cg:atLocation`` for ``EdgeType.AT_LOCATION``."""
    return CG + camel_case(edge_type.value)


def edge_slug(edge_type: EdgeType) -> str:
    """The path segment of an edge type in relationship IRIs: ``at-location``."""
    return edge_type.value.lower().replace("_", "-")


def property_iri(name: str) -> str:
    """``cg:alternateName`` for the documented property ``alternate_name``."""
    return CG + camel_case(name)


_NCNAME_TAIL = re.compile(r"[^A-Za-z0-9_.-]")


def field_iri(name: str) -> str:
    """The ``cgf:`` IRI of a field the ontology does not document.

    Characters that cannot stand in an XML name become ``_`` followed by their
    code point in hex, so every field keeps a distinct IRI that RDF/XML can
    write.

    Examples
    --------
    >>> field_iri("taxonomy_id"), field_iri("Fee (£)")
    ('https://w3id.org/civicgraph/field#taxonomy_id', 'https://w3id.org/civicgraph/field#Fee_20_28_a3_29')
    """
    local = _NCNAME_TAIL.sub(lambda m: f"_{ord(m.group()):x}", name)
    if not local or not (local[0].isalpha() or local[0] == "_"):
        local = "_" + local
    return CGF + local


def property_names() -> dict[str, Datatype]:
    """Every documented property name of nodes and edges, with its one datatype.

    Raises ``ValueError`` if two types give one name different datatypes: the
    name would need two RDF terms.
    """
    found: dict[str, Datatype] = {}
    definitions: list[NodeTypeDef | EdgeTypeDef] = [*NODE_TYPES.values(), *EDGE_TYPES.values()]
    for definition in definitions:
        for name, prop in definition.properties.items():
            known = found.setdefault(name, prop.datatype)
            if DATATYPES[known] != DATATYPES[prop.datatype] or (
                (known is Datatype.LIST) != (prop.datatype is Datatype.LIST)
            ):
                raise ValueError(
                    f"property '{name}' is {known} on one type and {prop.datatype} on "
                    f"{definition.type}; give one of them another name in ontology/model.py"
                )
    return found


def datatype_iri(datatype: Datatype) -> str:
    """The XSD (or ``rdf:JSON``) datatype IRI a property's values are written with."""
    return DATATYPES[datatype]
