"""What every command shares: the state object, output helpers and option decorators.

Private. Imports only click and the standard library, so that ``civicgraph
--help`` and ``--version`` start without loading pandas, networkx or igraph.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    import pandas as pd

    from ..graph import Graph, Workspace

__all__ = [
    "CONTEXT_SETTINGS",
    "OUTPUT_FORMATS",
    "Choice",
    "State",
    "StepLines",
    "answer_about",
    "as_of_option",
    "as_of_param",
    "dumps",
    "echo_as_of",
    "emit",
    "emit_json",
    "emit_listing",
    "emit_rows",
    "format_frame",
    "format_option",
    "listing_about",
    "out_option",
    "output_options",
    "output_params",
    "resolve_format",
    "scoped_nodes",
    "step_progress",
    "within_option",
    "within_param",
    "write_output",
]

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    """What the root command passes to every command: the workspace path and ``--debug``."""

    db: str
    debug: bool

    def workspace(self, *, as_of: str | None = None) -> Workspace:
        """The workspace, read as it stood on ``as_of`` when given (see :func:`as_of_option`)."""
        from ..graph import Workspace

        return Workspace(self.db, progress=step_progress(), freeze_graph=True, as_of=as_of)


def dumps(data: Any) -> str:
    """Indented JSON text (numpy and non-string keys allowed)."""
    import orjson

    return orjson.dumps(
        data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    ).decode()


class StepLines:
    """Progress of long steps on stderr, ``step: done of total``, one line per step
    rewritten in place; a step ends its line when done reaches total. A total of 0 with
    some done is not known yet: ``step: done so far``. Made by :func:`step_progress`."""

    def __init__(self) -> None:
        self._finished: set[str] = set()
        self._open = False

    def __call__(self, step: str, done: int, total: int) -> None:
        if step in self._finished:
            return  # this step has finished its line
        known = total > 0 or done == 0
        finished = known and done >= total
        shown = f"{done:,} of {total:,}" if known else f"{done:,} so far"
        click.echo(f"\r  {step}: {shown}".ljust(40), nl=finished, err=True)
        self._open = not finished
        if finished:
            self._finished.add(step)

    def end(self) -> None:
        """End a line left part-way (the command failed or stopped): what follows starts
        on a line of its own."""
        if self._open:
            click.echo(err=True)
            self._open = False


def step_progress() -> StepLines | None:
    """:class:`StepLines` on stderr when it is a terminal; None when piped (no progress)."""
    if not sys.stderr.isatty():
        return None
    return StepLines()


OUTPUT_FORMATS = ("table", "csv", "json", "xlsx", "md")
"""Every format rows can be written in (``civicgraph.graph.tables.TABLE_FORMATS``)."""

_BRITISH = (("isation", "ization"), ("colour", "color"), ("centre", "center"))


def _folded(word: str) -> str:
    """A choice as compared: case, ``_``/``-``/spaces and British spellings do not matter."""
    folded = word.strip().casefold().replace("_", "-").replace(" ", "-")
    for british, american in _BRITISH:
        folded = folded.replace(british, american)
    return folded


class Choice(click.Choice):  # type: ignore[type-arg]
    """A choice that ignores case and takes British spellings: ``--kind Organisation``.

    The command receives the canonical spelling (``organization``).
    """

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(list(choices), case_sensitive=False)
        folded = [_folded(str(c)) for c in self.choices]
        if len(set(folded)) != len(folded):
            raise ValueError(f"choices {list(self.choices)} are not distinct once folded")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            wanted = _folded(value)
            for choice in self.choices:
                if _folded(str(choice)) == wanted:
                    return choice
        return super().convert(value, param, ctx)


def format_option(
    choices: tuple[str, ...] = ("table", "json"), *, help: str = "How to print the result."
) -> Callable[[F], F]:
    """``--format`` with these choices (the first is the default), as ``output_format``."""
    return click.option(
        "--format",
        "output_format",
        type=Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


def out_option(*, required: bool = False, help: str = "Write to this file.") -> Callable[[F], F]:
    """``--out FILE``."""
    return click.option("--out", type=click.Path(dir_okay=False), required=required, help=help)


_WITHIN_DECLS = ["--within", "within"]
_WITHIN_ATTRS: dict[str, Any] = {"multiple": True, "metavar": "AREA"}
_WITHIN_HELP = (
    "Answer within this area: a GSS code or name of a region, local authority, ward, "
    "MSOA or LSOA; repeat for several. Default: the workspace's scope (`civicgraph scope "
    "set`), else the local authorities holding its placed services, locations and assets."
)


def within_param(help: str | None = None) -> click.Option:
    """``--within AREA`` (repeatable), as ``within``: the study area of place-based answers
    (``help``: a command's own text, where its default is not the workspace's scope)."""
    return click.Option(list(_WITHIN_DECLS), **{**_WITHIN_ATTRS, "help": help or _WITHIN_HELP})


def within_option(help: str | None = None) -> Callable[[F], F]:
    """:func:`within_param` as a decorator."""
    return click.option(*_WITHIN_DECLS, **{**_WITHIN_ATTRS, "help": help or _WITHIN_HELP})


def scoped_nodes(
    workspace: Workspace, within: tuple[str, ...], *, graph: Graph | None = None
) -> set[str] | None:
    """The nodes an export's ``--within`` keeps, said on stderr; None without ``--within``.

    ``graph``: the workspace's graph, when the command has loaded it already.
    """
    if not within:
        return None
    from ..graph.scope import resolve_scope
    from ..graph.scope import scope_nodes as nodes_in

    if graph is None:
        graph = workspace.graph()
    scope = resolve_scope(graph, within)
    nodes = nodes_in(graph, scope)
    click.echo(f"note: {scope.describe()}; {len(nodes):,} nodes", err=True)
    return nodes


class _Day(click.ParamType):  # type: ignore[type-arg]
    """A day as ``--as-of`` takes it; a bad one is a usage error (exit 2) naming the forms."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ..errors import UsageError
        from ..graph.timeline import AS_OF_FORMS, parse_as_of

        try:
            return parse_as_of(value)
        except UsageError:
            self.fail(f"'{value}' is not a day. Fix: write it as {AS_OF_FORMS}.", param, ctx)


