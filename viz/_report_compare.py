"""Comparators beside every figure of the area report.

Private plumbing of ``viz.report``. ``choose_comparators`` picks ONE set of comparator
areas per report, and says how (or why there is none); ``area_figures`` computes each
compared figure for the area and for every comparator from the queries' own rows
(si-index, gaps, silos, partnerships, funding-dependency, prevention, area-changes,
assets);
``comparison`` and ``compared_in_words`` render "this area against the comparators
(median, range)" for the figures a section names, so no section repeats it.

Every figure is a rate or a share (per resident, per organisation, per LSOA), so an
area can be set beside areas of its level of another size; never beside areas of another
level, whose rates count the provision serving the larger area in each part.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..queries._index import short_list
from ..queries._places import area_level_of, number
from ._report_html import cell

if TYPE_CHECKING:
    from ._report_sections import ReportContext

__all__ = [
    "FIGURES",
    "NEIGHBOURS",
    "ComparatorSet",
    "Figure",
    "area_figures",
    "choose_comparators",
    "compared_in_words",
    "comparison",
    "placed_organisations",
]

NEIGHBOURS = 5
"""How many statistical neighbours a report compares with (at most)."""
_LSOA = "lsoa"


@dataclass(frozen=True)
class Figure:
    """One compared figure: its label, the query it comes from, and how to show it."""

    key: str
    label: str
    query: str
    kind: str = "number"
    """``number`` (two decimals) or ``share`` (a percentage)."""


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure("services_per_1000", "services per 1,000 residents", "si-index"),
        Figure("category_coverage", "service categories present", "si-index", "share"),
        Figure("gaps_per_lsoa", "categories missing or out of reach, per LSOA", "gaps"),
        Figure("connectedness", "referral and partnership ties per organisation", "si-index"),
        Figure(
            "in_closed_silo", "organisations in a closed silo group (E-I below 0)", "silos", "share"
        ),
        Figure("partnerships_per_org", "partnership suggestions per organisation", "partnerships"),
        Figure("funding_per_head", "grant money per resident", "si-index"),
        Figure(
            "one_funder_share",
            "funded organisations depending on one funder (HHI 0.5 or more)",
            "funding-dependency",
            "share",
        ),
        Figure(
            "preventative_share",
            "services with a prevention level that are primary or secondary",
            "prevention",
            "share",
        ),
        Figure(
            "acute_share", "services with a prevention level that are acute", "prevention", "share"
        ),
        Figure(
            "net_services_per_1000",
            "net change in services per 1,000 residents",
            "area-changes",
        ),
        Figure(
            "sessions_per_1000",
            "activity sessions a week per 1,000 residents",
            "si-index",
        ),
        Figure(
            "volunteering_per_1000", "volunteering opportunities per 1,000 residents", "si-index"
        ),
        Figure("community_share", "assets community controlled", "assets", "share"),
    )
}
"""Every figure the report compares, by key."""


@dataclass(frozen=True)
class ComparatorSet:
    """The areas every figure of one report is compared with."""

    areas: tuple[str, ...]
    level: str
    """Their level: always the area's own."""
    how: str
    """How they were chosen, in words (empty when there are none)."""
    short: str = ""
    """What they are, in a few words (``its 5 statistical neighbours``)."""
    none: str = ""
    """Why there are none (empty when there are some)."""
    short_none: str = ""
    """That there are none, in a few words (each section says it; page one says why)."""


def _level_word(level: str, n: int = 2) -> str:
    word = level.upper() if level in ("lsoa", "msoa", "lad") else level
    return word if n == 1 else word + "s"


def _why_no_neighbours(ctx: ReportContext) -> str:
    row = ctx.si_row
    if row is None:
        return f"si-index does not score {ctx.code} (no population or centroid)"
    if number(row.get("population")) is None:
        return f"{ctx.code} has no population figure"
    if number(row.get("imd_rank")) is None:
        return f"{ctx.code} has no IMD rank"
    return f"no other scored {_level_word(ctx.level)} with population and IMD in the study area"


