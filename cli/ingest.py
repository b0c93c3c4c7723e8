"""``civicgraph ingest KIND SOURCE`` (one command per registered ingester) and ``validate``."""

from __future__ import annotations

import sys
from typing import Any

import click

from .._files import write_text
from ..errors import StrictModeError
from ..graph import IngestReport
from ..ingest import INGESTERS, Ingester
from ..ingest import ingest as run_ingest
from ..ingest import validate as run_validate
from ._common import CONTEXT_SETTINGS, Choice, State, dumps, format_option, step_progress

__all__ = ["ingest", "validate"]


def _write_report(report: IngestReport, path: str | None) -> None:
    if path:
        write_text(path, dumps(report.to_dict()))


def _print_report(report: IngestReport, output_format: str) -> None:
    if output_format == "json":
        click.echo(dumps(report.to_dict()))
    else:
        for line in report.summary_lines():
            click.echo(line)


def _ingest_command(ingester: Ingester) -> click.Command:
    def command(
        state: State,
        source: str,
        name: str | None,
        strict: bool,
        report_path: str | None,
        encoding: str | None,
        output_format: str,
        snapshot_date: str | None,
        **options: Any,
    ) -> None:
        progress = step_progress()
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
                    snapshot_date=snapshot_date,
                )
        except StrictModeError as error:
            if progress:
                progress.end()
            if isinstance(error.report, IngestReport):
                _write_report(error.report, report_path)
                for line in error.report.summary_lines():
                    click.echo(line, err=True)
            raise
        finally:
            if progress:
                progress.end()
        _write_report(report, report_path)
        _print_report(report, output_format)

    params: list[click.Parameter] = [
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
            type=Choice(["table", "json"]),
            default="table",
            show_default=True,
            help="How to print the report.",
        ),
        click.Option(
            ["--snapshot-date", "snapshot_date"],
            metavar="YYYY-MM-DD",
            help="The day the data describes, for a file taken earlier (default: today).",
        ),
    ]
    for option in ingester.options:
        flag = f"--{option.name.replace('_', '-')}"
        if option.type is bool:
            params.append(click.Option([flag, option.name], is_flag=True, help=option.help))
            continue
        params.append(
            click.Option(
                [flag, option.name],
                type=option.type,
                default=option.default,
                show_default=True,
                help=option.help,
            )
        )
    return click.Command(
        ingester.name,
        callback=click.pass_obj(command),
        params=params,
        help=f"{ingester.summary}\n\n\b\nExample:\n  {ingester.example}",
        short_help=ingester.summary,
        context_settings=CONTEXT_SETTINGS,
    )


@click.group(context_settings=CONTEXT_SETTINGS)
def ingest() -> None:
    """Ingest a source into the workspace, as one new snapshot.

    One ingest is one transaction: it lands whole or not at all. Re-ingesting
    a source under the same --name replaces its facts and keeps the earlier
    snapshot.

    \b
    Example:
      civicgraph ingest hsds ../shared/data/hsds1_miami_open211 --name miami
    """


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("source")
@click.option(
    "--kind",
    type=Choice(sorted(INGESTERS)),
    default="hsds",
    show_default=True,
    help="Which ingester's checks to run.",
)
@click.option("--name", help="The source name to check references as (default: from SOURCE).")
@click.option("--encoding", help="The text encoding of the files, if not UTF-8.")
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False), help="Write the report as JSON."
)
@format_option()
@click.pass_obj
def validate(
    state: State,
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
    _print_report(report, output_format)
    if report.failing_problems:
        sys.exit(1)


for _ingester in INGESTERS.values():
    ingest.add_command(_ingest_command(_ingester))
