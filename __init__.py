"""civicgraph: map a place's social infrastructure as one knowledge graph.

The public Python API. Analysts open a :class:`Workspace`, ingest sources
into it and build the analysis graph::

    import civicgraph
    ws = civicgraph.Workspace("civicgraph.db")
    civicgraph.ingest_hsds(ws, "directory/datapackage.json", name="council")
    graph = ws.graph()
"""

from ._version import __version__
from .errors import (
    CivicGraphError,
    FetchError,
    InputError,
    StrictModeError,
    UsageError,
    WorkspaceError,
)
from .graph import IngestReport, Workspace
from .ingest import INGESTERS, graph_from_hsds, ingest, ingest_360giving, ingest_hsds, validate
from .ingest.referrals import ingest_referrals
from .ingest.relationships import ingest_relationships
from .ontology import EDGE_TYPES, NODE_TYPES, EdgeType, NodeType

__all__ = [
    "EDGE_TYPES",
    "INGESTERS",
    "NODE_TYPES",
    "CivicGraphError",
    "EdgeType",
    "FetchError",
    "IngestReport",
    "InputError",
    "NodeType",
    "StrictModeError",
    "UsageError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "graph_from_hsds",
    "ingest",
    "ingest_360giving",
    "ingest_hsds",
    "ingest_referrals",
    "ingest_relationships",
    "validate",
]
