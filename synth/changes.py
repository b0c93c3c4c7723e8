"""Two dated snapshots of the synthetic town, with the changes between them planted and recorded.

:func:`synth_changes` makes a town, then a second snapshot of it six months on
in which some things changed the ways real directories change: a service
opened, one closed by its status field only and one by absence only (the
later directory no longer lists it), one moved to another building, one cut to
fewer hours, one renamed, one transferred to a community group and one now run
by volunteers. The grant files change too: a grant first listed, one whose
planned end fell between the snapshots, one ending within twelve months with
no later grant, and one ending to an organisation that has no other funder.
Both closures and the ended grant are placed in one area in the most deprived
IMD deciles, so provision and funding both fall there (the "spiral").

What was planted is written beside the snapshots as ``planted-changes.json``:
each change as ``civicgraph query changes`` should report it (``change``,
``type``, ``id``), for the source names and dates the manifest gives, so a
test can compare the query's answer with it exactly.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from .._files import write_bytes
from ..errors import UsageError
from ..ontology import NodeType
from ..queries.area_changes import SPIRAL_DECILES
from .geography import write_area_files
from .grants import FUNDERS, SynthGrant, grants_for, write_360giving
from .hsds import write_hsds_csv, write_hsds_json
from .town import Area, Building, Organisation, Service, Town, make_town

__all__ = [
    "AFTER",
    "BEFORE",
    "HSDS_FORMATS",
    "MANIFEST",
    "ChangedTown",
    "DatedSource",
    "PlantedChange",
    "plant_changes",
    "synth_changes",
]

BEFORE = "2025-01-15"
"""The first snapshot's date."""
AFTER = "2025-07-15"
"""The second snapshot's date."""
MANIFEST = "planted-changes.json"
"""The file, beside the snapshots, that records what was planted."""
HSDS_FORMATS = {"hsds-json": write_hsds_json, "hsds-csv": write_hsds_csv}
"""The directory formats, by the name ``--format`` gives them."""
DIRECTORY_SOURCE = "directory"
GRANTS_SOURCE = "grants"


@dataclass(frozen=True)
class PlantedChange:
    """One change planted between the snapshots, as ``query changes`` should report it."""

    change: str
    """The ``change`` column: opened, closed, moved, reduced, renamed, transferred..."""
    planted: str
    """What was done: ``closed-by-status``, ``closed-by-absence``, ``volunteer-run``,
    ``only-funder``..., or the same as ``change``."""
    type: str
    id: str
    """The node id once ingested under the manifest's source names."""
    record: str
    """The record's id in the file."""
    name: str
    area: str
    """The area it is (or, closed, was) placed in; ``; ``-separated for a grant's several."""
    how: str
    """What differs between the two files."""


@dataclass(frozen=True)
class DatedSource:
    """One file or folder to ingest, with the snapshot date to give it."""

    kind: str
    name: str
    path: Path
    snapshot_date: str


@dataclass
class ChangedTown:
    """The two snapshots: the town before, the town after, and what changed."""

    before: Town
    after: Town
    grants_before: list[SynthGrant]
    grants_after: list[SynthGrant]
    planted: list[PlantedChange] = field(default_factory=list)
    spiral_area: str = ""


def _service_id(record: str) -> str:
    return f"{DIRECTORY_SOURCE}:service:{record}"


def _plus_months(day: str, months: int, last_day: int = 28) -> str:
    start = date.fromisoformat(day)
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, min(start.day, last_day)).isoformat()


def _clean_services(town: Town) -> list[tuple[Service, Building]]:
    """Services the planted dirt does not touch, each at one building placed without doubt."""
    dirt = town.dirt
    untouched = (
        set(dirt.dangling_organisation) | set(dirt.duplicated_services) | set(dirt.padded_names)
    )
    messy = set(dirt.untidy_postcodes) | set(dirt.missing_coordinates)
    shared = Counter(p for a in town.areas for p in set(a.postcodes))
    buildings = {b.id: b for b in town.buildings}
    clean = []
    for service in town.services:
        if service.id in untouched or len(service.buildings) != 1:
            continue
        building = buildings[service.buildings[0]]
        if building.id in messy or shared[building.postcode] != 1:
            continue
        clean.append((service, building))
    return clean


