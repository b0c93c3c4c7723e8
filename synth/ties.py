"""Referrals and declared partnerships for the synthetic town, with structure planted on purpose.

The ties follow how referral networks look: most referrals stay within a
sector and a neighbourhood, popular services draw many, and organisations
partner mostly with their own sector. On top of that, :func:`plant_ties`
plants structure whose right answer is known, so that tests can check that
the queries find it (:class:`Planted` says what and where):

- two sectors that never refer to, nor partner with, each other (housing and
  mental health), while every other pair of sectors is tied at least once;
- a silo: the families organisations refer almost only among themselves;
- a broker: a group of organisations tied to the rest of the town only
  through one organisation, whose removal cuts them off;
- pairs of organisations that share a building, have no tie, and refer to
  the same services: the partnerships to suggest;
- isolated organisations (no ties at all), and organisations whose services
  refer only to each other.

Ends are written the ways real files name them: services by the directory's
own ids, organisations by org-id where they have one, else by name.
"""

from __future__ import annotations

import csv
import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .._files import atomic_write
from .town import Service, Town

__all__ = [
    "PERIODS",
    "Flow",
    "Partnership",
    "Planted",
    "Ties",
    "organisation_sectors",
    "organisation_units",
    "plant_ties",
    "town_ties",
    "write_referrals_csv",
    "write_relationships_csv",
]

PERIODS = ("2024-Q1", "2024-Q2")
SILENT_SECTORS = ("Housing and homelessness", "Mental health and wellbeing")
SILO_SECTOR = "Children, young people and families"
BROKER_SECTOR = "Older people"
_KINDS = (
    ("partnership", 5),
    ("consortium", 2),
    ("shared board", 1),
    ("co-location agreement", 1),
    ("subcontract", 1.5),
    ("MoU", 1.5),
)
_OUTCOMES = ("accepted", "declined", "no contact")


@dataclass(frozen=True)
class Flow:
    """Referrals from one service (or organisation) to another in one period."""

    source: str
    target: str
    source_is_org: bool
    target_is_org: bool
    count: int
    period: str
    outcome: str | None = None


@dataclass(frozen=True)
class Partnership:
    """A declared tie between two organisations (town ids)."""

    source: str
    target: str
    kind: str
    start: str
    end: str | None = None


@dataclass
class Planted:
    """The structure planted in the ties, by town ids: what the queries should find."""

    silent_sectors: tuple[str, str] = SILENT_SECTORS
    silo: list[str] = field(default_factory=list)
    """Organisations of the silo (the families sector)."""
    broker: str = ""
    cut_off: list[str] = field(default_factory=list)
    """Organisations tied to the rest only through the broker."""
    shared_building_pairs: list[tuple[str, str, str]] = field(default_factory=list)
    """(organisation, organisation, building) that share a building and have no tie."""
    isolates: list[str] = field(default_factory=list)
    internal_only: list[str] = field(default_factory=list)


@dataclass
class Ties:
    flows: list[Flow]
    partnerships: list[Partnership]
    planted: Planted
    sectors: dict[str, str]
    """Each organisation's (and each provider-less service's) sector, as the queries derive it."""


