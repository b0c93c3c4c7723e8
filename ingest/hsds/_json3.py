"""HSDS 3.0 and Open Referral UK 3.0 JSON: API responses, lists, single records, folders.

HSDS 3.0 nests: a service embeds its organisation, its service-at-locations
embed their locations, attributes embed taxonomy terms. Each nested record
becomes its own node (marked *embedded*, so that its many copies fold into
one without warnings) linked to its parent by the ontology's edge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ...graph import EdgeRecord, NodeRecord, Record, Severity, local_key
from ...ontology import EdgeType, NodeType
from .._pipeline import ReadContext
from ._common import flatten_address, location_identifiers, org_identifiers, typed_props
from ._funding import funding_mix, funding_records

__all__ = ["JsonMapper", "entity_kind", "kind_from_filename", "report_unmatched_identifiers"]

_KINDS = ("service", "organization", "location", "service_at_location", "taxonomy_term", "taxonomy")

_FILENAME_KINDS = {
    "service": "service",
    "services": "service",
    "organization": "organization",
    "organizations": "organization",
    "organisation": "organization",
    "organisations": "organization",
    "location": "location",
    "locations": "location",
    "service_at_location": "service_at_location",
    "service_at_locations": "service_at_location",
    "services_at_location": "service_at_location",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_terms": "taxonomy_term",
    "taxonomy": "taxonomy",
    "taxonomies": "taxonomy",
}


def kind_from_filename(stem: str) -> str | None:
    """The HSDS entity a file's name says it holds (``service_list`` → ``service``).

    Examples
    --------
    >>> kind_from_filename("service_at_location_full"), kind_from_filename("notes")
    ('service_at_location', None)
    """
    name = re.sub(r"[-_.]?\d+$", "", stem.lower())  # services-0001: one page of many
    for suffix in ("_full", "_list", "_response", "_page"):
        name = name.removesuffix(suffix)
    return _FILENAME_KINDS.get(name)


def entity_kind(obj: Mapping[str, Any]) -> str | None:
    """The HSDS entity an object is, judged from its fields; ``None`` if it is not one."""
    keys = obj.keys()
    if "service" in keys and "location" in keys:
        return "service_at_location"
    if keys & {
        "service_at_locations",
        "eligibility_description",
        "status",
        "organization",
        "fees_description",
        "application_process",
    }:
        return "service"
    if keys & {
        "organization_identifiers",
        "website",
        "services",
        "year_incorporated",
        "legal_status",
    }:
        return "organization"
    if keys & {"latitude", "longitude", "addresses", "location_type", "transportation"}:
        return "location"
    if keys & {"code", "term_uri", "taxonomy_detail", "taxonomy_id"} or (
        "parent_id" in keys and "name" in keys
    ):
        return "taxonomy_term"
    if "taxonomy_terms" in keys or ({"name", "version"} <= keys and "id" in keys):
        return "taxonomy"
    if "id" in keys and "name" in keys and "description" in keys:
        return "organization" if "email" in keys else None
    return None


_EMPTY: tuple[object, ...] = (None, "", [], {})


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """The non-empty values of a record's nested detail (kept as the source gave them)."""
    return {k: v for k, v in values.items() if v not in _EMPTY}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if type(v) is dict] if type(value) is list else []


