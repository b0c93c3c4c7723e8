"""Declared ties between organisations: partnerships, consortia, shared boards, contracts.

A relationship file is a CSV or an XLSX sheet, one tie per row:

===========  ===========================================================
column       what it holds (other headers accepted for it)
===========  ===========================================================
from         one organisation: its id in the workspace, an org-id, the
             directory's own id, or its name (``organisation_a``, ``org_a``,
             ``lead``, ``contractor``, ...)
to           the other (``organisation_b``, ``org_b``, ``partner``,
             ``member``, ``subcontractor``, ...)
kind         partnership, consortium, shared board, co-location agreement,
             subcontract or MoU (common spellings are understood; another
             word is kept as given, with a warning; empty means partnership)
start_date   optional: when it began (``2023-04-01``, ``01/04/2023``, ``2023``)
end_date     optional: when it ended
name         optional: the partnership's or consortium's name
description  optional: what it is for
from_name,   optional: names to fall back on when the id is not found
to_name
===========  ===========================================================

Each row is one ``PARTNERS_WITH`` edge from ``from`` to ``to``; a pair may be
tied in several kinds at once (the kind keeps them apart). Columns that look
like personal data (a shared trustee's name...) refuse the file whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..graph import EdgeRecord, IngestReport, Record, Severity, Workspace
from ..ontology import EdgeType, NodeType
from ._pipeline import ReadContext
from ._registry import Ingester, Option, ingest, register
from ._tables import Column, normalise_header, open_table
from ._tierows import end_index, resolve_row_ends, source_path

__all__ = [
    "RELATIONSHIP_COLUMNS",
    "RELATIONSHIP_KINDS",
    "ingest_relationships",
    "normalise_kind",
    "parse_date",
    "read_relationships",
]

RELATIONSHIP_KINDS: dict[str, tuple[str, ...]] = {
    "partnership": (
        "partnership",
        "partners",
        "partner",
        "strategic_partnership",
        "alliance",
        "collaboration",
        "joint_working",
        "network",
    ),
    "consortium": ("consortium", "consortium_member", "consortia", "joint_bid"),
    "shared board": (
        "shared_board",
        "shared_trustee",
        "shared_trustees",
        "shared_director",
        "shared_directors",
        "interlocking_board",
        "board",
        "common_trustee",
    ),
    "co-location agreement": (
        "co_location_agreement",
        "co_location",
        "colocation",
        "colocation_agreement",
        "shared_premises",
        "shared_building",
        "tenancy",
        "licence",
        "license",
    ),
    "subcontract": (
        "subcontract",
        "sub_contract",
        "subcontractor",
        "subcontracted",
        "contract",
        "delivery_partner",
        "grant_partner",
    ),
    "MoU": ("mou", "memorandum_of_understanding", "memorandum", "data_sharing_agreement"),
}
"""The kinds of declared tie, each with the spellings (normalised) understood for it."""

_KIND_BY_WORD = {word: kind for kind, words in RELATIONSHIP_KINDS.items() for word in words}

RELATIONSHIP_COLUMNS = (
    Column(
        "from",
        (
            "from_id",
            "organisation_a",
            "organization_a",
            "org_a",
            "organisation_1",
            "organization_1",
            "org_1",
            "organisation",
            "organization",
            "lead",
            "lead_organisation",
            "lead_organization",
            "contractor",
            "source",
        ),
        required=False,
    ),
    Column(
        "to",
        (
            "to_id",
            "organisation_b",
            "organization_b",
            "org_b",
            "organisation_2",
            "organization_2",
            "org_2",
            "partner",
            "partner_organisation",
            "partner_organization",
            "member",
            "member_organisation",
            "subcontractor",
            "target",
        ),
    ),
    Column("from_name", ("organisation_a_name", "organization_a_name", "lead_name")),
    Column("to_name", ("organisation_b_name", "organization_b_name", "partner_name")),
    Column("kind", ("type", "relationship", "relationship_type", "tie", "tie_type")),
    Column("start_date", ("start", "from_date", "started", "date_from", "begins")),
    Column("end_date", ("end", "to_date", "ended", "date_to", "ends")),
    Column("name", ("partnership_name", "consortium_name", "title")),
    Column("description", ("notes_on_partnership", "purpose", "what_for")),
)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_date(text: str) -> str | None:
    """A date in ISO form (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), or ``None`` if unreadable.

    Day-first is assumed for ``dd/mm/yyyy`` (the UK way).

    Examples
    --------
    >>> parse_date("01/04/2023"), parse_date("2023-4-1"), parse_date("2023-04"), parse_date("2023")
    ('2023-04-01', '2023-04-01', '2023-04', '2023')
    >>> parse_date("31/02/2023") is None, parse_date("soon") is None
    (True, True)
    """
    text = text.strip()
    for pattern, order in ((_ISO, (0, 1, 2)), (_UK, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = (parts[i] for i in order)
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return None
    match = _MONTH.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{match.group(1)}-{int(match.group(2)):02d}"
    if _YEAR.match(text):
        return text
    return None


def normalise_kind(text: str) -> tuple[str, bool]:
    """The canonical kind of a tie, and whether it was recognised.

    Examples
    --------
    >>> normalise_kind("Memorandum of Understanding"), normalise_kind("Shared trustees")
    (('MoU', True), ('shared board', True))
    >>> normalise_kind(""), normalise_kind("Twinning")
    (('partnership', True), ('twinning', False))
    """
    word = normalise_header(text)
    if not word:
        return "partnership", True
    kind = _KIND_BY_WORD.get(word)
    return (kind, True) if kind else (text.strip().lower(), False)


def read_relationships(
    source: str, ctx: ReadContext, *, sheet: str | None = None
) -> Iterator[Record]:
    """Yield one ``PARTNERS_WITH`` edge per row of a relationship file.

    Raises
    ------
    InputError
        The file cannot be read, lacks its columns, or holds personal data.
    UsageError
        No workspace, or no such file or sheet.
    """
    path = source_path(source)
    table = open_table(
        path,
        ctx,
        columns=RELATIONSHIP_COLUMNS,
        sheet=sheet,
        safe_headers=("name", "title"),
        what="relationships",
    )
    for end in ("from", "to"):
        if end not in table.columns and f"{end}_name" not in table.columns:
            raise InputError(
                f"has no '{end}' column (nor '{end}_name').",
                path=path,
                fix="name the two organisations' columns 'from' and 'to' (or organisation_a "
                "and organisation_b).",
            )
    index = end_index(ctx, "relationships")
    label = table.label
    allowed = frozenset({NodeType.ORGANIZATION})
    for row, cells in table.rows:
        ctx.read(label)
        ends = resolve_row_ends(ctx, index, table, cells, row, allowed=allowed, what="tie")
        if ends is None:
            continue
        if ends.source == ends.target:
            ctx.reject(
                label,
                "self-tie",
                "rows tie an organisation to itself; rejected",
                "check both columns name the right organisations.",
                row=row,
                value=ends.source,
            )
            continue
        kind, known = normalise_kind(table.get(cells, "kind"))
        if not known:
            ctx.problem(
                Severity.WARNING,
                "unknown-kind",
                "kind is not one civicgraph knows (partnership, consortium, shared board, "
                "co-location agreement, subcontract, MoU); kept as given",
                "use one of the known kinds if one fits.",
                table=label,
                field="kind",
                row=row,
                value=kind,
            )
        props: dict[str, Any] = {"kind": kind}
        for column in ("start_date", "end_date"):
            text = table.get(cells, column)
            if not text:
                continue
            parsed = parse_date(text)
            if parsed is None:
                ctx.problem(
                    Severity.WARNING,
                    "bad-date",
                    f"{column} is not a date; left out",
                    "write dates as YYYY-MM-DD (or DD/MM/YYYY).",
                    table=label,
                    field=column,
                    row=row,
                    value=text,
                )
            else:
                props[column] = parsed
        if props.get("end_date") and props.get("start_date", "") > props["end_date"]:
            ctx.problem(
                Severity.WARNING,
                "ends-before-start",
                "end_date is before start_date; both kept",
                "check the dates.",
                table=label,
                field="end_date",
                row=row,
                value=f"{props['start_date']} .. {props['end_date']}",
            )
        for column in ("name", "description"):
            text = table.get(cells, column)
            if text:
                props[column] = text
        yield EdgeRecord(
            EdgeType.PARTNERS_WITH,
            ends.source,
            ends.target,
            label,
            f"row {row}",
            props=props,
            primary=True,
            row=row,
        )


register(
    Ingester(
        name="relationships",
        summary="Declared ties between organisations: partnerships, consortia, shared boards, "
        "co-location agreements, subcontracts, MoUs (CSV or XLSX).",
        read=read_relationships,
        example="civicgraph ingest relationships partnerships.xlsx --name partnerships",
        options=(Option("sheet", str, None, "The XLSX sheet to read (default: the first)."),),
    )
)


def ingest_relationships(
    workspace: Workspace,
    source: str | Path,
    *,
    name: str | None = None,
    strict: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
) -> IngestReport:
    """Ingest a file of declared ties between organisations as ``PARTNERS_WITH`` edges.

    Parameters
    ----------
    workspace
        Where to write; it must hold the organisations the file names.
    source
        A ``.csv`` or ``.xlsx`` file (see the module documentation for columns).
    name
        The source's name in the workspace (default: from the file name).
    strict
        Refuse the whole ingest if it has any error or warning.
    encoding
        The CSV file's encoding, if not UTF-8.
    sheet
        The XLSX sheet to read (default: the first).

    Returns
    -------
    IngestReport
        Rows read, ties loaded, rows rejected (each with its reason).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from civicgraph import Workspace
    >>> from civicgraph.synth import synth
    >>> written = {s.name: s for s in synth(pathlib.Path(tempfile.mkdtemp()), services=80)}
    >>> ws = Workspace(":memory:")
    >>> _ = ingest(ws, "hsds", str(written["directory"].path), name="directory")
    >>> report = ingest_relationships(ws, written["relationships"].path)
    >>> report.count(Severity.ERROR), ws.stats()["edges"]["PARTNERS_WITH"] > 0
    (0, True)
    """
    return ingest(
        workspace,
        "relationships",
        str(source),
        name=name,
        strict=strict,
        encoding=encoding,
        options={"sheet": sheet},
    )
