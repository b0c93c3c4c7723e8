"""Property tests for every ingester: valid records with hostile values put into their fields.

Each test starts from a valid record or table of its format, then puts ``null``, ``""``,
numbers, lists, objects, very long and deeply nested values and odd unicode into its
fields, or leaves fields out, and ingests the result into a workspace that already holds
a directory. Whatever hypothesis makes, the ingest either loads (every table's rows
accounted for) or is refused with a civicgraph error that names the file and the fix,
leaving the workspace's bytes as they were. Any other exception is a bug.

Examples are few and derandomized (the ``ci`` profile in conftest.py), so the suite
stays quick and reproducible; ``HYPOTHESIS_PROFILE=explore`` runs many more.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import TEST_DATA
from hostile import (
    ASSET_HEADER,
    ASSET_ROW,
    CENTROID_HEADER,
    CENTROID_ROW,
    GRANT_HEADER,
    GRANT_ROW,
    REFERRAL_HEADER,
    REFERRAL_ROW,
    RELATIONSHIP_HEADER,
    RELATIONSHIP_ROW,
    WorkspaceCopy,
    asset_feature,
    boundary,
    collection,
    csv_text,
    feature,
    grant,
    named_place_grant,
    nested,
    service,
    xlsx_bytes,
)
from hypothesis import given
from hypothesis import strategies as st

from civicgraph import Workspace
from civicgraph.errors import CivicGraphError, InputError
from civicgraph.ingest import ingest, ingest_areas

# -- hostile values ------------------------------------------------------------------

_ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)
_SPECIAL_TEXT = st.sampled_from(
    [
        "", " ", "\t\n", "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "0", "-0",
        "null", "None", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1", "2024-13-01",
        "31/02/2024", "ZZ99 9ZZZ", "\u202eevil\u202c", "\ufeffbom", "\u0000nul", "e\u0301",
        "\U0001f600", "a" * 100_000, "../../etc/passwd", "<script>alert(1)</script>",
    ]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    _ODD_TEXT,
    _SPECIAL_TEXT,
)
HOSTILE_JSON = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=4),
    st.dictionaries(_ODD_TEXT, _SCALARS, max_size=4),
    st.integers(min_value=40, max_value=600).map(nested),
    st.integers(min_value=40, max_value=600).map(lambda d: nested(d, leaf=[1])),
)
"""A value to put in a JSON field: of any type, very long, odd, or nested deep."""

HOSTILE_CELL = st.one_of(_ODD_TEXT, _SPECIAL_TEXT, st.integers().map(str))
"""A value to put in a CSV cell."""

HOSTILE_XLSX_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40),
    _SPECIAL_TEXT.filter(lambda t: "\x00" not in t and "\t" not in t and "\n" not in t),
)
"""A value to put in an XLSX cell (openpyxl refuses control characters)."""


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every field of a record, nested ones too, as key paths."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            found.append((*prefix, key))
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.append((*prefix, index))
            found.extend(_paths(child, (*prefix, index)))
    return found


@st.composite
def mutated(draw: st.DrawFn, record: Any) -> Any:
    """``record`` with one to three of its fields replaced by hostile values or left out."""
    record = json.loads(json.dumps(record))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(record)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = record
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]  # a missing key
        else:
            parent[path[-1]] = draw(HOSTILE_JSON)
    return record


@st.composite
def mutated_table(
    draw: st.DrawFn, header: list[str], row: list[str], cell: st.SearchStrategy[Any]
) -> list[list[Any]]:
    """A header and two rows with hostile cells, a column left out, or a column repeated."""
    rows: list[list[Any]] = [list(header), list(row), list(row)]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "header"]))
        column = draw(st.integers(min_value=0, max_value=len(rows[0]) - 1))
        if action == "drop" and len(rows[0]) > 1:
            for r in rows:
                del r[column]
        elif action == "header":
            rows[0][column] = draw(cell)
        else:
            rows[draw(st.integers(min_value=1, max_value=2))][column] = draw(cell)
    return rows


# -- the property --------------------------------------------------------------------


def loads_or_is_refused(kind: str, source: Path, template: Path, folder: Path) -> None:
    """Ingest ``source``: it loads with every row accounted for, or is refused cleanly."""
    copy = WorkspaceCopy.of(template, folder)
    try:
        with Workspace(copy.path) as workspace:
            report = ingest(workspace, kind, str(source), name="incoming")
    except CivicGraphError as error:
        refused: CivicGraphError | None = error
    else:
        refused = None
    if refused is not None:
        copy.assert_unchanged()
        if isinstance(refused, InputError):
            assert refused.path and refused.fix, str(refused)
        assert "Fix:" in str(refused), str(refused)
        return
    for table, counts in report.tables.items():
        assert counts.balanced, (table, counts)


def _json_file(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
    return path


def _fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("example")


@given(record=mutated(service()))
def test_hsds_json(record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = _fresh(tmp_path_factory)
    loads_or_is_refused("hsds", _json_file(folder, "services.json", [record]), template, folder)


@given(
    organizations=mutated_table(
        ["id", "name", "email"], ["o1", "Hartley", "a@b.org"], HOSTILE_CELL
    ),
    services=mutated_table(
        ["id", "organization_id", "name", "status", "url"],
        ["s1", "o1", "Advice", "active", "https://x.org"],
        HOSTILE_CELL,
    ),
    locations=mutated_table(
        ["id", "organization_id", "name", "latitude", "longitude", "external_identifier_type"],
        ["l1", "o1", "Hall", "53.4", "-2.2", "UPRN"],
        HOSTILE_CELL,
    ),
)
def test_hsds_tabular(
    organizations: list[list[str]],
    services: list[list[str]],
    locations: list[list[str]],
    template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = _fresh(tmp_path_factory)
    package = folder / "package"
    package.mkdir()
    for name, rows in (("organizations", organizations), ("services", services),
                       ("locations", locations)):  # fmt: skip
        (package / f"{name}.csv").write_text(csv_text(rows), encoding="utf-8")
    loads_or_is_refused("hsds", package, template, folder)


@given(record=mutated({"grants": [grant()]}))
def test_360giving_json(
    record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    loads_or_is_refused("360giving", _json_file(folder, "grants.json", record), template, folder)


@given(rows=mutated_table(GRANT_HEADER, GRANT_ROW, HOSTILE_CELL))
def test_360giving_csv(
    rows: list[list[str]], template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    path = folder / "grants.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    loads_or_is_refused("360giving", path, template, folder)


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        ("360giving", GRANT_HEADER, GRANT_ROW),
        ("assets", ASSET_HEADER, ASSET_ROW),
        ("referrals", REFERRAL_HEADER, REFERRAL_ROW),
        ("relationships", RELATIONSHIP_HEADER, RELATIONSHIP_ROW),
    ],
)
@given(data=st.data())
def test_xlsx(
    kind: str,
    header: list[str],
    row: list[str],
    data: st.DataObject,
    template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rows = data.draw(mutated_table(header, row, HOSTILE_XLSX_CELL))
    folder = _fresh(tmp_path_factory)
    path = folder / "table.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    loads_or_is_refused(kind, path, template, folder)


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        ("assets", ASSET_HEADER, ASSET_ROW),
        ("referrals", REFERRAL_HEADER, REFERRAL_ROW),
        ("relationships", RELATIONSHIP_HEADER, RELATIONSHIP_ROW),
        ("areas", CENTROID_HEADER, CENTROID_ROW),
    ],
)
@given(data=st.data())
def test_csv(
    kind: str,
    header: list[str],
    row: list[str],
    data: st.DataObject,
    template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rows = data.draw(mutated_table(header, row, HOSTILE_CELL))
    folder = _fresh(tmp_path_factory)
    path = folder / "table.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    loads_or_is_refused(kind, path, template, folder)


@given(record=mutated(collection([feature(), feature(osm_id=102, name="Hall")])))
def test_osm(record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = _fresh(tmp_path_factory)
    loads_or_is_refused("osm", _json_file(folder, "facilities.geojson", record), template, folder)


@given(
    record=mutated(
        {"elements": [{"type": "node", "id": 1, "lat": 53.48, "lon": -2.24,
                       "tags": {"amenity": "library", "name": "Ancoats Library"}}]}
    )
)  # fmt: skip
def test_osm_overpass(
    record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    loads_or_is_refused("osm", _json_file(folder, "overpass.json", record), template, folder)


@given(record=mutated(collection([boundary()])))
def test_area_boundaries(
    record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    loads_or_is_refused("areas", _json_file(folder, "lsoa.geojson", record), template, folder)


@given(record=mutated(collection([asset_feature(), asset_feature(**{"Asset Ref": "A2"})])))
def test_assets_geojson(
    record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    loads_or_is_refused("assets", _json_file(folder, "assets.geojson", record), template, folder)


@pytest.fixture(scope="module")
def template_with_areas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with areas to match beneficiary names against (tests/data/scope)."""
    path = tmp_path_factory.mktemp("template_areas") / "workspace.db"
    with Workspace(path) as workspace:
        ingest_areas(workspace, TEST_DATA / "scope", name="areas")
    return path


