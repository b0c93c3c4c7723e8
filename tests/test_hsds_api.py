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
