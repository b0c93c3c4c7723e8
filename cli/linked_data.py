"""``civicgraph validate-rdf`` and ``civicgraph sparql``: for linked-data consumers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ._common import (
    CONTEXT_SETTINGS,
    Choice,
    State,
    emit_json,
    emit_rows,
    listing_about,
    output_options,
    resolve_format,
    step_progress,
    write_output,
)

__all__ = ["sparql", "validate_rdf"]


@click.command(name="validate-rdf", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--syntax", help="The rdflib parser (turtle, nt, json-ld, xml) if the suffix does not tell."
)
@click.option(
    "--fail-on",
    type=Choice(["violation", "warning"]),
    default="violation",
    show_default=True,
    help="Exit 1 on violations only, or on warnings too.",
)
@click.option(
    "--examples", type=int, default=3, show_default=True, help="Examples per rule (table)."
)
@output_options()
def validate_rdf(
    file: str,
    syntax: str | None,
    fail_on: str,
    examples: int,
    output_format: str | None,
    out: str | None,
    bom: bool,
    limit: int | None,
) -> None:
    """Check an RDF file against civicgraph's SHACL shapes and list what fails, rule by rule.

    Each result names its focus node, path, message and rule. Violations make
    the file invalid (exit 1); warnings (a service with no provider) are what
    real directories are like, reported but passed unless --fail-on warning.
    The table groups results by rule; csv, xlsx and md list every result, one a row.

    \b
    Example:
      civicgraph validate-rdf town.ttl
      civicgraph validate-rdf town.jsonld --fail-on warning --format json
      civicgraph validate-rdf town.ttl --out results.xlsx
    """
    chosen = resolve_format(output_format, out)
    from ..graph.shacl import validate_rdf as run_validation  # pyshacl is slow to import

    report = run_validation(file, format=syntax, progress=step_progress())
    if chosen == "json":
        emit_json(report.to_dict(), out)
    elif chosen == "table":
        text = "\n".join(report.summary_lines(examples=examples)) + "\n"
        write_output(text.encode("utf-8"), out, what="the summary")
    else:
        import pandas as pd

        columns = ["severity", "focus_node", "path", "value", "message", "shape"]
        rows = pd.DataFrame([r.__dict__ for r in report.results], columns=columns)
        emit_rows(rows[columns], output_format=chosen, out=out, bom=bom, limit=limit)
    if not report.conforms("warning" if fail_on == "warning" else "violation"):
        sys.exit(1)


@click.command(context_settings=CONTEXT_SETTINGS)
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
@output_options()
@click.option(
    "--allow-service",
    is_flag=True,
    help="Run a query with a SERVICE clause (it sends requests to the servers it names); "
    "refused without this.",
)
@click.pass_obj
def sparql(
    state: State,
    query_text: str | None,
    query_file: str | None,
    params: tuple[str, ...],
    list_queries: bool,
    base_iri: str | None,
    output_format: str | None,
    out: str | None,
    bom: bool,
    limit: int | None,
    allow_service: bool,
) -> None:
    """Run SPARQL over the workspace's RDF view; QUERY is query text or a library query's name.

    The prefixes cg:, schema:, org:, skos:, prov:, geo:, geosparql:, dct:, dcat:
    and void: are declared for you. json gives {"query", "scope", "as_of", "notes",
    "rows"} ("query": "sparql", or "sparql NAME" for a library query).

    \b
    Example:
      civicgraph sparql --list
      civicgraph sparql services-per-organisation --out services.xlsx
      civicgraph sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s a cg:Service }'
      civicgraph sparql --file my-query.rq --param funder=<https://w3id.org/civicgraph/id/organization/GB-CHC-1>
    """
    from ..queries import run_sparql, sparql_library

    resolve_format(output_format, out)  # a contradicting --out fails before any work
    library = sparql_library()
    if list_queries:
        for name, entry in library.items():
            click.echo(f"{name:<28} {entry.summary}")
        return
    if bool(query_text) == bool(query_file):
        raise click.UsageError("give either QUERY or --file (see --list for the library).")
    try:
        text = Path(query_file).read_text(encoding="utf-8") if query_file else str(query_text)
    except (UnicodeDecodeError, OSError) as error:
        raise InputError(
            f"cannot be read as UTF-8 text ({error}).",
            path=query_file,
            fix="save the query as UTF-8 text.",
        ) from error
    bindings = {}
    for param in params:
        name, sep, value = param.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--param '{param}' is not NAME=VALUE.")
        bindings[name.lstrip("?$")] = value
    with state.workspace() as workspace:
        frame = run_sparql(
            workspace, text, params=bindings, base_iri=base_iri, allow_service=allow_service
        )
    about = listing_about(f"sparql {query_text}" if query_text in library else "sparql")
    emit_rows(frame, output_format=output_format, out=out, bom=bom, limit=limit, about=about)
