"""360Giving ingest on the real publishers' files, every form, and the bad-input table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from helpers import TEST_DATA, shared

from civicgraph import Workspace, ingest_360giving, ingest_hsds
from civicgraph.graph import IngestReport
from civicgraph.ingest.giving360._flat import column_path
from civicgraph.ontology import EdgeType, NodeType, edge_allowed

SAMPLES = "360giving_grantnav_samples"


def _grants_in(path: Path) -> list[dict[str, object]]:
    grants: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))["grants"]
    return grants


def _codes(report: IngestReport) -> dict[str, int]:
    counts: dict[str, int] = {}
    for group in report.problems:
        counts[group.code] = counts.get(group.code, 0) + group.count
    return counts


def _sound(workspace: Workspace, report: IngestReport) -> None:
    for name, counts in report.tables.items():
        assert counts.balanced, (name, counts)
    graph = workspace.graph()
    for u, v, data in graph.edges(data=True):
        assert edge_allowed(
            EdgeType(data["type"]),
            NodeType(graph.nodes[u]["type"]),
            NodeType(graph.nodes[v]["type"]),
        )


@pytest.mark.parametrize(
    "name",
    [
        "baring.json",
        "dulverton.json",
        "indigo.json",
        "multi_funder_covid_additional_data_awefw001p00000zgyHZAAY.json",
        "nominet.json",
        "ocf1.json",
        "ocf2.json",
        "ocf3.json",
        "power_to_change_a002400000nO46WAAS.json",
        "stack.json",
        "wolfson.json",
        "wolfson_a002400000KeYdsAAF.json",
    ],
)
def test_each_real_file_ingests_with_its_exact_grant_count(name: str, tmp_path: Path) -> None:
    path = shared(f"{SAMPLES}/{name}")
    grants = _grants_in(path)
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_360giving(workspace, path, name="grants")
    counts = report.tables[name]
    assert counts.read == len(grants)
    assert counts.loaded + counts.merged == len(grants)
    assert workspace.stats()["nodes"]["Grant"] == len({g["id"] for g in grants})
    _sound(workspace, report)


def test_the_real_files_oddities_are_reported(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    folder = shared(SAMPLES)
    reports = {
        p.name: ingest_360giving(workspace, p, name=p.stem) for p in sorted(folder.glob("*.json"))
    }
    # 2016 prototype: flattened keys, read by meaning; a shifted row's values reported.
    stack = _codes(reports["stack.json"])
    assert stack["non-standard-keys"] == 1
    assert stack["invalid-amount"] >= 1 and stack["unknown-currency"] >= 1
    assert stack["not-an-org-id"] > 0  # DUMMY01 placeholders and the like
    # Double-encoded characters are repaired and said so.
    multi = reports["multi_funder_covid_additional_data_awefw001p00000zgyHZAAY.json"]
    assert _codes(multi)["double-encoded-text"] > 0
    graph = workspace.graph()
    grant = graph.nodes["360G-ABCT-0065I000002yzGKQAY"]
    assert "£100,000" in grant["description"] and "Â" not in grant["description"]
    # Power to Change: LSOA codes are BENEFITS_AREA edges; 21 LSOA entries have no code.
    ptc = reports["power_to_change_a002400000nO46WAAS.json"]
    assert _codes(ptc)["area-code-missing"] == 21
    assert ptc.edges["BENEFITS_AREA"] == 849
    lsoa = graph.nodes["E01011681"]
    assert lsoa["type"] == "Area" and lsoa["level"] == "lsoa"
    # ocf2 gives an LSOA *name* where the code should be: kept, and said so.
    assert _codes(reports["ocf2.json"])["area-code-is-not-gss"] > 0
    # Dates in every form the files use became ISO dates.
    assert graph.nodes["360G-baringfoundation-20130071"]["award_date"] == "2014-03-17"
    assert graph.nodes["360G-ptc-gr-01653"]["planned_end"] == "2017-06-14"


def test_where_the_recipient_is_based_is_kept_apart_from_where_money_is_spent(
    tmp_path: Path,
) -> None:
    workspace = Workspace(tmp_path / "w.db")
    path = shared(f"{SAMPLES}/multi_funder_covid_additional_data_awefw001p00000zgyHZAAY.json")
    ingest_360giving(workspace, path, name="multi")
    graph = workspace.graph()
    grant = graph.nodes["360G-ABCT-0065I000002yzGKQAY"]
    benefits = {v for _, v, d in graph.out_edges("360G-ABCT-0065I000002yzGKQAY", data=True)
                if d["type"] == "BENEFITS_AREA"}  # fmt: skip
    assert benefits == {"N09000005"}  # the beneficiary location (Derry City and Strabane)
    assert "95MM28W1" not in benefits  # the recipient's own postcode area is not where it spends
    assert grant["beneficiary_area_codes"] == ["N09000005"]
    # The recipient's other registered number, from GrantNav, identifies it too.
    assert "GB-COH-06714178" in graph.nodes["GB-CHC-1126147"]["org_ids"]


def test_a_grant_seen_again_is_one_grant_with_both_sources(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    ingest_360giving(workspace, shared(f"{SAMPLES}/wolfson.json"), name="wolfson")
    ingest_360giving(
        workspace, shared(f"{SAMPLES}/wolfson_a002400000KeYdsAAF.json"), name="grantnav"
    )
    graph = workspace.graph()
    grants = [n for n, d in graph.nodes(data=True) if d["type"] == "Grant"]
    assert len(grants) == len(_grants_in(shared(f"{SAMPLES}/wolfson.json")))
    assert all(graph.nodes[g]["sources"] == ["wolfson", "grantnav"] for g in grants)


def test_a_directory_and_the_grant_files_share_their_organisations(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "w.db")
    for name in ("ocf1.json", "ocf2.json", "ocf3.json"):
        ingest_360giving(workspace, shared(f"{SAMPLES}/{name}"), name=Path(name).stem)
    report = ingest_hsds(workspace, TEST_DATA / "oxford_directory", name="oxford")
    graph = workspace.graph()
    # By identifier: the directory's charity number is the grant recipient's.
    cab = graph.nodes["GB-CHC-1127599"]
    assert set(cab["sources"]) >= {"oxford", "ocf2"}
    # By name and postcode (no identifier in either), and by name despite "CIC" spelt out.
    facts = {f["source"] for f in workspace.facts("360G-ocf-org:001G000000xsdg5")}
    assert facts == {"ocf1", "oxford"}
    bright = workspace.facts("360G-ocf-org:001G000001G9EzM")
    assert {f["source"] for f in bright} == {"ocf2", "oxford"}
    # A funding statement's funder resolves to the real funder; the other stays unverified.
    funds = {
        u for u, v, d in graph.in_edges("oxford:service:ox-s1", data=True) if d["type"] == "FUNDS"
    }
    assert "GB-CHC-1151621" in funds
    unverified = [n for n in funds if graph.nodes[n].get("kind") == "funder (unverified)"]
    assert [graph.nodes[n]["name"] for n in unverified] == ["Oakbridge Lions"]
    assert any(g.code == "unverified-funder" and g.count == 1 for g in report.problems)
    # An organisation nobody else knows stays on its own.
    assert "oxford:organization:ox-o4" in graph


def test_decisions_bind_and_survive_reingests(tmp_path: Path, run_cli) -> None:
    db = tmp_path / "w.db"
    for name in ("ocf1.json", "ocf2.json", "ocf3.json"):
        assert run_cli("--db", db, "ingest", "360giving", shared(f"{SAMPLES}/{name}")).code == 0
    assert (
        run_cli(
            "--db", db, "ingest", "hsds", TEST_DATA / "oxford_directory", "--name", "oxford"
        ).code
        == 0
    )
    # Say the youth music group is not the same as anything, and Youth Music Oxford is OCVA.
    decisions = tmp_path / "decisions.csv"
    with decisions.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["decision", "a", "b", "note"])
        writer.writerow(
            ["same", "oxford:organization:ox-o4", "360G-ocf-org:1108504", "checked by phone"]
        )
        writer.writerow(
            ["not-same", "oxford:organization:ox-o2", "360G-ocf-org:001G000000xsdg5", ""]
        )
        writer.writerow(["same", "oxford:organization:nobody", "GB-CHC-999", "a typo"])
    loaded = run_cli("--db", db, "resolve", "--decisions", decisions)
    assert loaded.code == 0, loaded.err
    assert "3 decisions" in loaded.out
    assert "not in the workspace" in loaded.err and "GB-CHC-999" in loaded.err

    def node_of(key: str) -> str:
        answer = json.loads(run_cli("--db", db, "resolve", "--merges", "--format", "json").out)
        merges = answer["rows"]
        return next((m["node_id"] for m in merges if m["key"] == key), key)

    assert node_of("oxford:organization:ox-o4") == node_of("360G-ocf-org:1108504")
    assert node_of("oxford:organization:ox-o2") != node_of("360G-ocf-org:001G000000xsdg5")
    # Re-ingesting both sources keeps the decisions in force.
    assert (
        run_cli(
            "--db", db, "ingest", "hsds", TEST_DATA / "oxford_directory", "--name", "oxford"
        ).code
        == 0
    )
    assert run_cli("--db", db, "ingest", "360giving", shared(f"{SAMPLES}/ocf3.json")).code == 0
    assert node_of("oxford:organization:ox-o4") == node_of("360G-ocf-org:1108504")
    assert node_of("oxford:organization:ox-o2") != node_of("360G-ocf-org:001G000000xsdg5")
    evidence = json.loads(run_cli("--db", db, "resolve", "--merges", "--format", "json").out)[
        "rows"
    ]
    decided = next(m for m in evidence if m["key"] == "oxford:organization:ox-o4")
    assert "decision" in decided["rule"]


# -- every form --------------------------------------------------------------------------

FLAT_ROW = {
    "Identifier": "360G-test-1",
    "Title": "Community pantry",
    "Currency": "gbp",
    "Amount Awarded": "£12,500",
    "Award Date": "01/04/2024",
    "Planned Dates:Start Date": "04/2024",
    "Recipient Org:Identifier": "GB-COH-1234567",
    "Recipient Org:Name": "Northgate Food Project Ltd",
    "Recipient Org:Postal Code": "ob1 2ab",
    "Funding Org:Identifier": "GB-CHC-1000001",
    "Funding Org:Name": "Oakbridge Community Trust",
    "Beneficiary Location:0:Name": "Oakbridge 001A",
    "Beneficiary Location:0:Geographic Code": "E01900000",
    "Beneficiary Location:0:Geographic Code Type": "LSOA",
    "Beneficiary Location:1:Geographic Code": "E06000999",
    "Grant Programme:Title": "Food",
    "Notes": "kept as it is",
}


def _check_flat_grant(workspace: Workspace) -> None:
    graph = workspace.graph()
    grant = graph.nodes["360G-test-1"]
    assert grant["amount"] == 12500.0 and grant["currency"] == "GBP"
    assert grant["award_date"] == "2024-04-01"
    assert (grant["planned_start"], grant["planned_start_precision"]) == ("2024-04-01", "month")
    assert grant["programme"] == "Food" and grant["Notes"] == "kept as it is"
    assert graph.nodes["GB-COH-01234567"]["postcode"] == "OB1 2AB"
    benefits = {
        v for _, v, d in graph.out_edges("360G-test-1", data=True) if d["type"] == "BENEFITS_AREA"
    }
    assert benefits == {"E01900000", "E06000999"}
    assert graph.nodes["E06000999"]["level"] == "lad"


def test_csv_with_the_standards_column_titles(tmp_path: Path) -> None:
    path = tmp_path / "grants.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(FLAT_ROW))
        writer.writeheader()
        writer.writerow(FLAT_ROW)
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_360giving(workspace, path, name="csv")
    assert report.variant == "360Giving CSV"
    _check_flat_grant(workspace)


def test_xlsx_with_the_standards_column_titles(tmp_path: Path) -> None:
    path = tmp_path / "grants.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "grants"
    sheet.append(list(FLAT_ROW))
    sheet.append(list(FLAT_ROW.values()))
    book.save(path)
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_360giving(workspace, path, name="xlsx")
    assert report.variant == "360Giving XLSX"
    _check_flat_grant(workspace)


def test_a_bare_list_and_json_paths_as_columns(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{
        "id": "360G-x-2", "title": "T", "currency": "GBP", "amountAwarded": 10,
        "awardDate": "2020-01-02T00:00:00Z",
        "fundingOrganization": [{"id": "GB-CHC-1000001", "name": "A"}],
        "recipientOrganization": [
            {"id": "360G-x-org:7", "name": "Group", "charityNumber": "SC012345"}
        ],
    }]))  # fmt: skip
    workspace = Workspace(tmp_path / "w.db")
    assert ingest_360giving(workspace, path, name="list").variant == "360Giving JSON list"
    graph = workspace.graph()
    assert "GB-SC-SC012345" in graph  # a Scottish charity number identifies the group
    assert column_path("recipientOrganization/0/name") == ["recipientOrganization", 0, "name"]


BAD_GRANTS = [
    ({"title": "no id"}, "missing-id"),
    ({"id": "360G-b-1", "amountAwarded": -50, "currency": "GBP", "awardDate": "2020-01-01",
      "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
      "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}, "negative-amount"),
    ({"id": "360G-b-2", "amountAwarded": "lots", "currency": "GBP", "awardDate": "2020-01-01",
      "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
      "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}, "invalid-amount"),
    ({"id": "360G-b-3", "amountAwarded": 5, "currency": "XYZ", "awardDate": "2020-01-01",
      "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
      "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}, "unknown-currency"),
    ({"id": "360G-b-4", "amountAwarded": 5, "currency": "GBP", "awardDate": "next Tuesday",
      "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
      "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}, "invalid-date"),
    ({"id": "360G-b-5", "amountAwarded": 5, "currency": "GBP", "awardDate": "2020-01-01",
      "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}]}, "missing-recipient"),
    ({"id": "360G-b-6", "amountAwarded": 0, "currency": "GBP", "awardDate": "2020-01-01",
      "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
      "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}, "zero-amount"),
    ({"id": "360G-b-7", "currency": "GBP", "awardDate": "2020-01-01",
      "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
      "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}, "missing-amount"),
]  # fmt: skip


@pytest.mark.parametrize(("grant", "code"), BAD_GRANTS, ids=[c for _, c in BAD_GRANTS])
def test_bad_grants_are_reported_not_lost(
    grant: dict[str, object], code: str, tmp_path: Path
) -> None:
    good = {"id": "360G-ok", "title": "fine", "amountAwarded": 1, "currency": "GBP",
            "awardDate": "2020-01-01", "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
            "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}  # fmt: skip
    path = tmp_path / "grants.json"
    path.write_text(json.dumps({"grants": [good, grant]}))
    workspace = Workspace(tmp_path / "w.db")
    report = ingest_360giving(workspace, path, name="bad")
    group = next(g for g in report.problems if g.code == code)
    assert group.file == "grants.json" and group.examples[0]["row"] == 2
    if "id" in grant:  # file, row and grant id
        assert group.examples[0]["record"] == grant["id"]
    assert group.fix
    counts = report.tables["grants.json"]
    assert counts.read == 2 and counts.balanced
    if code != "missing-id":
        assert workspace.stats()["nodes"]["Grant"] == 2  # kept, with its problem


def test_a_funder_id_named_differently_across_files_is_reported(tmp_path: Path) -> None:
    one, two = tmp_path / "2023.json", tmp_path / "2024.json"
    for path, name in ((one, "Oakbridge Community Trust"), (two, "Hartley Family Foundation")):
        path.write_text(json.dumps({"grants": [{
            "id": f"360G-f-{path.stem}", "amountAwarded": 5, "currency": "GBP",
            "awardDate": "2020-01-01",
            "fundingOrganization": [{"id": "GB-CHC-1000001", "name": name}],
            "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}]}]}))  # fmt: skip
    workspace = Workspace(tmp_path / "w.db")
    ingest_360giving(workspace, one, name="y2023")
    report = ingest_360giving(workspace, two, name="y2024")
    group = next(g for g in report.problems if g.code == "funder-named-differently")
    assert "Oakbridge Community Trust" in group.examples[0]["value"]
    assert "source 'y2023'" in group.examples[0]["value"]


def test_xlsx_with_merged_header_cells_is_refused_clearly(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "grants.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Identifier", "Recipient Org", None, "Amount Awarded"])
    sheet.merge_cells("B1:C1")
    sheet.append(["360G-1", "GB-CHC-1", "Name", 5])
    book.save(path)
    result = run_cli("--db", tmp_path / "w.db", "ingest", "360giving", path)
    assert result.code == 1
    assert "merged cells in its header row (B1:C1)" in result.err and "unmerge" in result.err
    assert "Traceback" not in result.err


def test_a_decisions_file_that_is_not_one_is_refused(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "decisions.csv"
    path.write_text("left,right\nx,y\n", encoding="utf-8")
    result = run_cli("--db", tmp_path / "w.db", "resolve", "--decisions", path)
    assert result.code == 1 and "needs columns decision, a and b" in result.err
    path.write_text("decision,a,b\nperhaps,x,y\n", encoding="utf-8")
    result = run_cli("--db", tmp_path / "w.db", "resolve", "--decisions", path)
    assert result.code == 1 and "row 2" in result.err and "'perhaps'" in result.err
