"""What changed between snapshots: opened, closed, reduced, moved, renamed, funding ending.

The workspace keeps every snapshot of every source, and each snapshot has a
date (the day of its ingest, or ``--snapshot-date``). By default each source's
last two snapshots are compared; ``since`` names a snapshot, or a date (each
source's last snapshot on or before it is compared with its last one up to
``until``). Grants also change by their own dates: a planned end inside the
window (for a source with one snapshot, the ``horizon_months`` before it) is
``funding-ended``, one within ``horizon_months`` after it with no
later grant to the same recipient is ``funding-ending``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..graph import Workspace
from ..graph.build import Graph
from ..graph.history import GRANT_FIELDS, MOVE_FIELDS, History, workspace_history
from ..graph.history import Snap as _Snap
from ..graph.scope import Scope, resolve_scope
from ..ontology import EdgeType, NodeType
from ..ontology.lifecycle import lifecycle_of
from ._index import count_of
from ._registry import register_query

__all__ = ["CHANGE_KINDS", "change_rows", "changes", "scoped_rows"]

CHANGE_KINDS = (
    "opened",
    "closed",
    "reduced",
    "transferred",
    "moved",
    "renamed",
    "changed",
    "funding-started",
    "funding-ended",
    "funding-ending",
)
"""The values of the ``change`` column."""

COLUMNS = ["change", "type", "id", "name", "area", "when", "source", "why"]

# Lifecycle states, as the change a move into them is.
_STATE_CHANGE = {
    "closed": "closed",
    "temporarily-closed": "closed",
    "reduced": "reduced",
    "transferred": "transferred",
    "volunteer-run": "transferred",
    "open": "opened",
}
# A grant's properties whose change is reported as ``changed``.
_GRANT_FIELDS = GRANT_FIELDS
_MOVE_FIELDS = MOVE_FIELDS
_WEEKDAYS = 7


@dataclass(frozen=True)
class _Pair:
    source: str
    before: _Snap | None
    after: _Snap
    start: str
    """The window's first day (exclusive)."""


def _as_date(text: str, what: str) -> str | None:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return None


def _listing(snapshots: dict[str, list[_Snap]]) -> str:
    items = [f"{s.id} ({s.source}, {s.date})" for snaps in snapshots.values() for s in snaps]
    return ", ".join(items) or "none: ingest a source first"


def _until(snapshots: dict[str, list[_Snap]], until: str | None) -> tuple[str | None, _Snap | None]:
    """The last day ``until`` allows (``None``: no bound), and the snapshot it names if any."""
    if until is None:
        return None, None
    by_id = {s.id: s for snaps in snapshots.values() for s in snaps}
    named = by_id.get(int(until)) if until.strip().isdigit() else None
    if named is not None:
        return named.date, named
    day = _as_date(until, "until")
    if day is None:
        raise UsageError(
            f"until '{until}' names no snapshot and is not a date. Fix: give a snapshot "
            f"number or a date (YYYY-MM-DD); the snapshots are {_listing(snapshots)}.",
            param="until",
        )
    return day, None


def _pairs(
    snapshots: dict[str, list[_Snap]], since: str | None, until: str | None, look_back: int
) -> list[_Pair]:
    """For each source, the snapshot before and the snapshot after to compare."""
    end, until_snapshot = _until(snapshots, until)
    pairs: list[_Pair] = []
    by_id = {s.id: s for snaps in snapshots.values() for s in snaps}
    since_snapshot = by_id.get(int(since)) if since and since.strip().isdigit() else None
    since_date = None if since is None or since_snapshot else _as_date(since, "since")
    if since is not None and since_snapshot is None and since_date is None:
        raise UsageError(
            f"since '{since}' names no snapshot and is not a date. Fix: give a snapshot "
            f"number or a date (YYYY-MM-DD); the snapshots are {_listing(snapshots)}.",
            param="since",
        )
    for source, snaps in snapshots.items():
        upto = [s for s in snaps if end is None or s.date <= end]
        if until_snapshot is not None and until_snapshot.source == source:
            upto = snaps[: snaps.index(until_snapshot) + 1]  # not a later one that day
        if not upto:
            continue
        after = upto[-1]
        if since_snapshot is not None:
            if since_snapshot.source == source and since_snapshot.id != after.id:
                pairs.append(_Pair(source, since_snapshot, after, since_snapshot.date))
            continue
        if since_date is not None:
            earlier = [s for s in upto if s.date <= since_date]
            before = earlier[-1] if earlier else None
            if before is not None and before.id == after.id:
                before = None
            pairs.append(_Pair(source, before, after, since_date))
            continue
        if len(upto) > 1:
            pairs.append(_Pair(source, upto[-2], after, upto[-2].date))
        else:  # one snapshot: its grants' own dates, looking back as far as the horizon ahead
            start = _add_months(date.fromisoformat(after.date), -look_back).isoformat()
            pairs.append(_Pair(source, None, after, start))
    return pairs


