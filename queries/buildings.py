"""Shared buildings: where several organisations work under one roof, and whether they are tied."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ..graph import Graph
from ..ontology import EdgeType
from ._index import GraphIndex, short_list
from ._registry import register_query

__all__ = ["shared_buildings"]

COLUMNS = [
    "building",
    "label",
    "organizations",
    "organization_names",
    "services",
    "sectors",
    "tied_pairs",
    "untied_pairs",
    "why",
]


@register_query
def shared_buildings(graph: Graph, *, min_organizations: int = 2, limit: int = 0) -> pd.DataFrame:
    """Buildings several organisations work from, with how many of them are tied to each other.

    Needs no referral data: it reads where services are delivered
    (``AT_LOCATION``) and which organisations operate which sites
    (``OPERATES``). Locations are one building when they share a UPRN, else
    a normalised street address and postcode, else exact coordinates. The
    untied pairs are candidates for ``partnerships``.

    Example:
      civicgraph query shared-buildings --min-organizations 3

    Parameters
    ----------
    graph
        The analysis graph.
    min_organizations
        List buildings with at least this many organisations.
    limit
        At most this many rows, busiest first (0: all).

    Returns
    -------
    DataFrame
        ``building`` (its key), ``label`` (name and address),
        ``organizations`` and their names, ``services``, ``sectors``,
        ``tied_pairs``, ``untied_pairs``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for loc in ["l1", "l2"]:
    ...     g.add_node(loc, type="Location", address_1="1 High St", postcode="OB1 1AA")
    >>> for org, loc in [("A", "l1"), ("B", "l2")]:
    ...     g.add_node(org, type="Organization", name=f"Org {org}")
    ...     g.add_node(org + "1", type="Service", name=f"Service {org}")
    ...     _ = g.add_edge(org, org + "1", key="PROVIDES", type="PROVIDES")
    ...     _ = g.add_edge(org + "1", loc, key="AT_LOCATION", type="AT_LOCATION")
    >>> shared_buildings(g)[["organizations", "untied_pairs"]].values.tolist()
    [[2, 1]]
    """
    lookup = GraphIndex(graph)
    occupants: dict[str, dict[str, set[str]]] = {}
    for org, places in lookup.organisation_buildings().items():
        for building, services in places.items():
            occupants.setdefault(building, {})[org] = services
    tied: set[frozenset[str]] = set()
    for edge_type in (EdgeType.REFERS_TO, EdgeType.PARTNERS_WITH):
        for u, v, _ in lookup.edges(edge_type):
            a, b = lookup.providers.get(u, u), lookup.providers.get(v, v)
            if a != b:
                tied.add(frozenset((a, b)))
    rows: list[dict[str, Any]] = []
    for building, orgs in occupants.items():
        if len(orgs) < max(min_organizations, 2):
            continue
        members = sorted(orgs)
        pairs = len(members) * (len(members) - 1) // 2
        tied_pairs = sum(
            1 for i, a in enumerate(members) for b in members[i + 1 :] if frozenset((a, b)) in tied
        )
        service_count = sum(len(s) for s in orgs.values())
        sectors = Counter(lookup.sector(o) for o in members)
        sector_text = ", ".join(
            f"{s} {c}" for s, c in sorted(sectors.items(), key=lambda x: (-x[1], x[0]))
        )
        names = [lookup.name(o) for o in members]
        label = lookup.buildings.label.get(building, building)
        rows.append(
            {
                "building": building,
                "label": label,
                "organizations": len(members),
                "organization_names": "; ".join(names),
                "services": service_count,
                "sectors": sector_text,
                "tied_pairs": tied_pairs,
                "untied_pairs": pairs - tied_pairs,
                "why": f"{len(members)} organisations ({short_list(names, 4)}) run {service_count} "
                f"services from {label}; {pairs - tied_pairs} of their {pairs} pairs have no "
                "referral or partnership tie",
            }
        )
    rows.sort(key=lambda r: (-r["organizations"], -r["untied_pairs"], r["label"]))
    if limit > 0:
        rows = rows[:limit]
    return pd.DataFrame(rows, columns=COLUMNS)
