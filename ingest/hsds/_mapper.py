"""The one HSDS mapper: HSDS 3.0-shaped records in, graph records out.

Every variant ends here. 3.0 JSON arrives shaped so already; tabular packages
are first un-flattened into the same shape. What each HSDS entity becomes is
one table, ``ENTITIES``: its node type, the fields that hold nested detail or
other records (not plain properties), the fields that name other records
(edges), the nested records it holds, and how its nested detail becomes
properties.

HSDS 3.0 nests: a service embeds its organisation, its service-at-locations
embed their locations, attributes embed taxonomy terms. Each nested record
becomes its own node (marked *embedded*, so that its many copies fold into
one without warnings) linked to its parent by the ontology's edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...graph import EdgeRecord, NodeRecord, Record, Severity, local_key
from ...ontology import EdgeType, NodeType
from .._pipeline import ReadContext
from ._common import flatten_address, location_identifiers, org_identifiers, typed_props
from ._funding import funding_mix, funding_records

__all__ = ["ENTITIES", "Entity", "Mapper", "Reference", "report_unmatched_identifiers"]

_EMPTY: tuple[object, ...] = (None, "", [], {})


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """The non-empty values of a record's nested detail (kept as the source gave them)."""
    return {k: v for k, v in values.items() if v not in _EMPTY}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if type(v) is dict] if type(value) is list else []


def _names(value: Any, field: str = "name") -> list[Any]:
    return [item.get(field) for item in _objects(value)]


def _given(value: Any) -> bool:
    return value not in (None, "")


@dataclass(frozen=True)
class Place:
    """Where a record is being mapped: for the notes its detail gives."""

    ctx: ReadContext
    table: str
    record: str
    file: str


Detail = Callable[[Mapping[str, Any], Place], dict[str, Any]]
"""How an entity's nested detail becomes properties: the record in, extra properties out."""


@dataclass(frozen=True)
class Reference:
    """A field of a record that names another record, and the edge it makes.

    The other record is an embedded object (``embed``, mapped as its own node), an id
    (``id_field``), or, failing both, the record this one is nested in.
    """

    edge: EdgeType
    target: NodeType
    id_field: str
    embed: str | None = None
    incoming: bool = False
    """The edge runs from the named record to this one (an organisation provides a service)."""
    label: str | None = None
    """The field named in the edge's provenance (default ``id_field``)."""
    required: tuple[str, str] | None = None
    """The warning and fix given when no record is named (HSDS requires one); ``None``:
    optional."""


@dataclass(frozen=True)
class Child:
    """A field holding nested records of another entity, linked back to this one."""

    field: str
    kind: str
    embedded: bool = False


@dataclass(frozen=True)
class Entity:
    """What one HSDS entity becomes in the graph."""

    node_type: NodeType
    nested: tuple[str, ...]
    """Fields not copied as plain properties: nested detail, other records, ids."""
    detail: Detail
    copies_fields: bool = True
    """Its other fields become properties as they are; ``False``: only what ``detail`` says."""
    references: tuple[Reference, ...] = ()
    children: tuple[Child, ...] = ()
    name_required: bool = True
    funded: bool = False
    """Its ``funding`` statements name funders (``funding_records``)."""
    classified_by: str | None = None
    """The field whose attributes' taxonomy terms classify it."""
    identifiers: Callable[[Mapping[str, Any]], list[str]] | None = None
    """Identity keys, from its properties."""


# -- nested detail as properties ------------------------------------------------


def _organization_detail(obj: Mapping[str, Any], place: Place) -> dict[str, Any]:
    org_ids, raw_ids, unmatched = org_identifiers(_objects(obj.get("organization_identifiers")))
    report_unmatched_identifiers(place.ctx, unmatched, place.table, place.record, place.file)
    funding = _names(obj.get("funding"), "source")
    return _compact(
        {
            "org_ids": org_ids,
            "identifiers": raw_ids,
            "funding": funding,
            "funding_mix": funding_mix(funding),
            "programs": _names(obj.get("programs")),
            "contacts": obj.get("contacts"),
            "phones": obj.get("phones"),
            "attributes": obj.get("attributes"),
        }
    )


