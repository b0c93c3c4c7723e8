"""The published ontology files, generated from ``model.py`` and ``alignment.py``.

``civicgraph.ttl`` (the OWL ontology), ``shapes.ttl`` (SHACL shapes of a valid
export), ``context.jsonld`` (the JSON-LD context) and ``lifecycle.ttl`` (the
SKOS scheme of lifecycle states, from ``lifecycle.py``) ship inside the package,
beside this module. They are generated, never edited by hand, so that they
cannot drift from the Python vocabulary; a test regenerates them and compares.
After changing ``model.py`` or ``alignment.py``, run::

    python -m civicgraph.ontology.publish

"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from .alignment import (
    CLASS_ALIGNMENT,
    EDGE_ALIGNMENT,
    EXPORT_TERM_DETAILS,
    EXPORT_TERMS,
    ONTOLOGY_VERSION,
    PROPERTY_ALIGNMENT,
    WRITTEN_DIRECTLY,
)
from .iri import VOCAB
from .lifecycle import LIFECYCLE_FILE, lifecycle_turtle
from .model import EDGE_TYPES, NODE_TYPES, Datatype, EdgeType, NodeType, PropertyDef
from .rdf import (
    CG,
    PREFIXES,
    camel_case,
    datatype_iri,
    edge_property_iri,
    expand_curie,
    property_names,
)
from .shapes import shapes_turtle

__all__ = [
    "CONTEXT_FILE",
    "ONTOLOGY_FILE",
    "ONTOLOGY_IRI",
    "SHAPES_FILE",
    "jsonld_context",
    "mermaid_class_diagram",
    "ontology_reference_markdown",
    "ontology_turtle",
    "published_path",
    "refresh_docs",
    "stale_published",
    "write_published",
]

ONTOLOGY_IRI = VOCAB.rstrip("#")
ONTOLOGY_FILE = "civicgraph.ttl"
SHAPES_FILE = "shapes.ttl"
CONTEXT_FILE = "context.jsonld"

_HERE = Path(__file__).resolve().parent


def published_path(name: str) -> Path:
    """The path of a published file shipped with the package (``civicgraph.ttl``, ...)."""
    return _HERE / name


def turtle_string(text: str, lang: str | None = "en") -> str:
    """A Turtle string literal (escaped), with a language tag."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def curie(iri: str) -> str:
    """The shortest prefixed form of an IRI in :data:`PREFIXES`, else ``<iri>``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri[len(namespace) :].replace("_", "a").isalnum():
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _statement(subject: str, pairs: Iterable[tuple[str, str]]) -> str:
    lines = [f"{p} {o}" for p, o in pairs]
    return subject + " " + " ;\n    ".join(lines) + " .\n"


def _label(name: str) -> str:
    return name.replace("_", " ").lower()


def _alignment_pairs(alignment: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    pairs = []
    for relation, target in alignment:
        expand_curie(target)  # a misspelt CURIE fails here, not in a consumer's reasoner
        if relation == "inverse-sub":
            pairs.append(("rdfs:subPropertyOf", f"[ owl:inverseOf {target} ]"))
        else:
            pairs.append((relation, target))
    return pairs


def _property_uses() -> dict[str, list[tuple[NodeType | EdgeType, PropertyDef]]]:
    uses: dict[str, list[tuple[NodeType | EdgeType, PropertyDef]]] = {}
    for node_def in NODE_TYPES.values():
        for name, prop in node_def.properties.items():
            uses.setdefault(name, []).append((node_def.type, prop))
    for edge_def in EDGE_TYPES.values():
        for name, prop in edge_def.properties.items():
            uses.setdefault(name, []).append((edge_def.type, prop))
    return uses


def _definition(uses: list[tuple[NodeType | EdgeType, PropertyDef]]) -> str:
    texts = list(dict.fromkeys(prop.description for _, prop in uses))
    if len(texts) == 1:
        return texts[0]
    by_text: dict[str, list[str]] = {}
    for owner, prop in uses:
        by_text.setdefault(prop.description, []).append(str(owner))
    return " ".join(f"({', '.join(owners)}) {text}" for text, owners in by_text.items())


def _property_alignment(name: str, uses: list[tuple[Any, PropertyDef]]) -> list[tuple[str, str]]:
    if name in PROPERTY_ALIGNMENT:
        return _alignment_pairs(PROPERTY_ALIGNMENT[name])
    hints = list(dict.fromkeys(p.rdf for _, p in uses if p.rdf and not p.rdf.startswith("cg:")))
    return _alignment_pairs(("rdfs:subPropertyOf", hint) for hint in hints)


def _domains(owners: Iterable[NodeType | EdgeType]) -> list[str]:
    domains = []
    for owner in owners:
        domain = "rdf:Statement" if isinstance(owner, EdgeType) else curie(CG + owner.value)
        if domain not in domains:
            domains.append(domain)
    return domains


def ontology_turtle() -> str:
    """The OWL ontology of civicgraph as Turtle text (what ``civicgraph.ttl`` holds)."""
    out = [f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items()]
    out.append("\n")
    out.append(
        _statement(
            f"<{ONTOLOGY_IRI}>",
            [
                ("a", "owl:Ontology"),
                ("dct:title", turtle_string("civicgraph ontology")),
                (
                    "dct:description",
                    turtle_string(
                        "The vocabulary of civicgraph, a knowledge graph of a place's social "
                        "infrastructure: organisations, the services they provide, the "
                        "buildings they use, the areas they serve, the grants that fund them, "
                        "the referrals and partnerships between them, and the taxonomy terms "
                        "that classify them. Generated from civicgraph's Python vocabulary "
                        "(ontology/model.py) and its alignment table (ontology/alignment.py)."
                    ),
                ),
                ("owl:versionInfo", turtle_string(ONTOLOGY_VERSION, None)),
                ("dct:license", "<https://opensource.org/licenses/MIT>"),
                ("rdfs:seeAlso", "<https://w3id.org/civicgraph/shapes>"),
            ],
        )
    )

    out.append("\n# Classes: one per node type.\n\n")
    for node_type, node_def in NODE_TYPES.items():
        pairs = [
            ("a", "owl:Class"),
            ("rdfs:label", turtle_string(node_type.value)),
            ("skos:definition", turtle_string(node_def.description)),
            ("rdfs:comment", turtle_string("Identifier: " + node_def.id_scheme)),
            *_alignment_pairs(CLASS_ALIGNMENT.get(node_type, ())),
            ("rdfs:isDefinedBy", f"<{ONTOLOGY_IRI}>"),
        ]
        out.append(_statement(curie(CG + node_type.value), pairs) + "\n")

    out.append("# Object properties: one per edge type (subject: the edge's source node).\n\n")
    for edge_type, edge_def in EDGE_TYPES.items():
        sources = _domains(s for s, _ in sorted(edge_def.endpoints))
        targets = _domains(t for _, t in sorted(edge_def.endpoints))
        pairs = [
            ("a", "owl:ObjectProperty"),
            ("rdfs:label", turtle_string(_label(edge_type.value))),
            ("skos:definition", turtle_string(edge_def.description)),
            ("rdfs:comment", turtle_string(f"The property graph's {edge_type.value} edge.")),
        ]
        if len(sources) == 1:
            pairs.append(("rdfs:domain", sources[0]))
        if len(targets) == 1:
            pairs.append(("rdfs:range", targets[0]))
        pairs += [("schema:domainIncludes", d) for d in sources]
        pairs += [("schema:rangeIncludes", r) for r in targets]
        pairs += _alignment_pairs(EDGE_ALIGNMENT.get(edge_type, ()))
        pairs.append(("rdfs:isDefinedBy", f"<{ONTOLOGY_IRI}>"))
        out.append(_statement(curie(edge_property_iri(edge_type)), pairs) + "\n")

    out.append(
        "# Datatype properties: one per documented property name, shared by every type that\n"
        "# has it. Properties of edges are written on the edge's rdf:Statement.\n\n"
    )
    datatypes = property_names()
    for name, uses in _property_uses().items():
        datatype = datatypes[name]
        owners = _domains(owner for owner, _ in uses)
        pairs = [
            ("a", "owl:DatatypeProperty"),
            ("rdfs:label", turtle_string(_label(name))),
            ("skos:definition", turtle_string(_definition(uses))),
            ("rdfs:range", curie(datatype_iri(datatype))),
        ]
        if datatype is Datatype.LIST:
            pairs.append(("rdfs:comment", turtle_string("Several values: one triple each.")))
        if datatype is Datatype.JSON:
            pairs.append(
                ("rdfs:comment", turtle_string("A nested value, written as one JSON literal."))
            )
        if len(owners) == 1:
            pairs.append(("rdfs:domain", owners[0]))
        pairs += [("schema:domainIncludes", d) for d in owners]
        pairs += _property_alignment(name, uses)
        pairs.append(("rdfs:isDefinedBy", f"<{ONTOLOGY_IRI}>"))
        out.append(_statement(curie(CG + camel_case(name)), pairs) + "\n")

    out.append("# Terms of the export's provenance and dataset description.\n\n")
    for local, (kind, label, definition) in EXPORT_TERMS.items():
        pairs = [
            ("a", kind),
            ("rdfs:label", turtle_string(label)),
            ("skos:definition", turtle_string(definition)),
        ]
        for predicate, value in EXPORT_TERM_DETAILS.get(local, ()):
            is_text = predicate == "rdfs:comment"
            pairs.append((predicate, turtle_string(value) if is_text else value))
        pairs.append(("rdfs:isDefinedBy", f"<{ONTOLOGY_IRI}>"))
        out.append(_statement(f"cg:{local}", pairs) + "\n")
    return "".join(out).rstrip("\n") + "\n"


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context of civicgraph exports: prefixes, classes and properties as short keys.

    Typed properties coerce their values (``"count": "3"`` is an ``xsd:integer``);
    edge properties and provenance links take IRIs; list properties are sets.
    """
    context: dict[str, Any] = {"@version": 1.1, **dict(PREFIXES)}
    for node_type in NODE_TYPES:
        context[node_type.value] = f"cg:{node_type.value}"
    for edge_type in EDGE_TYPES:
        context[camel_case(edge_type.value)] = {
            "@id": curie(edge_property_iri(edge_type)),
            "@type": "@id",
        }
    for name, datatype in property_names().items():
        term: dict[str, Any] = {"@id": f"cg:{camel_case(name)}"}
        dt = datatype_iri(datatype)
        if not dt.endswith("#string"):
            term["@type"] = curie(dt)
        if datatype is Datatype.LIST:
            term["@container"] = "@set"
        context[camel_case(name)] = term
    for local, (kind, _, _) in EXPORT_TERMS.items():
        ranges = [v for p, v in EXPORT_TERM_DETAILS.get(local, ()) if p == "rdfs:range"]
        context[local] = (
            {"@id": f"cg:{local}", "@type": "@id"}
            if kind == "owl:ObjectProperty"
            else {"@id": f"cg:{local}", "@type": ranges[0]}
            if ranges
            else f"cg:{local}"
        )
    standard = {
        "label": {"@id": "rdfs:label"},
        "prefLabel": {"@id": "skos:prefLabel"},
        "notation": {"@id": "skos:notation"},
        "definition": {"@id": "skos:definition"},
        "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
        "broader": {"@id": "skos:broader", "@type": "@id"},
        "topConceptOf": {"@id": "skos:topConceptOf", "@type": "@id"},
        "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
        "lat": {"@id": "geo:lat", "@type": "xsd:decimal"},
        "long": {"@id": "geo:long", "@type": "xsd:decimal"},
        "hasGeometry": {"@id": "geosparql:hasGeometry", "@type": "@id"},
        "asWKT": {"@id": "geosparql:asWKT", "@type": "geosparql:wktLiteral"},
        "subOrganizationOf": {"@id": "org:subOrganizationOf", "@type": "@id"},
        "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
        "qualifiedDerivation": {"@id": "prov:qualifiedDerivation", "@type": "@id"},
        "entity": {"@id": "prov:entity", "@type": "@id"},
        "specializationOf": {"@id": "prov:specializationOf", "@type": "@id"},
        "generatedAtTime": {"@id": "prov:generatedAtTime", "@type": "xsd:dateTime"},
        "invalidatedAtTime": {"@id": "prov:invalidatedAtTime", "@type": "xsd:dateTime"},
        "subject": {"@id": "rdf:subject", "@type": "@id"},
        "predicate": {"@id": "rdf:predicate", "@type": "@id"},
        "object": {"@id": "rdf:object", "@type": "@id"},
    }
    for key in (*WRITTEN_DIRECTLY.values(), "rdfs:label"):
        expand_curie(key)
    context.update(standard)
    return {"@context": context}


