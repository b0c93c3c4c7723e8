"""Open Referral (HSDS) service directories, in every version and form.

``read_hsds`` takes a path or URL and works out what it is:

- HSDS 3.0 / ORUK 3.0 JSON: one record, a list, an API page
  (``total_items``, ``contents``...), a folder of such files, or an API base
  URL that it pages through;
- tabular packages (HSDS 1.0, 1.1/2.0, 3.0 CSV, ORUK 1.0): a folder, its
  ``datapackage.json``, or a ``.zip`` of either; HSDS "tabular JSON" too.

Variants are told apart by file and field names, not by declared versions.
"""

from __future__ import annotations

import tempfile
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

from ...errors import CivicGraphError, InputError, UsageError
from ...graph import IngestReport, Record, Severity, Workspace
from .._io import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    extract_zip,
    is_url,
    load_json,
    refuse_links,
    sha256_of,
)
from .._pipeline import ReadContext
from .._registry import Ingester, Option, ingest, register
from ._api import read_api
from ._funding import unresolved_funders
from ._json3 import entity_kind, kind_from_filename
from ._mapper import Mapper
from ._package import read_package, read_tabular_json
from ._tables import canonical_table

__all__ = ["graph_from_hsds", "ingest_hsds", "read_hsds"]


def read_hsds(
    source: str,
    ctx: ReadContext,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> Iterator[Record]:
    """Yield the records of an HSDS source (path or http(s) URL), detecting its variant.

    Raises
    ------
    InputError
        The source cannot be read as HSDS at all.
    UsageError
        The path does not exist.
    """
    if is_url(source):
        yield from read_api(
            source,
            ctx,
            timeout=timeout,
            max_bytes=max_bytes,
            max_pages=max_pages,
            total_timeout=total_timeout,
        )
        return
    path = Path(source)
    if not path.exists():
        raise UsageError(f"{source}: no such file or folder. Fix: check the path.")
    ctx.sha256 = sha256_of(path)
    if path.is_dir():
        yield from _read_folder(path, ctx)
    elif path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="civicgraph-zip-") as tmp:
            try:
                extract_zip(path, Path(tmp))
                root = _package_root(Path(tmp), origin=path)
                yield from _read_folder(root, ctx)
            except CivicGraphError as exc:
                # Name the zip the user gave, never the temporary folder it was unpacked to.
                raise exc.with_path_shown_as(Path(tmp).resolve(), f"{path}!").with_path_shown_as(
                    tmp, f"{path}!"
                ) from exc
    elif path.suffix.lower() == ".json":
        data = load_json(path, encoding=ctx.encoding)
        if isinstance(data, Mapping) and isinstance(data.get("resources"), list):
            refuse_links(path.parent)
            yield from read_package(path.parent, ctx, descriptor=path)
        else:
            ctx.variant = "HSDS 3.0 JSON"
            mapper = Mapper(ctx)
            found = yield from _read_document(
                data, path.name, kind_from_filename(path.stem), ctx, mapper
            )
            yield from mapper.finish()
            if not found:
                raise InputError(
                    "holds no HSDS records: it is neither an HSDS object, a list of them, nor an "
                    "API page.",
                    path=path,
                    fix="give an HSDS 3.0 JSON file, a folder of them, or a data package.",
                )
    elif path.suffix.lower() == ".csv" and canonical_table(path.stem):
        refuse_links(path.parent)
        yield from read_package(path.parent, ctx)
    else:
        raise InputError(
            "is not an HSDS source civicgraph can read (expected a folder, .zip, .json or "
            "datapackage.json).",
            path=path,
            fix="pass the directory's data package folder, its datapackage.json, a .zip of it, "
            "or HSDS 3.0 JSON.",
        )


def _package_root(folder: Path, *, origin: Path) -> Path:
    """The folder inside an unzipped archive that holds the package."""
    if (
        (folder / "datapackage.json").exists()
        or list(folder.glob("*.csv"))
        or list(folder.glob("*.json"))
    ):
        return folder
    descriptors = sorted(folder.rglob("datapackage.json"))
    if descriptors:
        return descriptors[0].parent
    csvs = sorted(folder.rglob("*.csv"))
    if csvs:
        return csvs[0].parent
    raise InputError(
        "holds no data package: no datapackage.json, CSV or JSON files inside.",
        path=origin,
        fix="zip the folder that holds datapackage.json and the CSV files.",
    )


def _read_folder(folder: Path, ctx: ReadContext) -> Iterator[Record]:
    if (folder / "datapackage.json").exists() or any(
        canonical_table(p.stem) for p in [*folder.glob("*.csv"), *folder.glob("data/*.csv")]
    ):
        yield from read_package(folder, ctx)
        return
    files = sorted(p for p in folder.rglob("*.json") if p.is_file())
    if not files:
        raise InputError(
            "holds no HSDS data: no datapackage.json, HSDS CSV or JSON files.",
            path=folder,
            fix="point at an Open Referral export folder.",
        )
    ctx.variant = "HSDS 3.0 JSON"
    found_any = False
    mapper = Mapper(ctx)  # one for the folder: a service in one file, its organisation in another
    for number, file in enumerate(files, start=1):
        label = file.relative_to(folder).as_posix()
        data = load_json(file, encoding=ctx.encoding)
        found = yield from _read_document(data, label, kind_from_filename(file.stem), ctx, mapper)
        ctx.file_read(number, len(files))
        if not found and not _is_api_details(data):
            ctx.problem(
                Severity.NOTE,
                "not-hsds",
                "files in the folder are not HSDS records; skipped",
                "",
                table="files",
                file=label,
            )
        found_any = found_any or found
    yield from mapper.finish()
    if not found_any:
        raise InputError(
            "holds JSON files but no HSDS records in them.",
            path=folder,
            fix="point at a folder of HSDS 3.0 JSON (API responses or records).",
        )


