"""Partnerships to suggest: organisations not yet tied that share buildings, funders, areas,
referral targets or contacts; and pooled-budget candidates among funders."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..graph import Graph
from ..ontology import EdgeType, NodeType
from ._index import UNCLASSIFIED, GraphIndex, count_of, short_list
from ._network import tie_network
from ._registry import register_query

__all__ = ["REASON_WEIGHTS", "partnerships", "pooled_budgets"]

COLUMNS = [
    "organization_a",
    "name_a",
    "organization_b",
    "name_b",
    "score",
    "reasons",
    "shared_buildings",
    "shared_funders",
    "shared_areas",
    "common_referral_targets",
    "common_contacts",
    "adamic_adar",
    "sectors",
    "why",
]

REASON_WEIGHTS = {
    "shared building": 3.0,
    "shared funder": 2.0,
    "same areas, complementary services": 1.0,
    "refer to the same services": 1.0,
    "common contacts": 1.0,
}
"""How much each kind of evidence counts. Within a kind, each shared thing counts
1/log2(how many organisations share it) (a building two organisations share counts 1, one
sixteen share 1/4: Adamic-Adar's reasoning, rare common ground says more; common contacts
count 1/log(their ties), Adamic-Adar itself), and the sum is divided by the geometric mean of
how many such things each organisation has (Salton's cosine), so that two large
organisations do not rank first merely for being large."""


def _specificity(group_size: int) -> float:
    return 1.0 / math.log2(max(group_size, 2))


class _Evidence:
    """Organisations grouped by the thing they share, for one kind of evidence.

    ``breadth`` counts every thing of the kind an organisation has, shared or not (its
    buildings, its funders...): the denominator of the size normalisation.
    """

    def __init__(
        self,
        kind: str,
        groups: dict[str, set[str]],
        labels: dict[str, str],
        organisations: set[str],
    ) -> None:
        self.kind = kind
        self.labels = labels
        self.breadth: dict[str, int] = {}
        self.groups: dict[str, set[str]] = {}
        self.of: dict[str, set[str]] = {}
        for group, members in groups.items():
            kept = members & organisations
            for member in kept:
                self.breadth[member] = self.breadth.get(member, 0) + 1
            if len(kept) >= 2:
                self.groups[group] = kept
                for member in kept:
                    self.of.setdefault(member, set()).add(group)

    def shared(self, a: str, b: str) -> list[str]:
        return sorted(self.of.get(a, set()) & self.of.get(b, set()))


def _organisations_in_areas(lookup: GraphIndex) -> dict[str, set[str]]:
    areas: dict[str, set[str]] = {}
    for service, served in lookup.service_areas().items():
        org = lookup.providers.get(service)
        if org is not None:
            for area in served:
                areas.setdefault(area, set()).add(org)
    return areas


def _already_tied(lookup: GraphIndex) -> set[frozenset[str]]:
    """Organisation pairs with any referral (any period or count), declared tie, or parent link."""

    def unit(node: str) -> str:
        return lookup.providers.get(node, node)

    tied: set[frozenset[str]] = set()
    for edge_type in (EdgeType.REFERS_TO, EdgeType.PARTNERS_WITH, EdgeType.PART_OF, EdgeType.FUNDS):
        for u, v, _ in lookup.edges(edge_type):
            a, b = unit(u), unit(v)
            if a != b:
                tied.add(frozenset((a, b)))
    return tied


@register_query
def partnerships(
    graph: Graph,
    *,
    period: str | None = None,
    min_count: int = 1,
    min_score: float = 0.0,
    max_group: int = 50,
    limit: int = 100,
) -> pd.DataFrame:
    """Pairs of organisations not yet tied that should talk, scored, with every reason listed.

    Evidence, each kind weighted (``REASON_WEIGHTS``), each shared thing
    counted by how rare it is (1/log2 of how many organisations share it),
    relative to how many such things the two have (so that size alone does
    not put large organisations first):

    - **shared building**: both run services from (or operate) one building;
    - **shared funder**: one funder funds both (360Giving grants or funding
      statements);
    - **same areas, complementary services**: they serve the same areas with
      services in different sectors;
    - **refer to the same services**: both send people to the same services;
    - **common contacts**: Adamic-Adar over the referral and partnership
      network (common partners or referral contacts, each weighted
      1/log(its number of ties)).

    Pairs already tied (a referral either way in any period, a declared tie,
    a funding or parent link) are never suggested. Things shared by more than
    ``max_group`` organisations (a hub everyone refers to, a funder of
    hundreds) are too common to say much and are left out: so the work
    grows with the organisations, not with their square. Scores are sums of
    sparse matrix products (scipy), one per kind of evidence.

    Example:
      civicgraph query partnerships --limit 20 --format json

    Parameters
    ----------
    graph
        The analysis graph.
    period
        Use only referrals of this period for the referral evidence; default: all periods.
    min_count
        Referrals a route needs to count as a tie for common contacts.
    min_score
        Leave out pairs scoring below this.
    max_group
        Shared things (buildings, funders, areas, referral targets, contacts)
        shared by more organisations than this do not count.
    limit
        At most this many pairs, best first (0: all).

    Returns
    -------
    DataFrame
        One row per suggested pair: the two organisations, ``score``,
        ``reasons``, the evidence by kind, their ``sectors``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("hall", type="Location", name="Village Hall", uprn="1")
    >>> for org in "ABC":
    ...     g.add_node(org, type="Organization", name=f"Org {org}")
    ...     g.add_node(org + "1", type="Service", name=f"Service {org}")
    ...     _ = g.add_edge(org, org + "1", key="PROVIDES", type="PROVIDES")
    ...     _ = g.add_edge(org + "1", "hall", key="AT_LOCATION", type="AT_LOCATION")
    >>> _ = g.add_edge("A1", "B1", key="REFERS_TO", type="REFERS_TO", count=3)
    >>> partnerships(g)[["organization_a", "organization_b", "reasons"]].values.tolist()
    [['A', 'C', 'shared building'], ['B', 'C', 'shared building']]
    """
    lookup = GraphIndex(graph)
    organisations = sorted(lookup.nodes(NodeType.ORGANIZATION))
    index = {org: i for i, org in enumerate(organisations)}
    evidence = _gather(lookup, set(organisations), period=period, min_count=min_count, graph=graph)
    sectors = [lookup.sector(o) for o in organisations]
    pairs, scores = _scores(evidence, index, sectors, max_group)
    keep = (
        _untied(pairs, _already_tied(lookup), organisations) & (scores >= min_score) & (scores > 0)
    )
    pairs, scores = pairs[keep], scores[keep]
    # Best first; ties in score by the organisations' ids, so the order is stable.
    order = np.lexsort((pairs[:, 1], pairs[:, 0], -scores))
    if limit > 0:
        order = order[:limit]
    rows = [
        _row(
            lookup,
            evidence,
            organisations[int(pairs[i, 0])],
            organisations[int(pairs[i, 1])],
            float(scores[i]),
            max_group,
        )
        for i in order
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _gather(
    lookup: GraphIndex, organisations: set[str], *, period: str | None, min_count: int, graph: Graph
) -> list[_Evidence]:
    """Every kind of evidence: organisations grouped by the thing they share."""
    building_groups: dict[str, set[str]] = {}
    for org, buildings in lookup.organisation_buildings().items():
        for building in buildings:
            building_groups.setdefault(building, set()).add(org)
    funder_groups: dict[str, set[str]] = {}
    for recipient, funders in lookup.funding().items():
        for funder in funders:
            funder_groups.setdefault(funder, set()).add(recipient)
    area_groups = _organisations_in_areas(lookup)
    target_groups: dict[str, set[str]] = {}
    for u, v, data in lookup.edges(EdgeType.REFERS_TO):
        if period is not None and str(data.get("period") or "") != period:
            continue
        referrer = lookup.providers.get(u, u)
        if referrer in organisations:
            target_groups.setdefault(v, set()).add(referrer)
    net = tie_network(
        graph, level="organization", period=period, min_count=min_count, lookup=lookup
    )
    contact_groups = {
        net.nodes[z]: {net.nodes[j] for j in net.adjacency[z]} for z in range(net.size)
    }

    def names(groups: dict[str, set[str]]) -> dict[str, str]:
        return {g: lookup.name(g) for g in groups}

    return [
        _Evidence("shared building", building_groups, lookup.buildings.label, organisations),
        _Evidence("shared funder", funder_groups, names(funder_groups), organisations),
        _Evidence(
            "same areas, complementary services", area_groups, names(area_groups), organisations
        ),
        _Evidence("refer to the same services", target_groups, names(target_groups), organisations),
        _Evidence("common contacts", contact_groups, names(contact_groups), organisations),
    ]


def _complementary(sector_a: str, sector_b: str) -> bool:
    return sector_a != sector_b and UNCLASSIFIED not in (sector_a, sector_b)


def _weight(kind: str, group_size: int) -> float:
    """What one shared thing of a kind counts (before the size normalisation)."""
    if kind == "common contacts":
        return 1.0 / math.log(group_size)  # Adamic-Adar
    return _specificity(group_size)


def _scores(
    evidence: list[_Evidence], index: dict[str, int], sectors: list[str], max_group: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Candidate pairs (``[i, j]``, ``i < j``) and their scores, as sparse matrix products.

    For each kind, ``B`` holds ``sqrt(weight)`` of every organisation x shared thing (things
    shared by at most ``max_group`` organisations), so ``B B'`` sums the weights of what two
    organisations share; dividing by the geometric mean of how many things each has gives
    Salton's cosine. Things shared by more than ``max_group`` organisations are left out.
    """
    from scipy import sparse  # here: the other queries start without scipy

    n = len(index)
    total = sparse.csr_matrix((n, n))
    codes: dict[str, int] = {}
    sector_codes = np.array([codes.setdefault(s, len(codes)) for s in sectors], dtype=np.int64)
    unclassified = np.array([s == UNCLASSIFIED for s in sectors], dtype=bool)
    for kind in evidence:
        breadth = np.zeros(n)
        for org, count in kind.breadth.items():
            breadth[index[org]] = count
        inverse_root = np.zeros(n)
        nonzero = breadth > 0
        inverse_root[nonzero] = 1.0 / np.sqrt(breadth[nonzero])
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        position = 0
        for members in kind.groups.values():
            if len(members) > max_group:
                continue
            value = math.sqrt(_weight(kind.kind, len(members)))
            for member in members:
                rows.append(index[member])
                columns.append(position)
                values.append(value)
            position += 1
        incidence = sparse.csr_matrix((values, (rows, columns)), shape=(n, max(position, 1)))
        product = (incidence @ incidence.T).tocsr()
        scaled = sparse.diags(inverse_root) @ product @ sparse.diags(inverse_root)
        scaled = sparse.triu(scaled, k=1).tocsr()
        if kind.kind == "same areas, complementary services":
            coo = scaled.tocoo()
            fits = (
                (sector_codes[coo.row] != sector_codes[coo.col])
                & ~unclassified[coo.row]
                & ~unclassified[coo.col]
            )
            scaled = sparse.csr_matrix((coo.data * fits, (coo.row, coo.col)), shape=(n, n))
        total = total + REASON_WEIGHTS[kind.kind] * scaled
    coo = sparse.triu(total, k=1).tocoo()
    pairs = np.column_stack((coo.row, coo.col)).astype(np.int64)
    return pairs, coo.data.astype(float)


def _untied(
    pairs: np.ndarray[Any, Any], tied: set[frozenset[str]], organisations: list[str]
) -> np.ndarray[Any, Any]:
    """Which candidate pairs are not already tied."""
    n = len(organisations)
    index = {org: i for i, org in enumerate(organisations)}
    keys = []
    for pair in tied:
        if len(pair) != 2:
            continue
        a, b = sorted(pair)
        if a in index and b in index:
            i, j = sorted((index[a], index[b]))
            keys.append(i * n + j)
    candidate_keys = pairs[:, 0] * n + pairs[:, 1]
    return ~np.isin(candidate_keys, np.array(keys, dtype=np.int64))


def _row(
    lookup: GraphIndex, evidence: list[_Evidence], a: str, b: str, score: float, max_group: int
) -> dict[str, Any]:
    sector_a, sector_b = lookup.sector(a), lookup.sector(b)
    complementary = _complementary(sector_a, sector_b)
    reasons: list[str] = []
    details: list[str] = []
    shared_by_kind: dict[str, list[str]] = {}
    adamic_adar = 0.0
    for kind in evidence:
        shared = [g for g in kind.shared(a, b) if len(kind.groups[g]) <= max_group]
        if kind.kind == "same areas, complementary services" and not complementary:
            shared = []
        shared_by_kind[kind.kind] = shared
        if not shared:
            continue
        if kind.kind == "common contacts":
            adamic_adar = sum(_weight(kind.kind, len(kind.groups[z])) for z in shared)
        reasons.append(kind.kind)
        named = short_list([kind.labels.get(g, g) for g in shared], 3)
        details.append(_detail(kind.kind, named, len(shared), sector_a, sector_b))

    def listed(kind: str) -> str:
        labels = next(k.labels for k in evidence if k.kind == kind)
        return "; ".join(labels.get(g, g) for g in shared_by_kind[kind])

    return {
        "organization_a": a,
        "name_a": lookup.name(a),
        "organization_b": b,
        "name_b": lookup.name(b),
        "score": round(score, 4),
        "reasons": "; ".join(reasons),
        "shared_buildings": listed("shared building"),
        "shared_funders": listed("shared funder"),
        "shared_areas": listed("same areas, complementary services"),
        "common_referral_targets": listed("refer to the same services"),
        "common_contacts": listed("common contacts"),
        "adamic_adar": round(adamic_adar, 4),
        "sectors": sector_a if sector_a == sector_b else f"{sector_a} + {sector_b}",
        "why": f"{lookup.name(a)} and {lookup.name(b)} are not tied, yet " + "; ".join(details),
    }


def _detail(kind: str, named: str, count: int, sector_a: str, sector_b: str) -> str:
    if kind == "shared building":
        return f"both work from {named}"
    if kind == "shared funder":
        return f"both are funded by {named}"
    if kind == "same areas, complementary services":
        return (
            f"both serve the same {count_of(count, 'area')} ({named}) with different services "
            f"({sector_a}; {sector_b})"
        )
    if kind == "refer to the same services":
        return f"both refer people to the same {count_of(count, 'service')} ({named})"
    return f"they have {count_of(count, 'contact')} in common ({named})"


POOLED_COLUMNS = [
    "sector",
    "area",
    "area_name",
    "funders",
    "funder_names",
    "recipients",
    "recipient_names",
    "grants",
    "amount",
    "why",
]


@register_query
def pooled_budgets(graph: Graph, *, min_funders: int = 2, limit: int = 100) -> pd.DataFrame:
    """Pooled-budget candidates: several funders funding the same outcome in the same area.

    The outcome is the sector of what is funded (the recipient organisation's,
    or the funded service's); the area is where the funded services work
    (``SERVES_AREA``, or their buildings' ``IN_AREA``) or where a grant's money
    is spent (``BENEFITS_AREA``). Without any areas in the graph, funders
    are compared by outcome alone.

    Example:
      civicgraph query pooled-budgets --min-funders 3

    Parameters
    ----------
    graph
        The analysis graph.
    min_funders
        How many different funders an (outcome, area) needs to be listed.
    limit
        At most this many rows, most funders first (0: all).

    Returns
    -------
    DataFrame
        ``sector``, ``area``, ``area_name``, ``funders`` and their names,
        ``recipients`` and their names, ``grants``, ``amount``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("E01", type="Area", name="Hartley North")
    >>> for node, kind in [("F1", "Organization"), ("F2", "Organization"), ("R1", "Organization"),
    ...                    ("R2", "Organization"), ("g1", "Grant"), ("g2", "Grant")]:
    ...     g.add_node(node, type=kind, name=node, sector="advice" if node[0] == "R" else None)
    >>> for funder, grant, recipient in [("F1", "g1", "R1"), ("F2", "g2", "R2")]:
    ...     _ = g.add_edge(funder, grant, key="AWARDS", type="AWARDS")
    ...     _ = g.add_edge(grant, recipient, key="AWARDED_TO", type="AWARDED_TO")
    ...     _ = g.add_edge(grant, "E01", key="BENEFITS_AREA", type="BENEFITS_AREA")
    >>> pooled_budgets(g)[["sector", "area", "funders", "recipients"]].values.tolist()
    [['advice', 'E01', 2, 2]]
    """
    lookup = GraphIndex(graph)
    service_areas = lookup.service_areas()
    has_areas = bool(service_areas) or any(True for _ in lookup.edges(EdgeType.BENEFITS_AREA))
    grant_areas: dict[str, set[str]] = {}
    for grant, area, _ in lookup.edges(EdgeType.BENEFITS_AREA):
        grant_areas.setdefault(grant, set()).add(area)
    org_areas: dict[str, set[str]] = {}
    for service, areas in service_areas.items():
        org = lookup.providers.get(service)
        if org is not None:
            org_areas.setdefault(org, set()).update(areas)
    cells: dict[tuple[str, str], dict[str, Any]] = {}

    def add(funder: str, recipient: str, sector: str, areas: set[str], grant: str | None) -> None:
        for area in areas if has_areas else {""}:
            cell = cells.setdefault(
                (sector, area),
                {"funders": set(), "recipients": set(), "grants": set(), "amount": 0.0},
            )
            cell["funders"].add(funder)
            cell["recipients"].add(recipient)
            if grant is not None and grant not in cell["grants"]:
                cell["grants"].add(grant)
                amount = graph.nodes[grant].get("amount")
                if isinstance(amount, int | float) and not isinstance(amount, bool):
                    cell["amount"] += float(amount)

    awarded_by: dict[str, list[str]] = {}
    for funder, grant, _ in lookup.edges(EdgeType.AWARDS):
        awarded_by.setdefault(grant, []).append(funder)
    for grant, recipient, _ in lookup.edges(EdgeType.AWARDED_TO):
        areas = grant_areas.get(grant) or org_areas.get(recipient, set())
        for funder in awarded_by.get(grant, ()):
            add(funder, recipient, lookup.sector(recipient), areas, grant)
    for funder, target, _ in lookup.edges(EdgeType.FUNDS):
        areas = service_areas.get(target) or org_areas.get(target, set())
        recipient = lookup.providers.get(target, target)
        add(funder, recipient, lookup.sector(target), areas, None)
    rows = []
    for (sector, area), cell in cells.items():
        if len(cell["funders"]) < max(min_funders, 1) or sector == UNCLASSIFIED:
            continue
        funders = sorted(lookup.name(f) for f in cell["funders"])
        recipients = sorted(lookup.name(r) for r in cell["recipients"])
        where = f" in {lookup.name(area)}" if area else ""
        amount = cell["amount"]
        rows.append(
            {
                "sector": sector,
                "area": area or None,
                "area_name": lookup.name(area) if area else None,
                "funders": len(funders),
                "funder_names": "; ".join(funders),
                "recipients": len(recipients),
                "recipient_names": "; ".join(recipients),
                "grants": len(cell["grants"]),
                "amount": amount,
                "why": f"{len(funders)} funders ({short_list(funders, 4)}) each fund "
                f"{sector}{where}, "
                f"through {len(recipients)} recipients ({short_list(recipients, 4)})"
                + (
                    f" and {len(cell['grants'])} grants worth {amount:,.0f}"
                    if cell["grants"]
                    else ""
                )
                + ": a case for pooling the budget",
            }
        )
    rows.sort(key=lambda r: (-r["funders"], -r["amount"], r["sector"], r["area"] or ""))
    if limit > 0:
        rows = rows[:limit]
    return pd.DataFrame(rows, columns=POOLED_COLUMNS)
