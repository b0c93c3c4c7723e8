"""SHACL shapes of a valid civicgraph export, generated from the vocabulary plus a few rules.

Generated for every node type: each documented property's datatype and
cardinality, each edge's allowed target types, and provenance. Written by hand
(:data:`REQUIREMENTS`): what a record must have to be useful, with a severity.
Real directories are dirty: a service whose organisation is missing is kept
and reported on ingest, so "a service has a provider" is a *warning*; a grant
without an amount is not a grant, so that is a *violation*.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from .alignment import DATED
from .lifecycle import LIFECYCLE_STATES, LIFECYCLE_TYPES, lifecycle_iri
from .model import EDGE_TYPES, NODE_TYPES, Datatype, EdgeType, NodeType
from .rdf import PREFIXES, camel_case, datatype_iri, property_names

__all__ = ["REQUIREMENTS", "SHAPES", "Requirement", "shape_iri", "shapes_turtle"]

SHAPES = "https://w3id.org/civicgraph/shapes#"
"""The namespace of the shapes (prefix ``cgsh:``); a result's source shape names the rule."""


class Requirement(NamedTuple):
    """A hand-written rule: at least one value on ``path`` (SHACL path syntax, CURIEs)."""

    name: str
    path: str
    severity: str
    message: str
    node_class: str | None = None


REQUIREMENTS: Mapping[NodeType, tuple[Requirement, ...]] = MappingProxyType(
    {
        NodeType.ORGANIZATION: (
            Requirement("name", "cg:name", "Warning", "An organisation has no name."),
        ),
        NodeType.SERVICE: (
            Requirement("name", "cg:name", "Warning", "A service has no name."),
            Requirement(
                "provider",
                "[ sh:inversePath cg:provides ]",
                "Warning",
                "A service has no provider: no organisation PROVIDES it.",
                "cg:Organization",
            ),
        ),
        NodeType.LOCATION: (),
        NodeType.AREA: (),
        NodeType.GRANT: (
            Requirement("amount", "cg:amount", "Violation", "A grant has no amount."),
            Requirement("currency", "cg:currency", "Violation", "A grant has no currency."),
            Requirement(
                "funder",
                "[ sh:inversePath cg:awards ]",
                "Warning",
                "A grant has no funder: no organisation AWARDS it.",
                "cg:Organization",
            ),
        ),
        NodeType.ACTIVITY: (
            Requirement("name", "cg:name", "Warning", "An activity has no name."),
            Requirement(
                "venue",
                "cg:happensAt",
                "Warning",
                "An activity happens nowhere: it HAPPENS_AT no location.",
                "cg:Location",
            ),
        ),
        NodeType.CONCEPT: (
            Requirement("label", "skos:prefLabel", "Warning", "A taxonomy term has no label."),
            Requirement(
                "scheme", "skos:inScheme", "Violation", "A taxonomy term is in no concept scheme."
            ),
        ),
    }
)


def shape_iri(name: str) -> str:
    """The IRI of a shape: ``cgsh:Service-provider``."""
    return SHAPES + name


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dt(datatype: Datatype) -> str:
    iri = datatype_iri(datatype)
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"  # pragma: no cover - every datatype has a prefix


def _block(subject: str, pairs: list[tuple[str, str]]) -> str:
    return subject + " " + " ;\n    ".join(f"{p} {o}" for p, o in pairs) + " .\n\n"


def _targets_of(node_type: NodeType) -> dict[EdgeType, list[NodeType]]:
    targets: dict[EdgeType, list[NodeType]] = {}
    for edge_type, edge_def in EDGE_TYPES.items():
        for source, target in sorted(edge_def.endpoints):
            if source is node_type and target not in targets.setdefault(edge_type, []):
                targets[edge_type].append(target)
    return targets


