"""``changes`` and ``area-changes`` with ``--within``: only what is placed in the study area.

The two-LSOA town of test_changes.py, with services lost in the poor LSOA and
gained in the well-off one; the scope's answer is checked against the
unscoped one filtered by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handmade import edge, ingest_records, node
from test_changes import SVC, _grant, _places

from civicgraph import Workspace
from civicgraph.ontology import EdgeType
from civicgraph.queries import area_changes, changes

POOR, RICH = "E01000001", "E01000002"


def _town(ws: Workspace) -> None:
    before = [
        node(SVC, "dir:svc:a", name="A"),
        node(SVC, "dir:svc:c", name="C"),
        node(SVC, "dir:svc:nowhere", name="Unplaced"),
        edge(EdgeType.AT_LOCATION, "dir:svc:a", "dir:loc:poor"),
        edge(EdgeType.AT_LOCATION, "dir:svc:c", "dir:loc:rich"),
        *_grant("g-poor", 5000, POOR),
    ]
    after = [
        node(SVC, "dir:svc:c", name="C"),
        node(SVC, "dir:svc:d", name="D"),
        edge(EdgeType.AT_LOCATION, "dir:svc:c", "dir:loc:rich"),
        edge(EdgeType.AT_LOCATION, "dir:svc:d", "dir:loc:rich"),
    ]
    ingest_records(ws, _places(before), name="dir", snapshot_date="2025-01-15")
    ingest_records(ws, _places(after), name="dir", snapshot_date="2025-07-15")


def test_changes_within_keeps_what_is_placed_there() -> None:
    ws = Workspace(":memory:")
    _town(ws)
    every = changes(ws)
    assert ("closed", "dir:svc:nowhere") in set(zip(every["change"], every["id"], strict=True))
    poor = changes(ws, within=POOR)
    assert set(zip(poor["change"], poor["id"], strict=True)) == {
        ("closed", "dir:svc:a"),
        ("funding-ended", "g-poor"),
    }
    assert set(poor["area"]) == {POOR}
    assert "Town 001A" in poor.attrs["note"]
    rich = changes(ws, within=["Town 001B"])
    assert set(zip(rich["change"], rich["id"], strict=True)) == {("opened", "dir:svc:d")}
    both = changes(ws, within="E02000001")  # the MSOA holds both LSOAs
    assert len(both) == len(every) - 1  # all but the unplaced service


def test_area_changes_within_counts_only_the_scope() -> None:
    ws = Workspace(":memory:")
    _town(ws)
    rows = area_changes(ws, within=POOR)
    assert set(rows["area"]) == {POOR}
    assert bool(rows.set_index("category").loc["services", "spiral"])
    msoa = area_changes(ws, level="msoa", within=RICH).set_index("category")
    assert msoa.loc["services", "net"] == 1  # only D, opened in the well-off LSOA


def test_cli_within(tmp_path: Path, run_cli: Any) -> None:
    db = tmp_path / "town.db"
    _town(Workspace(db))
    result = run_cli("--db", db, "query", "changes", "--within", POOR, "--format", "csv")
    assert result.code == 0, result.err
    assert "dir:svc:a" in result.out and "dir:svc:d" not in result.out
    assert "Town 001A" in result.err
    bad = run_cli("--db", db, "query", "area-changes", "--within", "Nowhere-upon-Sea")
    assert bad.code == 2
    assert "Nowhere-upon-Sea" in bad.err
