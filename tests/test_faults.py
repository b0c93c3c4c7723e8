"""Faults: a full disk, a file size limit, a read-only workspace, no permission, Ctrl-C, kill -9.

Each runs the real ``civicgraph`` command in a subprocess (the fault is the process's:
a resource limit, a signal, another user), and checks what a user sees (exit code 1 and
a message with the path and the fix; ``Aborted.`` and 130 for Ctrl-C) and what is left
on disk (no partial output file; the workspace as it was, or as the finished ingest
would have left it, never anything between).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import missing
from hostile import sha256_of_workspace

from civicgraph import Workspace, ingest_hsds
from civicgraph.synth import synth

CIVICGRAPH = [sys.executable, "-m", "civicgraph"]
EMPTY_FOLDER = tempfile.mkdtemp(prefix="civicgraph-cwd-")
"""Where the commands run: never the checkout (no ./civicgraph.db made there), and never a
shared folder such as /tmp, whose stray .py files ``python -m`` would import first."""


def civicgraph(
    *args: str | Path, limit_bytes: int | None = None, user: int | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the command line in a subprocess, optionally under a file size limit or as a user."""

    def prepare() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
        if user is not None:
            os.setgid(user)
            os.setuid(user)

    return subprocess.run(
        [*CIVICGRAPH, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=EMPTY_FOLDER,
        preexec_fn=prepare if limit_bytes is not None or user is not None else None,
        env={**os.environ, "CIVICGRAPH_DB": ""},
        check=False,
    )


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small synthetic town's sources, and a workspace holding its directory and grants."""
    folder = tmp_path_factory.mktemp("town")
    sources = {s.name: s.path for s in synth(folder / "data", services=150, seed=2)}
    db = folder / "town.db"
    with Workspace(db) as workspace:
        ingest_hsds(workspace, sources["directory"], name="directory")
        workspace.workspace_id()  # made once, on first need (export neo4j-csv needs it)
        # The analysis graph is stored by the first command that needs it: store it now, so
        # that a writer's failure below is the only thing that could change the workspace.
        workspace.graph()
    return {**sources, "db": db}


def _no_partial_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".part"))


# -- a file size limit (ulimit -f): every writer says so, and leaves nothing partial --

WRITERS: list[tuple[str, list[str], str]] = [
    ("query --out", ["query", "partnerships", "--limit", "500", "--format", "json", "--out"],
     "rows.json"),
    ("export rdf", ["export", "rdf", "--format", "nt", "--out"], "town.nt"),
    ("export graphml", ["export", "graphml", "--out"], "town.graphml"),
    ("export gexf", ["export", "gexf", "--out"], "town.gexf"),
    ("export csv (Kumu)", ["export", "csv", "--out"], "kumu"),
    ("export neo4j-csv", ["export", "neo4j-csv", "--out"], "neo4j"),
    ("viz", ["viz", "--out"], "network.html"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "args", "target"), WRITERS, ids=[w[0] for w in WRITERS])
