"""Cypher twins: the named queries that Cypher can express, run on a Neo4j the workspace pushed to.

Each twin's Cypher lives in ``queries/cypher/<name>.cypher`` (read by the linter
and shown in review as it is) and computes the query's figures in the
database; the same finishing step as the networkx query turns them into rows,
so both give the same answer (the tests prove it on one workspace).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..graph._bolt import BoltError, connect, mask
from .funding import finish_dependency, finish_funders

__all__ = ["TWINS", "Twin", "run_twin", "twin_statements"]

Fetch = Callable[..., list[dict[str, Any]]]
"""Run one of the twin's Cypher files with parameters; return its records as dicts."""


@dataclass(frozen=True)
class Twin:
    """A query's Cypher version: its files and how their records become the query's rows."""

    name: str
    files: tuple[str, ...]
    run: Callable[[Fetch, dict[str, Any]], pd.DataFrame]


def _cypher(file: str) -> str:
    return (resources.files(__package__) / "cypher" / file).read_text(encoding="utf-8")


def _funders(fetch: Fetch, params: dict[str, Any]) -> pd.DataFrame:
    currency = params.get("currency", "GBP")
    records = fetch("funders.cypher", currency=currency)
    return finish_funders(records, currency=currency, min_grants=params.get("min_grants", 0))


def _funding_dependency(fetch: Fetch, params: dict[str, Any]) -> pd.DataFrame:
    currency = params.get("currency", "GBP")
    money: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    grants: dict[str, int] = defaultdict(int)
    stated: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for row in fetch("funding-dependency.cypher", currency=currency):
        names[row["organization"]] = row["name"]
        grants[row["organization"]] += int(row["grants"])
        if row["funder"] is not None:
            names[row["funder"]] = row["funder_name"]
            money[row["organization"]][row["funder"]] += float(row["amount"])
    for row in fetch("funding-dependency-stated.cypher"):
        names[row["organization"]] = row["name"]
        names[row["funder"]] = row["funder_name"]
        stated[row["organization"]].add(row["funder"])
    return finish_dependency(
        money, grants, stated, names, threshold=params.get("threshold", 0.5), currency=currency
    )


TWINS: dict[str, Twin] = {
    "funders": Twin("funders", ("funders.cypher",), _funders),
    "funding-dependency": Twin(
        "funding-dependency",
        ("funding-dependency.cypher", "funding-dependency-stated.cypher"),
        _funding_dependency,
    ),
}
"""The queries with a Cypher twin, by query name."""


def twin_statements() -> dict[str, str]:
    """Every twin's Cypher, by file name (for the linter and review)."""
    return {file: _cypher(file) for twin in TWINS.values() for file in twin.files}


def run_twin(
    name: str,
    *,
    uri: str,
    user: str,
    password: str | None,
    database: str | None,
    workspace_id: str,
    **params: Any,
) -> pd.DataFrame:
    """Run a query's Cypher twin on the database the workspace ``workspace_id`` pushed to."""
    twin = TWINS.get(name)
    if twin is None:
        raise UsageError(
            f"the query '{name}' has no Cypher twin. Fix: use one of {', '.join(TWINS)}, or run "
            "it on the workspace with 'civicgraph query'."
        )
    from neo4j.exceptions import Neo4jError

    with (
        connect(uri, user=user, password=password, database=database) as (driver, _),
        driver.session(database=database) as session,
    ):

        def fetch(file: str, **parameters: Any) -> list[dict[str, Any]]:
            result = session.run(_cypher(file), workspace=workspace_id, **parameters)
            return [record.data() for record in result]

        try:
            return twin.run(fetch, params)
        except Neo4jError as exc:
            raise BoltError(
                f"{uri}: the '{name}' twin failed: {mask(str(exc), password)}"
            ) from None
