"""The OpenActive Activity List (SKOS JSON-LD): concepts by UUID, with their broader terms.

Private to :mod:`.openactive`. Feeds spell a concept's URI several ways
(``https://openactive.io/activity-list#<uuid>``, ``http://openactive.io/activity-list/#<uuid>``,
``.../activity-list.jsonld#<uuid>``); all are the UUID after ``#``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError
from ._io import load_json

__all__ = ["ACTIVITY_LIST", "ActivityList", "ActivityTerm", "load_activity_list", "uuid_of"]

ACTIVITY_LIST = "OpenActive Activity List"


@dataclass(frozen=True)
class ActivityTerm:
    """One concept of the activity list."""

    uuid: str
    label: str
    notation: str
    definition: str
    broader: tuple[str, ...]


@dataclass(frozen=True)
class ActivityList:
    """The OpenActive Activity List: concepts by UUID."""

    terms: dict[str, ActivityTerm]
    where: str

    def ancestors(self, uuid: str) -> list[str]:
        """Every broader concept above ``uuid`` (the list is a DAG), nearest first."""
        seen: list[str] = []
        queue = list(self.terms[uuid].broader) if uuid in self.terms else []
        while queue:
            parent = queue.pop(0)
            if parent in seen or parent not in self.terms:
                continue
            seen.append(parent)
            queue.extend(self.terms[parent].broader)
        return seen


def uuid_of(uri: str) -> str:
    """The concept's UUID from any spelling of an activity-list URI (``...list/#uuid``)."""
    return uri.rsplit("#", 1)[-1].strip().lower() if "#" in uri else uri.strip().lower()


def load_activity_list(path: Path) -> ActivityList:
    """Read the activity list's SKOS JSON-LD (``activity-list.jsonld``, or a folder holding it).

    Raises
    ------
    InputError
        The file is not the activity list (no ``concept`` list of concepts with ids).
    """
    if path.is_dir():
        found = sorted(path.rglob("activity-list.jsonld"))
        if not found:
            raise UsageError(
                f"{path} holds no activity-list.jsonld. Fix: give the OpenActive activity "
                "list file itself."
            )
        path = found[0]
    if not path.exists():
        raise UsageError(f"{path}: no such file. Fix: check the --activity-list path.")
    data = load_json(path)
    concepts = data.get("concept") or data.get("@graph") if isinstance(data, dict) else None
    if not isinstance(concepts, list):
        raise InputError(
            "is not the OpenActive activity list: it has no 'concept' list.",
            path=path,
            fix="give data/activity-list.jsonld from the OpenActive activity-list repository.",
        )
    terms: dict[str, ActivityTerm] = {}
    for concept in concepts:
        if not isinstance(concept, dict):
            continue
        uri = concept.get("id") or concept.get("@id")
        if not isinstance(uri, str) or "#" not in uri:
            continue
        broader = concept.get("broader") or []
        if isinstance(broader, str):
            broader = [broader]
        uuid = uuid_of(uri)
        terms[uuid] = ActivityTerm(
            uuid,
            str(concept.get("prefLabel") or uuid),
            str(concept.get("notation") or ""),
            str(concept.get("definition") or ""),
            tuple(uuid_of(b) for b in broader if isinstance(b, str)),
        )
    if not terms:
        raise InputError(
            "holds no concepts with activity-list ids.",
            path=path,
            fix="give data/activity-list.jsonld from the OpenActive activity-list repository.",
        )
    return ActivityList(terms, str(path))
