"""OpenStreetMap extracts and asset registers: facilities as locations, one per building."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from handmade import LOC, ingest_records, node

from civicgraph import Workspace
from civicgraph.errors import InputError, UsageError
from civicgraph.ingest import ingest

# Independent of civicgraph's own pattern: anything that looks like a@b.c anywhere in a value.
_ANY_EMAIL = re.compile(r"\S+@\S+\.\w{2,}")


def _locations(workspace: Workspace) -> dict[str, dict[str, Any]]:
    graph = workspace.graph()
    return {n: d for n, d in graph.nodes(data=True) if d.get("type") == "Location"}


def _by_name(locations: dict[str, dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [d for d in locations.values() if d.get("name") == name]


def test_overpass_and_geojson_features_become_facilities(
    workspace_path: Path, test_data: Path
) -> None:
    with Workspace(workspace_path) as workspace:
        report = ingest(workspace, "osm", str(test_data / "osm"))
        locations = _locations(workspace)
    kinds = sorted(d["facility_kind"] for d in locations.values())
    assert kinds == [
        "charity",
        "community centre",
        "health centre",
        "library",
        "park",
        "place of worship",
        "pub",
    ]  # the accountant's office is not a facility
    library = _by_name(locations, "Ancoats Library")[0]
    # Both phone tags kept, the contact: website used, postcode normalised.
    assert [p["number"] for p in library["phones"]] == ["0161 555 0102", "0161 555 0101"]
    assert library["url"] == "https://library.example.org"
    assert library["postcode"] == "M4 6AA" and library["address_1"] == "12 Mill Street"
    # A way's centre, a closed ring's centroid, and an outline exported as a line string.
    park = _by_name(locations, "Cutting Room Square")[0]
    assert (park["latitude"], park["longitude"]) == (53.485, -2.23)
    hall = _by_name(locations, "Hope Hall")[0]
    assert hall["latitude"] == pytest.approx(53.001) and hall["longitude"] == pytest.approx(-1.999)
    church = _by_name(locations, "St Mary's")[0]
    assert church["latitude"] == pytest.approx(53.001)
    surgery = _by_name(locations, "Valley Surgery")[0]
    assert surgery["email"] == "hello@valley.example.org"
    assert surgery["latitude"] == pytest.approx(53.101)
    # A feature without coordinates is kept (placeable by postcode) and reported.
    pub = _by_name(locations, "The Crown")[0]
    assert "latitude" not in pub and pub["postcode"] == "M4 7BB"
    codes = {p.code for p in report.problems}
    assert {"no-point", "not-a-facility"} <= codes
    assert report.variant == "GeoJSON + Overpass JSON"


def test_one_library_from_a_directory_osm_and_an_asset_register(
    workspace_path: Path, test_data: Path
) -> None:
    with Workspace(workspace_path) as workspace:
        ingest_records(
            workspace,
            [
                node(
                    LOC,
                    "directory:location:7",
                    name="Ancoats Library",
                    postcode="M4 6AA",
                    address_1="12 Mill St",
                )
            ],
            name="directory",
        )
        ingest(workspace, "osm", str(test_data / "osm"))
        ingest(workspace, "assets", str(test_data / "assets.csv"))
        locations = _locations(workspace)
    libraries = _by_name(locations, "Ancoats Library")
    assert len(libraries) == 1  # the directory's, OpenStreetMap's and the register's: one node
    library = libraries[0]
    assert library["facility_kind"] == "library"
    assert library["ownership"] == "council" and library["owner"] == "Manchester City Council"
    # The UPRN joins the register's Hope Hall to OpenStreetMap's way 303.
    halls = _by_name(locations, "Hope Hall")
    assert len(halls) == 1 and halls[0]["ownership"] == "community"


def test_asset_register_ownership_transfer_and_bad_rows(
    workspace_path: Path, test_data: Path
) -> None:
    with Workspace(workspace_path) as workspace:
        report = ingest(workspace, "assets", str(test_data / "assets.csv"))
        locations = _locations(workspace)
    hall = _by_name(locations, "Moss Side Village Hall")[0]
    assert hall["facility_kind"] == "community centre"
    assert hall["ownership"] == "community" and hall["asset_transfer"] == "2019-04-01"
    depot = _by_name(locations, "Depot")[0]
    assert "latitude" not in depot  # swapped coordinates are reported, not guessed
    problems = {(p.code, e.get("row")) for p in report.problems for e in p.examples}
    assert ("bad-coordinates", 4) in problems
    assert ("no-name", 5) in problems  # the row without a name is rejected
    counts = report.tables["assets.csv"]
    assert counts.read == 5 and counts.rejected == 1 and counts.loaded == 4


def test_osm_input_that_is_neither_format_fails_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"type": "Topology"}', encoding="utf-8")
    with pytest.raises(InputError, match="neither GeoJSON"):
        ingest(None, "osm", str(bad))
    with pytest.raises(UsageError, match="no such file"):
        ingest(None, "osm", str(tmp_path / "missing.geojson"))


def test_real_isle_of_man_extract(workspace_path: Path, shared_data) -> None:  # type: ignore[no-untyped-def]
    folder = shared_data("osm_isle_of_man_facilities")
    with Workspace(workspace_path) as workspace:
        report = ingest(workspace, "osm", str(folder))
        locations = _locations(workspace)
    assert report.variant == "GeoJSON"
    kinds = {d["facility_kind"] for d in locations.values()}
    assert {"place of worship", "health centre", "charity"} <= kinds
    # Every kept facility has a point (the export's centroids of the building outlines).
    assert all("latitude" in d for d in locations.values())
    # contact:phone is read where phone is absent (Not Only Backs Osteopathic Clinic).
    clinic = _by_name(locations, "Not Only Backs Osteopathic Clinic")
    assert clinic and clinic[0]["phones"] == [{"number": "+44 1624 835999"}]
    # Nothing lost: what is not a facility is counted as read and noted.
    read = sum(t.read for t in report.tables.values())
    assert read == 36 + 72 + 216 + 97
    assert any(p.code == "not-a-facility" for p in report.problems)
    # read = loaded + merged + rejected + skipped, and what is no facility is skipped.
    for counts in report.tables.values():
        assert counts.read == counts.loaded + counts.merged + counts.rejected + counts.skipped
    skipped = sum(t.skipped for t in report.tables.values())
    kept = sum(t.loaded + t.merged for t in report.tables.values())
    assert skipped > 0 and kept == read - skipped - sum(t.rejected for t in report.tables.values())
    assert "skipped" in "\n".join(report.summary_lines())


def test_two_uprns_are_two_buildings_however_alike(workspace_path: Path, test_data: Path) -> None:
    with Workspace(workspace_path) as workspace:
        ingest_records(
            workspace,
            [
                node(
                    LOC,
                    "directory:location:9",
                    name="Hope Hall",
                    uprn="200000000001",
                    latitude=53.001,
                    longitude=-1.999,
                )
            ],
            name="directory",
        )
        ingest(workspace, "osm", str(test_data / "osm"))
        halls = _by_name(_locations(workspace), "Hope Hall")
        review = workspace.review_list()
    assert len(halls) == 2  # OpenStreetMap's way 303 carries UPRN 100012345678
    assert not any("Hope Hall" in str(row) for row in review)


def test_geojson_without_osm_tags_says_so_and_points_at_the_venue_ingesters(
    tmp_path: Path, run_cli: Any
) -> None:
    import json

    venues = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-1.9, 52.48]},
                "properties": {"title": "Library", "address": "1 High St", "_source": "council"},
            }
        ],
    }
    path = tmp_path / "venues.geojson"
    path.write_text(json.dumps(venues))
    db = tmp_path / "w.db"
    result = run_cli("--db", db, "ingest", "osm", path)
    assert result.code == 1 and "Traceback" not in result.err
    assert "none has an OpenStreetMap tag" in result.err
    assert "_source, address, title" in result.err
    assert "civicgraph ingest warm-spaces" in result.err
    assert f"civicgraph ingest assets {path}" in result.err
    assert not Workspace(db).sources()  # nothing was written
    assert run_cli("--db", tmp_path / "a.db", "ingest", "assets", path).code == 0  # it works
    venues["features"][0]["properties"]["amenity"] = "library"
    path.write_text(json.dumps(venues))
    assert run_cli("--db", db, "ingest", "osm", path).code == 0


@pytest.mark.parametrize(
    ("kind", "relative"),
    [
        ("osm", "osm_isle_of_man_facilities"),
        ("warm-spaces", "uk_warm_spaces/warm_spaces_all.geojson"),
    ],
)
def test_every_real_venue_row_is_accounted_for(
    kind: str, relative: str, tmp_path: Path, shared_data
) -> None:  # type: ignore[no-untyped-def]
    report = ingest(Workspace(tmp_path / "w.db"), kind, str(shared_data(relative)))
    assert report.tables
    for table, counts in report.tables.items():
        assert counts.read > 0, table
        assert counts.read == counts.loaded + counts.merged + counts.rejected + counts.skipped, (
            table
        )
    if kind == "osm":  # offices and the like are read, valid, and skipped on purpose
        assert sum(c.skipped for c in report.tables.values()) > 0


def test_geojson_asset_register_masks_emails_and_rejects_what_is_not_a_point(
    tmp_path: Path, test_data: Path, run_cli: Any
) -> None:
    path = test_data / "assets_register.geojson"
    with Workspace(tmp_path / "w.db") as workspace:
        report = ingest(workspace, "assets", str(path))
        locations = _locations(workspace)
    counts = report.tables["assets_register.geojson"]
    assert (counts.read, counts.loaded, counts.rejected) == (5, 3, 2)
    assert report.variant == "GeoJSON"
    where = {(p.code, e.get("row"), p.field) for p in report.problems for e in p.examples}
    assert ("not-a-point", 2, "geometry") in where  # the polygon, by its feature number
    assert ("bad-feature", 5, "properties") in where  # a string where a feature should be
    assert ("no-point", 3, "geometry") in where  # null geometry: kept, placed by postcode
    assert {("email-masked", 4, "contact"), ("email-masked", 4, "address")} <= where
    severities = {p.code: p.severity.value for p in report.problems}
    assert severities["email-masked"] == "warning" and severities["not-a-point"] == "error"
    hostile = '=HYPERLINK("http://evil.example")<script>alert(1)</script> Hall'
    hall = _by_name(locations, hostile)[0]  # kept verbatim; outputs escape or neutralise it
    assert (hall["latitude"], hall["longitude"]) == (52.4862, -1.8904)  # GeoJSON is lon, lat
    assert hall["facility_kind"] == "community centre" and hall["owner"].startswith("Birmingham")
    library = _by_name(locations, "Unmapped Library")[0]
    assert "latitude" not in library and library["facility_kind"] == "library"
    hope = _by_name(locations, "Hope Centre")[0]
    assert "[email removed]" in str(hope)
    assert not _ANY_EMAIL.search(str(locations))  # no address stored anywhere
    assert not _by_name(locations, "Outlined Park")
    strict = run_cli("--db", tmp_path / "s.db", "ingest", "assets", path, "--strict")
    assert strict.code == 1 and "Traceback" not in strict.err
    assert not Workspace(tmp_path / "s.db").sources()


def test_real_warm_spaces_as_an_asset_register(tmp_path: Path, shared_data, run_cli: Any) -> None:  # type: ignore[no-untyped-def]
    import json

    path = shared_data("uk_warm_spaces/warm_spaces_all.geojson")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    cells = [
        v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for f in features
        for v in (f.get("properties") or {}).values()
    ]
    with_email = sum(1 for c in cells if _ANY_EMAIL.search(c))
    assert with_email > 0  # the file has contact e-mails (grep finds ~2,000)
    result = run_cli("--db", tmp_path / "w.db", "ingest", "assets", path)
    assert result.code == 0, result.err
    masked = re.search(r"(\d+) cells held e-mail addresses; masked", result.out + result.err)
    assert masked and int(masked.group(1)) == with_email
    with Workspace(tmp_path / "w.db") as workspace:
        locations = _locations(workspace)
        report = workspace.sources()
    assert not _ANY_EMAIL.search(str(locations))
    read, loaded, merged, rejected = (
        int(n)
        for n in re.search(
            r"warm_spaces_all\.geojson\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", result.out
        ).groups()  # type: ignore[union-attr]
    )
    assert read == len(features) and read == loaded + merged + rejected
    assert len(locations) == loaded and report
