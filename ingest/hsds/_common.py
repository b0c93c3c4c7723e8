"""What every HSDS variant shares: field maps, value cleaning, identifiers, addresses.

Postcodes and address lines, which every ingester writes, are ``.._values``'s."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...ontology import NODE_TYPES, Datatype, NodeType, normalise_org_id, parse_org_id
from .._values import normalise_postcode

__all__ = [
    "coerce",
    "flatten_address",
    "location_identifiers",
    "org_identifiers",
    "phone_text",
    "typed_props",
]


def coerce(datatype: Datatype, value: Any) -> Any:
    """Turn a text value into the datatype's Python type where it parses; else return it as is.

    Values that do not parse are left for the shared value check to report.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if datatype is Datatype.DECIMAL:
        try:
            return float(text)
        except ValueError:
            return value
    if datatype is Datatype.INTEGER:
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return value
            return int(number) if number.is_integer() else value
    if datatype is Datatype.BOOLEAN:
        lowered = text.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
    return value


def typed_props(
    node_type: NodeType, row: Mapping[str, Any], skip: Iterable[str] = ()
) -> dict[str, Any]:
    """The row's non-empty values as properties, documented ones coerced to their datatype.

    Fields the ontology does not document are kept under their own names.
    """
    definitions = NODE_TYPES[node_type].properties
    skipped = set(skip)
    props: dict[str, Any] = {}
    for name, value in row.items():
        if name in skipped or value is None or value == "" or value == [] or value == {}:
            continue
        definition = definitions.get(name)
        props[name] = coerce(definition.datatype, value) if definition else value
    return props


def org_identifiers(
    entries: Iterable[Mapping[str, Any]],
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """Normalised org-ids, the raw identifier entries, and the entries that gave no org-id.

    An entry is an HSDS 3.0 ``organization_identifiers`` object or an ORUK 1.0
    ``identifiers`` row; the scheme is read from ``identifier_scheme``,
    ``identifier_type``, ``identification_body`` or ``register``.
    """
    org_ids: list[str] = []
    raw: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    for entry in entries:
        identifier = entry.get("identifier")
        if identifier in (None, ""):
            continue
        kept = {k: v for k, v in entry.items() if v not in (None, "") and k != "organization_id"}
        raw.append(kept)
        org_id = None
        for scheme_field in (
            "identifier_scheme",
            "identifier_type",
            "identification_body",
            "register",
        ):
            scheme = entry.get(scheme_field)
            if scheme:
                org_id = normalise_org_id(str(scheme), identifier)
                if org_id:
                    break
        org_id = org_id or parse_org_id(str(identifier))
        if org_id is None:
            unmatched.append(kept)
        elif org_id not in org_ids:
            org_ids.append(org_id)
    return org_ids, raw, unmatched


def location_identifiers(props: Mapping[str, Any]) -> list[str]:
    """Identity keys of a location: ``uprn:<UPRN>`` when the source gives one."""
    uprn = props.get("uprn")
    if uprn is None or isinstance(uprn, bool):
        return []
    digits = str(uprn).strip()
    if digits.endswith(".0"):
        digits = digits[:-2]
    return [f"uprn:{int(digits)}"] if digits.isdigit() else []


_ADDRESS_LINES = (
    "address_1",
    "address_2",
    "address_3",
    "address_4",
    "city",
    "region",
    "state_province",
    "postal_code",
    "country",
)


def flatten_address(address: Mapping[str, Any]) -> dict[str, Any]:
    """The properties a location takes from its main address: lines, town, postcode, one line."""
    props: dict[str, Any] = {}
    for name in ("address_1", "city", "region", "state_province", "country"):
        value = address.get(name)
        if value not in (None, ""):
            props[name] = value
    postcode = address.get("postal_code")
    if postcode not in (None, ""):
        props["postcode"] = normalise_postcode(str(postcode))
    lines = {**address, "postal_code": props.get("postcode")}
    one_line = ", ".join(
        str(lines[name]).strip()
        for name in _ADDRESS_LINES
        if lines.get(name) not in (None, "") and str(lines[name]).strip()
    )
    if one_line:
        props["address"] = one_line
    uprn = address.get("uprn")
    if uprn not in (None, ""):
        props["uprn"] = str(uprn).strip()
    return props


def phone_text(number: Any, area_code: Any = None, extension: Any = None) -> str | None:
    """A phone number on one line from the split fields older HSDS uses.

    Examples
    --------
    >>> phone_text("4841", "305", None)
    '(305) 4841'
    >>> phone_text('"+44 1234 234567"', None, 100)
    '+44 1234 234567 ext. 100'
    """
    text = str(number).strip().strip('"').strip() if number not in (None, "") else ""
    if not text:
        return None
    if area_code not in (None, ""):
        text = f"({str(area_code).strip()}) {text}"
    if extension not in (None, ""):
        text += f" ext. {str(extension).strip()}"
    return text
