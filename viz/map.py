"""The map page: a place's areas shaded by a layer, its provision as points, all offline.

No tile server and no network: the area boundaries kept by ``civicgraph ingest areas``
(GeoJSON) are simplified, projected and drawn as SVG paths; areas without a boundary
are drawn as circles at their centroids, and the page says how many. Each area's
tooltip gives its figures and the layer's evidence (``why``); a click shows them beside
the map with a link to the area's own network page, written next to the map.

Safety is the network pages' (see ``page.py``): the data travels as one escaped JSON
document, the page's script builds every element with ``textContent`` and SVG DOM
calls, and the same strict Content-Security-Policy allows only the inlined script.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import write_text
from ..errors import UsageError
from ..graph import Graph, Workspace
from ..graph.scope import Scope, resolve_scope
from ..ontology import EdgeType, NodeType
from ..queries._places import area_level_of, number
from ._layout import layout
from ._map_layers import changes_layer, prevention_layer
from .page import _asset, _script_hash, json_for_html, write_page
from .views import _area, _Context, _within_limit

__all__ = ["LAYERS", "MAP_LEVELS", "MapResult", "map_data", "write_map"]

LAYERS = ("imd", "si-index", "gaps:CATEGORY", "prevention", "changes")
MAP_LEVELS = ("lsoa", "msoa", "ward")
AREA_PAGES = 300
"""At most this many area network pages are written beside a map."""

_WIDTH, _HEIGHT = 1000.0, 760.0
_KM_PER_DEGREE = 111.32
# Deprivation and scarcity in warm colours, plenty in cool ones (ColorBrewer RdYlBu).
_DECILES = (
    "#a50026", "#d73027", "#f46d43", "#fdae61", "#fee090",
    "#e0f3f8", "#abd9e9", "#74add1", "#4575b4", "#313695",
)  # fmt: skip
_FIVE = ("#d73027", "#fc8d59", "#fee090", "#91bfdb", "#4575b4")
_NEED = ("#fee5d9", "#fcae91", "#fb6a4a", "#cb181d")
_REACHED = "#c7e9c0"
NO_DATA = "#dddddd"
_POINT_TYPES = {
    NodeType.SERVICE.value: "#2ca02c",
    NodeType.LOCATION.value: "#8c564b",
    NodeType.ACTIVITY.value: "#e377c2",
}


@dataclass
class MapResult:
    """What was written: the map, the area pages beside it, and the notes on the page."""

    path: Path
    areas: int
    outlined: int
    """Areas drawn from their boundaries (the rest as centroid circles)."""
    points: int
    area_pages: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bytes: int = 0


def _layer_values(
    graph: Graph,
    layer: str,
    level: str,
    areas: list[str],
    scope: Scope,
    *,
    workspace: Workspace | None = None,
    since: str | None = None,
    until: str | None = None,
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], str]:
    """Each area's colour, value text and evidence; the legend; the layer's title."""
    values: dict[str, dict[str, Any]] = {}
    legend: list[dict[str, Any]] = []
    if layer == "imd":
        title = "IMD 2019 decile (1 = most deprived 10%)"
        for code in areas:
            decile = number(graph.nodes[code].get("imd_decile"))
            if decile is not None and 1 <= decile <= 10:
                values[code] = {
                    "color": _DECILES[int(decile) - 1],
                    "value": f"IMD decile {int(decile)}",
                    "why": "",
                }
        legend = [{"label": f"decile {i + 1}", "color": c} for i, c in enumerate(_DECILES)]
    elif layer == "si-index":
        from ..queries.places import si_index

        title = "Social infrastructure index (0-100, low = poorest provision)"
        frame = si_index(graph, level=level, within=scope)  # type: ignore[arg-type]
        bands = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
        wanted = set(areas)
        for row in frame.to_dict("records"):
            score = number(row.get("si_score"))
            if row["area"] not in wanted or score is None:
                continue
            band = min(int(score // 20), 4)
            values[str(row["area"])] = {
                "color": _FIVE[band],
                "value": f"SI score {score:.1f} (rank {row.get('si_rank')})",
                "why": str(row.get("why") or ""),
            }
        legend = [
            {"label": f"{low}-{high}", "color": c}
            for (low, high), c in zip(bands, _FIVE, strict=True)
        ]
    elif layer.startswith("gaps:") and layer[5:].strip():
        from ..queries.places import gaps

        category = layer[5:].strip()
        title = f"Gaps in {category}: areas out of reach, by need"
        frame = gaps(graph, category=category, level=level, within=scope)  # type: ignore[arg-type]
        needs = [float(n) for n in frame["need"] if number(n) is not None] if len(frame) else []
        top = max(needs, default=1.0) or 1.0
        for row in frame.to_dict("records"):
            need = number(row.get("need")) or 0.0
            band = min(int(4 * need / top), 3) if top else 0
            values[str(row["area"])] = {
                "color": _NEED[band],
                "value": f"no {category} within reach; need {need:.2f}",
                "why": str(row.get("why") or ""),
            }
        for code in areas:
            values.setdefault(
                code, {"color": _REACHED, "value": f"{category} within reach", "why": ""}
            )
        legend = [{"label": f"{category} within reach", "color": _REACHED}] + [
            {"label": f"gap, need {top * i / 4:.1f}-{top * (i + 1) / 4:.1f}", "color": c}
            for i, c in enumerate(_NEED)
        ]
    elif layer == "prevention":
        values, legend, title = prevention_layer(graph, level, areas, scope)
    elif layer == "changes":
        values, legend, title = changes_layer(workspace, level, areas, since=since, until=until)
    else:
        raise UsageError(
            f"`layer` '{layer}' is not one of {', '.join(LAYERS)}. "
            "Fix: pick one, e.g. imd or gaps:Food.",
            param="layer",
        )
    missing = [code for code in areas if code not in values]
    for code in missing:
        values[code] = {"color": NO_DATA, "value": "no figure for this layer", "why": ""}
    if missing:
        legend.append({"label": "no figure", "color": NO_DATA})
    counts: dict[str, int] = {}
    for shade in values.values():
        counts[shade["color"]] = counts.get(shade["color"], 0) + 1
    counted = [{**item, "count": counts.get(item["color"], 0)} for item in legend]
    return values, counted, title


def _rings(geometry: Any) -> list[list[tuple[float, float]]]:
    kind = geometry.geom_type
    if kind == "Polygon":
        return [list(geometry.exterior.coords), *[list(r.coords) for r in geometry.interiors]]
    if kind in ("MultiPolygon", "GeometryCollection"):
        return [ring for part in geometry.geoms for ring in _rings(part)]
    return []


def _shapes(graph: Graph, areas: list[str]) -> dict[str, list[list[tuple[float, float]]]]:
    from shapely.geometry import shape

    found: dict[str, list[list[tuple[float, float]]]] = {}
    for code in areas:
        raw = graph.nodes[code].get("geometry")
        if not isinstance(raw, dict):
            continue
        try:
            geometry = shape(raw)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            continue
        if geometry.is_empty:
            continue
        # ~10 m: invisible at a town's scale, and a tenth of the file.
        rings = _rings(geometry.simplify(0.0001, preserve_topology=True))
        if rings:
            found[code] = rings
    return found


class _Projection:
    """Longitude/latitude to the SVG's pixels (equirectangular at the place's latitude)."""

    def __init__(self, lons: list[float], lats: list[float]) -> None:
        self.lat0 = (min(lats) + max(lats)) / 2
        self.kx = _KM_PER_DEGREE * math.cos(math.radians(self.lat0))
        self.west, self.north = min(lons), max(lats)
        width_km = max((max(lons) - self.west) * self.kx, 0.5)
        height_km = max((self.north - min(lats)) * _KM_PER_DEGREE, 0.5)
        margin = 30.0  # more than the largest centroid circle
        self.px_per_km = min((_WIDTH - 2 * margin) / width_km, (_HEIGHT - 2 * margin) / height_km)
        self.dx = (_WIDTH - width_km * self.px_per_km) / 2
        self.dy = (_HEIGHT - height_km * self.px_per_km) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.dx + (lon - self.west) * self.kx * self.px_per_km
        y = self.dy + (self.north - lat) * _KM_PER_DEGREE * self.px_per_km
        return round(x, 1), round(y, 1)

    def scale_bar(self) -> dict[str, Any]:
        target = 160 / self.px_per_km
        step = 10 ** math.floor(math.log10(target))
        km = max((m * step for m in (1, 2, 5) if m * step <= target), default=step)
        return {"km": km, "px": round(km * self.px_per_km, 1)}


def _path(rings: list[list[tuple[float, float]]], project: _Projection) -> str:
    parts = []
    for ring in rings:
        points = [project(lon, lat) for lon, lat, *_ in ring]
        parts.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
    return "".join(parts)


def _points(context: _Context) -> list[dict[str, Any]]:
    """Services (at their buildings), facilities and activities that have coordinates."""
    graph, lookup = context.graph, context.lookup

    def coords(node: str) -> tuple[float, float] | None:
        data = graph.nodes[node]
        lat, lon = number(data.get("latitude")), number(data.get("longitude"))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return lon, lat

    found: list[dict[str, Any]] = []
    for kind in (NodeType.LOCATION.value, NodeType.ACTIVITY.value):
        for node in lookup.nodes(kind):
            where = coords(node)
            if where is None:
                continue
            data = graph.nodes[node]
            sector = str(data.get("facility_kind") or data.get("activity_kind") or kind.lower())
            found.append({"id": node, "label": lookup.name(node), "type": kind,
                          "sector": sector, "at": where})  # fmt: skip
    for service, location, _ in lookup.edges(EdgeType.AT_LOCATION):
        where = coords(location)
        if where is not None:
            found.append(
                {
                    "id": service,
                    "label": lookup.name(service),
                    "type": NodeType.SERVICE.value,
                    "sector": lookup.sector(service),
                    "at": where,
                }
            )
    return found


def _chosen_areas(context: _Context, scope: Scope, level: str) -> list[str]:
    graph, lookup = context.graph, context.lookup
    areas = [
        n
        for n in lookup.nodes(NodeType.AREA.value)
        if area_level_of(n, graph.nodes[n]) == level and (scope.is_everything or n in scope)
    ]
    if not areas:
        raise UsageError(
            f"there are no {level} areas to draw, so there is no map; {scope.describe()}."
            " Fix: ingest area data first (civicgraph ingest areas), or pick another "
            "`level` or `within`.",
            param=("level", "within"),
        )
    return sorted(areas)


def map_data(
    graph: Graph,
    *,
    within: Scope | str | Sequence[str] | None = None,
    layer: str = "imd",
    level: str = "lsoa",
    context: _Context | None = None,
    workspace: Workspace | None = None,
    since: str | None = None,
    until: str | None = None,
) -> dict[str, Any]:
    """The JSON document the map page embeds: area shapes, colours, figures, points, legend."""
    if level not in MAP_LEVELS:
        raise UsageError(f"`level` '{level}' is not one of {', '.join(MAP_LEVELS)}.", param="level")
    context = context or _Context(graph)
    scope = resolve_scope(graph, within)
    areas = _chosen_areas(context, scope, level)
    values, legend, title = _layer_values(
        graph, layer, level, areas, scope, workspace=workspace, since=since, until=until
    )
    shapes = _shapes(graph, areas)
    centres: dict[str, tuple[float, float]] = {}
    for code in areas:
        data = graph.nodes[code]
        lat, lon = number(data.get("latitude")), number(data.get("longitude"))
        if lat is not None and lon is not None:
            centres[code] = (lon, lat)
    lons = [lon for rings in shapes.values() for ring in rings for lon, *_ in ring]
    lats = [lat for rings in shapes.values() for ring in rings for _, lat, *_ in ring]
    lons += [c[0] for c in centres.values()]
    lats += [c[1] for c in centres.values()]
    # The points near the areas widen the frame, so none is drawn off the map.
    pad_lon = (max(lons) - min(lons)) * 0.1 + 0.003 if lons else 0.0
    pad_lat = (max(lats) - min(lats)) * 0.1 + 0.002 if lats else 0.0
    nearby = []
    if lons:
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        for point in _points(context):
            lon, lat = point["at"]
            if (
                west - pad_lon <= lon <= east + pad_lon
                and south - pad_lat <= lat <= north + pad_lat
            ):
                nearby.append(point)
    lons += [p["at"][0] for p in nearby]
    lats += [p["at"][1] for p in nearby]
    notes: list[str] = []
    unplaced = [code for code in areas if code not in shapes and code not in centres]
    if not lons:
        raise UsageError(
            f"none of the {len(areas):,} {level} areas has a boundary or a centroid, so they "
            "cannot be placed on a map. Fix: ingest boundaries (GeoJSON) or centroids with "
            "civicgraph ingest areas.",
            param="level",
        )
    project = _Projection(lons, lats)
    circles = [c for c in areas if c not in shapes and c in centres]
    if circles:
        notes.append(
            f"{len(circles):,} of {len(areas):,} areas have no boundary in the workspace and are "
            "drawn as circles at their centroids (ingest boundary GeoJSON with civicgraph "
            "ingest areas to draw them)"
        )
    if unplaced:
        notes.append(
            f"{len(unplaced):,} areas have neither a boundary nor a centroid and are not drawn: "
            + ", ".join(unplaced[:5])
        )
    radius = max(4.0, min(14.0, 0.35 * project.px_per_km))
    drawn = []
    for code in areas:
        if code not in shapes and code not in centres:
            continue
        data = graph.nodes[code]
        figures = [
            (label, f"{value:,.0f}" if isinstance(value, float) else str(value))
            for label, key in (
                ("population", "population"),
                ("IMD rank", "imd_rank"),
                ("IMD decile", "imd_decile"),
            )
            if (value := number(data.get(key))) is not None
        ]
        entry: dict[str, Any] = {
            "code": code,
            "name": str(data.get("name") or code),
            "color": values[code]["color"],
            "value": values[code]["value"],
            "why": values[code]["why"][:600],
            "figures": figures,
        }
        if code in shapes:
            entry["path"] = _path(shapes[code], project)
        else:
            x, y = project(*centres[code])
            entry["circle"] = [x, y, round(radius, 1)]
        drawn.append(entry)
    points = []
    for point in nearby:
        x, y = project(*point.pop("at"))
        points.append({**point, "x": x, "y": y})
    notes.insert(0, scope.describe())
    return {
        "title": f"{title}: {len(drawn):,} {level} areas",
        "layer": layer,
        "level": level,
        "width": _WIDTH,
        "height": _HEIGHT,
        "legend": legend,
        "scale": project.scale_bar(),
        "notes": notes,
        "areas": drawn,
        "points": points,
        "pointColors": _POINT_TYPES,
        "filters": {
            "type": sorted({p["type"] for p in points}),
            "sector": sorted({p["sector"] for p in points}),
        },
        "pages": {},
    }


def render_map(data: dict[str, Any]) -> str:
    """The map page's HTML for :func:`map_data`'s document."""
    app = _asset("map.js")
    policy = (
        "default-src 'none'; "
        f"script-src {_script_hash(app)}; "
        "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'; object-src 'none'"
    )
    title = html.escape(f"civicgraph: {data['title']}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>\n{_asset('page.css')}{_asset('map.css')}</style>\n"
        f"</head>\n<body>\n{_asset('map.html')}"
        f'<script type="application/json" id="cg-data">{json_for_html(data)}</script>\n'
        f"<script>{app}</script>\n</body>\n</html>\n"
    )


def _area_pages(context: _Context, data: dict[str, Any], folder: Path, seed: int) -> list[Path]:
    """Each drawn area's network page, for areas with something placed in them."""
    written: list[Path] = []
    # Only areas something (not an area) is placed in or serves: the rest have no network.
    occupied = {
        area
        for node, areas in context.areas.items()
        if context.lookup.type(node) != NodeType.AREA.value
        for area in areas
    }
    for entry in data["areas"]:
        if len(written) >= AREA_PAGES:
            break
        code = entry["code"]
        if code not in occupied and not (
            data["level"] != "lsoa" and context.lookup.area_descendants(code) & occupied
        ):
            continue
        view = _area(context, code)
        if view.size <= 1:
            continue
        view = _within_limit(view, context, 2000)
        path = folder / f"{code}.html"
        write_page(view, path, positions=layout(view, seed=seed))
        data["pages"][code] = f"{folder.name}/{code}.html"
        written.append(path)
    return written


