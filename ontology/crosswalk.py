"""The prevention crosswalk: Open Eligibility and LGA service list terms to prevention levels.

``prevention_crosswalk.ttl`` is generated from the two published taxonomies by the
rules of :mod:`civicgraph.ontology.prevention` and kept in the repository::

    python -m civicgraph.ontology.crosswalk ../shared/data

Each term is a ``skos:Concept`` in its own scheme with its notation, label and
broader terms, mapped to its level by ``skos:broadMatch`` (a term is narrower than
its level), with the rule that fired (``cg:preventionRule``) and how far it is
trusted (``cg:preventionConfidence``, 0–1). The levels themselves are the concept
scheme in ``prevention.ttl``.

Terms of the LGA service list that no rule matches are council functions for the
whole population (licences, roads, planning): they are ``primary`` by the rule
``universal public function`` at confidence 0.3, the lowest the crosswalk gives.
"""

from __future__ import annotations

import csv
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .iri import VOCAB
from .prevention import (
    LEVEL_DEFINITIONS,
    PREVENTION_LEVELS,
    PREVENTION_SCHEME,
    LevelMapping,
    classify_term,
    level_iri,
)

__all__ = [
    "CROSSWALK_FILE",
    "LEVELS_FILE",
    "LGSL",
    "OPEN_ELIGIBILITY",
    "Crosswalk",
    "CrosswalkTerm",
    "build_crosswalk",
    "coverage",
    "crosswalk_turtle",
    "levels_turtle",
    "load_crosswalk",
    "normalise_label",
    "read_lgsl",
    "read_open_eligibility",
]

CROSSWALK_FILE = "prevention_crosswalk.ttl"
LEVELS_FILE = "prevention.ttl"
OPEN_ELIGIBILITY = "https://w3id.org/civicgraph/taxonomy/openeligibility"
"""The scheme of Open Eligibility services terms; a term is ``<scheme>/<id>``."""
LGSL = "http://id.esd.org.uk/service"
"""The LGA service list's own scheme; a term is ``<scheme>/<id>`` (its published URI)."""
SCHEME_NAMES = {OPEN_ELIGIBILITY: "Open Eligibility", LGSL: "LGA service list (LGSL)"}
UNIVERSAL_FUNCTION = LevelMapping(
    "primary",
    "universal public function",
    0.3,
    "a council function for the whole population that no rule singles out",
)

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RULE = VOCAB + "preventionRule"
_CONFIDENCE = VOCAB + "preventionConfidence"


@dataclass
class CrosswalkTerm:
    """One taxonomy term and its level."""

    scheme: str
    code: str
    label: str
    description: str = ""
    broader: list[str] = field(default_factory=list)
    """The codes of its broader terms, nearest first."""
    mapping: LevelMapping | None = None

    @property
    def iri(self) -> str:
        return f"{self.scheme}/{self.code}"


def normalise_label(label: str) -> str:
    """A label for matching: lower case, ``&`` as ``and``, single spaces.

    >>> normalise_label("  Adoption &  Foster Care ")
    'adoption and foster care'
    """
    return " ".join(label.lower().replace("&", " and ").split())


def read_open_eligibility(path: str | Path) -> list[CrosswalkTerm]:
    """The services terms of the Open Eligibility taxonomy (``taxonomy.xml``), in file order.

    A repeated id (1206 is both "Medical Care" and its child "Primary Care") keeps
    its first term.
    """
    root = ET.parse(path).getroot()  # noqa: S314 - the published taxonomy, read from disk
    services = root.find("services")
    if services is None:
        raise ValueError(f"{path}: no <services> element; is this the Open Eligibility taxonomy?")
    terms: dict[str, CrosswalkTerm] = {}

    def walk(element: ET.Element, above: list[str]) -> None:
        for child in element:
            if not child.tag.endswith("_level"):
                continue
            code, title = child.get("id") or "", (child.get("title") or "").strip()
            if code and code not in terms:
                terms[code] = CrosswalkTerm(OPEN_ELIGIBILITY, code, title, broader=list(above))
            walk(child, [code, *above] if code not in above else above)

    walk(services, [])
    return list(terms.values())