def _service_detail(obj: Mapping[str, Any], place: Place) -> dict[str, Any]:
    program = obj.get("program")
    funding = _names(obj.get("funding"), "source")
    return _compact(
        {
            "program": program.get("name") if isinstance(program, Mapping) else program,
            "phones": obj.get("phones"),
            "schedules": obj.get("schedules"),
            "contacts": obj.get("contacts"),
            "languages": _names(obj.get("languages")),
            "funding": funding,
            "funding_mix": funding_mix(funding),
            "cost_options": obj.get("cost_options"),
            "required_documents": _names(obj.get("required_documents"), "document"),
            "service_areas": obj.get("service_areas"),
            # Attributes with a taxonomy term become edges; the others stay as detail.
            "attributes": [
                a
                for a in _objects(obj.get("attributes"))
                if not isinstance(a.get("taxonomy_term"), Mapping)
            ],
        }
    )


def _location_detail(obj: Mapping[str, Any], place: Place) -> dict[str, Any]:
    props: dict[str, Any] = {}
    addresses = _objects(obj.get("addresses"))
    if addresses:
        # The main address is the first physical one; an address of no stated type
        # ("" or absent) counts as physical, since HSDS 3.0 makes the type required
        # and an export that leaves it out has not said the address is postal.
        physical = [a for a in addresses if a.get("address_type") in (None, "", "physical")]
        props.update(flatten_address((physical or addresses)[0]))
    identifier = obj.get("external_identifier")
    if _given(identifier):
        kind = str(obj.get("external_identifier_type") or "").strip()
        if kind.upper() == "UPRN":
            props["uprn"] = str(identifier).strip()
        else:
            props["external_identifier"] = identifier
            if kind:
                props["external_identifier_type"] = kind
    props.update(
        _compact(
            {
                "addresses": addresses,
                "languages": _names(obj.get("languages")),
                "accessibility": obj.get("accessibility"),
                "phones": obj.get("phones"),
                "schedules": obj.get("schedules"),
                "contacts": obj.get("contacts"),
            }
        )
    )
    return props


def _taxonomy_term_detail(obj: Mapping[str, Any], place: Place) -> dict[str, Any]:
    detail = obj.get("taxonomy_detail")
    taxonomy = obj.get("taxonomy")
    if isinstance(detail, Mapping) and detail.get("name"):
        taxonomy = detail["name"]
    return typed_props(
        NodeType.CONCEPT,
        {
            "name": obj.get("name") or obj.get("term"),
            "code": obj.get("code"),
            "description": obj.get("description"),
            "taxonomy": taxonomy,
            "term_uri": obj.get("term_uri"),
            "language": obj.get("language"),
            "taxonomy_id": obj.get("taxonomy_id"),
        },
    )


_METADATA = ("metadata",)

