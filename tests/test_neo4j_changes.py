"""The ``changes`` and ``area-changes`` Cypher twins on a real Bolt server (ArcadeDB).

Two hand-made snapshots of one directory holding every kind of change the
rules know (the planted directory of test_changes.py, placed in the two-LSOA
town, with grants that start, end by absence and by their planned end, change
amount and are ending); the push writes the snapshot history, and each twin
must give exactly the rows the workspace query gives, option by option.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from arcadedb_server import BoltServer
from handmade import edge, ingest_records, node
from test_changes import AFTER, BEFORE, LOC, ORG, SVC, _grant, _places

from civicgraph import Workspace
from civicgraph.graph.history import history_rows
from civicgraph.graph.neo4j import push_to_neo4j
from civicgraph.ontology import EdgeType
from civicgraph.queries import area_changes, changes
from civicgraph.queries.changes import CHANGE_KINDS
from civicgraph.queries.twins import run_twin

POOR, RICH = "E01000001", "E01000002"
DAYS = ("2025-01-15", "2025-07-15")


def _ending(key: str, recipient: str, end: str, amount: float) -> list[Any]:
    return [
        *_grant(key, amount, RICH, end),
        node(ORG, recipient, name=f"Trust {recipient}"),
        edge(EdgeType.AWARDED_TO, key, recipient),
    ]


def _two_snapshots(ws: Workspace) -> None:
    before = _places(
        [
            *BEFORE,
            node(LOC, "dir:loc:mill", name="Mill", address="3 Mill Lane"),
            edge(EdgeType.AT_LOCATION, "dir:svc:youth", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:library", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:lunch", "dir:loc:rich"),
            edge(EdgeType.IN_AREA, "dir:loc:mill", POOR),
            *_grant("g-poor", 5000, POOR),  # not listed next time: funding-ended
            *_grant("g-amount", 1000, RICH),  # its amount changes
            *_ending("g-ended", "GB-CHC-7", "2025-05-31", 700),  # ends inside the window
            *_ending("g-ending", "GB-CHC-8", "2026-01-31", 900),  # ends within the horizon
        ]
    )
    after = _places(
        [
            *AFTER,
            node(LOC, "dir:loc:mill", name="Mill", address="4 Mill Lane"),  # moved
            node(SVC, "dir:svc:new", name="New club"),
            edge(EdgeType.AT_LOCATION, "dir:svc:new", "dir:loc:rich"),
            edge(EdgeType.AT_LOCATION, "dir:svc:library", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:lunch", "dir:loc:rich"),
            edge(EdgeType.IN_AREA, "dir:loc:mill", POOR),
            *_grant("g-amount", 1200, RICH),
            *_grant("g-new", 300, RICH),  # funding-started
            *_ending("g-ended", "GB-CHC-7", "2025-05-31", 700),
            *_ending("g-ending", "GB-CHC-8", "2026-01-31", 900),
        ]
    )
    ingest_records(ws, before, name="dir", snapshot_date=DAYS[0])
    ingest_records(ws, after, name="dir", snapshot_date=DAYS[1])


@pytest.fixture(scope="module")
def pushed(
    bolt: BoltServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Workspace, str, Any]:
    ws = Workspace(tmp_path_factory.mktemp("changes") / "w.db")
    _two_snapshots(ws)
    database = bolt.fresh_database()
    result = push_to_neo4j(
        ws, uri=bolt.uri, user=bolt.user, password=bolt.password, database=database
    )
    return ws, database, result


def _twin(bolt: BoltServer, pushed: Any, name: str, **params: Any) -> pd.DataFrame:
    ws, database, _ = pushed
    return run_twin(
        name, uri=bolt.uri, user=bolt.user, password=bolt.password, database=database,
        workspace_id=ws.workspace_id(), **params,
    )  # fmt: skip


def _same(expected: pd.DataFrame, actual: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        expected.reset_index(drop=True), actual.reset_index(drop=True), check_dtype=False
    )
    assert expected.attrs.get("note") == actual.attrs.get("note")


def test_the_workspace_holds_every_kind_of_change(pushed: Any) -> None:
    ws, _, _ = pushed
    assert set(changes(ws)["change"]) == set(CHANGE_KINDS)


def test_the_push_writes_the_snapshot_history(pushed: Any) -> None:
    ws, _, result = pushed
    facts = sum(len(rows) for _, rows in history_rows(ws))
    assert result.history == {"Snapshot": 2, "SnapshotFact": facts}
    assert facts < 2 * ws.graph().number_of_nodes()  # no areas, no taxonomy


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"since": "1"},
        {"since": "2025-02-01"},
        {"since": "2024-12-31"},
        {"until": "2025-03-01"},
        {"type": ["Grant"]},
        {"type": ["service", "Location"]},
        {"within": POOR},
        {"within": ["Town 001B"]},
        {"horizon_months": 3},
    ],
)
def test_changes_twin_gives_the_workspace_answer(
    params: dict[str, Any], bolt: BoltServer, pushed: Any
) -> None:
    ws, _, _ = pushed
    _same(changes(ws, **params), _twin(bolt, pushed, "changes", **params))


@pytest.mark.parametrize(
    "params", [{}, {"level": "msoa"}, {"within": POOR}, {"since": "1"}, {"until": "2025-03-01"}]
)
def test_area_changes_twin_gives_the_workspace_answer(
    params: dict[str, Any], bolt: BoltServer, pushed: Any
) -> None:
    ws, _, _ = pushed
    expected = area_changes(ws, **params)
    _same(expected, _twin(bolt, pushed, "area-changes", **params))
    if not params:
        assert bool(expected.set_index(["area", "category"]).loc[(POOR, "services"), "spiral"])


def test_cli_twins_and_what_they_refuse(
    bolt: BoltServer, pushed: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, database, _ = pushed
    monkeypatch.setenv("NEO4J_PASSWORD", bolt.password)
    where = ["--uri", bolt.uri, "--user", bolt.user, "--database", database]
    result = run_cli("--db", ws.path, "neo4j", "query", "changes", *where, "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]
    assert {(r["change"], r["id"]) for r in rows} == set(
        zip(changes(ws)["change"], changes(ws)["id"], strict=True)
    )
    result = run_cli(
        "--db", ws.path, "neo4j", "query", "area-changes", *where, "--level", "msoa",
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert {r["area"] for r in json.loads(result.out)["rows"]} == {"E02000001"}
    bad = run_cli("--db", ws.path, "neo4j", "query", "changes", *where, "--since", "nine")
    assert bad.code == 2
    assert "1 (dir, 2025-01-15)" in bad.err and "Traceback" not in bad.err
    as_of = run_cli("--db", ws.path, "neo4j", "query", "changes", *where, "--as-of", "2025-03-01")
    assert as_of.code == 2
    assert "query changes --as-of 2025-03-01" in as_of.err


def test_a_later_push_replaces_the_history(bolt: BoltServer, tmp_path: Path) -> None:
    """One snapshot pushed, then a second: the twin sees the second, nothing is left over."""
    ws = Workspace(tmp_path / "w.db")
    database = bolt.fresh_database()
    ingest_records(ws, _places(list(BEFORE)), name="dir", snapshot_date=DAYS[0])
    push = {"uri": bolt.uri, "user": bolt.user, "password": bolt.password, "database": database}
    first = push_to_neo4j(ws, **push)
    assert first.history["Snapshot"] == 1
    assert _twin(bolt, (ws, database, None), "changes").empty
    ingest_records(ws, _places(list(AFTER)), name="dir", snapshot_date=DAYS[1])
    second = push_to_neo4j(ws, **push)
    assert second.history["Snapshot"] == 2
    _same(changes(ws), _twin(bolt, (ws, database, None), "changes"))


def test_first_and_last_asserted_are_neo4j_dates(bolt: BoltServer, pushed: Any) -> None:
    import neo4j

    ws, database, _ = pushed
    graph = ws.graph()
    with neo4j.GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password)) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (n) WHERE n.cg_workspace = $workspace AND n.first_asserted IS NOT NULL "
            "RETURN n.id AS id, n.first_asserted AS first, n.last_asserted AS last",
            {"workspace": ws.workspace_id()},
            database_=database,
        )
        stored = {r["id"]: (r["first"], r["last"]) for r in records}
        # Compared as dates in Cypher: only what the July snapshot did not assert again.
        earlier, _, _ = driver.execute_query(
            "MATCH (s:Service) WHERE s.cg_workspace = $workspace "
            "AND s.last_asserted < date($day) RETURN s.id AS id",
            {"workspace": ws.workspace_id(), "day": DAYS[1]},
            database_=database,
        )
        edges, _, _ = driver.execute_query(
            "MATCH ()-[r]->() WHERE r.cg_workspace = $workspace AND r.first_asserted IS NOT NULL "
            "RETURN r.first_asserted AS first",
            {"workspace": ws.workspace_id()},
            database_=database,
        )
    assert stored == {
        n: (date.fromisoformat(d["first_asserted"]), date.fromisoformat(d["last_asserted"]))
        for n, d in graph.nodes(data=True)
    }
    assert all(isinstance(v, neo4j.time.Date) for pair in stored.values() for v in pair)
    assert {r["id"] for r in earlier} == {
        n
        for n, d in graph.nodes(data=True)
        if d["type"] == "Service" and d["last_asserted"] < DAYS[1]
    }
    assert edges and all(isinstance(r["first"], neo4j.time.Date) for r in edges)
