"""Isolates: services and organisations with no referral or partnership ties."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from ..graph import Graph
from ..ontology import NodeType
from ._index import GraphIndex, count_of
from ._network import tie_network
from ._registry import register_query

__all__ = ["isolates"]

COLUMNS = [
    "id",
    "name",
    "type",
    "organization",
    "organization_name",
    "sector",
    "reason",
    "internal_referrals",
    "why",
]


@register_query
def isolates(
    graph: Graph,
    *,
    kind: Literal["both", "organization", "service"] = "both",
    period: str | None = None,
    min_count: int = 1,
) -> pd.DataFrame:
    """Organisations and services with no ties, or tied only within their own organisation.

    An organisation is listed when none of its services (nor it) refers to
    or is referred from another organisation and it has no declared tie;
    if its services refer only among themselves, the reason says so. A
    service is listed when it has no referral to or from another
    organisation's service. Organisations that provide no service (funders
    known only from grants) are not listed.

    Example:
      civicgraph query isolates --kind organization

    Parameters
    ----------
    graph
        The analysis graph.
    kind
        List organisations, services, or both.
    period
        Use only referrals of this period; default: all periods.
    min_count
        Referrals a route needs to count as a tie.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``type``, its ``organization`` (for services),
        ``sector``, ``reason`` (``no ties`` or ``only within its
        organisation``), ``internal_referrals``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for org in "AB":
    ...     g.add_node(org, type="Organization", name=f"Org {org}")
    >>> for service, org in [("a1", "A"), ("a2", "A"), ("b1", "B")]:
    ...     g.add_node(service, type="Service", name=service)
    ...     _ = g.add_edge(org, service, key="PROVIDES", type="PROVIDES")
    >>> _ = g.add_edge("a1", "a2", key="REFERS_TO", type="REFERS_TO", count=4)
    >>> isolates(g, kind="organization")[["id", "reason"]].values.tolist()
    [['A', 'only within its organisation'], ['B', 'no ties']]
    """
    lookup = GraphIndex(graph)
    rows: list[dict[str, Any]] = []
    if kind in ("both", "organization"):
        net = tie_network(
            graph, level="organization", period=period, min_count=min_count, lookup=lookup
        )
        for i, node in enumerate(net.nodes):
            if net.adjacency[i] or lookup.type(node) != NodeType.ORGANIZATION:
                continue
            services = lookup.services_of.get(node, [])
            internal = net.internal[i]
            reason = "only within its organisation" if internal else "no ties"
            why = f"{lookup.name(node)}: " + (
                f"its {count_of(len(services), 'service')} refer only to each other "
                f"({count_of(internal, 'referral')}); no tie to any other organisation"
                if internal
                else f"none of its {count_of(len(services), 'service')} refers to or is referred "
                "from another organisation, and it has no declared partnership"
            )
            rows.append(
                {
                    "id": node,
                    "name": lookup.name(node),
                    "type": NodeType.ORGANIZATION.value,
                    "organization": None,
                    "organization_name": None,
                    "sector": lookup.sector(node),
                    "reason": reason,
                    "internal_referrals": internal,
                    "why": why,
                }
            )
    if kind in ("both", "service"):
        net = tie_network(graph, level="service", period=period, min_count=min_count, lookup=lookup)
        org_net = tie_network(
            graph, level="organization", period=period, min_count=min_count, lookup=lookup
        )
        providers = lookup.providers
        for i, node in enumerate(net.nodes):
            if lookup.type(node) != NodeType.SERVICE:
                continue
            org = providers.get(node)
            siblings = [j for j in net.adjacency[i] if providers.get(net.nodes[j]) == org and org]
            if len(siblings) < len(net.adjacency[i]):
                continue
            internal = sum(
                net.referrals.get((i, j), 0) + net.referrals.get((j, i), 0) for j in siblings
            )
            reason = "only within its organisation" if siblings else "no ties"
            why = f"{lookup.name(node)}: " + (
                f"referrals only with {count_of(len(siblings), 'other service')} of "
                f"{lookup.name(org)} ({count_of(internal, 'referral')})"
                if siblings and org
                else "no referral to or from any other service"
            )
            if org is not None and org in org_net.index and org_net.adjacency[org_net.index[org]]:
                why += (
                    f"; its organisation {lookup.name(org)} has "
                    f"{count_of(len(org_net.adjacency[org_net.index[org]]), 'tie')} through "
                    "other services or partnerships"
                )
            rows.append(
                {
                    "id": node,
                    "name": lookup.name(node),
                    "type": NodeType.SERVICE.value,
                    "organization": org,
                    "organization_name": lookup.name(org) if org else None,
                    "sector": lookup.sector(node),
                    "reason": reason,
                    "internal_referrals": internal,
                    "why": why,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)
