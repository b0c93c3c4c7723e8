"""Ingesters: one per family of source formats, all through one registry.

Each ingester reads its format and yields records; the shared machinery in
this package validates them, resolves references, writes the snapshot and
the report. ``INGESTERS`` lists what is registered.
"""

from ._pipeline import ReadContext
from ._registry import INGESTERS, Ingester, Option, default_source_name, ingest, register, validate
from .areas import ingest_areas, read_areas
from .assets import read_assets
from .giving360 import ingest_360giving, read_360giving
from .hsds import graph_from_hsds, ingest_hsds, read_hsds
from .openactive import read_openactive
from .osm import read_osm
from .referrals import ingest_referrals, read_referrals
from .relationships import ingest_relationships, read_relationships
from .volunteering import read_volunteering
from .warm_spaces import read_warm_spaces

__all__ = [
    "INGESTERS",
    "Ingester",
    "Option",
    "ReadContext",
    "default_source_name",
    "graph_from_hsds",
    "ingest",
    "ingest_360giving",
    "ingest_areas",
    "ingest_hsds",
    "ingest_referrals",
    "ingest_relationships",
    "read_360giving",
    "read_areas",
    "read_assets",
    "read_hsds",
    "read_openactive",
    "read_osm",
    "read_referrals",
    "read_relationships",
    "read_volunteering",
    "read_warm_spaces",
    "register",
    "validate",
]
