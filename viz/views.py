"""What a picture shows: the nodes and edges of one view of the graph, with their facts.

A :class:`View` is plain data (no HTML): the nodes with their label, type, sector,
areas, key facts, links and sources, the edges with their kind and reasons, and notes
saying what was left out or folded. ``page.py`` lays it out and writes the page; the
report draws it with matplotlib.

Views:

- ``network``: every organisation, service, location, area and grant (taxonomy terms
  are shown as sectors, not as nodes);
- ``ego``: one node and its neighbourhood to a depth (areas and taxonomy terms are
  shown but not walked through: every service in a town shares them);
- ``area``: one area and the areas within it, the locations placed there, the
  services there or serving it, their organisations and the grants that benefit it;
- ``silos``: the organisations of each silo group (``civicgraph query silos``) and
  their ties;
- ``partnerships``: the suggested partnerships (``civicgraph query partnerships``) as
  dashed edges with their reasons, beside the ties that already exist;
- ``changes``: what ``civicgraph query changes`` lists, coloured by its change, with
  what is around it in grey (``_changes_view.py``; it needs the workspace).

Each view is built by its entry in :data:`VIEWS`. ``within`` narrows the network view
to the nodes placed in the study area and the changes view to the changes placed there.

Above ``max_nodes`` a view is folded: services, and buildings only one organisation
uses, into their organisations and grants into their recipients first, then everything
placed in an area into the area; if it is still too large the caller is asked for a
focus instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..graph import Graph, Workspace
from ..graph.placing import unplaced_rows
from ..graph.scope import Scope, resolve_scope, scope_nodes
from ..ontology import EdgeType, NodeType
from ..queries._index import UNCLASSIFIED, GraphIndex, count_of
from ..queries._network import tie_network
from ..queries.partnerships import partnerships
from ..queries.silos import silo_groups

__all__ = [
    "DEFAULT_MAX_NODES",
    "SCOPED_VIEWS",
    "VIEWS",
    "View",
    "ViewEdge",
    "ViewNode",
    "build_view",
    "safe_url",
]

DEFAULT_MAX_NODES = 5000
"""Above this many nodes a view is folded (5,000 nodes open in a few seconds)."""

_ORG = NodeType.ORGANIZATION.value
_SERVICE = NodeType.SERVICE.value
_LOCATION = NodeType.LOCATION.value
_AREA = NodeType.AREA.value
_GRANT = NodeType.GRANT.value
_CONCEPT = NodeType.CONCEPT.value

_FACTS: dict[str, tuple[str, ...]] = {
    _ORG: ("kind", "legal_status", "roles", "org_ids", "email"),
    _SERVICE: ("status", "description", "fees_description", "email"),
    _LOCATION: ("address", "postcode", "location_type"),
    _AREA: ("code", "level", "population", "imd_rank", "imd_decile", "vintage"),
    _GRANT: ("amount", "currency", "award_date", "programme"),
    _CONCEPT: ("code", "taxonomy"),
}
_LINKS = ("website", "url")
_FACT_LENGTH = 240


def safe_url(value: Any) -> str | None:
    """``value`` if it is an http or https URL without spaces or quotes, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    lowered = text.lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return None
    if any(c.isspace() or c in "\"'<>`\\" for c in text) or len(text) > 2000:
        return None
    return text


@dataclass
class ViewNode:
    """One node of a picture."""

    id: str
    label: str
    type: str
    sector: str = UNCLASSIFIED
    areas: list[str] = field(default_factory=list)
    group: str = ""
    """The silo group (or other grouping) the node belongs to, if any."""
    facts: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """http(s) links only."""
    sources: list[str] = field(default_factory=list)
    members: int = 1
    """How many graph nodes this node stands for (more than 1 when folded)."""
    funding: float = 0.0


@dataclass
class ViewEdge:
    """One edge of a picture (several graph edges of one kind between two nodes are one)."""

    source: str
    target: str
    type: str
    count: int = 1
    dashed: bool = False
    reason: str = ""


