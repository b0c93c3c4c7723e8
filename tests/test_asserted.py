"""``first_asserted`` / ``last_asserted``: the days over which snapshots assert a node or edge.

Three hand-made snapshots of one directory, dated by ``--snapshot-date``; each
node's and edge's first and last day is known by hand from which snapshots
hold it. Older snapshots count though only the newest is current.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from handmade import edge, ingest_records, node

from civicgraph import Workspace
from civicgraph.ontology import EdgeType, NodeType

SVC, LOC = NodeType.SERVICE, NodeType.LOCATION
DAYS = ("2025-01-15", "2025-04-15", "2025-07-15")


def _snapshot(*names: str, moved: bool = False) -> list[Any]:
    records = [node(SVC, f"dir:svc:{name}", name=name.title()) for name in names]
    records += [node(LOC, "dir:loc:a", name="Hall"), node(LOC, "dir:loc:b", name="Centre")]
    records.append(
        edge(EdgeType.AT_LOCATION, "dir:svc:lunch", "dir:loc:b" if moved else "dir:loc:a")
    )
    return records


def _three_snapshots(ws: Workspace) -> None:
    ingest_records(ws, _snapshot("lunch", "youth"), name="dir", snapshot_date=DAYS[0])
    ingest_records(ws, _snapshot("lunch", "youth", "warm"), name="dir", snapshot_date=DAYS[1])
    ingest_records(ws, _snapshot("lunch", "warm", moved=True), name="dir", snapshot_date=DAYS[2])


def test_nodes_and_edges_carry_their_first_and_last_day() -> None:
    ws = Workspace(":memory:")
    _three_snapshots(ws)
    graph = ws.graph()
    spans = {n: (d["first_asserted"], d["last_asserted"]) for n, d in graph.nodes(data=True)}
    assert spans["dir:svc:lunch"] == (DAYS[0], DAYS[2])
    assert spans["dir:svc:warm"] == (DAYS[1], DAYS[2])
    assert "dir:svc:youth" not in spans  # not in the current snapshot: not in the graph
    at = {
        (u, v): (d["first_asserted"], d["last_asserted"])
        for u, v, d in graph.edges(data=True)
        if d["type"] == EdgeType.AT_LOCATION
    }
    assert at == {("dir:svc:lunch", "dir:loc:b"): (DAYS[2], DAYS[2])}


def test_one_snapshot_first_is_last() -> None:
    ws = Workspace(":memory:")
    ingest_records(ws, _snapshot("lunch"), name="dir", snapshot_date=DAYS[1])
    data = ws.graph().nodes["dir:svc:lunch"]
    assert (data["first_asserted"], data["last_asserted"]) == (DAYS[1], DAYS[1])


def test_stored_graph_and_neo4j_csv_keep_them(tmp_path: Path, run_cli: Any) -> None:
    db = tmp_path / "town.db"
    _three_snapshots(Workspace(db))
    Workspace(db).graph()  # built and stored
    assert Workspace(db).graph().nodes["dir:svc:warm"]["first_asserted"] == DAYS[1]
    out = tmp_path / "neo4j"
    result = run_cli("--db", db, "export", "neo4j-csv", "--out", out)
    assert result.code == 0, result.err
    found = {}
    for path in out.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                ids = [v for k, v in row.items() if k and k.startswith(("id", ":ID"))]
                if "dir:svc:warm" in ids:
                    found = row
    firsts = [v for k, v in found.items() if k and k.startswith("first_asserted")]
    assert firsts == [DAYS[1]], found
