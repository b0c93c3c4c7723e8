"""The root ``civicgraph`` command, its lazily loaded commands, and the entry point.

Each command lives in the module of its group (``cli/ingest.py``, ``cli/query.py``...)
and is imported only when it runs or its help is asked for, so that
``civicgraph --help`` and ``--version`` start quickly. Errors civicgraph raises on
purpose print as one message (file, place, problem, fix) with exit code 1 (bad
data) or 2 (bad usage); anything else is an internal error (exit 3). ``--debug``
shows tracebacks.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import traceback
from collections.abc import Sequence

import click

from .._interrupt import (
    ABORTED_EXIT,
    abort_now,
    aborted_message,
    aborting,
    deferred,
    exit_aborted,
    forget_saved,
    interrupt,
    was_interrupted,
)
from .._secrets import mask_credentials
from .._version import __version__
from ..errors import CivicGraphError
from ._common import CONTEXT_SETTINGS, State

__all__ = ["COMMANDS", "cli", "main"]

INTERNAL_ERROR_EXIT = 3

COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": (
        "make",
        "demo",
        "Synthesise a town, ingest it into a fresh workspace, and show what it made.",
    ),
    "ingest": ("ingest", "ingest", "Ingest a source into the workspace, as one new snapshot."),
    "validate": ("ingest", "validate", "Run every check an ingest would, and write nothing."),
    "sources": (
        "workspace",
        "sources",
        "List the workspace's sources, their snapshots and per-table counts.",
    ),
    "stats": ("workspace", "stats", "Count the graph's nodes and edges by type."),
    "resolve": (
        "workspace",
        "resolve",
        "Show which records are one organisation or building, why, and what is left to decide.",
    ),
    "scope": (
        "scope",
        "scope",
        "Keep the study area that place-based answers are computed within.",
    ),
    "query": (
        "query",
        "query",
        "Run a named analysis of the graph and print its rows (each with its evidence, 'why').",
    ),
    "viz": (
        "pictures",
        "viz",
        "Write one view of the graph as a self-contained HTML page that works offline.",
    ),
    "report": (
        "pictures",
        "report",
        "Write a printable report on one area: HTML, PDF, pictures and its network page.",
    ),
    "export": (
        "export",
        "export",
        "Write the workspace's graph in other tools' formats: RDF, Gephi, Kumu, Neo4j.",
    ),
    "validate-rdf": (
        "linked_data",
        "validate_rdf",
        "Check an RDF file against civicgraph's SHACL shapes and list what fails, rule by rule.",
    ),
    "sparql": (
        "linked_data",
        "sparql",
        "Run SPARQL over the workspace's RDF view; QUERY is query text or a library query's name.",
    ),
    "neo4j": (
        "neo4j",
        "neo4j",
        "Push the workspace to Neo4j, and run queries' Cypher twins there.",
    ),
    "synth": ("make", "synth", "Write a realistic, reproducible synthetic town's data."),
}
"""Each command's module in this package, its attribute there, and its one-line help."""


class _LazyGroup(click.Group):
    """A group whose commands are imported from their modules only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        # Imported with Ctrl-C held back (it takes effect right after): an import cut
        # half-way leaves modules half made, and orjson's dies of it (see ``deferred``).
        with deferred():
            import orjson  # noqa: F401 - first imported here, whole, by every command

            command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The one-line help from the table: listing commands imports none of them.
        rows = [(name, summary) for name, (_, _, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings=CONTEXT_SETTINGS)
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
    ctx.obj = State(db=db or os.environ.get("CIVICGRAPH_DB") or "civicgraph.db", debug=debug)


def _leaf_params(args: Sequence[str]) -> list[click.Parameter]:
    """The parameters of the command ``args`` name, and of the groups above it.

    Parsed again, resiliently (no callbacks, no errors), only when an error
    needs a parameter's option name.
    """
    params: list[click.Parameter] = []
    try:
        ctx = cli.make_context("civicgraph", list(args), resilient_parsing=True)
        command: click.Command = cli
        params.extend(command.params)
        while isinstance(command, click.Group):
            rest = [*ctx._protected_args, *ctx.args]
            if not rest:
                break
            _, found, rest = command.resolve_command(ctx, rest)
            if found is None:
                break
            ctx = found.make_context(found.name, rest, parent=ctx, resilient_parsing=True)
            command = found
            params.extend(command.params)
    except (click.ClickException, click.exceptions.Exit):
        pass
    return params


def _for_command_line(error: CivicGraphError, args: Sequence[str]) -> CivicGraphError:
    """The error in the command line's words: ``distance_km`` becomes ``--distance-km``."""
    if not error.params:
        return error
    options: dict[str, str] = {}
    for param in _leaf_params(args):  # the command's own last, so they win
        if param.name in error.params:
            if isinstance(param, click.Option):
                options[param.name] = max(param.opts, key=len)
            elif isinstance(param, click.Argument):
                options[param.name] = param.human_readable_name
    return error.for_options(options)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI: friendly errors and exit codes, tracebacks only with ``--debug``."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    early = signal.getsignal(signal.SIGINT) is abort_now
    if early:
        signal.signal(signal.SIGINT, interrupt)
    if hasattr(signal, "SIGXFSZ"):
        # Past a file size limit (ulimit -f) writes then fail with EFBIG, which is
        # reported, instead of the process being killed.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        _run(args, debug)
    except SystemExit as exit_:
        if early and exit_.code == ABORTED_EXIT:
            exit_aborted()  # the command process: 130 exactly, whatever Python noted
        raise
    finally:
        if early and signal.getsignal(signal.SIGINT) is interrupt:
            # The command has done its work; a Ctrl-C while the process exits changes nothing.
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(args: list[str], debug: bool) -> None:
    forget_saved()
    try:
        cli.main(args=args, prog_name="civicgraph", standalone_mode=False)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort as error:
        interrupted = isinstance(error.__cause__, KeyboardInterrupt) or was_interrupted()
        if interrupted:
            aborting()
        click.echo(aborted_message() if interrupted else "Aborted.", err=True)
        sys.exit(ABORTED_EXIT if interrupted else 1)
    except CivicGraphError as error:
        if debug:
            traceback.print_exc()
        click.echo(f"Error: {mask_credentials(str(_for_command_line(error, args)))}", err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (| head); nothing to say
        sys.exit(0)
    except KeyboardInterrupt:
        aborting()
        click.echo(aborted_message(), err=True)
        sys.exit(ABORTED_EXIT)
    except Exception as error:
        if debug:
            traceback.print_exc()
        if was_interrupted():  # Ctrl-C, which Python turned into another error on its way
            aborting()
            click.echo(aborted_message(), err=True)
            sys.exit(ABORTED_EXIT)
        click.echo(
            f"Internal error: {type(error).__name__}: {mask_credentials(str(error))}. Run again "
            "with --debug for the traceback, and please report it.",
            err=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)
