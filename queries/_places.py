"""What is within reach of each area: the plumbing ``si-index`` and ``gaps`` share.

Private. Everything is computed once per graph as sparse matrices so that
the queries stay vectorised at 100k services:

* **base areas** are the small areas locations are placed in (LSOAs; Scottish
  data zones and Northern Ireland SOAs likewise); an area of the requested
  level with no LSOA inside it is its own base area;
* an area of a higher level is the set of base areas inside it (``PART_OF``
  downwards), so its figures are those of the union of its LSOAs;
* a **service reaches** a base area when it stands within ``distance_km`` of
  the area's centroid, is located in it (``AT_LOCATION`` then ``IN_AREA``), or
  serves it (``SERVES_AREA`` to it or to any area containing it);
* a **facility** (a ``Location`` with a ``facility_kind``: OSM or an asset
  register) reaches a base area the same way, by distance or ``IN_AREA``.

Distances use an equirectangular projection around the areas' mean latitude
(error under 0.5% across a region the size of England's largest county),
and ``scipy.spatial.cKDTree`` for the radius and nearest-neighbour searches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..graph.placing import SMALL_AREA_LEVELS
from ..graph.scope import _AreaTree
from ..ontology import EdgeType, NodeType
from ..ontology.gss import area_level
from ._index import UNCLASSIFIED, GraphIndex, reachable

if TYPE_CHECKING:  # scipy is imported where it is used: a query that needs none starts sooner
    from scipy import sparse

__all__ = ["Reach", "area_level_of", "number", "reach"]

_AREA = NodeType.AREA.value
_LOCATION = NodeType.LOCATION.value
_SERVICE = NodeType.SERVICE.value
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_EQUATOR = 111.320

FloatArray = npt.NDArray[np.float64]


def number(value: Any) -> float | None:
    """A finite number from a property, else ``None`` (text such as ``"1,234"`` is read)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            parsed = float(value.replace(",", "").strip())
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None
    return None


def area_level_of(node: str, data: dict[str, Any]) -> str:
    """An area's level: its ``level`` property, else what its GSS code says."""
    level = data.get("level")
    if isinstance(level, str) and level.strip():
        return level.strip().lower()
    return area_level(str(data.get("code") or node)) or ""


@dataclass
class Reach:
    """Areas of one level, their base areas, and what reaches each."""

    areas: list[str]
    names: list[str]
    population: FloatArray
    """Residents (NaN where unknown)."""
    imd_rank: FloatArray
    imd_decile: FloatArray
    xy: FloatArray
    """Centroids in km (NaN where unknown)."""
    members: sparse.csr_matrix
    """areas x base areas: 1 where the base area is inside the area."""
    services: list[str]
    service_reach: sparse.csr_matrix
    """areas x services: 1 where the service reaches the area."""
    facilities: list[str]
    facility_reach: sparse.csr_matrix
    """areas x facilities."""
    service_xy: FloatArray
    facility_xy: FloatArray
    service_category: list[str]
    facility_kind: list[str]
    covers: dict[str, list[int]] = field(default_factory=dict)
    """Each area node's base areas (columns of ``members``): itself, or those inside it."""
    base_population: FloatArray = field(default_factory=lambda: np.empty(0))
    superseded: dict[str, list[str]] = field(default_factory=dict)
    """Areas of the level left out as an older vintage's: each to the areas holding its LSOAs."""


def _project(lat: FloatArray, lon: FloatArray, lat0: float) -> FloatArray:
    x = lon * KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat0))
    y = lat * KM_PER_DEGREE_LAT
    return np.column_stack([x, y]) if len(lat) else np.empty((0, 2))


