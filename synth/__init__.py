"""Synthetic towns: realistic, reproducible data for demos, tests and benchmarks.

``synth(out, services=N, seed=S)`` makes a town and writes each of its sources
into ``out``; it returns what it wrote, in the order to ingest it. Writers
register in :data:`SYNTH_WRITERS`, so new source formats join the town
without changing the demo. ``synth_changes(out, ...)`` writes two dated
snapshots of a town with planted changes between them, and a manifest of
what it planted (:mod:`civicgraph.synth.changes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .changes import HSDS_FORMATS, ChangedTown, DatedSource, PlantedChange, synth_changes
from .geography import AreaFiles, write_area_files, write_osm_facilities
from .grants import FUNDERS, grants_for, write_360giving
from .hsds import write_hsds_csv, write_hsds_json
from .taxonomy import CATEGORIES, TAXONOMY_NAME
from .ties import Planted, Ties, plant_ties, town_ties, write_referrals_csv, write_relationships_csv
from .town import Town, make_town

__all__ = [
    "CATEGORIES",
    "FUNDERS",
    "HSDS_FORMATS",
    "SYNTH_WRITERS",
    "TAXONOMY_NAME",
    "AreaFiles",
    "ChangedTown",
    "DatedSource",
    "Planted",
    "PlantedChange",
    "SynthSource",
    "SynthWriter",
    "Ties",
    "Town",
    "grants_for",
    "make_town",
    "plant_ties",
    "synth",
    "synth_changes",
    "write_360giving",
    "write_area_files",
    "write_hsds_csv",
    "write_hsds_json",
    "write_osm_facilities",
]


@dataclass(frozen=True)
class SynthSource:
    """One source file or folder written for the town, and how to ingest it."""

    kind: str
    """The ingester that reads it (``hsds``)."""
    name: str
    """The source name the demo gives it."""
    path: Path


@dataclass(frozen=True)
class SynthWriter:
    """Writes one source of a town into the output folder."""

    name: str
    kind: str
    write: Callable[[Town, Path, str], Path]


def _write_areas(town: Town, out: Path, hsds_format: str) -> Path:
    return write_area_files(town, out / "areas").folder


def _write_directory(town: Town, out: Path, hsds_format: str) -> Path:
    return HSDS_FORMATS[hsds_format](town, out / "directory")


def _write_grants(town: Town, out: Path, hsds_format: str) -> Path:
    return write_360giving(town, out / "grants")


def _write_facilities(town: Town, out: Path, hsds_format: str) -> Path:
    return write_osm_facilities(town, out / "facilities.geojson")


def _write_referrals(town: Town, out: Path, hsds_format: str) -> Path:
    return write_referrals_csv(town, town_ties(town), out / "referrals.csv")


def _write_relationships(town: Town, out: Path, hsds_format: str) -> Path:
    return write_relationships_csv(town, town_ties(town), out / "relationships.csv")


SYNTH_WRITERS: list[SynthWriter] = [
    SynthWriter("directory", "hsds", _write_directory),
    SynthWriter("grants", "360giving", _write_grants),
    SynthWriter("facilities", "osm", _write_facilities),
    SynthWriter("referrals", "referrals", _write_referrals),
    SynthWriter("relationships", "relationships", _write_relationships),
    SynthWriter("areas", "areas", _write_areas),
]


def synth(
    out: str | Path,
    *,
    services: int = 2000,
    seed: int = 1,
    hsds_format: str = "hsds-json",
) -> list[SynthSource]:
    """Make a town of about ``services`` services and write all its sources into ``out``.

    Examples
    --------
    >>> import tempfile
    >>> written = synth(tempfile.mkdtemp(), services=50, seed=3)
    >>> [(s.kind, s.path.name) for s in written]  # doctest: +NORMALIZE_WHITESPACE
    [('hsds', 'directory'), ('360giving', 'grants'), ('osm', 'facilities.geojson'),
     ('referrals', 'referrals.csv'), ('relationships', 'relationships.csv'), ('areas', 'areas')]
    """
    if hsds_format not in HSDS_FORMATS:
        raise UsageError(
            f"'{hsds_format}' is not a directory format. Fix: use one of {', '.join(HSDS_FORMATS)}."
        )
    if services < 1:
        raise UsageError(f"`services` must be at least 1, not {services}.", param="services")
    town = make_town(services, seed)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        SynthSource(writer.kind, writer.name, writer.write(town, folder, hsds_format))
        for writer in SYNTH_WRITERS
    ]
