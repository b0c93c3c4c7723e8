"""The small workspaces that docstring examples share (for examples only, not the API)."""

from __future__ import annotations

from ..ontology import NodeType
from .report import IngestReport
from .workspace import Workspace

__all__ = ["two_snapshots"]


def two_snapshots() -> Workspace:
    """A workspace in memory: source ``hand`` listed services twice, on two days.

    2025-01-01: Lunch club (id 1) and Youth club (2); 2025-06-01: Lunch club and
    Warm space (3). So by the second day Youth club had closed and Warm space opened.

    Examples
    --------
    >>> ws = two_snapshots()
    >>> sorted(name for _, name in ws.graph().nodes(data="name"))
    ['Lunch club', 'Warm space']
    """
    workspace = Workspace(":memory:")
    listings = {
        "2025-01-01": [("1", "Lunch club"), ("2", "Youth club")],
        "2025-06-01": [("1", "Lunch club"), ("3", "Warm space")],
    }
    for day, services in listings.items():
        report = IngestReport(source="hand", kind="hand", input="hand.json", snapshot_date=day)
        nodes = [
            (f"hand:svc:{i}", NodeType.SERVICE.value, i, f'{{"name": "{n}"}}') for i, n in services
        ]
        workspace.write_snapshot(report, nodes, [])
    return workspace
