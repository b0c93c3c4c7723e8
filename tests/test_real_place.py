"""The whole journey on a real place: all-England areas, Birmingham's warm spaces, real grants.

A council analyst loads what the ONS and MHCLG publish for the whole country
(IMD 2019 for every English LSOA, LSOA centroids), then their own list: here
Birmingham City Council's warm spaces, cut from the UK-wide file in a temporary
folder (``_source = birmingham_council``), and real 360Giving grants. Every
place-based answer must then be about Birmingham, not England.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers import shared

from civicgraph.graph import Workspace
from civicgraph.graph.scope import BY_DEFAULT, BY_OPTION, resolve_scope
from civicgraph.ingest import ingest, ingest_areas
from civicgraph.queries import gaps, si_index

BIRMINGHAM = "E08000025"
IMD_FILES = (
    "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
    "File_6_-_IoD2019_Population_Denominators.csv.gz",
)

pytestmark = pytest.mark.slow


def _birmingham_lsoas(folder: Path) -> set[str]:
    frame = pd.read_csv(folder / IMD_FILES[0], encoding="utf-8-sig")
    lad = next(c for c in frame.columns if c.startswith("Local Authority District code"))
    return set(frame.loc[frame[lad] == BIRMINGHAM, frame.columns[0]])


@pytest.fixture(scope="module")
def birmingham(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, set[str]]:
    root = tmp_path_factory.mktemp("real_place")
    imd = shared("imd2019_lsoa")
    areas = root / "areas"
    areas.mkdir()
    for name in IMD_FILES:  # the OA lookup is not needed here and is the slow part
        shutil.copyfile(imd / name, areas / name)
    shutil.copyfile(shared("uk_geo_lookups_drkane") / "lsoa_latlong.csv", areas / "centroids.csv")
    everything = json.loads(shared("uk_warm_spaces/warm_spaces_all.geojson").read_text("utf-8"))
    cut = dict(everything)
    cut["features"] = [
        f for f in everything["features"] if f["properties"].get("_source") == "birmingham_council"
    ]
    assert len(cut["features"]) > 300
    (root / "birmingham_warm_spaces.geojson").write_text(json.dumps(cut), "utf-8")

    workspace = Workspace(root / "w.db")
    ingest_areas(workspace, areas, name="england")
    ingest(workspace, "warm-spaces", str(root / "birmingham_warm_spaces.geojson"), name="warm")
    ingest(
        workspace, "360giving", str(shared("360giving_grantnav_samples") / "baring.json"),
        name="baring",
    )  # fmt: skip
    return workspace, _birmingham_lsoas(imd)


def _assert_ties_share_ranks(index: pd.DataFrame) -> None:
    scored = index.dropna(subset=["si_rank"])
    scores = scored["si_score"].to_numpy()
    for score, rank in zip(scores, scored["si_rank"], strict=True):
        assert rank == 1 + int((scores < score).sum())  # competition ranking
    assert index.loc[index["si_rank"].isna(), "si_score"].isna().all()


def test_by_default_every_answer_is_inside_birmingham(
    birmingham: tuple[Workspace, set[str]],
) -> None:
    workspace, lsoas = birmingham
    graph = workspace.graph()
    scope = resolve_scope(graph)
    assert scope.how == BY_DEFAULT
    assert BIRMINGHAM in scope.areas
    index = si_index(graph)
    # Most of England is out of scope: only the scope's LSOAs are scored.
    assert set(index["area"]) <= scope.members
    inside = set(index["area"]) & lsoas
    assert len(inside) == len(lsoas) == 639
    # Birmingham's list places a few venues over the border: the default names those
    # authorities too, and says so, but never England's other 300.
    assert len(scope.areas) < 10
    _assert_ties_share_ranks(index)
    found = gaps(graph, category="warm space")
    assert set(found["area"]) <= scope.members
    assert found["why"].str.contains("Birmingham (E08000025)", regex=False).all()


def test_within_birmingham_lists_only_birmingham(birmingham: tuple[Workspace, set[str]]) -> None:
    workspace, lsoas = birmingham
    graph = workspace.graph()
    index = si_index(graph, within="Birmingham")
    assert set(index["area"]) == lsoas
    assert index.attrs["scope_detail"]["how"] == BY_OPTION
    _assert_ties_share_ranks(index)
    scored = int(index["si_rank"].notna().sum())
    for why in index.loc[index["imd_mismatch"] != "", "why"]:
        assert re.search(rf"SI rank \d+ of {scored} against", why)
    found = gaps(graph, within=BIRMINGHAM, category="warm space")
    assert not found.empty and set(found["area"]) <= lsoas
    # The figures agree: an area that lacks warm spaces holds no warm-space sessions.
    sessions = index.set_index("area")["activity_sessions_per_week"].fillna(0)
    assert (sessions[sorted(set(found["area"]))] == 0).all()
    assert (sessions > 0).any()


def test_a_report_on_a_real_lsoa_leaves_no_section_empty(
    birmingham: tuple[Workspace, set[str]], tmp_path: Path, open_page
) -> None:
    """Birmingham's warm spaces alone: most sections have no data, and each says why and
    what would fill it; no comparison row is measured nowhere (a row of "not measured")."""
    from civicgraph.viz.report import write_area_report

    workspace, lsoas = birmingham
    graph = workspace.graph()
    index = si_index(graph, within=BIRMINGHAM)
    busiest = index.sort_values(["activity_sessions_per_week", "area"], ascending=[False, True])
    code = str(busiest.iloc[0]["area"])
    assert code in lsoas
    report = write_area_report(graph, code, tmp_path / "rep", pdf=False, workspace=workspace)
    page = open_page(report.html, wait_ready=False).page
    sections = page.evaluate(
        "[...document.querySelectorAll('section')].map(s => ({"
        "title: s.querySelector('h2').textContent,"
        "rows: s.querySelectorAll('tbody tr, svg, img').length,"
        "text: s.textContent.replace(s.querySelector('h2').textContent, '')}))"
    )
    assert len(sections) >= 12
    for found in sections:  # something shown, or why not and what data would fill it
        assert found["rows"] or "would" in found["text"], found["title"]
    activities = next(s for s in sections if s["title"] == "Activities")
    assert activities["rows"] and "No activity" not in activities["text"]
    compared = page.evaluate(
        "[...document.querySelectorAll('table.compare tbody tr')].map(r => ({...r.dataset}))"
    )
    assert compared, "the activities at least are measured"
    assert all(r["here"] != "" or r["measured"] != "0" for r in compared), compared
    assert any(r["figure"] == "sessions_per_1000" for r in compared)
    unmeasured = page.locator(".compare-none, .compare-unmeasured").all_text_contents()
    assert unmeasured and all(u.startswith("Not measured here") for u in unmeasured)
