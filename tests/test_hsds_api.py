"""Paging through a live HSDS API, against a real local HTTP server (no mocks)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from civicgraph import FetchError, Workspace, ingest_hsds

SERVICES = [
    {
        "id": f"s{i}",
        "name": f"Service {i}",
        "status": "active",
        "organization": {"id": f"o{i % 3}", "name": f"Organisation {i % 3}"},
    }
    for i in range(7)
]
PAGE_SIZE = 3


def _page(items: list[dict[str, Any]], page: int) -> dict[str, Any]:
    pages = max(1, -(-len(items) // PAGE_SIZE))
    contents = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "total_items": len(items),
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


class Api:
    """What the test server answers, and what it was asked."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.fail_once: set[str] = set()
        self.behaviour: Callable[[BaseHTTPRequestHandler], bool] | None = None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        self.requests.append(handler.path)
        if self.behaviour is not None and self.behaviour(handler):
            return
        url = urlparse(handler.path)
        page = int(parse_qs(url.query).get("page", ["1"])[0])
        if handler.path in self.fail_once:
            self.fail_once.discard(handler.path)
            self._send(handler, 503, b'{"error": "busy"}')
        elif url.path in ("", "/"):
            self._send(handler, 200, json.dumps({"version": "3.0", "openapi_url": "x"}).encode())
        elif url.path == "/services":
            self._send(handler, 200, json.dumps(_page(SERVICES, page)).encode())
        else:
            self._send(handler, 404, b'{"error": "not found"}')

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, kind: str = "application/json"
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def api() -> Iterator[tuple[str, Api]]:
    state = Api()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.handle(self)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_pages_through_every_services_page(api: tuple[str, Api], tmp_path: Path) -> None:
    url, state = api
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, url, name="live")
    assert [r for r in state.requests if r.startswith("/services")] == [
        "/services?page=1",
        "/services?page=2",
        "/services?page=3",
    ]
    assert workspace.stats()["nodes"] == {"Organization": 3, "Service": 7}
    assert report.variant == "HSDS 3.0 API"
    assert any(g.code == "endpoint-not-served" for g in report.problems)  # no /organizations
    assert report.sha256


def test_a_base_url_ending_in_services_works_too(api: tuple[str, Api], tmp_path: Path) -> None:
    url, _ = api
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, url + "/services/", name="live")
    assert workspace.stats()["nodes"]["Service"] == 7


def test_server_errors_are_retried(api: tuple[str, Api], tmp_path: Path) -> None:
    url, state = api
    state.fail_once = {"/services?page=2"}
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, url, name="live")
    assert state.requests.count("/services?page=2") == 2
    assert workspace.stats()["nodes"]["Service"] == 7


def _slow(handler: BaseHTTPRequestHandler) -> bool:
    if handler.path.startswith("/services"):
        time.sleep(1.5)
        return True
    return False


def _html(handler: BaseHTTPRequestHandler) -> bool:
    Api._send(handler, 200, b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html")
    return True


def _always_503(handler: BaseHTTPRequestHandler) -> bool:
    Api._send(handler, 503, b"busy")
    return True


def _not_found(handler: BaseHTTPRequestHandler) -> bool:
    if handler.path.startswith("/services"):
        Api._send(handler, 404, b"{}")
        return True
    return False


def _huge(handler: BaseHTTPRequestHandler) -> bool:
    if handler.path.startswith("/services"):
        Api._send(handler, 200, b'{"contents": [' + b'{"id": "x"},' * 5000 + b'{"id": "y"}]}')
        return True
    return False


def _not_a_page(handler: BaseHTTPRequestHandler) -> bool:
    if handler.path.startswith("/services"):
        Api._send(handler, 200, b'{"message": "hello"}')
        return True
    return False


FAILURES = [
    ("times out", _slow, {"timeout": 0.3}, ["timed out", "--timeout"]),
    ("returns HTML", _html, {}, ["HTML page", "base address"]),
    ("keeps failing", _always_503, {}, ["503", "tries"]),
    ("has no /services", _not_found, {}, ["404", "base address"]),
    ("answers too much", _huge, {"max_bytes": 1000}, ["larger than 1,000 bytes", "--max-bytes"]),
    ("answers something else", _not_a_page, {}, ["not an HSDS page", "contents"]),
]


@pytest.mark.parametrize(
    ("case", "behaviour", "options", "expected"), FAILURES, ids=[f[0] for f in FAILURES]
)
def test_an_api_that_misbehaves_gives_a_clear_error_and_writes_nothing(
    case: str,
    behaviour: Callable[[BaseHTTPRequestHandler], bool],
    options: dict[str, Any],
    expected: list[str],
    api: tuple[str, Api],
    tmp_path: Path,
    run_cli,
) -> None:
    url, state = api
    state.behaviour = behaviour
    args = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    result = run_cli("--db", tmp_path / "w.db", "ingest", "hsds", url, *args)
    assert result.code == 1, result
    assert url in result.err
    for text in expected:
        assert text in result.err, (case, result.err)
    assert "Traceback" not in result.err
    assert not (tmp_path / "w.db").exists()


def test_a_closed_port_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="could not connect"):
        ingest_hsds(Workspace(tmp_path / "w.db"), "http://127.0.0.1:9/", name="x", timeout=1)


# -- links: redirects, deadlines, page limits, credentials ---------------------------------


def _redirect_to(target: str) -> Callable[[BaseHTTPRequestHandler], bool]:
    def behaviour(handler: BaseHTTPRequestHandler) -> bool:
        if handler.path.startswith("/services"):
            handler.send_response(302)
            handler.send_header("Location", target + handler.path)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return True
        return False

    return behaviour


