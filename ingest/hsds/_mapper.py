"""The one HSDS mapper: HSDS 3.0-shaped records in, graph records out.

Every variant ends here. 3.0 JSON arrives shaped so already; tabular packages
are first un-flattened into the same shape (``_unflatten``). What each HSDS
entity becomes is one table, ``_entities.ENTITIES``; this module walks a
record by it.

HSDS 3.0 nests: a service embeds its organisation, its service-at-locations
embed their locations, attributes embed taxonomy terms. Each nested record
becomes its own node (marked *embedded*, so that its many copies fold into
one without warnings) linked to its parent by the ontology's edge.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...graph import EdgeRecord, NodeRecord, Record, Severity, local_key
from ...ontology import EdgeType, NodeType
from .._pipeline import ReadContext
from ._common import typed_props
from ._entities import _EMPTY, ENTITIES, ENTITY_OF, Entity, Place, Reference, _given, _objects
from ._funding import funding_records

__all__ = ["Mapper"]

_CACHED = frozenset({"organization", "location", "taxonomy_term"})
"""Entities that are embedded again and again (every service embeds its organisation)."""

KINDS = (*ENTITIES, "service_at_location", "taxonomy", "attribute")


@dataclass(frozen=True)
class _At:
    """Where the record being mapped was read: the table it counts against, file and row."""

    table: str
    file: str
    row: int | None = None


class Mapper:
    """Maps HSDS 3.0-shaped records to graph records for one source.

    ``detail_tables`` names the table each nested field was read from when that is not
    the record's own (an un-flattened package reads ``funding`` from ``funding.csv``), so
    that what the field gives is reported against the table the user can open.
    """

    def __init__(self, ctx: ReadContext, *, detail_tables: Mapping[str, str] | None = None) -> None:
        self.ctx = ctx
        self.source = ctx.source
        self.detail_tables: Mapping[str, str] = detail_tables or {}
        # Embedded copies repeat (every service embeds its organisation): an identical
        # copy yields the records the first one made, without mapping it again.
        self._copies: dict[tuple[str, str, str], tuple[dict[str, Any], list[Record]]] = {}
        self._service_funding: set[str] = set()
        self._organization_funding: dict[tuple[str, str], Callable[[], Iterator[Record]]] = {}

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
        parent_id: str | None = None,
        table: str | None = None,
        row: int | None = None,
    ) -> Iterator[Record]:
        """Records for one HSDS entity object of the given kind.

        ``parent`` is the key of the record it is nested in (a service inside an
        organisation), used where the object names no such record itself; ``parent_id``
        is that record's own id. ``table`` and
        ``row`` say where it was read (default: the entity's name, no row), for the report.
        """
        at = _At(table or kind, file, row)
        if kind == "service_at_location":
            yield from self._service_at_location(obj, at, service_key=parent)
        elif kind == "taxonomy":
            yield from self._taxonomy(obj, at)
        elif kind == "attribute":
            yield from self._link(obj, at)
        elif embedded and parent is None and kind in _CACHED and type(obj) is dict:
            yield from self._embedded(kind, obj, at)
        else:
            yield from self._node(kind, obj, at, embedded, parent, parent_id)

    def _embedded(self, kind: str, obj: dict[str, Any], at: _At) -> Iterator[Record]:
        copy_key = (kind, str(obj.get("id")), at.file)
        cached = self._copies.get(copy_key)
        if cached is not None and (cached[0] is obj or cached[0] == obj):
            self.ctx.read(at.table)
            yield from cached[1]
            return
        reads_before = self.ctx.reads
        records = list(self._node(kind, obj, at, True, None))
        if self.ctx.reads == reads_before + 1:  # nothing nested inside: safe to replay
            self._copies[copy_key] = (obj, records)
        yield from records

    # -- one node and what hangs off it -----------------------------------------

    def _node(
        self,
        kind: str,
        obj: Any,
        at: _At,
        embedded: bool,
        parent: str | None,
        parent_id: str | None = None,
    ) -> Iterator[Record]:
        entity = ENTITIES[kind]
        local_id = self._id(obj, at)
        if local_id is None:
            return
        key = self.key(entity.node_type, local_id)
        place = Place(self.ctx, at.table, local_id, at.file, at.row, self.detail_tables)
        if entity.name_required:
            self._require_name(obj, local_id, at)
        if entity.copies_fields:
            props = typed_props(entity.node_type, obj, skip=entity.nested)
            self._tidy(props, local_id, at)
            props.update(entity.detail(obj, place))
        else:
            props = entity.detail(obj, place)
            self._tidy(props, local_id, at)
        self._name_referenced_ids(entity, obj, props, parent_id)
        identifiers = entity.identifiers(props) if entity.identifiers else []
        yield NodeRecord(
            entity.node_type,
            key,
            props,
            at.table,
            local_id,
            identifiers=tuple(identifiers),
            embedded=embedded,
            row=at.row,
            file=at.file,
        )
        if entity.funded:
            yield from self._funding(entity, obj, key, place)
        for reference in entity.references:
            yield from self._reference(reference, kind, obj, key, local_id, at, parent)
        for child in entity.children:
            for item in _objects(obj.get(child.field)):
                yield from self.entity(
                    child.kind,
                    item,
                    file=at.file,
                    embedded=child.embedded,
                    parent=key,
                    parent_id=local_id,
                )
        if entity.classified_by:
            for attribute in _objects(obj.get(entity.classified_by)):
                yield from self._attribute(attribute, key, local_id, at.file)
        if entity.term_ids:
            yield from self._term_ids(entity.term_ids, obj, key, local_id, at)

    def _funding(
        self, entity: Entity, obj: Mapping[str, Any], key: str, place: Place
    ) -> Iterator[Record]:
        """The funders and ``FUNDS`` edges of a record's funding entries.

        An entry an organisation lists that one of its services lists too (the same
        funding id; or the entry names the service) funds the service, once: HSDS 3.0 JSON
        repeats it under both, as a ``funding.csv`` row names both. So an organisation's
        entries with an id wait for ``finish``, when every service's are known.
        """
        for entry in _objects(obj.get("funding")):
            records = functools.partial(
                funding_records,
                [entry.get("source")],
                target_key=key,
                table=place.detail_table("funding"),
                record_id=place.record,
                file=place.file if "funding" not in self.detail_tables else None,
                row=place.row,
                ctx=self.ctx,
            )
            funding_id = str(entry.get("id") or "").strip()
            if entity.node_type is NodeType.SERVICE:
                if funding_id:
                    self._service_funding.add(funding_id)
                yield from records()
            elif _given(entry.get("service_id")):
                continue
            elif funding_id:
                self._organization_funding.setdefault((funding_id, key), records)
            else:
                yield from records()

    def finish(self) -> Iterator[Record]:
        """The records that wait until every record is mapped: call once at the end."""
        for (funding_id, _key), records in self._organization_funding.items():
            if funding_id not in self._service_funding:
                yield from records()
        self._organization_funding.clear()

    @staticmethod
    def _name_referenced_ids(
        entity: Entity, obj: Mapping[str, Any], props: dict[str, Any], parent_id: str | None
    ) -> None:
        """Give a record the ids of the records it names by nesting (its embedded
        organisation, the organisation it is nested in) as a table row names them.

        The same record read from a 3.0 CSV package carries ``organization_id``; read from
        3.0 JSON it is given here, so that both say the same.
        """
        for reference in entity.references:
            if reference.id_field in props:
                continue
            embedded = obj.get(reference.embed) if reference.embed else None
            if isinstance(embedded, Mapping) and _given(embedded.get("id")):
                props[reference.id_field] = str(embedded["id"]).strip()
            elif reference.incoming and parent_id is not None:
                props[reference.id_field] = parent_id

    def _reference(
        self,
        reference: Reference,
        kind: str,
        obj: Mapping[str, Any],
        key: str,
        local_id: str,
        at: _At,
        parent: str | None,
    ) -> Iterator[Record]:
        other = parent if reference.incoming else None
        field = reference.label or reference.id_field
        embedded = obj.get(reference.embed) if reference.embed else None
        if isinstance(embedded, Mapping):
            yield from self.entity(
                ENTITY_OF[reference.target], embedded, file=at.file, embedded=True
            )
            if _given(embedded.get("id")):
                other = self.key(reference.target, embedded["id"])
        elif _given(ref := obj.get(reference.id_field)):
            if str(ref).strip() == local_id and reference.target is ENTITIES[kind].node_type:
                return  # a record is not its own parent
            other = self.key(reference.target, ref)
            field = reference.id_field
        if other is None:
            if reference.required:
                message, fix = reference.required
                self.ctx.problem(
                    Severity.WARNING,
                    "missing-required",
                    message,
                    fix,
                    table=at.table,
                    file=at.file,
                    field=field,
                    row=at.row,
                    record=local_id,
                )
            return
        source, target = (other, key) if reference.incoming else (key, other)
        yield EdgeRecord(
            reference.edge,
            source,
            target,
            at.table,
            local_id,
            field=field,
            row=at.row,
            file=at.file,
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

    def _term_ids(
        self, field: str, obj: Mapping[str, Any], key: str, local_id: str, at: _At
    ) -> Iterator[Record]:
        for term in str(obj.get(field) or "").replace(";", ",").split(","):
            if term.strip():
                yield EdgeRecord(
                    EdgeType.CLASSIFIED_AS,
                    key,
                    self.key(NodeType.CONCEPT, term.strip()),
                    at.table,
                    local_id,
                    field=field,
                    row=at.row,
                    file=at.file,
                )

    # -- the entities that are not nodes ------------------------------------------

    def _link(self, obj: Any, at: _At) -> Iterator[Record]:
        """An attribute given on its own (a tabular package's link table): an edge from the
        record it names to its taxonomy term."""
        self.ctx.read(at.table)
        target, term = obj.get("link_id"), obj.get("taxonomy_term_id")
        record = str(obj.get("id") or "") or f"row {at.row}"
        if not _given(target) or not _given(term):
            self.ctx.reject(
                at.table,
                "missing-required",
                "links name no record or no taxonomy term; rejected",
                "fill in link_id and taxonomy_term_id.",
                file=at.file,
                row=at.row,
                record=record,
            )
            return
        yield EdgeRecord(
            EdgeType.CLASSIFIED_AS,
            self.key(NodeType.SERVICE, target),
            self.key(NodeType.CONCEPT, term),
            at.table,
            record,
            primary=True,
            field="taxonomy_id",
            row=at.row,
            file=at.file,
        )

    def _service_at_location(
        self, obj: Any, at: _At, *, service_key: str | None = None
    ) -> Iterator[Record]:
        given_id = obj.get("id") if isinstance(obj, Mapping) else None
        if at.row is not None and not _given(given_id) and isinstance(obj, Mapping):
            # A table row is its own record: older tabular exports give these rows no id.
            self.ctx.read(at.table)
            local_id: str | None = f"row {at.row}"
        else:
            local_id = self._id(obj, at)
        if local_id is None:
            return
        service = obj.get("service")
        if isinstance(service, Mapping):
            yield from self.entity("service", service, file=at.file, embedded=True)
            if _given(service.get("id")):
                service_key = self.key(NodeType.SERVICE, service["id"])
        elif _given(obj.get("service_id")):
            service_key = self.key(NodeType.SERVICE, obj["service_id"])
        location = obj.get("location")
        location_key = None
        if isinstance(location, Mapping):
            yield from self.entity("location", location, file=at.file, embedded=True)
            if _given(location.get("id")):
                location_key = self.key(NodeType.LOCATION, location["id"])
        elif _given(obj.get("location_id")):
            location_key = self.key(NodeType.LOCATION, obj["location_id"])
        if service_key is None or location_key is None:
            self.ctx.reject(
                at.table,
                "missing-required",
                "service-at-location records lack a service or a location; rejected",
                "give both the service and the location.",
                file=at.file,
                row=at.row,
                record=local_id,
            )
            return
        props = {k: v for k, v in obj.items() if k not in _NOT_SAL_PROPS and v not in _EMPTY}
        if _given(given_id):
            props["service_at_location_id"] = str(given_id).strip()
        yield EdgeRecord(
            EdgeType.AT_LOCATION,
            service_key,
            location_key,
            at.table,
            local_id,
            props=props or None,
            primary=True,
            field="location" if isinstance(location, Mapping) else "location_id",
            row=at.row,
            file=at.file,
        )

    def _taxonomy(self, obj: Any, at: _At) -> Iterator[Record]:
        local_id = self._id(obj, at)
        if local_id is None:
            return
        # A taxonomy is not a node of its own: its name travels with its terms.
        self.ctx.use(at.table)
        for term in _objects(obj.get("taxonomy_terms")):
            named = {**term, "taxonomy": term.get("taxonomy") or obj.get("name")}
            yield from self._node(
                "taxonomy_term", named, _At("taxonomy_term", at.file), False, None
            )

    # -- checks -----------------------------------------------------------------

    def _id(self, obj: Any, at: _At) -> str | None:
        """The record's id, or ``None`` after rejecting a record without one."""
        self.ctx.read(at.table)
        if not isinstance(obj, Mapping):
            self.ctx.reject(
                at.table,
                "not-an-object",
                f"{at.table} entries are not JSON objects; rejected",
                "each entry must be an object with an id.",
                file=at.file,
                value=repr(obj)[:80],
            )
            return None
        local_id = obj.get("id")
        if local_id in (None, "") or isinstance(local_id, Mapping | list):
            self.ctx.reject(
                at.table,
                "missing-id",
                f"{at.table} records have no id; rejected",
                "give every record its id.",
                file=at.file,
                row=at.row,
                record=str(obj.get("name") or "")[:60] or None,
            )
            return None
        return str(local_id).strip()

    def _tidy(self, props: dict[str, Any], local_id: str, at: _At) -> None:
        """Trim stray spaces around a record's own text values, noting each."""
        for name, value in props.items():
            if isinstance(value, str) and value != value.strip():
                props[name] = value.strip()
                self.ctx.problem(
                    Severity.NOTE,
                    "padded-value",
                    "values have spaces around them; trimmed",
                    "",
                    table=at.table,
                    file=at.file,
                    field=name,
                    row=at.row,
                    record=local_id,
                    value=value,
                )

    def _require_name(self, obj: Mapping[str, Any], local_id: str, at: _At) -> None:
        if not obj.get("name"):
            self.ctx.problem(
                Severity.WARNING,
                "missing-required",
                f"{at.table} records have no name, which HSDS requires; kept without one",
                "add the name.",
                table=at.table,
                file=at.file,
                field="name",
                row=at.row,
                record=local_id,
            )


_NOT_SAL_PROPS = frozenset({"id", "service", "service_id", "location", "location_id"})
"""A service-at-location's fields that are its two ends, not properties of the edge."""
