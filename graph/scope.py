"""The study area: which areas a place-based answer is about, and how they were chosen.

A workspace that holds national areas (every LSOA in England) and one city's
directory must not rank Newham among Birmingham's gaps. Every place-based
query therefore works within a :class:`Scope`:

* ``within=`` (``--within``): areas given by GSS code or by name, at any level
  (region, local authority, ward, MSOA, LSOA), repeatable;
* else the workspace's stored scope (``civicgraph scope set``);
* else the local authorities that hold the workspace's own placed locations
  (and so the services and assets at them) - never every area by accident.
  Only a workspace with no local authorities at all (small hand-made areas)
  falls back to every area, and says so.

Membership is a frozenset of area ids, so a query's filter is a set look-up.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, UsageError
from ..ontology import EdgeType, NodeType
from ..ontology.gss import area_level

__all__ = [
    "BY_AREA",
    "BY_DEFAULT",
    "BY_OPTION",
    "BY_WORKSPACE",
    "EVERY_AREA",
    "STORED_SCOPE",
    "Scope",
    "resolve_scope",
    "scope_for_area",
    "scope_nodes",
]

BY_OPTION = "--within"
BY_WORKSPACE = "workspace scope"
BY_AREA = "default: the local authority holding the area"
BY_DEFAULT = "default: local authorities holding the workspace's placed services/locations/assets"
EVERY_AREA = "default: every area (the workspace has no local authorities to bound it)"

STORED_SCOPE = "stored_scope"
"""The key of ``graph.graph`` where a workspace puts its stored scope's area codes."""

_AREA = NodeType.AREA.value
_LOCATION = NodeType.LOCATION.value
_SMALL = ("lsoa", "datazone", "soa")


