"""Referral and relationship files: ends matched by id or name, periods kept apart, bad rows
reported with file, row, field and fix, and personal data refused and never stored."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from helpers import TEST_DATA

from civicgraph import Workspace
from civicgraph.errors import InputError, UsageError
from civicgraph.graph import IngestReport, Severity
from civicgraph.ingest import ingest_hsds, ingest_referrals, ingest_relationships, validate
from civicgraph.ingest.relationships import normalise_kind, parse_date

# The ORUK 1.0 fixture: organisations 'org1' (Hartley Advice Centre, GB-CHC-1122334) and 'org2'
# (Northgate Food Project Ltd, GB-COH-08765432); services 'svc1' (Debt advice), 'svc2'
# (Benefits advice) and 'svc3' (Community pantry).


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "w.db")
    ingest_hsds(ws, TEST_DATA / "oruk1", name="dir")
    return ws


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def problems(report: IngestReport, code: str) -> list[dict[str, object]]:
    return [
        example for group in report.problems if group.code == code for example in group.examples
    ]


def referral_edges(ws: Workspace) -> dict[tuple[str, str, str], dict[str, object]]:
    return {
        (u, v, key): data
        for u, v, key, data in ws.graph().edges(keys=True, data=True)
        if data["type"] == "REFERS_TO"
    }


def test_the_fixture_is_what_the_tests_assume(workspace: Workspace) -> None:
    graph = workspace.graph()
    names = {
        n: d.get("name")
        for n, d in graph.nodes(data=True)
        if d["type"] in ("Service", "Organization")
    }
    assert names["GB-CHC-1122334"] == "Hartley Advice Centre"
    assert names["dir:service:svc1"] == "Debt advice"
    assert names["GB-COH-08765432"] == "Northgate Food Project Ltd"


def test_ends_by_node_id_directory_id_org_id_and_name(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "referrals.csv",
        """
from,from_type,to,count,period
dir:service:svc2,,dir:service:svc1,12,2024-Q1
svc2,service,svc1,5,2024-Q2
GB-CHC-01122334,,Northgate Food Project,3,2024-Q1
"HARTLEY ADVICE CENTRE LTD",organisation,svc2,2,2024-Q1
""",
    )
    report = ingest_referrals(workspace, path, name="refs")
    assert report.count(Severity.ERROR) == 0, report.summary_lines()
    counts = report.tables["referrals.csv"]
    assert (counts.read, counts.loaded, counts.rejected) == (4, 4, 0)
    edges = referral_edges(workspace)
    # Two periods of one pair stay two edges.
    assert edges[("dir:service:svc2", "dir:service:svc1", "REFERS_TO|2024-Q1")]["count"] == 12
    assert edges[("dir:service:svc2", "dir:service:svc1", "REFERS_TO|2024-Q2")]["count"] == 5
    assert edges[("GB-CHC-1122334", "GB-COH-08765432", "REFERS_TO|2024-Q1")]["count"] == 3
    assert edges[("GB-CHC-1122334", "dir:service:svc2", "REFERS_TO|2024-Q1")]["count"] == 2


def test_outcomes_are_summed_into_one_flow_and_counts_may_be_missing(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "flows.csv",
        """
