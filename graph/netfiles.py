"""Files for network tools: GraphML and GEXF (Gephi), and CSV element and connection lists (Kumu).

Network tools want flat, typed attributes: every attribute has one type
across the file (the ontology's datatype for documented properties; for the
rest, the narrowest type all values share), lists become ``"; "``-joined text
(``|``-joined for Kumu, its multi-value separator) and nested values become
compact JSON text. Node types and edge types are the attributes
``node_type`` and ``edge_type`` (GEXF reserves an edge's ``type``), and every
node and edge has a ``label``. XML cannot hold most control characters; in
GraphML and GEXF they are written as U+FFFD, and carriage returns as line
feeds (what an XML reader makes of them). The Kumu CSV keeps every character.
"""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from .._files import atomic_write
from ..errors import UsageError
from ..ontology import EDGE_TYPES, NODE_TYPES, Datatype, EdgeType, NodeType
from ._rdf_mapping import json_lexical
from ._rdf_writers import xml_safe
from .build import Graph
from .workspace import Workspace

__all__ = [
    "NETWORK_FORMATS",
    "NetworkFormat",
    "export_network",
    "flat_graph",
    "write_gexf",
    "write_graphml",
    "write_kumu_csv",
]

log = logging.getLogger(__name__)

_INTEGER = (Datatype.INTEGER,)
_FLOAT = (Datatype.DECIMAL,)


def _kind_of(datatype: Datatype | None, values: Iterable[Any]) -> type:
    """The one Python type an attribute is written as."""
    if datatype in _INTEGER:
        kind: type = int
    elif datatype in _FLOAT:
        kind = float
    elif datatype is Datatype.BOOLEAN:
        kind = bool
    elif datatype is not None:
        kind = str
    else:
        seen = {type(v) for v in values if v is not None}
        if seen == {bool}:
            kind = bool
        elif seen and seen <= {int}:
            kind = int
        elif seen and seen <= {int, float}:
            kind = float
        else:
            kind = str
    return kind


