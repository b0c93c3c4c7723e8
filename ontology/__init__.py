"""The civicgraph vocabulary: node and edge types, properties, IRIs and org-ids.

This package depends on nothing else in civicgraph; everything else reads the
vocabulary from here.
"""

from .gss import GEO_CODE_TYPES, area_level, is_gss_code
from .iri import DEFAULT_BASE_IRI, VOCAB, base_iri, node_iri
from .model import (
    EDGE_TYPES,
    NODE_TYPES,
    Datatype,
    EdgeType,
    EdgeTypeDef,
    NodeType,
    NodeTypeDef,
    PropertyDef,
    edge_allowed,
    node_property,
)
from .names import LEGAL_FORMS, name_tokens, normalise_name
from .orgid import ORG_ID_SCHEMES, normalise_org_id, org_id_kind, parse_org_id, scheme_for

__all__ = [
    "DEFAULT_BASE_IRI",
    "EDGE_TYPES",
    "GEO_CODE_TYPES",
    "LEGAL_FORMS",
    "NODE_TYPES",
    "ORG_ID_SCHEMES",
    "VOCAB",
    "Datatype",
    "EdgeType",
    "EdgeTypeDef",
    "NodeType",
    "NodeTypeDef",
    "PropertyDef",
    "area_level",
    "base_iri",
    "edge_allowed",
    "is_gss_code",
    "name_tokens",
    "node_iri",
    "node_property",
    "normalise_name",
    "normalise_org_id",
    "org_id_kind",
    "parse_org_id",
    "scheme_for",
]
