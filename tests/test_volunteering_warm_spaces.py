"""Volunteering opportunities and warm spaces as activities: hand-built files, then real ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import shared

from civicgraph.graph import Workspace
from civicgraph.ingest import ingest


def kinds(ws: Workspace, node_type: str) -> dict[str, dict[str, Any]]:
    return {n: d for n, d in ws.graph().nodes(data=True) if d["type"] == node_type}


def opportunity(
    ident: str, organisation: str, sessions: list[dict[str, Any]], **extra: Any
) -> dict:
    return {
        "id": ident,
        "type": "Activity",
        "label": f"Role {ident}\r\n",
        "description": "Help at the pantry &amp; caf&eacute;. Ask sam.jones@example.org",
        "organisation": organisation,
        "applyLink": f"https://volunteer.example/{ident}",
        "email": "sam.jones@example.org",
        "phone": "07700 900123",
        "session": sessions,
        **extra,
    }


def session(
    start: str, end: str, *, remote: bool = False, where: str = "1 Mill St LS1 1AA"
) -> dict:
    location = (
        {"locationType": "Remote", "address": "", "latitude": 0, "longitude": 0}
        if remote
        else {"locationType": "In Person", "address": where, "latitude": 53.8, "longitude": -1.55}
    )
    return {"location": [location], "time": [{"begining": start, "end": end}]}


def test_opportunities_sessions_places_and_missing_organisations(tmp_path: Path) -> None:
    graph = {
        "@context": {"@vocab": "https://id.volunteeringdata.io/schema/"},
        "@graph": [
            opportunity(
                "v1",
                "ORG-1",
                [
                    session("2025-01-06T10:00:00", "2025-01-06T12:00:00"),
                    session("2025-01-13T10:00:00", "2025-01-13T12:00:00"),
                    session("2025-01-20T10:00:00", "2025-01-20T12:00:00", remote=True),
                ],
                cause=["https://ns.volunteeringdata.io/AnimalWelfare"],
            ),
            opportunity("v2", "ORG-MISSING", [session("not a date", "2025-02-01T10:00:00")]),
            {"id": "ORG-1", "type": "Organisation", "description": "Pantry", "email": "info@p.org"},
        ],
    }
    path = tmp_path / "export.jsonld"
    path.write_text(json.dumps(graph), encoding="utf-8")
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "volunteering", str(path))
    roles = kinds(ws, "Activity")
    v1 = roles["export:activity:v1"]
    assert v1["name"] == "Role v1" and v1["activity_kind"] == "volunteering role"
    assert v1["description"] == "Help at the pantry & café. Ask [email removed]"
    assert v1["sessions"] == 3 and v1["first_session"] == "2025-01-06T10:00:00"
    assert v1["sessions_per_week"] == 1.0  # three weekly sessions over three weeks
    assert v1["categories"] == ["Animal Welfare"]
    assert roles["export:activity:v2"]["sessions"] == 1  # counted, its time unreadable
    assert any(p.code == "bad-date" for p in report.problems)
    missing = [p for p in report.problems if p.code == "organisation-not-in-data"]
    assert len(missing) == 1 and missing[0].examples[0]["value"] == "ORG-MISSING"
    g = ws.graph()
    runs = [(u, v) for u, v, d in g.edges(data=True) if d["type"] == "RUNS"]
    assert runs == [("export:organization:ORG-1", "export:activity:v1")]
    venues = {v for u, v, d in g.edges(data=True) if d["type"] == "HAPPENS_AT"}
    assert len(venues) == 1  # two in-person sessions at one place; the remote one has none
    assert g.nodes[next(iter(venues))]["postcode"] == "LS1 1AA"
    assert report.table("sessions").read == 4
    ws.close()
    assert b"07700" not in (tmp_path / "ws.db").read_bytes()


@pytest.mark.slow
def test_the_real_team_kinetic_export(tmp_path: Path) -> None:
    folder = shared("volunteering_data_standard")
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "volunteering", str(folder))
    roles = kinds(ws, "Activity")
    assert len(roles) == 250
    assert report.table("sessions").read == 3568
    assert sum(d.get("sessions", 0) for d in roles.values()) == 3568
    missing = next(p for p in report.problems if p.code == "organisation-not-in-data")
    assert missing.summary.startswith("245 opportunities name 219 organisations")
    assert len([1 for *_, d in ws.graph().edges(data=True) if d["type"] == "RUNS"]) == 5


def feature(title: str, source: str, lon: float, lat: float, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"title": title, "_source": source, **props},
    }


def test_one_venue_listed_by_two_directories_is_one_location(tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature(
                "St Mary's Church Hall",
                "warm_welcome",
                -1.5500,
                53.8000,
                address="Church Lane, Leeds LS1 1AA",
                hours={"opening": "Mo 10:00-12:00; We 10:00-12:00,14:00-16:00"},
                contact="07700 900123 or mary.smith@example.org",
            ),
            feature("St Marys Church Hall", "leeds_council", -1.5502, 53.8001, postcode="LS1 1AA"),
            # The same directory listing the hall twice: two listings, never joined by name.
            feature("St Mary's Church Hall", "warm_welcome", -1.5501, 53.8000, postcode="LS1 1AA"),
            feature("Hope Library", "leeds_council", -1.60, 53.81, postcode="LS2 2BB"),
        ],
    }
    path = tmp_path / "warm.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "warm-spaces", str(path))
    assert len(kinds(ws, "Activity")) == 4
    venues = kinds(ws, "Location")
    assert len(venues) == 3
    note = next(p for p in report.problems if p.code == "venues-collapsed")
    assert note.summary.startswith(
        "4 offers are at 3 venues; listed by more than one directory: 1 "
    )
    offers = kinds(ws, "Activity")
    hall = next(d for d in offers.values() if d.get("opening_hours", "").startswith("Mo"))
    assert hall["sessions_per_week"] == 3.0
    assert hall["contacts_masked"] == 2
    (merge,) = ws.merges()  # what civicgraph resolve --merges shows
    assert merge["rule"] == "place"
    (evidence,) = merge["evidence"]
    assert evidence["directories"] == ["leeds_council", "warm_welcome"]
    assert evidence["postcode"] == "LS11AA" and evidence["score"] >= 90
    ws.close()
    stored = (tmp_path / "ws.db").read_bytes()
    assert b"mary.smith" not in stored and b"900123" not in stored


@pytest.mark.slow
def test_the_real_warm_spaces_collapse(tmp_path: Path) -> None:
    path = shared("uk_warm_spaces/warm_spaces_all.geojson")
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "warm-spaces", str(path))
    assert report.table("warm_spaces_all.geojson").read == 8953
    assert len(kinds(ws, "Activity")) == 8953
    note = next(p for p in report.problems if p.code == "venues-collapsed")
    # Measured with the place rule (names >= 90 and the same postcode or 75 m): 273 listings
    # of 8,953 fold into venues another directory lists too.
    assert note.summary.startswith(
        "8,953 offers are at 8,680 venues; listed by more than one directory: 268 venues"
    )
    assert len(kinds(ws, "Location")) == 8680


def test_one_session_or_cause_given_alone_counts_as_one(tmp_path: Path) -> None:
    """JSON-LD may give a single value where a list is usual: one session object, one cause
    string (before, the session crashed the ingest and the cause became one concept a letter)."""
    alone = opportunity("v1", "ORG-1", [], cause="https://ns.volunteeringdata.io/AnimalWelfare")
    alone["session"] = session("2025-01-06T10:00:00", "2025-01-06T12:00:00")
    odd = opportunity("v2", "ORG-1", [])
    odd["session"] = True
    graph = {
        "@graph": [alone, odd, {"id": "ORG-1", "type": "Organisation", "description": "Pantry"}]
    }
    path = tmp_path / "export.jsonld"
    path.write_text(json.dumps(graph), encoding="utf-8")
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "volunteering", str(path))
    roles = kinds(ws, "Activity")
    assert [d.get("sessions") for _, d in sorted(roles.items())] == [1, 1]
    assert len(kinds(ws, "Concept")) == 1
    bad = next(p for p in report.problems if p.code == "bad-session")
    assert bad.examples[0]["record"] == "v2", bad
