"""The demo: a synthetic town, ingested into a fresh workspace, with everything it shows.

``run_demo(out)`` is what ``civicgraph demo`` runs; it returns what it made so
that the CLI can say where things are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .graph import IngestReport, Workspace
from .graph.build import StepProgress
from .graph.rdf import export_rdf
from .ingest import ingest
from .queries.report import write_query_report
from .synth import synth
from .viz import write_view
from .viz.report import DEMO_RULE, demo_area, write_area_report

__all__ = ["DemoResult", "run_demo"]

DEMO_DB = "civicgraph.db"


@dataclass
class DemoResult:
    """What the demo made and where."""

    out: Path
    workspace: Path
    data: Path
    reports: list[IngestReport] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    """Further files made from the workspace (query results, pictures), by name."""


def _fresh_workspace(path: Path) -> Workspace:
    # Only the demo's own workspace file (and SQLite's companions) is removed.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Workspace(path)


def run_demo(
    out: str | Path = "demo-out",
    *,
    services: int = 2000,
    seed: int = 1,
    progress: StepProgress | None = None,
) -> DemoResult:
    """Synthesise a town into ``out/data``, ingest it into ``out/civicgraph.db`` afresh, run
    every query into ``out/queries`` (a CSV each, and ``summary.md``), draw the network as
    ``out/network.html`` and report in ``out/report`` on the area ``DEMO_RULE`` picks
    (one with provision, ties and areas of its level to compare it with, and gaps where the
    town has them in such an area, so every section of the report has content).

    ``progress``, if given, is told ``("demo", steps done, steps in all)`` after each
    step, and is given to the workspace for its own long steps.

    Examples
    --------
    >>> import tempfile
    >>> result = run_demo(tempfile.mkdtemp(), services=60, seed=2)
    >>> result.stats["nodes"]["Service"]
    60
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    written = synth(data, services=services, seed=seed)
    steps = len(written) + 6  # synth, the ingests, stats, RDF, queries, page, report
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("demo", done, steps)

    step()
    result = DemoResult(out=folder, workspace=folder / DEMO_DB, data=data)
    with _fresh_workspace(result.workspace) as workspace:
        workspace.progress = progress
        for source in written:
            result.reports.append(
                ingest(workspace, source.kind, str(source.path), name=source.name)
            )
            step()
        result.stats = workspace.stats()
        step()
        rdf = folder / "civicgraph.ttl"
        export_rdf(workspace, rdf, format="turtle")
        result.outputs["linked data (Turtle)"] = rdf
        step()
        result.outputs.update(write_query_report(workspace, folder / "queries"))
        step()
        graph = workspace.graph()
    page = write_view(graph, folder / "network.html")
    result.outputs["network page"] = page.path
    step()
    area = demo_area(graph)
    if area is not None:
        with Workspace(result.workspace) as workspace:
            report = write_area_report(
                graph, area, folder / "report", chosen_by=DEMO_RULE, workspace=workspace
            )
        name = graph.nodes[area].get("name") or area
        made = f"report on {area} ({name}: provision, ties and comparators)"
        result.outputs[made] = report.html
        if report.pdf is not None:
            result.outputs["report (PDF)"] = report.pdf
    step()
    return result


def summary(result: DemoResult) -> dict[str, Any]:
    """The demo's result as plain data (for ``--format json``)."""
    return {
        "workspace": str(result.workspace),
        "data": str(result.data),
        "sources": [
            {
                "name": r.source,
                "kind": r.kind,
                "variant": r.variant,
                "problems": r.to_dict()["problem_counts"],
            }
            for r in result.reports
        ],
        "stats": result.stats,
        "outputs": {name: str(path) for name, path in result.outputs.items()},
    }