def _is_api_details(data: Any) -> bool:
    return isinstance(data, Mapping) and "openapi_url" in data


def _read_document(
    data: Any, file: str, hint: str | None, ctx: ReadContext, mapper: Mapper
) -> Generator[Record, None, bool]:
    """Records of one parsed JSON document; returns whether it held HSDS records."""
    if _is_api_details(data):
        version = str(data.get("version") or "")
        if "UK" in version.upper():
            ctx.variant = f"Open Referral UK 3.0 JSON ({version})"
        elif version:
            ctx.variant = f"HSDS {version} JSON"
        return False
    if isinstance(data, Mapping) and isinstance(data.get("contents"), list):
        items = data["contents"]
        total = data.get("total_items")
        if data.get("total_pages") == 1 and isinstance(total, int) and total != len(items):
            ctx.problem(
                Severity.WARNING,
                "page-count-mismatch",
                "a single-page response says total_items differs from the records it holds",
                "check the API's paging.",
                table="page",
                file=file,
                value=f"total_items {total}, contents {len(items)}",
            )
        return (yield from _read_items(items, file, hint, ctx, mapper))
    if isinstance(data, list):
        return (yield from _read_items(data, file, hint, ctx, mapper))
    if isinstance(data, Mapping) and data and all(str(k).endswith(".csv") for k in data):
        yield from read_tabular_json(data, ctx, file=file)
        return True
    if isinstance(data, Mapping):
        kind = (hint or entity_kind(data)) if data else None
        if kind is None:
            return False
        yield from mapper.entity(kind, data, file=file)
        return True
    return False


def _read_items(
    items: list[Any], file: str, hint: str | None, ctx: ReadContext, mapper: Mapper
) -> Generator[Record, None, bool]:
    found = False
    for item in items:
        kind = (hint or entity_kind(item)) if isinstance(item, Mapping) else None
        if kind is None:
            ctx.read("unrecognised")
            ctx.reject(
                "unrecognised",
                "not-hsds",
                "list entries are not HSDS records (no service, organisation, location or "
                "taxonomy fields); rejected",
                "check the file holds HSDS 3.0 records.",
                file=file,
                value=repr(item)[:80],
            )
            continue
        found = True
        yield from mapper.entity(kind, item, file=file)
    return found


register(
    Ingester(
        name="hsds",
        summary="Open Referral service directories (HSDS 1.x-3.0, ORUK 1.0/3.0).",
        read=read_hsds,
        example="civicgraph ingest hsds ./open211-miami/datapackage.json --name miami",
        options=(
            Option(
                "timeout",
                float,
                DEFAULT_TIMEOUT,
                "API URLs: seconds each page may take to arrive, whole (a page dripped slowly "
                "fails too).",
            ),
            Option(
                "total_timeout",
                float,
                DEFAULT_TOTAL_TIMEOUT,
                "API URLs: seconds the whole ingest may take.",
            ),
            Option(
                "max_pages",
                int,
                DEFAULT_MAX_PAGES,
                "API URLs: pages read from each endpoint at most; an API still paging then is "
                "refused.",
            ),
            Option(
                "max_bytes", int, DEFAULT_MAX_BYTES, "API URLs: bytes one page may hold at most."
            ),
        ),
        checks=(unresolved_funders,),
    )
)


def ingest_hsds(
    workspace: Workspace,
    source: str | Path,
    *,
    name: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> IngestReport:
    """Ingest an Open Referral directory into a workspace as one snapshot.

    Parameters
    ----------
    workspace
        Where to write.
    source
        A folder, ``datapackage.json``, ``.zip``, HSDS 3.0 JSON file or API base URL.
    name
        The source's name in the workspace (default: from the path).
    strict
        Refuse the whole ingest if it has any error or warning.
    encoding
        The encoding of CSV/JSON files, if not UTF-8.
    timeout, total_timeout
        For an API URL: the seconds each page may take to arrive whole, and the
        whole ingest.
    max_pages, max_bytes
        For an API URL: the pages read from each endpoint at most, and the
        bytes one page may hold.

    Returns
    -------
    IngestReport
        Per-table counts and every problem found.

    Examples
    --------
    >>> import tempfile
    >>> from civicgraph import Workspace
    >>> from civicgraph.synth import synth
    >>> directory = synth(tempfile.mkdtemp(), services=30, seed=1)[0]
    >>> ws = Workspace(":memory:")
    >>> report = ingest_hsds(ws, directory.path, name="town")
    >>> report.tables["service"].loaded, ws.stats()["nodes"]["Service"]
    (30, 30)
    """
    return ingest(
        workspace,
        "hsds",
        str(source),
        name=name,
        strict=strict,
        encoding=encoding,
        options={
            "timeout": timeout,
            "max_bytes": max_bytes,
            "max_pages": max_pages,
            "total_timeout": total_timeout,
        },
    )


def graph_from_hsds(source: str | Path, **options: Any) -> Any:
    """Read an HSDS source straight into a networkx ``MultiDiGraph`` (no workspace file).

    Examples
    --------
    >>> import tempfile
    >>> from civicgraph.synth import synth
    >>> directory = synth(tempfile.mkdtemp(), services=30, seed=1)[0]
    >>> graph = graph_from_hsds(directory.path)
    >>> sorted({data["type"] for _, data in graph.nodes(data=True)})
    ['Concept', 'Location', 'Organization', 'Service']
    """
    workspace = Workspace(":memory:")
    ingest_hsds(workspace, source, **options)
    return workspace.graph()
