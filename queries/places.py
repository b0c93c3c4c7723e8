"""Places and need: the social infrastructure index and the gaps by area.

``si_index`` scores each area's social infrastructure (the measure the Index
of Multiple Deprivation lacks) and sets it beside the area's IMD rank;
``gaps`` lists the areas where a category of service or facility is missing
or far, weighted by need. docs/si-index.md explains the method and its
sources; the constants below are its documented choices.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import UsageError
from ..graph import Graph
from ..graph.scope import Scope, resolve_scope
from ..ontology import EdgeType
from ._activity_reach import ACTIVITY_PROVISION, activity_totals, with_activity_provision
from ._index import UNCLASSIFIED, GraphIndex, count_of
from ._levels import service_levels
from ._places import FloatArray, Reach, reach
from ._registry import register_query

if TYPE_CHECKING:  # scipy is imported where it is used: other queries start without it
    from scipy import sparse

__all__ = [
    "EARLY_ACTION_LEVELS",
    "INDICATOR_WEIGHTS",
    "area_rank",
    "competition_rank",
    "gaps",
    "si_index",
]

Level = Literal["lsoa", "msoa", "ward", "lad", "region"]

INDICATOR_WEIGHTS: dict[str, float] = {
    "civic_assets_per_1000": 0.25,
    "services_per_1000": 0.20,
    "category_coverage": 0.15,
    "organisations_per_1000": 0.10,
    "preventative_share": 0.10,
    "funding_per_head": 0.10,
    "connectedness": 0.10,
    "sessions_per_1000_per_week": 0.10,
    "volunteering_per_1000": 0.05,
}
"""Weights of the indicators in ``si_score`` (re-normalised over those the graph can measure)."""

EARLY_ACTION_LEVELS = ("primary", "secondary")
"""Prevention levels that count as preventative (early action: prevent and reduce)."""

MISMATCH_GAP = 0.3
"""How far (in percentile points, 0-1) the SI and IMD positions must differ to be marked."""

SI_COLUMNS = [
    "area",
    "name",
    "level",
    "population",
    "imd_rank",
    "imd_decile",
    "civic_assets",
    "civic_assets_per_1000",
    "services",
    "services_per_1000",
    "services_by_category",
    "category_coverage",
    "organisations",
    "organisations_per_1000",
    "preventative_share",
    "funding",
    "funding_per_head",
    "ties",
    "connectedness",
    "activity_sessions_per_week",
    "sessions_per_1000_per_week",
    "volunteering_opportunities",
    "volunteering_per_1000",
    "si_score",
    "si_rank",
    "imd_mismatch",
    "why",
]

GAP_COLUMNS = [
    "rank",
    "area",
    "name",
    "level",
    "category",
    "population",
    "imd_decile",
    "need",
    "missing",
    "nearest",
    "nearest_id",
    "distance_km",
    "why",
]


def _per_1000(count: FloatArray, population: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(population > 0, count * 1000.0 / population, np.nan)


def _preventative(lookup: GraphIndex, services: list[str]) -> list[bool]:
    """Whether each service is early action: its own ``preventative`` where a source states
    it, else whether its prevention level (``query prevention``) is primary or secondary."""
    levels = service_levels(lookup, services=services)
    found = []
    for service in services:
        stated = lookup.graph.nodes[service].get("preventative")
        if isinstance(stated, bool):
            found.append(stated)
        else:
            level = levels.get(service)
            found.append(level is not None and level.mapping.level in EARLY_ACTION_LEVELS)
    return found


def _funding(lookup: GraphIndex, found: Reach) -> FloatArray | None:
    """Grant money benefiting each area (None if no grant names an area).

    A grant to an area is shared among the base areas (LSOAs) inside it by
    population (equally where populations are unknown), then summed per area.
    """
    graph = lookup.graph
    benefits = list(lookup.edges(EdgeType.BENEFITS_AREA))
    if not benefits:
        return None
    per_base = np.zeros(found.members.shape[1])
    pops = np.nan_to_num(found.base_population, nan=0.0)
    for grant, area, _ in benefits:
        amount = graph.nodes[grant].get("amount")
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            continue
        columns = found.covers.get(area)
        if not columns:
            continue
        weights = pops[columns]
        shares = (
            weights / weights.sum()
            if weights.sum() > 0
            else np.full(len(columns), 1 / len(columns))
        )
        np.add.at(per_base, columns, float(amount) * shares)
    return np.asarray(found.members @ per_base, dtype=np.float64)


def _ties(lookup: GraphIndex, found: Reach, org_reach: sparse.csr_matrix, orgs: list[str]) -> Any:
    """Referral and partnership ties among each area's organisations (None if no ties at all)."""
    providers = lookup.providers
    org_index = {o: i for i, o in enumerate(orgs)}
    pairs: set[tuple[int, int]] = set()
    for edge_type in (EdgeType.REFERS_TO, EdgeType.PARTNERS_WITH):
        for u, v, _ in lookup.edges(edge_type):
            a = org_index.get(providers.get(u, u))
            b = org_index.get(providers.get(v, v))
            if a is not None and b is not None and a != b:
                pairs.add((min(a, b), max(a, b)))
    if not pairs:
        return None
    left = np.array([p[0] for p in pairs])
    right = np.array([p[1] for p in pairs])
    by_org = org_reach.T.tocsr()
    both = by_org[left].multiply(by_org[right])
    return np.asarray(both.sum(axis=0)).ravel()


