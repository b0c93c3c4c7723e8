"""``civicgraph neo4j push`` and ``civicgraph neo4j query NAME``: the scale-out backend."""

from __future__ import annotations

from typing import Any

import click

from ..errors import UsageError
from ..queries import QUERIES, Query
from ._common import (
    CONTEXT_SETTINGS,
    Choice,
    State,
    answer_about,
    dumps,
    emit_rows,
    step_progress,
)
from .query import query_command

__all__ = ["neo4j"]

BOLT_OPTIONS = [
    click.Option(["--uri"], required=True, help="The server: bolt://host:7687 or neo4j://..."),
    click.Option(["--user"], default="neo4j", show_default=True, help="The database user."),
    click.Option(["--database"], help="The database (default: the server's default)."),
]


@click.group(context_settings=CONTEXT_SETTINGS)
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
    state: State, uri: str, user: str, database: str | None, batch_size: int, output_format: str
) -> None:
    from ..graph.neo4j import push_to_neo4j

    lines = step_progress()

    def progress(step: str, done: int, total: int) -> None:
        if lines is not None:  # one line for the push's batches: rows of all of them
            lines("rows pushed", done, total)

    with state.workspace() as workspace:
        try:
            result = push_to_neo4j(
                workspace, uri=uri, user=user, database=database, batch_size=batch_size,
                progress=progress if lines is not None else None,
            )  # fmt: skip
        finally:
            if lines is not None:
                lines.end()
    if output_format == "json":
        click.echo(dumps(vars(result)))
        return
    click.echo(f"Pushed to {uri} ({result.server}) in {result.seconds:.1f} s, push {result.push}:")
    click.echo("  nodes: " + ", ".join(f"{k} {v:,}" for k, v in result.nodes.items()))
    click.echo(
        "  relationships: " + ", ".join(f"{k} {v:,}" for k, v in result.relationships.items())
    )
    click.echo("  snapshot history: " + ", ".join(f"{k} {v:,}" for k, v in result.history.items()))
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
                type=Choice(["table", "json"]),
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
        from ..queries.twins import TWINS

        return list(TWINS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from ..queries.twins import TWINS

        if cmd_name not in TWINS or cmd_name not in QUERIES:
            return None
        return _twin_command(QUERIES[cmd_name])


def _twin_command(query: Query) -> click.Command:
    def command(
        state: State,
        uri: str,
        user: str,
        database: str | None,
        output_format: str | None,
        out: str | None,
        bom: bool,
        limit: int | None = None,
        **params: Any,
    ) -> None:
        from ..queries.twins import run_twin

        own_limit = any(param.name == "limit" for param in query.params)
        if own_limit:
            params["limit"] = limit
        as_of = params.pop("as_of", None)
        if any(param.name == "as_of" for param in query.params):
            params["as_of"] = as_of  # the query's own day (as for an asset's listing)
        elif as_of is not None:
            raise UsageError(
                f"the '{query.name}' Cypher twin reads the graph as it was pushed, not as it "
                f"stood on {as_of}. Fix: run 'civicgraph query {query.name} --as-of {as_of}' "
                "on the workspace."
            )

        with state.workspace() as workspace:
            workspace_id = workspace.workspace_id()
        frame = run_twin(
            query.name, uri=uri, user=user, password=None, database=database,
            workspace_id=workspace_id, **params,
        )  # fmt: skip
        emit_rows(
            frame,
            output_format=output_format,
            out=out,
            bom=bom,
            limit=None if own_limit else limit,
            about=answer_about(frame, query=query.name, as_of=params.get("as_of")),
        )

    base = query_command(query)
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