@given(
    record=mutated(
        {"grants": [named_place_grant("England/West Midlands/Hometown", "Hometown 001A")]}
    )
)
def test_360giving_placed_by_names(
    record: Any, template_with_areas: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    source = _json_file(folder, "grants.json", record)
    loads_or_is_refused("360giving", source, template_with_areas, folder)
    with Workspace(folder / "workspace.db") as workspace:
        workspace.graph()  # grants are placed by their beneficiary names as the graph is built


# -- the activity ingesters (openactive, volunteering, warm-spaces) --------------------

_SERIES = {
    "state": "updated",
    "kind": "SessionSeries",
    "id": "s1",
    "modified": 5,
    "data": {
        "@type": "SessionSeries",
        "@id": "https://feed.example/series/s1",
        "name": "Junior swim",
        "activity": [{"id": "https://openactive.io/activity-list#swimming", "prefLabel": "Swim"}],
        "location": {
            "name": "Oakbridge Pool",
            "address": {"streetAddress": "1 Mill St", "postalCode": "LS1 1AA"},
            "geo": {"latitude": 53.8, "longitude": -1.55},
        },
        "organizer": {"@type": "Organization", "name": "Oakbridge Leisure"},
    },
}


@given(
    record=mutated(
        {
            "next": "https://feed.example/x",
            "items": [_SERIES, {"state": "deleted", "kind": "SessionSeries", "id": "s2",
                                "modified": 6}],
            "license": "https://creativecommons.org/licenses/by/4.0/",
        }
    )
)  # fmt: skip
def test_openactive(record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = _fresh(tmp_path_factory)
    feed = folder / "feed"
    feed.mkdir()
    _json_file(feed, "page-01.json", record)
    loads_or_is_refused("openactive", feed, template, folder)


@given(
    record=mutated(
        {
            "@context": {"@vocab": "https://id.volunteeringdata.io/schema/"},
            "@graph": [
                {
                    "id": "v1",
                    "type": "Activity",
                    "label": "Pantry helper",
                    "description": "Help at the pantry",
                    "organisation": "ORG-1",
                    "applyLink": "https://volunteer.example/v1",
                    "session": [
                        {
                            "location": [{"locationType": "In Person", "address": "1 Mill St",
                                          "latitude": 53.8, "longitude": -1.55}],
                            "time": [{"begining": "2025-01-06T10:00:00",
                                      "end": "2025-01-06T12:00:00"}],
                        }
                    ],
                },
                {"id": "ORG-1", "type": "Organisation", "description": "Pantry"},
            ],
        }
    )
)  # fmt: skip
def test_volunteering(
    record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    source = _json_file(folder, "export.jsonld", record)
    loads_or_is_refused("volunteering", source, template, folder)


def _warm_space(title: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-1.55, 53.8]},
        "properties": {"title": title, "_source": "warm_welcome", **properties},
    }


@given(
    record=mutated(
        collection(
            [
                _warm_space("St Mary's Hall", address="Church Lane, Leeds LS1 1AA",
                            hours={"opening": "Mo 10:00-12:00"}),
                _warm_space("Hope Library", postcode="LS2 2BB"),
            ]
        )
    )
)  # fmt: skip
def test_warm_spaces(record: Any, template: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = _fresh(tmp_path_factory)
    source = _json_file(folder, "warm.geojson", record)
    loads_or_is_refused("warm-spaces", source, template, folder)


# -- dates: what reaches a node's dates is a real day, and no end is before its start ------

_DAY = st.one_of(
    st.builds(
        lambda y, m, d: f"{y:04}-{m:02}-{d:02}",
        st.integers(1990, 2030),
        st.integers(0, 14),
        st.integers(0, 33),
    ),
    st.sampled_from(["31/02/2024", "17/03/2024", "2024-02-29", "2023-02-29", "soon", "2024"]),
)
"""A date as files write them: often real, often not (month 13, day 0, 30 February)."""


def _dates_are_days(workspace: Workspace) -> None:
    from datetime import date, datetime

    from civicgraph.ontology import NODE_TYPES, Datatype

    spans = (("start_date", "end_date"), ("acv_listed", "acv_expires"))

    for node, data in workspace.graph().nodes(data=True):
        defined = NODE_TYPES[data["type"]].properties
        for name, value in data.items():
            kind = defined[name].datatype if name in defined else None
            if kind is Datatype.DATE:
                assert date.fromisoformat(value).isoformat() == value, (node, name, value)
            elif kind is Datatype.DATETIME:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
        for start, end in spans:
            if start in data and end in data:
                assert data[start][:10] <= data[end][:10], (node, start, end)


@given(assured=_DAY, start=_DAY, end=_DAY)
def test_dates_reach_nodes_only_as_days(
    assured: str, start: str, end: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _fresh(tmp_path_factory)
    services = _json_file(folder, "services.json", [service(assured_date=assured)])
    assets = folder / "assets.csv"
    assets.write_text(
        csv_text([["Asset Ref", "Asset Name", "Postcode", "ACV Listing Date", "ACV Expiry"],
                  ["A1", "Old Library", "LS1 1AA", start, end]]),
        encoding="utf-8",
    )  # fmt: skip
    feed = folder / "feed"
    feed.mkdir()
    item = json.loads(json.dumps(_SERIES))
    item["data"] |= {"startDate": start, "endDate": end}
    _json_file(feed, "page-01.json", {"next": "https://feed.example/x", "items": [item]})
    with Workspace(folder / "w.db") as workspace:
        for kind, source in (("hsds", services), ("assets", assets), ("openactive", feed)):
            ingest(workspace, kind, str(source), name=kind)
        _dates_are_days(workspace)