def _coords(graph: Any, node: str) -> tuple[float, float]:
    data = graph.nodes[node]
    lat, lon = number(data.get("latitude")), number(data.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return math.nan, math.nan
    return lat, lon


def _boolean(rows: list[int], cols: list[int], shape: tuple[int, int]) -> sparse.csr_matrix:
    from scipy import sparse

    data = np.ones(len(rows), dtype=np.float64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=shape)
    matrix.data[:] = 1.0  # repeats are one
    return matrix


def _within(
    centres: FloatArray, points: FloatArray, distance_km: float
) -> tuple[list[int], list[int]]:
    """Pairs (centre, point) closer than ``distance_km`` (NaNs never match)."""
    good_c = np.flatnonzero(~np.isnan(centres).any(axis=1))
    good_p = np.flatnonzero(~np.isnan(points).any(axis=1))
    if not len(good_c) or not len(good_p) or distance_km <= 0:
        return [], []
    from scipy.spatial import cKDTree

    tree = cKDTree(points[good_p])
    hits = cKDTree(centres[good_c]).query_ball_tree(tree, r=distance_km)
    rows: list[int] = []
    cols: list[int] = []
    for i, found in zip(good_c, hits, strict=True):
        rows.extend([int(i)] * len(found))
        cols.extend(int(good_p[j]) for j in found)
    return rows, cols


def reach(
    lookup: GraphIndex,
    *,
    level: str,
    distance_km: float,
    scope: frozenset[str] | None = None,
    areas: _AreaTree | None = None,
) -> Reach:
    """What reaches each area of ``level`` (see the module documentation), for the areas
    in ``scope`` only (a set of area ids; ``None``: every area). Services and facilities
    outside the scope still reach the areas inside it. ``areas``: the graph's areas already
    read (a ``Scope``'s ``tree``), else they are read here."""
    graph = lookup.graph
    area_nodes = list(lookup.nodes(_AREA))
    levels: Mapping[str, str]
    parents: Mapping[str, list[str]]
    if areas is not None:
        levels, parents = areas.levels, areas.parents
    else:
        levels = {a: area_level_of(a, graph.nodes[a]) for a in area_nodes}
        linked: dict[str, list[str]] = {}
        for child, parent, _ in lookup.edges(EdgeType.PART_OF):
            if levels.get(child) is not None and parent in levels:
                linked.setdefault(child, []).append(parent)
        parents = linked

    def nearest_of_level(area: str) -> set[str]:
        """The closest containing areas of ``level``: where a lookup gives an LSOA's
        authority directly (IMD 2019: 2019 authorities) and a chain through its MSOA
        reaches an older one (a 2017 lookup), the direct one counts, so no LSOA is in two
        authorities of different years."""
        layer, seen = {area}, {area}
        while layer:
            hits = {a for a in layer if levels.get(a) == level}
            if hits:
                return hits
            layer = {p for a in layer for p in parents.get(a, ()) if p not in seen}
            seen |= layer
        return set()

    if scope is not None:
        area_nodes = [a for a in area_nodes if a in scope]
    lsoas = sorted(a for a in area_nodes if levels[a] in SMALL_AREA_LEVELS)
    chosen = sorted(a for a in area_nodes if levels[a] == level)
    up = {b: reachable(b, parents) for b in lsoas}
    inside: dict[str, list[str]] = {a: [] for a in chosen}
    for base in lsoas:
        for area in nearest_of_level(base):
            if area in inside:
                inside[area].append(base)
    # An area with LSOAs below it none of which it holds is an older vintage's (a 2017
    # district whose LSOAs a 2019 lookup gives to its successor): never listed beside them.
    successors: dict[str, set[str]] = {}
    for base in lsoas:
        for ancestor in up[base]:
            if ancestor in inside and not inside[ancestor]:
                successors.setdefault(ancestor, set()).update(nearest_of_level(base))
    superseded = {a: sorted(successors[a] - {a}) for a in successors if successors[a] - {a}}
    chosen = [a for a in chosen if a not in superseded]
    for area in superseded:
        del inside[area]
    for area in chosen:
        if not inside[area]:  # no LSOA in it: the area is its own base area
            inside[area] = [area]
            up.setdefault(area, reachable(area, parents))
    bases = sorted({b for members in inside.values() for b in members})
    base_index = {b: i for i, b in enumerate(bases)}
    rows = [i for i, a in enumerate(chosen) for _ in inside[a]]
    cols = [base_index[b] for a in chosen for b in inside[a]]
    members = _boolean(rows, cols, (len(chosen), len(bases)))

    # Which base areas each area node covers (an area serves all base areas inside it).
    covers: dict[str, list[int]] = {}
    for base, containing in up.items():
        if base in base_index:
            for area in containing:
                covers.setdefault(area, []).append(base_index[base])

    base_latlon = np.array([_coords(graph, b) for b in bases], dtype=np.float64).reshape(-1, 2)
    known = base_latlon[~np.isnan(base_latlon).any(axis=1)]
    lat0 = float(known[:, 0].mean()) if len(known) else 0.0
    base_xy = _project(base_latlon[:, 0], base_latlon[:, 1], lat0)

    location_areas: dict[str, list[int]] = {}
    for location, area, _ in lookup.edges(EdgeType.IN_AREA):
        # A location placed only in a larger area counts for every base area inside it.
        location_areas.setdefault(location, []).extend(covers.get(area, ()))

    services = sorted(lookup.nodes(_SERVICE))
    service_index = {s: i for i, s in enumerate(services)}
    service_locations: dict[str, list[str]] = {}
    for service, location, _ in lookup.edges(EdgeType.AT_LOCATION):
        if service in service_index:
            service_locations.setdefault(service, []).append(location)
    # A service's point: its first location with coordinates.
    loc_latlon = {}
    for location in lookup.nodes(_LOCATION):
        lat, lon = _coords(graph, location)
        if not math.isnan(lat):
            loc_latlon[location] = (lat, lon)
    service_latlon = np.full((len(services), 2), np.nan)
    # Pairs (service, base area) by placement, then by distance from every location.
    s_rows: list[int] = []
    s_cols: list[int] = []
    point_owner: list[int] = []
    point_latlon: list[tuple[float, float]] = []
    for service, locations in service_locations.items():
        i = service_index[service]
        for location in sorted(locations):
            for column in location_areas.get(location, ()):
                s_rows.append(i)
                s_cols.append(column)
            if location in loc_latlon:
                point_owner.append(i)
                point_latlon.append(loc_latlon[location])
                if math.isnan(service_latlon[i, 0]):
                    service_latlon[i] = loc_latlon[location]
    for service, area, _ in lookup.edges(EdgeType.SERVES_AREA):
        if service in service_index:
            for column in covers.get(area, ()):
                s_rows.append(service_index[service])
                s_cols.append(column)
    points = np.array(point_latlon, dtype=np.float64).reshape(-1, 2)
    near_b, near_p = _within(base_xy, _project(points[:, 0], points[:, 1], lat0), distance_km)
    s_rows.extend(point_owner[p] for p in near_p)
    s_cols.extend(near_b)
    service_base = _boolean(s_rows, s_cols, (len(services), len(bases)))

    facilities = sorted(
        loc for loc in lookup.nodes(_LOCATION) if graph.nodes[loc].get("facility_kind")
    )
    facility_latlon = np.array(
        [loc_latlon.get(f, (math.nan, math.nan)) for f in facilities], dtype=np.float64
    ).reshape(-1, 2)
    facility_xy = _project(facility_latlon[:, 0], facility_latlon[:, 1], lat0)
    f_rows: list[int] = []
    f_cols: list[int] = []
    for i, facility in enumerate(facilities):
        for column in location_areas.get(facility, ()):
            f_rows.append(i)
            f_cols.append(column)
    near_b, near_f = _within(base_xy, facility_xy, distance_km)
    f_rows.extend(near_f)
    f_cols.extend(near_b)
    facility_base = _boolean(f_rows, f_cols, (len(facilities), len(bases)))

    service_reach = (members @ service_base.T).tocsr()
    service_reach.data[:] = 1.0
    facility_reach = (members @ facility_base.T).tocsr()
    facility_reach.data[:] = 1.0

    population, imd_rank, imd_decile, xy = _area_figures(graph, chosen, inside, lat0)
    return Reach(
        areas=chosen,
        names=[lookup.name(a) for a in chosen],
        population=population,
        imd_rank=imd_rank,
        imd_decile=imd_decile,
        xy=xy,
        members=members,
        services=services,
        service_reach=service_reach,
        facilities=facilities,
        facility_reach=facility_reach,
        service_xy=_project(service_latlon[:, 0], service_latlon[:, 1], lat0),
        facility_xy=facility_xy,
        service_category=[_category(lookup, s) for s in services],
        facility_kind=[
            str(graph.nodes[f].get("facility_kind")).strip().lower() for f in facilities
        ],
        covers=covers,
        superseded=superseded,
        base_population=np.array(
            [number(graph.nodes[b].get("population")) or np.nan for b in bases], dtype=np.float64
        ),
    )


def _category(lookup: GraphIndex, service: str) -> str:
    sector = lookup.sector(service)
    return sector if sector else UNCLASSIFIED


def _area_figures(
    graph: Any, chosen: list[str], inside: dict[str, list[str]], lat0: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Population, IMD rank and decile, and centroid of each area.

    An area's own values win; else they come from its LSOAs: population summed,
    IMD as the population-weighted average rank (the IMD's own "average rank"
    summary for larger areas), ranked among the areas, decile from that rank,
    centroid as the population-weighted mean of the LSOA centroids.
    """
    n = len(chosen)
    population = np.full(n, np.nan)
    average_rank = np.full(n, np.nan)
    own_rank = np.full(n, np.nan)
    own_decile = np.full(n, np.nan)
    latlon = np.full((n, 2), np.nan)
    for i, area in enumerate(chosen):
        data = graph.nodes[area]
        pop = number(data.get("population"))
        rank = number(data.get("imd_rank"))
        decile = number(data.get("imd_decile"))
        lat, lon = _coords(graph, area)
        base = [b for b in inside[area] if b != area]
        if base:
            pops = np.array([number(graph.nodes[b].get("population")) or np.nan for b in base])
            ranks = np.array([number(graph.nodes[b].get("imd_rank")) or np.nan for b in base])
            weights = np.where(np.isnan(pops), 0.0, pops)
            if pop is None and not np.isnan(pops).all():
                pop = float(np.nansum(pops))
            ok = ~np.isnan(ranks)
            if ok.any():
                w = weights[ok] if weights[ok].sum() > 0 else np.ones(ok.sum())
                average_rank[i] = float(np.average(ranks[ok], weights=w))
            if math.isnan(lat):
                coords = np.array([_coords(graph, b) for b in base])
                good = ~np.isnan(coords).any(axis=1)
                if good.any():
                    w = weights[good] if weights[good].sum() > 0 else np.ones(good.sum())
                    lat = float(np.average(coords[good, 0], weights=w))
                    lon = float(np.average(coords[good, 1], weights=w))
        population[i] = np.nan if pop is None else pop
        own_rank[i] = np.nan if rank is None else rank
        own_decile[i] = np.nan if decile is None else decile
        latlon[i] = (lat, lon)
    imd_rank = own_rank.copy()
    derived = np.isnan(imd_rank) & ~np.isnan(average_rank)
    if derived.any():
        order = np.argsort(np.where(np.isnan(average_rank), np.inf, average_rank), kind="stable")
        ranks = np.empty(n)
        ranks[order] = np.arange(1, n + 1)
        imd_rank[derived] = ranks[derived]
        counted = int((~np.isnan(average_rank)).sum())
        own_decile[derived] = np.ceil(ranks[derived] * 10 / counted)
    return population, imd_rank, own_decile, _project(latlon[:, 0], latlon[:, 1], lat0)