referred_from,referred_to,referrals,quarter,outcome
svc1,svc2,10,2024-Q1,accepted
svc1,svc2,3,2024-Q1,declined
svc2,svc1,,,
svc2,svc1,,,
svc1,svc1,4,,
svc2,svc3,0,,
""",
    )
    report = ingest_referrals(workspace, path, name="flows", ends="service")
    counts = report.tables["flows.csv"]
    assert (counts.read, counts.loaded, counts.merged, counts.rejected) == (6, 6, 0, 0)
    edges = referral_edges(workspace)
    flow = edges[("dir:service:svc1", "dir:service:svc2", "REFERS_TO|2024-Q1")]
    assert flow["count"] == 13 and flow["outcomes"] == {"accepted": 10, "declined": 3}
    assert "count" not in edges[("dir:service:svc2", "dir:service:svc1", "REFERS_TO")]
    assert [e["row"] for e in problems(report, "repeated-flow")] == [5]
    assert [e["row"] for e in problems(report, "self-referral")] == [6]
    assert [e["row"] for e in problems(report, "zero-count")] == [7]
    assert edges[("dir:service:svc1", "dir:service:svc1", "REFERS_TO")]["count"] == 4


def test_bad_rows_are_rejected_with_where_and_how_to_fix(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        """
from,to,count
svc1,Nowhere Trust,4
svc1,svc2,four
,svc2,1
org1,svc2,2
""",
    )
    report = ingest_referrals(workspace, path, name="bad")
    counts = report.tables["bad.csv"]
    assert (counts.read, counts.loaded, counts.rejected) == (4, 1, 3)
    unmatched = next(g for g in report.problems if g.code == "unmatched-end")
    assert unmatched.field == "to" and unmatched.examples[0]["row"] == 2
    assert unmatched.examples[0]["value"] == "Nowhere Trust"
    assert "ingest the directory into the same workspace first" in unmatched.fix
    assert problems(report, "bad-count")[0]["value"] == "four"
    assert problems(report, "missing-end")[0]["row"] == 4
    assert list(referral_edges(workspace)) == [("GB-CHC-1122334", "dir:service:svc2", "REFERS_TO")]


def test_an_id_shared_by_a_service_and_an_organisation_is_ambiguous(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = workspace
    path = write_csv(tmp_path / "shared.csv", "from,to,count\nsvc1,org2,5\n")
    report = ingest_referrals(ws, path, name="shared")
    assert report.count(Severity.ERROR) == 0  # '2' is only an organisation's id
    named = write_csv(tmp_path / "two.csv", "from,to,count\nNorthgate Food Project,svc1,1\n")
    ingest_hsds(ws, write_service_named_like_the_food_bank(tmp_path), name="other")
    report = ingest_referrals(ws, named, name="two")
    example = problems(report, "ambiguous-end")[0]
    assert example["row"] == 2 and "could be" in str(example["value"])
    typed = write_csv(
        tmp_path / "typed.csv",
        "from,from_type,to,count\nNorthgate Food Project,organisation,svc1,1\n",
    )
    assert ingest_referrals(ws, typed, name="typed").count(Severity.ERROR) == 0


def write_service_named_like_the_food_bank(tmp_path: Path) -> Path:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "service.json").write_text(
        json.dumps(
            {
                "id": "x1",
                "name": "Northgate Food Project",
                "organization": {"id": "o9", "name": "Elsewhere"},
            }
        ),
        encoding="utf-8",
    )
    return folder


def test_an_xlsx_sheet(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "referrals.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["This sheet explains the other one."])
    sheet = book.create_sheet("Q1")
    sheet.append(["From", "To", "Count", "Period"])
    sheet.append(["svc1", "svc2", 7.0, "2024-Q1"])
    sheet.append([None, None, None, None])
    sheet.append(["svc2", "svc1", 3, "2024-Q1"])
    book.save(path)
    with pytest.raises(UsageError, match=r"no sheet 'Q2'\. Fix: use one of 'Notes', 'Q1'"):
        ingest_referrals(workspace, path, sheet="Q2")
    with pytest.raises(InputError, match="has no 'from' column"):
        ingest_referrals(workspace, path, name="notes")
    report = ingest_referrals(workspace, path, name="xlsx", sheet="Q1")
    assert report.tables["referrals.xlsx [Q1]"].loaded == 2
    assert report.variant == "XLSX"
    edges = referral_edges(workspace)
    assert edges[("dir:service:svc1", "dir:service:svc2", "REFERS_TO|2024-Q1")]["count"] == 7


def test_referrals_need_a_workspace_with_a_directory(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "from,to,count\nsvc1,svc2,1\n")
    with pytest.raises(InputError, match="no services or organisations to match"):
        ingest_referrals(Workspace(tmp_path / "empty.db"), path)
    with pytest.raises(UsageError, match="matched against a workspace"):
        validate("referrals", str(path))
    with pytest.raises(UsageError, match="`ends` 'people'"):
        ingest_referrals(Workspace(tmp_path / "empty.db"), path, ends="people")
    with pytest.raises(InputError, match=r"expected \.csv or \.xlsx"):
        ingest_referrals(Workspace(tmp_path / "empty.db"), write_csv(tmp_path / "r.json", "{}"))


# -- personal data ---------------------------------------------------------------------------

SENTINELS = (
    "Zebedee Quartermaine",
    "1976-02-29",
    "943 476 5919",
    "zq@example.org",
    "AB 12 34 56 C",
)

PERSONAL_FILES = [
    (
        "client_name",
        "from,to,count,client_name\nsvc1,svc2,1,Zebedee Quartermaine\n",
        "'client_name' (a person's name)",
    ),
    (
        "first and last",
        "from,to,count,First Name,Surname\nsvc1,svc2,1,Zebedee,Quartermaine\n",
        "'First Name' (a person's name); 'Surname'",
    ),
    ("dob", "from,to,count,DOB\nsvc1,svc2,1,1976-02-29\n", "'DOB' (a date of birth)"),
    ("date of birth", "from,to,count,Date of birth\nsvc1,svc2,1,1976-02-29\n", "a date of birth"),
    (
        "nhs number",
        "from,to,count,NHS No.\nsvc1,svc2,1,943 476 5919\n",
        "'NHS No.' (an NHS number)",
    ),
    (
        "address",
        "from,to,count,Home address,Postcode\nsvc1,svc2,1,1 Mill Rd,OB1 1AA\n",
        "(an address)",
    ),
    ("email", "from,to,count,email\nsvc1,svc2,1,zq@example.org\n", "(an email address)"),
    ("ni number", "from,to,count,NI number\nsvc1,svc2,1,AB 12 34 56 C\n", "National Insurance"),
    ("patient id", "from,to,count,patient_id\nsvc1,svc2,1,P1\n", "an identifier of a person"),
    (
        "nhs value",
        "from,to,count,notes\nsvc1,svc2,1,943 476 5919\n",
        "row 2, field 'notes': holds what looks like an NHS number",
    ),
    (
        "email value",
        "from,to,count,notes\nsvc1,svc2,1,write to zq@example.org\n",
        "looks like an email address",
    ),
    ("ni value", "from,to,count,ref\nsvc1,svc2,1,AB 12 34 56 C\n", "a National Insurance number"),
]


@pytest.mark.parametrize(
    ("content", "message"),
    [(c, m) for _, c, m in PERSONAL_FILES],
    ids=[i for i, _, _ in PERSONAL_FILES],
)
def test_personal_data_is_refused_and_never_stored(
    workspace: Workspace, tmp_path: Path, content: str, message: str
) -> None:
    path = write_csv(tmp_path / "cases.csv", content)
    with pytest.raises(InputError) as caught:
        ingest_referrals(workspace, path, name="cases")
    text = str(caught.value)
    assert message in text
    assert "Fix: remove" in text
    assert not any(s in text for s in SENTINELS)  # the message never repeats the values
    workspace.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("w.db*"))
    assert not any(s.encode() in stored for s in SENTINELS)
    assert all(s["name"] != "cases" for s in workspace.sources())


def test_unknown_columns_are_ignored_and_not_stored(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv", "from,to,count,comment\nsvc1,svc2,1,Zebedee Quartermaine rang\n"
    )
    report = ingest_referrals(workspace, path, name="r")
    assert problems(report, "column-not-used")[0]["value"] == "comment"
    workspace.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("w.db*"))
    assert b"Zebedee" not in stored and b"r.csv" in stored


def test_personal_data_in_a_spreadsheet_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["from", "to", "count", "Client surname"])
    book.active.append(["svc1", "svc2", 1, "Quartermaine"])
    book.save(path)
    with pytest.raises(InputError, match="'Client surname' \\(a person's name\\)"):
        ingest_referrals(workspace, path)


# -- relationships ------------------------------------------------------------------------------


def test_relationships_with_kinds_and_dates(workspace: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "ties.csv",
        """
