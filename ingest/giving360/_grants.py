"""One 360Giving grant object to records: the Grant, its funder, its recipient, its areas.

Where the recipient is *based* (its address, GrantNav's postcode lookup) is
kept apart from where the money is *spent* (beneficiary locations): only the
latter become ``BENEFITS_AREA`` edges.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import Any

from ...graph import EdgeRecord, NodeRecord, Record, Severity, local_key
from ...ontology import (
    GEO_CODE_TYPES,
    EdgeType,
    NodeType,
    area_level,
    is_gss_code,
    normalise_name,
    normalise_org_id,
    org_id_kind,
    parse_org_id,
)
from .._pipeline import ReadContext
from .._values import (
    CURRENCIES,
    fix_mojibake,
    implausible_amount,
    normalise_postcode,
    parse_amount,
    parse_date,
)

__all__ = ["GrantMapper"]

_GRANT_FIELDS = {
    "title": "title",
    "description": "description",
    "url": "url",
    "dataSource": "data_source",
    "fromOpenCall": "from_open_call",
    "regrantType": "regrant_type",
    "locationScope": "location_scope",
}
_MAPPED = {
    "id", "amountAwarded", "amountAppliedFor", "amountDisbursed", "currency", "awardDate",
    "dateModified", "plannedDates", "actualDates", "grantProgramme", "recipientOrganization",
    "fundingOrganization", "beneficiaryLocation", "recipientIndividual", "additional_data",
    "additional_data_added", "id_and_name", *_GRANT_FIELDS,
}  # fmt: skip
_RECIPIENT_BASE_FIELDS = ("recipientDistrictGeoCode", "recipientWardNameGeoCode")


def _first(value: Any) -> dict[str, Any] | None:
    """The first object of a 360Giving array (publishers sometimes give one object)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None


