"""Named analyses of the graph.

Each is a function ``f(graph, *, ...) -> pandas.DataFrame`` whose rows carry
their evidence in a ``why`` column; none prints. Each registers with
:func:`register_query`, which makes it ``civicgraph query <name>``.
"""

from ._registry import QUERIES, Param, Query, register_query, run_query
from ._sparql import SPARQL_LIBRARY, SparqlQuery, rdf_store, run_sparql, sparql_library
from .activities import activities
from .area_changes import area_changes
from .assets import assets
from .brokers import brokers
from .buildings import shared_buildings
from .changes import changes
from .fields import ANALYSIS_FIELDS, AnalysisField, analysis_fields, register_field
from .funding import funders, funding_dependency
from .impact import impact
from .isolates import isolates
from .network import network
from .partnerships import partnerships, pooled_budgets
from .pathways import pathways
from .places import gaps, si_index
from .prevention import prevention, prevention_profile
from .silos import sector_gaps, silos
from .unplaced import unplaced

__all__ = [
    "ANALYSIS_FIELDS",
    "QUERIES",
    "SPARQL_LIBRARY",
    "AnalysisField",
    "Param",
    "Query",
    "SparqlQuery",
    "activities",
    "analysis_fields",
    "area_changes",
    "assets",
    "brokers",
    "changes",
    "funders",
    "funding_dependency",
    "gaps",
    "impact",
    "isolates",
    "network",
    "partnerships",
    "pathways",
    "pooled_budgets",
    "prevention",
    "prevention_profile",
    "rdf_store",
    "register_field",
    "register_query",
    "run_query",
    "run_sparql",
    "sector_gaps",
    "shared_buildings",
    "si_index",
    "silos",
    "sparql_library",
    "unplaced",
]
