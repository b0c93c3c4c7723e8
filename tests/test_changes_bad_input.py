"""Issue 15's bad input for ``changes``: unreadable and backwards grant dates are reported by
file, row and field and kept out of the timeline; one undated snapshot is nothing to compare;
``--until`` bounds the later snapshot. Answers known by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from handmade import ingest_records, node

from civicgraph import Workspace
from civicgraph.errors import UsageError
from civicgraph.ingest import ingest
from civicgraph.ontology import NodeType
from civicgraph.queries import changes

SVC = NodeType.SERVICE


def _grant(number: int, end: str) -> dict[str, Any]:
    """A grant awarded 2024-01-10, planned 2024-01-15 to ``end``, each to its own recipient."""
    return {
        "id": f"360G-x-{number}",
        "title": f"Grant {number}",
        "currency": "GBP",
        "amountAwarded": 1000,
        "awardDate": "2024-01-10",
        "plannedDates": [{"startDate": "2024-01-15", "endDate": end}],
        "recipientOrganization": [{"id": f"GB-CHC-{number}", "name": f"Trust {number}"}],
        "fundingOrganization": [{"id": "GB-CHC-9", "name": "Fund"}],
    }


GRANTS = [
    _grant(1, "2024-04-30"),  # readable: ends within 12 months of the snapshot
    _grant(2, "end of March"),  # unreadable: kept as written, no end in the timeline
    _grant(3, "2024-01-01"),  # before its start: both dates kept out (else funding-ended)
]


@pytest.fixture
def dated_grants(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "grants.json"
    path.write_text(json.dumps({"grants": GRANTS}), encoding="utf-8")
    return path, tmp_path / "w.db"


def test_bad_grant_dates_are_reported_by_file_row_and_field(
    dated_grants: tuple[Path, Path],
) -> None:
    path, db = dated_grants
    with Workspace(db) as ws:
        report = ingest(ws, "360giving", str(path), name="g", snapshot_date="2024-03-01")
    found = {
        (p.code, p.file, p.field, p.examples[0]["row"], p.examples[0]["record"])
        for p in report.problems
        if p.code in ("invalid-date", "end-before-start")
    }
    assert found == {
        ("invalid-date", "grants.json", "plannedDates/endDate", 2, "360G-x-2"),
        ("end-before-start", "grants.json", "plannedDates/endDate", 3, "360G-x-3"),
    }


def test_bad_grant_dates_are_kept_out_of_the_timeline(dated_grants: tuple[Path, Path]) -> None:
    path, db = dated_grants
    with Workspace(db) as ws:
        ingest(ws, "360giving", str(path), name="g", snapshot_date="2024-03-01")
        graph = ws.graph()
        assert graph.nodes["360G-x-2"]["planned_end_raw"] == "end of March"
        assert "planned_end" not in graph.nodes["360G-x-2"]
        assert "planned_end" not in graph.nodes["360G-x-3"]
        # One snapshot: its grants' own dates, looking back 12 months. Only the readable,
        # forward grant changes; x-3's end (2024-01-01) would be funding-ended if guessed.
        rows = changes(ws)
        assert list(zip(rows["change"], rows["id"], strict=True)) == [
            ("funding-ending", "360G-x-1")
        ]
        assert rows["when"].tolist() == ["2024-04-30"]
        # On a later day, the readable grant has ended; the two without a usable end stay.
        later = {n for n, d in ws.at("2025-01-01").graph().nodes(data=True) if d["type"] == "Grant"}
        assert later == {"360G-x-2", "360G-x-3"}


def test_cli_reports_bad_dates_and_lists_only_readable_changes(
    dated_grants: tuple[Path, Path], run_cli: Any
) -> None:
    path, db = dated_grants
    result = run_cli("--db", db, "ingest", "360giving", path, "--snapshot-date", "2024-03-01")
    assert result.code == 0, result.err
    for warning in ("row 2 record '360G-x-2'", "row 3 record '360G-x-3'"):
        (line,) = [line for line in result.out.splitlines() if warning in line]  # the report
        assert "grants.json" in line and "plannedDates/endDate" in line
    answer = run_cli("--db", db, "query", "changes", "--format", "json")
    assert answer.code == 0, answer.err
    assert [r["id"] for r in json.loads(answer.out)["rows"]] == ["360G-x-1"]


def test_cli_one_undated_snapshot_is_nothing_to_compare(tmp_path: Path, run_cli: Any) -> None:
    db = tmp_path / "one.db"
    with Workspace(db) as ws:
        ingest_records(ws, [node(SVC, "dir:svc:a", name="A")], name="dir")
    result = run_cli("--db", db, "query", "changes", "--format", "csv")
    assert result.code == 0, result.err
    assert "nothing to compare" in result.err
    assert result.out.strip().splitlines() == ["change,type,id,name,area,when,source,why"]
    as_json = run_cli("--db", db, "query", "changes", "--format", "json")
    assert as_json.code == 0 and json.loads(as_json.out)["rows"] == []


@pytest.fixture
def three_snapshots() -> Workspace:
    """January: A. April: A, B (B opened). July: B (A closed, by absence)."""
    ws = Workspace(":memory:")
    a, b = node(SVC, "dir:svc:a", name="A"), node(SVC, "dir:svc:b", name="B")
    ingest_records(ws, [a], name="dir", snapshot_date="2025-01-15")
    ingest_records(ws, [a, b], name="dir", snapshot_date="2025-04-15")
    ingest_records(ws, [b], name="dir", snapshot_date="2025-07-15")
    return ws


def _found(ws: Workspace, **options: Any) -> set[tuple[str, str, str]]:
    rows = changes(ws, **options)
    return set(zip(rows["change"], rows["id"], rows["when"], strict=True))


def test_until_bounds_the_later_snapshot(three_snapshots: Workspace) -> None:
    opened = ("opened", "dir:svc:b", "2025-04-15")
    closed = ("closed", "dir:svc:a", "2025-07-15")
    assert _found(three_snapshots) == {closed}  # the last two snapshots
    assert _found(three_snapshots, until="2025-05-01") == {opened}  # the last two by May
    both = {("opened", "dir:svc:b", "2025-07-15"), closed}  # January against July
    assert _found(three_snapshots, since="2025-01-31", until="2025-12-31") == both
    assert _found(three_snapshots, since="1") == both
    assert _found(three_snapshots, since="2025-04-30") == {closed}
    assert _found(three_snapshots, since="1", until="2025-04-15") == {opened}
    assert _found(three_snapshots, until="2025-02-01") == set()  # one snapshot by then
    # A snapshot number: up to that snapshot (2 is April's).
    assert _found(three_snapshots, until="2") == {opened}
    assert _found(three_snapshots, since="1", until="3") == both
    with pytest.raises(UsageError, match=r"the snapshots are 1 \(dir, 2025-01-15\)"):
        changes(three_snapshots, until="soon")
    with pytest.raises(UsageError, match="names no snapshot"):
        changes(three_snapshots, until="9")


def test_until_a_snapshot_is_the_funding_horizon_base(tmp_path: Path) -> None:
    """funding-ending counts from ``--until``'s day, a snapshot's own date if it names one."""
    path = tmp_path / "grants.json"
    path.write_text(json.dumps({"grants": [_grant(1, "2024-04-30")]}), encoding="utf-8")
    ws = Workspace(":memory:")
    ingest(ws, "360giving", str(path), name="g", snapshot_date="2023-03-01")
    ingest(ws, "360giving", str(path), name="g", snapshot_date="2024-03-01")
    assert _found(ws, until="2", horizon_months=3) == {("funding-ending", "360G-x-1", "2024-04-30")}
    assert _found(ws, until="1", horizon_months=3) == set()  # 2024-04-30 is 14 months after
