"""The synthetic town's funders and their grants, published as 360Giving files.

Three funders publish the way real ones do: a trust as a JSON package, the
council as a CSV spreadsheet with the standard's column titles, a family
foundation as a bare JSON list. Recipients are the town's organisations, but
spelled as funders spell them ("LIMITED" for "Ltd", "&" for "and", a "The"
added), some under their org-id (company numbers without leading zeros),
some under the funder's own 360G id, unregistered groups by name and
postcode. :func:`grants_for` says which organisation each grant really went
to, so matching can be measured.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .._files import atomic_write, write_bytes
from .town import Organisation, Town

__all__ = ["FUNDERS", "SynthGrant", "grants_for", "spell_like_a_funder", "write_360giving"]


@dataclass(frozen=True)
class Funder:
    org_id: str
    name: str
    prefix: str
    file: str
    share: float
    """Share of the town's organisations it funds."""


FUNDERS = (
    Funder("GB-CHC-1000001", "Oakbridge Community Trust", "360G-oct",
           "oakbridge-community-trust.json", 0.35),
    Funder("GB-LAE-OAK", "Oakbridge City Council", "360G-oakbridgecc", "council-grants.csv", 0.25),
    Funder("GB-CHC-1000002", "Hartley Family Foundation", "360G-hff",
           "hartley-family-foundation.json", 0.12),
)  # fmt: skip


@dataclass(frozen=True)
class SynthGrant:
    id: str
    funder: Funder
    organisation: Organisation
    recipient_id: str
    recipient_name: str
    charity_number: str | None
    amount: float
    award_date: str
    areas: tuple[str, ...]
    postcode: str | None
    planned_start: str | None = None
    planned_end: str | None = None


_SPELLINGS = (
    lambda n: n.upper(),
    lambda n: n.replace(" Ltd", " LIMITED").replace(" Limited", " Ltd"),
    lambda n: n.replace(" and ", " & ") if " and " in n else n.replace(" & ", " and "),
    lambda n: n[4:] if n.startswith("The ") else f"The {n}",
    lambda n: n.replace(" CIC", " Community Interest Company"),
    lambda n: n.replace("'", ""),
    lambda n: n,
)


def spell_like_a_funder(name: str, rng: random.Random) -> str:
    """The name as a funder's grants system might have it.

    Examples
    --------
    >>> spell_like_a_funder("Ashfield Food Ltd", random.Random(1))
    'Ashfield Food LIMITED'
    """
    return rng.choice(_SPELLINGS)(name)


def _date(rng: random.Random) -> str:
    year, month, day = rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.6:
        return f"{year}-{month:02d}-{day:02d}"
    if form < 0.9:
        return f"{day:02d}/{month:02d}/{year}"
    return f"{month:02d}/{year}"


def grants_for(town: Town) -> list[SynthGrant]:
    """Every grant the town's funders made, reproducibly from the town's seed."""
    rng = random.Random(town.seed * 7919 + 11)
    eligible = [
        o for o in town.organisations if o.kind in ("charity", "CIC", "community group", "company")
    ]
    buildings = {b.id: b for b in town.buildings}
    served: dict[str, set[str]] = {}
    for service in town.services:
        served.setdefault(service.organisation, set()).update(service.areas_served)
    grants = []
    for funder in FUNDERS:
        chosen = rng.sample(eligible, k=max(1, int(len(eligible) * funder.share)))
        for number, organisation in enumerate(chosen, start=1):
            if organisation.org_id and rng.random() < 0.7:
                recipient_id = organisation.org_id
                if organisation.scheme == "GB-COH" and rng.random() < 0.5:
                    recipient_id = "GB-COH-" + (organisation.number or "").lstrip("0")
                charity_number = None
            else:
                slug = "".join(ch if ch.isalnum() else "-" for ch in organisation.name.lower())
                recipient_id = f"{funder.prefix}-org:{slug.strip('-')}"
                charity_number = organisation.number if organisation.scheme == "GB-CHC" else None
            areas = sorted(served.get(organisation.id, set()))[:3] or [town.areas[0].code]
            for grant_number in range(rng.choice((1, 1, 1, 2))):
                grants.append(
                    SynthGrant(
                        id=f"{funder.prefix}-{number:05d}-{grant_number}",
                        funder=funder,
                        organisation=organisation,
                        recipient_id=recipient_id,
                        recipient_name=spell_like_a_funder(organisation.name, rng),
                        charity_number=charity_number,
                        amount=round(min(250_000.0, rng.lognormvariate(8.6, 1.0)), 2),
                        award_date=_date(rng),
                        areas=tuple(areas),
                        postcode=buildings[organisation.base].postcode,
                    )
                )
    return grants


