"""Every query on synthetic towns of 10k and 100k services with about five referrals each.

For each size the town (directory, referrals, partnerships) is written and
ingested once; then, in fresh processes, median of --runs:

- baseline: ``Workspace.graph()`` alone (every query starts by building it);
- each registered query on that graph, with its default parameters (``impact``
  removes the council; ``pathways`` also runs for one need);
- at the smallest size, the networkx implementations of the heavy steps
  (betweenness with the same sampled sources, Louvain, components) on the
  same tie network, against igraph's.

Times are the query alone (the graph build is the baseline row); memory is the
process's peak RSS, graph included. Writes the ``queries`` section of
benchmarks/RESULTS.md.

    nice python benchmarks/bench_queries.py [--sizes 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from _common import machine, median, run_measured, write_section

WORK = Path(__file__).resolve().parent / "_work"

BUILD = r"""
import sys, time
import civicgraph
started = time.perf_counter()
graph = civicgraph.Workspace(sys.argv[1]).graph()
RESULT = {"seconds": time.perf_counter() - started,
          "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
"""

QUERY = r"""
import json, sys, time
import civicgraph
from civicgraph.queries import QUERIES
graph = civicgraph.Workspace(sys.argv[1]).graph()
name, params = sys.argv[2], json.loads(sys.argv[3])
started = time.perf_counter()
frame = QUERIES[name](graph, **params)
RESULT = {"seconds": time.perf_counter() - started, "rows": len(frame)}
if name == "partnerships":
    import importlib
    from civicgraph.queries._index import GraphIndex
    p = importlib.import_module("civicgraph.queries.partnerships")
    lookup = GraphIndex(graph)
    orgs = sorted(lookup.nodes("Organization"))
    evidence = p._gather(lookup, set(orgs), period=None, min_count=1, graph=graph)
    pairs, _ = p._scores(evidence, {o: i for i, o in enumerate(orgs)},
                         [lookup.sector(o) for o in orgs], 50)
    RESULT["candidate_pairs"] = len(pairs)
    RESULT["organisations"] = len(orgs)
"""

REFERENCE = r"""
import sys, time
import civicgraph
from civicgraph.queries._network import tie_network
from civicgraph.queries import _algorithms as algorithms
graph = civicgraph.Workspace(sys.argv[1]).graph()
net = tie_network(graph)
RESULT = {"nodes": net.size, "ties": len(net.ties)}
for backend in ("igraph", "networkx"):
    for step, run in (
        ("betweenness", lambda: algorithms.betweenness(net, backend=backend, pivots=2000)),
        ("communities", lambda: algorithms.communities(net, backend=backend)),
        ("components", lambda: algorithms.components(net, backend=backend)),
    ):
        started = time.perf_counter()
        run()
        RESULT[f"{step}_{backend}"] = time.perf_counter() - started
"""

RUNS = [
    ("network", {}),
    ("silos", {}),
    ("sector-gaps", {}),
    ("isolates", {}),
    ("brokers", {}),
    ("partnerships", {}),
    ("pooled-budgets", {}),
    ("pathways", {}),
    ("pathways", {"need": "Debt advice"}),
    ("impact", {"remove": ["GB-LAE-OAK"]}),
    ("shared-buildings", {}),
]


TOWN = r"""
import pathlib, sys
import civicgraph
from civicgraph.ingest import ingest
from civicgraph.synth import synth
folder = pathlib.Path(sys.argv[2])
with civicgraph.Workspace(folder / "w.db") as workspace:
    for source in synth(folder / "data", services=int(sys.argv[1]), seed=1):
        ingest(workspace, source.kind, str(source.path), name=source.name)
RESULT = {}
"""


def town(services: int) -> Path:
    """Write and ingest a town once (in a child process: Linux counts a parent's peak memory
    in its children's, so the parent stays small); return its workspace."""
    folder = WORK / f"queries-town-{services}"
    db = folder / "w.db"
    if not db.exists():
        folder.mkdir(parents=True, exist_ok=True)
        run_measured(TOWN, str(services), str(folder))
    return db


def label(name: str, params: dict[str, object]) -> str:
    shown = ", ".join(f"{k}={v[0] if isinstance(v, list) else v}" for k, v in params.items())
    return f"`{name}`" + (f" ({shown})" if shown else "")


def measure(services: int, runs: int) -> dict[str, dict[str, float]]:
    import json

    db = town(services)
    found: dict[str, dict[str, float]] = {}
    builds = [run_measured(BUILD, str(db)) for _ in range(runs)]
    found["graph"] = {
        "seconds": median([b["seconds"] for b in builds]),
        "mb": median([b["peak_rss_mb"] for b in builds]),
        "nodes": builds[0]["nodes"],
        "edges": builds[0]["edges"],
    }
    print(f"  {services:,}: graph {found['graph']['seconds']:.1f} s", file=sys.stderr)
    for name, params in RUNS:
        results = [run_measured(QUERY, str(db), name, json.dumps(params)) for _ in range(runs)]
        row = {
            "seconds": median([r["seconds"] for r in results]),
            "mb": median([r["peak_rss_mb"] for r in results]),
            "rows": results[0]["rows"],
        }
        for extra in ("candidate_pairs", "organisations"):
            if extra in results[0]:
                row[extra] = results[0][extra]
        found[label(name, params)] = row
        print(f"  {services:,}: {name} {row['seconds']:.1f} s, {row['mb']:.0f} MB", file=sys.stderr)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic towns")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    sizes = sorted(args.sizes)
    results = {n: measure(n, args.runs) for n in sizes}
    reference = run_measured(REFERENCE, str(town(sizes[0])))
    print(f"  reference: {reference}", file=sys.stderr)
    graph_rows = {n: results[n]["graph"] for n in sizes}
    header = " | ".join(f"{n:,} s | {n:,} peak MB" for n in sizes)
    lines = [
        "## Queries on synthetic towns with referrals (`benchmarks/bench_queries.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "Each town: the synthetic directory plus about five referral rows per service (two "
        "periods) and declared partnerships, ingested into one workspace. Each figure is the "
        f"median of {args.runs} fresh processes. Query times are the query alone; the baseline "
        "row is building the analysis graph from the workspace, which every query (and "
        "`civicgraph query`) does first. Memory is the process's peak RSS, the graph included.",
        "",
        "| graph | " + " | ".join(f"{n:,} services" for n in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
        "| nodes / edges | "
        + " | ".join(f"{g['nodes']:,} / {g['edges']:,}" for g in graph_rows.values())
        + " |",
        "",
        f"| query | {header} | rows at {sizes[-1]:,} | time vs graph build at {sizes[-1]:,} |",
        "|---|" + "---:|---:|" * len(sizes) + "---:|---:|",
    ]
    names = list(results[sizes[0]])
    for name in names:
        cells = []
        for n in sizes:
            row = results[n][name]
            cells.append(f"{row['seconds']:.2f} | {row['mb']:,.0f}")
        last = results[sizes[-1]][name]
        base = graph_rows[sizes[-1]]["seconds"]
        shown = "baseline: build the graph" if name == "graph" else name
        rows = "" if name == "graph" else f"{int(last['rows']):,}"
        ratio = "1.00×" if name == "graph" else f"{last['seconds'] / base:.2f}×"
        lines.append(f"| {shown} | " + " | ".join(cells) + f" | {rows} | {ratio} |")
    slowest = max((results[sizes[-1]][n]["seconds"], n) for n in names if n != "graph")
    peak = max(results[sizes[-1]][n]["mb"] for n in names)
    small = results[sizes[0]]["`partnerships`"]
    large = results[sizes[-1]]["`partnerships`"]
    growth_orgs = large["organisations"] / small["organisations"]
    lines += [
        "",
        f"Targets (issue 5): every query under 60 s and 4 GB at 100k services. Slowest at "
        f"{sizes[-1]:,}: {slowest[1]} {slowest[0]:.1f} s; highest peak {peak:,.0f} MB.",
        "",
        f"`partnerships` is not quadratic: from {int(small['organisations']):,} to "
        f"{int(large['organisations']):,} organisations ({growth_orgs:.1f}×) the candidate pairs "
        f"it scores grow from {int(small['candidate_pairs']):,} to "
        f"{int(large['candidate_pairs']):,} "
        f"({large['candidate_pairs'] / small['candidate_pairs']:.1f}×; all pairs would grow "
        f"{growth_orgs**2:.0f}×) and its time {large['seconds'] / small['seconds']:.1f}×.",
        "",
        f"igraph against networkx on the {sizes[0]:,}-service town's organisation network "
        f"({reference['nodes']:,} organisations, {reference['ties']:,} ties), same run:",
        "",
        "| step | igraph s | networkx s | networkx ÷ igraph |",
        "|---|---:|---:|---:|",
    ]
    for step, what in (
        ("betweenness", "betweenness (2,000 sampled sources)"),
        ("communities", "communities (Leiden / Louvain)"),
        ("components", "connected components"),
    ):
        fast, slow = reference[f"{step}_igraph"], reference[f"{step}_networkx"]
        lines.append(f"| {what} | {fast:.2f} | {slow:.2f} | {slow / fast:.0f}× |")
    write_section("queries", "\n".join(lines))
    if not args.keep:
        for folder in WORK.glob("queries-town-*"):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
