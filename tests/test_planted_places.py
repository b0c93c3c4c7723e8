"""The synthetic town's planted unserved areas are what si-index and gaps find.

Oakbridge (600 services, seed 4) is written and ingested as the demo does it:
its areas (the real IMD File 1 / File 6 / OA lookup / centroid formats, read
by ``ingest areas``), directory, grants, OpenStreetMap facilities, referrals
and partnerships; the workspace places every location it can.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from civicgraph import Workspace
from civicgraph.graph import Graph, Severity
from civicgraph.ingest import ingest
from civicgraph.queries import gaps, si_index
from civicgraph.synth import Town, make_town, synth, write_area_files
from civicgraph.synth.geography import FILE_1, FILE_6, LOOKUP, LSOA_CENTROIDS

SERVICES, SEED = 600, 4


@pytest.fixture(scope="module")
def town() -> Town:
    return make_town(SERVICES, SEED)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    folder = tmp_path_factory.mktemp("oakbridge-places")
    with Workspace(folder / "w.db") as workspace:
        for source in synth(folder / "data", services=SERVICES, seed=SEED):
            report = ingest(workspace, source.kind, str(source.path), name=source.name)
            if source.kind in ("osm", "areas"):
                assert report.count(Severity.WARNING) == 0, report.summary_lines()
                assert report.count(Severity.ERROR) == 0, report.summary_lines()
        return workspace.graph()


def test_the_area_files_are_written_as_the_real_ones(
    tmp_path: Path, town: Town, shared_data
) -> None:  # type: ignore[no-untyped-def]
    files = write_area_files(town, tmp_path)
    real = shared_data("imd2019_lsoa")
    import gzip

    for ours, theirs in (
        (files.imd, real / f"{FILE_1}.gz"),
        (files.population, real / f"{FILE_6}.gz"),
        (files.lookup, real / f"{LOOKUP}.gz"),
    ):
        with gzip.open(theirs, "rt", encoding="utf-8") as handle:
            real_header = handle.readline()
        assert ours.read_text(encoding="utf-8").splitlines()[0] == real_header.rstrip("\n")
    geo = shared_data("uk_geo_lookups_drkane") / LSOA_CENTROIDS
    with geo.open(encoding="utf-8") as handle:
        assert files.lsoa_centroids.read_text().splitlines()[0] == handle.readline().strip()
    codes = [r["LSOA code (2011)"] for r in _rows(files.imd)]
    assert len(codes) == len(town.areas) and all(c.startswith("E019") for c in codes)
    assert any('"' in line for line in files.imd.read_text().splitlines()[1:])  # "12,345"


def test_planted_areas_rank_poorest_in_the_si_index(graph: Graph, town: Town) -> None:
    frame = si_index(graph)
    planted = set(town.planted_areas)
    assert len(planted) >= 2
    poorest = set(frame.head(len(planted))["area"])
    assert poorest == planted
    rows = frame.set_index("area").loc[sorted(planted)]
    assert (rows["services"] == 0).all() and (rows["civic_assets"] == 0).all()
    # Deprived by the IMD too, they are not marked as a mismatch of the "richer" kind.
    assert not rows["imd_mismatch"].str.contains("richer").any()
    # Every other area has some service within reach.
    others = frame[~frame["area"].isin(planted)]
    assert (others["services"] > 0).all()


def test_gaps_lists_every_category_for_the_planted_areas_first(graph: Graph, town: Town) -> None:
    frame = gaps(graph)
    planted = set(town.planted_areas)
    categories = set(frame["category"])
    for code in planted:
        mine = frame[frame["area"] == code]
        assert set(mine["category"]) == categories  # nothing of any kind reaches them
        assert (mine["distance_km"] > 1.5).all()
    # Within 1.5 km the rest of the town has everything: the planted areas are the gaps,
    # and a narrower reach opens gaps elsewhere that rank below theirs by need.
    assert set(frame["area"]) == planted
    near = gaps(graph, distance_km=0.3)
    assert set(near["area"]) > planted
    first = near.head(len(planted) * len(categories))
    planted_need = near[near["area"].isin(planted)]["need"]
    assert (first["need"] >= planted_need.min()).all()


def test_msoa_level_aggregates_the_town(graph: Graph, town: Town) -> None:
    msoa = si_index(graph, level="msoa")
    lsoa = si_index(graph)
    assert (
        msoa["population"].sum()
        == lsoa["population"].sum()
        == sum(a.population for a in town.areas)
    )
    lad = si_index(graph, level="lad")
    assert len(lad) == 1 and lad.loc[0, "services"] == len(
        {n for n, d in graph.nodes(data=True) if d["type"] == "Service"}
        & {u for u, _, d in graph.edges(data=True) if d["type"] in ("SERVES_AREA", "AT_LOCATION")}
    )