_AS_OF_DECLS = ["--as-of", "as_of"]
_AS_OF_ATTRS: dict[str, Any] = {
    "type": _Day(),
    "default": None,
    "help": "The graph as it stood on this day (YYYY-MM-DD; YYYY-MM or YYYY: its last day): "
    "each source at its last snapshot dated by then (--snapshot-date on ingest, else the "
    "ingest day), without what had ended or not yet begun by its own dates (a grant's award "
    "and planned end, an activity's or tie's start and end). Default: the present.",
}


def as_of_param() -> click.Option:
    """``--as-of DATE``, as ``as_of`` (YYYY-MM-DD text or None): read the graph as it stood then."""
    return click.Option(list(_AS_OF_DECLS), **_AS_OF_ATTRS)


def as_of_option() -> Callable[[F], F]:
    """:func:`as_of_param` as a decorator."""
    return click.option(*_AS_OF_DECLS, **_AS_OF_ATTRS)


def echo_as_of(workspace: Workspace) -> None:
    """Say on stderr what an ``--as-of`` workspace's graph held (nothing for the present)."""
    described = workspace.as_of_described()
    if described:
        click.echo(f"note: {described}", err=True)


def _output_specs(limit: bool, formats: tuple[str, ...]) -> list[tuple[list[str], dict[str, Any]]]:
    specs: list[tuple[list[str], dict[str, Any]]] = [
        (
            ["--format", "output_format"],
            {
                "type": Choice(formats),
                "default": None,
                "help": f"How to write the rows: {', '.join(formats)} (default: from --out's "
                "extension, else table).",
            },
        ),
        (
            ["--out"],
            {
                "type": click.Path(dir_okay=False, allow_dash=True),
                "help": "Write to this file; its extension (.csv, .json, .xlsx, .md, .txt) names "
                "the format. - is standard output.",
            },
        ),
        (
            ["--bom/--no-bom"],
            {
                "default": False,
                "envvar": "CIVICGRAPH_CSV_BOM",
                "show_default": True,
                "help": "Begin CSV with a UTF-8 byte-order mark, as Excel on Windows wants "
                "($CIVICGRAPH_CSV_BOM=1 makes it the default).",
            },
        ),
    ]
    if limit:
        specs.append(
            (
                ["--limit"],
                {
                    "type": click.IntRange(min=0),
                    "default": None,
                    "help": "Write at most this many rows (default: all).",
                },
            )
        )
    return specs


