"""A reproducible synthetic UK town: areas, buildings, organisations and their services.

The same ``(services, seed)`` always gives the same town. Its shape follows
real directories: a few large providers (the council, an NHS trust) run many
services, most organisations run one or two; community buildings host several
organisations' services; categories are unevenly common; and a sprinkling of
the dirt real data has is planted on purpose (see :class:`Dirt`).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .taxonomy import CATEGORIES, Category, ServiceType, service_types

T = TypeVar("T")

__all__ = ["Area", "Building", "Dirt", "Organisation", "Service", "Town", "make_town"]

TOWN_NAME = "Oakbridge"
POSTCODE_AREA = "OB"  # not a real UK postcode area, so it cannot be confused with one
CENTRE = (52.95, -1.45)  # a plausible English latitude/longitude for the town centre
LAD_CODE = "E06000999"  # a fictional unitary authority code


@dataclass
class Area:
    """A small area (LSOA-like) with its people, deprivation and postcodes."""

    code: str
    name: str
    population: int
    imd_decile: int
    latitude: float
    longitude: float
    postcodes: list[str]


@dataclass
class Building:
    """A place services happen: a community centre, library, church hall, surgery, office."""

    id: str
    name: str
    kind: str
    street: str
    postcode: str
    area: str
    latitude: float | None
    longitude: float | None
    uprn: str


@dataclass
class Organisation:
    """A provider: charity, council, NHS body, company, CIC or community group."""

    id: str
    name: str
    kind: str
    sector: str
    org_id: str | None
    """Its org-id (GB-CHC-..., GB-COH-...), or None for an unregistered group."""
    scheme: str | None
    number: str | None
    website: str | None
    email: str | None
    phone: str
    base: str
    """The id of its main building."""


@dataclass
class Service:
    """A service an organisation runs, in one category, at one or more buildings."""

    id: str
    organisation: str
    name: str
    category: Category
    type: ServiceType
    description: str
    buildings: list[str]
    areas_served: list[str]
    phone: str
    email: str | None
    url: str | None
    opens: str
    closes: str
    days: str
    languages: list[str]
    free: bool
    status: str = "active"
    """Its HSDS status: ``active``, or ``inactive`` once closed (see synth.changes)."""


@dataclass
class Dirt:
    """What was planted wrong, so tests can check the ingest reports it."""

    dangling_organisation: list[str] = field(default_factory=list)
    """Service ids whose organisation_id names no organisation."""
    duplicated_services: list[str] = field(default_factory=list)
    """Service ids written twice."""
    padded_names: list[str] = field(default_factory=list)
    """Service ids whose name has stray spaces."""
    untidy_postcodes: list[str] = field(default_factory=list)
    """Building ids whose postcode is lower case or unspaced."""
    missing_coordinates: list[str] = field(default_factory=list)
    """Building ids without latitude/longitude."""


@dataclass
class Town:
    name: str
    seed: int
    lad_code: str
    areas: list[Area]
    buildings: list[Building]
    organisations: list[Organisation]
    services: list[Service]
    dirt: Dirt
    planted_areas: list[str] = field(default_factory=list)
    """Codes of areas planted with no service or building near them (see synth.geography)."""


_STREETS = (
    "High Street",
    "Church Lane",
    "Station Road",
    "Mill Road",
    "Park Avenue",
    "Victoria Road",
    "Queen Street",
    "King's Road",
    "Market Place",
    "Bridge Street",
    "Green Lane",
    "Chapel Street",
    "Albert Road",
    "North Street",
    "London Road",
    "Manor Way",
    "Orchard Close",
    "Riverside",
    "Hill Top",
    "Oak Crescent",
    "Elm Grove",
    "Canal Walk",
    "Forge Lane",
    "School Lane",
)
_PLACES = (
    "Ashfield",
    "Brookside",
    "Castlegate",
    "Dale End",
    "Eastwood",
    "Fernhill",
    "Gorsey Bank",
    "Hartley",
    "Ivy Green",
    "Kingsmead",
    "Lowfield",
    "Marsh Lane",
    "Northgate",
    "Old Mill",
    "Priory",
    "Queensway",
    "Riverside",
    "St Anne's",
    "Thornbury",
    "Upperton",
    "Westfield",
    "Yewtree",
)
_BUILDING_KINDS = (
    ("community centre", "{place} Community Centre", 4),
    ("library", "{place} Library", 1.5),
    ("church hall", "St {saint}'s Church Hall", 2),
    ("health centre", "{place} Health Centre", 1.5),
    ("office", "{number} {street}", 4),
    ("school", "{place} Primary School", 1),
    ("sports centre", "{place} Leisure Centre", 0.7),
)
_SAINTS = ("Mary", "John", "Peter", "Andrew", "Luke", "Anne", "Michael", "Barnabas", "Chad")
_LANGUAGES = ("English", "Polish", "Urdu", "Punjabi", "Romanian", "Arabic", "Bengali", "Somali")
_ORG_KINDS = (
    # kind, share, services-per-organisation scale
    ("charity", 0.45, 2.0),
    ("community group", 0.25, 1.0),
    ("CIC", 0.12, 1.5),
    ("company", 0.06, 1.5),
    ("GP practice", 0.06, 1.5),
    ("school", 0.06, 1.0),
)


def _weighted(rng: random.Random, items: Sequence[tuple[T, float]]) -> T:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items], k=1)[0]


def make_town(services: int = 2000, seed: int = 1) -> Town:
    """Make a synthetic town with about ``services`` services, reproducibly from ``seed``.

    Examples
    --------
    >>> town = make_town(200, seed=7)
    >>> len(town.services), town == make_town(200, seed=7)
    (200, True)
    """
    if services < 1:
        raise ValueError("a town needs at least one service")
    rng = random.Random(seed)
    areas = _make_areas(rng, max(8, services // 50))
    buildings = _make_buildings(rng, areas, max(6, services // 3))
    organisations = _make_organisations(rng, buildings, max(3, services // 4))
    service_list = _make_services(rng, organisations, buildings, areas, services)
    dirt = _plant_dirt(rng, service_list, buildings)
    # Drawn from their own generator, after everything else, so the rest of the town is
    # the same as it was before areas were planted.
    planted = _plant_unserved_areas(random.Random(seed * 104_729 + 3), areas)
    return Town(
        TOWN_NAME,
        seed,
        LAD_CODE,
        areas + planted,
        buildings,
        organisations,
        service_list,
        dirt,
        [a.code for a in planted],
    )


def _make_areas(rng: random.Random, count: int) -> list[Area]:
    side = math.ceil(math.sqrt(count))
    areas = []
    # Deprivation is spatially clustered: a gradient from a poor east to a richer west, plus noise.
    for index in range(count):
        row, col = divmod(index, side)
        latitude = CENTRE[0] + (row - side / 2) * 0.006 + rng.uniform(-0.001, 0.001)
        longitude = CENTRE[1] + (col - side / 2) * 0.009 + rng.uniform(-0.0015, 0.0015)
        gradient = 1 + 9 * (1 - col / max(1, side - 1))
        decile = min(10, max(1, round(gradient + rng.gauss(0, 1.5))))
        district = 1 + index // 60
        postcodes = [
            f"{POSTCODE_AREA}{district} {(index % 9) + 1}{_letters(rng)}"
            for _ in range(rng.randint(8, 16))
        ]
        areas.append(
            Area(
                code=f"E01{900000 + index:06d}",
                name=f"{TOWN_NAME} {index // 4 + 1:03d}{'ABCD'[index % 4]}",
                population=rng.randint(1200, 2600),
                imd_decile=decile,
                latitude=round(latitude, 6),
                longitude=round(longitude, 6),
                postcodes=sorted(set(postcodes)),
            )
        )
    return areas


PLANTED_OFFSET = 0.05
"""Degrees of longitude (about 3.3 km) between the town's east edge and its planted areas."""


