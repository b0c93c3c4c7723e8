"""What referral and relationship files share: opening them, and resolving a row's two ends.

Private plumbing for :mod:`civicgraph.ingest.referrals` and
:mod:`civicgraph.ingest.relationships`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..graph import Severity
from ..ontology import NodeType
from ._ends import EndIndex, EndMatch, noun
from ._pipeline import ReadContext
from ._tables import Table

__all__ = ["END_TYPES", "RowEnds", "end_index", "end_types", "resolve_row_ends", "source_path"]

END_TYPES = {
    "auto": frozenset({NodeType.SERVICE, NodeType.ORGANIZATION}),
    "service": frozenset({NodeType.SERVICE}),
    "organization": frozenset({NodeType.ORGANIZATION}),
    "organisation": frozenset({NodeType.ORGANIZATION}),
}

_TYPE_WORDS = {
    "service": NodeType.SERVICE,
    "services": NodeType.SERVICE,
    "svc": NodeType.SERVICE,
    "organisation": NodeType.ORGANIZATION,
    "organization": NodeType.ORGANIZATION,
    "organisations": NodeType.ORGANIZATION,
    "organizations": NodeType.ORGANIZATION,
    "org": NodeType.ORGANIZATION,
    "provider": NodeType.ORGANIZATION,
}


def source_path(source: str) -> Path:
    if source.startswith(("http://", "https://")):
        raise UsageError(
            f"{source}: referral and relationship files are read from disk, not URLs. "
            "Fix: download the file and give its path."
        )
    return Path(source)


def end_index(ctx: ReadContext, what: str) -> EndIndex:
    if ctx.workspace is None:
        raise UsageError(
            f"{what} name services and organisations, so they are matched against a "
            "workspace. Fix: ingest into a workspace (civicgraph --db FILE ingest ...), after "
            "the directory."
        )
    return EndIndex(ctx.workspace, source=ctx.source, what=what)


def end_types(ends: str) -> frozenset[NodeType]:
    allowed = END_TYPES.get(ends.strip().lower())
    if allowed is None:
        raise UsageError(
            f"`ends` '{ends}' is not one of auto, service, organization. Fix: pick one.",
            param="ends",
        )
    return allowed


@dataclass
class RowEnds:
    source: str
    target: str


def _type_hint(
    ctx: ReadContext, table: Table, cells: list[str], column: str, row: int
) -> NodeType | None:
    word = table.get(cells, column).lower()
    if not word:
        return None
    hint = _TYPE_WORDS.get(word)
    if hint is None:
        ctx.problem(
            Severity.WARNING,
            "unknown-end-type",
            f"{column} is neither 'service' nor 'organisation'; ignored",
            "write service or organisation.",
            table=table.label,
            field=column,
            row=row,
            value=word,
        )
    return hint


def resolve_row_ends(
    ctx: ReadContext,
    index: EndIndex,
    table: Table,
    cells: list[str],
    row: int,
    *,
    allowed: frozenset[NodeType],
    what: str,
) -> RowEnds | None:
    """Both ends of a row as node ids, or ``None`` after rejecting the row (with every reason)."""
    resolved: dict[str, str] = {}
    failures: list[tuple[str, str, str, str, str]] = []
    for end in ("from", "to"):
        value = table.get(cells, end)
        name = table.get(cells, f"{end}_name")
        provider = table.get(cells, f"{end}_provider")
        hint = (
            _type_hint(ctx, table, cells, f"{end}_type", row)
            if f"{end}_type" in table.columns
            else None
        )
        types = frozenset({hint}) & allowed if hint is not None else allowed
        if not types:
            types = allowed
        if not value and not name:
            failures.append(
                (
                    "missing-end",
                    f"rows have no '{end}'; rejected",
                    f"give every row both ends of the {what}.",
                    end,
                    "",
                )
            )
            continue
        match = index.resolve(value, name=name, organisation=provider, types=types)
        if match.node is not None:
            resolved[end] = match.node
            continue
        failures.append(_failure(index, match, end, value or name, types))
    if failures:
        ctx.rejected_counts[table.label] += 1
        for code, summary, fix, field, value in failures:
            ctx.problem(
                Severity.ERROR,
                code,
                summary,
                fix,
                table=table.label,
                field=field,
                row=row,
                value=value or None,
            )
        return None
    return RowEnds(resolved["from"], resolved["to"])


def _failure(
    index: EndIndex, match: EndMatch, end: str, shown: str, types: frozenset[NodeType]
) -> tuple[str, str, str, str, str]:
    wanted = " or ".join(sorted(noun(t) for t in types))
    if match.how == "ambiguous":
        return (
            "ambiguous-end",
            f"'{end}' names more than one {wanted} in the workspace; rejected",
            f"use the full id the workspace gives it (one of those listed), or add {end}_type "
            f"(service or organisation) or {end}_provider (the organisation) to say which.",
            end,
            f"{shown} (could be {index.describe(match.candidates)})",
        )
    if match.wrong_type is not None:
        return (
            "wrong-end-type",
            f"'{end}' names a {noun(match.wrong_type)}, where a {wanted} is needed; rejected",
            f"name the {wanted} instead.",
            end,
            f"{shown} (is {index.describe(match.candidates)})",
        )
    return (
        "unmatched-end",
        f"'{end}' names no {wanted} in the workspace (by id, org-id, directory id or name); "
        "rejected",
        f"use the id the directory gives the {wanted}, an org-id, or the exact name; and "
        "ingest the directory into the same workspace first.",
        end,
        shown,
    )
