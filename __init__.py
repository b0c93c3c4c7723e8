"""civicgraph: map a place's social infrastructure as one knowledge graph.

The public Python API. Analysts open a :class:`Workspace`, ingest sources
into it and build the analysis graph::

    import civicgraph
    ws = civicgraph.Workspace("civicgraph.db")
    civicgraph.ingest_hsds(ws, "directory/datapackage.json", name="council")
    graph = ws.graph()
    civicgraph.queries.gaps(graph)

Names load on first use (PEP 562), so that importing civicgraph, and
starting its command line, does not pay for pandas, networkx and igraph
until they are needed.
"""

from __future__ import annotations

# First of all: Ctrl-C while the command starts says "Aborted.", exit 130, no traceback.
from ._interrupt import install_if_command

install_if_command()

import importlib  # noqa: E402 - after the Ctrl-C handler, as everything below
from typing import TYPE_CHECKING, Any  # noqa: E402

from ._version import __version__  # noqa: E402
from .errors import (  # noqa: E402
    CivicGraphError,
    FetchError,
    InputError,
    OutputError,
    StrictModeError,
    UsageError,
    WorkspaceError,
)

if TYPE_CHECKING:
    from . import graph, ingest, ontology, queries, synth, viz  # noqa: F401
    from .graph import IngestReport, Workspace
    from .ingest import (
        INGESTERS,
        graph_from_hsds,
        ingest_360giving,
        ingest_hsds,
        validate,
    )
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
    "OutputError",
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
    "ontology",
    "queries",
    "synth",
    "validate",
    "viz",
]

_LAZY: dict[str, str] = {
    "IngestReport": ".graph",
    "Workspace": ".graph",
    "INGESTERS": ".ingest",
    "graph_from_hsds": ".ingest",
    "ingest_360giving": ".ingest",
    "ingest_hsds": ".ingest",
    "validate": ".ingest",
    "ingest_referrals": ".ingest.referrals",
    "ingest_relationships": ".ingest.relationships",
    "EDGE_TYPES": ".ontology",
    "NODE_TYPES": ".ontology",
    "EdgeType": ".ontology",
    "NodeType": ".ontology",
}
"""Each lazily loaded name and the module it comes from.

``civicgraph.ingest`` is the ingest package; its ``ingest(workspace, kind, source)``
is ``civicgraph.ingest.ingest``.
"""

_SUBPACKAGES = ("graph", "ingest", "ontology", "queries", "synth", "viz")


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'civicgraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
