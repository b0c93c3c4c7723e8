"""The ingester registry: every source format registers here by name.

Built-in ingesters register exactly as a plugin would; the CLI builds one
``civicgraph ingest <name>`` command per registered ingester, with its
options.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .._secrets import mask_credentials
from ..errors import UsageError
from ..graph import IngestReport, Record, Workspace
from ..graph.workspace import SnapshotCheck
from ._pipeline import Progress, ReadContext, run_ingest

__all__ = [
    "INGESTERS",
    "Ingester",
    "Option",
    "check_snapshot_date",
    "default_source_name",
    "ingest",
    "register",
    "validate",
]


@dataclass(frozen=True)
class Option:
    """An ingester-specific option: keyword name, type, default and help."""

    name: str
    type: type
    default: Any
    help: str


@dataclass(frozen=True)
class Ingester:
    """A source format: how to read it and what to tell users about it.

    ``read(source, ctx, **options)`` yields records and reports through ``ctx``.
    """

    name: str
    summary: str
    read: Callable[..., Iterable[Record]]
    example: str
    options: tuple[Option, ...] = ()
    checks: tuple[SnapshotCheck, ...] = ()
    """Run after the identity stage on each snapshot written (e.g. unresolved funders)."""


INGESTERS: dict[str, Ingester] = {}
"""Registered ingesters by name, in registration order."""


def register(ingester: Ingester) -> Ingester:
    """Add an ingester to the registry (replacing one of the same name)."""
    INGESTERS[ingester.name] = ingester
    return ingester


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def default_source_name(source: str) -> str:
    """A source name from a path or URL: the file or folder name, made safe.

    Examples
    --------
    >>> default_source_name("../shared/data/hsds1_miami_open211/datapackage.json")
    'hsds1_miami_open211'
    >>> default_source_name("https://api.example.org/hsds/")
    'api.example.org-hsds'
    """
    if source.startswith(("http://", "https://")):
        parsed = urlparse(source)
        host = parsed.netloc.rsplit("@", 1)[-1]  # never a user name or password
        stem = "-".join(p for p in [host, *parsed.path.split("/")] if p)
    else:
        path = Path(source)
        if path.name.lower() == "datapackage.json":
            path = path.resolve().parent
        stem = path.resolve().name if path.is_dir() or not path.suffix else path.stem
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "source"
    return cleaned[:64]


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsageError(
            f"'{name}' cannot name a source: use letters, digits, '-', '_' and '.' only "
            "(up to 64), starting with a letter or digit."
        )
    return name


def ingest(
    workspace: Workspace | None,
    kind: str,
    source: str,
    *,
    name: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    options: dict[str, Any] | None = None,
    snapshot_date: str | None = None,
) -> IngestReport:
    """Ingest ``source`` with the ingester registered as ``kind``.

    One ingest is one transaction: on any error nothing is written. With
    ``dry_run`` (or no workspace) the input is read and checked and the
    report returned, and nothing is written. ``snapshot_date`` (YYYY-MM-DD)
    is the day the data describes, for a file taken earlier than it is
    ingested; by default the snapshot is dated the day of the ingest.
    """
    if snapshot_date is not None:
        snapshot_date = check_snapshot_date(snapshot_date)
    ingester = INGESTERS.get(kind)
    if ingester is None:
        raise UsageError(
            f"there is no ingester '{kind}'. Fix: use one of {', '.join(sorted(INGESTERS))}."
        )
    source_name = _check_name(name or default_source_name(source))
    if workspace is not None and not dry_run:
        existing = workspace.source_kind(source_name)
        if existing is not None and existing != kind:
            raise UsageError(
                f"source '{source_name}' in the workspace holds {existing} data, not {kind}. "
                "Fix: give this input another `name`.",
                param="name",
            )
    ctx = ReadContext(source=source_name, encoding=encoding, progress=progress, workspace=workspace)
    records = ingester.read(source, ctx, **(options or {}))
    return run_ingest(
        records,
        ctx,
        workspace=workspace,
        kind=kind,
        input_name=mask_credentials(source),  # kept in the workspace: never a password
        strict=strict,
        dry_run=dry_run,
        checks=ingester.checks,
        snapshot_date=snapshot_date,
    )


def check_snapshot_date(value: str) -> str:
    """A snapshot date as YYYY-MM-DD, or a usage error saying how to write one.

    Examples
    --------
    >>> check_snapshot_date("2025-03-31")
    '2025-03-31'
    >>> check_snapshot_date("31/03/2025")
    Traceback (most recent call last):
    ...
    civicgraph.errors.UsageError: snapshot date '31/03/2025' is not a date. Fix: write it ...
    """
    text = value.strip()
    try:
        if len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise UsageError(
        f"snapshot date '{value}' is not a date. Fix: write it as YYYY-MM-DD, e.g. 2025-03-31.",
        param="snapshot_date",
    )


def validate(
    kind: str, source: str, *, workspace: Workspace | None = None, **kwargs: Any
) -> IngestReport:
    """Run every check an ingest would and return the report; write nothing."""
    return ingest(workspace, kind, source, dry_run=True, **kwargs)
