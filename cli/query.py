"""``civicgraph query NAME``: one command per registered query, its parameters as options."""

from __future__ import annotations

import inspect
from typing import Any

import click

from ..queries import QUERIES, Query, run_query
from ._common import (
    CONTEXT_SETTINGS,
    Choice,
    State,
    answer_about,
    as_of_param,
    echo_as_of,
    emit_rows,
    keep_examples,
    output_params,
    within_param,
)

__all__ = ["query", "query_command"]


class _QueryGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(QUERIES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        query = QUERIES.get(cmd_name)
        return None if query is None else query_command(query)


def query_command(query: Query) -> click.Command:
    own_limit = any(param.name == "limit" for param in query.params)
    own_as_of = any(param.name == "as_of" for param in query.params)

    def command(
        state: State,
        output_format: str | None,
        out: str | None,
        bom: bool,
        limit: int | None = None,
        as_of: str | None = None,
        **params: Any,
    ) -> None:
        if own_limit:
            params["limit"] = limit
        if own_as_of:
            params["as_of"] = as_of  # the query judges its own dates on the same day
        with state.workspace(as_of=as_of) as workspace:
            frame = run_query(query.name, workspace, **params)
            echo_as_of(workspace)
            held = workspace.as_of_described()
        if frame.attrs.get("note"):
            click.echo(frame.attrs["note"], err=True)  # on stderr: the rows stay machine-readable
        emit_rows(
            frame,
            output_format=output_format,
            out=out,
            bom=bom,
            limit=None if own_limit else limit,
            about=answer_about(frame, query=query.name, as_of=as_of, notes=[held]),
        )

    options: list[click.Parameter] = []
    for param in query.params:
        if param.name == "as_of":
            continue  # the shared --as-of below, which also reads the graph as of that day
        if param.name == "within":
            # A query whose default is every row (not the workspace's scope) says so itself.
            own = param.help if "default: every" in (param.help or "").lower() else None
            options.append(within_param(own))
            continue
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
                type=Choice(param.choices) if param.choices else param.type,
                default=param.default,
                multiple=param.multiple,
                show_default=param.default not in (None, ()),
                help=param.help,
            )
        )
    options += [as_of_param(), *output_params(limit=not own_limit)]
    doc = inspect.getdoc(query.function) or query.summary
    example = f"\n\n\b\nExample:\n  civicgraph query {query.name} --out {query.name}.xlsx"
    return click.Command(
        query.name,
        callback=click.pass_obj(command),
        params=options,
        help=keep_examples(doc.split("\n\nParameters")[0])
        + ("" if "\nExample:" in doc else example),
        short_help=query.summary,
        context_settings=CONTEXT_SETTINGS,
    )


@click.group(cls=_QueryGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
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
