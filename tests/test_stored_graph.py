"""The persisted analysis graph: loaded while the store is unchanged, rebuilt when it is not."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from civicgraph import Workspace
from civicgraph.graph import build_graph, count_by_type
from civicgraph.graph._schema import DDL, SCHEMA_VERSION
from civicgraph.ingest import ingest
from civicgraph.synth import synth

LOADED = "loaded the stored graph"


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("town")
    return {s.name: s.path for s in synth(folder, services=60, seed=7)}


def _workspace(tmp_path: Path, town: dict[str, Path]) -> Workspace:
    workspace = Workspace(tmp_path / "w.db")
    ingest(workspace, "hsds", str(town["directory"]), name="directory")
    ingest(workspace, "referrals", str(town["referrals"]), name="referrals")
    return workspace


def _fresh(workspace: Workspace) -> nx.MultiDiGraph:
    with sqlite3.connect(workspace.path) as conn:
        return build_graph(conn)


def _identical(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    return (
        dict(a.nodes(data=True)) == dict(b.nodes(data=True))
        and sorted(a.edges(keys=True, data=True), key=repr)
        == sorted(b.edges(keys=True, data=True), key=repr)
        and a.graph == b.graph
    )


def _loaded(caplog: pytest.LogCaptureFixture) -> bool:
    return any(LOADED in record.getMessage() for record in caplog.records)


def test_a_later_command_loads_the_graph_it_stored(
    tmp_path: Path, town: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    workspace = _workspace(tmp_path, town)
    caplog.set_level(logging.INFO, logger="civicgraph")
    built = workspace.graph()
    assert not _loaded(caplog)
    caplog.clear()
    loaded = Workspace(workspace.path).graph()  # another "process": a new workspace object
    assert _loaded(caplog)
    assert _identical(loaded, built)
    assert _identical(loaded, _fresh(workspace))
    assert loaded.number_of_edges() > 0
    loaded.add_node("scribble", type="Service")  # each call gets a graph of its own
    assert "scribble" not in Workspace(workspace.path).graph()


@pytest.mark.parametrize("change", ["ingest", "priority", "decisions", "resolve"])
def test_a_stored_graph_that_no_longer_matches_the_store_is_rebuilt(
    tmp_path: Path, town: dict[str, Path], caplog: pytest.LogCaptureFixture, change: str
) -> None:
    workspace = _workspace(tmp_path, town)
    before = workspace.graph()
    if change == "ingest":
        ingest(workspace, "360giving", str(town["grants"]), name="grants")
    elif change == "priority":
        workspace.set_priority("referrals", 3)
    elif change == "decisions":
        org_a, org_b = sorted(n for n, d in before.nodes(data=True) if d["type"] == "Organization")[
            :2
        ]
        decisions = tmp_path / "decisions.csv"
        decisions.write_text(f"decision,a,b\nsame,{org_a},{org_b}\n", encoding="utf-8")
        workspace.load_decisions(decisions)
    else:
        workspace.resolve()
    caplog.set_level(logging.INFO, logger="civicgraph")
    after = Workspace(workspace.path).graph()
    assert not _loaded(caplog), "a stale graph was loaded"
    assert _identical(after, _fresh(workspace))
    if change in ("ingest", "decisions"):
        assert not _identical(after, before)


def test_a_crash_while_storing_leaves_the_previous_graph_usable(
    tmp_path: Path, town: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    workspace = _workspace(tmp_path, town)
    built = workspace.graph()
    workspace.close()
    # A process that dies halfway through writing a new copy (after deleting the old one).
    crash = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('BEGIN IMMEDIATE')\n"
        "conn.execute('DELETE FROM graph_store')\n"
        "conn.execute(\"INSERT INTO graph_store VALUES (0, x'00')\")\n"
        "conn.execute(\"UPDATE meta SET value = 'half' WHERE key = 'graph_fingerprint'\")\n"
        "os._exit(9)\n"
    )
    done = subprocess.run([sys.executable, "-c", crash, workspace.path], check=False)
    assert done.returncode == 9
    caplog.set_level(logging.INFO, logger="civicgraph")
    assert _identical(Workspace(workspace.path).graph(), built)
    assert _loaded(caplog)


def test_a_damaged_stored_graph_is_built_again(
    tmp_path: Path, town: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    workspace = _workspace(tmp_path, town)
    workspace.graph()
    workspace.close()
    with sqlite3.connect(workspace.path) as conn:
        conn.execute("UPDATE graph_store SET data = x'789c0300' || data")
    caplog.set_level(logging.INFO, logger="civicgraph")
    assert _identical(Workspace(workspace.path).graph(), _fresh(workspace))
    assert not _loaded(caplog)


def test_stats_reads_the_counts_stored_with_the_graph(
    tmp_path: Path, town: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    workspace = _workspace(tmp_path, town)
    expected = count_by_type(_fresh(workspace))
    assert workspace.stats() == expected  # builds and stores the graph
    caplog.set_level(logging.INFO, logger="civicgraph")
    again = Workspace(workspace.path)
    assert again.stats() == expected
    assert not caplog.records, "stats built or loaded the graph instead of reading the counts"
    ingest(again, "360giving", str(town["grants"]), name="grants")
    assert again.stats() == count_by_type(_fresh(again)) != expected


def test_a_workspace_of_the_version_before_gains_the_stored_graph(
    tmp_path: Path, town: dict[str, Path]
) -> None:
    assert SCHEMA_VERSION == 3
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    before_v3 = DDL.split("-- The analysis graph as last built")[0]
    conn.executescript(
        f"BEGIN; {before_v3}; PRAGMA application_id = {0x43475250}; "
        "PRAGMA user_version = 2; COMMIT;"
    )
    conn.close()
    workspace = Workspace(path)
    ingest(workspace, "hsds", str(town["directory"]), name="directory")
    assert _identical(workspace.graph(), _fresh(workspace))
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 3
        assert check.execute("SELECT count(*) FROM graph_store").fetchone()[0] >= 1


def test_a_command_s_graph_is_kept_out_of_the_collector_s_rescans(
    tmp_path: Path, town: dict[str, Path]
) -> None:
    import gc

    workspace = _workspace(tmp_path, town)
    workspace.graph()  # built and stored
    before = gc.get_freeze_count()
    plain = Workspace(workspace.path).graph()
    assert gc.get_freeze_count() == before  # a library caller's graph stays collectable
    try:
        frozen = Workspace(workspace.path, freeze_graph=True).graph()
        assert gc.get_freeze_count() >= before + frozen.number_of_nodes()
        assert _identical(frozen, plain)
    finally:
        gc.unfreeze()


def test_the_fingerprint_changes_with_the_code_that_builds_the_graph(
    tmp_path: Path, town: dict[str, Path]
) -> None:
    from civicgraph.graph import _stored

    sources = _stored.build_sources()
    assert {p.name for p in sources} >= {"build.py", "placing.py", "model.py"}
    copies = []
    for path in sources:
        copy = tmp_path / path.parent.name / path.name
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    before = _stored.code_hash(copies)
    assert before == _stored.code_hash(sources)
    build = next(c for c in copies if c.name == "build.py")
    build.write_text(build.read_text() + "\n# changed\n")
    assert _stored.code_hash(copies) != before
    workspace = _workspace(tmp_path, town)
    with sqlite3.connect(workspace.path) as conn:
        assert f"code {before}" in _stored.fingerprint(conn)


def test_the_loaded_graph_keeps_the_order_and_owns_its_lists(
    tmp_path: Path, town: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    workspace = _workspace(tmp_path, town)
    built = workspace.graph()
    caplog.set_level(logging.INFO, logger="civicgraph")
    loaded = Workspace(workspace.path).graph()
    assert _loaded(caplog)
    # The same order everywhere: nodes, each node's neighbours, each pair's edges, attributes.
    assert list(loaded.nodes(data=True)) == list(built.nodes(data=True))
    assert [list(a) for a in loaded.nodes(data=True)] == [list(a) for a in built.nodes(data=True)]
    assert list(loaded.edges(keys=True, data=True)) == list(built.edges(keys=True, data=True))
    assert all(list(loaded.adj[n]) == list(built.adj[n]) for n in built)
    assert all(list(loaded.nodes[n]) == list(built.nodes[n]) for n in built)
    # Each node and edge has its own `sources` list: changing one changes no other.
    lists = [d["sources"] for _, d in loaded.nodes(data=True) if "sources" in d]
    lists += [d["sources"] for *_, d in loaded.edges(data=True) if "sources" in d]
    assert len(lists) > 100 and len({id(x) for x in lists}) == len(lists)


def test_a_graph_stored_in_the_previous_encoding_is_rebuilt(
    tmp_path: Path, town: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    from civicgraph.graph import _stored

    workspace = _workspace(tmp_path, town)
    workspace.graph()
    workspace.close()
    with sqlite3.connect(workspace.path) as conn:
        (current,) = conn.execute(
            "SELECT value FROM meta WHERE key = 'graph_fingerprint'"
        ).fetchone()
        assert _stored.ENCODING in current
        previous = current.replace(_stored.ENCODING, "orjson-adjacency-zlib/2")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'graph_fingerprint'", (previous,))
    caplog.set_level(logging.INFO, logger="civicgraph")
    assert _identical(Workspace(workspace.path).graph(), _fresh(workspace))
    assert not _loaded(caplog)
    with sqlite3.connect(workspace.path) as conn:
        assert conn.execute(
            "SELECT value FROM meta WHERE key = 'graph_fingerprint'"
        ).fetchone() == (current,)
