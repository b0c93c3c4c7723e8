"""Silos: groups that refer and partner among themselves, and sectors that never connect."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

import pandas as pd

from ..graph import Graph
from ._algorithms import communities
from ._index import UNCLASSIFIED, count_of, short_list
from ._network import TieNetwork, tie_network
from ._registry import register_query

__all__ = ["sector_gaps", "silo_groups", "silos"]

SILO_COLUMNS = [
    "group",
    "size",
    "members",
    "sectors",
    "internal_ties",
    "external_ties",
    "ei_index",
    "internal_referrals",
    "external_referrals",
    "ei_index_referrals",
    "ties_out_to",
    "never_connects",
    "why",
]

GAP_COLUMNS = [
    "sector_a",
    "sector_b",
    "members_a",
    "members_b",
    "ties",
    "referrals",
    "why",
]


def _ei(external: float, internal: float) -> float | None:
    """Krackhardt and Stern's E-I index: -1 all ties inside, +1 all outside."""
    total = external + internal
    return None if total == 0 else (external - internal) / total


def _sector_links(
    net: TieNetwork,
) -> tuple[Counter[str], Counter[frozenset[str]], Counter[frozenset[str]]]:
    """Tied members per sector, and ties and referrals per pair of sectors."""
    tied_members: Counter[str] = Counter()
    for i in range(net.size):
        if net.adjacency[i]:
            tied_members[net.sector(i)] += 1
    ties: Counter[frozenset[str]] = Counter()
    volume: Counter[frozenset[str]] = Counter()
    for a, b in net.ties:
        ties[frozenset((net.sector(a), net.sector(b)))] += 1
    for (a, b), count in net.referrals.items():
        volume[frozenset((net.sector(a), net.sector(b)))] += count
    return tied_members, ties, volume


def _silent_pairs(net: TieNetwork) -> list[tuple[str, str]]:
    tied_members, ties, _ = _sector_links(net)
    sectors = sorted(s for s in tied_members if s != UNCLASSIFIED)
    return [
        (a, b)
        for i, a in enumerate(sectors)
        for b in sectors[i + 1 :]
        if not ties[frozenset((a, b))]
    ]


@register_query
def silos(
    graph: Graph,
    *,
    level: Literal["organization", "service"] = "organization",
    period: str | None = None,
    min_count: int = 1,
    partnership_weight: float | None = None,
    resolution: float = 1.0,
    min_size: int = 2,
    seed: int = 1,
) -> pd.DataFrame:
    """Groups that refer and partner among themselves but rarely outside, most closed first.

    Groups are found by weighted community detection (Leiden, modularity) on
    the referral and partnership network. For each group: its sectors; its
    ties inside and outside and Krackhardt's E-I index ((external - internal)
    / total: -1 is a closed silo, +1 all ties outside), by ties and by
    referral volume; where its outside ties go; and the pairs of sectors,
    one of them in the group, that never tie anywhere in the network
    (``civicgraph query sector-gaps`` lists all such pairs).

    Example:
      civicgraph query silos --period 2024-Q1 --format csv --out silos.csv

    Parameters
    ----------
    graph
        The analysis graph.
    level
        Find groups of organisations (services folded into their providers) or of services.
    period
        Use only referrals of this period; default: all periods.
    min_count
        Referrals a route needs to count as a tie.
    partnership_weight
        What a declared partnership weighs against referral counts (default:
        the median referral tie, so a partnership counts like a typical route).
    resolution
        Higher finds more, smaller groups; lower fewer, larger ones.
    min_size
        Leave out groups smaller than this (single organisations without ties
        are listed by ``isolates``).
    seed
        The random seed of the community detection (same seed, same groups).

    Returns
    -------
    DataFrame
        One row per group, most siloed (lowest E-I index) first.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for org in "ABCDEF":
    ...     sector = "housing" if org < "D" else "health"
    ...     g.add_node(org, type="Organization", name=org, sector=sector)
    >>> for u, v in ["AB", "BC", "CA", "DE", "EF", "FD", "CD"]:
    ...     _ = g.add_edge(u, v, key="REFERS_TO", type="REFERS_TO", count=10 if u != "C" else 1)
    >>> result = silos(g)
    >>> [(r.members, r.internal_ties, r.external_ties) for r in result.itertuples()]
    [('A, B, C', 3, 1), ('D, E, F', 3, 1)]
    """
    frame, _ = silo_groups(
        graph,
        level=level,
        period=period,
        min_count=min_count,
        partnership_weight=partnership_weight,
        resolution=resolution,
        min_size=min_size,
        seed=seed,
    )
    return frame