def choose_comparators(ctx: ReportContext) -> ComparatorSet:
    """The report's comparators, all of the area's own level, first that applies: its
    statistical neighbours (the ``NEIGHBOURS`` areas of its level in the study area most
    alike in IMD rank and population); else the other areas of its level in its
    authority; else none, and why.

    Areas of another level are never comparators: a rate such as services per 1,000
    residents counts the provision serving the larger area in each smaller one, so an
    authority's figure and its MSOAs' are not alike (the demo's authority: 26 against a
    median of 176)."""
    level = ctx.level
    neighbours = ctx.neighbours
    where = ctx.comparators.words.split(" in ", 1)[-1]  # "the study area, Oakbridge (E06000999)"
    if len(neighbours) >= 2:
        short = f"its {len(neighbours)} statistical neighbours"
        return ComparatorSet(
            tuple(str(a) for a in neighbours["area"]),
            level,
            f"{short}: the {_level_word(level)} of the study area most alike in IMD rank and "
            "population (each standardised)",
            short,
        )
    peers = [a for a in ctx.comparators.areas if a != ctx.code]
    if peers:
        why = _why_no_neighbours(ctx)
        short = f"the {len(peers):,} other {ctx.comparators.words}"
        return ComparatorSet(
            tuple(peers), level, f"{short}; no statistical neighbours: {why}", short
        )
    return ComparatorSet(
        (),
        level,
        "",
        short_none=f"no comparators of its level: it is the only {_level_word(level, 1)} "
        f"in {where}",
        none=f"no comparators: it is the only {_level_word(level, 1)} in {where}, and areas "
        "of another level are not comparable (their rates count what serves the larger area "
        f"in each of its parts). Other {_level_word(level)} with population and IMD "
        "(civicgraph ingest areas) would give it comparators",
    )


def placed_organisations(ctx: ReportContext, areas: Sequence[str]) -> dict[str, set[str]]:
    """The providers of the services placed in or serving each area (or an area inside it)."""
    lookup = ctx.lookup
    by_area: dict[str, set[str]] = {}
    for service, placed in lookup.service_areas().items():
        provider = lookup.providers.get(service)
        if provider:
            for area in placed:
                by_area.setdefault(area, set()).add(provider)
    found: dict[str, set[str]] = {}
    for area in areas:
        orgs: set[str] = set()
        for inner in lookup.area_descendants(area):
            orgs |= by_area.get(inner, set())
        found[area] = orgs
    return found


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _lsoas(ctx: ReportContext, area: str) -> set[str]:
    inside = ctx.lookup.area_descendants(area)
    return {a for a in inside if area_level_of(a, ctx.graph.nodes[a]) == _LSOA}


def _si_figures(ctx: ReportContext, level: str, areas: Sequence[str]) -> dict[str, dict[str, Any]]:
    frame = ctx.si_at(level)
    rows = frame[frame["area"].isin(areas)].set_index("area")
    columns = {  # figure key: si-index column
        "services_per_1000": "services_per_1000",
        "category_coverage": "category_coverage",
        "connectedness": "connectedness",
        "funding_per_head": "funding_per_head",
        "sessions_per_1000": "sessions_per_1000_per_week",
        "volunteering_per_1000": "volunteering_per_1000",
    }
    return {
        key: {
            a: number(rows.at[a, column]) if a in rows.index and column in rows else None
            for a in areas
        }
        for key, column in columns.items()
    }


def _asset_figures(ctx: ReportContext, level: str, areas: Sequence[str]) -> dict[str, Any]:
    """The share of each area's assets the community controls (``assets --by area``);
    None where no asset is recorded."""
    frame = ctx.assets_at(level)
    rows = frame.set_index("area") if not frame.empty else frame
    return {a: number(rows.at[a, "community_share"]) if a in rows.index else None for a in areas}


