"""Files for network tools: GEXF 1.3 and GraphML (Gephi, yEd, igraph), and Kumu.

Network tools want flat, typed attributes: every attribute has one type
across the file (the ontology's datatype for documented properties; for the
rest, the narrowest type all values share), lists become ``"; "``-joined text
(``|``-joined for Kumu, its multi-value separator) and nested values become
compact JSON text. Node types and edge types are the attributes
``node_type`` and ``edge_type`` (GEXF reserves an edge's ``type``; GEXF 1.3
also gets the edge type as the edge's ``kind``, so Gephi keeps parallel
edges of different types apart), and every node and edge has a ``label``.

**Analysis fields.** By default the queries' answers travel with the nodes, as
typed attributes Gephi and Kumu users colour and size by: ``sector``,
``silo_group``, ``betweenness``, ``si_score`` and ``si_rank``, and
``prevention_level`` where the graph has prevention levels (see
:mod:`civicgraph.queries.fields`).

**Lossless XML.** XML 1.0 cannot hold most control characters; in GraphML and
GEXF they are written as U+FFFD. Carriage returns, tabs and line feeds are
written as character references, so they read back as they were. No attribute
is ever written empty for want of a value (GEXF's ``name=""``), and no
attribute is called ``id`` (igraph reads GraphML ids into an ``id`` attribute of
its own).

**Kumu** gets one workbook (``.xlsx``: sheets *Elements* and *Connections*, typed
cells) or a folder of ``elements.csv`` and ``connections.csv``; text that a
spreadsheet would run as a formula is neutralised in both.

**Part of the graph.** Every writer takes the whole graph or ``nodes=``: only those
nodes and the edges among them (the analysis fields are still computed on the
whole graph, so a group or a rank means what it means in the queries).
"""

from __future__ import annotations

import csv
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from .._files import atomic_write
from .._spreadsheet import neutralise_formula
from .._version import __version__
from ..errors import UsageError
from ..ontology import EDGE_TYPES, NODE_TYPES, Datatype, EdgeType, NodeType
from ._rdf_mapping import json_lexical
from .build import Graph
from .tables import write_workbook
from .workspace import Workspace

__all__ = [
    "GEXF_NAMESPACE",
    "GRAPHML_NAMESPACE",
    "NETWORK_FORMATS",
    "NetworkFormat",
    "export_network",
    "flat_graph",
    "kumu_tables",
    "write_gexf",
    "write_graphml",
    "write_kumu",
    "write_kumu_csv",
]

log = logging.getLogger(__name__)

GEXF_NAMESPACE = "http://gexf.net/1.3"
GRAPHML_NAMESPACE = "http://graphml.graphdrawing.org/xmlns"

_INTEGER = (Datatype.INTEGER,)
_FLOAT = (Datatype.DECIMAL,)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_ATTRIBUTE = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("\r"): "&#13;",
    ord("\n"): "&#10;",
    ord("\t"): "&#9;",
}
_XML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
_RESERVED = frozenset({"id"})
"""Attribute names the file formats (or igraph) keep for themselves; renamed ``id_``."""


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
    documented: Callable[[Any, str], Datatype | None],
) -> dict[str, type]:
    values: dict[str, list[Any]] = {}
    datatypes: dict[str, Datatype | None] = {}
    cache: dict[tuple[Any, str], Datatype | None] = {}
    for data in items:
        item_type = data.get("type")
        for name, value in data.items():
            values.setdefault(name, []).append(value)
            if datatypes.get(name) is None:
                key = (item_type, name)
                if key not in cache:
                    cache[key] = documented(item_type, name)
                datatypes[name] = cache[key]
    return {name: _kind_of(datatypes.get(name), vals) for name, vals in values.items()}


def _node_datatype(node_type: Any, name: str) -> Datatype | None:
    if node_type not in NODE_TYPES:
        return None
    prop = NODE_TYPES[NodeType(node_type)].properties.get(name)
    return prop.datatype if prop else None


def _edge_datatype(edge_type: Any, name: str) -> Datatype | None:
    if edge_type not in EDGE_TYPES:
        return None
    prop = EDGE_TYPES[EdgeType(edge_type)].properties.get(name)
    return prop.datatype if prop else None