@dataclass(frozen=True)
class Scope:
    """The areas an answer is computed within.

    Attributes
    ----------
    areas
        The chosen areas' ids (GSS codes), in the order given.
    names
        Their names, in the same order.
    how
        How they were chosen: ``--within``, ``workspace scope`` or a default.
    members
        Every area inside the chosen ones (themselves included): the set a query
        filters by.
    vintage
        The vintage(s) of the small areas (LSOAs) inside, e.g. ``2011``; empty if unknown.
    lookups
        The area lookups that join the areas inside to the chosen ones, with their codes'
        years (``LSOA 2011 -> LAD 2019``), most links first; empty if none is named
        (areas ingested before lookups were named).
    tree
        The areas of the graph the scope was resolved on (``tree.graph``): a query on that
        graph reuses them rather than reading every area again.
    """

    areas: tuple[str, ...]
    names: tuple[str, ...]
    how: str
    members: frozenset[str] = field(repr=False)
    vintage: str = ""
    lookups: tuple[str, ...] = ()
    tree: _AreaTree | None = field(default=None, repr=False, compare=False)

    def __contains__(self, area: object) -> bool:
        return area in self.members

    @property
    def is_everything(self) -> bool:
        return self.how == EVERY_AREA

    def describe(self) -> str:
        """One line: ``Birmingham (E08000025), by --within; 2011 LSOAs``."""
        if self.is_everything:
            chosen = "every area"
        else:
            listed = [
                f"{n} ({a})" if n != a else a for a, n in zip(self.areas, self.names, strict=True)
            ]
            chosen = ", ".join(listed[:5]) + (
                f" and {len(listed) - 5} more" if len(listed) > 5 else ""
            )
        text = f"scope: {chosen}; chosen by {self.how}"
        if self.vintage:
            text += f"; {self.vintage} LSOAs"
        if self.lookups:
            text += f"; {' and '.join(self.lookups)} lookup" + (
                "s" if len(self.lookups) > 1 else ""
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        """The scope as JSON metadata."""
        return {
            "areas": [{"area": a, "name": n} for a, n in zip(self.areas, self.names, strict=True)],
            "how": self.how,
            "vintage": self.vintage or None,
            "lookups": list(self.lookups),
            "areas_inside": len(self.members),
        }


def _level(node: str, data: dict[str, Any]) -> str:
    level = data.get("level")
    if isinstance(level, str) and level.strip():
        return level.strip().lower()
    return area_level(str(data.get("code") or node)) or ""


class _AreaTree:
    """The graph's areas: levels, names, parents, children and which hold locations (one pass
    over the edges)."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.levels: dict[str, str] = {}
        for node, data in graph.nodes(data=True):
            if data.get("type") == _AREA:
                self.levels[node] = _level(node, data)
        self.children: dict[str, list[str]] = {}
        self.parents: dict[str, list[str]] = {}
        self.lookups: dict[tuple[str, str], str] = {}
        self.placed: set[str] = set()
        """The areas the workspace's locations are placed in (``IN_AREA``)."""
        part_of, in_area = EdgeType.PART_OF.value, EdgeType.IN_AREA.value
        nodes = graph.nodes
        # One pass over the edges: asking each of 300k areas for its out-edges (a view
        # object per area) cost seconds on all-England areas.
        for child, parent, data in graph.edges(data=True):
            if parent not in self.levels:
                continue
            kind = data.get("type")
            if kind == part_of and child in self.levels:
                self.parents.setdefault(child, []).append(parent)
                self.children.setdefault(parent, []).append(child)
                if data.get("lookup"):
                    self.lookups[child, parent] = str(data["lookup"])
            elif kind == in_area and nodes[child].get("type") == _LOCATION:
                self.placed.add(parent)

    def name(self, area: str) -> str:
        return str(self.graph.nodes[area].get("name") or area)

    def inside(self, areas: Iterable[str]) -> frozenset[str]:
        """The areas and every area below them; then every area all of whose small areas
        are among those (a 2019 district inside a region a 2017 lookup built), so a
        successor is in the scope its predecessor is in."""
        found = set(areas)
        stack = list(found)
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        small = [a for a in found if self.levels.get(a) in _SMALL]
        candidates = {p for a in small for p in self.parents.get(a, ()) if p not in found}
        for parent in candidates:
            below = [c for c in self.children.get(parent, ()) if self.levels.get(c) in _SMALL]
            if below and all(c in found for c in below):
                found.add(parent)
        return frozenset(found)

    def nearest_of_level(self, area: str, level: str) -> set[str]:
        """The closest containing areas of ``level`` (the direct lookup wins over an older
        chain, as in ``queries._places``)."""
        layer, seen = {area}, {area}
        while layer:
            hits = {a for a in layer if self.levels.get(a) == level}
            if hits:
                return hits
            layer = {p for a in layer for p in self.parents.get(a, ()) if p not in seen}
            seen |= layer
        return set()

    def vintage(self, members: Iterable[str]) -> str:
        nodes = self.graph.nodes
        stated = (nodes[a].get("vintage") for a in members if self.levels.get(a) in _SMALL)
        counts = Counter(str(vintage) for vintage in stated if vintage)
        return " and ".join(sorted(counts))

    def lookups_of(self, members: frozenset[str]) -> tuple[str, ...]:
        """The named lookups of the links among ``members``, most links first."""
        counts = Counter(
            lookup
            for (child, parent), lookup in self.lookups.items()
            if child in members and parent in members
        )
        return tuple(name for name, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0])))

    def scope(self, areas: Sequence[str], how: str, members: frozenset[str]) -> Scope:
        """The scope of ``areas`` chosen ``how``, with everything said about what is inside."""
        return Scope(
            tuple(areas),
            tuple(self.name(a) for a in areas),
            how,
            members,
            self.vintage(members),
            self.lookups_of(members),
            self,
        )

    def find(self, text: str) -> str:
        """The area a ``--within`` value names (code or name, any case)."""
        wanted = text.strip()
        if wanted in self.levels:
            return wanted
        folded = wanted.casefold()
        by_code = [a for a in self.levels if a.casefold() == folded]
        if by_code:
            return by_code[0]
        named = sorted(a for a in self.levels if self.name(a).strip().casefold() == folded)
        if len(named) > 1:
            # One place in several vintages (a 2017 and a 2019 district) is still ambiguous:
            # the codes differ, so the user picks.
            listed = "; ".join(f"{self.name(a)} ({a}, {self.levels[a] or 'area'})" for a in named)
            raise UsageError(
                f"`within` '{text}' names {len(named)} areas: {listed}. "
                "Fix: give the one you mean by its code.",
                param="within",
            )
        if named:
            return named[0]
        names = {self.name(a): a for a in self.levels}
        near = difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.6)
        near += [n for n in names if folded in n.casefold() and n not in near][: 5 - len(near)]
        hint = (
            "near: " + "; ".join(f"{n} ({names[n]})" for n in near)
            if near
            else "no area has a similar name"
        )
        raise UsageError(
            f"`within` '{text}' is not an area in the workspace ({hint}). Fix: give an area's GSS "
            "code or exact name (see `civicgraph query si-index --level lad`), after "
            "ingesting areas.",
            param="within",
        )


