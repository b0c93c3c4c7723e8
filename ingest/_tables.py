"""Reading one table of rows from a CSV or XLSX file, with a guard against personal data.

Referral and relationship files come from spreadsheets people keep. This
module opens one (CSV, or an XLSX sheet through openpyxl), maps its headers
onto the columns an ingester knows (by synonyms: ``from``, ``referred_from``,
``source``...), and refuses, before reading any row, a file with columns that
look like personal data: names of people, dates of birth, NHS or National
Insurance numbers, people's addresses, contact details. Cells are checked
too, for values that can only be personal data (email addresses, NHS and
National Insurance numbers). The message names the columns and rows, never
the values, and nothing of them is stored.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..graph import Severity
from ._io import ARCHIVE_ERRORS, geojson_features, load_json, read_csv, sha256_of
from ._pipeline import ReadContext

__all__ = [
    "Column",
    "Table",
    "cell_text",
    "normalise_header",
    "open_table",
    "personal_data_kind",
]


@dataclass(frozen=True)
class Column:
    """A column an ingester reads: its canonical name and the headers that mean it."""

    name: str
    synonyms: tuple[str, ...] = ()
    required: bool = False

    def matches(self, header: str) -> bool:
        return header == self.name or header in self.synonyms


@dataclass
class Table:
    """An opened table: where it is, which column index holds each known column, its rows."""

    label: str
    """The file (and sheet) as reports name it."""
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]]
    """``(row number, cells as text)``; the row number is the line (CSV) or sheet row (XLSX)."""
    ignored: list[str]

    def get(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


def normalise_header(header: str) -> str:
    """A header in comparable form: lower case, words joined by ``_``.

    Examples
    --------
    >>> normalise_header("  Date of Birth ")
    'date_of_birth'
    >>> normalise_header("Referred-From (service)")
    'referred_from_service'
    """
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


# What a header says about the values under it. Each rule: a kind of personal data and a
# pattern over the normalised header. They are deliberately broad: a false alarm costs a
# rename; a miss puts people's details into a shared workspace.
_PERSON = (
    r"(client|patient|person|resident|customer|service_user|user|child|applicant|member|citizen|"
    r"individual|carer|parent|referee|contact|staff|worker|caseworker|trustee|director|"
    r"board_member)"
)
_PERSONAL_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (
            "a person's name",
            r"^(name|names|first_?name|fore_?names?|given_?names?|sur_?name|last_?name|"
            r"family_?name|full_?name|middle_?names?|initials|maiden_name|title)$"
            rf"|^{_PERSON}(s|_name|_names|_full_name|_surname|_first_name)?$"
            rf"|(^|_)(first_?name|fore_?names?|sur_?name|last_?name|full_?name)(_|$)"
            rf"|^name_of_{_PERSON}$",
        ),
        ("a date of birth", r"(^|_)(dob|d_o_b|birth_?date|birthday)(_|$)|birth"),
        ("an age", r"^(age|age_years|age_at_referral|client_age|patient_age)$"),
        ("an NHS number", r"(^|_)(nhs|chi|hcn)(_?(no|num|number|id))?(_|$)|nhsnumber"),
        (
            "a National Insurance number",
            r"(^|_)(ni_?(no|num|number)|nino|national_insurance)(_|$)",
        ),
        (
            "an address",
            r"(^|_)(home_)?address(_?(line)?_?\d)?(_|$)|^street$|^house_(number|name)$"
            r"|(^|_)(post_?code|zip_?code|zip)(_|$)",
        ),
        ("an email address", r"(^|_)e_?mail(_address)?(_|$)"),
        ("a telephone number", r"(^|_)(phone|telephone|tel|mobile|mob)(_?(no|num|number))?(_|$)"),
        (
            "an identifier of a person",
            rf"^{_PERSON}_(id|no|number|ref|reference)$|(^|_)(case_?(id|no|number|ref|reference)"
            r"|mrn|hospital_number|unique_pupil_number|upn)(_|$)",
        ),
        (
            "special category data",
            r"(^|_)(gender|sex|ethnicity|ethnic_origin|religion|sexual_orientation|"
            r"disability_status|diagnosis|condition)(_|$)",
        ),
    )
)


def personal_data_kind(header: str, *, allowed: Sequence[str] = ()) -> str | None:
    """What kind of personal data a column header suggests, or ``None``.

    ``allowed`` lists normalised headers the ingester knows to be safe (a
    relationship's ``name`` is a partnership's name, not a person's).

    Examples
    --------
    >>> personal_data_kind("Client Surname"), personal_data_kind("DOB")
    ("a person's name", 'a date of birth')
    >>> personal_data_kind("NHS No."), personal_data_kind("referrals") is None
    ('an NHS number', True)
    """
    normalised = normalise_header(header)
    if normalised in allowed:
        return None
    for kind, pattern in _PERSONAL_HEADERS:
        if pattern.search(normalised):
            return kind
    return None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_NHS_SPACED = re.compile(r"^\s*(\d{3})[ -](\d{3})[ -](\d{4})\s*$")
_NHS_BARE = re.compile(r"^\s*(\d{10})\s*$")
_NI_NUMBER = re.compile(
    r"^\s*[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\s*$", re.IGNORECASE
)


def _nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number modulus-11 check (a 10-digit number passes by chance 1 time in 11)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _personal_value(value: str, *, identifier_column: bool) -> str | None:
    """What kind of personal data a cell must be, or ``None``. Cheap tests first."""
    if "@" in value and _EMAIL.search(value):
        return "an email address"
    if not value or len(value) > 13:
        return None
    spaced = _NHS_SPACED.match(value)
    if spaced and _nhs_check_digit_ok("".join(spaced.groups())):
        return "an NHS number"
    # Bare ten-digit numbers can be ids of services; only elsewhere are they suspect.
    bare = None if identifier_column else _NHS_BARE.match(value)
    if bare and _nhs_check_digit_ok(bare.group(1)):
        return "an NHS number"
    if value[0].isalpha() and _NI_NUMBER.match(value):
        return "a National Insurance number"
    return None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: whole numbers without ``.0``, dates in ISO form.

    Examples
    --------
    >>> cell_text(12.0), cell_text(None), cell_text(datetime(2024, 4, 1))
    ('12', '', '2024-04-01')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(
    path: Path, sheet: str | None
) -> tuple[str, list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable: tuple[type[Exception], ...] = (
        InvalidFileException, *ARCHIVE_ERRORS, OSError, KeyError, ValueError, TypeError,
    )  # fmt: skip
    try:
        title, all_rows = _read_workbook(path, sheet)
    except UsageError:
        raise
    except unreadable as exc:
        # openpyxl reads lazily: a damaged member (bad CRC, corrupt deflate data, a
        # truncated file) can fail at any cell, with an error from zipfile or zlib.
        raise InputError(
            f"is not a readable XLSX workbook ({type(exc).__name__}: {exc}).",
            path=path,
            fix="save it from your spreadsheet program as .xlsx, or export the sheet as CSV.",
        ) from exc
    rows = [(n, cells) for n, cells in all_rows if any(c.strip() for c in cells)]
    if not rows:
        raise InputError(
            f"sheet '{title}' is empty.", path=path, fix="check you exported the right sheet."
        )
    _, header = rows[0]
    return title, [h.strip() for h in header], iter(rows[1:])


def _read_workbook(path: Path, sheet: str | None) -> tuple[str, list[tuple[int, list[str]]]]:
    import openpyxl  # only needed for spreadsheets

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it does not read; we read values only.
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            if sheet is not None and sheet not in workbook.sheetnames:
                raise UsageError(
                    f"{path}: there is no sheet '{sheet}'. Fix: use one of "
                    f"{', '.join(repr(s) for s in workbook.sheetnames)}."
                )
            worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
            all_rows = [
                (number, [cell_text(v) for v in values])
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
            ]
            return str(worksheet.title), all_rows
        finally:
            workbook.close()


def _geojson_rows(
    path: Path, ctx: ReadContext
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """A GeoJSON FeatureCollection as a table: one row per feature, numbered from 1.

    The row's cells are the feature's properties (nested values as JSON text)
    and, first, ``latitude`` and ``longitude`` from its Point. A feature that is
    not an object, or whose geometry is neither a Point nor null, is read and
    rejected by its number; a null geometry gives a row without coordinates.
    """
    data = load_json(path, encoding=ctx.encoding)
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise InputError(
            "is not a GeoJSON FeatureCollection (no 'features' list); nothing was read.",
            path=path,
            fix="save the register as a GeoJSON FeatureCollection of points, or as CSV/XLSX.",
        )
    features = list(geojson_features(data))
    keys = list(dict.fromkeys(k for f in features if f is not None for k in f[0]))
    header = ["latitude", "longitude", *keys]
    label = path.name

    def text(value: Any) -> str:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return cell_text(value)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, feature in enumerate(features, start=1):
            if feature is None:
                ctx.read(label)
                ctx.reject(
                    label,
                    "bad-feature",
                    "the feature is not an object with an object of properties; rejected",
                    "export the register again as GeoJSON features.",
                    row=number,
                    field="properties",
                )
                continue
            props, geometry, _ = feature
            point = ["", ""]
            if geometry is not None:
                kind = geometry.get("type") if isinstance(geometry, dict) else None
                coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
                if kind != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2:
                    ctx.read(label)
                    ctx.reject(
                        label,
                        "not-a-point",
                        f"the feature's geometry is {kind or 'not a GeoJSON geometry'}, not a "
                        "Point; rejected",
                        "give each asset a Point (a polygon's centroid, e.g. QGIS 'Centroids'), "
                        "or a null geometry and a postcode.",
                        row=number,
                        field="geometry",
                    )
                    continue
                point = [text(coordinates[1]), text(coordinates[0])]  # GeoJSON is lon, lat
            else:
                ctx.problem(
                    Severity.WARNING,
                    "no-point",
                    "the feature has a null geometry; kept without a point, so it can be placed "
                    "only by its postcode",
                    "give the feature a Point geometry.",
                    table=label,
                    row=number,
                    field="geometry",
                )
            yield number, [*point, *(text(props.get(k)) for k in keys)]

    return header, rows()


def open_table(
    path: Path,
    ctx: ReadContext,
    *,
    columns: Sequence[Column],
    sheet: str | None = None,
    safe_headers: Sequence[str] = (),
    what: str = "rows",
    geojson: bool = False,
    mask_emails: bool = False,
) -> Table:
    """Open a CSV or XLSX file as a :class:`Table` of the known ``columns``.

    With ``geojson``, a ``.geojson`` or ``.json`` file is read too, one row per
    feature (see :func:`_geojson_rows`). With ``mask_emails``, a cell holding an
    e-mail address (an organisation's contact address, in a register of
    buildings) does not refuse the file: the address is replaced by
    ``[email removed]`` and reported as a warning with its row and column, and a
    note counts the cells masked.

    Raises
    ------
    InputError
        The file cannot be read, lacks a required column, or has columns or
        cells that look like personal data (all of them are listed; no value
        is repeated in the message).
    UsageError
        The path does not exist, or ``sheet`` is not in the workbook.
    """
    if not path.exists():
        raise UsageError(f"{path}: no such file. Fix: check the path.")
    if path.is_dir():
        raise UsageError(f"{path} is a folder. Fix: give the CSV or XLSX file itself.")
    suffix = path.suffix.lower()
    ctx.sha256 = sha256_of(path)
    if suffix in (".xlsx", ".xlsm"):
        title, header, raw_rows = _xlsx_rows(path, sheet)
        label = f"{path.name} [{title}]"
        ctx.variant = "XLSX"
    elif suffix in (".csv", ".txt"):
        if sheet is not None:
            raise UsageError(
                f"{path} is a CSV file: it has no sheets. Fix: leave out `sheet`.", param="sheet"
            )
        header, raw_rows = read_csv(path, encoding=ctx.encoding)
        label = path.name
        ctx.variant = "CSV"
    elif geojson and suffix in (".geojson", ".json"):
        if sheet is not None:
            raise UsageError(
                f"{path} is a GeoJSON file: it has no sheets. Fix: leave out `sheet`.",
                param="sheet",
            )
        header, raw_rows = _geojson_rows(path, ctx)
        label = path.name
        ctx.variant = "GeoJSON"
    else:
        expected = ".csv, .xlsx or .geojson" if geojson else ".csv or .xlsx"
        raise InputError(
            f"is not a file civicgraph can read {what} from (expected {expected}).",
            path=path,
            fix="export the sheet as CSV (UTF-8) or save it as .xlsx.",
        )
    if ctx.progress is not None:  # on a terminal: count the rows, to show progress of a total
        counted = list(raw_rows)
        ctx.expect(len(counted))
        raw_rows = iter(counted)
    normalised = [normalise_header(h) for h in header]
    personal = [
        (h, kind)
        for h, n in zip(header, normalised, strict=True)
        if n
        and (kind := personal_data_kind(h, allowed=safe_headers)) is not None
        and not any(c.matches(n) for c in columns)
    ]
    if personal:
        listed = "; ".join(f"'{h}' ({kind})" for h, kind in personal)
        raise InputError(
            f"has columns that look like personal data: {listed}. civicgraph maps services and "
            "organisations, never people, and stores none of this; nothing was read.",
            path=path,
            where=label if label != path.name else None,
            fix="remove these columns (referral data should be counts between services or "
            "organisations, aggregated over a period), then ingest again.",
        )
    found: dict[str, int] = {}
    for column in columns:
        for index, name in enumerate(normalised):
            if column.matches(name) and column.name not in found and index not in found.values():
                found[column.name] = index
    missing = [c for c in columns if c.required and c.name not in found]
    if missing:
        names = ", ".join(
            f"'{c.name}'"
            + (f" (or {', '.join(repr(s) for s in c.synonyms[:4])})" if c.synonyms else "")
            for c in missing
        )
        raise InputError(
            f"has no column {names}. Its columns are: {', '.join(repr(h) for h in header)}.",
            path=path,
            where=label if label != path.name else None,
            fix="name the columns as documented (civicgraph ingest --help shows them).",
        )
    ignored = [h for i, h in enumerate(header) if h and i not in found.values()]
    if ignored:
        ctx.problem(
            Severity.NOTE,
            "column-not-used",
            "columns are not ones civicgraph reads; ignored and not stored",
            "",
            table=label,
            value=", ".join(ignored),
        )
    identifier_columns = {i for name, i in found.items() if name in ("from", "to")}
    checked = _checked(
        raw_rows, path, label, header, identifier_columns, ctx if mask_emails else None
    )
    return Table(label, found, checked, ignored)


def _checked(
    rows: Iterator[tuple[int, list[str]]],
    path: Path,
    label: str,
    header: list[str],
    identifier_columns: set[int],
    mask_in: ReadContext | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """The rows, failing the whole read at the first cell that can only be personal data.

    With ``mask_in``, e-mail addresses are masked and reported there instead.
    """
    masked = 0
    for number, cells in rows:
        for index, value in enumerate(cells):
            column = header[index] if index < len(header) else f"column {index + 1}"
            kind = _personal_value(value, identifier_column=index in identifier_columns)
            if kind == "an email address" and mask_in is not None:
                while _EMAIL.search(value):  # "a@x.orgb@y.org" leaves "[email removed]@y.org"
                    value = _EMAIL.sub("[email removed]", value)
                cells[index] = value
                masked += 1
                mask_in.problem(
                    Severity.WARNING,
                    "email-masked",
                    "the cell holds an e-mail address; it is masked ([email removed]) in what is "
                    "stored",
                    "remove contact e-mail addresses from the register (or keep them out of the "
                    "columns civicgraph reads).",
                    table=label,
                    row=number,
                    field=column,
                )
                kind = _personal_value(value, identifier_column=index in identifier_columns)
            if kind is not None:
                raise InputError(
                    f"holds what looks like {kind}; civicgraph maps services and organisations, "
                    "never people, and stores none of this; nothing was written.",
                    path=path,
                    where=f"{label}, row {number}" if label != path.name else f"row {number}",
                    field=column,
                    fix="remove personal data from the file (keep aggregated counts between "
                    "services or organisations), then ingest again.",
                )
        yield number, cells
    if masked and mask_in is not None:
        mask_in.problem(
            Severity.NOTE,
            "emails-masked",
            f"{masked} cells held e-mail addresses; masked in what is stored",
            "",
            table=label,
        )
