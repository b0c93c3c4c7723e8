"""Volunteering opportunities in the Volunteering Data Standard's JSON-LD.

``civicgraph ingest volunteering PATH`` reads the standard's export (ODI /
DCMS, volunteeringdata.io): a ``.jsonld`` file or a folder of them, whose
``@graph`` holds ``Activity`` nodes (opportunities) and ``Organisation``
nodes. Each opportunity becomes an ``Activity`` of kind ``volunteering role``:

- its ``label`` and ``description`` (HTML entities decoded, contact details
  masked: see :mod:`._activity`), its ``applyLink`` as ``url``;
- its ``session`` list as sessions (``time``: ``beginning``, or the export's
  ``begining``, and ``end``), counted, with the first and last;
- each session's in-person ``location`` (address, latitude, longitude) as a
  ``Location`` it ``HAPPENS_AT``, one per distinct place, placed in areas like
  any location; remote sessions have none;
- its ``organisation`` as the ``Organization`` that ``RUNS`` it. A reference
  naming no organisation in the data is kept, without the link, and reported
  (the real Team Kinetic export names 224 organisations and holds 5);
- its ``cause`` terms as ``Concept`` nodes it is ``CLASSIFIED_AS`` (labels
  from ``taxonomy_cause.ttl`` when the folder holds the standard's
  taxonomies, else from the term's name: ``AnimalWelfare`` is "Animal
  Welfare").

The opportunity's own e-mail and phone are not stored (they are the
provider's and stay with the organisation, whose ``email``, ``phone``,
``website`` and address are kept).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..graph import EdgeRecord, NodeRecord, Record, Severity, local_key
from ..ontology import EdgeType, NodeType
from ._activity import mask_contacts, parse_datetime, session_end, session_summary
from ._io import load_json, sha256_of
from ._pipeline import ReadContext
from ._registry import Ingester, register
from ._values import address_props

__all__ = ["read_volunteering"]

CAUSES = "Volunteering Data Standard causes"
_TAG = re.compile(r"<[^>]+>")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", re.IGNORECASE)


def _clean(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(_TAG.sub(" ", html.unescape(value)).split())


def _many(value: Any) -> list[Any]:
    """A JSON-LD field's values: a list as it is, one value as a list of one, nothing as none.

    Examples
    --------
    >>> _many([1, 2]), _many("AnimalWelfare"), _many(None), _many("")
    ([1, 2], ['AnimalWelfare'], [], [])
    """
    if isinstance(value, list):
        return value
    return [] if value in (None, "") else [value]


def _nodes(data: Any) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("@graph"), list):
        return list(data["@graph"])
    if isinstance(data, list):
        return data
    return [data] if isinstance(data, dict) else []


def _cause_labels(folder: Path) -> dict[str, str]:
    """Cause labels by local name, from the standard's ``taxonomy_cause.ttl`` if present."""
    found = sorted(folder.rglob("taxonomy_cause.ttl")) if folder.is_dir() else []
    if not found:
        return {}
    from rdflib import Graph
    from rdflib.namespace import SKOS

    graph = Graph()
    try:
        graph.parse(found[0], format="turtle")
    except Exception as exc:
        raise InputError(
            f"cannot be read as Turtle ({exc}).",
            path=found[0],
            fix="give the standard's taxonomy_cause.ttl unchanged.",
        ) from exc
    return {
        str(subject).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]: str(label)
        for subject, label in graph.subject_objects(SKOS.prefLabel)
    }


def _words(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).strip()


