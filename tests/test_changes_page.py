"""``viz --view changes``: the network with what opened and closed marked, in Chromium."""

from __future__ import annotations

from pathlib import Path

from handmade import ingest_records, node
from test_changes import AFTER, BEFORE

from civicgraph import Workspace
from civicgraph.ontology import NodeType
from civicgraph.viz._changes_view import CHANGE_COLORS, UNCHANGED

HOSTILE = "<img src=x onerror=alert(1)>"


def test_changes_page_marks_what_opened_and_closed(tmp_path: Path, run_cli, open_page) -> None:
    db = tmp_path / "w.db"
    with Workspace(db) as ws:
        ingest_records(ws, BEFORE, name="dir", snapshot_date="2025-01-15")
        after = list(AFTER)
        after[6] = node(NodeType.SERVICE, "dir:svc:warm", name=HOSTILE, status="active")
        ingest_records(ws, after, name="dir", snapshot_date="2025-07-15")
    out = tmp_path / "changes.html"
    result = run_cli("--db", db, "viz", "--view", "changes", "--since", "2025-01-15", "--out", out)
    assert result.code == 0, result.err
    assert HOSTILE not in out.read_text()
    opened = open_page(out)
    page = opened.page
    groups = dict(page.evaluate("civicgraph.data.nodes.map(n => [n.id, n.group])"))
    assert groups["dir:svc:warm"] == "opened"
    assert groups["dir:svc:youth"] == "closed"  # gone from the graph, drawn from the row
    assert groups["dir:svc:library"] == "closed"
    assert groups["dir:svc:pool"] == "reduced"
    assert "dir:svc:same" not in groups  # nothing changed, not a neighbour of a change
    assert groups["dir:loc:b"] == UNCHANGED  # the building the food bank moved to
    colours = dict(page.evaluate("civicgraph.data.nodes.map(n => [n.id, n.color])"))
    assert colours["dir:svc:warm"] == CHANGE_COLORS["opened"]
    assert colours["dir:svc:youth"] == CHANGE_COLORS["closed"]
    legend = page.locator("#cg-legend li").all_text_contents()
    counts = {}
    for kind in groups.values():
        counts[kind] = counts.get(kind, 0) + 1
    assert sorted(legend) == sorted(f"{k} ({n})" for k, n in counts.items())
    drawn = page.evaluate("civicgraph.network.body.nodeIndices.length")
    assert drawn == len(groups)
    tip = page.evaluate("civicgraph.data.nodes.find(n => n.id === 'dir:svc:youth').title")
    assert "change: closed" in tip
    page.fill("#cg-query", "img src")
    page.press("#cg-query", "Enter")
    assert page.locator("#cg-info-title").text_content() == HOSTILE
    assert page.locator("img").count() == 0
    assert opened.requests == [out.resolve().as_uri()]
    assert opened.errors == [] and opened.violations() == [] and opened.dialogs == []
