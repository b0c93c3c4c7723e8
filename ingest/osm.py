"""OpenStreetMap extracts of community facilities: the built dimension.

Reads Overpass JSON (``{"elements": [...]}``, nodes with ``lat``/``lon``,
ways and relations with a ``center`` or a ``geometry``) and GeoJSON
(``FeatureCollection``: points, polygons, and building outlines exported as
closed line strings), or a folder of such files. Each feature whose tags name
a community facility becomes a ``Location`` with its ``facility_kind``:

=====================  =====================================================
facility kind          tags
=====================  =====================================================
community centre       amenity=community_centre / village_hall / social_centre
library                amenity=library
place of worship       amenity=place_of_worship
social facility        amenity=social_facility, social_facility=*
health centre          amenity=doctors / clinic / hospital / health_centre /
                       dentist / pharmacy, healthcare=*
school                 amenity=school / college / kindergarten / university
sports centre          leisure=sports_centre / fitness_centre / swimming_pool /
                       sports_hall, amenity=swimming_pool
park                   leisure=park / playground / garden (public)
pub                    amenity=pub
post office            amenity=post_office
charity                charity=yes, office=charity / ngo / association,
                       shop=charity, operator:type=charitable
=====================  =====================================================

Other features (offices of companies, shops) are counted as read and
reported as skipped, never silently dropped. Tag variants are merged:
``phone`` / ``contact:phone``, ``website`` / ``contact:website`` / ``url``,
``email`` / ``contact:email``, ``addr:postcode`` / ``postal_code``. A
feature's point is the export's own ``lat``/``lon`` (a centroid) where given,
else the Overpass ``center``, else the centroid of its geometry (area-weighted
for a closed ring, else the mean of its vertices).

Each location's key is ``<source>:location:<osm type>/<id>`` and it carries
the identifier ``osm:<type>/<id>`` (so two extracts of one feature are one
node) and ``uprn:<UPRN>`` where ``ref:GB:uprn`` gives one, so the identity
stage joins it to a directory's location with that UPRN. Locations that are
the same building without a shared identifier (a directory's library and
OpenStreetMap's) are linked by the place rule in :mod:`civicgraph.graph.places`.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..graph import NodeRecord, Record, Severity, local_key
from ..ontology import NodeType
from ._io import geojson_features, load_json, sha256_of
from ._pipeline import ReadContext
from ._registry import Ingester, register
from ._values import address_props

__all__ = ["facility_kind", "read_osm"]

_AMENITY = {
    "community_centre": "community centre",
    "village_hall": "community centre",
    "social_centre": "community centre",
    "library": "library",
    "place_of_worship": "place of worship",
    "social_facility": "social facility",
    "doctors": "health centre",
    "clinic": "health centre",
    "hospital": "health centre",
    "health_centre": "health centre",
    "dentist": "health centre",
    "pharmacy": "health centre",
    "school": "school",
    "college": "school",
    "kindergarten": "school",
    "university": "school",
    "swimming_pool": "sports centre",
    "pub": "pub",
    "post_office": "post office",
}
_LEISURE = {
    "sports_centre": "sports centre",
    "fitness_centre": "sports centre",
    "swimming_pool": "sports centre",
    "sports_hall": "sports centre",
    "park": "park",
    "playground": "park",
    "garden": "park",
}
_CHARITY_OFFICES = frozenset({"charity", "ngo", "association", "foundation"})


def facility_kind(tags: dict[str, Any]) -> str | None:
    """The community facility an element's tags describe, or ``None``.

    Examples
    --------
    >>> facility_kind({"amenity": "library"}), facility_kind({"healthcare": "doctor"})
    ('library', 'health centre')
    >>> facility_kind({"office": "employment_agency"}) is None
    True
    """
    amenity = str(tags.get("amenity") or "").strip().lower()
    if amenity in _AMENITY:
        return _AMENITY[amenity]
    leisure = str(tags.get("leisure") or "").strip().lower()
    if leisure in _LEISURE and not (leisure == "garden" and tags.get("access") == "private"):
        return _LEISURE[leisure]
    if tags.get("social_facility"):
        return "social facility"
    if tags.get("healthcare"):
        return "health centre"
    if (
        str(tags.get("charity") or "").lower() == "yes"
        or str(tags.get("office") or "").lower() in _CHARITY_OFFICES
        or str(tags.get("shop") or "").lower() == "charity"
        or str(tags.get("operator:type") or "").lower() == "charitable"
    ):
        return "charity"
    return None


def _first(tags: dict[str, Any], *names: str) -> str:
    for name in names:
        value = tags.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _ring_centroid(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Centroid of a closed ring (shoelace), else the mean of the points (lon, lat order)."""
    if not points:
        return None
    if len(points) >= 4 and points[0] == points[-1]:
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in pairwise(points):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) > 1e-18:
            return cx / (3 * area), cy / (3 * area)
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def _geometry_points(geometry: Any) -> list[tuple[float, float]]:
    """The outer ring or vertices of a GeoJSON geometry, as (lon, lat)."""
    if not isinstance(geometry, dict):
        return []
    kind = geometry.get("type")
    coords: Any = geometry.get("coordinates")
    try:
        if kind == "Point":
            return [(float(coords[0]), float(coords[1]))]
        if kind in ("LineString", "MultiPoint"):
            return [(float(c[0]), float(c[1])) for c in coords]
        if kind in ("Polygon", "MultiLineString"):
            return [(float(c[0]), float(c[1])) for c in coords[0]]
        if kind == "MultiPolygon":
            return [(float(c[0]), float(c[1])) for c in coords[0][0]]
    except (TypeError, ValueError, IndexError):
        return []
    return []


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


