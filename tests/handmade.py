"""Small analysis graphs built by hand, shaped exactly as the workspace builds them.

Tests of the queries build their graphs with :class:`Town`, so that every
node carries ``type`` and ``name`` and every edge ``type`` and the key the
workspace gives it (``REFERS_TO|2024-Q1``).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from civicgraph.graph import Graph, edge_key


class Town:
    """A hand-built analysis graph: add organisations, services, places, ties."""

    def __init__(self) -> None:
        self.g: Graph = nx.MultiDiGraph()

    def _node(self, node: str, node_type: str, name: str | None, **props: Any) -> str:
        self.g.add_node(node, type=node_type, name=name if name is not None else node, **props)
        return node

    def _edge(self, u: str, v: str, edge_type: str, disc: str = "", **props: Any) -> None:
        self.g.add_edge(u, v, key=edge_key(edge_type, disc), type=edge_type, **props)

    def org(self, node: str, name: str | None = None, **props: Any) -> str:
        return self._node(node, "Organization", name, **props)

    def concept(self, node: str, name: str | None = None, parent: str | None = None) -> str:
        self._node(node, "Concept", name)
        if parent is not None:
            self._edge(node, parent, "PART_OF")
        return node

    def service(
        self,
        node: str,
        org: str | None = None,
        *,
        name: str | None = None,
        terms: tuple[str, ...] = (),
        at: tuple[str, ...] = (),
        serves: tuple[str, ...] = (),
        **props: Any,
    ) -> str:
        self._node(node, "Service", name, **props)
        if org is not None:
            if org not in self.g:
                self.org(org)
            self._edge(org, node, "PROVIDES")
        for term in terms:
            if term not in self.g:
                self.concept(term)
            self._edge(node, term, "CLASSIFIED_AS")
        for location in at:
            if location not in self.g:
                self.location(location)
            self._edge(node, location, "AT_LOCATION")
        for area in serves:
            if area not in self.g:
                self.area(area)
            self._edge(node, area, "SERVES_AREA")
        return node

    def location(self, node: str, name: str | None = None, **props: Any) -> str:
        return self._node(node, "Location", name, **props)

    def area(self, node: str, name: str | None = None, parent: str | None = None) -> str:
        self._node(node, "Area", name)
        if parent is not None:
            self._edge(node, parent, "PART_OF")
        return node

    def operates(self, org: str, location: str) -> None:
        self._edge(org, location, "OPERATES")

    def in_area(self, location: str, area: str) -> None:
        self._edge(location, area, "IN_AREA")

    def refer(self, u: str, v: str, count: int | None = 1, period: str = "", **props: Any) -> None:
        if count is not None:
            props["count"] = count
        if period:
            props["period"] = period
        self._edge(u, v, "REFERS_TO", period, **props)

    def partner(self, u: str, v: str, kind: str = "partnership") -> None:
        self._edge(u, v, "PARTNERS_WITH", kind, kind=kind)

    def grant(
        self,
        funder: str,
        recipient: str,
        grant: str,
        amount: float | None = None,
        area: str | None = None,
    ) -> None:
        if funder not in self.g:
            self.org(funder)
        props = {} if amount is None else {"amount": amount}
        self._node(grant, "Grant", None, title=grant, **props)
        self._edge(funder, grant, "AWARDS")
        self._edge(grant, recipient, "AWARDED_TO")
        if area is not None:
            self._edge(grant, area, "BENEFITS_AREA")

    def funds(self, funder: str, target: str) -> None:
        if funder not in self.g:
            self.org(funder)
        self._edge(funder, target, "FUNDS")

    def ring_of_orgs(
        self, prefix: str, size: int, *, sector: str | None = None, count: int = 5
    ) -> list[str]:
        """``size`` organisations referring round a ring (each with one service)."""
        orgs = []
        for i in range(size):
            org = self.org(f"{prefix}{i}", sector=sector) if sector else self.org(f"{prefix}{i}")
            self.service(f"{prefix}{i}-s", org)
            orgs.append(org)
        for i in range(size):
            self.refer(f"{prefix}{i}-s", f"{prefix}{(i + 1) % size}-s", count)
        return orgs
