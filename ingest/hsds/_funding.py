"""HSDS ``funding`` statements to ``FUNDS`` edges from the funders they name.

HSDS records funding as free text: ``"City; County;"``, ``"Oakbridge City
Council, The Hartley Trust"``, or a sentence. A part that names a kind of
funding (``"Donations"``, ``"County"``, ``"Membership Dues"``: the SKOS scheme in
``ontology/funding_kinds.ttl``) is kept as the node's ``funding_mix`` and never
becomes an organisation. Each funder named becomes a
``FUNDS`` edge from an organisation record keyed by its normalised name
(``funder:<name>``, kind "funder (unverified)"); the identity stage then
resolves that name against every organisation the workspace knows, now or
later, and the names it cannot resolve stay visible as unverified funders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...graph import EdgeRecord, NodeRecord, Problem, Record, Severity, Workspace
from ...ontology import EdgeType, NodeType, normalise_name
from ...ontology.funding_kinds import funding_kind
from .._pipeline import ReadContext

__all__ = [
    "UNVERIFIED_FUNDER",
    "funder_key",
    "funder_names",
    "funding_mix",
    "funding_records",
    "unresolved_funders",
]

UNVERIFIED_FUNDER = "funder (unverified)"

_SEPARATORS = re.compile(r"[;|\n]+|,(?![^(]*\))")
_SENTENCE_WORDS = re.compile(
    r"\b(funded|funding|grants?|paid|supported|provided|partially|via|through|by the|we|our|"
    r"this|is|are|from)\b",
    re.IGNORECASE,
)


def funder_names(statement: str) -> list[str]:
    """The organisation names a funding statement lists; none if it is a sentence.

    Examples
    --------
    >>> funder_names("City; County;")
    ['City', 'County']
    >>> funder_names("Oakbridge City Council, The Hartley Trust")
    ['Oakbridge City Council', 'The Hartley Trust']
    >>> funder_names("This service is funded partially by the MyCity local government")
    []
    """
    names = []
    for part in _SEPARATORS.split(statement):
        name = part.strip(" .:-\t")
        words = name.split()
        if not name or len(words) > 10 or len(name) > 100:
            continue
        if _SENTENCE_WORDS.search(name) and len(words) > 3:
            continue
        if not any(ch.isalpha() for ch in name):
            continue
        names.append(name)
    return names


def funding_mix(statements: list[Any]) -> list[str]:
    """The kinds of funding (their notations) that funding statements name, once each.

    Examples
    --------
    >>> funding_mix(["City; County; Donations", "Fees, The Hartley Trust", "Donations"])
    ['government-city', 'government-county', 'donations', 'fees']
    """
    kinds: dict[str, None] = {}
    for statement in statements:
        if isinstance(statement, str):
            for name in funder_names(statement):
                kind = funding_kind(name)
                if kind is not None:
                    kinds[kind.notation] = None
    return list(kinds)


def funder_key(name: str) -> str:
    """The key of the record a funder name makes.

    Examples
    --------
    >>> funder_key("The Hartley Trust")
    'funder:hartley trust'
    """
    return "funder:" + normalise_name(name)


def funding_records(
    statements: list[Any],
    *,
    target_key: str,
    table: str,
    record_id: str,
    file: str | None = None,
    row: int | None = None,
    ctx: ReadContext | None = None,
) -> Iterator[Record]:
    """The funder records and ``FUNDS`` edges for a node's funding statements.

    Parts naming a kind of funding make no record (they are the node's
    ``funding_mix``); each is noted in the report when ``ctx`` is given.
    """
    for statement in statements:
        if not isinstance(statement, str):
            continue
        for name in funder_names(statement):
            kind = funding_kind(name)
            if kind is not None:
                if ctx is not None:
                    ctx.problem(
                        Severity.NOTE,
                        "funding-kind",
                        "funding statements name a kind of funding, not a funder; kept as the "
                        "funding mix (funding_mix), not as an organisation",
                        "",
                        table=table,
                        file=file,
                        field="funding",
                        row=row,
                        record=record_id,
                        value=f"{name} -> {kind.notation}",
                    )
                continue
            key = funder_key(name)
            if key == "funder:":
                continue
            yield NodeRecord(
                NodeType.ORGANIZATION,
                key,
                {"name": name, "kind": UNVERIFIED_FUNDER, "roles": ["funder"]},
                table,
                record_id,
                embedded=True,
                row=row,
                file=file,
                counted=False,
            )
            yield EdgeRecord(
                EdgeType.FUNDS,
                key,
                target_key,
                table,
                record_id,
                {"statement": statement},
                field="funding",
                row=row,
                file=file,
            )


def unresolved_funders(workspace: Workspace, snapshot: int) -> Iterator[Problem]:
    """After the identity stage: funders named in this snapshot that match no organisation."""
    for key, name in workspace.unresolved_facts(snapshot, kind=UNVERIFIED_FUNDER):
        yield Problem(
            Severity.NOTE,
            "unverified-funder",
            "funding statements name funders that match no organisation in the workspace; kept "
            f"as organisations of kind '{UNVERIFIED_FUNDER}'",
            "ingest the funder's own record (a directory or grants file), or decide the match "
            "with 'civicgraph resolve --decisions'.",
            file="funding",
            record=key,
            value=name,
        )
