"""The network on a date: the graph as it stood then (``--as-of DATE``).

"As of a date" is a filter, not a copy of the graph. Two things decide what
stood on a day:

1. **What had been asserted by then.** Each source counts with its snapshot in
   force that day: its last snapshot dated on or before it (a snapshot's date
   is ``--snapshot-date`` on ingest, else the day it was ingested). A source
   with no snapshot by then holds nothing then. Area lookups (``areas``) are
   geography, not provision: they always count with their current snapshot, so
   that places can still be named.
   Each node's and edge's ``first_asserted`` / ``last_asserted`` count only the
   snapshots dated by then (and those in force).
2. **What had not yet ended, nor yet begun, by its own dates.** A node or edge
   whose own end date (a grant's ``planned_end``, an activity's or tie's
   ``end_date``) falls before the day has ended; one whose own start (a grant's
   ``award_date``, else its ``planned_start``; an activity's or tie's
   ``start_date``) falls after it has not begun. Both are left out. An asset's
   Asset of Community Value listing is judged on the day by ``query assets``
   (the building stands whether or not it is listed).

When every source's snapshot in force is its current one, the graph is the
stored analysis graph (``graph/_stored.py``), filtered; otherwise it is built
from the snapshots in force. Either way it is derived, never stored.

Examples
--------
>>> from civicgraph.graph._examples import two_snapshots
>>> ws = two_snapshots()  # 2025-01-01: Lunch club, Youth club; 06-01: Lunch club, Warm space
>>> sorted(name for _, name in ws.graph().nodes(data="name"))
['Lunch club', 'Warm space']
>>> sorted(name for _, name in ws.at("2025-03-01").graph().nodes(data="name"))
['Lunch club', 'Youth club']
>>> ws.at("2024-12-31").graph().number_of_nodes()
0
"""

from __future__ import annotations

import calendar
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import UsageError
from .build import Graph, StepProgress, assert_spans, build_graph

__all__ = [
    "AS_OF",
    "AS_OF_FORMS",
    "AsOf",
    "as_of_graph",
    "describe_as_of",
    "parse_as_of",
    "snapshots_in_force",
]

log = logging.getLogger(__name__)

AS_OF = "as_of"
"""The graph attribute (``graph.graph[AS_OF]``) an as-of graph carries: its :class:`AsOf`,
as a plain dict."""

AS_OF_FORMS = "YYYY-MM-DD (2015-03-31), YYYY-MM (2015-03: its last day) or YYYY (2015: 31 December)"
"""The forms a day can be written in, as error messages and help say them."""

REFERENCE_KINDS = frozenset({"areas"})
"""Ingesters whose sources are geography, not provision: always read at their current snapshot."""

STARTS = ("award_date", "planned_start", "start_date")
"""A node's or edge's own start, in order of preference: the first present counts."""

ENDS = ("planned_end", "end_date")
"""A node's or edge's own end, in order of preference: the first present counts."""


def parse_as_of(value: str | date) -> str:
    """A day to read the workspace as of, as YYYY-MM-DD; a month or year means its last day.

    Raises
    ------
    UsageError
        The text is not a day in one of :data:`AS_OF_FORMS`.

    Examples
    --------
    >>> parse_as_of("2015-03-31"), parse_as_of("2016-02"), parse_as_of(" 2015 ")
    ('2015-03-31', '2016-02-29', '2015-12-31')
    >>> parse_as_of("31/03/2015")
    Traceback (most recent call last):
    ...
    civicgraph.errors.UsageError: `as_of` '31/03/2015' is not a day. Fix: write it as ...
    """
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    parts = text.split("-")
    try:
        if len(parts) == 3 and len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text).isoformat()
        if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2:
            year, month = int(parts[0]), int(parts[1])
            return date(year, month, calendar.monthrange(year, month)[1]).isoformat()
        if len(parts) == 1 and len(text) == 4 and text.isdigit():
            return date(int(text), 12, 31).isoformat()
    except ValueError:
        pass
    raise UsageError(
        f"`as_of` '{value}' is not a day. Fix: write it as {AS_OF_FORMS}.", param="as_of"
    )


@dataclass
class AsOf:
    """What an as-of graph was made from, and what it left out."""

    day: str
    snapshots: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Each source counted: ``{source: (snapshot id, snapshot date)}``."""
    not_yet: list[str] = field(default_factory=list)
    """Sources with no snapshot by the day."""
    first_snapshot: str | None = None
    """The date of the workspace's first snapshot (None: it has none)."""
    ended: int = 0
    not_begun: int = 0
    ended_edges: int = 0
    not_begun_edges: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "snapshots": {s: list(v) for s, v in self.snapshots.items()},
            "not_yet": self.not_yet,
            "first_snapshot": self.first_snapshot,
            "ended": self.ended,
            "not_begun": self.not_begun,
            "ended_edges": self.ended_edges,
            "not_begun_edges": self.not_begun_edges,
        }