def _gap_figures(ctx: ReportContext, areas: Sequence[str]) -> dict[str, Any]:
    per_lsoa = ctx.lsoa_gaps.groupby("area").size()
    found: dict[str, Any] = {}
    for area in areas:
        lsoas = _lsoas(ctx, area) & ctx.scope.members
        found[area] = _share(float(per_lsoa[per_lsoa.index.isin(lsoas)].sum()), len(lsoas))
    return found


def _organisation_figures(ctx: ReportContext, areas: Sequence[str]) -> dict[str, dict[str, Any]]:
    placed = placed_organisations(ctx, areas)
    table, groups = ctx.silo_groups
    closed: set[str] = set()
    for i, group in enumerate(groups):
        if float(table.iloc[i]["ei_index"]) < 0:
            closed |= set(group)
    pairs = ctx.all_partnerships
    funding = ctx.all_funding
    silo: dict[str, Any] = {}
    suggested: dict[str, Any] = {}
    one_funder: dict[str, Any] = {}
    for area in areas:
        orgs = placed[area]
        silo[area] = _share(len(orgs & closed), len(orgs)) if groups else None
        involving = pairs["organization_a"].isin(orgs) | pairs["organization_b"].isin(orgs)
        suggested[area] = _share(float(involving.sum()), len(orgs))
        funded = funding[funding["organization"].isin(orgs)]
        one_funder[area] = _share(
            float((funded["hhi"].astype(float) >= 0.5).sum()), float(len(funded))
        )
    return {
        "in_closed_silo": silo,
        "partnerships_per_org": suggested,
        "one_funder_share": one_funder,
    }


def _prevention_figures(
    ctx: ReportContext, level: str, areas: Sequence[str]
) -> dict[str, dict[str, Any]]:
    frame = ctx.prevention_at(level)
    rows = frame.set_index("area") if not frame.empty else frame
    preventative: dict[str, Any] = {}
    acute: dict[str, Any] = {}
    for area in areas:
        if area not in rows.index or not rows.at[area, "services"]:
            preventative[area] = acute[area] = None
            continue
        primary = number(rows.at[area, "services_primary"]) or 0.0
        secondary = number(rows.at[area, "services_secondary"]) or 0.0
        preventative[area] = primary + secondary
        acute[area] = number(rows.at[area, "services_acute"]) or 0.0
    return {"preventative_share": preventative, "acute_share": acute}


def _change_figures(ctx: ReportContext, level: str, areas: Sequence[str]) -> dict[str, Any]:
    frame, _ = ctx.changes_at(level)
    if frame is None or frame.empty:
        return dict.fromkeys(areas)
    services = frame[frame["category"] == "services"].set_index("area")
    found: dict[str, Any] = {}
    for area in areas:
        if area in services.index:
            found[area] = number(services.at[area, "net_per_1000"])
        else:  # nothing of it changed; a rate needs the population
            population = number(ctx.graph.nodes[area].get("population"))
            found[area] = 0.0 if population else None
    return found


def area_figures(ctx: ReportContext, level: str, areas: Sequence[str]) -> pd.DataFrame:
    """Every figure of ``FIGURES`` for ``areas`` (all of ``level``): one row per area."""
    columns: dict[str, dict[str, Any]] = {
        **_si_figures(ctx, level, areas),
        "gaps_per_lsoa": _gap_figures(ctx, areas),
        **_organisation_figures(ctx, areas),
        **_prevention_figures(ctx, level, areas),
        "net_services_per_1000": _change_figures(ctx, level, areas),
        "community_share": _asset_figures(ctx, level, areas),
    }
    frame = pd.DataFrame({key: columns[key] for key in FIGURES}, index=list(areas))
    return frame.astype(float)


def _shown(value: float | None, kind: str) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value:.1%}" if kind == "share" else f"{value:,.2f}"


@dataclass(frozen=True)
class Compared:
    """One figure for the area and the comparators' median and range."""

    figure: Figure
    here: float | None
    median: float | None
    low: float | None
    high: float | None
    measured: int
    """How many comparators have the figure."""


