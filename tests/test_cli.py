"""The command line: every command has help with an example; outputs agree; the demo runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from helpers import TEST_DATA

from civicgraph.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


COMMANDS = _commands(cli)


def test_the_cli_has_the_commands_the_foundation_promises() -> None:
    for expected in [
        ("ingest",),
        ("ingest", "hsds"),
        ("sources",),
        ("stats",),
        ("validate",),
        ("synth",),
        ("demo",),
        ("query",),
    ]:
        assert expected in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help_with_an_example(command: tuple[str, ...], run_cli) -> None:
    result = run_cli(*command, "--help")
    assert result.code == 0
    assert "Example:" in result.out
    assert "civicgraph" in result.out.split("Example:", 1)[1]


def test_stats_agree_with_sources(tmp_path: Path, run_cli) -> None:
    db = tmp_path / "w.db"
    assert run_cli("--db", db, "ingest", "hsds", TEST_DATA / "oruk1", "--name", "oruk1").code == 0
    stats = json.loads(run_cli("--db", db, "stats", "--format", "json").out)
    sources = json.loads(run_cli("--db", db, "sources", "--format", "json").out)["rows"]
    assert stats["nodes"] == sources[0]["snapshots"][0]["nodes"]
    assert stats["edges"] == sources[0]["snapshots"][0]["edges"]
    table = run_cli("--db", db, "sources").out
    assert "oruk1 (hsds)" in table and "organizations.csv" in table
    report = json.loads(run_cli("--db", db, "sources", "--snapshot", "1", "--format", "json").out)
    assert report["tables"]["services.csv"]["loaded"] == 3


def test_db_comes_from_the_environment(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("CIVICGRAPH_DB", str(db))
    assert run_cli("ingest", "hsds", TEST_DATA / "oruk1").code == 0
    assert db.exists()


def test_validate_writes_nothing_and_says_whether_there_are_problems(
    tmp_path: Path, run_cli
) -> None:
    db = tmp_path / "w.db"
    result = run_cli("--db", db, "validate", TEST_DATA / "oruk1", "--format", "json")
    assert result.code == 1  # the fixture repeats one service_taxonomys row on purpose
    assert json.loads(result.out)["dry_run"] is True
    assert not db.exists()


def test_synth_and_demo(tmp_path: Path, run_cli) -> None:
    out = tmp_path / "demo"
    result = run_cli("demo", "--out", out, "--services", "120", "--format", "json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["stats"]["nodes"]["Service"] == 120
    assert Path(summary["workspace"]).exists()
    # Running the demo again starts from a fresh workspace, not on top of the old one.
    again = json.loads(run_cli("demo", "--out", out, "--services", "120", "--format", "json").out)
    assert again["stats"] == summary["stats"]
    written = run_cli("synth", "--services", "50", "--seed", "3", "--out", tmp_path / "town")
    assert written.code == 0 and "directory" in written.out


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "civicgraph", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "civicgraph" in done.stdout


def test_the_quick_version_answer_is_the_one_click_gives() -> None:
    def version(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "civicgraph", *args],
            capture_output=True,
            text=True,
            check=False,
        )

    quick, through_click = version("--version"), version("--debug", "--version")
    assert quick.returncode == through_click.returncode == 0
    assert quick.stdout == through_click.stdout
    loads = (
        "import sys; from civicgraph.cli import main; main(['--version']); "
        "print(sorted(sys.modules))"
    )
    modules = subprocess.run(
        [sys.executable, "-c", loads], capture_output=True, text=True, check=True
    ).stdout
    assert "'click'" not in modules  # the answer comes before click is imported


def test_the_root_help_lists_each_command_by_its_own_first_line() -> None:
    # The root lists commands from a table, without importing them: it must not drift.
    from civicgraph.cli._app import COMMANDS as TABLE

    context = click.Context(cli)
    for name, (_, _, summary) in TABLE.items():
        command = cli.get_command(context, name)
        assert command is not None, name
        assert command.get_short_help_str(limit=500) == summary, name


def test_version_and_help_load_no_analysis_libraries() -> None:
    code = (
        "import sys; from civicgraph.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('pandas', 'networkx', 'igraph', 'scipy', 'rdflib') "
        "if m in sys.modules)\nprint('loaded:' + ','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "loaded:"


def test_no_command_module_imports_igraph_until_a_network_is_drawn() -> None:
    # igraph brings matplotlib.pyplot with it (most of a second): commands that never lay
    # out or measure a network, and the modules defining every command, must not pay it.
    code = (
        "import importlib, pkgutil, sys\n"
        "import civicgraph.cli as c, civicgraph.viz.page, civicgraph.viz.map\n"
        "import civicgraph.viz.report\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module('civicgraph.cli.' + m.name)\n"
        "before = 'igraph' in sys.modules\n"
        "from civicgraph.viz._layout import layout\n"
        "from civicgraph.viz.views import View, ViewEdge, ViewNode\n"
        "nodes = {n: ViewNode(n, n, 'service') for n in 'abc'}\n"
        "spots = layout(View('v', 'v', nodes, [ViewEdge('a', 'b', 'x')]))\n"
        "print(before, 'igraph' in sys.modules, sorted(spots))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    # Not loaded by the imports; loaded (and working) once a layout is asked for.
    assert result.stdout.split() == ["False", "True", "['a',", "'b',", "'c']"]


def test_query_commands_import_scipy_only_for_the_queries_that_use_it() -> None:
    # scipy (sparse matrices, k-d trees) is a third of a second of a query command's start:
    # only the place queries and partnerships use it, on their first call.
    code = (
        "import sys\n"
        "import networkx as nx\n"
        "import civicgraph.cli.query, civicgraph.queries as q\n"
        "before = 'scipy' in sys.modules\n"
        "g = nx.MultiDiGraph()\n"
        "g.add_node('E01000001', type='Area', name='A', level='lsoa', population=100)\n"
        "rows = q.si_index(g)\n"
        "print(before, 'scipy' in sys.modules, len(rows))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True", "1"]
