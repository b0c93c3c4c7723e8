"""Outputs that never lose data: every command that prints rows, in every format.

The rows read back from each file are compared with the rows the Python API returns
(``Workspace.query``), so nothing may be cut, retyped or reordered on the way out.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from handmade import ORG, SVC, edge, ingest_records, node, small_town_workspace

from civicgraph import UsageError, Workspace
from civicgraph.graph.tables import TABLE_FORMATS, format_for
from civicgraph.ingest import ingest
from civicgraph.ontology import EdgeType
from civicgraph.queries import QUERIES, run_query
from civicgraph.synth import synth

FORMULA = '=HYPERLINK("http://evil.example","click")'
PIPES = "Pipe | and <b>bold</b> \\ Trust"


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("town")
    path = folder / "w.db"
    with Workspace(path) as workspace:
        for source in synth(folder / "data", services=120, seed=3):
            ingest(workspace, source.kind, str(source.path), name=source.name)
        ingest_records(
            workspace,
            [
                node(ORG, "odd:organization:1", name=FORMULA),
                node(ORG, "odd:organization:2", name=PIPES),
                node(ORG, "odd:organization:3", name="@SUM(A1)"),
                node(SVC, "odd:service:1", name="+44 113 496 0000"),
                node(SVC, "odd:service:2", name="Lunch club"),
                node(SVC, "odd:service:3", name="Debt advice"),
                edge(EdgeType.PROVIDES, "odd:organization:3", "odd:service:1"),
                edge(EdgeType.PROVIDES, "odd:organization:1", "odd:service:2"),
                edge(EdgeType.PROVIDES, "odd:organization:2", "odd:service:3"),
            ],
            name="odd",
        )
    return path


def _assert_same_rows(rows: list[dict[str, object]], frame: pd.DataFrame) -> None:
    """JSON rows are the frame's rows: the same columns, values and order (floats to 1e-12)."""
    assert len(rows) == len(frame)
    for got, (_, want) in zip(rows, frame.iterrows(), strict=True):
        assert list(got) == list(frame.columns)
        for column, value in want.items():
            if pd.isna(value):
                assert got[column] is None, column
            elif isinstance(value, float):
                assert got[column] == pytest.approx(value, rel=1e-12), column
            else:
                assert got[column] == value, column


def test_the_extension_names_the_format_and_nothing_is_cut(
    town: Path, tmp_path: Path, run_cli
) -> None:
    expected = Workspace(town).query("partnerships")
    assert expected["why"].str.len().max() > 80  # what the old table cut to "..."
    for suffix in ("csv", "json", "xlsx", "md", "txt"):
        out = tmp_path / f"p.{suffix}"
        result = run_cli("--db", town, "query", "partnerships", "--out", out)
        assert result.code == 0, result.err
        assert f"{len(expected):,} rows written to {out}" in result.err
    from_csv = pd.read_csv(tmp_path / "p.csv", keep_default_na=False)
    assert list(from_csv.columns) == list(expected.columns)
    assert from_csv["why"].tolist() == expected["why"].tolist()
    assert from_csv["score"].tolist() == pytest.approx(expected["score"].tolist())
    answer = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    _assert_same_rows(answer["rows"], expected)
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx")["rows"]
    assert [c.value for c in sheet[1]] == list(expected.columns)
    assert [c.value for c in sheet["A"][1:]] == expected["organization_a"].tolist()
    why = list(expected.columns).index("why")
    assert [row[why].value for row in sheet.iter_rows(2)] == expected["why"].tolist()
    markdown = (tmp_path / "p.md").read_text(encoding="utf-8").splitlines()
    assert len(markdown) == len(expected) + 2 and markdown[1].startswith("| --- |")
    text = (tmp_path / "p.txt").read_text(encoding="utf-8")
    assert expected["why"].iloc[0] in text  # the aligned table, whole, in a file


