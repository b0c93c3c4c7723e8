"""Organisations that are the same by name, corroborated: the name link finder.

A directory says "Hartley Advice Centre Ltd", a funder "HARTLEY ADVICE
CENTRE", a referral table "Hartley Advice". Identifiers settle most of these;
this finder handles the rest. It compares names only within *blocks* (same
normalised name, a shared rare word, the same postcode, the same web domain),
so the work grows with the number of organisations, not its square, and
scores each pair with rapidfuzz. A name alone is never enough for a merge
unless it is exact and distinctive; otherwise the pair needs corroboration
(postcode, web domain, phone or email), and pairs short of that go to the
review list. Two organisations with different numbers in the same register
(two charity numbers) are never linked by name.

Two records of one source are never merged by name (the source gave them two
ids), nor are names that differ only by a number ("Centre II", "Centre III"):
such pairs go to the review list. Rules for the rest (documented in the README):

=================  ==========================================================
``certain``        names score >= 90 and a postcode, domain, phone or email
                   agrees; or the normalised names are equal, distinctive,
                   and nothing contradicts them (a differing postcode)
``review``         names score >= 90 with nothing to corroborate them, or
                   score >= 75 and something corroborates them
(none)             anything else
=================  ==========================================================
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import orjson
from rapidfuzz import fuzz

from ..ontology import EdgeType, NodeType, normalise_name, parse_org_id
from .identity import Link, register_link_finder

__all__ = [
    "CERTAIN_SCORE",
    "GENERIC_WORDS",
    "REVIEW_SCORE",
    "OrgRecord",
    "decide",
    "links_by_name",
    "org_records",
]

CERTAIN_SCORE = 90.0
NEAR_EXACT_SCORE = 95.0
ACRONYM_SCORE = 92.0
REVIEW_SCORE = 75.0
MAX_BLOCK = 60
"""Blocks larger than this are too common a word to compare every pair in."""

GENERIC_WORDS = frozenset(
    """the of and for in on at to a uk trust charity charitable foundation fund group groups
    association society club centre center community communities project projects network
    services service support limited ltd cic cio council church st saint friends action
    partnership forum hub care people young youth new old north south east west city town
    district county local united national international org organisation organization""".split()
)
"""Words too common in organisation names to make a name distinctive or a good block."""

_GENERIC_DOMAINS = frozenset(
    """gmail.com googlemail.com hotmail.com hotmail.co.uk outlook.com live.co.uk live.com
    yahoo.com yahoo.co.uk btinternet.com aol.com icloud.com me.com sky.com virginmedia.com
    talktalk.net ntlworld.com blueyonder.co.uk btopenworld.com mail.com protonmail.com
    example.com example.org facebook.com""".split()
)
_DOMAIN = re.compile(r"^(?:[a-z]+://)?(?:www\d?\.)?([^/:@\s]+)", re.IGNORECASE)


def _domain(website: Any, email: Any) -> str | None:
    for value in (website, email):
        if not isinstance(value, str) or not value.strip():
            continue
        text = value.strip().lower()
        host = text.rsplit("@", 1)[1] if "@" in text and "://" not in text else text
        match = _DOMAIN.match(host)
        if match:
            domain = match.group(1).strip(".")
            if "." in domain and domain not in _GENERIC_DOMAINS:
                return domain
    return None


def _digits(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 9 else None


@dataclass(slots=True)
class OrgRecord:
    """The fields of one organisation record that matching uses."""

    key: str
    name: str
    norm: str
    tokens: tuple[str, ...]
    postcodes: frozenset[str]
    """Its own postcode and those of the buildings it runs or runs services at."""
    domain: str | None
    phone: str | None
    email: str | None
    org_ids: frozenset[str]
    sources: frozenset[str]
    own_postcode: str | None = None
    """The postcode the record itself gives (an address of its own, not a site's)."""

    @property
    def specific(self) -> list[str]:
        """The words of the name that are not common to organisation names."""
        return [t for t in self.tokens if t not in GENERIC_WORDS and not t.isdigit()]

    @property
    def distinctive(self) -> bool:
        """Whether the name says which organisation it is ("Kent Youth", not "Youth Club")."""
        specific = self.specific
        return len(specific) >= 2 or (len(specific) == 1 and len(specific[0]) >= 4)


_CURRENT_ORGS = """
    SELECT f.key, f.props, s.source FROM node_fact f JOIN snapshot s ON s.id = f.snapshot_id
    WHERE s.is_current = 1 AND f.type = ?
"""


def org_records(conn: sqlite3.Connection) -> list[OrgRecord]:
    """Every current organisation record with a name, ready for matching."""
    records = []
    identifiers: dict[str, set[str]] = defaultdict(set)
    for key, identifier in conn.execute(
        "SELECT i.key, i.identifier FROM node_identifier i JOIN snapshot s ON s.id = i.snapshot_id "
        "WHERE s.is_current = 1"
    ):
        identifiers[key].add(identifier)
    sites = _site_postcodes(conn)
    by_key: dict[str, OrgRecord] = {}
    for key, props_json, source in conn.execute(_CURRENT_ORGS, (NodeType.ORGANIZATION,)):
        known = by_key.get(key)
        if known is not None:  # one key asserted by several sources: one record
            known.sources = known.sources | {source}
            continue
        props = orjson.loads(props_json)
        name = props.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        norm = normalise_name(name)
        if not norm:
            continue
        ids = set(identifiers.get(key, ()))
        if parse_org_id(key) == key:
            ids.add(key)
        email = props.get("email") if isinstance(props.get("email"), str) else None
        postcode = props.get("postcode") if isinstance(props.get("postcode"), str) else None
        postcodes = set(sites.get(key, ()))
        if postcode:
            postcodes.add(postcode.upper())
        record = OrgRecord(
            key=key,
            name=name,
            norm=norm,
            tokens=tuple(norm.split()),
            postcodes=frozenset(postcodes),
            own_postcode=postcode.upper() if postcode else None,
            domain=_domain(props.get("website") or props.get("url"), email),
            phone=_digits(props.get("phone")),
            email=email.strip().lower() if email else None,
            org_ids=frozenset(i for i in ids if not i.startswith("uprn:")),
            sources=frozenset((source,)),
        )
        by_key[key] = record
        records.append(record)
    return records


_LOCATION_POSTCODES = """
    SELECT f.key, upper(json_extract(f.props, '$.postcode'))
    FROM node_fact f JOIN snapshot s ON s.id = f.snapshot_id
    WHERE s.is_current = 1 AND f.type = ?
      AND json_extract(f.props, '$.postcode') IS NOT NULL
"""
_SITE_EDGES = """
    SELECT e.snapshot_id, e.type, e.source_key, e.target_key
    FROM edge_fact e JOIN snapshot s ON s.id = e.snapshot_id
    WHERE s.is_current = 1 AND e.type IN (?, ?, ?)
"""
_SITE_EDGE_TYPES = (EdgeType.OPERATES, EdgeType.PROVIDES, EdgeType.AT_LOCATION)


def _site_postcodes(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """The postcodes of the buildings each organisation record runs, or runs services at.

    A service's buildings count for the organisation its own snapshot says provides it.
    Joined here rather than in SQL: ``edge_fact`` is indexed by snapshot only, and
    SQLite's plan for the three-way join scanned a snapshot's edges once per service
    (28 s at 10,000 services).
    """
    postcodes: dict[str, set[str]] = defaultdict(set)
    for key, postcode in conn.execute(_LOCATION_POSTCODES, (NodeType.LOCATION,)):
        postcodes[key].add(postcode)
    sites: dict[str, set[str]] = defaultdict(set)
    at: dict[tuple[int, str], set[str]] = defaultdict(set)
    provides: list[tuple[int, str, str]] = []
    for snapshot, kind, source, target in conn.execute(_SITE_EDGES, _SITE_EDGE_TYPES):
        if kind == EdgeType.OPERATES:
            sites[source] |= postcodes.get(target, set())
        elif kind == EdgeType.AT_LOCATION:
            at[snapshot, source] |= postcodes.get(target, set())
        else:
            provides.append((snapshot, source, target))
    for snapshot, organisation, service in provides:
        found = at.get((snapshot, service))
        if found:
            sites[organisation] |= found
    return {key: found for key, found in sites.items() if found}


_NUMBERING = re.compile(r"^(?:\d+|[ivx]+|no|number)$")


def _numbered_apart(a: OrgRecord, b: OrgRecord) -> bool:
    """The names differ only by a number ("Centre II" and "Centre III"): branches, not one."""
    numbers_a = {t for t in a.tokens if _NUMBERING.match(t)}
    numbers_b = {t for t in b.tokens if _NUMBERING.match(t)}
    return numbers_a != numbers_b


def _blocks(records: list[OrgRecord]) -> Iterator[list[int]]:
    """Groups of record indexes worth comparing pairwise."""
    frequency = Counter(t for r in records for t in set(r.tokens))
    keyed: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        keyed[("name", record.norm)].append(index)
        rare = sorted(
            (t for t in set(record.tokens) if t not in GENERIC_WORDS and len(t) > 2),
            key=lambda t: (frequency[t], t),
        )
        for token in rare[:2]:
            keyed[("word", token)].append(index)
        for postcode in record.postcodes:
            keyed[("postcode", postcode)].append(index)
        if record.domain:
            keyed[("domain", record.domain)].append(index)
    for (kind, _), members in keyed.items():
        if len(members) < 2:
            continue
        if len(members) > MAX_BLOCK and kind != "name":
            continue  # a word or postcode this common says nothing
        yield members


_SKIP_IN_ACRONYMS = frozenset({"of", "for", "and", "the", "in", "on", "at", "to", "a"})


def _acronym_of(short: OrgRecord, long: OrgRecord) -> bool:
    """``short`` is ``long``'s initials ("NCVO") or the acronym it gives in brackets ("SHARP")."""
    if len(short.tokens) != 1 or len(short.tokens[0]) < 3 or len(long.tokens) < 3:
        return False
    initials = "".join(t[0] for t in long.tokens if t not in _SKIP_IN_ACRONYMS)
    bracketed = re.findall(r"\(([^)]+)\)", long.name)
    return short.tokens[0] == initials or short.tokens[0] in {normalise_name(b) for b in bracketed}


def _unbracketed(record: OrgRecord) -> str:
    """The name without a bracketed acronym of itself ("Personal Support Unit (PSU)").

    Other brackets stay: "Friends of the Elderly (Bridlington)" names a branch.
    """
    match = re.search(r"\(([^)]*)\)\s*$", record.name)
    if not match:
        return record.norm
    rest = normalise_name(record.name[: match.start()])
    initials = "".join(t[0] for t in rest.split() if t not in _SKIP_IN_ACRONYMS)
    return rest if normalise_name(match.group(1)) == initials else record.norm


def _conflicting_ids(a: OrgRecord, b: OrgRecord) -> bool:
    """Both are registered in one register, under different numbers."""
    schemes_a = {i.rsplit("-", 1)[0]: i for i in a.org_ids}
    for identifier in b.org_ids:
        scheme = identifier.rsplit("-", 1)[0]
        if scheme in schemes_a and identifier not in a.org_ids:
            return True
    return False


def decide(a: OrgRecord, b: OrgRecord) -> tuple[float, bool, dict[str, Any]] | None:
    """Score a pair: ``(score, certain, evidence)``, or ``None`` if they are not a match."""
    if a.org_ids & b.org_ids:
        return None  # the identifier rule links them already
    if _conflicting_ids(a, b):
        return None
    score = max(fuzz.token_sort_ratio(a.norm, b.norm), fuzz.ratio(a.norm, b.norm))
    # "Catch22" / "Catch 22", "The Personal Support Unit (PSU)" / "Personal Support Unit"
    if score < 100 and (
        a.norm.replace(" ", "") == b.norm.replace(" ", "") or _unbracketed(a) == _unbracketed(b)
    ):
        score = 100.0
    if _acronym_of(a, b) or _acronym_of(b, a):
        score = max(score, ACRONYM_SCORE)
    if score < REVIEW_SCORE:
        return None
    agreeing = [
        field
        for field, x, y in (
            ("domain", a.domain, b.domain),
            ("phone", a.phone, b.phone),
            ("email", a.email, b.email),
        )
        if x and y and x == y
    ]
    if a.postcodes & b.postcodes:
        agreeing.insert(0, "postcode")
    # A long, specific name outweighs a move of office; a short one does not.
    long_name = min(len(a.specific), len(b.specific)) >= 3
    # Only two addresses of the records' own can contradict: an organisation's office and
    # the buildings its services run in are often different places.
    contradicted = bool(
        a.own_postcode
        and b.own_postcode
        and a.own_postcode != b.own_postcode
        and not agreeing
        and not long_name
    )
    evidence: dict[str, Any] = {
        "names": [a.name, b.name],
        "score": round(score, 1),
        "agreeing": agreeing,
    }
    if contradicted:
        evidence["postcodes"] = [a.own_postcode, b.own_postcode]
    shared = {
        s for s in a.sources & b.sources if a.key.startswith(s + ":") and b.key.startswith(s + ":")
    }
    if shared:
        # One source listing two records under two ids of its own says they are two: a
        # person decides. (Records under global ids in one aggregate file are not that.)
        evidence["same_source"] = sorted(shared)
        return (score, False, evidence) if score >= CERTAIN_SCORE or agreeing else None
    if _numbered_apart(a, b) and a.norm.replace(" ", "") != b.norm.replace(" ", ""):
        evidence["numbered_apart"] = True
        return (score, False, evidence) if agreeing or a.norm != b.norm else None
    if agreeing and score >= CERTAIN_SCORE:
        return score, True, evidence
    if score >= NEAR_EXACT_SCORE and a.distinctive and b.distinctive and not contradicted:
        evidence["distinctive"] = True
        return score, True, evidence
    if (score >= CERTAIN_SCORE and not contradicted) or agreeing:
        return score, False, evidence
    if score >= NEAR_EXACT_SCORE and a.distinctive and b.distinctive:
        return score, False, evidence  # one name at two addresses: a move, or two branches
    return None


def links_by_name(conn: sqlite3.Connection) -> Iterator[Link]:
    """Link organisation records whose names match, by the rules of this module."""
    records = org_records(conn)
    yield from links_among(records)


def links_among(records: list[OrgRecord]) -> Iterator[Link]:
    """The name links among a list of records (what :func:`links_by_name` runs)."""
    seen: set[tuple[int, int]] = set()
    for members in _blocks(records):
        for i, j in combinations(members, 2):
            pair = (i, j) if i < j else (j, i)
            if pair in seen or records[i].key == records[j].key:
                continue
            seen.add(pair)
            decision = decide(records[i], records[j])
            if decision is None:
                continue
            score, certain, evidence = decision
            yield Link(records[i].key, records[j].key, "name", evidence, score, certain)


def pairs_compared(records: Iterable[OrgRecord]) -> int:
    """How many pairs blocking lets through (for the benchmark's quadratic check)."""
    listed = list(records)
    seen: set[tuple[int, int]] = set()
    for members in _blocks(listed):
        for i, j in combinations(members, 2):
            seen.add((i, j) if i < j else (j, i))
    return len(seen)


register_link_finder(links_by_name)
