"""SHACL validation and SPARQL, through the Python API and the CLI.

The network files (GraphML, GEXF, Kumu) are tested in test_netfiles.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from handmade import GRANT, ORG, SVC, edge, ingest_records, node, small_town_workspace

from civicgraph import InputError, UsageError, Workspace
from civicgraph.demo import run_demo
from civicgraph.graph.rdf import export_rdf
from civicgraph.graph.shacl import validate_rdf
from civicgraph.ontology import EdgeType
from civicgraph.queries import rdf_store, run_sparql, sparql_library

ID = "https://w3id.org/civicgraph/id/"


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return small_town_workspace(tmp_path_factory.mktemp("town") / "w.db")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo"), services=80, seed=4).workspace


# -- SHACL -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "rdfxml"])
def test_the_demos_export_conforms_in_every_syntax(demo: Path, tmp_path: Path, fmt: str) -> None:
    path = (
        tmp_path
        / f"demo.{ {'turtle': 'ttl', 'jsonld': 'jsonld', 'nt': 'nt', 'rdfxml': 'rdf'}[fmt] }"
    )
    export_rdf(Workspace(demo), path, format=fmt)
    report = validate_rdf(path)
    assert report.conforms(), report.summary_lines()
    assert report.count("Violation") == 0


def test_the_hand_built_town_conforms_without_warnings(town: Workspace, tmp_path: Path) -> None:
    export_rdf(town, tmp_path / "town.ttl")
    report = validate_rdf(tmp_path / "town.ttl")
    assert report.results == [], report.summary_lines()


def _broken(tmp_path: Path) -> Path:
    workspace = Workspace(tmp_path / "broken.db")
    ingest_records(
        workspace,
        [
            node(ORG, "GB-CHC-1", name="Funder"),
            node(SVC, "hand:service:orphan", name="Orphan service"),
            node(GRANT, "360G-nothing", title="No amount", currency="GBP"),
            node(GRANT, "360G-bad", title="Bad amount", amount="lots", currency="GBP"),
            edge(EdgeType.AWARDS, "GB-CHC-1", "360G-nothing"),
            edge(EdgeType.AWARDS, "GB-CHC-1", "360G-bad"),
        ],
    )
    path = tmp_path / "broken.ttl"
    export_rdf(workspace, path)
    return path


def test_broken_exports_are_caught_with_the_rule_named(tmp_path: Path) -> None:
    report = validate_rdf(_broken(tmp_path))
    found = {(r.severity, r.shape, r.focus_node.rsplit("/", 1)[1]) for r in report.results}
    assert ("Warning", "Service-has-provider", "hand:service:orphan") in found
    assert ("Violation", "Grant-has-amount", "360G-nothing") in found
    assert ("Violation", "Grant-has-amount", "360G-bad") in found  # ingest kept "lots" aside
    assert not report.conforms()
    messages = {r.shape: r.message for r in report.results}
    assert messages["Grant-has-amount"] == "A grant has no amount."
    assert "no provider" in messages["Service-has-provider"]
    paths = {r.shape: r.path for r in report.results}
    assert paths["Service-has-provider"] == "^cg:provides"


def test_a_value_of_the_wrong_datatype_is_a_violation(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f'<{ID}grant/360G-bad> <https://w3id.org/civicgraph/ns#amount> "lots" .\n')
    report = validate_rdf(path)
    (wrong,) = [r for r in report.results if r.shape == "Grant-amount"]
    assert (wrong.severity, wrong.value, wrong.path) == ("Violation", "lots", "cg:amount")


def test_validate_rdf_cli_exits_1_on_violations_and_reads_warnings_as_passing(
    tmp_path: Path, town: Workspace, run_cli
) -> None:
    broken = _broken(tmp_path)
    result = run_cli("validate-rdf", broken)
    assert result.code == 1
    assert "Violation ×2 [Grant-has-amount] A grant has no amount." in result.out
    assert "focus https://w3id.org/civicgraph/id/grant/360G-nothing" in result.out
    as_json = json.loads(run_cli("validate-rdf", broken, "--format", "json").out)
    assert as_json["conforms"] is False and as_json["counts"]["Violation"] >= 1
    orphan = Workspace(tmp_path / "orphan.db")
    ingest_records(orphan, [node(SVC, "hand:service:orphan", name="Orphan")])
    export_rdf(orphan, tmp_path / "orphan.nt", format="nt")
    assert run_cli("validate-rdf", tmp_path / "orphan.nt").code == 0
    assert run_cli("validate-rdf", tmp_path / "orphan.nt", "--fail-on", "warning").code == 1


def test_validate_rdf_explains_unreadable_files(tmp_path: Path, run_cli) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(InputError, match="is not readable as turtle"):
        validate_rdf(bad)
    result = run_cli("validate-rdf", bad)
    assert result.code == 1 and "Fix:" in result.err
    assert run_cli("validate-rdf", tmp_path / "missing.ttl").code == 2
    odd = tmp_path / "data.bin"
    odd.write_text("", encoding="utf-8")
    with pytest.raises(UsageError, match="give `format`"):
        validate_rdf(odd)


# -- SPARQL ------------------------------------------------------------------------------


def test_the_library_has_the_three_example_queries() -> None:
    assert set(sparql_library()) >= {
        "services-per-organisation",
        "organisations-funded-by",
        "areas-without-category",
    }


def test_services_per_organisation(town: Workspace) -> None:
    frame = run_sparql(town, "services-per-organisation")
    assert dict(zip(frame["name"], frame["services"], strict=True)) == {
        "Riverside Advice": 1,
        "Hill Group": 1,
        "Oak Foundation": 0,
    }


def test_organisations_funded_by_a_funder(town: Workspace) -> None:
    frame = run_sparql(town, "organisations-funded-by")
    rows = {(r.funder_name, r.name, r.how, r.grants) for r in frame.itertuples()}
    assert rows == {
        ("Oak Foundation", "Riverside Advice", "grant", 1),
        ("Oak Foundation", "Hill Group", "funds a service it provides", 0),
    }
    assert frame.loc[frame["how"] == "grant", "amount_total"].tolist() == [5000.0]
    other = run_sparql(
        town, "organisations-funded-by", params={"funder": f"<{ID}organization/GB-CHC-1>"}
    )
    assert other.empty


def test_areas_without_a_category(town: Workspace) -> None:
    frame = run_sparql(town, "areas-without-category")
    # Food is served across the local authority (so in both its LSOAs); debt advice sits in
    # the hall in E01000001, so advice is missing only from E01000002.
    assert [(r.area_name, r.category_name) for r in frame.itertuples()] == [
        ("Riverside 001B", "Advice")
    ]
    food = run_sparql(
        town, "areas-without-category", params={"category": f"<{ID}concept/hand:concept:food>"}
    )
    assert food.empty


def test_sparql_answers_the_example_queries_on_the_demo(demo: Path, run_cli) -> None:
    store = rdf_store(Workspace(demo))
    frame = run_sparql(store, "services-per-organisation")
    assert frame["services"].sum() == Workspace(demo).stats()["edges"]["PROVIDES"]
    for name in sparql_library():
        result = run_cli("--db", demo, "sparql", name, "--format", "json")
        assert result.code == 0, result.err
        answer = json.loads(result.out)
        assert answer["query"] == f"sparql {name}" and isinstance(answer["rows"], list)


def test_sparql_cli_text_file_params_and_errors(town: Workspace, tmp_path: Path, run_cli) -> None:
    db = town.path
    count = run_cli("--db", db, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a cg:Service }")
    assert count.code == 0 and count.out.split()[-1] == "2"
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?name WHERE { ?o a cg:Organization ; cg:name ?name }", "utf-8")
    named = run_cli(
        "--db", db, "sparql", "--file", query, "--param", "name=Hill Group", "--format", "csv"
    )
    assert named.code == 0 and named.out.splitlines() == ["name", "Hill Group"]
    ask = run_cli("--db", db, "sparql", "ASK { ?g a cg:Grant }", "--format", "json")
    assert json.loads(ask.out)["rows"] == [{"ask": True}]
    assert run_cli("--db", db, "sparql", "SELECT WHERE {").code == 1
    assert run_cli("--db", db, "sparql", "no-such-query").code == 2
    assert run_cli("--db", db, "sparql").code == 2
    listed = run_cli("sparql", "--list")
    assert "services-per-organisation" in listed.out


def test_export_cli_writes_every_format(town: Workspace, tmp_path: Path, run_cli) -> None:
    for fmt, name in [
        ("turtle", "t.ttl"),
        ("nt", "t.nt"),
        ("jsonld", "t.jsonld"),
        ("rdfxml", "t.rdf"),
    ]:
        result = run_cli(
            "--db", town.path, "export", "rdf", "--format", fmt, "--out", tmp_path / name
        )
        assert result.code == 0 and "triples written" in result.err
    bad_base = run_cli(
        "--db", town.path, "export", "rdf", "--out", tmp_path / "x.ttl", "--base-iri", "nope"
    )
    assert bad_base.code == 2 and "absolute IRI" in bad_base.err


def test_the_export_group_holds_every_exporter(run_cli) -> None:
    listed = run_cli("export", "--help").out
    for name in ("rdf", "graphml", "gexf", "kumu", "csv", "neo4j-csv"):
        assert f"  {name} " in listed, name
