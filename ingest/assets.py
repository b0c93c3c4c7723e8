"""A council's asset register: buildings and land, with who owns them.

A CSV or XLSX sheet, one row per asset, read by column name, or a GeoJSON
FeatureCollection of points (each feature's properties are a row, read by the
same names, and its Point the coordinates; a feature that is not a Point, or
is malformed, is rejected by its number; a null geometry keeps the asset
without a point):

=================  ==========================================================
column             what it holds (other headers accepted for it)
=================  ==========================================================
name               the asset's name (``asset_name``, ``property_name``, ``site``,
                   ``title``)
kind               what it is: community centre, library, park...
                   (``type``, ``asset_type``, ``use``, ``category``)
id                 optional: the register's reference (``asset_id``, ``ref``,
                   ``reference``, ``property_reference``); else the row number
address            optional: address on one line (``address_line_1``, ``street``)
town               optional (``city``, ``locality``)
postcode           optional (``post_code``, ``postal_code``)
latitude,          optional: WGS84 decimal degrees (``lat``; ``lon``, ``lng``,
longitude          ``long``)
uprn               optional: Unique Property Reference Number
owner              optional: who owns it (``owned_by``, ``landlord``, ``freeholder``)
ownership          optional: the kind of ownership (``tenure``, ``ownership_type``):
                   council, community, leased...
asset_transfer     optional: a community asset transfer (``cat``,
                   ``community_asset_transfer``, ``transfer_date``, ``transferred``)
operator           optional: who runs it (``occupier``, ``tenant``, ``managed_by``)
=================  ==========================================================

Each row becomes a ``Location`` with ``facility_kind`` (kinds are put in
OpenStreetMap's words where they match, so both sources count alike),
``owner``, ``ownership`` and ``asset_transfer``, and, where the register gives
them, the Asset of Community Value listing and its end, moratorium and
transfer dates (see :mod:`._ownership` for those columns and the ownership
kinds). Community ownership is recorded as ``ownership = community`` when the
ownership column says so, or when an asset transfer is recorded; the owner's
name is kept as given.
Coordinates outside the WGS84 range, or that look swapped for a place in the
UK, are reported and left out (the asset keeps its postcode), never guessed.
A cell holding an e-mail address (a venue's contact) is masked in what is
stored and reported as a warning with its row and column (``--strict``
refuses the file instead); other personal data refuses the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..graph import NodeRecord, Record, Severity, local_key
from ..ontology import NodeType
from ._ownership import OWNERSHIP_COLUMNS, ownership_props
from ._pipeline import ReadContext
from ._registry import Ingester, Option, register
from ._tables import Column, open_table
from ._values import address_props

__all__ = ["ASSET_COLUMNS", "normalise_kind", "read_assets"]

ASSET_COLUMNS = (
    Column("name", ("asset_name", "property_name", "site", "site_name", "building_name", "title")),
    Column("kind", ("type", "asset_type", "use", "category", "facility_kind", "property_type")),
    Column("id", ("asset_id", "ref", "reference", "asset_ref", "property_reference", "uid")),
    Column("address", ("address_line_1", "address_1", "street", "street_address", "full_address")),
    Column("town", ("city", "locality", "address_town")),
    Column("postcode", ("post_code", "postal_code", "postcode_")),
    Column("latitude", ("lat",)),
    Column("longitude", ("lon", "lng", "long")),
    Column("uprn", ("uprn_", "property_uprn")),
    Column("owner", ("owned_by", "landlord", "freeholder", "owner_name")),
    Column("ownership", ("tenure", "ownership_type", "owner_type", "holding")),
    Column(
        "asset_transfer",
        ("cat", "community_asset_transfer", "transfer_date", "transferred", "asset_transfer_date"),
    ),
    Column("operator", ("occupier", "tenant", "managed_by", "operated_by")),
)

# A register of buildings gives the venue's contact, not a person's: these columns are
# not refused (they are not stored; e-mail addresses in any cell are masked and reported).
_CONTACT_HEADERS = ("contact", "email", "e_mail", "email_address", "contact_email")

_KINDS = (
    (
        r"community (centre|center|hall)|village hall|church hall|neighbourhood centre",
        "community centre",
    ),
    (r"librar", "library"),
    (r"church|chapel|mosque|temple|gurdwara|synagogue|place of worship|mandir", "place of worship"),
    (r"park|playground|open space|green|garden|allotment", "park"),
    (r"school|college|nursery|academy", "school"),
    (r"sport|leisure|swimming|pool|gym|pavilion", "sports centre"),
    (r"health|clinic|surgery|\bgp\b|medical", "health centre"),
    (r"\bpub\b|public house|\binn\b", "pub"),
    (r"post office", "post office"),
    (r"day centre|care home|social|hostel|supported", "social facility"),
)


def normalise_kind(text: str) -> str:
    """An asset register's kind in the facility kinds OpenStreetMap extracts use.

    Examples
    --------
    >>> normalise_kind("Village Hall"), normalise_kind("Public Library"), normalise_kind("Depot")
    ('community centre', 'library', 'depot')
    """
    lowered = re.sub(r"\s+", " ", text.strip().lower())
    for pattern, kind in _KINDS:
        if re.search(pattern, lowered):
            return kind
    return lowered


def _coordinate(
    ctx: ReadContext, table: str, row: int, lat: str, lon: str
) -> tuple[float, float] | None:
    if not lat and not lon:
        return None
    try:
        latitude, longitude = float(lat.replace(",", ".")), float(lon.replace(",", "."))
    except ValueError:
        ctx.problem(
            Severity.WARNING,
            "bad-coordinates",
            "latitude or longitude is not a number; the asset is kept without a point",
            "write WGS84 decimal degrees, e.g. 53.4808 and -2.2426.",
            table=table,
            row=row,
            field="latitude",
            value=f"{lat}, {lon}",
        )
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (
        49 <= longitude <= 61 and -9 <= latitude <= 2
    ):
        ctx.problem(
            Severity.WARNING,
            "bad-coordinates",
            "the coordinates are outside WGS84 or look swapped (latitude in the longitude "
            "column); the asset is kept without a point",
            "put latitude (about 50 to 60 in the UK) and longitude (about -8 to 2) in their own "
            "columns.",
            table=table,
            row=row,
            field="latitude",
            value=f"{lat}, {lon}",
        )
        return None
    return latitude, longitude


def read_assets(source: str, ctx: ReadContext, *, sheet: str | None = None) -> Iterator[Record]:
    """Yield one ``Location`` per row of an asset register.

    Raises
    ------
    InputError
        The file cannot be read, lacks a ``name`` column, or holds personal data
        (other than e-mail addresses, which are masked).
    UsageError
        No such file or sheet.
    """
    path = Path(source)
    if not path.exists():
        raise UsageError(f"{path}: no such file. Fix: check the path.")
    table = open_table(
        path,
        ctx,
        columns=(*ASSET_COLUMNS, *OWNERSHIP_COLUMNS),
        sheet=sheet,
        what="assets",
        safe_headers=_CONTACT_HEADERS,
        geojson=True,
        mask_emails=True,
    )
    if "name" not in table.columns:
        from ..errors import InputError

        raise InputError(
            "has no 'name' column (or 'asset_name', 'property_name', 'site').",
            path=path,
            fix="name the column that holds each asset's name 'name'.",
        )
    label = table.label
    seen: dict[str, int] = {}
    for row, cells in table.rows:
        ctx.read(label)
        name = table.get(cells, "name")
        if not name:
            ctx.reject(
                label,
                "no-name",
                "the asset has no name; rejected",
                "give each asset a name.",
                row=row,
                field="name",
            )
            continue
        local_id = table.get(cells, "id") or f"row-{row}"
        if local_id in seen:
            ctx.reject(
                label,
                "repeated-id",
                f"the asset reference repeats row {seen[local_id]}'s; rejected",
                "give each asset its own reference.",
                row=row,
                field="id",
                value=local_id,
            )
            continue
        seen[local_id] = row
        props: dict[str, Any] = {"name": name, "location_type": "physical"}
        kind = table.get(cells, "kind")
        props["facility_kind"] = normalise_kind(kind) if kind else "community asset"
        props.update(
            address_props(
                table.get(cells, "address"), table.get(cells, "town"), table.get(cells, "postcode")
            )
        )
        point = _coordinate(
            ctx, label, row, table.get(cells, "latitude"), table.get(cells, "longitude")
        )
        if point is not None:
            props["latitude"], props["longitude"] = point
        owner, ownership = table.get(cells, "owner"), table.get(cells, "ownership")
        transfer = table.get(cells, "asset_transfer")
        if owner:
            props["owner"] = owner
        props.update(
            ownership_props(
                lambda column, cells=cells: table.get(cells, column),
                ctx,
                label,
                row,
                ownership=ownership,
                transfer=transfer,
                record=local_id,
            )
        )
        operator = table.get(cells, "operator")
        if operator:
            props["operator"] = operator
        identifiers: tuple[str, ...] = ()
        uprn = table.get(cells, "uprn").removesuffix(".0")
        if uprn.isdigit():
            props["uprn"] = uprn
            identifiers = (f"uprn:{int(uprn)}",)
        yield NodeRecord(
            NodeType.LOCATION,
            local_key(ctx.source, NodeType.LOCATION, local_id),
            props,
            table=label,
            record_id=local_id,
            identifiers=identifiers,
            row=row,
        )


register(
    Ingester(
        name="assets",
        summary=(
            "A council asset register (CSV/XLSX/GeoJSON points): buildings and land with "
            "owner and kind."
        ),
        read=read_assets,
        example="civicgraph ingest assets asset-register.csv",
        options=(Option("sheet", str, None, "The XLSX sheet to read (default: the first)."),),
    )
)