def output_params(
    *, limit: bool = True, formats: tuple[str, ...] = OUTPUT_FORMATS
) -> list[click.Option]:
    """The options of every command that prints rows: ``--format``, ``--out``, ``--bom``
    and (unless the command has its own) ``--limit``; see :func:`emit_rows`."""
    return [click.Option(decls, **attrs) for decls, attrs in _output_specs(limit, formats)]


def output_options(
    *, limit: bool = True, formats: tuple[str, ...] = OUTPUT_FORMATS
) -> Callable[[F], F]:
    """:func:`output_params` as a decorator (``output_format``, ``out``, ``bom``, ``limit``)."""

    def decorate(function: F) -> F:
        for decls, attrs in reversed(_output_specs(limit, formats)):
            function = click.option(*decls, **attrs)(function)
        return function

    return decorate


def resolve_format(output_format: str | None, out: str | None) -> str:
    """The format to write: ``--format``, else what ``--out``'s extension names, else ``table``.

    An extension that contradicts ``--format`` is a usage error (exit 2).
    """
    from ..errors import UsageError
    from ..graph.tables import format_for

    try:
        return format_for(out, output_format)
    except UsageError as error:
        raise click.UsageError(str(error)) from error


def _to_stdout(out: str | None) -> bool:
    return out is None or out == "-"


def write_output(data: bytes, out: str | None, *, what: str) -> None:
    """Write ``data`` to standard output (``out`` unset or ``-``) or to the file ``out``."""
    if _to_stdout(out):
        sys.stdout.flush()
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:  # a text-only stream (some notebooks, test runners)
            sys.stdout.write(data.decode("utf-8", errors="replace"))
        else:
            binary.write(data)
            binary.flush()
        return
    from .._files import write_bytes

    write_bytes(str(out), data)
    click.echo(f"{what} written to {out}", err=True)


def answer_about(
    frame: pd.DataFrame,
    *,
    query: str,
    as_of: str | None = None,
    notes: Sequence[str | None] = (),
) -> dict[str, Any]:
    """What a query's rows are about: the ``about`` of :func:`emit_rows`.

    ``{"query": NAME, "scope": {...} or None, "as_of": DAY or None, "notes": [...]}``:
    the scope is the one the query put in ``frame.attrs`` (areas, names, how they were
    chosen, the lookup vintage, superseded areas, and ``described``: its one line);
    ``None`` for a query that is not place-based. Notes are the given ones (what an
    ``--as-of`` graph held) and the query's own (``frame.attrs["note"]``).
    """
    detail = frame.attrs.get("scope_detail")
    scope = None
    if detail is not None:
        scope = {**detail, "described": frame.attrs.get("scope")}
    said = [*notes, frame.attrs.get("note")]
    return {
        "query": query,
        "scope": scope,
        "as_of": as_of,
        "notes": [note.removeprefix("note: ") for note in said if note],
    }


def listing_about(
    command: str, *, as_of: str | None = None, notes: Sequence[str | None] = ()
) -> dict[str, Any]:
    """What a listing that is not a named query is about (``sources``, ``stats``,
    ``resolve --merges``, ``sparql``): the same keys as :func:`answer_about`, scope None."""
    return {
        "query": command,
        "scope": None,
        "as_of": as_of,
        "notes": [note.removeprefix("note: ") for note in notes if note],
    }


