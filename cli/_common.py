"""What every command shares: the state object, output helpers and option decorators.

Private. Imports only click and the standard library, so that ``civicgraph
--help`` and ``--version`` start without loading pandas, networkx or igraph.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    import pandas as pd

    from ..graph import Workspace

__all__ = [
    "CONTEXT_SETTINGS",
    "State",
    "dumps",
    "emit",
    "format_frame",
    "format_option",
    "out_option",
    "progress_counter",
]

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    """What the root command passes to every command: the workspace path and ``--debug``."""

    db: str
    debug: bool

    def workspace(self) -> Workspace:
        from ..graph import Workspace

        return Workspace(self.db)


def dumps(data: Any) -> str:
    """Indented JSON text (numpy and non-string keys allowed)."""
    import orjson

    return orjson.dumps(
        data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    ).decode()


def progress_counter() -> Callable[[int], None] | None:
    """A progress counter on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    seen = [0]

    def tick(n: int) -> None:
        seen[0] += n
        click.echo(f"\r  read {seen[0]:,} records", nl=False, err=True)

    return tick


def format_option(
    choices: tuple[str, ...] = ("table", "json"), *, help: str = "How to print the result."
) -> Callable[[F], F]:
    """``--format`` with these choices (the first is the default), as ``output_format``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def out_option(*, required: bool = False, help: str = "Write to this file.") -> Callable[[F], F]:
    """``--out FILE``."""
    return click.option("--out", type=click.Path(dir_okay=False), required=required, help=help)


def format_frame(frame: pd.DataFrame, output_format: str) -> str:
    """A query's result as text: an aligned table, CSV, or JSON (a list of row objects)."""
    if output_format == "csv":
        return str(frame.to_csv(index=False))
    if output_format == "json":
        return str(frame.to_json(orient="records", force_ascii=False, indent=2))
    if frame.empty:
        return "No rows."
    return str(frame.to_string(index=False, max_colwidth=80))


def emit(text: str, out: str | None, rows: int) -> None:
    """Print ``text``, or write it to ``out`` and say how many rows went there."""
    if out:
        from .._files import write_text  # stdlib only; here to keep this module's imports plain

        write_text(out, text if text.endswith("\n") else text + "\n")
        click.echo(f"{rows} rows written to {out}", err=True)
    else:
        click.echo(text.rstrip("\n"))  # CSV ends with its own newline; echo adds one


def keep_examples(text: str) -> str:
    """Mark a docstring's ``Example:`` paragraphs so that click does not rewrap them."""
    return "\n\n".join(
        f"\b\n{part}" if part.lstrip().startswith("Example") else part
        for part in text.split("\n\n")
    )
