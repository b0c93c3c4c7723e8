"""Named analyses of the graph.

Each is a function ``f(graph, *, ...) -> pandas.DataFrame`` whose rows carry
their evidence in a ``why`` column; none prints. Each registers with
:func:`register_query`, which makes it ``civicgraph query <name>``.
"""

from ._registry import QUERIES, Param, Query, register_query, run_query

__all__ = ["QUERIES", "Param", "Query", "register_query", "run_query"]
