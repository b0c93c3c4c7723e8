"""Writers of a triple stream: N-Triples, Turtle, JSON-LD and RDF/XML. Private.

Each takes the ``(subject, predicate, object, datatype)`` tuples of
``_rdf_mapping`` and a binary file, and returns how many triples it wrote.

- N-Triples: our own streaming writer, canonical (RDF 1.2 N-Triples c14n)
  escaping, with every subject and predicate written once per run of triples;
- Turtle: pyoxigraph's serialiser, fed from the stream (no store in memory);
- JSON-LD: our own streaming writer of compact JSON-LD under the published
  context (``ontology/context.jsonld``), one node object per subject;
- RDF/XML: our own streaming writer. XML 1.0 cannot hold C0 control
  characters (other than tab, line feed and carriage return) at all, so they
  are written as U+FFFD; carriage returns are kept as ``&#13;`` (pyoxigraph's
  RDF/XML writer writes both raw, which loses the one and makes the file
  unreadable with the other).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import IO, Any

import orjson
import pyoxigraph as ox

from ..ontology.publish import jsonld_context
from ..ontology.rdf import PREFIXES, RDF, XSD
from ._rdf_mapping import Triple

__all__ = [
    "to_oxigraph",
    "write_jsonld",
    "write_ntriples",
    "write_rdfxml",
    "write_turtle",
]

_STRING = XSD + "string"
_TYPE = RDF + "type"

# RDF 1.2 canonical N-Triples: ECHARs for these, \uXXXX for the other controls and DEL.
_NT_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
for _code in (*range(0x00, 0x20), 0x7F):
    _NT_ESCAPES.setdefault(_code, f"\\u{_code:04X}")
_NT_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def nt_string(text: str) -> str:
    """A string escaped for an N-Triples literal (without the quotes).

    Examples
    --------
    >>> nt_string('say "hi"\\n\\x01')
    'say \\\\"hi\\\\"\\\\n\\\\u0001'
    """
    if _NT_NEEDS_ESCAPE.search(text) is None:
        return text
    return text.translate(_NT_ESCAPES)


def write_ntriples(triples: Iterable[Triple], out: IO[bytes]) -> int:
    """Stream triples as N-Triples; IRIs are written as they come (they are already valid)."""
    count = 0
    buffer: list[str] = []
    last_subject = last_predicate = None
    subject_text = predicate_text = ""
    literal_suffix: dict[str, str] = {_STRING: '" .\n'}
    write = out.write
    for s, p, o, dt in triples:
        if s is not last_subject:
            last_subject, subject_text = s, f"<{s}> "
        if p is not last_predicate:
            last_predicate, predicate_text = p, f"<{p}> "
        if dt is None:
            buffer.append(f"{subject_text}{predicate_text}<{o}> .\n")
        else:
            suffix = literal_suffix.get(dt)
            if suffix is None:
                suffix = literal_suffix[dt] = f'"^^<{dt}> .\n'
            buffer.append(f'{subject_text}{predicate_text}"{nt_string(o)}{suffix}')
        count += 1
        if len(buffer) >= 8192:
            write("".join(buffer).encode("utf-8"))
            buffer.clear()
    write("".join(buffer).encode("utf-8"))
    return count


def to_oxigraph(triples: Iterable[Triple], counter: list[int] | None = None) -> Iterator[ox.Triple]:
    """The triples as pyoxigraph terms; IRIs are made once and reused."""
    named: dict[str, ox.NamedNode] = {}
    datatypes: dict[str, ox.NamedNode] = {}
    node = ox.NamedNode
    literal = ox.Literal
    triple = ox.Triple
    count = 0
    for s, p, o, dt in triples:
        subject = named.get(s)
        if subject is None:
            subject = named[s] = node(s)
        predicate = named.get(p)
        if predicate is None:
            predicate = named[p] = node(p)
        if dt is None:
            obj: ox.NamedNode | ox.Literal | None = named.get(o)
            if obj is None:
                obj = named[o] = node(o)
        elif dt == _STRING:
            obj = literal(o)
        else:
            datatype = datatypes.get(dt)
            if datatype is None:
                datatype = datatypes[dt] = node(dt)
            obj = literal(o, datatype=datatype)
        count += 1
        yield triple(subject, predicate, obj)
        if len(named) > 200_000:
            named.clear()  # subjects come in runs: a bounded cache keeps memory flat
    if counter is not None:
        counter.append(count)


def write_turtle(triples: Iterable[Triple], out: IO[bytes]) -> int:
    """Turtle through pyoxigraph's streaming serialiser, with the ontology's prefixes."""
    counter: list[int] = []
    ox.serialize(to_oxigraph(triples, counter), out, ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    return counter[0] if counter else 0


# -- JSON-LD --------------------------------------------------------------------------


class _Compactor:
    """Chooses the key and value form of each predicate under the published context."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.prefixes = {
            name: value
            for name, value in context.items()
            if isinstance(value, str) and value.endswith(("#", "/"))
        }
        self.terms: dict[str, tuple[str, str | None, bool]] = {}
        for name, value in context.items():
            if name.startswith("@") or name in self.prefixes:
                continue
            definition = value if isinstance(value, dict) else {"@id": value}
            iri = self.expand(definition["@id"])
            coerce = definition.get("@type")
            self.terms.setdefault(
                iri,
                (
                    name,
                    None if coerce is None else coerce if coerce == "@id" else self.expand(coerce),
                    definition.get("@container") == "@set",
                ),
            )
        self.classes = {
            self.expand(v): k
            for k, v in context.items()
            if isinstance(v, str) and not k.startswith("@") and k not in self.prefixes
        }

    def expand(self, value: str) -> str:
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        return value

    def compact_iri(self, iri: str) -> str:
        best = iri
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                candidate = f"{prefix}:{iri[len(namespace) :]}"
                if len(candidate) < len(best):
                    best = candidate
        return best

    def node_object(self, subject: str, triples: Iterable[Triple]) -> dict[str, Any]:
        obj: dict[str, Any] = {"@id": subject, "@type": None}
        types: list[str] = []
        for predicate, group in groupby(triples, key=itemgetter(1)):
            if predicate == _TYPE:
                types += [self.classes.get(o) or self.compact_iri(o) for _, _, o, _ in group]
                continue
            term = self.terms.get(predicate)
            values: list[Any]
            if term is None:
                key, as_set = self.compact_iri(predicate), False
                values = [_expanded(o, dt, self) for _, _, o, dt in group]
            else:
                key, coerce, as_set = term
                values = [self._value(o, dt, coerce) for _, _, o, dt in group]
            existing = obj.get(key)
            if existing is not None:
                values = (existing if isinstance(existing, list) else [existing]) + values
            obj[key] = values if as_set or len(values) > 1 else values[0]
        if types:
            obj["@type"] = types if len(types) > 1 else types[0]
        else:
            del obj["@type"]
        return obj

    def _value(self, o: str, dt: str | None, coerce: str | None) -> Any:
        if coerce == "@id":
            return o if dt is None else _expanded(o, dt, self)
        if dt is not None and (dt == coerce or (coerce is None and dt == _STRING)):
            return o
        return _expanded(o, dt, self)


