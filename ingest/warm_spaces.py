"""Warm spaces: venues that offer a warm, free place in winter, as activities at venues.

``civicgraph ingest warm-spaces FILE`` reads the Open Innovations collation of
UK warm-space directories (a GeoJSON FeatureCollection of points; each
feature's ``_source`` names the directory that listed it: Warm Welcome, a
council, a voluntary-sector list). Each feature is one *offer*:

- an ``Activity`` of kind ``warm space`` (its ``title``, ``description``,
  opening hours: ``hours.opening`` in OpenStreetMap's compact form becomes
  ``opening_hours``, a weekly ``schedule`` and ``sessions_per_week``), that
  ``HAPPENS_AT``
- a ``Location``: the venue, with its address, postcode (given, or read from
  the address) and point, ``listed_by`` the directory.

The same hall listed by Warm Welcome and by its council is one venue: the
place rule (:mod:`civicgraph.graph.places`) joins listings of *different*
directories whose names score 90 or more and whose postcodes agree or whose
points are within 75 m (closer calls go to ``civicgraph resolve --review``;
two listings of one directory are never joined), and ``civicgraph resolve
--merges`` shows the evidence. The ingest report says how many offers
collapsed into how many venues.

Contact cells (phone numbers and e-mail addresses, some of them a
volunteer's own) are not stored; e-mail addresses and phone numbers inside
addresses and descriptions are masked (``contacts_masked`` counts them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..graph import EdgeRecord, NodeRecord, Problem, Record, Severity, Workspace, local_key
from ..ontology import EdgeType, NodeType, normalise_name
from ._activity import mask_contacts, parse_opening_hours, schedule_per_week
from ._io import load_json, sha256_of
from ._pipeline import ReadContext
from ._registry import Ingester, register
from ._values import address_props

__all__ = ["read_warm_spaces", "venues_collapsed"]

_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", re.IGNORECASE)


def _in_uk(lat: float, lon: float) -> bool:
    return 49.8 <= lat <= 61.0 and -8.7 <= lon <= 2.0


def _object(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def read_warm_spaces(source: str, ctx: ReadContext) -> Iterator[Record]:
    """Yield one warm-space ``Activity`` and its venue ``Location`` per feature.

    Raises
    ------
    InputError
        The file is not a GeoJSON FeatureCollection.
    UsageError
        No such file.
    """
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"{path}: no such file. Fix: give the warm spaces GeoJSON file.")
    data = load_json(path, encoding=ctx.encoding)
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise InputError(
            "is not a GeoJSON FeatureCollection (no 'features' list); nothing was read.",
            path=path,
            fix="give the warm spaces GeoJSON (warm_spaces_all.geojson).",
        )
    ctx.sha256 = sha256_of(path)
    ctx.variant = "warm spaces GeoJSON"
    table = path.name
    seen: dict[str, int] = {}
    abroad = no_title = masked_contacts = 0
    ctx.expect(len(data["features"]))
    for number, feature in enumerate(data["features"], start=1):
        ctx.read(table)
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            ctx.reject(table, "bad-feature", "is not a GeoJSON feature; rejected", "", row=number)
            continue
        directory = _text(props.get("_source")) or "unknown"
        title = _text(props.get("title"))
        address, masked = mask_contacts(_text(props.get("address")))
        description, found = mask_contacts(_text(props.get("description")))
        masked += found
        if _text(props.get("contact")):
            masked += mask_contacts(_text(props.get("contact")))[1] or 1
        masked_contacts += masked
        point = _point(feature.get("geometry"))
        if point is None and feature.get("geometry") is not None:
            ctx.problem(
                Severity.WARNING,
                "bad-geometry",
                "the feature's geometry is not a point with two numbers; kept without a point",
                "give Point geometries in WGS84 (longitude, latitude).",
                table=table,
                row=number,
                field="geometry",
            )
        if point is not None and not _in_uk(*point):
            abroad += 1
        if not title:
            no_title += 1
        postcode = _text(props.get("postcode")) or next(
            (m[1] for m in _POSTCODE.finditer(address)), ""
        )
        base = f"{directory}/{normalise_name(title) or 'untitled'}|{postcode or address}"
        seen[base] = seen.get(base, 0) + 1
        local_id = base if seen[base] == 1 else f"{base}#{seen[base]}"
        location_key = local_key(ctx.source, NodeType.LOCATION, local_id)
        activity_key = local_key(ctx.source, NodeType.ACTIVITY, local_id)
        venue: dict[str, Any] = {"location_type": "physical", "listed_by": directory}
        if title:
            venue["name"] = title
        venue.update(address_props(address or None, None, postcode or None))
        if point is not None:
            venue["latitude"], venue["longitude"] = point
        offer: dict[str, Any] = {
            "activity_kind": "warm space",
            "opportunity_type": "warm space offer",
            "categories": ["warm space"],
            "listed_by": directory,
        }
        if title:
            offer["name"] = title
        if description:
            offer["description"] = description
        if masked:
            offer["contacts_masked"] = masked
        hours = _object(props.get("hours"))
        opening = _text(hours.get("opening"))
        if opening:
            offer["opening_hours"] = opening
            schedule = parse_opening_hours(opening)
            if schedule is None:
                ctx.problem(
                    Severity.NOTE,
                    "unread-hours",
                    "opening hours are not in the compact form (Mo 10:00-12:00); kept as "
                    "text, with no weekly schedule",
                    "",
                    table=table,
                    row=number,
                    field="hours.opening",
                    value=opening,
                )
            else:
                offer["schedule"] = schedule
                offer["sessions_per_week"] = schedule_per_week(schedule)
        url = _text(props.get("url"))
        if "@" in url and not url.lower().startswith("http"):
            offer["contacts_masked"] = offer.get("contacts_masked", 0) + 1
            masked_contacts += 1
        elif url:
            offer["url"] = url
        yield NodeRecord(
            NodeType.LOCATION,
            location_key,
            venue,
            table=table,
            record_id=local_id,
            row=number,
            counted=False,
        )
        yield NodeRecord(
            NodeType.ACTIVITY, activity_key, offer, table=table, record_id=local_id, row=number
        )
        yield EdgeRecord(
            EdgeType.HAPPENS_AT, activity_key, location_key, table, local_id, row=number
        )
    if no_title:
        ctx.problem(
            Severity.WARNING,
            "no-title",
            f"{no_title} offers have no title; kept, but their venues cannot be matched by name",
            "give each warm space its venue's name.",
            table=table,
            field="title",
        )
    if abroad:
        ctx.problem(
            Severity.WARNING,
            "outside-the-uk",
            f"{abroad} offers have points outside the UK (test entries, or the Republic of "
            "Ireland); kept, and left unplaced",
            "remove test entries from the directory.",
            table=table,
            field="geometry",
        )
    if masked_contacts:
        ctx.problem(
            Severity.NOTE,
            "contacts-not-stored",
            f"{masked_contacts} phone numbers and e-mail addresses in contact, address and "
            "description cells were not stored",
            "",
            table=table,
        )


def _point(geometry: Any) -> tuple[float, float] | None:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    lon, lat = coordinates[0], coordinates[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return float(lat), float(lon)


def venues_collapsed(workspace: Workspace, snapshot: int) -> Iterable[Problem]:
    """After the identity stage: how many offers of this snapshot fell into how many venues."""
    listings = Counter(workspace.snapshot_node_ids(snapshot, node_type=NodeType.LOCATION).values())
    offers, venues = sum(listings.values()), len(listings)
    shared = sum(1 for count in listings.values() if count > 1)
    yield Problem(
        Severity.NOTE,
        "venues-collapsed",
        f"{offers:,} offers are at {venues:,} venues; listed by more than one directory: "
        f"{shared:,} venues ({offers - venues:,} listings folded into them; see civicgraph "
        "resolve --merges)",
        "",
        table="venues",
    )


register(
    Ingester(
        name="warm-spaces",
        summary="Warm spaces (the Open Innovations GeoJSON of UK directories): each offer an "
        "activity at its venue, one venue however many directories list it.",
        read=read_warm_spaces,
        example="civicgraph ingest warm-spaces "
        "../shared/data/uk_warm_spaces/warm_spaces_all.geojson",
        checks=(venues_collapsed,),
    )
)
