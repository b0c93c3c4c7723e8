"""The shape of the referral and partnership network, in the measures coordinators know."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

import pandas as pd

from ..graph import Graph
from ._algorithms import components, path_stats, to_igraph
from ._index import count_of, short_list
from ._network import tie_network
from ._registry import register_query

__all__ = ["network"]

COLUMNS = ["measure", "scope", "value", "why"]

_BINS = ((0, 0), (1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, 10**12))


def _bin_label(low: int, high: int) -> str:
    if low == high:
        return str(low)
    return f"{low}+" if high >= 10**12 else f"{low}-{high}"


@register_query
def network(
    graph: Graph,
    *,
    level: Literal["organization", "service"] = "organization",
    period: str | None = None,
    min_count: int = 1,
    components_shown: int = 10,
    pivots: int = 2000,
) -> pd.DataFrame:
    """The network's shape: density, centralisation, reciprocity, components, path lengths, degrees.

    These are the measures network mapping tools (PARTNER, Kumu) report. Ties
    are referrals (counts summed over periods) and declared partnerships;
    each component's diameter and average path length are finite by
    construction (measured inside the component), and the whole network's
    average path length is over the pairs that can reach each other.

    Example:
      civicgraph query network --level service --format json

    Parameters
    ----------
    graph
        The analysis graph.
    level
        Measure the network of organisations (services folded into their
        providers) or of services.
    period
        Use only referrals of this period (e.g. 2024-Q1); default: all periods.
    min_count
        Referrals a route needs to count as a tie (0 counts routes with no referrals).
    components_shown
        Show diameter and path length for this many largest components.
    pivots
        Exact path lengths for components up to this size; larger ones are
        estimated from this many sampled start points.

    Returns
    -------
    DataFrame
        ``measure``, ``scope`` (the whole network, a component, a degree
        band), ``value``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for org in "ABC":
    ...     g.add_node(org, type="Organization", name=f"Org {org}")
    >>> _ = g.add_edge("A", "B", key="REFERS_TO", type="REFERS_TO", count=5)
    >>> _ = g.add_edge("B", "A", key="REFERS_TO", type="REFERS_TO", count=2)
    >>> _ = g.add_edge("B", "C", key="PARTNERS_WITH|MoU", type="PARTNERS_WITH", kind="MoU")
    >>> rows = network(g).set_index("measure")
    >>> float(rows.loc["density", "value"]), float(rows.loc["reciprocity", "value"])
    (0.6666666666666666, 1.0)
    """
    net = tie_network(graph, level=level, period=period, min_count=min_count)
    rows: list[dict[str, Any]] = []
    noun = "organisations" if level == "organization" else "services"
    n = net.size
    ties = len(net.ties)
    whole = "whole network"

    def add(measure: str, scope: str, value: float, why: str) -> None:
        rows.append({"measure": measure, "scope": scope, "value": value, "why": why})

    add("nodes", whole, n, f"{n} {noun} provide services or have a tie")
    add(
        "ties",
        whole,
        ties,
        f"{ties} pairs are tied: {len(net.referrals)} directed referral routes "
        f"(from {min_count} referrals), {len(net.partnerships)} declared ties",
    )
    add(
        "referrals",
        whole,
        sum(net.referrals.values()),
        f"referrals between different {noun}"
        + (f" in {period}" if period else f" over {len(net.periods) or 'all'} periods")
        + f"; {sum(net.internal.values())} more stayed within one "
        + ("organisation" if level == "organization" else "service"),
    )
    possible = n * (n - 1) / 2
    density = ties / possible if possible else 0.0
    add("density", whole, density, f"{ties} of {int(possible)} possible ties exist")
    degrees = [net.degree(i) for i in range(n)]
    mean_degree = sum(degrees) / n if n else 0.0
    add(
        "mean degree",
        whole,
        mean_degree,
        f"each of the {n} {noun} is tied to {mean_degree:.2f} others on average",
    )
    if n >= 3:
        top = max(range(n), key=lambda i: (degrees[i], -i))
        centralisation = sum(degrees[top] - d for d in degrees) / ((n - 1) * (n - 2))
        hub = (
            f"; the best-tied is {net.name(top)} with {count_of(degrees[top], 'tie')}"
            if degrees[top]
            else ""
        )
        add(
            "degree centralisation",
            whole,
            centralisation,
            f"Freeman's index: 1 is a star around one hub, 0 all equal{hub}",
        )
    routes = len(net.referrals)
    mutual = sum(1 for (a, b) in net.referrals if (b, a) in net.referrals)
    add(
        "reciprocity",
        whole,
        mutual / routes if routes else 0.0,
        f"{mutual} of {routes} referral routes are matched by a route back",
    )
    transitivity = to_igraph(net).transitivity_undirected() if ties else 0.0
    add(
        "transitivity",
        whole,
        0.0 if transitivity != transitivity else transitivity,  # NaN when there is no triple
        "the share of two-step ties that close into triangles (partners of partners are partners)",
    )
    parts = components(net)
    isolated = sum(1 for c in parts if len(c) == 1)
    add(
        "components",
        whole,
        len(parts),
        f"{len(parts)} separate parts; {isolated} {noun} have no tie at all",
    )
    if parts:
        add(
            "largest component share",
            whole,
            len(parts[0]) / n,
            f"{len(parts[0])} of {n} {noun} are in the largest connected part",
        )
    pair_total, length_total = 0, 0.0
    shown = 0
    for number, members in enumerate(parts, start=1):
        if len(members) < 2:
            break
        stats = path_stats(net, members, pivots=pivots)
        pairs = len(members) * (len(members) - 1) / 2
        pair_total += int(pairs)
        length_total += stats.average * pairs
        if shown >= components_shown:
            continue
        shown += 1
        scope = f"component {number} ({len(members)} {noun})"
        how = "exact" if stats.exact else f"estimated from {stats.sources} sampled start points"
        names = short_list(sorted(net.name(i) for i in members), 4)
        add(
            "diameter",
            scope,
            stats.diameter,
            f"the farthest two of {names} are {stats.diameter} ties apart ({how}"
            + ("" if stats.exact else "; a lower bound")
            + ")",
        )
        add(
            "average path length",
            scope,
            stats.average,
            f"a referral between two of its {len(members)} {noun} takes {stats.average:.2f} "
            f"steps on average ({how})",
        )
    if pair_total:
        add(
            "average path length",
            whole,
            length_total / pair_total,
            f"over the {pair_total} pairs that can reach each other (pairs in different "
            "components are left out, so it is never infinite)",
        )
    counts = Counter(degrees)
    for low, high in _BINS:
        in_band = sum(c for d, c in counts.items() if low <= d <= high)
        if in_band:
            add(
                "degree",
                f"{_bin_label(low, high)} ties",
                in_band,
                f"{in_band} {noun} have {_bin_label(low, high)} ties",
            )
    return pd.DataFrame(rows, columns=COLUMNS)
