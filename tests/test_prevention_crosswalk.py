"""The prevention crosswalk: regenerated identically, covering both taxonomies, read back whole."""

from __future__ import annotations

from collections import Counter

import pytest
import rdflib
from helpers import REPO, shared
from rdflib.namespace import SKOS

from civicgraph.ontology.crosswalk import (
    CROSSWALK_FILE,
    LEVELS_FILE,
    LGSL,
    OPEN_ELIGIBILITY,
    SCHEME_NAMES,
    CrosswalkTerm,
    build_crosswalk,
    coverage,
    crosswalk_turtle,
    levels_turtle,
    load_crosswalk,
)
from civicgraph.ontology.prevention import PREVENTION_LEVELS, classify_term, level_iri

ONTOLOGY = REPO / "ontology"


@pytest.fixture(scope="module")
def terms() -> list[CrosswalkTerm]:
    shared("openeligibility_taxonomy/taxonomy.xml")
    shared("esd_lgsl_services_functions/services.csv")
    return build_crosswalk(shared("."))


def test_regenerating_the_crosswalk_gives_the_committed_files(terms: list[CrosswalkTerm]) -> None:
    assert (ONTOLOGY / CROSSWALK_FILE).read_text(encoding="utf-8") == crosswalk_turtle(terms), (
        "ontology/prevention.py or the taxonomies changed: run "
        "`python -m civicgraph.ontology.crosswalk ../shared/data` and commit the .ttl files"
    )
    assert (ONTOLOGY / LEVELS_FILE).read_text(encoding="utf-8") == levels_turtle()


def test_the_crosswalk_covers_both_taxonomies(terms: list[CrosswalkTerm]) -> None:
    """Prints the coverage; at least 90% of each taxonomy's terms have a level."""
    for scheme in (OPEN_ELIGIBILITY, LGSL):
        mapped, total = coverage(terms, scheme)
        mine = [t for t in terms if t.scheme == scheme and t.mapping is not None]
        by_rule = sum(1 for t in mine if t.mapping.rule != "universal public function")
        levels = Counter(t.mapping.level for t in mine)
        print(
            f"\n{SCHEME_NAMES[scheme]}: {mapped} of {total} terms mapped ({mapped / total:.1%}); "
            f"{by_rule} ({by_rule / total:.1%}) by a rule on their own words, the rest as "
            f"universal public functions; by level {dict(sorted(levels.items()))}"
        )
        assert mapped / total >= 0.9
        assert set(levels) == set(PREVENTION_LEVELS)  # every level is used
    eligibility = [t for t in terms if t.scheme == OPEN_ELIGIBILITY]
    assert len(eligibility) == 290  # 291 service terms, id 1206 used twice
    assert len([t for t in terms if t.scheme == LGSL]) == 1519


def test_the_published_crosswalk_reads_back_with_rule_and_confidence() -> None:
    crosswalk = load_crosswalk()
    graph = rdflib.Graph().parse(ONTOLOGY / CROSSWALK_FILE, format="turtle")
    mapped = set(graph.subjects(SKOS.broadMatch, None))
    assert len(crosswalk.by_iri) == len(mapped) > 1700
    label, emergency = crosswalk.by_iri[f"{OPEN_ELIGIBILITY}/1120"]
    assert (label, emergency.level, emergency.rule) == (
        "Emergency Food",
        "acute",
        "label: crisis and emergency",
    )
    assert 0 < emergency.confidence <= 1
    # The LGSL terms keep their published URIs.
    assert crosswalk.by_iri["http://id.esd.org.uk/service/1445"][0] == "Budgeting loans"
    assert all(0 < m.confidence <= 1 for _, m in crosswalk.by_iri.values())


def test_the_levels_are_a_skos_scheme() -> None:
    graph = rdflib.Graph().parse(ONTOLOGY / LEVELS_FILE, format="turtle")
    tops = {str(o) for o in graph.objects(None, SKOS.hasTopConcept)}
    assert tops == {level_iri(level) for level in PREVENTION_LEVELS}
    assert all(graph.value(rdflib.URIRef(t), SKOS.definition) for t in tops)


@pytest.mark.parametrize(
    ("label", "broader", "description", "level", "rule"),
    [
        ("Emergency Shelter", [], "", "acute", "label: crisis and emergency"),
        ("Help Pay for Food", ["Emergency Payments"], "", "acute", "broader 'Emergency Payments'"),
        ("Help Pay for Food", ["Food"], "", "secondary", "label: targeted money help"),
        ("Reablement", [], "", "tertiary", "label: rehabilitation and reablement"),
        ("Lunch club", [], "", "primary", "label: universal wellbeing and community"),
        ("Transportation", [], "", "primary", "label: universal health, education and care"),
        ("Homelessness prevention", [], "", "secondary", "label: prevention of crisis"),
        ("Notary", ["Legal"], "", "secondary", "broader 'Legal'"),
        ("Home library service", [], "", "primary", "label: universal wellbeing"),
        ("Number 7", [], "Help for carers looking after someone", "secondary", "description:"),
    ],
)
def test_rules_over_labels_descriptions_and_hierarchy(
    label: str, broader: list[str], description: str, level: str, rule: str
) -> None:
    found = classify_term(label, broader=broader, description=description)
    assert found is not None
    assert found.level == level
    assert found.rule.startswith(rule)


def test_a_description_match_is_trusted_less_than_a_label_match() -> None:
    on_label = classify_term("Carers support")
    on_description = classify_term("Number 7", description="Carers support")
    assert on_label is not None and on_description is not None
    assert on_description.confidence < on_label.confidence


def test_words_no_rule_knows_get_no_level() -> None:
    assert classify_term("Parking permits") is None
