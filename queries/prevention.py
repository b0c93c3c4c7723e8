"""Prevention: how much of a place's provision prevents, and how much responds to crisis.

Each service gets a prevention level — ``primary``, ``secondary``, ``tertiary`` or
``acute`` (docs/prevention.md) — from its taxonomy terms through the published
crosswalk, the rules, or the user's own mapping file (``--mapping FILE``, kept in the
workspace for later runs). By area, the shares of services, of grant money and of
facilities at each level, flagged where acute provision outweighs prevention (the
acute share of services is larger than the primary and secondary shares together).

A grant's level is that of the rules over its title and description, else the most
common level of its recipient's services. A facility (a location with a
``facility_kind``) takes the level of the rules over its kind and name.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..errors import UsageError
from ..graph import Graph, Workspace
from ..graph.scope import Scope, resolve_scope
from ..ontology import EdgeType, NodeType
from ..ontology.prevention import PREVENTION_LEVELS, classify_text
from ._index import GraphIndex, count_of
from ._levels import ServiceLevel, UserMapping, read_mapping_file, service_levels
from ._registry import register_query
from .activities import area_at_level, areas_within, location_areas

__all__ = ["MAPPING_SETTING", "area_services", "prevention", "prevention_profile"]

MAPPING_SETTING = "prevention_mapping"
"""The workspace setting that keeps the user's mapping (see ``Workspace.setting``)."""

SERVICE_COLUMNS = ["id", "name", "level", "term", "rule", "confidence", "why"]
_KINDS = ("services", "grants", "facilities")
AREA_COLUMNS = [
    "area",
    "name",
    "level",
    *(
        column
        for kind in _KINDS
        for column in (kind, *(f"{kind}_{level}" for level in PREVENTION_LEVELS))
    ),
    "acute_outweighs_prevention",
    "why",
]


def _mapping(target: Graph | Workspace, mapping: str | None) -> UserMapping | None:
    """The user's mapping: read from ``mapping`` (and kept), or the workspace's kept one."""
    workspace = target if isinstance(target, Workspace) else None
    if mapping is not None and mapping.strip().lower() == "none":
        if workspace is not None:
            workspace.set_setting(MAPPING_SETTING, None)
        return None
    if mapping is not None:
        if not Path(mapping).is_file():
            raise UsageError(
                f"the mapping file '{mapping}' does not exist. Fix: give a CSV (term,level) "
                "or SKOS Turtle file, or 'none' to forget the kept mapping.",
                param="mapping",
            )
        found = read_mapping_file(mapping)
        if workspace is not None:
            workspace.set_setting(MAPPING_SETTING, json.dumps(found.to_json()))
        return found
    if workspace is not None and (kept := workspace.setting(MAPPING_SETTING)):
        return UserMapping.from_json(json.loads(kept))
    return None


def _graph(target: Graph | Workspace) -> Graph:
    return target.graph() if isinstance(target, Workspace) else target


