"""The published ontology, shapes and context agree with the Python vocabulary (model.py)."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from civicgraph.ontology import EDGE_TYPES, NODE_TYPES, EdgeType, NodeType
from civicgraph.ontology.alignment import (
    CLASS_ALIGNMENT,
    EXPORT_TERMS,
    PROPERTY_ALIGNMENT,
    WRITTEN_DIRECTLY,
)
from civicgraph.ontology.publish import (
    CONTEXT_FILE,
    DOCS_END,
    DOCS_START,
    ONTOLOGY_FILE,
    SHAPES_FILE,
    jsonld_context,
    ontology_reference_markdown,
    published_path,
    stale_published,
)
from civicgraph.ontology.rdf import (
    CG,
    camel_case,
    class_iri,
    datatype_iri,
    edge_property_iri,
    expand_curie,
    property_iri,
    property_names,
)

SCHEMA_DOMAIN = rdflib.URIRef("https://schema.org/domainIncludes")
SCHEMA_RANGE = rdflib.URIRef("https://schema.org/rangeIncludes")
ALIGNING = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, SKOS.closeMatch)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(published_path(ONTOLOGY_FILE), format="turtle")


def test_the_published_files_are_generated_from_the_current_vocabulary() -> None:
    assert stale_published() == [], (
        "ontology/model.py or alignment.py changed: run `python -m civicgraph.ontology.publish` "
        "and commit the regenerated files"
    )


def test_the_ontology_docs_show_the_current_diagram_and_tables() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "ontology.md"
    text = docs.read_text(encoding="utf-8")
    block = text.split(DOCS_START, 1)[1].split(DOCS_END, 1)[0]
    assert block == "\n" + ontology_reference_markdown(), (
        "run `python -m civicgraph.ontology.publish` to refresh docs/ontology.md"
    )
    assert "```mermaid\nclassDiagram" in text


def test_every_node_type_is_a_documented_class_aligned_to_its_rdf_types(
    ontology: rdflib.Graph,
) -> None:
    for node_type, definition in NODE_TYPES.items():
        cls = rdflib.URIRef(class_iri(node_type))
        assert (cls, RDF.type, OWL.Class) in ontology
        assert ontology.value(cls, RDFS.label) and ontology.value(cls, SKOS.definition)
        aligned = {str(o) for p in ALIGNING for o in ontology.objects(cls, p)}
        for curie in definition.rdf_types:
            assert expand_curie(curie) in aligned, (node_type, curie)
        for _, target in CLASS_ALIGNMENT[node_type]:
            assert expand_curie(target) in aligned


def _inverse_targets(ontology: rdflib.Graph, prop: rdflib.URIRef) -> set[str]:
    found = {str(o) for o in ontology.objects(prop, OWL.inverseOf)}
    for node in ontology.objects(prop, RDFS.subPropertyOf):
        found |= {str(o) for o in ontology.objects(node, OWL.inverseOf)}
    return found


def test_every_edge_type_is_an_object_property_with_its_endpoints(ontology: rdflib.Graph) -> None:
    for edge_type, definition in EDGE_TYPES.items():
        prop = rdflib.URIRef(edge_property_iri(edge_type))
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology
        assert ontology.value(prop, SKOS.definition) == rdflib.Literal(
            definition.description, lang="en"
        )
        domains = {str(o) for o in ontology.objects(prop, SCHEMA_DOMAIN)}
        ranges = {str(o) for o in ontology.objects(prop, SCHEMA_RANGE)}
        assert domains == {class_iri(s) for s, _ in definition.endpoints}
        assert ranges == {class_iri(t) for _, t in definition.endpoints}
        hint = definition.rdf
        if not hint.startswith("cg:"):
            aligned = {str(o) for p in ALIGNING for o in ontology.objects(prop, p)}
            assert expand_curie(hint) in aligned | _inverse_targets(ontology, prop), edge_type


def test_every_documented_property_is_a_datatype_property_with_its_range_and_owners(
    ontology: rdflib.Graph,
) -> None:
    owners: dict[str, set[str]] = {}
    for node_type, definition in NODE_TYPES.items():
        for name in definition.properties:
            owners.setdefault(name, set()).add(class_iri(node_type))
    for definition in EDGE_TYPES.values():
        for name in definition.properties:
            owners.setdefault(name, set()).add(str(RDF.Statement))
    for name, datatype in property_names().items():
        prop = rdflib.URIRef(property_iri(name))
        assert (prop, RDF.type, OWL.DatatypeProperty) in ontology, name
        assert str(ontology.value(prop, RDFS.range)) == datatype_iri(datatype), name
        assert {str(o) for o in ontology.objects(prop, SCHEMA_DOMAIN)} == owners[name], name


def test_every_rdf_hint_is_an_alignment_or_written_directly(ontology: rdflib.Graph) -> None:
    for node_type, definition in NODE_TYPES.items():
        for name, prop in definition.properties.items():
            if not prop.rdf:
                continue
            aligned = {
                str(o)
                for p in ALIGNING
                for o in ontology.objects(rdflib.URIRef(property_iri(name)), p)
            }
            direct = WRITTEN_DIRECTLY.get((node_type, name))
            written = {expand_curie(direct)} if direct else set()
            assert expand_curie(prop.rdf) in aligned | written or name in PROPERTY_ALIGNMENT, (
                node_type,
                name,
                prop.rdf,
            )


def test_the_ontology_defines_no_cg_term_the_vocabulary_lacks(ontology: rdflib.Graph) -> None:
    expected = (
        {class_iri(t) for t in NodeType}
        | {edge_property_iri(e) for e in EdgeType}
        | {property_iri(n) for n in property_names()}
        | {CG + local for local in EXPORT_TERMS}
    )
    defined = {str(s) for s in ontology.subjects(RDF.type, None) if str(s).startswith(CG)}
    assert defined == expected


def test_camel_case_is_invertible_for_every_property_name() -> None:
    names = list(property_names()) + [e.value.lower() for e in EdgeType]
    camel = [camel_case(n) for n in names]
    assert len(set(camel)) == len(names)


def test_the_shapes_are_valid_shacl() -> None:
    shapes = rdflib.Graph().parse(published_path(SHAPES_FILE), format="turtle")
    conforms, _, text = pyshacl.validate(
        rdflib.Graph(), shacl_graph=shapes, meta_shacl=True, inference="none"
    )
    assert conforms, text


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_context_names_every_class_and_property() -> None:
    context = jsonld_context()["@context"]
    published = rdflib.Graph()  # the file is a valid JSON-LD document
    published.parse(published_path(CONTEXT_FILE), format="json-ld")
    for node_type in NodeType:
        assert context[node_type.value] == f"cg:{node_type.value}"
    for edge_type in EdgeType:
        assert context[camel_case(edge_type.value)] == {
            "@id": f"cg:{camel_case(edge_type.value)}",
            "@type": "@id",
        }
    for name in property_names():
        assert context[camel_case(name)]["@id"] == f"cg:{camel_case(name)}"
