"""Lifecycle states and time, linked: the SKOS scheme, the RDF export, the Neo4j push."""

from __future__ import annotations

import rdflib
from rdflib.namespace import RDF, SKOS

from civicgraph.ontology import lifecycle
from civicgraph.ontology.lifecycle import (
    LIFECYCLE_FILE,
    LIFECYCLE_SCHEME,
    LIFECYCLE_STATES,
    lifecycle_iri,
    lifecycle_turtle,
)
from civicgraph.ontology.publish import published_path
from civicgraph.queries.changes import _STATE_CHANGE


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
