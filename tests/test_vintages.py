"""Areas of one vintage are never listed beside their successors, on real files.

Cut at test time from ../shared/data/imd2019_lsoa (SOURCE.txt): the IMD 2019 File 1 and
File 6 rows of Bournemouth, Christchurch and Poole (E06000058) and Dorset (E06000059), the
2019 authorities that replaced nine 2017 districts and unitaries, plus the ONS output-area
lookup's rows for the same LSOAs, which name the 2017 authorities (LAD17CD) and the region.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from helpers import shared

from civicgraph.graph import Workspace
from civicgraph.ingest import ingest_areas
from civicgraph.queries import gaps, si_index

SUCCESSORS = {"E06000058", "E06000059"}


def _cut(source: Path, target: Path, keep: str, wanted: set[str]) -> set[str]:
    """Copy the rows of ``source`` whose ``keep`` column is in ``wanted``; their LSOAs."""
    lsoas: set[str] = set()
    with gzip.open(source, "rt", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r[keep] in wanted]
        fields = reader.fieldnames or []
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        lsoas.add(row.get("LSOA code (2011)") or row.get("LSOA11CD") or "")
    return lsoas


@pytest.fixture(scope="module")
def dorset(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    imd = shared("imd2019_lsoa")
    folder = tmp_path_factory.mktemp("dorset")
    areas = folder / "areas"
    areas.mkdir()
    lad = "Local Authority District code (2019)"
    lsoas = _cut(imd / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
                 areas / "imd_file1.csv", lad, SUCCESSORS)  # fmt: skip
    _cut(imd / "File_6_-_IoD2019_Population_Denominators.csv.gz",
         areas / "imd_file6.csv", lad, SUCCESSORS)  # fmt: skip
    _cut(imd / "OA11_LSOA11_MSOA11_LAD17_OAC_lookup_EW.csv.gz",
         areas / "lookup.csv", "LSOA11CD", lsoas)  # fmt: skip
    workspace = Workspace(folder / "dorset.db")
    ingest_areas(workspace, areas, name="areas")
    return workspace


def test_the_2017_districts_are_in_the_graph_but_never_listed(dorset: Workspace) -> None:
    graph = dorset.graph()
    lads = {n for n, d in graph.nodes(data=True) if d.get("level") == "lad"}
    older = lads - SUCCESSORS
    assert "E06000028" in older and len(older) >= 8  # Bournemouth (2017) and the others
    index = si_index(graph, level="lad")
    assert set(index["area"]) == SUCCESSORS
    superseded = index.attrs["scope_detail"]["superseded"]
    assert set(superseded) == older
    assert superseded["E06000028"] == ["E06000058"]
    assert (
        "older lookup" in index.attrs["scope"] and "E06000028 by E06000058" in index.attrs["scope"]
    )
    assert not set(gaps(graph, level="lad")["area"]) & older


def test_the_answer_names_the_lookups_it_used(dorset: Workspace) -> None:
    graph = dorset.graph()
    index = si_index(graph, level="lad")
    lookups = index.attrs["scope_detail"]["lookups"]
    # IMD File 1 joins 2011 LSOAs to 2019 districts; the ONS lookup's header names its years.
    assert "LSOA 2011 -> LAD 2019" in lookups
    assert any(name.startswith("OA 2011 -> LSOA 2011 -> MSOA 2011 -> LAD 2017") for name in lookups)
    assert "LSOA 2011 -> LAD 2019" in index.attrs["scope"] and "lookups" in index.attrs["scope"]


def test_a_region_of_the_older_lookup_holds_the_successors(dorset: Workspace) -> None:
    graph = dorset.graph()
    index = si_index(graph, level="lad", within="South West")
    assert set(index["area"]) == SUCCESSORS
    # Every LSOA is counted once, in its 2019 authority: populations add up.
    lsoa = si_index(graph, within="South West")
    assert index["population"].sum() == lsoa["population"].sum()