def test_a_format_that_contradicts_the_extension_is_a_usage_error(
    town: Path, tmp_path: Path, run_cli
) -> None:
    out = tmp_path / "silos.csv"
    result = run_cli("--db", town, "query", "silos", "--format", "json", "--out", out)
    assert result.code == 2 and "is a .csv file but --format is json" in result.err
    assert not out.exists()
    unknown = run_cli("--db", town, "query", "silos", "--out", tmp_path / "silos.data")
    assert unknown.code == 2 and "cannot tell the format" in unknown.err
    named = run_cli(
        "--db", town, "query", "silos", "--format", "csv", "--out", tmp_path / "silos.data"
    )
    assert named.code == 0 and (tmp_path / "silos.data").read_text().startswith("group,")
    for command in (["stats"], ["sources"], ["resolve", "--merges"], ["sparql", "--list"]):
        clash = run_cli("--db", town, *command, "--format", "md", "--out", tmp_path / "x.json")
        assert clash.code == 2, command


def test_dash_is_standard_output(
    town: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("--db", town, "query", "silos", "--out", "-", "--format", "json")
    assert result.code == 0 and not (tmp_path / "-").exists()
    _assert_same_rows(json.loads(result.out)["rows"], Workspace(town).query("silos"))
    stats = run_cli("--db", town, "stats", "--out", "-", "--format", "csv")
    assert stats.out.splitlines()[0] == "kind,type,count"


def test_xlsx_is_a_typed_workbook(town: Path, tmp_path: Path, run_cli) -> None:
    brokers = Workspace(town).query("brokers", limit=0)
    assert (
        run_cli("--db", town, "query", "brokers", "--limit", "0", "--out", tmp_path / "b.xlsx").code
        == 0
    )
    workbook = openpyxl.load_workbook(tmp_path / "b.xlsx")
    sheet = workbook["rows"]
    header = [c.value for c in sheet[1]]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{len(brokers) + 1}"
    )
    first = dict(zip(header, sheet[2], strict=True))
    assert isinstance(first["degree"].value, int)
    assert isinstance(first["betweenness"].value, float)
    assert isinstance(first["single_point_of_failure"].value, bool)
    assert first["betweenness"].value == pytest.approx(brokers["betweenness"].iloc[0])
    assert sheet.column_dimensions["M"].width >= 20  # 'why' is wide, not the default
    # Dates and times are dates: each snapshot's ingest time.
    assert run_cli("--db", town, "sources", "--out", tmp_path / "s.xlsx").code == 0
    sources = openpyxl.load_workbook(tmp_path / "s.xlsx")["rows"]
    column = [c.value for c in sources[1]].index("ingested_at")
    assert sources.cell(2, column + 1).is_date


def test_formula_like_text_is_neutralised_and_numbers_stay_numbers(
    town: Path, tmp_path: Path, run_cli
) -> None:
    isolates = Workspace(town).query("isolates")
    assert {FORMULA, "@SUM(A1)"} <= set(isolates["name"])
    assert run_cli("--db", town, "query", "isolates", "--out", tmp_path / "i.csv").code == 0
    with (tmp_path / "i.csv").open(encoding="utf-8", newline="") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    assert "'" + FORMULA in names and "'@SUM(A1)" in names and FORMULA not in names
    assert run_cli("--db", town, "query", "isolates", "--out", tmp_path / "i.xlsx").code == 0
    sheet = openpyxl.load_workbook(tmp_path / "i.xlsx")["rows"]
    cells = {c.value: c for c in sheet["B"][1:]}
    assert cells[FORMULA].data_type == "s" and cells[FORMULA].quotePrefix  # text, as it was
    json_out = run_cli("--db", town, "query", "isolates", "--format", "json")
    assert FORMULA in {row["name"] for row in json.loads(json_out.out)["rows"]}  # not a sheet
    # A number such as -0.5 stays a number.
    silos = Workspace(town).query("silos")
    assert (silos["ei_index"] < 0).any()
    text = run_cli("--db", town, "query", "silos", "--format", "csv").out
    ei = [row["ei_index"] for row in csv.DictReader(io.StringIO(text))]
    assert any(value.startswith("-") for value in ei)
    assert [float(v) for v in ei] == pytest.approx(silos["ei_index"].tolist())


