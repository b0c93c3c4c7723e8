"""Lifecycle states: what "closed" means, said precisely (a SKOS concept scheme).

Closure counts in the field are contested because "closed" has no agreed
meaning: a library handed to volunteers, cut to two days a week, or shut.
civicgraph keeps the states apart. A state comes from a record's status field
(where a plain "active" only says open), then from the record's own words where
they are explicit ("now run by volunteers", "temporarily closed"); and a thing
a re-ingest no longer lists is ``closed``, with the reason "no longer listed by
SOURCE since SNAPSHOT".

Examples
--------
>>> lifecycle_of({"status": "inactive"})
('closed', "status 'inactive'")
>>> lifecycle_of({"status": "active", "description": "Now run by volunteers on Fridays."})
('volunteer-run', "description says 'run by volunteers'")
>>> lifecycle_of({"name": "Lunch club"})
('open', 'no status field or explicit words: listed, so open')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LIFECYCLE_SCHEME", "LIFECYCLE_STATES", "LifecycleState", "lifecycle_of"]

LIFECYCLE_SCHEME = "lifecycle"
"""The concept scheme's slug: its IRI is ``<base>scheme/lifecycle``."""


@dataclass(frozen=True)
class LifecycleState:
    """One state in the lifecycle scheme: its notation, label and definition."""

    notation: str
    label: str
    definition: str


LIFECYCLE_STATES: tuple[LifecycleState, ...] = (
    LifecycleState("open", "Open", "Listed and running as before."),
    LifecycleState(
        "reduced", "Reduced", "Still running, with fewer hours, days or services than before."
    ),
    LifecycleState(
        "transferred",
        "Transferred",
        "Handed to another body to run: a community group, a town or parish council.",
    ),
    LifecycleState(
        "volunteer-run", "Volunteer-run", "Still open, but now run by volunteers, not paid staff."
    ),
    LifecycleState(
        "temporarily-closed", "Temporarily closed", "Shut for now, with the intent to reopen."
    ),
    LifecycleState(
        "closed",
        "Closed",
        "Shut for good: by its status, its own words, or because a re-ingest no longer lists it.",
    ),
)

_STATUS_WORDS: dict[str, str] = {
    "active": "open",
    "open": "open",
    "reduced": "reduced",
    "transferred": "transferred",
    "volunteer-run": "volunteer-run",
    "volunteer run": "volunteer-run",
    "temporarily closed": "temporarily-closed",
    "temporarily-closed": "temporarily-closed",
    "suspended": "temporarily-closed",
    "inactive": "closed",
    "closed": "closed",
    "defunct": "closed",
    "removed": "closed",
    "dissolved": "closed",
    "removed from register": "closed",
}

# Explicit phrases only, most final first: a description that merely mentions volunteers is open.
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "closed",
        re.compile(r"\b(permanently closed|has closed|closed for good|now closed)\b", re.I),
    ),
    ("temporarily-closed", re.compile(r"\btemporarily closed\b", re.I)),
    (
        "transferred",
        re.compile(
            r"\b(transferred to|community asset transfer|handed over to|now run by the "
            r"(town|parish|community) council)\b",
            re.I,
        ),
    ),
    (
        "volunteer-run",
        re.compile(r"\b(run by volunteers|volunteer[- ]run|volunteer[- ]led)\b", re.I),
    ),
    (
        "reduced",
        re.compile(r"\b(reduced (hours|opening|service)|fewer (hours|days)|now open only)\b", re.I),
    ),
)


def lifecycle_of(props: dict[str, object]) -> tuple[str, str]:
    """The lifecycle state a record's own fields give, and which field said so.

    Parameters
    ----------
    props
        A node fact's properties (``status``, ``description``...).

    Returns
    -------
    tuple of str
        ``(state notation, evidence)``.
    """
    status = props.get("status")
    found: tuple[str, str] | None = None
    if isinstance(status, str) and status.strip():
        state = _STATUS_WORDS.get(status.strip().lower().replace("_", " "))
        if state is not None:
            found = state, f"status '{status.strip()}'"
            if state != "open":
                return found
    # A plain "active" says little: the record's own explicit words may say more.
    for field in ("status", "description"):
        text = props.get(field)
        if not isinstance(text, str):
            continue
        for state, pattern in _WORDS:
            match = pattern.search(text)
            if match:
                return state, f"{field} says '{match.group(0)}'"
    return found or ("open", "no status field or explicit words: listed, so open")
