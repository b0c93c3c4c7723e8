"""SPARQL over the workspace's RDF view, and the library of example queries in ``queries/sparql/``.

The RDF view is the export (``graph.rdf.rdf_triples``) loaded into an
in-memory pyoxigraph store; queries may use every prefix of the ontology
(``cg:``, ``schema:``, ``skos:``, ``prov:``, ...) without declaring it.
Library queries are ``.rq`` files whose leading ``#`` comment lines say what
they answer; ``civicgraph sparql NAME`` runs one by its file name.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyoxigraph as ox

from ..errors import InputError, UsageError
from ..graph import Workspace
from ..graph._rdf_writers import write_ntriples
from ..graph.rdf import rdf_triples
from ..ontology.rdf import PREFIXES, XSD

__all__ = [
    "SPARQL_LIBRARY",
    "SparqlQuery",
    "rdf_store",
    "run_sparql",
    "sparql_library",
    "uses_service",
]

SPARQL_LIBRARY = Path(__file__).resolve().parent / "sparql"
"""The folder of example queries shipped with civicgraph."""

_NUMERIC = {
    XSD + "integer": int,
    XSD + "int": int,
    XSD + "long": int,
    XSD + "nonNegativeInteger": int,
    XSD + "decimal": float,
    XSD + "double": float,
    XSD + "float": float,
}


@dataclass(frozen=True)
class SparqlQuery:
    """A library query: its name (the file name without ``.rq``), what it answers, its text."""

    name: str
    summary: str
    text: str
    path: Path


def sparql_library() -> dict[str, SparqlQuery]:
    """The example queries by name, from ``queries/sparql/*.rq``."""
    library = {}
    for path in sorted(SPARQL_LIBRARY.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        comments = []
        for line in lines:
            if not line.startswith("#"):
                break
            comments.append(line.lstrip("# ").rstrip())
        first_sentence = " ".join(comments).split(". ")[0].rstrip(".")
        library[path.stem] = SparqlQuery(path.stem, first_sentence, text, path)
    return library


def rdf_store(workspace: Workspace, *, base_iri: str | None = None) -> ox.Store:
    """The workspace's RDF view as an in-memory pyoxigraph store."""
    buffer = io.BytesIO()
    write_ntriples(rdf_triples(workspace, base_iri=base_iri), buffer)
    store = ox.Store()
    store.bulk_load(buffer.getvalue(), ox.RdfFormat.N_TRIPLES)
    return store


def _term(value: str) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term: ``<iri>`` is an IRI, digits an integer, else a string."""
    if value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as error:
            raise UsageError(f"'{value}' is not a valid IRI ({error}).") from error
    if re.fullmatch(r"[+-]?\d+", value):
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(value)


def _python(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        convert = _NUMERIC.get(term.datatype.value)
        if convert is not None:
            try:
                return convert(term.value)
            except ValueError:
                return term.value
        if term.datatype.value == XSD + "boolean":
            return term.value == "true"
        return term.value
    return term.value


_LEXICAL = re.compile(
    r"""'{3}.*?'{3}|"{3}.*?"{3}|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>|#[^\n]*""",
    re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w:?$.-])SERVICE(?![\w:-])", re.IGNORECASE)


def uses_service(query: str) -> bool:
    """Whether SPARQL text has a ``SERVICE`` clause (a federated query to another server).

    Strings, IRIs and comments are skipped, and so are names that merely
    contain the word (``cg:Service``, ``?service``).

    Examples
    --------
    >>> uses_service("SELECT * WHERE { SERVICE <http://x.org/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service("SELECT ?service WHERE { ?service a cg:Service } # no SERVICE here")
    False
    >>> uses_service('SELECT * WHERE { ?s cg:name "SERVICE <http://x>" }')
    False
    """
    return bool(_SERVICE.search(_LEXICAL.sub(" ", query)))


def run_sparql(
    workspace: Workspace | ox.Store,
    query: str,
    *,
    params: dict[str, str] | None = None,
    base_iri: str | None = None,
    allow_service: bool = False,
) -> pd.DataFrame:
    """Run a SPARQL query over the workspace's RDF view; return the rows as a DataFrame.

    Parameters
    ----------
    workspace
        The workspace (its RDF view is built in memory), or a store from :func:`rdf_store`.
    query
        The query text, or the name of a library query (``services-per-organisation``).
    params
        Values for query variables (``{"funder": "<https://...>"}``): ``<...>`` is
        an IRI, digits an integer, anything else a string.
    base_iri
        The base of node IRIs in the view.
    allow_service
        Run a query with a ``SERVICE`` clause, which sends requests to the
        servers it names; refused unless this is set.

    Returns
    -------
    pandas.DataFrame
        SELECT: one column per variable (IRIs as text, numbers as numbers);
        ASK: one column ``ask``; CONSTRUCT/DESCRIBE: ``subject``, ``predicate``, ``object``.
    """
    library = sparql_library()
    if query in library:
        query = library[query].text
    elif re.fullmatch(r"[a-z0-9-]+", query.strip()):
        raise UsageError(
            f"there is no library query '{query}'. Fix: use one of "
            f"{', '.join(library)}, or give the query text."
        )
    if uses_service(query) and not allow_service:
        raise UsageError(
            "the query has a SERVICE clause, which would send requests to the server it names; "
            "refused. Fix: remove it, or allow it with `allow_service` if you trust that server.",
            param="allow_service",
        )
    store = (
        workspace if isinstance(workspace, ox.Store) else rdf_store(workspace, base_iri=base_iri)
    )
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): _term(v) for k, v in (params or {}).items()
    }
    try:
        result = store.query(query, prefixes=dict(PREFIXES), substitutions=substitutions or None)
    except SyntaxError as error:
        raise InputError(
            f"is not valid SPARQL: {error}",
            path="the query",
            fix="check the query; the prefixes cg:, schema:, skos:, prov:, ... are predeclared.",
        ) from error
    if isinstance(result, bool | ox.QueryBoolean):
        return pd.DataFrame({"ask": [bool(result)]})
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        rows = [[_python(solution[c]) for c in columns] for solution in result]
        return pd.DataFrame(rows, columns=columns)
    triples = [(t.subject.value, t.predicate.value, _python(t.object)) for t in result]
    return pd.DataFrame(triples, columns=["subject", "predicate", "object"])
