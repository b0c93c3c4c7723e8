"""HSDS 3.0 and Open Referral UK 3.0 JSON: which entity a file or an object holds.

The records themselves are mapped by ``_mapper.Mapper``, as every variant's are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["entity_kind", "kind_from_filename"]

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
