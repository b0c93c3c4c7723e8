"""Kinds of funding (donations, fees, government...), read from ``funding_kinds.ttl``.

The kinds are SKOS data shipped beside this module; :func:`funding_kind` tells
whether a part of a funding statement names one. Extend the list by editing the
Turtle file (a new ``skos:Concept``, or an ``skos:altLabel``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "FUNDING_KINDS_FILE",
    "FUNDING_KIND_SCHEME",
    "FundingKind",
    "funding_kind",
    "funding_kinds",
]

FUNDING_KINDS_FILE = Path(__file__).resolve().parent / "funding_kinds.ttl"
FUNDING_KIND_SCHEME = "https://w3id.org/civicgraph/funding-kind/"


@dataclass(frozen=True)
class FundingKind:
    """One kind of funding: its IRI, its notation (the value kept in ``funding_mix``), label."""

    iri: str
    notation: str
    label: str
    labels: frozenset[str]
    """Every label (preferred and alternative), normalised, that names it."""


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


@cache
def funding_kinds() -> tuple[FundingKind, ...]:
    """Every kind of funding in the scheme, in file order.

    Examples
    --------
    >>> [k.notation for k in funding_kinds()][:3]
    ['donations', 'individual', 'fees']
    """
    from rdflib import Graph
    from rdflib.namespace import RDF, SKOS

    graph = Graph()
    graph.parse(FUNDING_KINDS_FILE, format="turtle")
    text = FUNDING_KINDS_FILE.read_text("utf-8")
    kinds = []
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        label = str(graph.value(concept, SKOS.prefLabel))
        labels = {_normalised(label)} | {
            _normalised(str(alt)) for alt in graph.objects(concept, SKOS.altLabel)
        }
        kinds.append(
            FundingKind(
                str(concept),
                str(graph.value(concept, SKOS.notation)),
                label,
                frozenset(labels),
            )
        )
    # In the order the file lists them, for stable output.
    kinds.sort(key=lambda k: text.find("fk:" + k.iri.removeprefix(FUNDING_KIND_SCHEME) + " a "))
    return tuple(kinds)


@cache
def _by_label() -> dict[str, FundingKind]:
    return {label: kind for kind in funding_kinds() for label in kind.labels}


def funding_kind(text: str) -> FundingKind | None:
    """The kind of funding a statement part names, or ``None`` if it names none (a funder).

    Examples
    --------
    >>> funding_kind("Membership Dues").notation
    'membership-dues'
    >>> funding_kind("County").notation, funding_kind("donation").notation
    ('government-county', 'donations')
    >>> funding_kind("Oakbridge City Council") is None
    True
    """
    return _by_label().get(_normalised(text))