class _Reader:
    def __init__(self, ctx: ReadContext, causes: dict[str, str]) -> None:
        self.ctx = ctx
        self.causes = causes
        self.places: dict[str, NodeRecord] = {}
        self.remote = 0

    def key(self, node_type: NodeType, local_id: str) -> str:
        return local_key(self.ctx.source, node_type, local_id)

    def place(self, location: dict[str, Any], table: str, record: str) -> str | None:
        if str(location.get("locationType") or "").strip().lower() == "remote":
            self.remote += 1
            return None
        address = _clean(location.get("address"))
        label = _clean(location.get("locationLabel"))
        lat, lon = location.get("latitude"), location.get("longitude")
        point = (
            (float(lat), float(lon))
            if isinstance(lat, int | float) and isinstance(lon, int | float)
            else None
        )
        if not address and not label and point is None:
            return None
        local_id = "|".join(
            p for p in (label, address, f"{point[0]:.5f},{point[1]:.5f}" if point else "") if p
        )
        key = self.key(NodeType.LOCATION, f"place/{local_id}")
        if key not in self.places:
            postcode = _POSTCODE.search(address)
            props: dict[str, Any] = {"location_type": "physical"}
            if label or address:
                props["name"] = label or address
            props.update(address_props(address or None, None, postcode[1] if postcode else None))
            if point is not None:
                props["latitude"], props["longitude"] = point
            self.places[key] = NodeRecord(
                NodeType.LOCATION,
                key,
                props,
                table=table,
                record_id=local_id,
                embedded=True,
                counted=False,
                file=table,
            )
        return key

    def activity(self, node: dict[str, Any], table: str) -> Iterator[Record]:
        ctx = self.ctx
        ident = str(node.get("id") or "").strip()
        if not ident:
            ctx.reject(table, "no-id", "the opportunity has no id; rejected", "give each an id.")
            return
        key = self.key(NodeType.ACTIVITY, ident)
        props: dict[str, Any] = {
            "activity_kind": "volunteering role",
            "opportunity_type": "Activity",
        }
        masked = 0
        name, found = mask_contacts(_clean(node.get("label")))
        masked += found
        if name:
            props["name"] = name
        description, found = mask_contacts(_clean(node.get("description")))
        masked += found
        if description:
            props["description"] = description
        if masked:
            props["contacts_masked"] = masked
        url = node.get("applyLink") or node.get("applylink")
        if isinstance(url, str) and url.strip():
            props["url"] = url.strip()
        sessions = []
        places: list[str] = []
        for number, session in enumerate(_many(node.get("session")), start=1):
            ctx.read("sessions")
            ctx.merge("sessions")  # folded into its opportunity
            if not isinstance(session, dict):
                ctx.problem(
                    Severity.WARNING,
                    "bad-session",
                    "a session is not an object; it is counted without its place or time",
                    "give each session as an object with location and time.",
                    table=table,
                    record=ident,
                    field=f"session[{number}]",
                    value=str(session)[:80],
                )
                continue
            for location in _many(session.get("location")):
                if isinstance(location, dict):
                    place = self.place(location, table, ident)
                    if place and place not in places:
                        places.append(place)
            for window in _many(session.get("time")):
                if not isinstance(window, dict):
                    continue
                start = window.get("beginning") or window.get("begining")
                begins = parse_datetime(start)
                if begins is None:
                    ctx.problem(
                        Severity.WARNING,
                        "bad-date",
                        "a session's beginning cannot be read as a date and time; the session "
                        "is counted without its time, never guessed",
                        "give ISO 8601 times, 2026-12-05T09:00:00.",
                        table=table,
                        record=ident,
                        field=f"session[{number}].time.beginning",
                        value=start,
                    )
                    continue
                ends = session_end(
                    ctx, begins, window.get("end"), field=f"session[{number}].time.end",
                    table=table, record=ident,
                )  # fmt: skip
                sessions.append((begins, ends))
        summary = session_summary(sessions)
        summary["sessions"] = len(_many(node.get("session")))
        props.update(summary)
        causes = [c for c in _many(node.get("cause")) if isinstance(c, str) and c.strip()]
        labels = []
        for cause in causes:
            name_part = cause.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            label = self.causes.get(name_part) or _words(name_part)
            labels.append(label)
            concept = self.key(NodeType.CONCEPT, f"vds-cause:{name_part}")
            yield NodeRecord(
                NodeType.CONCEPT,
                concept,
                {"name": label, "taxonomy": CAUSES, "facet": "cause", "term_uri": cause}
                if cause.startswith("http")
                else {"name": label, "taxonomy": CAUSES, "facet": "cause"},
                table=table,
                record_id=name_part,
                identifiers=(f"vds-cause:{name_part}",),
                embedded=True,
                counted=False,
                file=table,
            )
            yield EdgeRecord(EdgeType.CLASSIFIED_AS, key, concept, table, ident, field="cause")
        if labels:
            props["categories"] = labels
        organisation = str(node.get("organisation") or "").strip()
        if organisation:
            props["organization_id"] = organisation
        yield NodeRecord(NodeType.ACTIVITY, key, props, table=table, record_id=ident, file=table)
        for place in places:
            yield self.places[place]
            yield EdgeRecord(EdgeType.HAPPENS_AT, key, place, table, ident, field="location")
        if organisation:
            yield EdgeRecord(
                EdgeType.RUNS,
                self.key(NodeType.ORGANIZATION, organisation),
                key,
                table,
                ident,
                field="organisation",
                file=table,
            )

    def organisation(self, node: dict[str, Any], table: str) -> Iterator[Record]:
        ident = str(node.get("id") or "").strip()
        if not ident:
            self.ctx.reject(table, "no-id", "the organisation has no id; rejected", "give an id.")
            return
        key = self.key(NodeType.ORGANIZATION, ident)
        props: dict[str, Any] = {}
        for source_name in ("name", "label"):
            if _clean(node.get(source_name)):
                props["name"] = _clean(node.get(source_name))
                break
        description, _ = mask_contacts(_clean(node.get("description")))
        if description:
            props["description"] = description
        if isinstance(node.get("email"), str) and node["email"].strip():
            props["email"] = node["email"].strip()
        if isinstance(node.get("phone"), str) and node["phone"].strip():
            props["phones"] = [{"number": node["phone"].strip()}]
        website = node.get("website") or node.get("applylink") or node.get("applyLink")
        if isinstance(website, str) and website.strip():
            props["website"] = website.strip()
        yield NodeRecord(
            NodeType.ORGANIZATION, key, props, table=table, record_id=ident, file=table
        )
        for location in _many(node.get("location")):
            if isinstance(location, dict):
                place = self.place(location, table, ident)
                if place:
                    yield self.places[place]
                    yield EdgeRecord(EdgeType.OPERATES, key, place, table, ident, field="location")


