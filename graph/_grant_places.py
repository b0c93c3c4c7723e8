"""Grants' beneficiary locations given by name, matched to the areas ingested.

360Giving publishers often name where a grant is spent instead of coding it:
"Plymouth", "Oxford 008B" (an LSOA's name in the code field), a list
("Cornwall, Devon") or GrantNav's path "England/South West/Plymouth". A name
is matched to exactly one area of the workspace, exactly first and then
loosely ("Leeds District", "Oxford city" and "Bristol, City of" are the
areas Leeds, Oxford and Bristol); a path's last part names the area and its
earlier parts choose among areas of that name ("Wales/Newport"). A name that
matches no area, or several, is not placed and says why. Each edge states the
matched name, the area's code vintage (where the lookup gave one) and the
source the area came from, so an answer says which lookup it used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..ontology import EdgeType, is_gss_code

__all__ = [
    "AreaNames",
    "area_vintage",
    "grant_location_texts",
    "grant_locations",
    "place_grant_by_name",
]

_SUFFIXES = re.compile(
    r"\b(district|ward|city|borough|council|county|metropolitan|unitary|authority)\b"
)
_PREFIXES = re.compile(r"^(the )?((london|royal|metropolitan) )?(borough|city|county|district) of ")
_COUNTRY_LETTERS = {"england": "E", "wales": "W", "scotland": "S", "northern ireland": "N"}
_WIDE = frozenset(
    {"uk", "united kingdom", "great britain", "gb", "global", "international", "worldwide"}
)
_PATH = re.compile(r"\s*(?:/|>)\s*")
_LEVEL_WORDS = {
    "lsoa": "LSOA",
    "msoa": "MSOA",
    "lad": "local authority",
    "ward": "ward",
    "region": "region",
    "county": "county",
    "country": "country",
    "datazone": "data zone",
}


def _exact(text: str) -> str:
    return " ".join(text.replace("&", " and ").casefold().split())


def _loose(text: str) -> str:
    key = _exact(text)
    if "," in key:  # "Bristol, City of" -> "city of bristol"
        head, _, tail = key.partition(",")
        if tail.strip().endswith(" of"):
            key = f"{tail.strip()} {head.strip()}"
    key = _PREFIXES.sub("", key)
    key = re.sub(r"[^\w ]+", " ", key)
    key = _SUFFIXES.sub(" ", key)
    return " ".join(key.split())


def grant_location_texts(location: dict[str, Any]) -> tuple[list[str], str | None]:
    """The names one beneficiary location gives, most specific first, and its code type.

    A ``geoCode`` that is not a GSS code (an LSOA's name, "Oxford 008B") comes
    before the location's ``name``.

    Examples
    --------
    >>> grant_location_texts({"geoCode": "Oxford 008B", "geoCodeType": "LSOA", "name": "Oxford"})
    (['Oxford 008B', 'Oxford'], 'LSOA')
    >>> grant_location_texts({"geoCode": "E01011681", "name": "Leeds"})
    ([], None)
    """
    code = str(location.get("geoCode") or "").strip()
    if code and is_gss_code(code):
        return [], None  # placed by its code when the grant was read
    texts = [t for t in (code, str(location.get("name") or "").strip()) if t]
    code_type = str(location.get("geoCodeType") or "").strip() or None
    return list(dict.fromkeys(texts)), code_type


class AreaNames:
    """The areas of a graph by name, for matching names that grants give."""

    def __init__(self, graph: Any, areas: list[str]) -> None:
        self.graph = graph
        nodes = graph._node
        self.exact: dict[str, list[str]] = {}
        self.loose: dict[str, list[str]] = {}
        for area in areas:
            data = nodes[area]
            name = data.get("name")
            if not name or data.get("level") in ("postcode", "oa"):
                continue
            self.exact.setdefault(_exact(str(name)), []).append(area)
            self.loose.setdefault(_loose(str(name)), []).append(area)
        self.lookups = _lookups(nodes, areas)

    def match(self, text: str) -> tuple[list[str], list[str]]:
        """The areas a name gives (several for a list "Cornwall, Devon"), and the reasons
        the parts that name no single area cannot be placed."""
        found = self._one(text)
        if isinstance(found, tuple):
            return [found[0]], []
        if "," in text and not _PATH.search(text):
            placed, reasons = [], []
            for part in (p.strip() for p in text.split(",")):
                if part:
                    got = self._one(part)
                    if isinstance(got, tuple):
                        placed.append(got[0])
                    else:
                        reasons.append(got)
            if placed:
                return placed, reasons
        return [], [found]

    def _one(self, text: str) -> tuple[str] | str:
        """``(area,)`` when the name gives one area; else the reason it does not."""
        parts = [p for p in _PATH.split(text.strip()) if p]
        if not parts:
            return f"beneficiary location {text!r} names nothing"
        target, context = parts[-1], parts[:-1]
        candidates = self._candidates(target)
        if not candidates:
            if _exact(text) in _WIDE or (not context and _exact(target) in _COUNTRY_LETTERS):
                return (
                    f"beneficiary location {text!r} is a whole country or wider, and no area of "
                    "that name is ingested: a national grant is not placed in local areas"
                )
            return (
                f"beneficiary location {text!r} names no area in the areas ingested "
                f"({self.lookups}); check the name, or ingest the areas it names"
            )
        if len(candidates) > 1:
            candidates = self._narrow(candidates, context)
        if len(candidates) > 1:
            nodes = self.graph._node
            listed = ", ".join(
                f"{nodes[a].get('name')} ({a}, {_LEVEL_WORDS.get(nodes[a].get('level'), 'area')})"
                for a in sorted(candidates)[:6]
            )
            return (
                f"beneficiary location {text!r} names {len(candidates)} areas: {listed}; "
                "give the area's GSS code, or a path such as 'England/South West/Plymouth'"
            )
        return (candidates[0],)

    def _candidates(self, name: str) -> list[str]:
        found = self.exact.get(_exact(name)) or self.loose.get(_loose(name)) or []
        nodes = self.graph._node
        current = [a for a in found if nodes[a].get("vintage") != "2021"]
        return sorted(set(current or found))

    def _narrow(self, candidates: list[str], context: list[str]) -> list[str]:
        """Keep the candidates a path's earlier parts agree with (country, ancestors' names)."""
        for part in context:
            letter = _COUNTRY_LETTERS.get(_exact(part))
            if letter:
                kept = [a for a in candidates if a.upper().startswith(letter)]
                candidates = kept or candidates
                continue
            wanted = {_exact(part), _loose(part)}
            kept = [a for a in candidates if wanted & self._ancestor_names(a)]
            candidates = kept or candidates
        nodes = self.graph._node
        larger = [a for a in candidates if nodes[a].get("level") not in ("lsoa", "msoa", "ward")]
        return larger if len(larger) == 1 and context else candidates

    def _ancestor_names(self, area: str) -> set[str]:
        names: set[str] = set()
        seen = {area}
        todo = [area]
        nodes = self.graph._node
        while todo:
            node = todo.pop()
            for _, parent, data in self.graph.out_edges(node, data=True):
                if data.get("type") == EdgeType.PART_OF and parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
                    name = nodes[parent].get("name")
                    if name:
                        names.update({_exact(str(name)), _loose(str(name))})
        return names


def _lookups(nodes: dict[str, dict[str, Any]], areas: list[str]) -> str:
    """Which areas are ingested, by source, level and vintage: 'imd: 2011 LSOA, local authority'."""
    by_source: dict[str, set[str]] = {}
    for area in areas:
        data = nodes[area]
        level = data.get("level")
        if not data.get("name") or level in ("postcode", "oa", None):
            continue
        label = _LEVEL_WORDS.get(level, str(level))
        if data.get("vintage"):
            label = f"{data['vintage']} {label}"
        for source in data.get("sources") or ("?",):
            by_source.setdefault(str(source), set()).add(label)
    if not by_source:
        return "none has a name"
    return "; ".join(f"{s}: {', '.join(sorted(v))}" for s, v in sorted(by_source.items()))


def area_vintage(data: dict[str, Any]) -> str:
    """How an edge states the lookup a name was matched in."""
    parts = [str(s) for s in data.get("sources") or ()]
    return (str(data["vintage"]) + " codes" if data.get("vintage") else "codes") + (
        f" from {', '.join(parts)}" if parts else ""
    )


def grant_locations(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A grant's beneficiary locations as objects."""
    for location in data.get("beneficiary_locations") or ():
        if isinstance(location, dict):
            yield location


