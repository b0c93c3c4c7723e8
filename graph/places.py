"""Locations that are one building: the place link finder.

A directory lists "Port Erin Library, Station Road, IM9 6AE"; OpenStreetMap
has a ``amenity=library`` named "Port Erin Library" 20 m away; a council's
asset register has it again. A shared UPRN settles it through the identifier
rule; without one, this finder links location records of *different*
sources (the identity stage never joins two records of one source by a rule
other than an identifier), or of one source that collates several
directories and says which listed each record (``listed_by``: the warm
spaces register lists one hall under Warm Welcome and under its council),
records of different directories, by the rules:

==========  ==============================================================
``certain`` names score >= 90 and the postcodes agree, or the points are
            within 75 m of each other
``review``  names score >= 90 and the points are within 250 m, or the
            postcodes agree and the names score >= 75
(none)      anything else
==========  ==============================================================

Records with two different UPRNs are never linked: they are two buildings
(a town's two "St Anne's Church Hall"s). Pairs are compared only within
blocks (the same normalised name, or the same postcode), so the work grows
with the number of locations, not its square.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import orjson
from rapidfuzz import fuzz

from ..ontology import NodeType, normalise_name
from .identity import Link, register_link_finder

__all__ = ["CERTAIN_METRES", "REVIEW_METRES", "links_by_place"]

CERTAIN_METRES = 75.0
REVIEW_METRES = 250.0
_NAME_SCORE = 90.0
_POSTCODE_NAME_SCORE = 75.0
_MAX_BLOCK = 60


@dataclass(slots=True)
class _Place:
    key: str
    source: str
    name: str
    norm: str
    postcode: str | None
    lat: float | None
    lon: float | None
    uprn: str | None = None
    listed_by: frozenset[str] = frozenset()


_CURRENT_LOCATIONS = """
    SELECT f.key, s.source, json_extract(f.props, '$.name'), json_extract(f.props, '$.postcode'),
           json_extract(f.props, '$.latitude'), json_extract(f.props, '$.longitude'),
           json_extract(f.props, '$.uprn'), json_extract(f.props, '$.listed_by')
    FROM node_fact f JOIN snapshot s ON s.id = f.snapshot_id
    WHERE s.is_current = 1 AND f.type = ?
"""


def _float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _metres(a: _Place, b: _Place) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    dy = (a.lat - b.lat) * 110_574.0
    dx = (a.lon - b.lon) * 111_320.0 * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def links_by_place(conn: sqlite3.Connection) -> Iterator[Link]:
    """Link location records of different sources that are one building (see the module)."""
    places: list[_Place] = []
    for key, source, name, postcode, lat, lon, uprn, listed_by in conn.execute(
        _CURRENT_LOCATIONS, (NodeType.LOCATION.value,)
    ):
        if not isinstance(name, str) or not name.strip():
            continue
        norm = normalise_name(name)
        if not norm:
            continue
        code = postcode.replace(" ", "").upper() if isinstance(postcode, str) else None
        places.append(
            _Place(
                key,
                source,
                name,
                norm,
                code or None,
                _float(lat),
                _float(lon),
                str(uprn).strip().removesuffix(".0") if uprn not in (None, "") else None,
                _directories(listed_by),
            )
        )
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, place in enumerate(places):
        blocks[("name", place.norm)].append(i)
        if place.postcode:
            blocks[("postcode", place.postcode)].append(i)
    seen: set[tuple[int, int]] = set()
    listings = _Listings()
    for members in blocks.values():
        if len(members) < 2 or len(members) > _MAX_BLOCK:
            continue
        for i, j in combinations(members, 2):
            a, b = places[i], places[j]
            within = a.source == b.source
            if a.key == b.key or (i, j) in seen:
                continue
            if within and not (a.listed_by and b.listed_by and a.listed_by.isdisjoint(b.listed_by)):
                continue  # one directory's two listings are two places, however alike
            if a.uprn and b.uprn and a.uprn != b.uprn:
                continue  # two UPRNs are two buildings, however alike their names
            seen.add((i, j))
            score = max(fuzz.token_sort_ratio(a.norm, b.norm), fuzz.ratio(a.norm, b.norm))
            metres = _metres(a, b)
            same_postcode = bool(a.postcode and a.postcode == b.postcode)
            near = metres is not None and metres <= CERTAIN_METRES
            if score >= _NAME_SCORE and (same_postcode or near):
                certain = True
            elif (score >= _NAME_SCORE and metres is not None and metres <= REVIEW_METRES) or (
                same_postcode and score >= _POSTCODE_NAME_SCORE
            ):
                certain = False
            else:
                continue
            evidence = {
                "names": [a.name, b.name],
                "score": round(score, 1),
                "postcode": a.postcode if same_postcode else None,
                "metres": None if metres is None else round(metres, 1),
            }
            if within:
                evidence["directories"] = sorted(a.listed_by | b.listed_by)
                if certain and not listings.union(a, b):
                    certain = False  # it would join two listings of one directory
            yield Link(
                a.key, b.key, "place", orjson.loads(orjson.dumps(evidence)), score, certain, within
            )


def _directories(value: object) -> frozenset[str]:
    """``listed_by``: one directory's name (or a JSON list of them)."""
    if not isinstance(value, str) or not value.strip():
        return frozenset()
    if value.startswith("["):
        try:
            listed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return frozenset()
        return frozenset(str(v) for v in listed if v) if isinstance(listed, list) else frozenset()
    return frozenset({value.strip()})


class _Listings:
    """Venues assembled from one source's listings: never two of one directory in one venue."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.directories: dict[str, frozenset[str]] = {}

    def find(self, place: _Place) -> str:
        key = place.key
        if key not in self.parent:
            self.parent[key] = key
            self.directories[key] = place.listed_by
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: _Place, b: _Place) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self.directories[ra].isdisjoint(self.directories[rb]):
            return False
        self.parent[rb] = ra
        self.directories[ra] = self.directories[ra] | self.directories.pop(rb)
        return True


register_link_finder(links_by_place)
