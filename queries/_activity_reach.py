"""Activities in the place queries: the active-community figures and activity categories. Private.

Kept apart from :mod:`._places` so the place plumbing stays as it is:

* :func:`activity_totals` gives ``si-index`` its active-community domain: per
  area, the sessions a week of the activities held there and the volunteering
  opportunities held there (an activity counts where its venue is placed:
  ``HAPPENS_AT`` then ``IN_AREA``, shared equally among the base areas of a
  larger area it is placed in);
* :func:`with_activity_provision` lets ``gaps`` take activity categories
  ("warm space", an OpenActive activity, a volunteering cause): each located
  activity stands in as provision of each of its categories at its venue, so
  an area lacks "warm space" when no warm space is within reach of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ontology import EdgeType, NodeType
from ._index import GraphIndex
from ._places import FloatArray, Reach

__all__ = ["ACTIVITY_PROVISION", "activity_totals", "with_activity_provision"]

ACTIVITY_PROVISION = "activity_provision"
"""On a stand-in location ``gaps`` made for an activity's category: the activity's id."""

_ACTIVITY = NodeType.ACTIVITY.value


def _venues(lookup: GraphIndex) -> dict[str, list[str]]:
    venues: dict[str, list[str]] = {}
    for activity, location, _ in lookup.edges(EdgeType.HAPPENS_AT):
        venues.setdefault(activity, []).append(location)
    return venues


def activity_totals(lookup: GraphIndex, found: Reach) -> tuple[FloatArray, FloatArray] | None:
    """Sessions a week and volunteering opportunities held in each area (None: no activities)."""
    graph = lookup.graph
    activities = list(lookup.nodes(_ACTIVITY))
    if not activities:
        return None
    placed: dict[str, list[int]] = {}
    for location, area, _ in lookup.edges(EdgeType.IN_AREA):
        placed.setdefault(location, []).extend(found.covers.get(area, ()))
    venues = _venues(lookup)
    sessions = np.zeros(found.members.shape[1])
    roles = np.zeros(found.members.shape[1])
    for activity in activities:
        columns = sorted({c for v in venues.get(activity, ()) for c in placed.get(v, ())})
        if not columns:
            continue
        data = graph.nodes[activity]
        per_week = data.get("sessions_per_week")
        share = 1.0 / len(columns)
        if isinstance(per_week, int | float) and not isinstance(per_week, bool):
            np.add.at(sessions, columns, float(per_week) * share)
        if data.get("activity_kind") == "volunteering role":
            np.add.at(roles, columns, share)
    return (
        np.asarray(found.members @ sessions, dtype=np.float64),
        np.asarray(found.members @ roles, dtype=np.float64),
    )


def with_activity_provision(lookup: GraphIndex) -> GraphIndex:
    """An index of the graph with one stand-in location per located activity and category (or
    ``lookup`` itself when the graph holds no activities): ``facility_kind`` the category, at
    the venue, placed in the venue's areas.

    The graph is not copied: the new one shares the original's nodes, edges and their
    attributes (read, never changed; a full copy was most of ``gaps`` on all-England
    areas), and the index carries over the original's look-ups."""
    graph = lookup.graph
    activities = list(lookup.nodes(_ACTIVITY))
    if not activities:
        return lookup
    venues = _venues(lookup)
    augmented = _sharing(graph)
    shared_pred: dict[str, Any] = graph._pred  # type: ignore[attr-defined]
    in_area = EdgeType.IN_AREA.value
    added: list[tuple[str, str]] = []
    added_edges: list[tuple[str, str, dict[str, Any]]] = []
    for activity in activities:
        data = graph.nodes[activity]
        categories = list(dict.fromkeys(str(c) for c in data.get("categories") or [] if c))
        if data.get("activity_kind") and data["activity_kind"] not in categories:
            categories.append(str(data["activity_kind"]))
        for venue in venues.get(activity, ()):
            place = graph.nodes[venue]
            areas = [
                (area, edge)
                for _, area, edge in graph.out_edges(venue, data=True)
                if edge.get("type") == in_area
            ]
            for category in categories:
                node = f"{activity}|{category}|{venue}"
                if node in augmented:  # the same venue twice: one stand-in
                    continue
                augmented.add_node(
                    node,
                    type=NodeType.LOCATION.value,
                    name=f"{data.get('name') or category} at {place.get('name') or venue}",
                    facility_kind=category,
                    latitude=place.get("latitude"),
                    longitude=place.get("longitude"),
                    **{ACTIVITY_PROVISION: activity},
                )
                added.append((node, NodeType.LOCATION.value))
                for area, edge in areas:
                    # The area's in-edges are the original's: give the new graph its own.
                    if augmented._pred[area] is shared_pred[area]:
                        augmented._pred[area] = dict(shared_pred[area])
                    first = area not in augmented._succ[node]
                    augmented.add_edge(node, area, key=in_area, **edge)
                    if first:  # a second edge to the area (another source) updates the first
                        added_edges.append((node, area, augmented._succ[node][area][in_area]))
    return lookup.extended(augmented, nodes=added, edges=added_edges)


def _sharing(graph: Any) -> Any:
    """A new graph of the same class holding ``graph``'s nodes and edges, their attribute
    dictionaries shared, not copied: nodes (and edges out of them) may be added to it, and
    nothing else changed."""
    shared = graph.__class__()
    shared.graph.update(graph.graph)
    shared._node.update(graph._node)
    shared._succ.update(graph._succ)  # _adj is _succ
    shared._pred.update(graph._pred)
    return shared
