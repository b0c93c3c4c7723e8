"""Write a synthetic town as an Open Referral HSDS 3.0 directory: JSON pages or tabular CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from .._files import atomic_write, write_bytes
from .grants import grants_for
from .taxonomy import CATEGORIES, TAXONOMY_NAME
from .town import Building, Organisation, Service, Town

__all__ = ["write_hsds_csv", "write_hsds_json"]

PAGE_SIZE = 10_000
TAXONOMY_ID = "civicgraph-categories"
STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"


def _organisation(org: Organisation) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "description": f"{org.name} is a {org.kind} working in {org.sector}.",
        "email": org.email,
        "website": org.website,
        "legal_status": org.kind,
        "phones": [{"id": f"{org.id}-phone", "number": org.phone, "type": "voice"}],
        "organization_identifiers": [],
    }
    if org.org_id:
        record["organization_identifiers"].append(
            {
                "id": f"{org.id}-identifier",
                "identifier_scheme": org.scheme,
                "identifier_type": {"GB-CHC": "Charity number", "GB-COH": "Company number"}.get(
                    org.scheme or "", "Registration"
                ),
                "identifier": org.number,
            }
        )
    return {k: v for k, v in record.items() if v is not None}


def _location(building: Building) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": building.id,
        "location_type": "physical",
        "name": building.name,
        "description": f"A {building.kind} in {building.street}.",
        "latitude": building.latitude,
        "longitude": building.longitude,
        "external_identifier": building.uprn,
        "external_identifier_type": "UPRN",
        "addresses": [
            {
                "id": f"{building.id}-address",
                "address_1": building.street,
                "city": "Oakbridge",
                "state_province": "Oakshire",
                "postal_code": building.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }
    return {k: v for k, v in record.items() if v is not None}


def _term(code: str, name: str, parent: str | None) -> dict[str, Any]:
    term = {
        "id": code,
        "code": code,
        "name": name,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": TAXONOMY_ID,
    }
    if parent:
        term["parent_id"] = parent
    return term


def _terms() -> Iterator[dict[str, Any]]:
    for category in CATEGORIES:
        yield _term(category.code, category.name, None)
        for kind in category.types:
            yield _term(kind.code, kind.name, category.code)


def _funding_statements(town: Town) -> dict[str, str]:
    """What each funded organisation's directory entry says about its funders."""
    funders: dict[str, list[str]] = {}
    for grant in grants_for(town):
        names = funders.setdefault(grant.organisation.id, [])
        if grant.funder.name not in names:
            names.append(grant.funder.name)
    return {org: "; ".join(names) for org, names in funders.items()}


def _service(
    service: Service,
    town: Town,
    buildings: dict[str, Building],
    names: dict[str, str],
    funding: dict[str, str],
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": service.id,
        "name": service.name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "fees_description": "Free" if service.free else "A small charge; ask us about concessions.",
        "phones": [{"id": f"{service.id}-phone", "number": service.phone, "type": "voice"}],
        "schedules": [
            {
                "id": f"{service.id}-schedule",
                "freq": "WEEKLY",
                "byday": service.days,
                "opens_at": service.opens,
                "closes_at": service.closes,
            }
        ],
        "languages": [
            {"id": f"{service.id}-lang-{i}", "name": name}
            for i, name in enumerate(service.languages)
        ],
        "service_areas": [
            {"id": f"{service.id}-area-{i}", "name": code, "uri": STATISTICAL_GEOGRAPHY + code}
            for i, code in enumerate(service.areas_served)
        ],
        "service_at_locations": [
            {"id": f"{service.id}-at-{building_id}", "location": _location(buildings[building_id])}
            for building_id in service.buildings
        ],
        "attributes": [
            {
                "id": f"{service.id}-category",
                "taxonomy_term": _term(service.type.code, service.type.name, service.category.code),
            }
        ],
    }
    if service.organisation in funding:
        record["funding"] = [
            {"id": f"{service.id}-funding", "source": funding[service.organisation]}
        ]
    if service.organisation in names:
        record["organization"] = {"id": service.organisation, "name": names[service.organisation]}
    else:
        record["organization_id"] = service.organisation
    return {k: v for k, v in record.items() if v is not None}


def _write_json(path: Path, data: Any, *, indent: bool = True) -> None:
    write_bytes(path, orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent else 0))


