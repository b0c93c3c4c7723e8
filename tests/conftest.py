"""Shared fixtures: the real datasets in ../shared/data, workspaces, and running the CLI."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from arcadedb_server import BoltServer, arcadedb_server, available
from browser import browser, open_page  # noqa: F401 - fixtures for the page tests
from helpers import TEST_DATA, missing, shared
from hypothesis import HealthCheck, settings

# Property tests: few examples each, so that the suite stays quick, and derandomized, so
# that CI and a developer see the same examples (HYPOTHESIS_PROFILE=explore for more).
settings.register_profile(
    "ci",
    max_examples=12,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "explore",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def bolt() -> Iterator[BoltServer]:
    """A real Bolt server (ArcadeDB), one for the whole session."""
    if not available():
        missing("arcadedb-embedded is not installed (make test installs it)")
    with arcadedb_server() as server:
        yield server


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding a directory (tests/data/oruk1 as ``dir``), so that referrals and
    relationships have ends to match: what the hostile-input tests ingest into (a copy each)."""
    from civicgraph import Workspace, ingest_hsds

    path = tmp_path_factory.mktemp("template") / "workspace.db"
    with Workspace(path) as workspace:
        ingest_hsds(workspace, TEST_DATA / "oruk1", name="dir")
    return path


@pytest.fixture
def shared_data() -> Callable[[str], Path]:
    return shared


@pytest.fixture
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    return tmp_path / "workspace.db"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., CliResult]]:
    """Run ``civicgraph ARGS`` in-process; returns exit code, stdout and stderr."""
    from civicgraph.cli import main

    monkeypatch.delenv("CIVICGRAPH_DB", raising=False)

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        # A command stopped by Ctrl-C ignores further Ctrl-Cs; in-process that would leave
        # pytest, and every process it starts after, deaf to SIGINT.
        handler = signal.getsignal(signal.SIGINT)
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            signal.signal(signal.SIGINT, handler)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    yield run
    sys.stdout.flush()
