"""Placing: the areas each location, service and grant lies in or serves.

Run when the analysis graph is built, so that areas and the things placed in
them may be ingested in any order. Placed edges carry ``method`` and list as
their ``sources`` the sources of both ends. A location is placed in a small
area (2011 LSOA, Scottish data zone, Northern Ireland SOA: the vintage of the
Index of Multiple Deprivation 2019; 2021-only areas are never used):

1. by its postcode, when an ONS Postcode Directory holding it was ingested;
2. else by its coordinates: inside a small area's boundary, when boundaries
   were ingested; else the small area with the nearest centroid, if within
   :data:`MAX_CENTROID_KM`;
3. a location the source already placed (``IN_AREA`` from the data) keeps
   that.

A service is ``SERVES_AREA`` the areas its ``service_areas`` name, by GSS code
or by the exact name of a local authority, ward, region or MSOA (only when one
area has that name). A grant ``BENEFITS_AREA`` the small areas of its
"postcode of impact" and the areas its beneficiary locations name ("Plymouth",
"Oxford 008B", "England/South West/Plymouth"; see :mod:`._grant_places`).
Whatever cannot be placed is kept, with the reason, in ``graph.graph["unplaced"]``
(see :func:`unplaced_rows`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..ontology import EdgeType, NodeType
from ._grant_places import AreaNames, grant_location_texts, grant_locations, place_grant_by_name

__all__ = [
    "MAX_CENTROID_KM",
    "SMALL_AREA_LEVELS",
    "UK_BOUNDS",
    "coordinate_problem",
    "place",
    "unplaced_rows",
]

UK_BOUNDS = (49.0, 61.0, -8.7, 2.1)
"""South, north, west, east: a box around the UK (Channel Islands and Shetland included)."""

MAX_CENTROID_KM = 10.0
"""Farther than this from every small area's centroid, a location is left unplaced."""

SMALL_AREA_LEVELS = frozenset({"lsoa", "datazone", "soa"})

_UK = {"", "gb", "gbr", "uk", "united kingdom", "england", "scotland", "wales", "northern ireland"}
_US = {"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"}
_US_STATES = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV
    NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP""".split()
)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
_GSS_IN_TEXT = re.compile(r"\b[EWSNK]\d{8}\b")
_NAMED_LEVELS = frozenset({"lad", "ward", "region", "msoa", "county", "country"})
_EARTH_KM = 6371.0088


def place(graph: Any) -> None:
    """Add ``IN_AREA``, ``SERVES_AREA`` and ``BENEFITS_AREA`` edges the data implies.

    Does nothing when the graph holds no areas; places no location when no small area has
    a centroid or boundary and no postcode is known. Records what could not be placed in
    ``graph.graph["unplaced"]``: a list of ``(node, reason)``.
    """
    nodes: dict[str, dict[str, Any]] = graph._node
    area_type, location_type = NodeType.AREA.value, NodeType.LOCATION.value
    areas = [n for n, d in nodes.items() if d.get("type") == area_type]
    if not areas:
        return
    small = [
        n
        for n in areas
        if nodes[n].get("level") in SMALL_AREA_LEVELS and nodes[n].get("vintage") != "2021"
    ]
    small_set = set(small)
    postcodes = _postcode_areas(graph, areas, small_set)
    finder = _Finder(nodes, small)
    names = _area_names(nodes, areas)
    unplaced: list[tuple[str, str]] = []
    area_names: AreaNames | None = None
    can_place = bool(postcodes or finder.centres or finder.shapes)
    for node, data in nodes.items():
        kind = data.get("type")
        if kind == location_type and can_place:
            if _has_out(graph, node, EdgeType.IN_AREA):
                continue
            reason = _place_location(graph, node, data, postcodes, finder)
            if reason:
                unplaced.append((node, reason))
        elif kind == NodeType.SERVICE.value and data.get("service_areas"):
            unplaced.extend((node, r) for r in _place_service(graph, node, data, nodes, names))
        elif kind == NodeType.GRANT.value and data.get("beneficiary_locations"):
            area_names = area_names or AreaNames(graph, areas)
            unplaced.extend(
                (node, r) for r in place_grant_by_name(graph, node, data, area_names, _add_benefits)
            )
        if kind == NodeType.GRANT.value and data.get("beneficiary_postcodes"):
            for postcode in data["beneficiary_postcodes"]:
                target = postcodes.get(_key(postcode))
                if target:
                    _add(graph, node, target[0], EdgeType.BENEFITS_AREA, "postcode")
                else:
                    unplaced.append(
                        (node, f"postcode of impact {postcode} is not in any postcode lookup")
                    )
    graph.graph["unplaced"] = unplaced
    graph.graph["locations_placed"] = can_place


def coordinate_problem(lat: float, lon: float) -> str | None:
    """What is wrong with a latitude and longitude for a UK place, or ``None``.

    Examples
    --------
    >>> coordinate_problem(53.8, -1.55) is None
    True
    >>> coordinate_problem(100, 101)
    'not a latitude and longitude (latitude 100, longitude 101)'
    >>> coordinate_problem(-1.55, 53.8)
    'swapped: latitude -1.55, longitude 53.8 is in the UK the other way round'
    >>> coordinate_problem(25.78, -80.19)
    'outside the UK (latitude 25.78, longitude -80.19)'
    """
    south, north, west, east = UK_BOUNDS
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return f"not a latitude and longitude (latitude {lat:g}, longitude {lon:g})"
    if south <= lat <= north and west <= lon <= east:
        return None
    if south <= lon <= north and west <= lat <= east:
        return f"swapped: latitude {lat:g}, longitude {lon:g} is in the UK the other way round"
    return f"outside the UK (latitude {lat:g}, longitude {lon:g})"


def _key(postcode: str) -> str:
    return "".join(str(postcode).split()).upper()


def _has_out(graph: Any, node: str, edge_type: EdgeType) -> bool:
    return any(data.get("type") == edge_type for _, _, data in graph.out_edges(node, data=True))


def _postcode_areas(graph: Any, areas: list[str], small: set[str]) -> dict[str, tuple[str, str]]:
    """Each postcode's small area (and ``"postcode"`` or ``"postcode (terminated)"``)."""
    nodes = graph._node
    found: dict[str, tuple[str, str]] = {}
    for area in areas:
        data = nodes[area]
        if data.get("level") != "postcode":
            continue
        for _, parent, edge in graph.out_edges(area, data=True):
            if edge.get("type") == EdgeType.PART_OF and parent in small:
                method = "postcode (terminated)" if data.get("terminated") else "postcode"
                found[_key(data.get("code") or area)] = (parent, method)
                break
    return found


