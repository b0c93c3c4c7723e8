"""Links out of the folder, credentials, SPARQL SERVICE, spreadsheet formulas, option names.

Everything civicgraph reads stays inside the folder it is given; nothing it prints shows a
password; a SPARQL query does not send requests elsewhere unless allowed; a cell that a
spreadsheet would run as a formula is written as text; and each kind of caller is told
about its own spelling of a parameter.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from helpers import TEST_DATA
from hostile import WorkspaceCopy, collection, feature, grant, hsds_package, service, write

from civicgraph import Workspace, ingest_hsds
from civicgraph.errors import InputError, UsageError
from civicgraph.ingest import ingest

SECRET = "outside-the-folder-7f3a"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder of files that must never be read: it names a secret organisation."""
    folder = tmp_path / "outside"
    folder.mkdir()
    write(folder, "organizations.csv", f"id,name\nx1,{SECRET}\n")
    write(folder, "services.json", [service(name=SECRET)])
    write(folder, "grants.json", {"grants": [grant(title=SECRET)]})
    write(folder, "facilities.geojson", collection([feature(name=SECRET)]))
    write(folder, "centroids.csv", "LSOA11CD,latitude,longitude\nE01000009,51.5,-0.1\n")
    return folder


def _linked_folder(tmp_path: Path, kind: str, outside: Path) -> Path:
    folder = tmp_path / f"{kind}-input"
    if kind == "hsds-csv":
        package = hsds_package(tmp_path / "csv")
        (package / "organizations.csv").unlink()
        os.symlink(outside / "organizations.csv", package / "organizations.csv")
        return package
    folder.mkdir()
    if kind == "hsds-json":
        write(folder, "a.json", [service()])
        os.symlink(outside / "services.json", folder / "services.json")
    elif kind == "hsds-json-subfolder":
        write(folder, "a.json", [service()])
        os.symlink(outside, folder / "more")
    elif kind == "360giving":
        write(folder, "mine.json", {"grants": [grant(id="360G-mine-1")]})
        os.symlink(outside / "grants.json", folder / "theirs.json")
    elif kind == "osm":
        write(folder, "mine.geojson", collection([feature()]))
        os.symlink(outside / "facilities.geojson", folder / "theirs.geojson")
    elif kind == "areas":
        write(folder, "mine.csv", "LSOA11CD,latitude,longitude\nE01000001,51.52,-0.095\n")
        os.symlink(outside / "centroids.csv", folder / "theirs.csv")
    return folder


LINKED = ["hsds-csv", "hsds-json", "hsds-json-subfolder", "360giving", "osm", "areas"]


@pytest.mark.parametrize("kind", LINKED)
def test_a_symlink_in_a_folder_is_refused(kind: str, outside: Path, tmp_path: Path) -> None:
    source = _linked_folder(tmp_path, kind, outside)
    db = tmp_path / "w.db"
    with pytest.raises(InputError, match="symbolic link") as caught:
        ingest(Workspace(db), kind.split("-")[0], str(source), name="x")
    assert "Fix:" in str(caught.value) and str(outside) in str(caught.value)
    assert not db.exists()