def organisation_units(town: Town) -> dict[str, str]:
    """Which organisations the workspace makes one node: those sharing an org-id.

    Names with the same words ("Fernhill Circle Priory", "Priory Circle Fernhill") are not
    joined: the directory keeps them apart, and the resolver no longer merges two records one
    source keeps apart (it lists them for review)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for o in town.organisations:
        if o.org_id:
            a, b = find(o.id), find(o.org_id)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {o.id: find(o.id) for o in town.organisations}


def organisation_sectors(town: Town) -> dict[str, str]:
    """Each organisation's sector as the queries derive it: its services' most common category
    (ties broken by name), over every organisation it will be one node with; organisations
    without services are left out."""
    units = organisation_units(town)
    counts: dict[str, Counter[str]] = {}
    for service in town.services:
        unit = units.get(service.organisation, service.organisation)
        counts.setdefault(unit, Counter())[service.category.name] += 1
    sectors = {unit: min(c, key=lambda name: (-c[name], name)) for unit, c in counts.items()}
    members = {s.organisation for s in town.services}
    return {org: sectors[units.get(org, org)] for org in members}


class _Rules:
    """Which ties the plan forbids."""

    def __init__(self, town: Town, sectors: dict[str, str], planted: Planted) -> None:
        self.sectors = sectors
        self.units = organisation_units(town)
        self.isolates = set(planted.isolates)
        self.internal = set(planted.internal_only)
        self.cut_off = set(planted.cut_off)
        self.broker = planted.broker
        self.untied = {frozenset(p[:2]) for p in planted.shared_building_pairs}
        self.silent = frozenset(SILENT_SECTORS)

    def orgs_allowed(self, a: str, b: str) -> bool:
        if self.units.get(a, a) == self.units.get(b, b):
            return a not in self.isolates and b not in self.isolates
        if a in self.isolates or b in self.isolates or a in self.internal or b in self.internal:
            return False
        if (a in self.cut_off) != (b in self.cut_off) and self.broker not in (a, b):
            return False
        if frozenset((a, b)) in self.untied:
            return False
        return frozenset((self.sectors.get(a), self.sectors.get(b))) != self.silent

    def services_allowed(self, s: Service, t: Service) -> bool:
        if s.id == t.id:
            return False
        if frozenset((s.category.name, t.category.name)) == self.silent:
            return False
        return self.orgs_allowed(s.organisation, t.organisation)


def _plan(rng: random.Random, town: Town, sectors: dict[str, str]) -> Planted:
    planted = Planted()
    unit_of = organisation_units(town)
    units = Counter(unit_of.values())
    providers = [
        o.id
        for o in town.organisations
        if o.id in sectors
        and o.kind not in ("council", "NHS body")
        and units[unit_of[o.id]] == 1  # one organisation, one node
    ]
    services_of = Counter(s.organisation for s in town.services)
    # The broker and its group come from the largest sector that is neither silent nor the silo.
    sizes = Counter(sectors[o] for o in providers)
    candidates = [
        sector for sector, _ in sizes.most_common() if sector not in (*SILENT_SECTORS, SILO_SECTOR)
    ]
    taken: set[str] = set()
    if candidates and sizes[candidates[0]] >= 3:
        group = [o for o in providers if sectors[o] == candidates[0]]
        rng.shuffle(group)
        size = min(len(group) - 1, max(3, len(providers) // 60))
        planted.broker = group[0]
        planted.cut_off = sorted(group[1 : 1 + size])
        taken = {planted.broker, *planted.cut_off}
    free = [o for o in providers if o not in taken and sectors[o] not in SILENT_SECTORS]
    free = [o for o in free if sectors[o] != SILO_SECTOR]
    rng.shuffle(free)
    planted.isolates = sorted(free[: max(1, len(providers) // 100)])
    taken |= set(planted.isolates)
    internal = [o for o in free if o not in taken and services_of[o] >= 2]
    planted.internal_only = sorted(internal[: max(1, len(providers) // 200)])
    taken |= set(planted.internal_only)
    planted.silo = sorted(o for o in providers if sectors[o] == SILO_SECTOR and o not in taken)
    taken |= set(planted.silo)
    # Buildings used by exactly two organisations, neither planted elsewhere: the pairs to suggest.
    users: dict[str, set[str]] = {}
    for service in town.services:
        for building in service.buildings:
            users.setdefault(building, set()).add(service.organisation)
    eligible = set(providers) - taken
    homes: dict[str, set[str]] = {}
    for service in town.services:
        homes.setdefault(service.organisation, set()).update(service.buildings)
    pairs = [
        (min(orgs), max(orgs), building)
        for building, orgs in sorted(users.items())
        if len(orgs) == 2
        and orgs <= eligible
        and frozenset(sectors[o] for o in orgs) != frozenset(SILENT_SECTORS)
    ]
    rng.shuffle(pairs)
    # Organisations that work from that one building only come first: the clearest case.
    pairs.sort(key=lambda p: len(homes[p[0]]) + len(homes[p[1]]))
    chosen: list[tuple[str, str, str]] = []
    used: set[str] = set()
    for a, b, building in pairs:
        if len(chosen) >= max(3, len(providers) // 80):
            break
        if a not in used and b not in used:
            chosen.append((a, b, building))
            used |= {a, b}
    planted.shared_building_pairs = sorted(chosen)
    return planted


def plant_ties(town: Town, *, flows_per_service: float = 5.0) -> Ties:
    """The town's referral flows and partnerships, with :class:`Planted` structure.

    The same town always gives the same ties. About ``flows_per_service``
    flow rows are made per service.

    Examples
    --------
    >>> from civicgraph.synth import make_town
    >>> ties = plant_ties(make_town(300, seed=2))
    >>> 4 < len(ties.flows) / 300 < 6, ties.planted.broker in ties.sectors
    (True, True)
    """
    rng = random.Random(f"ties-{town.seed}-{len(town.services)}")
    sectors = organisation_sectors(town)
    planted = _plan(rng, town, sectors)
    maker = _FlowMaker(rng, town, sectors, planted)
    maker.referrals(flows_per_service)
    maker.cover_sector_pairs()
    maker.connect_group()
    maker.boost_planted_pairs()
    maker.organisation_ends()
    partnerships = _partnerships(rng, town, sectors, _Rules(town, sectors, planted), planted)
    return Ties(maker.flows, partnerships, planted, sectors)


class _FlowMaker:
    """Draws referral flows under the plan's rules."""

    def __init__(
        self, rng: random.Random, town: Town, sectors: dict[str, str], planted: Planted
    ) -> None:
        self.rng = rng
        self.town = town
        self.sectors = sectors
        self.planted = planted
        self.rules = _Rules(town, sectors, planted)
        self.services = [s for s in town.services if s.organisation not in self.rules.isolates]
        self.by_org: dict[str, list[Service]] = {}
        self.by_sector: dict[str, list[Service]] = {}
        self.by_area: dict[str, list[Service]] = {}
        for s in self.services:
            self.by_org.setdefault(s.organisation, []).append(s)
            self.by_sector.setdefault(s.category.name, []).append(s)
            for area in s.areas_served:
                self.by_area.setdefault(area, []).append(s)
        self.silo = set(planted.silo)
        self.silo_services = [s for o in planted.silo for s in self.by_org.get(o, [])]
        self.group_services = [
            s for o in [planted.broker, *planted.cut_off] for s in self.by_org.get(o, [])
        ]
        # Popular services (food banks, GPs, advice) draw more referrals: a skewed pick.
        popularity = [s.type.weight * rng.paretovariate(2.0) for s in self.services]
        self.cumulative = list(itertools.accumulate(popularity))
        self.flows: list[Flow] = []
        self.pairs: set[tuple[str, str]] = set()

    def add(self, s: Service, t: Service) -> None:
        if (s.id, t.id) in self.pairs:
            return
        rng = self.rng
        count = max(1, int(rng.lognormvariate(1.4, 1.0)))
        periods = [PERIODS[0]] if rng.random() < 0.75 else list(PERIODS)
        for period in periods:
            outcome = rng.choice(_OUTCOMES) if rng.random() < 0.2 else None
            self.flows.append(Flow(s.id, t.id, False, False, count, period, outcome))
        self.pairs.add((s.id, t.id))

    def referrals(self, flows_per_service: float) -> None:
        targets_per_service = flows_per_service / 1.25  # a quarter recur in the second period
        rules, rng = self.rules, self.rng
        for s in self.services:
            if s.organisation in rules.internal:
                pool = [t for t in self.by_org[s.organisation] if t.id != s.id]
                for t in rng.sample(pool, k=min(len(pool), 2)):
                    self.add(s, t)
                continue
            for _ in range(_poisson(rng, targets_per_service)):
                for _attempt in range(8):
                    t = self.pick(s)
                    outsider = t.organisation in self.silo and s.organisation not in self.silo
                    if outsider and rng.random() > 0.08:
                        continue  # the silo is rarely referred to from outside
                    if rules.services_allowed(s, t) and (s.id, t.id) not in self.pairs:
                        self.add(s, t)
                        break

    def pick(self, s: Service) -> Service:
        rng, org = self.rng, s.organisation
        if org in self.rules.cut_off or (org == self.planted.broker and rng.random() < 0.3):
            return rng.choice(self.group_services)
        if org in self.silo and rng.random() < 0.92:
            return rng.choice(self.silo_services)
        roll = rng.random()
        if roll < 0.45:
            return rng.choice(self.by_sector[s.category.name])
        if roll < 0.75 and s.areas_served:
            return rng.choice(self.by_area[rng.choice(s.areas_served)])
        return rng.choices(self.services, cum_weights=self.cumulative, k=1)[0]

    def cover_sector_pairs(self) -> None:
        """Tie every allowed pair of sectors at least once (between organisations, and between
        services), so that only the planted pair is silent."""
        rules, rng = self.rules, self.rng
        eligible = [
            s
            for s in self.services
            if s.organisation not in rules.cut_off
            and s.organisation != rules.broker
            and s.organisation not in rules.internal
        ]
        by_id = {s.id: s for s in self.services}
        for sector_of in (
            lambda s: self.sectors[s.organisation],
            lambda s: s.category.name,
        ):
            groups: dict[str, list[Service]] = {}
            for s in eligible:
                groups.setdefault(sector_of(s), []).append(s)
            connected = {
                frozenset((sector_of(by_id[a]), sector_of(by_id[b]))) for a, b in self.pairs
            }
            names = sorted(groups)
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    if frozenset((a, b)) in connected or frozenset((a, b)) == rules.silent:
                        continue
                    for _attempt in range(200):
                        s, t = rng.choice(groups[a]), rng.choice(groups[b])
                        if rules.services_allowed(s, t):
                            self.add(s, t)
                            break

    def connect_group(self) -> None:
        """A ring through the broker and the cut-off group, so the group hangs on the broker."""
        if not self.planted.broker:
            return
        ring = [self.planted.broker, *self.planted.cut_off]
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            self.add(self.rng.choice(self.by_org[a]), self.rng.choice(self.by_org[b]))

    def boost_planted_pairs(self) -> None:
        """Both organisations of each planted pair refer to the same three services."""
        for a, b, _building in self.planted.shared_building_pairs:
            first_a, first_b = self.by_org[a][0], self.by_org[b][0]
            common: list[Service] = []
            while len(common) < 3:
                t = self.rng.choice(self.services)
                allowed = all(self.rules.services_allowed(x, t) for x in (first_a, first_b))
                if allowed and t not in common and t.organisation not in self.rules.cut_off:
                    common.append(t)
            for s in (first_a, first_b):
                for t in common:
                    if (s.id, t.id) not in self.pairs:
                        self.add(s, t)

    def organisation_ends(self) -> None:
        """One flow in twenty is recorded from the referring organisation rather than the
        service, as some referral systems do; the organisations and rules are unchanged."""
        real = {o.id for o in self.town.organisations}
        seen: set[tuple[str, str, str, str | None]] = set()
        rewritten = []
        for flow in self.flows:
            org = self.town_service(flow.source).organisation
            target = self.town_service(flow.target).category.name
            # At the service level the organisation stands for itself, with its own sector.
            silent = frozenset((self.sectors.get(org), target)) == self.rules.silent
            if (
                org in real
                and org not in self.rules.internal
                and not silent
                and self.rng.random() < 0.05
            ):
                candidate = Flow(
                    org, flow.target, True, False, flow.count, flow.period, flow.outcome
                )
                key = (org, flow.target, flow.period, flow.outcome)
                if key not in seen:
                    seen.add(key)
                    rewritten.append(candidate)
                    continue
            rewritten.append(flow)
        self.flows = rewritten

    def town_service(self, service_id: str) -> Service:
        if not hasattr(self, "_services_by_id"):
            self._services_by_id = {s.id: s for s in self.town.services}
        return self._services_by_id[service_id]


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (small means only)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _partnerships(
    rng: random.Random, town: Town, sectors: dict[str, str], rules: _Rules, planted: Planted
) -> list[Partnership]:
    real = {o.id for o in town.organisations}
    orgs = sorted(
        o for o in sectors if o in real and o not in rules.isolates and o not in rules.internal
    )
    by_sector: dict[str, list[str]] = {}
    for org in orgs:
        by_sector.setdefault(sectors[org], []).append(org)
    kinds = [k for k, _ in _KINDS]
    weights = [w for _, w in _KINDS]
    result: list[Partnership] = []
    seen: set[tuple[str, str, str]] = set()
    for _ in range(max(4, len(orgs) // 6)):
        a = rng.choice(orgs)
        b = rng.choice(by_sector[sectors[a]]) if rng.random() < 0.7 else rng.choice(orgs)
        if a in rules.cut_off:
            b = rng.choice([planted.broker, *planted.cut_off])
        kind = rng.choices(kinds, weights=weights, k=1)[0]
        same = rules.units.get(a, a) == rules.units.get(b, b)
        if same or not rules.orgs_allowed(a, b) or (a, b, kind) in seen:
            continue
        seen.add((a, b, kind))
        year = rng.randint(2015, 2024)
        start = f"{year}-{rng.randint(1, 12):02d}-01"
        end = f"{year + rng.randint(1, 3)}-03-31" if rng.random() < 0.2 else None
        result.append(Partnership(a, b, kind, start, end))
    # Each planted pair has a partner in common (a reason to be introduced).
    planted_orgs = {o for pair in planted.shared_building_pairs for o in pair[:2]}
    for a, b, _building in planted.shared_building_pairs:
        for _attempt in range(100):
            c = rng.choice(orgs)
            if c in planted_orgs or c in rules.cut_off or c == rules.broker:
                continue
            if rules.orgs_allowed(a, c) and rules.orgs_allowed(b, c):
                result.append(Partnership(a, c, "partnership", "2022-04-01"))
                result.append(Partnership(b, c, "partnership", "2022-04-01"))
                break
    return result


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _org_reference(town: Town) -> dict[str, tuple[str, str]]:
    """How a file names each organisation: ``(id column, name column)``."""
    return {o.id: ((o.org_id or ""), "" if o.org_id else o.name) for o in town.organisations}


def write_referrals_csv(town: Town, ties: Ties, path: str | Path) -> Path:
    """Write the flows as a referral file: services by the directory's ids, with their type."""
    named = _org_reference(town)
    rows = []
    for f in ties.flows:
        source, source_type = f.source, "service"
        if f.source_is_org:
            org_id, name = named[f.source]
            source, source_type = org_id or name, "organisation"
        rows.append(
            [source, source_type, f.target, "service", str(f.count), f.period, f.outcome or ""]
        )
    return _write_rows(
        Path(path), ["from", "from_type", "to", "to_type", "count", "period", "outcome"], rows
    )


def write_relationships_csv(town: Town, ties: Ties, path: str | Path) -> Path:
    """Write the partnerships: organisations by org-id where they have one, else by name."""
    named = _org_reference(town)
    rows = []
    for p in ties.partnerships:
        (a_id, a_name), (b_id, b_name) = named[p.source], named[p.target]
        rows.append([a_id, a_name, b_id, b_name, p.kind, p.start, p.end or ""])
    return _write_rows(
        Path(path),
        [
            "organisation_a",
            "organisation_a_name",
            "organisation_b",
            "organisation_b_name",
            "kind",
            "start_date",
            "end_date",
        ],
        rows,
    )


_LAST: list[tuple[Town, Ties]] = []


def town_ties(town: Town) -> Ties:
    """:func:`plant_ties` of a town, made once for all the writers of one ``synth`` run."""
    if _LAST and _LAST[0][0] is town:
        return _LAST[0][1]
    ties = plant_ties(town)
    _LAST[:] = [(town, ties)]
    return ties
