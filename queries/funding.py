"""Who pays for what: funders, and how much each organisation depends on one funder.

Money comes from 360Giving grants (``AWARDS`` → ``Grant`` → ``AWARDED_TO``,
with ``amount`` and ``currency``); directories add ``FUNDS`` edges, which say
who funds whom without saying how much.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from ..graph import Graph
from ..ontology import EdgeType, NodeType
from ._registry import register_query

__all__ = ["funders", "funding_dependency"]

_CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}


def _money(amount: float, currency: str) -> str:
    sign = _CURRENCY_SIGNS.get(currency)
    return f"{sign}{amount:,.0f}" if sign else f"{amount:,.0f} {currency}"


def _name(graph: Graph, node: str) -> str:
    return str(graph.nodes[node].get("name") or graph.nodes[node].get("title") or node)


def _grants_of(graph: Graph, funder: str) -> list[str]:
    return [
        g
        for _, g, data in graph.out_edges(funder, data=True)
        if data["type"] == EdgeType.AWARDS and graph.nodes[g]["type"] == NodeType.GRANT
    ]


def _targets(graph: Graph, node: str, edge_type: EdgeType) -> list[str]:
    return [v for _, v, data in graph.out_edges(node, data=True) if data["type"] == edge_type]


@register_query
def funders(graph: Graph, *, currency: str = "GBP", min_grants: int = 0) -> pd.DataFrame:
    """Funders: their grants, money, recipients and areas, and how much goes to the most deprived.

    Parameters
    ----------
    graph
        The analysis graph.
    currency
        Count money in this currency; grants in others are counted but not summed.
    min_grants
        Leave out funders with fewer grants than this.

    Returns
    -------
    DataFrame
        One row per funder: ``funder``, ``name``, ``grants``, ``total``, ``currency``,
        ``recipients``, ``areas``, ``funded_by_statement`` (organisations and services a
        directory says it funds), ``share_most_deprived`` (of its money that reaches
        areas with an IMD decile, the share in decile 1; empty until areas with
        deprivation are ingested) and ``why``. Largest total first.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("F", type="Organization", name="A Trust")
    >>> g.add_node("R", type="Organization", name="Food Bank")
    >>> g.add_node("A1", type="Area", imd_decile=1)
    >>> g.add_node("G1", type="Grant", amount=3000.0, currency="GBP")
    >>> edges = [("F", "G1", "AWARDS"), ("G1", "R", "AWARDED_TO"), ("G1", "A1", "BENEFITS_AREA")]
    >>> for u, v, t in edges:
    ...     _ = g.add_edge(u, v, type=t)
    >>> funders(g)[["name", "grants", "total", "share_most_deprived"]].values.tolist()
    [['A Trust', 1, 3000.0, 1.0]]
    """
    rows: list[dict[str, Any]] = []
    for node, data in graph.nodes(data=True):
        if data["type"] != NodeType.ORGANIZATION:
            continue
        grants = _grants_of(graph, node)
        funded = _targets(graph, node, EdgeType.FUNDS)
        if not grants and not funded:
            continue
        if len(grants) < min_grants:
            continue
        total = 0.0
        other_currency = 0
        recipients: set[str] = set()
        areas: set[str] = set()
        deprived = mapped = 0.0
        for grant in grants:
            attrs = graph.nodes[grant]
            raw = attrs.get("amount")
            amount = float(raw) if isinstance(raw, int | float) else None
            if amount is not None and attrs.get("currency", currency) != currency:
                other_currency += 1
                amount = None
            if amount is not None:
                total += amount
            recipients.update(_targets(graph, grant, EdgeType.AWARDED_TO))
            benefited = _targets(graph, grant, EdgeType.BENEFITS_AREA)
            areas.update(benefited)
            deciles = [graph.nodes[a].get("imd_decile") for a in benefited]
            deciles = [d for d in deciles if isinstance(d, int)]
            if amount is not None and deciles:
                share = amount / len(deciles)  # the grant's money split over its areas
                mapped += share * len(deciles)
                deprived += share * sum(1 for d in deciles if d == 1)
        share_deprived = deprived / mapped if mapped else None
        why = (
            f"{len(grants)} grants totalling {_money(total, currency)} to "
            f"{len(recipients)} recipients"
        )
        if areas:
            why += f" in {len(areas)} areas"
        if share_deprived is not None:
            why += (
                f"; {share_deprived:.0%} of the money reaching areas with an IMD decile goes "
                "to the most deprived 10%"
            )
        if funded:
            why += f"; a directory says it funds {len(funded)} more"
        if other_currency:
            why += f"; {other_currency} grants in other currencies not summed"
        rows.append(
            {
                "funder": node,
                "name": _name(graph, node),
                "grants": len(grants),
                "total": total,
                "currency": currency,
                "recipients": len(recipients),
                "areas": len(areas),
                "funded_by_statement": len(funded),
                "share_most_deprived": share_deprived,
                "why": why,
            }
        )
    columns = ["funder", "name", "grants", "total", "currency", "recipients", "areas",
               "funded_by_statement", "share_most_deprived", "why"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["total", "grants", "funder"], ascending=[False, False, True], ignore_index=True
    )


@register_query(name="funding-dependency")
def funding_dependency(
    graph: Graph, *, threshold: float = 0.5, currency: str = "GBP"
) -> pd.DataFrame:
    """Organisations' funders and how concentrated their funding is (Herfindahl-Hirschman).

    Parameters
    ----------
    graph
        The analysis graph.
    threshold
        Flag organisations whose funding concentration (HHI, 0 to 1) is at least this:
        0.5 means, for example, one funder giving about 70% of the money.
    currency
        Count money in this currency.

    Returns
    -------
    DataFrame
        One row per funded organisation: ``organization``, ``name``, ``funders`` (names),
        ``grants``, ``total``, ``hhi``, ``basis`` ("amounts" when grants give amounts,
        "funder count" when only funding statements say who funds it), ``top_funder``,
        ``top_share``, ``depends_on_one_funder`` and ``why``. Most concentrated first.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for n, kind in [("F1", "Organization"), ("F2", "Organization"), ("R", "Organization")]:
    ...     g.add_node(n, type=kind, name=n)
    >>> for grant, funder, amount in [("G1", "F1", 900.0), ("G2", "F2", 100.0)]:
    ...     g.add_node(grant, type="Grant", amount=amount, currency="GBP")
    ...     _ = g.add_edge(funder, grant, type="AWARDS")
    ...     _ = g.add_edge(grant, "R", type="AWARDED_TO")
    >>> row = funding_dependency(g).iloc[0]
    >>> row["organization"], round(float(row["hhi"]), 2), row["top_funder"]
    ('R', 0.82, 'F1')
    >>> bool(row["depends_on_one_funder"])
    True
    """
    money: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    grants: dict[str, int] = defaultdict(int)
    stated: dict[str, set[str]] = defaultdict(set)
    for node, data in graph.nodes(data=True):
        if data["type"] == NodeType.GRANT:
            amount = data.get("amount")
            if not isinstance(amount, int | float) or data.get("currency", currency) != currency:
                continue
            funders_of = [
                u for u, _, d in graph.in_edges(node, data=True) if d["type"] == EdgeType.AWARDS
            ]
            for recipient in _targets(graph, node, EdgeType.AWARDED_TO):
                grants[recipient] += 1
                for funder in funders_of:
                    money[recipient][funder] += float(amount) / len(funders_of)
        elif data["type"] == NodeType.ORGANIZATION:
            for target in _targets(graph, node, EdgeType.FUNDS):
                owner = target
                if graph.nodes[target]["type"] == NodeType.SERVICE:
                    providers = [
                        u
                        for u, _, d in graph.in_edges(target, data=True)
                        if d["type"] == EdgeType.PROVIDES
                    ]
                    if not providers:
                        continue
                    owner = providers[0]
                if owner != node:
                    stated[owner].add(node)
    rows: list[dict[str, Any]] = []
    for organisation in set(money) | set(stated):
        by_funder = money.get(organisation, {})
        total = sum(by_funder.values())
        named = set(by_funder) | stated.get(organisation, set())
        if total > 0:
            shares = {f: a / total for f, a in by_funder.items()}
            basis = "amounts"
        elif named:
            shares = {f: 1 / len(named) for f in named}
            basis = "funder count"
        else:
            continue
        hhi = sum(s * s for s in shares.values())
        top = max(shares, key=lambda f: (shares[f], f))
        all_funders = sorted(
            {_name(graph, f) for f in set(shares) | stated.get(organisation, set())}
        )
        if basis == "amounts":
            why = (
                f"{shares[top]:.0%} of {_money(total, currency)} in {grants[organisation]} grants "
                f"comes from {_name(graph, top)}; {len(by_funder)} funders, HHI {hhi:.2f}"
            )
        else:
            why = (
                f"funded by {len(shares)} funders according to funding statements or grants "
                "without amounts"
            )
        rows.append(
            {
                "organization": organisation,
                "name": _name(graph, organisation),
                "funders": "; ".join(all_funders),
                "grants": grants.get(organisation, 0),
                "total": total,
                "hhi": hhi,
                "basis": basis,
                "top_funder": top,
                "top_share": shares[top],
                "depends_on_one_funder": hhi >= threshold,
                "why": why,
            }
        )
    columns = ["organization", "name", "funders", "grants", "total", "hhi", "basis",
               "top_funder", "top_share", "depends_on_one_funder", "why"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["hhi", "total", "organization"], ascending=[False, False, True], ignore_index=True
    )