ENTITIES: dict[str, Entity] = {
    "organization": Entity(
        NodeType.ORGANIZATION,
        nested=(
            "id",
            "organization_identifiers",
            "services",
            "locations",
            "funding",
            "programs",
            "contacts",
            "phones",
            "attributes",
            *_METADATA,
        ),
        detail=_organization_detail,
        references=(Reference(EdgeType.PART_OF, NodeType.ORGANIZATION, "parent_organization_id"),),
        children=(Child("services", "service"), Child("locations", "location", embedded=True)),
        funded=True,
        identifiers=lambda props: list(props.get("org_ids", ())),
    ),
    "service": Entity(
        NodeType.SERVICE,
        nested=(
            "id",
            "organization",
            "service_at_locations",
            "attributes",
            "program",
            "phones",
            "schedules",
            "contacts",
            "languages",
            "funding",
            "cost_options",
            "required_documents",
            "service_areas",
            "capacities",
            *_METADATA,
        ),
        detail=_service_detail,
        references=(
            Reference(
                EdgeType.PROVIDES,
                NodeType.ORGANIZATION,
                "organization_id",
                embed="organization",
                incoming=True,
                label="organization",
                required=(
                    "services name no organisation, which HSDS requires; kept without a provider",
                    "add the providing organisation.",
                ),
            ),
        ),
        children=(Child("service_at_locations", "service_at_location"),),
        funded=True,
        classified_by="attributes",
    ),
    "location": Entity(
        NodeType.LOCATION,
        nested=(
            "id",
            "addresses",
            "languages",
            "accessibility",
            "phones",
            "schedules",
            "contacts",
            "attributes",
            "external_identifier",
            "external_identifier_type",
            "organization_id",
            *_METADATA,
        ),
        detail=_location_detail,
        references=(
            Reference(EdgeType.OPERATES, NodeType.ORGANIZATION, "organization_id", incoming=True),
        ),
        name_required=False,
        identifiers=location_identifiers,
    ),
    "taxonomy_term": Entity(
        NodeType.CONCEPT,
        nested=(),
        detail=_taxonomy_term_detail,
        copies_fields=False,
        references=(Reference(EdgeType.PART_OF, NodeType.CONCEPT, "parent_id"),),
        name_required=False,
    ),
}
"""HSDS entity → what it becomes. ``service_at_location`` (an edge) and ``taxonomy`` (its
name travels with its terms) are not nodes and are mapped by ``Mapper`` itself."""

_CACHED = frozenset({"organization", "location", "taxonomy_term"})
"""Entities that are embedded again and again (every service embeds its organisation)."""

KINDS = (*ENTITIES, "service_at_location", "taxonomy")