def write_hsds_json(town: Town, folder: str | Path) -> Path:
    """Write the town as HSDS 3.0 JSON: API-style pages of services, organisations, terms.

    Returns the folder, ready for ``civicgraph ingest hsds FOLDER``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(
        out / "api_details.json",
        {
            "version": "3.0",
            "profile": "https://openreferral.org",
            "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
        },
    )
    compact = len(town.services) > PAGE_SIZE  # big towns: smaller files, same data
    organisations = [_organisation(o) for o in town.organisations]
    _write_json(out / "organizations.json", organisations, indent=not compact)
    _write_json(out / "locations.json", [_location(b) for b in town.buildings], indent=not compact)
    _write_json(out / "taxonomy_terms.json", list(_terms()))
    buildings = {b.id: b for b in town.buildings}
    names = {o.id: o.name for o in town.organisations}
    funding = _funding_statements(town)
    services = [_service(s, town, buildings, names, funding) for s in town.services]
    by_id = {s["id"]: s for s in services}
    services += [by_id[i] for i in town.dirt.duplicated_services]
    pages = max(1, -(-len(services) // PAGE_SIZE))
    (out / "services").mkdir(exist_ok=True)
    for page in range(pages):
        contents = services[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        _write_json(
            out / "services" / f"services-{page + 1:04d}.json",
            {
                "total_items": len(services),
                "total_pages": pages,
                "page_number": page + 1,
                "size": len(contents),
                "first_page": page == 0,
                "last_page": page == pages - 1,
                "empty": not contents,
                "contents": contents,
            },
            indent=not compact,
        )
    return out


_CSV_TABLES: dict[str, list[str]] = {
    "organizations": ["id", "name", "description", "email", "website", "legal_status"],
    "organization_identifiers": [
        "id",
        "organization_id",
        "identifier_scheme",
        "identifier_type",
        "identifier",
    ],
    "services": [
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "fees_description",
    ],
    "locations": [
        "id",
        "location_type",
        "name",
        "description",
        "latitude",
        "longitude",
        "external_identifier",
        "external_identifier_type",
    ],
    "addresses": [
        "id",
        "location_id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "service_at_location": ["id", "service_id", "location_id", "description"],
    "phones": ["id", "organization_id", "service_id", "number", "type"],
    "schedules": ["id", "service_id", "freq", "byday", "opens_at", "closes_at"],
    "languages": ["id", "service_id", "name"],
    "service_areas": ["id", "service_id", "name", "uri"],
    "taxonomies": ["id", "name", "description", "uri", "version"],
    "taxonomy_terms": ["id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id"],
    "attributes": ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "value"],
    "funding": ["id", "service_id", "source"],
}


def write_hsds_csv(town: Town, folder: str | Path) -> Path:
    """Write the town as an HSDS 3.0 tabular data package (CSV files and datapackage.json)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _CSV_TABLES}
    for org in town.organisations:
        rows["organizations"].append(
            {
                "id": org.id,
                "name": org.name,
                "description": f"{org.name} is a {org.kind}.",
                "email": org.email,
                "website": org.website,
                "legal_status": org.kind,
            }
        )
        rows["phones"].append(
            {
                "id": f"{org.id}-phone",
                "organization_id": org.id,
                "number": org.phone,
                "type": "voice",
            }
        )
        if org.org_id:
            rows["organization_identifiers"].append(
                {
                    "id": f"{org.id}-identifier",
                    "organization_id": org.id,
                    "identifier_scheme": org.scheme,
                    "identifier_type": "Registration",
                    "identifier": org.number,
                }
            )
    for building in town.buildings:
        rows["locations"].append(
            {
                "id": building.id,
                "location_type": "physical",
                "name": building.name,
                "description": f"A {building.kind}.",
                "latitude": building.latitude,
                "longitude": building.longitude,
                "external_identifier": building.uprn,
                "external_identifier_type": "UPRN",
            }
        )
        rows["addresses"].append(
            {
                "id": f"{building.id}-address",
                "location_id": building.id,
                "address_1": building.street,
                "city": "Oakbridge",
                "state_province": "Oakshire",
                "postal_code": building.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        )
    rows["taxonomies"].append(
        {
            "id": TAXONOMY_ID,
            "name": TAXONOMY_NAME,
            "description": "civicgraph's built-in service categories",
            "uri": "https://w3id.org/civicgraph/categories",
            "version": "1",
        }
    )
    rows["taxonomy_terms"].extend(_terms())
    duplicated = set(town.dirt.duplicated_services)
    funding = _funding_statements(town)
    for service in town.services:
        for copy in range(2 if service.id in duplicated else 1):
            rows["services"].append(
                {
                    "id": service.id,
                    "organization_id": service.organisation,
                    "name": service.name,
                    "description": service.description,
                    "url": service.url,
                    "email": service.email,
                    "status": service.status,
                    "fees_description": "Free" if service.free else "A small charge",
                }
            )
            if copy:
                continue
            rows["phones"].append(
                {
                    "id": f"{service.id}-phone",
                    "service_id": service.id,
                    "number": service.phone,
                    "type": "voice",
                }
            )
            rows["schedules"].append(
                {
                    "id": f"{service.id}-schedule",
                    "service_id": service.id,
                    "freq": "WEEKLY",
                    "byday": service.days,
                    "opens_at": service.opens,
                    "closes_at": service.closes,
                }
            )
            for i, name in enumerate(service.languages):
                rows["languages"].append(
                    {"id": f"{service.id}-lang-{i}", "service_id": service.id, "name": name}
                )
            for i, code in enumerate(service.areas_served):
                rows["service_areas"].append(
                    {
                        "id": f"{service.id}-area-{i}",
                        "service_id": service.id,
                        "name": code,
                        "uri": STATISTICAL_GEOGRAPHY + code,
                    }
                )
            for building_id in service.buildings:
                rows["service_at_location"].append(
                    {
                        "id": f"{service.id}-at-{building_id}",
                        "service_id": service.id,
                        "location_id": building_id,
                    }
                )
            if service.organisation in funding:
                rows["funding"].append(
                    {
                        "id": f"{service.id}-funding",
                        "service_id": service.id,
                        "source": funding[service.organisation],
                    }
                )
            rows["attributes"].append(
                {
                    "id": f"{service.id}-category",
                    "link_id": service.id,
                    "link_type": "category",
                    "link_entity": "service",
                    "taxonomy_term_id": service.type.code,
                }
            )
    resources = []
    for name, columns in _CSV_TABLES.items():
        path = out / f"{name}.csv"
        with atomic_write(path, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows[name])
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "schema": {"fields": [{"name": c, "type": "string"} for c in columns]},
            }
        )
    _write_json(
        out / "datapackage.json",
        {
            "name": "oakbridge-directory",
            "title": "Oakbridge services (synthetic)",
            "profile": "tabular-data-package",
            "version": "3.0.0",
            "license": {"type": "CC0-1.0"},
            "resources": resources,
        },
    )
    return out
