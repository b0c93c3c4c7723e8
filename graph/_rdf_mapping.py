"""The workspace as RDF triples: nodes, edges, provenance, concept schemes, the dataset description.

Private: use :func:`civicgraph.graph.rdf.rdf_triples`. A triple is a tuple
``(subject IRI, predicate IRI, object, datatype)``: ``datatype`` is ``None``
when the object is an IRI, else the literal's datatype IRI. Every resource has
an IRI built from ids (no blank nodes), and everything is emitted in sorted
order, so the same workspace gives the same triples, in the same order, on
every export.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import orjson

from ..ontology import EDGE_TYPES, NODE_TYPES, Datatype, EdgeType, NodeType, base_iri, node_iri
from ..ontology.alignment import CLASS_ALIGNMENT, WRITTEN_DIRECTLY
from ..ontology.lifecycle import LIFECYCLE_TYPES, lifecycle_iri, lifecycle_of
from ..ontology.rdf import (
    CG,
    DCAT,
    DCT,
    GSP,
    ORG,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SF,
    SKOS,
    VOID,
    XSD,
    class_iri,
    datatype_iri,
    edge_property_iri,
    edge_slug,
    expand_curie,
    field_iri,
    property_iri,
)
from .build import ASSERTED_PROPS, Graph

__all__ = ["Former", "Triple", "graph_triples", "snapshot_of"]

Triple = tuple[str, str, str, str | None]
"""(subject, predicate, object, datatype): ``datatype`` is ``None`` for an IRI object."""

_TYPE = RDF + "type"
_STRING = XSD + "string"
_INTEGER = XSD + "integer"
_DECIMAL = XSD + "decimal"
_BOOLEAN = XSD + "boolean"
_DATETIME = XSD + "dateTime"
_DATE = XSD + "date"
_JSON = RDF + "JSON"
_WKT = GSP + "wktLiteral"
_LABEL = RDFS + "label"
_DERIVED = PROV + "wasDerivedFrom"
_NOT_FIELDS = frozenset({"type", "sources", *ASSERTED_PROPS})
"""Graph attributes the export says otherwise (class, provenance) or leaves to the snapshots."""

# As in node IRIs (ontology.iri): unreserved characters and ':' stay, '/' and the rest are encoded.
_SAFE = "-._~:"
_INT_TEXT = re.compile(r"^[+-]?\d+$")
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE_TEXT = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")
_DATETIME_TEXT = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
# What an IRI may not contain (RDF 1.1 IRIREF), so that a value can be written as one.
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_iri(value: str) -> bool:
    """Whether a string can be written as an absolute IRI in every RDF syntax."""
    return bool(_ABSOLUTE_IRI.match(value)) and not _NOT_IRI.search(value)


def decimal_lexical(value: float | int) -> str | None:
    """The canonical ``xsd:decimal`` form of a number (no exponent), or ``None`` if not finite."""
    if isinstance(value, int):
        return f"{value}.0"
    if not math.isfinite(value):
        return None
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if "." not in text:
        text += ".0"
    return text


def json_lexical(value: Any) -> str:
    """A nested value as compact JSON with sorted keys (the same text on every export)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()