@dataclass
class View:
    """A picture's content: nodes, edges, and what the reader should know about it."""

    name: str
    title: str
    nodes: dict[str, ViewNode]
    edges: list[ViewEdge]
    notes: list[str] = field(default_factory=list)
    default_color: str = "type"

    @property
    def size(self) -> int:
        return len(self.nodes)


# -- building blocks ------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if not isinstance(v, dict))
    elif isinstance(value, float):
        value = f"{value:,.2f}" if abs(value) >= 1000 or value != int(value) else f"{value:.0f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:,}"
    text = " ".join(str(value).split())
    return text if len(text) <= _FACT_LENGTH else text[: _FACT_LENGTH - 1] + "…"


class _Context:
    """Look-ups shared by the view builders."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.lookup = GraphIndex(graph)
        self._areas: dict[str, set[str]] | None = None
        self._funding: dict[str, float] | None = None

    @property
    def areas(self) -> dict[str, set[str]]:
        """The areas each node is in or serves (locations, services, organisations, grants)."""
        if self._areas is None:
            found: dict[str, set[str]] = {}
            for location, area, _ in self.lookup.edges(EdgeType.IN_AREA):
                found.setdefault(location, set()).add(area)
            for service, areas in self.lookup.service_areas().items():
                found.setdefault(service, set()).update(areas)
            for grant, area, _ in self.lookup.edges(EdgeType.BENEFITS_AREA):
                found.setdefault(grant, set()).add(area)
            for org, services in self.lookup.services_of.items():
                for service in services:
                    if service in found:
                        found.setdefault(org, set()).update(found[service])
            for org, location, _ in self.lookup.edges(EdgeType.OPERATES):
                if location in found:
                    found.setdefault(org, set()).update(found[location])
            for node, kind in self.lookup.types.items():
                if kind == _AREA:
                    found.setdefault(node, set()).add(node)
            self._areas = found
        return self._areas

    @property
    def funding(self) -> dict[str, float]:
        """Money each organisation received, by grant amounts."""
        if self._funding is None:
            self._funding = {
                recipient: sum(float(entry["amount"]) for entry in funders.values())
                for recipient, funders in self.lookup.funding().items()
            }
        return self._funding

    def node(self, node_id: str) -> ViewNode:
        data = self.graph.nodes[node_id]
        kind = str(data.get("type", ""))
        facts = [
            (key.replace("_", " "), _text(data[key]))
            for key in _FACTS.get(kind, ())
            if data.get(key) not in (None, "", [])
        ]
        if kind in (_ORG, _SERVICE):
            facts.insert(0, ("sector", self.lookup.sector(node_id)))
        links = [url for key in _LINKS if (url := safe_url(data.get(key)))]
        areas = sorted(self.areas.get(node_id, ()))
        return ViewNode(
            id=node_id,
            label=_text(self.lookup.name(node_id))[:80],
            type=kind,
            sector=self.lookup.sector(node_id) if kind in (_ORG, _SERVICE) else UNCLASSIFIED,
            areas=areas,
            facts=facts,
            links=links,
            sources=[str(s) for s in data.get("sources", [])],
            funding=self.funding.get(node_id, 0.0),
        )

    def edges_among(self, nodes: set[str]) -> list[ViewEdge]:
        counts: Counter[tuple[str, str, str]] = Counter()
        for u, v, data in self.graph.edges(data=True):
            if u in nodes and v in nodes and u != v:
                counts[(u, v, str(data.get("type", "")))] += int(
                    data["count"] if isinstance(data.get("count"), int) else 1
                )
        return [ViewEdge(u, v, kind, count) for (u, v, kind), count in sorted(counts.items())]


def _make_view(
    context: _Context, name: str, title: str, node_ids: Iterable[str], notes: list[str]
) -> View:
    chosen = set(node_ids)
    nodes = {n: context.node(n) for n in sorted(chosen)}
    return View(name, title, nodes, context.edges_among(chosen), notes)


# -- folding large views --------------------------------------------------------------


def _fold(view: View, context: _Context, representative: dict[str, str], what: str) -> View:
    """Replace nodes by their representatives; edges between the same pair merge."""
    if not representative:
        return view
    nodes: dict[str, ViewNode] = {}
    for node_id, node in view.nodes.items():
        target = representative.get(node_id, node_id)
        if target not in nodes:
            nodes[target] = (
                view.nodes[target]
                if target in view.nodes
                else context.node(target)
                if target in context.graph
                else node
            )
            if target not in view.nodes:
                nodes[target].members = 0
        if target != node_id:
            nodes[target].members += node.members
            nodes[target].funding += node.funding
    counts: Counter[tuple[str, str, str]] = Counter()
    for edge in view.edges:
        u = representative.get(edge.source, edge.source)
        v = representative.get(edge.target, edge.target)
        if u != v:
            counts[(u, v, edge.type)] += edge.count
    edges = [ViewEdge(u, v, kind, count) for (u, v, kind), count in sorted(counts.items())]
    folded = sum(1 for n in view.nodes if representative.get(n, n) != n)
    notes = [*view.notes, f"{what} ({count_of(folded, 'node')} folded)"]
    return View(view.name, view.title, nodes, edges, notes, view.default_color)


def _fold_services(view: View, context: _Context) -> View:
    providers = context.lookup.providers
    representative: dict[str, str] = {}
    recipients: dict[str, str] = {}
    for grant, recipient, _ in context.lookup.edges(EdgeType.AWARDED_TO):
        recipients.setdefault(grant, recipient)
    # A building only one organisation uses folds into it; shared buildings stay.
    users: dict[str, set[str]] = {}
    for org, location, _ in context.lookup.edges(EdgeType.OPERATES):
        users.setdefault(location, set()).add(org)
    for service, location, _ in context.lookup.edges(EdgeType.AT_LOCATION):
        users.setdefault(location, set()).add(providers.get(service, service))
    services = grants = locations = 0
    for node_id, node in view.nodes.items():
        if node.type == _SERVICE and node_id in providers:
            representative[node_id] = providers[node_id]
            services += 1
        elif node.type == _GRANT and node_id in recipients:
            representative[node_id] = recipients[node_id]
            grants += 1
        elif node.type == _LOCATION and len(users.get(node_id, ())) == 1:
            (user,) = users[node_id]
            if context.lookup.type(user) == _ORG:
                representative[node_id] = user
                locations += 1
    what = (
        f"{count_of(services, 'service')} and {count_of(locations, 'location')} used by one "
        f"organisation folded into their organisations, {count_of(grants, 'grant')} into "
        "their recipients"
    )
    return _fold(view, context, representative, what)


def _fold_areas(view: View, context: _Context) -> View:
    representative: dict[str, str] = {}
    for node_id, node in view.nodes.items():
        if node.type == _AREA or not node.areas:
            continue
        # A node placed in several areas goes to the first by code, so pages are reproducible.
        representative[node_id] = sorted(node.areas)[0]
    areas = len(set(representative.values()))
    what = f"everything placed in an area folded into {count_of(areas, 'area')} as super-nodes"
    return _fold(view, context, representative, what)


def _within_limit(view: View, context: _Context, max_nodes: int) -> View:
    if view.size <= max_nodes:
        return view
    before = view.size
    view = _fold_services(view, context)
    if view.size > max_nodes:
        view = _fold_areas(view, context)
    if view.size > max_nodes:
        raise UsageError(
            f"the {view.name} view has {before:,} nodes, and still {view.size:,} after folding "
            f"services into organisations and places into areas, more than `max_nodes` "
            f"{max_nodes:,}. Fix: pick a focus (`view` ego with `focus` ID, or `view` area "
            "with `area` CODE), or raise `max_nodes`.",
            param=("max_nodes", "view", "focus", "area"),
        )
    view.notes.append(f"{before:,} nodes were more than --max-nodes {max_nodes:,}; folded.")
    return view


# -- the views ------------------------------------------------------------------------


def _network(context: _Context) -> View:
    types = context.lookup.types
    chosen = [n for n, kind in types.items() if kind != _CONCEPT]
    concepts = len(types) - len(chosen)
    notes = [f"{count_of(concepts, 'taxonomy term')} shown as sectors, not as nodes"]
    return _make_view(context, "network", "The whole network", chosen, notes)


def _resolve_focus(context: _Context, focus: str) -> str:
    if focus in context.graph:
        return focus
    wanted = focus.strip().casefold()
    named = sorted(n for n in context.lookup.types if context.lookup.name(n).casefold() == wanted)
    if len(named) == 1:
        return named[0]
    if named:
        raise UsageError(
            f"`focus` '{focus}' names {len(named)} nodes: {', '.join(named[:5])}. "
            "Fix: give one of their ids.",
            param="focus",
        )
    close = sorted(n for n in context.lookup.types if wanted in context.lookup.name(n).casefold())
    hint = f" Nodes whose name contains it: {', '.join(close[:5])}." if close else ""
    raise UsageError(
        f"`focus` '{focus}' is not a node id or name in the graph.{hint} "
        "Fix: give an id from 'civicgraph query ...' output or the page's search box.",
        param="focus",
    )


def _ego(context: _Context, focus: str | None, depth: int) -> View:
    if not focus:
        raise UsageError(
            "`view` ego needs `focus`. Fix: give `focus` a node's id.", param=("view", "focus")
        )
    if depth < 0:
        raise UsageError(
            f"`depth` cannot be negative ({depth}). Fix: give 0 or more.", param="depth"
        )
    start = _resolve_focus(context, focus)
    graph = context.graph
    seen = {start}
    frontier = [start]
    for _ in range(depth):
        following: list[str] = []
        for node in frontier:
            # Areas and taxonomy terms end a walk: every service in a town shares them.
            if node != start and context.lookup.type(node) in (_AREA, _CONCEPT):
                continue
            for neighbour in (*graph.successors(node), *graph.predecessors(node)):
                if neighbour not in seen:
                    seen.add(neighbour)
                    following.append(neighbour)
        frontier = following
    name = context.lookup.name(start)
    view = _make_view(
        context,
        "ego",
        f"{name} and its neighbourhood (depth {depth})",
        seen,
        ["areas and taxonomy terms are shown but not walked through"],
    )
    view.nodes[start].group = "focus"
    return view


def _area(context: _Context, area: str | None) -> View:
    if not area:
        raise UsageError(
            "`view` area needs `area`. Fix: give `area` a GSS code.", param=("view", "area")
        )
    code = area.strip().upper()
    if context.lookup.type(code) != _AREA:
        known = sorted(context.lookup.nodes(_AREA))
        if known:
            hint = f" Areas in the workspace: {', '.join(known[:5])}."
        else:
            hint = " The workspace has no areas."
            abroad = sum(
                1
                for row in unplaced_rows(context.graph)
                if row["type"] == NodeType.LOCATION and row["reason"].startswith("not UK data")
            )
            if abroad:
                hint += (
                    f" {abroad:,} of its locations are outside the UK (civicgraph query "
                    "unplaced), and areas here are UK statistical areas."
                )
            hint += " Fix: ingest area data first (civicgraph ingest areas)."
        raise UsageError(f"`area` '{area}' is not an area in the graph.{hint}", param="area")
    within = context.lookup.area_descendants(code)
    # The area, the areas directly within it, and smaller areas only where something is
    # placed in them (a local authority has thousands of output areas).
    chosen = {code} | {
        child
        for child, parent, _ in context.lookup.edges(EdgeType.PART_OF)
        if parent == code and child in within
    }
    for node, areas in context.areas.items():
        placed = areas & within
        if placed and context.lookup.type(node) != _AREA:
            chosen.add(node)
            chosen.update(placed)
    providers = context.lookup.providers
    for node in list(chosen):
        if context.lookup.type(node) == _SERVICE and node in providers:
            chosen.add(providers[node])
    name = str(context.graph.nodes[code].get("name") or code)
    notes = [f"{count_of(len(within), 'area')} within {code}"]
    return _make_view(context, "area", f"{name} ({code})", chosen, notes)


def _silos(context: _Context, seed: int) -> View:
    frame, members = silo_groups(context.graph, seed=seed)
    net = tie_network(context.graph, lookup=context.lookup)
    chosen = {m for group in members for m in group}
    view = View("silos", "Silo groups", {n: context.node(n) for n in sorted(chosen)}, [], [])
    view.default_color = "group"
    for row, group_members in zip(frame.to_dict("records"), members, strict=True):
        ei_index = row["ei_index"]
        ei = "" if ei_index is None or pd.isna(ei_index) else f", E-I {float(ei_index):+.2f}"
        label = f"group {row['group']}{ei}"
        for member in group_members:
            view.nodes[member].group = label
    for (a, b), _weight in sorted(net.ties.items()):
        u, v = net.nodes[a], net.nodes[b]
        if u in chosen and v in chosen:
            view.edges.append(ViewEdge(u, v, "tie", 1, reason=net.tie_words(a, b)))
    view.notes.append(
        f"{count_of(len(members), 'silo group')} from 'civicgraph query silos' "
        "(groups of 2 or more; organisations without ties are left out)"
    )
    return view


def _partnerships(context: _Context, limit: int) -> View:
    frame = partnerships(context.graph, limit=limit)
    chosen = set(frame["organization_a"]) | set(frame["organization_b"])
    view = View(
        "partnerships",
        "Suggested partnerships",
        {n: context.node(n) for n in sorted(chosen)},
        [],
        [],
        "sector",
    )
    net = tie_network(context.graph, lookup=context.lookup)
    for (a, b), _weight in sorted(net.ties.items()):
        u, v = net.nodes[a], net.nodes[b]
        if u in chosen and v in chosen:
            view.edges.append(ViewEdge(u, v, "tie", 1, reason=net.tie_words(a, b)))
    for row in frame.to_dict("records"):
        view.edges.append(
            ViewEdge(
                str(row["organization_a"]),
                str(row["organization_b"]),
                "suggested partnership",
                dashed=True,
                reason=f"{row['reasons']} (score {float(row['score']):.2f}): {row['why']}",
            )
        )
    view.notes.append(
        f"the top {count_of(len(frame), 'suggestion')} of 'civicgraph query partnerships' "
        "(dashed), beside the ties that already exist among those organisations (solid)"
    )
    return view


@dataclass
class _Request:
    """What :func:`build_view` was asked for, handed to each view's builder."""

    data: Graph | Workspace
    focus: str | None = None
    depth: int = 1
    area: str | None = None
    limit: int = 50
    seed: int = 1
    since: str | None = None
    until: str | None = None
    within: Scope | str | Sequence[str] | None = None
    context: _Context | None = None
    """The look-ups the view was built with (set by the builder when it makes its own)."""

    def graph_context(self) -> _Context:
        if self.context is None:
            data = self.data
            self.context = _Context(data.graph() if isinstance(data, Workspace) else data)
        return self.context


