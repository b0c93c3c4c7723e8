"""Pathways: the referral routes from where people are to services that meet a need."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from ..errors import UsageError
from ..graph import Graph
from ..graph.scope import Scope, resolve_scope
from ..ontology import EdgeType, NodeType
from ._index import GraphIndex, short_list
from ._registry import register_query
from ._resolve import resolve_nodes

__all__ = ["pathways"]

ROUTE_COLUMNS = [
    "from_id",
    "from_name",
    "hops",
    "route",
    "reaches_id",
    "reaches_name",
    "why",
]

NEED_COLUMNS = [
    "need_id",
    "need",
    "services",
    "starts",
    "reachable_from",
    "share_reachable",
    "status",
    "why",
]


class _Routes:
    """Directed referral routes between services, with organisations as ends.

    A referral to an organisation reaches each of its services; a referral
    from an organisation can start at any of its services. Two connector
    nodes per such organisation (``in`` and ``out``) keep its services from
    reaching each other through it. Referral steps cost 1, connectors 0.
    """

    def __init__(self, lookup: GraphIndex, *, period: str | None, min_count: int) -> None:
        self.lookup = lookup
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.label: list[str | None] = []
        volume: Counter[tuple[str, str]] = Counter()
        for u, v, data in lookup.edges(EdgeType.REFERS_TO):
            if period is not None and str(data.get("period") or "") != period:
                continue
            count = data.get("count")
            volume[(u, v)] += count if isinstance(count, int) and not isinstance(count, bool) else 1
        for service in lookup.nodes(NodeType.SERVICE):
            self._node(service, lookup.name(service))
        self.reverse: list[list[tuple[int, int]]] = [[] for _ in self.ids]
        organisations: set[str] = set()
        for (u, v), count in volume.items():
            if u == v or count < max(min_count, 0) or (count == 0 and min_count > 0):
                continue
            source = self._end(u, "out", organisations)
            target = self._end(v, "in", organisations)
            if source is not None and target is not None:
                self._edge(source, target, 1)
        for org in organisations:
            into, out = self.index[f"in:{org}"], self.index[f"out:{org}"]
            for service in lookup.services_of.get(org, ()):
                self._edge(into, self.index[service], 0)
                self._edge(self.index[service], out, 0)

    def _node(self, node_id: str, label: str | None) -> int:
        found = self.index.get(node_id)
        if found is None:
            found = self.index[node_id] = len(self.ids)
            self.ids.append(node_id)
            self.label.append(label)
            if hasattr(self, "reverse"):
                self.reverse.append([])
        return found

    def _end(self, node: str, side: str, organisations: set[str]) -> int | None:
        node_type = self.lookup.type(node)
        if node_type == NodeType.SERVICE:
            return self.index[node]
        if node_type != NodeType.ORGANIZATION:
            return None
        organisations.add(node)
        self._node(f"in:{node}", f"{self.lookup.name(node)} (organisation)")
        self._node(f"out:{node}", None)
        return self.index[f"{side}:{node}"]

    def _edge(self, a: int, b: int, cost: int) -> None:
        self.reverse[b].append((a, cost))

    def towards(self, targets: set[int], max_hops: int) -> tuple[list[int], list[int]]:
        """Hops from every node to the nearest target (-1: none within ``max_hops``), and the
        next node on that route (0-1 breadth-first search backwards from the targets)."""
        n = len(self.ids)
        hops = [-1] * n
        next_node = [-1] * n
        queue: deque[int] = deque()
        for t in targets:
            hops[t] = 0
            queue.append(t)
        while queue:
            node = queue.popleft()
            distance = hops[node]
            for previous, cost in self.reverse[node]:
                candidate = distance + cost
                if candidate > max_hops:
                    continue
                if hops[previous] == -1 or candidate < hops[previous]:
                    hops[previous] = candidate
                    next_node[previous] = node
                    if cost == 0:
                        queue.appendleft(previous)
                    else:
                        queue.append(previous)
        return hops, next_node

    def route(self, start: int, next_node: list[int]) -> list[str]:
        names = []
        node = start
        while node != -1:
            label = self.label[node]
            if label is not None:
                names.append(label)
            node = next_node[node]
        return names


def _area_services(lookup: GraphIndex, area: str | None) -> tuple[set[str] | None, str]:
    """The services in an area (with the areas within it), or ``None`` for no area given."""
    if area is None:
        return None, ""
    nodes = resolve_nodes(lookup, area, [NodeType.AREA], what="area", param="area")
    within: set[str] = set()
    for node in nodes:
        within |= lookup.area_descendants(node)
    served = lookup.service_areas()
    if not served:
        raise UsageError(
            "the graph places no service in any area (no SERVES_AREA or IN_AREA edges). "
            "Fix: ingest area data first, or leave out `area`.",
            param="area",
        )
    return {s for s, areas in served.items() if areas & within}, lookup.name(nodes[0])


@register_query
def pathways(
    graph: Graph,
    *,
    need: str | None = None,
    area: str | None = None,
    max_hops: int = 4,
    needs: Literal["categories", "terms"] = "categories",
    period: str | None = None,
    min_count: int = 1,
    within: Scope | str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Referral routes from services in an area to services meeting a need; and needs with no route.

    With ``--need`` (a taxonomy term or category: its id, code or name;
    narrower terms count too): one row per service in the area that does not
    meet the need itself, with the fewest referral steps to a service that
    does (in the area, where an area is given), the route, and where it ends;
    services with no route within ``max_hops`` come last.

    Without ``--need``: one row per need (top-level categories, or every
    term used) in the area: how many services meet it, from how many of the
    other services a referral route reaches one, and a status: ``no
    service``, ``no route`` (services exist but nothing refers to them) or
    ``reachable``; the needs with no route first.

    A referral to an organisation reaches each of its services; one from an
    organisation can start at any of its services.

    Example:
      civicgraph query pathways --need "Debt advice" --area E01000001 --max-hops 3

    Parameters
    ----------
    graph
        The analysis graph.
    need
        The need: a taxonomy term's or category's id, code or name.
    area
        Only services in this area (an id, GSS code or name; areas within it count).
    max_hops
        The longest route, in referrals, to look for.
    needs
        Without --need: summarise top-level categories or every term used.
    period
        Use only referrals of this period; default: all periods.
    min_count
        Referrals a route needs to be followed.
    within
        The study area: areas by GSS code or name (repeatable). Only services placed in
        or serving it start or end routes (referrals through services outside still
        count); default: every service. With ``area``, services in both.

    Returns
    -------
    DataFrame
        With --need: ``from_id``, ``from_name``, ``hops``, ``route``,
        ``reaches_id``, ``reaches_name``, ``why``. Without: ``need_id``,
        ``need``, ``services``, ``starts``, ``reachable_from``,
        ``share_reachable``, ``status``, ``why``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("debt", type="Concept", name="Debt advice")
    >>> for s in ["gp", "foodbank", "cab"]:
    ...     g.add_node(s, type="Service", name=s.upper())
    >>> _ = g.add_edge("cab", "debt", key="CLASSIFIED_AS", type="CLASSIFIED_AS")
    >>> _ = g.add_edge("gp", "foodbank", key="REFERS_TO", type="REFERS_TO", count=9)
    >>> _ = g.add_edge("foodbank", "cab", key="REFERS_TO", type="REFERS_TO", count=4)
    >>> pathways(g, need="Debt advice")[["from_id", "hops", "route"]].values.tolist()
    [['foodbank', 1, 'FOODBANK → CAB'], ['gp', 2, 'GP → FOODBANK → CAB']]
    """
    if max_hops < 1:
        raise UsageError(f"`max_hops` must be at least 1, not {max_hops}.", param="max_hops")
    lookup = GraphIndex(graph)
    in_area, area_name = _area_services(lookup, area)
    where = f" in {area_name}" if area_name else ""
    routes = _Routes(lookup, period=period, min_count=min_count)
    services = [s for s in lookup.nodes(NodeType.SERVICE) if in_area is None or s in in_area]
    scope = None
    if within is not None and (isinstance(within, str | Scope) or any(within)):
        scope = resolve_scope(graph, within)
        served = lookup.service_areas()
        services = [s for s in services if served.get(s, set()) & scope.members]
        where += " in the scope"
    frame = _pathways(lookup, routes, services, need, max_hops, needs, where)
    if scope is not None:
        frame["why"] = frame["why"] + f" [{scope.describe()}]"
        frame.attrs["scope"] = scope.describe()
        frame.attrs["scope_detail"] = scope.as_dict()
    return frame