def literals(datatype: Datatype | None, value: Any) -> list[tuple[str, str]]:
    """The literals ``(lexical form, datatype IRI)`` a property value is written as.

    A value that does not fit its documented datatype is written as a plain
    string rather than dropped: the SHACL shapes then report it.
    """
    if value is None:
        return []
    if datatype is Datatype.JSON:
        return [(json_lexical(value), _JSON)]
    if isinstance(value, list | tuple | set):
        items = sorted(value, key=json_lexical) if isinstance(value, set) else value
        if datatype is Datatype.LIST or datatype is None:
            if all(isinstance(item, str | int | float | bool) for item in items):
                # A list of scalars is a set of values: one triple each, in a fixed order.
                out = [pair for item in items for pair in literals(None, item)]
                return sorted(set(out))
            return [(json_lexical(value), _JSON)]
        return [(json_lexical(value), _JSON)]
    if isinstance(value, dict):
        return [(json_lexical(value), _JSON)]
    if isinstance(value, bool):
        if datatype in (None, Datatype.BOOLEAN):
            return [("true" if value else "false", _BOOLEAN)]
        return [(str(value).lower(), _STRING)]
    if isinstance(value, int):
        if datatype is Datatype.DECIMAL:
            return [(f"{value}.0", _DECIMAL)]
        if datatype in (None, Datatype.INTEGER):
            return [(str(value), _INTEGER)]
        return [(str(value), _STRING)]
    if isinstance(value, float):
        if datatype in (None, Datatype.DECIMAL) or (
            datatype is Datatype.INTEGER and value.is_integer()
        ):
            if datatype is Datatype.INTEGER:
                return [(str(int(value)), _INTEGER)]
            text = decimal_lexical(value)
            if text is not None:
                return [(text, _DECIMAL)]
        return [(repr(value), _STRING)]
    text = value if isinstance(value, str) else str(value)
    if datatype is None or datatype in (Datatype.STRING, Datatype.TEXT, Datatype.EMAIL):
        return [(text, _STRING)]
    if datatype is Datatype.LIST:
        return [(text, _STRING)]
    if datatype is Datatype.URI:
        return [(text, datatype_iri(datatype))]
    checks = {
        Datatype.INTEGER: _INT_TEXT,
        Datatype.DECIMAL: _DECIMAL_TEXT,
        Datatype.DATE: _DATE_TEXT,
        Datatype.DATETIME: _DATETIME_TEXT,
    }
    check = checks.get(datatype)
    if check is not None and check.match(text):
        return [(text, datatype_iri(datatype))]
    if datatype is Datatype.BOOLEAN and text in ("true", "false"):
        return [(text, _BOOLEAN)]
    return [(text, _STRING)]


@dataclass
class Snapshot:
    """One current source snapshot, as the export describes it."""

    source: str
    kind: str
    iri: str
    source_iri: str
    generated_at: str
    sha256: str
    variant: str
    input: str
    license: Mapping[str, str] = field(default_factory=dict)


def snapshots_of(sources: list[dict[str, Any]], base: str) -> dict[str, Snapshot]:
    """The current snapshot of each source, named by its content so that re-ingesting is stable.

    A snapshot's IRI is built from its input's sha256, and its time is when
    that content was first ingested into the source: re-ingesting identical data
    changes neither.
    """
    found: dict[str, Snapshot] = {}
    for source in sources:
        current = [s for s in source["snapshots"] if s["current"]]
        if current:
            found[source["name"]] = snapshot_of(source, current[0], base)
    return found


def snapshot_of(source: Mapping[str, Any], snap: Mapping[str, Any], base: str) -> Snapshot:
    """One snapshot of a source (an item of ``Workspace.sources()``), as the export names it."""
    digest = snap["sha256"]
    same = [s for s in source["snapshots"] if digest and s["sha256"] == digest]
    first_seen = min(s["ingested_at"] for s in same) if same else snap["ingested_at"]
    source_iri = f"{base}source/{quote(source['name'], safe='')}"
    tail = digest[:16] if digest else f"n{snap['snapshot']}"
    return Snapshot(
        source=source["name"],
        kind=source["kind"],
        iri=f"{source_iri}/snapshot/{tail}",
        source_iri=source_iri,
        generated_at=first_seen,
        sha256=digest,
        variant=snap["variant"],
        input=snap["input"],
        license=snap.get("metadata", {}).get("license") or {},
    )


