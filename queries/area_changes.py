"""Where provision is falling: per area, services, facilities and grant money lost and gained.

Built on :func:`civicgraph.queries.changes`: each opened or closed service
and location, and each grant whose funding started or ended, counts in the
area it is (or, once closed, was) placed in, rolled up to ``level``. The
``spiral`` flag marks an area in the two most deprived IMD deciles where both
provision (services and facilities together) and grant money fell: the
"further downward spiral" of disinvestment where need is highest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..graph import Workspace
from ..graph.history import History
from ..graph.scope import Scope, _AreaTree
from ..ontology import NodeType
from ._places import number
from ._registry import register_query
from .changes import change_rows, scoped_rows

__all__ = ["SPIRAL_DECILES", "area_changes"]

SPIRAL_DECILES = 2
"""An area is in the most deprived deciles when its IMD decile is at most this."""

COLUMNS = [
    "area",
    "name",
    "level",
    "category",
    "lost",
    "gained",
    "net",
    "net_per_1000",
    "imd_decile",
    "spiral",
    "why",
]

_CATEGORY = {
    NodeType.SERVICE: "services",
    NodeType.LOCATION: "facilities",
    NodeType.GRANT: "grant money",
}
_LOST = {"closed", "funding-ended"}
_GAINED = {"opened", "funding-started"}
_SPIRAL_RULE = (
    f"spiral: IMD decile {SPIRAL_DECILES} or lower, and both provision (services and "
    "facilities) and grant money fell"
)


def _population(tree: _AreaTree, area: str) -> float | None:
    own = number(tree.graph.nodes[area].get("population"))
    if own is not None:
        return own
    small = [a for a in tree.inside([area]) if a != area and tree.levels.get(a) == "lsoa"]
    figures = [number(tree.graph.nodes[a].get("population")) for a in small]
    known = [f for f in figures if f is not None]
    return sum(known) if known else None


@register_query(name="area-changes", needs_workspace=True)
def area_changes(
    workspace: Workspace | History,
    *,
    level: str = "lsoa",
    since: str | None = None,
    until: str | None = None,
    within: Scope | str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per area and category: services, facilities and grant money lost and gained.

    Parameters
    ----------
    level
        The areas to count in: lsoa, msoa, ward or lad.
    since
        As for ``changes``: a snapshot number or a date; default each source's last two.
    until
        As for ``changes``: a snapshot number or a date; compare up to it.
    within
        The study area: areas by GSS code or name (repeatable). Only changes placed in
        it count, and only where they are placed in it; default: every area.

    Returns
    -------
    pandas.DataFrame
        ``area, name, level, category, lost, gained, net, net_per_1000, imd_decile,
        spiral, why``; ``category`` is services, facilities or grant money (lost and
        gained in the grants' currency). ``net_per_1000`` is the net change per 1,000
        residents, where the area's population is known.

    Raises
    ------
    UsageError
        As ``changes``; or ``level`` is not one of lsoa, msoa, ward, lad.
    """
    levels = ("lsoa", "msoa", "ward", "lad")
    if level not in levels:
        raise UsageError(
            f"level '{level}' is not an area level. Fix: use one of {', '.join(levels)}.",
            param="level",
        )
    rows, graph, _ = change_rows(workspace, since=since, until=until)
    rows, scope = scoped_rows(graph, rows, within)
    tree = _AreaTree(graph)
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        category = _CATEGORY.get(row["type"])
        if category is None or row["change"] not in _LOST | _GAINED:
            continue
        if category == "grant money":
            amount = number(row.get("amount"))
            if amount is None:
                continue
        else:
            amount = 1.0
        small = [a for a in str(row["area"]).split("; ") if a]
        areas = {big for a in small if a in tree.levels for big in tree.nearest_of_level(a, level)}
        for area in areas:
            entry = totals.setdefault(
                (area, category), {"lost": 0.0, "gained": 0.0, "ids": [], "sources": set()}
            )
            entry["lost" if row["change"] in _LOST else "gained"] += amount / len(areas)
            entry["ids"].append(f"{row['change']} {row['id']}")
    fell: dict[str, set[str]] = {}
    for (area, category), entry in totals.items():
        if entry["gained"] < entry["lost"]:
            fell.setdefault(area, set()).add(
                "grant money" if category == "grant money" else "provision"
            )
    table_rows = []
    for (area, category), entry in sorted(totals.items()):
        data = graph.nodes[area]
        decile = number(data.get("imd_decile"))
        population = _population(tree, area)
        net = entry["gained"] - entry["lost"]
        spiral = (
            decile is not None
            and decile <= SPIRAL_DECILES
            and fell.get(area, set()) == {"provision", "grant money"}
        )
        shown = ", ".join(entry["ids"][:5]) + (" ..." if len(entry["ids"]) > 5 else "")
        table_rows.append(
            {
                "area": area,
                "name": str(data.get("name") or area),
                "level": level,
                "category": category,
                "lost": round(entry["lost"], 2),
                "gained": round(entry["gained"], 2),
                "net": round(net, 2),
                "net_per_1000": round(net * 1000 / population, 3) if population else None,
                "imd_decile": int(decile) if decile is not None else None,
                "spiral": spiral,
                "why": f"{shown}; {_SPIRAL_RULE}" if spiral else shown,
            }
        )
    table = pd.DataFrame(table_rows, columns=COLUMNS)
    if scope is not None:
        table.attrs["note"] = f"note: changes placed in {scope.describe()}"
        table.attrs["scope"] = scope.describe()
        table.attrs["scope_detail"] = scope.as_dict()
    return table
