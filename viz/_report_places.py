"""The area report's place figures: which areas an area is compared with, its honest rank
among them, deprivation stated as what it is at each level, the gaps inside it, and the
rule that picks the demo's area.

Private plumbing of ``viz.report``. ``comparator_areas`` is the report's own stand-in
for the workspace scope (issue 13.1): the areas of the same level in the same authority
(the nearest containing area one level up), else every area of that level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

import numpy as np
import pandas as pd

from ..graph import Graph
from ..graph.scope import Scope
from ..ontology import EdgeType, NodeType
from ..queries import gaps, si_index
from ..queries._index import GraphIndex, count_of, short_list
from ..queries._places import area_level_of, number
from ..queries.places import Level

__all__ = [
    "Comparators",
    "Standing",
    "comparator_areas",
    "demo_area",
    "deprivation_facts",
    "gaps_inside",
    "most_under_served",
    "report_level",
    "standing",
    "statistical_neighbours",
]

_AREA = NodeType.AREA.value
_LEVELS: tuple[Level, ...] = get_args(Level)
_UP: dict[str, tuple[str, ...]] = {
    "lsoa": ("lad", "region"),
    "msoa": ("lad", "region"),
    "ward": ("lad", "region"),
    "lad": ("region", "country"),
    "region": ("country",),
}
"""The level whose area an area is compared within, nearest first."""
_LSOA_LEVELS = {"lsoa"}


def report_level(graph: Graph, code: str) -> Level:
    """The level the report scores ``code`` at (its own; LSOA for anything smaller)."""
    level = area_level_of(code, graph.nodes[code])
    return next((known for known in _LEVELS if known == level), "lsoa")


def _level_word(level: str, n: int = 2) -> str:
    word = level.upper() if level in ("lsoa", "msoa", "lad") else level
    return word if n == 1 else word + "s"


@dataclass
class Comparators:
    """The areas an area is compared with, and in words what they are."""

    areas: list[str]
    within: str | None
    """The containing area they share (GSS code), or None for every area of the level."""
    words: str
    """``LSOAs in Oakbridge (E06000999)``, or ``LSOAs in the study area, Oakbridge (E06000999)``
    (never a bracket inside a bracket: the words go inside sentences and brackets)."""


def _ancestors(lookup: GraphIndex, code: str) -> list[str]:
    """Containing areas, nearest first (breadth-first up ``PART_OF``)."""
    parents: dict[str, list[str]] = {}
    for child, parent, _ in lookup.edges(EdgeType.PART_OF):
        if lookup.type(child) == _AREA and lookup.type(parent) == _AREA:
            parents.setdefault(child, []).append(parent)
    found: list[str] = []
    layer = [code]
    while layer:
        layer = sorted({p for a in layer for p in parents.get(a, ()) if p not in found})
        found.extend(layer)
    return found


def comparator_areas(
    graph: Graph, code: str, *, lookup: GraphIndex | None = None, scope: Scope | None = None
) -> Comparators:
    """The areas of ``code``'s level in the same authority (or region, for an authority),
    within ``scope`` when one is given.

    Falls back to every area of that level (in the scope) when ``code`` has no such
    containing area, or is the only area of its level in it.
    """
    lookup = lookup or GraphIndex(graph)
    level = report_level(graph, code)
    levels = {a: area_level_of(a, graph.nodes[a]) for a in lookup.nodes(_AREA)}
    same = sorted(a for a, lv in levels.items() if lv == level)
    if scope is not None and not scope.is_everything:
        same = [a for a in same if a in scope.members or a == code]
    ancestors = _ancestors(lookup, code)
    for up in _UP.get(level, ()):
        container = next((a for a in ancestors if levels.get(a) == up), None)
        if container is None:
            continue
        inside = lookup.area_descendants(container)
        peers = [a for a in same if a in inside]
        if len(peers) > 1:
            name = graph.nodes[container].get("name") or container
            return Comparators(peers, container, f"{_level_word(level)} in {name} ({container})")
    if scope is not None and not scope.is_everything:
        named = [
            f"{n} ({a})" if n != a else a for a, n in zip(scope.areas, scope.names, strict=True)
        ]
        return Comparators(
            same, None, f"{_level_word(level)} in the study area, {short_list(named, 3)}"
        )
    return Comparators(same, None, f"{_level_word(level)} in the workspace")


@dataclass
class Standing:
    """An area's SI rank among its comparators (equal scores share a rank)."""

    rank: int
    of: int
    tied: int
    """How many other comparators share its score."""
    words: str


