"""The query registry turns a documented function into a CLI command with the same options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pandas as pd
import pytest

from civicgraph import Workspace, ingest_hsds
from civicgraph.graph import Graph
from civicgraph.queries import QUERIES, register_query
from civicgraph.synth import synth


def nodes_of_type(
    graph: Graph,
    *,
    node_type: Literal["Service", "Organization"] = "Service",
    name_contains: str | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """List nodes of one type (a test query).

    Parameters
    ----------
    graph
        The graph.
    node_type
        Which type of node to list.
    name_contains
        Only nodes whose name holds this text.
    limit
        At most this many rows.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``why``.
    """
    rows = [
        {"id": node, "name": data.get("name"), "why": f"a {node_type}"}
        for node, data in graph.nodes(data=True)
        if data["type"] == node_type
        and (not name_contains or name_contains in data.get("name", ""))
    ]
    return pd.DataFrame(rows[:limit], columns=["id", "name", "why"])


@pytest.fixture
def registered() -> Iterator[None]:
    register_query(nodes_of_type)
    yield
    QUERIES.pop("nodes-of-type")


@pytest.fixture(scope="module")
def town_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("town")
    source = synth(folder / "data", services=40, seed=5)[0]
    path = folder / "w.db"
    ingest_hsds(Workspace(path), source.path, name="town")
    return path


def test_parameters_come_from_the_signature_and_docstring(registered: None) -> None:
    query = QUERIES["nodes-of-type"]
    assert query.summary == "List nodes of one type (a test query)."
    params = {p.name: p for p in query.params}
    assert params["node_type"].choices == ("Service", "Organization")
    assert params["node_type"].help == "Which type of node to list."
    assert params["name_contains"].type is str and params["name_contains"].default is None
    assert params["limit"].type is int and params["limit"].default == 1000


def test_cli_lists_and_runs_the_query_in_every_format(
    registered: None, town_db: Path, run_cli, tmp_path: Path
) -> None:
    listing = run_cli("query", "--list")
    assert "nodes-of-type" in listing.out and "List nodes of one type" in listing.out
    as_json = run_cli(
        "--db", town_db, "query", "nodes-of-type", "--node-type", "Organization", "--format", "json"
    )
    assert as_json.code == 0, as_json.err
    rows = json.loads(as_json.out)["rows"]
    assert isinstance(rows, list) and rows
    assert set(rows[0]) == {"id", "name", "why"}
    limited = run_cli("--db", town_db, "query", "nodes-of-type", "--limit", "3", "--format", "csv")
    assert limited.out.strip().splitlines()[0] == "id,name,why"
    assert len(limited.out.strip().splitlines()) == 4
    out = tmp_path / "rows.json"
    written = run_cli("--db", town_db, "query", "nodes-of-type", "--format", "json", "--out", out)
    assert written.code == 0 and written.out == ""
    assert len(json.loads(out.read_text())["rows"]) == 40
    bad = run_cli("--db", town_db, "query", "nodes-of-type", "--node-type", "Grant")
    assert bad.code == 2 and "Grant" in bad.err
