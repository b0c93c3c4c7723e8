"""Run every registered query on a workspace and write each result as CSV, with a one-page summary.

This is what the demo shows: ``write_query_report(workspace, folder)`` writes
``folder/<query>.csv`` for each query and ``folder/summary.md``, a page that
names each file, says what the query answers and quotes the first rows' evidence.
Queries that need a parameter to run at all (``impact`` needs something to
remove) get one chosen from the data: the organisation whose loss cuts most
others off, and the busiest shared building.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..graph import Graph, Workspace
from ._index import GraphIndex
from ._registry import QUERIES

__all__ = ["demo_arguments", "write_query_report"]

SUMMARY = "summary.md"
_QUOTED = 2  # rows quoted per query: the page stays one page as queries are added


def demo_arguments(graph: Graph) -> dict[str, list[dict[str, Any]]]:
    """Parameters that show each query at its most telling on this graph, by query name.

    A query with several entries is run once per entry (each its own file).
    """
    from .brokers import brokers
    from .buildings import shared_buildings

    runs: dict[str, list[dict[str, Any]]] = {}
    removals: list[dict[str, Any]] = []
    top = brokers(graph, order="cut-off", limit=1)
    if not top.empty and int(top.iloc[0]["cut_off"]) > 0:
        removals.append({"remove": [str(top.iloc[0]["id"])]})
    buildings = shared_buildings(graph, limit=1)
    if not buildings.empty:
        locations = GraphIndex(graph).buildings.locations.get(str(buildings.iloc[0]["building"]))
        if locations:
            removals.append({"remove": [sorted(locations)[0]]})
    if removals:
        runs["impact"] = removals
    return runs


def _file_name(name: str, number: int) -> str:
    return f"{name}.csv" if number == 0 else f"{name}-{number + 1}.csv"


def write_query_report(
    workspace: Workspace,
    folder: str | Path,
    *,
    arguments: dict[str, list[dict[str, Any]]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Run every registered query; write each result to ``<query>.csv`` and a ``summary.md``.

    Parameters
    ----------
    workspace
        The workspace to query.
    folder
        Where to write (created if missing).
    arguments
        Parameters by query name (a list: one run each); by default
        :func:`demo_arguments` chooses them.
    progress
        Called with each query's name as it starts.

    Returns
    -------
    dict
        The files written, by name (``summary`` and each query's).

    Examples
    --------
    >>> import tempfile
    >>> from civicgraph import Workspace
    >>> written = write_query_report(Workspace(":memory:"), tempfile.mkdtemp())
    >>> written["summary"].name, "network" in written
    ('summary.md', True)
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    graph = workspace.graph()
    runs = arguments if arguments is not None else demo_arguments(graph)
    written: dict[str, Path] = {}
    sections: list[str] = []
    for name, query in QUERIES.items():
        for number, params in enumerate(runs.get(name, [{}])):
            if progress is not None:
                progress(name)
            label = name if number == 0 else f"{name}-{number + 1}"
            try:
                frame = query(workspace if query.needs_workspace else graph, **params)
            except UsageError as error:
                sections.append(f"## {label}\n\n{query.summary}\n\nNot run: {error}\n")
                continue
            path = out / _file_name(name, number)
            frame.to_csv(path, index=False)
            written[label] = path
            sections.append(_section(label, query.summary, params, frame, path.name))
    counts = workspace.stats()
    header = (
        "# What the graph shows\n\n"
        + "Nodes: "
        + ", ".join(f"{k} {v:,}" for k, v in counts["nodes"].items())
        + ". Edges: "
        + ", ".join(f"{k} {v:,}" for k, v in counts["edges"].items())
        + ".\n\nEach query's full result is in the CSV file named below; every row says why "
        "in its `why` column. Run any of them yourself with `civicgraph query NAME`.\n"
    )
    summary = out / SUMMARY
    summary.write_text(header + "\n" + "\n".join(sections), encoding="utf-8")
    return {"summary": summary, **written}


def _section(
    label: str, summary: str, params: dict[str, Any], frame: pd.DataFrame, file: str
) -> str:
    given = ", ".join(f"{k} = {v!r}" for k, v in params.items())
    described = summary + (f" ({given})" if given else "")
    if frame.empty:  # one line keeps the summary a page as queries are added
        return f"## {label}\n\n{described.rstrip('.')}: no rows ([{file}]({file})).\n"
    lines = [f"## {label}", "", f"{described} {len(frame)} rows in [{file}]({file})."]
    if "why" in frame.columns and len(frame):
        lines.append("")
        lines.extend(f"- {str(why).strip()}" for why in frame["why"].head(_QUOTED))
    return "\n".join(lines) + "\n"