def standing(frame: pd.DataFrame, code: str, comparators: Comparators) -> Standing | None:
    """Where ``code`` stands on ``si_score`` among the scored comparators; None when it is
    alone (no "rank 1 of 1") or not scored."""
    scored = frame[frame["area"].isin(comparators.areas) & frame["si_score"].notna()]
    if code not in set(scored["area"]) or len(scored) < 2:
        return None
    score = float(scored.loc[scored["area"] == code, "si_score"].iloc[0])
    rank = int((scored["si_score"] < score).sum()) + 1
    tied = int((scored["si_score"] == score).sum()) - 1
    words = f"{rank} of {len(scored)} {comparators.words}"
    if tied:
        words += f", level with {count_of(tied, 'other')}"
    return Standing(rank, len(scored), tied, words)


def statistical_neighbours(frame: pd.DataFrame, code: str, *, k: int = 5) -> pd.DataFrame:
    """The ``k`` scored areas of the same level most like ``code`` in IMD rank and population
    (each standardised; nearest first, then by code)."""
    scored = frame.dropna(subset=["si_score", "imd_rank", "population"])
    if code not in set(scored["area"]) or len(scored) < 2:
        return scored[:0]
    values = scored[["imd_rank", "population"]].astype(float).to_numpy()
    spread = values.std(axis=0)
    spread[spread == 0] = 1.0
    here = values[(scored["area"] == code).to_numpy()][0]
    distance = np.sqrt((((values - here) / spread) ** 2).sum(axis=1))
    ranked = scored.assign(_distance=distance)
    ranked = ranked[ranked["area"] != code].sort_values(["_distance", "area"])
    return ranked.head(k).drop(columns="_distance")


def _lsoas_inside(graph: Graph, lookup: GraphIndex, code: str) -> list[str]:
    inside = lookup.area_descendants(code) - {code}
    return sorted(a for a in inside if area_level_of(a, graph.nodes[a]) in _LSOA_LEVELS)


def deprivation_facts(
    graph: Graph, code: str, *, lookup: GraphIndex | None = None
) -> list[tuple[str, Any]]:
    """The area's deprivation, as what the figure is at its level.

    An LSOA: its own IMD rank and decile (published for LSOAs, 1 = most deprived in
    England). A larger area: its own figures only if the data gives them; else, from
    the LSOAs inside it, their population-weighted average IMD rank and how many are
    in England's most deprived tenth (never a rank among the few areas of the
    workspace).
    """
    lookup = lookup or GraphIndex(graph)
    data = graph.nodes[code]
    level = area_level_of(code, data)
    rank, decile = number(data.get("imd_rank")), number(data.get("imd_decile"))
    if level in _LSOA_LEVELS:
        return [
            ("IMD rank (1 = most deprived LSOA in England)", None if rank is None else int(rank)),
            ("IMD decile (1 = most deprived tenth)", None if decile is None else int(decile)),
        ]
    facts: list[tuple[str, Any]] = []
    if rank is not None:
        facts.append((f"IMD rank as published for the {_level_word(level, 1)}", int(rank)))
    lsoas = _lsoas_inside(graph, lookup, code)
    ranks = [(number(graph.nodes[a].get("imd_rank")), a) for a in lsoas]
    known = [(r, a) for r, a in ranks if r is not None]
    if not known:
        facts.append(("IMD", "no IMD figures for the LSOAs inside it (ingest areas with IMD)"))
        return facts
    weights = [number(graph.nodes[a].get("population")) or 0.0 for _, a in known]
    if sum(weights) <= 0:
        weights = [1.0] * len(known)
    average = float(np.average([r for r, _ in known], weights=weights))
    most = sum(1 for _, a in known if number(graph.nodes[a].get("imd_decile")) == 1)
    facts.append(
        (
            f"average IMD rank of its {len(known):,} LSOAs (population-weighted; 1 = most "
            "deprived in England)",
            round(average),
        )
    )
    facts.append(("its LSOAs in England's most deprived tenth", f"{most} of {len(known)}"))
    return facts


