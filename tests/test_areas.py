"""Areas ingest: the real England IMD and ONS files, hand-built bad input, and placing."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from handmade import edge, ingest_records, node
from helpers import TEST_DATA, shared

from civicgraph import Workspace
from civicgraph.graph import IngestReport
from civicgraph.ingest import ingest_areas
from civicgraph.ontology import EdgeType, NodeType
from civicgraph.queries import run_query

AREAS = TEST_DATA / "areas"


def _parents(graph: Any, node_id: str) -> set[str]:
    return {v for _, v, d in graph.out_edges(node_id, data=True) if d["type"] == "PART_OF"}


def _problems(report: IngestReport) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for group in report.problems:
        counts[group.code] += group.count
    return dict(counts)


# -- real data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestReport, Any]:
    folder = shared("imd2019_lsoa")
    workspace = Workspace(tmp_path_factory.mktemp("england") / "w.db")
    report = ingest_areas(workspace, folder, name="england")
    return workspace, report, workspace.graph()


def _count_rows(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
        return sum(1 for _ in handle) - 1


def test_england_counts_match_the_files(england: tuple[Workspace, IngestReport, Any]) -> None:
    _, report, graph = england
    folder = shared("imd2019_lsoa")
    levels = Counter(d.get("level") for _, d in graph.nodes(data=True) if d["type"] == "Area")
    imd_rows = _count_rows(folder / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz")
    oa_rows = _count_rows(folder / "OA11_LSOA11_MSOA11_LAD17_OAC_lookup_EW.csv.gz")
    ranked = sum(1 for _, d in graph.nodes(data=True) if d.get("imd_rank") is not None)
    assert ranked == imd_rows == 32_844
    assert levels["oa"] == oa_rows == 227_759
    for table in report.tables.values():
        assert table.balanced
        assert table.rejected == 0
    assert not [g for g in report.problems if g.severity in ("error", "warning")]


@pytest.mark.parametrize(
    ("lsoa", "rank", "decile", "population", "msoa", "lad", "income_rank"),
    [
        # read by hand from Files 1, 2 and 6 and the OA lookup
        ("E01000001", 29_199, 9, 1_296, "E02000001", "E09000001", 32_831),
        ("E01011681", 4_084, 2, None, "E02002392", "E08000035", None),
        ("E01033768", 1_833, 1, None, None, "E08000012", None),
    ],
)
def test_known_lsoas(
    england: tuple[Workspace, IngestReport, Any],
    lsoa: str,
    rank: int,
    decile: int,
    population: int | None,
    msoa: str | None,
    lad: str,
    income_rank: int | None,
) -> None:
    graph = england[2]
    data = graph.nodes[lsoa]
    assert (data["level"], data["vintage"]) == ("lsoa", "2011")
    assert (data["imd_rank"], data["imd_decile"]) == (rank, decile)
    if population is not None:
        assert data["population"] == population
        assert data["population_year"] == "2015"
    if income_rank is not None:
        assert data["income_rank"] == income_rank
    parents = _parents(graph, lsoa)
    assert lad in parents
    if msoa is not None:
        assert msoa in parents
        assert lad in _parents(graph, msoa)


def test_chain_reaches_region_and_country(england: tuple[Workspace, IngestReport, Any]) -> None:
    graph = england[2]
    # OA E00058813 is in Leeds 063D (E01011681), Leeds 063, Leeds, Yorkshire and The Humber
    assert _parents(graph, "E00058813") == {"E01011681"}
    assert _parents(graph, "E08000035") == {"E12000003"}
    assert graph.nodes["E12000003"]["name"] == "Yorkshire and The Humber"
    assert _parents(graph, "E12000003") == {"E92000001"}
    # Wales has no regions: its authorities sit in the country, with no loop
    welsh = next(
        n for n, d in graph.nodes(data=True) if n.startswith("W06") and d["type"] == "Area"
    )
    assert _parents(graph, welsh) == {"W92000004"}
    assert graph.nodes["W92000004"]["level"] == "country"


def test_centroids_mix_vintages_without_joining_them(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_areas(workspace, shared("uk_geo_lookups_drkane") / "lsoa_latlong.csv")
    graph = workspace.graph()
    assert graph.nodes["E01000001"]["vintage"] == "2011"
    assert graph.nodes["E01035000"]["vintage"] == "2021"
    assert 51.4 < graph.nodes["E01000001"]["latitude"] < 51.6
    assert graph.nodes["95AA01S1"]["level"] == "soa"
    assert all(t.balanced for t in report.tables.values())


def test_postcode_directory(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    path = shared("onspd_postcode_sample") / "onspd_sample_AB.csv"
    report = ingest_areas(workspace, path)
    graph = workspace.graph()
    postcodes = [d for _, d in graph.nodes(data=True) if d.get("level") == "postcode"]
    with path.open(encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    assert len(postcodes) == rows
    terminated = [d for d in postcodes if d.get("terminated")]
    assert len(terminated) > 3_000  # SOURCE.txt: 3,811 terminated
    # AB1 0AA (terminated 1996-06): its 2011 data zone, ward and council, read from the file
    data = graph.nodes["AB10AA"]
    assert (data["code"], data["terminated"]) == ("AB1 0AA", "1996-06")
    assert _parents(graph, "AB10AA") == {"S01006514", "S13002843", "S12000033"}
    assert "not-applicable-codes" in _problems(report)
    assert not any(v.startswith(("S99", "E99")) for v in graph.nodes if isinstance(v, str))


def test_boundaries_place_by_polygon(tmp_path: Path) -> None:
    from shapely.geometry import shape

    workspace = Workspace(tmp_path / "w.db")
    boundaries = shared("uk_geo_lookups_drkane") / "boundaries" / "lsoa11_E08000035.geojson"
    ingest_areas(workspace, boundaries)
    graph = workspace.graph()
    leeds = [n for n, d in graph.nodes(data=True) if d.get("geometry")]
    assert len(leeds) == 482
    target = "E01011681"
    inside = shape(graph.nodes[target]["geometry"]).representative_point()
    ingest_records(
        workspace,
        [
            node(
                NodeType.LOCATION,
                "h:location:1",
                name="Hall",
                latitude=inside.y,
                longitude=inside.x,
            )
        ],
    )
    graph = workspace.graph()
    placed = [(v, d["method"]) for _, v, d in graph.out_edges("h:location:1", data=True)]
    assert placed == [(target, "boundary")]


def test_miami_is_reported_as_not_uk(tmp_path: Path) -> None:
    from civicgraph.ingest import ingest_hsds

    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, shared("hsds1_miami_open211"), name="miami")
    ingest_areas(workspace, AREAS)
    graph = workspace.graph()
    assert not any(d["type"] == "IN_AREA" for _, _, d in graph.edges(data=True))
    rows = run_query("unplaced", workspace, kind="location")
    locations = sum(1 for _, d in graph.nodes(data=True) if d["type"] == "Location")
    assert len(rows) == locations
    no_coordinates = rows[rows["latitude"].isna()]
    assert len(no_coordinates) > 1_000
    florida = no_coordinates[no_coordinates["reason"].str.contains("(state FL)", regex=False)]
    assert len(florida) > 1_000
    assert florida["reason"].str.startswith("not UK data").all()
    with_coordinates = rows[rows["latitude"].notna()]
    assert with_coordinates["reason"].str.contains("outside the UK").all()


def test_miami_says_not_uk_before_any_areas_are_ingested(tmp_path: Path) -> None:
    from civicgraph.ingest import ingest_hsds

    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, shared("hsds1_miami_open211"), name="miami")
    rows = run_query("unplaced", workspace, kind="location")
    locations = workspace.stats()["nodes"]["Location"]
    assert len(rows) == locations
    abroad = rows["reason"].str.startswith("not UK data")
    assert abroad.sum() > 0.9 * locations
    # The rest say nothing of their country: for those, areas are what is missing.
    assert rows.loc[~abroad, "reason"].str.contains("ingest areas first").all()


# -- hand-built ------------------------------------------------------------------------------


def test_bad_input_is_reported_and_nothing_lost(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_areas(workspace, AREAS)
    problems = _problems(report)
    assert problems["bad-area-code"] == 1  # 'Hand 003A'
    assert problems["mixed-vintage"] == 1  # E01035000 in a 2011 column
    assert problems["bad-number"] == 1  # decile 11
    assert problems["missing-population"] == 1  # E01000002
    assert problems["bad-centroid"] == 2  # swapped, and lat 100 / lon 101
    assert problems["bad-postcode"] == 1
    assert problems["not-applicable-codes"] == 1
    for table in report.tables.values():
        assert table.balanced
    graph = workspace.graph()
    assert "E01035000" not in graph
    assert graph.nodes["E01000001"]["population"] == 1_296  # thousands separator read
    assert graph.nodes["E01000001"]["imd_rank"] == 29_199
    assert "imd_decile" not in graph.nodes["E01000003"]
    assert "latitude" not in graph.nodes["E01000003"]  # swapped centroid left out
    swapped = next(
        g for g in report.problems if g.code == "bad-centroid" and "swapped" in g.summary
    )
    assert swapped.examples[0]["row"] == 4


def _placing_records() -> list[Any]:
    location = NodeType.LOCATION
    return [
        node(location, "h:location:pc", name="Postcode hall", postcode="EC1A 1AA"),
        node(location, "h:location:old", name="Old postcode", postcode="EC1A 9ZZ"),
        node(location, "h:location:xy", name="Coordinates", latitude=51.5199, longitude=-0.0949),
        node(location, "h:location:bad", name="Bad", latitude=100.0, longitude=101.0),
        node(location, "h:location:swap", name="Swapped", latitude=-0.0949, longitude=51.5199),
        node(location, "h:location:unknown", name="Unknown", postcode="ZZ9 9ZZ"),
        node(location, "h:location:far", name="Far", latitude=55.95, longitude=-3.19),
        node(location, "h:location:none", name="Nothing"),
        node(
            NodeType.SERVICE,
            "h:service:1",
            name="Borough-wide",
            service_areas=[{"name": "Hand Borough"}],
        ),
        node(NodeType.SERVICE, "h:service:2", name="Nowhere", service_areas=[{"name": "Atlantis"}]),
        node(NodeType.GRANT, "h:grant:1", title="Grant", beneficiary_postcodes=["EC1A 1AA"]),
        node(NodeType.AREA, "E01000002", code="E01000002"),
        node(NodeType.LOCATION, "h:location:given", name="Given"),
        edge(EdgeType.IN_AREA, "h:location:given", "E01000002"),
    ]


@pytest.mark.parametrize("areas_first", [True, False])
def test_placing(tmp_path: Path, areas_first: bool) -> None:
    workspace = Workspace(tmp_path / "w.db")
    if areas_first:
        ingest_areas(workspace, AREAS)
        ingest_records(workspace, _placing_records())
    else:
        ingest_records(workspace, _placing_records())
        ingest_areas(workspace, AREAS)
    graph = workspace.graph()

    def placed(n: str) -> list[tuple[str, str, str]]:
        return sorted(
            (d["type"], v, d.get("method", "")) for _, v, d in graph.out_edges(n, data=True)
        )

    assert placed("h:location:pc") == [("IN_AREA", "E01000002", "postcode")]
    assert placed("h:location:old") == [("IN_AREA", "E01000001", "postcode (terminated)")]
    assert placed("h:location:xy") == [("IN_AREA", "E01000001", "centroid")]
    assert placed("h:service:1") == [("SERVES_AREA", "E09000001", "name")]
    assert placed("h:grant:1") == [("BENEFITS_AREA", "E01000002", "postcode")]
    assert placed("h:location:given") == [("IN_AREA", "E01000002", "")]
    edge_data = graph.get_edge_data("h:location:xy", "E01000001", "IN_AREA")
    assert 0 < edge_data["distance_km"] < 0.1
    assert set(edge_data["sources"]) == {"hand", "areas"}

    rows = run_query("unplaced", workspace)
    reasons = dict(zip(rows["id"], rows["reason"], strict=True))
    # ingest itself refuses latitude 100 (and says so), so nothing is left to place it by
    assert reasons["h:location:bad"] == "it has no postcode; it has no coordinates"
    assert "swapped" in reasons["h:location:swap"]
    assert "ZZ9 9ZZ is not in any postcode lookup" in reasons["h:location:unknown"]
    assert "km away" in reasons["h:location:far"]
    assert reasons["h:location:none"] == "it has no postcode; it has no coordinates"
    assert "'Atlantis' names no area" in reasons["h:service:2"]
    placed_ids = {"h:location:pc", "h:location:old", "h:location:xy", "h:service:1", "h:grant:1"}
    assert not placed_ids & set(reasons)


def test_unplaced_without_areas_says_to_ingest_them(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_records(workspace, _placing_records()[:3])
    rows = run_query("unplaced", workspace)
    assert len(rows) == 3
    assert rows["reason"].str.contains("ingest areas first").all()


def test_cli(tmp_path: Path, run_cli: Any) -> None:
    db = tmp_path / "w.db"
    result = run_cli("--db", db, "ingest", "areas", AREAS, "--name", "hand")
    assert result.code == 0, result.err
    assert "mixed-vintage" in result.out + result.err or "2021 code" in result.out + result.err
    result = run_cli("--db", db, "ingest", "areas", TEST_DATA / "oruk1")
    assert result.code == 1
    assert "is not an area file civicgraph knows" in result.err or "holds no" in result.err
    assert "Traceback" not in result.err
    result = run_cli("--db", db, "ingest", "areas", tmp_path / "missing.csv")
    assert result.code == 2
    result = run_cli("--db", db, "query", "unplaced", "--format", "csv")
    assert result.code == 0
    assert result.out.splitlines()[0].startswith("id,type,name")


def test_si_index_and_gaps_on_real_england(england: tuple[Workspace, IngestReport, Any]) -> None:
    """Every English authority is scored; grants' real beneficiary areas give funding per head."""
    from civicgraph.ingest import ingest_360giving
    from civicgraph.queries import gaps, si_index

    workspace = england[0]
    ingest_360giving(
        workspace,
        shared("360giving_grantnav_samples") / "power_to_change_a002400000nO46WAAS.json",
        name="ptc",
    )
    graph = workspace.graph()
    table = si_index(graph, level="lad")
    lads_with_people = {
        parent
        for lsoa, data in graph.nodes(data=True)
        if data.get("level") == "lsoa" and data.get("population")
        for parent in _parents(graph, lsoa)
        if graph.nodes[parent].get("level") == "lad"
    }
    scored = table[table["si_rank"].notna()]
    assert set(scored["area"]) == lads_with_people
    # Competition ranks on the score as shown: 1 + the areas scoring lower (1 = poorest), so
    # equal scores share a rank and the ranks run 1..n with gaps after ties.
    shown = scored["si_score"].round(1)
    expected = [1 + int((shown < score).sum()) for score in shown]
    assert list(scored["si_rank"].astype(int)) == expected
    assert scored["si_rank"].min() == 1 and scored["si_rank"].max() <= len(scored)

    def lads_of(area: str) -> set[str]:
        seen, stack, found = {area}, [area], set()
        while stack:
            here = stack.pop()
            if graph.nodes[here].get("level") == "lad":
                found.add(here)
            for parent in _parents(graph, here) - seen:
                seen.add(parent)
                stack.append(parent)
        return found

    funded = {
        lad
        for _, area, data in graph.edges(data=True)
        if data["type"] == "BENEFITS_AREA"
        for lad in lads_of(area)
    }
    assert funded
    assert set(table.loc[table["funding"] > 0, "area"]) == funded & lads_with_people
    # no facility or service in the graph: every category is missing everywhere, none nearer
    missing = gaps(graph, level="lad")
    assert missing.empty or missing["nearest"].isna().all()


def test_an_area_snapshot_records_its_inputs_sha256(tmp_path: Path) -> None:
    centroids = AREAS / "centroids.csv"
    with Workspace(tmp_path / "file.db") as workspace:
        ingest_areas(workspace, centroids, name="areas")
        (snapshot,) = workspace.sources()[0]["snapshots"]
    assert snapshot["sha256"] == hashlib.sha256(centroids.read_bytes()).hexdigest()

    folder = tmp_path / "areas"
    shutil.copytree(AREAS, folder)
    digests = []
    with Workspace(tmp_path / "folder.db") as workspace:
        for _ in range(2):
            ingest_areas(workspace, folder, name="areas")
            digests.append(workspace.sources()[0]["snapshots"][0]["sha256"])
        with (folder / "postcodes.csv").open("a", encoding="utf-8") as handle:
            handle.write("\n")  # the same rows, other bytes
        ingest_areas(workspace, folder, name="areas")
        digests.append(workspace.sources()[0]["snapshots"][0]["sha256"])
    assert all(len(d) == 64 for d in digests)
    assert digests[0] == digests[1] != digests[2]