def _objects(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class GrantMapper:
    """Maps the grant objects of one file to records, reporting through ``ctx``."""

    def __init__(self, ctx: ReadContext, *, file: str) -> None:
        self.ctx = ctx
        self.file = file
        self.table = file
        self.funder_names: dict[str, set[str]] = {}
        self.departments: dict[str, str] = {}

    # -- helpers ----------------------------------------------------------------

    def _problem(
        self,
        severity: Severity,
        code: str,
        summary: str,
        fix: str,
        *,
        field: str | None = None,
        row: int | None,
        record: str | None,
        value: object = None,
    ) -> None:
        self.ctx.problem(
            severity,
            code,
            summary,
            fix,
            table=self.table,
            field=field,
            row=row,
            record=record,
            value=value,
        )

    def _clean(self, value: Any, field: str, row: int | None, record: str) -> str | None:
        text = _text(value)
        if text is None:
            return None
        fixed = fix_mojibake(text)
        if fixed != text:
            self._problem(
                Severity.NOTE,
                "double-encoded-text",
                "text holds double-encoded characters (Â£ for £); repaired",
                "",
                field=field,
                row=row,
                record=record,
                value=text[:60],
            )
        return fixed

    def _date(
        self, props: dict[str, Any], name: str, value: Any, field: str, row: int | None, record: str
    ) -> None:
        if value in (None, ""):
            return
        parsed = parse_date(value)
        if parsed is None:
            props[f"{name}_raw"] = str(value)
            self._problem(
                Severity.WARNING,
                "invalid-date",
                f"{field} is not a date civicgraph can read; kept as {name}_raw",
                "write dates as YYYY-MM-DD.",
                field=field,
                row=row,
                record=record,
                value=value,
            )
            return
        props[name], precision = parsed
        if precision != "day":
            props[f"{name}_precision"] = precision

    def _amount(
        self, props: dict[str, Any], name: str, value: Any, field: str, row: int | None, record: str
    ) -> None:
        if value in (None, ""):
            return
        amount = parse_amount(value)
        if amount is None:
            props[f"{name}_raw"] = str(value)
            self._problem(
                Severity.WARNING,
                "invalid-amount",
                f"{field} is not a number; kept as {name}_raw",
                "write amounts as numbers.",
                field=field,
                row=row,
                record=record,
                value=value,
            )
            return
        props[name] = amount
        if (implausible := implausible_amount(amount)) is not None:
            self._problem(
                Severity.WARNING,
                "implausible-amount",
                f"{field} {implausible}; kept as given",
                "check the amount (a misplaced decimal point, or a code in the amount column?).",
                field=field,
                row=row,
                record=record,
                value=value,
            )
        if amount == 0 and name == "amount":
            self._problem(
                Severity.WARNING,
                "zero-amount",
                f"{field} is zero; kept as given",
                "check the amount: a withdrawn grant, or an amount left out?",
                field=field,
                row=row,
                record=record,
                value=value,
            )
        if amount < 0:
            self._problem(
                Severity.WARNING,
                "negative-amount",
                f"{field} is negative; kept as given",
                "check the sign of the amount.",
                field=field,
                row=row,
                record=record,
                value=value,
            )

    # -- a grant -----------------------------------------------------------------

    def grant(self, obj: Any, row: int | None) -> Iterator[Record]:
        """Records for one grant object."""
        self.ctx.read(self.table)
        if not isinstance(obj, Mapping):
            self.ctx.reject(
                self.table,
                "not-an-object",
                "grant entries are not objects; rejected",
                "each grant must be a JSON object.",
                row=row,
                value=repr(obj)[:60],
            )
            return
        grant_id = _text(obj.get("id"))
        if grant_id is None:
            self.ctx.reject(
                self.table,
                "missing-id",
                "grants have no identifier; rejected",
                "give every grant its 360Giving identifier (360G-...).",
                row=row,
                record=_text(obj.get("title")),
            )
            return
        props = self._grant_props(obj, grant_id, row)
        self.departments = {}
        yield NodeRecord(
            NodeType.GRANT, grant_id, props, self.table, grant_id, row=row, file=self.file
        )
        funder = _first(obj.get("fundingOrganization"))
        if funder is not None:
            funder_key = yield from self._organisation(funder, "funder", grant_id, row)
            if funder_key is not None:
                yield EdgeRecord(
                    EdgeType.AWARDS,
                    funder_key,
                    grant_id,
                    self.table,
                    grant_id,
                    field="fundingOrganization",
                    row=row,
                    file=self.file,
                )
        else:
            self._problem(
                Severity.WARNING,
                "missing-funder",
                "grants name no funding organisation; kept",
                "add Funding Org:Identifier and Funding Org:Name.",
                row=row,
                record=grant_id,
            )
        recipient = _first(obj.get("recipientOrganization"))
        if recipient is not None:
            recipient_key = yield from self._organisation(
                recipient, "recipient", grant_id, row, _grantnav_org_ids(obj)
            )
            if recipient_key is not None:
                yield EdgeRecord(
                    EdgeType.AWARDED_TO,
                    grant_id,
                    recipient_key,
                    self.table,
                    grant_id,
                    field="recipientOrganization",
                    row=row,
                    file=self.file,
                )
        elif obj.get("recipientIndividual"):
            props["to_individual"] = True  # people's names are not kept
        else:
            self._problem(
                Severity.WARNING,
                "missing-recipient",
                "grants name no recipient organisation or individual; kept without one",
                "add Recipient Org:Identifier and Recipient Org:Name.",
                row=row,
                record=grant_id,
            )
        yield from self._beneficiary_areas(obj, props, grant_id, row)
        for role, department in self.departments.items():
            props[f"{role}_department"] = department

    def _grant_props(
        self, obj: Mapping[str, Any], grant_id: str, row: int | None
    ) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for source_field, name in _GRANT_FIELDS.items():
            value = self._clean(obj.get(source_field), source_field, row, grant_id)
            if value is not None:
                props[name] = value
        self._amount(props, "amount", obj.get("amountAwarded"), "amountAwarded", row, grant_id)
        self._amount(
            props,
            "amount_applied_for",
            obj.get("amountAppliedFor"),
            "amountAppliedFor",
            row,
            grant_id,
        )
        self._amount(
            props, "amount_disbursed", obj.get("amountDisbursed"), "amountDisbursed", row, grant_id
        )
        if "amount" not in props and "amount_raw" not in props:
            self._problem(
                Severity.WARNING,
                "missing-amount",
                "grants have no amount awarded; kept",
                "add Amount Awarded.",
                field="amountAwarded",
                row=row,
                record=grant_id,
            )
        currency = _text(obj.get("currency"))
        if currency is not None:
            props["currency"] = currency.upper()
            if currency.upper() not in CURRENCIES:
                self._problem(
                    Severity.WARNING,
                    "unknown-currency",
                    "currency is not an ISO 4217 code; kept as given",
                    "use a three-letter code such as GBP.",
                    field="currency",
                    row=row,
                    record=grant_id,
                    value=currency,
                )
        self._date(props, "award_date", obj.get("awardDate"), "awardDate", row, grant_id)
        self._date(props, "date_modified", obj.get("dateModified"), "dateModified", row, grant_id)
        planned = _first(obj.get("plannedDates"))
        if planned is not None:
            self._date(
                props,
                "planned_start",
                planned.get("startDate"),
                "plannedDates/startDate",
                row,
                grant_id,
            )
            self._date(
                props, "planned_end", planned.get("endDate"), "plannedDates/endDate", row, grant_id
            )
            start, end = props.get("planned_start"), props.get("planned_end")
            if isinstance(start, str) and isinstance(end, str) and end < start:
                # Kept out of the timeline rather than guessed: which of the two is wrong?
                props["planned_start_raw"] = props.pop("planned_start")
                props["planned_end_raw"] = props.pop("planned_end")
                self._problem(
                    Severity.WARNING,
                    "end-before-start",
                    "plannedDates/endDate is before plannedDates/startDate; both kept as "
                    "planned_start_raw and planned_end_raw, out of the timeline",
                    "correct the dates in the file.",
                    field="plannedDates/endDate",
                    row=row,
                    record=grant_id,
                    value=f"{start} → {end}",
                )
            months = parse_amount(planned.get("duration") or planned.get("Duration months"))
            if months is not None:
                props["planned_duration_months"] = months
        programme = _first(obj.get("grantProgramme"))
        if programme is not None and _text(programme.get("title")):
            props["programme"] = self._clean(
                programme["title"], "grantProgramme/title", row, grant_id
            )
        for key, value in obj.items():
            if (
                key not in _MAPPED
                and key not in _RECIPIENT_BASE_FIELDS
                and value not in (None, "", [], {})
            ):
                props[key] = value  # what does not map is kept under its own name
        return props

    # -- organisations -------------------------------------------------------------

    def _organisation(
        self,
        entry: Mapping[str, Any],
        role: str,
        grant_id: str,
        row: int | None,
        linked_ids: list[str] | None = None,
    ) -> Generator[Record, None, str | None]:
        """Yield an organisation record; return its key (``None`` if it has no id or name)."""
        raw_id = _text(entry.get("id"))
        name = self._clean(entry.get("name"), f"{role} name", row, grant_id)
        identifiers: list[str] = []
        org_id = parse_org_id(raw_id) if raw_id else None
        if org_id:
            identifiers.append(org_id)
        for field, scheme in (("charityNumber", "charity"), ("companyNumber", "GB-COH")):
            number = _text(entry.get(field))
            if number:
                chosen = (
                    "GB-SC"
                    if field == "charityNumber" and number.upper().startswith("SC")
                    else scheme
                )
                normalised = normalise_org_id(chosen, number)
                if normalised and normalised not in identifiers:
                    identifiers.append(normalised)
        for linked in linked_ids or ():
            if linked not in identifiers:
                identifiers.append(linked)
        if org_id is not None and raw_id != grant_id:
            key = org_id
        elif name:
            # Placeholders (DUMMY01), the grant's own id and local codes cannot say which
            # organisation this is, and some publishers reuse one for many organisations.
            key = local_key(self.ctx.source, NodeType.ORGANIZATION, "name:" + normalise_name(name))
            self._problem(
                Severity.WARNING,
                "not-an-org-id" if raw_id else "missing-org-id",
                (
                    f"{role} identifiers are not org-ids (a placeholder, the grant's own id or a "
                    "local code); the organisation is matched by name instead"
                    if raw_id
                    else f"{role}s have no identifier; matched by name only"
                ),
                f"give the {role}'s org-id (GB-CHC-..., GB-COH-..., or 360G-<publisher>-...).",
                field=f"{role}Organization/id",
                row=row,
                record=grant_id,
                value=raw_id or name,
            )
        else:
            self._problem(
                Severity.WARNING,
                "missing-org-id",
                f"{role}s have neither identifier nor name; left out",
                f"give the {role}'s org-id and name.",
                field=f"{role}Organization",
                row=row,
                record=grant_id,
            )
            return None
        if role == "funder" and name:
            self.funder_names.setdefault(key, set()).add(name)
        department = _text(entry.get("department"))
        if department:  # a department belongs to the grant, not to the organisation
            self.departments[role] = department
        props: dict[str, Any] = {"roles": [role]}
        if name:
            props["name"] = name
        for field, prop in (
            ("alternateName", "alternate_name"),
            ("description", "description"),
            ("streetAddress", "address"),
            ("addressLocality", "city"),
            ("addressRegion", "region"),
            ("addressCountry", "country"),
            ("email", "email"),
            ("telephone", "phone"),
            ("organisationType", "organisation_type"),
        ):
            value = _text(entry.get(field))
            if value:
                props[prop] = value
        postcode = _text(entry.get("postalCode"))
        if postcode:
            props["postcode"] = normalise_postcode(postcode)
        website = _text(entry.get("url"))
        if website:
            props["website"] = website
        if identifiers:
            props["org_ids"] = identifiers
            kind = org_id_kind(identifiers[0])
            if kind:
                props["kind"] = kind
        yield NodeRecord(
            NodeType.ORGANIZATION,
            key,
            props,
            self.table,
            grant_id,
            tuple(identifiers),
            embedded=True,
            row=row,
            file=self.file,
            counted=False,
        )
        return key

    # -- places ----------------------------------------------------------------------

    def _beneficiary_areas(
        self, obj: Mapping[str, Any], props: dict[str, Any], grant_id: str, row: int | None
    ) -> Iterator[Record]:
        locations = []
        codes: list[tuple[str, str | None, str | None]] = []
        for location in _objects(obj.get("beneficiaryLocation")):
            code, name = _text(location.get("geoCode")), _text(location.get("name"))
            code_type = _text(location.get("geoCodeType"))
            locations.append({k: v for k, v in location.items() if v not in (None, "")})
            if code and is_gss_code(code):
                codes.append((code.upper(), name, GEO_CODE_TYPES.get((code_type or "").upper())))
            elif code:
                self._problem(
                    Severity.NOTE,
                    "area-code-is-not-gss",
                    "beneficiary location codes are not ONS GSS codes (a name, or another "
                    "scheme); kept for placing by name",
                    "give ONS GSS codes (E01...).",
                    field="beneficiaryLocation/geoCode",
                    row=row,
                    record=grant_id,
                    value=code,
                )
            elif code_type:
                self._problem(
                    Severity.NOTE,
                    "area-code-missing",
                    "beneficiary locations give a code type but no code; kept by name",
                    "add the geoCode.",
                    field="beneficiaryLocation/geoCode",
                    row=row,
                    record=grant_id,
                    value=name or code_type,
                )
        additional = obj.get("additional_data")
        recipient_areas: list[str] = [
            c for c in (_text(obj.get(f)) for f in _RECIPIENT_BASE_FIELDS) if c and is_gss_code(c)
        ]
        if isinstance(additional, Mapping):
            for lookup in _objects(additional.get("locationLookup")):
                code = _text(lookup.get("areacode"))
                if not code or not is_gss_code(code):
                    continue
                level = GEO_CODE_TYPES.get(str(lookup.get("areatype") or "").upper())
                if lookup.get("source") == "beneficiaryLocation":
                    codes.append((code, _text(lookup.get("areaname")), level))
                else:
                    recipient_areas.append(code)
        if locations:
            props["beneficiary_locations"] = locations
        if recipient_areas:
            props["recipient_area_codes"] = sorted(set(recipient_areas))
        impact_postcodes = [
            normalise_postcode(str(v))
            for k, v in obj.items()
            if k.lower().startswith("postcode of impact") and _text(v)
        ]
        if impact_postcodes:
            props["beneficiary_postcodes"] = impact_postcodes
        seen: set[str] = set()
        for code, name, level in codes:
            if code in seen:
                continue
            seen.add(code)
            area: dict[str, Any] = {"code": code, "level": level or area_level(code)}
            if name:
                area["name"] = name
            yield NodeRecord(
                NodeType.AREA,
                code,
                {k: v for k, v in area.items() if v},
                self.table,
                grant_id,
                embedded=True,
                row=row,
                file=self.file,
                counted=False,
            )
            yield EdgeRecord(
                EdgeType.BENEFITS_AREA,
                grant_id,
                code,
                self.table,
                grant_id,
                field="beneficiaryLocation",
                row=row,
                file=self.file,
            )
        if seen:
            props["beneficiary_area_codes"] = sorted(seen)


def _grantnav_org_ids(grant: Mapping[str, Any]) -> list[str]:
    """The recipient's other org-ids that GrantNav looked up (charity and company number)."""
    additional = grant.get("additional_data")
    if not isinstance(additional, Mapping):
        return []
    found = []
    for info in _objects(additional.get("recipientOrgInfos")):
        for org_id in info.get("orgIDs") or ():
            parsed = parse_org_id(org_id) if isinstance(org_id, str) else None
            if parsed and parsed not in found:
                found.append(parsed)
    return found