@register_query
def sector_gaps(
    graph: Graph,
    *,
    level: Literal["organization", "service"] = "organization",
    period: str | None = None,
    min_count: int = 1,
    only_missing: bool = True,
) -> pd.DataFrame:
    """Pairs of sectors that never refer to or partner with each other (housing and mental health).

    Sectors come from the taxonomy (see ``silos``); only sectors with at
    least one tied member count. Pairs are ordered by how many members the two
    sectors have between them: two large sectors that never meet matter most.

    Example:
      civicgraph query sector-gaps --no-only-missing

    Parameters
    ----------
    graph
        The analysis graph.
    level
        Compare sectors of organisations or of services.
    period
        Use only referrals of this period; default: all periods.
    min_count
        Referrals a route needs to count as a tie.
    only_missing
        List only pairs with no tie at all (--no-only-missing lists every pair
        with its ties and referrals).

    Returns
    -------
    DataFrame
        ``sector_a``, ``sector_b``, members of each with ties, ``ties``, ``referrals``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for org, sector in [("A", "housing"), ("B", "advice"), ("C", "mental health")]:
    ...     g.add_node(org, type="Organization", name=org, sector=sector)
    >>> _ = g.add_edge("A", "B", key="REFERS_TO", type="REFERS_TO", count=3)
    >>> _ = g.add_edge("B", "C", key="REFERS_TO", type="REFERS_TO", count=3)
    >>> sector_gaps(g)[["sector_a", "sector_b"]].values.tolist()
    [['housing', 'mental health']]
    """
    net = tie_network(graph, level=level, period=period, min_count=min_count)
    tied_members, ties, volume = _sector_links(net)
    sectors = sorted(s for s in tied_members if s != UNCLASSIFIED)
    noun = "organisations" if level == "organization" else "services"
    rows: list[dict[str, Any]] = []
    for i, a in enumerate(sectors):
        for b in sectors[i + 1 :]:
            pair = frozenset((a, b))
            if only_missing and ties[pair]:
                continue
            why = (
                f"{a} ({tied_members[a]} tied {noun}) and {b} ({tied_members[b]}) never refer "
                "to or partner with each other"
                if not ties[pair]
                else f"{a} and {b} are tied {ties[pair]} times with {volume[pair]} referrals"
            )
            rows.append(
                {
                    "sector_a": a,
                    "sector_b": b,
                    "members_a": tied_members[a],
                    "members_b": tied_members[b],
                    "ties": ties[pair],
                    "referrals": volume[pair],
                    "why": why,
                }
            )
    rows.sort(
        key=lambda r: (
            int(r["ties"]),
            -(int(r["members_a"]) + int(r["members_b"])),
            str(r["sector_a"]),
            str(r["sector_b"]),
        )
    )
    return pd.DataFrame(rows, columns=GAP_COLUMNS)


def silo_groups(
    graph: Graph,
    *,
    level: Literal["organization", "service"] = "organization",
    period: str | None = None,
    min_count: int = 1,
    partnership_weight: float | None = None,
    resolution: float = 1.0,
    min_size: int = 2,
    seed: int = 1,
) -> tuple[pd.DataFrame, list[list[str]]]:
    """The ``silos`` table and, for each of its rows in order, the ids of the group's members
    (for pictures that colour the groups; parameters as ``silos``)."""
    net = tie_network(
        graph,
        level=level,
        period=period,
        min_count=min_count,
        partnership_weight=partnership_weight,
    )
    if not net.ties:
        return pd.DataFrame(columns=SILO_COLUMNS), []
    membership = communities(net, seed=seed, resolution=resolution)
    groups: dict[int, list[int]] = {}
    for node, group in enumerate(membership):
        groups.setdefault(group, []).append(node)
    internal: Counter[int] = Counter()
    external: Counter[int] = Counter()
    out_to: dict[int, Counter[str]] = {}
    for a, b in net.ties:
        ga, gb = membership[a], membership[b]
        if ga == gb:
            internal[ga] += 1
        else:
            external[ga] += 1
            external[gb] += 1
            out_to.setdefault(ga, Counter())[net.sector(b)] += 1
            out_to.setdefault(gb, Counter())[net.sector(a)] += 1
    internal_volume: Counter[int] = Counter()
    external_volume: Counter[int] = Counter()
    for (a, b), count in net.referrals.items():
        if membership[a] == membership[b]:
            internal_volume[membership[a]] += count
        else:
            external_volume[membership[a]] += count
            external_volume[membership[b]] += count
    silent = _silent_pairs(net)
    noun = "organisations" if level == "organization" else "services"
    rows: list[dict[str, Any]] = []
    for group, members in groups.items():
        if len(members) < max(min_size, 1):
            continue
        sectors = Counter(net.sector(i) for i in members)
        sector_text = ", ".join(
            f"{s} {c}" for s, c in sorted(sectors.items(), key=lambda x: (-x[1], x[0]))
        )
        ei = _ei(external[group], internal[group])
        ei_volume = _ei(external_volume[group], internal_volume[group])
        never = [f"{a} – {b}" for a, b in silent if a in sectors or b in sectors]
        outside = out_to.get(group, Counter())
        outside_text = ", ".join(
            f"{s} {c}" for s, c in sorted(outside.items(), key=lambda x: (-x[1], x[0]))
        )
        names = sorted(net.name(i) for i in members)
        total_ties = internal[group] + external[group]
        why = (
            f"{count_of(len(members), noun[:-1])} ({sector_text}) keep {internal[group]} of their "
            f"{count_of(total_ties, 'tie')} inside the group (E-I {ei:+.2f})"
            if ei is not None
            else f"{count_of(len(members), noun[:-1])} ({sector_text}) with no ties"
        )
        volume_total = internal_volume[group] + external_volume[group]
        if volume_total:
            why += f" and {internal_volume[group]} of {volume_total} referrals"
        why += f"; ties out go to: {outside_text}" if outside_text else "; no ties leave the group"
        if never:
            why += f"; never tied anywhere: {short_list(never, 3)}"
        rows.append(
            {
                "group": 0,
                "size": len(members),
                "members": short_list(names, 12),
                "sectors": sector_text,
                "internal_ties": internal[group],
                "external_ties": external[group],
                "ei_index": ei,
                "internal_referrals": internal_volume[group],
                "external_referrals": external_volume[group],
                "ei_index_referrals": ei_volume,
                "ties_out_to": outside_text,
                "never_connects": "; ".join(never),
                "why": why,
                "_order": (ei if ei is not None else 2.0, -len(members), names[0]),
                "_members": sorted(net.nodes[i] for i in members),
            }
        )
    rows.sort(key=lambda r: r.pop("_order"))
    member_ids: list[list[str]] = []
    for number, row in enumerate(rows, start=1):
        row["group"] = number
        member_ids.append(row.pop("_members"))
    return pd.DataFrame(rows, columns=SILO_COLUMNS), member_ids