class JsonMapper:
    """Maps HSDS 3.0 JSON objects to records for one source."""

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.source = ctx.source
        # Embedded copies repeat (every service embeds its organisation): an identical
        # copy yields the records the first one made, without mapping it again.
        self._copies: dict[tuple[str, str], tuple[dict[str, Any], list[Record]]] = {}

    def key(self, node_type: NodeType, local_id: Any) -> str:
        return local_key(self.source, node_type, str(local_id).strip())

    def entity(self, kind: str, obj: Any, *, file: str, embedded: bool = False) -> Iterator[Record]:
        """Records for one HSDS entity object of the given kind."""
        if embedded and type(obj) is dict and kind in ("organization", "location", "taxonomy_term"):
            yield from self._embedded(kind, obj, file)
        elif kind == "service":
            yield from self.service(obj, file=file, embedded=embedded)
        elif kind == "organization":
            yield from self.organization(obj, file=file, embedded=embedded)
        elif kind == "location":
            yield from self.location(obj, file=file, embedded=embedded)
        elif kind == "service_at_location":
            yield from self.service_at_location(obj, file=file)
        elif kind == "taxonomy_term":
            yield from self.taxonomy_term(obj, file=file, embedded=embedded)
        elif kind == "taxonomy":
            yield from self.taxonomy(obj, file=file)
        else:  # pragma: no cover - callers only pass known kinds
            raise ValueError(kind)

    def _embedded(self, kind: str, obj: dict[str, Any], file: str) -> Iterator[Record]:
        copy_key = (kind, str(obj.get("id")))
        cached = self._copies.get(copy_key)
        if cached is not None and (cached[0] is obj or cached[0] == obj):
            self.ctx.read(kind)
            yield from cached[1]
            return
        reads_before = self.ctx.reads
        records = list(getattr(self, kind)(obj, file=file, embedded=True))
        if self.ctx.reads == reads_before + 1:  # nothing nested inside: safe to replay
            self._copies[copy_key] = (obj, records)
        yield from records

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

    # -- organisations --------------------------------------------------------

    def organization(self, obj: Any, *, file: str, embedded: bool = False) -> Iterator[Record]:
        local_id = self._id("organization", obj, file=file)
        if local_id is None:
            return
        key = self.key(NodeType.ORGANIZATION, local_id)
        self._require_name("organization", obj, local_id, file)
        org_ids, raw_ids, unmatched = org_identifiers(_objects(obj.get("organization_identifiers")))
        report_unmatched_identifiers(self.ctx, unmatched, "organization", local_id, file)
        props = typed_props(
            NodeType.ORGANIZATION,
            obj,
            skip=(
                "id",
                "organization_identifiers",
                "services",
                "locations",
                "funding",
                "programs",
                "contacts",
                "phones",
                "attributes",
                "metadata",
            ),
        )
        self._tidy(props, "organization", local_id, file)
        props.update(
            _compact(
                {
                    "org_ids": org_ids,
                    "identifiers": raw_ids,
                    "funding": (funding := [f.get("source") for f in _objects(obj.get("funding"))]),
                    "funding_mix": funding_mix(funding),
                    "programs": [p.get("name") for p in _objects(obj.get("programs"))],
                    "contacts": obj.get("contacts"),
                    "phones": obj.get("phones"),
                    "attributes": obj.get("attributes"),
                }
            )
        )
        yield NodeRecord(
            NodeType.ORGANIZATION,
            key,
            props,
            "organization",
            local_id,
            identifiers=tuple(org_ids),
            embedded=embedded,
            file=file,
        )
        yield from funding_records(
            props.get("funding", []),
            target_key=key,
            table="organization",
            record_id=local_id,
            file=file,
            ctx=self.ctx,
        )
        parent = obj.get("parent_organization_id")
        if parent not in (None, "") and str(parent).strip() != local_id:
            yield EdgeRecord(
                EdgeType.PART_OF,
                key,
                self.key(NodeType.ORGANIZATION, parent),
                "organization",
                local_id,
                field="parent_organization_id",
                file=file,
            )
        for service in _objects(obj.get("services")):
            yield from self.service(service, file=file, organization_key=key)
        for location in _objects(obj.get("locations")):
            yield from self.location(location, file=file, embedded=True, organization_key=key)

    # -- services --------------------------------------------------------------

    def service(
        self,
        obj: Any,
        *,
        file: str,
        embedded: bool = False,
        organization_key: str | None = None,
    ) -> Iterator[Record]:
        local_id = self._id("service", obj, file=file)
        if local_id is None:
            return
        key = self.key(NodeType.SERVICE, local_id)
        self._require_name("service", obj, local_id, file)
        attributes = _objects(obj.get("attributes"))
        props = typed_props(
            NodeType.SERVICE,
            obj,
            skip=(
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
                "metadata",
                "capacities",
            ),
        )
        self._tidy(props, "service", local_id, file)
        program = obj.get("program")
        props.update(
            _compact(
                {
                    "program": program.get("name") if isinstance(program, Mapping) else program,
                    "phones": obj.get("phones"),
                    "schedules": obj.get("schedules"),
                    "contacts": obj.get("contacts"),
                    "languages": [lang.get("name") for lang in _objects(obj.get("languages"))],
                    "funding": (funding := [f.get("source") for f in _objects(obj.get("funding"))]),
                    "funding_mix": funding_mix(funding),
                    "cost_options": obj.get("cost_options"),
                    "required_documents": [
                        d.get("document") for d in _objects(obj.get("required_documents"))
                    ],
                    "service_areas": obj.get("service_areas"),
                    "attributes": [
                        a for a in attributes if not isinstance(a.get("taxonomy_term"), Mapping)
                    ],
                }
            )
        )
        yield NodeRecord(
            NodeType.SERVICE, key, props, "service", local_id, embedded=embedded, file=file
        )
        yield from funding_records(
            props.get("funding", []),
            target_key=key,
            table="service",
            record_id=local_id,
            file=file,
            ctx=self.ctx,
        )

        organization = obj.get("organization")
        provider = organization_key
        if isinstance(organization, Mapping):
            yield from self.entity("organization", organization, file=file, embedded=True)
            if organization.get("id") not in (None, ""):
                provider = self.key(NodeType.ORGANIZATION, organization["id"])
        elif obj.get("organization_id") not in (None, ""):
            provider = self.key(NodeType.ORGANIZATION, obj["organization_id"])
        if provider is not None:
            yield EdgeRecord(
                EdgeType.PROVIDES,
                provider,
                key,
                "service",
                local_id,
                field="organization",
                file=file,
            )
        else:
            self.ctx.problem(
                Severity.WARNING,
                "missing-required",
                "services name no organisation, which HSDS requires; kept without a provider",
                "add the providing organisation.",
                table="service",
                file=file,
                field="organization",
                record=local_id,
            )
        for service_at_location in _objects(obj.get("service_at_locations")):
            yield from self.service_at_location(service_at_location, file=file, service_key=key)
        for attribute in attributes:
            yield from self._attribute(attribute, key, local_id, file)

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

    # -- locations -------------------------------------------------------------

    def location(
        self,
        obj: Any,
        *,
        file: str,
        embedded: bool = False,
        organization_key: str | None = None,
    ) -> Iterator[Record]:
        local_id = self._id("location", obj, file=file)
        if local_id is None:
            return
        key = self.key(NodeType.LOCATION, local_id)
        addresses = _objects(obj.get("addresses"))
        props = typed_props(
            NodeType.LOCATION,
            obj,
            skip=(
                "id",
                "addresses",
                "languages",
                "accessibility",
                "phones",
                "schedules",
                "contacts",
                "attributes",
                "metadata",
                "external_identifier",
                "external_identifier_type",
                "organization_id",
            ),
        )
        self._tidy(props, "location", local_id, file)
        if addresses:
            physical = [a for a in addresses if a.get("address_type") in (None, "", "physical")]
            props.update(flatten_address((physical or addresses)[0]))
        identifier = obj.get("external_identifier")
        if identifier not in (None, ""):
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
                    "languages": [lang.get("name") for lang in _objects(obj.get("languages"))],
                    "accessibility": obj.get("accessibility"),
                    "phones": obj.get("phones"),
                    "schedules": obj.get("schedules"),
                    "contacts": obj.get("contacts"),
                }
            )
        )
        yield NodeRecord(
            NodeType.LOCATION,
            key,
            props,
            "location",
            local_id,
            identifiers=tuple(location_identifiers(props)),
            embedded=embedded,
            file=file,
        )
        operator = organization_key
        if obj.get("organization_id") not in (None, ""):
            operator = self.key(NodeType.ORGANIZATION, obj["organization_id"])
        if operator is not None:
            yield EdgeRecord(
                EdgeType.OPERATES,
                operator,
                key,
                "location",
                local_id,
                field="organization_id",
                file=file,
            )

    def service_at_location(
        self, obj: Any, *, file: str, service_key: str | None = None
    ) -> Iterator[Record]:
        local_id = self._id("service_at_location", obj, file=file)
        if local_id is None:
            return
        service = obj.get("service")
        if isinstance(service, Mapping):
            yield from self.service(service, file=file, embedded=True)
            if service.get("id") not in (None, ""):
                service_key = self.key(NodeType.SERVICE, service["id"])
        elif obj.get("service_id") not in (None, ""):
            service_key = self.key(NodeType.SERVICE, obj["service_id"])
        location = obj.get("location")
        location_key = None
        if isinstance(location, Mapping):
            yield from self.entity("location", location, file=file, embedded=True)
            if location.get("id") not in (None, ""):
                location_key = self.key(NodeType.LOCATION, location["id"])
        elif obj.get("location_id") not in (None, ""):
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

    # -- taxonomy --------------------------------------------------------------

    def taxonomy_term(
        self, obj: Any, *, file: str, embedded: bool = False, taxonomy_name: str | None = None
    ) -> Iterator[Record]:
        local_id = self._id("taxonomy_term", obj, file=file)
        if local_id is None:
            return
        key = self.key(NodeType.CONCEPT, local_id)
        detail = obj.get("taxonomy_detail")
        taxonomy = obj.get("taxonomy") or taxonomy_name
        if isinstance(detail, Mapping) and detail.get("name"):
            taxonomy = detail["name"]
        props = typed_props(
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
        self._tidy(props, "taxonomy_term", local_id, file)
        yield NodeRecord(
            NodeType.CONCEPT, key, props, "taxonomy_term", local_id, embedded=embedded, file=file
        )
        parent = obj.get("parent_id")
        if parent not in (None, "") and str(parent).strip() != local_id:
            yield EdgeRecord(
                EdgeType.PART_OF,
                key,
                self.key(NodeType.CONCEPT, parent),
                "taxonomy_term",
                local_id,
                field="parent_id",
                file=file,
            )

    def taxonomy(self, obj: Any, *, file: str) -> Iterator[Record]:
        local_id = self._id("taxonomy", obj, file=file)
        if local_id is None:
            return
        # A taxonomy is not a node of its own: its name travels with its terms.
        self.ctx.use("taxonomy")
        for term in _objects(obj.get("taxonomy_terms")):
            yield from self.taxonomy_term(term, file=file, taxonomy_name=obj.get("name"))


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
