"""query prevention on synthetic regions of 10k and 100k services.

The region is the one of ``bench_places.py`` (the synthetic town built straight
into an analysis graph: LSOAs, MSOAs, buildings placed, services at buildings and
serving areas, facilities, a grant per hundred services), with each service
``CLASSIFIED_AS`` its category's taxonomy term (a ``Concept`` named after the
category, so the crosswalk's label look-up and the rules both run). Each
measurement runs in a fresh process, median of --runs:

- baseline: loading the pickled graph and one pass of the look-ups the query starts
  from (``GraphIndex`` edge buckets and every service's sector), as in bench_places;
- ``prevention --by service`` and ``prevention`` by LSOA (shares of services, grant
  money and facilities).

Writes the ``prevention`` section of benchmarks/RESULTS.md.

    nice python benchmarks/bench_prevention.py [--sizes 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse

from _common import (
    WORK,
    machine,
    measure_region_queries,
    region_code,
    run_measured,
    step_table,
    write_section,
)

RUNS = [("prevention", {"by": "service"}), ("prevention", {})]


def measure(services: int, runs: int) -> dict[str, dict[str, float]]:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"prevention-region-{services}.pickle"
    info = run_measured(region_code(classified=True), str(services), str(path))
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
    lines = [
        "## Prevention levels: query prevention on synthetic regions "
        "(`benchmarks/bench_prevention.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "The region of `bench_places.py` with every service classified by its category's "
        f"taxonomy term. Median of {args.runs} fresh processes; loading the graph is not "
        "counted. The baseline is the look-ups the query starts from (`GraphIndex` edge "
        "buckets and every service's sector). Memory is the peak RSS, the graph included.",
        "",
        *step_table(results, sizes),
    ]
    write_section("prevention", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
