"""The town's geography, written as the real ONS and MHCLG files are.

The town's small areas are LSOAs with fictional codes of the real shape:
``E019xxxxx`` LSOAs, ``E029xxxxx`` MSOAs, ``E009xxxxx`` output areas, the
unitary authority ``E06000999`` and region ``E12000999``. Real 2011 codes stop
at ``E01033768`` (LSOA), ``E02006934`` (MSOA) and ``E00176774`` (OA), and no
region or authority code ends ``999``, so the town can share a workspace with
real data without a collision. (A real authority's LSOAs were the other
choice; fictional codes keep the town's planted facts, such as an estate with
no services, from being read as claims about a real place.)

:func:`write_area_files` writes, in the real files' headers and quirks (UTF-8
BOM, thousands separators in quoted numbers):

* ``File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv`` (rank and decile);
* ``File_6_-_IoD2019_Population_Denominators.csv`` (populations);
* ``OA11_LSOA11_MSOA11_LAD17_OAC_lookup_EW.csv`` (OA -> LSOA -> MSOA -> LAD ->
  region -> country);
* ``lsoa_latlong.csv`` and ``msoa_latlong.csv`` (centroids, as in the
  drkane lookups);
* ``ONSPD_town_postcodes.csv`` (the town's postcodes in ONS Postcode
  Directory columns: ``pcds``, ``lsoa11``, ``lat``, ``long``...).

Planted areas (:attr:`Town.planted_areas`) lie on the deprived east edge,
a few kilometres beyond the last buildings, and no service serves them:
``si-index`` must rank them poorest and ``gaps`` must list them.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from .._files import atomic_write, write_text
from .town import TOWN_NAME, Area, Town

__all__ = [
    "COUNTRY",
    "LSOAS_PER_MSOA",
    "REGION",
    "TOTAL_LSOAS_ENGLAND",
    "AreaFiles",
    "msoa_of",
    "write_area_files",
    "write_osm_facilities",
]

TOTAL_LSOAS_ENGLAND = 32844
"""LSOAs the IMD 2019 ranks (1 is the most deprived)."""
LSOAS_PER_MSOA = 4
REGION = ("E12000999", f"{TOWN_NAME} Region")
COUNTRY = ("E92000001", "England")

FILE_1 = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
FILE_6 = "File_6_-_IoD2019_Population_Denominators.csv"
LOOKUP = "OA11_LSOA11_MSOA11_LAD17_OAC_lookup_EW.csv"
LSOA_CENTROIDS = "lsoa_latlong.csv"
MSOA_CENTROIDS = "msoa_latlong.csv"
POSTCODES = "ONSPD_town_postcodes.csv"

_FILE_1_HEADER = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile",
]
_FILE_6_HEADER = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Total population: mid 2015 (excluding prisoners)",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
    "Population aged 16-59: mid 2015 (excluding prisoners)",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)",
    "Working age population 18-59/64: for use with Employment Deprivation Domain "
    "(excluding prisoners)",
]
_LOOKUP_HEADER = [
    "OA11CD",
    "OAC11CD",
    "OAC11NM",
    "LSOA11CD",
    "LSOA11NM",
    "SOAC11CD",
    "SOAC11NM",
    "MSOA11CD",
    "MSOA11NM",
    "LAD17CD",
    "LAD17NM",
    "LACCD",
    "LACNM",
    "RGN11CD",
    "RGN11NM",
    "CTRY11CD",
    "CTRY11NM",
    "FID",
]
_OAC = (
    ("7d1", "Ageing Communities and Families"),
    ("6a2", "Suburban Achievers"),
    ("4b3", "Multi-Ethnic Suburbia"),
    ("8b2", "Hard-Pressed Ageing Workers"),
)


@dataclass(frozen=True)
class AreaFiles:
    """The files :func:`write_area_files` wrote, in the order to ingest them."""

    folder: Path
    imd: Path
    population: Path
    lookup: Path
    lsoa_centroids: Path
    msoa_centroids: Path
    postcodes: Path

    @property
    def paths(self) -> list[Path]:
        return [
            self.lookup,
            self.imd,
            self.population,
            self.lsoa_centroids,
            self.msoa_centroids,
            self.postcodes,
        ]


def msoa_of(index: int) -> tuple[str, str]:
    """The MSOA (code, name) of the town's ``index``-th LSOA (names match: 001A is in 001)."""
    number = index // LSOAS_PER_MSOA
    return f"E02{900000 + number:06d}", f"{TOWN_NAME} {number + 1:03d}"


def _rank(area: Area, rng: random.Random) -> int:
    """A national IMD rank inside the area's decile band."""
    low = (area.imd_decile - 1) * TOTAL_LSOAS_ENGLAND // 10 + 1
    high = area.imd_decile * TOTAL_LSOAS_ENGLAND // 10
    return rng.randint(low, high)


def _thousands(n: int) -> str:
    return f"{n:,}"


