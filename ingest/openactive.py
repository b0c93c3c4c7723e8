"""OpenActive opportunity data: sessions, facility slots, events and courses as activities.

``civicgraph ingest openactive SOURCE`` reads RPDE feed pages (see
:mod:`._rpde` for the paging rules): one saved page, a folder of pages, or a
feed URL followed page by page. Each opportunity becomes an ``Activity``:

=======================================  ==========================================
RPDE kind / data type                    becomes
=======================================  ==========================================
SessionSeries (with embedded sessions)   an activity of kind ``session series``
ScheduledSession                         a session of its ``superEvent`` series
FacilityUse, IndividualFacilityUse       an activity of kind ``facility use``
Slot                                     a session of its ``facilityUse``
Event, OnDemandEvent, EventSeries        an activity of kind ``event``
CourseInstance                           an activity of kind ``course``
=======================================  ==========================================

Its venue (``location``) becomes a ``Location`` it ``HAPPENS_AT`` (placed in
areas like any location); its ``organizer`` (or a facility's ``provider``) an
``Organization`` that ``RUNS`` it; its ``activity`` concepts ``Concept`` nodes
it is ``CLASSIFIED_AS``. With ``--activity-list`` (the OpenActive Activity
List, SKOS JSON-LD) each concept takes the list's label, definition and
broader concepts (``PART_OF``, the list is a polyhierarchy), and a URI the
list does not hold is reported and kept as an unmapped term. Concepts carry
the identifier ``oa-activity:<uuid>``, so two feeds using one activity share
one node.

Sessions survive as counts and times (see :mod:`._activity`): ``sessions``,
``first_session``, ``last_session``, ``session_times``, ``schedule`` (the
``eventSchedule`` or ``hoursAvailable`` as days and times) and
``sessions_per_week``. A session whose series is not in the feed is kept as an
activity of its own, and reported. Contact details in descriptions are
masked (``[email removed]``); a leader's or a person organiser's details are
not read.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph import EdgeRecord, NodeRecord, Record, Severity, local_key
from ..ontology import EdgeType, NodeType
from . import _openactive_values as oa
from ._activity import (
    mask_contacts,
    parse_datetime,
    schedule_per_week,
    session_end,
    session_summary,
)
from ._activity_list import ACTIVITY_LIST, ActivityList, load_activity_list, uuid_of
from ._io import DEFAULT_TIMEOUT, is_url, sha256_of
from ._pipeline import ReadContext
from ._registry import Ingester, Option, register
from ._rpde import (
    DEFAULT_FEED_BYTES,
    DEFAULT_MAX_PAGES,
    EMPTY_PAGE_WAIT,
    FeedItem,
    Page,
    latest_items,
    pages_from_path,
    pages_from_url,
)
from ._values import address_props

__all__ = ["ActivityList", "load_activity_list", "read_openactive"]

_KINDS = {
    "SessionSeries": "session series",
    "FacilityUse": "facility use",
    "IndividualFacilityUse": "facility use",
    "Event": "event",
    "OnDemandEvent": "event",
    "EventSeries": "event",
    "HeadlineEvent": "event",
    "CourseInstance": "course",
}
_SESSIONS = {"ScheduledSession": "superEvent", "Slot": "facilityUse"}


@dataclass
class _Activity:
    """An activity being assembled from its item and the sessions that point at it."""

    key: str
    item: FeedItem
    props: dict[str, Any]
    location: dict[str, Any] | None = None
    organizer: dict[str, Any] | None = None
    concepts: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[tuple[Any, Any]] = field(default_factory=list)


class _Reader:
    def __init__(self, ctx: ReadContext, activity_list: ActivityList | None) -> None:
        self.ctx = ctx
        self.activity_list = activity_list
        self.by_id: dict[str, _Activity] = {}
        self.activities: list[_Activity] = []
        self.unknown_terms: Counter[str] = Counter()
        self.people_skipped = 0
        self.virtual = 0

    def key(self, node_type: NodeType, local_id: str) -> str:
        return local_key(self.ctx.source, node_type, local_id)

    # -- building activities ---------------------------------------------------

    def activity(self, item: FeedItem, data: dict[str, Any], type_name: str) -> _Activity:
        parent = oa.object_of(data.get("superEvent"))
        course = oa.object_of(data.get("instanceOfCourse"))

        def pick(name: str) -> Any:
            for holder in (data, parent, course):
                value = holder.get(name)
                if value not in (None, "", []):
                    return value
            return None

        local_id = oa.ident(data) or f"{item.kind}/{item.id}"
        props: dict[str, Any] = {
            "activity_kind": _KINDS.get(
                type_name, "event" if not oa.schedule(data) else "session series"
            ),
            "opportunity_type": type_name if type_name in _KINDS else item.kind or type_name,
        }
        name = oa.text(pick("name"))
        if not name and type_name in ("FacilityUse", "IndividualFacilityUse"):
            name = ", ".join(oa.labels(data.get("facilityType")))
        if name:
            props["name"], masked_name = mask_contacts(name)
        else:
            masked_name = 0
        description = pick("description")
        masked = masked_name
        if isinstance(description, str) and description.strip():
            props["description"], found = mask_contacts(description.strip())
            masked += found
        if masked:
            props["contacts_masked"] = masked
        url = pick("url")
        if isinstance(url, str) and url.strip():
            props["url"] = url.strip()
        status = data.get("eventStatus")
        if isinstance(status, str) and status.strip():
            props["status"] = status.rstrip("/").split("/")[-1].removeprefix("Event").lower()
        for source_name, target in (("startDate", "start_date"), ("endDate", "end_date")):
            given = data.get(source_name)
            when = parse_datetime(given)
            if when is not None:
                props[target] = when.date().isoformat()
            elif given not in (None, ""):
                self.ctx.problem(
                    Severity.WARNING,
                    "bad-date",
                    f"{source_name} cannot be read as a date and time; left out of the "
                    "timeline, never guessed",
                    "give ISO 8601 dates, 2018-10-02T19:15:00Z.",
                    table=item.kind,
                    file=item.where,
                    record=item.id,
                    field=source_name,
                    value=given,
                )
        ages = pick("ageRange")
        if isinstance(ages, dict):
            low, high = oa.number(ages.get("minValue")), oa.number(ages.get("maxValue"))
        else:
            low, high = oa.number(ages), None
        if low is not None:
            props["minimum_age"] = int(low)
        if high is not None:
            props["maximum_age"] = int(high)
        gender = pick("genderRestriction")
        if isinstance(gender, str) and gender.strip():
            word = gender.rstrip("/").split("/")[-1].lower()
            props["gender_restriction"] = oa.GENDER.get(word, word)
        capacity = oa.number(data.get("maximumAttendeeCapacity"))
        if capacity is not None:
            props["capacity"] = int(capacity)
        prices = oa.prices(pick("offers") or pick("offer"))
        if prices:
            props["prices"] = prices
        free = data.get("isAccessibleForFree")
        if isinstance(free, bool):
            props["free"] = free
        elif prices:
            props["free"] = all(p.get("price") == 0 for p in prices)
        categories = [c for c in oa.values(pick("category")) if isinstance(c, str) and c.strip()]
        schedule = oa.schedule(data) or (oa.schedule(parent) if parent else [])
        if schedule:
            props["schedule"] = schedule
        modified = parse_datetime(item.modified) if isinstance(item.modified, str) else None
        if modified is not None:
            props["last_modified"] = modified.isoformat()
        found_activity = _Activity(self.key(NodeType.ACTIVITY, local_id), item, props)
        found_activity.concepts = [c for c in oa.values(pick("activity")) if c]
        props["categories"] = categories
        location = pick("location")
        found_activity.location = location if isinstance(location, dict) else None
        organizer = pick("organizer") or pick("provider")
        found_activity.organizer = organizer if isinstance(organizer, dict) else None
        for sub in oa.values(data.get("subEvent")):
            if isinstance(sub, dict):
                found_activity.sessions.append((sub.get("startDate"), sub.get("endDate")))
        one_off = type_name in ("Event", "OnDemandEvent") and not found_activity.sessions
        if one_off and data.get("startDate"):
            found_activity.sessions.append((data.get("startDate"), data.get("endDate")))
        for ident in {local_id, oa.ident(data)} - {""}:
            self.by_id[ident] = found_activity
        for individual in oa.values(data.get("individualFacilityUse")):
            if oa.ident(individual):
                self.by_id[oa.ident(individual)] = found_activity
        self.activities.append(found_activity)
        return found_activity

    def session(self, item: FeedItem, data: dict[str, Any], type_name: str) -> None:
        """Add a ScheduledSession or Slot to its series or facility; keep it alone if absent."""
        link_name = _SESSIONS[type_name]
        parent_ref = data.get(link_name)
        parent = self.by_id.get(oa.ident(parent_ref))
        if parent is not None:
            self.ctx.merge(item.kind)  # folded into its series
        elif isinstance(parent_ref, dict):
            # The series embedded in the session (kind ScheduledSession.SessionSeries).
            parent = self.activity(item, parent_ref, oa.type_of(parent_ref, "SessionSeries"))
        else:
            self.ctx.problem(
                Severity.WARNING,
                "session-without-series",
                f"{type_name} items name a {link_name} that is not in the feed; each is kept as "
                "an activity of its own",
                f"ingest the {link_name} feed with its sessions (a folder holding both).",
                table=item.kind,
                file=item.where,
                record=item.id,
                field=link_name,
                value=oa.ident(parent_ref),
            )
            parent = self.activity(item, data, type_name)
            parent.sessions.clear()
            parent.props["activity_kind"] = (
                "facility use" if type_name == "Slot" else "session series"
            )
        parent.sessions.append((data.get("startDate"), data.get("endDate")))

    # -- records ---------------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        for found in self.activities:
            yield from self._records(found)
        self._report()

    def _records(self, found: _Activity) -> Iterator[Record]:
        props = found.props
        item = found.item
        sessions = []
        for start, end in found.sessions:
            begins = parse_datetime(start)
            if begins is None:
                if start not in (None, ""):
                    self.ctx.problem(
                        Severity.WARNING,
                        "bad-date",
                        "a session's startDate cannot be read as a date and time; the session "
                        "is left out, never guessed",
                        "give ISO 8601 times, 2018-10-02T19:15:00Z.",
                        table=item.kind,
                        file=item.where,
                        record=item.id,
                        field="startDate",
                        value=start,
                    )
                continue
            ends = session_end(
                self.ctx, begins, end, field="endDate", table=item.kind, file=item.where,
                record=item.id,
            )  # fmt: skip
            sessions.append((begins, ends))
        props.update(session_summary(sessions))
        weekly = schedule_per_week(props.get("schedule") or [])
        if weekly is not None:
            props["sessions_per_week"] = weekly
        concept_records = list(self._concepts(found))
        named = found_terms(found)
        labels = [
            r.props["name"]
            for r in concept_records
            if isinstance(r, NodeRecord) and r.record_id in named
        ]
        props["categories"] = list(dict.fromkeys([*labels, *props["categories"]]))
        if not props["categories"]:
            del props["categories"]
        yield NodeRecord(
            NodeType.ACTIVITY, found.key, props, table=item.kind, record_id=item.id, file=item.where
        )
        yield from concept_records
        if found.location is not None:
            location = self._location(found)
            if location is not None:
                yield location
                yield EdgeRecord(
                    EdgeType.HAPPENS_AT,
                    found.key,
                    location.key,
                    item.kind,
                    item.id,
                    field="location",
                    file=item.where,
                )
        else:
            self.virtual += 1
        if found.organizer is not None:
            organizer = self._organizer(found)
            if organizer is not None:
                yield organizer
                yield EdgeRecord(
                    EdgeType.RUNS,
                    organizer.key,
                    found.key,
                    item.kind,
                    item.id,
                    field="organizer",
                    file=item.where,
                )

    def _concepts(self, found: _Activity) -> Iterator[Record]:
        item = found.item
        for concept in found.concepts:
            uri = oa.ident(concept)
            label = oa.text(concept.get("prefLabel")) if isinstance(concept, dict) else ""
            if "#" not in uri:
                if label or (isinstance(concept, str) and concept.strip()):
                    found.props["categories"].append(label or str(concept).strip())
                continue
            uuid = uuid_of(uri)
            terms = self.activity_list.terms if self.activity_list else {}
            term = terms.get(uuid)
            chain = (
                [uuid, *self.activity_list.ancestors(uuid)]
                if term and self.activity_list
                else [uuid]
            )
            for position, current in enumerate(chain):
                known = terms.get(current)
                props: dict[str, Any] = {
                    "taxonomy": ACTIVITY_LIST,
                    "term_uri": f"https://openactive.io/activity-list#{current}",
                    "facet": "activity",
                }
                if known is not None:
                    props["name"] = known.label
                    if known.notation:
                        props["code"] = known.notation
                    if known.definition:
                        props["description"] = known.definition
                else:
                    props["name"] = label or current
                    if self.activity_list is not None:
                        props["unmapped"] = True
                        self.unknown_terms[f"{label or '?'} <{uri}>"] += 1
                key = self.key(NodeType.CONCEPT, f"oa-activity:{current}")
                yield NodeRecord(
                    NodeType.CONCEPT,
                    key,
                    props,
                    table=item.kind,
                    record_id=current,
                    identifiers=(f"oa-activity:{current}",),
                    embedded=True,
                    counted=False,
                    file=item.where,
                )
                if position == 0:
                    yield EdgeRecord(
                        EdgeType.CLASSIFIED_AS,
                        found.key,
                        key,
                        item.kind,
                        item.id,
                        field="activity",
                        file=item.where,
                    )
                if known is not None:
                    for parent in known.broader:
                        if parent in terms:
                            yield EdgeRecord(
                                EdgeType.PART_OF,
                                key,
                                self.key(NodeType.CONCEPT, f"oa-activity:{parent}"),
                                item.kind,
                                current,
                                field="broader",
                                file=item.where,
                            )

    def _location(self, found: _Activity) -> NodeRecord | None:
        place = found.location or {}
        address = oa.object_of(place.get("address"))
        name = oa.text(place.get("name")).strip(" ,")
        postcode = oa.text(address.get("postalCode"))
        street = oa.text(address.get("streetAddress")).replace("<br />", ", ").strip(" ,")
        geo = oa.object_of(place.get("geo"))
        lat, lon = oa.number(geo.get("latitude")), oa.number(geo.get("longitude"))
        point = f"{lat:.5f},{lon:.5f}" if lat is not None and lon is not None else ""
        local_id = oa.ident(place) or "|".join(p for p in (name, street, postcode) if p) or point
        if not local_id:
            return None
        props: dict[str, Any] = {"location_type": "physical"}
        if name:
            props["name"] = name
        props.update(address_props(street, oa.text(address.get("addressLocality")), postcode))
        if oa.text(address.get("addressRegion")):
            props["region"] = oa.text(address.get("addressRegion"))
        if oa.text(address.get("addressCountry")):
            props["country"] = oa.text(address.get("addressCountry")).upper()
        if lat is not None and lon is not None:
            props["latitude"], props["longitude"] = lat, lon
        if isinstance(place.get("url"), str) and place["url"].strip():
            props["url"] = place["url"].strip()
        telephone = oa.text(place.get("telephone"))
        if telephone:
            props["phones"] = [{"number": telephone}]
        return NodeRecord(
            NodeType.LOCATION,
            self.key(NodeType.LOCATION, f"place/{local_id}"),
            props,
            table=found.item.kind,
            record_id=local_id,
            embedded=True,
            counted=False,
            file=found.item.where,
        )

    def _organizer(self, found: _Activity) -> NodeRecord | None:
        organizer = found.organizer or {}
        if oa.type_of(organizer, "Organization") == "Person":
            self.people_skipped += 1
            return None
        name = oa.text(organizer.get("name"))
        local_id = oa.ident(organizer) or name
        if not local_id:
            return None
        props: dict[str, Any] = {}
        if name:
            props["name"] = name
        if isinstance(organizer.get("url"), str) and organizer["url"].strip():
            props["url"] = organizer["url"].strip()
        if oa.text(organizer.get("email")):
            props["email"] = oa.text(organizer.get("email"))
        if oa.text(organizer.get("telephone")):
            props["phones"] = [{"number": oa.text(organizer.get("telephone"))}]
        if isinstance(organizer.get("description"), str) and organizer["description"].strip():
            props["description"], _ = mask_contacts(organizer["description"].strip())
        return NodeRecord(
            NodeType.ORGANIZATION,
            self.key(NodeType.ORGANIZATION, local_id),
            props,
            table=found.item.kind,
            record_id=local_id,
            embedded=True,
            counted=False,
            file=found.item.where,
        )

    def _report(self) -> None:
        ctx = self.ctx
        if self.unknown_terms:
            ctx.problem(
                Severity.WARNING,
                "unknown-activity",
                f"{len(self.unknown_terms)} activity URIs are not in the activity list; each "
                "is kept as an unmapped term (unmapped = true) with the feed's label",
                "check the publisher uses current activity-list ids, or give a newer list.",
                table="activity list",
                value="; ".join(f"{k} ({v})" for k, v in self.unknown_terms.most_common(10)),
            )
        if self.activity_list is None and any(a.concepts for a in self.activities):
            ctx.problem(
                Severity.NOTE,
                "activity-list-not-given",
                "activity concepts keep the feed's own labels, unchecked and with no broader terms",
                "give --activity-list activity-list.jsonld to map them.",
                table="activity list",
            )
        if self.people_skipped:
            ctx.problem(
                Severity.NOTE,
                "person-not-stored",
                f"{self.people_skipped} activities are organised by a person, whose details are "
                "not stored",
                "",
                table="organizer",
            )
        if self.virtual:
            ctx.problem(
                Severity.NOTE,
                "no-venue",
                f"{self.virtual} activities name no venue (virtual or on demand); kept without a "
                "location",
                "",
                table="location",
            )


def found_terms(found: _Activity) -> set[str]:
    """The UUIDs an activity names directly (not their broader terms)."""
    return {uuid_of(oa.ident(c)) for c in found.concepts if "#" in oa.ident(c)}


def read_openactive(
    source: str,
    ctx: ReadContext,
    *,
    activity_list: str | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_bytes: int = DEFAULT_FEED_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    empty_page_wait: float = EMPTY_PAGE_WAIT,
    allow_disorder: bool = False,
) -> Iterator[Record]:
    """Yield the activities (and their venues, organisers, concepts) of OpenActive RPDE pages.

    Raises
    ------
    InputError
        A page is not RPDE, breaks the item order, a feed loops or passes its caps.
    UsageError
        No such file, folder or activity list.
    """
    terms = load_activity_list(Path(activity_list)) if activity_list else None
    digest = hashlib.sha256()
    licences: Counter[str] = Counter()

    files = 0  # the files pages come from, as pages_from_path lists them; a feed's: unknown
    if not is_url(source):
        files = len(list(Path(source).rglob("*.json"))) if Path(source).is_dir() else 1
    seen = [0]

    def file_read() -> None:
        seen[0] += 1
        ctx.file_read(seen[0], files, "files" if files else "pages")

    def on_page(page: Page) -> None:
        file_read()
        if page.license:
            licences[page.license] += 1
        if is_url(source):
            digest.update(page.where.encode())

    def on_skipped(file: Path, reason: str) -> None:
        file_read()
        ctx.problem(
            Severity.NOTE,
            "not-an-rpde-page",
            "files in the folder are not RPDE pages (nor single opportunities); skipped",
            "",
            table="files",
            file=str(file),
        )

    def on_disorder(where: str, position: int, problem: str) -> None:
        ctx.problem(
            Severity.WARNING,
            "rpde-order",
            "pages break the RPDE order (modified, then id); read anyway (--allow-disorder), "
            "so a later version of an item may have been missed",
            "ask the publisher to fix the feed's query (ORDER BY modified, id).",
            table="items",
            file=where,
            row=position,
            value=problem,
        )

    disorder = on_disorder if allow_disorder else None
    if is_url(source):
        pages: Iterator[Page] = pages_from_url(
            source,
            max_pages=max_pages,
            max_bytes=max_bytes,
            timeout=timeout,
            empty_page_wait=empty_page_wait,
            on_disorder=disorder,
        )
    else:
        pages = pages_from_path(
            Path(source), encoding=ctx.encoding, on_skipped=on_skipped, on_disorder=disorder
        )

    def on_bad_item(page: Page, position: int, problem: str) -> None:
        ctx.read("items")
        ctx.reject(
            "items",
            "bad-item",
            f"the RPDE item {problem}; rejected",
            "each item needs state, kind, id, modified and (unless deleted) data.",
            file=page.where,
            row=position,
        )

    latest, versions, superseded = latest_items(pages, on_bad_item=on_bad_item, on_page=on_page)
    for kind, count in versions.items():
        ctx.read(kind, count)
    for kind, count in superseded.items():
        ctx.merged_counts[kind] += count
    if not is_url(source):
        ctx.sha256 = sha256_of(Path(source))
    else:
        for item in latest.values():
            digest.update(f"{item.kind}|{item.id}|{item.modified}".encode())
        ctx.sha256 = digest.hexdigest()
    ctx.variant = "OpenActive RPDE " + ("feed" if is_url(source) else "pages")
    if licences:
        ctx.metadata["license"] = {"name": "", "url": licences.most_common(1)[0][0]}
    reader = _Reader(ctx, terms)
    deleted = 0
    parents: list[tuple[FeedItem, str]] = []
    children: list[tuple[FeedItem, str]] = []
    skipped: Counter[str] = Counter()
    for item in latest.values():
        if item.state == "deleted" or item.data is None:
            deleted += 1
            ctx.use(item.kind)
            continue
        type_name = oa.type_of(item.data, item.kind)
        if type_name in _SESSIONS:
            children.append((item, type_name))
        elif type_name in ("Place", "Course", "Brand"):
            skipped[type_name] += 1
            ctx.use(item.kind)
        else:
            parents.append((item, type_name))
    for item, type_name in parents:
        reader.activity(item, item.data or {}, type_name)
    for item, type_name in children:
        reader.session(item, item.data or {}, type_name)
    if deleted:
        ctx.problem(
            Severity.NOTE,
            "deleted-items",
            f"{deleted} items are deleted in the feed (their latest state); not stored",
            "",
            table="items",
        )
    if skipped:
        ctx.problem(
            Severity.NOTE,
            "not-an-opportunity",
            "items describe places, courses or brands rather than opportunities; counted and "
            "not stored as activities",
            "",
            table="items",
            value="; ".join(f"{k}: {v}" for k, v in sorted(skipped.items())),
        )
    yield from reader.records()


register(
    Ingester(
        name="openactive",
        summary="OpenActive RPDE opportunity feeds (a page, a folder of pages or a feed URL): "
        "sessions, facility slots, events and courses as activities.",
        read=read_openactive,
        example="civicgraph ingest openactive ../shared/data/openactive_opportunity_examples "
        "--activity-list ../shared/data/openactive_activity_list/data/activity-list.jsonld",
        options=(
            Option("activity_list", str, None, "The OpenActive activity list (SKOS JSON-LD)."),
            Option("max_pages", int, DEFAULT_MAX_PAGES, "Error after this many pages."),
            Option("max_bytes", int, DEFAULT_FEED_BYTES, "Error past this many bytes."),
            Option("timeout", float, DEFAULT_TIMEOUT, "Seconds to wait for each page."),
            Option(
                "empty_page_wait",
                float,
                EMPTY_PAGE_WAIT,
                "Seconds to wait before following an empty page that is not the last.",
            ),
            Option(
                "allow_disorder",
                bool,
                False,
                "Read pages that break the RPDE order, with a warning each (default: error).",
            ),
        ),
    )
)
