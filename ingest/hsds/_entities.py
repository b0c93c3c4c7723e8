"""What each HSDS entity becomes in the graph: one table, ``ENTITIES``.

For each entity: its node type, the fields that hold nested detail or other
records (not plain properties), the fields that name other records (edges),
the nested records it holds, and how its nested detail becomes properties.
This is data the one mapper (``_mapper.Mapper``) reads; the walking of
records is the mapper's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...graph import Severity
from ...ontology import EdgeType, NodeType, normalise_org_id
from .._pipeline import ReadContext
from .._values import normalise_postcode
from ._common import flatten_address, location_identifiers, org_identifiers, typed_props
from ._funding import funding_mix

__all__ = [
    "ENTITIES",
    "ENTITY_OF",
    "Child",
    "Entity",
    "Place",
    "Reference",
    "report_unmatched_identifiers",
]

_EMPTY: tuple[object, ...] = (None, "", [], {})


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """The non-empty values of a record's nested detail (kept as the source gave them)."""
    return {k: v for k, v in values.items() if v not in _EMPTY}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if type(v) is dict] if type(value) is list else []


def _names(value: Any, field: str = "name") -> list[Any]:
    return [item.get(field) for item in _objects(value)]


def _languages(value: Any) -> Any:
    """3.0 language objects as their names; a column of text (Ohana's ``languages``) as is."""
    return value if isinstance(value, str) else _names(value)


def _given(value: Any) -> bool:
    return value not in (None, "")


@dataclass(frozen=True)
class Place:
    """Where a record is being mapped: for the notes its detail gives."""

    ctx: ReadContext
    table: str
    record: str
    file: str
    row: int | None = None
    detail_tables: Mapping[str, str] = field(default_factory=dict)
    """The table each nested field was read from, where it is not the record's own (an
    un-flattened package's ``organization_identifiers.csv``)."""

    def detail_table(self, name: str) -> str:
        return self.detail_tables.get(name, self.table)


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
    term_ids: str | None = None
    """A field listing the ids of taxonomy terms that classify it (``"T1, T2"``: Ohana)."""


# -- nested detail as properties ------------------------------------------------


def _organization_detail(obj: Mapping[str, Any], place: Place) -> dict[str, Any]:
    org_ids, raw_ids, unmatched = org_identifiers(_objects(obj.get("organization_identifiers")))
    table = place.detail_table("organization_identifiers")
    report_unmatched_identifiers(
        place.ctx, unmatched, table, place.record, place.file if table == place.table else table
    )
    # ORUK 1.0 and older UK exports give the registers' numbers as columns of their own.
    for number_field, scheme in (("charity_number", "GB-CHC"), ("company_number", "GB-COH")):
        if _given(obj.get(number_field)):
            org_id = normalise_org_id(scheme, obj[number_field])
            if org_id and org_id not in org_ids:
                org_ids.append(org_id)
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
            "languages": _languages(obj.get("languages")),
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
    if _given(postcode := obj.get("postal_code")) and "postcode" not in props:
        props["postcode"] = normalise_postcode(str(postcode))  # older exports: on the location
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
                "languages": _languages(obj.get("languages")),
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
            # 3.0 JSON nests the taxonomy (taxonomy_detail); its table names it by id.
            "taxonomy_id": obj.get("taxonomy_id")
            or (detail.get("id") if isinstance(detail, Mapping) else None),
            "facet": obj.get("taxonomy_facet"),
            "parent_name": obj.get("parent_name"),
        },
    )


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
            "location_id",
            "program_id",
            "taxonomy_ids",
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
            # Ohana exports put each service at one location, named on the service.
            Reference(EdgeType.AT_LOCATION, NodeType.LOCATION, "location_id"),
        ),
        children=(Child("service_at_locations", "service_at_location"),),
        funded=True,
        classified_by="attributes",
        term_ids="taxonomy_ids",
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
            "postal_code",
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
