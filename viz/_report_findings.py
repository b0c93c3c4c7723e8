"""Page one of the area report: the study area, the sources, and the five findings that
matter most, each with its evidence (the ``why`` of the query row it comes from).

Private plumbing of ``viz.report``; reads the tables the sections already computed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ._report_changes import changes_finding
from ._report_compare import compared_in_words, describe
from ._report_html import cell
from ._report_sections import ReportContext

__all__ = ["findings_section"]


def _first(frame: pd.DataFrame, order: list[str], ascending: list[bool]) -> dict[str, Any] | None:
    present = [c for c in order if c in frame.columns]
    if frame.empty:
        return None
    ranked = frame.sort_values(present, ascending=ascending[: len(present)]) if present else frame
    return dict(ranked.iloc[0])


def findings(ctx: ReportContext) -> list[tuple[str, str, str]]:
    """(topic, finding, evidence) for the five findings, in order."""
    found: list[tuple[str, str, str]] = []
    gap = _first(ctx.gaps, ["need", "distance_km"], [False, True])
    if gap is None:
        found.append(("Gaps", "No category is missing or out of reach.", ""))
    else:
        found.append(
            (
                "Largest gap by need",
                f"{gap.get('name') or gap['area']} lacks {gap['category']} (need "
                f"{float(gap['need']):,.2f}).",
                str(gap.get("why") or ""),
            )
        )
    silo = _first(ctx.silos, ["ei_index", "size"], [True, False])
    if silo is None:
        found.append(("Silos", "No silo group: the area's organisations have no ties.", ""))
    else:
        found.append(
            (
                "Most closed silo",
                f"Group {silo['group']}: {silo['size']} organisations, {silo['here']} of them "
                f"here, E-I index {float(silo['ei_index']):+.2f}.",
                str(silo.get("why") or ""),
            )
        )
    pair = _first(ctx.partnerships, ["score"], [False])
    if pair is None:
        found.append(("Partnerships", "No partnership to suggest among its organisations.", ""))
    else:
        found.append(
            (
                "Strongest partnership suggestion",
                f"{pair['name_a']} and {pair['name_b']} (score {float(pair['score']):.2f}).",
                str(pair.get("why") or ""),
            )
        )
    funded = _first(ctx.funding, ["hhi", "total"], [False, False])
    if funded is None:
        found.append(
            (
                "Funding concentration",
                "No grant reaches its organisations; 360Giving data naming them would tell.",
                "",
            )
        )
    else:
        dependent = int((ctx.funding["hhi"].astype(float) >= 0.5).sum())
        found.append(
            (
                "Funding concentration",
                f"{dependent:,} of {len(ctx.funding):,} funded organisations here depend on "
                f"one funder (HHI 0.5 or more); most exposed: {funded['name']}.",
                str(funded.get("why") or ""),
            )
        )
    found.append(changes_finding(ctx))
    return [
        (topic, _beside(ctx, text, key), evidence)
        for (topic, text, evidence), key in zip(found, _COMPARED, strict=True)
    ]


_COMPARED = (
    "gaps_per_lsoa",
    "in_closed_silo",
    "partnerships_per_org",
    "one_funder_share",
    "net_services_per_1000",
)
"""The compared figure beside each finding, in order."""


def _beside(ctx: ReportContext, text: str, key: str) -> str:
    words = compared_in_words(ctx, key)
    return f"{text} Against comparators: {words}." if words else text


def findings_section(ctx: ReportContext) -> str:
    """The first section: scope, sources and the five findings."""
    sources = Counter(
        source
        for node in ctx.view.nodes
        for source in (ctx.graph.nodes[node].get("sources") or ())
        if isinstance(source, str)
    )
    scope = ctx.scope.describe() if ctx.scope is not None else "every area"
    scope = scope[:1].upper() + scope[1:]  # a sentence of its own: no bracket in a bracket
    items = "".join(
        f"<li><strong>{cell(topic)}.</strong> {cell(text)}"
        + (f'<br><span class="evidence">{cell(evidence)}</span>' if evidence else "")
        + "</li>"
        for topic, text, evidence in findings(ctx)
    )
    listed = ", ".join(f"{name} ({count:,} nodes)" for name, count in sorted(sources.items()))
    return (
        '<section class="findings"><h2>Findings</h2>'
        f'<p class="note">Ranked and compared within the study area. {cell(scope)}. '
        f"Sources: {cell(listed or 'none recorded')}.</p>"
        f'<p class="comparators">{cell(describe(ctx.comparator_set))}</p>'
        f"<ol>{items}</ol></section>"
    )