@dataclass(frozen=True)
class Former:
    """A node no longer listed: what its last listing said, and since when it is gone."""

    node_type: NodeType
    props: Mapping[str, Any]
    """The properties of its last listing."""
    first_asserted: str
    last_asserted: str
    last_listed_in: Snapshot
    """The snapshot that last listed it (its provenance)."""
    gone_since: str
    """The day of the first snapshot that no longer lists it."""
    evidence: str
    """Why it is closed: 'no longer listed by SOURCE since snapshot N (DATE); ...'."""
    ties: tuple[tuple[str, str], ...] = ()
    """Its last listing's edges out (``(edge type, node id)``): where it was, what it ran."""


def _datetime(text: str) -> str:
    return text if _DATETIME_TEXT.match(text) else text.replace(" ", "T")


class _Mapper:
    def __init__(
        self,
        graph: Graph,
        *,
        base: str,
        snapshots: Mapping[str, Snapshot],
        records: Mapping[str, list[tuple[str, str]]],
        former: Mapping[str, Former] | None = None,
    ) -> None:
        self.graph = graph
        self.former = dict(former or {})
        self.base = base
        self.snapshots = snapshots
        self.records = records
        self.iris: dict[str, str] = {}
        self.types: dict[str, NodeType] = {}
        for node, data in graph.nodes(data=True):
            node_type = NodeType(data["type"])
            self.types[node] = node_type
            self.iris[node] = node_iri(node_type, node, base=base)
        self.former_iris = {
            node: node_iri(gone.node_type, node, base=base)
            for node, gone in self.former.items()
            if node not in self.iris
        }
        self.class_types = {
            t: [class_iri(t)]
            + [
                expand_curie(target)
                for rel, target in CLASS_ALIGNMENT.get(t, ())
                if rel == "rdfs:subClassOf"
            ]
            for t in NodeType
        }
        self.properties = {
            t: {name: (property_iri(name), prop.datatype) for name, prop in d.properties.items()}
            for t, d in NODE_TYPES.items()
        }
        self.edge_properties = {
            t: {name: (property_iri(name), prop.datatype) for name, prop in d.properties.items()}
            for t, d in EDGE_TYPES.items()
        }
        self.direct = {key: expand_curie(curie) for key, curie in WRITTEN_DIRECTLY.items()}
        self.field_iris: dict[str, str] = {}
        self.schemes: dict[str, str] = {}
        self.class_counts: Counter[NodeType] = Counter()
        self.edge_counts: Counter[EdgeType] = Counter()
        self.broader: set[str] = set()
        for u, v, data in graph.edges(data=True):
            if (
                data["type"] == EdgeType.PART_OF
                and self.types[u] is self.types[v] is NodeType.CONCEPT
            ):
                self.broader.add(u)

    def _field(self, name: str) -> str:
        iri = self.field_iris.get(name)
        if iri is None:
            iri = self.field_iris[name] = field_iri(name)
        return iri

    def _scheme(self, node: str, data: Mapping[str, Any]) -> str:
        taxonomy = data.get("taxonomy")
        label = taxonomy if isinstance(taxonomy, str) and taxonomy else None
        if label is None:
            label = f"{sorted(data.get('sources') or ['unknown'])[0]} taxonomy"
        iri = self.schemes.get(label)
        if iri is None:
            iri = self.schemes[label] = f"{self.base}scheme/{quote(label, safe='')}"
        return iri

    def nodes(self) -> Iterator[Triple]:
        for node in sorted(self.iris):
            yield from self.node(node, self.graph.nodes[node])

    def node(self, node: str, data: Mapping[str, Any]) -> Iterator[Triple]:
        s = self.iris[node]
        node_type = self.types[node]
        yield from self._described(s, node_type, data)
        if node_type in LIFECYCLE_TYPES:
            state, evidence = lifecycle_of(dict(data))
            yield s, CG + "lifecycleState", lifecycle_iri(state), None
            yield s, CG + "lifecycleEvidence", evidence, _STRING
        yield from _asserted(s, data)
        yield from self._placed(s, node, data)

    def formers(self) -> Iterator[Triple]:
        """The nodes no longer listed: class, last listed properties, closed, since when."""
        for node, s in sorted(self.former_iris.items(), key=lambda item: item[1]):
            gone = self.former[node]
            yield from self._described(s, gone.node_type, gone.props)
            if gone.node_type in LIFECYCLE_TYPES:
                yield s, CG + "lifecycleState", lifecycle_iri("closed"), None
            yield s, CG + "lifecycleEvidence", gone.evidence, _STRING
            yield s, CG + "firstAsserted", gone.first_asserted, _DATE
            yield s, CG + "lastAsserted", gone.last_asserted, _DATE
            yield s, PROV + "invalidatedAtTime", gone.gone_since + "T00:00:00", _DATETIME
            yield s, _DERIVED, gone.last_listed_in.iri, None

    def _described(self, s: str, node_type: NodeType, data: Mapping[str, Any]) -> Iterator[Triple]:
        """A node's classes, label and properties (documented ``cg:``, the rest ``cgf:``)."""
        self.class_counts[node_type] += 1
        for cls in self.class_types[node_type]:
            yield s, _TYPE, cls, None
        label = data.get("name") or data.get("title")
        if isinstance(label, str) and label:
            yield s, _LABEL, label, _STRING
        documented = self.properties[node_type]
        for name in sorted(data):
            if name in _NOT_FIELDS:
                continue
            value = data[name]
            known = documented.get(name)
            if known is None:
                predicate, datatype = self._field(name), None
            else:
                predicate, datatype = known
            pairs = literals(datatype, value)
            for lexical, dt in pairs:
                yield s, predicate, lexical, dt
            direct = self.direct.get((node_type, name))
            if direct is not None:
                for lexical, dt in pairs:
                    if direct == SKOS + "exactMatch":
                        # Only web IRIs: a scheme such as 'geo:' would read as a prefix in JSON-LD.
                        if is_iri(lexical) and lexical.startswith(("http://", "https://")):
                            yield s, direct, lexical, None
                    else:
                        yield s, direct, lexical, dt

    def _placed(self, s: str, node: str, data: Mapping[str, Any]) -> Iterator[Triple]:
        node_type = self.types[node]
        if node_type is NodeType.CONCEPT:
            scheme = self._scheme(node, data)
            yield s, SKOS + "inScheme", scheme, None
            if node not in self.broader:
                yield s, SKOS + "topConceptOf", scheme, None
        yield from self._out_edges(s, node)
        sources = self._sources(node, data)
        for source in sources:
            yield s, _DERIVED, self.snapshots[source].iri, None
        for source in sources:
            yield s, PROV + "qualifiedDerivation", f"{s}#from-{quote(source, safe='')}", None
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (
            isinstance(latitude, int | float)
            and isinstance(longitude, int | float)
            and (_number(latitude) and _number(longitude))
        ):
            geometry = s + "#geometry"
            yield s, GSP + "hasGeometry", geometry, None
            yield geometry, _TYPE, SF + "Point", None
            yield (
                geometry,
                GSP + "asWKT",
                f"POINT({decimal_lexical(longitude)} {decimal_lexical(latitude)})",
                _WKT,
            )
        for source in sources:
            derivation = f"{s}#from-{quote(source, safe='')}"
            yield derivation, _TYPE, PROV + "Derivation", None
            yield derivation, PROV + "entity", self.snapshots[source].iri, None
            for record_id in sources[source]:
                yield derivation, CG + "recordId", record_id, _STRING

    def _out_edges(self, s: str, node: str) -> Iterator[Triple]:
        iris, types = self.iris, self.types
        out = sorted(
            (edge_property_iri(EdgeType(data["type"])), v, data["type"])
            for _, v, data in self.graph.out_edges(node, data=True)
        )
        seen = None
        for predicate, v, edge_type in out:
            if (predicate, v) == seen:
                continue  # parallel edges (two periods of referrals) are one triple
            seen = (predicate, v)
            self.edge_counts[EdgeType(edge_type)] += 1
            sv = iris[v]
            yield s, predicate, sv, None
            if edge_type == EdgeType.PART_OF:
                if types[node] is NodeType.CONCEPT and types[v] is NodeType.CONCEPT:
                    yield s, SKOS + "broader", sv, None
                elif types[node] is NodeType.ORGANIZATION and types[v] is NodeType.ORGANIZATION:
                    yield s, ORG + "subOrganizationOf", sv, None

    def _sources(self, node: str, data: Mapping[str, Any]) -> dict[str, list[str]]:
        """The sources asserting a node (with a current snapshot), each with its record ids."""
        by_source: dict[str, set[str]] = {}
        for source, record_id in self.records.get(node, ()):
            by_source.setdefault(source, set()).add(record_id)
        for source in data.get("sources") or ():
            by_source.setdefault(source, set())
        return {
            source: sorted(by_source[source])
            for source in sorted(by_source)
            if source in self.snapshots
        }

    def edges(self) -> Iterator[Triple]:
        iris = self.iris
        edges = sorted(self.graph.edges(keys=True), key=lambda e: (e[0], e[1], e[2]))
        for u, v, key in edges:
            data = self.graph.edges[u, v, key]
            edge_type = EdgeType(data["type"])
            su, sv = iris[u], iris[v]
            predicate = edge_property_iri(edge_type)
            discriminator = key.split("|", 1)[1] if "|" in key else ""
            statement = (
                f"{self.base}relationship/{edge_slug(edge_type)}/"
                f"{quote(u, safe=_SAFE)}/{quote(v, safe=_SAFE)}"
            )
            if discriminator:
                statement += "/" + quote(discriminator, safe=_SAFE)
            yield statement, _TYPE, RDF + "Statement", None
            yield statement, RDF + "subject", su, None
            yield statement, RDF + "predicate", predicate, None
            yield statement, RDF + "object", sv, None
            documented = self.edge_properties[edge_type]
            for name in sorted(data):
                if name in _NOT_FIELDS:
                    continue
                known = documented.get(name)
                if known is None:
                    edge_predicate, datatype = self._field(name), None
                else:
                    edge_predicate, datatype = known
                for lexical, dt in literals(datatype, data[name]):
                    yield statement, edge_predicate, lexical, dt
            yield from _asserted(statement, data)
            for source in sorted(data.get("sources") or ()):
                snapshot = self.snapshots.get(source)
                if snapshot is not None:
                    yield statement, _DERIVED, snapshot.iri, None

    def schemes_triples(self) -> Iterator[Triple]:
        for label, iri in sorted(self.schemes.items(), key=lambda item: item[1]):
            yield iri, _TYPE, SKOS + "ConceptScheme", None
            yield iri, SKOS + "prefLabel", label, _STRING
            yield iri, DCT + "title", label, _STRING

    def sources_triples(self) -> Iterator[Triple]:
        current = {snap.iri for snap in self.snapshots.values()}
        for name in sorted(self.snapshots):
            yield from self._snapshot_triples(self.snapshots[name], source=True)
        earlier = {
            gone.last_listed_in.iri: gone.last_listed_in
            for node, gone in self.former.items()
            if node in self.former_iris
        }
        for iri in sorted(set(earlier) - current):
            yield from self._snapshot_triples(earlier[iri], source=False)

    def _snapshot_triples(self, snap: Snapshot, *, source: bool) -> Iterator[Triple]:
        """A snapshot, and (``source``) the source it is a snapshot of."""
        src = snap.source_iri
        if source:
            yield src, _TYPE, DCAT + "Dataset", None
            yield src, _TYPE, PROV + "Entity", None
            yield src, DCT + "title", snap.source, _STRING
            yield src, CG + "ingester", snap.kind, _STRING
            licence_url, licence_name = snap.license.get("url", ""), snap.license.get("name", "")
            if licence_url and is_iri(licence_url):
                yield src, DCT + "license", licence_url, None
            if licence_name:
                yield src, CG + "licenseName", licence_name, _STRING
        s = snap.iri
        yield s, _TYPE, PROV + "Entity", None
        yield s, PROV + "specializationOf", src, None
        yield s, PROV + "generatedAtTime", _datetime(snap.generated_at), _DATETIME
        if snap.sha256:
            yield s, CG + "sha256", snap.sha256, _STRING
        if snap.variant:
            yield s, CG + "variant", snap.variant, _STRING
        if snap.input.startswith(("http://", "https://")) and is_iri(snap.input):
            yield s, DCAT + "downloadURL", snap.input, None

    def description(self, triples: int) -> Iterator[Triple]:
        d = f"{self.base}dataset"
        yield d, _TYPE, VOID + "Dataset", None
        yield d, _TYPE, DCAT + "Dataset", None
        yield d, DCT + "title", "civicgraph export", _STRING
        yield d, DCT + "conformsTo", CG.rstrip("#"), None
        yield d, VOID + "uriSpace", self.base, _STRING
        yield d, VOID + "triples", str(triples), _INTEGER
        yield d, VOID + "entities", str(sum(self.class_counts.values())), _INTEGER
        times = [_datetime(s.generated_at) for s in self.snapshots.values()]
        if times:
            yield d, DCT + "modified", max(times), _DATETIME
        for namespace in sorted({PREFIXES[p] for p in ("cg", "schema", "org", "skos", "prov")}):
            yield d, VOID + "vocabulary", namespace.rstrip("#"), None
        for name in sorted(self.snapshots):
            yield d, DCT + "source", self.snapshots[name].source_iri, None
            yield d, _DERIVED, self.snapshots[name].iri, None
        partitions: list[Triple] = []
        for node_type in NodeType:
            if self.class_counts[node_type]:
                part = f"{d}#class-{node_type.value}"
                yield d, VOID + "classPartition", part, None
                partitions.append((part, VOID + "class", class_iri(node_type), None))
                count = str(self.class_counts[node_type])
                partitions.append((part, VOID + "entities", count, _INTEGER))
        for edge_type in EdgeType:
            if self.edge_counts[edge_type]:
                part = f"{d}#property-{edge_slug(edge_type)}"
                yield d, VOID + "propertyPartition", part, None
                partitions.append((part, VOID + "property", edge_property_iri(edge_type), None))
                count = str(self.edge_counts[edge_type])
                partitions.append((part, VOID + "triples", count, _INTEGER))
        yield from partitions


