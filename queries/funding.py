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

__all__ = ["finish_dependency", "finish_funders", "funders", "funding_dependency"]

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
    aggregates: list[dict[str, Any]] = []
    for node, data in graph.nodes(data=True):
        if data["type"] != NodeType.ORGANIZATION:
            continue
        grants = _grants_of(graph, node)
        funded = _targets(graph, node, EdgeType.FUNDS)
        if not grants and not funded:
            continue
        total = mapped = deprived = 0.0
        other_currency = 0
        recipients: set[str] = set()
        areas: set[str] = set()
        for grant in grants:
            attrs = graph.nodes[grant]
            raw = attrs.get("amount")
            amount = float(raw) if isinstance(raw, int | float) else None
            if amount is not None and attrs.get("currency", currency) != currency:
                other_currency += 1
                amount = None
            recipients.update(_targets(graph, grant, EdgeType.AWARDED_TO))
            benefited = _targets(graph, grant, EdgeType.BENEFITS_AREA)
            areas.update(benefited)
            deciles = [graph.nodes[a].get("imd_decile") for a in benefited]
            deciles = [d for d in deciles if isinstance(d, int)]
            if amount is not None:
                total += amount
                if deciles:  # the grant's money split evenly over the areas it benefits
                    mapped += amount
                    deprived += amount * sum(1 for d in deciles if d == 1) / len(deciles)
        aggregates.append(
            {
                "funder": node,
                "name": _name(graph, node),
                "grants": len(grants),
                "total": total,
                "other_currency": other_currency,
                "recipients": len(recipients),
                "areas": len(areas),
                "funded_by_statement": len(funded),
                "mapped": mapped,
                "deprived": deprived,
            }
        )
    return finish_funders(aggregates, currency=currency, min_grants=min_grants)


FUNDER_COLUMNS = [
    "funder", "name", "grants", "total", "currency", "recipients", "areas",
    "funded_by_statement", "share_most_deprived", "why",
]  # fmt: skip


def finish_funders(
    aggregates: list[dict[str, Any]], *, currency: str, min_grants: int
) -> pd.DataFrame:
    """The ``funders`` rows from per-funder totals (shared with the query's Cypher twin)."""
    rows: list[dict[str, Any]] = []
    for a in aggregates:
        if a["grants"] < min_grants:
            continue
        share = a["deprived"] / a["mapped"] if a["mapped"] else None
        why = (
            f"{a['grants']} grants totalling {_money(a['total'], currency)} to "
            f"{a['recipients']} recipients"
        )
        if a["areas"]:
            why += f" in {a['areas']} areas"
        if share is not None:
            why += (
                f"; {share:.0%} of the money reaching areas with an IMD decile goes "
                "to the most deprived 10%"
            )
        if a["funded_by_statement"]:
            why += f"; a directory says it funds {a['funded_by_statement']} more"
        if a["other_currency"]:
            why += f"; {a['other_currency']} grants in other currencies not summed"
        rows.append(
            {
                **{k: a[k] for k in ("funder", "name", "grants")},
                "total": round(a["total"], 2),  # money: no float noise in the output
                "currency": currency,
                **{k: a[k] for k in ("recipients", "areas", "funded_by_statement")},
                "share_most_deprived": share,
                "why": why,
            }
        )
    frame = pd.DataFrame(rows, columns=FUNDER_COLUMNS)
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
                    providers = sorted(
                        u
                        for u, _, d in graph.in_edges(target, data=True)
                        if d["type"] == EdgeType.PROVIDES
                    )
                    if not providers:
                        continue
                    owner = providers[0]
                if owner != node:
                    stated[owner].add(node)
    mentioned = set(money) | set(stated)
    mentioned |= {f for by_funder in money.values() for f in by_funder}
    mentioned |= {f for funders_of in stated.values() for f in funders_of}
    names = {n: _name(graph, n) for n in mentioned}
    return finish_dependency(money, grants, stated, names, threshold=threshold, currency=currency)


DEPENDENCY_COLUMNS = [
    "organization", "name", "funders", "grants", "total", "hhi", "basis",
    "top_funder", "top_share", "depends_on_one_funder", "why",
]  # fmt: skip


def finish_dependency(
    money: dict[str, dict[str, float]],
    grants: dict[str, int],
    stated: dict[str, set[str]],
    names: dict[str, str],
    *,
    threshold: float,
    currency: str,
) -> pd.DataFrame:
    """The ``funding-dependency`` rows from money by (recipient, funder) (shared with the twin)."""
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
        if basis == "amounts":
            why = (
                f"{shares[top]:.0%} of {_money(total, currency)} in {grants.get(organisation, 0)} "
                f"grants comes from {names.get(top, top)}; {len(by_funder)} funders, HHI {hhi:.2f}"
            )
        else:
            why = (
                f"funded by {len(shares)} funders according to funding statements or grants "
                "without amounts"
            )
        rows.append(
            {
                "organization": organisation,
                "name": names.get(organisation, organisation),
                "funders": "; ".join(sorted({names.get(f, f) for f in named})),
                "grants": grants.get(organisation, 0),
                "total": round(total, 2),
                "hhi": hhi,
                "basis": basis,
                "top_funder": top,
                "top_share": shares[top],
                "depends_on_one_funder": hhi >= threshold,
                "why": why,
            }
        )
    frame = pd.DataFrame(rows, columns=DEPENDENCY_COLUMNS)
    return frame.sort_values(
        ["hhi", "total", "organization"], ascending=[False, False, True], ignore_index=True
    )