def _weekly_hours(props: dict[str, Any]) -> float | None:
    """Opening hours a week from a record's schedules, where they say them."""
    schedules = props.get("schedules")
    if not isinstance(schedules, list) or not schedules:
        return None
    total = 0.0
    for schedule in schedules:
        if not isinstance(schedule, dict):
            return None
        opens, closes = schedule.get("opens_at"), schedule.get("closes_at")
        try:
            hours = _clock(str(closes)) - _clock(str(opens))
        except ValueError:
            return None
        days = [d for d in str(schedule.get("byday") or "").split(",") if d.strip()]
        total += hours * (len(days) if days else _WEEKDAYS)
    return total


def _clock(text: str) -> float:
    hours, _, minutes = text.partition(":")
    return int(hours) + int(minutes[:2] or 0) / 60


def _area_of(graph: Graph, node: str) -> str:
    """The area a node is placed in: a location's, a service's building's, a grant's."""
    if node not in graph:
        return ""
    areas: set[str] = set()
    wanted = (str(EdgeType.IN_AREA), str(EdgeType.BENEFITS_AREA))
    for _, target, data in graph.out_edges(node, data=True):
        if data["type"] in wanted:
            areas.add(target)
        elif data["type"] == str(EdgeType.AT_LOCATION):
            areas |= {
                t for _, t, d in graph.out_edges(target, data=True) if d["type"] in wanted[:1]
            }
    return "; ".join(sorted(areas))


def _former_area(graph: Graph, places: Iterable[str]) -> str:
    """The areas of a thing no longer listed, from where its last snapshot put it."""
    areas: set[str] = set()
    for place in places:
        if place in graph and graph.nodes[place]["type"] == NodeType.AREA:
            areas.add(place)
        else:
            areas |= {a for a in _area_of(graph, place).split("; ") if a}
    return "; ".join(sorted(areas))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _name(props: dict[str, Any]) -> str:
    return str(props.get("name") or props.get("title") or "")


def _compare(
    pair: _Pair,
    before: dict[str, tuple[str, dict[str, Any]]],
    after: dict[str, tuple[str, dict[str, Any]]],
    moved_services: dict[str, tuple[set[str], set[str]]],
    names: dict[str, str],
) -> list[dict[str, Any]]:
    assert pair.before is not None
    rows: list[dict[str, Any]] = []
    was = f"snapshot {pair.before.id} ({pair.before.date})"
    now = f"snapshot {pair.after.id} ({pair.after.date})"

    def row(change: str, node: str, node_type: str, props: dict[str, Any], why: str) -> None:
        rows.append(
            {
                "change": change,
                "type": node_type,
                "id": node,
                "name": _name(props),
                "when": pair.after.date,
                "source": pair.source,
                "why": why,
                "amount": props.get("amount"),
            }
        )

    for node, (node_type, props) in after.items():
        if node_type == NodeType.AREA or node_type == NodeType.CONCEPT:
            continue
        old = before.get(node)
        if old is None:
            change = "funding-started" if node_type == NodeType.GRANT else "opened"
            state, evidence = lifecycle_of(props)
            if change == "opened" and state != "open":
                continue  # listed for the first time already closed: nothing opened
            row(change, node, node_type, props, f"listed in {now}, not in {was}")
            continue
        old_props = old[1]
        old_state, _ = lifecycle_of(old_props)
        state, evidence = lifecycle_of(props)
        if state != old_state:
            row(
                _STATE_CHANGE[state],
                node,
                node_type,
                props,
                f"{state} by {evidence} in {now}; {old_state} in {was}",
            )
        elif state == "open":
            hours_before, hours_after = _weekly_hours(old_props), _weekly_hours(props)
            if hours_before is not None and hours_after is not None and hours_after < hours_before:
                row(
                    "reduced",
                    node,
                    node_type,
                    props,
                    f"schedules: {count_of(hours_after, 'hour')} a week in {now}, "
                    f"{hours_before:g} in {was}",
                )
        if _name(old_props) and _name(props) and _name(old_props) != _name(props):
            row("renamed", node, node_type, props, f"was '{_name(old_props)}' in {was}")
        if node_type == NodeType.LOCATION:
            differ = [f for f in _MOVE_FIELDS if old_props.get(f) != props.get(f)]
            if differ and any(old_props.get(f) for f in differ):
                row(
                    "moved",
                    node,
                    node_type,
                    props,
                    "; ".join(f"{f} '{old_props.get(f)}' → '{props.get(f)}'" for f in differ)
                    + f" ({was} → {now})",
                )
        if node_type == NodeType.SERVICE and node in moved_services:
            old_at, new_at = moved_services[node]
            row(
                "moved",
                node,
                node_type,
                props,
                f"at {', '.join(names.get(x, x) for x in sorted(old_at))} in {was}; at "
                f"{', '.join(names.get(x, x) for x in sorted(new_at))} in {now}",
            )
        if node_type == NodeType.GRANT:
            differ = [f for f in _GRANT_FIELDS if old_props.get(f) != props.get(f)]
            if differ:
                row(
                    "changed",
                    node,
                    node_type,
                    props,
                    "; ".join(f"{f} {old_props.get(f)} → {props.get(f)}" for f in differ)
                    + f" ({was} → {now})",
                )
    for node, (node_type, props) in before.items():
        if node in after or node_type in (NodeType.AREA, NodeType.CONCEPT):
            continue
        if lifecycle_of(props)[0] == "closed":
            continue  # already closed by its status last time
        change = "funding-ended" if node_type == NodeType.GRANT else "closed"
        row(
            change,
            node,
            node_type,
            props,
            f"no longer listed by {pair.source} since {now}; listed in {was}",
        )
    return rows