def resolve_scope(
    graph: Any,
    within: Scope | str | Sequence[str] | None = None,
    *,
    stored: Sequence[str] | None = None,
    require_placed: bool = True,
) -> Scope:
    """The scope an answer uses: ``within``, else ``stored``, else the default.

    Parameters
    ----------
    graph
        The analysis graph.
    within
        Areas by GSS code or name (one, or several), or a :class:`Scope` (returned as is).
    stored
        The workspace's stored scope, used when ``within`` is empty; default: what the
        workspace attached to its graph (``graph.graph["stored_scope"]``, from
        ``Workspace.scope_areas()``).
    require_placed
        Refuse chosen areas that hold none of the workspace's placed data (a listing
        such as ``assets`` passes ``False``: an empty answer is its answer).

    Returns
    -------
    Scope

    Raises
    ------
    UsageError
        A value names no area, or several (exit 2).
    InputError
        The chosen areas hold none of the workspace's placed data (exit 1).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("E08000025", type="Area", name="Birmingham", level="lad")
    >>> g.add_node("E01000001", type="Area", name="Birmingham 001A", level="lsoa")
    >>> _ = g.add_edge("E01000001", "E08000025", key="PART_OF", type="PART_OF")
    >>> g.add_node("hall", type="Location", name="Hall")
    >>> _ = g.add_edge("hall", "E01000001", key="IN_AREA", type="IN_AREA")
    >>> resolve_scope(g).describe()
    "scope: Birmingham (E08000025); chosen by default: local authorities holding the \
workspace's placed services/locations/assets"
    >>> sorted(resolve_scope(g, "birmingham").members)
    ['E01000001', 'E08000025']
    """
    if isinstance(within, Scope):
        return within
    given = [within] if isinstance(within, str) else [w for w in (within or ()) if w]
    tree = _AreaTree(graph)
    how = BY_OPTION
    if stored is None:
        stored = tuple(getattr(graph, "graph", {}).get(STORED_SCOPE, ()))
    if not given and stored:
        given, how = list(stored), BY_WORKSPACE
    placed = tree.placed
    if given:
        chosen: list[str] = []
        for text in given:
            area = tree.find(text)
            if area not in chosen:
                chosen.append(area)
        members = tree.inside(chosen)
        if require_placed and placed and not placed & members:
            listed = ", ".join(f"{tree.name(a)} ({a})" for a in chosen)
            raise InputError(
                f"the scope {listed} ({how}) holds none of the workspace's placed services, "
                "locations or assets, so there is nothing to answer there. Fix: choose an "
                "area that holds them (`civicgraph scope clear` uses the default), or ingest "
                "a directory for it."
            )
        return tree.scope(chosen, how, members)
    authorities = sorted({lad for area in placed for lad in tree.nearest_of_level(area, "lad")})
    if not authorities:
        return tree.scope((), EVERY_AREA, frozenset(tree.levels))
    return tree.scope(authorities, BY_DEFAULT, tree.inside(authorities))


