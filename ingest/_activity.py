"""What every activity ingester needs: contact masking, session summaries, weekly schedules.

Private plumbing for :mod:`.openactive`, :mod:`.volunteering` and
:mod:`.warm_spaces`.

**Contact details in text.** Descriptions of sessions and rides often hold a
ride leader's own e-mail address or mobile number. civicgraph never stores
them: :func:`mask_contacts` replaces each with ``[email removed]`` or
``[phone removed]`` before the text is kept, and the activity records how many
it removed (``contacts_masked``). Structured contact fields of an
*organisation* or a venue (an organiser's ``email``, a venue's ``telephone``)
are organisational and are kept as the source gives them; a *person*'s
(an OpenActive ``leader``, an ``organizer`` of type Person) are not read.

**Sessions.** An activity keeps how many dated sessions are known
(``sessions``), the first and last (``first_session``, ``last_session``), the
sessions themselves (``session_times``, start and end) and how often it
happens (``sessions_per_week``): from its weekly schedule where it has one
(each day of a weekly ``byDay``, each time range of an opening-hours day),
else from its dated sessions over the weeks they span (at least two sessions,
each shorter than a day; a one-off event has none).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..graph import Severity

__all__ = [
    "DAY_NAMES",
    "mask_contacts",
    "parse_datetime",
    "parse_opening_hours",
    "schedule_per_week",
    "session_end",
    "session_summary",
]

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# UK numbers as people write them: 07700 900123, 01642 728555, 0191 123 4567, +44 (0)7700...
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?![\w])"
)


def mask_contacts(text: str) -> tuple[str, int]:
    """The text with e-mail addresses and phone numbers removed, and how many were.

    Examples
    --------
    >>> mask_contacts("Ask Jo on 07700 900123 or jo.smith@example.org.uk!")
    ('Ask Jo on [phone removed] or [email removed]!', 2)
    >>> mask_contacts("Meet at 10:00 by gate 2, 17 miles")
    ('Meet at 10:00 by gate 2, 17 miles', 0)
    """
    masked, emails = _EMAIL.subn("[email removed]", text)
    masked, phones = _PHONE.subn("[phone removed]", masked)
    return masked, emails + phones


def parse_datetime(value: object) -> datetime | None:
    """A session time as a naive local ``datetime`` (an offset is dropped), or ``None``.

    Examples
    --------
    >>> parse_datetime("2018-10-02T19:15:00Z"), parse_datetime("2018-01-14 10:00:00")
    (datetime.datetime(2018, 10, 2, 19, 15), datetime.datetime(2018, 1, 14, 10, 0))
    >>> parse_datetime("2018-10-02"), parse_datetime("next Tuesday")
    (datetime.datetime(2018, 10, 2, 0, 0), None)
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def session_end(
    ctx: Any, begins: datetime, end: object, *, field: str, **where: Any
) -> datetime | None:
    """A session's end, or ``None`` (reported) where it cannot be read or is before its start.

    The session keeps its start: an end that cannot be trusted is left out, never guessed.
    ``ctx`` is the ingest's ``ReadContext``; ``where`` its ``table``, ``file`` and ``record``.
    """
    if end in (None, ""):
        return None
    ends = parse_datetime(end)
    if ends is None:
        ctx.problem(
            Severity.WARNING,
            "bad-date",
            "a session's end cannot be read as a date and time; the session is kept "
            "without its end, never guessed",
            "give ISO 8601 times, 2018-10-02T20:15:00Z.",
            field=field,
            value=end,
            **where,
        )
        return None
    if ends < begins:
        ctx.problem(
            Severity.WARNING,
            "end-before-start",
            "a session ends before it starts; kept without its end",
            "correct the session's times in the file.",
            field=field,
            value=f"{begins.isoformat()} → {end}",
            **where,
        )
        return None
    return ends


