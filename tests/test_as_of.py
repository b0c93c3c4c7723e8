"""``--as-of DATE``: the graph as it stood on a day.

Two hand-made dated snapshots of one directory, and a funder's file ingested
later, with the answer of every day known by hand; then real 360Giving grants,
whose standing on a day is counted straight from the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from handmade import edge, ingest_records, node
from helpers import shared

from civicgraph import Workspace
from civicgraph.errors import UsageError
from civicgraph.ingest import ingest
from civicgraph.ontology import EdgeType, NodeType

SVC, ORG, GRANT = NodeType.SERVICE, NodeType.ORGANIZATION, NodeType.GRANT


FIRST = [
    node(ORG, "dir:org:hope", name="Hope Trust"),
    node(SVC, "dir:svc:lunch", name="Lunch club"),
    node(SVC, "dir:svc:youth", name="Youth club"),  # not listed by the second snapshot
    edge(EdgeType.PROVIDES, "dir:org:hope", "dir:svc:lunch"),
    edge(EdgeType.PROVIDES, "dir:org:hope", "dir:svc:youth"),
]
SECOND = [
    node(ORG, "dir:org:hope", name="Hope Trust"),
    node(SVC, "dir:svc:lunch", name="Lunch club"),
    node(SVC, "dir:svc:warm", name="Warm space"),  # new in the second snapshot
    edge(EdgeType.PROVIDES, "dir:org:hope", "dir:svc:lunch"),
    edge(EdgeType.PROVIDES, "dir:org:hope", "dir:svc:warm"),
]
GRANTS = [  # a funder's file, ingested with the date 2024-09-01
    node(ORG, "fund:org:fund", name="Town Fund"),
    node(
        GRANT,
        "fund:grant:old",
        title="Old grant",
        award_date="2023-01-10",
        planned_start="2023-02-01",
        planned_end="2024-01-31",
    ),
    node(
        GRANT,
        "fund:grant:now",
        title="Current grant",
        award_date="2024-03-01",
        planned_end="2025-03-31",
    ),
    node(
        GRANT,
        "fund:grant:next",
        title="Next grant",
        award_date="2024-08-01",
        planned_start="2024-10-01",
        planned_end="2026-03-31",
    ),
    edge(EdgeType.AWARDS, "fund:org:fund", "fund:grant:old"),
    edge(EdgeType.AWARDS, "fund:org:fund", "fund:grant:now"),
    edge(EdgeType.AWARDS, "fund:org:fund", "fund:grant:next"),
]


@pytest.fixture
def town(tmp_path: Path) -> Path:
    path = tmp_path / "town.db"
    with Workspace(path) as ws:
        ingest_records(ws, FIRST, name="dir", snapshot_date="2024-01-01")
        ingest_records(ws, SECOND, name="dir", snapshot_date="2024-07-01")
        ingest_records(ws, GRANTS, name="fund", snapshot_date="2024-09-01")
    return path


def _names(ws: Workspace) -> set[str]:
    return {str(d.get("name") or d.get("title")) for _, d in ws.graph().nodes(data=True)}


def test_each_day_shows_what_stood_then(town: Path) -> None:
    with Workspace(town) as ws:
        present = _names(ws)
        assert present == {
            "Hope Trust",
            "Lunch club",
            "Warm space",
            "Town Fund",
            "Old grant",
            "Current grant",
            "Next grant",
        }
        assert _names(ws.at("2023-12-31")) == set()  # before every snapshot
        assert _names(ws.at("2024-03-31")) == {"Hope Trust", "Lunch club", "Youth club"}
        assert _names(ws.at("2024-07-01")) == {"Hope Trust", "Lunch club", "Warm space"}
        # The funder's file counts from its date; its grants by their own dates.
        assert _names(ws.at("2024-09-01")) == {
            "Hope Trust",
            "Lunch club",
            "Warm space",
            "Town Fund",
            "Current grant",
            "Next grant",
        }
        assert _names(ws.at("2025-12")) == {
            "Hope Trust",
            "Lunch club",
            "Warm space",
            "Town Fund",
            "Next grant",
        }
        # The first snapshot's edges come back with it; the present's do not leak in.
        march = ws.at("2024-03-31").graph()
        assert set(march.successors("dir:org:hope")) == {"dir:svc:lunch", "dir:svc:youth"}
        assert ws.at("2024-03-31").stats()["edges"] == {"PROVIDES": 2}
        # Nothing was stored for a day: the present is still the present.
        assert _names(ws) == present


def test_as_of_note_and_sources(town: Path) -> None:
    with Workspace(town, as_of="2024-09-01") as ws:
        note = ws.as_of_described()
        assert note is not None
        assert "dir snapshot 2 (2024-07-01)" in note and "fund snapshot 3 (2024-09-01)" in note
        assert "left out: 1 node ended by their own end dates" in note  # the old grant
        listed = {s["name"]: [x["snapshot"] for x in s["snapshots"]] for s in ws.sources()}
        assert listed == {"dir": [2, 1], "fund": [3]}
    with Workspace(town, as_of="2024-02-01") as ws:
        listed = {
            s["name"]: [(x["snapshot"], x["current"]) for x in s["snapshots"]] for s in ws.sources()
        }
        assert listed == {"dir": [(1, True)]}
        assert "not yet ingested then: fund" in str(ws.as_of_described())
    with Workspace(town, as_of="2020") as ws:
        assert ws.stats() == {"nodes": {}, "edges": {}}
        assert "held nothing then (its first snapshot is dated 2024-01-01)" in str(
            ws.as_of_described()
        )


@pytest.mark.parametrize("bad", ["31/12/2024", "2024-13-01", "yesterday", "2024-2-1"])
def test_an_unreadable_day_is_refused(bad: str) -> None:
    with pytest.raises(UsageError, match=r"YYYY-MM-DD.*YYYY-MM.*YYYY"):
        Workspace(":memory:").at(bad)


def test_cli(town: Path, run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("--db", town, "stats", "--as-of", "2024-03-31", "--format", "json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["query"] == "stats" and answer["as_of"] == "2024-03-31"
    assert any(note.startswith("as of 2024-03-31: dir snapshot 1") for note in answer["notes"])
    assert answer["nodes"] == {"Organization": 1, "Service": 2}
    assert answer["edges"] == {"PROVIDES": 2}
    assert answer["rows"] == [
        {"kind": "node", "type": "Organization", "count": 1},
        {"kind": "node", "type": "Service", "count": 2},
        {"kind": "edge", "type": "PROVIDES", "count": 2},
    ]
    assert "note: as of 2024-03-31: dir snapshot 1 (2024-01-01)" in result.err
    bad = run_cli("--db", town, "stats", "--as-of", "31/03/2024")
    assert bad.code == 2 and "YYYY-MM-DD" in bad.err and "Traceback" not in bad.err
    early = run_cli("--db", town, "stats", "--as-of", "2023-06-30")
    assert early.code == 0 and "(none)" in early.out and "held nothing then" in early.err
    # Every query takes it: the changes a day saw are those of the snapshots by then.
    rows = run_cli("--db", town, "query", "changes", "--as-of", "2024-08-01", "--format", "json")
    assert rows.code == 0, rows.err
    answer = json.loads(rows.out)
    assert answer["query"] == "changes" and answer["as_of"] == "2024-08-01"
    assert any(note.startswith("as of 2024-08-01") for note in answer["notes"])
    found = {(r["change"], r["name"]) for r in answer["rows"]}
    assert found == {("opened", "Warm space"), ("closed", "Youth club")}
    # The assets query judges its listings on the same day (its own --as-of is the shared one).
    assets = run_cli("--db", town, "query", "assets", "--as-of", "2024-03-31", "--format", "json")
    assert assets.code == 0, assets.err
    out = tmp_path / "march.graphml"
    exported = run_cli("--db", town, "export", "graphml", "--as-of", "2024-03-31", "--out", out)
    assert exported.code == 0, exported.err
    text = out.read_text()
    assert "Youth club" in text and "Warm space" not in text


def test_cypher_twins_refuse_a_day_they_cannot_honour(town: Path, run_cli: Any) -> None:
    """The push holds the graph as it is now, so a twin told --as-of says so (exit 2), for every
    twin, before it tries to reach a server."""
    from civicgraph.queries.twins import TWINS

    for name in sorted(TWINS):
        args = ["neo4j", "query", name, "--uri", "bolt://localhost:1", "--as-of", "2024-03-31"]
        result = run_cli("--db", town, *args)
        assert result.code == 2, (name, result.err)
        assert "as it was pushed" in result.err and "Internal error" not in result.err, result.err


def test_real_grants_stand_by_their_own_dates(tmp_path: Path) -> None:
    path = shared("360giving_grantnav_samples/power_to_change_a002400000nO46WAAS.json")
    ws = Workspace(tmp_path / "g.db")
    ingest(ws, "360giving", str(path), name="ptc", snapshot_date="2015-01-01")
    grants = json.loads(path.read_text())["grants"]
    for day in ("2016-06-30", "2017-12-31", "2019-06-30"):
        expected = set()
        for grant in grants:
            planned = (grant.get("plannedDates") or [{}])[0]
            if (planned.get("endDate") or "9") < (planned.get("startDate") or ""):
                planned = {}  # an end before its start is kept out of the timeline, not guessed
            start = grant.get("awardDate") or planned.get("startDate")
            end = planned.get("endDate")
            if (start is None or start[:10] <= day) and (end is None or end[:10] >= day):
                expected.add(grant["id"])
        graph = ws.at(day).graph()
        standing = {
            d.get("identifier") or n for n, d in graph.nodes(data=True) if d["type"] == GRANT
        }
        assert len(standing) == len(expected) and 0 < len(expected) < len(grants)
    ws.close()