def _pathways(
    lookup: GraphIndex,
    routes: _Routes,
    services: list[str],
    need: str | None,
    max_hops: int,
    needs: str,
    where: str,
) -> pd.DataFrame:
    if need is not None:
        concepts = resolve_nodes(
            lookup, need, [NodeType.CONCEPT], what="taxonomy term", param="need"
        )
        return _routes_to(lookup, routes, concepts, services, max_hops, where)
    return _needs_summary(lookup, routes, services, max_hops, needs, where)


def _meeting(lookup: GraphIndex, concepts: list[str], services: list[str]) -> set[str]:
    wanted: set[str] = set()
    for concept in concepts:
        wanted |= lookup.narrower(concept)
    terms = lookup.terms
    return {s for s in services if wanted.intersection(terms.get(s, ()))}


def _routes_to(
    lookup: GraphIndex,
    routes: _Routes,
    concepts: list[str],
    services: list[str],
    max_hops: int,
    where: str,
) -> pd.DataFrame:
    need_name = lookup.name(concepts[0])
    targets = _meeting(lookup, concepts, services)
    hops, next_node = routes.towards({routes.index[t] for t in targets}, max_hops)
    rows: list[dict[str, Any]] = []
    for service in services:
        if service in targets:
            continue
        i = routes.index[service]
        if hops[i] == -1:
            why = (
                f"no service{where} meets {need_name}"
                if not targets
                else f"no referral route of up to {max_hops} steps leads from "
                f"{lookup.name(service)} "
                f"to any of the {len(targets)} services{where} for {need_name}"
            )
            rows.append(
                {
                    "from_id": service,
                    "from_name": lookup.name(service),
                    "hops": None,
                    "route": None,
                    "reaches_id": None,
                    "reaches_name": None,
                    "why": why,
                }
            )
            continue
        end = i
        while next_node[end] != -1:
            end = next_node[end]
        names = routes.route(i, next_node)
        reached = routes.ids[end]
        rows.append(
            {
                "from_id": service,
                "from_name": lookup.name(service),
                "hops": hops[i],
                "route": " → ".join(names),
                "reaches_id": reached,
                "reaches_name": lookup.name(reached),
                "why": f"{hops[i]} referral step{'s' if hops[i] != 1 else ''} from "
                f"{lookup.name(service)} reach {lookup.name(reached)}, which meets {need_name}",
            }
        )
    rows.sort(key=lambda r: (r["hops"] is None, r["hops"] or 0, r["from_name"], r["from_id"]))
    frame = pd.DataFrame(rows, columns=ROUTE_COLUMNS)
    frame["hops"] = frame["hops"].astype("Int64")
    return frame


