"""The area report's map: the drawing of ``viz.map`` as a static SVG, with no script.

Private plumbing of ``viz.report``. ``map_data`` gives the projected shapes, colours,
legend and scale; here they become SVG markup with every value escaped, so the map
obeys the report's Content-Security-Policy (nothing runs, nothing loads) and prints in
the PDF as it shows on screen. The areas drawn are the report's comparators (the LSOAs
of its authority) for an LSOA, else the LSOAs inside the area, shaded by the layer
chosen (``MAP_LAYERS``: the layers of ``viz --view map``, computed there); the reported
area is outlined, and on every layer but gaps the LSOAs lacking a category (``gaps``)
are marked with a dashed edge.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..graph.scope import Scope
from ._report_html import cell, section
from ._report_sections import ReportContext

__all__ = ["MAP_LAYERS", "check_map_layer", "map_section", "report_map"]

MAP_LAYERS = ("imd", "si-index", "gaps", "gaps:CATEGORY", "prevention", "changes")
"""What can shade the report's map; ``gaps`` is the category of the area's largest gap."""
GAP_EDGE = "#6a3d9a"
"""The dashed edge of an LSOA lacking a category (on every layer but gaps)."""


def check_map_layer(layer: str, workspace: Any) -> str:
    """The layer, checked before any work (lower case); ``UsageError`` names the fix."""
    chosen = layer.strip()
    name = chosen.lower()
    if name.startswith("gaps:") and chosen[5:].strip():
        return "gaps:" + chosen[5:].strip()
    if name not in MAP_LAYERS or name == "gaps:category":
        raise UsageError(
            f"`map_layer` '{layer}' is not one of {', '.join(MAP_LAYERS)}. "
            "Fix: pick one, e.g. imd, gaps or gaps:Food.",
            param="map_layer",
        )
    if name == "changes" and workspace is None:
        raise UsageError(
            "`map_layer` changes compares the workspace's snapshots, and a graph alone has "
            "none. Fix: pass `workspace` (the CLI does), or pick another `map_layer`.",
            param=("map_layer", "workspace"),
        )
    return name


def _layer(ctx: ReportContext) -> tuple[str, str]:
    """The map_data layer for the report's choice, and a note when it had to stand in."""
    if ctx.map_layer != "gaps":
        return ctx.map_layer, ""
    for frame in (ctx.gaps, ctx.lsoa_gaps):
        if not frame.empty:
            top = frame.sort_values(["need", "category"], ascending=[False, True])
            return f"gaps:{top.iloc[0]['category']}", ""
    return "imd", "no LSOA here lacks a category (gaps), so the map shows IMD instead"


def _within(ctx: ReportContext) -> Scope | str | None:
    if ctx.level != "lsoa":
        return ctx.code
    return ctx.comparators.within or ctx.scope


def _edge(mine: bool, gap: bool, colour: str, width: float) -> str:
    if gap:
        edge = "#000" if mine else GAP_EDGE
        return f'stroke="{edge}" stroke-width="2.5" stroke-dasharray="5 3"'
    return (
        'stroke="#000" stroke-width="2.5"'
        if mine
        else f'stroke="{colour}" stroke-width="{width:g}"'
    )


def _gap_areas(ctx: ReportContext, layer: str) -> set[str]:
    """The LSOAs to mark as lacking a category (none on a gaps layer: it shades them)."""
    if layer.startswith("gaps:") or ctx.lsoa_gaps.empty:
        return set()
    return {str(a) for a in ctx.lsoa_gaps["area"]}


def report_map(ctx: ReportContext) -> tuple[str, dict[str, Any] | None, str]:
    """(SVG markup, the map document, why there is no map) for the report's area."""
    from .map import map_data

    layer, stand_in = _layer(ctx)
    try:
        data = map_data(
            ctx.graph, within=_within(ctx), layer=layer, level="lsoa", workspace=ctx.workspace
        )
    except UsageError as error:
        return "", None, str(error)
    if stand_in:
        data["notes"].append(stand_in)
    here = ctx.code
    inside = ctx.lookup.area_descendants(here) if ctx.level != "lsoa" else {here}
    lacking = _gap_areas(ctx, layer)
    data["marked"] = sorted(a["code"] for a in data["areas"] if a["code"] in lacking)
    shapes: list[str] = []
    for area in data["areas"]:
        title = f"<title>{cell(area['name'])} ({cell(area['code'])}): {cell(area['value'])}</title>"
        mine, gap = area["code"] in inside, area["code"] in lacking
        klass = ("cg-here" if mine else "cg-area") + (" cg-gap" if gap else "")
        if "path" in area:
            shapes.append(
                f'<path class="{klass}" d="{cell(area["path"])}" fill="{cell(area["color"])}" '
                f'fill-rule="evenodd" {_edge(mine, gap, "#fff", 0.6)}>{title}</path>'
            )
        else:
            x, y, r = area["circle"]
            shapes.append(
                f'<circle class="{klass}" cx="{x}" cy="{y}" r="{r}" '
                f'fill="{cell(area["color"])}" {_edge(mine, gap, "#666", 1)}>{title}</circle>'
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
        f'<li class="layer-class"><span class="swatch" '
        f'style="background:{cell(item["color"])}"></span>'
        f"{cell(item['label'])} ({cell(item['count'])})</li>"
        for item in data["legend"]
        if item["count"]
    )
    points = "".join(
        f'<li class="point-type"><span class="swatch dot" style="background:{cell(colour)}">'
        f"</span>{cell(kind)} ({sum(p['type'] == kind for p in data['points']):,})</li>"
        for kind, colour in data["pointColors"].items()
        if any(p["type"] == kind for p in data["points"])
    )
    if data["marked"]:
        points += (
            f'<li class="gap-mark"><span class="swatch gap" style="border-color:{GAP_EDGE}">'
            f"</span>dashed edge: LSOA lacking a category within reach (gaps) "
            f"({len(data['marked']):,})</li>"
        )
    # map_data's first note is the scope it was given (here the report's own choice of
    # areas, not the user's --within): the report states its scope on page one instead.
    notes = "".join(f"<li>{cell(n)}</li>" for n in data["notes"][1:])
    outlined = "the LSOAs inside it" if ctx.level != "lsoa" else "this area"
    marked = (
        f", the {len(data['marked']):,} LSOAs lacking a category (gaps) dashed"
        if data["marked"]
        else ""
    )
    text = (
        f"{data['title']}; {outlined} outlined in black{marked}, with services, facilities "
        f"and activities as points ({len(data['points']):,}). Another layer: civicgraph "
        "report --map-layer; the interactive map is civicgraph viz --view map."
    )
    side = f'<ul class="legend">{legend}{points}</ul><ul class="note">{notes}</ul>'
    return section(title, text, svg, side, css="map-section")