class _Finder:
    """Small areas by point: boundaries first, else the nearest centroid."""

    def __init__(self, nodes: dict[str, dict[str, Any]], small: list[str]) -> None:
        from scipy.spatial import cKDTree

        with_centre = [
            n
            for n in small
            if nodes[n].get("latitude") is not None and nodes[n].get("longitude") is not None
        ]
        self.centres = with_centre
        self.shapes: list[str] = []
        self.tree = (
            cKDTree(_unit([(nodes[n]["latitude"], nodes[n]["longitude"]) for n in with_centre]))
            if with_centre
            else None
        )
        shaped = [n for n in small if nodes[n].get("geometry")]
        self.strtree: Any = None
        if shaped:
            from shapely import STRtree
            from shapely.geometry import shape

            geometries = []
            for n in shaped:
                try:
                    geometries.append(shape(nodes[n]["geometry"]))
                    self.shapes.append(n)
                except (ValueError, TypeError, AttributeError, KeyError):
                    continue
            self.geometries = geometries
            self.strtree = STRtree(geometries)

    def find(self, lat: float, lon: float) -> tuple[str, str, float | None] | str:
        if self.strtree is not None:
            from shapely.geometry import Point

            hits = self.strtree.query(Point(lon, lat), predicate="intersects")
            if len(hits):
                return self.shapes[int(sorted(hits)[0])], "boundary", None
        if self.tree is None:
            return "no small area has a centroid or boundary to place coordinates by"
        chord, index = self.tree.query(_unit([(lat, lon)])[0])
        km = 2 * _EARTH_KM * math.asin(min(1.0, float(chord) / 2))
        if km > MAX_CENTROID_KM:
            return (
                f"the nearest small area's centroid is {km:.0f} km away (more than "
                f"{MAX_CENTROID_KM:g} km): its areas are probably not ingested"
            )
        return self.centres[int(index)], "centroid", round(km, 3)


def _unit(points: Iterable[tuple[float, float]]) -> Any:
    array = np.radians(np.asarray(list(points), dtype=float))
    lat, lon = array[:, 0], array[:, 1]
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _place_location(
    graph: Any,
    node: str,
    data: dict[str, Any],
    postcodes: dict[str, tuple[str, str]],
    finder: _Finder,
) -> str | None:
    """Place one location; the reason it cannot be placed, or ``None``."""
    postcode = str(data.get("postcode") or "").strip()
    if postcode and _key(postcode) in postcodes:
        area, method = postcodes[_key(postcode)]
        _add(graph, node, area, EdgeType.IN_AREA, method)
        return None
    lat, lon = data.get("latitude"), data.get("longitude")
    problem = None
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        problem = coordinate_problem(float(lat), float(lon))
        if problem is None:
            found = finder.find(float(lat), float(lon))
            if isinstance(found, str):
                return found
            area, method, km = found
            _add(graph, node, area, EdgeType.IN_AREA, method, distance_km=km)
            return None
    reasons = []
    abroad = _abroad(data)
    if abroad:
        reasons.append(abroad)
    if not postcode:
        reasons.append("it has no postcode")
    elif _UK_POSTCODE.match(postcode):
        reasons.append(f"postcode {postcode} is not in any postcode lookup ingested")
    else:
        reasons.append(f"postcode {postcode!r} is not a UK postcode")
    reasons.append(f"its coordinates are {problem}" if problem else "it has no coordinates")
    return "; ".join(reasons)