def test_markdown_escapes_pipes_and_markup(town: Path, run_cli) -> None:
    result = run_cli("--db", town, "query", "isolates", "--format", "md")
    lines = result.out.splitlines()
    header = lines[0]
    columns = len(re.findall(r"(?<!\\)\|", header))
    row = next(line for line in lines if "Pipe" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == columns  # the name's | does not split cells
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
    unescaped = [re.sub(r"\\(.)", r"\1", c) for c in cells]
    assert PIPES in unescaped


def test_a_querys_answer_says_its_scope_in_every_format(
    town: Path, tmp_path: Path, run_cli
) -> None:
    gaps = Workspace(town).query("gaps")
    scope = gaps.attrs["scope"]
    assert scope.startswith("scope: ") and "chosen by" in scope
    # JSON: one object, the metadata then the rows (the Python API's rows, whole).
    result = run_cli("--db", town, "query", "gaps", "--format", "json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert list(answer) == ["query", "scope", "as_of", "notes", "rows"]
    assert answer["query"] == "gaps" and answer["as_of"] is None
    assert answer["scope"]["described"] == scope
    assert answer["scope"]["how"] == gaps.attrs["scope_detail"]["how"]
    assert answer["scope"]["areas"] == gaps.attrs["scope_detail"]["areas"]
    assert answer["scope"]["areas"] and all(a["area"] in scope for a in answer["scope"]["areas"])
    _assert_same_rows(answer["rows"], gaps)
    assert "note: scope" not in result.err  # said once, in the JSON
    dated = json.loads(
        run_cli("--db", town, "query", "gaps", "--as-of", "2100", "--format", "json").out
    )
    assert dated["as_of"] == "2100-12-31" and dated["notes"][0].startswith("as of 2100-12-31")
    # CSV stays rows alone; the scope goes to standard error.
    as_csv = run_cli("--db", town, "query", "gaps", "--format", "csv")
    assert as_csv.out.splitlines()[0].startswith("rank,area,")
    assert len(pd.read_csv(io.StringIO(as_csv.out))) == len(gaps)
    assert f"note: {scope}" in as_csv.err
    # Markdown starts with the scope line, in a file as on the screen.
    assert run_cli("--db", town, "query", "gaps", "--out", tmp_path / "g.md").code == 0
    lines = (tmp_path / "g.md").read_text(encoding="utf-8").splitlines()
    assert re.sub(r"\\(.)", r"\1", lines[0]) == f"_{scope}_" and lines[1] == ""
    assert lines[2].startswith("| rank | area |") and len(lines) == len(gaps) + 4
    # A workbook has an "about" sheet after its rows.
    assert run_cli("--db", town, "query", "gaps", "--out", tmp_path / "g.xlsx").code == 0
    workbook = openpyxl.load_workbook(tmp_path / "g.xlsx")
    assert workbook.sheetnames == ["rows", "about"]
    assert workbook["rows"].max_row == len(gaps) + 1
    facts = {row[0].value: row[1].value for row in workbook["about"].iter_rows(min_row=2)}
    assert facts["query"] == "gaps" and facts["scope.described"] == scope
    assert facts["scope.how"] == gaps.attrs["scope_detail"]["how"]
    # A query that is not about a place says so: no scope.
    silos = json.loads(run_cli("--db", town, "query", "silos", "--format", "json").out)
    assert silos["scope"] is None and silos["query"] == "silos"


def test_bom_is_an_option(town: Path, tmp_path: Path, run_cli, monkeypatch) -> None:
    plain = run_cli("--db", town, "query", "silos", "--out", tmp_path / "a.csv")
    assert plain.code == 0 and not (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert run_cli("--db", town, "query", "silos", "--bom", "--out", tmp_path / "b.csv").code == 0
    data = (tmp_path / "b.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data[3:] == (tmp_path / "a.csv").read_bytes()
    monkeypatch.setenv("CIVICGRAPH_CSV_BOM", "1")
    assert run_cli("--db", town, "query", "silos", "--out", tmp_path / "c.csv").code == 0
    assert (tmp_path / "c.csv").read_bytes() == data


def test_limit_on_every_kind_of_row_command(town: Path, run_cli) -> None:
    def rows(*args: str) -> list[dict[str, object]]:
        result = run_cli("--db", town, *args, "--format", "json")
        assert result.code == 0, result.err
        answer = json.loads(result.out)
        return answer["rows"]  # every answer is an object: its rows and what they are about

    assert len(rows("query", "silos", "--limit", "1")) == 1  # the generic --limit
    assert len(rows("query", "brokers", "--limit", "2")) == 2  # the query's own
    assert len(rows("query", "silos")) > 1
    assert len(rows("resolve", "--merges", "--limit", "3")) == 3
    assert len(rows("sparql", "SELECT ?s WHERE { ?s a cg:Service }", "--limit", "4")) == 4


@pytest.mark.parametrize(
    ("command", "query"),
    [
        (["sources"], "sources"),
        (["stats"], "stats"),
        (["resolve", "--merges"], "resolve --merges"),
        (["resolve", "--review"], "resolve --review"),
        (["resolve", "--decided"], "resolve --decided"),
        (["sparql", "SELECT ?s WHERE { ?s a cg:Service }"], "sparql"),
        (["sparql", "services-per-organisation"], "sparql services-per-organisation"),
        (["query", "silos"], "silos"),
    ],
)
def test_every_row_command_answers_json_in_one_envelope(
    town: Path, run_cli, command: list[str], query: str
) -> None:
    result = run_cli("--db", town, *command, "--format", "json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert list(answer)[:5] == ["query", "scope", "as_of", "notes", "rows"]
    assert answer["query"] == query
    assert isinstance(answer["rows"], list)
    assert answer["rows"] or command[:2] in (["resolve", "--review"], ["resolve", "--decided"])


def test_choices_ignore_case_and_take_british_spellings(town: Path, run_cli) -> None:
    american = run_cli(
        "--db", town, "query", "isolates", "--kind", "organization", "--format", "json"
    )
    for spelling in ("organisation", "Organisation", "ORGANIZATION"):
        british = run_cli("--db", town, "query", "isolates", "--kind", spelling, "--format", "JSON")
        assert british.code == 0, british.err
        assert british.out == american.out
    silos = run_cli("--db", town, "query", "silos", "--level", "Organisation", "--format", "Csv")
    assert silos.code == 0, silos.err
    wrong = run_cli("--db", town, "query", "isolates", "--kind", "charity")
    assert wrong.code == 2 and "'charity' is not one of" in wrong.err


def _help(run_cli, *command: str) -> str:
    result = run_cli(*command, "--help")
    assert result.code == 0, command
    return result.out


def test_every_command_that_prints_rows_has_the_same_output_options(run_cli) -> None:
    from civicgraph.queries.twins import TWINS

    commands = [["query", name] for name in QUERIES]
    commands += [["neo4j", "query", name] for name in TWINS]
    commands += [["resolve"], ["sparql"], ["sources"], ["validate-rdf"], ["stats"]]
    for command in commands:
        text = _help(run_cli, *command)
        for option in ("--format", "--out", "--bom"):
            assert option in text, (command, option)
        if command != ["stats"]:
            assert "--limit" in text, command
        assert "xlsx" in text and "md" in text, command


def test_rows_of_sources_stats_resolve_and_validate_rdf(
    town: Path, tmp_path: Path, run_cli
) -> None:
    workspace = Workspace(town)
    assert run_cli("--db", town, "stats", "--out", tmp_path / "stats.csv").code == 0
    stats = pd.read_csv(tmp_path / "stats.csv")
    counts = workspace.stats()
    assert dict(zip(stats["type"], stats["count"], strict=True)) == {
        **counts["nodes"],
        **counts["edges"],
    }
    assert run_cli("--db", town, "sources", "--out", tmp_path / "sources.csv").code == 0
    sources = pd.read_csv(tmp_path / "sources.csv")
    expected = sum(len(s["tables"]) for src in workspace.sources() for s in src["snapshots"])
    assert len(sources) == expected
    assert run_cli("--db", town, "resolve", "--merges", "--out", tmp_path / "m.xlsx").code == 0
    merges = openpyxl.load_workbook(tmp_path / "m.xlsx")["rows"]
    assert merges.max_row - 1 == len(workspace.merges())
    evidence = [c.value for c in merges[1]].index("evidence")
    assert json.loads(merges.cell(2, evidence + 1).value) == workspace.merges()[0]["evidence"]
    from civicgraph.graph.rdf import export_rdf
    from civicgraph.graph.shacl import validate_rdf

    small = small_town_workspace(tmp_path / "small.db")  # SHACL is slow; a small town will do
    ingest_records(small, [node(SVC, "odd:service:1", name="No provider")], name="odd")
    export_rdf(small, tmp_path / "t.ttl")
    report = validate_rdf(tmp_path / "t.ttl")
    assert report.results  # the service without a provider is a warning
    result = run_cli("validate-rdf", tmp_path / "t.ttl", "--out", tmp_path / "r.csv")
    assert result.code in (0, 1)
    assert len(pd.read_csv(tmp_path / "r.csv")) == len(report.results)


def test_xlsx_on_a_pipe_is_a_workbook(town: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "civicgraph",
            "--db",
            str(town),
            "query",
            "silos",
            "--format",
            "xlsx",
        ],
        capture_output=True,
        check=True,
    )
    workbook = openpyxl.load_workbook(io.BytesIO(result.stdout))
    assert workbook["rows"].max_row == len(Workspace(town).query("silos")) + 1


def test_workspace_query_is_the_query(town: Path) -> None:
    workspace = Workspace(town)
    graph = workspace.graph()
    direct = run_query("si-index", workspace, level="msoa")
    assert workspace.query("si_index", level="msoa").equals(direct)
    assert workspace.query("gaps").equals(QUERIES["gaps"].function(graph))
    with pytest.raises(UsageError, match="has no parameter 'colour'"):
        workspace.query("silos", colour="sector")
    with pytest.raises(UsageError, match="there is no query 'silo'"):
        workspace.query("silo")


def test_format_for_in_python() -> None:
    assert format_for("a.XLSX") == "xlsx" and set(TABLE_FORMATS) == {
        "table", "csv", "json", "xlsx", "md",
    }  # fmt: skip
    from civicgraph.cli._common import OUTPUT_FORMATS

    assert OUTPUT_FORMATS == TABLE_FORMATS  # the CLI's list (click only) is the library's
    with pytest.raises(UsageError, match="--format"):
        format_for("a.md", "csv")


def test_a_bare_import_gives_queries_and_viz() -> None:
    code = (
        "import civicgraph, sys\n"
        "assert 'pandas' not in sys.modules  # loaded on first use\n"
        "gaps, write_view = civicgraph.queries.gaps, civicgraph.viz.write_view\n"
        "to_pyvis, query = civicgraph.viz.to_pyvis, civicgraph.Workspace.query\n"
        "tables, netfiles = civicgraph.graph.tables, civicgraph.graph.netfiles\n"
        "assert callable(tables.write_table) and callable(netfiles.export_network)\n"
        "from civicgraph.queries.places import gaps as defined\n"
        "from civicgraph.viz.page import write_view as written\n"
        "assert gaps is defined and write_view is written\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr
