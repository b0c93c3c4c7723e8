"""Long steps show progress with totals on a terminal, and nothing when piped."""

from __future__ import annotations

import itertools
import json
import os
import pty
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from arcadedb_server import BoltServer
from helpers import shared

from civicgraph import Workspace
from civicgraph.ingest import ingest
from civicgraph.synth import synth


def _on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run civicgraph with stdout and stderr on a pseudo-terminal; its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "civicgraph", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("progress")
    town = {s.name: s.path for s in synth(folder, services=120, seed=3)}
    path = folder / "w.db"
    ingest(Workspace(path), "hsds", str(town["directory"]), name="directory")
    return path


def _forget_stored_graph(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM graph_store")
        conn.execute("DELETE FROM meta WHERE key IN ('graph_fingerprint', 'graph_counts')")


def test_building_the_graph_shows_progress_with_totals_on_a_terminal(workspace: Path) -> None:
    _forget_stored_graph(workspace)
    env = {**os.environ, "CIVICGRAPH_DB": str(workspace)}
    code, shown = _on_terminal(["query", "brokers", "--limit", "3"], env)
    assert code == 0, shown
    with sqlite3.connect(workspace) as conn:
        facts = conn.execute("SELECT count(*) FROM node_fact").fetchone()[0]
        edge_facts = conn.execute("SELECT count(*) FROM edge_fact").fetchone()[0]
    assert f"building the analysis graph: node facts: {facts:,} of {facts:,}" in shown
    assert f"building the analysis graph: edge facts: {edge_facts:,} of {edge_facts:,}" in shown
    code, shown = _on_terminal(["query", "brokers", "--limit", "3"], env)
    assert code == 0, shown
    assert "loading the stored analysis graph: 1 of 1" in shown
    assert "building the analysis graph" not in shown


def test_no_progress_when_piped(workspace: Path) -> None:
    _forget_stored_graph(workspace)
    done = subprocess.run(
        [sys.executable, "-m", "civicgraph", "query", "brokers", "--limit", "3"],
        capture_output=True,
        text=True,
        env={**os.environ, "CIVICGRAPH_DB": str(workspace)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not re.search(r"analysis graph|\r", done.stderr + done.stdout)
    assert "broker" in done.stdout.lower() or done.stdout.strip()


def test_the_demo_counts_its_steps_on_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    code, shown = _on_terminal(
        ["demo", "--out", str(out), "--services", "40", "--seed", "2"], dict(os.environ)
    )
    assert code == 0, shown
    steps = re.findall(r"demo: (\d+) of (\d+)", shown)
    assert steps, shown
    totals = {int(total) for _, total in steps}
    assert len(totals) == 1
    (total,) = totals
    assert [int(done) for done, _ in steps] == list(range(1, total + 1))


def test_validate_rdf_shows_its_steps_on_a_terminal(workspace: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CIVICGRAPH_DB": str(workspace)}
    rdf = tmp_path / "town.ttl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "civicgraph",
            "export",
            "rdf",
            "--format",
            "turtle",
            "--out",
            str(rdf),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    code, shown = _on_terminal(["validate-rdf", str(rdf)], env)
    assert code in (0, 1), shown
    step = f"validating {rdf} (read, check against the shapes, list the results)"
    for done in (1, 2, 3):
        assert f"{step}: {done} of 3" in shown, shown
    piped = subprocess.run(
        [sys.executable, "-m", "civicgraph", "validate-rdf", str(rdf)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "validating" not in piped.stderr


# -- ingest: rows read of their total (or files of theirs), then the checking and writing steps

_INGESTS = [
    ("hsds", "town:directory", []),  # HSDS 3.0 JSON: files of a total
    ("hsds", "shared:hsds1_miami_open211", []),  # a CSV package: rows of a total
    ("360giving", "town:grants", []),
    ("osm", "town:facilities", []),
    ("referrals", "town:referrals", []),
    ("relationships", "town:relationships", []),
    ("areas", "town:areas", []),
    ("assets", "shared:uk_warm_spaces/warm_spaces_all.geojson", []),
    ("warm-spaces", "shared:uk_warm_spaces/warm_spaces_all.geojson", []),
    ("volunteering", "shared:volunteering_data_standard/teamkinetic", []),
    (
        "openactive",
        "shared:openactive_opportunity_examples/validator-test-json",
        ["--allow-disorder"],
    ),
]


def test_every_ingest_kind_is_covered() -> None:
    from civicgraph.ingest import INGESTERS

    assert {kind for kind, _, _ in _INGESTS} == set(INGESTERS)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A synthetic town of 1,500 services (files of more than 1,000 rows), and a workspace
    holding its directory, for the ingesters that match against one."""
    folder = tmp_path_factory.mktemp("town")
    files = {s.name: s.path for s in synth(folder, services=1500, seed=4)}
    with Workspace(folder / "base.db") as workspace:  # closed: the file alone holds it all
        ingest(workspace, "hsds", str(files["directory"]), name="directory")
    return {**files, "base.db": folder / "base.db"}


def _input(where: str, town: dict[str, Path]) -> Path:
    place, _, name = where.partition(":")
    return town[name] if place == "town" else shared(name)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.mark.parametrize(("kind", "where", "extra"), _INGESTS)
def test_every_ingest_shows_progress_of_a_total_then_its_steps(
    kind: str, where: str, extra: list[str], town: dict[str, Path], tmp_path: Path
) -> None:
    source = _input(where, town)
    db = tmp_path / "w.db"
    shutil.copy(town["base.db"], db)
    name = f"new-{kind}"
    report_file = tmp_path / "report.json"
    args = ["--db", str(db), "ingest", kind, str(source), "--name", name, *extra]
    code, shown = _on_terminal([*args, "--report", str(report_file)], dict(os.environ))
    assert code == 0, shown
    read = sum(table["read"] for table in json.loads(report_file.read_text())["tables"].values())
    assert read > 0
    assert f"reading {name}: rows: {read:,} of {read:,}" in shown, shown
    rows = [
        (_number(d), _number(t))
        for d, t in re.findall(rf"reading {name}: rows: ([\d,]+) of ([\d,]+)", shown)
    ]
    assert all(done <= total for done, total in rows), rows
    files = [
        (_number(d), _number(t))
        for d, t in re.findall(rf"reading {name}: files: ([\d,]+) of ([\d,]+)", shown)
    ]
    if files:  # read file by file: each file counted, of the files there are
        (total,) = {t for _, t in files}
        assert [d for d, _ in files] == list(range(1, total + 1))
    elif read > 1000:  # rows counted of their total while reading, not only at the end
        assert any(done < total for done, total in rows), shown
    steps = "resolve references, check values, write the snapshot"
    for done in range(4):
        assert f"ingesting {name} ({steps}): {done} of 3" in shown, shown
    shutil.copy(town["base.db"], db)
    piped = subprocess.run(
        [sys.executable, "-m", "civicgraph", *args], capture_output=True, text=True, check=False
    )
    assert piped.returncode == 0, piped.stderr
    assert "reading" not in piped.stderr and "\r" not in piped.stderr + piped.stdout


# -- report: each section of a total -----------------------------------------------------


def test_a_report_counts_its_sections_on_a_terminal(tmp_path: Path) -> None:
    town = {s.name: s.path for s in synth(tmp_path / "town", services=40, seed=2)}
    db = tmp_path / "w.db"
    with Workspace(db) as workspace:
        ingest(workspace, "hsds", str(town["directory"]), name="directory")
        ingest(workspace, "areas", str(town["areas"]), name="areas")
        area = next(
            n
            for n, d in workspace.graph().nodes(data=True)
            if d.get("type") == "Area" and d.get("level") == "lsoa"
        )
    args = ["--db", str(db), "report", "--area", area, "--no-pdf"]
    code, shown = _on_terminal([*args, "--out", str(tmp_path / "a")], dict(os.environ))
    assert code == 0, shown
    steps = re.findall(rf"writing the report on {area} \(([^)]+)\): (\d+) of (\d+)", shown)
    (total,) = {int(t) for _, _, t in steps}
    assert [int(d) for _, d, _ in steps] == list(range(total + 1))
    done = [what for what, _, _ in steps]
    assert {"gaps", "silos", "partnerships", "funding", "findings", "report.html"} <= set(done)
    assert done[-1] == "report.html"  # --no-pdf: no PDF step
    piped = subprocess.run(
        [sys.executable, "-m", "civicgraph", *args, "--out", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert "writing the report" not in piped.stderr and "\r" not in piped.stderr


# -- export: each format ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "out"),
    [("graphml", "t.graphml"), ("gexf", "t.gexf"), ("kumu", "t.xlsx"), ("csv", "kumu")],
)
def test_a_network_export_counts_its_steps_on_a_terminal(
    fmt: str, out: str, workspace: Path, tmp_path: Path
) -> None:
    target = tmp_path / out
    args = ["--db", str(workspace), "export", fmt, "--out", str(target)]
    code, shown = _on_terminal(args, dict(os.environ))
    assert code == 0, shown
    step = f"exporting {fmt} to {target} (analysis fields, write the file)"
    for done in range(3):
        assert f"{step}: {done} of 2" in shown, shown
    piped = subprocess.run(
        [sys.executable, "-m", "civicgraph", *args], capture_output=True, text=True, check=False
    )
    assert piped.returncode == 0, piped.stderr
    assert "exporting" not in piped.stderr and "\r" not in piped.stderr


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "rdfxml"])
def test_an_rdf_export_counts_its_triples_on_a_terminal(
    fmt: str, workspace: Path, tmp_path: Path
) -> None:
    target = tmp_path / f"t.{fmt}"
    args = ["--db", str(workspace), "export", "rdf", "--format", fmt, "--out", str(target)]
    code, shown = _on_terminal(args, dict(os.environ))
    assert code == 0, shown
    written = re.search(r"([\d,]+) triples written", shown)
    assert written, shown
    count = written.group(1)
    assert int(count.replace(",", "")) > 5_000  # so the count is shown while it goes
    step = f"exporting {fmt} to {target}: triples"
    assert f"{step}: 5,000 so far" in shown, shown
    assert f"{step}: {count} of {count}" in shown, shown
    piped = subprocess.run(
        [sys.executable, "-m", "civicgraph", *args], capture_output=True, text=True, check=False
    )
    assert piped.returncode == 0, piped.stderr
    assert "exporting" not in piped.stderr and "\r" not in piped.stderr


def test_a_neo4j_csv_export_counts_its_rows_on_a_terminal(workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "neo4j-import"
    args = ["--db", str(workspace), "export", "neo4j-csv", "--out", str(target)]
    code, shown = _on_terminal(args, dict(os.environ))
    assert code == 0, shown
    stats = Workspace(workspace).stats()
    nodes, edges = sum(stats["nodes"].values()), sum(stats["edges"].values())
    assert f"nodes: 0 of {nodes:,}" in shown and f"nodes: {nodes:,} of {nodes:,}" in shown, shown
    assert f"relationships: {edges:,} of {edges:,}" in shown, shown
    history = re.search(r"snapshot history: ([\d,]+) of \1", shown)
    assert history and int(history.group(1).replace(",", "")) > 0, shown
    piped = subprocess.run(
        [sys.executable, "-m", "civicgraph", *args], capture_output=True, text=True, check=False
    )
    assert piped.returncode == 0, piped.stderr
    assert "nodes:" not in piped.stderr and "\r" not in piped.stderr
    assert str(target / "import.sh") in piped.stdout


def test_a_neo4j_push_counts_its_rows_on_a_terminal(workspace: Path, bolt: BoltServer) -> None:
    database = bolt.fresh_database()
    args = ["--db", str(workspace), "neo4j", "push", "--uri", bolt.uri, "--user", bolt.user,
            "--database", database, "--batch-size", "100"]  # fmt: skip
    env = {**os.environ, "NEO4J_PASSWORD": bolt.password}
    code, shown = _on_terminal(args, env)
    assert code == 0, shown
    total = re.search(r"rows pushed: ([\d,]+) of \1\b", shown)
    assert total, shown
    # Each batch (at most 100 rows, batches per label) as it goes, up to the total.
    done = [
        int(n.replace(",", "")) for n in re.findall(rf"rows pushed: ([\d,]+) of {total[1]}", shown)
    ]
    assert len(done) > 3 and done == sorted(done) and done[-1] == int(total[1].replace(",", ""))
    assert all(later - earlier <= 100 for earlier, later in itertools.pairwise(done)), done
    assert "Pushed to" in shown
    piped = subprocess.run(
        [sys.executable, "-m", "civicgraph", *args], capture_output=True, text=True, env=env,
        check=False,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert "rows pushed" not in piped.stderr and "\r" not in piped.stderr
    assert "Pushed to" in piped.stdout
