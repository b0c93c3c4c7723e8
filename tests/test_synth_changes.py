"""``synth --changes``: two snapshots of the synthetic town, and every planted change reported.

The generator says what it planted (``planted-changes.json``); ``query changes``
on the two ingested snapshots must report exactly that set of (change, id), and
``area-changes`` must flag exactly the planted spiral area.
"""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from typing import Any

import pytest

from civicgraph import Workspace
from civicgraph.ingest import ingest
from civicgraph.queries import changes
from civicgraph.queries.area_changes import area_changes
from civicgraph.synth import synth_changes


def _ingested(folder: Path, **kwargs: Any) -> tuple[Workspace, dict[str, Any]]:
    sources, _, manifest = synth_changes(folder / "town", **kwargs)
    ws = Workspace(folder / "ws.db")
    for source in sources:
        ingest(
            ws, source.kind, str(source.path), name=source.name, snapshot_date=source.snapshot_date
        )
    return ws, json.loads(manifest.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("hsds_format", "seed"), [("hsds-json", 3), ("hsds-csv", 6)])
def test_every_planted_change_and_nothing_else(tmp_path: Path, hsds_format: str, seed: int) -> None:
    ws, manifest = _ingested(tmp_path, services=300, seed=seed, hsds_format=hsds_format)
    planted = manifest["changes"]
    found = changes(ws)
    assert set(zip(found["change"], found["id"], strict=True)) == {
        (p["change"], p["id"]) for p in planted
    }
    assert len(found) == len(planted)  # no change reported twice
    rows = {(r.change, r.id): r for r in found.itertuples()}
    kinds = {p["planted"]: rows[p["change"], p["id"]] for p in planted}
    assert {"closed-by-status", "closed-by-absence", "volunteer-run", "only-funder"} <= set(kinds)
    assert "status 'inactive'" in kinds["closed-by-status"].why
    assert "no longer listed by directory" in kinds["closed-by-absence"].why
    assert "volunteer-run" in kinds["volunteer-run"].why
    assert "only funder" in kinds["only-funder"].why
    assert "only funder" not in kinds["funding-ending"].why  # its recipient has two funders
    for p in planted:  # each placed where it was planted (a closed one where it was)
        assert rows[p["change"], p["id"]].area == p["area"], p

    areas = area_changes(ws)
    assert set(areas.loc[areas["spiral"], "area"]) == {manifest["spiral"]["area"]}
    spiral = areas[areas["area"] == manifest["spiral"]["area"]].set_index("category")
    assert spiral.loc["services", "lost"] == 2 and spiral.loc["services", "gained"] == 0
    assert spiral.loc["grant money", "lost"] > 0
    assert manifest["spiral"]["imd_decile"] <= 2


def test_the_same_seed_writes_the_same_snapshots(tmp_path: Path) -> None:
    made = {}
    for name, seed in (("a", 4), ("b", 4), ("c", 5)):
        sources, _, manifest = synth_changes(tmp_path / name, services=300, seed=seed)
        made[name] = (sources, manifest.read_bytes())
    assert made["a"][1] == made["b"][1] and made["a"][1] != made["c"][1]
    for first, second in zip(made["a"][0], made["b"][0], strict=True):
        comparison = filecmp.dircmp(first.path, second.path)
        assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    before, after = (s.path for s in made["a"][0] if s.kind == "hsds")
    assert (before / "services" / "services-0001.json").read_bytes() != (
        after / "services" / "services-0001.json"
    ).read_bytes()


def test_cli_synth_changes_and_a_town_too_small(tmp_path: Path, run_cli: Any) -> None:
    made = run_cli(
        "synth", "--changes", "--services", "300", "--seed", "3", "--out", tmp_path / "town"
    )
    assert made.code == 0, made.err
    lines = made.out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "areas", "hsds", "360giving", "hsds", "360giving", "planted",
    ]  # fmt: skip
    assert "--snapshot-date 2025-07-15" in lines[3] and "(12 changes)" in lines[-1]
    assert (tmp_path / "town" / "planted-changes.json").is_file()
    small = run_cli("synth", "--changes", "--services", "1", "--out", tmp_path / "tiny")
    assert small.code == 2
    assert "too small" in small.err and "--services 300" in small.err
