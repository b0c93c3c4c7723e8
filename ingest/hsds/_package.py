"""Finding the tables of a tabular HSDS package: datapackage.json, loose CSVs, tabular JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...graph import Record, Severity
from .._io import load_json, package_license, read_csv, safe_join
from .._pipeline import ReadContext
from ._tables import RowIter, Table, canonical_table, detect_variant, rows_from_dicts
from ._tabular import TabularReader

__all__ = ["read_package", "read_tabular_json"]


_CORE_TABLES = frozenset({"organizations", "services"})
"""A package holds at least one of these tables, or it is not HSDS."""


def _csv_table(name: str, path: Path, label: str, ctx: ReadContext) -> Table:
    header, _ = read_csv(path, encoding=ctx.encoding)  # fails early on unreadable files
    if ctx.progress is not None:  # on a terminal: count the rows, to show progress of a total
        ctx.expect(_count_rows(path, ctx))
    duplicates = [h for h, n in Counter(header).items() if n > 1 and h]
    if duplicates:
        raise InputError(
            f"has repeated column names: {', '.join(duplicates)}.",
            path=path,
            where="header",
            fix="give each column its own name.",
        )

    def rows() -> RowIter:
        _, cells_iter = read_csv(path, encoding=ctx.encoding)
        width = len(header)
        for row_number, cells in cells_iter:
            if len(cells) != width:
                _ragged(ctx, label, row_number, width, cells)
            row: dict[str, Any] = {}
            for column, cell in zip(header, cells, strict=False):
                if not column:
                    continue
                row[column] = _clean_cell(ctx, label, column, row_number, cell)
            if len(cells) > width:
                row["extra_values"] = [c for c in cells[width:] if c.strip()]
            yield row_number, row

    return Table(name, label, header, rows)


def _ragged(ctx: ReadContext, label: str, row_number: int, width: int, cells: list[str]) -> None:
    short = len(cells) < width
    ctx.problem(
        Severity.WARNING,
        "ragged-row",
        f"rows have {'fewer' if short else 'more'} cells than the header; "
        + ("missing cells read as empty" if short else "extra cells kept as extra_values"),
        "check for a stray or missing comma or quote on that line.",
        table=label,
        row=row_number,
        value=f"{len(cells)} cells, header has {width}",
    )


def _clean_cell(
    ctx: ReadContext, label: str, column: str, row_number: int, cell: str
) -> str | None:
    """A cell trimmed, with literal ``\\n`` made a line break; each change noted."""
    value = cell.strip()
    if value != cell:
        ctx.problem(
            Severity.NOTE,
            "padded-value",
            "values have spaces around them; trimmed"
            if value
            else "values are only spaces; read as empty",
            "",
            table=label,
            field=column,
            row=row_number,
            value=cell,
        )
    if "\\n" in value:
        ctx.problem(
            Severity.NOTE,
            "escaped-newline",
            "text holds a literal \\n; read as a line break",
            "",
            table=label,
            field=column,
            row=row_number,
            value=value[:60],
        )
        value = value.replace("\\r\\n", "\n").replace("\\n", "\n")
    return value or None


def read_package(
    folder: Path, ctx: ReadContext, *, descriptor: Path | None = None
) -> Iterator[Record]:
    """Records of a tabular HSDS package in ``folder`` (with or without a datapackage.json)."""
    descriptor = descriptor or folder / "datapackage.json"
    tables: dict[str, Table] = {}
    declared = None
    listed: set[Path] = set()
    if descriptor.exists():
        package = load_json(descriptor, encoding=ctx.encoding)
        if not isinstance(package, Mapping) or not isinstance(package.get("resources"), list):
            raise InputError(
                "is not a data package descriptor: it has no 'resources' list.",
                path=descriptor,
                fix="point at the package's datapackage.json, or at its folder.",
            )
        declared = package.get("version")
        licence = package_license(package)
        if licence:
            ctx.metadata["license"] = licence
        for index, resource in enumerate(package["resources"]):
            _add_resource(tables, listed, folder, descriptor, index, resource, ctx)
    loose = sorted(folder.glob("*.csv")) or sorted(
        p for sub in _DATA_FOLDERS for p in (folder / sub).glob("*.csv")
    )
    for path in loose:
        if path.resolve() in listed:
            continue
        name = canonical_table(path.stem)
        label = path.name
        if name is None:
            _unknown_table(ctx, label, _count_rows(path, ctx))
            continue
        if name in tables:
            continue
        if descriptor.exists():
            ctx.problem(
                Severity.NOTE,
                "not-in-descriptor",
                "CSV files in the folder are not listed in datapackage.json; read anyway",
                "list them among the package's resources.",
                table=label,
            )
        tables[name] = _csv_table(name, path, label, ctx)
    if not _CORE_TABLES & tables.keys():
        raise InputError(
            "holds neither an organizations nor a services table, so it is not an HSDS package.",
            path=folder,
            fix="point at the folder (or datapackage.json, or .zip) of an Open Referral export.",
        )
    ctx.variant = detect_variant(tables, str(declared) if declared else None)
    yield from TabularReader(ctx, _ordered(tables)).records()


def _add_resource(
    tables: dict[str, Table],
    listed: set[Path],
    folder: Path,
    descriptor: Path,
    index: int,
    resource: Any,
    ctx: ReadContext,
) -> None:
    if not isinstance(resource, Mapping):
        raise InputError(
            "lists a resource that is not an object.",
            path=descriptor,
            where=f"resources[{index}]",
            fix="each resource needs a name and a path.",
        )
    raw_path = resource.get("path")
    candidates = raw_path if isinstance(raw_path, list) else [raw_path]
    paths = [p for p in candidates if isinstance(p, str) and p]
    if not paths or len(paths) != len(candidates):
        return  # inline or path-less resources carry no table here
    for relative in paths:
        path = safe_join(folder, relative, what="resource path", origin=descriptor)
        listed.add(path)
        name = canonical_table(Path(relative).stem) or canonical_table(
            str(resource.get("name", ""))
        )
        label = Path(relative).name
        if not path.exists():
            path = _find_misplaced(folder, relative, descriptor, ctx) or path
        if not path.exists():
            ctx.problem(
                Severity.NOTE,
                "listed-file-missing",
                "the descriptor lists files that are not in the package; nothing to read",
                "remove them from the descriptor if the package does not have them.",
                file=descriptor.name,
                value=relative,
            )
            continue
        if name is None:
            _unknown_table(ctx, label, _count_rows(path, ctx))
            continue
        if name in tables:
            raise InputError(
                f"lists two files for the {name} table ({tables[name].label} and {label}).",
                path=descriptor,
                where=f"resources[{index}]",
                fix="keep one file per table.",
            )
        tables[name] = _csv_table(name, path, label, ctx)


_DATA_FOLDERS = ("data", "csv")


def _find_misplaced(folder: Path, relative: str, descriptor: Path, ctx: ReadContext) -> Path | None:
    """A listed file that sits in the package's data/ folder although listed at its root.

    Real exports get this wrong (the Open211 Miami package lists
    ``organizations.csv`` and ships ``data/organizations.csv``).
    """
    for sub in _DATA_FOLDERS:
        candidate = safe_join(folder, f"{sub}/{relative}", what="resource path", origin=descriptor)
        if candidate.exists():
            ctx.problem(
                Severity.NOTE,
                "resource-path-corrected",
                f"the descriptor lists files at the package root that are in its {sub}/ "
                "folder; read from there",
                f"list them as {sub}/<file> in datapackage.json.",
                file=descriptor.name,
                value=f"{relative} -> {sub}/{relative}",
            )
            return candidate
    return None


def _count_rows(path: Path, ctx: ReadContext) -> int:
    _, rows = read_csv(path, encoding=ctx.encoding)
    return sum(1 for _ in rows)


def _unknown_table(ctx: ReadContext, label: str, count: int) -> None:
    ctx.read(label, count)
    ctx.rejected_counts[label] += count
    ctx.problem(
        Severity.WARNING,
        "unknown-table",
        "the table is not part of any HSDS version civicgraph knows; its rows were not loaded",
        "rename it to its HSDS table name, or leave it out of the package.",
        table=label,
        value=f"{count} rows",
    )


def _ordered(tables: dict[str, Table]) -> dict[str, Table]:
    return dict(sorted(tables.items()))


def read_tabular_json(data: Mapping[str, Any], ctx: ReadContext, *, file: str) -> Iterator[Record]:
    """Records of HSDS "tabular JSON": an object of ``"<table>.csv": [rows]``."""
    tables: dict[str, Table] = {}
    for filename, items in data.items():
        label = f"{filename} ({file})"
        name = canonical_table(Path(filename).stem)
        rows = items if isinstance(items, list) else []
        if name is None:
            _unknown_table(ctx, label, len(rows))
            continue
        header = sorted({k for item in rows if isinstance(item, Mapping) for k in item})
        tables[name] = Table(name, label, header, lambda rows=rows: rows_from_dicts(rows))  # type: ignore[misc]
    if not _CORE_TABLES & tables.keys():
        raise InputError(
            "is tabular JSON (an object of '<table>.csv' lists) holding neither an "
            "organizations nor a services table, so it is not an HSDS package.",
            path=file,
            fix="add the export's organizations.csv or services.csv list to it, or point at "
            "the export's folder, datapackage.json or .zip.",
        )
    ctx.variant = ctx.variant or detect_variant(tables, None).replace("tabular", "tabular JSON")
    yield from TabularReader(ctx, _ordered(tables)).records()