def _label(node: str, data: Mapping[str, Any]) -> str:
    label = data.get("name") or data.get("title")
    return label if isinstance(label, str) and label else node


def _attribute_name(name: str) -> str:
    return f"{name}_" if name in _RESERVED else name


def flat_graph(
    graph: Graph,
    *,
    separator: str = "; ",
    xml: bool = False,
    fields: Mapping[str, Mapping[str, Any]] | None = None,
) -> Graph:
    """A copy of the graph with flat, consistently typed attributes (see the module's notes).

    Parameters
    ----------
    graph
        The analysis graph (``Workspace.graph()``), or part of it.
    separator
        What joins the items of a list.
    xml
        Replace the characters XML 1.0 cannot hold with U+FFFD.
    fields
        Extra attributes per node (the analysis fields); they win over the graph's own.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", type="Organization", name="Hall", org_ids=["GB-CHC-1", "GB-COH-2"])
    >>> flat = flat_graph(g, fields={"o": {"silo_group": 3}}).nodes["o"]
    >>> flat["label"], flat["node_type"], flat["org_ids"], flat["silo_group"]
    ('Hall', 'Organization', 'GB-CHC-1; GB-COH-2', 3)
    """
    extra = fields or {}

    def node_data(node: str) -> dict[str, Any]:
        data = dict(graph.nodes[node])
        data.update(extra.get(node, {}))
        return data

    nodes = {node: node_data(node) for node in sorted(graph.nodes)}
    node_kinds = _attribute_kinds(nodes.values(), _node_datatype)
    edge_kinds = _attribute_kinds((d for _, _, d in graph.edges(data=True)), _edge_datatype)

    def text(value: Any) -> Any:
        if xml and isinstance(value, str):
            return _XML_INVALID.sub("\ufffd", value)
        return value

    flat: Graph = nx.MultiDiGraph()
    for node, data in nodes.items():
        attrs: dict[str, Any] = {
            "label": text(_label(node, data)),
            "node_type": data.get("type", ""),
        }
        for name in sorted(data):
            if name in ("type", "label"):
                continue
            value = _flatten(data[name], node_kinds[name], separator)
            if value is not None:
                attrs[_attribute_name(name)] = text(value)
        flat.add_node(text(node), **attrs)
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        attrs = {"label": data["type"], "edge_type": data["type"], "id": text(f"{u}|{v}|{key}")}
        for name in sorted(data):
            if name in ("type", "label", "id"):
                continue
            value = _flatten(data[name], edge_kinds[name], separator)
            if value is not None:
                attrs[_attribute_name(name)] = text(value)
        flat.add_edge(text(u), text(v), key=text(key), **attrs)
    return flat


# -- XML writers ----------------------------------------------------------------------


def _attr(value: Any) -> str:
    return str(value).translate(_XML_ATTRIBUTE)


def _xml_text(value: Any) -> str:
    return str(value).translate(_XML_TEXT)


def _lexical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _typed_names(items: Iterable[Mapping[str, Any]], skip: frozenset[str]) -> dict[str, type]:
    """Each attribute's type in a flat graph (one type per attribute, by construction)."""
    kinds: dict[str, type] = {}
    for data in items:
        for name, value in data.items():
            if name in skip:
                continue
            kind = type(value)
            previous = kinds.get(name)
            if previous is None or (previous is int and kind is float):
                kinds[name] = kind
    return dict(sorted(kinds.items()))


_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _write_xml(path: Path, write: Callable[[Callable[[str], object]], None]) -> None:
    """Write an XML file whole or not at all (a temporary file, then a rename)."""
    with atomic_write(path, "w", newline="\n") as handle:
        write(handle.write)