def scope_for_area(
    graph: Any, area: str, within: Scope | str | Sequence[str] | None = None
) -> Scope:
    """The scope an answer about one area (a report) uses: ``within`` (or the stored or
    default scope) when it holds the area, else the local authorities holding the area
    (else the area itself), so the area is always ranked among its neighbours.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for code, lad in [("E01000001", "E08000001"), ("E01000002", "E08000002")]:
    ...     g.add_node(lad, type="Area", name=lad, level="lad")
    ...     g.add_node(code, type="Area", name=code, level="lsoa")
    ...     _ = g.add_edge(code, lad, key="PART_OF", type="PART_OF")
    >>> g.add_node("hall", type="Location", name="Hall")
    >>> _ = g.add_edge("hall", "E01000001", key="IN_AREA", type="IN_AREA")
    >>> scope_for_area(g, "E01000002").areas
    ('E08000002',)
    """
    scope = resolve_scope(graph, within)
    if area in scope.members:
        return scope
    tree = scope.tree if scope.tree is not None and scope.tree.graph is graph else _AreaTree(graph)
    if area not in tree.levels:
        return scope
    holders = sorted(tree.nearest_of_level(area, "lad")) or [area]
    return tree.scope(holders, BY_AREA, tree.inside(holders))


def scope_nodes(graph: Any, scope: Scope) -> set[str]:
    """The nodes placed in ``scope``: its areas, the locations in them, the services at those
    locations or serving those areas, the activities at the locations, the grants benefiting
    the areas, and the organisations that provide, operate, run or fund (are awarded) them.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for code, lad in [("E01000001", "E08000001"), ("E01000002", "E08000002")]:
    ...     g.add_node(lad, type="Area", name=lad, level="lad")
    ...     g.add_node(code, type="Area", name=code, level="lsoa")
    ...     _ = g.add_edge(code, lad, key="PART_OF", type="PART_OF")
    >>> for n, area in [("hall", "E01000001"), ("shed", "E01000002")]:
    ...     g.add_node(n, type="Location", name=n)
    ...     _ = g.add_edge(n, area, key="IN_AREA", type="IN_AREA")
    >>> sorted(scope_nodes(g, resolve_scope(g, "E08000001")))
    ['E01000001', 'E08000001', 'hall']
    """
    nodes = graph.nodes
    kept: set[str] = {a for a in scope.members if a in nodes}
    locations = {
        u
        for area in kept
        for u, _, data in graph.in_edges(area, data=True)
        if data.get("type") == EdgeType.IN_AREA.value
    }
    placed: set[str] = set(locations)
    into = {
        EdgeType.AT_LOCATION.value: (locations, NodeType.SERVICE.value),
        EdgeType.HAPPENS_AT.value: (locations, NodeType.ACTIVITY.value),
        EdgeType.SERVES_AREA.value: (kept, NodeType.SERVICE.value),
        EdgeType.BENEFITS_AREA.value: (kept, NodeType.GRANT.value),
    }
    for edge_type, (targets, source_type) in into.items():
        for target in targets:
            for u, _, data in graph.in_edges(target, data=True):
                if data.get("type") == edge_type and nodes[u].get("type") == source_type:
                    placed.add(u)
    holders = (
        EdgeType.PROVIDES.value,
        EdgeType.OPERATES.value,
        EdgeType.RUNS.value,
    )
    organisations: set[str] = set()
    for node in placed:
        for u, _, data in graph.in_edges(node, data=True):
            if data.get("type") in holders and nodes[u].get("type") == NodeType.ORGANIZATION.value:
                organisations.add(u)
        for _, v, data in graph.out_edges(node, data=True):
            if data.get("type") == EdgeType.AWARDED_TO.value:
                organisations.add(v)
    return kept | placed | organisations