def describe_as_of(graph: Graph) -> str | None:
    """One line saying what an as-of graph holds (None for a graph of the present).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(as_of=AsOf("2015-01-01", first_snapshot="2016-04-01").as_dict())
    >>> describe_as_of(g)
    'as of 2015-01-01: the workspace held nothing then (its first snapshot is dated 2016-04-01)'
    """
    info = graph.graph.get(AS_OF)
    if not info:
        return None
    day = info["day"]
    if not info["snapshots"]:
        first = info["first_snapshot"]
        held = f"its first snapshot is dated {first}" if first else "it has no snapshots"
        return f"as of {day}: the workspace held nothing then ({held})"
    counted = ", ".join(
        f"{source} snapshot {sid} ({sdate})" for source, (sid, sdate) in info["snapshots"].items()
    )
    parts = [f"as of {day}: {counted}"]
    if info["not_yet"]:
        parts.append(f"not yet ingested then: {', '.join(info['not_yet'])}")
    left = []
    if info["ended"] or info["ended_edges"]:
        left.append(
            f"{_things(info['ended'], info['ended_edges'])} ended by their own end dates "
            f"({'/'.join(ENDS)})"
        )
    if info["not_begun"] or info["not_begun_edges"]:
        left.append(
            f"{_things(info['not_begun'], info['not_begun_edges'])} not yet begun by their "
            f"own dates ({'/'.join(STARTS)})"
        )
    if left:
        parts.append("left out: " + "; ".join(left))
    return "; ".join(parts)


def _things(nodes: int, edges: int) -> str:
    said = [f"{nodes:,} node{'s' * (nodes != 1)}"] if nodes else []
    said += [f"{edges:,} edge{'s' * (edges != 1)}"] if edges else []
    return " and ".join(said)


@dataclass(frozen=True)
class _Snapshot:
    id: int
    source: str
    kind: str
    date: str
    current: bool


def _snapshots(conn: sqlite3.Connection) -> list[_Snapshot]:
    rows = conn.execute(
        "SELECT s.id, s.source, src.kind, "
        "coalesce(nullif(json_extract(s.report, '$.snapshot_date'), ''), "
        "substr(s.ingested_at, 1, 10)), s.is_current "
        "FROM snapshot s JOIN source src ON src.name = s.source ORDER BY s.id"
    ).fetchall()
    return [_Snapshot(i, source, kind, day, bool(cur)) for i, source, kind, day, cur in rows]


def snapshots_in_force(conn: sqlite3.Connection, day: str) -> dict[str, tuple[int, str]]:
    """Each source's snapshot in force on ``day``: ``{source: (snapshot id, its date)}``.

    The last snapshot dated on or before the day (the latest ingested among those of
    one date); for area lookups, the current snapshot. Sources with none are absent.
    """
    chosen: dict[str, _Snapshot] = {}
    for snap in _snapshots(conn):
        if snap.kind in REFERENCE_KINDS:
            if snap.current:
                chosen[snap.source] = snap
            continue
        if snap.date > day:
            continue
        best = chosen.get(snap.source)
        if best is None or (snap.date, snap.id) > (best.date, best.id):
            chosen[snap.source] = snap
    return {source: (snap.id, snap.date) for source, snap in chosen.items()}


def _own_day(props: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = props.get(name)
        if isinstance(value, str) and len(value) >= len("YYYY-MM-DD"):
            return value[:10]
    return None


def _standing(props: dict[str, Any], day: str) -> str | None:
    """Why a node or edge did not stand on ``day`` by its own dates (None: it stood)."""
    end = _own_day(props, ENDS)
    if end is not None and end < day:
        return "ended"
    start = _own_day(props, STARTS)
    if start is not None and start > day:
        return "not begun"
    return None


def _filter_own_dates(graph: Graph, info: AsOf) -> None:
    day = info.day
    gone = [node for node, data in graph.nodes(data=True) if _standing(data, day) is not None]
    for node in gone:
        if _standing(graph.nodes[node], day) == "ended":
            info.ended += 1
        else:
            info.not_begun += 1
    graph.remove_nodes_from(gone)
    edges = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        why = _standing(data, day)
        if why is not None:
            edges.append((u, v, key))
            if why == "ended":
                info.ended_edges += 1
            else:
                info.not_begun_edges += 1
    graph.remove_edges_from(edges)


def as_of_graph(
    conn: sqlite3.Connection,
    day: str,
    *,
    present: Callable[[], Graph],
    progress: StepProgress | None = None,
) -> Graph:
    """The analysis graph as it stood on ``day`` (YYYY-MM-DD; see the module's rules).

    ``present`` gives the graph of the present (the stored one): used, filtered,
    when every source's snapshot in force is its current one.
    """
    import networkx as nx

    snapshots = _snapshots(conn)
    in_force = snapshots_in_force(conn, day)
    info = AsOf(day, snapshots=dict(sorted(in_force.items())))
    provision = [s for s in snapshots if s.kind not in REFERENCE_KINDS]
    info.first_snapshot = min((s.date for s in provision), default=None)
    info.not_yet = sorted({s.source for s in provision} - set(in_force))
    if not any(s.source in in_force for s in provision):
        # Before every snapshot of provision: nothing stood, not even the areas' map of it.
        info.snapshots = {}
        graph: Graph = nx.MultiDiGraph()
    elif {sid for sid, _ in in_force.values()} == {s.id for s in snapshots if s.current}:
        graph = present()
    else:
        graph = build_graph(
            conn, progress=progress, snapshots={sid for sid, _ in in_force.values()}
        )
    _filter_own_dates(graph, info)
    # First and last asserted as known then: later snapshots had not been taken.
    counted = {s.id for s in snapshots if s.date <= day} | {sid for sid, _ in in_force.values()}
    if counted != {s.id for s in snapshots}:
        assert_spans(
            conn, graph, dict(conn.execute("SELECT key, node_id FROM entity")), only=counted
        )
    graph.graph[AS_OF] = info.as_dict()
    log.info(
        "as of %s: %d nodes and %d edges", day, graph.number_of_nodes(), graph.number_of_edges()
    )
    return graph