@register_query(needs_workspace=True)
def prevention(
    target: Graph | Workspace,
    *,
    by: Literal["area", "service"] = "area",
    level: Literal["lsoa", "msoa", "ward", "lad"] = "lsoa",
    within: Scope | str | Sequence[str] | None = None,
    mapping: str | None = None,
) -> pd.DataFrame:
    """Prevention levels of services, and each area's shares of them.

    Example:
      civicgraph query prevention --by service --mapping my-levels.csv

    Parameters
    ----------
    target
        The workspace (or an analysis graph).
    by
        ``service``: one row per service with its level and the rule that gave it;
        ``area``: each area's shares of services, grant money and facilities at each level.
    level
        The level of the areas for ``by area``.
    within
        The study area: areas by GSS code or name (repeatable). By area, only areas in
        it (default: the workspace's scope, see ``civicgraph scope``); by service, only
        services placed in or serving it (default: every service).
    mapping
        Your own mapping of taxonomy terms to levels (a CSV term,level[,confidence,why]
        or a SKOS Turtle file). It is kept in the workspace and used until another is
        given; ``none`` forgets it.

    Returns
    -------
    DataFrame
        By service: ``id``, ``name``, ``level``, ``term``, ``rule``, ``confidence``,
        ``why``. By area: ``area``, ``name``, ``level``, then for services, grants (money)
        and facilities their number (or amount) and the share at each level
        (``services_primary``...), ``acute_outweighs_prevention``, ``why``.

    Raises
    ------
    UsageError
        ``within`` names no area, or the mapping file does not exist.
    InputError
        The mapping file cannot be used.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("s1", type="Service", name="Night shelter")
    >>> g.add_node("s2", type="Service", name="Befriending")
    >>> g.add_node("t1", type="Concept", name="Peer Support")
    >>> _ = g.add_edge("s2", "t1", key="CLASSIFIED_AS", type="CLASSIFIED_AS")
    >>> rows = prevention(g, by="service")
    >>> rows[["name", "level", "term"]].values.tolist()
    [['Befriending', 'secondary', 'Peer Support'], ['Night shelter', 'acute', '']]
    """
    user_mapping = _mapping(target, mapping)
    graph = _graph(target)
    lookup = GraphIndex(graph)
    scope = resolve_scope(graph, within) if by == "area" or within else None
    allowed = None if scope is None or scope.is_everything else set(scope.members)
    service_areas = lookup.service_areas()
    services = [
        s
        for s in lookup.nodes(NodeType.SERVICE.value)
        if allowed is None or allowed.intersection(service_areas.get(s, ()))
    ]
    levels = service_levels(lookup, mapping=user_mapping, services=services)
    if by == "service":
        frame = _by_service(lookup, services, levels)
    else:
        frame = _by_area(lookup, levels, service_areas, level, allowed)
    if scope is not None:
        frame.attrs["scope"] = scope.describe()
        frame.attrs["scope_detail"] = scope.as_dict()
    return frame


def _by_service(
    lookup: GraphIndex, services: list[str], levels: dict[str, ServiceLevel]
) -> pd.DataFrame:
    rows = []
    for service in services:
        found = levels.get(service)
        rows.append(
            {
                "id": service,
                "name": lookup.name(service),
                "level": found.mapping.level if found else None,
                "term": found.term if found else "",
                "rule": found.mapping.rule if found else "",
                "confidence": found.mapping.confidence if found else None,
                "why": found.mapping.why if found else "no term, mapping or rule gives it a level",
            }
        )
    frame = pd.DataFrame(rows, columns=SERVICE_COLUMNS)
    return frame.sort_values(["name", "id"], kind="stable").reset_index(drop=True)


def _grant_levels(lookup: GraphIndex, levels: dict[str, ServiceLevel]) -> dict[str, str]:
    graph = lookup.graph
    recipients: dict[str, list[str]] = {}
    for grant, organisation, _ in lookup.edges(EdgeType.AWARDED_TO):
        recipients.setdefault(grant, []).append(organisation)
    found: dict[str, str] = {}
    for grant in lookup.nodes(NodeType.GRANT.value):
        data = graph.nodes[grant]
        rule = classify_text(f"{data.get('title') or ''} {data.get('description') or ''}")
        if rule is not None:
            found[grant] = rule.level
            continue
        counts = Counter(
            levels[s].mapping.level
            for organisation in recipients.get(grant, ())
            for s in lookup.services_of.get(organisation, ())
            if s in levels
        )
        if counts:
            found[grant] = min(counts, key=lambda k: (-counts[k], PREVENTION_LEVELS.index(k)))
    return found


