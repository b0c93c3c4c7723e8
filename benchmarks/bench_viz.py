"""Network pages at 500, 1,500, 5,000 and 20,000 nodes: write time, size, time to first draw.

A synthetic typed network (a quarter organisations, half services, a quarter
locations; each service provided by one organisation and at one location, and
half as many referrals as nodes: about 1.5 edges a node) is written with
``write_view`` (layout computed, nothing folded into organisations) in fresh processes,
twice: as it opens by default (clustered by sector and type from ``CLUSTER_AT`` nodes)
and flat (``cluster_at=0``, every node drawn); and each page
is opened in headless Chromium (Debian's chromium via Playwright, networking off)
until the page reports it has drawn (``civicgraph.readyAt``, from navigation start).

Baseline, in the same run: pyvis 0.3.2's default (``Network().from_nx`` with
physics on, ``cdn_resources="in_line"`` so that it can open offline) on the same
graph: its write time, and the time until it shows the network: pyvis pages run
1,000 physics iterations behind a loading bar first (capped). Skipped
when pyvis is not installed (``pip install pyvis``). Median of --runs. Writes the
``viz`` section of benchmarks/RESULTS.md.

    nice python benchmarks/bench_viz.py [--sizes 500 1500 5000 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

from _common import machine, median, run_measured, write_section

from civicgraph.viz.page import CLUSTER_AT

WORK = Path(__file__).resolve().parent / "_work" / "viz"
CHROMIUM = "/usr/bin/chromium"
BASELINE_SIZES = (500, 1500)
BASELINE_CAP_S = 60.0

GRAPH = r"""
import random
import networkx as nx
def typed_network(n, seed=1):
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    orgs = [f"o{i}" for i in range(n // 4)]
    locations = [f"l{i}" for i in range(n // 4)]
    services = [f"s{i}" for i in range(n - len(orgs) - len(locations))]
    for o in orgs: g.add_node(o, type="Organization", name=f"Organisation {o}")
    for l in locations: g.add_node(l, type="Location", name=f"Building {l}")
    for s in services:
        g.add_node(s, type="Service", name=f"Service {s}")
        g.add_edge(rng.choice(orgs), s, type="PROVIDES")
        g.add_edge(s, rng.choice(locations), type="AT_LOCATION")
    for _ in range(n // 2):
        a, b = rng.sample(services, 2)
        g.add_edge(a, b, type="REFERS_TO", count=rng.randint(1, 9))
    return g
"""

WRITE = (
    GRAPH
    + r"""
import sys, time
from civicgraph.viz import write_view
graph = typed_network(int(sys.argv[1]))
started = time.perf_counter()
result = write_view(graph, sys.argv[2], max_nodes=10**9, cluster_at=int(sys.argv[3]))
RESULT = {"seconds": time.perf_counter() - started, "bytes": result.bytes,
          "nodes": result.nodes, "edges": result.edges}
"""
)

PYVIS = (
    GRAPH
    + r"""
import sys, time
import networkx as nx
from pyvis.network import Network
graph = typed_network(int(sys.argv[1]))
simple = nx.Graph()
for node, data in graph.nodes(data=True):
    simple.add_node(node, label=data["name"], title=data["type"])
simple.add_edges_from((u, v) for u, v in graph.edges())
started = time.perf_counter()
net = Network(cdn_resources="in_line")
net.from_nx(simple)
net.write_html(sys.argv[2], notebook=False)
RESULT = {"seconds": time.perf_counter() - started}
"""
)


def wait_for(page: object, condition: str, timeout_s: float) -> bool:
    """Poll ``condition`` with page.evaluate (wait_for_function would eval the predicate in
    the page, which its Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.evaluate(condition):  # type: ignore[attr-defined]
            return True
        time.sleep(0.05)
    return False


def interactive(browser: object, page_path: Path, *, ours: bool) -> float | None:
    """Seconds from navigation start until the page shows the network: drawn (ours), or its
    stabilisation run finished and its loading bar gone (pyvis)."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(page_path.resolve().as_uri(), wait_until="commit", timeout=120_000)
        if ours:
            if not wait_for(page, "!!(window.civicgraph && window.civicgraph.ready)", 300):
                raise RuntimeError(f"{page_path} did not draw in 300 s")
            return float(page.evaluate("civicgraph.readyAt")) / 1000
        shown = "!!(window.network && network.physics && network.physics.ready === true)"
        if not wait_for(page, shown, BASELINE_CAP_S):
            return None  # the cap: still behind its loading bar
        return float(page.evaluate("performance.now()")) / 1000
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1500, 5000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    have_pyvis = importlib.util.find_spec("pyvis") is not None
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size in args.sizes:
            row: dict = {"size": size}
            for variant, cluster_at in (("", CLUSTER_AT), ("flat_", 0)):
                page = WORK / f"ours-{variant}{size}.html"
                writes = [
                    run_measured(WRITE, str(size), str(page), str(cluster_at))
                    for _ in range(args.runs)
                ]
                ready = [interactive(browser, page, ours=True) for _ in range(args.runs)]
                row["edges"] = writes[0]["edges"]
                row[variant + "write_s"] = median([w["seconds"] for w in writes])
                row[variant + "mb"] = writes[0]["bytes"] / 1e6
                row[variant + "ready_s"] = median([r for r in ready if r is not None])
            if have_pyvis and size in BASELINE_SIZES:
                baseline = WORK / f"pyvis-{size}.html"
                pyvis_writes = [
                    run_measured(PYVIS, str(size), str(baseline)) for _ in range(args.runs)
                ]
                row["pyvis_write_s"] = median([w["seconds"] for w in pyvis_writes])
                row["pyvis_mb"] = baseline.stat().st_size / 1e6
                settled = interactive(browser, baseline, ours=False)
                row["pyvis_ready_s"] = settled
            rows.append(row)
            print(row, file=sys.stderr)
        browser.close()

    def seconds(value: float | None, *, capped: bool = False) -> str:
        if value is None:
            return f"> {BASELINE_CAP_S:.0f}" if capped else "–"
        return f"{value:.2f}"

    lines = [
        "## Network pages (`civicgraph viz`)",
        "",
        f"Machine: {machine()}. Median of {args.runs} runs; written by "
        f"`benchmarks/bench_viz.py` on {time.strftime('%Y-%m-%d')}; load average "
        f"{os.getloadavg()[0]:.1f} at the end (the 2 cores were shared with other work).",
        "",
        "Synthetic typed network, about 1.5 edges a node; `write_view` computes the layout "
        "(igraph's grid Fruchterman-Reingold, each connected component apart) and writes one "
        "self-contained page, nothing folded into organisations; *clustered* is the page as "
        f"it opens by default (from {CLUSTER_AT} nodes: one dot per sector or node type, "
        "expanding on a click), *flat* the same page with `cluster_at=0` (every node drawn). "
        "*First draw* is the time from navigation start until the page has drawn its frozen "
        "network, fitted it and placed its labels (`civicgraph.readyAt`) in headless "
        "Chromium (networking off). Baseline in the same run: pyvis 0.3.2's default (`from_nx`, "
        f"physics on, scripts inlined), time until it shows the network (its 1,000 "
        "stabilisation iterations done, loading bar gone; the nodes keep moving after), capped at "
        f"{BASELINE_CAP_S:.0f} s of waiting (one run). The layout was DrL at first: 15 s at "
        "20,000 nodes against 0.6 s for grid Fruchterman-Reingold, so it went.",
        "",
        "| nodes | edges | write s | page MB | first draw s (clustered) "
        "| first draw s (flat) | flat write s | pyvis write s | pyvis MB | pyvis shown s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        baseline = "pyvis_write_s" in row
        lines.append(
            f"| {row['size']:,} | {row['edges']:,} | {row['write_s']:.2f} | {row['mb']:.1f} "
            f"| {row['ready_s']:.2f} | {row['flat_ready_s']:.2f} | {row['flat_write_s']:.2f} | "
            + (
                f"{row['pyvis_write_s']:.2f} | {row['pyvis_mb']:.1f} | "
                f"{seconds(row['pyvis_ready_s'], capped=True)} |"
                if baseline
                else "– | – | – |"
            )
        )
    targets = {1500: 3.0, 5000: 10.0}
    lines.append("")
    for size, target in targets.items():
        found = [r for r in rows if r["size"] == size]
        if found:
            worst = max(found[0]["ready_s"], found[0]["flat_ready_s"])
            verdict = "met" if worst < target else "NOT met"
            lines.append(
                f"- Target {size:,} nodes drawn in under {target:.0f} s: {verdict} "
                f"(clustered {found[0]['ready_s']:.2f} s, flat {found[0]['flat_ready_s']:.2f} s)."
            )
    lines.append(
        "- *Write s* is timed in a fresh process, so it includes importing python-igraph for "
        "the first layout (imported on first use since the start-up change)."
    )
    if not have_pyvis:
        lines.append("- pyvis is not installed here; no baseline (`pip install pyvis`).")
    write_section("viz", "\n".join(lines))


if __name__ == "__main__":
    main()
