"""The workspace as linked data: RDF triples with stable IRIs, written in four syntaxes.

What an export holds (see ``docs/ontology.md``):

- every node, typed with its ``cg:`` class and the standard classes it
  specialises, with its documented properties as ``cg:`` terms (nested values
  as ``rdf:JSON`` literals, lists as one triple per item) and the fields a
  source gave that the ontology does not document as ``cgf:`` terms;
- every edge as a triple, and as an ``rdf:Statement`` carrying the edge's
  properties and provenance;
- provenance in PROV-O: each node ``prov:wasDerivedFrom`` the source snapshots
  that assert it, with the record ids (``prov:qualifiedDerivation``); each
  snapshot's source, content digest and time;
- taxonomy terms as SKOS concept schemes (``skos:inScheme``, ``skos:broader``),
  coordinates as WGS84 ``geo:lat``/``geo:long`` and GeoSPARQL WKT points;
- a VoID/DCAT description of the dataset: counts, sources, licences, date.

IRIs are built from ids (``ontology.node_iri``), snapshots are named by the
sha256 of their input, and everything is written in sorted order, so two
exports of one workspace, or of a re-ingest of the same data, are identical.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .._files import atomic_write
from ..errors import UsageError
from ._rdf_mapping import Triple, graph_triples, is_iri
from ._rdf_writers import write_jsonld, write_ntriples, write_rdfxml, write_turtle
from .workspace import Workspace

__all__ = [
    "RDF_FORMATS",
    "RdfFormat",
    "Triple",
    "export_rdf",
    "is_iri",
    "rdf_triples",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RdfFormat:
    """An RDF syntax the export writes: its name, file suffix, media type and writer."""

    name: str
    suffix: str
    media_type: str
    write: Callable[[Iterable[Triple], IO[bytes]], int]


RDF_FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", ".ttl", "text/turtle", write_turtle),
        RdfFormat("nt", ".nt", "application/n-triples", write_ntriples),
        RdfFormat("jsonld", ".jsonld", "application/ld+json", write_jsonld),
        RdfFormat("rdfxml", ".rdf", "application/rdf+xml", write_rdfxml),
    )
}
"""The export formats by name (a registry: a plugin adds its own the same way)."""


def rdf_triples(
    workspace: Workspace, *, base_iri: str | None = None, nodes: Iterable[str] | None = None
) -> Iterator[Triple]:
    """Every triple of the workspace's export, in a fixed order.

    Parameters
    ----------
    workspace
        The workspace to export.
    base_iri
        The base of node IRIs (default ``$CIVICGRAPH_BASE_IRI`` or
        ``https://w3id.org/civicgraph/id/``).
    nodes
        Only these nodes and the edges among them (one place:
        ``civicgraph.graph.scope.scope_nodes``); default: the whole graph.

    Returns
    -------
    iterator of (subject, predicate, object, datatype)
        ``datatype`` is ``None`` when the object is an IRI.

    Examples
    --------
    >>> ws = Workspace(":memory:")
    >>> [t[2] for t in rdf_triples(ws, base_iri="https://x.org/id/") if t[1].endswith("#triples")]
    ['0']
    """
    if base_iri is not None and not is_iri(base_iri):
        raise UsageError(
            f"'{base_iri}' is not an absolute IRI. Fix: give one like https://data.example.org/id/."
        )
    graph = workspace.graph()
    return graph_triples(
        graph if nodes is None else graph.subgraph(set(nodes)),
        sources=workspace.sources(),
        records=workspace.node_records(),
        base=base_iri,
    )


def export_rdf(
    workspace: Workspace,
    out: str | Path | IO[bytes],
    *,
    format: str = "turtle",
    base_iri: str | None = None,
    nodes: Iterable[str] | None = None,
) -> int:
    """Write the workspace as RDF to a file; return the number of triples written.

    Parameters
    ----------
    workspace
        The workspace to export.
    out
        A file path, or a binary file object.
    format
        ``turtle``, ``nt`` (N-Triples), ``jsonld`` or ``rdfxml``.
    base_iri
        The base of node IRIs (default ``$CIVICGRAPH_BASE_IRI`` or
        ``https://w3id.org/civicgraph/id/``).
    nodes
        Only these nodes and the edges among them (see :func:`rdf_triples`).

    Examples
    --------
    >>> import io
    >>> buffer = io.BytesIO()
    >>> export_rdf(Workspace(":memory:"), buffer, format="nt")  # an empty workspace: described
    12
    """
    writer = RDF_FORMATS.get(format)
    if writer is None:
        raise UsageError(
            f"'{format}' is not an RDF format. Fix: use one of {', '.join(RDF_FORMATS)}."
        )
    triples = rdf_triples(workspace, base_iri=base_iri, nodes=nodes)
    if isinstance(out, str | Path):
        with atomic_write(out, "wb") as handle:
            count = writer.write(triples, handle)
    else:
        count = writer.write(triples, out)
    log.info("wrote %d triples as %s", count, format)
    return count