class Mapper:
    """Maps HSDS 3.0-shaped records to graph records for one source."""

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.source = ctx.source
        # Embedded copies repeat (every service embeds its organisation): an identical
        # copy yields the records the first one made, without mapping it again.
        self._copies: dict[tuple[str, str], tuple[dict[str, Any], list[Record]]] = {}

    def key(self, node_type: NodeType, local_id: Any) -> str:
        return local_key(self.source, node_type, str(local_id).strip())

    def entity(
        self,
        kind: str,
        obj: Any,
        *,
        file: str,
        embedded: bool = False,
        parent: str | None = None,
    ) -> Iterator[Record]:
        """Records for one HSDS entity object of the given kind.

        ``parent`` is the key of the record it is nested in (a service inside an
        organisation), used where the object names no such record itself.
        """
        if kind == "service_at_location":
            yield from self._service_at_location(obj, file=file, service_key=parent)
        elif kind == "taxonomy":
            yield from self._taxonomy(obj, file=file)
        elif embedded and parent is None and kind in _CACHED and type(obj) is dict:
            yield from self._embedded(kind, obj, file)
        else:
            yield from self._node(kind, obj, file, embedded, parent)

    def _embedded(self, kind: str, obj: dict[str, Any], file: str) -> Iterator[Record]:
        copy_key = (kind, str(obj.get("id")))
        cached = self._copies.get(copy_key)
        if cached is not None and (cached[0] is obj or cached[0] == obj):
            self.ctx.read(kind)
            yield from cached[1]
            return
        reads_before = self.ctx.reads
        records = list(self._node(kind, obj, file, True, None))
        if self.ctx.reads == reads_before + 1:  # nothing nested inside: safe to replay
            self._copies[copy_key] = (obj, records)
        yield from records

    # -- one node and what hangs off it -----------------------------------------

    def _node(
        self,
        kind: str,
        obj: Any,
        file: str,
        embedded: bool,
        parent: str | None,
    ) -> Iterator[Record]:
        entity = ENTITIES[kind]
        local_id = self._id(kind, obj, file=file)
        if local_id is None:
            return
        key = self.key(entity.node_type, local_id)
        if entity.name_required:
            self._require_name(kind, obj, local_id, file)
        if entity.copies_fields:
            props = typed_props(entity.node_type, obj, skip=entity.nested)
            self._tidy(props, kind, local_id, file)
            props.update(entity.detail(obj, Place(self.ctx, kind, local_id, file)))
        else:
            props = entity.detail(obj, Place(self.ctx, kind, local_id, file))
            self._tidy(props, kind, local_id, file)
        identifiers = entity.identifiers(props) if entity.identifiers else []
        yield NodeRecord(
            entity.node_type,
            key,
            props,
            kind,
            local_id,
            identifiers=tuple(identifiers),
            embedded=embedded,
            file=file,
        )
        if entity.funded:
            yield from funding_records(
                props.get("funding", []),
                target_key=key,
                table=kind,
                record_id=local_id,
                file=file,
                ctx=self.ctx,
            )
        for reference in entity.references:
            yield from self._reference(reference, kind, obj, key, local_id, file, parent)
        for child in entity.children:
            for item in _objects(obj.get(child.field)):
                yield from self.entity(
                    child.kind, item, file=file, embedded=child.embedded, parent=key
                )
        if entity.classified_by:
            for attribute in _objects(obj.get(entity.classified_by)):
                yield from self._attribute(attribute, key, local_id, file)

    def _reference(
        self,
        reference: Reference,
        kind: str,
        obj: Mapping[str, Any],
        key: str,
        local_id: str,
        file: str,
        parent: str | None,
    ) -> Iterator[Record]:
        other = parent if reference.incoming else None
        embedded = obj.get(reference.embed) if reference.embed else None
        if isinstance(embedded, Mapping):
            yield from self.entity(ENTITY_OF[reference.target], embedded, file=file, embedded=True)
            if _given(embedded.get("id")):
                other = self.key(reference.target, embedded["id"])
        elif _given(ref := obj.get(reference.id_field)):
            if str(ref).strip() == local_id and reference.target is ENTITIES[kind].node_type:
                return  # a record is not its own parent
            other = self.key(reference.target, ref)
        if other is None:
            if reference.required:
                message, fix = reference.required
                self.ctx.problem(
                    Severity.WARNING,
                    "missing-required",
                    message,
                    fix,
                    table=kind,
                    file=file,
                    field=reference.label or reference.id_field,
                    record=local_id,
                )
            return
        source, target = (other, key) if reference.incoming else (key, other)
        yield EdgeRecord(
            reference.edge,
            source,
            target,
            kind,
            local_id,
            field=reference.label or reference.id_field,
            file=file,
        )

    def _attribute(
        self, attribute: Mapping[str, Any], service_key: str, service_id: str, file: str
    ) -> Iterator[Record]:
        term = attribute.get("taxonomy_term")
        if not isinstance(term, Mapping):
            return
        self.ctx.read("attribute")
        term_id = term.get("id") or attribute.get("taxonomy_term_id")
        if term_id in (None, ""):
            self.ctx.reject(
                "attribute",
                "missing-id",
                "attributes name a taxonomy term without an id; rejected",
                "give the taxonomy term its id.",
                file=file,
                record=str(attribute.get("id") or service_id),
            )
            return
        yield from self.entity("taxonomy_term", term, file=file, embedded=True)
        yield EdgeRecord(
            EdgeType.CLASSIFIED_AS,
            service_key,
            self.key(NodeType.CONCEPT, term_id),
            "attribute",
            str(attribute.get("id") or service_id),
            primary=True,
            field="taxonomy_term",
        )

    # -- the two entities that are not nodes --------------------------------------

    def _service_at_location(
        self, obj: Any, *, file: str, service_key: str | None = None
    ) -> Iterator[Record]:
        local_id = self._id("service_at_location", obj, file=file)
        if local_id is None:
            return
        service = obj.get("service")
        if isinstance(service, Mapping):
            yield from self.entity("service", service, file=file, embedded=True)
            if _given(service.get("id")):
                service_key = self.key(NodeType.SERVICE, service["id"])
        elif _given(obj.get("service_id")):
            service_key = self.key(NodeType.SERVICE, obj["service_id"])
        location = obj.get("location")
        location_key = None
        if isinstance(location, Mapping):
            yield from self.entity("location", location, file=file, embedded=True)
            if _given(location.get("id")):
                location_key = self.key(NodeType.LOCATION, location["id"])
        elif _given(obj.get("location_id")):
            location_key = self.key(NodeType.LOCATION, obj["location_id"])
        if service_key is None or location_key is None:
            self.ctx.reject(
                "service_at_location",
                "missing-required",
                "service-at-location records lack a service or a location; rejected",
                "give both the service and the location.",
                file=file,
                record=local_id,
            )
            return
        props = _compact(
            {
                "service_at_location_id": local_id,
                "description": obj.get("description"),
                "phones": obj.get("phones"),
                "schedules": obj.get("schedules"),
                "contacts": obj.get("contacts"),
            }
        )
        yield EdgeRecord(
            EdgeType.AT_LOCATION,
            service_key,
            location_key,
            "service_at_location",
            local_id,
            props=props,
            primary=True,
            field="location",
            file=file,
        )

    def _taxonomy(self, obj: Any, *, file: str) -> Iterator[Record]:
        local_id = self._id("taxonomy", obj, file=file)
        if local_id is None:
            return
        # A taxonomy is not a node of its own: its name travels with its terms.
        self.ctx.use("taxonomy")
        for term in _objects(obj.get("taxonomy_terms")):
            named = {**term, "taxonomy": term.get("taxonomy") or obj.get("name")}
            yield from self._node("taxonomy_term", named, file, False, None)

    # -- checks -----------------------------------------------------------------

    def _id(self, table: str, obj: Any, *, file: str) -> str | None:
        """The record's id, or ``None`` after rejecting a record without one."""
        self.ctx.read(table)
        if not isinstance(obj, Mapping):
            self.ctx.reject(
                table,
                "not-an-object",
                f"{table} entries are not JSON objects; rejected",
                "each entry must be an object with an id.",
                file=file,
                value=repr(obj)[:80],
            )
            return None
        local_id = obj.get("id")
        if local_id in (None, "") or isinstance(local_id, Mapping | list):
            self.ctx.reject(
                table,
                "missing-id",
                f"{table} records have no id; rejected",
                "give every record its id.",
                file=file,
                record=str(obj.get("name") or "")[:60] or None,
            )
            return None
        return str(local_id).strip()

    def _tidy(self, props: dict[str, Any], table: str, local_id: str, file: str) -> None:
        """Trim stray spaces around a record's own text values, noting each."""
        for name, value in props.items():
            if isinstance(value, str) and value != value.strip():
                props[name] = value.strip()
                self.ctx.problem(
                    Severity.NOTE,
                    "padded-value",
                    "values have spaces around them; trimmed",
                    "",
                    table=table,
                    file=file,
                    field=name,
                    record=local_id,
                    value=value,
                )

    def _require_name(self, table: str, obj: Mapping[str, Any], local_id: str, file: str) -> None:
        if not obj.get("name"):
            self.ctx.problem(
                Severity.WARNING,
                "missing-required",
                f"{table} records have no name, which HSDS requires; kept without one",
                "add the name.",
                table=table,
                file=file,
                field="name",
                record=local_id,
            )


ENTITY_OF = {entity.node_type: kind for kind, entity in ENTITIES.items()}
"""The HSDS entity behind each node type."""


def report_unmatched_identifiers(
    ctx: ReadContext, unmatched: list[dict[str, Any]], table: str, record: str, file: str
) -> None:
    """Note identifiers kept as given because they are in no org-id scheme we know."""
    for entry in unmatched:
        scheme = (
            entry.get("identifier_scheme")
            or entry.get("identifier_type")
            or entry.get("identification_body")
            or entry.get("register")
            or "no scheme"
        )
        ctx.problem(
            Severity.NOTE,
            "unknown-identifier-scheme",
            "organisation identifiers in a scheme civicgraph does not know; kept, but not "
            "used to match organisations across sources",
            "use an org-id scheme (GB-CHC, GB-COH, GB-SC, ...) where there is one.",
            table=table,
            file=file,
            field="organization_identifiers",
            record=record,
            value=f"{scheme}: {entry.get('identifier')}",
        )
