"""Hostile inputs, one table for every ingester: no crash, a clear refusal or a clear report.

Each case builds its input here (broken spreadsheets and zips, JSON nested 500 deep,
wrong types, odd encodings, implausible values) and ingests it with the command line
into a workspace that already holds a directory. A refused input exits 1 with a message
naming the file and the fix, and the workspace's bytes are what they were; an accepted
one exits 0 and, where the case says so, reports the problem with file, row and field.
Never exit 3, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile import (
    ASSET_HEADER,
    ASSET_ROW,
    CENTROID_HEADER,
    CENTROID_ROW,
    GRANT_HEADER,
    GRANT_ROW,
    TABULAR,
    Maker,
    WorkspaceCopy,
    asset_feature,
    boundary,
    collection,
    csv_text,
    feature,
    grant,
    hsds_package,
    named_place_grant,
    nested_json,
    service,
    with_bad_crc,
    with_corrupt_deflate,
    write,
    xlsx_bytes,
)

REFUSED, LOADED, EITHER, USAGE = "refused", "loaded", "either", "usage"


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    make: Maker
    outcome: str = REFUSED
    says: tuple[str, ...] = ()
    """Words the error message must hold (refused), besides the file's name and 'Fix:'."""
    problem: str | None = None
    """A problem code the report must hold, with file, row and field (loaded)."""
    options: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.kind}: {self.name}"


def _file(name: str, content: str | bytes | Any) -> Maker:
    return lambda folder: write(folder, name, content)


def _rows(header: list[str], row: list[str], **changes: str) -> list[list[str]]:
    changed = list(row)
    for column, value in changes.items():
        changed[header.index(column.replace("_", " ") if column not in header else column)] = value
    return [header, changed]


CASES: list[Case] = []

# -- spreadsheets: fake, empty, truncated and damaged .xlsx, for every ingester that reads them --

_VALID_XLSX = {kind: xlsx_bytes([header, row]) for kind, (header, row, _) in TABULAR.items()}

