"""Tabular HSDS back into HSDS 3.0-shaped records, for the one mapper (``_mapper.Mapper``).

Every tabular variant (HSDS 1.0, 1.1/2.0, 3.0 CSV, Open Referral UK 1.0,
Ohana-style exports) splits a record over tables: a service's phones sit in
``phones.csv`` under its ``service_id``, its taxonomy terms in a link table,
its program in ``programs.csv``. The tabular reader groups each detail row
under the record it names (and counts it); this module puts a row and its
grouped detail back together as the nested record HSDS 3.0 JSON would give,
and renames what older versions call otherwise:

- ``url`` on an organisation is its ``website`` (HSDS 1.0);
- ``program_id`` becomes the embedded ``program`` (with its name);
- ``funding.csv`` rows become ``funding`` objects, as does an Ohana
  record's own ``funding_sources`` statement;
- Ohana services reach their organisation through their ``location_id``;
- link-table rows (``services_taxonomy``, ``service_attributes``,
  ``attributes``, ``link_taxonomy``) become 3.0 ``attribute`` records.

Nothing here makes graph records: what a record becomes is the mapper's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["NUMBERS", "Unflattener", "typed_detail"]

Row = dict[str, Any]

_AS_OBJECTS = {
    "programs": "name",
    "languages": "name",
    "required_documents": "document",
}
"""Detail the tabular reader keeps as one value per row, and the 3.0 field it fills."""

_RENAMED = {"identifiers": "organization_identifiers"}

NUMBERS: dict[str, tuple[str, ...]] = {
    "phones": ("extension",),
    "schedules": ("timezone", "count", "interval"),
    "cost_options": ("amount",),
}
"""The fields of detail tables that the HSDS 3.0 schema types as numbers (its
``datapackage.json``), by the detail they fill. A CSV cell is text; 3.0 JSON gives a number."""


def _number(value: Any) -> Any:
    """A cell's number (an int where it is whole), or the cell as it is if it is none."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def typed_detail(prop: str, value: dict[str, Any]) -> None:
    """Turn, in place, the numeric fields of one detail row (``NUMBERS``) into numbers."""
    for name in NUMBERS.get(prop, ()):
        if name in value:
            value[name] = _number(value[name])


def _first(row: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def _nested(details: Mapping[str, list[Any]]) -> Row:
    """Grouped detail values as the nested fields of a 3.0 record."""
    nested: Row = {}
    for prop, values in details.items():
        field = _RENAMED.get(prop, prop)
        inner = _AS_OBJECTS.get(prop)
        nested[field] = [{inner: v} for v in values] if inner else list(values)
    return nested


class Unflattener:
    """Builds 3.0-shaped records from a package's rows and the detail grouped under them.

    Parameters
    ----------
    program_names, taxonomy_names
        ``programs.csv`` and ``taxonomies.csv``: id → name.
    location_operator
        Which organisation runs each location (Ohana: a service's provider).
    """

    def __init__(
        self,
        *,
        program_names: Mapping[str, str],
        taxonomy_names: Mapping[str, str],
        location_operator: Mapping[str, str],
    ) -> None:
        self.program_names = program_names
        self.taxonomy_names = taxonomy_names
        self.location_operator = location_operator

    def organization(self, row: Row, details: Mapping[str, list[Any]], terms: list[str]) -> Row:
        record = {**row, **_nested(details)}
        if "url" in record and "website" not in record:
            record["website"] = record.pop("url")  # HSDS 1.0
        return self._finish(record, terms)

    def service(self, row: Row, details: Mapping[str, list[Any]], terms: list[str]) -> Row:
        record = {**row, **_nested(details)}
        program = record.pop("program_id", None)
        if program not in (None, ""):
            record["program"] = {
                "id": program,
                "name": self.program_names.get(str(program), program),
            }
        location = row.get("location_id")
        if row.get("organization_id") in (None, "") and location not in (None, ""):
            operator = self.location_operator.get(str(location))
            if operator is not None:
                record["organization_id"] = operator  # Ohana: the location's organisation
        return self._finish(record, terms)

    def location(self, row: Row, details: Mapping[str, list[Any]], terms: list[str]) -> Row:
        return self._finish({**row, **_nested(details)}, terms)

    @staticmethod
    def service_at_location(row: Row, details: Mapping[str, list[Any]]) -> Row:
        """A service-at-location row with its phones, contacts and schedules, as 3.0 nests
        them (they describe the service at that place, not the service everywhere)."""
        return {**row, **_nested(details)}

    def taxonomy_term(self, row: Row, *, codes_are_ids: bool) -> Row:
        """A term row; ``codes_are_ids``: HSDS 1.0's ``taxonomy.csv``, whose ids are codes."""
        record = dict(row)
        record["taxonomy"] = _first(row, "vocabulary", "taxonomy")
        name = self.taxonomy_names.get(str(row.get("taxonomy_id") or ""))
        if name is not None:
            record["taxonomy_detail"] = {"id": row["taxonomy_id"], "name": name}
        if codes_are_ids and row.get("code") in (None, ""):
            record["code"] = row.get("id")
        return record

    @staticmethod
    def attribute(row: Row, id_field: str, term_field: str) -> Row:
        """A link-table row as a 3.0 attribute naming a service."""
        return {
            "id": row.get("id"),
            "link_id": row.get(id_field),
            "link_entity": "service",
            "taxonomy_term_id": row.get(term_field),
        }

    @staticmethod
    def _finish(record: Row, terms: list[str]) -> Row:
        # Ohana exports keep funding on the record itself, as one statement.
        sources = record.pop("funding_sources", None)
        if isinstance(sources, str) and not record.get("funding"):
            record["funding"] = [{"source": sources}]
        if terms:
            # The ontology classifies services; other records keep their terms' ids.
            record["taxonomy_terms"] = [*record.get("taxonomy_terms", ()), *terms]
        return record
