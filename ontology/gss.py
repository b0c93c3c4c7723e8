"""ONS GSS area codes (``E01000001``): recognising them and telling their level.

A GSS code is a letter for the nation, two digits for the entity (the kind of
area: 01 is an LSOA in England), and six digits. The entity says the level.
"""

from __future__ import annotations

import re

__all__ = ["GEO_CODE_TYPES", "area_level", "is_gss_code"]

_GSS = re.compile(r"^[EWSNK]\d{8}$")

_ENTITY_LEVELS = {
    "E00": "oa", "W00": "oa", "S00": "oa", "N00": "oa",
    "E01": "lsoa", "W01": "lsoa", "S01": "datazone",
    "E02": "msoa", "W02": "msoa", "S02": "intermediate zone",
    "E04": "parish", "W04": "community",
    "E05": "ward", "W05": "ward", "S13": "ward", "N08": "ward",
    "E06": "lad", "E07": "lad", "E08": "lad", "E09": "lad",
    "W06": "lad", "S12": "lad", "N09": "lad",
    "E10": "county", "E11": "metropolitan county", "E12": "region", "E13": "inner/outer london",
    "E92": "country", "W92": "country", "S92": "country", "N92": "country",
    "K02": "uk", "K03": "great britain", "K04": "england and wales",
    "E14": "constituency", "W07": "constituency", "S14": "constituency", "N06": "constituency",
    "E38": "sub-icb location", "E54": "icb",
}  # fmt: skip

GEO_CODE_TYPES = {
    "OA": "oa", "LSOA": "lsoa", "MSOA": "msoa", "DZ": "datazone", "IG": "intermediate zone",
    "WD": "ward", "UA": "lad", "NMD": "lad", "MD": "lad", "LONB": "lad", "CA": "lad",
    "LAD": "lad", "LA": "lad", "CTY": "county", "RGN": "region", "GOR": "region",
    "RGN/GOR": "region", "CTRY": "country", "WPC": "constituency", "PAR": "parish",
}  # fmt: skip
"""360Giving's geoCodeType codes (and GrantNav's area types) as levels."""


def is_gss_code(text: object) -> bool:
    """Whether a value is an ONS GSS code.

    Examples
    --------
    >>> is_gss_code("E01011681"), is_gss_code("Vale of White Horse 006A")
    (True, False)
    """
    return isinstance(text, str) and bool(_GSS.match(text.strip()))


def area_level(code: str) -> str | None:
    """The level of a GSS code (``lsoa``, ``ward``, ``lad``...), or ``None`` if unknown.

    Examples
    --------
    >>> area_level("E01011681"), area_level("E08000035"), area_level("X99999999")
    ('lsoa', 'lad', None)
    """
    return _ENTITY_LEVELS.get(code.strip()[:3]) if is_gss_code(code) else None