organisation_a,organisation_b,type,start,end,name
GB-CHC-1122334,org2,Memorandum of Understanding,01/04/2023,2025-03-31,Oakbridge Money Forum
Hartley Advice Centre,Northgate Food Project,Shared trustees,2021,,
org1,org2,Twinning,soon,,
org1,org2,partnership,2024-05-01,2023-01-01,
org1,org1,partnership,,,
svc1,org2,partnership,,,
""",
    )
    report = ingest_relationships(workspace, path, name="ties")
    counts = report.tables["ties.csv"]
    assert (counts.read, counts.loaded, counts.rejected) == (6, 4, 2)
    edges = {
        key: data
        for u, v, key, data in workspace.graph().edges(keys=True, data=True)
        if data["type"] == "PARTNERS_WITH"
    }
    (ties,) = [s for s in workspace.sources() if s["name"] == "ties"]
    day = ties["snapshots"][0]["date"]  # the one snapshot asserting it: first and last seen then
    assert edges["PARTNERS_WITH|MoU"] == {
        "first_asserted": day,
        "last_asserted": day,
        "kind": "MoU",
        "start_date": "2023-04-01",
        "end_date": "2025-03-31",
        "name": "Oakbridge Money Forum",
        "type": "PARTNERS_WITH",
        "sources": ["ties"],
    }
    assert edges["PARTNERS_WITH|shared board"]["start_date"] == "2021"
    assert edges["PARTNERS_WITH|twinning"]["kind"] == "twinning"
    assert problems(report, "unknown-kind")[0]["row"] == 4
    assert problems(report, "bad-date")[0]["value"] == "soon"
    assert problems(report, "ends-before-start")[0]["row"] == 5
    assert problems(report, "self-tie")[0]["row"] == 6
    wrong = problems(report, "wrong-end-type")[0]
    assert wrong["row"] == 7 and "is service dir:service:svc1" in str(wrong["value"])


def test_relationship_files_with_people_on_boards_are_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "boards.csv",
        "from,to,kind,trustee_name\norg1,org2,shared board,Zebedee Quartermaine\n",
    )
    with pytest.raises(InputError, match="'trustee_name' \\(a person's name\\)"):
        ingest_relationships(workspace, path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("partnership", True)),
        ("Consortium member", ("consortium", True)),
        ("Co-location", ("co-location agreement", True)),
        ("Sub-contract", ("subcontract", True)),
        ("MOU", ("MoU", True)),
        ("Friends", ("friends", False)),
    ],
)
def test_kinds_are_normalised(text: str, expected: tuple[str, bool]) -> None:
    assert normalise_kind(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2023-04-01", "2023-04-01"), ("1/4/2023", "2023-04-01"), ("2023-13", None), ("2023", "2023")],
)
def test_dates_are_read_day_first(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_the_cli_ingests_referrals(workspace: Workspace, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    workspace.close()
    path = write_csv(tmp_path / "r.csv", "from,to,count\nsvc1,svc2,3\n")
    result = run_cli("--db", tmp_path / "w.db", "ingest", "referrals", path, "--ends", "service")
    assert result.code == 0, result.err
    assert "REFERS_TO 1" in result.out
    refused = write_csv(tmp_path / "p.csv", "from,to,count,dob\nsvc1,svc2,3,1976-02-29\n")
    result = run_cli("--db", tmp_path / "w.db", "ingest", "referrals", refused)
    assert result.code == 1 and "date of birth" in result.err and "Traceback" not in result.err