def read_volunteering(source: str, ctx: ReadContext) -> Iterator[Record]:
    """Yield the opportunities, organisations and places of a Volunteering Data Standard export.

    Raises
    ------
    InputError
        A file is not JSON, or no file holds Activity or Organisation nodes.
    UsageError
        No such file or folder.
    """
    path = Path(source)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder. Fix: check the path.")
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.suffix.lower() in (".jsonld", ".json"))
    )
    ctx.sha256 = sha256_of(path)
    ctx.variant = "Volunteering Data Standard JSON-LD"
    reader = _Reader(ctx, _cause_labels(path if path.is_dir() else path.parent))
    activities: list[tuple[dict[str, Any], str]] = []
    organisations: list[tuple[dict[str, Any], str]] = []
    for number, file in enumerate(files, start=1):
        nodes = _nodes(load_json(file, encoding=ctx.encoding))
        ctx.file_read(number, len(files))
        kinds = Counter(
            str(n.get("type") or n.get("@type") or "") for n in nodes if isinstance(n, dict)
        )
        if not (kinds["Activity"] or kinds["Organisation"] or kinds["Organization"]):
            if path.is_file():
                raise InputError(
                    "holds no Activity or Organisation nodes of the Volunteering Data Standard.",
                    path=file,
                    fix="give the standard's JSON-LD export (@graph of Activity nodes).",
                )
            continue
        if all(not str(n.get("id") or "").strip() for n in nodes if isinstance(n, dict)):
            ctx.problem(
                Severity.NOTE,
                "template",
                "the file is an empty template of the format (no ids); skipped",
                "",
                table=file.name,
            )
            continue
        for node in nodes:
            if not isinstance(node, dict):
                continue
            kind = str(node.get("type") or node.get("@type") or "")
            if kind == "Activity":
                ctx.read(file.name)
                activities.append((node, file.name))
            elif kind in ("Organisation", "Organization"):
                ctx.read(file.name)
                organisations.append((node, file.name))
    if not activities and not organisations:
        raise InputError(
            "holds no Activity or Organisation nodes of the Volunteering Data Standard.",
            path=path,
            fix="give the standard's JSON-LD export (teamkinetic/activities.jsonld, say).",
        )
    known = {str(node.get("id") or "").strip() for node, _ in organisations}
    for node, table in organisations:
        yield from reader.organisation(node, table)
    for node, table in activities:
        yield from reader.activity(node, table)
    _report(ctx, activities, organisations, known, reader)


def _report(
    ctx: ReadContext,
    activities: list[tuple[dict[str, Any], str]],
    organisations: list[tuple[dict[str, Any], str]],
    known: set[str],
    reader: _Reader,
) -> None:
    named = Counter(str(node.get("organisation") or "").strip() for node, _ in activities)
    missing = {ref: n for ref, n in named.items() if ref and ref not in known}
    sessions = sum(len(_many(node.get("session"))) for node, _ in activities)
    ctx.problem(
        Severity.NOTE,
        "opportunities",
        f"{len(activities):,} opportunities with {sessions:,} sessions at {len(reader.places):,} "
        f"places ({reader.remote:,} remote sessions); {len(organisations):,} organisations",
        "",
        table="sessions",
    )
    if missing:
        ctx.problem(
            Severity.WARNING,
            "organisation-not-in-data",
            f"{sum(missing.values()):,} opportunities name {len(missing):,} organisations that are "
            "not in the data; the opportunities are kept without their organisation",
            "ingest the organisations file of the same export (organisations.jsonld) with them.",
            table="organisations",
            value="; ".join(sorted(missing)[:10]),
        )
    if organisations and all(not _clean(n.get("name") or n.get("label")) for n, _ in organisations):
        ctx.problem(
            Severity.NOTE,
            "no-organisation-names",
            "the organisations have no name in this export; kept with their description, "
            "website and contact details",
            "",
            table="organisations",
        )


register(
    Ingester(
        name="volunteering",
        summary="Volunteering opportunities (Volunteering Data Standard JSON-LD): roles, "
        "sessions, places and organisations as activities.",
        read=read_volunteering,
        example="civicgraph ingest volunteering ../shared/data/volunteering_data_standard",
    )
)
