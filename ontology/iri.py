"""The IRI scheme: every node's IRI is built from its stable id, never a row number.

``{base}{type slug}/{percent-encoded id}``, for example
``https://w3id.org/civicgraph/id/organization/GB-CHC-1234567``. The base is
configurable (``--base-iri`` or ``CIVICGRAPH_BASE_IRI``) so that a council can
publish under its own domain; the vocabulary namespace is fixed so that
consumers can rely on it.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from .model import NODE_TYPES, NodeType

__all__ = [
    "DEFAULT_BASE_IRI",
    "VOCAB",
    "base_iri",
    "node_iri",
]

VOCAB = "https://w3id.org/civicgraph/ns#"
"""The namespace of civicgraph's own classes and properties (prefix ``cg:``)."""

DEFAULT_BASE_IRI = "https://w3id.org/civicgraph/id/"

# Characters kept as they are in the id segment: unreserved plus ':' which
# appears in every '<source>:<kind>:<id>' key and is legal in a path segment.
_SAFE = "-._~:"


def base_iri(explicit: str | None = None) -> str:
    """The base IRI for node IRIs: ``explicit``, else ``$CIVICGRAPH_BASE_IRI``, else the default.

    A base that does not end in ``/`` or ``#`` gets a ``/`` added.

    Examples
    --------
    >>> base_iri("https://data.example.gov.uk/sid")
    'https://data.example.gov.uk/sid/'
    """
    base = explicit or os.environ.get("CIVICGRAPH_BASE_IRI") or DEFAULT_BASE_IRI
    if not base.endswith(("/", "#")):
        base += "/"
    return base


def node_iri(node_type: NodeType, node_id: str, *, base: str | None = None) -> str:
    """The IRI of a node, from its type and id.

    Examples
    --------
    >>> node_iri(NodeType.ORGANIZATION, "GB-CHC-1234567", base="https://x.org/id/")
    'https://x.org/id/organization/GB-CHC-1234567'
    >>> node_iri(NodeType.SERVICE, "town:service:a b/c", base="https://x.org/id/")
    'https://x.org/id/service/town:service:a%20b%2Fc'
    """
    slug = NODE_TYPES[node_type].slug
    return f"{base_iri(base)}{slug}/{quote(node_id, safe=_SAFE)}"
