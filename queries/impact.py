"""Impact: what is lost when a building, a service, an organisation or a funder goes."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

import pandas as pd

from ..errors import UsageError
from ..graph import Graph
from ..ontology import NodeType
from ._algorithms import components
from ._index import GraphIndex, count_of, short_list
from ._network import tie_network
from ._registry import register_query
from ._resolve import resolve_nodes

__all__ = ["impact"]

COLUMNS = ["loss", "subject_id", "subject", "count", "detail", "why"]

_REMOVABLE = (NodeType.LOCATION, NodeType.SERVICE, NodeType.ORGANIZATION)


def _closures(
    lookup: GraphIndex, removed: list[str], close_unfunded: bool, rows: list[dict[str, Any]]
) -> tuple[set[str], set[str], set[str]]:
    """The services, organisations and buildings that go, and rows for what that means."""
    buildings = lookup.buildings
    closed_services: set[str] = set()
    closed_orgs: set[str] = set()
    closed_buildings: set[str] = set()
    funders: set[str] = set()
    funding = lookup.funding()
    org_buildings = lookup.organisation_buildings()
    for node in removed:
        node_type = lookup.type(node)
        if node_type == NodeType.LOCATION:
            closed_buildings.add(buildings.of_location.get(node, node))
        elif node_type == NodeType.SERVICE:
            closed_services.add(node)
        elif node_type == NodeType.ORGANIZATION:
            funded = [r for r, f in funding.items() if node in f]
            if funded and not lookup.services_of.get(node):
                funders.add(node)
            else:
                closed_orgs.add(node)
                closed_services.update(lookup.services_of.get(node, ()))
                if funded:
                    funders.add(node)
    if funders:
        for recipient, by_funder in sorted(funding.items()):
            lost = {f: e for f, e in by_funder.items() if f in funders}
            if not lost:
                continue
            amount = sum(e["amount"] for e in lost.values())
            grants = sum(len(e["grants"]) for e in lost.values())
            left = sorted(set(by_funder) - funders)
            rows.append(
                _row(
                    "funding lost",
                    recipient,
                    lookup.name(recipient),
                    grants or len(lost),
                    f"{grants} grants, {amount:,.0f}" if grants else "funding statement",
                    f"{lookup.name(recipient)} loses funding from "
                    + short_list(lookup.name(f) for f in lost)
                    + (f" ({grants} grants worth {amount:,.0f})" if grants else "")
                    + (
                        f"; still funded by {short_list([lookup.name(f) for f in left], 3)}"
                        if left
                        else "; no other funder is known"
                    ),
                )
            )
            if not left:
                rows.append(
                    _row(
                        "organisation left without funding",
                        recipient,
                        lookup.name(recipient),
                        len(lookup.services_of.get(recipient, ())),
                        "no other funder known",
                        f"{lookup.name(recipient)} has no other known funder"
                        + ("; counted as closing (--close-unfunded)" if close_unfunded else ""),
                    )
                )
                if close_unfunded:
                    closed_orgs.add(recipient)
                    closed_services.update(lookup.services_of.get(recipient, ()))
    if closed_buildings:
        homes = lookup.service_buildings()
        for service, places in sorted(homes.items()):
            if service in closed_services or not places & closed_buildings:
                continue
            if not places - closed_buildings:
                closed_services.add(service)
                rows.append(
                    _row(
                        "service without a building",
                        service,
                        lookup.name(service),
                        1,
                        buildings.label.get(next(iter(places)), ""),
                        f"{lookup.name(service)}"
                        + (
                            f" ({lookup.name(lookup.providers[service])})"
                            if service in lookup.providers
                            else ""
                        )
                        + " runs only from "
                        + short_list(buildings.label.get(b, b) for b in places)
                        + "; counted as closing",
                    )
                )
        for org, sites in sorted(org_buildings.items()):
            if org in closed_orgs or not set(sites) & closed_buildings:
                continue
            if not set(sites) - closed_buildings:
                rows.append(
                    _row(
                        "organisation without a building",
                        org,
                        lookup.name(org),
                        len(sites),
                        "",
                        f"{lookup.name(org)} has no other building",
                    )
                )
    users: dict[str, set[str]] = {}
    for org, sites in org_buildings.items():
        for building in sites:
            users.setdefault(building, set()).add(org)
    for org in sorted(closed_orgs):
        for building, services in org_buildings.get(org, {}).items():
            if not users.get(building, set()) - closed_orgs:
                rows.append(
                    _row(
                        "building left unused",
                        building,
                        lookup.buildings.label.get(building, building),
                        len(services),
                        "",
                        "no other organisation uses "
                        + lookup.buildings.label.get(building, building),
                    )
                )
    return closed_services, closed_orgs, closed_buildings


def _row(
    loss: str, subject_id: str, subject: str, count: int, detail: str, why: str
) -> dict[str, Any]:
    return {
        "loss": loss,
        "subject_id": subject_id,
        "subject": subject,
        "count": count,
        "detail": detail,
        "why": why,
    }


def _categories_lost(lookup: GraphIndex, closed: set[str], rows: list[dict[str, Any]]) -> None:
    """Areas left without a kind of service, and kinds of service gone from the whole graph."""
    terms = lookup.terms
    open_services = [s for s in lookup.nodes(NodeType.SERVICE) if s not in closed]
    remaining: Counter[str] = Counter(t for s in open_services for t in terms.get(s, ()))
    lost_terms = sorted({t for s in closed for t in terms.get(s, ())})
    for term in lost_terms:
        if not remaining[term]:
            gone = sorted(s for s in closed if term in terms.get(s, ()))
            rows.append(
                _row(
                    "kind of service gone",
                    term,
                    lookup.name(term),
                    len(gone),
                    "",
                    f"no open service is left for {lookup.name(term)} anywhere; the last were "
                    + short_list(lookup.name(s) for s in gone),
                )
            )
    served = lookup.service_areas()
    if not served:
        return
    offered: dict[str, set[str]] = {}
    for service in open_services:
        for area in served.get(service, ()):
            offered.setdefault(area, set()).update(terms.get(service, ()))
    for service in sorted(closed):
        for area in sorted(served.get(service, ())):
            for term in terms.get(service, ()):
                if term in offered.get(area, set()):
                    continue
                offered.setdefault(area, set()).add(term)  # report each (area, term) once
                rows.append(
                    _row(
                        "area without a kind of service",
                        area,
                        lookup.name(area),
                        1,
                        lookup.name(term),
                        f"{lookup.name(area)} is left without {lookup.name(term)}: "
                        f"{lookup.name(service)} was the only one there",
                    )
                )


@register_query
def impact(
    graph: Graph,
    *,
    remove: list[str] | None = None,
    close_unfunded: bool = False,
    level: Literal["organization", "service"] = "organization",
    period: str | None = None,
    min_count: int = 1,
) -> pd.DataFrame:
    """What is lost if a building, a service, an organisation or a funder goes.

    Removing a location closes its building (every location at that
    address); services with no other building are counted as closing. An
    organisation takes its services with it; a funder takes its funding
    (and, with --close-unfunded, the recipients left with no known funder).
    Then: areas left without a kind of service, kinds of service gone from
    the graph, referral routes broken, organisations left with no tie, and
    groups cut off from the rest of the network.

    Example:
      civicgraph query impact --remove "Hartley Community Centre" --remove GB-CHC-1122334

    Parameters
    ----------
    graph
        The analysis graph.
    remove
        What goes: ids or exact names of locations, services, organisations or
        funders (repeat the option for several).
    close_unfunded
        Count organisations left with no known funder as closing.
    level
        Measure disconnection in the network of organisations or of services.
    period
        Use only referrals of this period; default: all periods.
    min_count
        Referrals a route needs to count as a tie.

    Returns
    -------
    DataFrame
        ``loss`` (what kind), ``subject_id``, ``subject``, ``count``,
        ``detail``, ``why``; the first row sums it up.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("hall", type="Location", name="Village Hall", uprn="1")
    >>> for org in "ABC":
    ...     g.add_node(org, type="Organization", name=f"Org {org}")
    ...     g.add_node(org + "1", type="Service", name=f"Service {org}")
    ...     _ = g.add_edge(org, org + "1", key="PROVIDES", type="PROVIDES")
    >>> _ = g.add_edge("A1", "hall", key="AT_LOCATION", type="AT_LOCATION")
    >>> for u, v in [("A1", "B1"), ("B1", "C1")]:
    ...     _ = g.add_edge(u, v, key="REFERS_TO", type="REFERS_TO", count=3)
    >>> print(impact(g, remove=["Org B"]).iloc[0]["why"])  # doctest: +NORMALIZE_WHITESPACE
    removing Org B: closes 1 organisation and 1 service, breaks 2 referral routes
    (6 referrals), cuts 1 organisation off from the rest
    >>> impact(g, remove=["Village Hall"]).iloc[0]["why"]
    'removing Village Hall: closes 1 building and 1 service, breaks 1 referral route (3 referrals)'

    """
    if not remove:
        raise UsageError(
            "say what to remove. Fix: give `remove` the ids or names of locations, services, "
            "organisations or funders.",
            param="remove",
        )
    lookup = GraphIndex(graph)
    removed: list[str] = []
    for item in remove:
        found = resolve_nodes(
            lookup, item, _REMOVABLE, what="location, service or organisation", param="remove"
        )
        if len(found) > 1 and lookup.type(found[0]) != NodeType.LOCATION:
            listed = ", ".join(found[:6])
            raise UsageError(
                f"`remove` '{item}' names {len(found)} things: {listed}. Fix: give the id.",
                param="remove",
            )
        removed.extend(found)
    rows: list[dict[str, Any]] = []
    closed_services, closed_orgs, closed_buildings = _closures(
        lookup, removed, close_unfunded, rows
    )
    _categories_lost(lookup, closed_services, rows)
    before = tie_network(graph, level=level, period=period, min_count=min_count, lookup=lookup)
    after = tie_network(
        graph,
        level=level,
        period=period,
        min_count=min_count,
        lookup=lookup,
        without=frozenset(closed_services | closed_orgs),
    )
    noun = "organisations" if level == "organization" else "services"
    broken_routes, broken_referrals = _broken_routes(lookup, before, after, rows)
    cut_off = _cut_off(before, after, rows, noun)
    closing = [
        count_of(len(closed_buildings), "building") if closed_buildings else "",
        count_of(len(closed_orgs), "organisation") if closed_orgs else "",
        count_of(len(closed_services), "service"),
    ]
    summary = ["closes " + " and ".join(c for c in closing if c)]
    summary.append(
        f"breaks {count_of(broken_routes, 'referral route')} "
        f"({count_of(broken_referrals, 'referral')})"
    )
    if cut_off:
        summary.append(f"cuts {count_of(cut_off, noun[:-1])} off from the rest")
    areas = sum(1 for r in rows if r["loss"] == "area without a kind of service")
    if areas:
        summary.append(f"leaves {count_of(areas, 'area')} without a kind of service")
    kinds_gone = sum(1 for r in rows if r["loss"] == "kind of service gone")
    if kinds_gone:
        summary.append(f"leaves no service at all for {count_of(kinds_gone, 'kind')} of need")
    names = short_list([lookup.name(n) for n in removed], 3)
    rows.insert(
        0,
        _row(
            "summary",
            "; ".join(removed),
            names,
            len(closed_services),
            "",
            f"removing {names}: " + ", ".join(summary),
        ),
    )
    return pd.DataFrame(rows, columns=COLUMNS)


def _broken_routes(
    lookup: GraphIndex, before: Any, after: Any, rows: list[dict[str, Any]]
) -> tuple[int, int]:
    lost: dict[str, list[tuple[str, int]]] = {}
    total_routes = total_referrals = 0
    for (a, b), count in before.referrals.items():
        u, v = before.nodes[a], before.nodes[b]
        if (
            u in after.index
            and v in after.index
            and (after.index[u], after.index[v]) in after.referrals
        ):
            continue
        total_routes += 1
        total_referrals += count
        for end, other in ((u, v), (v, u)):
            if end in after.index:
                lost.setdefault(end, []).append((other, count))
    for node, routes in sorted(lost.items()):
        referrals = sum(c for _, c in routes)
        rows.append(
            _row(
                "referral routes broken",
                node,
                lookup.name(node),
                len(routes),
                f"{referrals} referrals",
                f"{lookup.name(node)} loses {count_of(len(routes), 'referral route')} "
                f"({count_of(referrals, 'referral')}) "
                f"with {short_list(sorted(lookup.name(o) for o, _ in routes), 4)}",
            )
        )
    for i, node in enumerate(before.nodes):
        if before.adjacency[i] and node in after.index and not after.adjacency[after.index[node]]:
            rows.append(
                _row(
                    "left without ties",
                    node,
                    lookup.name(node),
                    len(before.adjacency[i]),
                    "",
                    f"{lookup.name(node)} had {count_of(len(before.adjacency[i]), 'tie')}, "
                    "all with what closed",
                )
            )
    return total_routes, total_referrals


def _cut_off(before: Any, after: Any, rows: list[dict[str, Any]], noun: str) -> int:
    after_parts = components(after)
    part_of = {after.nodes[m]: number for number, part in enumerate(after_parts) for m in part}
    total = 0
    for part in components(before):
        if len(part) < 2:
            continue
        survivors = [before.nodes[m] for m in part if before.nodes[m] in after.index]
        split: dict[int, list[str]] = {}
        for node in survivors:
            split.setdefault(part_of[node], []).append(node)
        if len(split) < 2:
            continue
        pieces = sorted(split.values(), key=lambda p: (-len(p), sorted(p)[0]))
        for piece in pieces[1:]:
            total += len(piece)
            names = sorted(after.lookup.name(n) for n in piece)
            rows.append(
                _row(
                    "group cut off",
                    "; ".join(sorted(piece)),
                    short_list(names, 4),
                    len(piece),
                    "",
                    f"{len(piece)} {noun} ({short_list(names, 5)}) are no longer tied to the other "
                    f"{len(pieces[0])} of their part of the network",
                )
            )
    return total
