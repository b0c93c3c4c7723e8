"""A real Bolt server for the tests: ArcadeDB with its Neo4j Bolt plugin, on a free port.

No Neo4j server can be installed from the package registries; ArcadeDB (the
PyPI wheel ``arcadedb-embedded`` bundles a JRE and the server) speaks Bolt,
reports "Neo4j/5.26.0 compatible" and behaves like Neo4j on transactions,
temporal values and property rules. The server runs as a subprocess (no JVM
inside pytest), in a temporary folder, killed with the test process if that
dies; each test gets a fresh database through the server's HTTP API.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

READY = "ArcadeDB Server started in"
JVM_FLAGS = [
    "--add-modules=jdk.incubator.vector",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.nio.channels.spi=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF8",
    "-XX:+UseSerialGC",
]
QUICK_START = "-XX:TieredStopAtLevel=1"  # faster start, slower long runs: tests, not benchmarks


@dataclass(frozen=True)
class BoltServer:
    uri: str
    user: str
    password: str
    http_port: int
    log_file: Path

    def command(self, text: str) -> None:
        """Run a server command over HTTP ("create database x", "drop database x")."""
        auth = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}/api/v1/server",
            data=json.dumps({"command": text}).encode(),
            method="POST",
            headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def fresh_database(self) -> str:
        name = "t" + secrets.token_hex(4)
        self.command(f"create database {name}")
        return name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    os.setsid()


def available() -> bool:
    return importlib.util.find_spec("arcadedb_embedded") is not None


@contextmanager
def arcadedb_server(timeout: float = 120.0, *, quick_start: bool = True) -> Iterator[BoltServer]:
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise RuntimeError("arcadedb-embedded is not installed")
    package = Path(spec.origin).parent
    root = Path(tempfile.mkdtemp(prefix="arcadedb-"))
    password = "pw-" + secrets.token_hex(8)
    bolt, http = _free_port(), _free_port()
    settings = {
        "arcadedb.server.rootPath": str(root),
        "arcadedb.server.rootPassword": password,
        "arcadedb.server.mode": "development",
        "arcadedb.server.httpIncomingHost": "127.0.0.1",
        "arcadedb.server.httpIncomingPort": str(http),
        "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "arcadedb.bolt.host": "127.0.0.1",
        "arcadedb.bolt.port": str(bolt),
        "arcadedb.server.defaultDatabases": "neo4j[root]",
        "arcadedb.bolt.defaultDatabase": "neo4j",
        "arcadedb.server.logsDirectory": str(root / "log"),
    }
    command = [
        str(package / "jre" / "bin" / "java"),
        "-Xmx2g",
        *JVM_FLAGS,
        *([QUICK_START] if quick_start else []),
        "-cp",
        str(package / "jars" / "*"),
        *[f"-D{k}={v}" for k, v in settings.items()],
        "com.arcadedb.server.ArcadeDBServer",
    ]
    log_file = root / "server.out"
    with log_file.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # no orphan JVMs if the tests die
        )
    try:
        deadline = time.monotonic() + timeout
        while READY not in log_file.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("ArcadeDB did not start:\n" + log_file.read_text()[-3000:])
            time.sleep(0.05)
        yield BoltServer(f"bolt://127.0.0.1:{bolt}", "root", password, http, log_file)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(root, ignore_errors=True)
