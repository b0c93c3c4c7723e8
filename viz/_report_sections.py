"""The sections of the area report, one function each, from the queries' own tables.

Private plumbing of ``viz.report``. Each section takes the ``ReportContext`` and returns
its HTML; a section with nothing to show says why and what data would fill it, so no
section is ever blank.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import pandas as pd

from ..graph import Graph
from ..graph.scope import Scope
from ..ontology import NodeType
from ..ontology.prevention import PREVENTION_LEVELS
from ..queries import activities, assets, funding_dependency, gaps, partnerships, si_index
from ..queries._index import GraphIndex, count_of
from ..queries.places import Level
from ..queries.prevention import area_services, prevention
from ..queries.silos import silo_groups
from . import _report_charts as charts
from ._report_changes import area_changes_at
from ._report_compare import (
    NEIGHBOURS,
    ComparatorSet,
    area_figures,
    choose_comparators,
    comparison,
)
from ._report_html import facts_table, picture, section, table
from ._report_places import (
    Comparators,
    comparator_areas,
    deprivation_facts,
    gap_summary,
    gaps_inside,
    report_level,
    standing,
    statistical_neighbours,
)
from .views import View

__all__ = ["SECTIONS", "ReportContext"]

_ORG = NodeType.ORGANIZATION.value
_SERVICE = NodeType.SERVICE.value
PREVENTION_AREA_LEVELS = ("lsoa", "msoa", "ward", "lad")
"""The levels ``prevention --by area`` counts at."""
ASSET_AREA_LEVELS = ("lsoa", "msoa", "ward", "lad")
"""The levels ``assets --by area`` counts at."""


@dataclass
class ReportContext:
    """What every section reads: the graph, the area, its view, and the query results
    shared between sections (computed once, on first use)."""

    graph: Graph
    code: str
    view: View
    folder: Path
    seed: int
    scope: Scope
    pictures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    workspace: Any = None
    """The workspace, for what only its snapshots hold (the "What changed" section)."""
    map_layer: str = "imd"
    """What shades the map section (``_report_map.MAP_LAYERS``)."""

    @cached_property
    def lookup(self) -> GraphIndex:
        return GraphIndex(self.graph)

    @cached_property
    def name(self) -> str:
        return str(self.graph.nodes[self.code].get("name") or self.code)

    @cached_property
    def level(self) -> Level:
        return report_level(self.graph, self.code)

    @cached_property
    def organisations(self) -> set[str]:
        return {n for n, node in self.view.nodes.items() if node.type == _ORG}

    @cached_property
    def si(self) -> pd.DataFrame:
        return si_index(self.graph, level=self.level, within=self.scope)

    @cached_property
    def si_row(self) -> dict[str, Any] | None:
        here = self.si[self.si["area"] == self.code]
        return None if here.empty else dict(here.iloc[0])

    @cached_property
    def comparators(self) -> Comparators:
        return comparator_areas(self.graph, self.code, lookup=self.lookup, scope=self.scope)

    @cached_property
    def lsoa_gaps(self) -> pd.DataFrame:
        """``gaps`` at LSOA level in the scope (the report's area and its comparators)."""
        return gaps(self.graph, level="lsoa", within=self.scope)

    @cached_property
    def gaps(self) -> pd.DataFrame:
        return gaps_inside(
            self.graph, self.code, lookup=self.lookup, scope=self.scope, frame=self.lsoa_gaps
        )

    @cached_property
    def silo_groups(self) -> tuple[pd.DataFrame, list[list[str]]]:
        return silo_groups(self.graph, seed=self.seed)

    @cached_property
    def silos(self) -> pd.DataFrame:
        frame, groups = self.silo_groups
        keep = [i for i, group in enumerate(groups) if self.organisations & set(group)]
        silos = frame.iloc[keep].copy()
        silos["here"] = [len(self.organisations & set(groups[i])) for i in keep]
        return silos

    @cached_property
    def all_partnerships(self) -> pd.DataFrame:
        return partnerships(self.graph, limit=10**6)

    @cached_property
    def partnerships(self) -> pd.DataFrame:
        return _involving(
            self.all_partnerships, ["organization_a", "organization_b"], self.organisations
        )

    @cached_property
    def all_funding(self) -> pd.DataFrame:
        return funding_dependency(self.graph)

    @cached_property
    def funding(self) -> pd.DataFrame:
        return _involving(self.all_funding, ["organization"], self.organisations)

    @cached_property
    def neighbours(self) -> pd.DataFrame:
        """The area's statistical neighbours (``si-index`` rows, nearest first)."""
        return statistical_neighbours(self.si, self.code, k=NEIGHBOURS)

    @cached_property
    def comparator_set(self) -> ComparatorSet:
        """The one set of areas every figure of the report is compared with."""
        return choose_comparators(self)

    @cached_property
    def figures_here(self) -> dict[str, float]:
        return dict(area_figures(self, self.level, [self.code]).iloc[0])

    @cached_property
    def figures_comparators(self) -> pd.DataFrame:
        chosen = self.comparator_set
        return area_figures(self, chosen.level, list(chosen.areas))

    def si_at(self, level: str) -> pd.DataFrame:
        """``si-index`` at ``level`` in the scope (computed once per level)."""
        if level == self.level:
            return self.si
        found: pd.DataFrame = self._per_level(
            "si", level, lambda: si_index(self.graph, level=cast(Level, level), within=self.scope)
        )
        return found

    def prevention_at(self, level: str) -> pd.DataFrame:
        """``prevention --by area`` at ``level`` in the scope (empty where it does not count)."""
        if level not in PREVENTION_AREA_LEVELS:
            return pd.DataFrame(columns=["area"])
        found: pd.DataFrame = self._per_level(
            "prevention",
            level,
            lambda: prevention(
                self.prevention_target, by="area", level=cast(Any, level), within=self.scope
            ),
        )
        return found

    def changes_at(self, level: str) -> tuple[pd.DataFrame | None, str]:
        """``area-changes`` at ``level`` (every area), or None and why there are none."""
        found: tuple[pd.DataFrame | None, str] = self._per_level(
            "changes", level, lambda: area_changes_at(self.workspace, level)
        )
        return found

    @property
    def prevention_target(self) -> Any:
        # The workspace keeps the user's mapping (query prevention --mapping); a graph has none.
        return self.workspace if self.workspace is not None else self.graph

    def _per_level(self, name: str, level: str, compute: Callable[[], Any]) -> Any:
        cache = self.__dict__.setdefault("_per_level_cache", {})
        if (name, level) not in cache:
            cache[name, level] = compute()
        return cache[name, level]

    @cached_property
    def activities(self) -> pd.DataFrame:
        return activities(self.graph, within=self.code)

    @cached_property
    def assets(self) -> pd.DataFrame:
        return assets(self.graph, within=self.code)

    def assets_at(self, level: str) -> pd.DataFrame:
        """``assets --by area`` at ``level`` in the scope (empty where it does not count)."""
        if level not in ASSET_AREA_LEVELS:
            return pd.DataFrame(columns=["area"])
        found: pd.DataFrame = self._per_level(
            "assets",
            level,
            lambda: assets(self.graph, by="area", level=cast(Any, level), within=self.scope),
        )
        return found

    def add_picture(self, path: Path, alt: str) -> str:
        self.pictures.append(path)
        return picture(path, alt)


def _involving(frame: pd.DataFrame, columns: list[str], members: set[str]) -> pd.DataFrame:
    mask = pd.Series(False, index=frame.index)
    for column in columns:
        if column in frame.columns:
            mask |= frame[column].astype(str).isin(members)
    return frame[mask]


def area_section(ctx: ReportContext, network_picture: str) -> str:
    nodes = ctx.view.nodes.values()
    facts: list[tuple[str, Any]] = [
        ("code", ctx.code),
        ("level", ctx.graph.nodes[ctx.code].get("level")),
        ("population", ctx.graph.nodes[ctx.code].get("population")),
        *deprivation_facts(ctx.graph, ctx.code, lookup=ctx.lookup),
        (
            "compared with",
            ctx.comparator_set.how or ctx.comparator_set.none,
        ),
        ("areas within", sum(1 for n in nodes if n.type == NodeType.AREA) - 1),
        ("organisations", len(ctx.organisations)),
        ("services", sum(1 for n in nodes if n.type == _SERVICE)),
        ("locations", sum(1 for n in nodes if n.type == NodeType.LOCATION)),
    ]
    return section(
        "The area",
        "Who and what is here, and the area's deprivation as the Index of Multiple "
        "Deprivation gives it at this level.",
        facts_table(facts),
        network_picture,
    )


def si_section(ctx: ReportContext) -> str:
    row = ctx.si_row
    title = "Social infrastructure against deprivation"
    if row is None:
        ctx.notes.append(
            f"social infrastructure index: {ctx.code} is not scored at level {ctx.level} "
            "(no population or centroid; ingest the area files with civicgraph ingest areas)"
        )
        return section(
            title,
            f"{ctx.code} is not scored: the index needs the area's population and centroid. "
            "Ingest the area files (civicgraph ingest areas) to fill this section.",
            comparison(ctx, ["services_per_1000", "category_coverage", "funding_per_head"]),
        )
    place = standing(ctx.si, ctx.code, ctx.comparators)
    facts: list[tuple[str, Any]] = []
    if place is not None:
        facts.append(("SI score (0-100, against the comparators' level)", row.get("si_score")))
        facts.append(("SI rank among comparators (1 = poorest)", place.words))
    else:
        # A score is a percentile among areas; alone, it would say "100" of nothing.
        facts.append(
            (
                "SI score and rank",
                f"not given: it is the only scored one of the {ctx.comparators.words}; "
                "the gaps section compares the LSOAs inside it",
            )
        )
    if ctx.level == "lsoa":
        mismatch = row.get("imd_mismatch")
        facts.append(
            (
                "against its IMD",
                mismatch if isinstance(mismatch, str) and mismatch.strip() else "in line",
            )
        )
    indicators = [
        c
        for c in ctx.si.columns
        if c.endswith(("_per_1000", "_coverage", "_share", "_per_head")) or c == "connectedness"
    ]
    facts += [(c.replace("_", " "), row.get(c)) for c in indicators]
    chart = ""
    peers = ctx.si[ctx.si["area"].isin(ctx.comparators.areas)]
    if ctx.level == "lsoa":
        scored = peers.dropna(subset=["imd_rank", "si_score"])
        if len(scored) > 1:
            path = charts.si_scatter(
                ctx.folder / "si-index.png",
                scored,
                ctx.code,
                x="imd_rank",
                xlabel="IMD rank (1 = most deprived)",
            )
            chart = ctx.add_picture(path, "social infrastructure score against IMD rank")
    neighbours = ctx.neighbours
    body = facts_table(facts) + comparison(
        ctx, ["services_per_1000", "category_coverage", "funding_per_head", "connectedness"]
    )
    if not neighbours.empty:
        body += "<h3>Statistical neighbours (most alike in IMD rank and population)</h3>" + table(
            neighbours, ["area", "name", "population", "imd_rank", "si_score"]
        )
    why = str(row.get("why") or "")
    return section(title, why, body, chart)


def gaps_section(ctx: ReportContext) -> str:
    inside = ctx.level != "lsoa"
    text = (
        "Categories of service or facility missing from the LSOAs inside the area or out of "
        "their reach, with the nearest provision; need weighs population by deprivation."
        if inside
        else "Categories of service or facility missing from the area or out of reach, with "
        "the nearest provision; need weighs population by deprivation."
    )
    summary = gap_summary(ctx.gaps, ctx.code, ctx.level)
    columns = ["category", "missing", "nearest", "distance_km", "need", "why"]
    if inside:
        columns = ["area", "name", *columns[:-1]]
    none = (
        "Every category present in the workspace is within reach of "
        + ("every LSOA inside it." if inside else "the area.")
        + " (Gaps are judged against the categories the workspace's services and "
        "facilities have; ingest more sources to judge more.)"
    )
    return section(
        "Gaps",
        f"{text} {summary}".strip(),
        table(ctx.gaps, columns, none=none) + comparison(ctx, ["gaps_per_lsoa"]),
    )


def sectors_section(ctx: ReportContext) -> str:
    sectors = Counter(n.sector for n in ctx.view.nodes.values() if n.type == _SERVICE)
    ranked = sorted(sectors.items(), key=lambda x: (-x[1], x[0]))
    frame = pd.DataFrame(ranked, columns=["sector", "services"])
    chart = ""
    if sectors:
        counts = [(sector, float(count)) for sector, count in ranked[:12]]
        path = charts.bar_chart(ctx.folder / "sectors.png", counts, "services")
        chart = ctx.add_picture(path, "services by sector")
    return section(
        "Services by sector",
        "The services based in the area or serving it, by sector (from the taxonomy).",
        table(
            frame,
            ["sector", "services"],
            none="No service is placed in the area or serves it. Ingest a directory "
            "(civicgraph ingest hsds) whose locations have coordinates or postcodes.",
        )
        + comparison(ctx, ["services_per_1000", "category_coverage"]),
        chart,
    )


def _rules_in_words(rules: pd.Series) -> str:
    counts = Counter(rules.astype(str))
    ranked = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    named = [f"'{rule}' ({count:,})" for rule, count in ranked[:4]]
    rest = sum(count for _, count in ranked[4:])
    return ", ".join(named) + (f" and {count_of(rest, 'service')} by other rules" if rest else "")


def _prevention_row(ctx: ReportContext) -> dict[str, Any] | None:
    """The area's row of ``prevention --by area`` (grant money and facilities by level)."""
    frame = ctx.prevention_at(ctx.level)
    here = frame[frame["area"] == ctx.code]
    return None if here.empty else dict(here.iloc[0])


def _share(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.1%}"


_PREVENTION_FIGURES = ["preventative_share", "acute_share"]


def prevention_section(ctx: ReportContext) -> str:
    title = "Prevention profile"
    target = ctx.prevention_target
    services = area_services(target, ctx.code)
    levelled = services.dropna(subset=["level"])
    if services.empty:
        return section(
            title,
            "No service is placed in the area or serves it, so there is nothing to place on "
            "the prevention ladder (primary, secondary, tertiary, acute). A directory whose "
            "services have locations or service areas (civicgraph ingest hsds) would fill "
            "this section.",
            comparison(ctx, _PREVENTION_FIGURES),
        )
    if levelled.empty:
        return section(
            title,
            f"None of the area's {count_of(len(services), 'service')} has a prevention "
            "level: no taxonomy term, mapping or rule over their names places them. Taxonomy "
            "terms on the services (Open Eligibility or the LGA service list) or your own "
            "mapping (civicgraph query prevention --mapping FILE) would fill this section.",
            comparison(ctx, _PREVENTION_FIGURES),
        )
    counts = Counter(levelled["level"])
    total = sum(counts.values())
    shares = {step: round(counts[step] / total, 3) for step in PREVENTION_LEVELS}
    row = _prevention_row(ctx) or {}
    columns = {
        "level": list(PREVENTION_LEVELS),
        "services": [counts[step] for step in PREVENTION_LEVELS],
        "share": [f"{shares[step]:.1%}" for step in PREVENTION_LEVELS],
    }
    shown = ["level", "services", "share"]
    for kind, label in (("grants", "grant money share"), ("facilities", "facilities share")):
        if row.get(kind):
            columns[label] = [_share(row.get(f"{kind}_{step}")) for step in PREVENTION_LEVELS]
            shown.append(label)
    frame = pd.DataFrame(columns)
    prevention_count = counts["primary"] + counts["secondary"]
    rules = _rules_in_words(levelled["rule"])
    text = (
        "The share of the area's services at each prevention level: primary (universal), "
        "secondary (early help), tertiary (reduce and delay), acute (crisis). "
        f"{len(levelled):,} of {count_of(len(services), 'service')} in or serving it have a "
        f"level, given by {rules}."
    )
    if row.get("grants"):
        text += (
            f" Grant money benefiting it: {float(row['grants']):,.0f}, by the level of the "
            "services of the organisations it goes to."
        )
    if row.get("facilities"):
        text += f" Facilities: {count_of(int(row['facilities']), 'facility', 'facilities')}."
    if counts["acute"] > prevention_count:
        text += (
            f" Acute provision outweighs prevention here: {counts['acute']:,} acute services "
            f"against {prevention_count:,} primary or secondary."
        )
    path = charts.prevention_chart(ctx.folder / "prevention.png", shares)
    chart = ctx.add_picture(path, "share of services at each prevention level")
    return section(title, text, table(frame, shown) + comparison(ctx, _PREVENTION_FIGURES), chart)


def silos_section(ctx: ReportContext) -> str:
    return section(
        "Silos",
        "Groups of organisations that refer and partner mostly among themselves "
        "(E-I index: -1 all ties inside the group, +1 all outside), where at least one "
        "member works in the area.",
        table(
            ctx.silos,
            ["group", "size", "here", "sectors", "ei_index", "why"],
            none="None of the area's organisations has a referral or partnership tie, so "
            "no silo group can be drawn. Referral records (HSDS referrals or a ties file: "
            "civicgraph ingest ties) would fill this section.",
        )
        + comparison(ctx, ["connectedness", "in_closed_silo"]),
    )


def partnerships_section(ctx: ReportContext) -> str:
    return section(
        "Suggested partnerships",
        "Organisations working in the area that are not yet tied but share buildings, "
        "funders, areas, referral targets or contacts, best first.",
        table(
            ctx.partnerships,
            ["name_a", "name_b", "score", "reasons", "why"],
            none="No two organisations working in the area share a building, funder, area, "
            "referral target or contact without already being tied.",
        )
        + comparison(ctx, ["partnerships_per_org"]),
    )


def funding_section(ctx: ReportContext) -> str:
    dependency = ctx.funding
    chart = ""
    if not dependency.empty:
        top = dependency.head(12)
        path = charts.bar_chart(
            ctx.folder / "funding.png",
            list(zip(top["name"].astype(str), top["top_share"].astype(float), strict=True)),
            "share from the largest funder",
        )
        chart = ctx.add_picture(path, "share of funding from the largest funder")
    return section(
        "Dependence on single funders",
        "Organisations in the area by how concentrated their funding is (HHI: 1 means "
        "one funder gives everything).",
        table(
            dependency,
            ["name", "funders", "total", "hhi", "top_share", "why"],
            none="No grant in the workspace goes to an organisation working in the area. "
            "360Giving grant data naming these organisations (civicgraph ingest 360giving) "
            "would fill this section.",
        )
        + comparison(ctx, ["funding_per_head", "one_funder_share"]),
        chart,
    )


def activities_section(ctx: ReportContext) -> str:
    return section(
        "Activities",
        "What people can take part in here: session series, facility slots, volunteering "
        "roles and warm-space offers, with how often they run.",
        table(
            ctx.activities,
            ["name", "kind", "categories", "place", "organization", "sessions_per_week"],
            none="No activity is placed in the area. OpenActive feeds (civicgraph ingest "
            "openactive), volunteering opportunities (ingest volunteering) or a warm-spaces "
            "register (ingest warm-spaces) would fill this section.",
        )
        + comparison(ctx, ["sessions_per_1000", "volunteering_per_1000"]),
    )


def assets_section(ctx: ReportContext) -> str:
    frame = ctx.assets
    text = "Buildings whose owner or protection is known, and who controls them."
    if not frame.empty:
        controlled = int(frame["community_controlled"].fillna(False).astype(bool).sum())
        candidates = int(frame["transfer_candidate"].fillna(False).astype(bool).sum())
        text += (
            f" {controlled:,} of {len(frame):,} are community controlled; "
            f"{candidates:,} council-owned assets used by community organisations could "
            "transfer."
        )
    return section(
        "Community-controlled assets",
        text,
        table(
            frame,
            ["name", "kind", "ownership", "community_controlled", "acv_status", "used_by"],
            none="No location in the area records an owner, an Asset of Community Value "
            "listing or a transfer. An asset register (civicgraph ingest assets) would fill "
            "this section.",
        )
        + comparison(ctx, ["community_share"]),
    )


SECTIONS = (
    si_section,
    gaps_section,
    sectors_section,
    prevention_section,
    silos_section,
    partnerships_section,
    funding_section,
    activities_section,
    assets_section,
)
"""The sections after "The area", in order."""
