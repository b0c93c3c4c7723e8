"""The Neo4j backend on a real Bolt server (ArcadeDB), and its Cypher against Neo4j's parser."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import neo4j as neo4j_driver
import pandas as pd
import pytest
from arcadedb_server import BoltServer
from helpers import REPO, TEST_DATA, missing

from civicgraph import Workspace, ingest_hsds
from civicgraph.graph.neo4j import (
    _anchor,
    cypher_statements,
    neo4j_value,
    push_to_neo4j,
    write_neo4j_csv,
)
from civicgraph.ontology import Datatype
from civicgraph.queries import QUERIES
from civicgraph.queries.twins import TWINS, run_twin, twin_statements
from civicgraph.synth import synth


@pytest.fixture
def database(bolt: BoltServer) -> str:
    return bolt.fresh_database()


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic town's directory and grants, ingested into one workspace."""
    folder = tmp_path_factory.mktemp("town")
    path = folder / "w.db"
    workspace = Workspace(path)
    from civicgraph.ingest import ingest

    for source in synth(folder / "data", services=300, seed=4):
        ingest(workspace, source.kind, str(source.path), name=source.name)
    return path


def _copy(path: Path, tmp_path: Path) -> Workspace:
    """A copy of a workspace (through SQLite's backup, which includes its write-ahead log)."""
    import sqlite3

    target = tmp_path / "copy.db"
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return Workspace(target)


def _push(workspace: Workspace, bolt: BoltServer, database: str, **kwargs: Any) -> Any:
    return push_to_neo4j(
        workspace, uri=bolt.uri, user=bolt.user, password=bolt.password, database=database, **kwargs
    )


def _run(bolt: BoltServer, database: str, statement: str, **params: Any) -> list[dict[str, Any]]:
    with neo4j_driver.GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password)) as driver:
        records, _, _ = driver.execute_query(statement, params, database_=database)
        return [r.data() for r in records]


# -- converting values ---------------------------------------------------------------------

VALUES = [
    ("text", None, "text"),
    (3, None, 3),
    (2.5, None, 2.5),
    (True, None, True),
    (None, None, None),
    (float("nan"), None, None),
    (["a", None, "b"], None, ["a", "b"]),
    ([1, 2.5], None, [1.0, 2.5]),
    ([1, 2], None, [1, 2]),
    ([None], None, None),
    ([], None, None),
    (["a", 1], None, '["a", 1]'),
    ([{"number": "1"}], None, '[{"number": "1"}]'),
    ({"b": 1, "a": [1, None]}, None, '{"a": [1, null], "b": 1}'),
    ("2024-04-01", Datatype.DATE, date(2024, 4, 1)),
    ("not a date", Datatype.DATE, "not a date"),
    ("2024-04-01", None, "2024-04-01"),
]


@pytest.mark.parametrize(
    ("value", "datatype", "expected"), VALUES, ids=[repr(v[0]) for v in VALUES]
)
def test_values_become_what_neo4j_stores(
    value: Any, datatype: Datatype | None, expected: Any
) -> None:
    assert neo4j_value(value, datatype) == expected


def test_datetimes_become_temporal_values() -> None:
    converted = neo4j_value("2023-03-15T10:30:45.123Z", Datatype.DATETIME)
    assert converted.year == 2023 and converted.tzinfo is not None


# -- pushing ----------------------------------------------------------------------------------


