"""Analysis fields: the queries' answers as node attributes, for tools that colour by them.

Gephi, Kumu and notebook users colour and size nodes by a column. These fields put
the answers of the queries on the nodes themselves, computed on the whole graph:

- ``sector`` (organisations, services): the sector the queries use (see ``silos``);
- ``silo_group`` (organisations): the group number of ``civicgraph query silos``
  (groups of two or more; an organisation in none has no value);
- ``betweenness`` (organisations in the tie network): as ``civicgraph query brokers``;
- ``si_score`` and ``si_rank`` (areas): ``civicgraph query si-index`` at the area's own
  level (LSOA, MSOA, ward), for levels with at least two areas;
- ``prevention_level`` (services, organisations): a service's level as
  ``civicgraph query prevention --by service`` gives it (its own stated level, else
  the crosswalk and rules; the workspace's kept mapping is not applied here), and an
  organisation's most common level of its services.

Each field registers with :func:`register_field`, so a new analysis joins every
export by registering once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..graph import Graph
from ..ontology import NodeType
from ._algorithms import betweenness
from ._index import GraphIndex
from ._levels import service_levels
from ._network import tie_network
from .places import Level, si_index
from .silos import silo_groups

__all__ = ["ANALYSIS_FIELDS", "AnalysisField", "analysis_fields", "register_field"]

log = logging.getLogger(__name__)

_ORG = NodeType.ORGANIZATION.value
_SERVICE = NodeType.SERVICE.value
_AREA = NodeType.AREA.value
SI_LEVELS: tuple[Level, ...] = ("lsoa", "msoa", "ward")
"""Area levels scored for ``si_score``; larger areas are too few to rank within a place."""


@dataclass(frozen=True)
class AnalysisField:
    """A field computed from the graph: its name(s), a sentence, and how to compute it.

    ``compute(graph, lookup, seed)`` returns ``{node id: {field: value}}``.
    """

    name: str
    summary: str
    compute: Callable[[Graph, GraphIndex, int], Mapping[str, Mapping[str, Any]]]


ANALYSIS_FIELDS: dict[str, AnalysisField] = {}
"""The registered analysis fields, in the order exports write them."""


def register_field(field: AnalysisField) -> AnalysisField:
    """Add an analysis field (a later one of the same name replaces it)."""
    ANALYSIS_FIELDS[field.name] = field
    return field


def _sector(graph: Graph, lookup: GraphIndex, seed: int) -> dict[str, dict[str, Any]]:
    return {
        node: {"sector": lookup.sector(node)}
        for node, kind in lookup.types.items()
        if kind in (_ORG, _SERVICE)
    }


def _silo_group(graph: Graph, lookup: GraphIndex, seed: int) -> dict[str, dict[str, Any]]:
    frame, members = silo_groups(graph, seed=seed)
    found: dict[str, dict[str, Any]] = {}
    for group, group_members in zip(frame["group"], members, strict=True):
        for member in group_members:
            found[member] = {"silo_group": int(group)}
    return found


def _betweenness(graph: Graph, lookup: GraphIndex, seed: int) -> dict[str, dict[str, Any]]:
    net = tie_network(graph, lookup=lookup)
    if not net.ties:
        return {}
    values, _exact = betweenness(net, seed=seed)
    return {net.nodes[i]: {"betweenness": float(v)} for i, v in enumerate(values)}


def _si_score(graph: Graph, lookup: GraphIndex, seed: int) -> dict[str, dict[str, Any]]:
    levels = Counter(
        graph.nodes[node].get("level") for node, kind in lookup.types.items() if kind == _AREA
    )
    found: dict[str, dict[str, Any]] = {}
    for level in SI_LEVELS:
        if levels.get(level, 0) < 2:
            continue
        frame = si_index(graph, level=level)
        for area, score, rank in zip(
            frame["area"], frame["si_score"], frame["si_rank"], strict=True
        ):
            if pd.isna(score):
                continue  # an area with nothing to score has no score
            found[str(area)] = {
                "si_score": float(score),
                **({} if pd.isna(rank) else {"si_rank": int(rank)}),
            }
    return found


def _prevention_level(graph: Graph, lookup: GraphIndex, seed: int) -> dict[str, dict[str, Any]]:
    levels = service_levels(lookup)
    found: dict[str, dict[str, Any]] = {
        service: {"prevention_level": level.mapping.level} for service, level in levels.items()
    }
    for org, services in lookup.services_of.items():
        counts = Counter(levels[s].mapping.level for s in services if s in levels)
        if counts:
            found[org] = {"prevention_level": min(counts, key=lambda k: (-counts[k], k))}
    return found


register_field(AnalysisField("sector", "The sector of organisations and services.", _sector))
register_field(AnalysisField("silo_group", "The silo group of organisations.", _silo_group))
register_field(AnalysisField("betweenness", "Organisations' betweenness.", _betweenness))
register_field(AnalysisField("si_score", "Areas' social infrastructure index.", _si_score))
register_field(
    AnalysisField(
        "prevention_level",
        "Services' prevention level and organisations' most common one.",
        _prevention_level,
    )
)


def analysis_fields(
    graph: Graph, *, fields: Iterable[str] | None = None, seed: int = 1
) -> dict[str, dict[str, Any]]:
    """Each node's analysis fields: ``{node id: {field: value}}`` (see the module notes).

    Parameters
    ----------
    graph
        The analysis graph.
    fields
        Which registered fields (default: all of :data:`ANALYSIS_FIELDS`).
    seed
        The random seed of the silo groups and sampled betweenness, as in the queries.

    Raises
    ------
    UsageError
        A field that is not registered.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for org in "ABC":
    ...     g.add_node(org, type="Organization", name=f"Org {org}", sector="Advice")
    >>> for u, v in ["AB", "BC"]:
    ...     _ = g.add_edge(u, v, key="REFERS_TO", type="REFERS_TO", count=3)
    >>> found = analysis_fields(g)
    >>> found["B"]["betweenness"], found["A"]["betweenness"], found["B"]["sector"]
    (1.0, 0.0, 'Advice')
    >>> found["A"]["silo_group"] == found["B"]["silo_group"] == found["C"]["silo_group"]
    True
    """
    chosen = list(ANALYSIS_FIELDS) if fields is None else list(fields)
    unknown = [name for name in chosen if name not in ANALYSIS_FIELDS]
    if unknown:
        raise UsageError(
            f"'{unknown[0]}' is not an analysis field. Fix: use {', '.join(ANALYSIS_FIELDS)}."
        )
    lookup = GraphIndex(graph)
    found: dict[str, dict[str, Any]] = {}
    for name in chosen:
        for node, values in ANALYSIS_FIELDS[name].compute(graph, lookup, seed).items():
            found.setdefault(node, {}).update(values)
    log.info("analysis fields %s on %d nodes", ", ".join(chosen), len(found))
    return found