def mermaid_class_diagram() -> str:
    """A Mermaid class diagram of the ontology: the classes, their alignments, the edges."""
    lines = ["classDiagram", "    direction LR"]
    for node_type in NODE_TYPES:
        aligned = [t for r, t in CLASS_ALIGNMENT.get(node_type, ()) if r == "rdfs:subClassOf"]
        lines.append(f"    class {node_type.value} {{")
        lines += [f"        <<{target}>>" for target in aligned[:1]]  # the rest: in the table
        lines.append("    }")
    for edge_type, edge_def in EDGE_TYPES.items():
        for source, target in sorted(edge_def.endpoints):
            lines.append(f"    {source.value} --> {target.value} : {camel_case(edge_type.value)}")
    return "\n".join(lines) + "\n"


def _alignment_text(pairs: list[tuple[str, str]]) -> str:
    words = {
        "rdfs:subClassOf": "⊑",
        "rdfs:subPropertyOf": "⊑",
        "owl:inverseOf": "inverse of",
        "skos:closeMatch": "close to",
    }
    out = []
    for relation, target in pairs:
        if target.startswith("[ owl:inverseOf "):
            out.append(f"⊑ inverse of {target[16:-2]}")
        else:
            out.append(f"{words.get(relation, relation)} {target}")
    return "; ".join(out)