def write_map(
    graph: Graph,
    out: str | Path,
    *,
    within: Scope | str | Sequence[str] | None = None,
    layer: str = "imd",
    level: str = "lsoa",
    area_pages: bool = True,
    seed: int = 1,
    workspace: Workspace | None = None,
    since: str | None = None,
    until: str | None = None,
) -> MapResult:
    """Write a map of the place as one self-contained, offline HTML page.

    Parameters
    ----------
    graph
        The analysis graph.
    out
        The HTML file to write; area network pages go into a folder beside it
        (``<name>-areas/``).
    within
        The study area (GSS codes or names, see :func:`civicgraph.graph.scope.resolve_scope`):
        only the areas inside it are drawn; default: the workspace's scope.
    layer
        What shades the areas: ``imd`` (decile), ``si-index`` (score) or
        ``gaps:CATEGORY`` (areas out of reach of a category, by need), ``prevention``
        (the share of services that prevent, from ``query prevention``; acute
        outweighing prevention darkest) or ``changes`` (net change in services and
        facilities, from ``query area-changes``; the spiral darkest).
    level
        The areas drawn: lsoa, msoa or ward.
    area_pages
        Also write each area's network page (for areas with provision placed in them)
        and link it from the map.
    seed
        The area pages' layout seed.
    workspace
        The workspace ``graph`` came from: the changes layer compares its snapshots.
    since, until
        The changes layer's window (as ``query changes``).

    Returns
    -------
    MapResult

    Raises
    ------
    UsageError
        An unknown layer or level, the changes layer without a workspace, or no areas.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("E01000001", type="Area", name="<b>North</b>", level="lsoa",
    ...            imd_decile=2, latitude=53.8, longitude=-1.55)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "map.html"
    >>> result = write_map(g, out, area_pages=False)
    >>> result.areas, result.outlined
    (1, 0)
    >>> "<b>North</b>" in out.read_text()
    False
    """
    path = Path(out)
    if path.is_dir():
        raise UsageError(
            f"`out` {path} is a folder. Fix: give `out` a file name such as map.html.",
            param="out",
        )
    context = _Context(graph)
    data = map_data(
        graph,
        within=within,
        layer=layer,
        level=level,
        context=context,
        workspace=workspace,
        since=since,
        until=until,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = (
        _area_pages(context, data, path.parent / f"{path.stem}-areas", seed) if area_pages else []
    )
    text = render_map(data)
    write_text(path, text)
    outlined = sum(1 for a in data["areas"] if "path" in a)
    return MapResult(
        path,
        len(data["areas"]),
        outlined,
        len(data["points"]),
        pages,
        data["notes"],
        len(text.encode()),
    )
