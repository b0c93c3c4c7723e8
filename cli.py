"""The ``civicgraph`` command line: thin click commands over the Python API.

Each command calls one Python function with the same parameter names and
formats what it returns. Errors civicgraph raises on purpose print as one
message (file, place, problem, fix) with exit code 1 (bad data) or 2 (bad
usage); anything else is an internal error (exit 3). ``--debug`` shows
tracebacks.
"""

from __future__ import annotations

import inspect
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import orjson
import pandas as pd

from . import demo as demo_module
from ._version import __version__
from .errors import CivicGraphError, StrictModeError
from .graph import IngestReport, Workspace, default_workspace_path
from .graph.netfiles import NETWORK_FORMATS, export_network
from .graph.rdf import RDF_FORMATS, export_rdf
from .ingest import INGESTERS, Ingester
from .ingest import ingest as run_ingest
from .ingest import validate as run_validate
from .queries import QUERIES, Query, run_query, run_sparql, sparql_library
from .synth import HSDS_FORMATS, synth
from .viz import COLOR_BY, DEFAULT_MAX_NODES, VIEWS, write_view
from .viz._layout import MEASURES
from .viz.report import write_area_report

__all__ = ["cli", "main"]

INTERNAL_ERROR_EXIT = 3

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="How to print the result.",
)


@dataclass
class _State:
    db: str
    debug: bool

    def workspace(self) -> Workspace:
        return Workspace(self.db)


def _dumps(data: Any) -> str:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()


def _progress() -> Callable[[int], None] | None:
    """A progress counter on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    seen = [0]

    def tick(n: int) -> None:
        seen[0] += n
        click.echo(f"\r  read {seen[0]:,} records", nl=False, err=True)

    return tick


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    envvar="CIVICGRAPH_DB",
    type=click.Path(dir_okay=False),
    default=None,
    help="The workspace file (default: $CIVICGRAPH_DB or ./civicgraph.db).",
)
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.option("-v", "--verbose", count=True, help="Log each stage with its counts (-vv: more).")
@click.version_option(__version__, prog_name="civicgraph")
@click.pass_context
def cli(ctx: click.Context, db: str | None, debug: bool, verbose: int) -> None:
    """Map a place's social infrastructure as one knowledge graph.

    \b
    Example:
      civicgraph demo
      civicgraph --db town.db ingest hsds ./directory --name council
      civicgraph --db town.db stats
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    ctx.obj = _State(db=db or str(default_workspace_path()), debug=debug)


# -- ingest --------------------------------------------------------------------


@cli.group(context_settings=CONTEXT_SETTINGS)
def ingest() -> None:
    """Ingest a source into the workspace, as one new snapshot.

    One ingest is one transaction: it lands whole or not at all. Re-ingesting
    a source under the same --name replaces its facts and keeps the earlier
    snapshot.

    \b
    Example:
      civicgraph ingest hsds ../shared/data/hsds1_miami_open211 --name miami
    """


def _write_report(report: IngestReport, path: str | None) -> None:
    if path:
        Path(path).write_text(_dumps(report.to_dict()), encoding="utf-8")