def ontology_reference_markdown() -> str:
    """The generated part of ``docs/ontology.md``: the diagram and a table per class and edge."""
    out = ["```mermaid", mermaid_class_diagram().rstrip("\n"), "```", ""]
    out += ["### Classes", "", "| class | aligned to | what |", "|---|---|---|"]
    for node_type, node_def in NODE_TYPES.items():
        aligned = _alignment_text(_alignment_pairs(CLASS_ALIGNMENT.get(node_type, ())))
        out.append(f"| `cg:{node_type.value}` | {aligned} | {node_def.description} |")
    out += ["", "### Edges (object properties)", ""]
    out += ["| property | from → to | aligned to | edge properties |", "|---|---|---|---|"]
    for edge_type, edge_def in EDGE_TYPES.items():
        ends = ", ".join(f"{s.value} → {t.value}" for s, t in sorted(edge_def.endpoints))
        aligned = _alignment_text(_alignment_pairs(EDGE_ALIGNMENT.get(edge_type, ())))
        props = ", ".join(f"`cg:{camel_case(n)}`" for n in edge_def.properties)
        out.append(f"| `cg:{camel_case(edge_type.value)}` | {ends} | {aligned} | {props} |")
    uses = _property_uses()
    datatypes = property_names()
    out += ["", "### Properties (datatype properties)", ""]
    out += [
        "| property | on | values | aligned to | written directly too |",
        "|---|---|---|---|---|",
    ]
    for name, owners in uses.items():
        on = ", ".join(dict.fromkeys(str(owner) for owner, _ in owners))
        aligned = _alignment_text(_property_alignment(name, owners))
        direct = ", ".join(
            dict.fromkeys(
                f"{curie} (on {t.value})" for (t, n), curie in WRITTEN_DIRECTLY.items() if n == name
            )
        )
        values = curie(datatype_iri(datatypes[name]))
        if datatypes[name] is Datatype.LIST:
            values += ", one triple each"
        out.append(f"| `cg:{camel_case(name)}` | {on} | {values} | {aligned} | {direct} |")
    return "\n".join(out) + "\n"


