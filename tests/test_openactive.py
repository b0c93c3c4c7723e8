"""OpenActive RPDE feeds: paging rules, latest versions, sessions, concepts, masking.

Hand-built feeds with answers known by hand (files, folders and a local HTTP
server in a thread), then the real pages in ../shared/data.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers import shared

from civicgraph.errors import InputError
from civicgraph.graph import Workspace
from civicgraph.graph.rdf import export_rdf
from civicgraph.graph.shacl import validate_rdf
from civicgraph.ingest import ingest

ACTIVITY = "https://openactive.io/activity-list#"


def series(ident: str, modified: int, name: str, **data: Any) -> dict[str, Any]:
    return {
        "state": "updated",
        "kind": "SessionSeries",
        "id": ident,
        "modified": modified,
        "data": {
            "@type": "SessionSeries",
            "@id": f"https://feed.example/series/{ident}",
            "name": name,
            **data,
        },
    }


def deleted(ident: str, modified: int, kind: str = "SessionSeries") -> dict[str, Any]:
    return {"state": "deleted", "kind": kind, "id": ident, "modified": modified}


def page(items: list[dict[str, Any]], next_url: str = "https://feed.example/x") -> dict[str, Any]:
    return {
        "next": next_url,
        "items": items,
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }


def write_pages(folder: Path, *pages: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number, content in enumerate(pages, start=1):
        (folder / f"page-{number:02}.json").write_text(json.dumps(content), encoding="utf-8")
    return folder


def activities(ws: Workspace) -> dict[str, dict[str, Any]]:
    graph = ws.graph()
    return {
        n.rsplit(":activity:", 1)[-1]: d
        for n, d in graph.nodes(data=True)
        if d["type"] == "Activity"
    }


def test_newest_modified_wins_and_deleted_items_are_removed(tmp_path: Path) -> None:
    folder = write_pages(
        tmp_path / "feed",
        page([series("a", 1, "Old name"), series("b", 2, "Bowls")]),
        page([series("a", 3, "New name"), deleted("b", 4), series("c", 5, "Chess")]),
        page([deleted("c", 1)]),  # an older deletion than c's update: c stays
    )
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "openactive", str(folder))
    found = activities(ws)
    assert {d["name"] for d in found.values()} == {"New name", "Chess"}
    table = report.table("SessionSeries")
    # 6 versions read: a and c loaded, and b's deletion applied (3); a's older version, b's
    # update and c's older deletion superseded (merged, 3).
    assert (table.read, table.loaded, table.merged, table.rejected) == (6, 3, 3, 0)


def test_a_page_out_of_order_stops_the_ingest_unless_allowed(tmp_path: Path) -> None:
    folder = write_pages(tmp_path / "feed", page([series("a", 5, "A"), series("b", 3, "B")]))
    ws = Workspace(tmp_path / "ws.db")
    with pytest.raises(InputError, match=r"breaks the RPDE order: item 2 \(id 'b', modified 3\)"):
        ingest(ws, "openactive", str(folder))
    assert ws.graph().number_of_nodes() == 0
    report = ingest(ws, "openactive", str(folder), options={"allow_disorder": True})
    assert [p.code for p in report.problems if p.code == "rpde-order"] == ["rpde-order"]
    assert len(activities(ws)) == 2


def test_equal_modified_is_ordered_by_id(tmp_path: Path) -> None:
    good = write_pages(tmp_path / "good", page([series("1", 7, "A"), series("2", 7, "B")]))
    bad = write_pages(tmp_path / "bad", page([series("2", 7, "B"), series("1", 7, "A")]))
    ingest(None, "openactive", str(good))
    with pytest.raises(InputError, match="breaks the RPDE order"):
        ingest(None, "openactive", str(bad))


def test_sessions_schedules_and_split_feeds(tmp_path: Path) -> None:
    weekly = series(
        "s1",
        1,
        "Walking netball",
        eventSchedule=[
            {
                "@type": "PartialSchedule",
                "repeatFrequency": "P1W",
                "byDay": ["https://schema.org/Tuesday", "https://schema.org/Sunday"],
                "startTime": "10:00",
                "endTime": "11:00",
            }
        ],
        location={
            "@type": "Place",
            "@id": "https://feed.example/places/1",
            "name": "Hope Hall",
            "address": {"postalCode": "ls1 1aa", "streetAddress": "1 High St"},
            "geo": {"latitude": "53.8", "longitude": -1.5},
        },
        organizer={"@type": "Organization", "@id": "https://feed.example/orgs/1", "name": "Hope"},
    )
    sessions = [
        {
            "state": "updated",
            "kind": "ScheduledSession",
            "id": f"x{n}",
            "modified": n,
            "data": {
                "@type": "ScheduledSession",
                "superEvent": "https://feed.example/series/s1",
                "startDate": f"2024-01-0{n}T10:00:00Z",
                "endDate": f"2024-01-0{n}T11:00:00Z",
            },
        }
        for n in (2, 7)
    ]
    orphan = {
        "state": "updated",
        "kind": "ScheduledSession",
        "id": "x9",
        "modified": 9,
        "data": {
            "@type": "ScheduledSession",
            "superEvent": "https://feed.example/series/missing",
            "startDate": "2024-02-01T10:00:00Z",
        },
    }
    folder = write_pages(tmp_path / "feed", page([weekly]), page([*sessions, orphan]))
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "openactive", str(folder))
    found = activities(ws)
    netball = found["https://feed.example/series/s1"]
    assert netball["sessions_per_week"] == 2.0  # Tuesday and Sunday, every week
    assert netball["sessions"] == 2
    assert netball["first_session"] == "2024-01-02T10:00:00"
    assert netball["last_session"] == "2024-01-07T10:00:00"
    assert netball["schedule"][0]["days"] == ["Tuesday", "Sunday"]
    assert len(found) == 2  # the orphan session is kept as an activity of its own
    assert any(p.code == "session-without-series" for p in report.problems)
    graph = ws.graph()
    venue = next(v for _, v, d in graph.out_edges(data=True) if d["type"] == "HAPPENS_AT")
    assert graph.nodes[venue]["postcode"] == "LS1 1AA" and graph.nodes[venue]["latitude"] == 53.8
    runs = [(u, v) for u, v, d in graph.edges(data=True) if d["type"] == "RUNS"]
    assert len(runs) == 1 and graph.nodes[runs[0][0]]["name"] == "Hope"
    assert report.table("ScheduledSession").merged == 2  # folded into their series


def test_activity_list_maps_labels_and_broader_and_reports_unknown_uris(tmp_path: Path) -> None:
    vocabulary = {
        "id": "https://openactive.io/activity-list",
        "type": "ConceptScheme",
        "concept": [
            {"id": ACTIVITY + "p", "prefLabel": "Netball", "notation": "netball"},
            {"id": ACTIVITY + "c", "prefLabel": "Walking Netball", "broader": [ACTIVITY + "p"]},
        ],
    }
    (tmp_path / "activity-list.jsonld").write_text(json.dumps(vocabulary), encoding="utf-8")
    item = series(
        "a",
        1,
        "Netball for all",
        activity=[
            {"id": "http://openactive.io/activity-list/#C", "prefLabel": "walking netball"},
            {"id": ACTIVITY + "zzz", "prefLabel": "Mystery sport"},
        ],
    )
    folder = write_pages(tmp_path / "feed", page([item]))
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(
        ws,
        "openactive",
        str(folder),
        options={"activity_list": str(tmp_path / "activity-list.jsonld")},
    )
    graph = ws.graph()
    concepts = {d["name"]: (n, d) for n, d in graph.nodes(data=True) if d["type"] == "Concept"}
    assert set(concepts) == {"Walking Netball", "Netball", "Mystery sport"}
    child, parent = concepts["Walking Netball"][0], concepts["Netball"][0]
    assert any(d["type"] == "PART_OF" for d in graph.get_edge_data(child, parent).values())
    assert concepts["Mystery sport"][1]["unmapped"] is True
    assert "unmapped" not in concepts["Walking Netball"][1]
    unknown = [p for p in report.problems if p.code == "unknown-activity"]
    assert len(unknown) == 1 and "Mystery sport" in unknown[0].examples[0]["value"]
    (netball,) = activities(ws).values()
    assert netball["categories"] == ["Walking Netball", "Mystery sport"]


def test_contact_details_in_descriptions_are_never_stored(tmp_path: Path) -> None:
    item = series(
        "a",
        1,
        "Sunday ride",
        description="Call Jo on 07700 900123 or write to jo.rider@example.org to join.",
        leader=[{"@type": "Person", "givenName": "Jo", "familyName": "Rider"}],
        organizer={"@type": "Person", "name": "Jo Rider", "email": "jo.rider@example.org"},
    )
    folder = write_pages(tmp_path / "feed", page([item]))
    ws = Workspace(tmp_path / "ws.db")
    ingest(ws, "openactive", str(folder))
    (ride,) = activities(ws).values()
    assert ride["description"] == "Call Jo on [phone removed] or write to [email removed] to join."
    assert ride["contacts_masked"] == 2
    ws.close()
    stored = (tmp_path / "ws.db").read_bytes()
    assert b"jo.rider@example.org" not in stored and b"900123" not in stored
    assert b"Rider" not in stored  # neither the leader nor the person organiser


# -- a feed over HTTP ---------------------------------------------------------------------


class _Feed:
    """A local RPDE server: ``pages(path) -> (status, body)``; records each request."""

    def __init__(self, pages: Callable[[str, str], dict[str, Any] | bytes]) -> None:
        self.requests: list[tuple[float, str]] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feed.requests.append((time.monotonic(), self.path))
                body = pages(feed.base, self.path)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Feed:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., _Feed]]:
    feeds: list[_Feed] = []

    def start(pages: Callable[[str, str], dict[str, Any] | bytes]) -> _Feed:
        feed = _Feed(pages)
        feed.__enter__()
        feeds.append(feed)
        return feed

    yield start
    for feed in feeds:
        feed.__exit__()


def test_a_feed_url_is_followed_to_its_last_page(tmp_path: Path, serve: Any) -> None:
    def pages(base: str, path: str) -> dict[str, Any]:
        if path == "/feed":
            return page([series("a", 1, "A"), series("b", 2, "B")], f"{base}/feed?after=2")
        if path == "/feed?after=2":
            return page([series("a", 3, "A again"), deleted("b", 4)], f"{base}/feed?after=4")
        return page([], f"{base}/feed?after=4")  # the last page names itself

    feed = serve(pages)
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(ws, "openactive", feed.base + "/feed")
    assert [p for _, p in feed.requests] == ["/feed", "/feed?after=2", "/feed?after=4"]
    assert [d["name"] for d in activities(ws).values()] == ["A again"]
    assert report.variant == "OpenActive RPDE feed"


def test_an_empty_page_that_is_not_the_last_is_followed_after_a_wait(serve: Any) -> None:
    def pages(base: str, path: str) -> dict[str, Any]:
        if path == "/feed":
            return page([], f"{base}/feed?after=0")  # filtered: empty, but not the last
        if path == "/feed?after=0":
            return page([series("a", 1, "A")], f"{base}/feed?after=1")
        return page([], f"{base}/feed?after=1")

    feed = serve(pages)
    report = ingest(None, "openactive", feed.base + "/feed", options={"empty_page_wait": 0.3})
    (first, _), (second, _) = feed.requests[:2]
    assert second - first >= 0.3
    assert report.nodes == {"Activity": 1}


def test_a_feed_whose_next_link_goes_back_stops_with_an_error(serve: Any) -> None:
    def pages(base: str, path: str) -> dict[str, Any]:
        if path == "/feed":
            return page([series("a", 1, "A")], f"{base}/feed?after=1")
        return page([series("b", 2, "B")], f"{base}/feed")  # back to the first page

    feed = serve(pages)
    with pytest.raises(InputError, match="the feed loops: page 2's next link goes back"):
        ingest(None, "openactive", feed.base + "/feed")


def test_a_page_with_items_that_names_itself_as_next_stops(serve: Any) -> None:
    feed = serve(lambda base, path: page([series("a", 1, "A")], f"{base}/feed"))
    with pytest.raises(InputError, match="names itself as the next page"):
        ingest(None, "openactive", feed.base + "/feed")
    assert len(feed.requests) == 1


def test_a_feed_that_never_ends_stops_at_the_page_cap(serve: Any) -> None:
    def pages(base: str, path: str) -> dict[str, Any]:
        n = int(path.rsplit("=", 1)[-1]) if "=" in path else 0
        return page([series(f"i{n:04}", n, "A")], f"{base}/feed?p={n + 1}")

    feed = serve(pages)
    with pytest.raises(InputError, match="has not reached its last page after 3 pages"):
        ingest(None, "openactive", feed.base + "/feed", options={"max_pages": 3})
    assert len(feed.requests) == 3


def test_a_feed_larger_than_the_byte_cap_stops(serve: Any) -> None:
    def pages(base: str, path: str) -> dict[str, Any]:
        n = int(path.rsplit("=", 1)[-1]) if "=" in path else 0
        return page([series(f"i{n:04}", n, "x" * 400)], f"{base}/feed?p={n + 1}")

    feed = serve(pages)
    with pytest.raises(InputError, match=r"passes the byte cap: 2,\d{3} bytes in 3 pages"):
        ingest(None, "openactive", feed.base + "/feed", options={"max_bytes": 2000})


# -- the real pages --------------------------------------------------------------------------


def test_the_real_pages_that_break_the_order_are_refused() -> None:
    page_file = shared("openactive_opportunity_examples/validator-test-json/britishcycling-1.json")
    with pytest.raises(InputError, match=r"item 74 \(id 113832"):
        ingest(None, "openactive", str(page_file))


@pytest.mark.slow
def test_the_real_opportunity_examples(tmp_path: Path) -> None:
    folder = shared("openactive_opportunity_examples")
    vocabulary = shared("openactive_activity_list/data/activity-list.jsonld")
    ws = Workspace(tmp_path / "ws.db")
    report = ingest(
        ws,
        "openactive",
        str(folder),
        options={"activity_list": str(vocabulary), "allow_disorder": True},
    )
    assert all(t.balanced for t in report.tables.values())
    found = activities(ws)
    kinds = {d["activity_kind"] for d in found.values()}
    assert kinds == {"session series", "facility use", "event", "course"}
    # British Cycling's 210 rides (100 + 10 + 100 items in three pages) are events.
    assert (report.table("event").read, report.table("event").loaded) == (210, 210)
    # The ride leaders' own addresses in descriptions are masked (SOURCE.txt counts ~7).
    masked = sum(d.get("contacts_masked", 0) for d in found.values())
    assert masked >= 7
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    assert not any(email.search(str(d.get("description", ""))) for d in found.values())
    # The stale activity-list URI of England Netball's walking netball is reported and kept.
    assert any(p.code == "unknown-activity" for p in report.problems)
    # Every activity but the on-demand one has a venue, and the export meets the shapes.
    venues = {u for u, _, d in ws.graph().edges(data=True) if d["type"] == "HAPPENS_AT"}
    assert len(venues) == len(found) - 1
    export_rdf(ws, tmp_path / "oa.ttl", format="turtle")
    assert validate_rdf(tmp_path / "oa.ttl").conforms()
