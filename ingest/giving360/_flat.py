"""Spreadsheet 360Giving (CSV and XLSX with flattened column titles) back into grant objects.

Publishers' spreadsheets name columns by the standard's titles
(``Recipient Org:Identifier``, ``Beneficiary Location:0:Geographic Code``) or by
JSON paths (``recipientOrganization/0/id``). Both turn into the nested grant
objects the JSON form has, so one mapper reads every form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError
from .._io import ARCHIVE_ERRORS, read_csv
from ._columns import TITLES

__all__ = ["NON_STANDARD_KEYS", "column_path", "read_sheet", "unflatten"]

Path_ = list[str | int]

# Keys of the 2016 prototype files and ad-hoc publisher columns, mapped to the standard.
NON_STANDARD_KEYS: dict[str, Path_] = {
    "RecipientOrgIdentifier": ["recipientOrganization", 0, "id"],
    "RecipientOrgName": ["recipientOrganization", 0, "name"],
    "RecipientOrgCharityNumber": ["recipientOrganization", 0, "charityNumber"],
    "RecipientOrgCompanyNumber": ["recipientOrganization", 0, "companyNumber"],
    "RecipientOrgPostalCode": ["recipientOrganization", 0, "postalCode"],
    "FundingOrgIdentifier": ["fundingOrganization", 0, "id"],
    "FundingOrgName": ["fundingOrganization", 0, "name"],
    "GrantProgrammeTitle": ["grantProgramme", 0, "title"],
    "Project Start Date": ["plannedDates", 0, "startDate"],
    "Project End Date": ["plannedDates", 0, "endDate"],
    "Grant Programme": ["grantProgramme", 0, "title"],
}


def column_path(title: str) -> Path_ | None:
    """The JSON path a flattened column title stands for, or ``None`` if it is not standard.

    Examples
    --------
    >>> column_path("Recipient Org:Identifier")
    ['recipientOrganization', 0, 'id']
    >>> column_path("Beneficiary Location:1:Geographic Code")
    ['beneficiaryLocation', 1, 'geoCode']
    >>> column_path("recipientOrganization/0/charityNumber")
    ['recipientOrganization', 0, 'charityNumber']
    >>> column_path("Notes") is None
    True
    """
    title = title.strip()
    if title in NON_STANDARD_KEYS:
        return list(NON_STANDARD_KEYS[title])
    if "/" in title:
        return [int(p) if p.isdigit() else p for p in title.split("/") if p]
    path: Path_ = []
    level: dict[str, Any] | None = TITLES
    parts = [p.strip() for p in title.split(":")]
    index = 0
    while index < len(parts):
        if level is None or parts[index] not in level:
            return None
        key, is_array, children = level[parts[index]]
        path.append(key)
        index += 1
        if is_array:
            if index < len(parts) and parts[index].isdigit():
                path.append(int(parts[index]))
                index += 1
            else:
                path.append(0)
        level = children
    return path


def _set(target: dict[str, Any], path: Path_, value: Any) -> None:
    node: Any = target
    for step, following in zip(path, [*path[1:], None], strict=True):
        if following is None:
            node[step] = value
            return
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            node = node[step]
        else:
            default: Any = [] if isinstance(following, int) else {}
            if not isinstance(node.get(step), type(default)):
                node[step] = default
            node = node[step]


def unflatten(row: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A grant object from one flattened row, and the columns that are not in the standard.

    Non-standard columns are kept on the grant under their own titles.
    """
    grant: dict[str, Any] = {}
    unknown: list[str] = []
    for title, value in row.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        path = column_path(title)
        if path is None:
            unknown.append(title)
            grant[title] = value
        else:
            _set(grant, path, value)
    return grant, unknown


def read_sheet(
    path: Path, *, encoding: str | None
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header and rows of a CSV or XLSX grants sheet."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    header, rows = read_csv(path, encoding=encoding)

    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in rows:
            yield number, dict(zip(header, cells, strict=False))

    return header, records()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    import openpyxl  # only spreadsheets need it
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable: tuple[type[Exception], ...] = (
        InvalidFileException, *ARCHIVE_ERRORS, KeyError, OSError, ValueError, TypeError,
    )  # fmt: skip
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except unreadable as exc:
        raise InputError(
            f"is not a readable XLSX workbook ({exc}).",
            path=path,
            fix="save it again as .xlsx, or export the grants sheet as CSV.",
        ) from exc
    sheet = workbook["grants"] if "grants" in workbook.sheetnames else workbook.worksheets[0]
    merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row == 1]
    if merged:
        raise InputError(
            f"has merged cells in its header row ({', '.join(merged)}), so its columns have no "
            "titles of their own.",
            path=path,
            where=f"sheet '{sheet.title}', row 1",
            fix="unmerge the header cells and give every column its own 360Giving title.",
        )
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [str(c).strip() if c is not None else "" for c in next(rows)]
    except StopIteration:
        raise InputError("has an empty grants sheet.", path=path, fix="check the export.") from None

    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in enumerate(rows, start=2):
            if all(c is None for c in cells):
                continue
            yield number, {h: c for h, c in zip(header, cells, strict=False) if h}

    return header, records()
