"""``civicgraph sources``, ``stats`` and ``resolve``: what the workspace holds and decided."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from ._common import (
    CONTEXT_SETTINGS,
    State,
    as_of_option,
    echo_as_of,
    emit_json,
    emit_listing,
    emit_rows,
    listing_about,
    output_options,
    resolve_format,
    write_output,
)

__all__ = ["resolve", "sources", "stats"]


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--snapshot", type=int, help="Show the full ingest report of this snapshot.")
@output_options()
@click.pass_obj
def sources(
    state: State,
    snapshot: int | None,
    output_format: str | None,
    out: str | None,
    bom: bool,
    limit: int | None,
) -> None:
    """List the workspace's sources, their snapshots and per-table counts.

    json gives {"query": "sources", "scope", "as_of", "notes", "rows"}, each row a
    source with its snapshots, nested; csv, xlsx and md give one row per snapshot
    and table (read, loaded, merged, rejected, warnings); with --snapshot, that
    snapshot's ingest report (json: the report itself; csv, xlsx, md: one row per
    problem).

    \b
    Example:
      civicgraph sources
      civicgraph sources --snapshot 1 --format json
      civicgraph sources --out sources.xlsx
    """
    chosen = resolve_format(output_format, out)
    with state.workspace() as workspace:
        if snapshot is not None:
            report = workspace.report(snapshot)
            if chosen == "json":
                emit_json(report.to_dict(), out)
            elif chosen == "table":
                text = "\n".join(report.summary_lines(examples=5)) + "\n"
                write_output(text.encode("utf-8"), out, what="the report")
            else:
                emit_rows(
                    _problem_rows(report.to_dict()),
                    output_format=chosen, out=out, bom=bom, limit=limit,
                )  # fmt: skip
            return
        data = workspace.sources()
    about = listing_about("sources")
    if chosen == "json":
        emit_listing(data[:limit] if limit else data, out, about=about)
        return
    if chosen != "table":
        emit_rows(
            _snapshot_rows(data), output_format=chosen, out=out, bom=bom, limit=limit, about=about
        )
        return
    lines: list[str] = []
    if not data:
        lines.append(f"No sources in {state.db} yet. Try: civicgraph ingest hsds SOURCE")
    for source in data:
        lines.append(f"{source['name']} ({source['kind']})")
        for snap in source["snapshots"]:
            marker = "current" if snap["current"] else "earlier"
            problems = ", ".join(f"{n} {k}s" for k, n in snap["problems"].items() if n)
            lines.append(
                f"  snapshot {snap['snapshot']} [{marker}] {snap['ingested_at']} "
                f"(data of {snap['date']}) "
                f"sha256 {snap['sha256'][:12]} {snap['variant']}"
                + (f" — {problems}" if problems else "")
            )
            if snap["current"]:
                width = max([len(t) for t in snap["tables"]] + [5])
                lines.append(
                    f"    {'table':<{width}}  {'read':>8} {'loaded':>8} {'merged':>8} "
                    f"{'rejected':>8} {'warnings':>8}"
                )
                for table, c in snap["tables"].items():
                    lines.append(
                        f"    {table:<{width}}  {c['read']:>8} {c['loaded']:>8} {c['merged']:>8} "
                        f"{c['rejected']:>8} {c['warnings']:>8}"
                    )
    write_output(("\n".join(lines) + "\n").encode("utf-8"), out, what="the sources")


@click.command(context_settings=CONTEXT_SETTINGS)
@output_options(limit=False)
@as_of_option()
@click.pass_obj
def stats(
    state: State, output_format: str | None, out: str | None, bom: bool, as_of: str | None
) -> None:
    """Count the graph's nodes and edges by type.

    json gives {"query": "stats", "scope", "as_of", "notes", "rows", "nodes", "edges"}:
    rows as csv has them (kind, type, count) and the same counts as
    {"nodes": {TYPE: n}, "edges": {TYPE: n}}; csv, xlsx and md one row per type.

    \b
    Example:
      civicgraph stats --format json
      civicgraph stats --out stats.csv
      civicgraph stats --as-of 2015-06-30
    """
    chosen = resolve_format(output_format, out)
    with state.workspace(as_of=as_of) as workspace:
        counts = workspace.stats()
        echo_as_of(workspace)
        about = listing_about("stats", as_of=as_of, notes=[workspace.as_of_described()])
    rows = [
        {"kind": section[:-1], "type": name, "count": count}
        for section in ("nodes", "edges")
        for name, count in counts[section].items()
    ]
    if chosen == "json":
        emit_listing(rows, out, about=about, nodes=counts["nodes"], edges=counts["edges"])
        return
    if chosen != "table":
        frame = pd.DataFrame(rows, columns=["kind", "type", "count"])
        emit_rows(frame, output_format=chosen, out=out, bom=bom, about=about)
        return
    lines: list[str] = []
    for section in ("nodes", "edges"):
        lines.append(f"{section}:")
        lines += [f"  {name:<16} {count:>10,}" for name, count in counts[section].items()]
        if not counts[section]:
            lines.append("  (none)")
    write_output(("\n".join(lines) + "\n").encode("utf-8"), out, what="the counts")


def _snapshot_rows(data: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per source snapshot and table, with its counts."""
    rows = []
    for source in data:
        for snap in source["snapshots"]:
            base = {
                "source": source["name"],
                "kind": source["kind"],
                "snapshot": snap["snapshot"],
                "current": snap["current"],
                "ingested_at": snap["ingested_at"],
                "date": snap["date"],
                "variant": snap["variant"],
                "sha256": snap["sha256"],
                "input": snap["input"],
            }
            for table, counts in snap["tables"].items() or [("", {})]:
                rows.append({**base, "table": table, **{k: counts.get(k) for k in _COUNTS}})
    return pd.DataFrame(rows, columns=[*_SNAPSHOT_COLUMNS, "table", *_COUNTS])


