"""Bad input gets a clear error (file, place, fix), exit 1, no traceback, and loses nothing.

One table of (name, how to make the input, what the message must say); one test runs
each against a workspace that already holds a source, and checks it is unchanged.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import TEST_DATA

from civicgraph import Workspace, ingest_hsds

ORUK1 = TEST_DATA / "oruk1"


def _file(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _package(edit: Callable[[Path], None]) -> Callable[[Path], Path]:
    """A copy of the ORUK 1.0 fixture package with one thing broken."""

    def make(folder: Path) -> Path:
        package = folder / "package"
        shutil.copytree(ORUK1, package)
        edit(package)
        return package

    return make


def _not_utf8(package: Path) -> None:
    path = package / "organizations.csv"
    text = path.read_text(encoding="utf-8").replace("Hartley Advice Centre", "Hartley Café")
    path.write_bytes(text.encode("cp1252"))


def _drop_column(package: Path, table: str = "services.csv", column: str = "name") -> Path:
    path = package / table
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    index = header.index(column)
    path.write_text(
        "\n".join(
            ",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines
        ),
        encoding="utf-8",
    )


def _escaping_resource(package: Path) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = "../../../etc/passwd"
    (package / "datapackage.json").write_text(json.dumps(descriptor))


def _absolute_resource(package: Path) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = "/etc/passwd"
    (package / "datapackage.json").write_text(json.dumps(descriptor))


def _empty_services(package: Path) -> None:
    (package / "services.csv").write_bytes(b"")


def _zip_without_package(folder: Path) -> Path:
    path = folder / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.txt", "Nothing to see here.")
    return path


def _drop_main_columns(package: Path) -> None:
    """Both main tables unreadable: nothing left to load (one bad table alone is skipped)."""
    _drop_column(package, "organizations.csv", "name")
    _drop_column(package, "services.csv", "name")


def _zip_slip(folder: Path) -> Path:
    path = folder / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../escaped.csv", "id,name\n1,x\n")
    return path


def _phones_only(folder: Path) -> Path:
    package = folder / "phones"
    package.mkdir()
    (package / "phones.csv").write_text("id,number\np1,01632 960000\n", encoding="utf-8")
    return package


BAD_INPUTS: list[tuple[str, Callable[[Path], Path], list[str]]] = [
    (
        "not JSON",
        _file("data.json", b"hello, world"),
        ["data.json", "line 1", "not valid JSON", "Fix:"],
    ),
    (
        "truncated JSON",
        _file("services.json", b'[{"id": "1", "name": "A"}, {"id": "2", "na'),
        ["services.json", "line 1, column", "truncated", "Fix:"],
    ),
    (
        "HTML where JSON was expected",
        _file("services.json", b"<!DOCTYPE html><html><body>Login</body></html>"),
        ["services.json", "HTML page, not JSON", "Fix:"],
    ),
    ("empty JSON file", _file("services.json", b"  \n"), ["services.json", "is empty", "Fix:"]),
    (
        "JSON that is not HSDS",
        _file("weather.json", b'{"temperature": 12, "wind": "SW"}'),
        ["weather.json", "no HSDS records", "Fix:"],
    ),
    (
        "CSV that is not UTF-8",
        _package(_not_utf8),
        ["organizations.csv", "line 2", "not valid utf-8", "--encoding cp1252"],
    ),
    (
        "missing required columns in both main tables",
        _package(_drop_main_columns),
        ["organizations.csv", "header", "required column 'name'", "Fix:"],
    ),
    ("empty CSV file", _package(_empty_services), ["services.csv", "is empty", "Fix:"]),
    (
        "a zip that is not a data package",
        _zip_without_package,
        ["notes.zip", "no data package", "Fix:"],
    ),
    ("a zip member escaping its folder", _zip_slip, ["evil.zip", "outside the package folder"]),
    (
        "a corrupt zip",
        _file("broken.zip", b"PK\x03\x04 not really"),
        ["broken.zip", "not a readable zip"],
    ),
    (
        "a resource path escaping the package",
        _package(_escaping_resource),
        ["datapackage.json", "../../../etc/passwd", "outside the package folder", "refused"],
    ),
    (
        "an absolute resource path",
        _package(_absolute_resource),
        ["datapackage.json", "/etc/passwd", "refused"],
    ),
    (
        "tabular JSON holding neither organizations nor services",
        _file("tables.json", b'{"phones.csv": [{"id": "p1", "number": "01632 960000"}]}'),
        ["tables.json", "neither an organizations nor a services table", "Fix:"],
    ),
    (
        "a CSV folder holding neither organizations nor services",
        _phones_only,
        ["phones", "neither an organizations nor a services table", "Fix:"],
    ),
    (
        "a file of an unknown kind",
        _file("directory.xlsx", b"PK"),
        ["directory.xlsx", "not an HSDS source", "Fix:"],
    ),
]


@pytest.fixture
def populated(tmp_path: Path) -> Path:
    """A workspace that already holds one source, to show a failed ingest changes nothing."""
    path = tmp_path / "workspace.db"
    ingest_hsds(Workspace(path), ORUK1, name="existing")
    return path


@pytest.mark.parametrize(("case", "make", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_clearly_and_changes_nothing(
    case: str,
    make: Callable[[Path], Path],
    expected: list[str],
    populated: Path,
    tmp_path: Path,
    run_cli,
) -> None:
    source = make(tmp_path)
    before_sources = run_cli("--db", populated, "sources", "--format", "json").out
    before_stats = run_cli("--db", populated, "stats", "--format", "json").out
    result = run_cli("--db", populated, "ingest", "hsds", source, "--name", "incoming")
    assert result.code == 1, (case, result)
    assert "Traceback" not in result.err
    for text in expected:
        assert text in result.err, (case, text, result.err)
    assert run_cli("--db", populated, "sources", "--format", "json").out == before_sources
    assert run_cli("--db", populated, "stats", "--format", "json").out == before_stats


def test_one_bad_table_header_is_reported_and_the_rest_loads(tmp_path: Path, run_cli) -> None:
    package = _package(_drop_column)(tmp_path)
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, package, name="oruk")
    [problem] = [g for g in report.problems if g.code == "bad-header"]
    assert (problem.file, problem.field) == ("services.csv", "name")
    assert str(problem.examples[0]["value"]).startswith("expected id, name; it has id,")
    services = report.tables["services.csv"]
    assert services.read == services.rejected > 0 and services.loaded == 0
    assert workspace.stats()["nodes"]["Organization"] > 0
    strict = run_cli("--db", tmp_path / "s.db", "ingest", "hsds", package, "--strict")
    assert strict.code == 1 and "Traceback" not in strict.err
    assert "services.csv" in strict.out + strict.err
    assert not (tmp_path / "s.db").exists()


def test_a_failed_first_ingest_creates_no_workspace(tmp_path: Path, run_cli) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = run_cli("--db", tmp_path / "new.db", "ingest", "hsds", bad)
    assert result.code == 1
    assert not (tmp_path / "new.db").exists()


def test_the_encoding_hint_works(tmp_path: Path) -> None:
    package = _package(_not_utf8)(tmp_path)
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, package, name="cp", encoding="cp1252")
    names = {d.get("name") for _, d in workspace.graph().nodes(data=True)}
    assert "Hartley Café" in names


def test_bad_usage_exits_2(tmp_path: Path, run_cli) -> None:
    assert run_cli("ingest", "hsds", tmp_path / "missing-folder").code == 2
    assert run_cli("ingest", "nosuchformat", tmp_path).code == 2
    assert (
        run_cli("--db", tmp_path / "w.db", "ingest", "hsds", ORUK1, "--name", "bad:name").code == 2
    )
    assert run_cli("stats", "--format", "xml").code == 2


def test_debug_shows_the_traceback(tmp_path: Path, run_cli) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = run_cli("--debug", "--db", tmp_path / "w.db", "ingest", "hsds", bad)
    assert result.code == 1
    assert "Traceback" in result.err


def test_a_workspace_that_is_not_one_is_refused(tmp_path: Path, run_cli) -> None:
    other = tmp_path / "other.db"
    other.write_bytes(b"this is a text file, not SQLite" * 100)
    result = run_cli("--db", other, "stats")
    assert result.code == 1
    assert "not a civicgraph workspace" in result.err


# -- awkward but valid input ingests ----------------------------------------------


def _awkward(folder: Path) -> Path:
    package = folder / "awkward"
    package.mkdir()
    (package / "organizations.csv").write_bytes(
        "\ufeffid,name,description\r\n"
        'o1,"Smith, Jones & Co","Advice, help\r\nand more"\r\n'
        "o2,Plain Org,\r\n".encode()
    )
    (package / "services.csv").write_bytes(
        b"\xef\xbb\xbfid,organization_id,name,status\r\ns1,o1,Advice,active\r\ns2,o2,Food,active\r\n"
    )
    return package


def test_bom_crlf_and_quoted_commas_and_newlines_ingest(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, _awkward(tmp_path), name="awkward")
    graph = workspace.graph()
    organisation = graph.nodes["awkward:organization:o1"]
    assert organisation["name"] == "Smith, Jones & Co"
    assert organisation["description"] == "Advice, help\r\nand more"
    assert report.tables["organizations.csv"].loaded == 2
    assert workspace.stats()["edges"]["PROVIDES"] == 2
    assert report.failing_problems == 0


def test_tabular_json_with_a_services_table_ingests(tmp_path: Path, run_cli) -> None:
    """The guard against tabular JSON without the main tables lets a real one through."""
    tables = {
        "organizations.csv": [{"id": "o1", "name": "Hope Trust"}],
        "services.csv": [{"id": "s1", "organization_id": "o1", "name": "Lunch club"}],
        "phones.csv": [{"id": "p1", "service_id": "s1", "number": "01632 960000"}],
    }
    source = tmp_path / "tables.json"
    source.write_text(json.dumps(tables), encoding="utf-8")
    db = tmp_path / "w.db"
    result = run_cli("--db", db, "ingest", "hsds", source, "--name", "tab")
    assert result.code == 0, result
    stats = Workspace(db).stats()
    assert (stats["nodes"]["Organization"], stats["nodes"]["Service"]) == (1, 1)
    assert stats["edges"]["PROVIDES"] == 1


# -- readable data with problems: ingested and reported; refused under --strict --------


def _problematic(folder: Path) -> Path:
    package = folder / "problems"
    package.mkdir()
    (package / "organizations.csv").write_text(
        "id,name\no1,First\no1,Second name for o1\no2,Two\n", encoding="utf-8"
    )
    (package / "services.csv").write_text(
        "id,organization_id,name,status\ns1,o1,Advice,active\ns2,o9,Orphan,active\n"
        "s3,o2,Ragged,active,extra cell\ns4,o2\n",
        encoding="utf-8",
    )
    return package


def test_problems_are_reported_and_nothing_is_dropped_silently(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, _problematic(tmp_path), name="problems")
    codes = {(g.code, g.file) for g in report.problems}
    assert ("conflicting-duplicate", "organizations.csv") in codes
    assert ("dangling-reference", "services.csv") in codes
    assert ("ragged-row", "services.csv") in codes
    graph = workspace.graph()
    assert "problems:service:s2" in graph  # kept, without a provider
    assert graph.nodes["problems:service:s3"]["extra_values"] == ["extra cell"]
    for counts in report.tables.values():
        assert counts.balanced


def test_strict_refuses_the_same_data_and_writes_nothing(tmp_path: Path, run_cli) -> None:
    db = tmp_path / "w.db"
    report_file = tmp_path / "report.json"
    result = run_cli(
        "--db", db, "ingest", "hsds", _problematic(tmp_path), "--strict", "--report", report_file
    )
    assert result.code == 1
    assert "--strict refuses" in result.err
    assert "repeat an id with different content" in result.err  # the problems are listed
    assert json.loads(report_file.read_text())["problem_counts"]["warning"] >= 3
    assert json.loads(run_cli("--db", db, "sources", "--format", "json").out)["rows"] == []
