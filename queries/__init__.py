"""Named analyses of the graph.

Each is a function ``f(graph, *, ...) -> pandas.DataFrame`` whose rows carry
their evidence in a ``why`` column; none prints. Each registers with
:func:`register_query`, which makes it ``civicgraph query <name>``.
"""

from ._registry import QUERIES, Param, Query, register_query, run_query
from ._sparql import SPARQL_LIBRARY, SparqlQuery, rdf_store, run_sparql, sparql_library
from .funding import funders, funding_dependency

__all__ = [
    "QUERIES",
    "SPARQL_LIBRARY",
    "Param",
    "Query",
    "SparqlQuery",
    "funders",
    "funding_dependency",
    "rdf_store",
    "register_query",
    "run_query",
    "run_sparql",
    "sparql_library",
]