class _Feature:
    """One element, whatever the format: its OSM id, tags and a point."""

    def __init__(
        self, osm_type: str, osm_id: str, tags: dict[str, Any], point: tuple[float, float] | None
    ) -> None:
        self.osm_type = osm_type
        self.osm_id = osm_id
        self.tags = tags
        self.point = point  # (lat, lon)


def _from_geojson(data: dict[str, Any]) -> Iterator[_Feature | None]:
    for feature in geojson_features(data):
        if feature is None:
            yield None
            continue
        props, geometry, feature_id = feature
        tags = {k: v for k, v in props.items() if isinstance(k, str)}
        osm_type = str(props.get("osm_type") or props.get("@type") or "").strip()
        osm_id = str(props.get("osm_id") or props.get("@id") or feature_id or "").strip()
        if "/" in osm_id and not osm_type:  # "node/123" (osmtogeojson)
            osm_type, osm_id = osm_id.split("/", 1)
        lat, lon = _number(props.get("lat")), _number(props.get("lon"))
        point = (lat, lon) if lat is not None and lon is not None else None
        if point is None:
            centre = _ring_centroid(_geometry_points(geometry))
            point = (centre[1], centre[0]) if centre else None
        yield _Feature(osm_type or "feature", osm_id, tags, point)


def _from_overpass(data: dict[str, Any]) -> Iterator[_Feature | None]:
    for element in data.get("elements") or []:
        tags = element.get("tags") if isinstance(element, dict) else None
        if not isinstance(element, dict) or not isinstance(tags, dict | None):
            yield None
            continue
        tags = tags or {}
        lat, lon = _number(element.get("lat")), _number(element.get("lon"))
        point = (lat, lon) if lat is not None and lon is not None else None
        centre = element.get("center")
        if point is None and isinstance(centre, dict):
            clat, clon = _number(centre.get("lat")), _number(centre.get("lon"))
            point = (clat, clon) if clat is not None and clon is not None else None
        if point is None and isinstance(element.get("geometry"), list):
            ring = [
                (float(p["lon"]), float(p["lat"]))
                for p in element["geometry"]
                if isinstance(p, dict) and "lat" in p and "lon" in p
            ]
            found = _ring_centroid(ring)
            point = (found[1], found[0]) if found else None
        yield _Feature(str(element.get("type") or ""), str(element.get("id") or ""), tags, point)


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder. Fix: check the path.")
    if path.is_file():
        return [path]
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".geojson", ".json"))
    if not files:
        raise UsageError(
            f"{path} holds no .geojson or .json file. Fix: give an Overpass JSON or GeoJSON "
            "export, or a folder of them."
        )
    return files


def _props(feature: _Feature, kind: str) -> dict[str, Any]:
    tags = feature.tags
    props: dict[str, Any] = {"facility_kind": kind, "location_type": "physical"}
    name = _first(tags, "name", "name:en", "official_name", "operator")
    if name:
        props["name"] = name
    alt = _first(tags, "alt_name", "short_name")
    if alt:
        props["alternate_name"] = alt
    if feature.point is not None:
        props["latitude"], props["longitude"] = feature.point
    street = " ".join(
        p for p in (_first(tags, "addr:housenumber"), _first(tags, "addr:street")) if p
    )
    address_1 = ", ".join(p for p in (_first(tags, "addr:housename"), street) if p) or _first(
        tags, "addr:place"
    )
    city = _first(tags, "addr:city", "addr:town", "addr:village")
    postcode = _first(tags, "addr:postcode", "postal_code", "postcode")
    props.update(address_props(address_1, city, postcode))
    country = _first(tags, "addr:country")
    if country:
        props["country"] = country.upper()
    website = _first(tags, "website", "contact:website", "url")
    if website:
        props["url"] = website
    email = _first(tags, "email", "contact:email")
    if email:
        props["email"] = email
    phones: list[dict[str, str]] = []
    for tag in ("phone", "contact:phone", "contact:mobile", "mobile"):
        for number in str(tags.get(tag) or "").split(";"):
            number = number.strip()
            if number and number not in [p["number"] for p in phones]:
                phones.append({"number": number})
    if phones:
        props["phones"] = phones
    for tag, prop in (
        ("opening_hours", "opening_hours"),
        ("operator", "operator"),
        ("description", "description"),
    ):
        value = _first(tags, tag)
        if value:
            props[prop] = value
    if feature.osm_id:
        props["osm_id"] = f"{feature.osm_type}/{feature.osm_id}"
    uprn = _first(tags, "ref:GB:uprn", "uprn")
    if uprn.isdigit():
        props["uprn"] = uprn
    return props


