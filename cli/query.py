"""``civicgraph query NAME``: one command per registered query, its parameters as options."""

from __future__ import annotations

import inspect
from typing import Any

import click

from ..queries import QUERIES, Query, run_query
from ._common import CONTEXT_SETTINGS, State, emit, format_frame, keep_examples

__all__ = ["query", "query_command"]


class _QueryGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(QUERIES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        query = QUERIES.get(cmd_name)
        return None if query is None else query_command(query)


def query_command(query: Query) -> click.Command:
    def command(state: State, output_format: str, out: str | None, **params: Any) -> None:
        with state.workspace() as workspace:
            frame = run_query(query.name, workspace, **params)
        emit(format_frame(frame, output_format), out, len(frame))

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
