"""Validating an RDF export against civicgraph's SHACL shapes (``ontology/shapes.ttl``).

The report lists each result with its focus node, path, message and
severity, grouped by the shape (the rule) that found it, so that a thousand
services without a provider read as one line with a count and examples.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyshacl
import rdflib
from rdflib.namespace import SH

from ..errors import InputError, UsageError
from ..ontology.publish import SHAPES_FILE, curie, published_path

__all__ = ["SHACL_SEVERITIES", "ShaclReport", "ShaclResult", "read_rdf", "validate_rdf"]

SHACL_SEVERITIES = ("Violation", "Warning", "Info")

_PARSERS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result."""

    severity: str
    focus_node: str
    path: str
    message: str
    shape: str
    value: str | None = None


@dataclass
class ShaclReport:
    """What the shapes found in one file."""

    file: str
    triples: int
    results: list[ShaclResult] = field(default_factory=list)

    def count(self, severity: str) -> int:
        """How many results of a severity (``Violation``, ``Warning``, ``Info``)."""
        return sum(1 for r in self.results if r.severity == severity)

    def conforms(self, fail_on: Literal["violation", "warning"] = "violation") -> bool:
        """No violations (and, with ``fail_on="warning"``, no warnings either)."""
        failing = ("Violation",) if fail_on == "violation" else ("Violation", "Warning")
        return not any(r.severity in failing for r in self.results)

    def groups(self) -> list[tuple[str, str, str, list[ShaclResult]]]:
        """Results grouped by (severity, shape, message), violations first, largest first."""
        grouped: dict[tuple[str, str, str], list[ShaclResult]] = {}
        for result in self.results:
            grouped.setdefault((result.severity, result.shape, result.message), []).append(result)
        order = {s: i for i, s in enumerate(SHACL_SEVERITIES)}
        return [
            (severity, shape, message, items)
            for (severity, shape, message), items in sorted(
                grouped.items(), key=lambda kv: (order.get(kv[0][0], 9), -len(kv[1]), kv[0])
            )
        ]

    def summary_lines(self, *, examples: int = 3) -> list[str]:
        """The report for a terminal: a verdict, then each group with a count and examples."""
        counts = ", ".join(f"{self.count(s)} {s.lower()}s" for s in SHACL_SEVERITIES)
        verdict = "conforms" if self.conforms() else "does NOT conform"
        lines = [f"{self.file}: {self.triples:,} triples; {verdict} ({counts})"]
        for severity, shape, message, items in self.groups():
            lines.append(f"  {severity} ×{len(items)} [{shape}] {message}")
            for item in items[:examples]:
                value = f" value {item.value!r}" if item.value is not None else ""
                lines.append(f"    focus {item.focus_node}  path {item.path}{value}")
            if len(items) > examples:
                lines.append(f"    ... and {len(items) - examples} more")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "triples": self.triples,
            "conforms": self.conforms(),
            "counts": {s: self.count(s) for s in SHACL_SEVERITIES},
            "results": [r.__dict__ for r in self.results],
        }


def read_rdf(path: str | Path, *, format: str | None = None) -> rdflib.Graph:
    """Parse an RDF file with rdflib; the syntax comes from the suffix unless given."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{file}: no such file. Fix: give the path of an RDF export.")
    parser = format or _PARSERS.get(file.suffix.lower())
    if parser is None:
        raise UsageError(
            f"{file}: cannot tell the RDF syntax from the suffix '{file.suffix}'. "
            f"Fix: give `format`, or name it {', '.join(sorted(_PARSERS))}.",
            param="format",
        )
    graph = rdflib.Graph()
    try:
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            graph.parse(file, format=parser)
    except Exception as error:  # rdflib raises many kinds, all meaning "not this syntax"
        raise InputError(
            f"is not readable as {parser}: {error}",
            path=file,
            fix="check that the file is complete and the suffix or `format` matches its syntax.",
            param="format",
        ) from error
    return graph


def _text(graph: rdflib.Graph, node: Any) -> str:
    if node is None:
        return ""
    if isinstance(node, rdflib.URIRef):
        return (
            curie(str(node)).strip("<>") if str(node).startswith("https://w3id.org") else str(node)
        )
    if isinstance(node, rdflib.BNode):
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + curie(str(inverse))
        return "[complex path]"
    return str(node)


def _results(results: rdflib.Graph) -> Iterator[ShaclResult]:
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        focus = results.value(result, SH.focusNode)
        yield ShaclResult(
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            focus_node=str(focus) if focus is not None else "",
            path=_text(results, results.value(result, SH.resultPath)),
            message=str(message) if message is not None else "",
            shape=(str(shape).rsplit("#", 1)[-1] if isinstance(shape, rdflib.URIRef) else "shape"),
            value=None if value is None else str(value),
        )


def validate_rdf(
    data: str | Path | rdflib.Graph,
    *,
    format: str | None = None,
    shapes: str | Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ShaclReport:
    """Check an RDF file (or graph) against civicgraph's SHACL shapes.

    Parameters
    ----------
    data
        An RDF file (Turtle, N-Triples, JSON-LD or RDF/XML, told by its suffix)
        or an rdflib graph.
    format
        The rdflib parser name, where the suffix does not tell.
    shapes
        Another shapes file (default: the published ``shapes.ttl``).
    progress
        Called ``(step, done, total)`` as the three steps (read the data, check it
        against the shapes, list the results) finish; the CLI shows it on a terminal.

    Returns
    -------
    ShaclReport
        Every result, with focus node, path, message, severity and shape.
    """
    name = "(graph)" if isinstance(data, rdflib.Graph) else str(data)
    step = f"validating {name} (read, check against the shapes, list the results)"
    if progress:
        progress(step, 0, 3)
    graph = data if isinstance(data, rdflib.Graph) else read_rdf(data, format=format)
    if progress:
        progress(step, 1, 3)
    shapes_graph = rdflib.Graph().parse(shapes or published_path(SHAPES_FILE), format="turtle")
    _, results, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph,
        inference="none",
        allow_warnings=True,
        advanced=False,
    )
    assert isinstance(results, rdflib.Graph)
    if progress:
        progress(step, 2, 3)
    found = sorted(
        _results(results), key=lambda r: (r.severity, r.shape, r.focus_node, r.path, r.value or "")
    )
    if progress:
        progress(step, 3, 3)
    return ShaclReport(file=name, triples=len(graph), results=found)