def _expanded(o: str, dt: str | None, compactor: _Compactor) -> Any:
    if dt is None:
        return {"@id": o}
    if dt == _STRING:
        return o
    return {"@value": o, "@type": compactor.compact_iri(dt)}


def write_jsonld(triples: Iterable[Triple], out: IO[bytes]) -> int:
    """Compact JSON-LD under the published context (embedded), streamed one node at a time."""
    context = jsonld_context()
    compactor = _Compactor(context["@context"])
    count = 0

    def counted() -> Iterator[Triple]:
        nonlocal count
        for triple in triples:
            count += 1
            yield triple

    header = orjson.dumps(context, option=orjson.OPT_INDENT_2).decode()
    out.write((header[: header.rindex("}")].rstrip() + ',\n  "@graph": [\n').encode())
    first = True
    for subject, group in groupby(counted(), key=itemgetter(0)):
        text = orjson.dumps(compactor.node_object(subject, group))
        out.write(text if first else b",\n" + text)
        first = False
    out.write(b"\n  ]\n}\n")
    return count


# -- RDF/XML --------------------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
_XML_ATTR = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord('"'): "&quot;",
    ord("\r"): "&#13;",
    ord("\n"): "&#10;",
    ord("\t"): "&#9;",
}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def _qname_maker() -> Callable[[str], tuple[str, str]]:
    namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
    cache: dict[str, tuple[str, str]] = {}

    def qname(iri: str) -> tuple[str, str]:
        found = cache.get(iri)
        if found is None:
            for prefix, namespace in namespaces:
                local = iri[len(namespace) :]
                if iri.startswith(namespace) and _NCNAME.match(local):
                    found = (f"{prefix}:{local}", "")
                    break
            else:
                cut = max(iri.rfind("#"), iri.rfind("/")) + 1
                local = iri[cut:]
                if not _NCNAME.match(local):
                    raise ValueError(f"RDF/XML cannot write the predicate <{iri}>")
                found = (f"ns0:{local}", f' xmlns:ns0="{iri[:cut].translate(_XML_ATTR)}"')
            cache[iri] = found
        return found

    return qname


def write_rdfxml(triples: Iterable[Triple], out: IO[bytes]) -> int:
    """Stream triples as RDF/XML, one ``rdf:Description`` per run of one subject."""
    qname = _qname_maker()
    namespaces = " ".join(f'xmlns:{p}="{n}"' for p, n in PREFIXES.items())
    out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF {namespaces}>\n'.encode())
    count = 0
    for subject, group in groupby(triples, key=itemgetter(0)):
        lines = [f'  <rdf:Description rdf:about="{xml_safe(subject).translate(_XML_ATTR)}">\n']
        for _, p, o, dt in group:
            name, declaration = qname(p)
            if dt is None:
                resource = xml_safe(o).translate(_XML_ATTR)
                lines.append(f'    <{name}{declaration} rdf:resource="{resource}"/>\n')
            else:
                text = xml_safe(o).translate(_XML_TEXT)
                typed = "" if dt == _STRING else f' rdf:datatype="{dt.translate(_XML_ATTR)}"'
                lines.append(f"    <{name}{declaration}{typed}>{text}</{name}>\n")
            count += 1
        lines.append("  </rdf:Description>\n")
        out.write("".join(lines).encode("utf-8"))
    out.write(b"</rdf:RDF>\n")
    return count