DOCS_START = "<!-- generated by civicgraph.ontology.publish: start -->"
DOCS_END = "<!-- generated by civicgraph.ontology.publish: end -->"


def refresh_docs(path: Path) -> bool:
    """Rewrite the generated block of ``docs/ontology.md``; return whether it changed."""
    text = path.read_text(encoding="utf-8")
    before, _, rest = text.partition(DOCS_START)
    _, _, after = rest.partition(DOCS_END)
    updated = f"{before}{DOCS_START}\n{ontology_reference_markdown()}{DOCS_END}{after}"
    if updated != text:
        path.write_text(updated, encoding="utf-8", newline="\n")
    return updated != text


def _render_context() -> str:
    return orjson.dumps(jsonld_context(), option=orjson.OPT_INDENT_2).decode() + "\n"


def _published() -> dict[str, str]:
    return {
        ONTOLOGY_FILE: ontology_turtle(),
        SHAPES_FILE: shapes_turtle(),
        CONTEXT_FILE: _render_context(),
        LIFECYCLE_FILE: lifecycle_turtle(),
    }


def write_published(folder: str | Path | None = None) -> list[Path]:
    """Write the ontology, shapes, context and lifecycle scheme into ``folder`` (default: here)."""
    target = Path(folder) if folder is not None else _HERE
    written = []
    for name, text in _published().items():
        path = target / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def stale_published() -> list[str]:
    """The published files whose content differs from what the vocabulary now generates."""
    return [
        name
        for name, text in _published().items()
        if not published_path(name).exists()
        or published_path(name).read_text(encoding="utf-8") != text
    ]


if __name__ == "__main__":  # pragma: no cover - the maintainers' regeneration step
    for path in write_published(sys.argv[1] if len(sys.argv) > 1 else None):
        print(path)
    docs = _HERE.parent / "docs" / "ontology.md"
    if docs.exists() and refresh_docs(docs):
        print(docs)
