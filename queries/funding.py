"""Who pays for what: funders, and how much each organisation depends on one funder.

Money comes from 360Giving grants (``AWARDS`` → ``Grant`` → ``AWARDED_TO``,
with ``amount`` and ``currency``); directories add ``FUNDS`` edges, which say
who funds whom without saying how much.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..graph import Graph
from ..graph.scope import Scope, resolve_scope
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
def funders(
    graph: Graph,
    *,
    currency: str | None = None,
    min_grants: int = 0,
    within: Scope | str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Funders: their grants, money, recipients and areas, and how much goes to the most deprived.

    Money is only ever given in the currency the grants state: a funder whose grants are
    in one currency has that ``total`` and ``currency``; one with grants in several has
    each currency's figure in ``totals`` and no single ``total`` (pounds are never added
    to dollars); one whose grants record no money says so, with no total and no currency.

    Parameters
    ----------
    graph
        The analysis graph.
    currency
        Count only money in this currency (ISO 4217 code); grants in others are counted
        but not summed. Default: every currency, each on its own.
    min_grants
        Leave out funders with fewer grants than this.
    within
        Count in ``areas`` and ``share_most_deprived`` only the benefiting areas inside
        this study area (GSS codes or names of any level, or a ``Scope``); grants, money
        and recipients stay the funder's whole. Default: every area.

    Returns
    -------
    DataFrame
        One row per funder: ``funder``, ``name``, ``grants``, ``total`` and ``currency``
        (empty when no money, or money in several currencies), ``totals`` (each
        currency's figure, "£3,000; $500"), ``recipients``, ``areas``,
        ``funded_by_statement`` (organisations and services a directory says it funds),
        ``share_most_deprived`` (of its money in ``currency`` that reaches areas with an
        IMD decile, the share in decile 1; empty until areas with deprivation are
        ingested) and ``why``. Largest total first.

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
    >>> funders(g)[["name", "grants", "total", "currency", "share_most_deprived"]].values.tolist()
    [['A Trust', 1, 3000.0, 'GBP', 1.0]]
    """
    scope = resolve_scope(graph, within, require_placed=False) if within else None
    aggregates: list[dict[str, Any]] = []
    for node, data in graph.nodes(data=True):
        if data["type"] != NodeType.ORGANIZATION:
            continue
        grants = _grants_of(graph, node)
        funded = _targets(graph, node, EdgeType.FUNDS)
        if not grants and not funded:
            continue
        money: dict[str, dict[str, float]] = {}
        recipients: set[str] = set()
        areas: set[str] = set()
        for grant in grants:
            attrs = graph.nodes[grant]
            recipients.update(_targets(graph, grant, EdgeType.AWARDED_TO))
            benefited = _targets(graph, grant, EdgeType.BENEFITS_AREA)
            if scope is not None:
                benefited = [a for a in benefited if a in scope.members]
            areas.update(benefited)
            raw = attrs.get("amount")
            if not isinstance(raw, int | float):
                continue
            amount = float(raw)
            bucket = money.setdefault(
                str(attrs.get("currency") or ""),
                {"grants": 0, "total": 0.0, "mapped": 0.0, "deprived": 0.0},
            )
            bucket["grants"] += 1
            bucket["total"] += amount
            deciles = [graph.nodes[a].get("imd_decile") for a in benefited]
            deciles = [d for d in deciles if isinstance(d, int)]
            if deciles:  # the grant's money split evenly over the areas it benefits
                bucket["mapped"] += amount
                bucket["deprived"] += amount * sum(1 for d in deciles if d == 1) / len(deciles)
        aggregates.append(
            {
                "funder": node,
                "name": _name(graph, node),
                "grants": len(grants),
                "money": [{"currency": c, **b} for c, b in money.items()],
                "recipients": len(recipients),
                "areas": len(areas),
                "funded_by_statement": len(funded),
            }
        )
    frame = finish_funders(aggregates, currency=currency, min_grants=min_grants)
    if scope is not None:
        frame["why"] = frame["why"] + f" [areas counted within the {scope.describe()}]"
        frame.attrs["scope"] = scope.describe()
        frame.attrs["scope_detail"] = scope.as_dict()
    return frame


FUNDER_COLUMNS = [
    "funder", "name", "grants", "total", "currency", "totals", "recipients", "areas",
    "funded_by_statement", "share_most_deprived", "why",
]  # fmt: skip


def _figures(money: list[dict[str, Any]]) -> str:
    return "; ".join(
        _money(m["total"], m["currency"])
        if m["currency"]
        else f"{m['total']:,.0f} (currency not stated)"
        for m in sorted(money, key=lambda m: (-m["total"], m["currency"]))
    )


