"""The area report's "What changed" section, from ``queries.area_changes``.

Private plumbing of ``viz.report``. The figures are the query's own rows for the area
(services, facilities and grant money lost and gained between a source's snapshots, or
grants whose funding started or ends), at the report's level. The report needs the
workspace for them (snapshots are not in the graph); without it, or with nothing to
compare, the section says so and what would fill it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import UsageError
from ._report_compare import comparison
from ._report_html import section, table

if TYPE_CHECKING:
    from ._report_sections import ReportContext

__all__ = [
    "CHANGE_LEVELS",
    "area_change_rows",
    "area_changes_at",
    "changes_finding",
    "changes_section",
]

CHANGE_LEVELS = ("lsoa", "msoa", "ward", "lad")
_FILL = (
    "A second snapshot of a source (civicgraph ingest ... --snapshot-date for the older "
    "file) or 360Giving grants with planned dates would fill this section."
)


def area_changes_at(workspace: Any, level: str) -> tuple[pd.DataFrame | None, str]:
    """The ``area_changes`` rows of every area at ``level``, or None and why there are none
    (an empty frame with the reason when there is nothing to compare)."""
    if workspace is None:
        return None, "the report was given the graph only, not the workspace with its snapshots"
    if level not in CHANGE_LEVELS:
        return None, f"area-changes counts at {', '.join(CHANGE_LEVELS)}, not at {level}"
    from ..queries import area_changes

    try:
        frame = area_changes(workspace, level=level)
    except UsageError as error:
        return None, str(error)
    if frame.empty:
        from ..queries import changes

        note = str(changes(workspace).attrs.get("note") or "")
        if note:
            return frame, note.split(". Fix:")[0].removeprefix("nothing to compare: ")
    return frame, ""


def area_change_rows(workspace: Any, code: str, level: str) -> tuple[pd.DataFrame | None, str]:
    """The ``area_changes`` rows of ``code`` at ``level``, or None and why there are none."""
    frame, why = area_changes_at(workspace, level)
    if frame is None or why:
        return frame, why
    return frame[frame["area"] == code].reset_index(drop=True), ""


def _changes(ctx: ReportContext) -> tuple[pd.DataFrame | None, str]:
    cached = ctx.__dict__.get("_changes")
    if cached is None:
        frame, why = ctx.changes_at(ctx.level)
        if frame is not None and not why:
            frame = frame[frame["area"] == ctx.code].reset_index(drop=True)
        cached = ctx.__dict__["_changes"] = (frame, why)
    return cached


def changes_section(ctx: ReportContext) -> str:
    title = "What changed"
    frame, why = _changes(ctx)
    if frame is None or frame.empty:
        reason = why or (
            "no service, facility or grant placed in the area opened, closed, or started or "
            "ended its funding between the workspace's snapshots"
        )
        return section(
            title,
            f"Nothing to show: {reason}. {_FILL}",
            comparison(ctx, ["net_services_per_1000"]),
        )
    text = (
        "Services, facilities and grant money lost and gained in the area between each "
        "source's last two snapshots (and grants whose funding started or ends), as "
        "civicgraph query area-changes counts them; net per 1,000 residents where the "
        "population is known."
    )
    if bool(frame["spiral"].any()):
        text += (
            " Downward spiral: among the most deprived areas, and both provision and grant "
            "money fell."
        )
    columns = ["category", "lost", "gained", "net", "net_per_1000", "why"]
    return section(title, text, table(frame, columns) + comparison(ctx, ["net_services_per_1000"]))


def changes_finding(ctx: ReportContext) -> tuple[str, str, str]:
    frame, why = _changes(ctx)
    if frame is None or frame.empty:
        reason = why or "nothing placed here changed between the snapshots"
        return ("What changed", f"Nothing to compare: {reason}. {_FILL}", "")
    parts = [
        f"{row['category']} {float(row['net']):+,.0f}"
        if row["category"] != "grant money"
        else f"grant money {float(row['net']):+,.2f}"
        for row in frame.to_dict("records")
    ]
    worst = frame.sort_values(["net", "category"]).iloc[0]
    return ("What changed", "Net change: " + "; ".join(parts) + ".", str(worst.get("why") or ""))
