"""Tables as files that lose nothing: CSV, JSON, Markdown, aligned text and Excel workbooks.

One implementation for every table civicgraph writes (query results, review lists,
Kumu's elements and connections), so that the same rules hold everywhere:

- **Nothing is cut.** Every value is written whole, except in ``table`` (aligned
  text for reading on a screen, where long values may be shortened on request).
- **Spreadsheets run nothing.** Text that a spreadsheet would read as a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return) is neutralised: in CSV it gets a
  leading apostrophe; in a workbook it is stored as text with Excel's own
  "quote prefix" mark, so the value itself is unchanged. Plain numbers such as
  ``-3`` stay numbers.
- **Workbooks are typed.** One sheet per table; numbers are numbers, ``YYYY-MM-DD``
  dates and datetimes are dates, booleans are booleans, the rest is text; the
  header row is bold, frozen and filterable; columns are sized to their contents.
- **Lists and records** (nested values) are written as compact JSON text in CSV,
  Markdown and workbooks, and as themselves in JSON.

The format of a file follows its extension (``.csv``, ``.json``, ``.xlsx``, ``.md``,
``.txt``); see :func:`format_for`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
import pandas as pd

from .._files import write_bytes
from .._spreadsheet import FORMULA_PREFIXES, neutralise_formula
from ..errors import UsageError

__all__ = [
    "EXCEL_CELL_LIMIT",
    "SUFFIX_FORMATS",
    "TABLE_FORMATS",
    "WorkbookResult",
    "about_table",
    "answer_bytes",
    "format_for",
    "markdown_table",
    "table_bytes",
    "write_table",
    "write_workbook",
]

TABLE_FORMATS = ("table", "csv", "json", "xlsx", "md")
"""Every format a table can be written in."""

SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".md": "md", ".txt": "table"}
"""The format each file extension stands for."""

EXCEL_CELL_LIMIT = 32_767
"""The most characters an Excel cell holds."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = frozenset(FORMULA_PREFIXES)
_EXACT_INTEGER = 2**53
"""Above this an integer is not exact as a spreadsheet number; it is written as text."""


def format_for(out: str | Path | None, format: str | None = None) -> str:
    """The format to write ``out`` in: ``format`` if given, else the one its extension names.

    Without ``out`` (standard output) or ``-`` the default is ``table``. An
    extension that names another format than ``format`` is a usage error, and so
    is an extension that names none when ``format`` is not given.

    Examples
    --------
    >>> format_for("silos.xlsx"), format_for("silos.CSV"), format_for(None), format_for("-")
    ('xlsx', 'csv', 'table', 'table')
    >>> format_for("rows", "json")
    'json'
    >>> format_for("silos.csv", "json")
    Traceback (most recent call last):
    ...
    civicgraph.errors.UsageError: --out silos.csv is a .csv file but --format is json. Fix: ...
    """
    if format is not None and format not in TABLE_FORMATS:
        raise UsageError(
            f"--format {format} is not one of {', '.join(TABLE_FORMATS)}. Fix: pick one."
        )
    if out is None or str(out) == "-":
        return format or "table"
    suffix = Path(str(out)).suffix.lower()
    implied = SUFFIX_FORMATS.get(suffix)
    if format is None:
        if implied is None:
            known = ", ".join(SUFFIX_FORMATS)
            raise UsageError(
                f"--out {out}: cannot tell the format from "
                + (f"the extension '{suffix}'" if suffix else "a name without an extension")
                + f". Fix: name the file with one of {known}, or give --format."
            )
        return implied
    if implied is not None and implied != format:
        raise UsageError(
            f"--out {out} is a {suffix} file but --format is {format}. Fix: drop --format "
            f"(the extension decides), or name the file {Path(str(out)).stem}"
            f"{_suffix_of(format)}."
        )
    return format


def _suffix_of(format: str) -> str:
    return next((s for s, f in SUFFIX_FORMATS.items() if f == format), "")


# -- values ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as plain Python: None for missing, numbers, bools, text, dates, or nested data."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    return value


def _nested_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


