"""The study area (``--within``, ``civicgraph scope``) on small hand-made areas.

tests/data/scope: local authority Hometown (E08000901) holds LSOAs E01000001-3;
two authorities are both named Newport (W06000022, E07000922); Faraway (E09000921)
holds one LSOA. The only placed data is one library, in Hometown's E01000001.
E01000002 and E01000003 are alike (same population, no facility): they tie.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicgraph.errors import InputError, UsageError
from civicgraph.graph import Workspace
from civicgraph.graph.scope import BY_DEFAULT, BY_OPTION, resolve_scope
from civicgraph.ingest import ingest, ingest_areas
from civicgraph.queries import gaps, si_index

DATA = Path(__file__).parent / "data"
HOMETOWN = {"E08000901", "E01000001", "E01000002", "E01000003"}


@pytest.fixture(scope="module")
def town_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scope") / "town.db"
    workspace = Workspace(path)
    ingest_areas(workspace, DATA / "scope", name="areas")
    ingest(workspace, "assets", str(DATA / "scope_assets" / "assets.csv"), name="assets")
    workspace.close()
    return path


def test_by_default_answers_stay_in_the_authority_holding_the_placed_data(town_db: Path) -> None:
    graph = Workspace(town_db).graph()
    scope = resolve_scope(graph)
    assert scope.areas == ("E08000901",) and scope.how == BY_DEFAULT
    assert scope.vintage == "2011"
    index = si_index(graph)
    assert set(index["area"]) == HOMETOWN - {"E08000901"}
    found = gaps(graph)
    assert set(found["area"]) == {"E01000002", "E01000003"}
    assert found["why"].str.contains("scope: Hometown (E08000901)", regex=False).all()
    assert index.attrs["scope_detail"]["how"] == BY_DEFAULT


def test_equal_scores_share_a_rank_and_the_next_rank_skips(town_db: Path) -> None:
    index = si_index(Workspace(town_db).graph()).set_index("area")
    assert index.loc["E01000002", "si_score"] == index.loc["E01000003", "si_score"]
    assert index.loc["E01000002", "si_rank"] == index.loc["E01000003", "si_rank"] == 1
    assert index.loc["E01000001", "si_rank"] == 3
    assert "of 3 " in index.loc["E01000002", "why"]


def test_gap_rows_of_equal_need_and_distance_share_a_rank(town_db: Path) -> None:
    found = gaps(Workspace(town_db).graph()).set_index("area")
    # E01000002 and E01000003: same population, decile and distance to the library.
    assert found.loc["E01000002", "need"] == found.loc["E01000003", "need"]
    assert found.loc["E01000002", "distance_km"] == found.loc["E01000003", "distance_km"]
    assert found.loc["E01000002", "rank"] == found.loc["E01000003", "rank"] == 1


def test_within_takes_codes_and_names_of_any_level(town_db: Path) -> None:
    graph = Workspace(town_db).graph()
    by_name = resolve_scope(graph, ["hometown"])
    assert by_name.how == BY_OPTION and set(by_name.members) == HOMETOWN
    assert set(si_index(graph, within="E01000001")["area"]) == {"E01000001"}
    two = si_index(graph, within=["E01000001", "Hometown 001B"])
    assert set(two["area"]) == {"E01000001", "E01000002"}


def test_a_name_of_several_areas_lists_them_with_their_codes(town_db: Path) -> None:
    graph = Workspace(town_db).graph()
    with pytest.raises(UsageError, match=r"W06000022.*E07000922|E07000922.*W06000022"):
        resolve_scope(graph, "Newport")
    with pytest.raises(UsageError, match=r"near: Hometown \(E08000901\)"):
        resolve_scope(graph, "Hometwn")
    with pytest.raises(InputError, match="holds none of the workspace's placed"):
        gaps(graph, within="Faraway")


def test_the_cli_scope_commands_and_within(town_db: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "copy.db"
    db.write_bytes(town_db.read_bytes())
    shown = run_cli("--db", db, "scope", "show")
    assert shown.code == 0 and "Hometown (E08000901)" in shown.out and BY_DEFAULT in shown.out

    assert run_cli("--db", db, "scope", "set", "E01000001").code == 0
    rows = run_cli("--db", db, "query", "si-index", "--format", "json")
    assert rows.code == 0, rows.err
    answer = json.loads(rows.out)
    assert {r["area"] for r in answer["rows"]} == {"E01000001"}
    assert answer["scope"]["how"] == "workspace scope"
    assert "chosen by workspace scope" in answer["scope"]["described"]

    within = run_cli("--db", db, "query", "gaps", "--within", "Hometown")
    assert within.code == 0, within.err
    assert within.out.startswith("scope: Hometown (E08000901); chosen by --within")

    listed = run_cli("--db", db, "query", "assets", "--within", "Hometown", "--format", "json")
    assert listed.code == 0, listed.err
    assert [r["name"] for r in json.loads(listed.out)["rows"]] == ["Hometown Library"]
    elsewhere = run_cli("--db", db, "query", "assets", "--within", "Faraway", "--format", "json")
    assert elsewhere.code == 0 and json.loads(elsewhere.out)["rows"] == []

    assert run_cli("--db", db, "scope", "clear").code == 0
    assert BY_DEFAULT in run_cli("--db", db, "scope", "show").out

    ambiguous = run_cli("--db", db, "query", "gaps", "--within", "Newport")
    assert ambiguous.code == 2 and "W06000022" in ambiguous.err and "E07000922" in ambiguous.err
    empty = run_cli("--db", db, "scope", "set", "Faraway")
    assert empty.code == 1 and "holds none" in empty.err
    assert "Traceback" not in ambiguous.err + empty.err