def plant_changes(town: Town) -> ChangedTown:
    """The town six months on, with the changes planted (the town passed in is not changed).

    Raises
    ------
    UsageError
        The town is too small to plant every change (no area in the most deprived
        deciles with two services to close, or too few organisations to fund).

    Examples
    --------
    >>> changed = plant_changes(make_town(300, seed=5))
    >>> sorted({p.change for p in changed.planted})  # doctest: +NORMALIZE_WHITESPACE
    ['closed', 'funding-ended', 'funding-ending', 'funding-started', 'moved', 'opened',
     'reduced', 'renamed', 'transferred']
    """
    rng = random.Random(town.seed * 6_151 + 29)
    areas = {a.code: a for a in town.areas}
    clean = _clean_services(town)
    deprived = sorted(
        {b.area for _, b in clean if areas[b.area].imd_decile <= SPIRAL_DECILES}
        - set(town.planted_areas)
    )
    candidates = [a for a in deprived if sum(1 for _, b in clean if b.area == a) >= 2]
    too_small = (
        f"a town of {len(town.services)} services (seed {town.seed}) is too small to plant "
        "every change. Fix: use --services 300 or more, or another --seed."
    )
    if not candidates:
        raise UsageError(too_small, param="services")
    spiral = rng.choice(candidates)
    in_spiral = [(s, b) for s, b in clean if b.area == spiral]
    elsewhere = [(s, b) for s, b in clean if b.area != spiral]
    if len(elsewhere) < 7:
        raise UsageError(too_small, param="services")
    by_status, by_absence = rng.sample(in_spiral, 2)
    moved, reduced, renamed, transferred, volunteers, site = rng.sample(elsewhere, 6)

    after = copy.deepcopy(town)
    services = {s.id: s for s in after.services}
    planted: list[PlantedChange] = []

    def plant(change: str, planted_as: str, service: Service, building: Building, how: str) -> None:
        planted.append(
            PlantedChange(
                change,
                planted_as,
                NodeType.SERVICE.value,
                _service_id(service.id),
                service.id,
                service.name,
                building.area,
                how,
            )
        )

    services[by_status[0].id].status = "inactive"
    plant("closed", "closed-by-status", *by_status, "status 'active' → 'inactive'")
    after.services.remove(services[by_absence[0].id])
    plant("closed", "closed-by-absence", *by_absence, "not in the later directory")

    destinations = sorted({b.id: b for _, b in clean if b.id != moved[1].id}.items())
    if not destinations:
        raise UsageError(too_small, param="services")
    other = rng.choice(destinations)[1]
    services[moved[0].id].buildings = [other.id]
    plant("moved", "moved", moved[0], other, f"at {other.id} ({other.name}), was at {moved[1].id}")

    cut = services[reduced[0].id]
    opens = int(reduced[0].opens[:2])
    cut.closes = f"{opens + 1:02d}:00"
    plant("reduced", "reduced", *reduced, f"closes {cut.closes}, was {reduced[0].closes}")

    new_name = f"{renamed[0].type.name} Hub"
    if new_name == renamed[0].name.strip():
        new_name = f"{new_name} ({town.name})"
    services[renamed[0].id].name = new_name
    plant("renamed", "renamed", *renamed, f"named '{new_name}'")

    groups = [o for o in town.organisations if o.kind == "community group"]
    group = rng.choice(groups).name if groups else f"{town.name} Community Group"
    services[transferred[0].id].description += f" Transferred to {group} in June."
    plant("transferred", "transferred", *transferred, f"description: transferred to {group}")
    services[volunteers[0].id].description += " Now run by volunteers."
    plant("transferred", "volunteer-run", *volunteers, "description: now run by volunteers")

    opened = replace(
        site[0],
        id=f"svc-{len(town.services) + 1:07d}",
        name=f"{town.name} Warm Space",
        description=f"A warm, free place to sit, with a hot drink, in {town.name}.",
        buildings=[site[1].id],
        url=None,
        status="active",
    )
    after.services.append(opened)
    plant("opened", "opened", opened, site[1], "only in the later directory")

    grants_before, grants_after, grant_changes = _plant_grants(town, rng, spiral, areas)
    planted += grant_changes
    return ChangedTown(town, after, grants_before, grants_after, planted, spiral)


