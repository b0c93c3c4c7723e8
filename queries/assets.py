"""Community control of assets: who owns the buildings, what is listed, what could transfer.

An *asset* is a location whose source says who owns it or what protects it:
an ``ownership``, ``owner``, Asset of Community Value listing, moratorium or
asset transfer (``ingest assets``). It is **community controlled** when its
ownership is ``community`` or ``charity`` or an asset transfer is recorded.
A **transfer candidate** is a council-owned asset that community
organisations (charities, community groups, social enterprises, clubs and
trusts, by their kind or their charity number) use: they deliver services
there, operate it, or run activities in it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import pandas as pd

from ..errors import UsageError
from ..graph import Graph
from ..graph.scope import Scope
from ..ontology import EdgeType, NodeType
from ._index import GraphIndex, count_of, short_list
from ._registry import register_query
from .activities import area_at_level, areas_within, location_areas

__all__ = ["assets", "is_community_organisation"]

ASSET_COLUMNS = [
    "id",
    "name",
    "kind",
    "owner",
    "ownership",
    "community_controlled",
    "acv_listed",
    "acv_expires",
    "acv_status",
    "moratorium_end",
    "asset_transfer_date",
    "used_by",
    "transfer_candidate",
    "area",
    "why",
]
AREA_COLUMNS = [
    "area",
    "name",
    "level",
    "assets",
    "community_controlled",
    "community_share",
    "acv_listed",
    "transfer_candidates",
    "why",
]
COMMUNITY_CONTROLLED = frozenset({"community", "charity"})
_ASSET_PROPS = (
    "ownership",
    "owner",
    "acv_listed",
    "acv_expires",
    "moratorium_start",
    "moratorium_end",
    "asset_transfer",
    "asset_transfer_date",
)
_COMMUNITY_KIND = re.compile(
    r"charit|communit|voluntary|social enterprise|\bcic\b|\bcio\b|trust|church|faith|club|"
    r"association|mutual|co-?op",
    re.IGNORECASE,
)
_CHARITY_REGISTERS = ("GB-CHC-", "GB-SC-", "GB-NIC-", "GB-MPR-")


def is_community_organisation(data: dict[str, Any]) -> bool:
    """Whether an organisation is a community organisation, by its kind or its registers.

    Examples
    --------
    >>> [is_community_organisation({"kind": k}) for k in ("charity", "council")]
    [True, False]
    >>> is_community_organisation({"org_ids": ["GB-CHC-1122334"]})
    True
    """
    kind = str(data.get("kind") or "")
    if re.search(r"council|local authority|nhs|government", kind, re.IGNORECASE):
        return False
    if _COMMUNITY_KIND.search(kind):
        return True
    return any(str(i).startswith(_CHARITY_REGISTERS) for i in data.get("org_ids") or [])


def _months_on(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _users(lookup: GraphIndex) -> dict[str, dict[str, set[str]]]:
    """``{location: {organisation: {how it uses it}}}``: services, sites and activities."""
    graph = lookup.graph
    users: dict[str, dict[str, set[str]]] = {}
    providers = lookup.providers
    for service, location, _ in lookup.edges(EdgeType.AT_LOCATION):
        organisation = providers.get(service)
        if organisation and organisation != service:
            users.setdefault(location, {}).setdefault(organisation, set()).add(
                f"service {lookup.name(service)}"
            )
    for organisation, location, _ in lookup.edges(EdgeType.OPERATES):
        users.setdefault(location, {}).setdefault(organisation, set()).add("operates it")
    runners: dict[str, list[str]] = {}
    for organisation, activity, _ in lookup.edges(EdgeType.RUNS):
        runners.setdefault(activity, []).append(organisation)
    for activity, location, _ in lookup.edges(EdgeType.HAPPENS_AT):
        for organisation in runners.get(activity, []):
            users.setdefault(location, {}).setdefault(organisation, set()).add(
                f"activity {graph.nodes[activity].get('name') or activity}"
            )
    return users


@register_query
def assets(
    graph: Graph,
    *,
    within: Scope | str | Sequence[str] | None = None,
    expiring_within_months: int | None = None,
    by: Literal["asset", "area"] = "asset",
    level: Literal["lsoa", "msoa", "ward", "lad"] = "lsoa",
    as_of: str | None = None,
) -> pd.DataFrame:
    """Who owns each asset, whether the community controls it, its ACV listing, who uses it.

    Example:
      civicgraph query assets --expiring-within-months 12

    Parameters
    ----------
    graph
        The analysis graph.
    within
        Only assets placed in these areas or areas inside them (GSS codes or names, any
        level, repeatable; see ``civicgraph.graph.scope``).
    expiring_within_months
        Only assets whose Asset of Community Value listing ends within this many
        months of ``as_of`` (and has not ended yet).
    by
        ``asset``: one row per asset; ``area``: each area's share of community-controlled
        assets, at ``level``.
    level
        The level of the areas for ``by area``.
    as_of
        The day the listings are judged on (YYYY-MM-DD; default today).

    Returns
    -------
    DataFrame
        By asset: ``id``, ``name``, ``kind``, ``owner``, ``ownership``,
        ``community_controlled``, ``acv_listed``, ``acv_expires``, ``acv_status``
        (listed, ended or not listed), ``moratorium_end``, ``asset_transfer_date``,
        ``used_by`` (the organisations that deliver services, operate or run
        activities there), ``transfer_candidate`` (council-owned and used by community
        organisations), ``area``, ``why``. By area: ``area``, ``name``, ``level``,
        ``assets``, ``community_controlled``, ``community_share``, ``acv_listed``,
        ``transfer_candidates``, ``why``.

    Raises
    ------
    UsageError
        ``as_of`` is not a date, or ``within`` is not an area.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("l1", type="Location", name="Old Library", ownership="council")
    >>> g.add_node("o1", type="Organization", name="Hope Trust", kind="charity")
    >>> g.add_node("s1", type="Service", name="Lunch club")
    >>> _ = g.add_edge("o1", "s1", key="PROVIDES", type="PROVIDES")
    >>> _ = g.add_edge("s1", "l1", key="AT_LOCATION", type="AT_LOCATION")
    >>> row = assets(g, as_of="2025-01-01").iloc[0]
    >>> row["used_by"], bool(row["transfer_candidate"]), bool(row["community_controlled"])
    (['Hope Trust'], True, False)
    """
    today = _date(as_of) if as_of else date.today()
    if today is None:
        raise UsageError(
            f"`as_of` '{as_of}' is not a date. Fix: write it as YYYY-MM-DD.", param="as_of"
        )
    lookup = GraphIndex(graph)
    allowed = areas_within(lookup, within)
    placed = location_areas(lookup)
    users = _users(lookup)
    horizon = (
        _months_on(today, expiring_within_months) if expiring_within_months is not None else None
    )
    rows: list[dict[str, Any]] = []
    for node in lookup.nodes(NodeType.LOCATION.value):
        data = graph.nodes[node]
        if not any(data.get(p) not in (None, "") for p in _ASSET_PROPS):
            continue
        areas = sorted(placed.get(node, ()))
        if allowed is not None and not allowed.intersection(areas):
            continue
        ownership = str(data.get("ownership") or "")
        transferred = bool(data.get("asset_transfer") or data.get("asset_transfer_date"))
        controlled = ownership in COMMUNITY_CONTROLLED or transferred
        listed, expires = _date(data.get("acv_listed")), _date(data.get("acv_expires"))
        if expires is None:
            status = "not listed" if listed is None else "listed"
        else:
            status = "listed" if expires >= today else "ended"
        if horizon is not None and not (expires and today <= expires <= horizon):
            continue
        using = users.get(node, {})
        community_users = [o for o in using if is_community_organisation(graph.nodes[o])]
        candidate = ownership == "council" and bool(community_users)
        why = [
            f"{ownership or 'ownership unknown'}"
            + (f" ({data['owner']})" if data.get("owner") else "")
        ]
        if transferred:
            why.append(
                "transferred to the community"
                + (f" on {data['asset_transfer_date']}" if data.get("asset_transfer_date") else "")
            )
        if listed or expires:
            basis = data.get("acv_expiry_basis")
            why.append(
                f"Asset of Community Value listed {listed or 'on an unknown date'}, "
                f"{'ends' if status == 'listed' else 'ended'} {expires or 'unknown'}"
                + (f" ({basis})" if basis else "")
            )
        if data.get("moratorium_end"):
            why.append(f"moratorium on sale until {data['moratorium_end']}")
        if using:
            why.append(
                "used by "
                + short_list(
                    f"{lookup.name(o)} ({', '.join(sorted(how)[:2])})" for o, how in using.items()
                )
            )
        if candidate:
            why.append(
                f"transfer candidate: council-owned and used by "
                f"{count_of(len(community_users), 'community organisation')}"
            )
        rows.append(
            {
                "id": node,
                "name": data.get("name") or "",
                "kind": data.get("facility_kind") or "",
                "owner": data.get("owner") or "",
                "ownership": ownership,
                "community_controlled": controlled,
                "acv_listed": listed.isoformat() if listed else None,
                "acv_expires": expires.isoformat() if expires else None,
                "acv_status": status,
                "moratorium_end": data.get("moratorium_end"),
                "asset_transfer_date": data.get("asset_transfer_date"),
                "used_by": sorted(lookup.name(o) for o in using),
                "transfer_candidate": candidate,
                "area": "; ".join(areas),
                "why": "; ".join(why),
            }
        )
    frame = pd.DataFrame(rows, columns=ASSET_COLUMNS)
    frame = frame.sort_values(["name", "id"], kind="stable").reset_index(drop=True)
    if by == "asset":
        return frame
    return _by_area(lookup, frame, level)


def _by_area(lookup: GraphIndex, frame: pd.DataFrame, level: str) -> pd.DataFrame:
    groups: dict[str, list[dict[Any, Any]]] = {}
    for row in frame.to_dict("records"):
        homes = {
            found
            for area in str(row["area"]).split("; ")
            if area and (found := area_at_level(lookup, area, level))
        }
        for home in homes or {""}:
            groups.setdefault(home, []).append(row)
    rows = []
    for area, members in groups.items():
        controlled = sum(1 for m in members if m["community_controlled"])
        listed = sum(1 for m in members if m["acv_status"] == "listed")
        candidates = sum(1 for m in members if m["transfer_candidate"])
        share = controlled / len(members)
        rows.append(
            {
                "area": area or None,
                "name": lookup.name(area) if area else "(not placed)",
                "level": level if area else "",
                "assets": len(members),
                "community_controlled": controlled,
                "community_share": round(share, 3),
                "acv_listed": listed,
                "transfer_candidates": candidates,
                "why": f"{controlled} of {count_of(len(members), 'asset')} community controlled "
                f"({share:.0%}); {listed} listed as Assets of Community Value; "
                f"{count_of(candidates, 'transfer candidate')}",
            }
        )
    result = pd.DataFrame(rows, columns=AREA_COLUMNS)
    return result.sort_values(
        ["community_share", "assets", "area"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