def _text(value: Any) -> str:
    """A plain value as the text CSV and Markdown write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return _nested_text(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def _rows(frame: pd.DataFrame) -> Iterable[list[Any]]:
    for row in frame.itertuples(index=False, name=None):
        yield [_plain(v) for v in row]


def _columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns]


# -- text formats ------------------------------------------------------------------------


def _csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise_formula(c) for c in _columns(frame)])
    for row in _rows(frame):
        writer.writerow(["" if v is None else neutralise_formula(_text(v)) for v in row])
    return buffer.getvalue()


def _json_text(frame: pd.DataFrame) -> str:
    columns = _columns(frame)
    records = [dict(zip(columns, row, strict=True)) for row in _rows(frame)]
    return orjson.dumps(
        records,
        option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY,
        default=str,
    ).decode()


_MARKDOWN_SPECIAL = re.compile(r"([\\|`*_\[\]<>])")


def _markdown_cell(value: Any) -> str:
    text = "" if value is None else _text(value)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table: ``|``, backslashes and markup characters escaped.

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table(pd.DataFrame({"name": ["A | B", "<b>C</b>"], "n": [1, None]})))
    | name | n |
    | --- | --- |
    | A \\| B | 1.0 |
    | \\<b\\>C\\</b\\> |  |
    """
    columns = _columns(frame)
    if not columns:
        return "No rows."
    lines = [
        "| " + " | ".join(_markdown_cell(c) for c in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    lines += ["| " + " | ".join(_markdown_cell(v) for v in row) + " |" for row in _rows(frame)]
    return "\n".join(lines)


def _aligned_text(frame: pd.DataFrame, max_colwidth: int | None) -> str:
    if frame.empty:
        return "No rows."
    shown = frame.map(lambda v: None if (p := _plain(v)) is None else _text(p))
    return str(shown.to_string(index=False, max_colwidth=max_colwidth, na_rep=""))


def table_bytes(
    frame: pd.DataFrame, format: str, *, bom: bool = False, max_colwidth: int | None = None
) -> bytes:
    """``frame`` written in ``format`` (see :data:`TABLE_FORMATS`) as the bytes of a file.

    Parameters
    ----------
    frame
        The table.
    format
        ``table``, ``csv``, ``json``, ``xlsx`` or ``md``.
    bom
        Begin a CSV with the UTF-8 byte-order mark (what Excel on Windows needs to read
        UTF-8 text as UTF-8 when a CSV is double-clicked).
    max_colwidth
        In ``table`` only: shorten longer values to this many characters.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"name": ["=1+2", "Hall"], "n": [-3, 4]})
    >>> print(table_bytes(frame, "csv").decode())
    name,n
    '=1+2,-3
    Hall,4
    <BLANKLINE>
    >>> table_bytes(frame, "csv", bom=True)[:3] == "\\ufeff".encode()
    True
    """
    if format == "xlsx":
        buffer = io.BytesIO()
        write_workbook({"rows": frame}, buffer)
        return buffer.getvalue()
    if format == "csv":
        return (("\ufeff" if bom else "") + _csv_text(frame)).encode("utf-8")
    if format == "json":
        text = _json_text(frame)
    elif format == "md":
        text = markdown_table(frame)
    elif format == "table":
        text = _aligned_text(frame, max_colwidth)
    else:
        raise UsageError(f"'{format}' is not one of {', '.join(TABLE_FORMATS)}.")
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _about_line(about: Mapping[str, Any]) -> str:
    """What an answer is about, as one line of text (the scope, the day, the notes)."""
    parts = []
    scope = about.get("scope")
    if isinstance(scope, Mapping) and scope.get("described"):
        parts.append(str(scope["described"]))
    if about.get("as_of"):
        parts.append(f"as of {about['as_of']}")
    parts += [str(note) for note in about.get("notes") or ()]
    return "; ".join(parts)


def about_table(about: Mapping[str, Any]) -> pd.DataFrame:
    """What an answer is about as a table, one row per fact (nested facts as JSON text):
    the "about" sheet of a workbook (see :func:`answer_bytes`)."""
    facts: list[tuple[str, Any]] = []
    for key, value in about.items():
        if key == "scope" and isinstance(value, Mapping):
            facts += [(f"scope.{k}", v) for k, v in value.items()]
        elif key == "notes":
            facts += [("note", note) for note in value or ()]
        else:
            facts.append((key, value))
    return pd.DataFrame(
        {
            "about": [k for k, _ in facts],
            "value": [
                v if v is None or isinstance(v, str | int | float) else _text(_plain(v))
                for _, v in facts
            ],
        }
    )


def answer_bytes(
    frame: pd.DataFrame,
    format: str,
    *,
    about: Mapping[str, Any],
    bom: bool = False,
    max_colwidth: int | None = None,
) -> bytes:
    """A query's answer in ``format``: its rows and what they are about.

    ``about`` holds the query's name, its scope (the areas, how they were chosen, the
    lookup vintage), ``as_of`` and notes. JSON is one object, ``about`` then ``rows``;
    a workbook gets an "about" sheet after "rows"; Markdown starts with one line of
    it; CSV and aligned text are the rows alone (:func:`table_bytes`), so a CSV stays
    one table.

    Examples
    --------
    >>> import pandas as pd, json
    >>> about = {"query": "gaps", "scope": None, "as_of": "2024-03-31", "notes": []}
    >>> answer = answer_bytes(pd.DataFrame({"area": ["E01000001"]}), "json", about=about)
    >>> list(json.loads(answer)), json.loads(answer)["rows"]
    (['query', 'scope', 'as_of', 'notes', 'rows'], [{'area': 'E01000001'}])
    >>> print(answer_bytes(pd.DataFrame({"n": [1]}), "md", about=about).decode())
    _as of 2024-03-31_
    <BLANKLINE>
    | n |
    | --- |
    | 1 |
    <BLANKLINE>
    """
    if format == "json":
        columns = _columns(frame)
        document = {
            **about,
            "rows": [dict(zip(columns, row, strict=True)) for row in _rows(frame)],
        }
        text = orjson.dumps(
            document,
            option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY,
            default=str,
        ).decode()
        return (text + "\n").encode("utf-8")
    if format == "xlsx":
        buffer = io.BytesIO()
        write_workbook({"rows": frame, "about": about_table(about)}, buffer)
        return buffer.getvalue()
    if format == "md":
        line = _about_line(about)
        table = table_bytes(frame, "md")
        if not line:
            return table
        return f"_{_markdown_cell(line)}_\n\n".encode() + table
    return table_bytes(frame, format, bom=bom, max_colwidth=max_colwidth)


def write_table(
    frame: pd.DataFrame, out: str | Path, *, format: str | None = None, bom: bool = False
) -> Path:
    """Write ``frame`` to ``out`` in the format its extension names (or ``format``).

    The file is written whole or not at all (a temporary file, then a rename).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = write_table(pd.DataFrame({"a": [1]}), folder / "rows.json")
    >>> path.read_text()
    '[\\n  {\\n    "a": 1\\n  }\\n]\\n'
    """
    chosen = format_for(out, format)
    path = Path(out)
    write_bytes(path, table_bytes(frame, chosen, bom=bom))
    return path


# -- workbooks ---------------------------------------------------------------------------


class WorkbookResult:
    """What a workbook holds: rows per sheet, and the cells cut to Excel's limit."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.cut_cells = 0

    def notes(self) -> list[str]:
        """Sentences for the user about anything the workbook could not hold whole."""
        if not self.cut_cells:
            return []
        return [
            f"{self.cut_cells:,} cells longer than Excel's {EXCEL_CELL_LIMIT:,} characters were "
            "cut (marked …); write csv or json to keep them whole"
        ]


def _column_kind(values: Sequence[Any]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "text"
    kinds = {type(v) for v in present}
    if kinds == {bool}:
        return "bool"
    if kinds <= {int, float}:
        return "number"
    if all(isinstance(v, dt.datetime) for v in present):
        return "datetime"
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return "date"
    if all(isinstance(v, str) for v in present):
        if all(len(v) == 10 and _DATE.fullmatch(v) for v in present):
            return "date-text"
        if all(_DATETIME.fullmatch(v) for v in present):
            return "datetime-text"
    return "text"


def _as_date(value: Any, kind: str) -> Any:
    """A date or naive datetime for Excel (which has no time zones: times become UTC)."""
    try:
        if kind == "date-text":
            return dt.date.fromisoformat(value)
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return None
    if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _sheet_title(name: str, taken: set[str]) -> str:
    title = _SHEET_FORBIDDEN.sub("_", name).strip("'") or "rows"
    title = title[:31]
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title


def _text_cell(sheet: Any, result: WorkbookResult, value: Any) -> Any:
    """A text cell: never a formula, marked as text when it looks like one, within Excel's limit."""
    from openpyxl.cell import WriteOnlyCell

    text = _XML_ILLEGAL.sub("\ufffd", value if isinstance(value, str) else _text(value))
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
        result.cut_cells += 1
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl makes text that begins with '=' a formula; it is not one
    if neutralise_formula(text) != text:
        cell.quotePrefix = True  # Excel's own mark for "text, though it looks like a formula"
    return cell


def write_workbook(
    sheets: Mapping[str, pd.DataFrame], target: str | Path | IO[bytes]
) -> WorkbookResult:
    """Write each table as one sheet of an Excel workbook (``.xlsx``), typed.

    Parameters
    ----------
    sheets
        Each sheet's name and its table, in order.
    target
        A file path (written whole or not at all) or a binary stream.

    Returns
    -------
    WorkbookResult
        The rows per sheet, and how many cells were too long for Excel.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib, openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rows.xlsx"
    >>> frame = pd.DataFrame({"name": ["=1+2"], "n": [-3], "on": ["2024-05-01"]})
    >>> write_workbook({"rows": frame}, path).rows
    {'rows': 1}
    >>> cells = openpyxl.load_workbook(path)["rows"][2]
    >>> [c.value for c in cells], cells[0].quotePrefix
    (['=1+2', -3, datetime.datetime(2024, 5, 1, 0, 0)], True)
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    result = WorkbookResult()
    bold = Font(bold=True)
    taken: set[str] = set()
    for name, frame in sheets.items():
        title = _sheet_title(name, taken)
        sheet = workbook.create_sheet(title)
        columns = _columns(frame)
        rows = list(_rows(frame))
        kinds = [_column_kind([row[i] for row in rows]) for i in range(len(columns))]
        widths = [min(max(len(c), 8), 60) for c in columns]

        body: list[list[Any]] = []
        for row in rows:
            cells: list[Any] = []
            for i, value in enumerate(row):
                kind = kinds[i]
                if value is None:
                    cells.append(None)
                    continue
                if kind in ("number", "bool"):
                    if isinstance(value, float) and not math.isfinite(value):
                        cells.append(None)
                    elif isinstance(value, int) and abs(value) > _EXACT_INTEGER:
                        cells.append(
                            _text_cell(sheet, result, str(value))
                        )  # a spreadsheet number is a double
                    else:
                        cells.append(value)
                    widths[i] = max(widths[i], min(len(_text(value)) + 2, 60))
                elif kind in ("date", "date-text", "datetime", "datetime-text"):
                    cell = WriteOnlyCell(sheet, value=_as_date(value, kind))
                    cell.number_format = (
                        "yyyy-mm-dd" if kind in ("date", "date-text") else "yyyy-mm-dd hh:mm:ss"
                    )
                    widths[i] = max(widths[i], 12 if kind in ("date", "date-text") else 20)
                    cells.append(cell)
                else:
                    text = value if isinstance(value, str) else _text(value)
                    if (
                        text[:1] in _FORMULA_START
                        or len(text) > EXCEL_CELL_LIMIT
                        or _XML_ILLEGAL.search(text)
                    ):
                        cells.append(_text_cell(sheet, result, text))
                    else:
                        cells.append(text)  # plain text: the cheap path (most cells)
                    widths[i] = max(widths[i], min(len(text) + 2, 60))
            body.append(cells)
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        if columns:
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
        header = []
        for column in columns:
            cell = _text_cell(sheet, result, column)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for cells in body:
            sheet.append(cells)
        result.rows[title] = len(rows)
    if not sheets:
        workbook.create_sheet("rows")
    if isinstance(target, str | Path):
        buffer = io.BytesIO()
        workbook.save(buffer)
        write_bytes(Path(target), buffer.getvalue())
    else:
        workbook.save(target)
    return result