def _flatten(value: Any, kind: type, separator: str) -> Any:
    """A value as ``kind``; what cannot be one becomes text (lists joined, dicts as JSON)."""
    if value is None:
        return None
    if (
        kind is not str
        and isinstance(value, kind)
        and not (kind is int and isinstance(value, bool))
    ):
        return value if not isinstance(value, float) or math.isfinite(value) else None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is not str:
        return None  # a stray value of another type: written nowhere rather than mistyped
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
        return separator.join(str(v) for v in value)
    if isinstance(value, list | tuple | dict):
        return json_lexical(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _attribute_kinds(
    items: Iterable[Mapping[str, Any]],
    documented: Callable[[Mapping[str, Any], str], Datatype | None],
) -> dict[str, type]:
    values: dict[str, list[Any]] = {}
    datatypes: dict[str, Datatype | None] = {}
    for data in items:
        for name, value in data.items():
            values.setdefault(name, []).append(value)
            datatype = documented(data, name)
            if datatypes.get(name) is None:
                datatypes[name] = datatype
    return {name: _kind_of(datatypes.get(name), vals) for name, vals in values.items()}


def _node_datatype(data: Mapping[str, Any], name: str) -> Datatype | None:
    prop = NODE_TYPES[NodeType(data["type"])].properties.get(name)
    return prop.datatype if prop else None


def _edge_datatype(data: Mapping[str, Any], name: str) -> Datatype | None:
    prop = EDGE_TYPES[EdgeType(data["type"])].properties.get(name)
    return prop.datatype if prop else None


def _label(node: str, data: Mapping[str, Any]) -> str:
    label = data.get("name") or data.get("title")
    return label if isinstance(label, str) and label else node


def flat_graph(graph: Graph, *, separator: str = "; ", xml: bool = False) -> Graph:
    """A copy of the graph with flat, consistently typed attributes (see the module's notes).

    Parameters
    ----------
    graph
        The analysis graph (``Workspace.graph()``).
    separator
        What joins the items of a list.
    xml
        Replace the characters XML 1.0 cannot hold with U+FFFD.
    """
    node_kinds = _attribute_kinds((d for _, d in graph.nodes(data=True)), _node_datatype)
    edge_kinds = _attribute_kinds((d for _, _, d in graph.edges(data=True)), _edge_datatype)

    def text(value: Any) -> Any:
        if xml and isinstance(value, str):
            # XML readers turn a raw CR into LF; say so in the file rather than on reading.
            return xml_safe(value.replace("\r\n", "\n").replace("\r", "\n"))
        return value

    flat: Graph = nx.MultiDiGraph()
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        attrs: dict[str, Any] = {"label": text(_label(node, data)), "node_type": data["type"]}
        for name in sorted(data):
            if name in ("type", "label"):
                continue
            value = _flatten(data[name], node_kinds[name], separator)
            if value is not None:
                attrs[name] = text(value)
        flat.add_node(text(node), **attrs)
    for u, v, key in sorted(graph.edges(keys=True)):
        data = graph.edges[u, v, key]
        attrs = {"label": data["type"], "edge_type": data["type"], "id": text(f"{u}|{v}|{key}")}
        for name in sorted(data):
            if name in ("type", "label", "id"):
                continue
            value = _flatten(data[name], edge_kinds[name], separator)
            if value is not None:
                attrs[name] = text(value)
        flat.add_edge(text(u), text(v), key=text(key), **attrs)
    return flat


def write_graphml(graph: Graph, path: str | Path) -> None:
    """GraphML with typed attributes (int, double, boolean, string), for Gephi, yEd, igraph."""
    with atomic_write(path, "wb") as handle:
        nx.write_graphml(flat_graph(graph, xml=True), handle, edge_id_from_attribute="id")


def write_gexf(graph: Graph, path: str | Path) -> None:
    """GEXF 1.2 with typed attributes, for Gephi."""
    with atomic_write(path, "wb") as handle:
        nx.write_gexf(flat_graph(graph, xml=True), handle, version="1.2draft")


def write_kumu_csv(graph: Graph, folder: str | Path) -> list[Path]:
    """Kumu's import layout: ``elements.csv`` (ID, Label, Type, Description, ...) and
    ``connections.csv`` (ID, From, To, Type, Direction, ...), list values ``|``-joined."""
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise UsageError(
            f"{target} is a file. Fix: give `out` a folder for the two CSV files.", param="out"
        )
    target.mkdir(parents=True, exist_ok=True)
    flat = flat_graph(graph, separator="|")
    element_fields = ["ID", "Label", "Type", "Description"]
    extra = sorted(
        {k for _, d in flat.nodes(data=True) for k in d} - {"label", "node_type", "description"}
    )
    elements = target / "elements.csv"
    with atomic_write(elements, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(element_fields + extra)
        for node, data in flat.nodes(data=True):
            writer.writerow(
                [node, data["label"], data["node_type"], data.get("description", "")]
                + [_cell(data.get(k)) for k in extra]
            )
    connection_fields = ["ID", "From", "To", "Type", "Direction", "Label"]
    extra = sorted(
        {k for _, _, d in flat.edges(data=True) for k in d} - {"id", "label", "edge_type"}
    )
    connections = target / "connections.csv"
    with atomic_write(connections, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(connection_fields + extra)
        for u, v, data in flat.edges(data=True):
            writer.writerow(
                [data["id"], u, v, data["edge_type"], "directed", data["label"]]
                + [_cell(data.get(k)) for k in extra]
            )
    return [elements, connections]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


@dataclass(frozen=True)
class NetworkFormat:
    """A network file format: its name, what ``--out`` names, and its writer."""

    name: str
    out: str
    write: Callable[[Graph, Path], object]


NETWORK_FORMATS: dict[str, NetworkFormat] = {
    f.name: f
    for f in (
        NetworkFormat("graphml", "a .graphml file", write_graphml),
        NetworkFormat("gexf", "a .gexf file", write_gexf),
        NetworkFormat("csv", "a folder (elements.csv, connections.csv)", write_kumu_csv),
    )
}
"""The network formats by name."""


def export_network(workspace: Workspace | Graph, out: str | Path, *, format: str) -> Path:
    """Write the workspace's graph as GraphML, GEXF or Kumu CSV; return the path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> export_network(Workspace(":memory:"), folder / "town.graphml", format="graphml").name
    'town.graphml'
    """
    writer = NETWORK_FORMATS.get(format)
    if writer is None:
        raise UsageError(
            f"'{format}' is not a network format. Fix: use one of {', '.join(NETWORK_FORMATS)}."
        )
    graph = workspace.graph() if isinstance(workspace, Workspace) else workspace
    path = Path(out)
    writer.write(graph, path)
    log.info(
        "wrote %s with %d nodes and %d edges",
        path,
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )
    return path
