"""HSDS ingest on the real public datasets in ../shared/data, and on every variant."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from helpers import TEST_DATA, shared

from civicgraph import Workspace, ingest_hsds, validate
from civicgraph.graph import IngestReport, Severity
from civicgraph.ontology import EdgeType, NodeType, edge_allowed

MIAMI = "hsds1_miami_open211"


def _groups(report: IngestReport) -> dict[tuple[str, str | None, str | None], int]:
    counts: Counter[tuple[str, str | None, str | None]] = Counter()
    for group in report.problems:
        counts[(group.code, group.file, group.field)] += group.count
    return dict(counts)


def _assert_sound(workspace: Workspace, report: IngestReport) -> None:
    """Every table balances, no internal error, and every edge is one the ontology allows."""
    for name, counts in report.tables.items():
        assert counts.balanced, (name, counts)
    assert not [g for g in report.problems if g.code == "unaccounted-rows"]
    graph = workspace.graph()
    for u, v, data in graph.edges(data=True):
        assert edge_allowed(
            EdgeType(data["type"]),
            NodeType(graph.nodes[u]["type"]),
            NodeType(graph.nodes[v]["type"]),
        ), (u, v, data["type"])


@pytest.fixture(scope="module")
def miami(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestReport]:
    workspace = Workspace(tmp_path_factory.mktemp("miami") / "workspace.db")
    report = ingest_hsds(workspace, shared(MIAMI), name="miami")
    return workspace, report


def _miami_csv(name: str) -> list[dict[str, str]]:
    with (shared(MIAMI) / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_miami_gives_the_directorys_organisations_and_services(
    miami: tuple[Workspace, IngestReport],
) -> None:
    workspace, report = miami
    stats = workspace.stats()
    assert stats["nodes"]["Organization"] == 1074
    assert stats["nodes"]["Service"] == 4089
    assert report.variant.startswith("HSDS 1.0 tabular")
    _assert_sound(workspace, report)


def test_miami_edges_match_an_independent_count_of_the_csvs(
    miami: tuple[Workspace, IngestReport],
) -> None:
    workspace, _ = miami
    organizations = {row["id"] for row in _miami_csv("organizations.csv")}
    services = _miami_csv("services.csv")
    pairs = {(r["service_id"], r["taxonomy_id"]) for r in _miami_csv("services_taxonomy.csv")}
    edges = workspace.stats()["edges"]
    assert edges["PROVIDES"] == sum(1 for s in services if s["organization_id"] in organizations)
    assert edges["CLASSIFIED_AS"] == len(pairs)
    assert edges["AT_LOCATION"] == len(_miami_csv("services_at_location.csv"))


def test_miami_mess_is_reported_with_counts_and_examples(
    miami: tuple[Workspace, IngestReport],
) -> None:
    _, report = miami
    groups = _groups(report)
    assert groups[("dangling-reference", "services.csv", "organization_id")] == 447
    assert groups[("dangling-reference", "locations.csv", "organization_id")] == 3015
    assert groups[("duplicate-link", "services_taxonomy.csv", None)] == 26259 - 17104
    conflicts = [g for g in report.problems if g.code == "conflicting-duplicate"]
    assert [e["record"] for g in conflicts for e in g.examples] == ["J"]
    assert "Environmental Quality" in conflicts[0].examples[0]["value"]
    assert groups[("padded-value", "physical_addresses.csv", "state_province")] > 4000
    assert groups[("escaped-newline", "services.csv", "description")] > 1000
    # Eligibility rows name no service at all: every one is rejected, and said so.
    eligibility = report.tables["eligibility.csv"]
    assert eligibility.read == eligibility.rejected == 2244
    for group in report.problems:
        assert group.examples or group.code in ("table-not-mapped",), group


def test_miami_text_is_cleaned(miami: tuple[Workspace, IngestReport]) -> None:
    workspace, _ = miami
    graph = workspace.graph()
    descriptions = [d.get("description", "") for _, d in graph.nodes(data=True)]
    assert not any("\\n" in text for text in descriptions)
    assert any("\n" in text for text in descriptions)
    states = {d.get("state_province") for _, d in graph.nodes(data=True) if d["type"] == "Location"}
    assert "FL" in states and "FL " not in states


def test_miami_stats_agree_with_sources(miami: tuple[Workspace, IngestReport]) -> None:
    workspace, _ = miami
    (source,) = workspace.sources()
    (snapshot,) = source["snapshots"]
    assert snapshot["nodes"] == workspace.stats()["nodes"]
    assert snapshot["edges"] == workspace.stats()["edges"]
    for counts in snapshot["tables"].values():
        assert counts["read"] == counts["loaded"] + counts["merged"] + counts["rejected"]


SPEC = "hsds3_spec_examples/examples"
SPEC_FILES = [
    "service_full.json",
    "service_list.json",
    "organization_full.json",
    "organization_list.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
    "location.json",
    "taxonomy_term.json",
    "taxonomy_term_list.json",
    "tabular.json",
]


@pytest.mark.parametrize("name", SPEC_FILES)
def test_each_hsds3_example_file_ingests(name: str, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, shared(SPEC) / name, name="spec")
    assert report.tables
    assert sum(c.loaded for c in report.tables.values()) > 0
    _assert_sound(workspace, report)


def test_hsds3_csv_package_and_its_json_say_the_same(tmp_path: Path) -> None:
    from_csv = Workspace(tmp_path / "csv.db")
    report = ingest_hsds(from_csv, shared(SPEC) / "csv", name="spec")
    assert report.variant.startswith("HSDS 3.0 tabular")
    _assert_sound(from_csv, report)
    from_json = Workspace(tmp_path / "json.db")
    ingest_hsds(from_json, shared(SPEC) / "service_full.json", name="spec")
    csv_graph, json_graph = from_csv.graph(), from_json.graph()
    assert {(d["type"], d.get("name")) for _, d in csv_graph.nodes(data=True)} == {
        (d["type"], d.get("name")) for _, d in json_graph.nodes(data=True)
    }
    # The organisation's company number made its node id, in both forms.
    assert "GB-COH-01234567" in csv_graph and "GB-COH-01234567" in json_graph


def test_a_datapackage_json_path_and_a_zip_ingest_like_the_folder(tmp_path: Path) -> None:
    folder = shared(SPEC) / "csv"
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in folder.iterdir():
            zipped.write(file.resolve(), f"export/{file.name}")
    results = []
    for source in (folder, folder / "datapackage.json", archive):
        workspace = Workspace(tmp_path / f"{len(results)}.db")
        ingest_hsds(workspace, source, name="spec")
        results.append(workspace.stats())
    assert results[0] == results[1] == results[2]


def test_oruk3_default_maps_uk_identifiers_to_org_ids(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, shared("oruk3_validator_mocks/V3.0-UK-Default"), name="oruk")
    assert report.variant.startswith("Open Referral UK 3.0 JSON")
    _assert_sound(workspace, report)
    graph = workspace.graph()
    assert workspace.stats()["nodes"]["Organization"] == 10
    # The mocks give this organisation two names in two files: the first file's is kept and
    # the clash is reported with both.
    assert graph.nodes["GB-CHC-1122334"]["name"] == "Example Organization Inc."
    clash = [
        e["value"]
        for g in report.problems
        if g.code == "conflicting-duplicate"
        for e in g.examples
        if e["record"] == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    ]
    assert any("Global Outreach Initiative" in value for value in clash)
    assert graph.nodes["GB-COH-08765432"]["name"] == "City Tech Academy"
    unknown = [g for g in report.problems if g.code == "unknown-identifier-scheme"]
    assert unknown and any("NHS-OID: STAR-99" in e["value"] for e in unknown[0].examples)


def test_oruk3_fail_gives_clear_problems_not_a_crash(tmp_path: Path) -> None:
    source = shared("oruk3_validator_mocks/V3.0-UK-Fail")
    report = validate("hsds", str(source))
    codes = {(g.code, g.field) for g in report.problems}
    assert ("missing-required", "name") in codes
    assert ("invalid-value", "url") in codes
    assert ("invalid-value", "email") in codes
    assert any(g.code == "page-count-mismatch" for g in report.problems)
    assert report.count(Severity.WARNING) > 0
    workspace = Workspace(tmp_path / "w.db")
    _assert_sound(workspace, ingest_hsds(workspace, source, name="fail"))


def test_a_list_of_128_copies_of_one_service_is_one_service(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(
        workspace, shared("oruk3_validator_mocks/V3.0-UK-Test_service_list.json"), name="copies"
    )
    counts = report.tables["service"]
    assert (counts.read, counts.loaded, counts.merged) == (128, 1, 127)
    assert workspace.stats()["nodes"]["Service"] == 1


ORUK1 = TEST_DATA / "oruk1"


def test_oruk1_fixture_uses_the_official_oruk1_table_layout() -> None:
    schema = json.loads(shared("oruk1_schema/ORUK_1.0_ExtendedDataPackage.json").read_text())
    fields = {r["name"]: {f["name"] for f in r["schema"]["fields"]} for r in schema["resources"]}
    descriptor = json.loads((ORUK1 / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        with (ORUK1 / resource["path"]).open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert set(header) <= fields[resource["name"]], resource["path"]


def test_oruk1_package_ingests_with_identifiers_uprns_and_link_taxonomy(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, ORUK1, name="oruk1")
    assert report.variant.startswith("Open Referral UK 1.0 tabular")
    _assert_sound(workspace, report)
    graph = workspace.graph()
    charity = graph.nodes["GB-CHC-1122334"]
    company = graph.nodes["GB-COH-08765432"]
    assert charity["name"] == "Hartley Advice Centre"
    assert company["taxonomy_terms"] == ["circ1"]  # link_taxonomy to an organisation
    # Two directory locations with one UPRN are one building, with both services there.
    building = graph.nodes["uprn:100012345678"]
    assert building["postcode"] == "OB1 2AB"
    assert workspace.stats()["nodes"]["Location"] == 1
    at_building = {
        u
        for u, _, d in graph.in_edges("uprn:100012345678", data=True)
        if d["type"] == "AT_LOCATION"
    }
    assert at_building == {"oruk1:service:svc1", "oruk1:service:svc2", "oruk1:service:svc3"}
    debt = graph.nodes["oruk1:service:svc1"]
    assert debt["eligibility"] == [
        {
            "id": "e1",
            "eligibility": "Adults living in Oakbridge",
            "minimum_age": "18",
            "gender": "any",
        }
    ]
    assert debt["contacts"][0]["phones"][0]["number"] == "01632 960202"
    classified = {
        v
        for _, v, d in graph.out_edges("oruk1:service:svc2", data=True)
        if d["type"] == "CLASSIFIED_AS"
    }
    assert classified == {"oruk1:concept:need2", "oruk1:concept:circ1"}


def test_hsds_1_1_names_are_understood(tmp_path: Path) -> None:
    """The 1.1/2.0 names: service_attributes, taxonomy_terms with 'term', schedules."""
    package = tmp_path / "v11"
    shutil.copytree(ORUK1, package)
    (package / "datapackage.json").unlink()
    (package / "link_taxonomy.csv").unlink()
    (package / "identifiers.csv").unlink()
    (package / "service_taxonomys.csv").rename(package / "service_attributes.csv")
    (package / "regular_schedules.csv").rename(package / "schedules.csv")
    rows = list(csv.reader((package / "service_attributes.csv").read_text("utf-8").splitlines()))
    with (package / "service_attributes.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["id", "service_id", "taxonomy_term_id"]] + [[r[0], r[1], r[3]] for r in rows[1:]]
        )
    rows = list(csv.reader((package / "taxonomy.csv").read_text("utf-8").splitlines()))
    (package / "taxonomy.csv").unlink()
    with (package / "taxonomy_terms.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["id", "term", "description", "parent_id", "taxonomy"]]
            + [[r[0], r[1], "", r[2], r[4]] for r in rows[1:]]
        )
    for name in ("physical_addresses.csv",):
        text = (
            (package / name)
            .read_text(encoding="utf-8")
            .replace(",uprn", ",extra")
            .replace(",100012345678", ",")
        )
        (package / name).write_text(text, encoding="utf-8")
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, package, name="v11")
    assert report.variant.startswith("HSDS 1.1/2.0 tabular")
    _assert_sound(workspace, report)
    graph = workspace.graph()
    assert graph.nodes["v11:concept:need1"]["name"] == "Debt"
    assert workspace.stats()["edges"]["CLASSIFIED_AS"] == 3


OHANA = "ohana_sample_csv"


def _ohana_csv(name: str) -> list[dict[str, str]]:
    with (shared(OHANA) / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_ohana_sample_links_every_service_to_its_organisation_and_location(
    tmp_path: Path,
) -> None:
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_hsds(workspace, shared(OHANA), name="ohana")
    assert report.variant.startswith("Ohana-style CSV (HSDS 1.0 precursor) (services.location_id")
    _assert_sound(workspace, report)
    services, locations = _ohana_csv("services.csv"), _ohana_csv("locations.csv")
    operator = {row["id"]: row["organization_id"] for row in locations}
    graph = workspace.graph()
    assert sum(1 for _, d in graph.nodes(data=True) if d["type"] == "Service") == 23
    for row in services:
        node = f"ohana:service:{row['id']}"
        providers = [u for u, _, d in graph.in_edges(node, data=True) if d["type"] == "PROVIDES"]
        places = [v for _, v, d in graph.out_edges(node, data=True) if d["type"] == "AT_LOCATION"]
        assert providers == [f"ohana:organization:{operator[row['location_id']]}"]
        assert places == [f"ohana:location:{row['location_id']}"]
    # taxonomy.csv says taxonomy_id for id: read, and said so.
    assert report.tables["taxonomy.csv"].loaded == len(_ohana_csv("taxonomy.csv"))
    assert ("column-renamed", "taxonomy.csv", "taxonomy_id") in _groups(report)
    # mail_addresses.csv is HSDS's postal_addresses: kept on the location, not an unknown table.
    assert report.tables["mail_addresses.csv"].loaded == len(_ohana_csv("mail_addresses.csv"))
