"""The stored graph's previous encoding (``orjson-adjacency-zlib/2``, main at 4729b9e), kept
only so that bench_stored_graph.py can time it against the current one in the same run.

Nodes as ``[id, attributes]`` pairs and each node's out-edges as ``[neighbour,
[[key, attributes]...]]``, every attribute name written out for every node and edge.
"""

from __future__ import annotations

import zlib
from typing import Any

import networkx as nx
import orjson


def encode(graph: Any) -> bytes:
    adjacency = [
        [u, [[v, list(keyed.items())] for v, keyed in neighbours.items()]]
        for u, neighbours in graph._adj.items()
        if neighbours
    ]
    nodes = list(graph._node.items())
    return zlib.compress(
        orjson.dumps({"graph": graph.graph, "nodes": nodes, "adjacency": adjacency}), 1
    )


def decode(blob: bytes) -> Any:
    data = orjson.loads(zlib.decompress(blob))
    graph = nx.MultiDiGraph()
    graph.graph.update(data["graph"])
    node, succ, pred = graph._node, graph._succ, graph._pred
    for node_id, attrs in data["nodes"]:
        node[node_id] = attrs
        succ[node_id] = {}
        pred[node_id] = {}
    for u, neighbours in data["adjacency"]:
        out = succ[u]
        for v, items in neighbours:
            keyed = dict(items)
            out[v] = keyed
            pred[v][u] = keyed
    return graph