def shapes_turtle() -> str:
    """The SHACL shapes as Turtle text (what ``shapes.ttl`` holds)."""
    out = [f"@prefix {p}: <{n}> .\n" for p, n in PREFIXES.items()]
    out.append(f"@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix cgsh: <{SHAPES}> .\n\n")
    out.append(
        _block(
            "<https://w3id.org/civicgraph/shapes>",
            [
                ("a", "owl:Ontology"),
                ("rdfs:label", _lit("SHACL shapes of a valid civicgraph export")),
                ("owl:imports", "<https://w3id.org/civicgraph/ns>"),
            ],
        )
    )
    for node_type, node_def in NODE_TYPES.items():
        name = node_type.value
        properties: list[str] = []
        blocks: list[str] = []
        for prop_name, prop in node_def.properties.items():
            shape = f"cgsh:{name}-{prop_name}"
            pairs = [
                ("a", "sh:PropertyShape"),
                ("sh:path", f"cg:{camel_case(prop_name)}"),
                ("sh:datatype", _dt(prop.datatype)),
            ]
            if prop.datatype is not Datatype.LIST:
                pairs.append(("sh:maxCount", "1"))
            limit = {"latitude": 90, "longitude": 180}.get(prop_name)
            if limit is not None:
                pairs += [("sh:minInclusive", f"-{limit}"), ("sh:maxInclusive", str(limit))]
            if prop_name in ("minimum_age", "maximum_age", "population", "count"):
                pairs.append(("sh:minInclusive", "0"))
            pairs.append(
                (
                    "sh:message",
                    _lit(
                        f"{name} {prop_name}: "
                        + ("values must be" if prop.datatype is Datatype.LIST else "one value,")
                        + f" {_dt(prop.datatype)}"
                        + (f" within ±{limit}" if limit else "")
                        + "."
                    ),
                )
            )
            properties.append(shape)
            blocks.append(_block(shape, pairs))
        for edge_type, targets in _targets_of(node_type).items():
            shape = f"cgsh:{name}-{camel_case(edge_type.value)}"
            classes = " ".join(f"[ sh:class cg:{t.value} ]" for t in targets)
            constraint = (
                ("sh:class", f"cg:{targets[0].value}")
                if len(targets) == 1
                else ("sh:or", f"( {classes} )")
            )
            allowed = " or ".join(t.value for t in targets)
            blocks.append(
                _block(
                    shape,
                    [
                        ("a", "sh:PropertyShape"),
                        ("sh:path", f"cg:{camel_case(edge_type.value)}"),
                        ("sh:nodeKind", "sh:IRI"),
                        constraint,
                        ("sh:message", _lit(f"{name} {edge_type.value} must reach {allowed}.")),
                    ],
                )
            )
            properties.append(shape)
        for rule in REQUIREMENTS.get(node_type, ()):
            shape = f"cgsh:{name}-has-{rule.name}"
            pairs = [
                ("a", "sh:PropertyShape"),
                ("sh:path", rule.path),
                ("sh:minCount", "1"),
                ("sh:severity", f"sh:{rule.severity}"),
                ("sh:message", _lit(rule.message)),
            ]
            if rule.node_class:
                pairs.insert(3, ("sh:class", rule.node_class))
            blocks.append(_block(shape, pairs))
            properties.append(shape)
        for shape, pairs in _time_shapes(node_type):
            blocks.append(_block(shape, pairs))
            properties.append(shape)
        shape = f"cgsh:{name}-provenance"
        blocks.append(
            _block(
                shape,
                [
                    ("a", "sh:PropertyShape"),
                    ("sh:path", "prov:wasDerivedFrom"),
                    ("sh:minCount", "1"),
                    ("sh:nodeKind", "sh:IRI"),
                    ("sh:message", _lit(f"{name} does not say which source snapshot it is from.")),
                ],
            )
        )
        properties.append(shape)
        out.append(
            _block(
                f"cgsh:{name}",
                [
                    ("a", "sh:NodeShape"),
                    ("sh:targetClass", f"cg:{name}"),
                    ("rdfs:label", _lit(f"A valid {name}")),
                    ("sh:property", ",\n        ".join(properties)),
                ],
            )
        )
        out.extend(blocks)

    out.append(_relationship_shapes())
    out.append(_description_shapes())
    return "".join(out).rstrip("\n") + "\n"


def _time_shapes(node_type: NodeType) -> list[tuple[str, list[tuple[str, str]]]]:
    """A node type's lifecycle state (one, from the scheme) and its dates in order."""
    name = node_type.value
    shapes = []
    if node_type in LIFECYCLE_TYPES:
        states = " ".join(f"<{lifecycle_iri(s.notation)}>" for s in LIFECYCLE_STATES)
        shapes.append(
            (
                f"cgsh:{name}-lifecycleState",
                [
                    ("a", "sh:PropertyShape"),
                    ("sh:path", "cg:lifecycleState"),
                    ("sh:maxCount", "1"),
                    ("sh:in", f"( {states} )"),
                    ("sh:message", _lit(f"{name} lifecycle state: one state of the scheme.")),
                ],
            )
        )
    shapes += _asserted_shapes(name)
    shapes.append(
        (
            f"cgsh:{name}-invalidatedAtTime",
            [
                ("a", "sh:PropertyShape"),
                ("sh:path", "prov:invalidatedAtTime"),
                ("sh:datatype", "xsd:dateTime"),
                ("sh:maxCount", "1"),
                (
                    "sh:message",
                    _lit(f"{name} no longer listed: one prov:invalidatedAtTime, xsd:dateTime."),
                ),
            ],
        )
    )
    if node_type in DATED:
        start, end = DATED[node_type]
        shapes.append(
            (
                f"cgsh:{name}-dates-in-order",
                [
                    ("a", "sh:PropertyShape"),
                    ("sh:path", "schema:startDate"),
                    ("sh:lessThanOrEquals", "schema:endDate"),
                    ("sh:message", _lit(f"{name} {start} is after its {end}.")),
                ],
            )
        )
    return shapes


