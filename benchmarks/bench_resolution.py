"""Entity resolution: precision and recall on labelled real data, and time at 100k organisations.

1. Real data: organisation mentions in the 360Giving sample files, labelled by
   their charity and company numbers, matched with the numbers hidden
   (benchmarks/labelled_orgs.py explains the labelling).
2. Synthetic town: each grant's recipient, as the funder spelt it, must land on
   the directory's organisation (known by construction).
3. Scale: name matching over 100,000 organisation records (a synthetic region,
   plus 30% of them spelt again by funders as a second source): time, peak
   memory, and the pairs compared against all n(n-1)/2.

Writes the ``resolution`` section of benchmarks/RESULTS.md.

    python benchmarks/bench_resolution.py [--organisations 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import machine, median, run_measured, write_section
from labelled_orgs import labelled_set, score

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "360giving_grantnav_samples"

SCALE = r"""
import random, sys, time
from civicgraph.graph.matching import OrgRecord, links_among, pairs_compared
from civicgraph.ontology import normalise_name
from civicgraph.synth import make_town
from civicgraph.synth.grants import spell_like_a_funder

target = int(sys.argv[1])
town = make_town(target * 4, seed=3)
rng = random.Random(5)
buildings = {b.id: b for b in town.buildings}

def record(key, name, source, postcode):
    norm = normalise_name(name)
    return OrgRecord(key, name, norm, tuple(norm.split()), frozenset([postcode]), None, None,
                     None, frozenset(), frozenset([source]), postcode)

records = [record(f"dir:organization:{o.id}", o.name, "dir", buildings[o.base].postcode)
           for o in town.organisations]
copies = rng.sample(town.organisations, k=int(0.3 * len(town.organisations)))
records += [record(f"grants:organization:{o.id}", spell_like_a_funder(o.name, rng), "grants",
                   buildings[o.base].postcode) for o in copies]
started = time.perf_counter()
links = list(links_among(records))
seconds = time.perf_counter() - started
n = len(records)
RESULT = {"records": n, "seconds": seconds, "links": len(links),
          "certain": sum(1 for l in links if l.certain),
          "pairs": pairs_compared(records), "all_pairs": n * (n - 1) // 2}
"""


def synthetic_recovery(services: int) -> dict[str, float]:
    """Of the town's grants, the share whose recipient resolved to the right organisation."""
    import civicgraph
    from civicgraph.synth import grants_for, make_town, synth

    with tempfile.TemporaryDirectory() as tmp:
        written = synth(Path(tmp) / "data", services=services, seed=1)
        workspace = civicgraph.Workspace(Path(tmp) / "w.db")
        started = time.perf_counter()
        for source in written:
            civicgraph.ingest.ingest(workspace, source.kind, str(source.path), name=source.name)
        seconds = time.perf_counter() - started
        graph = workspace.graph()
        node_of = {m["key"]: m["node_id"] for m in workspace.merges()}
        right = wrong = unresolved = 0
        for grant in grants_for(make_town(services, 1)):
            truth_key = f"directory:organization:{grant.organisation.id}"
            truth = node_of.get(truth_key, truth_key)
            recipients = [v for _, v, d in graph.out_edges(grant.id, data=True)
                          if d["type"] == "AWARDED_TO"]  # fmt: skip
            if recipients == [truth]:
                right += 1
            elif recipients and graph.nodes[recipients[0]]["sources"] == ["grants"]:
                unresolved += 1  # left on its own: a miss, not a wrong merge
            else:
                wrong += 1
    resolved = right + wrong
    return {
        "grants": right + wrong + unresolved,
        "precision": right / resolved if resolved else 1.0,
        "recall": right / (right + wrong + unresolved),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"the real 360Giving samples are not at {SHARED}")
    started = time.perf_counter()
    real = score(labelled_set(SHARED))
    real_seconds = time.perf_counter() - started
    synthetic = synthetic_recovery(2000)
    scale = [run_measured(SCALE, str(args.organisations)) for _ in range(args.runs)]
    seconds = median([r["seconds"] for r in scale])
    memory = median([r["peak_rss_mb"] for r in scale])
    first = scale[0]
    lines = [
        "## Entity resolution (`benchmarks/bench_resolution.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "**Real data, labelled by registered numbers.** Organisation mentions in the twelve "
        "360Giving sample files (one record per file and organisation; charity and company "
        "numbers carried together by one mention are one organisation), matched by name and "
        "postcode with every identifier hidden. Pairs are scored pairwise; a predicted pair "
        "whose relation no register settles is left out (see `benchmarks/labelled_orgs.py`).",
        "",
        "| records | true pairs | precision | recall | differently-spelt pairs | their precision "
        "| their recall | time |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {real['records']:,} | {real['true_pairs']:,} | {real['precision']:.3f} "
        f"| {real['recall']:.3f} | {real['hard_true_pairs']} | {real['hard_precision']:.3f} "
        f"| {real['hard_recall']:.3f} | {real_seconds:.2f} s |",
        "",
        "Targets: precision ≥ 0.97, recall ≥ 0.90 on organisations. Most pairs the resolver "
        'misses are renamed organisations and sub-brands ("CAADA" → "SafeLives", '
        '"Medical Foundation…" → "Freedom From Torture"), which only identifiers or a '
        "person's decision can join; the false merges are mostly re-registered charities "
        "(same name, new number), which the register rule keeps apart whenever the numbers are "
        "present.",
        "",
        f"**Synthetic town** (2,000 services, 3 funders spelling recipients their own way): "
        f"{synthetic['grants']} grants; recipient resolved to the right directory organisation "
        f"— precision {synthetic['precision']:.3f}, recall {synthetic['recall']:.3f}; the "
        f"town's sources ingested in {synthetic['seconds']:.1f} s.",
        "",
        f"**Scale.** Name matching over {first['records']:,} organisation records (a synthetic "
        f"region and 30% of it spelt again as a second source): median {seconds:.1f} s over "
        f"{len(scale)} runs, peak {memory:,.0f} MB; blocking compared {first['pairs']:,} pairs of "
        f"the {first['all_pairs']:,} possible ({first['pairs'] / first['all_pairs']:.5%}), "
        f"finding {first['certain']:,} certain links.",
    ]
    write_section("resolution", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
