"""``civicgraph.viz.to_pyvis`` at 1,500, 5,000 and 20,000 nodes, against pyvis's ``from_nx``.

The synthetic typed network of bench_viz.py (about 1.5 edges a node). In fresh
processes: the seconds to build the pyvis ``Network`` (``to_pyvis``: the view, the
frozen layout, the lists filled directly) and to write its page, and the seconds
until the page has drawn in headless Chromium (networking off). Baseline in the same
run: pyvis 0.3.2's ``Network().from_nx`` on the same graph (its ``add_node`` and
``add_edge`` check membership in lists), build and write, at the sizes it finishes in
reasonable time. Median of --runs. Writes the ``pyvis`` section of
benchmarks/RESULTS.md.

    nice python benchmarks/bench_pyvis.py [--sizes 1500 5000 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from _common import machine, median, run_measured, write_section
from bench_viz import CHROMIUM, GRAPH, wait_for

WORK = Path(__file__).resolve().parent / "_work" / "pyvis"
BASELINE_SIZES = (1500, 5000)

OURS = (
    GRAPH
    + r"""
import sys, time
import pyvis.network  # imported before the clock starts, as in the baseline
from civicgraph.viz import to_pyvis
graph = typed_network(int(sys.argv[1]))
started = time.perf_counter()
net = to_pyvis(graph, max_nodes=10**9)
built = time.perf_counter() - started
net.write_html(sys.argv[2])
RESULT = {"build_s": built, "total_s": time.perf_counter() - started,
          "nodes": len(net.nodes), "edges": len(net.edges)}
"""
)

FROM_NX = (
    GRAPH
    + r"""
import sys, time
import networkx as nx
from pyvis.network import Network
graph = typed_network(int(sys.argv[1]))
simple = nx.DiGraph()
for node, data in graph.nodes(data=True):
    simple.add_node(node, label=data["name"], title=data["type"])
simple.add_edges_from((u, v) for u, v in graph.edges())
started = time.perf_counter()
net = Network(directed=True, cdn_resources="in_line")
net.from_nx(simple)
built = time.perf_counter() - started
net.write_html(sys.argv[2], notebook=False)
RESULT = {"build_s": built, "total_s": time.perf_counter() - started}
"""
)


def drawn(browser: object, page_path: Path) -> float:
    """Seconds from navigation start until to_pyvis's page has drawn."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(page_path.resolve().as_uri(), wait_until="commit", timeout=120_000)
        if not wait_for(page, "!!(window.civicgraph && window.civicgraph.ready)", 300):
            raise RuntimeError(f"{page_path} did not draw in 300 s")
        return float(page.evaluate("performance.now()")) / 1000
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1500, 5000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    rows = []
    load_before = os.getloadavg()[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size in args.sizes:
            page = WORK / f"ours-{size}.html"
            ours = [run_measured(OURS, str(size), str(page)) for _ in range(args.runs)]
            row = {
                "size": size,
                "edges": ours[0]["edges"],
                "build_s": median([r["build_s"] for r in ours]),
                "total_s": median([r["total_s"] for r in ours]),
                "ready_s": median([drawn(browser, page) for _ in range(args.runs)]),
            }
            if size in BASELINE_SIZES:
                baseline = WORK / f"from-nx-{size}.html"
                theirs = [run_measured(FROM_NX, str(size), str(baseline)) for _ in range(args.runs)]
                row["nx_build_s"] = median([r["build_s"] for r in theirs])
                row["nx_total_s"] = median([r["total_s"] for r in theirs])
            rows.append(row)
            print(row, file=sys.stderr)
        browser.close()
    load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"

    lines = [
        "## pyvis networks (`civicgraph.viz.to_pyvis`)",
        "",
        f"Machine: {machine()}. Median of {args.runs} runs; written by "
        f"`benchmarks/bench_pyvis.py` on {time.strftime('%Y-%m-%d')}. Load average {load} "
        "(other processes share the cores; compare within a run).",
        "",
        "The synthetic typed network of the network pages. *Build* is `to_pyvis` (the view, "
        "the frozen layout, pyvis's node and edge lists filled directly); *with page* adds "
        "`write_html`; *drawn* is the time from navigation start until the page has drawn in "
        "headless Chromium (networking off). Baseline in the same run: pyvis 0.3.2's "
        "`Network().from_nx` on the same graph (no layout, no tooltips but the type), build and "
        "with page.",
        "",
        "| nodes | edges | build s | with page s | drawn s | from_nx build s "
        "| from_nx with page s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        nx_cells = (
            f"{row['nx_build_s']:.2f} | {row['nx_total_s']:.2f}" if "nx_build_s" in row else "– | –"
        )
        lines.append(
            f"| {row['size']:,} | {row['edges']:,} | {row['build_s']:.2f} | {row['total_s']:.2f} "
            f"| {row['ready_s']:.2f} | {nx_cells} |"
        )
    write_section("pyvis", "\n".join(lines))


if __name__ == "__main__":
    main()
