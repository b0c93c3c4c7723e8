"""``civicgraph viz`` and ``civicgraph report``: what coordinators look at."""

from __future__ import annotations

import click

from ..viz import COLOR_BY, DEFAULT_MAX_NODES, VIEWS, write_view
from ..viz._layout import MEASURES
from ..viz.map import MAP_LEVELS, write_map
from ..viz.report import write_area_report
from ._common import (
    CONTEXT_SETTINGS,
    Choice,
    State,
    as_of_option,
    echo_as_of,
    step_progress,
    within_option,
)

__all__ = ["report", "viz"]


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--view",
    type=Choice((*VIEWS, "map")),
    default="network",
    show_default=True,
    help="The whole network, one node's neighbourhood (ego), one area, a query's result, "
    "a map of the areas, or what changed since --since.",
)
@click.option("--focus", help="The ego view's centre: a node id (or a unique name).")
@click.option(
    "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Ego view's reach."
)
@click.option("--area", help="The area view's GSS code, e.g. E01000001.")
@click.option(
    "--color",
    type=Choice(COLOR_BY),
    help="Colour nodes by type, sector or silo group (default: the view's own).",
)
@click.option(
    "--size",
    type=Choice(MEASURES),
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
@click.option(
    "--layer",
    default="imd",
    show_default=True,
    help="The map's shading: imd, si-index, gaps:CATEGORY, prevention (share of services "
    "that prevent) or changes (net change in provision since --since).",
)
@click.option(
    "--level",
    type=Choice(MAP_LEVELS),
    default="lsoa",
    show_default=True,
    help="The areas the map draws.",
)
@within_option(
    "The study area (a GSS code or name; repeat for several): the map's areas (default: "
    "the workspace's scope, else where its services are placed), the network view's nodes "
    "placed there and the changes view's changes placed there (default: everything)."
)
@as_of_option()
@click.option(
    "--no-area-pages", is_flag=True, help="The map: do not write each area's network page."
)
@click.option(
    "--since",
    help="The changes view and map layer: compare with this snapshot (number or date); "
    "default each source's last two.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="The layout's random seed.")
@click.option(
    "--out", type=click.Path(dir_okay=False), required=True, help="The HTML file to write."
)
@click.pass_obj
def viz(
    state: State,
    view: str,
    focus: str | None,
    depth: int,
    area: str | None,
    color: str | None,
    size: str,
    limit: int,
    max_nodes: int,
    layer: str,
    level: str,
    within: tuple[str, ...],
    as_of: str | None,
    no_area_pages: bool,
    since: str | None,
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
      civicgraph viz --view map --layer "gaps:Domestic abuse" --level msoa --out map.html
      civicgraph viz --as-of 2015-06-30 --out network-2015.html
      civicgraph viz --view map --layer changes --since 2025-01-01 --out changes-map.html
      civicgraph viz --view changes --since 2025-01-01 --out changes.html
      civicgraph viz --view changes --within E08000025 --out changes-here.html
    """
    with state.workspace(as_of=as_of) as workspace:
        if view == "map":
            graph = workspace.graph()
            echo_as_of(workspace)
            drawn = write_map(
                graph,
                out,
                within=within,
                layer=layer,
                level=level,
                area_pages=not no_area_pages,
                seed=seed,
                workspace=workspace,
                since=since,
            )
        else:
            result = write_view(
                workspace,
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
                since=since,
                within=within,
            )
            echo_as_of(workspace)
    if view == "map":
        for note in drawn.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(
            f"{drawn.areas:,} areas ({drawn.outlined:,} outlined) and {drawn.points:,} points "
            f"written to {drawn.path} ({drawn.bytes / 1e6:.1f} MB), "
            f"{len(drawn.area_pages):,} area pages beside it",
            err=True,
        )
        return
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{result.nodes:,} nodes and {result.edges:,} edges written to {result.path} "
        f"({result.bytes / 1e6:.1f} MB)",
        err=True,
    )


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--area", required=True, help="The area's GSS code, e.g. E01000001.")
@click.option(
    "--out", type=click.Path(file_okay=False), required=True, help="The folder to write into."
)
@click.option("--no-pdf", is_flag=True, help="Do not print a PDF even if Chromium is installed.")
@click.option(
    "--map-layer",
    default="imd",
    show_default=True,
    help="What shades the report's map: imd, si-index, gaps (the area's largest gap; "
    "gaps:CATEGORY for another), prevention or changes (as viz --view map --layer).",
)
@within_option()
@as_of_option()
@click.pass_obj
def report(
    state: State,
    area: str,
    out: str,
    no_pdf: bool,
    map_layer: str,
    within: tuple[str, ...],
    as_of: str | None,
) -> None:
    """Write a printable report on one area: HTML, PDF, pictures and its network page.

    Sections: the area and its deprivation, its social infrastructure index
    ranked among areas of its level in the same authority, its gaps (for a
    larger area, the LSOAs inside it lacking categories), services by sector,
    silo groups, suggested partnerships, dependence on single funders,
    activities and community-controlled assets, with tables beside network
    pictures and charts, and a map of the area shaded by --map-layer. The PDF
    is printed by a headless Chromium when one is installed.

    \b
    Example:
      civicgraph report --area E01000001 --out report-E01000001/
      civicgraph report --area E01000001 --map-layer gaps --out report-E01000001/
    """
    from ..graph.scope import resolve_scope

    with state.workspace(as_of=as_of) as workspace:
        graph = workspace.graph()
        stored = workspace.scope_areas()
        echo_as_of(workspace)
        scope = resolve_scope(graph, within, stored=stored) if within or stored else None
        progress = step_progress()
        try:
            result = write_area_report(
                graph,
                area,
                out,
                pdf=not no_pdf,
                within=scope,
                workspace=workspace,
                map_layer=map_layer,
                progress=progress,
            )
        finally:
            if progress:
                progress.end()
    if result.scope is not None:
        click.echo(f"note: {result.scope.describe()}", err=True)
    click.echo(f"report written to {result.html}", err=True)
    if result.pdf:
        click.echo(f"PDF written to {result.pdf}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
