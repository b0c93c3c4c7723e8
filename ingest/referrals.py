"""Referral flows: how many people one service or organisation referred to another.

A referral file is a CSV or an XLSX sheet of aggregated flows, one row per
(from, to, period[, outcome]):

=========  ===========================================================
column     what it holds (other headers accepted for it)
=========  ===========================================================
from       the referring service or organisation: its id in the workspace,
           an org-id, the directory's own id, or its name
           (``from_id``, ``source``, ``referrer``, ``referred_from``, ...)
to         the service or organisation referred to (``to_id``, ``target``,
           ``referred_to``, ...)
count      how many referrals (``referrals``, ``number``, ``n``, ``total``);
           optional: a row without one records that the route exists
period     optional: the period the count covers (``2024-Q1``, ``2024``);
           each period is its own edge, so periods are kept apart
outcome    optional: what came of them (``accepted``, ``declined``...); rows
           that differ only in outcome are summed into one flow whose
           ``outcomes`` property keeps the count of each
from_name, optional: names to fall back on when the id is not found
to_name
from_type, optional: ``service`` or ``organisation``, when ids are shared
to_type    between the two
from_provider,  optional: the organisation that provides a service named by
to_provider     name, to tell apart services with the same name
=========  ===========================================================

Files with columns that look like personal data (people's names, dates of
birth, NHS numbers, addresses...) are refused whole; see
:mod:`civicgraph.ingest._tables`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..graph import EdgeRecord, IngestReport, Record, Severity, Workspace
from ..ontology import EdgeType
from ._pipeline import ReadContext
from ._registry import Ingester, Option, ingest, register
from ._tables import Column, Table, open_table
from ._tierows import end_index, end_types, resolve_row_ends, source_path

__all__ = ["REFERRAL_COLUMNS", "ingest_referrals", "read_referrals"]

REFERRAL_COLUMNS = (
    Column(
        "from",
        (
            "from_id",
            "source",
            "source_id",
            "referrer",
            "referrer_id",
            "referred_from",
            "referring_service",
            "referring_organisation",
            "referring_organization",
            "from_service",
            "from_service_id",
            "from_organisation",
            "from_organization",
            "from_organisation_id",
            "from_organization_id",
            "origin",
        ),
    ),
    Column(
        "to",
        (
            "to_id",
            "target",
            "target_id",
            "referred_to",
            "receiving_service",
            "receiving_organisation",
            "receiving_organization",
            "to_service",
            "to_service_id",
            "to_organisation",
            "to_organization",
            "to_organisation_id",
            "to_organization_id",
            "destination",
        ),
    ),
    Column(
        "from_name",
        (
            "from_service_name",
            "from_organisation_name",
            "from_organization_name",
            "referring_service_name",
            "source_name",
        ),
    ),
    Column(
        "to_name",
        (
            "to_service_name",
            "to_organisation_name",
            "to_organization_name",
            "receiving_service_name",
            "target_name",
        ),
    ),
    Column("from_type", ("source_type", "referrer_type")),
    Column("to_type", ("target_type",)),
    Column("from_provider", ("from_provider_name", "from_provider_id", "source_provider")),
    Column("to_provider", ("to_provider_name", "to_provider_id", "target_provider")),
    Column(
        "count",
        (
            "referrals",
            "referral_count",
            "number_of_referrals",
            "number",
            "n",
            "total",
            "volume",
            "value",
            "weight",
        ),
    ),
    Column("period", ("quarter", "month", "year", "reporting_period", "time_period", "date")),
    Column("outcome", ("outcomes", "status", "result", "referral_outcome")),
)

_COUNT = re.compile(r"^\d+(\.0+)?$")


@dataclass
class _Flow:
    """One aggregated flow (from, to, period): rows that differ only in outcome are summed."""

    row: int
    count: int | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    rows: int = 0

    def add(self, count: int | None, outcome: str) -> None:
        self.rows += 1
        if count is not None:
            self.count = (self.count or 0) + count
        self.outcomes[outcome] += count if count is not None else 0

    def props(self, period: str) -> dict[str, Any]:
        props: dict[str, Any] = {}
        if self.count is not None:
            props["count"] = self.count
        if period:
            props["period"] = period
        named = {k: v for k, v in self.outcomes.items() if k}
        if len(self.outcomes) == 1 and named:
            props["outcome"] = next(iter(named))
        elif named:
            props["outcomes"] = {k or "(not given)": v for k, v in sorted(self.outcomes.items())}
        return props


def _count(ctx: ReadContext, label: str, text: str, row: int) -> tuple[bool, int | None]:
    """``(ok, count)``: a missing count is fine (None); a bad one rejects the row."""
    if not text:
        return True, None
    cleaned = text.replace(",", "").replace(" ", "")
    if _COUNT.match(cleaned):
        return True, int(float(cleaned))
    ctx.reject(
        label,
        "bad-count",
        "count is not a whole number of referrals (0 or more); rejected",
        "write the count as digits, e.g. 12; leave it empty if unknown.",
        field="count",
        row=row,
        value=text,
    )
    return False, None


def read_referrals(
    source: str, ctx: ReadContext, *, ends: str = "auto", sheet: str | None = None
) -> Iterator[Record]:
    """Yield one ``REFERS_TO`` edge per (from, to, period) of a referral file.

    Parameters
    ----------
    source
        A ``.csv`` or ``.xlsx`` file.
    ctx
        The read context; its workspace is where the ends are looked up.
    ends
        What the ends are: ``auto`` (services or organisations), ``service`` or
        ``organization``.
    sheet
        The XLSX sheet to read (default: the first).

    Raises
    ------
    InputError
        The file cannot be read, lacks ``from``/``to``, or holds personal data.
    UsageError
        No workspace, bad ``ends``, or no such file or sheet.
    """
    allowed = end_types(ends)
    path = source_path(source)
    table = open_table(path, ctx, columns=REFERRAL_COLUMNS, sheet=sheet, what="referrals")
    if "from" not in table.columns and "from_name" not in table.columns:
        _no_column(path, "from", table)
    if "to" not in table.columns and "to_name" not in table.columns:
        _no_column(path, "to", table)
    index = end_index(ctx, "referrals")
    label = table.label
    flows: dict[tuple[str, str, str], _Flow] = {}
    seen_outcomes: set[tuple[str, str, str, str]] = set()
    for row, cells in table.rows:
        ctx.read(label)
        ok, count = _count(ctx, label, table.get(cells, "count"), row)
        if not ok:
            continue
        ends_found = resolve_row_ends(
            ctx, index, table, cells, row, allowed=allowed, what="referral"
        )
        if ends_found is None:
            continue
        period = table.get(cells, "period")
        outcome = table.get(cells, "outcome")
        key = (ends_found.source, ends_found.target, period)
        flow = flows.get(key)
        if flow is None:
            flow = flows[key] = _Flow(row)
        else:
            ctx.use(label)  # folded into the flow its first row made
        if (*key, outcome) in seen_outcomes:
            ctx.problem(
                Severity.WARNING,
                "repeated-flow",
                "rows repeat the same from, to, period and outcome; their counts are added",
                "if the file repeats rows by mistake, remove them; if they cover different "
                "periods, add a period column.",
                table=label,
                row=row,
                value=f"{ends_found.source} -> {ends_found.target}"
                + (f" ({period})" if period else ""),
            )
        seen_outcomes.add((*key, outcome))
        flow.add(count, outcome)
        if ends_found.source == ends_found.target:
            ctx.problem(
                Severity.NOTE,
                "self-referral",
                "rows refer a service or organisation to itself; kept (the network queries "
                "leave them out)",
                "",
                table=label,
                row=row,
                value=ends_found.source,
            )
        if count == 0:
            ctx.problem(
                Severity.NOTE,
                "zero-count",
                "rows have a count of 0; kept (queries count a route as a tie only from "
                "--min-count referrals, 1 by default)",
                "",
                table=label,
                field="count",
                row=row,
            )
    for (u, v, period), flow in flows.items():
        yield EdgeRecord(
            EdgeType.REFERS_TO,
            u,
            v,
            label,
            f"row {flow.row}",
            props=flow.props(period),
            primary=True,
            row=flow.row,
        )


def _no_column(path: Path, end: str, table: Table) -> None:
    raise InputError(
        f"has no '{end}' column (nor '{end}_name').",
        path=path,
        fix=f"name the column of the referring service 'from' and of the one referred to 'to' "
        f"(found: {', '.join(repr(c) for c in table.columns) or 'no known columns'}).",
    )


register(
    Ingester(
        name="referrals",
        summary="Referral flows between services or organisations (CSV or XLSX: from, to, count, "
        "period, outcome).",
        read=read_referrals,
        example="civicgraph ingest referrals referrals-2024.csv --name referrals",
        options=(
            Option(
                "ends",
                str,
                "auto",
                "What the from/to ends are: auto (services or organisations), service, or "
                "organization.",
            ),
            Option("sheet", str, None, "The XLSX sheet to read (default: the first)."),
        ),
    )
)


def ingest_referrals(
    workspace: Workspace,
    source: str | Path,
    *,
    name: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
    ends: str = "auto",
    sheet: str | None = None,
) -> IngestReport:
    """Ingest a referral file into a workspace as one snapshot of ``REFERS_TO`` edges.

    The ends are matched against the services and organisations already in
    the workspace, so ingest the directory first.

    Parameters
    ----------
    workspace
        Where to write; it must hold the directory the file refers to.
    source
        A ``.csv`` or ``.xlsx`` file (see the module documentation for columns).
    name
        The source's name in the workspace (default: from the file name).
    strict
        Refuse the whole ingest if it has any error or warning.
    encoding
        The CSV file's encoding, if not UTF-8.
    ends
        ``auto``, ``service`` or ``organization``: what the ends may be.
    sheet
        The XLSX sheet to read (default: the first).

    Returns
    -------
    IngestReport
        Rows read, flows loaded, rows rejected (each with its reason).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from civicgraph import Workspace
    >>> from civicgraph.synth import synth
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> written = {s.name: s for s in synth(folder, services=80, seed=1)}
    >>> ws = Workspace(":memory:")
    >>> _ = ingest(ws, "hsds", str(written["directory"].path), name="directory")
    >>> report = ingest_referrals(ws, written["referrals"].path, name="referrals")
    >>> report.count(Severity.ERROR), ws.stats()["edges"]["REFERS_TO"] > 0
    (0, True)
    """
    return ingest(
        workspace,
        "referrals",
        str(source),
        name=name,
        strict=strict,
        encoding=encoding,
        options={"ends": ends, "sheet": sheet},
    )
