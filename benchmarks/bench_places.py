"""si-index and gaps on synthetic regions of 10k and 100k services.

The region is the synthetic town at that size (100k services: 2,100 LSOAs in
525 MSOAs, 33k buildings, 25k organisations), built straight into an analysis
graph shaped as the workspace builds it after ``ingest areas`` and placing:
Area nodes with population, IMD rank and decile and centroids, PART_OF
LSOA -> MSOA -> authority, IN_AREA for every building, AT_LOCATION and
SERVES_AREA for every service, community buildings marked with their
``facility_kind``, a referral from every tenth service and one grant per
hundred services to an area. The graph is built once and pickled; each
measurement then runs in a fresh process, median of --runs:

- baseline: loading the pickled graph and one pass of the look-ups both
  queries start from (``GraphIndex`` edge buckets and every service's sector);
- ``si-index`` at LSOA and MSOA level; ``gaps`` at LSOA level (every category).

Times are the step alone; memory is the process's peak RSS, graph included.
Writes the ``places`` section of benchmarks/RESULTS.md.

    nice python benchmarks/bench_places.py [--sizes 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _common import machine, median, run_measured, write_section

WORK = Path(__file__).resolve().parent / "_work"

REGION = r"""
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

BASELINE = r"""
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

QUERY = r"""
import json, pickle, sys, time
from civicgraph.queries import QUERIES
with open(sys.argv[1], "rb") as handle:
    graph = pickle.load(handle)
name, params = sys.argv[2], json.loads(sys.argv[3])
started = time.perf_counter()
frame = QUERIES[name](graph, **params)
RESULT = {"seconds": time.perf_counter() - started, "rows": len(frame)}
"""

RUNS = [
    ("si-index", {}),
    ("si-index", {"level": "msoa"}),
    ("gaps", {}),
]


def region(services: int) -> tuple[Path, dict[str, int]]:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"places-region-{services}.pickle"
    info = run_measured(REGION, str(services), str(path))
    return path, info


def measure(services: int, runs: int) -> dict[str, dict[str, float]]:
    path, info = region(services)
    found: dict[str, dict[str, float]] = {"region": {k: float(v) for k, v in info.items()}}
    base = [run_measured(BASELINE, str(path)) for _ in range(runs)]
    found["baseline"] = {
        "seconds": median([b["seconds"] for b in base]),
        "load": median([b["load_seconds"] for b in base]),
        "mb": median([b["peak_rss_mb"] for b in base]),
        "rows": base[0]["rows"],
    }
    print(f"  {services:,}: baseline {found['baseline']['seconds']:.2f} s", file=sys.stderr)
    for name, params in RUNS:
        results = [run_measured(QUERY, str(path), name, json.dumps(params)) for _ in range(runs)]
        label = f"`{name}`" + "".join(f" --{k} {v}" for k, v in params.items())
        found[label] = {
            "seconds": median([r["seconds"] for r in results]),
            "mb": median([r["peak_rss_mb"] for r in results]),
            "rows": results[0]["rows"],
        }
        print(f"  {services:,}: {label} {found[label]['seconds']:.2f} s", file=sys.stderr)
    path.unlink(missing_ok=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    results = {n: measure(n, args.runs) for n in sizes}
    last = sizes[-1]
    lines = [
        "## Places: si-index and gaps on synthetic regions (`benchmarks/bench_places.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "Each region: the synthetic town at that size, built directly as the analysis graph "
        "after `ingest areas` and placing (LSOAs with population, IMD and centroids; MSOAs; "
        "every building placed; services at buildings and serving areas; facilities; some "
        f"referrals and grants). Median of {args.runs} fresh processes. The baseline is the "
        "look-ups both queries start from (`GraphIndex` edge buckets and every service's "
        "sector); loading the graph is not counted in any row. Memory is the process's peak "
        "RSS, the graph included. Target (issue 4): each query under 30 s at 100k services.",
        "",
        "| region | " + " | ".join(f"{n:,} services" for n in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for key, title in (
        ("lsoas", "LSOAs"),
        ("facilities", "facilities"),
        ("nodes", "nodes"),
        ("edges", "edges"),
    ):
        lines.append(
            f"| {title} | "
            + " | ".join(f"{int(results[n]['region'][key]):,}" for n in sizes)
            + " |"
        )
    header = " | ".join(f"{n:,} s | {n:,} peak MB" for n in sizes)
    lines += [
        "",
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
    slowest = max(
        (results[last][k]["seconds"], k) for k in results[last] if k not in ("region", "baseline")
    )
    lines += [
        "",
        f"Slowest at {last:,} services: {slowest[1]} in {slowest[0]:.1f} s "
        f"({'within' if slowest[0] < 30 else 'over'} the 30 s target). Loading the pickled "
        f"graph took {results[last]['baseline']['load']:.1f} s (not counted).",
    ]
    write_section("places", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
