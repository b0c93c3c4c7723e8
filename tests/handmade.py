"""Hand-built test inputs with answers known by hand.

Two shapes: records ingested into a real workspace (:func:`small_town`,
for the linked-data exports), and analysis graphs shaped exactly as the
workspace builds them (:class:`Town`, for the queries: every node carries
``type`` and ``name``, every edge ``type`` and the key the workspace gives
it, such as ``REFERS_TO|2024-Q1``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from civicgraph import Workspace
from civicgraph.graph import EdgeRecord, Graph, NodeRecord, Record, edge_key
from civicgraph.ingest._pipeline import ReadContext, run_ingest
from civicgraph.ontology import EdgeType, NodeType

ORG, SVC, LOC, AREA, GRANT, CONCEPT = (
    NodeType.ORGANIZATION,
    NodeType.SERVICE,
    NodeType.LOCATION,
    NodeType.AREA,
    NodeType.GRANT,
    NodeType.CONCEPT,
)

SPECIAL = 'quote " backslash \\ newline \n return \r tab \t <tag> & ü 😀 \x01\x07\x1f\x7f end'
"""Every character the formats must carry: quotes, escapes, controls, markup, non-BMP."""


def node(node_type: NodeType, key: str, **props: Any) -> NodeRecord:
    return NodeRecord(node_type, key, props, table=node_type.value.lower(), record_id=key)


def edge(edge_type: EdgeType, source: str, target: str, **props: Any) -> EdgeRecord:
    return EdgeRecord(
        edge_type,
        source,
        target,
        table=edge_type.value.lower(),
        record_id=f"{source}>{target}",
        props=props or None,
        primary=True,
    )


def ingest_records(
    workspace: Workspace,
    records: Iterable[Record],
    *,
    name: str = "hand",
    sha256: str = "ab" * 32,
    license: dict[str, str] | None = None,
    snapshot_date: str | None = None,
) -> None:
    """Ingest records as one snapshot of source ``name`` (the digest stands for the input's),
    dated ``snapshot_date`` (as ``ingest --snapshot-date``) when given."""
    ctx = ReadContext(source=name, sha256=sha256, variant="hand-built")
    if license:
        ctx.metadata["license"] = license
    records = list(records)
    for record in records:
        ctx.read(record.table)
    run_ingest(
        records,
        ctx,
        workspace=workspace,
        kind="hand",
        input_name=f"{name}.json",
        snapshot_date=snapshot_date,
    )


def small_town() -> list[Record]:
    """One of every node and edge type the linked-data exports and queries need."""
    return [
        node(ORG, "GB-CHC-1", name="Riverside Advice", kind="charity", org_ids=["GB-CHC-1"]),
        node(ORG, "GB-CHC-2", name="Oak Foundation", kind="funder"),
        node(ORG, "GB-CHC-3", name="Hill Group", phones=[{"number": "01632 960000"}]),
        node(SVC, "hand:service:debt", name="Debt advice", languages=["English", "Urdu"]),
        node(SVC, "hand:service:food", name="Food bank", minimum_age=18),
        node(LOC, "uprn:100", name="Community Hall", latitude=51.5, longitude=-0.125),
        node(AREA, "E01000001", name="Riverside 001A", level="lsoa", population=1500),
        node(AREA, "E01000002", name="Riverside 001B", level="lsoa"),
        node(AREA, "E06000001", name="Riverside", level="lad"),
        node(
            GRANT,
            "360G-1",
            title="Advice for all",
            amount=5000.0,
            currency="GBP",
            award_date="2024-04-01",
        ),
        node(CONCEPT, "hand:concept:advice", name="Advice", code="ADV", taxonomy="Needs"),
        node(CONCEPT, "hand:concept:debt", name="Debt", code="ADV-DEBT", taxonomy="Needs"),
        node(CONCEPT, "hand:concept:food", name="Food", code="FOOD", taxonomy="Needs"),
        edge(EdgeType.PROVIDES, "GB-CHC-1", "hand:service:debt"),
        edge(EdgeType.PROVIDES, "GB-CHC-3", "hand:service:food"),
        edge(EdgeType.AT_LOCATION, "hand:service:debt", "uprn:100"),
        edge(EdgeType.OPERATES, "GB-CHC-1", "uprn:100"),
        edge(EdgeType.IN_AREA, "uprn:100", "E01000001", method="postcode"),
        edge(EdgeType.PART_OF, "E01000001", "E06000001"),
        edge(EdgeType.PART_OF, "E01000002", "E06000001"),
        edge(EdgeType.SERVES_AREA, "hand:service:food", "E06000001"),
        edge(EdgeType.CLASSIFIED_AS, "hand:service:debt", "hand:concept:debt"),
        edge(EdgeType.CLASSIFIED_AS, "hand:service:food", "hand:concept:food"),
        edge(EdgeType.PART_OF, "hand:concept:debt", "hand:concept:advice"),
        edge(EdgeType.AWARDS, "GB-CHC-2", "360G-1"),
        edge(EdgeType.AWARDED_TO, "360G-1", "GB-CHC-1"),
        edge(EdgeType.BENEFITS_AREA, "360G-1", "E01000001"),
        edge(EdgeType.FUNDS, "GB-CHC-2", "hand:service:food", statement="Oak Foundation"),
        edge(
            EdgeType.REFERS_TO, "hand:service:debt", "hand:service:food", count=12, period="2024-Q1"
        ),
        edge(
            EdgeType.REFERS_TO, "hand:service:debt", "hand:service:food", count=7, period="2024-Q2"
        ),
        edge(EdgeType.PARTNERS_WITH, "GB-CHC-1", "GB-CHC-3", kind="consortium"),
    ]


def small_town_workspace(path: Path, **options: Any) -> Workspace:
    workspace = Workspace(path)
    ingest_records(workspace, small_town(), **options)
    return workspace


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