def place_grant_by_name(
    graph: Any, node: str, data: dict[str, Any], names: AreaNames, add: Any
) -> list[str]:
    """Add ``BENEFITS_AREA`` edges for the locations a grant names; the reasons for the rest.

    A location that gives no name at all (only a country code, or a code type) is reported
    only when the grant benefits no area otherwise.
    """
    reasons: list[str] = []
    bare: list[str] = []
    for location in grant_locations(data):
        texts, _ = grant_location_texts(location)
        if not texts:
            code = str(location.get("geoCode") or "").strip()
            if not code:
                country = location.get("countryCode")
                code_type = location.get("geoCodeType")
                bare.append(
                    f"beneficiary location gives a code type ({code_type}) but no code or name"
                    if code_type
                    else f"beneficiary location gives only a country code ({country})"
                    if country
                    else "beneficiary location is empty"
                )
            continue
        failures: list[str] = []
        for text in texts:
            areas, failures = names.match(text)
            if areas:
                for area in areas:
                    add(
                        graph,
                        node,
                        area,
                        "name",
                        matched=text,
                        vintage=area_vintage(graph._node[area]),
                    )
                reasons.extend(failures)
                break
        else:
            reasons.extend(failures[:1])
    if bare and not any(
        d.get("type") == EdgeType.BENEFITS_AREA for _, _, d in graph.out_edges(node, data=True)
    ):
        reasons.extend(dict.fromkeys(bare))
    return reasons