def _grant_dates(
    graph: Graph, pairs: list[_Pair], horizon_months: int, reference: str
) -> list[dict[str, Any]]:
    """funding-ended and funding-ending, from the grants' own planned end dates."""
    windows = {p.source: (p.start, p.after.date) for p in pairs}
    recipients: dict[str, list[str]] = {}
    grant_of: dict[str, str] = {}
    for grant, recipient, data in graph.edges(data=True):
        if data["type"] == str(EdgeType.AWARDED_TO):
            recipients.setdefault(recipient, []).append(grant)
            grant_of[grant] = recipient
    funders: dict[str, set[str]] = {}
    for funder, grant, data in graph.edges(data=True):
        if data["type"] == str(EdgeType.AWARDS) and grant in grant_of:
            funders.setdefault(grant_of[grant], set()).add(funder)
        elif data["type"] == str(EdgeType.FUNDS):
            funders.setdefault(grant, set()).add(funder)
    horizon_end = _add_months(date.fromisoformat(reference), horizon_months).isoformat()
    rows: list[dict[str, Any]] = []
    for node, data in graph.nodes(data=True):
        if data["type"] != NodeType.GRANT:
            continue
        end = data.get("planned_end")
        if not isinstance(end, str):
            continue
        grant_sources = [s for s in data["sources"] if s in windows]
        if not grant_sources:
            continue
        source = grant_sources[0]
        start, stop = windows[source]
        base = {
            "type": data["type"],
            "id": node,
            "name": _name(data),
            "source": source,
            "when": end,
            "amount": data.get("amount"),
        }
        if start < end <= stop:
            rows.append(
                {**base, "change": "funding-ended", "why": f"planned end {end}, after {start}"}
            )
        elif reference < end <= horizon_end:
            recipient = grant_of.get(node, "")
            later = [
                g
                for g in recipients.get(recipient, [])
                if g != node and str(graph.nodes[g].get("planned_end") or "") > end
            ]
            if later:
                continue
            who = graph.nodes[recipient].get("name", recipient) if recipient else "no recipient"
            why = (
                f"planned end {end}, within {horizon_months} months of {reference}; "
                f"no later grant to {who} from any funder"
            )
            if recipient and len(funders.get(recipient, set())) == 1:
                (funder,) = funders[recipient]
                why += f"; {graph.nodes[funder].get('name', funder)} is {who}'s only funder"
            rows.append({**base, "change": "funding-ending", "why": why})
    return rows


