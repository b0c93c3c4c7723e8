"""The tables of a tabular HSDS package: their names, required columns and variant.

The versions name their tables differently (``services_taxonomy`` in 1.0,
``service_attributes`` in 1.1, ``attributes`` in 3.0, ``link_taxonomy`` in
ORUK 1.0) and their columns too (Ohana's ``taxonomy.csv`` says ``taxonomy_id``).
Tables are recognised by name and columns, never by the version a package
declares; ``detect_variant`` names what it saw, and ``checked_headers``
drops (and reports) each table that lacks a column it cannot be read without.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import InputError
from ...graph import Severity
from .._pipeline import ReadContext

__all__ = [
    "COLUMN_ALIASES",
    "OHANA",
    "REQUIRED_COLUMNS",
    "TABLE_ALIASES",
    "Row",
    "RowIter",
    "Table",
    "canonical_table",
    "checked_headers",
    "detect_variant",
    "renamed_columns",
    "rows_from_dicts",
]

Row = dict[str, Any]
RowIter = Iterator[tuple[int | None, Row]]

TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "organizations": ("organizations", "organization", "organisations", "organisation"),
    "services": ("services", "service"),
    "locations": ("locations", "location"),
    "service_at_location": (
        "services_at_location",
        "service_at_location",
        "service_at_locations",
        "services_at_locations",
    ),
    "phones": ("phones", "phone"),
    "contacts": ("contacts", "contact"),
    "physical_addresses": ("physical_addresses", "physical_address"),
    "postal_addresses": ("postal_addresses", "postal_address", "mail_addresses", "mail_address"),
    "addresses": ("addresses", "address"),
    "regular_schedules": ("regular_schedules", "regular_schedule"),
    "holiday_schedules": ("holiday_schedules", "holiday_schedule"),
    "schedules": ("schedules", "schedule"),
    "funding": ("funding", "fundings"),
    "eligibility": ("eligibility", "eligibilities"),
    "service_areas": ("service_areas", "service_area"),
    "required_documents": ("required_documents", "required_document"),
    "payments_accepted": ("payments_accepted", "payment_accepted"),
    "languages": ("languages", "language"),
    "accessibility": ("accessibility_for_disabilities", "accessibility"),
    "taxonomy": ("taxonomy",),
    "taxonomy_terms": ("taxonomy_terms", "taxonomy_term"),
    "taxonomies": ("taxonomies",),
    "services_taxonomy": (
        "services_taxonomy",
        "service_taxonomy",
        "service_taxonomys",
        "services_taxonomys",
    ),
    "service_attributes": ("service_attributes", "service_attribute"),
    "attributes": ("attributes", "attribute", "other_attributes", "other_attribute"),
    "link_taxonomy": ("link_taxonomy", "link_taxonomys", "link_taxonomies"),
    "organization_identifiers": ("organization_identifiers", "organization_identifier"),
    "identifiers": ("identifiers", "identifier"),
    "programs": ("programs", "program"),
    "cost_options": ("cost_options", "cost_option"),
    "reviews": ("reviews", "review"),
    "metadata": ("metadata",),
    "meta_table_descriptions": ("meta_table_descriptions", "meta_table_description"),
    "reference_information": ("reference_information",),
}

_BY_ALIAS = {alias: name for name, aliases in TABLE_ALIASES.items() for alias in aliases}

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name"),
    "services": ("id", "name"),
    "locations": ("id",),
    "service_at_location": ("service_id", "location_id"),
    "taxonomy": ("id", "name"),
    "taxonomy_terms": ("id",),
    "services_taxonomy": ("service_id", "taxonomy_id"),
    "service_attributes": ("service_id", "taxonomy_term_id"),
    "link_taxonomy": ("link_id", "taxonomy_id"),
}
"""Columns without which a table cannot be read at all."""

COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "taxonomy": {"taxonomy_id": "id"},
}
"""Columns some exports name otherwise (Ohana's ``taxonomy.csv`` has ``taxonomy_id`` for ``id``),
per table: read under the HSDS name when the HSDS column itself is absent."""

OHANA = "Ohana-style CSV (HSDS 1.0 precursor)"


def canonical_table(name: str) -> str | None:
    """The canonical name of an HSDS table from a file stem or resource name.

    Examples
    --------
    >>> canonical_table("services_taxonomy"), canonical_table("physical_address")
    ('services_taxonomy', 'physical_addresses')
    >>> canonical_table("notes") is None
    True
    """
    return _BY_ALIAS.get(name.strip().lower())


@dataclass
class Table:
    """One table of a package: its canonical name, what to call it in reports, its rows."""

    name: str
    label: str
    header: list[str]
    rows: Callable[[], RowIter]


def detect_variant(tables: Mapping[str, Table], declared: str | None) -> str:
    """Which HSDS flavour a package is, from its tables and columns, naming what decided it.

    HSDS 1.1 and 2.0.1 publish the same tables and columns (their ``datapackage.json`` is
    the same file), so no package can be told to be one and not the other: both are
    "HSDS 1.1/2.0 tabular".
    """
    names = set(tables)
    columns = {name: set(table.header) for name, table in tables.items()}

    def seen(*found: str | None) -> list[str]:
        return [f for f in found if f]

    def table(name: str) -> str | None:
        return f"{name} table" if name in names else None

    def column(name: str, col: str) -> str | None:
        return f"{name}.{col}" if col in columns.get(name, set()) else None

    evidence: list[str]
    if column("services", "location_id") and "service_at_location" not in names:
        # Ohana API exports put each service at one location and reach the organisation
        # through it; HSDS 1.0 replaced that with services_at_location.
        variant, evidence = OHANA, ["services.location_id", "no service_at_location table"]
    elif evidence := seen(
        table("link_taxonomy"), table("identifiers"), column("physical_addresses", "uprn")
    ):
        variant = "Open Referral UK 1.0 tabular"
    elif evidence := seen(
        column("attributes", "link_entity"), column("taxonomy_terms", "code"), table("addresses")
    ):
        variant = "HSDS 3.0 tabular"
    elif evidence := seen(
        table("service_attributes"),
        table("taxonomy_terms"),
        table("metadata"),
        table("meta_table_descriptions"),
    ):
        variant = "HSDS 1.1/2.0 tabular"
    elif evidence := seen(
        table("services_taxonomy"),
        table("regular_schedules"),
        column("taxonomy", "vocabulary"),
        column("taxonomy", "parent_name"),
    ):
        variant = "HSDS 1.0 tabular"
    else:
        variant, evidence = "HSDS tabular", ["no table or column of one version"]
    said = ", ".join(evidence)
    return f"{variant} ({said}; declares {declared})" if declared else f"{variant} ({said})"


def renamed_columns(table: Table, ctx: ReadContext) -> Table:
    """The table with its columns read under their HSDS names (see ``COLUMN_ALIASES``)."""
    renames = {
        old: new
        for old, new in COLUMN_ALIASES.get(table.name, {}).items()
        if old in table.header and new not in table.header
    }
    if not renames:
        return table
    ctx.problem(
        Severity.NOTE,
        "column-renamed",
        "the table names a column differently from HSDS; read under the HSDS name",
        "rename the column in the export.",
        table=table.label,
        field=", ".join(renames),
        value=", ".join(f"{old} -> {new}" for old, new in renames.items()),
    )
    source_rows = table.rows

    def rows() -> RowIter:
        for number, row in source_rows():
            yield number, {renames.get(k, k): v for k, v in row.items()}

    return Table(table.name, table.label, [renames.get(h, h) for h in table.header], rows)


def checked_headers(tables: Mapping[str, Table], ctx: ReadContext) -> dict[str, Table]:
    """The tables whose header holds every required column, read under their HSDS names.

    Each other table is dropped and reported (file, column, what was expected), its rows
    counted as rejected; the package is refused only if no organisation or service table
    is left.

    Raises
    ------
    InputError
        If every organisations and services table lacks a required column.
    """
    kept: dict[str, Table] = {}
    refused: list[tuple[Table, str]] = []
    for name, table in tables.items():
        table = renamed_columns(table, ctx)
        missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in table.header]
        if name == "taxonomy_terms" and not {"name", "term"} & set(table.header):
            missing.append("name")
        if not missing:
            kept[name] = table
            continue
        message = (
            f"lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} (it has {', '.join(table.header)})"
        )
        refused.append((table, message))
        count = sum(1 for _ in table.rows())
        ctx.read(table.label, count)
        ctx.rejected_counts[table.label] += count
        ctx.problem(
            Severity.ERROR,
            "bad-header",
            "the table's header lacks a column HSDS requires, so none of its rows were "
            "loaded; the other tables were",
            "add the column, or rename the column that holds it.",
            table=table.label,
            field=", ".join(missing),
            value=f"expected {', '.join(REQUIRED_COLUMNS.get(name, ('name',)))}; "
            f"it has {', '.join(table.header)} ({count} rows)",
        )
    if refused and not {"services", "organizations"} & kept.keys():
        table, message = refused[0]
        raise InputError(
            f"{message}.",
            path=table.label,
            where="header",
            fix="add the column, or rename the column that holds it.",
        )
    return kept


def rows_from_dicts(items: Iterable[Any]) -> RowIter:
    """Rows of a tabular-JSON table (a list of objects), numbered from 1."""
    for number, item in enumerate(items, start=1):
        yield number, dict(item) if isinstance(item, Mapping) else {"value": item}
