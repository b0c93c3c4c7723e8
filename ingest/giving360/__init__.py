"""360Giving grants: JSON packages, bare lists, CSV and XLSX spreadsheets, GrantNav exports.

Every form becomes the same nested grant objects (spreadsheet columns are
unflattened by their standard titles), and one mapper turns each grant into
a ``Grant`` node, its funder (``AWARDS``), its recipient (``AWARDED_TO``) and
the areas it benefits (``BENEFITS_AREA``). A grant id seen again, in another
file or source, is the same grant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from ...errors import InputError, UsageError
from ...graph import IngestReport, Record, Severity, Workspace
from ...ontology import normalise_name
from .._io import load_json, sha256_of
from .._pipeline import ReadContext
from .._registry import Ingester, ingest, register
from ._flat import NON_STANDARD_KEYS, column_path, read_sheet, unflatten
from ._grants import GrantMapper

__all__ = ["ingest_360giving", "read_360giving"]

_SUFFIXES = (".json", ".csv", ".xlsx", ".xlsm")


def read_360giving(source: str, ctx: ReadContext) -> Iterator[Record]:
    """Yield the records of a 360Giving file or folder of files.

    Raises
    ------
    InputError
        A file cannot be read as 360Giving data at all.
    UsageError
        The path does not exist.
    """
    path = Path(source)
    if not path.exists():
        raise UsageError(f"{source}: no such file or folder. Fix: check the path.")
    ctx.sha256 = sha256_of(path)
    files = (
        sorted(p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file())
        if path.is_dir()
        else [path]
    )
    if not files:
        raise InputError(
            "holds no 360Giving files (.json, .csv or .xlsx).",
            path=path,
            fix="point at a grants file or a folder of them.",
        )
    forms: list[str] = []
    funder_names: dict[str, dict[str, set[str]]] = {}
    for file in files:
        label = file.relative_to(path).as_posix() if path.is_dir() else file.name
        mapper = GrantMapper(ctx, file=label)
        if file.suffix.lower() == ".json":
            yield from _read_json(file, label, mapper, ctx, forms)
        elif file.suffix.lower() in _SUFFIXES:
            yield from _read_sheet(file, label, mapper, ctx, forms)
        else:
            raise InputError(
                "is not a 360Giving file (expected .json, .csv or .xlsx).",
                path=file,
                fix="export the grants as 360Giving JSON, CSV or XLSX.",
            )
        for key, names in mapper.funder_names.items():
            funder_names.setdefault(key, {}).setdefault(label, set()).update(names)
    _check_funder_names(ctx, funder_names)
    ctx.variant = "360Giving " + " + ".join(dict.fromkeys(forms))


def _read_json(
    file: Path, label: str, mapper: GrantMapper, ctx: ReadContext, forms: list[str]
) -> Iterator[Record]:
    data = load_json(file, encoding=ctx.encoding)
    if isinstance(data, Mapping) and isinstance(data.get("grants"), list):
        grants, form = data["grants"], "JSON package"
    elif isinstance(data, list):
        grants, form = data, "JSON list"
    else:
        raise InputError(
            'is not 360Giving JSON: expected a package {"grants": [...]} or a list of grants.',
            path=file,
            fix="check the file is a 360Giving export.",
        )
    if not any(isinstance(g, Mapping) for g in grants):
        raise InputError(
            f"holds no grants: its {form.split()[-1]} has {len(grants)} entries and none is a "
            "grant object.",
            path=file,
            fix="check the file is a 360Giving export (each grant a JSON object with an id).",
        )
    non_standard = sorted(
        {k for g in grants if isinstance(g, Mapping) for k in g} & NON_STANDARD_KEYS.keys()
    )
    if non_standard:
        form += " (non-standard flattened keys)"
        ctx.problem(
            Severity.NOTE,
            "non-standard-keys",
            "grants use keys from outside the 360Giving standard; read by their meaning",
            "publish with the standard's field names.",
            table=label,
            value=", ".join(non_standard),
        )
    if any(isinstance(g, Mapping) and "additional_data" in g for g in grants):
        form += " with GrantNav additional data"
    forms.append(form)
    ctx.expect(len(grants))
    for index, grant in enumerate(grants, start=1):
        if isinstance(grant, Mapping) and non_standard:
            grant, _ = unflatten(dict(grant))
        yield from mapper.grant(grant, index)


def _read_sheet(
    file: Path, label: str, mapper: GrantMapper, ctx: ReadContext, forms: list[str]
) -> Iterator[Record]:
    header, rows = read_sheet(file, encoding=ctx.encoding)
    known = [h for h in header if h and column_path(h)]
    if "Identifier" not in header and "id" not in header:
        raise InputError(
            "has no 'Identifier' column, so its rows cannot be grants.",
            path=file,
            where="header",
            fix="use the 360Giving column titles (Identifier, Title, Amount Awarded, ...).",
        )
    forms.append("XLSX" if file.suffix.lower() != ".csv" else "CSV")
    unknown = [h for h in header if h and h not in known]
    if unknown:
        ctx.problem(
            Severity.NOTE,
            "non-standard-columns",
            "columns outside the 360Giving standard; kept on each grant under their titles",
            "",
            table=label,
            value=", ".join(unknown[:20]),
        )
    if ctx.progress is not None:  # on a terminal: count the rows, to show progress of a total
        listed = list(rows)
        ctx.expect(len(listed))
        rows = iter(listed)
    for row_number, row in rows:
        grant, _ = unflatten(row)
        yield from mapper.grant(grant, row_number)


def _check_funder_names(ctx: ReadContext, names: dict[str, dict[str, set[str]]]) -> None:
    """Report a funder id given different names (in this input, or in the workspace)."""
    for key, by_file in names.items():
        spellings: dict[str, str] = {}
        where: dict[str, str] = {}
        for label, file_names in by_file.items():
            for name in file_names:
                spellings.setdefault(normalise_name(name), name)
                where.setdefault(normalise_name(name), label)
        if ctx.workspace is not None:
            for fact in ctx.workspace.facts(key):
                name = fact["props"].get("name")
                if fact["source"] != ctx.source and isinstance(name, str):
                    spellings.setdefault(normalise_name(name), name)
                    where.setdefault(normalise_name(name), f"source '{fact['source']}'")
        if len(spellings) > 1:
            ctx.problem(
                Severity.WARNING,
                "funder-named-differently",
                "a funder id is given different names; the grants stay with the id",
                "check the funder's id and name; one of them is probably wrong.",
                table="funders",
                record=key,
                value="; ".join(f"{n!r} in {where[k]}" for k, n in spellings.items()),
            )


register(
    Ingester(
        name="360giving",
        summary="360Giving grants (JSON package or list, CSV, XLSX, GrantNav exports).",
        read=read_360giving,
        example="civicgraph ingest 360giving ./grants/power-to-change.json --name ptc",
    )
)


def ingest_360giving(
    workspace: Workspace,
    source: str | Path,
    *,
    name: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
) -> IngestReport:
    """Ingest a 360Giving grants file (or folder of them) into a workspace as one snapshot.

    Parameters
    ----------
    workspace
        Where to write.
    source
        A ``.json`` (package or list), ``.csv`` or ``.xlsx`` file, or a folder of them.
    name
        The source's name in the workspace (default: from the path).
    strict
        Refuse the whole ingest if it has any error or warning.
    encoding
        The encoding of CSV files, if not UTF-8.

    Returns
    -------
    IngestReport
        Per-file counts and every problem found.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from civicgraph import Workspace
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> grant = {"id": "360G-x-1", "title": "Food", "currency": "GBP", "amountAwarded": 5000,
    ...          "awardDate": "2024-04-01",
    ...          "fundingOrganization": [{"id": "GB-CHC-1000001", "name": "A Trust"}],
    ...          "recipientOrganization": [{"id": "GB-CHC-1122334", "name": "Food Bank"}]}
    >>> _ = (folder / "grants.json").write_text(json.dumps({"grants": [grant]}))
    >>> ws = Workspace(":memory:")
    >>> report = ingest_360giving(ws, folder / "grants.json", name="trust")
    >>> ws.stats()["nodes"]
    {'Organization': 2, 'Grant': 1}
    """
    return ingest(workspace, "360giving", str(source), name=name, strict=strict, encoding=encoding)