def _abroad(data: dict[str, Any]) -> str | None:
    """Why a location's address is not in the UK, or ``None`` if nothing says so."""
    postcode = str(data.get("postcode") or "").strip()
    country = str(data.get("country") or "").strip()
    state = str(data.get("state_province") or "").strip().upper()
    if country.lower() in _US:
        return f"not UK data: the address is in the United States (country {country})"
    if country and country.lower() not in _UK:
        return f"not UK data: the address is in another country ({country})"
    if state in _US_STATES or _ZIP.match(postcode):
        where = f"state {state}" if state in _US_STATES else f"ZIP code {postcode}"
        return f"not UK data: the address is in the United States ({where})"
    return None


def _area_names(nodes: dict[str, dict[str, Any]], areas: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for area in areas:
        data = nodes[area]
        if data.get("level") in _NAMED_LEVELS and data.get("name"):
            names.setdefault(str(data["name"]).casefold(), []).append(area)
    return names


def _place_service(
    graph: Any,
    node: str,
    data: dict[str, Any],
    nodes: dict[str, dict[str, Any]],
    names: dict[str, list[str]],
) -> list[str]:
    reasons = []
    entries = data["service_areas"]
    for entry in entries if isinstance(entries, list) else [entries]:
        texts = (
            [
                str(v)
                for k, v in entry.items()
                if v and k in ("name", "service_area", "uri", "extent")
            ]
            if isinstance(entry, dict)
            else [str(entry)]
        )
        placed = False
        for text in texts:
            for code in _GSS_IN_TEXT.findall(text):
                if code in nodes and nodes[code].get("type") == NodeType.AREA.value:
                    _add(graph, node, code, EdgeType.SERVES_AREA, "code")
                    placed = True
            if not placed:
                named = names.get(text.strip().casefold(), [])
                if len(named) == 1:
                    _add(graph, node, named[0], EdgeType.SERVES_AREA, "name")
                    placed = True
        if not placed:
            label = next((t for t in texts if t.strip()), "")
            if label:
                reasons.append(f"service area {label[:60]!r} names no area ingested")
    return reasons


def _add(
    graph: Any,
    node: str,
    area: str,
    edge_type: EdgeType,
    method: str,
    *,
    distance_km: float | None = None,
) -> None:
    key = edge_type.value
    if graph.has_edge(node, area, key):
        return
    nodes = graph._node
    sources = sorted(set(nodes[node].get("sources") or ()) | set(nodes[area].get("sources") or ()))
    props: dict[str, Any] = {"type": key, "sources": sources, "method": method}
    if distance_km is not None:
        props["distance_km"] = distance_km
    graph.add_edge(node, area, key=key, **props)


def _add_benefits(graph: Any, node: str, area: str, method: str, **extra: Any) -> None:
    _add(graph, node, area, EdgeType.BENEFITS_AREA, method)
    graph.edges[node, area, EdgeType.BENEFITS_AREA.value].update(
        {
            k: v
            for k, v in extra.items()
            if k not in graph.edges[node, area, EdgeType.BENEFITS_AREA.value]
        }
    )


def unplaced_rows(graph: Any) -> list[dict[str, Any]]:
    """What the graph could not place: one row per thing and reason.

    A graph with no areas places nothing, and says so for every location: that its address
    is not in the UK where it says so, or else that no areas are ingested.
    """
    nodes = graph._node
    pairs = list(graph.graph.get("unplaced", ()))
    if not graph.graph.get("locations_placed"):
        reason = (
            "no small areas (LSOAs) with centroids or boundaries, and no postcodes, are in the "
            "workspace: ingest areas first (civicgraph ingest areas)"
        )
        pairs[:0] = [
            (n, _abroad(d) or reason)
            for n, d in nodes.items()
            if d.get("type") == NodeType.LOCATION.value and not _has_out(graph, n, EdgeType.IN_AREA)
        ]
    if "unplaced" not in graph.graph:  # no areas at all: a grant's named places wait for them
        pairs.extend(
            (
                n,
                "its beneficiary locations are named, and no areas are ingested to match the "
                "names: ingest areas first (civicgraph ingest areas)",
            )
            for n, d in nodes.items()
            if d.get("type") == NodeType.GRANT.value
            and any(grant_location_texts(loc)[0] for loc in grant_locations(d))
            and not _has_out(graph, n, EdgeType.BENEFITS_AREA)
        )
    rows = []
    for node, reason in pairs:
        data = nodes[node]
        rows.append(
            {
                "id": node,
                "type": data.get("type"),
                "name": data.get("name") or data.get("title") or data.get("address_1") or "",
                "postcode": data.get("postcode") or "",
                "latitude": data.get("latitude"),
                "longitude": data.get("longitude"),
                "reason": reason,
                "sources": ", ".join(data.get("sources") or ()),
            }
        )
    return rows
