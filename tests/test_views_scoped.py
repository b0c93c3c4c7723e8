"""The VIEWS registry: the changes view beside the others, and ``within``/``as_of`` on it.

The two-LSOA town of test_changes_within.py (services lost in the poor LSOA, gained in
the well-off one); each view's nodes are checked against the query it draws, scoped
the same way, and the page's own state in Chromium against the view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_changes_within import POOR, RICH, _town

from civicgraph import Workspace
from civicgraph.errors import UsageError
from civicgraph.graph.scope import resolve_scope, scope_nodes
from civicgraph.queries import changes
from civicgraph.viz import VIEWS, build_view, changes_view
from civicgraph.viz._changes_view import UNCHANGED


def _changed(view: Any) -> set[str]:
    return {n for n, node in view.nodes.items() if node.group != UNCHANGED}


@pytest.fixture
def town(tmp_path: Path) -> Path:
    db = tmp_path / "town.db"
    with Workspace(db) as ws:
        _town(ws)
    return db


def test_the_changes_view_is_a_registered_view(town: Path) -> None:
    assert "changes" in VIEWS
    with Workspace(town) as ws:
        view = build_view(ws, view="changes")
        assert _changed(view) == set(changes(ws)["id"])
        assert set(view.nodes) == set(changes_view(ws).nodes)
        # A graph has no snapshots to compare: the changes view asks for the workspace.
        with pytest.raises(UsageError, match="Workspace"):
            build_view(ws.graph(), view="changes")


@pytest.mark.parametrize("within", [POOR, [RICH], "E02000001"])
def test_within_keeps_the_changes_placed_there(town: Path, within: Any) -> None:
    with Workspace(town) as ws:
        view = build_view(ws, view="changes", within=within)
        expected = set(changes(ws, within=within)["id"])
        assert expected  # the town has a change in each
        assert _changed(view) == expected
        assert _changed(build_view(ws, view="changes")) > expected  # the scope left some out
        assert all(name in view.title for name in resolve_scope(ws.graph(), within).names)


def test_as_of_compares_only_the_snapshots_then(town: Path) -> None:
    # On 2025-03-01 only the first snapshot existed: nothing to compare, nothing changed.
    with Workspace(town, as_of="2025-03-01") as then:
        assert changes(then).empty
        view = build_view(then, view="changes")
        assert _changed(view) == set()
        assert any("nothing changed" in note for note in view.notes)
    with Workspace(town, as_of="2025-08-01") as later:
        assert _changed(build_view(later, view="changes")) == set(changes(later)["id"]) != set()


def test_within_narrows_the_network_view_to_what_is_placed_there(town: Path) -> None:
    with Workspace(town) as ws:
        graph = ws.graph()
        view = build_view(graph, within=POOR)
        placed = scope_nodes(graph, resolve_scope(graph, POOR))
        assert set(view.nodes) == placed
        assert "dir:loc:poor" in view.nodes and "dir:loc:rich" not in view.nodes
        assert set(build_view(graph).nodes) > set(view.nodes)


@pytest.mark.parametrize("view", ["ego", "area", "silos", "partnerships"])
def test_within_on_a_view_it_does_not_narrow_is_a_usage_error(town: Path, view: str) -> None:
    with Workspace(town) as ws, pytest.raises(UsageError, match="within"):
        build_view(ws, view=view, focus="dir:svc:c", area=POOR, within=POOR)


def test_cli_changes_within_in_chromium(tmp_path: Path, town: Path, run_cli, open_page) -> None:
    out = tmp_path / "changes.html"
    result = run_cli("--db", town, "viz", "--view", "changes", "--within", POOR, "--out", out)
    assert result.code == 0, result.err
    opened = open_page(out)
    groups = dict(opened.page.evaluate("civicgraph.data.nodes.map(n => [n.id, n.group])"))
    with Workspace(town) as ws:
        expected = set(changes(ws, within=POOR)["id"])
    assert {n for n, g in groups.items() if g != UNCHANGED} == expected
    assert opened.page.evaluate("civicgraph.network.body.nodeIndices.length") == len(groups)
    assert "Town 001A" in opened.page.locator("#cg-title").text_content()
    assert opened.errors == [] and opened.violations() == []
    bad = run_cli("--db", town, "viz", "--view", "silos", "--within", POOR, "--out", out)
    assert bad.code == 2 and "within" in bad.err


def _page_nodes(opened: Any) -> set[str]:
    """The nodes the page drew, read from its own state (clusters, if any, expanded)."""
    page = opened.page
    page.evaluate("civicgraph.data.clusters.forEach(c => civicgraph.expand('cluster:' + c.key))")
    ids = set(page.evaluate("civicgraph.data.nodes.map(n => n.id)"))
    assert page.evaluate("civicgraph.network.body.nodeIndices.length") == len(ids)
    assert opened.errors == [] and opened.violations() == []
    return ids


@pytest.mark.parametrize("within", [None, POOR])
def test_cli_network_as_of_in_chromium_draws_the_network_then(
    tmp_path: Path, town: Path, run_cli, open_page, within: str | None
) -> None:
    scoped = ["--within", within] if within else []
    drawn = {}
    for day in ("2025-03-01", "2025-08-01"):
        out = tmp_path / f"network-{day}.html"
        result = run_cli(
            "--db", town, "viz", "--view", "network", "--as-of", day, *scoped, "--out", out
        )
        assert result.code == 0, result.err
        drawn[day] = _page_nodes(open_page(out))
        with Workspace(town, as_of=day) as then:
            graph = then.graph()
            expected = {n for n, d in graph.nodes(data=True) if d["type"] != "Concept"}
            if within:
                expected &= scope_nodes(graph, resolve_scope(graph, within))
        assert drawn[day] == expected
    # What stood in March (A, in the poor LSOA) is gone by August, and D came after.
    assert "dir:svc:a" in drawn["2025-03-01"] and "dir:svc:a" not in drawn["2025-08-01"]
    if not within:
        assert "dir:svc:d" in drawn["2025-08-01"] and "dir:svc:d" not in drawn["2025-03-01"]


def test_cli_report_as_of_in_chromium_draws_the_area_network_then(
    tmp_path: Path, town: Path, run_cli, open_page
) -> None:
    drawn = {}
    for day in ("2025-03-01", "2025-08-01"):
        out = tmp_path / f"report-{day}"
        result = run_cli(
            "--db", town, "report", "--area", POOR, "--as-of", day, "--no-pdf", "--out", out
        )
        assert result.code == 0, result.err
        drawn[day] = _page_nodes(open_page(out / "network.html"))
        with Workspace(town, as_of=day) as then:
            assert drawn[day] == set(build_view(then.graph(), view="area", area=POOR).nodes)
    assert "dir:svc:a" in drawn["2025-03-01"] and "dir:svc:a" not in drawn["2025-08-01"]