def _grant_json(grant: SynthGrant) -> dict[str, Any]:
    recipient: dict[str, Any] = {"id": grant.recipient_id, "name": grant.recipient_name}
    if grant.charity_number:
        recipient["charityNumber"] = grant.charity_number
    if grant.postcode:
        recipient["postalCode"] = grant.postcode
    record: dict[str, Any] = {
        "id": grant.id,
        "title": f"Grant to {grant.recipient_name}",
        "currency": "GBP",
        "amountAwarded": grant.amount,
        "awardDate": grant.award_date,
        "fundingOrganization": [{"id": grant.funder.org_id, "name": grant.funder.name}],
        "recipientOrganization": [recipient],
        "beneficiaryLocation": [
            {"geoCode": code, "geoCodeType": "LSOA", "countryCode": "GB"} for code in grant.areas
        ],
        "grantProgramme": [{"title": "Community Grants"}],
    }
    if grant.planned_start or grant.planned_end:
        planned = {"startDate": grant.planned_start, "endDate": grant.planned_end}
        record["plannedDates"] = [{k: v for k, v in planned.items() if v}]
    return record


_CSV_COLUMNS = (
    "Identifier", "Title", "Currency", "Amount Awarded", "Award Date", "Funding Org:Identifier",
    "Funding Org:Name", "Recipient Org:Identifier", "Recipient Org:Name",
    "Recipient Org:Charity Number", "Recipient Org:Postal Code",
    "Beneficiary Location:0:Geographic Code", "Beneficiary Location:0:Geographic Code Type",
    "Beneficiary Location:1:Geographic Code", "Beneficiary Location:1:Geographic Code Type",
    "Grant Programme:Title",
)  # fmt: skip


def _grant_row(grant: SynthGrant) -> dict[str, Any]:
    row = {
        "Identifier": grant.id,
        "Title": f"Grant to {grant.recipient_name}",
        "Currency": "GBP",
        "Amount Awarded": f"£{grant.amount:,.2f}",
        "Award Date": grant.award_date,
        "Funding Org:Identifier": grant.funder.org_id,
        "Funding Org:Name": grant.funder.name,
        "Recipient Org:Identifier": grant.recipient_id,
        "Recipient Org:Name": grant.recipient_name,
        "Recipient Org:Charity Number": grant.charity_number or "",
        "Recipient Org:Postal Code": grant.postcode or "",
        "Grant Programme:Title": "Council Community Fund",
    }
    for index, code in enumerate(grant.areas[:2]):
        row[f"Beneficiary Location:{index}:Geographic Code"] = code
        row[f"Beneficiary Location:{index}:Geographic Code Type"] = "LSOA"
    return row


def write_360giving(
    town: Town, folder: str | Path, *, grants: list[SynthGrant] | None = None
) -> Path:
    """Write the town's grants into ``folder`` (one file per funder); return the folder.

    ``grants``: these instead of :func:`grants_for` the town (a snapshot's own list).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    by_funder: dict[str, list[SynthGrant]] = {}
    for grant in grants_for(town) if grants is None else grants:
        by_funder.setdefault(grant.funder.file, []).append(grant)
    for funder in FUNDERS:
        grants = by_funder.get(funder.file, [])
        path = out / funder.file
        if path.suffix == ".csv":
            with atomic_write(path, newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=_CSV_COLUMNS)
                writer.writeheader()
                writer.writerows(_grant_row(g) for g in grants)
        elif funder.file.startswith("hartley"):
            write_bytes(path, orjson.dumps([_grant_json(g) for g in grants]))
        else:
            write_bytes(path, orjson.dumps({"grants": [_grant_json(g) for g in grants]}))
    return out