def gaps_inside(
    graph: Graph,
    code: str,
    *,
    lookup: GraphIndex | None = None,
    scope: Scope | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``gaps`` rows of the area: its own rows for an LSOA; for a larger area, those of
    the LSOAs inside it (ranked by need as ``gaps`` ranks them). ``frame``: the LSOA-level
    ``gaps`` rows of ``scope`` when already computed."""
    lookup = lookup or GraphIndex(graph)
    level = report_level(graph, code)
    if frame is None:
        frame = gaps(graph, level="lsoa", within=scope)
    if level == "lsoa":
        return frame[frame["area"] == code]
    return frame[frame["area"].isin(set(_lsoas_inside(graph, lookup, code)))]


def _placed_organisations(lookup: GraphIndex, areas: list[str]) -> dict[str, set[str]]:
    """The organisations whose services stand in or serve each area (or an area inside it)."""
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


DEMO_LEVELS: tuple[Level, ...] = ("lsoa", "msoa", "ward", "lad")
DEMO_RULE = (
    "the smallest area (LSOA, then MSOA, ward, local authority) that other areas of its level "
    "in the same authority can be compared with, where organisations work and have referral or "
    "partnership ties, and whose LSOAs lack categories (where no such area lacks any, the "
    "smallest such area all the same); among areas of that level, the one with the largest "
    "need-weighted gaps (the sum of need over the categories its LSOAs lack), equal totals "
    "going to the lower SI score, then the larger population, then the lower GSS code"
)
"""How the demo picks the area it reports on (the report and the README quote it)."""


def _demo_candidates(
    graph: Graph, lookup: GraphIndex, level: Level, need_by_lsoa: pd.Series
) -> pd.DataFrame | None:
    """The ``si-index`` rows of ``level`` with ties and more than one organisation at work,
    with their need-weighted gaps (``_need``), best first by ``DEMO_RULE``; peers unchecked.
    None when there are none (an empty table filtered by an empty list loses its columns)."""
    scored = si_index(graph, level=level)
    if scored.empty:
        return None
    ties = pd.to_numeric(scored["ties"], errors="coerce").fillna(0)
    scored = scored[ties > 0]
    if scored.empty:
        return None
    placed = _placed_organisations(lookup, list(scored["area"]))
    scored = scored.loc[[len(placed[a]) > 1 for a in scored["area"]]]
    if level == "lsoa":
        need = {a: float(need_by_lsoa.get(a, 0.0)) for a in scored["area"]}
    else:
        need = {
            a: float(need_by_lsoa[need_by_lsoa.index.isin(lookup.area_descendants(a))].sum())
            for a in scored["area"]
        }
    population = pd.to_numeric(scored["population"], errors="coerce").fillna(0)
    return scored.assign(_need=scored["area"].map(need), _population=population).sort_values(
        ["_need", "si_score", "_population", "area"], ascending=[False, True, False, True]
    )


def demo_area(graph: Graph) -> str | None:
    """The area the demo reports on, by ``DEMO_RULE``: it has provision, ties and comparators
    of its own level (and gaps wherever an area with the rest has them), so every section of
    the report has content. None if no area qualifies."""
    lookup = GraphIndex(graph)
    gap_rows = gaps(graph, level="lsoa")
    if gap_rows.empty:
        return None
    need_by_lsoa = gap_rows.groupby("area")["need"].sum()
    compared: dict[str, bool] = {}

    def has_peers(code: str) -> bool:
        if code not in compared:
            compared[code] = comparator_areas(graph, code, lookup=lookup).within is not None
        return compared[code]

    found = (_demo_candidates(graph, lookup, level, need_by_lsoa) for level in DEMO_LEVELS)
    candidates = [frame for frame in found if frame is not None]
    for with_gaps in (True, False):
        for frame in candidates:
            rows = frame[frame["_need"] > 0] if with_gaps else frame
            chosen = next((str(a) for a in rows["area"] if has_peers(str(a))), None)
            if chosen is not None:
                return chosen
    return None


def most_under_served(graph: Graph, *, level: Level = "lsoa") -> str | None:
    """The area with the lowest SI score, if any area is scored.

    Equal lowest scores are not broken by name: the most residents weighted by
    deprivation (population x the ``gaps`` need weight) wins, then the GSS code.
    """
    frame = si_index(graph, level=level).dropna(subset=["si_score"])
    if frame.empty:
        return None
    lowest = frame[frame["si_score"] == frame["si_score"].min()]
    decile = pd.to_numeric(lowest["imd_decile"], errors="coerce").fillna(10)
    weight = pd.to_numeric(lowest["population"], errors="coerce").fillna(0) * (
        1.0 + (10 - decile) / 9
    )
    ordered = lowest.assign(_weight=weight).sort_values(
        ["_weight", "area"], ascending=[False, True]
    )
    return str(ordered.iloc[0]["area"])


def gap_summary(frame: pd.DataFrame, code: str, level: str) -> str:
    """One sentence on the gaps rows of an area (``gaps_inside``)."""
    if frame.empty:
        return ""
    if level == "lsoa":
        return (
            f"{count_of(frame['category'].nunique(), 'category', 'categories')} missing or out "
            f"of reach: {short_list(sorted(frame['category'].unique()))}."
        )
    areas = frame["area"].nunique()
    common = frame["category"].value_counts()
    top = [f"{c} ({n})" for c, n in zip(common.index, common, strict=True)]
    return (
        f"{count_of(areas, 'LSOA')} inside {code} lack at least one category; most often "
        f"missing (LSOAs): {short_list(top)}."
    )
