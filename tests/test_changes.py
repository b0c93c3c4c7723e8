"""``changes``: what opened, closed, moved, was reduced or lost its funding, between snapshots.

Two hand-made snapshots of one directory, with every change planted and its
answer known by hand; then real 360Giving grants with their own dates.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from handmade import edge, ingest_records, node
from helpers import shared

from civicgraph import Workspace
from civicgraph.ingest import ingest
from civicgraph.ontology import EdgeType, NodeType
from civicgraph.ontology.lifecycle import lifecycle_of
from civicgraph.queries import changes

SVC, LOC = NodeType.SERVICE, NodeType.LOCATION


def _weekly(hours: tuple[str, str], days: str) -> list[dict[str, str]]:
    return [{"opens_at": hours[0], "closes_at": hours[1], "byday": days}]


BEFORE = [
    node(SVC, "dir:svc:lunch", name="Lunch club", status="active"),
    node(SVC, "dir:svc:youth", name="Youth club", status="active"),  # gone next time: absence
    node(SVC, "dir:svc:library", name="Library", status="active"),  # closed by status
    node(SVC, "dir:svc:pool", name="Pool", schedules=_weekly(("09:00", "17:00"), "MO,TU,WE")),
    node(SVC, "dir:svc:hall", name="Hall lettings", status="active"),  # transferred, by words
    node(SVC, "dir:svc:advice", name="Advice shop"),  # renamed
    node(SVC, "dir:svc:food", name="Food bank"),  # moved to another building
    node(SVC, "dir:svc:gone", name="Old club", status="closed"),  # closed before: not again
    node(SVC, "dir:svc:same", name="Same club", status="active"),  # nothing changes
    node(LOC, "dir:loc:a", name="Church hall", address="1 High St"),
    node(LOC, "dir:loc:b", name="Civic centre", address="2 Low St"),
    edge(EdgeType.AT_LOCATION, "dir:svc:food", "dir:loc:a"),
    edge(EdgeType.AT_LOCATION, "dir:svc:same", "dir:loc:b"),
]

AFTER = [
    node(SVC, "dir:svc:lunch", name="Lunch club", status="active"),
    node(SVC, "dir:svc:library", name="Library", status="inactive"),
    node(SVC, "dir:svc:pool", name="Pool", schedules=_weekly(("09:00", "13:00"), "MO,TU,WE")),
    node(
        SVC,
        "dir:svc:hall",
        name="Hall lettings",
        status="active",
        description="Transferred to Oakbridge Town Council in May.",
    ),
    node(SVC, "dir:svc:advice", name="Advice centre"),
    node(SVC, "dir:svc:food", name="Food bank"),
    node(SVC, "dir:svc:warm", name="Warm space", status="active"),  # opened
    node(SVC, "dir:svc:same", name="Same club", status="active"),
    node(LOC, "dir:loc:a", name="Church hall", address="1 High St"),
    node(LOC, "dir:loc:b", name="Civic centre", address="2 Low St"),
    edge(EdgeType.AT_LOCATION, "dir:svc:food", "dir:loc:b"),
    edge(EdgeType.AT_LOCATION, "dir:svc:same", "dir:loc:b"),
]

PLANTED = {
    ("opened", "dir:svc:warm"),
    ("closed", "dir:svc:youth"),
    ("closed", "dir:svc:library"),
    ("reduced", "dir:svc:pool"),
    ("transferred", "dir:svc:hall"),
    ("renamed", "dir:svc:advice"),
    ("moved", "dir:svc:food"),
}


@pytest.fixture
def two_snapshots() -> Workspace:
    ws = Workspace(":memory:")
    ingest_records(ws, BEFORE, name="dir", snapshot_date="2025-01-15")
    ingest_records(ws, AFTER, name="dir", snapshot_date="2025-07-15")
    return ws


def test_every_planted_change_and_nothing_else(two_snapshots: Workspace) -> None:
    rows = changes(two_snapshots)
    assert set(zip(rows["change"], rows["id"], strict=True)) == PLANTED
    assert len(rows) == len(PLANTED)
    assert set(rows["when"]) == {"2025-07-15"}
    assert set(rows["source"]) == {"dir"}


def test_why_names_the_evidence(two_snapshots: Workspace) -> None:
    why = dict(zip(changes(two_snapshots)["id"], changes(two_snapshots)["why"], strict=True))
    assert why["dir:svc:youth"].startswith("no longer listed by dir since snapshot 2 (2025-07-15)")
    assert "status 'inactive'" in why["dir:svc:library"]
    assert "12 hours a week in snapshot 2" in why["dir:svc:pool"]
    assert "24 in snapshot 1" in why["dir:svc:pool"]
    assert "'transferred to'" in why["dir:svc:hall"].lower()
    assert why["dir:svc:advice"] == "was 'Advice shop' in snapshot 1 (2025-01-15)"
    assert "Church hall" in why["dir:svc:food"] and "Civic centre" in why["dir:svc:food"]


def test_one_hour_a_week_is_singular() -> None:
    ws = Workspace(":memory:")
    for day, closes in (("2025-01-15", "11:00"), ("2025-07-15", "10:00")):
        pool = node(SVC, "dir:svc:pool", name="Pool", schedules=_weekly(("09:00", closes), "MO"))
        ingest_records(ws, [pool], name="dir", snapshot_date=day)
    (why,) = changes(ws)["why"]
    assert why.startswith("schedules: 1 hour a week in snapshot 2"), why
    assert "2 in snapshot 1" in why


def test_since_a_snapshot_a_date_and_type(two_snapshots: Workspace) -> None:
    assert len(changes(two_snapshots, since="1")) == len(PLANTED)
    assert len(changes(two_snapshots, since="2025-02-01")) == len(PLANTED)
    # Before the first snapshot there is nothing to compare with.
    assert changes(two_snapshots, since="2024-12-31").empty
    # Up to the first snapshot only: nothing changed yet.
    assert changes(two_snapshots, until="2025-03-01").empty
    assert set(changes(two_snapshots, type=["Location"])["id"]) == set()
    assert len(changes(two_snapshots, type=["service"])) == len(PLANTED)


def test_one_snapshot_says_nothing_to_compare() -> None:
    ws = Workspace(":memory:")
    ingest_records(ws, BEFORE, name="dir", snapshot_date="2025-01-15")
    rows = changes(ws)
    assert rows.empty
    assert list(rows.columns) == [
        "change",
        "type",
        "id",
        "name",
        "area",
        "when",
        "source",
        "why",
    ]
    assert "nothing to compare" in rows.attrs["note"]


@pytest.mark.parametrize(
    ("props", "state"),
    [
        ({"status": "inactive"}, "closed"),
        ({"status": "Temporarily closed"}, "temporarily-closed"),
        ({"status": "active", "description": "Now volunteer-run on Saturdays."}, "volunteer-run"),
        ({"description": "Volunteers welcome!"}, "open"),
        ({"status": "active", "description": "We have reduced hours this winter."}, "reduced"),
        ({"status": "closed", "description": "run by volunteers"}, "closed"),
    ],
)
def test_lifecycle_of(props: dict[str, Any], state: str) -> None:
    assert lifecycle_of(props)[0] == state


def test_cli_snapshot_date_and_bad_since(tmp_path: Path, run_cli: Any) -> None:
    db = tmp_path / "town.db"
    grants = shared("360giving_grantnav_samples/ocf1.json")
    result = run_cli("--db", db, "ingest", "360giving", grants, "--snapshot-date", "2014-01-01")
    assert result.code == 0, result.err
    assert Workspace(db).sources()[0]["snapshots"][0]["date"] == "2014-01-01"
    bad = run_cli("--db", db, "ingest", "360giving", grants, "--snapshot-date", "1/1/2014")
    assert bad.code == 2
    assert "YYYY-MM-DD" in bad.err
    since = run_cli("--db", db, "query", "changes", "--since", "snapshot-nine")
    assert since.code == 2
    assert "1 (ocf1, 2014-01-01)" in since.err
    ok = run_cli("--db", db, "query", "changes", "--format", "json")
    assert ok.code == 0, ok.err


def _planned_ends(path: Path) -> list[tuple[str, str, str]]:
    """(grant id, recipient id, planned end as YYYY-MM-DD) straight from the file."""
    found = []
    for grant in json.loads(path.read_text())["grants"]:
        planned = (grant.get("plannedDates") or [{}])[0]
        end = str(planned.get("endDate") or "")
        if len(end) == 10 and end[2] == "/":  # this file writes dd/mm/yyyy
            end = f"{end[6:]}-{end[3:5]}-{end[:2]}"
        if len(end) == 10:
            found.append((grant["id"], grant["recipientOrganization"][0]["id"], end))
    return found


def test_funding_ending_on_real_grants() -> None:
    path = shared("360giving_grantnav_samples/ocf1.json")
    ws = Workspace(":memory:")
    ingest(ws, "360giving", str(path), name="ocf", snapshot_date="2014-01-01")
    rows = changes(ws, since="2013-12-31", horizon_months=6)
    ending = rows[rows["change"] == "funding-ending"]
    ends = _planned_ends(path)
    last_end: dict[str, str] = {}
    for _, recipient, end in ends:
        last_end[recipient] = max(end, last_end.get(recipient, ""))
    expected = {
        grant
        for grant, recipient, end in ends
        if "2014-01-01" < end <= "2014-07-01" and last_end[recipient] == end
    }
    assert expected, "the sample should hold grants ending in the first half of 2014"
    assert set(ending["id"]) == expected
    assert all("no later grant to" in why for why in ending["why"])
    ended = rows[rows["change"] == "funding-ended"]
    assert set(ended["id"]) == {grant for grant, _, end in ends if end == "2014-01-01"}
    assert date.fromisoformat(min(ending["when"])) > date(2014, 1, 1)


def test_one_snapshot_of_dated_grants_looks_back_the_horizon() -> None:
    path = shared("360giving_grantnav_samples/ocf1.json")
    ws = Workspace(":memory:")
    ingest(ws, "360giving", str(path), name="ocf", snapshot_date="2014-01-01")
    ended = changes(ws).query("change == 'funding-ended'")
    expected = {g for g, _, end in _planned_ends(path) if "2013-01-01" < end <= "2014-01-01"}
    assert expected
    assert set(ended["id"]) == expected


AREA = NodeType.AREA
GRANT, ORG = NodeType.GRANT, NodeType.ORGANIZATION


def _places(extra: list[Any]) -> list[Any]:
    """Two LSOAs in one MSOA: the poor one (decile 1) and the well-off one (decile 9)."""
    return [
        node(AREA, "E02000001", name="Town 001", level="msoa"),
        node(AREA, "E01000001", name="Town 001A", level="lsoa", population=2000, imd_decile=1),
        node(AREA, "E01000002", name="Town 001B", level="lsoa", population=1000, imd_decile=9),
        edge(EdgeType.PART_OF, "E01000001", "E02000001"),
        edge(EdgeType.PART_OF, "E01000002", "E02000001"),
        node(LOC, "dir:loc:poor", name="Poor hall", address="1 Low St"),
        node(LOC, "dir:loc:rich", name="Rich hall", address="9 High St"),
        edge(EdgeType.IN_AREA, "dir:loc:poor", "E01000001"),
        edge(EdgeType.IN_AREA, "dir:loc:rich", "E01000002"),
        node(ORG, "GB-CHC-1", name="Fund"),
        *extra,
    ]


def _grant(key: str, amount: float, area: str, end: str | None = None) -> list[Any]:
    props: dict[str, Any] = {"title": key, "amount": amount}
    if end:
        props["planned_end"] = end
    return [
        node(GRANT, key, **props),
        edge(EdgeType.AWARDS, "GB-CHC-1", key),
        edge(EdgeType.BENEFITS_AREA, key, area),
    ]


def test_area_changes_and_the_spiral() -> None:
    ws = Workspace(":memory:")
    before = _places(
        [
            node(SVC, "dir:svc:a", name="A"),
            node(SVC, "dir:svc:b", name="B"),
            node(SVC, "dir:svc:c", name="C"),
            edge(EdgeType.AT_LOCATION, "dir:svc:a", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:b", "dir:loc:poor"),
            edge(EdgeType.AT_LOCATION, "dir:svc:c", "dir:loc:rich"),
            *_grant("g-poor", 5000, "E01000001"),
            *_grant("g-rich", 800, "E01000002"),
        ]
    )
    after = _places(
        [
            node(SVC, "dir:svc:c", name="C"),
            node(SVC, "dir:svc:d", name="D"),
            edge(EdgeType.AT_LOCATION, "dir:svc:c", "dir:loc:rich"),
            edge(EdgeType.AT_LOCATION, "dir:svc:d", "dir:loc:rich"),
            *_grant("g-rich", 800, "E01000002"),
            *_grant("g-rich2", 300, "E01000002"),
        ]
    )
    ingest_records(ws, before, name="dir", snapshot_date="2025-01-15")
    ingest_records(ws, after, name="dir", snapshot_date="2025-07-15")
    from civicgraph.queries import area_changes

    rows = area_changes(ws).set_index(["area", "category"])
    poor = rows.loc[("E01000001", "services")]
    assert (poor["lost"], poor["gained"], poor["net"]) == (2, 0, -2)
    assert poor["net_per_1000"] == -1.0  # two services lost among 2,000 residents
    assert rows.loc[("E01000001", "grant money")]["lost"] == 5000
    assert rows.loc[("E01000002", "services")]["gained"] == 1
    assert rows.loc[("E01000002", "grant money")]["gained"] == 300
    assert bool(poor["spiral"]) and "IMD decile 2 or lower" in poor["why"]
    assert not rows.xs("E01000002", level="area")["spiral"].any()
    msoa = area_changes(ws, level="msoa").set_index("category")
    assert msoa.loc["services", "net"] == -1  # two lost, one gained
    assert msoa.loc["services", "net_per_1000"] == round(-1 * 1000 / 3000, 3)


def test_planned_end_before_start_is_reported_and_kept_out(tmp_path: Path) -> None:
    grant = {
        "id": "360G-x-1",
        "title": "Backwards grant",
        "currency": "GBP",
        "amountAwarded": 1000,
        "awardDate": "2024-01-10",
        "plannedDates": [{"startDate": "2024-06-01", "endDate": "2024-02-01"}],
        "recipientOrganization": [{"id": "GB-CHC-1", "name": "Hall Trust"}],
        "fundingOrganization": [{"id": "GB-CHC-2", "name": "Fund"}],
    }
    path = tmp_path / "grants.json"
    path.write_text(json.dumps({"grants": [grant]}))
    ws = Workspace(":memory:")
    report = ingest(ws, "360giving", str(path), name="g", snapshot_date="2024-03-01")
    problems = [g for g in report.problems if g.code == "end-before-start"]
    assert len(problems) == 1
    assert problems[0].field == "plannedDates/endDate"
    assert problems[0].file  # the file is named
    props = ws.graph().nodes["360G-x-1"]
    assert "planned_end" not in props and props["planned_end_raw"] == "2024-02-01"
    assert changes(ws, since="2024-01-01").query("change == 'funding-ended'").empty
