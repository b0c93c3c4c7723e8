"""Activities: what people can take part in, where, run by whom, and how often.

The strong-communities dimension: session series, facility slots, events,
courses, volunteering roles and warm-space offers (``Activity`` nodes, from
``ingest openactive``, ``ingest volunteering`` and ``ingest warm-spaces``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..graph import Graph
from ..graph.scope import Scope, resolve_scope
from ..ontology import EdgeType, NodeType
from ._index import GraphIndex, count_of, short_list
from ._places import area_level_of
from ._registry import register_query

__all__ = ["activities", "area_at_level", "areas_within", "location_areas"]

COLUMNS = [
    "id",
    "name",
    "kind",
    "categories",
    "place",
    "location",
    "area",
    "organization",
    "sessions",
    "sessions_per_week",
    "first_session",
    "last_session",
    "why",
]

_AREA = NodeType.AREA.value


def location_areas(lookup: GraphIndex) -> dict[str, list[str]]:
    """Each location's areas (``IN_AREA``), as placed."""
    found: dict[str, list[str]] = {}
    for location, area, _ in lookup.edges(EdgeType.IN_AREA):
        found.setdefault(location, []).append(area)
    return found


def areas_within(
    lookup: GraphIndex, within: Scope | str | Sequence[str] | None
) -> frozenset[str] | None:
    """The areas of the study area ``within`` (codes or names, any level, or a ``Scope``)
    and every area inside them, or ``None`` for no limit (``within`` empty).

    Raises
    ------
    UsageError
        ``within`` names no area of the graph, or several (the message lists candidates).
    """
    if within is None or (not isinstance(within, str | Scope) and not any(within)):
        return None
    return resolve_scope(lookup.graph, within, require_placed=False).members


def area_at_level(lookup: GraphIndex, area: str, level: str) -> str | None:
    """The area of ``level`` that holds ``area`` (itself, or the nearest above by ``PART_OF``)."""
    graph = lookup.graph
    layer, seen = [area], {area}
    while layer:
        for candidate in layer:
            if area_level_of(candidate, graph.nodes[candidate]) == level:
                return candidate
        upper = []
        for candidate in layer:
            for _, parent, data in graph.out_edges(candidate, data=True):
                if data.get("type") == EdgeType.PART_OF and parent not in seen:
                    seen.add(parent)
                    upper.append(parent)
        layer = upper
    return None


@register_query
def activities(
    graph: Graph,
    *,
    within: Scope | str | Sequence[str] | None = None,
    kind: str | None = None,
    category: str | None = None,
) -> pd.DataFrame:
    """Activities with their place, organisation, categories and how often they happen.

    Example:
      civicgraph query activities --kind "warm space" --within E08000025

    Parameters
    ----------
    graph
        The analysis graph.
    within
        Only activities at locations placed in these areas or areas inside them (GSS codes or
        names, any level, repeatable; see ``civicgraph.graph.scope``).
    kind
        Only activities of this kind (session series, facility use, event, course,
        volunteering role, warm space).
    category
        Only activities with this category (an activity-list label, a cause), any case.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``kind``, ``categories``, ``place`` (the venue's name),
        ``location`` (its id), ``area`` (the small areas it is placed in),
        ``organization`` (who runs it), ``sessions`` (dated sessions known),
        ``sessions_per_week``, ``first_session``, ``last_session``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a1", type="Activity", name="Walking netball", activity_kind="session series",
    ...            sessions_per_week=1.0, categories=["Walking Netball"])
    >>> g.add_node("l1", type="Location", name="Hope Hall")
    >>> g.add_node("o1", type="Organization", name="Hope Trust")
    >>> _ = g.add_edge("a1", "l1", key="HAPPENS_AT", type="HAPPENS_AT")
    >>> _ = g.add_edge("o1", "a1", key="RUNS", type="RUNS")
    >>> activities(g)[["name", "place", "organization", "sessions_per_week"]].values.tolist()
    [['Walking netball', 'Hope Hall', 'Hope Trust', 1.0]]
    """
    lookup = GraphIndex(graph)
    allowed = areas_within(lookup, within)
    placed = location_areas(lookup)
    venues: dict[str, list[str]] = {}
    for activity, location, _ in lookup.edges(EdgeType.HAPPENS_AT):
        venues.setdefault(activity, []).append(location)
    runners: dict[str, list[str]] = {}
    for organisation, activity, _ in lookup.edges(EdgeType.RUNS):
        runners.setdefault(activity, []).append(organisation)
    wanted_category = category.strip().lower() if category else None
    rows: list[dict[str, Any]] = []
    for node in lookup.nodes(NodeType.ACTIVITY.value):
        data = graph.nodes[node]
        activity_kind = str(data.get("activity_kind") or "")
        if kind and activity_kind != kind:
            continue
        categories = [str(c) for c in data.get("categories") or []]
        if wanted_category and wanted_category not in {c.lower() for c in categories}:
            continue
        locations = venues.get(node, [])
        areas = sorted({a for loc in locations for a in placed.get(loc, ())})
        if allowed is not None and not allowed.intersection(areas):
            continue
        organisations = [lookup.name(o) for o in runners.get(node, [])]
        places = [lookup.name(loc) for loc in locations]
        per_week = data.get("sessions_per_week")
        where = f"at {short_list(places)}" if places else "with no venue"
        if areas:
            where += f" ({short_list(areas)})"
        why = [f"{activity_kind or 'activity'} {where}"]
        why.append(f"run by {short_list(organisations)}" if organisations else "organiser unknown")
        if isinstance(per_week, int | float):
            why.append(f"{count_of(per_week, 'session')} a week")
        if data.get("sessions"):
            why.append(f"{data['sessions']} dated sessions from {data.get('first_session')}")
        rows.append(
            {
                "id": node,
                "name": data.get("name") or "",
                "kind": activity_kind,
                "categories": categories,
                "place": "; ".join(places),
                "location": "; ".join(locations),
                "area": "; ".join(areas),
                "organization": "; ".join(organisations),
                "sessions": data.get("sessions"),
                "sessions_per_week": per_week,
                "first_session": data.get("first_session"),
                "last_session": data.get("last_session"),
                "why": "; ".join(why),
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["kind", "name", "id"], kind="stable").reset_index(drop=True)
