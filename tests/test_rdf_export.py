"""RDF exports: the expected graph, every syntax, stable IRIs, provenance, escaping, JSON-LD."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from handmade import CONCEPT, ORG, SPECIAL, SVC, edge, ingest_records, node, small_town_workspace
from helpers import shared
from rdflib.compare import isomorphic

from civicgraph import UsageError, Workspace, ingest_hsds
from civicgraph.graph._rdf_writers import xml_safe
from civicgraph.graph.rdf import RDF_FORMATS, export_rdf, rdf_triples
from civicgraph.graph.shacl import validate_rdf
from civicgraph.ontology import EdgeType
from civicgraph.ontology.publish import CONTEXT_FILE, published_path
from civicgraph.ontology.rdf import CG, CGF, GSP, PROV, SKOS, VOID

RDFLIB_PARSER = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
OXIGRAPH_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
BASE = "https://data.example.org/id/"
ID = "https://w3id.org/civicgraph/id/"


def exported(workspace: Workspace, fmt: str, **options: str) -> bytes:
    buffer = io.BytesIO()
    export_rdf(workspace, buffer, format=fmt, **options)
    return buffer.getvalue()


def parse(data: bytes, fmt: str) -> rdflib.Graph:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return rdflib.Graph().parse(data=data, format=RDFLIB_PARSER[fmt])


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return small_town_workspace(
        tmp_path_factory.mktemp("town") / "w.db",
        license={"name": "OGL-UK-3.0", "url": "https://example.org/ogl"},
    )


def test_a_tiny_workspace_exports_exactly_the_expected_graph(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_records(
        workspace,
        [
            node(ORG, "GB-CHC-1", name="Riverside Advice"),
            node(SVC, "hand:service:debt", name="Debt advice", status="inactive"),
            edge(EdgeType.PROVIDES, "GB-CHC-1", "hand:service:debt"),
        ],
        sha256="0123456789abcdef" * 4,
    )
    when = workspace.sources()[0]["snapshots"][0]["ingested_at"]
    day = f'"{when[:10]}"^^xsd:date'  # the snapshot's day: first and last asserted
    expected = rdflib.Graph().parse(
        format="turtle",
        data=f"""
        @prefix cg: <{CG}> . @prefix id: <{BASE}> . @prefix prov: <{PROV}> .
        @prefix schema: <https://schema.org/> . @prefix org: <http://www.w3.org/ns/org#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix void: <{VOID}> .
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix snap: <{BASE}source/hand/snapshot/> .

        <{BASE}organization/GB-CHC-1> a cg:Organization, schema:Organization, org:Organization ;
            rdfs:label "Riverside Advice" ; cg:name "Riverside Advice" ;
            cg:lifecycleState <https://w3id.org/civicgraph/lifecycle/open> ;
            cg:lifecycleEvidence "no status field or explicit words: listed, so open" ;
            cg:firstAsserted {day} ; cg:lastAsserted {day} ;
            cg:provides <{BASE}service/hand:service:debt> ;
            prov:wasDerivedFrom snap:0123456789abcdef ;
            prov:qualifiedDerivation <{BASE}organization/GB-CHC-1#from-hand> .
        <{BASE}organization/GB-CHC-1#from-hand> a prov:Derivation ;
            prov:entity snap:0123456789abcdef ; cg:recordId "GB-CHC-1" .
        <{BASE}service/hand:service:debt> a cg:Service, schema:Service ;
            rdfs:label "Debt advice" ; cg:name "Debt advice" ; cg:status "inactive" ;
            cg:lifecycleState <https://w3id.org/civicgraph/lifecycle/closed> ;
            cg:lifecycleEvidence "status 'inactive'" ;
            cg:firstAsserted {day} ; cg:lastAsserted {day} ;
            prov:wasDerivedFrom snap:0123456789abcdef ;
            prov:qualifiedDerivation <{BASE}service/hand:service:debt#from-hand> .
        <{BASE}service/hand:service:debt#from-hand> a prov:Derivation ;
            prov:entity snap:0123456789abcdef ; cg:recordId "hand:service:debt" .
        <{BASE}relationship/provides/GB-CHC-1/hand:service:debt> a rdf:Statement ;
            rdf:subject <{BASE}organization/GB-CHC-1> ; rdf:predicate cg:provides ;
            rdf:object <{BASE}service/hand:service:debt> ;
            cg:firstAsserted {day} ; cg:lastAsserted {day} ;
            prov:wasDerivedFrom snap:0123456789abcdef .
        <{BASE}source/hand> a dcat:Dataset, prov:Entity ; dct:title "hand" ; cg:ingester "hand" .
        snap:0123456789abcdef a prov:Entity ; prov:specializationOf <{BASE}source/hand> ;
            prov:generatedAtTime "{when}"^^xsd:dateTime ;
            cg:sha256 "{"0123456789abcdef" * 4}" ; cg:variant "hand-built" .
        <{BASE}dataset> a void:Dataset, dcat:Dataset ; dct:title "civicgraph export" ;
            dct:conformsTo <https://w3id.org/civicgraph/ns> ; void:uriSpace "{BASE}" ;
            void:triples 45 ; void:entities 2 ; dct:modified "{when}"^^xsd:dateTime ;
            void:vocabulary <https://w3id.org/civicgraph/ns>, <https://schema.org/>,
                <http://www.w3.org/ns/org>, <http://www.w3.org/2004/02/skos/core>,
                <http://www.w3.org/ns/prov> ;
            dct:source <{BASE}source/hand> ; prov:wasDerivedFrom snap:0123456789abcdef ;
            void:classPartition <{BASE}dataset#class-Organization>, <{BASE}dataset#class-Service> ;
            void:propertyPartition <{BASE}dataset#property-provides> .
        <{BASE}dataset#class-Organization> void:class cg:Organization ; void:entities 1 .
        <{BASE}dataset#class-Service> void:class cg:Service ; void:entities 1 .
        <{BASE}dataset#property-provides> void:property cg:provides ; void:triples 1 .
        """,
    )
    for fmt in RDF_FORMATS:
        got = parse(exported(workspace, fmt, base_iri=BASE), fmt)
        assert isomorphic(got, expected), (fmt, set(got) ^ set(expected))


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_every_syntax_reads_back_to_the_same_graph_as_rdflibs_own_output(
    town: Workspace, fmt: str
) -> None:
    ours = parse(exported(town, fmt), fmt)
    reference = rdflib.Graph()
    for s, p, o, dt in rdf_triples(town):
        if dt is None:
            obj: rdflib.term.Node = rdflib.URIRef(o)
        elif dt.endswith("#string"):
            obj = rdflib.Literal(o)  # RDF 1.1: a plain literal is an xsd:string
        else:
            obj = rdflib.Literal(o, datatype=rdflib.URIRef(dt))
        reference.add((rdflib.URIRef(s), rdflib.URIRef(p), obj))
    rdflibs = parse(reference.serialize(format=RDFLIB_PARSER[fmt], encoding="utf-8"), fmt)
    assert len(ours) == len(reference) > 300
    assert isomorphic(ours, rdflibs)
    assert isomorphic(ours, reference)


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_pyoxigraphs_strict_parsers_read_every_syntax_to_the_same_triples(
    town: Workspace, fmt: str
) -> None:
    expected = set(ox.parse(exported(town, "nt"), ox.RdfFormat.N_TRIPLES))
    assert set(ox.parse(exported(town, fmt), OXIGRAPH_FORMAT[fmt])) == expected


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_two_exports_and_a_reingest_of_the_same_data_are_identical(
    tmp_path: Path, fmt: str
) -> None:
    workspace = small_town_workspace(tmp_path / "w.db")
    first = exported(workspace, fmt)
    assert exported(workspace, fmt) == first
    ingest_records(workspace, [node(ORG, "other:organization:1", name="Other")], name="other")
    ingest_records(workspace, [node(ORG, "other:organization:1", name="Other")], name="other")
    before_reingest = exported(workspace, fmt)
    from handmade import small_town

    ingest_records(workspace, small_town())  # the same data again, a new snapshot
    assert len(workspace.sources()[0]["snapshots"]) == 2
    assert exported(workspace, fmt) == before_reingest


def test_iris_come_from_ids_and_the_base_iri(town: Workspace) -> None:
    subjects = {s for s, _, _, _ in rdf_triples(town, base_iri=BASE)}
    assert f"{BASE}organization/GB-CHC-1" in subjects
    assert f"{BASE}location/uprn:100" in subjects
    assert f"{BASE}relationship/refers-to/hand:service:debt/hand:service:food/2024-Q1" in subjects
    with pytest.raises(UsageError, match="absolute IRI"):
        list(rdf_triples(town, base_iri="not an iri"))


def test_provenance_names_each_source_snapshot_and_record(tmp_path: Path) -> None:
    workspace = small_town_workspace(tmp_path / "w.db")
    ingest_records(
        workspace,
        [node(ORG, "GB-CHC-1", name="Riverside Advice CIO")],
        name="register",
        sha256="cd" * 32,
    )
    graph = parse(exported(workspace, "nt", base_iri=BASE), "nt")
    org = rdflib.URIRef(f"{BASE}organization/GB-CHC-1")
    derived = set(graph.objects(org, rdflib.URIRef(PROV + "wasDerivedFrom")))
    assert derived == {
        rdflib.URIRef(f"{BASE}source/hand/snapshot/{'ab' * 8}"),
        rdflib.URIRef(f"{BASE}source/register/snapshot/{'cd' * 8}"),
    }
    derivation = rdflib.URIRef(f"{BASE}organization/GB-CHC-1#from-register")
    assert graph.value(derivation, rdflib.URIRef(CG + "recordId")) == rdflib.Literal("GB-CHC-1")
    referral = rdflib.URIRef(
        f"{BASE}relationship/refers-to/hand:service:debt/hand:service:food/2024-Q2"
    )
    assert graph.value(referral, rdflib.URIRef(CG + "count")) == rdflib.Literal(7)
    assert graph.value(referral, rdflib.URIRef(CG + "period")) == rdflib.Literal("2024-Q2")


def test_licence_geometry_skos_and_counts(town: Workspace) -> None:
    graph = parse(exported(town, "turtle", base_iri=BASE), "turtle")
    source = rdflib.URIRef(f"{BASE}source/hand")
    assert graph.value(source, rdflib.URIRef("http://purl.org/dc/terms/license")) == rdflib.URIRef(
        "https://example.org/ogl"
    )
    geometry = graph.value(
        rdflib.URIRef(f"{BASE}location/uprn:100"), rdflib.URIRef(GSP + "hasGeometry")
    )
    assert str(graph.value(geometry, rdflib.URIRef(GSP + "asWKT"))) == "POINT(-0.125 51.5)"
    debt, advice = (rdflib.URIRef(f"{BASE}concept/hand:concept:{t}") for t in ("debt", "advice"))
    assert (debt, rdflib.URIRef(SKOS + "broader"), advice) in graph
    scheme = rdflib.URIRef(f"{BASE}scheme/Needs")
    assert (advice, rdflib.URIRef(SKOS + "topConceptOf"), scheme) in graph
    assert (debt, rdflib.URIRef(SKOS + "topConceptOf"), scheme) not in graph
    assert (debt, rdflib.URIRef(SKOS + "prefLabel"), rdflib.Literal("Debt")) in graph
    dataset = rdflib.URIRef(f"{BASE}dataset")
    described = sum(1 for s, _, _ in graph if str(s).startswith(str(dataset)))
    assert int(graph.value(dataset, rdflib.URIRef(VOID + "triples"))) == len(graph) - described
    assert int(graph.value(dataset, rdflib.URIRef(VOID + "entities"))) == 13


def test_nested_values_are_json_literals_and_lists_are_one_triple_per_item(town: Workspace) -> None:
    graph = parse(exported(town, "nt", base_iri=BASE), "nt")
    hill = rdflib.URIRef(f"{BASE}organization/GB-CHC-3")
    phones = graph.value(hill, rdflib.URIRef(CG + "phones"))
    assert str(phones.datatype).endswith("#JSON")
    assert json.loads(str(phones)) == [{"number": "01632 960000"}]
    debt = rdflib.URIRef(f"{BASE}service/hand:service:debt")
    assert {str(o) for o in graph.objects(debt, rdflib.URIRef(CG + "languages"))} == {
        "English",
        "Urdu",
    }


def test_the_jsonld_uses_the_published_context_and_expands_to_the_same_graph(
    town: Workspace,
) -> None:
    data = exported(town, "jsonld")
    document = json.loads(data)
    published = json.loads(published_path(CONTEXT_FILE).read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"]
    organisation = next(n for n in document["@graph"] if n["@id"].endswith("GB-CHC-1"))
    assert organisation["name"] == "Riverside Advice"
    assert "Organization" in organisation["@type"]
    expanded = parse(data, "jsonld")
    assert isomorphic(expanded, parse(exported(town, "nt"), "nt"))


CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_special_characters_survive_every_syntax(tmp_path: Path, fmt: str) -> None:
    workspace = Workspace(tmp_path / "w.db")
    text = SPECIAL + CONTROL + "\u2028\ufeff"
    ingest_records(
        workspace,
        [
            node(ORG, 'GB-CHC-9 "odd" <id>', name=text, **{'Fee (£) "x"': text}),
            node(CONCEPT, "hand:concept:x", name=text, term_uri="geo:1,2"),
        ],
    )
    graph = parse(exported(workspace, fmt, base_iri=BASE), fmt)
    # XML 1.0 cannot hold C0 controls other than tab, LF, CR: RDF/XML writes U+FFFD for them.
    want = xml_safe(text) if fmt == "rdfxml" else text
    names = {str(o) for o in graph.objects(None, rdflib.URIRef(CG + "name"))}
    assert names == {want}
    fields = [p for p in graph.predicates() if str(p).startswith(CGF)]
    assert len(fields) == 1 and {str(o) for o in graph.objects(None, fields[0])} == {want}
    assert not list(graph.objects(None, rdflib.URIRef(SKOS + "exactMatch")))
    assert f"{BASE}organization/GB-CHC-9%20%22odd%22%20%3Cid%3E" in {
        str(s) for s in graph.subjects()
    }


def test_a_data_packages_licence_reaches_the_sources_and_the_export(
    tmp_path: Path, test_data: Path
) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, test_data / "oruk1", name="council")
    snapshot = workspace.sources()[0]["snapshots"][0]
    assert snapshot["metadata"]["license"] == {"name": "CC0-1.0", "url": ""}
    graph = parse(exported(workspace, "nt", base_iri=BASE), "nt")
    source = rdflib.URIRef(f"{BASE}source/council")
    assert graph.value(source, rdflib.URIRef(CG + "licenseName")) == rdflib.Literal("CC0-1.0")


def test_a_real_directory_exports_and_validates(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, shared("hsds1_miami_open211"), name="miami")
    path = tmp_path / "miami.nt"
    count = export_rdf(workspace, path, format="nt")
    assert count > 100_000
    source = f"<{ID}source/miami>"
    text = path.read_text(encoding="utf-8")
    assert f"{source} <http://purl.org/dc/terms/license> " in text
    report = validate_rdf(path)
    # The directory's dirt is warnings (services whose organisation is missing), not violations.
    assert report.count("Violation") == 0, report.summary_lines()
    assert report.count("Warning") >= 447