def _plant_unserved_areas(rng: random.Random, areas: list[Area]) -> list[Area]:
    """A deprived estate beyond the town's east edge: areas no service serves or stands near."""
    east = max(a.longitude for a in areas) + PLANTED_OFFSET
    south = min(a.latitude for a in areas)
    north = max(a.latitude for a in areas)
    count = max(2, len(areas) // 20)
    planted = []
    for k in range(count):
        index = len(areas) + k
        latitude = south + (north - south) * (k + 0.5) / count
        planted.append(
            Area(
                code=f"E01{900000 + index:06d}",
                name=f"{TOWN_NAME} {index // 4 + 1:03d}{'ABCD'[index % 4]}",
                population=rng.randint(1400, 2400),
                imd_decile=rng.choice((1, 1, 2)),
                latitude=round(latitude, 6),
                longitude=round(east + rng.uniform(0, 0.004), 6),
                postcodes=[f"{POSTCODE_AREA}99 {(k % 9) + 1}{_letters(rng)}" for _ in range(3)],
            )
        )
    return planted


def _letters(rng: random.Random) -> str:
    return "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))


def _make_buildings(rng: random.Random, areas: list[Area], count: int) -> list[Building]:
    kinds: list[tuple[tuple[str, str], float]] = [((k, p), w) for k, p, w in _BUILDING_KINDS]
    buildings = []
    for index in range(count):
        kind, pattern = _weighted(rng, kinds)
        area = rng.choice(areas)
        place = rng.choice(_PLACES)
        street = rng.choice(_STREETS)
        number = rng.randint(1, 240)
        name = pattern.format(place=place, saint=rng.choice(_SAINTS), number=number, street=street)
        buildings.append(
            Building(
                id=f"loc-{index + 1:06d}",
                name=name if kind != "office" else f"{name}",
                kind=kind,
                street=f"{number} {street}",
                postcode=rng.choice(area.postcodes),
                area=area.code,
                latitude=round(area.latitude + rng.uniform(-0.002, 0.002), 6),
                longitude=round(area.longitude + rng.uniform(-0.003, 0.003), 6),
                uprn=str(100_000_000_000 + index * 7 + rng.randint(0, 6)),
            )
        )
    return buildings


def _org_name(rng: random.Random, kind: str, category: Category, index: int) -> str:
    place = rng.choice(_PLACES)
    topic = category.name.split(" and ")[0]
    patterns = {
        "charity": (
            f"{place} {topic} Trust",
            f"{TOWN_NAME} {topic} Project",
            f"Friends of {place}",
            f"{place} Community Association",
            f"{TOWN_NAME} & District {topic} Network",
        ),
        "community group": (
            f"{place} {topic} Group",
            f"{place} Residents' Group",
            f"{place} Circle",
        ),
        "CIC": (f"{place} {topic} CIC", f"Bright Futures {place} CIC"),
        "company": (f"{place} {topic} Services Ltd", f"{TOWN_NAME} Care Limited"),
        "GP practice": (f"{place} Medical Practice", f"{place} Surgery"),
        "school": (f"{place} Primary School", f"{place} Academy"),
    }[kind]
    return f"{rng.choice(patterns)}" + (f" {index}" if rng.random() < 0.02 else "")


def _make_organisations(
    rng: random.Random, buildings: list[Building], count: int
) -> list[Organisation]:
    organisations = [
        Organisation(
            "org-000001",
            f"{TOWN_NAME} City Council",
            "council",
            "public",
            "GB-LAE-OAK",
            "GB-LAE",
            "OAK",
            "https://www.oakbridge.gov.uk",
            "enquiries@oakbridge.gov.uk",
            "01632 960000",
            buildings[0].id,
        ),
        Organisation(
            "org-000002",
            f"{TOWN_NAME} and District NHS Foundation Trust",
            "NHS body",
            "health",
            "GB-NHS-RX9",
            "GB-NHS",
            "RX9",
            "https://www.oakbridge.nhs.uk",
            None,
            "01632 960100",
            buildings[min(1, len(buildings) - 1)].id,
        ),
    ]
    used_names = {o.name for o in organisations}
    used_ids = {o.org_id for o in organisations if o.org_id}
    kinds: list[tuple[tuple[str, float], float]] = [((k, sc), sh) for k, sh, sc in _ORG_KINDS]
    for index in range(len(organisations), count):
        kind, _scale = _weighted(rng, kinds)
        category = rng.choice(CATEGORIES)
        name = _org_name(rng, kind, category, index)
        while name in used_names:
            name = f"{name} {rng.choice(_PLACES)}"
        used_names.add(name)
        scheme, number = _registration(rng, kind, used_ids)
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
        has_site = kind != "community group" or rng.random() < 0.4
        organisations.append(
            Organisation(
                id=f"org-{index + 1:06d}",
                name=name,
                kind=kind,
                sector=category.sector,
                org_id=f"{scheme}-{number}" if scheme else None,
                scheme=scheme,
                number=number,
                website=f"https://www.{slug}.org.uk" if has_site else None,
                email=f"hello@{slug}.org.uk" if has_site else None,
                phone=f"01632 {rng.randint(960200, 960999)}",
                base=rng.choice(buildings).id,
            )
        )
    return organisations


def _registration(
    rng: random.Random, kind: str, used: set[str]
) -> tuple[str, str] | tuple[None, None]:
    """A register and a number no other organisation of the town has (numbers are ids)."""
    draw: dict[str, tuple[str, Callable[[], str]]] = {
        "charity": ("GB-CHC", lambda: str(rng.randint(1_000_000, 1_199_999))),
        "CIC": ("GB-COH", lambda: f"{rng.randint(1, 14_999_999):08d}"),
        "company": ("GB-COH", lambda: f"{rng.randint(1, 14_999_999):08d}"),
        "GP practice": ("GB-NHS", lambda: f"C{rng.randint(10000, 99999)}"),
        "school": ("GB-EDU", lambda: str(rng.randint(100000, 149999))),
    }
    if kind not in draw:
        return None, None
    scheme, number = draw[kind]
    for _ in range(1000):
        candidate = number()
        if f"{scheme}-{candidate}" not in used:
            used.add(f"{scheme}-{candidate}")
            return scheme, candidate
    return None, None  # the register's range is used up: an unregistered body


def _make_services(
    rng: random.Random,
    organisations: list[Organisation],
    buildings: list[Building],
    areas: list[Area],
    count: int,
) -> list[Service]:
    pairs = service_types()
    by_sector: dict[str, list[tuple[Category, ServiceType]]] = {}
    for category, kind in pairs:
        by_sector.setdefault(category.sector, []).append((category, kind))
    # Providers' sizes are heavy-tailed: the council and the trust run many services.
    weights = [60.0, 40.0] + [rng.paretovariate(1.6) for _ in organisations[2:]]
    cumulative = list(itertools.accumulate(weights))  # choices() with cum_weights is O(log n)
    hubs = [b for b in buildings if b.kind in ("community centre", "library", "church hall")]
    services = []
    for index in range(count):
        organisation = rng.choices(organisations, cum_weights=cumulative, k=1)[0]
        if organisation.kind == "council" or rng.random() < 0.35:
            category, kind = rng.choices(pairs, weights=[k.weight for _, k in pairs], k=1)[0]
        else:
            choices = by_sector.get(organisation.sector) or pairs
            category, kind = rng.choices(choices, weights=[k.weight for _, k in choices], k=1)[0]
        # Most services run from the organisation's base; many from shared community hubs.
        sites = [organisation.base]
        if hubs and rng.random() < 0.45:
            sites = [rng.choice(hubs).id]
        if rng.random() < 0.1:
            sites.append(rng.choice(buildings).id)
        served = rng.sample(areas, k=min(len(areas), rng.choice((1, 1, 2, 3))))
        opens = rng.choice(("09:00", "09:30", "10:00", "13:00", "18:00"))
        services.append(
            Service(
                id=f"svc-{index + 1:07d}",
                organisation=organisation.id,
                name=f"{kind.name} – {organisation.name}" if rng.random() < 0.5 else kind.name,
                category=category,
                type=kind,
                description=(
                    f"{kind.name} for people in {TOWN_NAME}, run by {organisation.name}. "
                    f"Part of our {category.name.lower()} work."
                ),
                buildings=list(dict.fromkeys(sites)),
                areas_served=[a.code for a in served],
                phone=organisation.phone
                if rng.random() < 0.7
                else f"07700 {rng.randint(900000, 900999)}",
                email=organisation.email,
                url=f"{organisation.website}/services/{index + 1}"
                if organisation.website
                else None,
                opens=opens,
                closes=f"{min(21, int(opens[:2]) + rng.choice((2, 3, 4, 8))):02d}:00",
                days=rng.choice(("MO,TU,WE,TH,FR", "MO,WE,FR", "TU,TH", "SA", "WE")),
                languages=["English", *rng.sample(_LANGUAGES[1:], k=rng.choice((0, 0, 0, 1, 2)))],
                free=rng.random() < 0.85,
            )
        )
    return services


def _plant_dirt(rng: random.Random, services: list[Service], buildings: list[Building]) -> Dirt:
    dirt = Dirt()
    per_mille = max(1, len(services) // 1000)
    for service in rng.sample(services, k=min(len(services), 2 * per_mille)):
        service.organisation = f"org-missing-{service.id}"
        dirt.dangling_organisation.append(service.id)
    dirt.duplicated_services = [s.id for s in rng.sample(services, k=min(len(services), per_mille))]
    for service in rng.sample(services, k=min(len(services), 5 * per_mille)):
        service.name = f"  {service.name} "
        dirt.padded_names.append(service.id)
    sample = max(1, len(buildings) // 20)
    for building in rng.sample(buildings, k=sample):
        building.postcode = building.postcode.lower().replace(" ", "")
        dirt.untidy_postcodes.append(building.id)
    for building in rng.sample(buildings, k=sample):
        building.latitude = building.longitude = None
        dirt.missing_coordinates.append(building.id)
    return dirt