_OSM_KEYS = frozenset(
    """amenity leisure shop office healthcare social_facility building tourism craft club
    sport charity historic man_made landuse name operator opening_hours""".split()
)


def _has_osm_tags(tags: dict[str, Any]) -> bool:
    """Whether properties look like OSM tags (a primary key, a name, or ``addr:*``)."""
    return any(k in _OSM_KEYS or k.startswith(("addr:", "contact:", "osm_", "@")) for k in tags)


def read_osm(source: str, ctx: ReadContext) -> Iterator[Record]:
    """Yield one ``Location`` per community facility in an OSM extract (file or folder).

    Raises
    ------
    InputError
        A file is not JSON, or is neither GeoJSON nor Overpass JSON.
    UsageError
        No such file or folder.
    """
    path = Path(source)
    files = _files(path)
    ctx.sha256 = sha256_of(path)
    variants = set()
    for file in files:
        data = load_json(file, encoding=ctx.encoding)
        table = file.name
        if isinstance(data, dict) and isinstance(data.get("features"), list):
            features, variant = _from_geojson(data), "GeoJSON"
        elif isinstance(data, dict) and isinstance(data.get("elements"), list):
            features, variant = _from_overpass(data), "Overpass JSON"
        else:
            raise InputError(
                "is neither GeoJSON (a FeatureCollection with 'features') nor Overpass JSON "
                "(with 'elements'); nothing was read.",
                path=file,
                fix="export from Overpass with [out:json] (out center;) or save as GeoJSON.",
            )
        variants.add(variant)
        listed = list(features)
        valid = [f for f in listed if f is not None]  # the others are rejected row by row
        if valid and not any(_has_osm_tags(f.tags) for f in valid):
            keys = sorted({k for f in valid for k in f.tags})
            raise InputError(
                f"holds {len(listed)} features and none has an OpenStreetMap tag (such as "
                f"amenity, leisure, building, name or addr:*); its properties are "
                f"{', '.join(keys[:12]) or 'empty'}: it is not an OSM extract; nothing was read.",
                path=file,
                fix=(
                    f"load a venue list like this with: civicgraph ingest warm-spaces {file} "
                    "(warm spaces), or as an asset register (each feature's properties a row, "
                    f"its point the coordinates): civicgraph ingest assets {file}"
                ),
            )
        skipped: dict[str, int] = {}
        ctx.expect(len(listed))
        for number, feature in enumerate(listed, start=1):
            ctx.read(table)
            if feature is None:
                ctx.reject(
                    table,
                    "bad-feature",
                    "features are not objects with an object of properties (GeoJSON) or tags "
                    "(Overpass); rejected",
                    "export the extract again as GeoJSON or Overpass JSON.",
                    row=number,
                    field="properties" if variant == "GeoJSON" else "tags",
                )
                continue
            kind = facility_kind(feature.tags)
            if kind is None:
                label = next(
                    (
                        f"{k}={feature.tags[k]}"
                        for k in ("office", "shop", "amenity", "building")
                        if feature.tags.get(k)
                    ),
                    "no facility tag",
                )
                skipped[label] = skipped.get(label, 0) + 1
                ctx.skip(table)
                continue
            if not feature.osm_id:
                ctx.reject(
                    table,
                    "no-osm-id",
                    "the feature has no OSM id (osm_id, @id or id); rejected",
                    "export with ids (Overpass 'out center;' keeps them).",
                    row=number,
                )
                continue
            props = _props(feature, kind)
            if feature.point is None:
                ctx.problem(
                    Severity.WARNING,
                    "no-point",
                    "the feature has no coordinates or geometry; kept without a point, so it "
                    "can be placed only by its postcode",
                    "export with 'out center;' or include the geometry.",
                    table=table,
                    row=number,
                    record=props.get("osm_id"),
                )
            local_id = f"{feature.osm_type}/{feature.osm_id}"
            identifiers = [f"osm:{local_id}"]
            if "uprn" in props:
                identifiers.append(f"uprn:{int(props['uprn'])}")
            yield NodeRecord(
                NodeType.LOCATION,
                local_key(ctx.source, NodeType.LOCATION, local_id),
                props,
                table=table,
                record_id=local_id,
                identifiers=tuple(identifiers),
                row=number,
            )
        if skipped:
            ctx.problem(
                Severity.NOTE,
                "not-a-facility",
                f"{sum(skipped.values())} features are not community facilities (by their "
                "tags); counted as read and skipped",
                "",
                table=table,
                value="; ".join(f"{k}: {v}" for k, v in sorted(skipped.items())),
            )
    ctx.variant = " + ".join(sorted(variants))


register(
    Ingester(
        name="osm",
        summary="OpenStreetMap community facilities (Overpass JSON or GeoJSON, file or folder).",
        read=read_osm,
        example="civicgraph ingest osm ../shared/data/osm_isle_of_man_facilities/",
    )
)
