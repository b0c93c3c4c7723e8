"""Unplaced: locations, services and grants the graph could not put in any area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from ..graph import Graph
from ..graph.placing import unplaced_rows
from ..graph.scope import Scope, resolve_scope
from ..ontology import EdgeType
from ._registry import register_query

__all__ = ["unplaced"]

COLUMNS = ["id", "type", "name", "postcode", "latitude", "longitude", "reason", "sources", "why"]


@register_query
def unplaced(
    graph: Graph,
    *,
    kind: Literal["all", "location", "service", "grant"] = "all",
    within: Scope | str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """What could not be placed in any area, and why.

    Locations are placed by postcode, then coordinates (boundary, else the
    nearest small-area centroid within 10 km); services by the areas their
    service areas name; grants by their postcodes of impact. Each row is one
    thing and one reason: no postcode or coordinates, a postcode no lookup
    holds, coordinates outside the UK or swapped, an address in another
    country, a service area naming no known area.

    Example:
      civicgraph query unplaced --kind location

    Parameters
    ----------
    graph
        The analysis graph.
    kind
        Which things to list.
    within
        The study area: areas by GSS code or name (repeatable). Only rows whose thing is
        partly placed in it (a location's areas, a service's location or other service
        areas, a grant's other beneficiary areas), and those with no area at all, which
        belong to no place and so stay in every scope (their ``why`` says which). Default:
        every row.

    Returns
    -------
    pandas.DataFrame
        One row per unplaced thing and reason, with ``why``.
    """
    rows = unplaced_rows(graph)
    if kind != "all":
        rows = [r for r in rows if str(r["type"]).lower() == kind]
    for row in rows:
        row["why"] = f"{row['type']} {row['name'] or row['id']}: {row['reason']}"
    if within is None or (not isinstance(within, str | Scope) and not any(within)):
        return pd.DataFrame(rows, columns=COLUMNS)
    scope = resolve_scope(graph, within, require_placed=False)
    kept = []
    for row in rows:
        areas = _areas(graph, row["id"])
        if not areas:
            row["why"] += f" [no area at all: listed in every scope; {scope.describe()}]"
        elif areas & scope.members:
            row["why"] += f" [partly placed in the {scope.describe()}]"
        else:
            continue
        kept.append(row)
    frame = pd.DataFrame(kept, columns=COLUMNS)
    frame.attrs["scope"] = scope.describe()
    frame.attrs["scope_detail"] = scope.as_dict()
    return frame


_PLACING = {EdgeType.IN_AREA.value, EdgeType.SERVES_AREA.value, EdgeType.BENEFITS_AREA.value}


def _areas(graph: Any, node: str) -> set[str]:
    """The areas a node is placed in: its own ``IN_AREA``, ``SERVES_AREA`` or
    ``BENEFITS_AREA`` edges, and (a service) those of its locations."""
    found: set[str] = set()
    for _, target, data in graph.out_edges(node, data=True):
        if data.get("type") in _PLACING:
            found.add(target)
        elif data.get("type") == EdgeType.AT_LOCATION.value:
            found |= {
                area
                for _, area, edge in graph.out_edges(target, data=True)
                if edge.get("type") == EdgeType.IN_AREA.value
            }
    return found
