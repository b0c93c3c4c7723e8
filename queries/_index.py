"""Look-ups the queries share: providers, sectors, buildings, areas and funders of nodes.

Private plumbing. Each is computed from the analysis graph in one pass over
the edges it needs, so a query pays for what it uses once.

How a **sector** is derived (the README repeats this):

1. a node's own ``sector`` property, where a source states one, wins;
2. a service's sector is the top-level category of its taxonomy terms: each
   ``CLASSIFIED_AS`` term is followed up ``PART_OF`` to a term with no
   broader term, and that term's name is the sector ("Debt advice" is under
   "Advice and money"); a service with terms under several top-level
   categories takes the most common (ties: the first by name); where terms
   carry a taxonomy facet, only those of the ``Service`` facet count if the
   service has any (AIRS target-population and facility-type terms describe
   who and where, not what);
3. an organisation's sector is the most common sector of its services (ties:
   the first by name);
4. what has none of these is ``unclassified``.

A **building** is a ``Location`` node known by a UPRN (one node however many
sources name it); else locations that share a normalised street address and
postal code; else identical coordinates (to 5 decimals, about a metre); else
the location itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..graph import Graph
from ..ontology import EdgeType, NodeType

__all__ = [
    "UNCLASSIFIED",
    "Buildings",
    "GraphIndex",
    "count_of",
    "reachable",
    "short_list",
]

UNCLASSIFIED = "unclassified"

_ORG = NodeType.ORGANIZATION.value
_SERVICE = NodeType.SERVICE.value
_LOCATION = NodeType.LOCATION.value
_AREA = NodeType.AREA.value
_CONCEPT = NodeType.CONCEPT.value


def short_list(items: Iterable[str], limit: int = 5) -> str:
    """``a, b, c and 4 more``: a list for a ``why`` sentence.

    Examples
    --------
    >>> short_list(["a", "b", "c"], limit=2)
    'a, b and 1 more'
    """
    listed = list(items)
    if len(listed) <= limit:
        return ", ".join(listed)
    return ", ".join(listed[:limit]) + f" and {len(listed) - limit} more"


def count_of(n: float, noun: str, plural: str | None = None) -> str:
    """``1 service``, ``2 services``: a number and its noun, agreeing (a float as ``:g``).

    Examples
    --------
    >>> count_of(1, "organisation"), count_of(3, "organisation"), count_of(2, "body", "bodies")
    ('1 organisation', '3 organisations', '2 bodies')
    >>> count_of(1.0, "hour"), count_of(1.5, "hour")
    ('1 hour', '1.5 hours')
    """
    shown = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{shown} {noun if n == 1 else plural or noun + 's'}"


def _majority(counts: Counter[str]) -> str:
    return min(counts, key=lambda name: (-counts[name], name))


_ADDRESS_NOISE = re.compile(r"[^a-z0-9]+")


@dataclass
class Buildings:
    """Locations grouped into buildings, each with a label for sentences."""

    of_location: dict[str, str] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)
    locations: dict[str, list[str]] = field(default_factory=dict)


def reachable(start: str, links: Mapping[str, Iterable[str]]) -> set[str]:
    """``start`` and every node reached from it through ``links`` (a node to its next nodes).

    >>> sorted(reachable("a", {"a": ["b"], "b": ["c", "a"], "d": ["a"]}))
    ['a', 'b', 'c']
    """
    found, stack = {start}, [start]
    while stack:
        for following in links.get(stack.pop(), ()):
            if following not in found:
                found.add(following)
                stack.append(following)
    return found


class GraphIndex:
    """Lazy look-ups over one analysis graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._providers: dict[str, str] | None = None
        self._services_of: dict[str, list[str]] | None = None
        self._sectors: dict[str, str] = {}
        self._roots: dict[str, str] | None = None
        self._buildings: Buildings | None = None
        self._terms: dict[str, list[str]] | None = None
        self._edges: dict[str, list[tuple[str, str, dict[str, Any]]]] | None = None
        self._types: dict[str, str] | None = None
        self.networks: dict[tuple[Any, ...], Any] = {}
        """Tie networks built on this index, by their parameters (see ``tie_network``)."""

    # -- nodes --------------------------------------------------------------

    @property
    def types(self) -> dict[str, str]:
        """Every node's type (one pass; the node view is slow to index a node at a time)."""
        if self._types is None:
            self._types = {n: str(d.get("type", "")) for n, d in self.graph.nodes(data=True)}
        return self._types

    def type(self, node: str) -> str:
        return self.types.get(node, "")

    def name(self, node: str) -> str:
        data = self.graph.nodes[node]
        return str(data.get("name") or data.get("title") or node)

    def nodes(self, node_type: str) -> Iterator[str]:
        for node, kind in self.types.items():
            if kind == node_type:
                yield node

    def edges(self, edge_type: EdgeType) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """The graph's edges of one type: ``(source, target, attributes)``."""
        if self._edges is None:
            # One pass over the adjacency buckets every type. It reads the graph's own
            # adjacency mapping: the public view wraps every node's and every neighbour's
            # entry in a new view object, which cost seconds at 100k services.
            buckets: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
            adjacency: Mapping[str, Mapping[str, Mapping[Any, dict[str, Any]]]]
            adjacency = self.graph._adj  # type: ignore[attr-defined]
            for u, neighbours in adjacency.items():
                for v, keyed in neighbours.items():
                    for data in keyed.values():
                        buckets.setdefault(data.get("type", ""), []).append((u, v, data))
            self._edges = buckets
        return iter(self._edges.get(edge_type.value, ()))

    def extended(
        self,
        graph: Graph,
        *,
        nodes: Iterable[tuple[str, str]],
        edges: Iterable[tuple[str, str, dict[str, Any]]],
    ) -> GraphIndex:
        """An index of ``graph``, which is this index's graph plus ``nodes`` (``(id, type)``)
        and ``edges`` (``(source, target, attributes)``, from the new nodes): the types and
        edge buckets are this index's with those added, not made again from the whole graph."""
        extended = GraphIndex(graph)
        extended._types = {**self.types, **dict(nodes)}
        self.edges(EdgeType.PART_OF)  # the buckets, made once
        buckets = dict(self._edges or {})
        copied: set[str] = set()
        for edge in edges:
            kind = edge[2].get("type", "")
            if kind not in copied:  # this index's own lists stay as they are
                buckets[kind] = list(buckets.get(kind, ()))
                copied.add(kind)
            buckets[kind].append(edge)
        extended._edges = buckets
        return extended

    # -- organisations and services ----------------------------------------

    @property
    def providers(self) -> dict[str, str]:
        """Each service's providing organisation (the first by id if several)."""
        if self._providers is None:
            providers: dict[str, str] = {}
            for org, service, _ in self.edges(EdgeType.PROVIDES):
                if service not in providers or org < providers[service]:
                    providers[service] = org
            self._providers = providers
        return self._providers

    @property
    def services_of(self) -> dict[str, list[str]]:
        """Each organisation's services."""
        if self._services_of is None:
            services: dict[str, list[str]] = {}
            for service, org in self.providers.items():
                services.setdefault(org, []).append(service)
            self._services_of = services
        return self._services_of

    # -- taxonomy and sectors ----------------------------------------------

    @property
    def terms(self) -> dict[str, list[str]]:
        """Each service's taxonomy terms."""
        if self._terms is None:
            terms: dict[str, list[str]] = {}
            for service, concept, _ in self.edges(EdgeType.CLASSIFIED_AS):
                terms.setdefault(service, []).append(concept)
            self._terms = terms
        return self._terms

    @property
    def roots(self) -> dict[str, str]:
        """Each taxonomy term's top-level term (itself if it has no broader term)."""
        if self._roots is None:
            parent: dict[str, str] = {}
            for child, broader, _ in self.edges(EdgeType.PART_OF):
                if self.type(child) == _CONCEPT and self.type(broader) == _CONCEPT:
                    parent.setdefault(child, broader)
            roots: dict[str, str] = {}
            for concept in self.nodes(_CONCEPT):
                seen = {concept}
                top = concept
                while top in parent and parent[top] not in seen:  # a cycle stops the climb
                    top = parent[top]
                    seen.add(top)
                roots[concept] = top
            self._roots = roots
        return self._roots

    def sector(self, node: str) -> str:
        """The node's sector (see the module documentation for how it is derived)."""
        cached = self._sectors.get(node)
        if cached is not None:
            return cached
        data = self.graph.nodes[node]
        stated = data.get("sector")
        if isinstance(stated, str) and stated.strip():
            sector = stated.strip()
        elif data.get("type") == _SERVICE:
            terms = self.terms.get(node, [])
            # Where the taxonomy marks facets, the service-type terms say what a service is
            # (not its target group, facility type or named programme).
            typed = [t for t in terms if _is_service_facet(self.graph.nodes[t].get("facet"))]
            counts = Counter(self.name(self.roots.get(t, t)) for t in typed or terms)
            sector = _majority(counts) if counts else UNCLASSIFIED
        elif data.get("type") == _ORG:
            counts = Counter(self.sector(s) for s in self.services_of.get(node, ()))
            if len(counts) > 1:
                counts.pop(UNCLASSIFIED, None)
            sector = _majority(counts) if counts else UNCLASSIFIED
        else:
            sector = UNCLASSIFIED
        self._sectors[node] = sector
        return sector

    def narrower(self, concept: str) -> set[str]:
        """A taxonomy term and every term under it (``PART_OF`` downwards)."""
        children: dict[str, list[str]] = {}
        for child, broader, _ in self.edges(EdgeType.PART_OF):
            if self.type(child) == _CONCEPT:
                children.setdefault(broader, []).append(child)
        return reachable(concept, children)

    # -- buildings ------------------------------------------------------------

    @property
    def buildings(self) -> Buildings:
        if self._buildings is None:
            self._buildings = self._make_buildings()
        return self._buildings

    def _make_buildings(self) -> Buildings:
        result = Buildings()
        for node, data in self.graph.nodes(data=True):
            if data.get("type") != _LOCATION:
                continue
            key = _building_key(node, data)
            result.of_location[node] = key
            result.locations.setdefault(key, []).append(node)
            if key not in result.label:
                name = str(data.get("name") or "").strip()
                address = str(data.get("address") or data.get("address_1") or "").strip()
                if key.startswith(("address:", "point:")):
                    # Several sources' locations may share it: the address names the building.
                    street = str(data.get("address_1") or "").strip()
                    postcode = str(data.get("postcode") or "").strip()
                    result.label[key] = (
                        ", ".join(p for p in (street, postcode) if p) or name or node
                    )
                else:
                    result.label[key] = (
                        f"{name} ({address})"
                        if name and address and name != address
                        else name or address or node
                    )
        return result

    def service_buildings(self) -> dict[str, set[str]]:
        """Each service's buildings."""
        found: dict[str, set[str]] = {}
        of_location = self.buildings.of_location
        for service, location, _ in self.edges(EdgeType.AT_LOCATION):
            if location in of_location:
                found.setdefault(service, set()).add(of_location[location])
        return found

    def organisation_buildings(self) -> dict[str, dict[str, set[str]]]:
        """Each organisation's buildings, each with the services it runs there
        (an empty set where it operates the building without a listed service)."""
        found: dict[str, dict[str, set[str]]] = {}
        of_location = self.buildings.of_location
        for org, location, _ in self.edges(EdgeType.OPERATES):
            if location in of_location:
                found.setdefault(org, {}).setdefault(of_location[location], set())
        for service, buildings in self.service_buildings().items():
            provider = self.providers.get(service)
            if provider is None:
                continue
            for building in buildings:
                found.setdefault(provider, {}).setdefault(building, set()).add(service)
        return found

    # -- areas --------------------------------------------------------------------

    def service_areas(self) -> dict[str, set[str]]:
        """The areas each service serves or stands in (``SERVES_AREA``; ``AT_LOCATION`` then
        ``IN_AREA``)."""
        location_areas: dict[str, set[str]] = {}
        for location, area, _ in self.edges(EdgeType.IN_AREA):
            location_areas.setdefault(location, set()).add(area)
        found: dict[str, set[str]] = {}
        for service, area, _ in self.edges(EdgeType.SERVES_AREA):
            found.setdefault(service, set()).add(area)
        if location_areas:
            for service, location, _ in self.edges(EdgeType.AT_LOCATION):
                if location in location_areas:
                    found.setdefault(service, set()).update(location_areas[location])
        return found

    def area_descendants(self, area: str) -> set[str]:
        """An area and every area within it (``PART_OF`` downwards)."""
        children: dict[str, list[str]] = {}
        for child, parent, _ in self.edges(EdgeType.PART_OF):
            if self.type(child) == _AREA:
                children.setdefault(parent, []).append(child)
        return reachable(area, children)

    # -- funders --------------------------------------------------------------------

    def funding(self) -> dict[str, dict[str, dict[str, Any]]]:
        """``{recipient organisation: {funder: {"grants": [...], "amount": total}}}``.

        From 360Giving grants (``AWARDS`` then ``AWARDED_TO``) and funding statements
        (``FUNDS`` to an organisation, or to a service, which counts for its provider).
        """
        awarded_by: dict[str, list[str]] = {}
        for funder, grant, _ in self.edges(EdgeType.AWARDS):
            awarded_by.setdefault(grant, []).append(funder)
        found: dict[str, dict[str, dict[str, Any]]] = {}

        def note(recipient: str, funder: str, grant: str | None, amount: Any) -> None:
            if recipient == funder:
                return
            entry = found.setdefault(recipient, {}).setdefault(
                funder, {"grants": [], "amount": 0.0}
            )
            if grant is not None:
                entry["grants"].append(grant)
            if isinstance(amount, int | float) and not isinstance(amount, bool):
                entry["amount"] += float(amount)

        for grant, recipient, _ in self.edges(EdgeType.AWARDED_TO):
            for funder in awarded_by.get(grant, ()):
                note(recipient, funder, grant, self.graph.nodes[grant].get("amount"))
        for funder, target, _ in self.edges(EdgeType.FUNDS):
            funded = target if self.type(target) == _ORG else self.providers.get(target)
            if funded is not None:
                note(funded, funder, None, None)
        return found


def _is_service_facet(facet: Any) -> bool:
    return isinstance(facet, str) and facet.strip().lower() in (
        "service",
        "services",
        "service type",
    )


def _building_key(node: str, data: dict[str, Any]) -> str:
    if node.startswith("uprn:") or data.get("uprn"):
        return node
    street = str(data.get("address_1") or "").lower()
    postcode = str(data.get("postcode") or data.get("postal_code") or "").lower()
    street_key = _ADDRESS_NOISE.sub(" ", street).strip()
    if street_key:
        return f"address:{street_key}|{_ADDRESS_NOISE.sub('', postcode)}"
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if isinstance(latitude, int | float) and isinstance(longitude, int | float):
        return f"point:{latitude:.5f},{longitude:.5f}"
    return node
