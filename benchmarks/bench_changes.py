"""``query changes`` and ``query area-changes`` on a two-snapshot synthetic town at scale.

The workspace (made once per size, in benchmarks/_work, timed apart): ``civicgraph
synth --changes --services N`` (two dated snapshots of the directory and of the
grant files, with the planted changes between them) ingested in the order the
synth gives, each source with its name and ``--snapshot-date``. Its write, its
ingest and the first graph build (which stores the analysis graph) are timed once.

Then, in fresh processes, median of ``--runs``:

- scan (the baseline): a bare ``sqlite3`` read of every row of every table of the
  workspace;
- ``civicgraph query changes`` and ``civicgraph query area-changes`` as whole
  commands (``--out FILE.csv``), wall time including Python's start, and
  peak memory; each answer is checked against the planted changes (``changes``
  lists exactly the planted set; ``area-changes`` flags the planted spiral area).

Writes the ``changes`` section of benchmarks/RESULTS.md.

    nice python benchmarks/bench_changes.py [--sizes 20000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from _common import machine, median, run_measured, write_section

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "changes"

BUILD = r"""
import sys, time
from pathlib import Path
import civicgraph
from civicgraph.ingest import ingest
from civicgraph.synth import synth_changes
services, folder = int(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
sources, changed, manifest = synth_changes(folder / "town", services=services, seed=1)
written = time.perf_counter()
with civicgraph.Workspace(folder / "w.db") as workspace:
    for source in sources:
        ingest(workspace, source.kind, str(source.path), name=source.name,
               snapshot_date=source.snapshot_date)
    ingested = time.perf_counter()
    graph = workspace.graph()
RESULT = {"synth_s": written - started, "ingest_s": ingested - written,
          "graph_s": time.perf_counter() - ingested, "services": len(changed.before.services),
          "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
"""

SCAN = r"""
import sqlite3, sys, time
started = time.perf_counter()
conn = sqlite3.connect(sys.argv[1])
rows = 0
tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
for table in tables:
    for _ in conn.execute(f'SELECT * FROM "{table}"'):
        rows += 1
RESULT = {"seconds": time.perf_counter() - started, "rows": rows}
"""

COMMAND = r"""
import sys, time
started = time.perf_counter()
from civicgraph.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit_:
    if exit_.code not in (0, None):
        raise
RESULT = {"seconds": time.perf_counter() - started}
"""

QUERIES = ("changes", "area-changes")


def workspace(services: int) -> tuple[Path, dict[str, Any] | None]:
    """The two-snapshot workspace of ``services`` (built in a child, so this process stays
    small, and kept with ``--keep``), and the build's timings (``None``: not known)."""
    folder = WORK / f"town-{services}"
    db, timings = folder / "w.db", folder / "built.json"
    if db.exists():
        return db, json.loads(timings.read_text("utf-8")) if timings.exists() else None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    built = run_measured(BUILD, str(services), str(folder))
    timings.write_text(json.dumps(built), "utf-8")
    print(f"  {services:,}: built {json.dumps(built)}", file=sys.stderr)
    return db, built


def check(name: str, out: Path, manifest: dict[str, Any]) -> int:
    """The answer's row count, after checking it against what was planted."""
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if name == "changes":
        found = {(r["change"], r["id"]) for r in rows}
        planted = {(c["change"], c["id"]) for c in manifest["changes"]}
        if found != planted or len(rows) != len(found):
            raise SystemExit(
                f"changes is not the planted set: missed {sorted(planted - found)}, "
                f"extra {sorted(found - planted)}, {len(rows)} rows"
            )
    else:
        spiral = {r["area"] for r in rows if r["spiral"].lower() == "true"}
        if manifest["spiral"]["area"] not in spiral:
            raise SystemExit(f"area-changes did not flag {manifest['spiral']['area']}: {spiral}")
    return len(rows)


def measure(services: int, runs: int) -> dict[str, Any]:
    db, built = workspace(services)
    manifest = json.loads((db.parent / "town" / "planted-changes.json").read_text("utf-8"))
    scan = [run_measured(SCAN, str(db)) for _ in range(runs)]
    found: dict[str, Any] = {
        "services": manifest["services"],
        "built": built,
        "db_mb": db.stat().st_size / 1e6,
        "scan_rows": scan[0]["rows"],
        "scan_s": median([r["wall_s"] for r in scan]),
        "scan_mb": median([r["peak_rss_mb"] for r in scan]),
    }
    env = {"CIVICGRAPH_DB": str(db)}
    for name in QUERIES:
        out = db.parent / f"{name}.csv"
        results = [
            run_measured(COMMAND, "query", name, "--out", str(out), env=env) for _ in range(runs)
        ]
        found[name] = {
            "seconds": median([r["wall_s"] for r in results]),
            "mb": median([r["peak_rss_mb"] for r in results]),
            "rows": check(name, out, manifest),
        }
        print(f"  {services:,}: {name} {json.dumps(found[name])}", file=sys.stderr)
    return found


def section(results: list[dict[str, Any]], runs: int, before: str) -> str:
    lines = [
        "## Changes between snapshots at scale (`benchmarks/bench_changes.py`)",
        "",
        f"Machine: {machine()}. Shared with other work while this ran: absolute times are "
        "noisy; the ratios are of runs made one after the other.",
        "",
        "Workspace: `civicgraph synth --changes --services N --seed 1` ingested as the synth "
        "says (areas; directory and grant files dated 2025-01-15, then again dated "
        "2025-07-15), built once and timed apart. Then fresh processes, median of "
        f"{runs}, wall time including Python's start: the baseline is a bare `sqlite3` read "
        "of every row of every table of the workspace; each query is the whole command "
        "(`civicgraph query NAME --out FILE.csv`), its answer checked against "
        "the planted changes. Budget (issue 15): 60 s and 4 GB per query.",
        "",
        "| services | workspace MB / rows | synth s | ingest s | first graph s | build peak MB "
        "| scan s "
        "| `changes` s (peak MB) | rows | ÷ scan | `area-changes` s (peak MB) | rows | ÷ scan |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r["built"] or {}
        build = (
            f"{b['synth_s']:.0f} | {b['ingest_s']:.0f} | {b['graph_s']:.0f} "
            f"| {b['peak_rss_mb']:,.0f}"
            if b
            else "- | - | - | -"
        )
        cells = []
        for name in QUERIES:
            q = r[name]
            cells.append(
                f"{q['seconds']:.1f} ({q['mb']:,.0f}) | {q['rows']:,} "
                f"| {q['seconds'] / r['scan_s']:.1f}×"
            )
        lines.append(
            f"| {r['services']:,} | {r['db_mb']:,.0f} / {r['scan_rows']:,} | {build} "
            f"| {r['scan_s']:.2f} | " + " | ".join(cells) + " |"
        )
    if before:
        lines += ["", before]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", default="", help="a paragraph of earlier figures to keep")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces")
    parser.add_argument("--no-write", action="store_true", help="print, do not write RESULTS.md")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results = [measure(services, args.runs) for services in args.sizes]
    text = section(results, args.runs, args.before)
    print(text)
    if not args.no_write:
        write_section("changes", text)
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
