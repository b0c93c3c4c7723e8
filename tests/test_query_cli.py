"""The queries from the command line, and the demo that runs them all."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from civicgraph import Workspace
from civicgraph.demo import run_demo
from civicgraph.ingest import ingest
from civicgraph.queries import QUERIES
from civicgraph.synth import synth

QUERY_NAMES = [
    "brokers",
    "impact",
    "isolates",
    "network",
    "partnerships",
    "pathways",
    "pooled-budgets",
    "sector-gaps",
    "shared-buildings",
    "silos",
]


@pytest.fixture(scope="module")
def town_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("town")
    path = folder / "w.db"
    with Workspace(path) as workspace:
        for source in synth(folder / "data", services=300, seed=2):
            ingest(workspace, source.kind, str(source.path), name=source.name)
    return path


def test_every_query_is_registered_and_listed(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert set(QUERY_NAMES) <= set(QUERIES)
    listing = run_cli("query", "--list").out.splitlines()
    for name in QUERY_NAMES:
        assert any(line.startswith(name + " ") for line in listing), name
    for name in QUERY_NAMES:
        assert QUERIES[name].function.__doc__ and "Examples" in QUERIES[name].function.__doc__


@pytest.mark.parametrize("name", [n for n in QUERY_NAMES if n != "impact"])
def test_each_query_runs_from_the_cli_as_json(name: str, town_db: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--db", town_db, "query", name, "--format", "json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert list(answer) == ["query", "scope", "as_of", "notes", "rows"]
    assert answer["query"] == name and answer["as_of"] is None
    rows = answer["rows"]
    assert isinstance(rows, list)
    if answer["scope"] is not None:  # a place-based answer says where and how it was chosen
        assert answer["scope"]["how"] and answer["scope"]["described"].startswith("scope: ")
    if rows:
        assert "why" in rows[0] and all(row["why"] for row in rows)


def test_options_come_from_the_query_parameters(town_db: Path, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "routes.csv"
    result = run_cli(
        "--db",
        town_db,
        "query",
        "pathways",
        "--need",
        "Debt advice",
        "--max-hops",
        "2",
        "--format",
        "csv",
        "--out",
        out,
    )
    assert result.code == 0, result.err
    routes = pd.read_csv(out)
    assert list(routes.columns)[-1] == "why" and routes["hops"].max() <= 2
    brokers = run_cli("--db", town_db, "query", "brokers", "--order", "cut-off", "--limit", "3")
    assert brokers.code == 0 and len(brokers.out.strip().splitlines()) == 4
    quarter = run_cli(
        "--db", town_db, "query", "network", "--period", "2024-Q2", "--format", "json"
    )
    assert quarter.code == 0
    bad_period = run_cli("--db", town_db, "query", "silos", "--period", "1999")
    assert bad_period.code == 2 and "2024-Q1, 2024-Q2" in bad_period.err


def test_impact_from_the_cli(town_db: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    missing = run_cli("--db", town_db, "query", "impact")
    assert missing.code == 2 and "give --remove the ids" in missing.err
    assert "`remove`" not in missing.err
    result = run_cli(
        "--db",
        town_db,
        "query",
        "impact",
        "--remove",
        "GB-LAE-OAK",
        "--remove",
        "Oakbridge and District NHS Foundation Trust",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]
    assert rows[0]["loss"] == "summary" and "closes 2 organisations" in rows[0]["why"]


def test_the_demo_writes_each_query_and_a_summary(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo", services=300, seed=2)
    summary = result.outputs["summary"]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# What the graph shows")
    for name in QUERY_NAMES:
        assert f"## {name}" in text
        assert name in result.outputs or f"## {name}\n\n" in text
    for name, path in result.outputs.items():
        if path.suffix == ".csv":  # the demo also writes the summary and linked data
            frame = pd.read_csv(path)
            assert "why" in frame.columns, name
    assert "impact-2" in result.outputs  # the busiest building closes, as well as the broker
    assert len(text.splitlines()) < 150  # one page
