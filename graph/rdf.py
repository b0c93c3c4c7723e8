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
- time: each node and edge's ``cg:firstAsserted`` / ``cg:lastAsserted`` (the days of
  the first and last snapshot asserting it, ``xsd:date``); each thing a source no
  longer lists, with the class and properties of its last listing,
  ``cg:lifecycleState`` closed, the reason in ``cg:lifecycleEvidence`` ("no longer
  listed by SOURCE since snapshot N (DATE)") and ``prov:invalidatedAtTime`` (the start
  of that snapshot's day), derived from the snapshot that last listed it;
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
from typing import IO, Any

from .._files import atomic_write
from ..errors import UsageError
from ..ontology import EdgeType, NodeType
from ..ontology import base_iri as resolve_base
from ..ontology.lifecycle import lifecycle_of
from ._rdf_mapping import Former, Triple, graph_triples, is_iri, snapshot_of
from ._rdf_writers import write_jsonld, write_ntriples, write_rdfxml, write_turtle
from .build import Graph
from .timeline import REFERENCE_KINDS
from .workspace import Workspace

__all__ = [
    "RDF_FORMATS",
    "RdfFormat",
    "Triple",
    "export_rdf",
    "is_iri",
    "no_longer_listed",
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
    former = no_longer_listed(workspace, graph, base=base_iri)
    if nodes is not None:
        nodes = set(nodes)
        # A place's export holds its closures too: those its last listing put there.
        former = {n: former[n] for n in sorted(former_within(former, nodes))}
    return graph_triples(
        graph if nodes is None else graph.subgraph(nodes),
        sources=workspace.sources(),
        records=workspace.node_records(),
        base=base_iri,
        former=former,
    )


_PLACING = frozenset(
    str(t)
    for t in (
        EdgeType.AT_LOCATION,
        EdgeType.HAPPENS_AT,
        EdgeType.IN_AREA,
        EdgeType.SERVES_AREA,
        EdgeType.BENEFITS_AREA,
    )
)
"""The edges that put a thing somewhere: at a building, in or serving an area."""

_BUILDINGS = frozenset({str(EdgeType.AT_LOCATION), str(EdgeType.HAPPENS_AT)})

_HOLDING = frozenset(str(t) for t in (EdgeType.PROVIDES, EdgeType.OPERATES, EdgeType.RUNS))
"""The edges by which an organisation holds what it provides, operates or runs."""


def former_within(former: dict[str, Former], nodes: set[str]) -> set[str]:
    """The things no longer listed that were placed among ``nodes`` (one place's nodes).

    As ``scope_nodes`` places what stands, by the last listing's edges: a thing at a
    building or in (serving, benefiting) an area of the place, or at a former building
    that was; then an organisation that provided, operated or ran one of them.

    Examples
    --------
    >>> from civicgraph.graph._examples import two_snapshots
    >>> ws = two_snapshots()
    >>> gone = no_longer_listed(ws, ws.graph())
    >>> former_within(gone, set()), former_within(gone, {"hall"})
    (set(), set())
    """
    placed = {n for n, f in former.items() if any(e in _PLACING and t in nodes for e, t in f.ties)}
    placed |= {
        n for n, f in former.items() if any(e in _BUILDINGS and t in placed for e, t in f.ties)
    }
    held = nodes | placed
    placed |= {
        n
        for n, f in former.items()
        if f.node_type == NodeType.ORGANIZATION
        and any(e in _HOLDING and t in held for e, t in f.ties)
    }
    return placed


_SKIPPED = frozenset({NodeType.AREA.value, NodeType.CONCEPT.value})
"""Geography and taxonomy: never closed (as in ``query changes``)."""


def no_longer_listed(
    workspace: Workspace, graph: Graph, *, base: str | None = None
) -> dict[str, Former]:
    """The things an earlier snapshot listed that no snapshot in force lists: closed.

    Each source's snapshots up to the one in force (its current one, or as of the
    workspace's day) are read; a node one of them asserts that the source's
    snapshot in force does not, nor any other source's, and that is not in
    ``graph``, is no longer listed. Its reason names the source that listed it
    last and the snapshot since which it does not (as ``query changes`` says it).
    Areas and taxonomy terms are geography and vocabulary, not provision: never
    closed. Only sources with more than one snapshot are read.

    Examples
    --------
    >>> from civicgraph.graph._examples import two_snapshots
    >>> ws = two_snapshots()  # 2025-01-01: Lunch club, Youth club; 06-01: Lunch club, Warm space
    >>> [(g.props["name"], g.gone_since) for g in no_longer_listed(ws, ws.graph()).values()]
    [('Youth club', '2025-06-01')]
    >>> no_longer_listed(ws.at("2025-03-01"), ws.at("2025-03-01").graph())
    {}
    """
    base = resolve_base(base)
    node_ids = workspace.node_ids()
    listed_now: set[str] = set()
    # node id -> (its last listing's (date, id), source, snapshot, type, props)
    last: dict[str, tuple[tuple[str, int], str, dict[str, Any], str, dict[str, Any]]] = {}
    gone_since: dict[str, dict[str, Any]] = {}
    first: dict[str, str] = {}
    by_source: dict[str, dict[str, Any]] = {}
    for source in workspace.sources():
        snaps = sorted(source["snapshots"], key=lambda s: (s["date"], s["snapshot"]))
        in_force = [s for s in snaps if s["current"]]
        if source["kind"] in REFERENCE_KINDS or not in_force or len(snaps) < 2:
            continue
        by_source[source["name"]] = source
        upto = snaps[: snaps.index(in_force[0]) + 1]
        for position, snap in enumerate(upto):
            key = (snap["date"], snap["snapshot"])
            following = upto[position + 1] if position + 1 < len(upto) else None
            for fact_key, node_type, _, props in workspace.snapshot_facts(snap["snapshot"]):
                if node_type in _SKIPPED:
                    continue
                node = node_ids.get(fact_key, fact_key)
                if following is None:
                    listed_now.add(node)
                    continue
                if node not in first or snap["date"] < first[node]:
                    first[node] = snap["date"]
                seen = last.get(node)
                if seen is None or key >= seen[0]:
                    last[node] = (key, source["name"], snap, node_type, props)
                    gone_since[node] = following
    gone = sorted(n for n in last if n not in listed_now and n not in graph)
    ties = _ties(workspace, {last[n][2]["snapshot"] for n in gone}, node_ids)
    found: dict[str, Former] = {}
    for node in gone:
        (day, _), source_name, snap, node_type, props = last[node]
        since = gone_since[node]
        evidence = (
            f"no longer listed by {source_name} since snapshot {since['snapshot']} "
            f"({since['date']}); last listed in snapshot {snap['snapshot']} ({day})"
        )
        state, said = lifecycle_of(props)
        if state == "closed":
            evidence = f"{said} in snapshot {snap['snapshot']}; " + evidence
        found[node] = Former(
            node_type=NodeType(node_type),
            props=props,
            first_asserted=first.get(node, day),
            last_asserted=day,
            last_listed_in=snapshot_of(by_source[source_name], snap, base),
            gone_since=since["date"],
            evidence=evidence,
            ties=tuple(sorted(ties.get((snap["snapshot"], node), ()))),
        )
    return found


def _ties(
    workspace: Workspace, snapshots: set[int], node_ids: dict[str, str]
) -> dict[tuple[int, str], set[tuple[str, str]]]:
    """``{(snapshot, node id): {(edge type, node id)}}``: the placing and holding edges out."""
    found: dict[tuple[int, str], set[tuple[str, str]]] = {}
    for snapshot in sorted(snapshots):
        for edge_type in sorted(_PLACING | _HOLDING):
            for u, v in workspace.snapshot_edges(snapshot, edge_type=edge_type):
                found.setdefault((snapshot, node_ids.get(u, u)), set()).add(
                    (edge_type, node_ids.get(v, v))
                )
    return found


def export_rdf(
    workspace: Workspace,
    out: str | Path | IO[bytes],
    *,
    format: str = "turtle",
    base_iri: str | None = None,
    nodes: Iterable[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
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
    progress
        Told ``(step, done, total)`` every 5,000 triples made, ``total`` 0 (not known
        until the last triple), then ``(step, count, count)``.

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
    if progress is not None:
        triples = _counted(triples, progress, f"exporting {format} to {out}: triples")
    if isinstance(out, str | Path):
        with atomic_write(out, "wb") as handle:
            count = writer.write(triples, handle)
    else:
        count = writer.write(triples, out)
    log.info("wrote %d triples as %s", count, format)
    return count


def _counted(
    triples: Iterable[Triple], progress: Callable[[str, int, int], None], step: str
) -> Iterator[Triple]:
    count = 0
    for triple in triples:
        yield triple
        count += 1
        if count % 5_000 == 0:
            progress(step, count, 0)
    progress(step, count, count)