def session_summary(
    sessions: Iterable[tuple[datetime, datetime | None]],
) -> dict[str, Any]:
    """``sessions``, ``first_session``, ``last_session``, ``session_times`` and, where the
    sessions say it, ``sessions_per_week``.

    Examples
    --------
    >>> day = datetime(2024, 1, 1, 10)
    >>> weekly = [(day + timedelta(weeks=w), day + timedelta(weeks=w, hours=1)) for w in range(4)]
    >>> summary = session_summary(weekly)
    >>> summary["sessions"], summary["first_session"], summary["sessions_per_week"]
    (4, '2024-01-01T10:00:00', 1.0)
    """
    ordered = sorted(set(sessions), key=lambda s: (s[0], s[1] or s[0]))
    if not ordered:
        return {}
    summary: dict[str, Any] = {
        "sessions": len(ordered),
        "first_session": ordered[0][0].isoformat(),
        "last_session": ordered[-1][0].isoformat(),
        "session_times": [
            {"start": start.isoformat(), **({"end": end.isoformat()} if end else {})}
            for start, end in ordered
        ],
    }
    short = all(end is None or end - start <= timedelta(days=1) for start, end in ordered)
    if len(ordered) >= 2 and short:
        # The span of n weekly sessions is n - 1 weeks; count the last week too.
        weeks = ((ordered[-1][0] - ordered[0][0]).days + 7) / 7
        summary["sessions_per_week"] = round(len(ordered) / weeks, 2)
    return summary


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_CODES = {name[:2]: name for name in DAY_NAMES}
_FREQUENCY = re.compile(r"^P(\d+)([DWM])$")


def schedule_per_week(schedule: Sequence[Mapping[str, Any]]) -> float | None:
    """How many sessions a week a normalised schedule gives, or ``None`` if it does not say.

    Each entry repeats ``days`` every ``frequency`` (``P1W``; ``P2W`` is half as
    often, ``P1D`` every day, ``P1M`` about 12 times a year).

    Examples
    --------
    >>> schedule_per_week([{"days": ["Tuesday", "Sunday"], "frequency": "P1W"}])
    2.0
    >>> schedule_per_week([{"days": [], "frequency": "P1D"}]), schedule_per_week([{}])
    (7.0, None)
    """
    total = 0.0
    known = False
    for entry in schedule:
        days = len(entry.get("days") or ()) or 1
        match = _FREQUENCY.match(str(entry.get("frequency") or ""))
        if not match:
            continue
        count, unit = int(match[1]), match[2]
        if count <= 0:
            continue
        known = True
        if unit == "D":
            total += 7 / count
        elif unit == "W":
            total += days / count
        else:
            total += days * 12 / 52 / count
    return round(total, 2) if known else None


_RANGE = re.compile(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
_NTH = re.compile(r"\[-?\d+(?:,-?\d+)*\]$")
_DAY_LIST = re.compile(r",(?![^\[]*\])")


def parse_opening_hours(text: str) -> list[dict[str, Any]] | None:
    """Opening hours in OpenStreetMap's compact form as a weekly schedule, or ``None``.

    Takes ``We 10:00-12:00; Sa 09:00-17:00``, day ranges (``Mo-Fr``), day lists
    (``Mo,We``), several ranges a day (``Tu 10:00-13:00,16:00-18:00``) and days of
    the month (``Th[2]``: monthly); each day and range is one session a week (or a
    month).

    Examples
    --------
    >>> [(e["days"], e["start_time"]) for e in parse_opening_hours("Mo-We 09:30-11:30")]
    [(['Monday', 'Tuesday', 'Wednesday'], '09:30')]
    >>> schedule_per_week(parse_opening_hours("Tu 10:00-13:00,16:00-18:00; Th 18:00-21:00"))
    3.0
    >>> schedule_per_week(parse_opening_hours("Th[2] 11:00-13:00"))
    0.23
    >>> parse_opening_hours("by appointment") is None
    True
    """
    entries: list[dict[str, Any]] = []
    codes = list(_DAY_CODES)
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        day_text, _, range_text = part.partition(" ")
        days: list[str] = []
        monthly = False
        for token in _DAY_LIST.split(day_text):
            # Th[2]: the second Thursday of each month; Tu[1,3]: the first and third.
            nth = _NTH.search(token)
            repeats = len(nth[0].split(",")) if nth else 1
            monthly = monthly or bool(nth)
            token = _NTH.sub("", token)
            first, _, last = token.partition("-")
            if first not in _DAY_CODES or (last and last not in _DAY_CODES):
                return None
            start, end = codes.index(first), codes.index(last or first)
            span = range(start, end + 1) if end >= start else [*range(start, 7), *range(end + 1)]
            days.extend(_DAY_CODES[codes[i]] for i in span for _ in range(repeats))
        for time_range in range_text.replace(" ", "").split(","):
            if not _RANGE.match(time_range):
                return None
            opens, closes = time_range.split("-")
            entries.append(
                {
                    "days": days,
                    "start_time": opens,
                    "end_time": closes,
                    "frequency": "P1M" if monthly else "P1W",
                }
            )
    return entries or None
