"""The area report's map: the drawing of ``viz.map`` as a static SVG, with no script.

Private plumbing of ``viz.report``. ``map_data`` gives the projected shapes, colours,
legend and scale; here they become SVG markup with every value escaped, so the map
obeys the report's Content-Security-Policy (nothing runs, nothing loads) and prints in
the PDF as it shows on screen. The areas drawn are the report's comparators (the LSOAs
of its authority) for an LSOA, else the LSOAs inside the area, shaded by IMD decile;
the reported area is outlined.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..graph.scope import Scope
from ._report_html import cell, section
from ._report_sections import ReportContext

__all__ = ["map_section", "report_map"]


def _within(ctx: ReportContext) -> Scope | str | None:
    if ctx.level != "lsoa":
        return ctx.code
    return ctx.comparators.within or ctx.scope


def _edge(mine: bool, colour: str, width: float) -> str:
    return (
        'stroke="#000" stroke-width="2.5"'
        if mine
        else f'stroke="{colour}" stroke-width="{width:g}"'
    )


def report_map(ctx: ReportContext) -> tuple[str, dict[str, Any] | None, str]:
    """(SVG markup, the map document, why there is no map) for the report's area."""
    from .map import map_data

    try:
        data = map_data(ctx.graph, within=_within(ctx), layer="imd", level="lsoa")
    except UsageError as error:
        return "", None, str(error)
    here = ctx.code
    inside = ctx.lookup.area_descendants(here) if ctx.level != "lsoa" else {here}
    shapes: list[str] = []
    for area in data["areas"]:
        title = f"<title>{cell(area['name'])} ({cell(area['code'])}): {cell(area['value'])}</title>"
        mine = area["code"] in inside
        klass = "cg-here" if mine else "cg-area"
        if "path" in area:
            shapes.append(
                f'<path class="{klass}" d="{cell(area["path"])}" fill="{cell(area["color"])}" '
                f'fill-rule="evenodd" {_edge(mine, "#fff", 0.6)}>{title}</path>'
            )
        else:
            x, y, r = area["circle"]
            shapes.append(
                f'<circle class="{klass}" cx="{x}" cy="{y}" r="{r}" '
                f'fill="{cell(area["color"])}" {_edge(mine, "#666", 1)}>{title}</circle>'
            )
    colours = data["pointColors"]
    for point in data["points"]:
        shapes.append(
            f'<circle class="cg-point" cx="{point["x"]}" cy="{point["y"]}" r="2.5" '
            f'fill="{cell(colours.get(point["type"], "#333"))}" stroke="#fff" '
            f'stroke-width="0.5"><title>{cell(point["label"])} ({cell(point["type"])})</title>'
            "</circle>"
        )
    scale = data["scale"]
    y = data["height"] - 14
    bar = (
        f'<line x1="20" y1="{y}" x2="{20 + scale["px"]}" y2="{y}" stroke="#000" '
        f'stroke-width="3"/><text x="20" y="{y - 6}" font-size="14">{cell(scale["km"])} km</text>'
    )
    svg = (
        f'<svg class="map" viewBox="0 0 {data["width"]:g} {data["height"]:g}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{cell(data["title"])}</title>'
        + "".join(shapes)
        + bar
        + "</svg>"
    )
    return svg, data, ""


def map_section(ctx: ReportContext) -> str:
    """The map section: the areas around (or inside) the report's area, and a legend."""
    title = "Map"
    svg, data, why = report_map(ctx)
    if data is None:
        ctx.notes.append(f"map: {why}")
        return section(
            title,
            "No map: the areas have no boundary or centroid here. Boundary GeoJSON or "
            "centroids (civicgraph ingest areas) would fill this section.",
            "",
        )
    legend = "".join(
        f'<li><span class="swatch" style="background:{cell(item["color"])}"></span>'
        f"{cell(item['label'])} ({cell(item['count'])})</li>"
        for item in data["legend"]
        if item["count"]
    )
    points = "".join(
        f'<li><span class="swatch dot" style="background:{cell(colour)}"></span>{cell(kind)}</li>'
        for kind, colour in data["pointColors"].items()
        if any(p["type"] == kind for p in data["points"])
    )
    # map_data's first note is the scope it was given (here the report's own choice of
    # areas, not the user's --within): the report states its scope on page one instead.
    notes = "".join(f"<li>{cell(n)}</li>" for n in data["notes"][1:])
    outlined = "the LSOAs inside it" if ctx.level != "lsoa" else "this area"
    text = (
        f"{data['title']}; {outlined} outlined in black, with services, facilities and "
        f"activities as points ({len(data['points']):,}). The interactive map is "
        "civicgraph viz --view map."
    )
    side = f'<ul class="legend">{legend}{points}</ul><ul class="note">{notes}</ul>'
    return section(title, text, svg, side, css="map-section")
