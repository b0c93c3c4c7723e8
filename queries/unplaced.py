"""Unplaced: locations, services and grants the graph could not put in any area."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from ..graph import Graph
from ..graph.placing import unplaced_rows
from ._registry import register_query

__all__ = ["unplaced"]

COLUMNS = ["id", "type", "name", "postcode", "latitude", "longitude", "reason", "sources", "why"]


@register_query
def unplaced(
    graph: Graph, *, kind: Literal["all", "location", "service", "grant"] = "all"
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
    return pd.DataFrame(rows, columns=COLUMNS)