def _ingest_command(ingester: Ingester) -> click.Command:
    def command(
        state: _State,
        source: str,
        name: str | None,
        strict: bool,
        report_path: str | None,
        encoding: str | None,
        output_format: str,
        **options: Any,
    ) -> None:
        progress = _progress()
        try:
            with state.workspace() as workspace:
                report = run_ingest(
                    workspace,
                    ingester.name,
                    source,
                    name=name,
                    strict=strict,
                    encoding=encoding,
                    progress=progress,
                    options=options,
                )
        except StrictModeError as error:
            if progress:
                click.echo(err=True)
            if isinstance(error.report, IngestReport):
                _write_report(error.report, report_path)
                for line in error.report.summary_lines():
                    click.echo(line, err=True)
            raise
        if progress:
            click.echo(err=True)
        _write_report(report, report_path)
        if output_format == "json":
            click.echo(_dumps(report.to_dict()))
        else:
            for line in report.summary_lines():
                click.echo(line)

    options = [
        click.Argument(["source"]),
        click.Option(["--name"], help="The source's name in the workspace (default: from SOURCE)."),
        click.Option(
            ["--strict"], is_flag=True, help="Refuse the whole ingest on any error or warning."
        ),
        click.Option(
            ["--report", "report_path"],
            type=click.Path(dir_okay=False),
            help="Also write the ingest report, as JSON, to this file.",
        ),
        click.Option(
            ["--encoding"], help="The text encoding of the files, if not UTF-8 (e.g. cp1252)."
        ),
        click.Option(
            ["--format", "output_format"],
            type=click.Choice(["table", "json"]),
            default="table",
            show_default=True,
            help="How to print the report.",
        ),
    ]
    for option in ingester.options:
        options.append(
            click.Option(
                [f"--{option.name.replace('_', '-')}", option.name],
                type=option.type,
                default=option.default,
                show_default=True,
                help=option.help,
            )
        )
    return click.Command(
        ingester.name,
        callback=click.pass_obj(command),
        params=options,
        help=f"{ingester.summary}\n\n\b\nExample:\n  {ingester.example}",
        short_help=ingester.summary,
        context_settings=CONTEXT_SETTINGS,
    )


for _ingester in INGESTERS.values():
    ingest.add_command(_ingest_command(_ingester))


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("source")
@click.option(
    "--kind",
    type=click.Choice(sorted(INGESTERS)),
    default="hsds",
    show_default=True,
    help="Which ingester's checks to run.",
)
@click.option("--name", help="The source name to check references as (default: from SOURCE).")
@click.option("--encoding", help="The text encoding of the files, if not UTF-8.")
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False), help="Write the report as JSON."
)
@FORMAT_OPTION
@click.pass_obj
def validate(
    state: _State,
    source: str,
    kind: str,
    name: str | None,
    encoding: str | None,
    report_path: str | None,
    output_format: str,
) -> None:
    """Run every check an ingest would, and write nothing.

    Exits 0 when the source has no errors or warnings (notes are fine), 1 when
    it has some (the ingest would still load what it can, unless --strict).

    \b
    Example:
      civicgraph validate ../shared/data/oruk3_validator_mocks/V3.0-UK-Fail
    """
    with state.workspace() as workspace:
        report = run_validate(kind, source, workspace=workspace, name=name, encoding=encoding)
    _write_report(report, report_path)
    if output_format == "json":
        click.echo(_dumps(report.to_dict()))
    else:
        for line in report.summary_lines():
            click.echo(line)
    if report.failing_problems:
        sys.exit(1)


# -- looking at the workspace -----------------------------------------------------


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option("--snapshot", type=int, help="Show the full ingest report of this snapshot.")
@FORMAT_OPTION
@click.pass_obj
def sources(state: _State, snapshot: int | None, output_format: str) -> None:
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
                click.echo(_dumps(report.to_dict()))
            else:
                click.echo("\n".join(report.summary_lines(examples=5)))
            return
        data = workspace.sources()
    if output_format == "json":
        click.echo(_dumps(data))
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


@cli.command(context_settings=CONTEXT_SETTINGS)
@FORMAT_OPTION
@click.pass_obj
def stats(state: _State, output_format: str) -> None:
    """Count the graph's nodes and edges by type.

    \b
    Example:
      civicgraph stats --format json
    """
    with state.workspace() as workspace:
        counts = workspace.stats()
    if output_format == "json":
        click.echo(_dumps(counts))
        return
    for section in ("nodes", "edges"):
        click.echo(f"{section}:")
        for name, count in counts[section].items():
            click.echo(f"  {name:<16} {count:>10,}")
        if not counts[section]:
            click.echo("  (none)")


# -- identity -------------------------------------------------------------------------