def read_lgsl(path: str | Path) -> list[CrosswalkTerm]:
    """The LGA service list (``services.csv``: Identifier, Label, Description, ...)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            CrosswalkTerm(
                LGSL,
                row["Identifier"].strip(),
                " ".join(row["Label"].split()),
                " ".join((row.get("Description") or "").split()),
            )
            for row in csv.DictReader(handle)
            if (row.get("Identifier") or "").strip()
        ]


def build_crosswalk(data: str | Path) -> list[CrosswalkTerm]:
    """Both taxonomies' terms from a data folder, each with its level by the rules.

    ``data`` holds ``openeligibility_taxonomy/taxonomy.xml`` and
    ``esd_lgsl_services_functions/services.csv`` (as ``../shared/data`` does).
    """
    folder = Path(data)
    eligibility = read_open_eligibility(folder / "openeligibility_taxonomy" / "taxonomy.xml")
    labels = {t.code: t.label for t in eligibility}
    for term in eligibility:
        term.mapping = classify_term(term.label, broader=[labels[c] for c in term.broader])
    service_list = read_lgsl(folder / "esd_lgsl_services_functions" / "services.csv")
    for term in service_list:
        term.mapping = classify_term(term.label, description=term.description)
        if term.mapping is None:
            term.mapping = UNIVERSAL_FUNCTION
    return eligibility + service_list


def _literal(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def levels_turtle() -> str:
    """The SKOS concept scheme of the four levels, as Turtle."""
    lines = [
        "# The prevention levels: the Care Act's prevent-reduce-delay ladder plus crisis response.",
        "# Generated by python -m civicgraph.ontology.crosswalk; edit ontology/prevention.py.",
        f"@prefix skos: <{_SKOS}> .",
        "",
        f"<{PREVENTION_SCHEME}> a skos:ConceptScheme ;",
        '    skos:prefLabel "Prevention levels"@en ;',
        "    skos:hasTopConcept "
        + ", ".join(f"<{level_iri(level)}>" for level in PREVENTION_LEVELS)
        + " .",
    ]
    for rank, level in enumerate(PREVENTION_LEVELS, start=1):
        label, definition = LEVEL_DEFINITIONS[level]
        lines += [
            "",
            f"<{level_iri(level)}> a skos:Concept ;",
            f"    skos:inScheme <{PREVENTION_SCHEME}> ;",
            f"    skos:topConceptOf <{PREVENTION_SCHEME}> ;",
            f"    skos:notation {_literal(level)} ;",
            f"    skos:prefLabel {_literal(label)}@en ;",
            f"    skos:definition {_literal(definition)}@en ;",
            f'    <{VOCAB}ladderStep> "{rank}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        ]
    return "\n".join(lines) + "\n"


def crosswalk_turtle(terms: Sequence[CrosswalkTerm]) -> str:
    """The crosswalk as Turtle: stable order (scheme, then numeric code), one block a term."""
    lines = [
        "# The prevention crosswalk: taxonomy terms to prevention levels, rule and confidence.",
        "# Generated by python -m civicgraph.ontology.crosswalk from the Open Eligibility taxonomy",
        "# v2.0 (CC BY-SA 3.0, Aunt Bertha) and the LGA service list (LGSL, 2015, LGA / esd",
        "# standards); edit the rules in ontology/prevention.py, not this file.",
        f"@prefix skos: <{_SKOS}> .",
        f"@prefix cg: <{VOCAB}> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for scheme in sorted({t.scheme for t in terms}):
        lines += ["", f"<{scheme}> a skos:ConceptScheme ;"]
        lines.append(f"    skos:prefLabel {_literal(SCHEME_NAMES.get(scheme, scheme))}@en .")

    def order(term: CrosswalkTerm) -> tuple[str, int, str]:
        return (term.scheme, int(term.code) if term.code.isdigit() else 0, term.code)

    for term in sorted(terms, key=order):
        block = [
            f"<{term.iri}> a skos:Concept",
            f"skos:inScheme <{term.scheme}>",
            f"skos:notation {_literal(term.code)}",
            f"skos:prefLabel {_literal(term.label)}@en",
        ]
        if term.broader:
            block.append(f"skos:broader <{term.scheme}/{term.broader[0]}>")
        if term.mapping is not None:
            block += [
                f"skos:broadMatch <{level_iri(term.mapping.level)}>",
                f"cg:preventionRule {_literal(term.mapping.rule)}",
                f'cg:preventionConfidence "{term.mapping.confidence:.2f}"^^xsd:decimal',
            ]
        lines += ["", " ;\n    ".join(block) + " ."]
    return "\n".join(lines) + "\n"


def _published(name: str) -> Path:
    return Path(__file__).resolve().with_name(name)


@dataclass(frozen=True)
class Crosswalk:
    """The crosswalk read back: mappings by term IRI, by (scheme, code) and by label."""

    by_iri: dict[str, tuple[str, LevelMapping]]
    """``{term IRI: (label, mapping)}``."""
    by_label: dict[str, list[tuple[str, LevelMapping]]]
    """``{normalised label: [(term IRI, mapping), ...]}``."""

    def code(self, scheme: str, code: str) -> tuple[str, LevelMapping] | None:
        return self.by_iri.get(f"{scheme}/{code}")

    def terms(self, scheme: str) -> Iterator[tuple[str, str, LevelMapping | None]]:
        """``(code, label, mapping)`` of every term of one scheme in the file."""
        prefix = scheme + "/"
        for iri, (label, mapping) in self.by_iri.items():
            if iri.startswith(prefix):
                yield iri[len(prefix) :], label, mapping


def _read_turtle(path: Path) -> Crosswalk:
    import pyoxigraph

    labels: dict[str, str] = {}
    level: dict[str, str] = {}
    rule: dict[str, str] = {}
    confidence: dict[str, float] = {}
    levels = {level_iri(name): name for name in PREVENTION_LEVELS}
    with open(path, "rb") as handle:
        for triple in pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.TURTLE):
            subject, predicate, value = (
                triple.subject.value,
                triple.predicate.value,
                triple.object.value,
            )
            if predicate == _SKOS + "prefLabel":
                labels[subject] = value
            elif predicate == _SKOS + "broadMatch" and value in levels:
                level[subject] = levels[value]
            elif predicate == _RULE:
                rule[subject] = value
            elif predicate == _CONFIDENCE:
                confidence[subject] = float(value)
    by_iri: dict[str, tuple[str, LevelMapping]] = {}
    by_label: dict[str, list[tuple[str, LevelMapping]]] = {}
    for iri, name in level.items():
        label = labels.get(iri, iri)
        mapping = LevelMapping(
            name,
            rule.get(iri, "crosswalk"),
            confidence.get(iri, 0.5),
            f"the crosswalk maps '{label}' to {name} by the rule '{rule.get(iri, 'crosswalk')}'",
        )
        by_iri[iri] = (label, mapping)
        by_label.setdefault(normalise_label(label), []).append((iri, mapping))
    return Crosswalk(by_iri, by_label)


@lru_cache(maxsize=1)
def load_crosswalk() -> Crosswalk:
    """The published crosswalk (``ontology/prevention_crosswalk.ttl``), read once."""
    return _read_turtle(_published(CROSSWALK_FILE))


def coverage(terms: Sequence[CrosswalkTerm], scheme: str) -> tuple[int, int]:
    """``(mapped, all)`` terms of one scheme."""
    mine = [t for t in terms if t.scheme == scheme]
    return sum(1 for t in mine if t.mapping is not None), len(mine)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate ``prevention.ttl`` and ``prevention_crosswalk.ttl`` from a data folder."""
    args = list(sys.argv[1:] if argv is None else argv)
    data = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not data.is_dir():
        print(f"{data} is not a folder. Fix: give the folder that holds the taxonomies.")
        return 2
    terms = build_crosswalk(data)
    _published(LEVELS_FILE).write_text(levels_turtle(), encoding="utf-8")
    _published(CROSSWALK_FILE).write_text(crosswalk_turtle(terms), encoding="utf-8")
    for scheme, name in SCHEME_NAMES.items():
        mapped, total = coverage(terms, scheme)
        print(f"{name}: {mapped} of {total} terms mapped ({mapped / total:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