def emit_listing(
    rows: Sequence[Any], out: str | None, *, about: dict[str, Any], **extra: Any
) -> None:
    """Write nested rows as a JSON answer: ``{"query", "scope", "as_of", "notes", "rows"}``
    (and any ``extra`` keys after them), the shape every row-printing command's JSON has."""
    emit_json({**about, "rows": list(rows), **extra}, out)


def emit_rows(
    frame: pd.DataFrame,
    *,
    output_format: str | None,
    out: str | None,
    bom: bool = False,
    limit: int | None = None,
    about: dict[str, Any] | None = None,
) -> None:
    """Write a table of rows as the options asked: the one output path of every command.

    Nothing is cut except in ``table`` on standard output (long values shortened to
    80 characters for reading); ``xlsx`` is a typed workbook; CSV and XLSX
    neutralise formula-like text (see ``civicgraph.graph.tables``).

    ``about`` (a query's answer, from :func:`answer_about`) travels with the rows:
    JSON becomes ``{"query", "scope", "as_of", "notes", "rows"}``, a workbook gets an
    "about" sheet and Markdown a first line; CSV stays rows alone (the scope goes to
    standard error as a note) and a table on the screen starts with the scope line.
    """
    from ..graph.tables import about_table, answer_bytes, table_bytes, write_workbook

    chosen = resolve_format(output_format, out)
    if limit:
        frame = frame.head(limit)
    scope = frame.attrs.get("scope")
    carried = about is not None and chosen in ("json", "xlsx", "md")
    if scope and not carried:
        # CSV keeps its shape (the scope is also in each row's `why`); a table read by a
        # person starts with it.
        if chosen in ("table", "md") and _to_stdout(out):
            sys.stdout.write(f"{scope}\n")
            sys.stdout.flush()
        else:
            click.echo(f"note: {scope}", err=True)
    if chosen == "xlsx":
        if _to_stdout(out) and sys.stdout.isatty():
            raise click.UsageError(
                "xlsx is a binary workbook. Fix: give --out FILE.xlsx (or pipe it to a file)."
            )
        import io

        buffer = io.BytesIO()
        sheets = {"rows": frame}
        if about is not None:
            sheets["about"] = about_table(about)
        result = write_workbook(sheets, buffer)
        write_output(buffer.getvalue(), out, what=f"{len(frame):,} rows")
        for note in result.notes():
            click.echo(f"note: {note}", err=True)
        return
    width = 80 if chosen == "table" and _to_stdout(out) else None
    if about is not None:
        data = answer_bytes(frame, chosen, about=about, bom=bom, max_colwidth=width)
    else:
        data = table_bytes(frame, chosen, bom=bom, max_colwidth=width)
    write_output(data, out, what=f"{len(frame):,} rows")


def emit_json(data: Any, out: str | None) -> None:
    """Write nested data as indented JSON (for outputs that are not one table)."""
    write_output((dumps(data) + "\n").encode("utf-8"), out, what="JSON")


def format_frame(frame: pd.DataFrame, output_format: str) -> str:
    """A table as text: aligned (long values cut at 80 characters), CSV, JSON or Markdown.

    Kept for commands that print text; :func:`emit_rows` is the full path (files, xlsx).
    """
    from ..graph.tables import table_bytes

    if output_format == "xlsx":
        raise click.UsageError("xlsx is a binary workbook. Fix: give --out FILE.xlsx.")
    width = 80 if output_format == "table" else None
    return table_bytes(frame, output_format, max_colwidth=width).decode("utf-8")


def emit(text: str, out: str | None, rows: int) -> None:
    """Print ``text``, or write it to ``out`` (``-``: standard output) and say how many rows."""
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8")
    write_output(data, out, what=f"{rows:,} rows")


def keep_examples(text: str) -> str:
    """Mark a docstring's ``Example:`` paragraphs so that click does not rewrap them."""
    return "\n\n".join(
        f"\b\n{part}" if part.lstrip().startswith("Example") else part
        for part in text.split("\n\n")
    )
