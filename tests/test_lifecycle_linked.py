"""Lifecycle states and time, linked: the SKOS scheme, the RDF export, the Neo4j push."""

from __future__ import annotations

from pathlib import Path

import neo4j as neo4j_driver
import rdflib
from arcadedb_server import BoltServer
from handmade import edge, ingest_records, node
from helpers import shared
from rdflib.namespace import RDF, SKOS

from civicgraph import Workspace, ingest_360giving
from civicgraph.graph.neo4j import node_properties, push_to_neo4j
from civicgraph.graph.rdf import export_rdf
from civicgraph.graph.shacl import validate_rdf
from civicgraph.ontology import EdgeType, NodeType, lifecycle
from civicgraph.ontology.lifecycle import (
    LIFECYCLE_FILE,
    LIFECYCLE_SCHEME,
    LIFECYCLE_STATES,
    lifecycle_iri,
    lifecycle_turtle,
)
from civicgraph.ontology.publish import published_path
from civicgraph.ontology.rdf import CG
from civicgraph.queries.changes import _STATE_CHANGE
from civicgraph.queries.twins import _plain


def _scheme() -> rdflib.Graph:
    return rdflib.Graph().parse(published_path(LIFECYCLE_FILE), format="turtle")


def test_the_published_scheme_is_the_python_table() -> None:
    assert published_path(LIFECYCLE_FILE).read_text(encoding="utf-8") == lifecycle_turtle()
    graph = _scheme()
    scheme = rdflib.URIRef(LIFECYCLE_SCHEME)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    concepts = {
        str(graph.value(c, SKOS.notation)): (
            str(c),
            str(graph.value(c, SKOS.prefLabel)),
            str(graph.value(c, SKOS.definition)),
        )
        for c in graph.subjects(SKOS.inScheme, scheme)
    }
    assert concepts == {
        s.notation: (lifecycle_iri(s.notation), s.label, s.definition) for s in LIFECYCLE_STATES
    }
    assert {str(c) for c in graph.objects(scheme, SKOS.hasTopConcept)} == {
        iri for iri, _, _ in concepts.values()
    }
    assert [s.notation for s in LIFECYCLE_STATES] == [
        "open",
        "reduced",
        "transferred",
        "volunteer-run",
        "temporarily-closed",
        "closed",
    ]


def test_every_state_the_code_gives_is_in_the_scheme() -> None:
    notations = {s.notation for s in LIFECYCLE_STATES}
    given = set(lifecycle._STATUS_WORDS.values()) | {state for state, _ in lifecycle._WORDS}
    assert given <= notations
    assert set(_STATE_CHANGE) == notations


# -- RDF: lifecycle states and dates ------------------------------------------------------

LIFE = "https://w3id.org/civicgraph/lifecycle/"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
XSD_DATE = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#date")


def _dated_workspace(path: Path) -> Workspace:
    workspace = Workspace(path)
    ingest_records(
        workspace,
        [
            node(NodeType.ORGANIZATION, "GB-CHC-1", name="Riverside Advice"),
            node(NodeType.SERVICE, "hand:service:shut", name="Shut", status="inactive"),
            node(NodeType.SERVICE, "hand:service:pause", name="Pause", status="temporarily closed"),
            node(
                NodeType.SERVICE,
                "hand:service:vols",
                name="Vols",
                status="active",
                description="Now run by volunteers on Fridays.",
            ),
            node(NodeType.SERVICE, "hand:service:plain", name="Plain"),
            node(NodeType.LOCATION, "hand:location:hall", name="Hall"),
            node(
                NodeType.GRANT,
                "360G-good",
                title="Good",
                amount=1000,
                currency="GBP",
                award_date="2024-03-01",
                planned_start="2024-04-01",
                planned_end="2025-03-31",
            ),
            node(
                NodeType.GRANT,
                "360G-backwards",
                title="Backwards",
                amount=500,
                currency="GBP",
                planned_start="2025-04-01",
                planned_end="2024-03-31",
            ),
            edge(EdgeType.PROVIDES, "GB-CHC-1", "hand:service:shut"),
            edge(EdgeType.PROVIDES, "GB-CHC-1", "hand:service:pause"),
            edge(EdgeType.PROVIDES, "GB-CHC-1", "hand:service:vols"),
            edge(EdgeType.PROVIDES, "GB-CHC-1", "hand:service:plain"),
            edge(EdgeType.AWARDS, "GB-CHC-1", "360G-good"),
            edge(EdgeType.AWARDS, "GB-CHC-1", "360G-backwards"),
        ],
    )
    return workspace


def _subject(graph: rdflib.Graph, local: str) -> rdflib.URIRef:
    (found,) = {
        s
        for s in graph.subjects(RDF.type, None)
        if str(s).endswith("/" + local) and "/relationship/" not in str(s)
    }
    return rdflib.URIRef(str(found))


