"""HSDS 3.0 JSON flattened into the 3.0 tabular package, written from the specification alone.

A test helper for the JSON/CSV equivalence test: it reads the spec's own JSON Schemas
(``schema/*.json``: which field of an entity holds which other entity) and its tabular
layout (``datapackage.json``: one CSV per table, the columns, the ``*_id`` foreign keys),
and nothing of civicgraph, so that the package it writes is what any 3.0 publisher's
export of the same records would be. Each nested record becomes a row of its own table:

- a nested record whose table has a foreign key to its parent's table gets the parent's id
  there (a service's phones: ``phones.service_id``);
- a nested record its parent's table points at is linked from the parent's row instead
  (a service's organisation: ``services.organization_id``; an attribute's term:
  ``attributes.taxonomy_term_id``; a term's taxonomy: ``taxonomy_terms.taxonomy_id``);
- the two tables without foreign keys that name any record, ``attributes`` and ``metadata``,
  name their parent by ``link_id``/``link_entity`` and ``resource_id``/``resource_type``.

A record met twice (every service embeds its organisation) is one row; copies that
disagree on a value are an error, since no export could write both.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["TabularLayout", "flatten"]

_LINKS_BY_NAME = {
    "attribute": ("link_id", "link_entity"),
    "metadata": ("resource_id", "resource_type"),
}
"""Tables that name the record they belong to by id and entity, not by a foreign key."""


@dataclass
class TabularLayout:
    """The 3.0 specification's tables and the entity each nested JSON field holds."""

    resources: dict[str, dict[str, Any]]
    """Entity name (``service``) → its ``datapackage.json`` resource."""
    refs: dict[str, dict[str, str]]
    """Entity name → {field holding other records: the entity they are}."""
    descriptor: dict[str, Any]

    @classmethod
    def from_spec(cls, spec: Path) -> TabularLayout:
        """Read ``spec``: the root of the HSDS specification repository."""
        descriptor = json.loads((spec / "examples" / "csv" / "datapackage.json").read_text("utf-8"))
        resources = {r["name"]: r for r in descriptor["resources"]}
        refs: dict[str, dict[str, str]] = {}
        for entity in resources:
            schema = json.loads((spec / "schema" / f"{entity}.json").read_text("utf-8"))
            refs[entity] = {}
            for name, prop in schema.get("properties", {}).items():
                ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
                if ref:
                    refs[entity][name] = Path(ref).stem
        return cls(resources, refs, descriptor)

    def columns(self, entity: str) -> list[str]:
        return [f["name"] for f in self.resources[entity]["schema"]["fields"]]

    def foreign_key(self, entity: str, to: str) -> str | None:
        """The column of ``entity``'s table that names a record of ``to``, if there is one."""
        for key in self.resources[entity]["schema"].get("foreignKeys", ()):
            if key["reference"]["resource"] == to:
                return str(key["fields"])
        return None


@dataclass
class _Package:
    layout: TabularLayout
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def add(
        self, entity: str, obj: Mapping[str, Any], parent: tuple[str, str] | None = None
    ) -> None:
        layout = self.layout
        row = {
            column: obj[column]
            for column in layout.columns(entity)
            if column in obj and not isinstance(obj[column], dict | list)
        }
        if parent is not None:
            parent_entity, parent_id = parent
            if entity in _LINKS_BY_NAME:
                id_column, entity_column = _LINKS_BY_NAME[entity]
                row[id_column] = parent_id
                row.setdefault(entity_column, parent_entity)
            else:
                fk = layout.foreign_key(entity, parent_entity)
                if fk is None:
                    raise ValueError(f"{entity} nested in {parent_entity} has no foreign key")
                row[fk] = parent_id
        for name, child_entity in layout.refs[entity].items():
            value = obj.get(name)
            if value in (None, [], {}):
                continue
            children = value if isinstance(value, list) else [value]
            # The parent's table points at the child, or the child's table at the parent.
            pointer = layout.foreign_key(entity, child_entity)
            for child in children:
                if pointer is not None and not isinstance(value, list):
                    row[pointer] = child["id"]
                    self.add(child_entity, child)
                else:
                    self.add(child_entity, child, (entity, str(obj["id"])))
        self._keep(entity, row)

    def _keep(self, entity: str, row: dict[str, Any]) -> None:
        table = self.rows.setdefault(entity, {})
        seen = table.setdefault(str(row["id"]), {})
        for column, value in row.items():
            if column in seen and seen[column] != value:
                raise ValueError(
                    f"{entity} {row['id']}: copies disagree on {column}: "
                    f"{seen[column]!r} / {value!r}"
                )
            seen[column] = value

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        resources = []
        for entity, rows in self.rows.items():
            resource = self.layout.resources[entity]
            resources.append(resource)
            columns = self.layout.columns(entity)
            with (out / resource["path"]).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, columns)
                writer.writeheader()
                for row in rows.values():
                    writer.writerow({c: _cell(row.get(c)) for c in columns})
        descriptor = {k: v for k, v in self.layout.descriptor.items() if k != "resources"}
        descriptor["resources"] = resources
        (out / "datapackage.json").write_text(json.dumps(descriptor, indent=2), "utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten(
    records: Iterable[tuple[str, Mapping[str, Any]]], layout: TabularLayout, out: Path
) -> None:
    """Write the 3.0 tabular package of ``records`` (entity name, 3.0 JSON object) to ``out``."""
    package = _Package(layout)
    for entity, obj in records:
        package.add(entity, obj)
    package.write(out)