def _flat_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows for table/CSV output: nested evidence becomes compact JSON text."""
    flat = [
        {
            k: _dumps(v).replace("\n", "").replace("  ", "") if isinstance(v, dict | list) else v
            for k, v in row.items()
        }
        for row in rows
    ]
    return pd.DataFrame(flat)


@cli.command(context_settings=CONTEXT_SETTINGS)
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
    state: _State, show: str | None, decisions_file: str | None, output_format: str, out: str | None
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
                click.echo(_dumps(summary))
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
    if output_format == "json":
        text = _dumps(rows)
    else:
        text = format_frame(_flat_rows(rows), output_format)
    _emit(text, out, len(rows))


# -- queries ------------------------------------------------------------------------


def format_frame(frame: pd.DataFrame, output_format: str) -> str:
    """A query's result as text: an aligned table, CSV, or JSON (a list of row objects)."""
    if output_format == "csv":
        return str(frame.to_csv(index=False))
    if output_format == "json":
        return str(frame.to_json(orient="records", force_ascii=False, indent=2))
    if frame.empty:
        return "No rows."
    return str(frame.to_string(index=False, max_colwidth=80))


class _QueryGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(QUERIES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        query = QUERIES.get(cmd_name)
        return None if query is None else _query_command(query)


def _keep_examples(text: str) -> str:
    """Mark a docstring's ``Example:`` paragraphs so that click does not rewrap them."""
    return "\n\n".join(
        f"\b\n{part}" if part.lstrip().startswith("Example") else part
        for part in text.split("\n\n")
    )


def _query_command(query: Query) -> click.Command:
    def command(state: _State, output_format: str, out: str | None, **params: Any) -> None:
        with state.workspace() as workspace:
            frame = run_query(query.name, workspace, **params)
        _emit(format_frame(frame, output_format), out, len(frame))

    options: list[click.Parameter] = []
    for param in query.params:
        flag = f"--{param.name.replace('_', '-')}"
        if param.type is bool and not param.multiple:
            options.append(
                click.Option(
                    [f"{flag}/--no-{flag[2:]}", param.name],
                    default=param.default,
                    show_default=True,
                    help=param.help,
                )
            )
            continue
        options.append(
            click.Option(
                [flag, param.name],
                type=click.Choice(param.choices) if param.choices else param.type,
                default=param.default,
                multiple=param.multiple,
                show_default=param.default not in (None, ()),
                help=param.help,
            )
        )
    options += [
        click.Option(
            ["--format", "output_format"],
            type=click.Choice(["table", "csv", "json"]),
            default="table",
            show_default=True,
            help="How to write the rows.",
        ),
        click.Option(["--out"], type=click.Path(dir_okay=False), help="Write to this file."),
    ]
    doc = inspect.getdoc(query.function) or query.summary
    example = (
        f"\n\n\b\nExample:\n  civicgraph query {query.name} --format csv --out {query.name}.csv"
    )
    return click.Command(
        query.name,
        callback=click.pass_obj(command),
        params=options,
        help=_keep_examples(doc.split("\n\nParameters")[0])
        + ("" if "\nExample:" in doc else example),
        short_help=query.summary,
        context_settings=CONTEXT_SETTINGS,
    )


@cli.group(cls=_QueryGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.option("--list", "list_queries", is_flag=True, help="List the queries, one line each.")
@click.pass_context
def query(ctx: click.Context, list_queries: bool) -> None:
    """Run a named analysis of the graph and print its rows (each with its evidence, 'why').

    \b
    Example:
      civicgraph query --list
      civicgraph query NAME --format json --out result.json
    """
    if list_queries or ctx.invoked_subcommand is None:
        if not QUERIES:
            click.echo("No queries are registered.")
        for name, registered in QUERIES.items():
            click.echo(f"{name:<22} {registered.summary}")


# -- Neo4j ------------------------------------------------------------------------------

BOLT_OPTIONS = [
    click.Option(["--uri"], required=True, help="The server: bolt://host:7687 or neo4j://..."),
    click.Option(["--user"], default="neo4j", show_default=True, help="The database user."),
    click.Option(["--database"], help="The database (default: the server's default)."),
]


@cli.group(context_settings=CONTEXT_SETTINGS)
def neo4j() -> None:
    """Push the workspace to Neo4j, and run queries' Cypher twins there.

    The password comes from $NEO4J_PASSWORD and is never echoed or logged.

    \b
    Example:
      export NEO4J_PASSWORD=...
      civicgraph neo4j push --uri bolt://localhost:7687
      civicgraph neo4j query funders --uri bolt://localhost:7687 --format csv
    """


def _push(
    state: _State, uri: str, user: str, database: str | None, batch_size: int, output_format: str
) -> None:
    from .graph.neo4j import push_to_neo4j

    on_terminal = sys.stderr.isatty()

    def progress(step: str, done: int, total: int) -> None:
        click.echo(f"\r  {done:,} of {total:,} rows ({step})".ljust(70), nl=False, err=True)

    with state.workspace() as workspace:
        result = push_to_neo4j(
            workspace, uri=uri, user=user, database=database, batch_size=batch_size,
            progress=progress if on_terminal else None,
        )  # fmt: skip
    if on_terminal:
        click.echo(err=True)
    if output_format == "json":
        click.echo(_dumps(vars(result)))
        return
    click.echo(f"Pushed to {uri} ({result.server}) in {result.seconds:.1f} s, push {result.push}:")
    click.echo("  nodes: " + ", ".join(f"{k} {v:,}" for k, v in result.nodes.items()))
    click.echo(
        "  relationships: " + ", ".join(f"{k} {v:,}" for k, v in result.relationships.items())
    )
    click.echo(
        f"  batches written {result.batches_written}, already done {result.batches_skipped}; "
        f"removed {result.removed_nodes} nodes and {result.removed_relationships} relationships "
        "this workspace no longer has"
    )


neo4j.add_command(
    click.Command(
        "push",
        callback=click.pass_obj(_push),
        params=[
            *BOLT_OPTIONS,
            click.Option(
                ["--batch-size"],
                type=click.IntRange(min=1),
                default=5000,
                show_default=True,
                help="Rows per transaction.",
            ),
            click.Option(
                ["--format", "output_format"],
                type=click.Choice(["table", "json"]),
                default="table",
                show_default=True,
                help="How to print the result.",
            ),
        ],
        help="Write the workspace's graph into Neo4j: idempotent, resumable, removing only "
        "what this workspace pushed before and no longer has.\n\n\b\nExample:\n"
        "  NEO4J_PASSWORD=... civicgraph neo4j push --uri bolt://localhost:7687 --batch-size 10000",
        short_help="Write the workspace's graph into Neo4j.",
        context_settings=CONTEXT_SETTINGS,
    )
)


class _TwinGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        from .queries.twins import TWINS

        return list(TWINS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from .queries.twins import TWINS

        if cmd_name not in TWINS or cmd_name not in QUERIES:
            return None
        return _twin_command(QUERIES[cmd_name])


def _twin_command(query: Query) -> click.Command:
    def command(
        state: _State,
        uri: str,
        user: str,
        database: str | None,
        output_format: str,
        out: str | None,
        **params: Any,
    ) -> None:
        from .queries.twins import run_twin

        with state.workspace() as workspace:
            workspace_id = workspace.workspace_id()
        frame = run_twin(
            query.name, uri=uri, user=user, password=None, database=database,
            workspace_id=workspace_id, **params,
        )  # fmt: skip
        _emit(format_frame(frame, output_format), out, len(frame))

    base = _query_command(query)
    return click.Command(
        query.name,
        callback=click.pass_obj(command),
        params=[*BOLT_OPTIONS, *base.params],
        help=(base.help or "").split("\n\n\b\nExample:")[0]
        + f"\n\n\b\nExample:\n  civicgraph neo4j query {query.name} --uri bolt://localhost:7687",
        short_help=query.summary,
        context_settings=CONTEXT_SETTINGS,
    )


@neo4j.group(name="query", cls=_TwinGroup, context_settings=CONTEXT_SETTINGS)
def neo4j_query() -> None:
    """Run a query's Cypher twin on the Neo4j this workspace pushed to.

    \b
    Example:
      civicgraph neo4j query funding-dependency --uri bolt://localhost:7687 --format json
    """


@cli.group(context_settings=CONTEXT_SETTINGS)
def export() -> None:
    """Write the workspace's graph in other tools' formats: RDF, Gephi, Kumu, Neo4j.

    \b
    Example:
      civicgraph export rdf --format turtle --out town.ttl
      civicgraph export graphml --out town.graphml
      civicgraph export neo4j-csv --out neo4j-import/
    """


@export.command(name="neo4j-csv", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--out", type=click.Path(file_okay=False), required=True, help="Folder to write into."
)
@click.pass_obj
def export_neo4j_csv(state: _State, out: str) -> None:
    """Write the CSV files 'neo4j-admin database import' takes, and import.sh to run it.

    For first loads of very large graphs into an empty database; use
    'civicgraph neo4j push' to keep a database up to date.

    \b
    Example:
      civicgraph export neo4j-csv --out neo4j-import/ && sh neo4j-import/import.sh neo4j
    """
    from .graph.neo4j import write_neo4j_csv

    with state.workspace() as workspace:
        written = write_neo4j_csv(workspace, out)
    for path in written:
        click.echo(str(path))


def _emit(text: str, out: str | None, rows: int) -> None:
    if out:
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"{rows} rows written to {out}", err=True)
    else:
        click.echo(text.rstrip("\n"))  # CSV ends with its own newline; echo adds one


# -- making data ------------------------------------------------------------------


@cli.command(name="synth", context_settings=CONTEXT_SETTINGS)
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
    type=click.Choice(sorted(HSDS_FORMATS)),
    default="hsds-json",
    show_default=True,
    help="The directory's format.",
)
def synth_command(services: int, seed: int, out: str, hsds_format: str) -> None:
    """Write a realistic, reproducible synthetic town's data.

    \b
    Example:
      civicgraph synth --services 10000 --seed 42 --out town/ --format hsds-csv
    """
    for source in synth(out, services=services, seed=seed, hsds_format=hsds_format):
        click.echo(f"{source.kind:<10} {source.path}")


@cli.command(context_settings=CONTEXT_SETTINGS)
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
@FORMAT_OPTION
def demo(out: str, services: int, seed: int, output_format: str) -> None:
    """Synthesise a town, ingest it into a fresh workspace, and show what it made.

    \b
    Example:
      civicgraph demo --out demo-out
    """
    result = demo_module.run_demo(out, services=services, seed=seed)
    if output_format == "json":
        click.echo(_dumps(demo_module.summary(result)))
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


# -- linked data and network files ---------------------------------------------------


@export.command(name="rdf", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "rdf_format",
    type=click.Choice(list(RDF_FORMATS)),
    default="turtle",
    show_default=True,
    help="The RDF syntax: Turtle, N-Triples, JSON-LD (compact, with the published context) "
    "or RDF/XML.",
)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The file to write.")
@click.option(
    "--base-iri",
    envvar="CIVICGRAPH_BASE_IRI",
    help="The base of node IRIs (default: $CIVICGRAPH_BASE_IRI or https://w3id.org/civicgraph/id/).",
)
@click.pass_obj
def export_rdf_command(state: _State, rdf_format: str, out: str, base_iri: str | None) -> None:
    """Write the graph as RDF with stable IRIs, PROV-O provenance and a VoID/DCAT description.

    The same workspace gives the same file on every export. The vocabulary is
    the civicgraph ontology (ontology/civicgraph.ttl), aligned to schema.org,
    W3C ORG, SKOS, PROV-O, GeoSPARQL and CPSV-AP; check a file with
    'civicgraph validate-rdf'.

    \b
    Example:
      civicgraph export rdf --format turtle --out town.ttl
      civicgraph export rdf --format jsonld --out town.jsonld --base-iri https://data.example.gov.uk/id/
    """
    with state.workspace() as workspace:
        count = export_rdf(workspace, out, format=rdf_format, base_iri=base_iri)
    click.echo(f"{count:,} triples written to {out}", err=True)


def _network_command(name: str) -> click.Command:
    network_format = NETWORK_FORMATS[name]
    examples = {
        "graphml": "civicgraph export graphml --out town.graphml",
        "gexf": "civicgraph export gexf --out town.gexf",
        "csv": "civicgraph export csv --out kumu/",
    }
    summaries = {
        "graphml": "Write the graph as GraphML (typed attributes), for Gephi, yEd or igraph.",
        "gexf": "Write the graph as GEXF 1.2 (typed attributes), for Gephi.",
        "csv": "Write Kumu's import layout: elements.csv and connections.csv in a folder.",
    }

    def command(state: _State, out: str) -> None:
        with state.workspace() as workspace:
            path = export_network(workspace, out, format=name)
        click.echo(f"written to {path}", err=True)

    return click.Command(
        name,
        callback=click.pass_obj(command),
        params=[
            click.Option(
                ["--out"], type=click.Path(), required=True, help=f"Where: {network_format.out}."
            )
        ],
        help=f"{summaries[name]}\n\n\b\nExample:\n  {examples[name]}",
        short_help=summaries[name],
        context_settings=CONTEXT_SETTINGS,
    )


for _network_format in NETWORK_FORMATS:
    export.add_command(_network_command(_network_format))


@cli.command(name="validate-rdf", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--syntax", help="The rdflib parser (turtle, nt, json-ld, xml) if the suffix does not tell."
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning"]),
    default="violation",
    show_default=True,
    help="Exit 1 on violations only, or on warnings too.",
)
@click.option("--examples", type=int, default=3, show_default=True, help="Examples per rule.")
@FORMAT_OPTION
def validate_rdf_command(
    file: str, syntax: str | None, fail_on: str, examples: int, output_format: str
) -> None:
    """Check an RDF file against civicgraph's SHACL shapes and list what fails, rule by rule.

    Each result names its focus node, path, message and rule. Violations make
    the file invalid (exit 1); warnings (a service with no provider) are what
    real directories are like, reported but passed unless --fail-on warning.

    \b
    Example:
      civicgraph validate-rdf town.ttl
      civicgraph validate-rdf town.jsonld --fail-on warning --format json
    """
    from .graph.shacl import validate_rdf  # pyshacl is slow to import: only when asked

    report = validate_rdf(file, format=syntax)
    if output_format == "json":
        click.echo(_dumps(report.to_dict()))
    else:
        click.echo("\n".join(report.summary_lines(examples=examples)))
    if not report.conforms("warning" if fail_on == "warning" else "violation"):
        sys.exit(1)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("query_text", metavar="QUERY", required=False)
@click.option(
    "--file",
    "query_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Read the query from a .rq file.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a query variable: <iri>, digits (an integer) or text. Repeatable.",
)
@click.option("--list", "list_queries", is_flag=True, help="List the library queries.")
@click.option("--base-iri", envvar="CIVICGRAPH_BASE_IRI", help="The base of node IRIs.")
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
def sparql(
    state: _State,
    query_text: str | None,
    query_file: str | None,
    params: tuple[str, ...],
    list_queries: bool,
    base_iri: str | None,
    output_format: str,
    out: str | None,
) -> None:
    """Run SPARQL over the workspace's RDF view; QUERY is query text or a library query's name.

    The prefixes cg:, schema:, org:, skos:, prov:, geo:, geosparql:, dct:, dcat:
    and void: are declared for you.

    \b
    Example:
      civicgraph sparql --list
      civicgraph sparql services-per-organisation --format csv
      civicgraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s a cg:Service }'
      civicgraph sparql --file my-query.rq --param funder=<https://w3id.org/civicgraph/id/organization/GB-CHC-1>
    """
    library = sparql_library()
    if list_queries:
        for name, entry in library.items():
            click.echo(f"{name:<28} {entry.summary}")
        return
    if bool(query_text) == bool(query_file):
        raise click.UsageError("give either QUERY or --file (see --list for the library).")
    text = Path(query_file).read_text(encoding="utf-8") if query_file else str(query_text)
    bindings = {}
    for param in params:
        name, sep, value = param.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--param '{param}' is not NAME=VALUE.")
        bindings[name.lstrip("?$")] = value
    with state.workspace() as workspace:
        frame = run_sparql(workspace, text, params=bindings, base_iri=base_iri)
    _emit(format_frame(frame, output_format), out, len(frame))


# -- pictures and reports -------------------------------------------------------------


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--view",
    type=click.Choice(VIEWS),
    default="network",
    show_default=True,
    help="The whole network, one node's neighbourhood (ego), one area, or a query's result.",
)
@click.option("--focus", help="The ego view's centre: a node id (or a unique name).")
@click.option(
    "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Ego view's reach."
)
@click.option("--area", help="The area view's GSS code, e.g. E01000001.")
@click.option(
    "--color",
    type=click.Choice(COLOR_BY),
    help="Colour nodes by type, sector or silo group (default: the view's own).",
)
@click.option(
    "--size",
    type=click.Choice(MEASURES),
    default="degree",
    show_default=True,
    help="Size nodes by degree, betweenness or funding received.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="How many suggested partnerships the partnerships view draws.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_NODES,
    show_default=True,
    help="Above this, fold services into organisations and places into areas.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="The layout's random seed.")
@click.option(
    "--out", type=click.Path(dir_okay=False), required=True, help="The HTML file to write."
)
@click.pass_obj
def viz(
    state: _State,
    view: str,
    focus: str | None,
    depth: int,
    area: str | None,
    color: str | None,
    size: str,
    limit: int,
    max_nodes: int,
    seed: int,
    out: str,
) -> None:
    """Write one view of the graph as a self-contained HTML page that works offline.

    The layout is computed before the page is written and frozen (tick Physics
    on the page to let nodes move). The page has a search box, a legend,
    filters by type, sector and area beside the picture, and tooltips with
    each node's key facts and sources.

    \b
    Example:
      civicgraph viz --out network.html
      civicgraph viz --view ego --focus GB-CHC-1234567 --depth 2 --out ego.html
      civicgraph viz --view silos --out silos.html
      civicgraph viz --view partnerships --limit 30 --size betweenness --out partners.html
    """
    with state.workspace() as workspace:
        graph = workspace.graph()
    result = write_view(
        graph,
        out,
        view=view,
        focus=focus,
        depth=depth,
        area=area,
        limit=limit,
        color=color,
        size=size,
        max_nodes=max_nodes,
        seed=seed,
    )
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{result.nodes:,} nodes and {result.edges:,} edges written to {result.path} "
        f"({result.bytes / 1e6:.1f} MB)",
        err=True,
    )


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.option("--area", required=True, help="The area's GSS code, e.g. E01000001.")
@click.option(
    "--out", type=click.Path(file_okay=False), required=True, help="The folder to write into."
)
@click.option("--no-pdf", is_flag=True, help="Do not print a PDF even if Chromium is installed.")
@click.pass_obj
def report(state: _State, area: str, out: str, no_pdf: bool) -> None:
    """Write a printable report on one area: report.html (and report.pdf), pictures, network.html.

    Sections: the area and its IMD, its social infrastructure index against
    its IMD, its gaps, services by sector, silo groups, suggested
    partnerships and dependence on single funders, with tables beside
    network pictures and charts. The PDF is printed by a headless Chromium
    when one is installed.

    \b
    Example:
      civicgraph report --area E01000001 --out report-E01000001/
    """
    with state.workspace() as workspace:
        graph = workspace.graph()
    result = write_area_report(graph, area, out, pdf=not no_pdf)
    click.echo(f"report written to {result.html}", err=True)
    if result.pdf:
        click.echo(f"PDF written to {result.pdf}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)


# -- entry point --------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI: friendly errors and exit codes, tracebacks only with ``--debug``."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="civicgraph", standalone_mode=False)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except CivicGraphError as error:
        if debug:
            traceback.print_exc()
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (| head); nothing to say
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing was written by an unfinished ingest.", err=True)
        sys.exit(130)
    except Exception as error:
        if debug:
            traceback.print_exc()
        click.echo(
            f"Internal error: {type(error).__name__}: {error}. Run again with --debug for the "
            "traceback, and please report it.",
            err=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)