def test_a_file_size_limit_is_reported_and_leaves_no_partial_file(
    what: str, args: list[str], target: str, town: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / target
    if "." in target:
        out.write_text("the earlier file\n", encoding="utf-8")
    db_before = sha256_of_workspace(town["db"])
    result = civicgraph("--db", town["db"], *args, out, limit_bytes=96 * 1024)
    assert result.returncode == 1, (what, result.stderr)
    assert "Traceback" not in result.stderr
    assert "file size limit" in result.stderr and "Fix:" in result.stderr, result.stderr
    assert _no_partial_files(tmp_path) == []
    if out.is_file():
        assert out.read_text(encoding="utf-8") == "the earlier file\n"
    assert sha256_of_workspace(town["db"]) == db_before


def test_synth_and_the_ingest_report_under_a_file_size_limit(tmp_path: Path) -> None:
    made = civicgraph("synth", "--services", "300", "--out", tmp_path / "town", limit_bytes=8192)
    assert made.returncode == 1 and "file size limit" in made.stderr, made.stderr
    assert _no_partial_files(tmp_path) == []
    directory = tmp_path / "small"
    synth(directory, services=40, seed=1)
    report = tmp_path / "report.json"
    checked = civicgraph("validate", directory / "directory", "--report", report, limit_bytes=2048)
    assert checked.returncode == 1 and str(report) in checked.stderr, checked.stderr
    assert not report.exists() and _no_partial_files(tmp_path) == []


def test_an_ingest_past_a_file_size_limit_leaves_the_workspace_as_it_was(
    town: dict[str, Path], big_directory: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    shutil.copy(town["db"], db)
    before = sha256_of_workspace(db)
    limit = db.stat().st_size + 65536  # room for the journal to start, not for the snapshot
    result = civicgraph("--db", db, "ingest", "hsds", big_directory, limit_bytes=limit)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and str(db) in result.stderr
    assert "nothing was changed" in result.stderr or "could not be" in result.stderr
    assert _integrity(db) == "ok"
    assert sha256_of_workspace(db) == before


# -- a full disk, a read-only disk: a small tmpfs of our own --


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs mounted for this test (needs root and mount rights; skipped otherwise)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        missing(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_fails_the_ingest_cleanly(
    small_disk: Path, town: dict[str, Path], big_directory: Path, tmp_path: Path
) -> None:
    db = small_disk / "w.db"
    small = tmp_path / "small"
    synth(small, services=20, seed=4)
    assert civicgraph("--db", db, "ingest", "hsds", small / "directory").returncode == 0
    # stats first: the first command after an ingest stores the analysis graph in the workspace
    stats = civicgraph("--db", db, "stats").stdout
    before = sha256_of_workspace(db)
    result = civicgraph("--db", db, "ingest", "hsds", big_directory, "--name", "big")
    assert result.returncode == 1, result.stderr
    assert "disk is full" in result.stderr and "Fix:" in result.stderr, result.stderr
    assert civicgraph("--db", db, "stats").stdout == stats
    assert _integrity(db) == "ok"
    assert sha256_of_workspace(db) == before
    out = small_disk / "town.nt"
    exported = civicgraph("--db", town["db"], "export", "rdf", "--format", "nt", "--out", out)
    assert exported.returncode == 1 and "disk is full" in exported.stderr, exported.stderr
    assert not out.exists() and _no_partial_files(small_disk) == []


def test_a_read_only_workspace_says_so(small_disk: Path, town: dict[str, Path]) -> None:
    db = small_disk / "w.db"
    small = small_disk.parent / "small"
    synth(small, services=10, seed=5)
    assert civicgraph("--db", db, "ingest", "hsds", small / "directory").returncode == 0
    remounted = subprocess.run(
        ["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, check=False
    )
    if remounted.returncode != 0:
        missing("cannot remount the tmpfs read-only here")
    for args in (["stats"], ["ingest", "360giving", str(town["grants"])]):
        result = civicgraph("--db", db, *args)
        assert result.returncode == 1, result.stderr
        assert "not a civicgraph workspace" not in result.stderr
        assert "read-only" in result.stderr and str(small_disk) in result.stderr, result.stderr
        assert "Fix:" in result.stderr


def test_no_permission_names_the_path_and_the_fix(town: dict[str, Path], tmp_path: Path) -> None:
    """A folder nobody may write to: chattr +i makes it so even for root (where it works)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "town.ttl").write_text("the earlier file\n", encoding="utf-8")
    made = subprocess.run(["chattr", "+i", str(locked)], capture_output=True, check=False)
    if made.returncode != 0:
        if os.geteuid() == 0:
            missing("cannot make a folder immutable here (chattr), and root ignores modes")
        locked.chmod(0o555)
    try:
        written = civicgraph("--db", town["db"], "export", "rdf", "--out", locked / "town.ttl")
        assert written.returncode == 1, written.stderr
        assert "permission denied" in written.stderr, written.stderr
        assert str(locked / "town.ttl") in written.stderr and "Fix:" in written.stderr
        assert sorted(p.name for p in locked.iterdir()) == ["town.ttl"]
        assert (locked / "town.ttl").read_text(encoding="utf-8") == "the earlier file\n"
        stats = civicgraph("--db", locked / "new.db", "ingest", "hsds", town["directory"])
        assert stats.returncode == 1 and "Traceback" not in stats.stderr, stats.stderr
        assert str(locked) in stats.stderr and "Fix:" in stats.stderr, stats.stderr
    finally:
        subprocess.run(["chattr", "-i", str(locked)], capture_output=True, check=False)
        locked.chmod(0o755)


# -- Ctrl-C at any moment, kill -9 at any moment --


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _stats(db: Path) -> dict[str, Any]:
    with Workspace(db) as workspace:
        return {"stats": workspace.stats(), "sources": len(workspace.sources())}


@pytest.fixture(scope="module")
def big_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    return {s.name: s.path for s in synth(folder, services=2500, seed=7)}["directory"]


def _interrupted(args: list[str | Path], delay: float, sig: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*CIVICGRAPH, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=EMPTY_FOLDER,
        env={**os.environ, "CIVICGRAPH_DB": ""},
    )
    time.sleep(delay)
    process.send_signal(sig)
    return process


def _snapshots(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0) as conn:
        return int(conn.execute("SELECT count(*) FROM snapshot").fetchone()[0])


def _commit_and_end(args: list[str | Path], db: Path, started: float) -> tuple[float, float]:
    """Run a command to its end; return when its snapshot was committed and when it ended.

    The workspace is in WAL mode, so reading it while the command writes never blocks either.
    """
    before = _snapshots(db)
    committed = None
    with subprocess.Popen(
        [*CIVICGRAPH, *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=EMPTY_FOLDER,
        env={**os.environ, "CIVICGRAPH_DB": ""},
    ) as process:
        while process.poll() is None:
            if committed is None and _snapshots(db) > before:
                committed = time.monotonic() - started
            time.sleep(0.02)
    whole = time.monotonic() - started
    assert process.returncode == 0
    return (whole if committed is None else committed), whole


def test_ctrl_c_at_any_moment_says_aborted_and_exits_130(
    town: dict[str, Path], big_directory: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.db"
    shutil.copy(town["db"], db)
    old = _stats(db)
    # The moments are fractions of how long the ingest takes on this machine now to reach its
    # commit (the graph is rebuilt after it, which can take longer than the ingest itself), so
    # that a fast or a loaded machine is interrupted early, midway and late alike.
    timing = tmp_path / "timing.db"
    shutil.copy(town["db"], timing)
    started = time.monotonic()
    committed, whole = _commit_and_end(
        ["--db", timing, "ingest", "hsds", big_directory, "--name", "big"], timing, started
    )
    new = _stats(timing)
    assert new != old
    # Three moments before the commit and one after it; a moment that turns out to be too late
    # on a machine slower now than during the timing run is retried at half the delay.
    delays = [committed * 0.3, committed * 0.55, committed * 0.8, (committed + whole) / 2]
    interrupted = attempts = 0
    while delays and attempts < 8:
        delay = delays.pop(0)
        attempts += 1
        shutil.copy(town["db"], db)
        process = _interrupted(
            ["--db", db, "ingest", "hsds", big_directory, "--name", "big"], delay, signal.SIGINT
        )
        _, err = process.communicate(timeout=300)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, (delay, err)
        assert _integrity(db) == "ok"
        if process.returncode == 0:
            assert _stats(db) == new  # finished before the signal came
            saved = True
        else:
            assert process.returncode == 130, (delay, process.returncode, err)
            assert err.rstrip().endswith("Aborted."), err
            # "Aborted." alone promises nothing changed; after the commit it says it is saved
            saved = "had already been saved" in err
            assert _stats(db) == (new if saved else old), (delay, err)
        interrupted += not saved
        if saved and delay < committed and delay / 2 >= 0.2:
            delays.append(delay / 2)
    assert interrupted >= 2, (committed, whole, attempts)
    out = tmp_path / "town.nt"
    for delay in (0.3, 1.0):
        process = _interrupted(
            ["--db", town["db"], "export", "rdf", "--format", "nt", "--out", out],
            delay,
            signal.SIGINT,
        )
        _, err = process.communicate(timeout=300)
        assert process.returncode in (0, 130), err
        assert _no_partial_files(tmp_path) == []
        assert out.exists() == (process.returncode == 0)


def test_ctrl_c_after_the_commit_says_the_change_was_saved(
    town: dict[str, Path], tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Aborted.`` alone promises nothing changed, so a Ctrl-C once the ingest has committed
    (here: while its report is printed) says the change was kept; one before it does not."""
    import civicgraph.cli.ingest as ingest_command

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    db = tmp_path / "w.db"
    shutil.copy(town["db"], db)
    old = _stats(db)
    monkeypatch.setattr(ingest_command, "_print_report", interrupt)
    after = run_cli("--db", db, "ingest", "360giving", town["grants"], "--name", "late")
    assert after.code == 130, after.err
    assert "had already been saved" in after.err and after.err.rstrip().endswith("Aborted.")
    assert "late" in {s["name"] for s in Workspace(db).sources()} and _stats(db) != old

    shutil.copy(town["db"], db)
    monkeypatch.setattr(ingest_command, "run_ingest", interrupt)
    before = run_cli("--db", db, "ingest", "360giving", town["grants"], "--name", "early")
    assert before.code == 130 and before.err.strip() == "Aborted.", before.err
    assert _stats(db) == old


_PROBE_COMMAND = """\
import os, pathlib, signal, time
import click
os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C half-way through importing the command
for _ in range(50):
    time.sleep(0.002)  # Python code runs on: an interrupt not held back lands here
pathlib.Path("imported-whole").touch()

@click.command()
def command():
    print("ran")
"""

_CTRL_C_MOMENTS = {
    # code run from a string (dataclasses builds each __init__ so, while a module is imported):
    # CPython notes the interrupt and, under python -m, re-sent SIGINT to itself at exit, so
    # the process died of signal 2 after printing "Aborted."
    "exec": "exec('raise KeyboardInterrupt')\n",
    # in a class's __set_name__: Python 3.11 turns the interrupt into a RuntimeError
    "set-name": (
        "class Interrupting:\n"
        "    def __set_name__(self, owner, name):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        for _ in range(50):\n"
        "            time.sleep(0.002)\n"
        "class Made:\n"
        "    field = Interrupting()\n"
    ),
}


def _probe(folder: Path, body: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m`` a script that is the civicgraph command with a Ctrl-C planted in it."""
    (folder / "probe_command.py").write_text(_PROBE_COMMAND, encoding="utf-8")
    script = folder / "interrupted_command.py"
    script.write_text(
        "import importlib.util, os, pathlib, signal, sys, time\n"
        "sys.argv[0] = 'civicgraph'  # the command's own name: it takes Ctrl-C over\n"
        "import civicgraph\n"
        "import civicgraph.cli._app as app\n"
        "from civicgraph.cli import main\n"
        "class Finder:  # a command module of the probe's own\n"
        "    @staticmethod\n"
        "    def find_spec(name, path=None, target=None):\n"
        "        if name == 'civicgraph.cli._probe':\n"
        "            here = pathlib.Path('probe_command.py').resolve()\n"
        "            return importlib.util.spec_from_file_location(name, here)\n"
        "sys.meta_path.insert(0, Finder)\n"
        "app.COMMANDS['probe'] = ('_probe', 'command', 'A probe.')\n"
        "def interrupted(*args, **kwargs):\n"
        + "".join(f"    {line}\n" for line in body.splitlines())
        + "app.cli.main = interrupted if "
        + repr(argv != ["probe"])
        + " else app.cli.main\n"
        f"main({argv!r})\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", script.stem],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "CIVICGRAPH_DB": ""},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("moment", sorted(_CTRL_C_MOMENTS))
def test_ctrl_c_that_python_turns_into_something_else_still_exits_130(
    moment: str, tmp_path: Path
) -> None:
    result = _probe(tmp_path, _CTRL_C_MOMENTS[moment], ["stats"])
    assert result.returncode == 130, (result.returncode, result.stderr)
    assert result.stderr.strip() == "Aborted.", result.stderr


def test_ctrl_c_while_a_command_is_imported_waits_for_the_import_to_finish(
    tmp_path: Path,
) -> None:
    """A module cut half-way through its import is left half made (orjson's initialisation
    then dies of a segmentation fault): Ctrl-C is held back until the command is imported."""
    result = _probe(tmp_path, "pass", ["probe"])
    assert result.returncode == 130, (result.returncode, result.stderr)
    assert result.stderr.strip() == "Aborted.", result.stderr
    assert (tmp_path / "imported-whole").exists()  # the import ran to its end
    assert "ran" not in result.stdout  # and the command itself did not


def test_kill_9_during_an_ingest_leaves_the_old_or_the_new_state(
    town: dict[str, Path], big_directory: Path, tmp_path: Path
) -> None:
    template = tmp_path / "template.db"
    shutil.copy(town["db"], template)
    old = _stats(template)
    finished = tmp_path / "finished.db"
    shutil.copy(template, finished)
    done = civicgraph("--db", finished, "ingest", "hsds", big_directory, "--name", "directory")
    assert done.returncode == 0, done.stderr
    new = _stats(finished)
    assert new != old
    seen = set()
    for delay in (0.5, 1.5, 3.0, 6.0):
        db = tmp_path / f"killed-{delay}.db"
        shutil.copy(template, db)
        process = _interrupted(
            ["--db", db, "ingest", "hsds", big_directory, "--name", "directory"],
            delay,
            signal.SIGKILL,
        )
        process.communicate(timeout=300)
        assert _integrity(db) == "ok", delay
        state = _stats(db)
        assert state in (old, new), (delay, state)
        seen.add("new" if state == new else "old")
    assert "old" in seen  # at least one kill landed before the commit
