"""Long steps show progress with totals on a terminal, and nothing when piped."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

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
