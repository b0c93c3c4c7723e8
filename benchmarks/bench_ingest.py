"""Ingest of synthetic HSDS 3.0 JSON at 10k and 100k services (1M with --big).

For each size, in fresh processes, median of --runs:

- baseline: parse the same JSON files with the standard library's ``json`` and
  add the same nodes and edges straight to a networkx MultiDiGraph (the least
  work that gives an analysis graph, with no store, checks or report);
- ingest: ``civicgraph ingest hsds`` into a fresh workspace (parse, validate,
  resolve, one SQLite transaction, report);
- build: ``Workspace.graph()``, the analysis graph from the store.

Writes the ``ingest`` section of benchmarks/RESULTS.md.

    python benchmarks/bench_ingest.py [--sizes 10000 100000] [--big] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from _common import machine, median, run_measured, write_section

WORK = Path(__file__).resolve().parent / "_work"

BASELINE = r"""
import json, pathlib, sys, time
import networkx as nx

started = time.perf_counter()
folder = pathlib.Path(sys.argv[1])
graph = nx.MultiDiGraph()
records = 0

def location(loc):
    graph.add_node("l:" + loc["id"], **loc)

def term(t):
    graph.add_node("c:" + t["id"], **t)
    if t.get("parent_id"):
        graph.add_edge("c:" + t["id"], "c:" + t["parent_id"], key="PART_OF")

for path in sorted(folder.rglob("*.json")):
    data = json.loads(path.read_bytes())
    if isinstance(data, dict) and "contents" in data:
        data = data["contents"]
    if not isinstance(data, list):
        continue
    for item in data:
        records += 1
        if path.name == "organizations.json":
            graph.add_node("o:" + item["id"], **item)
        elif path.name == "locations.json":
            location(item)
        elif path.name == "taxonomy_terms.json":
            term(item)
        else:
            graph.add_node("s:" + item["id"], **item)
            org = item.get("organization") or {"id": item.get("organization_id")}
            graph.add_edge("o:" + org["id"], "s:" + item["id"], key="PROVIDES")
            for sal in item.get("service_at_locations", ()):
                location(sal["location"])
                graph.add_edge("s:" + item["id"], "l:" + sal["location"]["id"], key="AT_LOCATION")
            for attribute in item.get("attributes", ()):
                concept = attribute["taxonomy_term"]
                term(concept)
                graph.add_edge("s:" + item["id"], "c:" + concept["id"], key="CLASSIFIED_AS")
RESULT = {"seconds": time.perf_counter() - started, "records": records,
          "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
"""

INGEST = r"""
import pathlib, sys, time
import civicgraph
started = time.perf_counter()
workspace = civicgraph.Workspace(sys.argv[2])
report = civicgraph.ingest_hsds(workspace, sys.argv[1], name="town")
RESULT = {"seconds": time.perf_counter() - started,
          "records": sum(t.read for t in report.tables.values()),
          "nodes": sum(report.nodes.values()), "edges": sum(report.edges.values())}
"""

BUILD = r"""
import sys, time
import civicgraph
started = time.perf_counter()
graph = civicgraph.Workspace(sys.argv[1]).graph()
RESULT = {"seconds": time.perf_counter() - started,
          "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
"""


def town(services: int) -> Path:
    folder = WORK / f"town-{services}"
    directory = folder / "directory"
    if not directory.exists():
        from civicgraph.synth import synth

        synth(folder, services=services, seed=1)
    return directory


def measure(services: int, runs: int) -> dict[str, float]:
    directory = town(services)
    size_mb = sum(p.stat().st_size for p in directory.rglob("*.json")) / 1e6
    db = WORK / f"bench-{services}.db"
    baseline, ingest, build = [], [], []
    for _ in range(runs):
        baseline.append(run_measured(BASELINE, str(directory)))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        ingest.append(run_measured(INGEST, str(directory), str(db)))
        build.append(run_measured(BUILD, str(db)))
        print(
            f"  {services:,}: baseline {baseline[-1]['seconds']:.1f} s, ingest "
            f"{ingest[-1]['seconds']:.1f} s, build {build[-1]['seconds']:.1f} s",
            file=sys.stderr,
        )
    records = ingest[0]["records"]
    row = {
        "services": services,
        "json_mb": size_mb,
        "records": records,
        "baseline_s": median([r["seconds"] for r in baseline]),
        "baseline_mb": median([r["peak_rss_mb"] for r in baseline]),
        "ingest_s": median([r["seconds"] for r in ingest]),
        "ingest_mb": median([r["peak_rss_mb"] for r in ingest]),
        "build_s": median([r["seconds"] for r in build]),
        "build_mb": median([r["peak_rss_mb"] for r in build]),
        "nodes": build[0]["nodes"],
        "edges": build[0]["edges"],
        "runs": runs,
    }
    row["ratio"] = row["ingest_s"] / row["baseline_s"]
    row["records_per_s"] = records / row["ingest_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--big", action="store_true", help="also 1,000,000 services (one run)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic towns")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    rows = [measure(n, args.runs) for n in args.sizes]
    if args.big:
        rows.append(measure(1_000_000, 1))
    lines = [
        "## Ingest: synthetic HSDS 3.0 JSON (`benchmarks/bench_ingest.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "Baseline: the same files parsed with the standard library's `json` and the same nodes "
        "and edges added straight to a networkx MultiDiGraph, in the same run. Ingest: "
        "`civicgraph ingest hsds` into a fresh workspace (parse, check, resolve identity, one "
        "SQLite transaction, report). Build: `Workspace.graph()` from the store. Medians of "
        "the runs shown; each run is a fresh process; memory is the process's peak RSS.",
        "",
        "| services | JSON MB | records read | baseline s | ingest s | ratio | records/s "
        "| ingest peak MB | build graph s | build peak MB | graph nodes / edges | runs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['services']:,} | {r['json_mb']:.0f} | {r['records']:,} | {r['baseline_s']:.1f} "
            f"| {r['ingest_s']:.1f} | {r['ratio']:.2f}× | {r['records_per_s']:,.0f} "
            f"| {r['ingest_mb']:,.0f} | {r['build_s']:.1f} | {r['build_mb']:,.0f} "
            f"| {r['nodes']:,} / {r['edges']:,} | {r['runs']} |"
        )
    lines += [
        "",
        "Targets (issue 2): ingest of 100k services within 3× the baseline and under 2 GB peak; "
        "building the analysis graph from the store for 100k services under 10 s.",
    ]
    write_section("ingest", "\n".join(lines))
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