def compared(ctx: ReportContext, key: str) -> Compared:
    """The area's figure ``key`` against the comparators'."""
    here = ctx.figures_here.get(key)
    values: Any = ctx.figures_comparators[key].dropna() if key in ctx.figures_comparators else []
    figure = FIGURES[key]
    if len(values) == 0:
        return Compared(figure, _value(here), None, None, None, 0)
    return Compared(
        figure,
        _value(here),
        float(np.median(values)),
        float(np.min(values)),
        float(np.max(values)),
        len(values),
    )


def _value(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _data(value: float | None) -> str:
    return "" if value is None else html.escape(repr(value))


def comparison(ctx: ReportContext, keys: Sequence[str]) -> str:
    """The figures ``keys`` of the area beside the comparators' median and range, as a table
    (or one line saying why there are no comparators). A figure measured neither here nor
    for any comparator is named in a line under the table, not drawn as an empty row; when
    no figure is measured that line stands alone."""
    chosen = ctx.comparator_set
    if not chosen.areas:
        return (
            f'<p class="note compare-none">{cell(_sentence(chosen.short_none))}; page one says '
            "why.</p>"
        )
    head = (
        "<thead><tr><th>figure</th><th>this area</th><th>comparators' median</th>"
        "<th>range</th><th>comparators measured</th></tr></thead>"
    )
    found = [compared(ctx, key) for key in keys]
    unmeasured = [c.figure for c in found if c.here is None and not c.measured]
    missing = (
        f"Not measured here or for {cell(chosen.short)}: "
        f"{cell(short_list([f'{f.label} ({f.query})' for f in unmeasured], 6))}; the data this "
        "section names would measure " + ("it." if len(unmeasured) == 1 else "them.")
    )
    if len(unmeasured) == len(found):
        return f'<p class="note compare-none">{missing}</p>'
    rows: list[str] = []
    for c in found:
        if c.figure in unmeasured:
            continue
        key = c.figure.key
        kind = c.figure.kind
        here = _shown(c.here, kind) or "not measured"
        span = f"{_shown(c.low, kind)} to {_shown(c.high, kind)}" if c.measured else ""
        rows.append(
            f'<tr data-figure="{cell(key)}" data-here="{_data(c.here)}" '
            f'data-median="{_data(c.median)}" data-low="{_data(c.low)}" '
            f'data-high="{_data(c.high)}" data-measured="{c.measured}">'
            f"<td>{cell(c.figure.label)} ({cell(c.figure.query)})</td><td>{cell(here)}</td>"
            f"<td>{cell(_shown(c.median, kind) or 'not measured')}</td><td>{cell(span)}</td>"
            f"<td>{c.measured:,} of {len(chosen.areas):,}</td></tr>"
        )
    return (
        f'<table class="compare">{head}<tbody>{"".join(rows)}</tbody></table>'
        f'<p class="note">Comparators: {cell(chosen.short)} (page one says how they were '
        "chosen)."
        + (f' <span class="compare-unmeasured">{missing}</span>' if unmeasured else "")
        + "</p>"
    )


def compared_in_words(ctx: ReportContext, key: str) -> str:
    """``services per 1,000 residents 25.91 against a median of 20.10 (12.00 to 31.50)
    among the comparators``; empty when there are none or none is measured."""
    c = compared(ctx, key)
    if not ctx.comparator_set.areas or not c.measured:
        return ""
    kind = c.figure.kind
    here = _shown(c.here, kind) or "not measured"
    return (
        f"{c.figure.label}: {here} here against a median of {_shown(c.median, kind)} "
        f"({_shown(c.low, kind)} to {_shown(c.high, kind)}) among the comparators"
    )


def _sentence(text: str) -> str:
    """``text`` with its first letter capitalised (the rest kept: names and codes)."""
    return text[:1].upper() + text[1:]


def describe(chosen: ComparatorSet) -> str:
    """One sentence naming the comparators (page one states it)."""
    if not chosen.areas:
        return _sentence(chosen.none) + "."
    return f"Every figure is set beside {chosen.how}: {short_list(list(chosen.areas), 6)}."