def _asserted_shapes(name: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """First and last asserted: one day each (xsd:date), the first not after the last."""
    what = name if name != "Relationship" else "Edge"
    return [
        (
            f"cgsh:{name}-{term}",
            [
                ("a", "sh:PropertyShape"),
                ("sh:path", f"cg:{term}"),
                ("sh:datatype", "xsd:date"),
                ("sh:maxCount", "1"),
                *([("sh:lessThanOrEquals", "cg:lastAsserted")] if term == "firstAsserted" else []),
                (
                    "sh:message",
                    _lit(
                        f"{what} {term}: one value, xsd:date"
                        + (", not after lastAsserted." if term == "firstAsserted" else ".")
                    ),
                ),
            ],
        )
        for term in ("firstAsserted", "lastAsserted")
    ]


def _relationship_shapes() -> str:
    predicates = " ".join(f"cg:{camel_case(e.value)}" for e in EDGE_TYPES)
    blocks = []
    properties = []
    for path, extra in (
        ("rdf:subject", [("sh:nodeKind", "sh:IRI")]),
        ("rdf:predicate", [("sh:in", f"( {predicates} )")]),
        ("rdf:object", [("sh:nodeKind", "sh:IRI")]),
    ):
        shape = f"cgsh:Relationship-{path.split(':')[1]}"
        blocks.append(
            _block(
                shape,
                [
                    ("a", "sh:PropertyShape"),
                    ("sh:path", path),
                    ("sh:minCount", "1"),
                    ("sh:maxCount", "1"),
                    *extra,
                    ("sh:message", _lit(f"An edge statement needs exactly one {path}.")),
                ],
            )
        )
        properties.append(shape)
    edge_props = property_names()
    seen: set[str] = set()
    for edge_def in EDGE_TYPES.values():
        for prop_name, prop in edge_def.properties.items():
            if prop_name in seen:
                continue
            seen.add(prop_name)
            shape = f"cgsh:Relationship-{prop_name}"
            pairs = [
                ("a", "sh:PropertyShape"),
                ("sh:path", f"cg:{camel_case(prop_name)}"),
                ("sh:datatype", _dt(edge_props[prop_name])),
            ]
            if prop.datatype is not Datatype.LIST:
                pairs.append(("sh:maxCount", "1"))
            if prop_name == "count":
                pairs.append(("sh:minInclusive", "0"))
            pairs.append(
                ("sh:message", _lit(f"Edge {prop_name}: one value, {_dt(edge_props[prop_name])}."))
            )
            blocks.append(_block(shape, pairs))
            properties.append(shape)
    for shape, pairs in _asserted_shapes("Relationship"):
        blocks.append(_block(shape, pairs))
        properties.append(shape)
    shape = "cgsh:Relationship-provenance"
    blocks.append(
        _block(
            shape,
            [
                ("a", "sh:PropertyShape"),
                ("sh:path", "prov:wasDerivedFrom"),
                ("sh:minCount", "1"),
                ("sh:message", _lit("An edge does not say which source snapshot it is from.")),
            ],
        )
    )
    properties.append(shape)
    head = _block(
        "cgsh:Relationship",
        [
            ("a", "sh:NodeShape"),
            ("sh:targetClass", "rdf:Statement"),
            ("rdfs:label", _lit("A valid edge statement (an edge with its properties)")),
            ("sh:property", ",\n        ".join(properties)),
        ],
    )
    return head + "".join(blocks)


def _description_shapes() -> str:
    return _block(
        "cgsh:Dataset",
        [
            ("a", "sh:NodeShape"),
            ("sh:targetClass", "void:Dataset"),
            ("rdfs:label", _lit("The export's dataset description")),
            (
                "sh:property",
                "[ sh:path void:triples ; sh:minCount 1 ; sh:maxCount 1 ; "
                "sh:datatype xsd:integer ;\n"
                '          sh:message "The dataset description has no triple count." ],\n'
                "        [ sh:path void:entities ; sh:minCount 1 ; sh:maxCount 1 ; "
                "sh:datatype xsd:integer ;\n"
                '          sh:message "The dataset description has no entity count." ],\n'
                "        [ sh:path dct:title ; sh:minCount 1 ;\n"
                '          sh:message "The dataset description has no title." ]',
            ),
        ],
    ) + _block(
        "cgsh:Snapshot",
        [
            ("a", "sh:NodeShape"),
            ("sh:targetSubjectsOf", "prov:specializationOf"),
            ("rdfs:label", _lit("A source snapshot")),
            (
                "sh:property",
                "[ sh:path prov:generatedAtTime ; sh:minCount 1 ; sh:maxCount 1 ; "
                "sh:datatype xsd:dateTime ;\n"
                '          sh:message "A snapshot does not say when it was ingested." ],\n'
                "        [ sh:path prov:specializationOf ; sh:minCount 1 ; sh:maxCount 1 ; "
                "sh:class dcat:Dataset ;\n"
                '          sh:message "A snapshot must belong to one source." ]',
            ),
        ],
    )
