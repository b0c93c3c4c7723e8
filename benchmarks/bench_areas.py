"""Areas: ingest of the complete England IMD 2019 files and the OA lookup; placing at scale.

1. ``civicgraph ingest areas`` over ../shared/data/imd2019_lsoa (Files 1, 2 and 6 for 32,844
   LSOAs and the 227,759-row output area lookup) into a fresh workspace: time and peak
   memory, against a baseline measured in the same run: pandas reading the same four files
   (``dtype=str``), which any ingest must at least do.
2. Building the analysis graph from that workspace with 20,000 synthetic locations spread
   over England's LSOA centroids, which places each (nearest centroid): the time the
   placing adds to a build.

Writes the ``areas`` section of benchmarks/RESULTS.md.

    python benchmarks/bench_areas.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _common import machine, median, run_measured, write_section

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FOLDER = SHARED / "imd2019_lsoa"
CENTROIDS = SHARED / "uk_geo_lookups_drkane" / "lsoa_latlong.csv"

BASELINE = r"""
import sys, time
from pathlib import Path
import pandas as pd
started = time.perf_counter()
rows = 0
for path in sorted(Path(sys.argv[1]).glob("*.csv.gz")):
    rows += len(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))
RESULT = {"seconds": time.perf_counter() - started, "rows": rows}
"""

INGEST = r"""
import sys, tempfile, time
from pathlib import Path
from civicgraph import Workspace
from civicgraph.ingest import ingest_areas
with tempfile.TemporaryDirectory() as tmp:
    workspace = Workspace(Path(tmp) / "w.db")
    started = time.perf_counter()
    report = ingest_areas(workspace, sys.argv[1], name="england")
    seconds = time.perf_counter() - started
    RESULT = {"seconds": seconds, "areas": report.nodes.get("Area", 0),
              "links": report.edges.get("PART_OF", 0)}
"""

PLACING = r"""
import random, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from handmade import ingest_records, node
from civicgraph import Workspace
from civicgraph.graph import build_graph
from civicgraph.graph.placing import place
from civicgraph.ingest import ingest_areas
from civicgraph.ontology import NodeType
import civicgraph.graph.build as build

n = int(sys.argv[2])
with tempfile.TemporaryDirectory() as tmp:
    workspace = Workspace(Path(tmp) / "w.db")
    ingest_areas(workspace, sys.argv[1], name="centroids")
    graph = workspace.graph()
    centres = [(d["latitude"], d["longitude"]) for _, d in graph.nodes(data=True)
               if d.get("level") == "lsoa" and d.get("latitude") and d["latitude"] < 55.8
               and d["longitude"] > -5.8]
    rng = random.Random(1)
    records = []
    for i in range(n):
        lat, lon = rng.choice(centres)
        records.append(node(NodeType.LOCATION, f"b:location:{i}", name=f"Place {i}",
                            latitude=lat + rng.uniform(-0.002, 0.002),
                            longitude=lon + rng.uniform(-0.003, 0.003)))
    ingest_records(workspace, records, name="places")
    build.place = lambda graph: None
    started = time.perf_counter()
    bare = workspace.graph()
    without = time.perf_counter() - started
    started = time.perf_counter()
    place(bare)
    placing = time.perf_counter() - started
    placed = sum(1 for _, _, d in bare.edges(data=True) if d["type"] == "IN_AREA")
    RESULT = {"build": without, "placing": placing, "placed": placed, "locations": n,
              "areas": sum(1 for _, d in bare.nodes(data=True) if d["type"] == "Area")}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--locations", type=int, default=20_000)
    args = parser.parse_args()
    if not FOLDER.exists():
        sys.exit(f"the England IMD files are not at {FOLDER}")
    tests = str(Path(__file__).resolve().parents[1] / "tests")
    baseline = [run_measured(BASELINE, str(FOLDER)) for _ in range(args.runs)]
    ingest = [run_measured(INGEST, str(FOLDER)) for _ in range(args.runs)]
    placing = [
        run_measured(PLACING, str(CENTROIDS), str(args.locations), tests) for _ in range(args.runs)
    ]
    base_s = median([r["seconds"] for r in baseline])
    ingest_s = median([r["seconds"] for r in ingest])
    first = ingest[0]
    place_s = median([r["placing"] for r in placing])
    build_s = median([r["build"] for r in placing])
    lines = [
        "## Areas (`benchmarks/bench_areas.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "**All England.** `civicgraph ingest areas ../shared/data/imd2019_lsoa` (IMD 2019 Files "
        "1, 2 and 6 and the 2011 output area lookup) into a fresh workspace. Baseline, same run: "
        "pandas reading the same four files as text. Medians of "
        f"{args.runs} fresh processes; memory is the process's peak.",
        "",
        "| rows read | areas | PART_OF links | baseline s | ingest s | × baseline "
        "| ingest peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {baseline[0]['rows']:,} | {first['areas']:,} | {first['links']:,} | {base_s:.1f} "
        f"| {ingest_s:.1f} | {ingest_s / base_s:.1f}× "
        f"| {median([r['peak_rss_mb'] for r in ingest]):,.0f} |",
        "",
        "Target (issue 4): all England areas ingested in under 60 s.",
        "",
        f"**Placing.** {args.locations:,} locations scattered around England's LSOA centroids "
        f"({placing[0]['areas']:,} areas from `lsoa_latlong.csv`), each placed by nearest "
        f"centroid when the graph is built: placing took {place_s:.2f} s against "
        f"{build_s:.2f} s for the rest of the build (median of {args.runs}); "
        f"{placing[0]['placed']:,} placed.",
    ]
    write_section("areas", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
