"""Hand-built workspaces for the linked-data tests: records written out by hand, answers known."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from civicgraph import Workspace
from civicgraph.graph import EdgeRecord, NodeRecord, Record
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
) -> None:
    """Ingest records as one snapshot of source ``name`` (the digest stands for the input's)."""
    ctx = ReadContext(source=name, sha256=sha256, variant="hand-built")
    if license:
        ctx.metadata["license"] = license
    records = list(records)
    for record in records:
        ctx.read(record.table)
    run_ingest(records, ctx, workspace=workspace, kind="hand", input_name=f"{name}.json")


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
