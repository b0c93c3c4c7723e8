"""The workspace store: snapshots, atomic ingests, identity across sources, precedence."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from helpers import TEST_DATA

from civicgraph import InputError, UsageError, Workspace, ingest_hsds
from civicgraph.graph import EdgeRecord, NodeRecord, Record
from civicgraph.ingest import INGESTERS, Ingester, ReadContext, ingest, register
from civicgraph.ontology import EdgeType, NodeType

ORUK1 = TEST_DATA / "oruk1"


def _same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and sorted(
        a.edges(keys=True, data=True), key=repr
    ) == sorted(b.edges(keys=True, data=True), key=repr)


def test_reingesting_keeps_the_graph_and_adds_a_snapshot(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, ORUK1, name="council")
    first = workspace.graph()
    ingest_hsds(workspace, ORUK1, name="council")
    assert _same_graph(first, workspace.graph())
    (source,) = workspace.sources()
    newer, older = source["snapshots"]
    assert newer["current"] and not older["current"]
    assert newer["sha256"] == older["sha256"]
    assert older["ingested_at"] <= newer["ingested_at"]


def test_the_snapshot_records_the_inputs_sha256(tmp_path: Path) -> None:
    file = tmp_path / "service.json"
    file.write_text('{"id": "s1", "name": "Advice", "status": "active", "organization_id": "o1"}')
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, file, name="one")
    snapshot = workspace.sources()[0]["snapshots"][0]
    assert snapshot["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()


def test_reingesting_a_changed_source_replaces_its_facts(tmp_path: Path) -> None:
    package = tmp_path / "package"
    shutil.copytree(ORUK1, package)
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, package, name="council")
    services = package / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    services.write_text("\n".join(line for line in lines if not line.startswith("svc3")), "utf-8")
    ingest_hsds(workspace, package, name="council")
    graph = workspace.graph()
    assert "oruk1:service:svc3" not in graph and "council:service:svc3" not in graph
    assert workspace.stats()["nodes"]["Service"] == 2
    assert len(workspace.sources()[0]["snapshots"]) == 2


def test_one_organisation_from_two_sources_is_one_node(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, ORUK1, name="council")
    other = tmp_path / "other.json"
    other.write_text(
        '[{"id": "x-17", "name": "Hartley Advice Centre Limited", "description": "Advice.",'
        ' "organization_identifiers": [{"identifier_scheme": "GB-CHC", "identifier": "1122334"}]}]'
    )
    ingest_hsds(workspace, other, name="cvs")
    graph = workspace.graph()
    node = graph.nodes["GB-CHC-1122334"]
    assert node["sources"] == ["council", "cvs"]
    assert workspace.stats()["nodes"]["Organization"] == 2
    facts = workspace.facts("GB-CHC-1122334")
    assert {(f["source"], f["record"]) for f in facts} == {("council", "org1"), ("cvs", "x-17")}
    # The later source's name is shown; the earlier one's is kept in the facts.
    assert node["name"] == "Hartley Advice Centre Limited"
    assert {f["props"]["name"] for f in facts} == {"Hartley Advice Centre", node["name"]}
    workspace.set_priority("council", 10)
    assert workspace.graph().nodes["GB-CHC-1122334"]["name"] == "Hartley Advice Centre"


class _Boom(RuntimeError):
    pass


def _half_then_fail(source: str, ctx: ReadContext, *, error: str = "input") -> Iterator[Record]:
    ctx.read("things")
    yield NodeRecord(NodeType.ORGANIZATION, "half:organization:1", {"name": "Half"}, "things", "1")
    if error == "input":
        raise InputError("is broken halfway.", path=source, where="row 2", fix="mend it.")
    raise _Boom("reader crashed")


@pytest.fixture
def half_ingester() -> Iterator[str]:
    register(Ingester("half", "a test ingester that fails halfway", _half_then_fail, "n/a"))
    yield "half"
    INGESTERS.pop("half")


@pytest.mark.parametrize("error", ["input", "crash"])
def test_an_ingest_that_fails_halfway_writes_nothing(
    error: str, half_ingester: str, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, ORUK1, name="council")
    before = (workspace.sources(), workspace.stats())
    with pytest.raises((InputError, _Boom)):
        ingest(workspace, half_ingester, "anything", name="half", options={"error": error})
    assert (workspace.sources(), workspace.stats()) == before


def test_a_crash_while_writing_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicgraph.graph import workspace as workspace_module

    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, ORUK1, name="council")
    before = (workspace.sources(), workspace.stats())

    def crash(conn: object) -> dict[str, int]:
        raise _Boom("disk full")

    monkeypatch.setattr(workspace_module, "resolve_identities", crash)
    with pytest.raises(_Boom):
        ingest_hsds(workspace, ORUK1, name="council")
    monkeypatch.undo()
    assert (workspace.sources(), workspace.stats()) == before


def _links_to_existing(source: str, ctx: ReadContext) -> Iterator[Record]:
    ctx.read("links")
    yield EdgeRecord(
        EdgeType.PARTNERS_WITH,
        "GB-CHC-1122334",
        "oruk1:organization:org2",
        "links",
        "1",
        {"kind": "partnership"},
        primary=True,
    )
    ctx.read("links")
    yield EdgeRecord(
        EdgeType.PARTNERS_WITH,
        "GB-CHC-1122334",
        "nowhere:organization:9",
        "links",
        "2",
        {"kind": "partnership"},
        primary=True,
    )


def test_edges_may_point_at_nodes_of_other_sources(tmp_path: Path) -> None:
    register(Ingester("links", "test", _links_to_existing, "n/a"))
    try:
        workspace = Workspace(tmp_path / "w.db")
        ingest_hsds(workspace, ORUK1, name="oruk1")
        report = ingest(workspace, "links", "x", name="links")
    finally:
        INGESTERS.pop("links")
    assert report.tables["links"].loaded == 1
    assert report.tables["links"].rejected == 1
    graph = workspace.graph()
    assert graph.has_edge("GB-CHC-1122334", "GB-COH-08765432", "PARTNERS_WITH|partnership")
    # When the other source is re-ingested without the node, the edge is skipped, not fatal.
    package = tmp_path / "package"
    shutil.copytree(ORUK1, package)
    lines = (package / "organizations.csv").read_text("utf-8").splitlines()
    (package / "organizations.csv").write_text("\n".join(lines[:2]), "utf-8")
    ingest_hsds(workspace, package, name="oruk1")
    graph = workspace.graph()
    assert graph.graph["skipped_edges"] >= 1
    assert not graph.has_edge("GB-CHC-1122334", "GB-COH-08765432")


def test_a_source_name_keeps_its_kind(tmp_path: Path) -> None:
    register(Ingester("links", "test", _links_to_existing, "n/a"))
    try:
        workspace = Workspace(tmp_path / "w.db")
        ingest_hsds(workspace, ORUK1, name="council")
        with pytest.raises(UsageError, match="holds hsds data"):
            ingest(workspace, "links", "x", name="council")
    finally:
        INGESTERS.pop("links")


def test_reading_a_missing_workspace_creates_nothing(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "absent.db")
    assert workspace.sources() == []
    assert workspace.stats() == {"nodes": {}, "edges": {}}
    assert not (tmp_path / "absent.db").exists()


def test_a_missing_folder_for_the_workspace_is_a_clear_error(tmp_path: Path) -> None:
    from civicgraph import WorkspaceError

    with pytest.raises(WorkspaceError, match="does not exist"):
        ingest_hsds(Workspace(tmp_path / "no" / "such" / "w.db"), ORUK1, name="x")