def write_graphml(
    graph: Graph,
    path: str | Path,
    *,
    fields: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """GraphML with typed attributes (long, double, boolean, string), for Gephi, yEd, igraph.

    Edges carry their id (``source|target|key``) as the GraphML ``id`` and as the
    attribute ``edge_id`` (python-igraph 1.0 reads GraphML edge ids wrongly); no node or
    edge attribute is named ``id``, so igraph's ``Graph.Read_GraphML`` reads the file whole.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", type="Organization", name="Hall")
    >>> g.add_node("s", type="Service", name="Lunch club")
    >>> _ = g.add_edge("o", "s", key="PROVIDES", type="PROVIDES")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "town.graphml"
    >>> write_graphml(g, path)
    >>> back = nx.read_graphml(path)
    >>> back.nodes["o"]["label"], back.nodes["s"]["node_type"]
    ('Hall', 'Service')
    """
    flat = flat_graph(graph, xml=True, fields=fields)
    node_kinds = _typed_names((d for _, d in flat.nodes(data=True)), frozenset())
    edge_kinds = _typed_names(
        (
            {("edge_id" if k == "id" else k): v for k, v in d.items()}
            for _, _, d in flat.edges(data=True)
        ),
        frozenset(),
    )
    node_keys = {name: f"n{i}" for i, name in enumerate(node_kinds)}
    edge_keys = {name: f"e{i}" for i, name in enumerate(edge_kinds)}

    def write(out: Callable[[str], object]) -> None:
        out('<?xml version="1.0" encoding="UTF-8"?>\n')
        out(
            f'<graphml xmlns="{GRAPHML_NAMESPACE}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{GRAPHML_NAMESPACE} '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        )
        for where, kinds, keys in (
            ("node", node_kinds, node_keys),
            ("edge", edge_kinds, edge_keys),
        ):
            for name, kind in kinds.items():
                out(
                    f'  <key id="{keys[name]}" for="{where}" attr.name="{_attr(name)}" '
                    f'attr.type="{_GRAPHML_TYPES[kind]}"/>\n'
                )
        out('  <graph id="civicgraph" edgedefault="directed">\n')
        for node, data in flat.nodes(data=True):
            out(f'    <node id="{_attr(node)}">\n')
            for name, value in data.items():
                out(f'      <data key="{node_keys[name]}">{_xml_text(_lexical(value))}</data>\n')
            out("    </node>\n")
        for u, v, data in flat.edges(data=True):
            out(f'    <edge id="{_attr(data["id"])}" source="{_attr(u)}" target="{_attr(v)}">\n')
            for name, value in data.items():
                key = edge_keys["edge_id" if name == "id" else name]
                out(f'      <data key="{key}">{_xml_text(_lexical(value))}</data>\n')
            out("    </edge>\n")
        out("  </graph>\n</graphml>\n")

    _write_xml(Path(path), write)


def write_gexf(
    graph: Graph,
    path: str | Path,
    *,
    fields: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """GEXF 1.3 with typed attributes, for Gephi.

    Each edge's type is its ``kind`` (GEXF 1.3), so parallel edges of different types
    stay apart; a referral's ``count`` is its ``weight``.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", type="Service", name="Debt advice")
    >>> g.add_node("b", type="Service", name="Food bank")
    >>> _ = g.add_edge("a", "b", key="REFERS_TO|2024-Q1", type="REFERS_TO", count=12)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "town.gexf"
    >>> write_gexf(g, path)
    >>> back = nx.read_gexf(path, version="1.3")
    >>> back.nodes["a"]["label"], back.edges["a", "b"]["weight"], back.edges["a", "b"]["count"]
    ('Debt advice', 12.0, 12)
    """
    flat = flat_graph(graph, xml=True, fields=fields)
    node_kinds = _typed_names((d for _, d in flat.nodes(data=True)), frozenset({"label"}))
    edge_kinds = _typed_names((d for _, _, d in flat.edges(data=True)), frozenset({"id", "label"}))
    node_ids = {name: str(i) for i, name in enumerate(node_kinds)}
    edge_ids = {name: str(i) for i, name in enumerate(edge_kinds)}

    def attvalues(data: Mapping[str, Any], ids: Mapping[str, str], indent: str) -> str:
        values = [
            f'{indent}  <attvalue for="{ids[name]}" value="{_attr(_lexical(value))}"/>\n'
            for name, value in data.items()
            if name in ids
        ]
        return f"{indent}<attvalues>\n{''.join(values)}{indent}</attvalues>\n" if values else ""

    def write(out: Callable[[str], object]) -> None:
        out('<?xml version="1.0" encoding="UTF-8"?>\n')
        out(
            f'<gexf xmlns="{GEXF_NAMESPACE}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{GEXF_NAMESPACE} {GEXF_NAMESPACE}/gexf.xsd" version="1.3">\n'
        )
        out(
            f"  <meta>\n    <creator>civicgraph {_xml_text(__version__)}</creator>\n"
            "    <description>A place's social infrastructure: organisations, services, "
            "buildings, areas, grants and the ties between them</description>\n  </meta>\n"
        )
        out('  <graph defaultedgetype="directed" mode="static">\n')
        for where, kinds, ids in (("node", node_kinds, node_ids), ("edge", edge_kinds, edge_ids)):
            out(f'    <attributes class="{where}" mode="static">\n')
            for name, kind in kinds.items():
                out(
                    f'      <attribute id="{ids[name]}" title="{_attr(name)}" '
                    f'type="{_GEXF_TYPES[kind]}"/>\n'
                )
            out("    </attributes>\n")
        out(f'    <nodes count="{flat.number_of_nodes()}">\n')
        for node, data in flat.nodes(data=True):
            body = attvalues(data, node_ids, "        ")
            head = f'      <node id="{_attr(node)}" label="{_attr(data["label"])}"'
            out(f"{head}>\n{body}      </node>\n" if body else f"{head}/>\n")
        out("    </nodes>\n")
        out(f'    <edges count="{flat.number_of_edges()}">\n')
        for u, v, data in flat.edges(data=True):
            weight = data.get("count")
            head = (
                f'      <edge id="{_attr(data["id"])}" source="{_attr(u)}" target="{_attr(v)}" '
                f'label="{_attr(data["label"])}" kind="{_attr(data["edge_type"])}"'
                + (
                    f' weight="{float(weight)!r}"'
                    if isinstance(weight, int | float) and not isinstance(weight, bool)
                    else ""
                )
            )
            body = attvalues(data, edge_ids, "        ")
            out(f"{head}>\n{body}      </edge>\n" if body else f"{head}/>\n")
        out("    </edges>\n  </graph>\n</gexf>\n")

    _write_xml(Path(path), write)


# -- Kumu -----------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def kumu_tables(
    graph: Graph, *, fields: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, pd.DataFrame]:
    """Kumu's two tables: *Elements* (ID, Label, Type, Description, then every attribute)
    and *Connections* (ID, From, To, Type, Direction, Label, then every attribute).

    List values are ``|``-joined, Kumu's multi-value separator.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", type="Organization", name="Hall", roles=["provider", "funder"])
    >>> g.add_node("s", type="Service", name="Lunch club")
    >>> _ = g.add_edge("o", "s", key="PROVIDES", type="PROVIDES")
    >>> tables = kumu_tables(g)
    >>> tables["Elements"][["ID", "Label", "Type", "roles"]].values.tolist()
    [['o', 'Hall', 'Organization', 'provider|funder'], ['s', 'Lunch club', 'Service', None]]
    >>> tables["Connections"][["From", "To", "Type", "Direction"]].values.tolist()
    [['o', 's', 'PROVIDES', 'directed']]
    """
    flat = flat_graph(graph, separator="|", fields=fields)
    extra = sorted(
        {k for _, d in flat.nodes(data=True) for k in d} - {"label", "node_type", "description"}
    )
    elements = pd.DataFrame(
        [
            [node, data["label"], data["node_type"], data.get("description")]
            + [data.get(k) for k in extra]
            for node, data in flat.nodes(data=True)
        ],
        columns=["ID", "Label", "Type", "Description", *extra],
        dtype=object,
    )
    extra = sorted(
        {k for _, _, d in flat.edges(data=True) for k in d} - {"id", "label", "edge_type"}
    )
    connections = pd.DataFrame(
        [
            [data["id"], u, v, data["edge_type"], "directed", data["label"]]
            + [data.get(k) for k in extra]
            for u, v, data in flat.edges(data=True)
        ],
        columns=["ID", "From", "To", "Type", "Direction", "Label", *extra],
        dtype=object,
    )
    return {
        "Elements": elements.where(elements.notna(), None),
        "Connections": connections.where(connections.notna(), None),
    }


def write_kumu_csv(
    graph: Graph, folder: str | Path, *, fields: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Path]:
    """Kumu's import layout as two CSV files in a folder: ``elements.csv`` and
    ``connections.csv`` (see :func:`kumu_tables`); formula-like text neutralised."""
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise UsageError(
            f"{target} is a file. Fix: give --out a folder for the two CSV files, "
            "or a .xlsx file for one workbook."
        )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in kumu_tables(graph, fields=fields).items():
        path = target / f"{name.lower()}.csv"
        with atomic_write(path, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(list(table.columns))
            for row in table.itertuples(index=False, name=None):
                writer.writerow([neutralise_formula(_cell(v)) for v in row])
        written.append(path)
    return written


def write_kumu(
    graph: Graph, out: str | Path, *, fields: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Path]:
    """Kumu's import: one workbook (``out`` ends in ``.xlsx``: sheets *Elements* and
    *Connections*, typed cells) or, for a folder, its two CSV files."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        return write_kumu_csv(graph, path, fields=fields)
    write_workbook(kumu_tables(graph, fields=fields), path)
    return [path]


# -- the registry and the entry point ------------------------------------------------------


Writer = Callable[..., object]


@dataclass(frozen=True)
class NetworkFormat:
    """A network file format: its name, what ``--out`` names, and its writer.

    ``write(graph, path, fields=...)`` writes the graph (or part of it) with the
    analysis fields given.
    """

    name: str
    out: str
    write: Writer


NETWORK_FORMATS: dict[str, NetworkFormat] = {
    f.name: f
    for f in (
        NetworkFormat("graphml", "a .graphml file", write_graphml),
        NetworkFormat("gexf", "a .gexf file (GEXF 1.3)", write_gexf),
        NetworkFormat("kumu", "a .xlsx workbook, or a folder for two CSV files", write_kumu),
        NetworkFormat("csv", "a folder (elements.csv, connections.csv)", write_kumu_csv),
    )
}
"""The network formats by name."""


def export_network(
    workspace: Workspace | Graph,
    out: str | Path,
    *,
    format: str,
    nodes: Iterable[str] | None = None,
    analysis: bool = True,
    seed: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Path:
    """Write the workspace's graph as GEXF, GraphML or Kumu; return the path written.

    Parameters
    ----------
    workspace
        The workspace (or an analysis graph).
    out
        The file (or, for Kumu CSV, the folder) to write.
    format
        ``gexf``, ``graphml``, ``kumu`` (``.xlsx`` or a folder) or ``csv`` (Kumu's CSV).
    nodes
        Write only these nodes and the edges among them (default: the whole graph).
    analysis
        Add the analysis fields (sector, silo group, betweenness, SI score and rank,
        prevention level), computed on the whole graph.
    seed
        The random seed of the analysis fields, as in the queries.
    progress
        Told ``(step, done, total)``: the analysis fields computed, the file written.

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
    fields: dict[str, dict[str, Any]] = {}
    with_fields = analysis and graph.number_of_nodes() > 0
    steps = ("analysis fields", "write the file") if with_fields else ("write the file",)
    step = f"exporting {format} to {out} ({', '.join(steps)})"
    if progress is not None:
        progress(step, 0, len(steps))
    if with_fields:
        # The fields are the queries' answers; imported here because queries build on graph.
        from ..queries.fields import analysis_fields

        fields = analysis_fields(graph, seed=seed)
        if progress is not None:
            progress(step, 1, len(steps))
    if nodes is not None:
        chosen = set(nodes)
        missing = sorted(chosen - set(graph.nodes))
        if missing:
            raise UsageError(
                f"{len(missing):,} of the nodes to export are not in the graph: "
                f"{', '.join(missing[:3])}{' and more' if len(missing) > 3 else ''}. "
                "Fix: give ids from the graph."
            )
        graph = graph.subgraph(chosen)
    path = Path(out)
    writer.write(graph, path, fields=fields)
    if progress is not None:
        progress(step, len(steps), len(steps))
    log.info(
        "wrote %s with %d nodes and %d edges",
        path,
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )
    return path