def _percentile(values: FloatArray) -> FloatArray:
    """Each value's percentile rank (0-1, ties share the mean), NaN stays NaN."""
    series = pd.Series(values)
    return np.asarray(series.rank(pct=True, method="average"), dtype=np.float64)


@register_query(name="si-index")
def si_index(
    graph: Graph,
    *,
    level: Level = "lsoa",
    distance_km: float = 1.5,
    mismatch_gap: float = MISMATCH_GAP,
    within: Scope | str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Social infrastructure per area, combined into one index, beside the area's IMD rank.

    Per area: community facilities (civic assets) and services within reach
    per 1,000 residents, the share of service categories present, distinct
    organisations, the preventative share of services, grant funding per
    head (when grants name areas), ties among the area's organisations
    (when referrals or partnerships exist) and the active community: the
    sessions a week of the activities held there and the volunteering
    opportunities held there, per 1,000 residents (when activities are
    ingested). Each indicator becomes a
    percentile rank across the areas; ``si_score`` is their weighted mean
    (0-100, weights in docs/si-index.md) and ``si_rank`` 1 is the poorest.
    ``imd_mismatch`` marks areas whose SI position is far from their IMD
    position. Areas above LSOA level are the union of their LSOAs.

    Example:
      civicgraph query si-index --level msoa

    Parameters
    ----------
    graph
        The analysis graph.
    level
        The areas to score: lsoa, msoa, ward, lad or region.
    distance_km
        A service or facility within this distance of an area's centroid is
        within its reach (besides those placed in or serving it).
    mismatch_gap
        How far apart (0-1) the SI and IMD percentile positions must be for
        imd_mismatch to mark an area.
    within
        The study area: areas by GSS code or name (any level), or a ``Scope``; default:
        the workspace's scope, else the local authorities holding its placed data
        (see ``civicgraph.graph.scope``).

    Returns
    -------
    DataFrame
        ``area``, ``name``, ``level``, ``population``, ``imd_rank``,
        ``imd_decile``, the indicators, ``si_score``, ``si_rank``,
        ``imd_mismatch``, ``why``; ordered by ``si_rank``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for code, pop in [("E01000001", 1000), ("E01000002", 2000)]:
    ...     g.add_node(code, type="Area", name=code, level="lsoa", population=pop)
    >>> g.add_node("lib", type="Location", name="Library", facility_kind="library")
    >>> _ = g.add_edge("lib", "E01000001", key="IN_AREA", type="IN_AREA")
    >>> si_index(g)[["area", "civic_assets", "si_rank"]].values.tolist()
    [['E01000002', 0, 1], ['E01000001', 1, 2]]
    """
    if distance_km < 0:
        raise UsageError(
            f"`distance_km` must be 0 or more, not {distance_km}.", param="distance_km"
        )
    from scipy import sparse

    lookup = GraphIndex(graph)
    scope = resolve_scope(graph, within)
    found = reach(
        lookup,
        level=level,
        distance_km=distance_km,
        scope=None if scope.is_everything else scope.members,
        areas=scope.tree if scope.tree is not None and scope.tree.graph is graph else None,
    )
    n = len(found.areas)
    if n == 0:
        return _scoped(pd.DataFrame(columns=SI_COLUMNS), scope, found)
    population = found.population
    assets = np.asarray(found.facility_reach.sum(axis=1)).ravel()
    services = np.asarray(found.service_reach.sum(axis=1)).ravel()

    categories = sorted({c for c in found.service_category if c != UNCLASSIFIED})
    cat_index = {c: i for i, c in enumerate(categories)}
    rows = [i for i, c in enumerate(found.service_category) if c in cat_index]
    by_category = found.service_reach @ sparse.csr_matrix(
        (np.ones(len(rows)), (rows, [cat_index[found.service_category[i]] for i in rows])),
        shape=(len(found.services), len(categories)),
    )
    by_category_dense = by_category.toarray() if categories else np.zeros((n, 0))
    coverage = (
        (by_category_dense > 0).sum(axis=1) / len(categories) if categories else np.full(n, np.nan)
    )

    orgs = sorted(set(lookup.providers.values()))
    org_of = {o: i for i, o in enumerate(orgs)}
    provided = [
        (i, org_of[lookup.providers[s]])
        for i, s in enumerate(found.services)
        if s in lookup.providers
    ]
    service_org = sparse.csr_matrix(
        (np.ones(len(provided)), ([p[0] for p in provided], [p[1] for p in provided])),
        shape=(len(found.services), len(orgs)),
    )
    org_reach = (found.service_reach @ service_org).tocsr()
    org_reach.data[:] = 1.0
    organisations = np.asarray(org_reach.sum(axis=1)).ravel()

    prevent = np.array(_preventative(lookup, list(found.services)), dtype=np.float64)
    preventative = found.service_reach @ prevent if len(prevent) else np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        preventative_share = np.where(services > 0, preventative / services, 0.0)
    if not len(found.services):
        preventative_share = np.full(n, np.nan)

    funding = _funding(lookup, found)
    ties = _ties(lookup, found, org_reach, orgs)
    with np.errstate(divide="ignore", invalid="ignore"):
        funding_per_head = (
            np.where(population > 0, funding / population, np.nan)
            if funding is not None
            else np.full(n, np.nan)
        )
        connectedness = (
            np.where(organisations > 0, ties / np.maximum(organisations, 1), 0.0)
            if ties is not None
            else np.full(n, np.nan)
        )

    # The active-community domain: activities held in the area (ingest openactive,
    # volunteering, warm-spaces); unmeasured when the graph holds none.
    active = activity_totals(lookup, found)
    sessions_week, opportunities = active if active is not None else (np.full(n, np.nan),) * 2
    indicators: dict[str, FloatArray] = {
        "civic_assets_per_1000": _per_1000(assets, population)
        if len(found.facilities)
        else np.full(n, np.nan),
        "services_per_1000": _per_1000(services, population)
        if len(found.services)
        else np.full(n, np.nan),
        "category_coverage": coverage,
        "organisations_per_1000": _per_1000(organisations, population)
        if orgs
        else np.full(n, np.nan),
        "preventative_share": preventative_share,
        "funding_per_head": funding_per_head,
        "connectedness": connectedness,
        "sessions_per_1000_per_week": _per_1000(sessions_week, population)
        if active is not None and sessions_week.any()
        else np.full(n, np.nan),
        "volunteering_per_1000": _per_1000(opportunities, population)
        if active is not None and opportunities.any()
        else np.full(n, np.nan),
    }
    score_sum = np.zeros(n)
    weight_sum = np.zeros(n)
    used = []
    for name, values in indicators.items():
        if np.isnan(values).all():
            continue
        used.append(name)
        pct = _percentile(values)
        ok = ~np.isnan(pct)
        score_sum[ok] += INDICATOR_WEIGHTS[name] * pct[ok]
        weight_sum[ok] += INDICATOR_WEIGHTS[name]
    with np.errstate(divide="ignore", invalid="ignore"):
        si_score = np.where(weight_sum > 0, 100.0 * score_sum / weight_sum, np.nan)
    # Areas no indicator could score (no population, nothing measured) come last, unranked.
    # Ranked on the score as shown (one decimal): equal scores on the page share a rank.
    si_rank = competition_rank(si_score, digits=1)
    scored_count = int((si_rank > 0).sum())

    si_position = _percentile(si_score)
    imd_position = _percentile(found.imd_rank)  # low rank = most deprived = low position
    mismatch = []
    for i in range(n):
        if np.isnan(si_position[i]) or np.isnan(imd_position[i]) or scored_count < 3:
            mismatch.append("")
        elif si_position[i] <= imd_position[i] - mismatch_gap:
            mismatch.append("poorer than its IMD suggests")
        elif si_position[i] >= imd_position[i] + mismatch_gap:
            mismatch.append("richer than its IMD suggests")
        else:
            mismatch.append("")

    records: list[dict[str, Any]] = []
    for i, area in enumerate(found.areas):
        counts = {c: int(by_category_dense[i, j]) for j, c in enumerate(categories)}
        listing = "; ".join(f"{c}: {v}" for c, v in counts.items() if v)
        missing = [c for c, v in counts.items() if not v]
        pop = population[i]
        facilities_text = count_of(int(assets[i]), "community facility", "community facilities")
        why = (
            f"{found.names[i]}: {facilities_text}"
            f" and {count_of(int(services[i]), 'service')} from "
            f"{count_of(int(organisations[i]), 'organisation')} within {distance_km:g} km or "
            f"placed in or serving it"
            + (f" for {int(pop):,} residents" if not math.isnan(pop) else " (population unknown)")
        )
        if missing and categories:
            why += f"; no {', '.join(missing[:4])}" + (" ..." if len(missing) > 4 else "")
        if mismatch[i]:
            why += (
                f"; SI rank {si_rank[i]} of {scored_count} against IMD rank "
                f"{_int(found.imd_rank[i])}: {mismatch[i]}"
            )
        records.append(
            {
                "area": area,
                "name": found.names[i],
                "level": level,
                "population": _int(pop),
                "imd_rank": _int(found.imd_rank[i]),
                "imd_decile": _int(found.imd_decile[i]),
                "civic_assets": int(assets[i]),
                "civic_assets_per_1000": _round(indicators["civic_assets_per_1000"][i]),
                "services": int(services[i]),
                "services_per_1000": _round(indicators["services_per_1000"][i]),
                "services_by_category": listing,
                "category_coverage": _round(coverage[i]),
                "organisations": int(organisations[i]),
                "organisations_per_1000": _round(indicators["organisations_per_1000"][i]),
                "preventative_share": _round(preventative_share[i]),
                "funding": None if funding is None else round(float(funding[i]), 2),
                "funding_per_head": _round(funding_per_head[i]),
                "ties": None if ties is None else int(ties[i]),
                "connectedness": _round(connectedness[i]),
                "activity_sessions_per_week": _round(sessions_week[i], 2),
                "sessions_per_1000_per_week": _round(indicators["sessions_per_1000_per_week"][i]),
                "volunteering_opportunities": _round(opportunities[i], 2),
                "volunteering_per_1000": _round(indicators["volunteering_per_1000"][i]),
                "si_score": _round(si_score[i], 1),
                "si_rank": int(si_rank[i]) or None,
                "imd_mismatch": mismatch[i],
                "why": (
                    why + f" (index from: {', '.join(used)})"
                    if si_rank[i]
                    else why + " (not scored: no indicator could be measured for it)"
                ),
            }
        )
    frame = pd.DataFrame(records, columns=SI_COLUMNS)
    for column in ("population", "imd_rank", "imd_decile", "si_rank", "ties"):
        frame[column] = frame[column].astype("Int64")
    frame["why"] = frame["why"] + f" [{scope.describe()}]"
    return _scoped(
        frame.sort_values(["si_rank", "area"], kind="stable", na_position="last").reset_index(
            drop=True
        ),
        scope,
        found,
    )


def competition_rank(scores: FloatArray, *, digits: int = 6) -> npt.NDArray[np.int64]:
    """Rank 1 for the lowest score; equal scores share the lowest rank of their group
    ("1, 2, 2, 4"); NaN (not scored) is 0 (no rank).

    Scores are compared at ``digits`` decimals, so float noise never splits a tie.

    Examples
    --------
    >>> competition_rank(np.array([3.0, 1.0, 3.0, np.nan, 7.0])).tolist()
    [2, 1, 2, 0, 4]
    """
    ranks = pd.Series(np.round(scores, digits)).rank(method="min", na_option="keep")
    return np.asarray(ranks.fillna(0).astype(int), dtype=np.int64)


def area_rank(frame: pd.DataFrame, area: str) -> tuple[int, int] | None:
    """``(rank, of)``: an area's SI rank among the scored areas of an ``si_index`` result
    (one level, one scope), or ``None`` when it is not scored or fewer than two areas are
    (never "rank 1 of 1").

    Examples
    --------
    >>> frame = pd.DataFrame({"area": ["a", "b", "c"], "si_rank": [1, 1, None]})
    >>> area_rank(frame, "b"), area_rank(frame, "c")
    ((1, 2), None)
    """
    scored = frame.dropna(subset=["si_rank"])
    here = scored[scored["area"] == area]
    if here.empty or len(scored) < 2:
        return None
    return int(here.iloc[0]["si_rank"]), len(scored)


def _scoped(frame: pd.DataFrame, scope: Scope, found: Reach | None = None) -> pd.DataFrame:
    """Rows with the scope they were computed within (``frame.attrs``: the CLI prints it),
    and the areas of an older lookup left out as superseded (``superseded``)."""
    described = scope.describe()
    superseded = found.superseded if found is not None else {}
    if superseded:
        listed = "; ".join(
            f"{old} by {', '.join(new)}" for old, new in sorted(superseded.items())[:5]
        ) + (f" and {len(superseded) - 5} more" if len(superseded) > 5 else "")
        described += (
            f"; left out {count_of(len(superseded), 'area')} of an older lookup whose LSOAs a "
            f"more direct lookup gives to others (superseded: {listed})"
        )
    frame.attrs["scope"] = described
    frame.attrs["scope_detail"] = {**scope.as_dict(), "superseded": superseded}
    return frame


def _int(value: float) -> int | None:
    return None if value is None or math.isnan(value) else round(value)


def _round(value: float, digits: int = 3) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), digits)


def _deprivation_weight(decile: float) -> float:
    """1.0 for the least deprived decile rising to 2.0 for the most deprived (1.5 if unknown)."""
    if math.isnan(decile):
        return 1.5
    return 1.0 + (10.0 - min(max(decile, 1.0), 10.0)) / 9.0


def _slug(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


@register_query
def gaps(
    graph: Graph,
    *,
    category: str | None = None,
    level: Level = "lsoa",
    distance_km: float = 1.5,
    limit: int | None = None,
    within: Scope | str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Areas where a category of service or facility is missing or far, ranked by need.

    A category is a service sector (the top of its taxonomy, see
    ``silos``), a facility kind (library, community centre...) or an
    activity category (``warm space``, an OpenActive activity such as
    "Walking Netball", a volunteering cause, or an activity kind such as
    ``volunteering role``: an activity counts at its venue). An area
    lacks it when nothing of it stands within ``distance_km`` of its
    centroid, is placed in it, or serves it. ``need`` is the area's
    population in thousands times a deprivation weight that rises from 1.0
    (IMD decile 10) to 2.0 (decile 1); rows are ranked by need, then by the
    distance to the nearest provision. Rows of equal need and distance share a
    rank (competition ranking: "1, 1, 3").

    Example:
      civicgraph query gaps --category "Food" --level msoa

    Parameters
    ----------
    graph
        The analysis graph.
    category
        Only this category (a sector, facility kind or activity category, any case);
        default: every one.
    level
        The areas to check: lsoa, msoa, ward, lad or region.
    distance_km
        What stands within this distance of an area's centroid is within reach.
    limit
        Return at most this many rows.
    within
        The study area: areas by GSS code or name (any level), or a ``Scope``; default:
        the workspace's scope, else the local authorities holding its placed data
        (see ``civicgraph.graph.scope``).

    Returns
    -------
    DataFrame
        ``rank``, ``area``, ``name``, ``level``, ``category``, ``population``,
        ``imd_decile``, ``need``, ``missing`` (in words), ``nearest`` (name),
        ``nearest_id``, ``distance_km`` (from the area's centroid), ``why``.

    Raises
    ------
    UsageError
        The category names no sector or facility kind in the graph.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for code, lat in [("E01000001", 51.50), ("E01000002", 51.60)]:
    ...     g.add_node(code, type="Area", name=code, level="lsoa", population=1500,
    ...                latitude=lat, longitude=-1.0)
    >>> g.add_node("lib", type="Location", name="Library", facility_kind="library",
    ...            latitude=51.50, longitude=-1.0)
    >>> gaps(g)[["area", "category", "nearest", "distance_km"]].values.tolist()
    [['E01000002', 'library', 'Library', 11.06]]
    """
    if distance_km < 0:
        raise UsageError(
            f"`distance_km` must be 0 or more, not {distance_km}.", param="distance_km"
        )
    from scipy.spatial import cKDTree

    lookup = with_activity_provision(GraphIndex(graph))
    scope = resolve_scope(graph, within)
    found = reach(
        lookup,
        level=level,
        distance_km=distance_km,
        scope=None if scope.is_everything else scope.members,
        areas=scope.tree if scope.tree is not None and scope.tree.graph is graph else None,
    )
    kinds: dict[str, tuple[str, list[int]]] = {}
    for i, sector in enumerate(found.service_category):
        if sector != UNCLASSIFIED:
            kinds.setdefault(_slug(sector), (sector, []))[1].append(i)
    facility_kinds: dict[str, tuple[str, list[int]]] = {}
    for i, kind in enumerate(found.facility_kind):
        facility_kinds.setdefault(_slug(kind), (kind, []))[1].append(i)
    wanted = sorted(set(kinds) | set(facility_kinds))
    if category is not None:
        if _slug(category) not in wanted:
            known = ", ".join(kinds[k][0] if k in kinds else facility_kinds[k][0] for k in wanted)
            raise UsageError(
                f"there is no category '{category}' in the graph. Fix: use one of: "
                f"{known or 'none (no classified services or facilities yet)'}."
            )
        wanted = [_slug(category)]
    n = len(found.areas)
    known_pops = found.population[~np.isnan(found.population)]
    fallback_pop = float(np.median(known_pops)) if len(known_pops) else math.nan
    records: list[dict[str, Any]] = []
    for key in wanted:
        for is_service, table, reach_matrix, xy, ids in (
            (True, kinds, found.service_reach, found.service_xy, found.services),
            (False, facility_kinds, found.facility_reach, found.facility_xy, found.facilities),
        ):
            if key not in table:
                continue
            label, members = table[key]
            columns = np.array(members)
            present = np.asarray(reach_matrix[:, columns].sum(axis=1)).ravel() > 0
            lacking = np.flatnonzero(~present)
            if not len(lacking):
                continue
            points = xy[columns]
            good = ~np.isnan(points).any(axis=1)
            distances = np.full(n, np.nan)
            nearest = np.full(n, -1)
            centres_ok = lacking[~np.isnan(found.xy[lacking]).any(axis=1)]
            if good.any() and len(centres_ok):
                dist, idx = cKDTree(points[good]).query(found.xy[centres_ok], k=1)
                distances[centres_ok] = dist
                nearest[centres_ok] = columns[np.flatnonzero(good)[idx]]
            noun = "service" if is_service else "facility"
            for row in lacking:
                i = int(row)
                pop = found.population[i]
                used_pop = fallback_pop if math.isnan(pop) else pop
                weight = _deprivation_weight(found.imd_decile[i])
                need = (0.0 if math.isnan(used_pop) else used_pop / 1000.0) * weight
                where = f"within {distance_km:g} km, placed in it or serving it"
                missing = f"no {label} {noun} {where}"
                near_id = ids[nearest[i]] if nearest[i] >= 0 else None
                near_name = lookup.name(near_id) if near_id is not None else None
                if near_id is not None:  # an activity's stand-in names the activity
                    near_id = lookup.graph.nodes[near_id].get(ACTIVITY_PROVISION) or near_id
                why = f"{found.names[i]}: {missing}"
                if near_id is not None:
                    why += f"; nearest is {near_name}, {distances[i]:.1f} km from its centre"
                elif np.isnan(found.xy[i]).any():
                    why += "; the area has no centroid to measure a distance from"
                else:
                    why += "; no located provision to measure a distance to"
                pop_text = (
                    f"{int(pop):,} residents"
                    if not math.isnan(pop)
                    else "population unknown (median of the areas used)"
                )
                decile = found.imd_decile[i]
                decile_text = "unknown" if math.isnan(decile) else str(_int(decile))
                why += f"; {pop_text}, IMD decile {decile_text}"
                records.append(
                    {
                        "area": found.areas[i],
                        "name": found.names[i],
                        "level": level,
                        "category": label,
                        "population": _int(pop),
                        "imd_decile": _int(decile),
                        "need": round(need, 3),
                        "missing": missing,
                        "nearest": near_name,
                        "nearest_id": near_id,
                        "distance_km": None if near_id is None else round(float(distances[i]), 2),
                        "why": why,
                    }
                )
    frame = pd.DataFrame(records, columns=[c for c in GAP_COLUMNS if c != "rank"])
    if frame.empty:
        return _scoped(pd.DataFrame(columns=GAP_COLUMNS), scope, found)
    frame["why"] = frame["why"] + f" [{scope.describe()}]"
    for column in ("population", "imd_decile"):
        frame[column] = frame[column].astype("Int64")
    frame["_distance"] = frame["distance_km"].fillna(np.inf)
    frame = frame.sort_values(
        ["need", "_distance", "area", "category"], ascending=[False, False, True, True]
    )
    # Rows with the same need and distance as shown share a rank ("1, 1, 3"): an order by
    # name among equals is not a ranking.
    first_of_tie = frame[["need", "_distance"]].ne(frame[["need", "_distance"]].shift()).any(axis=1)
    positions = pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
    frame.insert(0, "rank", positions.where(first_of_tie).ffill().astype(int))
    frame = frame.drop(columns="_distance").reset_index(drop=True)
    return _scoped(frame.head(limit) if limit is not None else frame, scope, found)