for _kind, (_header, _row, _stem) in TABULAR.items():
    _valid = _VALID_XLSX[_kind]
    CASES += [
        Case(_kind, "fake .xlsx (text)", _file(f"{_stem}.xlsx", b"id,name\n1,x\n"),
             says=("not a readable XLSX",)),
        Case(_kind, "empty .xlsx (0 bytes)", _file(f"{_stem}.xlsx", b""), says=("XLSX",)),
        Case(_kind, "truncated .xlsx", _file(f"{_stem}.xlsx", _valid[: len(_valid) // 2]),
             says=("XLSX",)),
        Case(_kind, ".xlsx with a bad CRC", _file(f"{_stem}.xlsx",
             with_bad_crc(_valid, "xl/worksheets/sheet1.xml")), says=("XLSX",)),
        Case(_kind, ".xlsx with corrupt deflate data", _file(f"{_stem}.xlsx",
             with_corrupt_deflate(_valid, "xl/worksheets/sheet1.xml")), says=("XLSX",)),
        Case(_kind, "a zip that is no workbook", _file(f"{_stem}.xlsx",
             with_corrupt_deflate(_valid, "[Content_Types].xml")), says=("XLSX",)),
        Case(_kind, ".xlsx with an empty sheet", _file(f"{_stem}.xlsx", xlsx_bytes([])),
             says=("empty",)),
        Case(_kind, ".xlsx whose header is numbers", _file(f"{_stem}.xlsx",
             xlsx_bytes([[1, 2, 3], [4, 5, 6]])), outcome=REFUSED),
        Case(_kind, ".xlsx cells of every type", _file(f"{_stem}.xlsx", xlsx_bytes(
             [_header, [1.5, True, None, -0.0, 10**30, "=1+1", "\u202ex\U0001f600", *_row[7:]]])),
             outcome=EITHER),
    ]  # fmt: skip

# -- CSV that is no CSV, for every ingester that reads CSV --

_CSV_KINDS = {
    **{kind: (header, row, stem) for kind, (header, row, stem) in TABULAR.items()},
    "areas": (CENTROID_HEADER, CENTROID_ROW, "centroids"),
}
for _kind, (_header, _row, _stem) in _CSV_KINDS.items():
    _name = f"{_stem}.csv"
    CASES += [
        Case(_kind, "empty CSV", _file(_name, b""), says=("empty",)),
        Case(_kind, "only a byte-order mark", _file(_name, b"\xef\xbb\xbf"), says=("empty",)),
        Case(_kind, "binary garbage", _file(_name, bytes(range(256)) * 4)),
        Case(_kind, "UTF-16", _file(_name, csv_text([_header, _row]).encode("utf-16"))),
        Case(_kind, "cp1252 text", _file(_name, csv_text([_header, [*_row[:1],
             "Caf\xe9 \xa3", *_row[2:]]]).encode("cp1252")), says=("encoding",)),
        Case(_kind, "NUL bytes in a cell", _file(_name, csv_text([_header, _row]).replace(
             _row[1], _row[1] + "\x00\x00") ), outcome=EITHER),
        Case(_kind, "header only", _file(_name, csv_text([_header])), outcome=EITHER),
        Case(_kind, "a 300 kB cell", _file(_name, csv_text([_header, [_row[0], "x" * 300_000,
             *_row[2:]]])), outcome=EITHER),
        Case(_kind, "an unclosed quote", _file(_name, csv_text([_header]) + '"' + _row[0]
             + ",unclosed\n" + ",".join(_row) + "\n"), outcome=EITHER),
        Case(_kind, "ragged rows", _file(_name, csv_text([_header]) + ",".join(_row[:2]) + "\n"
             + ",".join([*_row, "extra", "more"]) + "\n"), outcome=EITHER),
        Case(_kind, "repeated headers", _file(_name, csv_text([[*_header, _header[0]],
             [*_row, _row[0]]])), outcome=EITHER),
        Case(_kind, "odd unicode everywhere", _file(_name, csv_text([_header, [
             "\u202e\ufeff\u200b" + c + "\U0001f600\udcff".encode("utf-8", "surrogatepass")
             .decode("utf-8", "replace") for c in _row]])), outcome=EITHER),
        Case(_kind, "a folder with a .csv folder in it", lambda f, n=_name: _folder_named(f, n),
             outcome=EITHER if _kind in ("areas", "360giving") else USAGE),
    ]  # fmt: skip


def _folder_named(folder: Path, name: str) -> Path:
    target = folder / "input"
    (target / name).mkdir(parents=True)
    return target


# -- JSON that is no JSON, or not the JSON expected, for every ingester that reads JSON --

_JSON_KINDS = {
    "hsds": "services.json",
    "360giving": "grants.json",
    "osm": "facilities.geojson",
    "areas": "boundaries.geojson",
}
for _kind, _name in _JSON_KINDS.items():
    CASES += [
        Case(
            _kind,
            "nested 500 deep",
            _file(_name, nested_json(500)),
            outcome=EITHER if _kind == "hsds" else REFUSED,
        ),
        Case(_kind, "a list of numbers", _file(_name, "[1, 2, 3]")),
        Case(_kind, "null", _file(_name, "null")),
        Case(_kind, "a string", _file(_name, '"grants"')),
        Case(_kind, "an empty object", _file(_name, "{}")),
        Case(_kind, "an empty list", _file(_name, "[]")),
        Case(_kind, "NaN and Infinity tokens", _file(_name, '[{"id": NaN, "n": Infinity}]')),
        Case(_kind, "a number too large for a float", _file(_name, '[{"id": 1e400}]')),
        Case(_kind, "truncated", _file(_name, '{"features": [{"type": "Feature", "prop')),
        Case(_kind, "UTF-16 JSON", _file(_name, json.dumps([{"id": "1"}]).encode("utf-16"))),
        Case(_kind, "an HTML page", _file(_name, b"<!doctype html><html><body>Sign in</body>")),
        Case(_kind, "binary garbage", _file(_name, bytes(range(256)))),
    ]

# -- 360Giving --

CASES += [
    Case("360giving", "a JSON package of numbers", _file("grants.json", {"grants": [1, 2, 3]}),
         says=("no grants",)),
    Case("360giving", "grants nested 500 deep in a field",
         _file("grants.json", '{"grants": [' + json.dumps(grant())[:-1] + ', "title": '
               + nested_json(500) + "}]}"), outcome=EITHER),
    Case("360giving", "amount NaN", _file("grants.csv", csv_text(
         _rows(GRANT_HEADER, GRANT_ROW, **{"Amount Awarded": "NaN"}))),
         outcome=LOADED, problem="invalid-amount"),
    Case("360giving", "amount Infinity", _file("grants.csv", csv_text(
         _rows(GRANT_HEADER, GRANT_ROW, **{"Amount Awarded": "Infinity"}))),
         outcome=LOADED, problem="invalid-amount"),
    Case("360giving", "amount 1e308", _file("grants.csv", csv_text(
         _rows(GRANT_HEADER, GRANT_ROW, **{"Amount Awarded": "1e308"}))),
         outcome=LOADED, problem="implausible-amount"),
    Case("360giving", "amount 1e308 in JSON", _file("grants.json",
         {"grants": [grant(amountAwarded=1e308)]}), outcome=LOADED, problem="implausible-amount"),
    Case("360giving", "amount as a JSON list", _file("grants.json",
         {"grants": [grant(amountAwarded=[5000])]}), outcome=LOADED, problem="invalid-amount"),
    Case("360giving", "amount as a JSON object", _file("grants.json",
         {"grants": [grant(amountAwarded={"value": 5000})]}), outcome=LOADED,
         problem="invalid-amount"),
    Case("360giving", "award date in month 13", _file("grants.csv", csv_text(
         _rows(GRANT_HEADER, GRANT_ROW, **{"Award Date": "2024-13-01"}))),
         outcome=LOADED, problem="invalid-date"),
    Case("360giving", "award date 31/02", _file("grants.csv", csv_text(
         _rows(GRANT_HEADER, GRANT_ROW, **{"Award Date": "31/02/2024"}))),
         outcome=LOADED, problem="invalid-date"),
    Case("360giving", "a malformed recipient postcode", _file("grants.csv", csv_text(
         _rows(GRANT_HEADER, GRANT_ROW, **{"Recipient Org:Postal Code": "ZZ99 9ZZZ"}))),
         outcome=LOADED, problem="bad-postcode"),
    Case("360giving", "organisations given as strings", _file("grants.json", {"grants": [
         grant(recipientOrganization="GB-CHC-1", fundingOrganization=["x", 3])]}),
         outcome=EITHER),
    Case("360giving", "every field null", _file("grants.json", {"grants": [
         dict.fromkeys(grant())]}), outcome=LOADED),
    Case("360giving", "every field a list", _file("grants.json", {"grants": [
         {k: [v] for k, v in grant().items()}]}), outcome=EITHER),
    Case("360giving", "every field an object", _file("grants.json", {"grants": [
         {k: {"v": v} for k, v in grant().items()}]}), outcome=EITHER),
    Case("360giving", "a folder with no grants files", lambda f: (f / "empty").mkdir() or
         f / "empty", says=("no 360Giving files",)),
]  # fmt: skip

# -- HSDS --

CASES += [
    Case("hsds", "nested 500 deep, no file name hint", _file("data.json", nested_json(500)),
         says=("no HSDS records",)),
    Case("hsds", "nested 1,000 deep", _file("data.json", nested_json(1000))),
    Case("hsds", "a service nested 1,000 deep in a field", _file("services.json",
         '[' + json.dumps(service())[:-1] + ', "description": ' + nested_json(1000) + "}]"),
         outcome=EITHER),
    Case("hsds", "a list of services nested in lists", _file("services.json",
         "[" * 300 + json.dumps(service()) + "]" * 300), outcome=EITHER),
    Case("hsds", "a service nested 500 deep in a field", _file("services.json",
         '[' + json.dumps(service())[:-1] + ', "description": ' + nested_json(500) + "}]"),
         outcome=EITHER),
    Case("hsds", "a malformed postcode", _file("services.json", [service(
         service_at_locations=[{"id": "sal1", "location": {"id": "l1", "name": "Hall",
         "addresses": [{"id": "a1", "address_1": "1 Road", "city": "Leeds",
         "postal_code": "ZZ99 9ZZZ", "country": "GB"}]}}])]),
         outcome=LOADED, problem="bad-postcode"),
    Case("hsds", "a latitude of 1e308", _file("services.json", [service(
         service_at_locations=[{"id": "sal1", "location": {"id": "l1", "name": "Hall",
         "latitude": 1e308, "longitude": -2.0}}])]), outcome=LOADED, problem="invalid-value"),
    Case("hsds", "every field null", _file("services.json", [dict.fromkeys(service())]),
         outcome=EITHER),
    Case("hsds", "every field a list", _file("services.json",
         [{k: [v] for k, v in service().items()}]), outcome=EITHER),
    Case("hsds", "every field a number", _file("services.json",
         [dict.fromkeys(service(), 7)]), outcome=EITHER),
    Case("hsds", "an empty external_identifier_type in CSV", lambda f: hsds_package(f, extra={
         "locations.csv": "id,name,external_identifier,external_identifier_type\n"
         "l1,Hall,123,\n"}), outcome=EITHER),
    Case("hsds", "a zip with a bad CRC", lambda f: _zip_of_package(f, bad_crc=True),
         says=("damaged",)),
    Case("hsds", "a zip with corrupt deflate data", lambda f: _zip_of_package(f, corrupt=True),
         says=("damaged",)),
    Case("hsds", "a zip bomb (declared sizes)", lambda f: _zip_bomb(f), says=("bytes",)),
    Case("hsds", "a zip whose services.csv is not UTF-8", lambda f: _zip_of_package(
         f, services="id,organization_id,name\ns1,o1,Caf\xe9\n".encode("cp1252")),
         says=("package.zip!",)),
]  # fmt: skip


def _zip_of_package(
    folder: Path, *, bad_crc: bool = False, corrupt: bool = False, services: bytes | None = None
) -> Path:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("organizations.csv", "id,name\no1,Hartley\n" * 50)
        archive.writestr(
            "services.csv",
            services or b"id,organization_id,name,status\n" + b"s1,o1,Advice,active\n" * 50,
        )
    data = buffer.getvalue()
    if bad_crc:
        data = with_bad_crc(data, "services.csv")
    if corrupt:
        data = with_corrupt_deflate(data, "services.csv")
    return write(folder, "package.zip", data)


def _zip_bomb(folder: Path) -> Path:
    """A zip whose members declare far more than they hold (the sizes in the headers lie)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("services.csv", b"\0" * 10_000_000)  # packs to about 10 KB
    return write(folder, "bomb.zip", buffer.getvalue())


# -- OpenStreetMap --

CASES += [
    Case("osm", "properties given as a list", _file("facilities.geojson",
         collection([{**feature(), "properties": ["amenity", "library"]}])), outcome=LOADED,
         problem="bad-feature"),
    Case("osm", "properties given as a string", _file("facilities.geojson",
         collection([{**feature(), "properties": "amenity=library"}])), outcome=LOADED,
         problem="bad-feature"),
    Case("osm", "tags given as a list (Overpass)", _file("overpass.json", {"elements": [
         {"type": "node", "id": 1, "lat": 53.0, "lon": -2.0, "tags": ["amenity", "library"]}]}),
         outcome=LOADED, problem="bad-feature"),
    Case("osm", "features that are not objects", _file("facilities.geojson",
         collection([1, "x", None, [feature()]])), outcome=LOADED),
    Case("osm", "geometry with string coordinates", _file("facilities.geojson", collection(
         [{**feature(), "geometry": {"type": "Point", "coordinates": ["a", "b"]}}])),
         outcome=LOADED),
    Case("osm", "coordinates nested 500 deep", _file("facilities.geojson",
         '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
         '{"amenity": "library", "name": "L"}, "geometry": {"type": "Point", "coordinates": '
         + "[" * 500 + "1" + "]" * 500 + "}}]}"), outcome=EITHER),
    Case("osm", "a name that is an object", _file("facilities.geojson",
         collection([feature(name={"en": "Library"})])), outcome=EITHER),
    Case("osm", "a latitude of 1e308", _file("facilities.geojson",
         collection([feature(lat=1e308, lon=1e308)])), outcome=LOADED),
    Case("osm", "a malformed postcode", _file("facilities.geojson",
         collection([feature(**{"addr:postcode": "ZZ99 9ZZZ"})])), outcome=LOADED,
         problem="bad-postcode"),
    Case("osm", "features given as an object", _file("facilities.geojson",
         {"type": "FeatureCollection", "features": {"0": feature()}})),
]  # fmt: skip

# -- areas --

CASES += [
    Case("areas", "boundaries with properties as a list", _file("boundaries.geojson",
         collection([{**boundary(), "properties": ["LSOA11CD", "E01000001"]}])),
         outcome=EITHER),
    Case("areas", "boundary geometry nested 500 deep", _file("boundaries.geojson",
         '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
         '{"LSOA11CD": "E01000001"}, "geometry": {"type": "Polygon", "coordinates": '
         + "[" * 500 + "1" + "]" * 500 + "}}]}"), outcome=EITHER),
    Case("areas", "a boundary whose geometry is a string", _file("boundaries.geojson",
         collection([{**boundary(), "geometry": "POLYGON((0 0, 1 1))"}])), outcome=EITHER),
    Case("areas", "a centroid of 1e308", _file("centroids.csv", csv_text(
         [CENTROID_HEADER, ["E01000001", "1e308", "1e308"]])), outcome=LOADED,
         problem="bad-centroid"),
    Case("areas", "a centroid NaN", _file("centroids.csv", csv_text(
         [CENTROID_HEADER, ["E01000001", "NaN", "nan"]])), outcome=LOADED, problem="bad-centroid"),
    Case("areas", "a .csv.gz that is not gzip", _file("centroids.csv.gz", b"not gzip at all")),
]  # fmt: skip

# -- assets, referrals, relationships: implausible values --

CASES += [
    Case("assets", "a malformed postcode", _file("assets.csv", csv_text(
         _rows(ASSET_HEADER, ASSET_ROW, Postcode="ZZ99 9ZZZ"))), outcome=LOADED,
         problem="bad-postcode"),
    Case("assets", "a latitude of 1e308", _file("assets.csv", csv_text(
         _rows(ASSET_HEADER, ASSET_ROW, Latitude="1e308"))), outcome=LOADED),
    Case("assets", "latitude NaN", _file("assets.csv", csv_text(
         _rows(ASSET_HEADER, ASSET_ROW, Latitude="NaN", Longitude="inf"))), outcome=LOADED),
    Case("assets", "an asset transfer in month 13", _file("assets.csv", csv_text(
         _rows(ASSET_HEADER, ASSET_ROW, **{"Community Asset Transfer": "2019-13-01"}))),
         outcome=LOADED),
    Case("referrals", "count NaN", _file("referrals.csv", csv_text(
         [["from", "to", "count"], ["svc1", "svc2", "NaN"]])), outcome=LOADED),
    Case("referrals", "count Infinity", _file("referrals.csv", csv_text(
         [["from", "to", "count"], ["svc1", "svc2", "Infinity"]])), outcome=LOADED),
    Case("referrals", "count 1e308", _file("referrals.csv", csv_text(
         [["from", "to", "count"], ["svc1", "svc2", "1e308"]])), outcome=LOADED),
    Case("referrals", "a period in month 13", _file("referrals.csv", csv_text(
         [["from", "to", "count", "period"], ["svc1", "svc2", "3", "2024-13"]])), outcome=LOADED),
    Case("relationships", "a start date in month 13", _file("ties.csv", csv_text(
         [["from", "to", "kind", "start_date"], ["org1", "org2", "partnership", "2024-13-01"]])),
         outcome=LOADED, problem="bad-date"),
    Case("relationships", "a start date of 31/02", _file("ties.csv", csv_text(
         [["from", "to", "kind", "start_date"], ["org1", "org2", "partnership", "31/02/2024"]])),
         outcome=LOADED, problem="bad-date"),
]  # fmt: skip

# -- the newer paths: GeoJSON asset registers, grants placed by beneficiary names --

CASES += [
    Case("assets", "GeoJSON properties given as a list", _file("assets.geojson",
         collection([{**asset_feature(), "properties": ["Asset Name", "Library"]}])),
         outcome=EITHER),
    Case("assets", "GeoJSON features that are not objects", _file("assets.geojson",
         collection([1, "x", None, [asset_feature()]])), outcome=EITHER),
    Case("assets", "GeoJSON features given as an object", _file("assets.geojson",
         {"type": "FeatureCollection", "features": {"0": asset_feature()}})),
    Case("assets", "GeoJSON string coordinates", _file("assets.geojson", collection(
         [{**asset_feature(), "geometry": {"type": "Point", "coordinates": ["a", "b"]}}])),
         outcome=EITHER),
    Case("assets", "GeoJSON a polygon venue", _file("assets.geojson", collection(
         [asset_feature(), {**asset_feature(**{"Asset Ref": "A2"}), "geometry": boundary()[
         "geometry"]}])), outcome=EITHER),
    Case("assets", "GeoJSON coordinates of 1e308", _file("assets.geojson", collection(
         [{**asset_feature(), "geometry": {"type": "Point", "coordinates": [1e308, 1e308]}}])),
         outcome=EITHER),
    Case("assets", "GeoJSON coordinates nested 500 deep", _file("assets.geojson",
         '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
         '{"Asset Name": "L"}, "geometry": {"type": "Point", "coordinates": '
         + "[" * 500 + "1" + "]" * 500 + "}}]}"), outcome=EITHER),
    Case("assets", "GeoJSON a name that is an object", _file("assets.geojson",
         collection([asset_feature(**{"Asset Name": {"en": "Library"}})])), outcome=EITHER),
    Case("assets", "GeoJSON an e-mail in a cell", _file("assets.geojson",
         collection([asset_feature(Owner="someone@example.org")])), outcome=LOADED),
    Case("360giving", "beneficiary names of every type", _file("grants.json", {"grants": [
         named_place_grant("England/South West/Plymouth", 7, None, {"x": 1}, ["a"], "",
                           "////", "\u202e\U0001f600", "x" * 100_000)]}), outcome=EITHER),
    Case("360giving", "beneficiary locations not objects", _file("grants.json", {"grants": [
         {**named_place_grant(), "beneficiaryLocation": ["Plymouth", 3, None]}]}),
         outcome=EITHER),
]  # fmt: skip


def _problem_places(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    """Each example of a problem, with its group's file and field."""
    return [
        {"file": group.get("file"), "field": group.get("field"), **example}
        for group in report["problems"]
        if group["code"] == code
        for example in group.get("examples", [])
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_input_is_refused_or_reported_never_a_crash(
    case: Case, template: Path, tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    workspace = WorkspaceCopy.of(template, tmp_path)
    source = case.make(tmp_path)
    report = tmp_path / "report.json"
    result = run_cli(
        "--db", workspace.path, "ingest", case.kind, source, "--name", "incoming",
        "--report", report, *case.options,
    )  # fmt: skip
    assert result.code in ((2,) if case.outcome == USAGE else (0, 1)), (case.id, result.err)
    assert "Traceback" not in result.err and "Internal error" not in result.err, result.err
    expected = {REFUSED: 1, LOADED: 0, USAGE: 2}.get(case.outcome)
    if expected is not None:
        assert result.code == expected, (case.id, result.err)
    if result.code in (1, 2):
        workspace.assert_unchanged()
        assert "Fix:" in result.err, result.err
        assert source.name in result.err, (source.name, result.err)
        assert str(tmp_path) not in result.err.replace(str(source), ""), (
            "the message names a temporary file, not the input"
        )
        for words in case.says:
            assert words in result.err, (words, result.err)
    else:
        data = json.loads(report.read_text(encoding="utf-8"))
        for counts in data["tables"].values():
            assert counts["read"] == counts["loaded"] + counts["merged"] + counts["rejected"]
        if case.problem is not None:
            examples = _problem_places(data, case.problem)
            assert examples, (case.problem, [g["code"] for g in data["problems"]])
            # Where: the file, the row (a record's id in JSON, which has no rows), the field.
            assert any(
                e.get("file") and (e.get("row") or e.get("record")) and e.get("field")
                for e in examples
            ), examples


def test_the_table_is_as_large_as_the_issue_says() -> None:
    assert len(CASES) >= 155
    assert {c.kind for c in CASES} == {
        "hsds", "360giving", "areas", "osm", "assets", "referrals", "relationships",
    }  # fmt: skip
