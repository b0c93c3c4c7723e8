"""``civicgraph export rdf|graphml|gexf|kumu|csv|neo4j-csv``: the graph in other tools' formats."""

from __future__ import annotations

import click

from ..graph.netfiles import NETWORK_FORMATS, export_network
from ..graph.rdf import RDF_FORMATS, export_rdf
from ._common import (
    CONTEXT_SETTINGS,
    Choice,
    State,
    as_of_option,
    as_of_param,
    echo_as_of,
    scoped_nodes,
    step_progress,
    within_option,
    within_param,
)

__all__ = ["export"]

_WITHIN_LIKE_GEXF = (
    "Write only this place (as 'export gexf --within'): a GSS code or name of a region, local "
    "authority, ward, MSOA or LSOA; repeat for several. Default: the whole graph."
)


@click.group(context_settings=CONTEXT_SETTINGS)
def export() -> None:
    """Write the workspace's graph in other tools' formats: RDF, Gephi, Kumu, Neo4j.

    \b
    Example:
      civicgraph export rdf --format turtle --out town.ttl
      civicgraph export gexf --out town.gexf
      civicgraph export kumu --out town-kumu.xlsx
      civicgraph export neo4j-csv --out neo4j-import/
    """


@export.command(name="neo4j-csv", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--out", type=click.Path(file_okay=False), required=True, help="Folder to write into."
)
@within_option(_WITHIN_LIKE_GEXF)
@as_of_option()
@click.pass_obj
def export_neo4j_csv(state: State, out: str, within: tuple[str, ...], as_of: str | None) -> None:
    """Write the CSV files 'neo4j-admin database import' takes, and import.sh to run it.

    For first loads of very large graphs into an empty database; use
    'civicgraph neo4j push' to keep a database up to date. --within AREA writes only
    what is placed there (as 'export gexf --within').

    \b
    Example:
      civicgraph export neo4j-csv --out neo4j-import/ && sh neo4j-import/import.sh neo4j
    """
    from ..graph.neo4j import write_neo4j_csv

    with state.workspace(as_of=as_of) as workspace:
        nodes = scoped_nodes(workspace, within)
        written = write_neo4j_csv(workspace, out, nodes=nodes)
        echo_as_of(workspace)
    for path in written:
        click.echo(str(path))


@export.command(name="rdf", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "rdf_format",
    type=Choice(list(RDF_FORMATS)),
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
@within_option(_WITHIN_LIKE_GEXF)
@as_of_option()
@click.pass_obj
def export_rdf_command(
    state: State,
    rdf_format: str,
    out: str,
    base_iri: str | None,
    within: tuple[str, ...],
    as_of: str | None,
) -> None:
    """Write the graph as RDF with stable IRIs, PROV-O provenance and a VoID/DCAT description.

    --within AREA writes only what is placed there (as 'export gexf --within') and the
    links among it, with the things no longer listed that their last listing placed
    there (closed, with the reason); without it, the whole graph.

    The same workspace gives the same file on every export. The vocabulary is
    the civicgraph ontology (ontology/civicgraph.ttl), aligned to schema.org,
    W3C ORG, SKOS, PROV-O, GeoSPARQL and CPSV-AP; check a file with
    'civicgraph validate-rdf'.

    \b
    Example:
      civicgraph export rdf --format turtle --out town.ttl
      civicgraph export rdf --format jsonld --out town.jsonld --base-iri https://data.example.gov.uk/id/
    """
    with state.workspace(as_of=as_of) as workspace:
        nodes = scoped_nodes(workspace, within)
        progress = step_progress()
        count = export_rdf(
            workspace, out, format=rdf_format, base_iri=base_iri, nodes=nodes, progress=progress
        )
        echo_as_of(workspace)
    click.echo(f"{count:,} triples written to {out}", err=True)


def _network_command(name: str) -> click.Command:
    network_format = NETWORK_FORMATS[name]
    examples = {
        "graphml": "civicgraph export graphml --out town.graphml",
        "gexf": "civicgraph export gexf --out town.gexf",
        "kumu": "civicgraph export kumu --out town-kumu.xlsx",
        "csv": "civicgraph export csv --out kumu/",
    }
    summaries = {
        "graphml": "Write the graph as GraphML (typed attributes), for Gephi, yEd or igraph.",
        "gexf": "Write the graph as GEXF 1.3 (typed attributes), for Gephi.",
        "kumu": "Write Kumu's import: one workbook (Elements, Connections) or a folder of CSV.",
        "csv": "Write Kumu's import layout: elements.csv and connections.csv in a folder.",
    }
    details = (
        "Nodes carry the analysis fields people colour by: sector, silo_group (as 'query "
        "silos'), betweenness (as 'query brokers'), si_score and si_rank (as 'query "
        "si-index', areas), and prevention_level where the graph has one; --no-analysis "
        "leaves them out (faster on national data)."
    )

    scoping = (
        "--within AREA (repeatable) writes only that place: its areas, the locations in them, "
        "the services at those locations or serving those areas, the activities there, the "
        "grants benefiting the areas, the organisations that provide, operate, run or receive "
        "them, and the edges among these (the analysis fields are still computed on the whole "
        "graph). Without --within: the whole graph (not the workspace's stored scope)."
    )

    def command(
        state: State,
        out: str,
        analysis: bool,
        seed: int,
        within: tuple[str, ...],
        as_of: str | None,
    ) -> None:
        with state.workspace(as_of=as_of) as workspace:
            graph = workspace.graph()
            echo_as_of(workspace)
            nodes = scoped_nodes(workspace, within, graph=graph)
            if nodes is None:
                click.echo("note: the whole graph (no --within)", err=True)
            progress = step_progress()
            path = export_network(
                graph,
                out,
                format=name,
                nodes=nodes,
                analysis=analysis,
                seed=seed,
                progress=progress,
            )
        click.echo(f"written to {path}", err=True)

    return click.Command(
        name,
        callback=click.pass_obj(command),
        params=[
            click.Option(
                ["--out"], type=click.Path(), required=True, help=f"Where: {network_format.out}."
            ),
            click.Option(
                ["--analysis/--no-analysis"],
                default=True,
                show_default=True,
                help="Add the analysis fields to the nodes.",
            ),
            click.Option(
                ["--seed"],
                type=int,
                default=1,
                show_default=True,
                help="The random seed of the silo groups, as in the queries.",
            ),
            within_param(
                "Write only this place: a GSS code or name of a region, local authority, "
                "ward, MSOA or LSOA; repeat for several. Default: the whole graph."
            ),
            as_of_param(),
        ],
        help=f"{summaries[name]}\n\n{details}\n\n{scoping}\n\n\b\nExample:\n  {examples[name]}",
        short_help=summaries[name],
        context_settings=CONTEXT_SETTINGS,
    )


for _network_format in NETWORK_FORMATS:
    export.add_command(_network_command(_network_format))
