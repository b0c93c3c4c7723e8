"""Shared benchmark plumbing: timing in fresh processes, peak memory, and RESULTS.md sections;
and the synthetic region that ``bench_places.py`` and ``bench_prevention.py`` query.

Each benchmark script owns one section of ``benchmarks/RESULTS.md``, between
``<!-- section:NAME -->`` and ``<!-- /section:NAME -->``, and rewrites only
that section, so scripts for different issues never overwrite each other.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = """# Benchmark results

Written by the scripts in `benchmarks/` (each owns one section below). Figures are
medians of several runs in fresh processes; every section names its machine and
compares against a baseline measured in the same run.
"""


def machine() -> str:
    """One line describing the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {datetime.now(UTC):%Y-%m-%d}"
    )


def run_measured(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -c code args`` in a fresh process; it must print one JSON object last.

    Adds ``peak_rss_mb`` (the child's peak resident memory) to what it printed.
    That is the child's own high-water mark (``VmHWM``): ``ru_maxrss`` would
    carry over the parent's peak from before ``exec`` on Linux, and a parent
    that has just built a large town would inflate every child's figure.
    """
    wrapper = (
        "import json, resource, sys\n"
        f"exec(compile({code!r}, 'bench', 'exec'))\n"
        "def _peak_mb():\n"
        "    try:\n"
        "        for line in open('/proc/self/status', encoding='ascii'):\n"
        "            if line.startswith('VmHWM:'):\n"
        "                return int(line.split()[1]) / 1024\n"
        "    except OSError:\n"
        "        pass\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({**RESULT, 'peak_rss_mb': _peak_mb()}))\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result.setdefault("wall_s", time.perf_counter() - started)
    return result


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def write_section(name: str, markdown: str) -> None:
    """Replace (or add) this script's section of RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    start, end = f"<!-- section:{name} -->", f"<!-- /section:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


# -- the synthetic region of bench_places.py and bench_prevention.py -----------------------

WORK = Path(__file__).resolve().parent / "_work"

PLACES_REGION = r"""
import pickle, random, sys
import networkx as nx
from civicgraph.synth import make_town
from civicgraph.synth.geography import msoa_of
from civicgraph.graph import edge_key

town = make_town(int(sys.argv[1]), seed=1)
rng = random.Random(5)
g = nx.MultiDiGraph()
def edge(u, v, kind, disc="", **props):
    g.add_edge(u, v, key=edge_key(kind, disc), type=kind, **props)
g.add_node(town.lad_code, type="Area", name=town.name, level="lad")
for index, area in enumerate(town.areas):
    msoa, msoa_name = msoa_of(index)
    if msoa not in g:
        g.add_node(msoa, type="Area", name=msoa_name, level="msoa")
        edge(msoa, town.lad_code, "PART_OF")
    g.add_node(area.code, type="Area", name=area.name, level="lsoa", population=area.population,
               imd_rank=rng.randint((area.imd_decile - 1) * 3284 + 1, area.imd_decile * 3284),
               imd_decile=area.imd_decile, latitude=area.latitude, longitude=area.longitude)
    edge(area.code, msoa, "PART_OF")
for b in town.buildings:
    props = {"latitude": b.latitude, "longitude": b.longitude} if b.latitude is not None else {}
    if b.kind != "office":
        props["facility_kind"] = b.kind
    g.add_node(b.id, type="Location", name=b.name, **props)
    edge(b.id, b.area, "IN_AREA", method="postcode")
for o in town.organisations:
    g.add_node(o.id, type="Organization", name=o.name)
for i, s in enumerate(town.services):
    g.add_node(s.id, type="Service", name=s.name, sector=s.category.name)
    if s.organisation in g:
        edge(s.organisation, s.id, "PROVIDES")
    for b in s.buildings:
        edge(s.id, b, "AT_LOCATION")
    for a in s.areas_served:
        edge(s.id, a, "SERVES_AREA")
    if i % 10 == 0:
        other = town.services[rng.randrange(len(town.services))].id
        edge(s.id, other, "REFERS_TO", count=rng.randint(1, 20))
    if i % 100 == 0:
        grant = f"grant-{i}"
        g.add_node(grant, type="Grant", title=grant, amount=float(rng.randint(1000, 50000)))
        edge(grant, rng.choice(town.areas).code, "BENEFITS_AREA")
with open(sys.argv[2], "wb") as handle:
    pickle.dump(g, handle, protocol=pickle.HIGHEST_PROTOCOL)
RESULT = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
          "lsoas": len(town.areas), "services": len(town.services),
          "facilities": sum(1 for b in town.buildings if b.kind != "office")}
"""

REGION_BASELINE = r"""
import pickle, sys, time
from civicgraph.ontology import EdgeType
from civicgraph.queries._index import GraphIndex
started = time.perf_counter()
with open(sys.argv[1], "rb") as handle:
    graph = pickle.load(handle)
loaded = time.perf_counter()
lookup = GraphIndex(graph)
list(lookup.edges(EdgeType.PROVIDES))
sectors = [lookup.sector(s) for s in lookup.nodes("Service")]
RESULT = {"seconds": time.perf_counter() - loaded, "load_seconds": loaded - started,
          "rows": len(sectors)}
"""

REGION_QUERY = r"""
import json, pickle, sys, time
from civicgraph.queries import QUERIES
with open(sys.argv[1], "rb") as handle:
    graph = pickle.load(handle)
name, params = sys.argv[2], json.loads(sys.argv[3])
started = time.perf_counter()
frame = QUERIES[name](graph, **params)
RESULT = {"seconds": time.perf_counter() - started, "rows": len(frame)}
"""

_CLASSIFIED = r"""
for s in town.services:
    term = "term:" + s.category.name
    if term not in g:
        g.add_node(term, type="Concept", name=s.category.name)
    edge(s.id, term, "CLASSIFIED_AS")
"""
_DUMP = 'with open(sys.argv[2], "wb") as handle:'


def region_code(*, classified: bool = False) -> str:
    """The child code that builds the region and pickles it to ``argv[2]`` (``argv[1]``
    services); ``classified``: each service also ``CLASSIFIED_AS`` its category's term."""
    if not classified:
        return PLACES_REGION
    return PLACES_REGION.replace(_DUMP, _CLASSIFIED + _DUMP, 1)


def measure_region_queries(
    path: Path, services: int, runs: int, queries: Sequence[tuple[str, dict[str, Any]]]
) -> dict[str, dict[str, float]]:
    """The baseline and each ``(query, params)`` on the pickled region at ``path``: medians
    of ``runs`` fresh processes, keyed ``baseline`` and the query's label."""
    base = [run_measured(REGION_BASELINE, str(path)) for _ in range(runs)]
    found: dict[str, dict[str, float]] = {
        "baseline": {
            "seconds": median([b["seconds"] for b in base]),
            "load": median([b["load_seconds"] for b in base]),
            "mb": median([b["peak_rss_mb"] for b in base]),
            "rows": base[0]["rows"],
        }
    }
    print(f"  {services:,}: baseline {found['baseline']['seconds']:.2f} s", file=sys.stderr)
    for name, params in queries:
        results = [
            run_measured(REGION_QUERY, str(path), name, json.dumps(params)) for _ in range(runs)
        ]
        label = f"`{name}`" + "".join(f" --{k} {v}" for k, v in params.items())
        found[label] = {
            "seconds": median([r["seconds"] for r in results]),
            "mb": median([r["peak_rss_mb"] for r in results]),
            "rows": results[0]["rows"],
        }
        print(f"  {services:,}: {label} {found[label]['seconds']:.2f} s", file=sys.stderr)
    return found


def step_table(results: dict[int, dict[str, dict[str, float]]], sizes: list[int]) -> list[str]:
    """The table of steps (baseline first): time and peak memory at each size, rows and
    the ratio to the baseline at the largest."""
    last = sizes[-1]
    header = " | ".join(f"{n:,} s | {n:,} peak MB" for n in sizes)
    lines = [
        f"| step | {header} | rows at {last:,} | time vs baseline at {last:,} |",
        "|---|" + "---:|---:|" * len(sizes) + "---:|---:|",
    ]
    base = results[last]["baseline"]["seconds"]
    for name in [k for k in results[last] if k != "region"]:
        cells = [
            f"{results[n][name]['seconds']:.2f} | {results[n][name]['mb']:,.0f}" for n in sizes
        ]
        row = results[last][name]
        shown = "baseline: look-ups" if name == "baseline" else name
        ratio = "1.00×" if name == "baseline" else f"{row['seconds'] / base:.2f}×"
        rows = "" if name == "baseline" else f"{int(row['rows']):,}"
        lines.append(f"| {shown} | " + " | ".join(cells) + f" | {rows} | {ratio} |")
    return lines