def finish_funders(
    aggregates: list[dict[str, Any]], *, currency: str | None, min_grants: int
) -> pd.DataFrame:
    """The ``funders`` rows from per-funder, per-currency totals (shared with the Cypher twin).

    Each aggregate's ``money`` lists, per currency stated (``""`` when a grant states
    none), the grants with an amount, their ``total``, and the ``mapped`` and
    ``deprived`` money behind ``share_most_deprived``.
    """
    wanted = currency.upper() if currency else None
    rows: list[dict[str, Any]] = []
    for a in aggregates:
        if a["grants"] < min_grants:
            continue
        money = [m for m in a["money"] if m["grants"] and m["total"]]  # zero is no money
        chosen = [m for m in money if m["currency"] == wanted] if wanted else money
        priced = sum(int(m["grants"]) for m in money)
        single = chosen[0] if len(chosen) == 1 and chosen[0]["currency"] else None
        total = round(single["total"], 2) if single else None  # no float noise in money
        share = single["deprived"] / single["mapped"] if single and single["mapped"] else None
        why = f"{a['grants']} grants"
        if not money:
            why += " with no money recorded (amounts missing or zero)" if a["grants"] else ""
        elif wanted and not chosen:
            why += f", none with an amount in {wanted},"
        else:
            why += f" totalling {_figures(chosen)}"
        why += f" to {a['recipients']} recipients"
        if a["areas"]:
            why += f" in {a['areas']} areas"
        if share is not None:
            why += (
                f"; {share:.0%} of the money reaching areas with an IMD decile goes "
                "to the most deprived 10%"
            )
        if a["funded_by_statement"]:
            why += f"; a directory says it funds {a['funded_by_statement']} more"
        others = priced - sum(int(m["grants"]) for m in chosen)
        if others:
            why += f"; {others} grants in other currencies not summed"
        if money and a["grants"] > priced:
            why += f"; {a['grants'] - priced} grants record no amount (or zero)"
        rows.append(
            {
                **{k: a[k] for k in ("funder", "name", "grants")},
                "total": total,
                "currency": single["currency"] if single else None,
                "totals": _figures(chosen) if chosen else None,
                **{k: a[k] for k in ("recipients", "areas", "funded_by_statement")},
                "share_most_deprived": share,
                "why": why,
            }
        )
    frame = pd.DataFrame(rows, columns=FUNDER_COLUMNS)
    return frame.sort_values(
        ["total", "grants", "funder"],
        ascending=[False, False, True],
        ignore_index=True,
        na_position="last",
    )


@register_query(name="funding-dependency")
def funding_dependency(
    graph: Graph, *, threshold: float = 0.5, currency: str | None = None
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
        Count only money in this currency. Default: each currency on its own (an
        organisation funded in two currencies has a row for each; amounts in different
        currencies are never added).

    Returns
    -------
    DataFrame
        One row per funded organisation and currency: ``organization``, ``name``,
        ``funders`` (names), ``grants``, ``total``, ``currency`` (empty when only funding
        statements, or grants without a stated currency, say who funds it), ``hhi``,
        ``basis`` ("amounts" when grants give amounts, "funder count" when only funding
        statements say who funds it), ``top_funder``,
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
    wanted = currency.upper() if currency else None
    money: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    grants: dict[tuple[str, str], int] = defaultdict(int)
    stated: dict[str, set[str]] = defaultdict(set)
    for node, data in graph.nodes(data=True):
        if data["type"] == NodeType.GRANT:
            amount = data.get("amount")
            stated_currency = str(data.get("currency") or "")
            if not isinstance(amount, int | float) or (wanted and stated_currency != wanted):
                continue
            funders_of = [
                u for u, _, d in graph.in_edges(node, data=True) if d["type"] == EdgeType.AWARDS
            ]
            for recipient in _targets(graph, node, EdgeType.AWARDED_TO):
                grants[recipient, stated_currency] += 1
                money[recipient, stated_currency]  # a grant with no funder still counts
                for funder in funders_of:
                    money[recipient, stated_currency][funder] += float(amount) / len(funders_of)
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
    mentioned = {organisation for organisation, _ in money} | set(stated)
    mentioned |= {f for by_funder in money.values() for f in by_funder}
    mentioned |= {f for funders_of in stated.values() for f in funders_of}
    names = {n: _name(graph, n) for n in mentioned}
    return finish_dependency(money, grants, stated, names, threshold=threshold, currency=currency)


DEPENDENCY_COLUMNS = [
    "organization", "name", "funders", "grants", "total", "currency", "hhi", "basis",
    "top_funder", "top_share", "depends_on_one_funder", "why",
]  # fmt: skip


def finish_dependency(
    money: dict[tuple[str, str], dict[str, float]],
    grants: dict[tuple[str, str], int],
    stated: dict[str, set[str]],
    names: dict[str, str],
    *,
    threshold: float,
    currency: str | None,
) -> pd.DataFrame:
    """The ``funding-dependency`` rows from money by (recipient, currency) and funder
    (shared with the Cypher twin); ``""`` is the currency of grants that state none."""
    rows: list[dict[str, Any]] = []
    with_money = {organisation for (organisation, _), m in money.items() if sum(m.values()) > 0}
    keys = [k for k in money if sum(money[k].values()) > 0]
    keys += [(o, "") for o in stated if o not in with_money]
    keys += [(o, "") for (o, c), m in money.items() if o not in with_money and o not in stated]
    for organisation, in_currency in dict.fromkeys(keys):
        by_funder = money.get((organisation, in_currency), {})
        total = sum(by_funder.values())
        named = set(by_funder) | stated.get(organisation, set())
        if total <= 0:
            named |= {f for (o, _), m in money.items() if o == organisation for f in m}
        count = (
            grants.get((organisation, in_currency), 0)
            if total > 0
            else sum(n for (o, _), n in grants.items() if o == organisation)
        )
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
            figure = (
                _money(total, in_currency) if in_currency else f"{total:,.0f} (currency not stated)"
            )
            why = (
                f"{shares[top]:.0%} of {figure} in {count} "
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
                "grants": count,
                "total": round(total, 2) if basis == "amounts" else None,
                "currency": (in_currency or None) if basis == "amounts" else None,
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
        ["hhi", "total", "organization"],
        ascending=[False, False, True],
        ignore_index=True,
        na_position="last",
    )
