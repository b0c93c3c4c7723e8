"""Funding statements: kinds of funding are a funding mix, funders are organisations."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path

import rdflib
from helpers import shared
from rdflib.namespace import RDF, SKOS

from civicgraph import Workspace, ingest_hsds
from civicgraph.graph.rdf import export_rdf
from civicgraph.ontology.funding_kinds import FUNDING_KINDS_FILE, funding_kinds
from civicgraph.ontology.rdf import CG

OHANA = "ohana_sample_csv"


def _organisation_names(workspace: Workspace) -> set[str]:
    return {
        d.get("name") for _, d in workspace.graph().nodes(data=True) if d["type"] == "Organization"
    }


def test_the_funding_kinds_are_a_skos_scheme_with_distinct_labels() -> None:
    graph = rdflib.Graph().parse(FUNDING_KINDS_FILE, format="turtle")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(funding_kinds()) >= 15
    [scheme] = graph.subjects(RDF.type, SKOS.ConceptScheme)
    for concept in concepts:
        assert (concept, SKOS.inScheme, scheme) in graph
        assert graph.value(concept, SKOS.notation) is not None
    notations = [k.notation for k in funding_kinds()]
    assert len(set(notations)) == len(notations)
    every_label = [label for kind in funding_kinds() for label in kind.labels]
    assert len(set(every_label)) == len(every_label), "a label names two kinds"
    for needed in ("donations", "fees", "grants", "fundraising", "membership dues", "lottery"):
        assert any(needed in kind.labels for kind in funding_kinds()), needed
    for level in ("federal", "state", "county", "city", "local government"):
        assert any(level in kind.labels for kind in funding_kinds()), level


def test_ohana_funding_sources_are_a_funding_mix_never_organisations(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, shared(OHANA), name="ohana")
    parts = []
    for table in ("organizations.csv", "services.csv"):
        with (shared(OHANA) / table).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                parts += [p.strip() for p in row["funding_sources"].split(",") if p.strip()]
    assert {"City", "County", "Donations", "Fees", "Dues"} <= set(parts)
    assert not set(parts) & _organisation_names(workspace)
    assert "FUNDS" not in workspace.stats()["edges"]
    noted = sum(g.count for g in report.problems if g.code == "funding-kind")
    assert noted == len(parts)
    service = workspace.graph().nodes["ohana:service:1"]  # "City, County, Donations, Fees, ..."
    assert service["funding_mix"] == [
        "government-city",
        "government-county",
        "donations",
        "fees",
        "fundraising",
    ]


def _json_directory(folder: Path, statement: str) -> Path:
    service = {
        "id": "s1",
        "name": "Advice line",
        "organization": {"id": "o1", "name": "Hartley Advice Centre"},
        "funding": [{"id": "f1", "source": statement}],
    }
    path = folder / "services.json"
    path.write_text(json.dumps([service]), encoding="utf-8")
    return path


def test_a_statement_naming_kinds_and_a_funder_gives_both(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(
        workspace, _json_directory(tmp_path, "Donations; The Hartley Trust; Lottery"), name="t"
    )
    graph = workspace.graph()
    assert graph.nodes["t:service:s1"]["funding_mix"] == ["donations", "lottery"]
    funders = [graph.nodes[u]["name"] for u, _, d in graph.edges(data=True) if d["type"] == "FUNDS"]
    assert funders == ["The Hartley Trust"]
    assert not {"Donations", "Lottery"} & _organisation_names(workspace)


def test_the_funding_mix_is_in_the_rdf_export(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_hsds(workspace, _json_directory(tmp_path, "County; Fees"), name="t")
    buffer = io.BytesIO()
    export_rdf(workspace, buffer, format="nt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Graph().parse(data=buffer.getvalue(), format="nt")
    values = {str(o) for o in graph.objects(None, rdflib.URIRef(CG + "fundingMix"))}
    assert values == {"government-county", "fees"}


def test_a_funding_row_naming_service_and_organisation_funds_once(tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text("id,name\no1,Hartley Advice Centre\n", "utf-8")
    (tmp_path / "services.csv").write_text("id,organization_id,name\ns1,o1,Advice line\n", "utf-8")
    (tmp_path / "funding.csv").write_text(
        "id,organization_id,service_id,source\nf1,o1,s1,The Hartley Trust\n", "utf-8"
    )
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, tmp_path, name="t")
    graph = workspace.graph()
    funds = [(u, v) for u, v, d in graph.edges(data=True) if d["type"] == "FUNDS"]
    assert len(funds) == 1 and funds[0][1] == "t:service:s1"
    assert report.tables["funding.csv"].read == report.tables["funding.csv"].loaded == 1