def test_a_redirect_within_the_server_is_followed(api: tuple[str, Api], tmp_path: Path) -> None:
    url, state = api

    def moved(handler: BaseHTTPRequestHandler) -> bool:
        if handler.path.startswith("/services"):
            handler.send_response(301)
            handler.send_header("Location", "/v3" + handler.path)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return True
        if handler.path.startswith("/v3/services"):
            page = int(parse_qs(urlparse(handler.path).query)["page"][0])
            Api._send(handler, 200, json.dumps(_page(SERVICES, page)).encode())
            return True
        return False

    state.behaviour = moved
    ingest_hsds(Workspace(tmp_path / "w.db"), url, name="live")
    assert "/v3/services?page=3" in state.requests


def test_a_redirect_to_another_host_or_port_is_refused_naming_both(
    api: tuple[str, Api], tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    url, state = api
    other = "http://127.0.0.1:9"  # a port nobody serves: it must never be asked
    state.behaviour = _redirect_to(other)
    result = run_cli("--db", tmp_path / "w.db", "ingest", "hsds", url)
    assert result.code == 1, result.err
    assert f"{url}/services?page=1" in result.err and f"{other}/services?page=1" in result.err
    assert "not the same scheme, host and port; refused" in result.err
    assert not (tmp_path / "w.db").exists()


def _drip(handler: BaseHTTPRequestHandler) -> bool:
    """A page that arrives a few bytes at a time: each read is quick, the whole is slow."""
    if not handler.path.startswith("/services"):
        return False
    body = json.dumps(_page(SERVICES, 1)).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        for start in range(0, len(body), 20):
            handler.wfile.write(body[start : start + 20])
            handler.wfile.flush()
            time.sleep(0.05)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up, as it should
    return True


def test_a_page_dripped_slowly_passes_its_deadline(api: tuple[str, Api], tmp_path: Path) -> None:
    url, state = api
    state.behaviour = _drip
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no complete answer within 0\.5 s") as caught:
        ingest_hsds(Workspace(tmp_path / "w.db"), url, name="live", timeout=0.5)
    # each socket read took 0.05 s; the page (about 40 reads) would have taken 2 s a try
    assert time.monotonic() - started < 4 * 2.0
    assert "`timeout`" in str(caught.value) and "--timeout" not in str(caught.value)


def _endless(handler: BaseHTTPRequestHandler) -> bool:
    """An API that never says it is done: every page is new, and there is always another."""
    if not handler.path.startswith("/services"):
        return False
    page = int(parse_qs(urlparse(handler.path).query)["page"][0])
    items = [{"id": f"s{page}-{i}", "name": f"Service {page}-{i}"} for i in range(2)]
    Api._send(handler, 200, json.dumps({"contents": items, "total_pages": None}).encode())
    return True


def test_an_endless_api_stops_at_max_pages(api: tuple[str, Api], tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    url, state = api
    state.behaviour = _endless
    result = run_cli("--db", tmp_path / "w.db", "ingest", "hsds", url, "--max-pages", "5")
    assert result.code == 1, result.err
    assert "after 5 (it never said it was done)" in result.err
    assert "--max-pages" in result.err
    assert len([r for r in state.requests if r.startswith("/services")]) == 5
    assert not (tmp_path / "w.db").exists()


def test_the_whole_ingest_has_a_deadline(api: tuple[str, Api], tmp_path: Path) -> None:
    url, state = api
    state.behaviour = _endless
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"longer than the 0\.5 s allowed in all"):
        ingest_hsds(Workspace(tmp_path / "w.db"), url, name="live", total_timeout=0.5)
    assert time.monotonic() - started < 5


def test_the_defaults_are_stated_in_help(run_cli) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(run_cli("ingest", "hsds", "--help").out.split())
    for option in ("--timeout", "--total-timeout", "--max-pages", "--max-bytes"):
        assert option in text
    assert "[default: 30.0]" in text and "[default: 3600.0]" in text
    assert "[default: 10000]" in text and "[default: 209715200]" in text


def test_credentials_in_the_url_are_sent_and_never_shown(
    api: tuple[str, Api], tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    url, state = api
    seen: list[str | None] = []

    def needs_login(handler: BaseHTTPRequestHandler) -> bool:
        seen.append(handler.headers.get("Authorization"))
        if handler.path.startswith("/services"):
            Api._send(handler, 401, b'{"error": "who are you"}')
            return True
        return False

    state.behaviour = needs_login
    secret_url = url.replace("http://", "http://alice:s3cr3t@") + "/?api_key=t0ken123"
    result = run_cli("--db", tmp_path / "w.db", "ingest", "hsds", secret_url)
    assert result.code == 1
    assert "s3cr3t" not in result.err and "t0ken123" not in result.err, result.err
    assert "alice:***@" in result.err and "api_key=***" in result.err
    assert "Basic YWxpY2U6czNjcjN0" in seen  # alice:s3cr3t, sent as the server asked
    assert any("api_key=t0ken123" in r for r in state.requests)  # the token goes with each page

    state.behaviour = None
    workspace = Workspace(tmp_path / "ok.db")
    report = ingest_hsds(workspace, secret_url, name="live")
    stored = json.dumps(workspace.sources())
    assert "s3cr3t" not in stored and "t0ken123" not in stored
    assert "s3cr3t" not in json.dumps(report.to_dict())
    assert "t0ken123" not in json.dumps(report.to_dict())
