"""The changes view: the network around what opened, closed or changed since a snapshot.

Built on :func:`civicgraph.queries.changes.change_rows`: every changed service,
location, organisation and grant, coloured by its change, with the organisations and
buildings around it in grey; what closed and is no longer in the graph is drawn from
the row (its name, type and former buildings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..graph import Workspace
from ..graph.scope import Scope
from ..ontology import EdgeType
from ..queries._index import count_of
from ..queries.changes import change_rows, scoped_rows
from .views import View, ViewEdge, ViewNode, _Context, place_named

__all__ = ["CHANGE_COLORS", "UNCHANGED", "changes_view"]

UNCHANGED = "unchanged"
CHANGE_COLORS = {
    "opened": "#1a9850",
    "funding-started": "#66bd63",
    "closed": "#d73027",
    "funding-ended": "#f46d43",
    "funding-ending": "#fdae61",
    "reduced": "#fee08b",
    "transferred": "#9467bd",
    "moved": "#1f78b4",
    "renamed": "#a6cee3",
    "changed": "#8c564b",
    UNCHANGED: "#cccccc",
}
"""Each change's colour on the page and in its legend (context nodes are unchanged)."""


def changes_view(
    workspace: Workspace,
    *,
    since: str | None = None,
    until: str | None = None,
    within: Scope | str | Sequence[str] | None = None,
) -> View:
    """What changed (``query changes``) and what is around it, each node grouped by its change.

    The same as ``build_view(workspace, view="changes", ...)``.

    Parameters
    ----------
    workspace
        The workspace whose snapshots are compared (read ``as_of`` a day: the snapshots
        up to that day).
    since, until, within
        As for ``civicgraph query changes``: ``within`` keeps the changes placed in the
        study area (their neighbours are drawn wherever they are).
    """
    return changes_view_and_context(workspace, since=since, until=until, within=within)[0]


def changes_view_and_context(
    workspace: Workspace,
    *,
    since: str | None = None,
    until: str | None = None,
    within: Scope | str | Sequence[str] | None = None,
) -> tuple[View, _Context]:
    """:func:`changes_view`, and the look-ups it was built with (for folding it)."""
    rows, graph, _ = change_rows(workspace, since=since, until=until)
    everywhere = len(rows)
    rows, scope = scoped_rows(graph, rows, within)
    context = _Context(graph)
    changed: dict[str, dict[str, Any]] = {}
    for row in rows:
        changed.setdefault(str(row["id"]), row)  # the first change of a node names it
    nodes: dict[str, ViewNode] = {}
    for node_id, row in changed.items():
        if node_id in graph:
            node = context.node(node_id)
        else:
            node = ViewNode(id=node_id, label=str(row["name"] or node_id)[:80], type=row["type"])
        node.group = str(row["change"])
        node.facts.insert(0, ("change", f"{row['change']} {row['when']}: {row['why']}"[:240]))
        nodes[node_id] = node
    around: set[str] = set()
    for node_id in changed:
        if node_id in graph:
            provider = context.lookup.providers.get(node_id)
            if provider:
                around.add(provider)
            around.update(
                v
                for _, v, data in graph.out_edges(node_id, data=True)
                if data.get("type") in (EdgeType.AT_LOCATION, EdgeType.AWARDED_TO)
            )
            around.update(
                u
                for u, _, data in graph.in_edges(node_id, data=True)
                if data.get("type") == EdgeType.AWARDS
            )
        around.update(a for a in changed[node_id].get("was_at", ()) if a in graph)
    for node_id in sorted(around - set(nodes)):
        node = context.node(node_id)
        node.group = UNCHANGED
        nodes[node_id] = node
    edges = context.edges_among(set(nodes))
    for node_id, row in changed.items():
        for place in row.get("was_at", ()):
            if node_id not in graph and place in nodes:
                edges.append(ViewEdge(node_id, place, "was at", reason="before it closed"))
    window = f"since {since}" if since else "since each source's last snapshot"
    placed = f" placed in {place_named(scope)}" if scope is not None else ""
    notes = [
        f"{count_of(len(changed), 'node')}{placed} changed {window} ('civicgraph query "
        f"changes'), beside {count_of(len(nodes) - len(changed), 'unchanged neighbour')} in grey"
    ]
    if not changed and everywhere:
        notes.append(
            f"nothing placed in the study area changed; {count_of(everywhere, 'change')} "
            "elsewhere or unplaced (drop --within to see them)"
        )
    elif not changed:
        notes.append(
            "nothing changed: ingest a source again to compare its snapshots "
            "(or give --since an earlier snapshot)"
        )
    title = f"What changed{' in ' + place_named(scope) if scope is not None else ''} {window}"
    return View("changes", title, nodes, edges, notes, "group"), context