def write_area_files(town: Town, out: str | Path) -> AreaFiles:
    """Write the town's areas as IMD File 1, File 6, an OA lookup and centroid files.

    Examples
    --------
    >>> import tempfile
    >>> from civicgraph.synth import make_town
    >>> files = write_area_files(make_town(100, seed=1), tempfile.mkdtemp())
    >>> files.imd.read_text(encoding="utf-8-sig").splitlines()[0][:33]
    'LSOA code (2011),LSOA name (2011)'
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(town.seed * 7919 + 11)
    lad_name = TOWN_NAME
    files = AreaFiles(
        folder,
        folder / FILE_1,
        folder / FILE_6,
        folder / LOOKUP,
        folder / LSOA_CENTROIDS,
        folder / MSOA_CENTROIDS,
        folder / POSTCODES,
    )
    with (
        atomic_write(files.imd, encoding="utf-8-sig", newline="") as imd,
        atomic_write(files.population, encoding="utf-8-sig", newline="") as pop,
    ):
        imd_writer, pop_writer = csv.writer(imd), csv.writer(pop)
        imd_writer.writerow(_FILE_1_HEADER)
        pop_writer.writerow(_FILE_6_HEADER)
        for area in town.areas:
            imd_writer.writerow(
                [
                    area.code,
                    area.name,
                    town.lad_code,
                    lad_name,
                    _thousands(_rank(area, rng)),
                    area.imd_decile,
                ]
            )
            children = round(area.population * rng.uniform(0.15, 0.25))
            older = round(area.population * rng.uniform(0.15, 0.3))
            middle = area.population - children - older
            pop_writer.writerow(
                [
                    area.code,
                    area.name,
                    town.lad_code,
                    lad_name,
                    _thousands(area.population),
                    children,
                    _thousands(middle),
                    older,
                    _thousands(round(middle * 1.08)),
                ]
            )
    fid = 0
    with atomic_write(files.lookup, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_LOOKUP_HEADER)
        for index, area in enumerate(town.areas):
            msoa_code, msoa_name = msoa_of(index)
            oac_code, oac_name = _OAC[index % len(_OAC)]
            for oa in range(5):
                fid += 1
                writer.writerow(
                    [
                        f"E00{900000 + index * 5 + oa:06d}",
                        oac_code,
                        oac_name,
                        area.code,
                        area.name,
                        oac_code[:2],
                        oac_name,
                        msoa_code,
                        msoa_name,
                        town.lad_code,
                        lad_name,
                        "6a2r",
                        "Suburban Achievers",
                        REGION[0],
                        REGION[1],
                        COUNTRY[0],
                        COUNTRY[1],
                        fid,
                    ]
                )
    with atomic_write(files.lsoa_centroids, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["LSOACD", "latitude", "longitude", "lsoa11cd"])
        for area in town.areas:
            writer.writerow([area.code, area.latitude, area.longitude, area.code])
    msoas: dict[str, list[Area]] = {}
    for index, area in enumerate(town.areas):
        msoas.setdefault(msoa_of(index)[0], []).append(area)
    with atomic_write(files.msoa_centroids, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["MSOACD", "latitude", "longitude", "msoa11cd"])
        for code, members in msoas.items():
            weight = sum(a.population for a in members)
            lat = sum(a.latitude * a.population for a in members) / weight
            lon = sum(a.longitude * a.population for a in members) / weight
            writer.writerow([code, round(lat, 6), round(lon, 6), code])
    with atomic_write(files.postcodes, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pcds", "dointr", "doterm", "oslaua", "lsoa11", "msoa11", "lat", "long"])
        written: set[str] = set()
        for index, area in enumerate(town.areas):
            for postcode in area.postcodes:
                if postcode in written:  # two areas drew one postcode: the first keeps it
                    continue
                written.add(postcode)
                writer.writerow(
                    [
                        postcode,
                        "199801",
                        "",
                        town.lad_code,
                        area.code,
                        msoa_of(index)[0],
                        round(area.latitude + rng.uniform(-0.002, 0.002), 6),
                        round(area.longitude + rng.uniform(-0.003, 0.003), 6),
                    ]
                )
    return files


_OSM_TAGS = {
    "community centre": ("amenity", "community_centre"),
    "library": ("amenity", "library"),
    "church hall": ("amenity", "place_of_worship"),
    "health centre": ("amenity", "doctors"),
    "school": ("amenity", "school"),
    "sports centre": ("leisure", "sports_centre"),
}


def write_osm_facilities(town: Town, out: str | Path) -> Path:
    """The town's community buildings as an OpenStreetMap GeoJSON export (offices left out).

    Each carries ``ref:GB:uprn`` (so it is one node with the directory's
    location), and every fifth is a building outline exported as a closed line
    string, as real extracts have them.

    Examples
    --------
    >>> import json, tempfile
    >>> from civicgraph.synth import make_town
    >>> path = write_osm_facilities(make_town(100, seed=1), tempfile.mkdtemp() + "/f.geojson")
    >>> json.loads(path.read_text())["type"]
    'FeatureCollection'
    """
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    features = []
    for index, building in enumerate(town.buildings):
        if building.kind not in _OSM_TAGS or building.latitude is None:
            continue
        key, value = _OSM_TAGS[building.kind]
        lat, lon = building.latitude, building.longitude or 0.0
        number, _, street = building.street.partition(" ")
        props = {
            key: value,
            "name": building.name,
            "addr:housenumber": number,
            "addr:street": street,
            "addr:postcode": building.postcode.upper(),
            "ref:GB:uprn": building.uprn,
            "osm_id": 800_000 + index,
            "osm_type": "way" if index % 5 == 0 else "node",
        }
        geometry: dict[str, object]
        if index % 5 == 0:
            d = 0.0002
            ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
            geometry = {"type": "LineString", "coordinates": [*ring, ring[0]]}
        else:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    write_text(path, json.dumps({"type": "FeatureCollection", "features": features}, indent=1))
    return path