def _asserted(s: str, data: Mapping[str, Any]) -> Iterator[Triple]:
    """First and last asserted (the days of the first and last snapshot asserting it)."""
    for name, term in (("first_asserted", "firstAsserted"), ("last_asserted", "lastAsserted")):
        day = data.get(name)
        if isinstance(day, str) and _DATE_TEXT.match(day):
            yield s, CG + term, day, _DATE


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def graph_triples(
    graph: Graph,
    *,
    sources: list[dict[str, Any]],
    records: Mapping[str, list[tuple[str, str]]],
    base: str | None = None,
    former: Mapping[str, Former] | None = None,
) -> Iterator[Triple]:
    """Every triple of the export of ``graph``, its provenance and its description, in order.

    ``former``: the nodes no longer listed (by node id), written after the graph's nodes.
    """
    base = base_iri(base)
    snapshots = snapshots_of(sources, base)
    mapper = _Mapper(graph, base=base, snapshots=snapshots, records=records, former=former)
    count = 0
    parts: Iterable[Iterator[Triple]] = (
        mapper.nodes(),
        mapper.formers(),
        mapper.edges(),
        mapper.schemes_triples(),
        mapper.sources_triples(),
    )
    for part in parts:
        for triple in part:
            count += 1
            yield triple
    yield from mapper.description(count)