def _by_area(
    lookup: GraphIndex,
    levels: dict[str, ServiceLevel],
    service_areas: dict[str, set[str]],
    level: str,
    allowed: set[str] | None,
) -> pd.DataFrame:
    graph = lookup.graph
    home_cache: dict[str, str | None] = {}

    def homes(areas: Any) -> set[str]:
        found = set()
        for area in areas:
            if allowed is not None and area not in allowed:
                continue
            if area not in home_cache:
                home_cache[area] = area_at_level(lookup, area, level)
            if home_cache[area]:
                found.add(str(home_cache[area]))
        return found

    # {area: {kind: Counter(level -> weight)}}, and each kind's total weight
    tally: dict[str, dict[str, defaultdict[str, float]]] = {}
    totals: dict[str, defaultdict[str, float]] = {}

    def add(area: str, kind: str, step: str | None, weight: float) -> None:
        tally.setdefault(area, {k: defaultdict(float) for k in _KINDS})
        totals.setdefault(area, defaultdict(float))[kind] += weight
        if step is not None:
            tally[area][kind][step] += weight

    for service, served in service_areas.items():
        if lookup.type(service) != NodeType.SERVICE.value:
            continue
        found = levels.get(service)
        for area in homes(served):
            add(area, "services", found.mapping.level if found else None, 1.0)
    grant_levels = _grant_levels(lookup, levels)
    for grant, area, _ in lookup.edges(EdgeType.BENEFITS_AREA):
        amount = graph.nodes[grant].get("amount")
        if not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
            continue
        for home in homes([area]):
            add(home, "grants", grant_levels.get(grant), float(amount))
    for location, placed in location_areas(lookup).items():
        data = graph.nodes[location]
        kind = data.get("facility_kind")
        if not kind:
            continue
        rule = classify_text(f"{kind} {data.get('name') or ''}")
        for home in homes(placed):
            add(home, "facilities", rule.level if rule else None, 1.0)
    rows = []
    for area, kinds in tally.items():
        row: dict[str, Any] = {"area": area, "name": lookup.name(area), "level": level}
        for kind in _KINDS:
            levelled = sum(kinds[kind].values())
            total = totals[area][kind]
            row[kind] = round(total, 2) if kind == "grants" else int(total)
            for step in PREVENTION_LEVELS:
                row[f"{kind}_{step}"] = round(kinds[kind][step] / levelled, 3) if levelled else None
        services = kinds["services"]
        levelled = sum(services.values())
        prevention = services["primary"] + services["secondary"]
        row["acute_outweighs_prevention"] = bool(levelled) and services["acute"] > prevention
        why = [
            f"{count_of(int(levelled), 'service')} with a level of {int(row['services'])}: "
            + ", ".join(f"{int(services[s])} {s}" for s in PREVENTION_LEVELS)
        ]
        if row["acute_outweighs_prevention"]:
            why.append(
                f"acute provision outweighs prevention ({int(services['acute'])} acute against "
                f"{int(prevention)} primary or secondary)"
            )
        if totals[area]["grants"]:
            why.append(f"£{totals[area]['grants']:,.0f} of grants benefit it")
        if totals[area]["facilities"]:
            why.append(count_of(int(totals[area]["facilities"]), "facility", "facilities"))
        row["why"] = "; ".join(why)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=AREA_COLUMNS)
    return frame.sort_values(
        ["acute_outweighs_prevention", "services", "area"],
        ascending=[False, False, True],
        kind="stable",
    ).reset_index(drop=True)


def area_services(
    target: Graph | Workspace,
    area: str,
    *,
    mapping: str | None = None,
) -> pd.DataFrame:
    """The services in ``area`` (or any area inside it), one row each with its level.

    The rows of ``prevention --by service`` (``id``, ``name``, ``level``, ``term``,
    ``rule``, ``confidence``, ``why``) for the services :func:`prevention_profile`
    counts: the report's evidence for the profile.
    """
    graph = _graph(target)
    lookup = GraphIndex(graph)
    inside = areas_within(lookup, area) or frozenset()
    in_area = [
        s
        for s, areas in lookup.service_areas().items()
        if lookup.type(s) == NodeType.SERVICE.value and inside.intersection(areas)
    ]
    levels = service_levels(lookup, mapping=_mapping(target, mapping), services=in_area)
    return _by_service(lookup, in_area, levels)


def prevention_profile(
    target: Graph | Workspace,
    area: str,
    *,
    mapping: str | None = None,
) -> dict[str, float]:
    """An area's prevention profile: the share of its services at each level.

    For the area report. Services in ``area`` or any area inside it count (see
    :func:`area_services`); services with no level are left out of the shares (all
    zero where none has a level).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("A", type="Area", level="lsoa", name="Estate")
    >>> for i, name in enumerate(["Night shelter", "Lunch club", "Debt advice", "Carers group"]):
    ...     g.add_node(f"s{i}", type="Service", name=name)
    ...     _ = g.add_edge(f"s{i}", "A", key="SERVES_AREA", type="SERVES_AREA")
    >>> prevention_profile(g, "A")
    {'primary': 0.25, 'secondary': 0.5, 'tertiary': 0.0, 'acute': 0.25}
    """
    counts = Counter(area_services(target, area, mapping=mapping)["level"].dropna())
    total = sum(counts.values())
    return {step: (round(counts[step] / total, 3) if total else 0.0) for step in PREVENTION_LEVELS}
