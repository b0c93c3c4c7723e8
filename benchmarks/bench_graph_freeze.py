"""A command's analysis graph frozen out of the garbage collector: queries after the load.

On a workspace of ``civicgraph synth --services N`` (default 100,000) ingested
as HSDS, with the analysis graph stored (warm), in fresh processes, median of
``--runs``, one run of each alternating:

- scan (the baseline): a bare ``sqlite3`` read of every row of every table;
- ``Workspace(path, freeze_graph=False|True).graph()`` then the look-up index's
  edge buckets and ``brokers(limit=10)``, timed apart from the load.

``freeze_graph=True`` is what every ``civicgraph`` command uses.
Writes the ``graph-freeze`` section of benchmarks/RESULTS.md.

    python benchmarks/bench_graph_freeze.py [--services 100000] [--runs 3] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import machine, median, run_measured, write_section
from bench_stored_graph import SCAN

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "graph_freeze"

QUERY = r"""
import sys, time
import civicgraph
from civicgraph.ontology import EdgeType
from civicgraph.queries._index import GraphIndex
from civicgraph.queries.brokers import brokers
started = time.perf_counter()
graph = civicgraph.Workspace(sys.argv[1], freeze_graph=sys.argv[2] == "on").graph()
loaded = time.perf_counter()
list(GraphIndex(graph).edges(EdgeType.PROVIDES))
indexed = time.perf_counter()
brokers(graph, limit=10)
done = time.perf_counter()
RESULT = {"load_s": loaded - started, "index_s": indexed - loaded, "brokers_s": done - indexed,
          "after_load_s": done - loaded}
"""


def _workspace(services: int) -> Path:
    db = WORK / f"synth-{services}.db"
    if db.exists():
        return db
    town = WORK / f"town-{services}"
    cli = [sys.executable, "-m", "civicgraph"]
    environment = {**os.environ, "CIVICGRAPH_DB": str(db)}
    run: dict[str, Any] = {
        "check": True,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }
    subprocess.run(
        [
            *cli,
            "synth",
            "--services",
            str(services),
            "--seed",
            "42",
            "--out",
            str(town),
            "--format",
            "hsds-json",
        ],
        env=environment,
        **run,
    )
    subprocess.run(
        [*cli, "ingest", "hsds", str(town / "directory"), "--name", "directory"],
        env=environment,
        **run,
    )
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="an existing synth workspace to use")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    db = args.db or _workspace(args.services)
    run_measured(QUERY, str(db), "on")  # stores the graph if it is not yet stored
    scan, runs = [], {"off": [], "on": []}
    for _ in range(args.runs):
        scan.append(run_measured(SCAN, str(db)))
        for mode in ("off", "on"):
            runs[mode].append(run_measured(QUERY, str(db), mode))
    scan_s = median([r["wall_s"] for r in scan])
    workload = (
        f"`{args.db.name}` (given with --db)"
        if args.db
        else f"`civicgraph synth --services {args.services:,}` as HSDS"
    )
    lines = [
        "## The graph frozen out of the garbage collector (`benchmarks/bench_graph_freeze.py`)",
        "",
        f"Machine: {machine()}. Shared with other work while this ran: absolute times are "
        "noisy, the ratios are of runs made one after the other.",
        "",
        f"Workspace: {workload}, graph stored. "
        f"Fresh processes, median of {args.runs}, modes alternating. Scan: a bare `sqlite3` "
        f"read of every row ({scan_s:.2f} s). After the load: the first look-up pass "
        "(`GraphIndex` edge buckets) and `brokers(limit=10)`.",
        "",
        "| `freeze_graph` | load s | look-ups s | brokers s | after the load s | ÷ scan "
        "| process s | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in ("off", "on"):
        rs = runs[mode]
        after = median([r["after_load_s"] for r in rs])
        lines.append(
            f"| {mode} | {median([r['load_s'] for r in rs]):.1f} "
            f"| {median([r['index_s'] for r in rs]):.1f} "
            f"| {median([r['brokers_s'] for r in rs]):.1f} | {after:.1f} "
            f"| {after / scan_s:.1f}× | {median([r['wall_s'] for r in rs]):.1f} "
            f"| {median([r['peak_rss_mb'] for r in rs]):,.0f} |"
        )
    lines += ["", "Every `civicgraph` command runs with `freeze_graph` on."]
    write_section("graph-freeze", "\n".join(lines))
    if args.db is None:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