def test_a_listed_resource_that_is_a_symlink_is_refused(outside: Path, tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    write(package, "services.csv", "id,organization_id,name\ns1,x1,Advice\n")
    os.symlink(outside / "organizations.csv", package / "orgs.csv")
    descriptor = {"resources": [{"name": "organizations", "path": "orgs.csv"},
                                {"name": "services", "path": "services.csv"}]}  # fmt: skip
    write(package, "datapackage.json", descriptor)
    with pytest.raises(InputError, match="symbolic link"):
        ingest_hsds(Workspace(tmp_path / "w.db"), package / "datapackage.json", name="x")


def test_a_damaged_zip_names_the_zip_and_the_member_never_a_temporary_folder(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    archive = tmp_path / "directory.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("organizations.csv", "id,name\no1,Hartley\n")
        zipped.writestr("services.csv", "id,organization_id,name\ns1,o1,Caf\xe9\n".encode("cp1252"))
    result = run_cli("--db", tmp_path / "w.db", "ingest", "hsds", archive)
    assert result.code == 1
    assert f"{archive}!/services.csv" in result.err, result.err
    assert "civicgraph-zip-" not in result.err and "/tmp/" not in result.err.replace(
        str(tmp_path), ""
    )


# -- SPARQL SERVICE -----------------------------------------------------------------

FEDERATED = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"


def test_a_sparql_service_clause_is_refused_unless_allowed(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from civicgraph.queries import run_sparql

    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, TEST_DATA / "oruk1", name="dir")
    with pytest.raises(UsageError, match="SERVICE clause") as caught:
        run_sparql(workspace, FEDERATED)
    assert "`allow_service`" in str(caught.value)
    result = run_cli("--db", tmp_path / "w.db", "sparql", FEDERATED)
    assert result.code == 2 and "--allow-service" in result.err, result.err
    # names that only contain the word are no SERVICE clause
    query = "SELECT ?service WHERE { ?service a cg:Service }"
    plain = run_cli("--db", tmp_path / "w.db", "sparql", query, "--format", "csv")
    assert plain.code == 0, plain.err
    allowed = run_cli("--db", tmp_path / "w.db", "sparql", FEDERATED, "--allow-service")
    assert allowed.code != 2 and "SERVICE clause" not in allowed.err


# -- Neo4j: a password in the URI is never printed -----------------------------------


def test_a_password_in_a_bolt_uri_is_masked(tmp_path: Path, run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEO4J_PASSWORD", "env-password-1")
    for uri in ("bolt://neo4j:topsecret@127.0.0.1:9", "neo4j+s://u:topsecret@127.0.0.1:9/db"):
        result = run_cli("--db", tmp_path / "w.db", "neo4j", "push", "--uri", uri)
        assert result.code in (1, 2), result.err
        assert "topsecret" not in result.err and "env-password-1" not in result.err
        assert ":***@127.0.0.1" in result.err and "--uri" in result.err, result.err
    refused = run_cli("--db", tmp_path / "w.db", "neo4j", "push", "--uri", "bolt://127.0.0.1:9")
    assert refused.code == 1 and "env-password-1" not in refused.err, refused.err


# -- spreadsheet formulas ------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","Click")'


def test_neo4j_admin_csv_and_demo_query_csvs_neutralise_formulas(tmp_path: Path) -> None:
    from civicgraph.graph.neo4j import write_neo4j_csv
    from civicgraph.queries.report import write_query_report

    package = hsds_package(
        tmp_path,
        organizations=f'id,name\no1,"{FORMULA.replace(chr(34), chr(34) * 2)}"\no2,-Northgate\n',
    )
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, package, name="dir")
    written = write_neo4j_csv(workspace, tmp_path / "neo4j")
    cells = [
        cell
        for path in written
        if path.suffix == ".csv"
        for row in csv.reader(path.read_text(encoding="utf-8").splitlines())
        for cell in row
    ]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert "'-Northgate" in cells
    assert not [c for c in cells if c and (c[0] in "=+@" or (c[0] == "-" and not c[1:2].isdigit()))]
    files = write_query_report(workspace, tmp_path / "queries")
    for path in files.values():
        if path.suffix == ".csv":
            for row in csv.reader(path.read_text(encoding="utf-8").splitlines()):
                assert not [c for c in row if c and c[0] in "=@+"], (path.name, row)


# -- each caller is told about its own spelling of a parameter ------------------------


def test_python_callers_hear_of_parameters_and_the_command_line_of_options(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    from civicgraph.queries import si_index

    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, TEST_DATA / "oruk1", name="dir")
    with pytest.raises(UsageError) as caught:
        si_index(workspace.graph(), distance_km=-1)
    assert "`distance_km` must be 0 or more" in str(caught.value)
    assert "--distance-km" not in str(caught.value) and caught.value.param == "distance_km"
    result = run_cli("--db", tmp_path / "w.db", "query", "si-index", "--distance-km", "-1")
    assert result.code == 2
    assert "--distance-km must be 0 or more" in result.err and "`" not in result.err, result.err
    viz = run_cli("--db", tmp_path / "w.db", "viz", "--view", "ego", "--out", tmp_path / "x.html")
    assert viz.code == 2 and "--view ego needs --focus" in viz.err, viz.err


def test_a_refused_ingest_keeps_the_workspace_bytes(template: Path, tmp_path: Path) -> None:
    copy = WorkspaceCopy.of(template, tmp_path)
    bad = write(tmp_path, "grants.json", json.dumps([1, 2, 3]))
    with pytest.raises(InputError, match="holds no grants"):
        ingest(Workspace(copy.path), "360giving", str(bad), name="g")
    copy.assert_unchanged()