def place_named(scope: Scope) -> str:
    """The study area in a title: ``Oakbridge (E06000999)``, the first three and a count."""
    listed = [f"{n} ({a})" if n != a else a for a, n in zip(scope.areas, scope.names, strict=True)]
    more = f" and {len(listed) - 3} more" if len(listed) > 3 else ""
    return ", ".join(listed[:3]) + more


def _scoped_network(request: _Request) -> View:
    context = request.graph_context()
    if not _wants_scope(request.within):
        return _network(context)
    scope = resolve_scope(context.graph, request.within)
    kept = scope_nodes(context.graph, scope)
    types = context.lookup.types
    chosen = [n for n in kept if types.get(n) != _CONCEPT]
    notes = [
        f"{count_of(len(chosen), 'node')} placed in the study area, as export gexf --within "
        f"places them; taxonomy terms shown as sectors; {scope.describe()}"
    ]
    return _make_view(context, "network", f"The network in {place_named(scope)}", chosen, notes)


def _changes(request: _Request) -> View:
    from ._changes_view import changes_view_and_context

    if not isinstance(request.data, Workspace):
        raise UsageError(
            "the changes view compares a workspace's snapshots, and was given a graph. "
            "Fix: give the Workspace itself (as of a day with Workspace(..., as_of=DAY)).",
            param="view",
        )
    view, request.context = changes_view_and_context(
        request.data, since=request.since, until=request.until, within=request.within
    )
    return view


