"""What ingesters yield: node and edge records with their provenance.

An ingester reads one family of formats and yields these records; the shared
ingest machinery validates them, resolves references, merges them into the
workspace and writes the report. Records name nodes by their *asserted key*
(``'<source>:service:<local id>'``, or an org-id); the identity stage decides
which keys are one real-world node.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..ontology import NODE_TYPES, EdgeType, NodeType

__all__ = [
    "EdgeRecord",
    "NodeRecord",
    "Record",
    "local_key",
]


class NodeRecord(NamedTuple):
    """A source asserts that a node exists, with these properties.

    ``table`` and ``record_id`` say where in the source it came from (file or
    entity kind, and the record's id or row number). ``identifiers`` holds
    normalised org-ids, which the identity stage uses to merge records of the
    same organisation. ``embedded`` marks a copy nested inside another record
    (an HSDS 3.0 service embeds its organisation): repeats of it are expected
    and are folded without a warning.
    """

    type: NodeType
    key: str
    props: dict[str, Any]
    table: str
    record_id: str
    identifiers: tuple[str, ...] = ()
    embedded: bool = False
    row: int | None = None
    file: str | None = None
    """The file it came from, where that is not the table (a folder of JSON files)."""
    counted: bool = True
    """Whether it is a row of ``table`` (false for records derived from another row's fields,
    such as the funder and recipient of a grant), for the table's loaded/merged counts."""


class EdgeRecord(NamedTuple):
    """A source asserts a typed, directed edge between two nodes (by asserted key).

    ``primary`` is true when the edge is the whole content of a source row
    (a ``service_at_location`` row) and false when it is derived from a row
    that also made a node (a service's ``organization_id``): only primary
    records count towards a table's loaded/merged/rejected figures.
    """

    type: EdgeType
    source: str
    target: str
    table: str
    record_id: str
    props: dict[str, Any] | None = None
    primary: bool = False
    field: str | None = None
    row: int | None = None
    file: str | None = None


Record = NodeRecord | EdgeRecord


def local_key(source: str, node_type: NodeType, local_id: str) -> str:
    """The asserted key of a node known only by a source's own id.

    Examples
    --------
    >>> local_key("miami", NodeType.SERVICE, "136")
    'miami:service:136'
    """
    return f"{source}:{NODE_TYPES[node_type].slug}:{local_id}"
