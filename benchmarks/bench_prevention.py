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
import json
import sys

from _common import machine, median, run_measured, write_section
from bench_places import BASELINE, QUERY, WORK
from bench_places import REGION as PLACES_REGION

TERMS = r"""
for s in town.services:
    term = "term:" + s.category.name
    if term not in g:
        g.add_node(term, type="Concept", name=s.category.name)
    edge(s.id, term, "CLASSIFIED_AS")
"""
_DUMP = 'with open(sys.argv[2], "wb") as handle:'
REGION = PLACES_REGION.replace(_DUMP, TERMS + _DUMP, 1)
RUNS = [("prevention", {"by": "service"}), ("prevention", {})]


def measure(services: int, runs: int) -> dict[str, dict[str, float]]:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"prevention-region-{services}.pickle"
    info = run_measured(REGION, str(services), str(path))
    found: dict[str, dict[str, float]] = {"region": {k: float(v) for k, v in info.items()}}
    base = [run_measured(BASELINE, str(path)) for _ in range(runs)]
    found["baseline"] = {
        "seconds": median([b["seconds"] for b in base]),
        "mb": median([b["peak_rss_mb"] for b in base]),
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
    header = " | ".join(f"{n:,} s | {n:,} peak MB" for n in sizes)
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
    write_section("prevention", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
