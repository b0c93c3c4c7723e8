"""``civicgraph synth`` and ``civicgraph demo``: making data to try civicgraph on."""

from __future__ import annotations

import click

from .. import demo as demo_module
from ..synth import HSDS_FORMATS, synth_changes
from ..synth import synth as write_town
from ._common import CONTEXT_SETTINGS, Choice, dumps, format_option, step_progress

__all__ = ["demo", "synth"]


@click.command(name="synth", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--services",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="About how many services the town has.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="The same seed gives the same town."
)
@click.option(
    "--out", type=click.Path(file_okay=False), required=True, help="Folder to write into."
)
@click.option(
    "--format",
    "hsds_format",
    type=Choice(sorted(HSDS_FORMATS)),
    default="hsds-json",
    show_default=True,
    help="The directory's format.",
)
@click.option(
    "--changes",
    is_flag=True,
    help="Write two dated snapshots with planted changes between them, and a manifest of them.",
)
def synth(services: int, seed: int, out: str, hsds_format: str, changes: bool) -> None:
    """Write a realistic, reproducible synthetic town's data.

    With --changes: two snapshots of the town (directory and grant files, dated
    2025-01-15 and 2025-07-15) with openings, closures, moves, reductions,
    renames, transfers and grants ending planted between them, and
    planted-changes.json saying what was planted. Each line printed is a source
    to ingest, in order, with its --name and --snapshot-date.

    \b
    Example:
      civicgraph synth --services 10000 --seed 42 --out town/ --format hsds-csv
      civicgraph synth --changes --services 400 --seed 3 --out town-changes/
    """
    if not changes:
        for source in write_town(out, services=services, seed=seed, hsds_format=hsds_format):
            click.echo(f"{source.kind:<10} {source.path}")
        return
    sources, changed, manifest = synth_changes(
        out, services=services, seed=seed, hsds_format=hsds_format
    )
    for dated in sources:
        click.echo(
            f"{dated.kind:<10} {dated.path}  --name {dated.name} --snapshot-date "
            f"{dated.snapshot_date}"
        )
    click.echo(f"{'planted':<10} {manifest}  ({len(changed.planted)} changes)")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="demo-out",
    show_default=True,
    help="Folder for the demo's data, workspace and outputs.",
)
@click.option(
    "--services",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="How many services the synthetic town has.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="The town's random seed.")
@format_option()
def demo(out: str, services: int, seed: int, output_format: str) -> None:
    """Synthesise a town, ingest it into a fresh workspace, and show what it made.

    \b
    Example:
      civicgraph demo --out demo-out
    """
    result = demo_module.run_demo(out, services=services, seed=seed, progress=step_progress())
    if output_format == "json":
        click.echo(dumps(demo_module.summary(result)))
        return
    click.echo(f"Synthetic town written to {result.data}")
    for report in result.reports:
        problems = ", ".join(
            f"{n} {k}s" for k, n in report.to_dict()["problem_counts"].items() if n
        )
        click.echo(
            f"  ingested {report.source} ({report.variant})" + (f": {problems}" if problems else "")
        )
    click.echo(f"Workspace: {result.workspace}")
    for section in ("nodes", "edges"):
        click.echo(
            f"{section}: " + ", ".join(f"{k} {v:,}" for k, v in result.stats[section].items())
        )
    for name, path in result.outputs.items():
        click.echo(f"{name}: {path}")
    click.echo(f"Next: civicgraph --db {result.workspace} sources")
