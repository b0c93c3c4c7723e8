"""Building hostile inputs: valid files for every ingester, then broken copies of them.

Used by ``test_hostile.py`` (the table of hostile inputs) and ``test_properties.py``
(hypothesis), and :class:`WorkspaceCopy`, the copy of conftest's ``template`` workspace
each case ingests into. Every input is made here, in code; nothing is downloaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

Rows = Sequence[Sequence[Any]]

GRANT_HEADER = [
    "Identifier",
    "Title",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Postal Code",
    "Funding Org:Identifier",
    "Funding Org:Name",
]
GRANT_ROW = [
    "360G-trust-1",
    "Food bank van",
    "GBP",
    "5000",
    "2024-04-01",
    "GB-CHC-1122334",
    "Hartley Advice Centre",
    "M4 6AA",
    "GB-CHC-1000001",
    "A Trust",
]
ASSET_HEADER = ["Asset Ref", "Asset Name", "Asset Type", "Address", "Postcode", "Latitude",
                "Longitude", "Owner", "Tenure", "Community Asset Transfer"]  # fmt: skip
ASSET_ROW = ["A1", "Ancoats Library", "Public Library", "12 Mill Street", "M4 6AA", "53.4802",
             "-2.2402", "Manchester City Council", "Council freehold", ""]  # fmt: skip
REFERRAL_HEADER = ["from", "to", "count", "period"]
REFERRAL_ROW = ["svc1", "svc2", "5", "2024-Q1"]
RELATIONSHIP_HEADER = ["from", "to", "kind", "start_date", "end_date"]
RELATIONSHIP_ROW = ["org1", "org2", "partnership", "2023-04-01", "2025-03-31"]
CENTROID_HEADER = ["LSOA11CD", "latitude", "longitude"]
CENTROID_ROW = ["E01000001", "51.52", "-0.095"]

TABULAR: dict[str, tuple[list[str], list[str], str]] = {
    "360giving": (GRANT_HEADER, GRANT_ROW, "grants"),
    "assets": (ASSET_HEADER, ASSET_ROW, "assets"),
    "referrals": (REFERRAL_HEADER, REFERRAL_ROW, "referrals"),
    "relationships": (RELATIONSHIP_HEADER, RELATIONSHIP_ROW, "ties"),
}
"""Ingesters that read one CSV or XLSX table: a valid header and row, and a file stem."""


def csv_text(rows: Rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(rows: Rows, *, title: str = "Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _member_data_span(data: bytes, member: str) -> tuple[int, int]:
    """Where a zip member's (compressed) bytes are in the archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    return start, start + info.compress_size


def with_bad_crc(data: bytes, member: str) -> bytes:
    """The zip re-packed with ``member`` stored, and one byte of it changed (its CRC fails)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in contents.items():
            target.writestr(
                name,
                content,
                compress_type=zipfile.ZIP_STORED if name == member else zipfile.ZIP_DEFLATED,
            )
    packed = bytearray(buffer.getvalue())
    start, end = _member_data_span(bytes(packed), member)
    middle = (start + end) // 2
    packed[middle] = (packed[middle] + 1) % 256
    return bytes(packed)


def with_corrupt_deflate(data: bytes, member: str) -> bytes:
    """The zip with ``member``'s deflate stream overwritten by bytes no inflater accepts."""
    packed = bytearray(data)
    start, end = _member_data_span(data, member)
    for index in range(start, min(end, start + 16)):
        packed[index] = 0xFF
    return bytes(packed)


def nested(depth: int, leaf: Any = "x") -> Any:
    value: Any = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def nested_json(depth: int) -> str:
    """JSON nested ``depth`` deep, written out as text (json.dumps would recurse)."""
    return '{"a":' * depth + '"x"' + "}" * depth


def grant(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "360G-trust-1",
        "title": "Food bank van",
        "currency": "GBP",
        "amountAwarded": 5000,
        "awardDate": "2024-04-01",
        "fundingOrganization": [{"id": "GB-CHC-1000001", "name": "A Trust"}],
        "recipientOrganization": [
            {"id": "GB-CHC-1122334", "name": "Hartley Advice Centre", "postalCode": "M4 6AA"}
        ],
    }
    base.update(changes)
    return base


def service(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "s1",
        "name": "Debt advice",
        "status": "active",
        "organization": {"id": "o1", "name": "Hartley Advice Centre"},
        "service_at_locations": [
            {
                "id": "sal1",
                "location": {
                    "id": "l1",
                    "name": "Hartley House",
                    "latitude": 53.48,
                    "longitude": -2.24,
                    "addresses": [
                        {
                            "id": "a1",
                            "address_1": "1 Mill Street",
                            "city": "Manchester",
                            "postal_code": "M4 6AA",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }
    base.update(changes)
    return base


def feature(**properties: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"amenity": "library", "name": "Ancoats Library", "osm_id": 101,
                             "osm_type": "node"}  # fmt: skip
    props.update(properties)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-2.2401, 53.4801]},
        "properties": props,
    }


def asset_feature(**properties: Any) -> dict[str, Any]:
    """A venue of a GeoJSON asset register (``ingest assets``): a point with register columns."""
    props: dict[str, Any] = dict(zip(ASSET_HEADER, ASSET_ROW, strict=True))
    del props["Latitude"], props["Longitude"]
    props.update(properties)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-2.2402, 53.4802]},
        "properties": props,
    }


def named_place_grant(*names: Any) -> dict[str, Any]:
    """A grant whose beneficiary locations are given by name only (GrantNav's paths)."""
    return grant(beneficiaryLocation=[{"name": name} for name in names])


def boundary(**properties: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"LSOA11CD": "E01000001", "LSOA11NM": "Hand 001A"}
    props.update(properties)
    ring = [[-0.1, 51.5], [-0.09, 51.5], [-0.09, 51.53], [-0.1, 51.53], [-0.1, 51.5]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": props}  # fmt: skip


def collection(features: list[Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def write(folder: Path, name: str, content: str | bytes | Any) -> Path:
    """Write ``content`` (text, bytes, or a value written as JSON) to ``folder/name``."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, allow_nan=True), encoding="utf-8")
    return path


def hsds_package(folder: Path, *, organizations: str | None = None, services: str | None = None,
                 extra: dict[str, str] | None = None) -> Path:  # fmt: skip
    """A small HSDS tabular package (loose CSVs): two organisations, two services."""
    package = folder / "package"
    package.mkdir(parents=True, exist_ok=True)
    write(
        package,
        "organizations.csv",
        organizations if organizations is not None else "id,name\no1,Hartley\no2,Northgate\n",
    )
    write(
        package,
        "services.csv",
        services
        if services is not None
        else "id,organization_id,name,status\ns1,o1,Advice,active\ns2,o2,Food,active\n",
    )
    for name, text in (extra or {}).items():
        write(package, name, text)
    return package  # fmt: skip


def sha256_of_workspace(path: Path) -> str:
    """The workspace's bytes: the file and, if one is left, its write-ahead log."""
    digest = hashlib.sha256()
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class WorkspaceCopy:
    """A fresh copy of a template workspace, and the digest of its bytes before an ingest."""

    path: Path
    before: str

    @classmethod
    def of(cls, template: Path, folder: Path) -> WorkspaceCopy:
        path = folder / "workspace.db"
        shutil.copy(template, path)
        return cls(path, sha256_of_workspace(path))

    def assert_unchanged(self) -> None:
        assert sha256_of_workspace(self.path) == self.before, (
            "a refused ingest changed the workspace"
        )


Maker = Callable[[Path], Path]
