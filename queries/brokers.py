"""Brokers: who holds the network together, and who is a single point of failure."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

import pandas as pd

from ..graph import Graph
from ._algorithms import articulation_cuts, betweenness, communities, constraint, effective_size
from ._index import count_of, short_list
from ._network import tie_network
from ._registry import register_query

__all__ = ["brokers"]

COLUMNS = [
    "id",
    "name",
    "sector",
    "degree",
    "betweenness",
    "betweenness_rank",
    "constraint",
    "effective_size",
    "groups_bridged",
    "groups",
    "cut_off",
    "single_point_of_failure",
    "why",
]

_ORDERS = {
    "betweenness": lambda r: (-r["betweenness"], -r["cut_off"], r["id"]),
    "cut-off": lambda r: (-r["cut_off"], -r["betweenness"], r["id"]),
    "constraint": lambda r: (r["constraint"] if r["constraint"] is not None else 9.0, r["id"]),
}


@register_query
def brokers(
    graph: Graph,
    *,
    level: Literal["organization", "service"] = "organization",
    period: str | None = None,
    min_count: int = 1,
    order: Literal["betweenness", "cut-off", "constraint"] = "betweenness",
    limit: int = 50,
    pivots: int = 2000,
    seed: int = 1,
) -> pd.DataFrame:
    """Organisations that bridge otherwise separate groups, and single points of failure.

    For each tied organisation: betweenness (the share of shortest referral
    or partnership paths between others that pass through it; hops,
    undirected); Burt's constraint (low: its contacts are not tied to each
    other, so it brokers between them) and effective size (how many
    non-redundant contacts it has); how many groups (communities, as in
    ``silos``) its ties reach; and whether removing it cuts organisations off
    from the rest of their component (an articulation point: a single point
    of failure), listing whom.

    Example:
      civicgraph query brokers --order cut-off --limit 10

    Parameters
    ----------
    graph
        The analysis graph.
    level
        Rank organisations (services folded into their providers) or services.
    period
        Use only referrals of this period; default: all periods.
    min_count
        Referrals a route needs to count as a tie.
    order
        Rank by betweenness, by how many would be cut off, or by constraint (lowest first).
    limit
        At most this many rows (0: all).
    pivots
        Betweenness is exact up to this many nodes; above, it is estimated
        from this many sampled sources (the why says so).
    seed
        Random seed for the groups and the sampling.

    Returns
    -------
    DataFrame
        One row per tied organisation (or service), best broker first.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for org in "ABCDE":
    ...     g.add_node(org, type="Organization", name=f"Org {org}")
    >>> for u, v in ["AB", "BC", "CA", "CD", "DE"]:
    ...     _ = g.add_edge(u, v, key="REFERS_TO", type="REFERS_TO", count=2)
    >>> top = brokers(g).iloc[0]
    >>> top["name"], int(top["cut_off"]), bool(top["single_point_of_failure"])
    ('Org C', 2, True)
    """
    net = tie_network(graph, level=level, period=period, min_count=min_count)
    if not net.ties:
        return pd.DataFrame(columns=COLUMNS)
    membership = communities(net, seed=seed)
    between, exact = betweenness(net, pivots=pivots, seed=seed)
    constraints = constraint(net)
    sizes = effective_size(net)
    cuts = articulation_cuts(net)
    ranked = sorted(range(net.size), key=lambda i: -between[i])
    rank = {node: position for position, node in enumerate(ranked, start=1)}
    group_sectors: dict[int, Counter[str]] = {}
    for i, group in enumerate(membership):
        group_sectors.setdefault(group, Counter())[net.sector(i)] += 1
    group_label = {
        group: f"group {group + 1} ({min(c, key=lambda s: (-c[s], s))})"
        for group, c in group_sectors.items()
    }
    tied = sum(1 for i in range(net.size) if net.adjacency[i])
    noun = "organisations" if level == "organization" else "services"
    rows: list[dict[str, Any]] = []
    for i in range(net.size):
        if not net.adjacency[i]:
            continue
        reached = sorted({membership[j] for j in net.adjacency[i]} | {membership[i]})
        cut_off = cuts.get(i, [])
        cut_members = [m for part in cut_off for m in part]
        parts = []
        if len(reached) > 1:
            parts.append(
                f"its ties reach {len(reached)} groups: "
                + short_list([group_label[g] for g in reached], 4)
            )
        parts.append(
            f"betweenness {between[i]:.3f}, rank {rank[i]} of {tied}"
            + ("" if exact else f" (estimated from {pivots} sampled sources)")
        )
        if cut_members:
            parts.append(
                f"removing it cuts off {count_of(len(cut_members), noun[:-1])} from the rest: "
                + short_list(sorted(net.name(m) for m in cut_members), 5)
            )
        if constraints[i] is not None and sizes[i] is not None:
            parts.append(
                f"constraint {constraints[i]:.2f}, effective size {sizes[i]:.1f} of "
                f"{count_of(net.degree(i), 'contact')}"
            )
        rows.append(
            {
                "id": net.nodes[i],
                "name": net.name(i),
                "sector": net.sector(i),
                "degree": net.degree(i),
                "betweenness": between[i],
                "betweenness_rank": rank[i],
                "constraint": constraints[i],
                "effective_size": sizes[i],
                "groups_bridged": len(reached),
                "groups": ", ".join(group_label[g] for g in reached),
                "cut_off": len(cut_members),
                "single_point_of_failure": bool(cut_members),
                "why": f"{net.name(i)}: " + "; ".join(parts),
            }
        )
    rows.sort(key=_ORDERS[order])
    if limit > 0:
        rows = rows[:limit]
    return pd.DataFrame(rows, columns=COLUMNS)
