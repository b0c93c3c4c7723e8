"""Tabular HSDS: reading the CSV data packages of HSDS 1.0, 1.1/2.0, 3.0 and ORUK 1.0.

Which table is which, and which variant a package is, is ``_tables``'s.
Detail tables (phones, addresses, schedules, identifiers...) become
properties of the organisation, service or location they name: they are read
first and grouped, so that each node is written once with all its detail.
A detail row whose parent is missing is rejected and reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...graph import Record, Severity
from ...ontology import NodeType
from .._pipeline import ReadContext
from ._common import phone_text
from ._mapper import Mapper
from ._tables import Row, Table, checked_headers
from ._unflatten import Unflattener, typed_detail

__all__ = ["TabularReader"]


@dataclass
class _DetailRow:
    """A detail row, remembered so that it can be counted once its parents are known."""

    label: str
    row: int | None
    record: str | None
    parents: list[tuple[str, str]]
    nested: bool = False
    """Kept inside another detail (a contact's phone), whatever its own parents."""
    fields: tuple[str, ...] = ()
    """The columns that name its parents (for the message when all are empty)."""


@dataclass
class _Details:
    """Detail values grouped by the node they belong to, with the rows behind them."""

    by_parent: dict[tuple[str, str], dict[str, list[Any]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    rows: list[_DetailRow] = field(default_factory=list)


def _first(row: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def _strip_ids(row: Mapping[str, Any], *drop: str) -> Row:
    return {k: v for k, v in row.items() if v not in (None, "") and k not in drop}


_PARENT_FIELDS = {
    "organization_id": NodeType.ORGANIZATION,
    "service_id": NodeType.SERVICE,
    "location_id": NodeType.LOCATION,
}

_SAL = "service_at_location"

_LINK_KINDS = {
    "service": NodeType.SERVICE,
    "organization": NodeType.ORGANIZATION,
    "organisation": NodeType.ORGANIZATION,
    "location": NodeType.LOCATION,
}


class TabularReader:
    """Reads the tables of one HSDS tabular package: checks their headers, groups detail
    rows under the records they name and counts every row; the records, un-flattened
    (``_unflatten``), are mapped by the one mapper (``_mapper.Mapper``)."""

    def __init__(self, ctx: ReadContext, tables: Mapping[str, Table]) -> None:
        self.ctx = ctx
        self.tables = tables
        self.details = _Details()
        self.known: dict[str, set[str]] = defaultdict(set)
        """The ids of the records present, by node type (or ``_SAL``)."""
        self.taxonomy_names: dict[str, str] = {}
        self.program_names: dict[str, str] = {}
        self.location_operator: dict[str, str] = {}
        self.contacts: dict[str, Row] = {}
        self.phones: dict[str, Row] = {}
        self.classification_links: list[tuple[Table, int | None, Row]] = []
        self.other_links: dict[tuple[NodeType, str], list[str]] = defaultdict(list)

    def _detail_tables(self) -> dict[str, str]:
        """The table each nested field of the un-flattened records was read from."""
        tables = {
            "funding": "funding",
            "organization_identifiers": "organization_identifiers",
            "identifiers": "organization_identifiers",
        }
        return {
            field: self.tables[name].label for name, field in tables.items() if name in self.tables
        }

    # -- orchestration ---------------------------------------------------------

    def records(self) -> Iterator[Record]:
        """Every record of the package, in an order that lets details find their nodes."""
        self.tables = checked_headers(self.tables, self.ctx)
        for name, table in self.tables.items():
            if name in ("meta_table_descriptions",):
                self._skip(table, "describes the tables themselves; nothing to map")
        self._read_taxonomies()
        self._read_programs()
        self._read_location_operators()
        self._read_contacts()
        self._read_details()
        self._read_links()
        mapper = Mapper(self.ctx, detail_tables=self._detail_tables())
        for kind, table, row_number, record in self._entities():
            yield from mapper.entity(
                kind, record, file=table.label, table=table.label, row=row_number
            )
        yield from mapper.finish()
        self._settle_details()

    def _skip(self, table: Table, why: str) -> None:
        count = 0
        for _ in table.rows():
            count += 1
        self.ctx.read(table.label, count)
        for _ in range(count):
            self.ctx.use(table.label)
        self.ctx.problem(
            Severity.NOTE,
            "table-not-mapped",
            f"the table {why}",
            "",
            table=table.label,
            value=f"{count} rows",
        )

    def _rows(self, name: str) -> Iterator[tuple[Table, int | None, Row]]:
        table = self.tables.get(name)
        if table is None:
            return
        for row_number, row in table.rows():
            self.ctx.read(table.label)
            yield table, row_number, row

    # -- lookups read before the nodes -----------------------------------------

    def _read_taxonomies(self) -> None:
        for name in ("taxonomies", "taxonomy"):
            table = self.tables.get(name)
            if table is None or (name == "taxonomy" and self._taxonomy_holds_terms(table)):
                continue
            for table_, _row_number, row in self._rows(name):
                if row.get("id") and row.get("name"):
                    self.taxonomy_names[str(row["id"])] = str(row["name"])
                self.ctx.use(table_.label)

    @staticmethod
    def _taxonomy_holds_terms(table: Table) -> bool:
        # HSDS 1.0's taxonomy.csv holds terms; HSDS 2.1's taxonomy.csv describes taxonomies.
        return bool({"parent_id", "vocabulary", "parent_name"} & set(table.header)) or (
            "uri" not in {h.lower() for h in table.header}
        )

    def _read_programs(self) -> None:
        for table, row_number, row in self._rows("programs"):
            if row.get("id") and row.get("name"):
                self.program_names[str(row["id"])] = str(row["name"])
            self._detail(table, row_number, row, "programs", row.get("name"), {"organization_id"})

    def _read_location_operators(self) -> None:
        """Which organisation runs each location: Ohana services reach their provider so."""
        table = self.tables.get("locations")
        if table is None or "location_id" not in (
            self.tables["services"].header if "services" in self.tables else ()
        ):
            return
        for _row_number, row in table.rows():
            if row.get("id") and row.get("organization_id"):
                self.location_operator[str(row["id"])] = str(row["organization_id"])

    def _read_contacts(self) -> None:
        for table, row_number, row in self._rows("contacts"):
            value = _strip_ids(
                row,
                "organization_id",
                "service_id",
                "service_at_location_id",
                "location_id",
                "phone_number",
                "phone_areacode",
                "phone_extension",
            )
            # HSDS 1.0 splits a contact's phone over three columns.
            phone = phone_text(
                row.get("phone_number"), row.get("phone_areacode"), row.get("phone_extension")
            )
            if phone:
                value["phone"] = phone
            self._detail(table, row_number, row, "contacts", value, set(_PARENT_FIELDS) | {_SAL})
            if row.get("id"):
                self.contacts[str(row["id"])] = value

    def _read_details(self) -> None:
        for table, row_number, row in self._rows("phones"):
            value = _strip_ids(
                row,
                "organization_id",
                "service_id",
                "location_id",
                "contact_id",
                "service_at_location_id",
            )
            contact = self.contacts.get(str(row.get("contact_id") or ""))
            if contact is not None:
                contact.setdefault("phones", []).append(value)
            if row.get("id"):
                self.phones[str(row["id"])] = value
            self._detail(
                table,
                row_number,
                row,
                "phones",
                value,
                set(_PARENT_FIELDS) | {_SAL},
                nested=contact is not None,
            )
        for name in ("physical_addresses", "postal_addresses", "addresses"):
            address_type = {"physical_addresses": "physical", "postal_addresses": "postal"}.get(
                name
            )
            for table, row_number, row in self._rows(name):
                value = _strip_ids(row, "location_id")
                if address_type and "address_type" not in value:
                    value["address_type"] = address_type
                self._detail(table, row_number, row, "addresses", value, {"location_id"})
        simple: list[tuple[str, str, Callable[[Row], Any], set[str]]] = [
            (
                "regular_schedules",
                "schedules",
                lambda r: _strip_ids(r, *_PARENT_FIELDS, _SAL + "_id"),
                set(_PARENT_FIELDS) | {_SAL},
            ),
            (
                "schedules",
                "schedules",
                lambda r: _strip_ids(r, *_PARENT_FIELDS, _SAL + "_id"),
                set(_PARENT_FIELDS) | {_SAL},
            ),
            (
                "holiday_schedules",
                "holiday_schedules",
                lambda r: _strip_ids(r, *_PARENT_FIELDS, _SAL + "_id"),
                set(_PARENT_FIELDS) | {_SAL},
            ),
            ("eligibility", "eligibility", _eligibility_value, {"service_id"}),
            (
                "service_areas",
                "service_areas",
                lambda r: _strip_ids(r, "service_id"),
                {"service_id"},
            ),
            (
                "required_documents",
                "required_documents",
                lambda r: r.get("document"),
                {"service_id"},
            ),
            ("payments_accepted", "payments_accepted", lambda r: r.get("payment"), {"service_id"}),
            (
                "accessibility",
                "accessibility",
                lambda r: _strip_ids(r, "location_id"),
                {"location_id"},
            ),
            (
                "cost_options",
                "cost_options",
                lambda r: _strip_ids(r, "service_id"),
                {"service_id"},
            ),
            ("reviews", "reviews", lambda r: _strip_ids(r, "service_id"), {"service_id"}),
            (
                "reference_information",
                "reference_information",
                lambda r: _strip_ids(r, "service_id", "organization_id"),
                {"service_id", "organization_id"},
            ),
        ]
        for table, row_number, row in self._rows("languages"):
            # A phone's languages are kept inside the phone, as 3.0 JSON nests them.
            phone = self.phones.get(str(row.get("phone_id") or ""))
            if phone is not None:
                language = _strip_ids(row, "service_id", "location_id", "phone_id")
                phone.setdefault("languages", []).append(language)
            self._detail(
                table,
                row_number,
                row,
                "languages",
                _first(row, "language", "name"),
                {"service_id", "location_id"},
                nested=phone is not None,
            )
        for table, row_number, row in self._rows("funding"):
            # A row naming both is the service's funding, kept on both records; naming
            # the service, the organisation's copy makes no second funder edge.
            self._detail(
                table,
                row_number,
                row,
                "funding",
                _strip_ids(row, "organization_id"),
                {"service_id", "organization_id"},
            )
        for name, prop, value_of, parent_fields in simple:
            for table, row_number, row in self._rows(name):
                self._detail(table, row_number, row, prop, value_of(row), parent_fields)
        for name in ("organization_identifiers", "identifiers"):
            for table, row_number, row in self._rows(name):
                self._detail(table, row_number, row, "identifiers", dict(row), {"organization_id"})
        for table, row_number, row in self._rows("metadata"):
            resource_type = str(row.get("resource_type") or "").lower().rstrip("s")
            node_type = {
                "organization": NodeType.ORGANIZATION,
                "service": NodeType.SERVICE,
                "location": NodeType.LOCATION,
            }.get(resource_type)
            value = _strip_ids(row, "resource_id")
            types = list(_PARENT_FIELDS.values()) if node_type is None else [node_type]
            parents: list[tuple[str, str]] = [(t, str(row.get("resource_id"))) for t in types]
            self._add_detail_row(table, row_number, row, "metadata", value, parents)

    def _detail(
        self,
        table: Table,
        row_number: int | None,
        row: Row,
        prop: str,
        value: Any,
        parent_fields: set[str],
        *,
        nested: bool = False,
    ) -> None:
        parents: list[tuple[str, str]] = []
        for name in parent_fields:
            ref = row.get(f"{name}_id" if name == _SAL else name)
            if ref in (None, ""):
                continue
            if name == _SAL:
                parents.append((_SAL, str(ref)))  # kept on the service-at-location's edge
            else:
                parents.append((_PARENT_FIELDS[name], str(ref)))
        self._add_detail_row(
            table,
            row_number,
            row,
            prop,
            value,
            list(dict.fromkeys(parents)),
            nested=nested,
            fields=tuple(sorted(f"{n}_id" if n == _SAL else n for n in parent_fields)),
        )

    def _add_detail_row(
        self,
        table: Table,
        row_number: int | None,
        row: Row,
        prop: str,
        value: Any,
        parents: list[tuple[str, str]],
        *,
        nested: bool = False,
        fields: tuple[str, ...] = (),
    ) -> None:
        """Group a detail value under each node it names; the row is counted later."""
        if isinstance(value, dict):
            typed_detail(prop, value)  # in place: a phone is shared with its contact
        if value not in (None, "", {}, []):
            for parent in parents:
                self.details.by_parent[parent][prop].append(value)
        record = str(row.get("id") or "") or None
        self.details.rows.append(
            _DetailRow(table.label, row_number, record, parents, nested, fields)
        )

    def _read_links(self) -> None:
        """Taxonomy links from every version's table: those naming services are mapped as
        attributes; the others are kept on the record they name."""
        link_tables = (
            ("services_taxonomy", "service", "service_id", "taxonomy_id"),
            ("service_attributes", "service", "service_id", "taxonomy_term_id"),
            ("attributes", None, "link_id", "taxonomy_term_id"),
            ("link_taxonomy", None, "link_id", "taxonomy_id"),
        )
        for name, entity, id_field, term_field in link_tables:
            table = self.tables.get(name)
            if table is None:
                continue
            for row_number, row in table.rows():
                target = row.get(id_field)
                term = row.get(term_field)
                kind = entity or str(row.get("link_entity") or row.get("link_type") or "")
                node_type = _LINK_KINDS.get(kind.strip().lower().rstrip("s"), NodeType.SERVICE)
                if node_type is NodeType.SERVICE or target in (None, "") or term in (None, ""):
                    attribute = Unflattener.attribute(row, id_field, term_field)
                    self.classification_links.append((table, row_number, attribute))
                    continue
                self.ctx.read(table.label)
                self.other_links[(node_type, str(target))].append(str(term))
                self._add_detail_row(
                    table, row_number, row, "taxonomy_terms", None, [(node_type, str(target))]
                )

    # -- records, un-flattened and mapped -----------------------------------------

    def _entities(self) -> Iterator[tuple[str, Table, int | None, Row]]:
        """Each entity row as a 3.0-shaped record, with the kind and table it is of."""
        unflatten = Unflattener(
            program_names=self.program_names,
            taxonomy_names=self.taxonomy_names,
            location_operator=self.location_operator,
        )
        for name in ("taxonomy", "taxonomy_terms"):
            table = self.tables.get(name)
            if table is None or (name == "taxonomy" and not self._taxonomy_holds_terms(table)):
                continue
            for row_number, row in table.rows():
                self._know(NodeType.CONCEPT, row)
                record = unflatten.taxonomy_term(row, codes_are_ids=name == "taxonomy")
                yield "taxonomy_term", table, row_number, record
        builders = (
            ("organizations", "organization", NodeType.ORGANIZATION, unflatten.organization),
            ("services", "service", NodeType.SERVICE, unflatten.service),
            ("locations", "location", NodeType.LOCATION, unflatten.location),
        )
        for name, kind, node_type, build in builders:
            table = self.tables.get(name)
            if table is None:
                continue
            for row_number, row in table.rows():
                local_id = self._know(node_type, row)
                details = self.details.by_parent.get((node_type, local_id or ""), {})
                terms = self.other_links.get((node_type, local_id or ""), [])
                yield kind, table, row_number, build(row, details, terms)
        table = self.tables.get("service_at_location")
        if table is not None:
            for row_number, row in table.rows():
                local_id = self._know(_SAL, row)
                details = self.details.by_parent.get((_SAL, local_id or ""), {})
                yield (
                    "service_at_location",
                    table,
                    row_number,
                    unflatten.service_at_location(row, details),
                )
        for table, row_number, record in self.classification_links:
            yield "attribute", table, row_number, record

    def _know(self, node_type: str, row: Row) -> str | None:
        """Note a row's record as present (for its detail rows); its id, if it has one."""
        local_id = row.get("id")
        if local_id in (None, ""):
            return None
        self.known[node_type].add(str(local_id))
        return str(local_id)

    # -- accounting -------------------------------------------------------------

    def _settle_details(self) -> None:
        """Count each detail row as loaded (a node it names exists) or rejected (none does)."""
        for detail in self.details.rows:
            if detail.nested or any(i in self.known[t] for t, i in detail.parents):
                self.ctx.use(detail.label)
            elif not detail.parents:
                columns = " and ".join(detail.fields) or "their parent id"
                self.ctx.reject(
                    detail.label,
                    "missing-reference",
                    f"rows leave {columns} empty, so they belong to no record; rejected",
                    f"fill in {columns} for each row.",
                    row=detail.row,
                    record=detail.record,
                )
            else:
                kinds = "/".join(sorted({t.lower() for t, _ in detail.parents}))
                self.ctx.reject(
                    detail.label,
                    "dangling-reference",
                    f"rows name a {kinds} that is not in the data; rejected",
                    f"add the {kinds} or correct the reference.",
                    row=detail.row,
                    record=detail.record,
                    value=", ".join(dict.fromkeys(i for _, i in detail.parents)),
                )


def _eligibility_value(row: Row) -> Any:
    value = _strip_ids(row, "service_id")
    if set(value) - {"id"} == {"eligibility"}:
        return value["eligibility"]  # HSDS 1.x: a sentence, no structure
    return value or None
