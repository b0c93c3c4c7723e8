"""``civicgraph sources``, ``stats`` and ``resolve``: what the workspace holds and decided."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from ._common import CONTEXT_SETTINGS, State, dumps, emit, format_frame, format_option

__all__ = ["resolve", "sources", "stats"]


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--snapshot", type=int, help="Show the full ingest report of this snapshot.")
@format_option()
@click.pass_obj
def sources(state: State, snapshot: int | None, output_format: str) -> None:
    """List the workspace's sources, their snapshots and per-table counts.

    \b
    Example:
      civicgraph sources
      civicgraph sources --snapshot 1 --format json
    """
    with state.workspace() as workspace:
        if snapshot is not None:
            report = workspace.report(snapshot)
            if output_format == "json":
                click.echo(dumps(report.to_dict()))
            else:
                click.echo("\n".join(report.summary_lines(examples=5)))
            return
        data = workspace.sources()
    if output_format == "json":
        click.echo(dumps(data))
        return
    if not data:
        click.echo(f"No sources in {state.db} yet. Try: civicgraph ingest hsds SOURCE")
        return
    for source in data:
        click.echo(f"{source['name']} ({source['kind']})")
        for snap in source["snapshots"]:
            marker = "current" if snap["current"] else "earlier"
            problems = ", ".join(f"{n} {k}s" for k, n in snap["problems"].items() if n)
            click.echo(
                f"  snapshot {snap['snapshot']} [{marker}] {snap['ingested_at']} "
                f"sha256 {snap['sha256'][:12]} {snap['variant']}"
                + (f" — {problems}" if problems else "")
            )
            if snap["current"]:
                width = max([len(t) for t in snap["tables"]] + [5])
                click.echo(
                    f"    {'table':<{width}}  {'read':>8} {'loaded':>8} {'merged':>8} "
                    f"{'rejected':>8} {'warnings':>8}"
                )
                for table, c in snap["tables"].items():
                    click.echo(
                        f"    {table:<{width}}  {c['read']:>8} {c['loaded']:>8} {c['merged']:>8} "
                        f"{c['rejected']:>8} {c['warnings']:>8}"
                    )


@click.command(context_settings=CONTEXT_SETTINGS)
@format_option()
@click.pass_obj
def stats(state: State, output_format: str) -> None:
    """Count the graph's nodes and edges by type.

    \b
    Example:
      civicgraph stats --format json
    """
    with state.workspace() as workspace:
        counts = workspace.stats()
    if output_format == "json":
        click.echo(dumps(counts))
        return
    for section in ("nodes", "edges"):
        click.echo(f"{section}:")
        for name, count in counts[section].items():
            click.echo(f"  {name:<16} {count:>10,}")
        if not counts[section]:
            click.echo("  (none)")


def _flat_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows for table/CSV output: nested evidence becomes compact JSON text."""
    flat = [
        {
            k: dumps(v).replace("\n", "").replace("  ", "") if isinstance(v, dict | list) else v
            for k, v in row.items()
        }
        for row in rows
    ]
    return pd.DataFrame(flat)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--merges", "show", flag_value="merges", help="List every merge with its evidence.")
@click.option("--review", "show", flag_value="review", help="List the pairs to decide.")
@click.option("--decided", "show", flag_value="decided", help="List the decisions in force.")
@click.option(
    "--decisions",
    "decisions_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Load a decisions file (same / not-same pairs); it replaces the earlier decisions.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to write the rows.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file.")
@click.pass_obj
def resolve(
    state: State, show: str | None, decisions_file: str | None, output_format: str, out: str | None
) -> None:
    """Show which records are one organisation or building, why, and what is left to decide.

    Records merge by identifier (org-id, charity or company number, UPRN), by
    name with corroboration (postcode, web domain, phone, email), or by your
    decisions. Pairs the tool is not sure of go to a review list: write it as
    CSV, fill in the 'decision' column with same or not-same, and load it with
    --decisions. Decisions stay in the workspace and bind every later ingest.

    \b
    Example:
      civicgraph resolve --review --format csv --out review.csv
      civicgraph resolve --decisions review.csv
      civicgraph resolve --merges --format json
    """
    with state.workspace() as workspace:
        if decisions_file:
            result = workspace.load_decisions(decisions_file)
            click.echo(
                f"Loaded {result['decisions']} decisions ({result['same']} same, "
                f"{result['not-same']} not-same) from {decisions_file}."
            )
            for message in result["skipped rows"]:
                click.echo(f"  skipped {message}", err=True)
            if result["unknown ids"]:
                click.echo(
                    f"  warning: {len(result['unknown ids'])} ids are not in the workspace (yet): "
                    + ", ".join(result["unknown ids"][:10])
                    + ("..." if len(result["unknown ids"]) > 10 else "")
                    + ". They are kept and apply if those records arrive; check for typos.",
                    err=True,
                )
            for key, value in result["resolution"].items():
                click.echo(f"  {key}: {value}")
            return
        if show is None:
            merges, review = workspace.merges(), workspace.review_list()
            rules: dict[str, int] = {}
            for merge in merges:
                rules[merge["rule"]] = rules.get(merge["rule"], 0) + 1
            summary = {
                "merged records by rule": rules,
                "pairs to review": len(review),
                "decisions": len(workspace.decisions()),
            }
            if output_format == "json":
                click.echo(dumps(summary))
                return
            click.echo("Records given another node's id, by rule:")
            for rule, count in sorted(rules.items()):
                click.echo(f"  {rule:<24} {count:>8,}")
            click.echo(f"Pairs to review: {len(review):,} (civicgraph resolve --review)")
            click.echo(f"Decisions in force: {summary['decisions']:,}")
            return
        rows = {
            "merges": workspace.merges,
            "review": workspace.review_list,
            "decided": workspace.decisions,
        }[show]()
    text = dumps(rows) if output_format == "json" else format_frame(_flat_rows(rows), output_format)
    emit(text, out, len(rows))
