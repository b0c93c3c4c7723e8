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
from pathlib import Path

from _common import (
    WORK,
    machine,
    measure_region_queries,
    region_code,
    run_measured,
    step_table,
    write_section,
)

RUNS = [
    ("si-index", {}),
    ("si-index", {"level": "msoa"}),
    ("gaps", {}),
]


def region(services: int) -> tuple[Path, dict[str, int]]:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"places-region-{services}.pickle"
    info = run_measured(region_code(), str(services), str(path))
    return path, info


def measure(services: int, runs: int) -> dict[str, dict[str, float]]:
    path, info = region(services)
    found = {"region": {k: float(v) for k, v in info.items()}}
    found.update(measure_region_queries(path, services, runs, RUNS))
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
    lines += ["", *step_table(results, sizes)]
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