def _needs_summary(
    lookup: GraphIndex,
    routes: _Routes,
    services: list[str],
    max_hops: int,
    needs: str,
    where: str,
) -> pd.DataFrame:
    terms = lookup.terms
    used = {t for s in services for t in terms.get(s, ())}
    roots = lookup.roots
    if needs == "categories":
        candidates = sorted({roots.get(t, t) for t in used} | set(_top_level(lookup)))
    else:
        candidates = sorted(used)
    rows: list[dict[str, Any]] = []
    for concept in candidates:
        targets = _meeting(lookup, [concept], services)
        starts = [s for s in services if s not in targets]
        reachable = 0
        if targets:
            hops, _ = routes.towards({routes.index[t] for t in targets}, max_hops)
            reachable = sum(1 for s in starts if hops[routes.index[s]] != -1)
        if not targets:
            status = "no service"
            why = f"no service{where} meets {lookup.name(concept)}"
        elif not reachable:
            status = "no route"
            why = (
                f"{len(targets)} services{where} meet {lookup.name(concept)} "
                f"({short_list(sorted(lookup.name(t) for t in targets), 3)}), but no referral "
                f"route of up to {max_hops} steps reaches them from any other service"
            )
        else:
            status = "reachable"
            why = (
                f"{reachable} of {len(starts)} other services{where} have a referral route of up "
                f"to {max_hops} steps to one of the {len(targets)} services for "
                f"{lookup.name(concept)}"
            )
        rows.append(
            {
                "need_id": concept,
                "need": lookup.name(concept),
                "services": len(targets),
                "starts": len(starts),
                "reachable_from": reachable,
                "share_reachable": reachable / len(starts) if starts else 0.0,
                "status": status,
                "why": why,
            }
        )
    order = {"no service": 0, "no route": 1, "reachable": 2}
    rows.sort(key=lambda r: (order[str(r["status"])], float(r["share_reachable"]), str(r["need"])))
    return pd.DataFrame(rows, columns=NEED_COLUMNS)


def _top_level(lookup: GraphIndex) -> list[str]:
    roots = lookup.roots
    return [c for c, root in roots.items() if c == root]