_SNAPSHOT_COLUMNS = [
    "source", "kind", "snapshot", "current", "ingested_at", "date", "variant", "sha256", "input",
]  # fmt: skip
_COUNTS = ["read", "loaded", "merged", "rejected", "skipped", "warnings"]


def _problem_rows(report: dict[str, Any]) -> pd.DataFrame:
    """One row per problem group of an ingest report, with its first example."""
    return _flat_rows(report.get("problems", []))


def _flat_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a table; nested evidence is written as compact JSON text by the writers."""
    return pd.DataFrame(rows)


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
@output_options()
@click.pass_obj
def resolve(
    state: State,
    show: str | None,
    decisions_file: str | None,
    output_format: str | None,
    out: str | None,
    bom: bool,
    limit: int | None,
) -> None:
    """Show which records are one organisation or building, why, and what is left to decide.

    Records merge by identifier (org-id, charity or company number, UPRN), by
    name with corroboration (postcode, web domain, phone, email), or by your
    decisions. Pairs the tool is not sure of go to a review list: write it as
    CSV, fill in the 'decision' column with same or not-same, and load it with
    --decisions. Decisions stay in the workspace and bind every later ingest.

    \b
    Example:
      civicgraph resolve --review --out review.csv
      civicgraph resolve --decisions review.csv
      civicgraph resolve --merges --format json
    """
    chosen = resolve_format(output_format, out)
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
            if chosen == "json":
                emit_json(summary, out)
                return
            if chosen != "table":
                frame = pd.DataFrame(
                    [{"rule": rule, "records": count} for rule, count in sorted(rules.items())],
                    columns=["rule", "records"],
                )
                emit_rows(frame, output_format=chosen, out=out, bom=bom, limit=limit)
                return
            lines = ["Records given another node's id, by rule:"]
            lines += [f"  {rule:<24} {count:>8,}" for rule, count in sorted(rules.items())]
            lines.append(f"Pairs to review: {len(review):,} (civicgraph resolve --review)")
            lines.append(f"Decisions in force: {summary['decisions']:,}")
            write_output(("\n".join(lines) + "\n").encode("utf-8"), out, what="the summary")
            return
        rows = {
            "merges": workspace.merges,
            "review": workspace.review_list,
            "decided": workspace.decisions,
        }[show]()
    about = listing_about(f"resolve --{show}")
    if chosen == "json":
        emit_listing(rows[:limit] if limit else rows, out, about=about)
    else:
        emit_rows(
            _flat_rows(rows), output_format=chosen, out=out, bom=bom, limit=limit, about=about
        )