def test_the_export_says_each_lifecycle_state_as_the_scheme_concept(tmp_path: Path) -> None:
    workspace = _dated_workspace(tmp_path / "w.db")
    out = tmp_path / "town.ttl"
    export_rdf(workspace, out, format="turtle")
    graph = rdflib.Graph().parse(out, format="turtle")
    state = rdflib.URIRef(CG + "lifecycleState")
    evidence = rdflib.URIRef(CG + "lifecycleEvidence")
    states = {
        local: str(graph.value(_subject(graph, local), state))
        for local in (
            "hand:service:shut",
            "hand:service:pause",
            "hand:service:vols",
            "hand:service:plain",
            "GB-CHC-1",
            "hand:location:hall",
        )
    }
    assert states == {
        "hand:service:shut": LIFE + "closed",
        "hand:service:pause": LIFE + "temporarily-closed",
        "hand:service:vols": LIFE + "volunteer-run",
        "hand:service:plain": LIFE + "open",
        "GB-CHC-1": LIFE + "open",
        "hand:location:hall": LIFE + "open",
    }
    # Every state named is a concept of the published scheme, with its evidence beside it.
    assert set(states.values()) <= {str(c) for c in _scheme().subjects(RDF.type, SKOS.Concept)}
    assert str(graph.value(_subject(graph, "hand:service:vols"), evidence)) == (
        "description says 'run by volunteers'"
    )
    # Grants have no lifecycle; their time is their dates.
    assert graph.value(_subject(graph, "360G-good"), state) is None


def test_the_export_carries_grant_dates_and_the_shapes_check_their_order(tmp_path: Path) -> None:
    workspace = _dated_workspace(tmp_path / "w.db")
    out = tmp_path / "town.nt"
    export_rdf(workspace, out, format="nt")
    graph = rdflib.Graph().parse(out, format="nt")
    good = _subject(graph, "360G-good")
    dates = {
        p: graph.value(good, rdflib.URIRef(p))
        for p in (SCHEMA + "startDate", SCHEMA + "endDate", DCT + "date")
    }
    assert dates == {
        SCHEMA + "startDate": rdflib.Literal("2024-04-01", datatype=XSD_DATE),
        SCHEMA + "endDate": rdflib.Literal("2025-03-31", datatype=XSD_DATE),
        DCT + "date": rdflib.Literal("2024-03-01", datatype=XSD_DATE),
    }
    report = validate_rdf(out)
    disorder = [r for r in report.results if r.shape.endswith("Grant-dates-in-order")]
    assert [(r.severity, r.focus_node.rsplit("/", 1)[1]) for r in disorder] == [
        ("Violation", "360G-backwards")
    ]
    assert [r for r in report.results if "lifecycle" in r.shape] == []


def test_real_dated_grants_export_their_dates_and_validate(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_360giving(workspace, shared("360giving_grantnav_samples") / "ocf1.json", name="ocf")
    grants = {
        n: d
        for n, d in workspace.graph().nodes(data=True)
        if d["type"] == NodeType.GRANT and isinstance(d.get("planned_end"), str)
    }
    assert len(grants) > 30
    out = tmp_path / "ocf.nt"
    export_rdf(workspace, out, format="nt")
    graph = rdflib.Graph().parse(out, format="nt")
    ends = {
        str(s).rsplit("/", 1)[1]: str(o)
        for s, o in graph.subject_objects(rdflib.URIRef(SCHEMA + "endDate"))
    }
    assert ends == {n: d["planned_end"] for n, d in grants.items()}
    report = validate_rdf(out)
    assert report.count("Violation") == 0, report.summary_lines()


# -- Neo4j: the same, as properties -----------------------------------------------------------


def test_the_push_carries_lifecycle_states_and_dates(bolt: BoltServer, tmp_path: Path) -> None:
    workspace = _dated_workspace(tmp_path / "w.db")
    database = bolt.fresh_database()
    push_to_neo4j(
        workspace, uri=bolt.uri, user=bolt.user, password=bolt.password, database=database
    )
    with neo4j_driver.GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password)) as driver:
        services, _, _ = driver.execute_query(
            "MATCH (s:Service) RETURN s.id AS id, s.lifecycle AS state, "
            "s.lifecycle_evidence AS evidence",
            database_=database,
        )
        grants, _, _ = driver.execute_query(
            "MATCH (g:Grant) WHERE g.planned_end < g.planned_start RETURN g.id AS id, "
            "g.planned_end AS end, g.lifecycle AS state",
            database_=database,
        )
    assert {r["id"]: r["state"] for r in services} == {
        "hand:service:shut": "closed",
        "hand:service:pause": "temporarily-closed",
        "hand:service:vols": "volunteer-run",
        "hand:service:plain": "open",
    }
    assert {r["id"]: r["evidence"] for r in services}["hand:service:shut"] == "status 'inactive'"
    # Dates are temporal values the database compares, not text.
    assert [(r["id"], r["end"].iso_format(), r["state"]) for r in grants] == [
        ("360G-backwards", "2024-03-31", None)
    ]


def test_a_sources_own_lifecycle_field_is_kept_apart() -> None:
    props = node_properties(NodeType.SERVICE, {"name": "Hall", "lifecycle": "legacy"})
    assert props == {
        "name": "Hall",
        "lifecycle_": "legacy",
        "lifecycle": "open",
        "lifecycle_evidence": "no status field or explicit words: listed, so open",
    }
    assert _plain(props) == {"name": "Hall", "lifecycle": "legacy"}