def test_push_and_read_back(town: Path, bolt: BoltServer, database: str, tmp_path: Path) -> None:
    workspace = _copy(town, tmp_path)
    result = _push(workspace, bolt, database, batch_size=500)
    stats = workspace.stats()
    assert result.nodes == stats["nodes"]
    assert result.relationships == stats["edges"]
    assert result.batches_written > 5 and result.batches_skipped == 0
    graph = workspace.graph()
    grant_id, grant = next((n, d) for n, d in graph.nodes(data=True) if d["type"] == "Grant")
    (stored,) = _run(bolt, database, "MATCH (g:Grant {id: $id}) RETURN g", id=grant_id)
    node = stored["g"]
    assert node["amount"] == grant["amount"]
    assert node["award_date"] == date.fromisoformat(grant["award_date"])
    assert node["sources"] == ["grants"]  # provenance travels with the node
    assert node["cg_workspace"] == workspace.workspace_id()
    service = next(n for n, d in graph.nodes(data=True) if d["type"] == "Service")
    (row,) = _run(
        bolt, database, "MATCH (s:Service {id: $id}) RETURN s.phones AS phones", id=service
    )
    assert json.loads(row["phones"]) == graph.nodes[service]["phones"]
    ids = _run(
        bolt, database, "MATCH (n:Organization) RETURN count(n) AS n, count(DISTINCT n.id) AS d"
    )
    assert ids[0]["n"] == ids[0]["d"] == stats["nodes"]["Organization"]


def test_merge_starts_from_the_quieter_end(town: Path) -> None:
    hub = [{"source": "funder", "target": f"s{i}"} for i in range(5)]
    assert _anchor(hub) == "target"
    assert _anchor([{"source": f"s{i}", "target": "place"} for i in range(5)]) == "source"
    # The town's funders fund many services: the Bolt tests push that group from its targets.
    with Workspace(town) as workspace:
        graph = workspace.graph()
    funds = [
        {"source": u, "target": v}
        for u, v, d in graph.edges(data=True)
        if d["type"] == "FUNDS" and graph.nodes[v]["type"] == "Service"
    ]
    assert funds and _anchor(funds) == "target"


def test_pushing_twice_changes_nothing(
    town: Path, bolt: BoltServer, database: str, tmp_path: Path
) -> None:
    workspace = _copy(town, tmp_path)
    first = _push(workspace, bolt, database)
    second = _push(workspace, bolt, database)
    assert second.push == first.push
    assert second.batches_written == 0 and second.batches_skipped == first.batches_written
    assert (second.nodes, second.relationships) == (first.nodes, first.relationships)
    assert second.removed_nodes == second.removed_relationships == 0


def test_a_push_after_a_reingest_updates_and_removes_only_its_own(
    bolt: BoltServer, database: str, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    shutil.copytree(TEST_DATA / "oruk1", package)
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, package, name="council")
    _push(workspace, bolt, database)
    # Someone else's node, and another workspace's, must survive our removals.
    _run(bolt, database, "CREATE (:Organization {id: 'theirs', name: 'Not ours'})")
    other = Workspace(tmp_path / "other.db")
    ingest_hsds(other, TEST_DATA / "hsds10", name="elsewhere")
    _push(other, bolt, database)
    services = package / "services.csv"
    lines = services.read_text("utf-8").splitlines()
    services.write_text("\n".join(x for x in lines if not x.startswith("svc3")), "utf-8")
    organisations = package / "organizations.csv"
    organisations.write_text(
        organisations.read_text("utf-8").replace("Hartley Advice Centre", "Hartley Advice"), "utf-8"
    )
    ingest_hsds(workspace, package, name="council")
    result = _push(workspace, bolt, database)
    assert result.nodes == workspace.stats()["nodes"]
    assert result.removed_nodes == 1  # the service that went
    (renamed,) = _run(
        bolt, database, "MATCH (o:Organization {id: 'GB-CHC-1122334'}) RETURN o.name AS name"
    )
    assert renamed["name"] == "Hartley Advice"
    assert not _run(bolt, database, "MATCH (s:Service {id: 'council:service:svc3'}) RETURN s")
    assert _run(bolt, database, "MATCH (o:Organization {id: 'theirs'}) RETURN o")
    elsewhere = _run(
        bolt, database, "MATCH (s:Service) WHERE s.cg_workspace = $w RETURN count(s) AS n",
        w=other.workspace_id(),
    )  # fmt: skip
    assert elsewhere[0]["n"] == other.stats()["nodes"]["Service"]


