"""Time in the RDF export: first and last asserted, and things no longer listed, closed.

On two snapshots of the synthetic town (``synth --changes``): the export's
``cg:firstAsserted`` / ``cg:lastAsserted`` are the graph's own, node by node and
edge by edge; a SPARQL query over it lists as closed (``prov:invalidatedAtTime``)
exactly what ``query changes`` says is no longer listed; and the shapes pass.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from handmade import ingest_records, node

from civicgraph import Workspace
from civicgraph.graph.rdf import export_rdf
from civicgraph.graph.shacl import validate_rdf
from civicgraph.ingest import ingest
from civicgraph.ontology import NodeType, node_iri
from civicgraph.ontology.rdf import PREFIXES
from civicgraph.queries import changes
from civicgraph.synth import synth_changes

BASE = "https://data.example.org/id/"
_PREFIXES = "".join(f"PREFIX {p}: <{n}>\n" for p, n in PREFIXES.items())


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("rdf-time")
    sources, _, manifest = synth_changes(folder / "town", services=300, seed=3)
    workspace = Workspace(folder / "ws.db")
    for source in sources:
        ingest(
            workspace,
            source.kind,
            str(source.path),
            name=source.name,
            snapshot_date=source.snapshot_date,
        )
    return workspace, json.loads(manifest.read_text(encoding="utf-8"))


def _store(workspace: Workspace) -> ox.Store:
    buffer = io.BytesIO()
    export_rdf(workspace, buffer, format="nt", base_iri=BASE)
    store = ox.Store()
    store.load(buffer.getvalue(), ox.RdfFormat.N_TRIPLES)
    return store


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(_PREFIXES + query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names} for row in solutions]


def test_first_and_last_asserted_are_the_graphs_own(town: tuple[Workspace, Any]) -> None:
    workspace, _ = town
    graph = workspace.graph()
    store = _store(workspace)
    closed = {r["x"] for r in _select(store, "SELECT ?x WHERE { ?x prov:invalidatedAtTime ?t }")}
    for term, prop in (("firstAsserted", "first_asserted"), ("lastAsserted", "last_asserted")):
        said = _select(store, f"SELECT ?x ?day WHERE {{ ?x cg:{term} ?day }}")
        nodes = {r["x"]: r["day"] for r in said if "/relationship/" not in r["x"]}
        expected = {
            node_iri(NodeType(d["type"]), n, base=BASE): d[prop] for n, d in graph.nodes(data=True)
        }
        assert {x: d for x, d in nodes.items() if x not in closed} == expected
        statements = [r for r in said if "/relationship/" in r["x"]]
        # One per asserted edge, each with the edge's own day (edges placing inferred, such
        # as a service's SERVES_AREA from its building, were asserted by no snapshot).
        asserted = [d[prop] for _, _, d in graph.edges(data=True) if prop in d]
        assert len(asserted) > graph.number_of_edges() / 2
        assert sorted(r["day"] for r in statements) == sorted(asserted)
    # The town's two directory snapshots differ: some things are older than others.
    firsts = {d["first_asserted"] for _, d in graph.nodes(data=True)}
    assert len(firsts) == 2


def test_sparql_lists_the_things_changes_says_are_no_longer_listed(
    town: tuple[Workspace, Any],
) -> None:
    workspace, manifest = town
    store = _store(workspace)
    gone = _select(
        store,
        "SELECT ?x ?t ?why ?state WHERE { ?x prov:invalidatedAtTime ?t ; "
        "cg:lifecycleEvidence ?why OPTIONAL { ?x cg:lifecycleState ?state } }",
    )
    found = changes(workspace)
    absent = found[found["why"].str.contains("no longer listed")]
    assert len(absent) >= 1  # the planted closed-by-absence service
    expected = {node_iri(NodeType(r.type), r.id, base=BASE): r.when for r in absent.itertuples()}
    assert {r["x"]: r["t"][:10] for r in gone} == expected
    assert all(r["why"].startswith("no longer listed by ") for r in gone)
    planted = {p["id"] for p in manifest["changes"] if p["planted"] == "closed-by-absence"}
    (service,) = [r for r in gone if r["x"].rsplit("/", 1)[1] in planted]
    assert service["state"] == "https://w3id.org/civicgraph/lifecycle/closed"
    # Closed by status but still listed: closed in the export, with no invalidation.
    by_status = found[(found["change"] == "closed") & ~found["why"].str.contains("no longer")]
    assert len(by_status) >= 1
    state_closed = {
        r["x"]
        for r in _select(
            store,
            "SELECT ?x WHERE { ?x cg:lifecycleState <https://w3id.org/civicgraph/lifecycle/closed> "
            "FILTER NOT EXISTS { ?x prov:invalidatedAtTime ?t } }",
        )
    }
    assert {node_iri(NodeType(r.type), r.id, base=BASE) for r in by_status.itertuples()} <= (
        state_closed
    )


def test_the_two_snapshot_export_passes_the_shapes(
    town: tuple[Workspace, Any], tmp_path: Path
) -> None:
    workspace, _ = town
    out = tmp_path / "town.ttl"
    export_rdf(workspace, out, format="turtle")
    report = validate_rdf(out)
    assert report.count("Violation") == 0, report.summary_lines()
    # Each thing no longer listed is derived from the snapshot that last listed it, described.
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.TURTLE)
    rows = _select(
        store,
        "SELECT ?x ?snap ?when WHERE { ?x prov:invalidatedAtTime ?t ; prov:wasDerivedFrom ?snap . "
        "?snap prov:generatedAtTime ?when ; prov:specializationOf ?source }",
    )
    assert rows and len({r["x"] for r in rows}) == len(rows)


# -- --as-of: the export as the workspace stood on a day ----------------------------------


def _two_listings(path: Path) -> Workspace:
    """Source ``hand``: 2025-01-01 Lunch club and Youth club; 2025-06-01 Lunch club, Warm space."""
    workspace = Workspace(path)
    listings = {
        "2025-01-01": ("aa", ["lunch", "youth"]),
        "2025-06-01": ("bb", ["lunch", "warm"]),
    }
    for day, (digest, services) in listings.items():
        ingest_records(
            workspace,
            [node(NodeType.SERVICE, f"hand:service:{s}", name=f"{s} club") for s in services],
            sha256=digest * 32,
            snapshot_date=day,
        )
    return workspace


def _days(store: ox.Store, term: str) -> dict[str, str]:
    rows = _select(store, f"SELECT ?x ?day WHERE {{ ?x cg:{term} ?day }}")
    return {r["x"].rsplit(":", 1)[1]: r["day"] for r in rows}


def test_as_of_exports_the_workspace_as_it_stood(tmp_path: Path, run_cli: Any) -> None:
    workspace = _two_listings(tmp_path / "w.db")
    now, then = _store(workspace), _store(workspace.at("2025-03-01"))
    assert _days(now, "lastAsserted") == {
        "lunch": "2025-06-01",
        "warm": "2025-06-01",
        "youth": "2025-01-01",  # no longer listed: closed since 2025-06-01
    }
    assert [
        r["x"].rsplit(":", 1)[1]
        for r in _select(now, "SELECT ?x WHERE { ?x prov:invalidatedAtTime ?t }")
    ] == ["youth"]
    # On 1 March the June snapshot had not been taken: Youth club stood, Warm space did not,
    # nothing had closed, and no day of June is known.
    assert _days(then, "lastAsserted") == {"lunch": "2025-01-01", "youth": "2025-01-01"}
    assert _days(then, "firstAsserted") == {"lunch": "2025-01-01", "youth": "2025-01-01"}
    assert _select(then, "SELECT ?x WHERE { ?x prov:invalidatedAtTime ?t }") == []
    # Its provenance is the snapshot in force then, with the records it held.
    records = _select(
        then,
        "SELECT ?x ?record ?sha WHERE { ?x prov:qualifiedDerivation ?d . ?d cg:recordId ?record ; "
        "prov:entity ?snap . ?snap cg:sha256 ?sha }",
    )
    assert {(r["x"].rsplit(":", 1)[1], r["record"], r["sha"]) for r in records} == {
        ("lunch", "hand:service:lunch", "aa" * 32),
        ("youth", "hand:service:youth", "aa" * 32),
    }
    # The command says the same.
    out = tmp_path / "then.nt"
    result = run_cli(
        "--db",
        tmp_path / "w.db",
        "export",
        "rdf",
        "--format",
        "nt",
        "--as-of",
        "2025-03",
        "--out",
        out,
    )
    assert result.code == 0, result.err
    assert "as of 2025-03-31" in result.err
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)
    # 2025-03 means its last day: still before the June snapshot.
    assert _days(store, "lastAsserted") == {"lunch": "2025-01-01", "youth": "2025-01-01"}


# -- neo4j-admin CSV: first/last asserted and the snapshot history ---------------------------


def _table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def test_neo4j_csv_carries_time_and_the_history(
    town: tuple[Workspace, Any], tmp_path: Path
) -> None:
    from civicgraph.graph.history import history_rows
    from civicgraph.graph.neo4j import write_neo4j_csv

    workspace, _ = town
    graph = workspace.graph()
    written = write_neo4j_csv(workspace, tmp_path / "import")
    _, services = _table(tmp_path / "import" / "nodes_Service.csv")
    assert {r["id:ID"]: (r["first_asserted:date"], r["last_asserted:date"]) for r in services} == {
        n: (d["first_asserted"], d["last_asserted"])
        for n, d in graph.nodes(data=True)
        if d["type"] == "Service"
    }
    header, snapshots = _table(tmp_path / "import" / "history_Snapshot.csv")
    assert header == ["id:ID(Snapshot)", ":LABEL", "cg_workspace:string", "date:date",
                      "snapshot:long", "source:string"]  # fmt: skip
    expected = sorted(
        (str(s["snapshot"]), source["name"], s["date"])
        for source in workspace.sources()
        for s in source["snapshots"]
    )
    assert sorted((r["snapshot:long"], r["source:string"], r["date:date"]) for r in snapshots) == (
        expected
    )
    header, facts = _table(tmp_path / "import" / "history_SnapshotFact.csv")
    assert header[:2] == ["id:ID(SnapshotFact)", ":LABEL"]
    assert {"node:string", "props:string", "at_location:string[]"} <= set(header)
    said = {(str(snap.id), row["node"]) for snap, rows in history_rows(workspace) for row in rows}
    assert {(r["snapshot:long"], r["node:string"]) for r in facts} == said
    assert len(facts) == len(said)
    # A thing no longer listed is in the history only: its last snapshot's fact.
    (gone,) = [r for r in facts if r["node:string"] not in graph and r["type:string"] == "Service"]
    assert json.loads(gone["props:string"])["name"]
    script = (tmp_path / "import" / "import.sh").read_text()
    assert "--nodes=history_Snapshot.csv" in script and "--nodes=history_SnapshotFact.csv" in script
    assert {p.name for p in written} >= {"history_Snapshot.csv", "history_SnapshotFact.csv"}


def test_a_place_s_export_carries_its_closures(town: tuple[Workspace, Any]) -> None:
    from civicgraph.graph.scope import resolve_scope, scope_nodes

    workspace, manifest = town
    graph = workspace.graph()
    (planted,) = [p for p in manifest["changes"] if p["planted"] == "closed-by-absence"]
    elsewhere = sorted(
        n
        for n, d in graph.nodes(data=True)
        if d["type"] == "Area" and d.get("level") == "lsoa" and n != planted["area"]
    )
    for area in (planted["area"], *elsewhere[:3]):
        buffer = io.BytesIO()
        nodes = scope_nodes(graph, resolve_scope(graph, area))
        export_rdf(workspace, buffer, format="nt", base_iri=BASE, nodes=nodes)
        store = ox.Store()
        store.load(buffer.getvalue(), ox.RdfFormat.N_TRIPLES)
        gone = _select(
            store,
            "SELECT ?x ?t ?why WHERE { ?x prov:invalidatedAtTime ?t ; cg:lifecycleEvidence ?why }",
        )
        # What the place's changes say is no longer listed there, and nothing else.
        found = changes(workspace, within=area)
        absent = found[found["why"].str.contains("no longer listed")]
        expected = {
            node_iri(NodeType(r.type), r.id, base=BASE): r.when for r in absent.itertuples()
        }
        assert {r["x"]: r["t"][:10] for r in gone} == expected, area
        assert all(r["why"].startswith("no longer listed by ") for r in gone)
        if area == planted["area"]:
            assert node_iri(NodeType.SERVICE, planted["id"], base=BASE) in expected


def test_neo4j_csv_as_of_holds_only_the_history_by_then(tmp_path: Path, run_cli: Any) -> None:
    _two_listings(tmp_path / "w.db")
    for day, dates, services in (
        ("2025-03-01", {"2025-01-01"}, {"lunch", "youth"}),
        ("2025-06-30", {"2025-01-01", "2025-06-01"}, {"lunch", "warm"}),
    ):
        out = tmp_path / day
        result = run_cli(
            "--db", tmp_path / "w.db", "export", "neo4j-csv", "--as-of", day, "--out", out
        )
        assert result.code == 0, result.err
        _, nodes = _table(out / "nodes_Service.csv")
        assert {r["id:ID"].rsplit(":", 1)[1] for r in nodes} == services
        _, snapshots = _table(out / "history_Snapshot.csv")
        assert {r["date:date"] for r in snapshots} == dates
        _, facts = _table(out / "history_SnapshotFact.csv")
        counted = {r["snapshot:long"] for r in snapshots}
        assert {r["snapshot:long"] for r in facts} == counted
        # The June listing (Warm space) is in the history only once its snapshot was taken.
        said = {r["node:string"].rsplit(":", 1)[1] for r in facts}
        assert ("warm" in said) == ("2025-06-01" in dates)