@register_query(needs_workspace=True)
def changes(
    workspace: Workspace | History,
    *,
    since: str | None = None,
    until: str | None = None,
    type: list[str] | None = None,
    horizon_months: int = 12,
    within: Scope | str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """What opened, closed, moved, was reduced or lost its funding, between snapshots.

    Parameters
    ----------
    since
        A snapshot number, or a date (YYYY-MM-DD): compare with each source's last
        snapshot on or before it. Default: each source's last two snapshots.
    until
        A snapshot number, or a date (YYYY-MM-DD): compare up to each source's last
        snapshot on or before it (a snapshot's own source up to that snapshot).
    type
        Only these node types (Service, Organization, Location, Grant...).
    horizon_months
        funding-ending: grants whose planned end falls within this many months.
    within
        The study area: areas by GSS code or name (repeatable). Only changes placed
        in it (by their area, or for a thing no longer listed where its last snapshot
        put it); default: every change, placed or not.

    Returns
    -------
    pandas.DataFrame
        ``change, type, id, name, area, when, source, why``; ``change`` is one of
        :data:`CHANGE_KINDS`. With one snapshot and no dated grants, no rows and
        ``attrs["note"]`` says there is nothing to compare.

    Raises
    ------
    UsageError
        ``since`` or ``until`` names no snapshot and is not a date (the message lists
        the snapshots).

    Examples
    --------
    >>> from civicgraph.graph._examples import two_snapshots
    >>> ws = two_snapshots()  # 2025-01-01: Lunch club, Youth club; 06-01: Lunch club, Warm space
    >>> [(r.change, r.name, r.when) for r in changes(ws).itertuples()]
    [('opened', 'Warm space', '2025-06-01'), ('closed', 'Youth club', '2025-06-01')]
    """
    rows, graph, nothing_to_compare = change_rows(
        workspace, since=since, until=until, types=type, horizon_months=horizon_months
    )
    rows, scope = scoped_rows(graph, rows, within)
    table = pd.DataFrame(rows, columns=COLUMNS)
    if table.empty and nothing_to_compare:
        table.attrs["note"] = (
            "nothing to compare: each source has one snapshot and no grant has a planned end "
            "in the window. Fix: ingest a source again (--snapshot-date for an older file)."
        )
    elif scope is not None:
        table.attrs["note"] = f"note: changes placed in {scope.describe()}"
    if scope is not None:
        table.attrs["scope"] = scope.describe()
        table.attrs["scope_detail"] = scope.as_dict()
    return table


def scoped_rows(
    graph: Graph,
    rows: list[dict[str, Any]],
    within: Scope | str | Sequence[str] | None,
) -> tuple[list[dict[str, Any]], Scope | None]:
    """The change rows placed in ``within`` (each row's ``area`` cut to the areas inside).

    With no ``within`` (``None`` or empty), every row and ``None``.
    """
    if within is None or not (isinstance(within, str | Scope) or any(within)):
        return rows, None
    scope = resolve_scope(graph, within)
    kept = []
    for row in rows:
        inside = [a for a in str(row["area"]).split("; ") if a in scope.members]
        if inside:
            kept.append({**row, "area": "; ".join(inside)})
    return kept, scope


def change_rows(
    workspace: Workspace | History,
    *,
    since: str | None = None,
    until: str | None = None,
    types: list[str] | None = None,
    horizon_months: int = 12,
) -> tuple[list[dict[str, Any]], Graph, bool]:
    """The rows of :func:`changes` with ``amount`` and ``was_at`` (former buildings) kept.

    ``workspace``: the workspace, or a :class:`~civicgraph.graph.history.History`
    read from elsewhere (the Cypher twins read it from Neo4j). Returns the rows
    (sorted), the current graph, and whether no source had two snapshots to compare.
    """
    if horizon_months < 0:
        raise UsageError(
            f"horizon_months must be 0 or more, not {horizon_months}.", param="horizon_months"
        )
    history = workspace if isinstance(workspace, History) else workspace_history(workspace)
    pairs = _pairs(history.snapshots, since, until, horizon_months)
    graph = history.graph
    names = {n: _name(d) for n, d in graph.nodes(data=True)}
    rows: list[dict[str, Any]] = []
    for pair in pairs:
        if pair.before is None:
            continue
        was, now = history.read(pair.before), history.read(pair.after)
        old_at = was.places[EdgeType.AT_LOCATION]
        new_at = now.places[EdgeType.AT_LOCATION]
        # Where a thing no longer listed was: its buildings, or the areas it was placed in.
        old_places = {**old_at}
        for edge_type in (EdgeType.IN_AREA, EdgeType.BENEFITS_AREA):
            for node, areas in was.places[edge_type].items():
                old_places[node] = old_places.get(node, set()) | areas
        moved = {
            s: (old_at[s], new_at[s])
            for s in new_at
            if s in old_at and old_at[s] and new_at[s] and old_at[s] != new_at[s]
        }
        for found in _compare(pair, was.facts, now.facts, moved, names):
            found["was_at"] = sorted(old_places.get(found["id"], ()))
            rows.append(found)
    reference = _until(history.snapshots, until)[0] or max(
        (p.after.date for p in pairs), default=date.today().isoformat()
    )
    rows.extend(_grant_dates(graph, pairs, horizon_months, reference))
    wanted = {t.strip().lower() for t in types or () if t.strip()}
    if wanted:
        known = {str(t).lower() for t in NodeType}
        unknown = sorted(wanted - known)
        if unknown:
            raise UsageError(
                f"type '{unknown[0]}' is not a node type. Fix: use one of "
                f"{', '.join(str(t) for t in NodeType)}.",
                param="type",
            )
        rows = [r for r in rows if str(r["type"]).lower() in wanted]
    for r in rows:
        r["type"] = str(r["type"])
        r["area"] = _area_of(graph, r["id"]) or _former_area(graph, r.get("was_at", ()))
    order = {c: i for i, c in enumerate(CHANGE_KINDS)}
    rows.sort(key=lambda r: (r["source"], r["when"], order[r["change"]], r["type"], r["id"]))
    return rows, graph, all(p.before is None for p in pairs)
