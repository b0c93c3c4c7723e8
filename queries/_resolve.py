"""Finding the nodes a query's parameters name: by id, code, org-id or name.

Private plumbing. A name that matches nothing, or several things, is a usage
error that lists what it could be.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..errors import UsageError
from ..ontology import normalise_name, parse_org_id
from ._index import GraphIndex

__all__ = ["resolve_nodes"]


def resolve_nodes(
    lookup: GraphIndex, text: str, types: Iterable[str], *, what: str, param: str
) -> list[str]:
    """The nodes of ``types`` that ``text`` names: its id, an org-id, a ``code``, or its name
    (compared in normalised form). Several nodes with that exact name are returned together
    when they are one kind of thing (taxonomy terms of one name in two taxonomies).

    ``param`` is the query's parameter that gave ``text``; errors name it (and
    the command line names its option instead)."""
    wanted = set(types)
    graph = lookup.graph
    text = text.strip()
    if text in graph and lookup.type(text) in wanted:
        return [text]
    org_id = parse_org_id(text)
    if org_id and org_id in graph and lookup.type(org_id) in wanted:
        return [org_id]
    by_code = [
        node
        for node, data in graph.nodes(data=True)
        if data.get("type") in wanted and str(data.get("code") or "") == text
    ]
    if by_code:
        return sorted(by_code)
    key = normalise_name(text)
    by_name = [
        node
        for node, data in graph.nodes(data=True)
        if data.get("type") in wanted and normalise_name(str(data.get("name") or "")) == key
    ]
    kinds = {lookup.type(n) for n in by_name}
    if by_name and len(kinds) == 1:
        return sorted(by_name)
    if by_name:
        listed = ", ".join(f"{lookup.type(n)} {n}" for n in sorted(by_name)[:6])
        raise UsageError(
            f"`{param}` '{text}' names more than one kind of thing: {listed}. Fix: give the id.",
            param=param,
        )
    names = sorted(
        {
            str(data.get("name"))
            for _, data in graph.nodes(data=True)
            if data.get("type") in wanted and data.get("name")
        }
    )
    close = difflib.get_close_matches(text, names, n=4, cutoff=0.6)
    hint = f" Did you mean: {'; '.join(close)}?" if close else ""
    raise UsageError(
        f"`{param}` '{text}' names no {what} in the graph (by id, code or name).{hint} "
        "Fix: give an id or exact name.",
        param=param,
    )