ViewBuilder = Callable[[_Request], View]
VIEWS: dict[str, ViewBuilder] = {
    "network": _scoped_network,
    "ego": lambda r: _ego(r.graph_context(), r.focus, r.depth),
    "area": lambda r: _area(r.graph_context(), r.area),
    "silos": lambda r: _silos(r.graph_context(), r.seed),
    "partnerships": lambda r: _partnerships(r.graph_context(), r.limit),
    "changes": _changes,
}
"""Each view's builder, by name; ``build_view`` looks views up here."""
SCOPED_VIEWS = ("network", "changes")
"""The views that ``within`` narrows (the area view is already one place)."""


def _wants_scope(within: Scope | str | Sequence[str] | None) -> bool:
    return within is not None and (isinstance(within, str | Scope) or any(within))


def build_view(
    graph: Graph | Workspace,
    *,
    view: str = "network",
    focus: str | None = None,
    depth: int = 1,
    area: str | None = None,
    limit: int = 50,
    max_nodes: int = DEFAULT_MAX_NODES,
    seed: int = 1,
    since: str | None = None,
    until: str | None = None,
    within: Scope | str | Sequence[str] | None = None,
) -> View:
    """Choose the nodes and edges of one view of ``graph`` (see the module documentation).

    Parameters
    ----------
    graph
        The analysis graph, or a workspace (the changes view needs the workspace; one
        read ``as_of`` a day draws the network as it stood then).
    view
        One of :data:`VIEWS`: network, ego, area, silos, partnerships or changes.
    focus
        The ego view's centre: a node id (or a unique name).
    depth
        How many steps from the focus the ego view reaches.
    area
        The area view's GSS code.
    limit
        How many suggested partnerships the partnerships view draws.
    max_nodes
        Fold the view (services into organisations, then places into areas) above this.
    seed
        The random seed of the silo groups.
    since, until
        The changes view: compare snapshots as ``civicgraph query changes`` does.
    within
        The study area (GSS codes or names, or a ``Scope``) of the network view (the
        nodes placed in it, as ``export gexf --within``) and the changes view (the
        changes placed in it, as ``query changes --within``); default: everything.

    Raises
    ------
    UsageError
        An unknown view, a missing or unknown focus or area, ``within`` on a view it
        does not narrow, or a view too large even folded.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", type="Organization", name="Hall")
    >>> g.add_node("s", type="Service", name="Lunch club")
    >>> _ = g.add_edge("o", "s", type="PROVIDES")
    >>> sorted(build_view(g).nodes)
    ['o', 's']
    >>> list(VIEWS)
    ['network', 'ego', 'area', 'silos', 'partnerships', 'changes']
    """
    builder = VIEWS.get(view)
    if builder is None:
        raise UsageError(
            f"`view` '{view}' is not one of {', '.join(VIEWS)}. Fix: pick one.", param="view"
        )
    if max_nodes < 1:
        raise UsageError(f"`max_nodes` must be at least 1, not {max_nodes}.", param="max_nodes")
    if _wants_scope(within) and view not in SCOPED_VIEWS:
        raise UsageError(
            f"`within` narrows the {' and '.join(SCOPED_VIEWS)} views, not the {view} view. "
            "Fix: drop `within`, or draw one area with `view` area and `area` CODE.",
            param=("within", "view", "area"),
        )
    request = _Request(
        graph, focus, depth, area, limit, seed, since=since, until=until, within=within
    )
    built = builder(request)
    return _within_limit(built, request.graph_context(), max_nodes)
