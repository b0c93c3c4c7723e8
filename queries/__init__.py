"""Named analyses of the graph.

Each is a function ``f(graph, *, ...) -> pandas.DataFrame`` whose rows carry
their evidence in a ``why`` column; none prints. Each registers with
:func:`register_query`, which makes it ``civicgraph query <name>``.
"""

from ._registry import QUERIES, Param, Query, register_query, run_query
from .funding import funders, funding_dependency

__all__ = [
    "QUERIES",
    "Param",
    "Query",
    "funders",
    "funding_dependency",
    "register_query",
    "run_query",
]
