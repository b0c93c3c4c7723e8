"""The synthetic town: reproducible, realistic in shape, and its planted dirt is reported."""

from __future__ import annotations

import filecmp
from collections import Counter
from pathlib import Path

from civicgraph import Workspace, ingest_hsds
from civicgraph.synth import make_town, synth


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    a = synth(tmp_path / "a", services=300, seed=9)[0]
    b = synth(tmp_path / "b", services=300, seed=9)[0]
    c = synth(tmp_path / "c", services=300, seed=10)[0]
    comparison = filecmp.dircmp(a.path, b.path)
    assert not comparison.diff_files and not comparison.left_only
    assert filecmp.dircmp(a.path / "services", b.path / "services").diff_files == []
    assert (a.path / "organizations.json").read_bytes() != (
        c.path / "organizations.json"
    ).read_bytes()


def test_the_town_has_the_shape_of_a_real_directory() -> None:
    town = make_town(2000, seed=1)
    per_org = Counter(s.organisation for s in town.services)
    council = next(o.id for o in town.organisations if o.kind == "council")
    assert per_org[council] >= 20  # a few large providers ...
    assert sum(1 for n in per_org.values() if n <= 2) > len(per_org) / 2  # ... most run one or two
    per_building = Counter(b for s in town.services for b in s.buildings)
    assert max(per_building.values()) >= 5  # community buildings host many services
    assert len({s.category.code for s in town.services}) == 12
    assert {o.kind for o in town.organisations} >= {"charity", "council", "NHS body", "CIC"}
    assert len({a.imd_decile for a in town.areas}) >= 8


def test_json_and_csv_give_the_same_graph_and_the_dirt_is_reported(tmp_path: Path) -> None:
    as_json = synth(tmp_path / "json", services=400, seed=4, hsds_format="hsds-json")[0]
    as_csv = synth(tmp_path / "csv", services=400, seed=4, hsds_format="hsds-csv")[0]
    json_ws, csv_ws = Workspace(tmp_path / "j.db"), Workspace(tmp_path / "c.db")
    json_report = ingest_hsds(json_ws, as_json.path, name="town")
    csv_report = ingest_hsds(csv_ws, as_csv.path, name="town")
    assert json_report.variant == "HSDS 3.0 JSON"
    assert csv_report.variant.startswith("HSDS 3.0 tabular")
    assert json_ws.stats() == csv_ws.stats()
    town = make_town(400, seed=4)
    assert json_ws.stats()["nodes"]["Service"] == len(town.services)
    for report in (json_report, csv_report):
        dangling = sum(
            g.count
            for g in report.problems
            if g.code == "dangling-reference" and g.field in ("organization", "organization_id")
        )
        assert dangling == len(town.dirt.dangling_organisation)
        repeated = sum(g.count for g in report.problems if g.code == "duplicate-record")
        assert repeated == len(town.dirt.duplicated_services)
    graph = json_ws.graph()
    postcodes = {d.get("postcode") for _, d in graph.nodes(data=True) if d["type"] == "Location"}
    assert all(p is None or (p == p.upper() and " " in p) for p in postcodes)  # tidied on ingest
    named = [d["name"] for _, d in graph.nodes(data=True) if d["type"] == "Service"]
    assert all(name == name.strip() for name in named)  # padded names trimmed on ingest
    # Every charity and company is known by its org-id.
    registered = [
        o for o in town.organisations if o.org_id and o.kind in ("charity", "CIC", "company")
    ]
    assert all(o.org_id in graph for o in registered)


def test_no_two_organisations_share_a_registration_number() -> None:
    # Registration numbers are identities: a shared one would merge two organisations.
    town = make_town(20_000, seed=3)
    org_ids = [org.org_id for org in town.organisations if org.org_id]
    assert len(org_ids) > 3_000
    assert len(set(org_ids)) == len(org_ids)
