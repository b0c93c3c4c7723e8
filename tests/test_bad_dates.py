"""Issue 15's bad dates beyond grants: a date that cannot be read (month 13, 30 February) or
an end before its start is reported by file, row and field and kept off the node's dates.

Hand-made inputs of every dated kind (an HSDS 3.0 JSON and CSV service's ``assured_date``
and ``last_modified``, an asset's ACV listing and expiry, an OpenActive session series'
dates and sessions, a volunteering session); answers known by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hostile import csv_text, service
from test_openactive import page, series, write_pages
from test_volunteering_warm_spaces import opportunity, session

from civicgraph import Workspace
from civicgraph.ingest import ingest

BAD = ("bad-date", "end-before-start")


def _problems(report: Any) -> set[tuple[Any, ...]]:
    return {
        (p.code, p.file, p.field, example.get("row"), example.get("record"))
        for p in report.problems
        if p.code in BAD
        for example in p.examples
    }


def _node(ws: Workspace, suffix: str) -> dict[str, Any]:
    (found,) = [d for n, d in ws.graph().nodes(data=True) if n.endswith(suffix)]
    return found


def test_hsds_json_service_dates(tmp_path: Path) -> None:
    records = [
        service(id="s1", assured_date="2025-13-01", last_modified="2025-02-30T10:00:00"),
        service(id="s2", assured_date="17/03/2024", last_modified="2024-03-17T09:30:00Z"),
    ]
    path = tmp_path / "services.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    ws = Workspace(tmp_path / "w.db")
    report = ingest(ws, "hsds", str(path), name="dir")
    assert _problems(report) == {
        ("bad-date", "services.json", "assured_date", None, "s1"),
        ("bad-date", "services.json", "last_modified", None, "s1"),
    }
    bad, good = _node(ws, ":service:s1"), _node(ws, ":service:s2")
    assert "assured_date" not in bad and "last_modified" not in bad
    assert (bad["assured_date_raw"], bad["last_modified_raw"]) == (
        "2025-13-01",
        "2025-02-30T10:00:00",
    )
    assert good["assured_date"] == "2024-03-17"  # readable: written as ISO
    assert good["last_modified"] == "2024-03-17T09:30:00Z"


def test_hsds_csv_service_dates(tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "organizations.csv").write_text(
        csv_text([["id", "name"], ["o1", "Hartley"]]), encoding="utf-8"
    )
    (package / "services.csv").write_text(
        csv_text(
            [
                ["id", "organization_id", "name", "status", "assured_date"],
                ["s1", "o1", "Advice", "active", "2025-02-30"],
                ["s2", "o1", "Lunch", "active", "2025-02-28"],
            ]
        ),
        encoding="utf-8",
    )
    ws = Workspace(tmp_path / "w.db")
    report = ingest(ws, "hsds", str(package), name="dir")
    assert _problems(report) == {("bad-date", "services.csv", "assured_date", 2, "s1")}
    assert "assured_date" not in _node(ws, ":service:s1")
    assert _node(ws, ":service:s2")["assured_date"] == "2025-02-28"


def test_asset_listing_before_its_expiry(tmp_path: Path) -> None:
    path = tmp_path / "assets.csv"
    path.write_text(
        csv_text(
            [
                ["Asset Ref", "Asset Name", "Postcode", "ACV Listing Date", "ACV Expiry"],
                ["A1", "Old Library", "LS1 1AA", "2024-06-15", "2023-01-31"],
                ["A2", "Red Lion", "LS1 1AB", "2024-06-15", "2027-01-31"],
                ["A3", "Mill", "LS1 1AC", "2024-13-15", ""],
            ]
        ),
        encoding="utf-8",
    )
    ws = Workspace(tmp_path / "w.db")
    report = ingest(ws, "assets", str(path), name="assets")
    assert _problems(report) == {
        ("end-before-start", "assets.csv", "acv_expires", 2, "A1"),
        ("bad-date", "assets.csv", "acv_listed", 4, "A3"),
    }
    backwards = _node(ws, ":A1")
    assert "acv_listed" not in backwards and "acv_expires" not in backwards
    assert (backwards["acv_listed_raw"], backwards["acv_expires_raw"]) == (
        "2024-06-15",
        "2023-01-31",
    )
    assert _node(ws, ":A2")["acv_expires"] == "2027-01-31"
    assert "acv_listed" not in _node(ws, ":A3") and "acv_expires" not in _node(ws, ":A3")


def test_openactive_dates_and_sessions(tmp_path: Path) -> None:
    folder = write_pages(
        tmp_path / "feed",
        page(
            [
                series("a", 1, "Bowls", startDate="2025-13-01", endDate="2025-12-31"),
                series("b", 2, "Chess", startDate="2025-06-01", endDate="2025-01-31"),
                series(
                    "c",
                    3,
                    "Yoga",
                    startDate="2025-01-01",
                    subEvent=[
                        {"startDate": "2025-01-06T10:00:00Z", "endDate": "2025-01-06T09:00:00Z"},
                        {"startDate": "2025-01-13T10:00:00Z", "endDate": "2025-01-32T11:00:00Z"},
                    ],
                ),
            ]
        ),
    )
    ws = Workspace(tmp_path / "w.db")
    report = ingest(ws, "openactive", str(folder), name="oa", snapshot_date="2025-03-01")
    assert {(code, field, record) for code, _, field, _, record in _problems(report)} == {
        ("bad-date", "startDate", "a"),
        ("end-before-start", "end_date", "b"),
        ("end-before-start", "endDate", "c"),
        ("bad-date", "endDate", "c"),
    }
    a, b, c = (_node(ws, f"series/{x}") for x in "abc")
    assert "start_date" not in a and a["end_date"] == "2025-12-31"
    # Chess, ending before it starts, would never stand on any day if its dates were kept.
    assert "start_date" not in b and "end_date" not in b
    assert ws.at("2025-03-01").graph().has_node(next(n for n in ws.graph() if "series/b" in n))
    assert [s.get("end") for s in c["session_times"]] == [None, None]


def test_volunteering_session_ending_before_it_begins(tmp_path: Path) -> None:
    graph = {
        "@graph": [
            opportunity("v1", "ORG-1", [session("2025-01-06T10:00:00", "2025-01-06T08:00:00")]),
            opportunity("v2", "ORG-1", [session("2025-01-06T10:00:00", "2025-01-06T12:00:00")]),
            {"id": "ORG-1", "type": "Organisation", "description": "Pantry"},
        ]
    }
    path = tmp_path / "export.jsonld"
    path.write_text(json.dumps(graph), encoding="utf-8")
    ws = Workspace(tmp_path / "w.db")
    report = ingest(ws, "volunteering", str(path))
    assert {(c, f, r) for c, _, f, _, r in _problems(report)} == {
        ("end-before-start", "session[1].time.end", "v1")
    }
    assert _node(ws, ":v1")["session_times"] == [{"start": "2025-01-06T10:00:00"}]
    assert _node(ws, ":v2")["session_times"][0]["end"] == "2025-01-06T12:00:00"