def test_a_killed_push_resumes_without_duplicates(
    town: Path, bolt: BoltServer, database: str, tmp_path: Path
) -> None:
    workspace = _copy(town, tmp_path)
    env = {**os.environ, "NEO4J_PASSWORD": bolt.password}
    process = subprocess.Popen(
        [sys.executable, "-m", "civicgraph", "--db", str(workspace.path), "neo4j", "push",
         "--uri", bolt.uri, "--user", bolt.user, "--database", database, "--batch-size", "40"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    done: list[str] = []
    while time.monotonic() < deadline and process.poll() is None:
        rows = _run(bolt, database, "MATCH (p:CivicGraphPush) RETURN p.done AS done")
        done = rows[0]["done"] if rows and rows[0]["done"] else []
        if len(done) >= 3:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(done) >= 3, "the push finished before it could be killed"
    result = _push(workspace, bolt, database, batch_size=40)
    assert result.batches_skipped >= 3
    stats = workspace.stats()
    assert result.nodes == stats["nodes"] and result.relationships == stats["edges"]
    counts = _run(
        bolt, database, "MATCH (n:Service) RETURN count(n) AS n, count(DISTINCT n.id) AS d"
    )
    assert counts[0]["n"] == counts[0]["d"] == stats["nodes"]["Service"]


def test_data_stays_data(bolt: BoltServer, database: str, tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    evil = "x'}) DETACH DELETE n //"
    (package / "organizations.csv").write_text(
        f'id,name,odd`key\no1,"{evil}",value with `backticks`\n', "utf-8"
    )
    (package / "services.csv").write_text("id,organization_id,name\ns1,o1,Advice\n", "utf-8")
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, package, name="evil")
    _run(bolt, database, "CREATE (:Service {id: 'bystander'})")
    _push(workspace, bolt, database)
    (row,) = _run(bolt, database, "MATCH (o:Organization {id: 'evil:organization:o1'}) RETURN o")
    assert row["o"]["name"] == evil
    assert row["o"]["odd`key"] == "value with `backticks`"
    assert _run(bolt, database, "MATCH (s:Service {id: 'bystander'}) RETURN s")


def test_credentials_never_appear(
    town: Path, bolt: BoltServer, database: str, tmp_path: Path, run_cli, monkeypatch, caplog
) -> None:
    workspace = _copy(town, tmp_path)
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("NEO4J_PASSWORD", bolt.password)
    push = ["neo4j", "push", "--uri", bolt.uri, "--user", bolt.user, "--database", database]
    good = run_cli("--db", workspace.path, "-vv", *push)
    assert good.code == 0, good.err
    assert "Pushed to" in good.out
    wrong = "Wr0ng-" + bolt.password[::-1]
    monkeypatch.setenv("NEO4J_PASSWORD", wrong)
    bad = run_cli("--db", workspace.path, *push)
    assert bad.code == 1 and "refused the login" in bad.err
    monkeypatch.delenv("NEO4J_PASSWORD")
    missing = run_cli("--db", workspace.path, "neo4j", "push", "--uri", bolt.uri)
    assert missing.code == 2 and "NEO4J_PASSWORD" in missing.err
    for secret in (bolt.password, wrong):
        assert secret not in good.out + good.err + bad.out + bad.err + missing.err
        assert secret not in caplog.text


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "whatever-it-is")
    result = run_cli("--db", tmp_path / "w.db", "neo4j", "push", "--uri", "bolt://127.0.0.1:9")
    assert result.code == 1
    assert "no graph database answered" in result.err and "Traceback" not in result.err


# -- twins -----------------------------------------------------------------------------------


def _twin_params(name: str, graph: Any) -> dict[str, Any]:
    """Options for a twin that needs some: close the organisation with most services."""
    if name != "impact":
        return {}
    providers = [u for u, _, data in graph.edges(data=True) if data["type"] == "PROVIDES"]
    busiest = max(set(providers), key=lambda org: (providers.count(org), org))
    return {"remove": [busiest]}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_each_twin_gives_the_networkx_answer(
    name: str, town: Path, bolt: BoltServer, database: str, tmp_path: Path
) -> None:
    workspace = _copy(town, tmp_path)
    _push(workspace, bolt, database)
    graph = workspace.graph()
    params = _twin_params(name, graph)
    expected = QUERIES[name](graph, **params)
    actual = run_twin(
        name, uri=bolt.uri, user=bolt.user, password=bolt.password, database=database,
        workspace_id=workspace.workspace_id(), **params,
    )  # fmt: skip
    assert len(expected) > 0
    pd.testing.assert_frame_equal(
        expected.reset_index(drop=True), actual.reset_index(drop=True), check_dtype=False
    )


def _money_in_several_currencies() -> list[Any]:
    """Funders paying in pounds and dollars, one with no amounts, one with no currency."""
    from handmade import GRANT, ORG, edge, node

    from civicgraph.ontology import EdgeType

    records: list[Any] = [node(ORG, k, name=k) for k in ("F1", "F2", "F3", "R1", "R2")]
    for grant, funder, recipient, props in [
        ("G1", "F1", "R1", {"amount": 1000.0, "currency": "GBP"}),
        ("G2", "F1", "R1", {"amount": 400.0, "currency": "USD"}),
        ("G3", "F1", "R2", {"amount": 600.0, "currency": "USD"}),
        ("G4", "F2", "R2", {}),
        ("G5", "F3", "R2", {"amount": 50.0}),
        ("G6", "F2", "R1", {"amount": 0.0, "currency": "GBP"}),
    ]:
        records.append(node(GRANT, grant, title=grant, **props))
        records.append(edge(EdgeType.AWARDS, funder, grant))
        records.append(edge(EdgeType.AWARDED_TO, grant, recipient))
    return records


@pytest.mark.parametrize("currency", [None, "USD"])
def test_money_twins_keep_currencies_apart(
    currency: str | None, bolt: BoltServer, database: str, tmp_path: Path
) -> None:
    from handmade import ingest_records

    workspace = Workspace(tmp_path / "w.db")
    ingest_records(workspace, _money_in_several_currencies())
    _push(workspace, bolt, database)
    graph = workspace.graph()
    params = {"currency": currency} if currency else {}
    for name in ("funders", "funding-dependency"):
        expected = QUERIES[name](graph, **params)
        actual = run_twin(
            name, uri=bolt.uri, user=bolt.user, password=bolt.password, database=database,
            workspace_id=workspace.workspace_id(), **params,
        )  # fmt: skip
        pd.testing.assert_frame_equal(
            expected.reset_index(drop=True), actual.reset_index(drop=True), check_dtype=False
        )
    funders = QUERIES["funders"](graph, **params).set_index("funder")
    if currency is None:
        assert pd.isna(funders.loc["F1", "total"]) and pd.isna(funders.loc["F1", "currency"])
        assert funders.loc["F1", "totals"] == "£1,000; $1,000"
        assert funders.loc["F3", "totals"] == "50 (currency not stated)"
    else:
        assert funders.loc["F1", "total"] == 1000.0 and funders.loc["F1", "currency"] == "USD"
        assert "1 grants in other currencies not summed" in funders.loc["F1", "why"]
    assert "£0" not in " ".join(funders["why"]) and "GBP" not in str(funders.loc["F2", "why"])


def test_twin_cli(
    town: Path, bolt: BoltServer, database: str, tmp_path: Path, run_cli, monkeypatch
) -> None:
    workspace = _copy(town, tmp_path)
    _push(workspace, bolt, database)
    monkeypatch.setenv("NEO4J_PASSWORD", bolt.password)
    result = run_cli(
        "--db", workspace.path, "neo4j", "query", "funding-dependency", "--uri", bolt.uri,
        "--user", bolt.user, "--database", database, "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["query"] == "funding-dependency" and "scope" in answer
    rows = answer["rows"]
    assert rows and {"organization", "hhi", "why"} <= set(rows[0])
    # A projection twin, with the query's own options.
    result = run_cli(
        "--db", workspace.path, "neo4j", "query", "isolates", "--kind", "organization",
        "--uri", bolt.uri, "--user", bolt.user, "--database", database, "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]
    assert rows and {row["type"] for row in rows} == {"Organization"}


# -- the statements themselves ------------------------------------------------------------------

LINT = REPO / "tests" / "cypher_lint"


def _all_statements() -> dict[str, str]:
    return {**cypher_statements(), **{f"twin/{k}": v for k, v in twin_statements().items()}}


def _node() -> str:
    """Node with Neo4j's parser installed beside the linter."""
    node = shutil.which("node")
    if node is None or not (LINT / "node_modules").exists():
        missing("node or tests/cypher_lint/node_modules missing (make test runs npm ci)")
    return node


def test_every_statement_passes_neo4js_own_parser() -> None:
    node = _node()
    statements = _all_statements()
    items = [{"id": name, "query": text} for name, text in statements.items()]
    done = subprocess.run(
        [node, str(LINT / "lint.mjs"), "--cypher=5"], input=json.dumps(items), capture_output=True,
        text=True, check=False, cwd=LINT,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    results = json.loads(done.stdout)
    problems = [(r["id"], d["message"]) for r in results for d in r["diagnostics"]]
    assert not problems
    assert len(results) == len(statements)


def test_the_linter_catches_what_neo4j_5_rejects() -> None:
    node = _node()
    bad = ["CREATE CONSTRAINT ON (n:Organization) ASSERT n.id IS UNIQUE",
           "MATCH (n) WHERE exists(n.name) RETURN n"]  # fmt: skip
    done = subprocess.run(
        [node, str(LINT / "lint.mjs")], input=json.dumps(bad), capture_output=True, text=True,
        check=False, cwd=LINT,
    )  # fmt: skip
    assert done.returncode == 1
    assert all(not r["ok"] for r in json.loads(done.stdout))


def test_the_emitted_cypher_matches_its_golden_file() -> None:
    path = TEST_DATA / "golden" / "cypher.txt"
    text = "".join(
        f"// {name}\n{body.strip()}\n\n" for name, body in sorted(_all_statements().items())
    )
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_labels_and_types_come_only_from_the_ontology() -> None:
    from civicgraph.graph._cypher import _quote

    with pytest.raises(ValueError, match="not an ontology label"):
        _quote("Organization`) DETACH DELETE n //")


# -- CSV for neo4j-admin --------------------------------------------------------------------------


def test_neo4j_admin_csv_round_trips(town: Path, tmp_path: Path) -> None:
    import csv

    workspace = Workspace(town)
    written = write_neo4j_csv(workspace, tmp_path / "import")
    graph = workspace.graph()
    nodes: dict[str, dict[str, str]] = {}
    for path in written:
        if not path.name.startswith("nodes_"):
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            assert header[:2] == ["id:ID", ":LABEL"]
            for row in reader:
                nodes[row[0]] = dict(zip(header, row, strict=True))
    assert set(nodes) == set(graph.nodes)
    grant = next(n for n, d in graph.nodes(data=True) if d["type"] == "Grant")
    assert float(nodes[grant]["amount:double"]) == graph.nodes[grant]["amount"]
    organisation = next(n for n, d in graph.nodes(data=True) if d.get("org_ids"))
    assert (
        nodes[organisation]["org_ids:string[]"].split("\x1f")
        == graph.nodes[organisation]["org_ids"]
    )
    relationships: set[tuple[str, str, str]] = set()
    for path in written:
        if path.name.startswith("relationships_"):
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                assert next(reader)[:4] == [":START_ID", ":END_ID", ":TYPE", "key"]
                relationships |= {(row[0], row[1], row[3]) for row in reader}
    assert relationships == set(graph.edges(keys=True))
    script = (tmp_path / "import" / "import.sh").read_text()
    assert "neo4j-admin database import full" in script and "--array-delimiter=U+001F" in script