def _plant_grants(
    town: Town, rng: random.Random, spiral: str, areas: dict[str, Area]
) -> tuple[list[SynthGrant], list[SynthGrant], list[PlantedChange]]:
    base = grants_for(town)
    funded = {g.organisation.id for g in base}
    funder_ids = {f.org_id for f in FUNDERS}
    unfunded = [
        o
        for o in town.organisations
        if o.org_id
        and o.org_id not in funder_ids
        and o.id not in funded
        and o.kind in ("charity", "CIC", "company", "community group")
    ]
    recipients = [o for o in town.organisations if o.org_id and o.org_id not in funder_ids]
    if len(unfunded) < 2 or not recipients:
        raise UsageError(
            f"a town of {len(town.services)} services has too few organisations to plant "
            "its grants. Fix: use --services 300 or more.",
            param="services",
        )
    two_funders, one_funder = rng.sample(unfunded, 2)
    trust, _council, family = FUNDERS  # the trust and the family foundation publish JSON
    others = sorted(set(areas) - {spiral} - set(town.planted_areas))
    buildings = {b.id: b for b in town.buildings}

    def grant(
        funder_index: int,
        number: int,
        organisation: Organisation,
        grant_areas: tuple[str, ...],
        start: str | None,
        end: str | None,
    ) -> SynthGrant:
        funder = (trust, family)[funder_index]
        return SynthGrant(
            id=f"{funder.prefix}-planted-{number}",
            funder=funder,
            organisation=organisation,
            recipient_id=organisation.org_id or "",
            recipient_name=organisation.name,
            charity_number=None,
            amount=float(rng.randrange(5_000, 60_000, 500)),
            award_date=start or AFTER,
            areas=grant_areas,
            postcode=buildings[organisation.base].postcode,
            planned_start=start,
            planned_end=end,
        )

    # The new grant goes to a recipient the earlier files already name: a recipient first
    # named would be an organisation "opened" by the grant files, a change not planted.
    renewed = rng.choice([o for o in recipients if o not in (two_funders, one_funder)])
    ended = grant(0, 1, renewed, (spiral,), "2024-05-01", "2025-04-30")
    ending = grant(0, 2, two_funders, (rng.choice(others),), "2024-10-01", "2025-12-31")
    second = grant(1, 3, two_funders, ending.areas, None, None)
    only = grant(1, 4, one_funder, (rng.choice(others),), "2024-04-01", "2026-03-31")
    started = grant(0, 5, renewed, (rng.choice(others),), "2025-06-01", "2028-05-31")
    dated = [ended, ending, second, only]

    def planted(change: str, planted_as: str, g: SynthGrant, how: str) -> PlantedChange:
        return PlantedChange(
            change,
            planted_as,
            NodeType.GRANT.value,
            g.id,
            g.id,
            f"Grant to {g.recipient_name}",
            "; ".join(g.areas),
            how,
        )

    changes = [
        planted("funding-ended", "funding-ended", ended, f"planned end {ended.planned_end}"),
        planted(
            "funding-ending",
            "funding-ending",
            ending,
            f"planned end {ending.planned_end}; {two_funders.name} also has an undated grant "
            f"from {family.name}, none later",
        ),
        planted(
            "funding-ending",
            "only-funder",
            only,
            f"planned end {only.planned_end}; {family.name} is {one_funder.name}'s only funder",
        ),
        planted("funding-started", "funding-started", started, "only in the later grant files"),
    ]
    return base + dated, base + dated + [started], changes


