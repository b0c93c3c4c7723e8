"""Areas: ONS geography and MHCLG deprivation, one file or a folder of them.

``civicgraph ingest areas SOURCE`` tells each file's kind from its columns:

=================  ==========================================================
kind               recognised by, and what it gives
=================  ==========================================================
IMD 2019           an ``LSOA code (2011)`` column. File 1 (IMD rank and
                   decile), File 2 (the seven domains' ranks), File 6
                   (population denominators); each LSOA is ``PART_OF`` the
                   local authority the file names.
lookup             two or more ``<LEVEL><YY>CD`` columns (``OA11CD``,
                   ``LSOA11CD``, ``MSOA11CD``, ``LAD17CD``, ``RGN11CD``...):
                   the ``PART_OF`` chain output area → LSOA → MSOA → local
                   authority → region → country, names from ``...NM``.
centroids          a code column (``LSOACD``, ``LSOA11CD``, ``MSOACD``,
                   ``wdcd``...) with ``latitude`` and ``longitude``.
postcodes          an ONS Postcode Directory (``pcds`` or ``pcd7``/``pcd8``,
                   ``lsoa11``, ``oa11``, ``osward``, ``oslaua``, ``lat``,
                   ``long``, ``doterm``): each postcode is an area of level
                   ``postcode`` with its coordinates, ``PART_OF`` its LSOA,
                   ward and local authority. Terminated postcodes are kept with
                   their ``terminated`` month; ONS's "not applicable" codes
                   (``E99999999``...) link nowhere.
boundaries         GeoJSON FeatureCollections whose features carry a code
                   property (``LSOA11CD``, ``WD25CD``...): the boundary is
                   kept as the area's ``geometry`` and its centroid filled in.
=================  ==========================================================

Vintages. Codes of a ``...11CD`` column or an ``(2011)`` header are 2011
codes, of ``...21CD`` 2021 codes. An area keeps its ``vintage``. A 2021-only
code (one ONS issued in 2021, such as ``E01035000``) in a 2011 column is
reported, never joined to the 2011 areas. Codes that are the same in both
vintages name the same, unchanged area.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, UsageError
from ..graph import EdgeRecord, IngestReport, NodeRecord, Record, Severity, Workspace
from ..graph.placing import coordinate_problem
from ..ontology import EdgeType, NodeType
from ..ontology.gss import area_level, is_gss_code
from ..ontology.model import IMD_DOMAINS
from ._io import load_json, sha256_of
from ._pipeline import ReadContext
from ._registry import Ingester, ingest, register
from ._values import normalise_postcode

__all__ = [
    "code_vintage",
    "ingest_areas",
    "lookup_name",
    "postcode_key",
    "read_areas",
]

_LAST_2011 = {"E00": 176774, "W00": 10265, "E01": 33768, "W01": 1958, "E02": 6934, "W02": 423}
"""The last output area, LSOA and MSOA codes of the 2011 sets (from ONS's 2011 lookup)."""
_LAST_2021 = {"E01": 35762, "W01": 2040, "E02": 7116, "W02": 428}
"""The last LSOA and MSOA codes issued in 2021; codes above the 2011 ones are 2021-only."""

_NOT_APPLICABLE = re.compile(r"^[EWSNLM]99999999$|^[EWSN]\d\d999999$")
"""ONS's pseudo-codes for "not applicable" (``E99999999``; ``S99999999``...)."""
_NI_SOA = re.compile(r"^95[A-Z]{2}\d{2}[SW]\d$")
"""Northern Ireland's Super Output Areas (``95AA01S1``) and wards (``95AA02W1``), older than GSS."""

_LEVEL_ORDER = ("oa", "lsoa", "msoa", "lad", "rgn", "ctry")
_LOOKUP_COLUMN = re.compile(r"^(oa|lsoa|msoa|wd|lad|utla|rgn|ctry)(\d\d)cd$")
_LEVEL_NAMES = {"rgn": "region", "ctry": "country", "wd": "ward", "utla": "county"}
_CODE_COLUMNS = (
    "lsoacd", "lsoa11cd", "lsoa21cd", "lsoa_code", "msoacd", "msoa11cd", "msoa21cd",
    "wdcd", "wardcd", "areacode", "code", "geography code", "gss_code",
)  # fmt: skip
_LAT = ("latitude", "lat", "y")
_LON = ("longitude", "long", "lon", "lng", "x")

_IMD_COLUMNS: dict[str, str] = {
    "index of multiple deprivation (imd) rank": "imd_rank",
    "index of multiple deprivation (imd) decile": "imd_decile",
    **{f"{label.lower()} rank": f"{domain}_rank" for domain, label in IMD_DOMAINS.items()},
    "total population": "population",
    "dependent children aged 0-15": "population_children",
    "older population aged 60 and over": "population_older",
}
_RANGES = {"imd_decile": (1, 10)}


def code_vintage(code: str) -> str | None:
    """``"2021"`` for a code ONS issued only in 2021; ``"2011"`` for a 2011 output area, LSOA
    or MSOA code; ``None`` when the code alone does not say.

    Examples
    --------
    >>> code_vintage("E01000001"), code_vintage("E01035000"), code_vintage("E08000035")
    ('2011', '2021', None)
    """
    prefix, number = code[:3], code[3:]
    if prefix not in _LAST_2011 or not number.isdigit():
        return None
    if int(number) <= _LAST_2011[prefix]:
        return "2011"
    return "2021" if int(number) <= _LAST_2021.get(prefix, 0) else None


def postcode_key(postcode: str) -> str:
    """The area key of a postcode: its standard form without the space.

    Examples
    --------
    >>> postcode_key("ab1 0aa"), postcode_key("AB1  0AA")
    ('AB10AA', 'AB10AA')
    """
    return "".join(postcode.split()).upper()


@dataclass
class _Area:
    props: dict[str, Any]
    table: str | None = None
    row: int | None = None
    mentioned: tuple[str, int] = ("areas", 0)
    sets: dict[str, tuple[str, int]] = field(default_factory=dict)


class _Collector:
    """Areas and links gathered over every file of one source, yielded once at the end."""

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.areas: dict[str, _Area] = {}
        self.links: dict[tuple[str, str], tuple[str, int, str | None]] = {}

    def area(
        self, code: str, props: dict[str, Any], *, label: str, row: int, own: bool = True
    ) -> None:
        """Record what a row says about an area; ``own`` when the row is that area's row.

        A second row of an area's own (another file's, or a repeat) adds to the area
        and is counted as loaded without a record of its own.
        """
        area = self.areas.get(code)
        if area is None:
            area = self.areas[code] = _Area({"code": code}, mentioned=(label, row))
        if own and area.table is None:
            area.table, area.row = label, row
        elif own:
            self.ctx.use(label)
        for name, value in props.items():
            if value is None or value == "":
                continue
            current = area.props.get(name)
            if current is None:
                area.props[name] = value
                area.sets[name] = (label, row)
            elif current != value and name not in ("name", "geometry"):
                first = area.sets.get(name, ("", 0))
                self.ctx.problem(
                    Severity.WARNING,
                    "conflicting-area-values",
                    "files give an area different values; the first is kept",
                    "check the files are of the same release.",
                    table=label,
                    row=row,
                    field=name,
                    record=code,
                    value=f"{value!r} here, {current!r} in {first[0]} row {first[1]}",
                )

    def link(
        self, child: str, parent: str, *, label: str, row: int, lookup: str | None = None
    ) -> None:
        """Record that ``child`` is part of ``parent``; ``lookup`` names the lookup that says
        so, with its codes' years (``LSOA 2011 -> LAD 2019``)."""
        if child != parent and (child, parent) not in self.links:
            self.links[(child, parent)] = (label, row, lookup)

    def records(self) -> Iterator[Record]:
        for code, area in self.areas.items():
            props = area.props
            if "level" not in props:
                level = area_level(code)
                if level:
                    props["level"] = level
            yield NodeRecord(
                NodeType.AREA,
                code if props.get("level") != "postcode" else postcode_key(code),
                props,
                area.table or area.mentioned[0],
                code,
                embedded=area.table is None,
                row=area.row or area.mentioned[1],
                counted=area.table is not None,
            )
        for (child, parent), (label, row, lookup) in self.links.items():
            child_area = self.areas[child]
            child_key = (
                postcode_key(child) if child_area.props.get("level") == "postcode" else child
            )
            link = {"lookup": lookup} if lookup else None
            yield EdgeRecord(
                EdgeType.PART_OF, child_key, parent, label, f"row {row}", props=link, row=row
            )


def read_areas(source: str, ctx: ReadContext) -> Iterator[Record]:
    """Read area files (CSV, CSV.GZ, GeoJSON; a file or a folder) into records.

    Parameters
    ----------
    source
        A file, or a folder whose ``.csv``, ``.csv.gz``, ``.geojson`` and ``.json`` files are
        read in name order.
    ctx
        The read context, for problems and counts.

    Raises
    ------
    InputError
        A file is unreadable or of no kind this ingester knows.
    UsageError
        The source does not exist or is a URL.
    """
    if source.startswith(("http://", "https://")):
        raise UsageError(
            f"{source}: area files are read from disk. Fix: download them and give the path."
        )
    path = Path(source)
    if not path.exists():
        raise UsageError(f"{source}: no such file or folder. Fix: check the path.")
    ctx.sha256 = sha256_of(path)  # a folder holding a symbolic link is refused here
    files = _files(path)
    collector = _Collector(ctx)
    ctx.variant = "areas"
    for file in files:
        if file.name.lower().endswith((".geojson", ".json")):
            _read_geojson(file, ctx, collector)
        else:
            _read_table(file, ctx, collector)
    yield from collector.records()


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    root = path.resolve()
    found = []
    for file in sorted(path.iterdir()):
        if not file.name.lower().endswith((".csv", ".csv.gz", ".geojson", ".json")):
            continue
        if not file.resolve().is_relative_to(root):
            raise InputError(
                "links to a file outside the folder; refused.",
                path=file,
                fix="copy the file into the folder instead of linking it.",
            )
        found.append(file)
    if not found:
        raise InputError(
            "holds no .csv, .csv.gz, .geojson or .json files.",
            path=path,
            fix="give the folder the area files are in.",
        )
    return found


def _read_table(file: Path, ctx: ReadContext, collector: _Collector) -> None:
    try:
        frame = pd.read_csv(
            file,
            dtype=str,
            keep_default_na=False,
            encoding=ctx.encoding or "utf-8-sig",
            compression="infer",
        )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not UTF-8 text ({exc.reason}).",
            path=file,
            fix="save it as UTF-8 or give its `encoding`.",
            param="encoding",
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError("is empty.", path=file, fix="check the export finished.") from exc
    except (pd.errors.ParserError, EOFError, OSError, ValueError) as exc:
        raise InputError(
            f"cannot be read as CSV: {exc}.", path=file, fix="check it is a CSV file."
        ) from exc
    ctx.expect(len(frame))
    columns = {_header(c): c for c in frame.columns}
    label = file.name
    if any(c.startswith("lsoa code") for c in columns):
        _read_imd(frame, columns, label, ctx, collector)
    elif columns.keys() & {"pcds", "pcd7", "pcd8", "pcd", "postcode"} and (
        columns.keys() & {"lsoa11", "lsoa21", "oa11", "lat"}
    ):
        _read_postcodes(frame, columns, label, ctx, collector)
    elif len({m.group(1) for c in columns if (m := _LOOKUP_COLUMN.match(c))}) >= 2:
        _read_lookup(frame, columns, label, ctx, collector)
    elif _pick(columns, _CODE_COLUMNS) and _pick(columns, _LAT) and _pick(columns, _LON):
        _read_centroids(frame, columns, label, ctx, collector)
    else:
        raise InputError(
            "is not an area file civicgraph knows (IMD 2019, an area lookup, centroids, an "
            "ONS Postcode Directory or GeoJSON boundaries).",
            path=file,
            fix="see the README's 'Areas and places' for the columns each kind needs (found: "
            + ", ".join(repr(c) for c in list(frame.columns)[:12])
            + ").",
        )


def _header(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _pick(columns: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in columns:
            return columns[name]
    return None


def _number(
    text: str, ctx: ReadContext, *, label: str, row: int, name: str, code: str
) -> int | None:
    cleaned = text.replace(",", "").replace(" ", "").strip()
    if not cleaned:
        return None
    if cleaned.isdigit():
        value = int(cleaned)
        low, high = _RANGES.get(name, (0, None))
        if value >= low and (high is None or value <= high):
            return value
    ctx.problem(
        Severity.WARNING,
        "bad-number",
        "a figure is not a whole number in range; left out",
        "correct the figure in the file.",
        table=label,
        row=row,
        field=name,
        record=code,
        value=text,
    )
    return None


def _check_code(
    code: str,
    ctx: ReadContext,
    *,
    label: str,
    row: int,
    column: str,
    vintage: str | None,
    own: bool = True,
) -> bool:
    """Whether a code can name an area; reports the ones that cannot, and mixed vintages.

    ``own``: the code is the row's own area, so the row is rejected with it; otherwise the
    row stands and only the link to that code is left out.
    """

    def refuse(problem: str, summary: str, fix: str) -> None:
        if own:
            ctx.reject(label, problem, summary, fix, row=row, field=column, value=code)
        else:
            ctx.problem(
                Severity.ERROR, problem, summary + "; no link made", fix,
                table=label, row=row, field=column, value=code,
            )  # fmt: skip

    if not is_gss_code(code) and not _NI_SOA.match(code):
        refuse(
            "bad-area-code",
            "the code is not an ONS GSS code (a letter and eight digits, like E01000001)",
            "correct the code, or remove the row.",
        )
        return False
    if vintage == "2011" and code_vintage(code) == "2021":
        refuse(
            "mixed-vintage",
            "a 2021 code in a 2011 column: 2021 areas are not joined to 2011 ones",
            "use a lookup of one vintage, or put 2021 codes in a ...21CD column.",
        )
        return False
    return True


def _read_imd(
    frame: pd.DataFrame, columns: dict[str, str], label: str, ctx: ReadContext, c: _Collector
) -> None:
    code_col = next(columns[h] for h in columns if h.startswith("lsoa code"))
    vintage = "2011" if "2011" in code_col else "2021" if "2021" in code_col else None
    name_col = next((columns[h] for h in columns if h.startswith("lsoa name")), None)
    lad_col = next(
        (columns[h] for h in columns if h.startswith("local authority district code")), None
    )
    lad_name = next(
        (columns[h] for h in columns if h.startswith("local authority district name")), None
    )
    lad_year = re.search(r"\((\d{4})\)", lad_col or "")
    lookup = lookup_name(("LSOA", vintage), ("LAD", lad_year.group(1) if lad_year else None))
    measures: list[tuple[str, str]] = []
    for header, column in columns.items():
        for prefix, prop in _IMD_COLUMNS.items():
            if header.startswith(prefix):
                measures.append((prop, column))
                break
    population_year = next(
        (m.group(1) for h in columns if (m := re.search(r"population: mid (\d{4})", h))), None
    )
    values = {col: frame[col].tolist() for _, col in measures}
    codes = frame[code_col].tolist()
    names = frame[name_col].tolist() if name_col else None
    lads = frame[lad_col].tolist() if lad_col else None
    lad_names = frame[lad_name].tolist() if lad_name else None
    for index, raw in enumerate(codes):
        row = index + 2
        ctx.read(label)
        code = raw.strip()
        if not _check_code(code, ctx, label=label, row=row, column=code_col, vintage=vintage):
            continue
        props: dict[str, Any] = {"level": "lsoa", "vintage": vintage}
        if names:
            props["name"] = names[index].strip()
        for prop, col in measures:
            props[prop] = _number(
                values[col][index], ctx, label=label, row=row, name=prop, code=code
            )
        if "population" in props and props["population"] is None:
            ctx.problem(
                Severity.WARNING,
                "missing-population",
                "an area has no population figure; per-head measures leave it out",
                "fill in the population.",
                table=label,
                row=row,
                field="population",
                record=code,
            )
        if population_year and props.get("population") is not None:
            props["population_year"] = population_year
        c.area(code, props, label=label, row=row)
        if lads and is_gss_code(lads[index].strip()):
            lad = lads[index].strip()
            c.area(
                lad,
                {"name": lad_names[index].strip() if lad_names else None},
                label=label,
                row=row,
                own=False,
            )
            c.link(code, lad, label=label, row=row, lookup=lookup)


def lookup_name(*levels: tuple[str, str | None]) -> str:
    """How an answer names the lookup that joins areas: each level with its codes' year.

    Examples
    --------
    >>> lookup_name(("LSOA", "2011"), ("LAD", "2019"))
    'LSOA 2011 -> LAD 2019'
    >>> lookup_name(("LSOA", None), ("LAD", "2019"))
    'LSOA -> LAD 2019'
    """
    return " -> ".join(f"{level} {year}" if year else level for level, year in levels)


def _read_lookup(
    frame: pd.DataFrame, columns: dict[str, str], label: str, ctx: ReadContext, c: _Collector
) -> None:
    levels: dict[str, tuple[str, str | None, str]] = {}
    for header, column in columns.items():
        match = _LOOKUP_COLUMN.match(header)
        if match and match.group(1) not in levels:
            level, year = match.groups()
            name_col = columns.get(f"{level}{year}nm")
            levels[level] = (column, name_col, f"20{year}")
    chain = [lvl for lvl in _LEVEL_ORDER if lvl in levels]
    ward = levels.get("wd")
    lists = {lvl: frame[col].tolist() for lvl, (col, _, _) in levels.items()}
    names = {lvl: frame[n].tolist() for lvl, (_, n, _) in levels.items() if n}
    own_level = chain[0] if chain else "wd"
    # Every link a lookup file gives is named by the whole file: its levels and years.
    lookup = lookup_name(*((lvl.upper(), levels[lvl][2]) for lvl in chain))
    if ward:
        lookup = f"{lookup}, ward {ward[2]}" if lookup else f"ward {ward[2]}"
    for index in range(len(frame)):
        row = index + 2
        ctx.read(label)
        codes: dict[str, str] = {}
        for lvl in levels:
            code = lists[lvl][index].strip()
            if not code or _NOT_APPLICABLE.match(code):
                continue
            column, _, year = levels[lvl]
            vintage = year if lvl in ("oa", "lsoa", "msoa") else None
            own = lvl == own_level
            if not _check_code(
                code, ctx, label=label, row=row, column=column, vintage=vintage, own=own
            ):
                if own:
                    break
                continue
            codes[lvl] = code
            props: dict[str, Any] = {"level": _LEVEL_NAMES.get(lvl, lvl), "vintage": vintage}
            if lvl == "rgn" and area_level(code) == "country":
                props["level"] = "country"  # Wales has no regions; lookups give the country
            if lvl in names:
                props["name"] = names[lvl][index].strip()
            c.area(code, props, label=label, row=row, own=lvl == own_level)
        else:
            present = [lvl for lvl in chain if lvl in codes]
            for child, parent in itertools.pairwise(present):
                c.link(
                    codes[child],
                    codes[parent],
                    label=label,
                    row=row,
                    lookup=lookup,
                )
            if ward and "wd" in codes:
                if "oa" in codes:
                    c.link(codes["oa"], codes["wd"], label=label, row=row, lookup=lookup)
                if "lad" in codes:
                    c.link(
                        codes["wd"],
                        codes["lad"],
                        label=label,
                        row=row,
                        lookup=lookup,
                    )
            if own_level not in codes:
                ctx.use(label)


def _coordinates(
    lat_text: str, lon_text: str, ctx: ReadContext, *, label: str, row: int, code: str
) -> tuple[float, float] | None:
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        if lat_text.strip() or lon_text.strip():
            ctx.problem(
                Severity.WARNING,
                "bad-coordinates",
                "coordinates are not numbers; left out",
                "correct them.",
                table=label,
                row=row,
                record=code,
                value=f"{lat_text}, {lon_text}",
            )
        return None
    problem = coordinate_problem(lat, lon)
    if problem is None:
        return lat, lon
    if lat == 99.999999 or (lat == 0 and lon == 0):
        return None  # ONS's marker for "no grid reference"
    ctx.problem(
        Severity.WARNING,
        "coordinates-outside-uk",
        f"coordinates are {problem}; left out",
        "correct them (latitude first, then longitude, in WGS84 degrees).",
        table=label,
        row=row,
        record=code,
        value=f"{lat}, {lon}",
    )
    return None


def _read_centroids(
    frame: pd.DataFrame, columns: dict[str, str], label: str, ctx: ReadContext, c: _Collector
) -> None:
    code_col = _pick(columns, _CODE_COLUMNS)
    lat_col, lon_col = _pick(columns, _LAT), _pick(columns, _LON)
    assert code_col
    assert lat_col
    assert lon_col
    header = _header(code_col)
    vintage = "2011" if "11" in header else "2021" if "21" in header else None
    codes, lats, lons = frame[code_col].tolist(), frame[lat_col].tolist(), frame[lon_col].tolist()
    for index, raw in enumerate(codes):
        row = index + 2
        ctx.read(label)
        code = raw.strip()
        if not _check_code(code, ctx, label=label, row=row, column=code_col, vintage=vintage):
            continue
        try:
            point = float(lats[index]), float(lons[index])
            problem = coordinate_problem(*point)
        except ValueError:
            problem = "not numbers"
        if problem:
            ctx.reject(
                label,
                "bad-centroid",
                f"the centroid's coordinates are {problem}; the row is left out",
                "correct them (latitude and longitude in WGS84 degrees).",
                row=row,
                record=code,
                field=f"{lat_col}, {lon_col}",
                value=f"{lats[index]}, {lons[index]}",
            )
            continue
        props: dict[str, Any] = {
            "latitude": round(point[0], 6),
            "longitude": round(point[1], 6),
            "vintage": vintage or code_vintage(code),
        }
        if _NI_SOA.match(code):
            props["level"] = "soa"
        c.area(code, props, label=label, row=row)


def _month(text: str) -> str | None:
    text = text.strip()
    return f"{text[:4]}-{text[4:6]}" if len(text) == 6 and text.isdigit() else None


def _read_postcodes(
    frame: pd.DataFrame, columns: dict[str, str], label: str, ctx: ReadContext, c: _Collector
) -> None:
    pc_col = _pick(columns, ("pcds", "pcd8", "pcd7", "pcd", "postcode"))
    assert pc_col
    links = [
        (col, vintage)
        for name, vintage in (
            ("lsoa11", "2011"),
            ("lsoa21", "2021"),
            ("osward", None),
            ("oslaua", None),
        )
        if (col := columns.get(name))
    ]
    lat_col, lon_col = columns.get("lat"), columns.get("long")
    intro_col, term_col = columns.get("dointr"), columns.get("doterm")
    data = {
        col: frame[col].tolist()
        for col in {pc_col, *(name for name, _ in links)}
        | {x for x in (lat_col, lon_col, intro_col, term_col) if x}
    }
    not_applicable = 0
    for index in range(len(frame)):
        row = index + 2
        ctx.read(label)
        raw = data[pc_col][index]
        postcode = normalise_postcode(raw)
        if " " not in postcode:
            ctx.reject(
                label,
                "bad-postcode",
                "not a UK postcode",
                "correct or remove the row.",
                row=row,
                field=pc_col,
                value=raw,
            )
            continue
        props: dict[str, Any] = {"name": postcode, "level": "postcode"}
        if lat_col and lon_col:
            point = _coordinates(
                data[lat_col][index], data[lon_col][index], ctx, label=label, row=row, code=postcode
            )
            if point:
                props["latitude"], props["longitude"] = round(point[0], 6), round(point[1], 6)
        if intro_col:
            props["introduced"] = _month(data[intro_col][index])
        if term_col:
            props["terminated"] = _month(data[term_col][index])
        c.area(postcode, props, label=label, row=row)
        for col, vintage in links:
            code = data[col][index].strip()
            if not code:
                continue
            if _NOT_APPLICABLE.match(code):
                not_applicable += 1
                continue
            if not _check_code(
                code, ctx, label=label, row=row, column=col, vintage=vintage, own=False
            ):
                continue
            c.area(
                code, {"vintage": vintage or code_vintage(code)}, label=label, row=row, own=False
            )
            c.link(postcode, code, label=label, row=row)
    if not_applicable:
        ctx.problem(
            Severity.NOTE,
            "not-applicable-codes",
            f"{not_applicable} area codes are ONS's 'not applicable' pseudo-codes "
            "(E99999999...); those postcodes link to no area of that kind",
            "",
            table=label,
        )


def _read_geojson(file: Path, ctx: ReadContext, c: _Collector) -> None:
    from shapely.geometry import shape  # imported here: only boundary files need it

    label = file.name
    data = load_json(file, encoding=ctx.encoding)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(
            "is not a GeoJSON FeatureCollection.",
            path=file,
            fix="export the boundaries as GeoJSON (a FeatureCollection of features).",
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(
            "has no list of 'features'.",
            path=file,
            fix="export the boundaries as GeoJSON (a FeatureCollection of features).",
        )
    for index, feature in enumerate(features):
        where = f"feature {index + 1}"
        ctx.read(label)
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            ctx.reject(
                label,
                "not-a-feature",
                "features are not GeoJSON features with an object of properties; rejected",
                "export the boundaries as GeoJSON features.",
                record=where,
            )
            continue
        code_key = next(
            (
                k
                for k, v in properties.items()
                if k.lower().endswith("cd") and isinstance(v, str) and is_gss_code(v)
            ),
            None,
        )
        if code_key is None:
            ctx.reject(
                label,
                "no-area-code",
                "a boundary has no GSS code property (such as LSOA11CD)",
                "keep the code property when exporting the boundaries.",
                record=where,
            )
            continue
        code = str(properties[code_key]).strip()
        match = re.match(r"^[a-z]+(\d\d)cd$", code_key.lower())
        vintage = f"20{match.group(1)}" if match else None
        try:
            geometry = shape(feature.get("geometry") or {})
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
            ctx.reject(
                label,
                "bad-geometry",
                f"the boundary's geometry cannot be read ({exc})",
                "check the export.",
                record=code,
            )
            continue
        point = geometry.representative_point()
        problem = coordinate_problem(point.y, point.x)
        if geometry.is_empty or problem:
            ctx.reject(
                label,
                "bad-geometry",
                f"the boundary is {'empty' if geometry.is_empty else problem}",
                "export the boundaries in WGS84 longitude/latitude (EPSG:4326).",
                record=code,
            )
            continue
        centre = geometry.centroid
        name_key = code_key[:-2] + "NM" if code_key.endswith("CD") else code_key[:-2] + "nm"
        props: dict[str, Any] = {
            "name": properties.get(name_key),
            "vintage": vintage if area_level(code) in ("oa", "lsoa", "msoa") else None,
            "geometry": feature["geometry"],
            "latitude": round(centre.y, 6),
            "longitude": round(centre.x, 6),
        }
        c.area(code, props, label=label, row=index + 1)


register(
    Ingester(
        name="areas",
        summary="ONS geography and MHCLG deprivation: IMD 2019 files, area lookups, centroids, "
        "the ONS Postcode Directory, GeoJSON boundaries (a file or a folder).",
        read=read_areas,
        example="civicgraph ingest areas ../shared/data/imd2019_lsoa --name england",
    )
)


def ingest_areas(
    workspace: Workspace,
    source: str | Path,
    *,
    name: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
) -> IngestReport:
    """Ingest area files into a workspace (see the module documentation for the kinds).

    Parameters
    ----------
    workspace
        Where to write.
    source
        A file or a folder of area files.
    name
        The source's name in the workspace (default: from the file or folder name).
    strict
        Refuse the whole ingest if it has any error or warning.
    encoding
        The CSV files' encoding, if not UTF-8.

    Returns
    -------
    IngestReport
    """
    return ingest(workspace, "areas", str(source), name=name, strict=strict, encoding=encoding)