def synth_changes(
    out: str | Path,
    *,
    services: int = 2000,
    seed: int = 1,
    hsds_format: str = "hsds-json",
) -> tuple[list[DatedSource], ChangedTown, Path]:
    """Write two dated snapshots of a town, with planted changes, and their manifest.

    Writes ``areas/``, ``directory-2025-01/`` and ``grants-2025-01/`` (dated
    :data:`BEFORE`), ``directory-2025-07/`` and ``grants-2025-07/`` (dated
    :data:`AFTER`) and ``planted-changes.json`` into ``out``.

    Returns
    -------
    tuple
        The sources in the order to ingest them (each with its name and
        ``--snapshot-date``), the changed town, and the manifest's path.

    Raises
    ------
    UsageError
        An unknown ``hsds_format``, or a town too small to plant every change.

    Examples
    --------
    >>> import tempfile
    >>> sources, changed, manifest = synth_changes(tempfile.mkdtemp(), services=300, seed=5)
    >>> [(s.kind, s.path.name, s.snapshot_date) for s in sources]  # doctest: +NORMALIZE_WHITESPACE
    [('areas', 'areas', '2025-01-15'), ('hsds', 'directory-2025-01', '2025-01-15'),
     ('360giving', 'grants-2025-01', '2025-01-15'), ('hsds', 'directory-2025-07', '2025-07-15'),
     ('360giving', 'grants-2025-07', '2025-07-15')]
    >>> manifest.name, len(changed.planted)
    ('planted-changes.json', 12)
    """
    if hsds_format not in HSDS_FORMATS:
        raise UsageError(
            f"'{hsds_format}' is not a directory format. Fix: use one of {', '.join(HSDS_FORMATS)}."
        )
    if services < 1:
        raise UsageError(f"`services` must be at least 1, not {services}.", param="services")
    changed = plant_changes(make_town(services, seed))
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    sources = [
        DatedSource("areas", "areas", write_area_files(changed.before, folder / "areas").folder,
                    BEFORE),
    ]  # fmt: skip
    for day, town, grants in (
        (BEFORE, changed.before, changed.grants_before),
        (AFTER, changed.after, changed.grants_after),
    ):
        month = day[:7]
        directory = HSDS_FORMATS[hsds_format](town, folder / f"directory-{month}")
        grant_files = write_360giving(town, folder / f"grants-{month}", grants=grants)
        sources.append(DatedSource("hsds", DIRECTORY_SOURCE, directory, day))
        sources.append(DatedSource("360giving", GRANTS_SOURCE, grant_files, day))
    manifest = folder / MANIFEST
    write_bytes(
        manifest, orjson.dumps(manifest_of(changed, sources, folder), option=orjson.OPT_INDENT_2)
    )
    return sources, changed, manifest


def manifest_of(changed: ChangedTown, sources: list[DatedSource], folder: Path) -> dict[str, Any]:
    """What :func:`synth_changes` records in ``planted-changes.json``."""
    spiral = next(a for a in changed.before.areas if a.code == changed.spiral_area)
    return {
        "town": changed.before.name,
        "seed": changed.before.seed,
        "services": len(changed.before.services),
        "snapshots": [BEFORE, AFTER],
        "sources": [
            {
                "kind": s.kind,
                "name": s.name,
                "path": s.path.relative_to(folder).as_posix(),
                "snapshot_date": s.snapshot_date,
            }
            for s in sources
        ],
        "changes": [asdict(p) for p in changed.planted],
        "spiral": {
            "area": spiral.code,
            "name": spiral.name,
            "imd_decile": spiral.imd_decile,
            "rule": (
                f"IMD decile {SPIRAL_DECILES} or lower; services closed and a grant ended there"
            ),
        },
    }
