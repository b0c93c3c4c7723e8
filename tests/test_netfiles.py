"""Network files for Gephi, igraph and Kumu: schema-valid, read back whole, with analysis fields.

GEXF is checked against an XML Schema of GEXF 1.3 (tests/data/gexf: the static subset,
written from the official RelaxNG grammar, because the published 1.3 XSD does not
compile); GraphML is read by python-igraph and networkx; Kumu's workbook by openpyxl.
Every round trip compares counts and attribute values with the graph, and the analysis
fields with the queries they come from.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from pathlib import Path

import igraph as ig
import networkx as nx
import openpyxl
import pytest
from handmade import ORG, SPECIAL, SVC, Town, edge, ingest_records, node, small_town_workspace
from helpers import TEST_DATA
from lxml import etree

from civicgraph import UsageError, Workspace
from civicgraph.graph.netfiles import GEXF_NAMESPACE, export_network, flat_graph
from civicgraph.ingest import ingest
from civicgraph.ontology import EdgeType
from civicgraph.queries import brokers, si_index
from civicgraph.queries.silos import silo_groups
from civicgraph.synth import synth

GEXF = f"{{{GEXF_NAMESPACE}}}"
SCHEMA = etree.XMLSchema(etree.parse(str(TEST_DATA / "gexf" / "gexf-1.3-static.xsd")))
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A synthetic town with referrals (silos, brokers) and areas (SI index), plus oddities."""
    folder = tmp_path_factory.mktemp("town")
    workspace = Workspace(folder / "w.db")
    for source in synth(folder / "data", services=120, seed=3):
        ingest(workspace, source.kind, str(source.path), name=source.name)
    ingest_records(
        workspace,
        [
            node(ORG, "odd:organization:1", name=SPECIAL, languages=["a|b", "c"], flag=True),
            node(ORG, "odd:organization:2", name=FORMULA, id="its own id"),
            node(SVC, "odd:service:1", name="-3", minimum_age=-3),
            edge(EdgeType.PROVIDES, "odd:organization:2", "odd:service:1"),
        ],
        name="odd",
    )
    return workspace


def _validate(path: Path) -> etree._ElementTree:
    document = etree.parse(str(path))
    assert SCHEMA.validate(document), SCHEMA.error_log.last_error
    return document


def _typed(value: str, kind: str) -> object:
    return {
        "long": int,
        "double": float,
        "boolean": lambda v: {"true": True, "false": False}[v],
        "string": str,
    }[kind](value)


def test_gexf_is_valid_gexf_13_and_every_value_fits_its_declared_type(
    town: Workspace, tmp_path: Path
) -> None:
    path = export_network(town, tmp_path / "town.gexf", format="gexf")
    document = _validate(path)
    root = document.getroot()
    assert root.get("version") == "1.3" and root.tag == f"{GEXF}gexf"
    graph = root.find(f"{GEXF}graph")
    assert graph is not None and "name" not in graph.attrib
    declared = {
        (attributes.get("class"), attribute.get("id")): attribute.get("type")
        for attributes in graph.findall(f"{GEXF}attributes")
        for attribute in attributes.findall(f"{GEXF}attribute")
    }
    for where in ("node", "edge"):
        for element in graph.iter(f"{GEXF}{where}"):
            for value in element.iter(f"{GEXF}attvalue"):
                kind = declared[(where, value.get("for"))]  # every value names a declared column
                _typed(value.get("value"), kind)  # and parses as its type
    # No attribute anywhere is written empty for want of a value.
    empty = [
        (element.tag, name)
        for element in root.iter()
        for name, value in element.attrib.items()
        if value == "" and element.tag != f"{GEXF}attvalue"
    ]
    assert empty == []


def test_the_schema_rejects_what_networkx_writes(tmp_path: Path) -> None:
    """The validation is real: networkx's own GEXF 1.3 has the empty name="" the issue names."""
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b")
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, version="1.3")
    assert not SCHEMA.validate(etree.fromstring(buffer.getvalue()))
    assert "'name' is not allowed" in str(SCHEMA.error_log.last_error)


def test_gexf_round_trips_through_networkx(town: Workspace, tmp_path: Path) -> None:
    path = export_network(town, tmp_path / "town.gexf", format="gexf", analysis=False)
    back = nx.read_gexf(path, version="1.3")
    expected = flat_graph(town.graph(), xml=True)
    assert set(back.nodes) == set(expected.nodes)
    assert back.number_of_edges() == expected.number_of_edges()
    for node_id, data in expected.nodes(data=True):
        assert dict(back.nodes[node_id]) == data, node_id
    # Carriage returns, tabs and line feeds survive; XML's forbidden controls become U+FFFD.
    assert back.nodes["odd:organization:1"]["name"] == (
        SPECIAL.replace("\x01", "\ufffd").replace("\x07", "\ufffd").replace("\x1f", "\ufffd")
    )
    # A property called 'id' is kept, renamed: the id is the node's.
    assert back.nodes["odd:organization:2"]["id_"] == "its own id"


def test_graphml_loads_in_igraph_without_an_id_clash(town: Workspace, tmp_path: Path) -> None:
    path = export_network(town, tmp_path / "town.graphml", format="graphml")
    loaded = ig.Graph.Read_GraphML(str(path))  # warnings are errors in this suite
    graph = town.graph()
    assert (loaded.vcount(), loaded.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    by_id = {vertex["id"]: vertex for vertex in loaded.vs}
    assert set(by_id) == set(graph.nodes)
    for node_id, data in graph.nodes(data=True):
        vertex = by_id[node_id]
        assert vertex["node_type"] == data["type"]
        for name in ("population", "latitude", "amount"):
            if isinstance(data.get(name), int | float):
                assert vertex[name] == pytest.approx(data[name]), (node_id, name)
    assert by_id["odd:organization:1"]["flag"] is True
    edge_ids = {e["edge_id"] for e in loaded.es}  # igraph 1.0 misreads GraphML's own edge ids
    assert edge_ids == {f"{u}|{v}|{k}" for u, v, k in graph.edges(keys=True)}
    for e in loaded.es:
        u, v = loaded.vs[e.source]["id"], loaded.vs[e.target]["id"]
        assert e["edge_id"].startswith(f"{u}|{v}|")  # each edge joins the nodes it names


def test_graphml_round_trips_through_networkx_with_typed_attributes(
    town: Workspace, tmp_path: Path
) -> None:
    path = export_network(town, tmp_path / "town.graphml", format="graphml", analysis=False)
    back = nx.read_graphml(path, force_multigraph=True)
    expected = flat_graph(town.graph(), xml=True)
    assert dict(back.nodes(data=True)) == dict(expected.nodes(data=True))
    # networkx reads an edge's GraphML id as its key; the file also carries it as edge_id.
    got = sorted(
        (u, v, k, tuple(sorted(d.items()))) for u, v, k, d in back.edges(keys=True, data=True)
    )
    want = sorted(
        (u, v, d["id"], tuple(sorted(("edge_id" if n == "id" else n, x) for n, x in d.items())))
        for u, v, d in expected.edges(data=True)
    )
    assert got == want
    assert back.nodes["odd:service:1"]["minimum_age"] == -3


def test_both_carry_the_analysis_fields_as_the_queries_give_them(
    town: Workspace, tmp_path: Path
) -> None:
    graph = town.graph()
    back = nx.read_gexf(export_network(town, tmp_path / "t.gexf", format="gexf"), version="1.3")
    loaded = ig.Graph.Read_GraphML(
        str(export_network(town, tmp_path / "t.graphml", format="graphml"))
    )
    vertices = {vertex["id"]: vertex for vertex in loaded.vs}
    # silo groups: the members of each group of 'query silos' share its number.
    frame, members = silo_groups(graph, seed=1)
    assert members
    for group, group_members in zip(frame["group"], members, strict=True):
        for member in group_members:
            assert back.nodes[member]["silo_group"] == group
            assert vertices[member]["silo_group"] == group
    # betweenness: as 'query brokers' reports it.
    for row in brokers(graph, limit=0).itertuples():
        assert back.nodes[row.id]["betweenness"] == pytest.approx(row.betweenness)
    # si score and rank: as 'query si-index' at each level with two or more areas.
    scored = 0
    for level in ("lsoa", "msoa"):
        for row in si_index(graph, level=level).itertuples():
            if not math.isnan(row.si_score):
                assert back.nodes[row.area]["si_score"] == pytest.approx(row.si_score)
                assert back.nodes[row.area]["si_rank"] == row.si_rank
                scored += 1
    assert scored > 0
    # sector on every organisation and service; none on areas.
    kinds = {data["node_type"] for data in back.nodes.values() if "sector" in data}
    assert kinds == {"Organization", "Service"}
    # typed: numbers are numbers in both files.
    assert isinstance(back.nodes[members[0][0]]["silo_group"], int)
    assert isinstance(vertices[members[0][0]]["betweenness"], float)


def test_prevention_levels_travel_when_the_graph_has_them(tmp_path: Path) -> None:
    """The hook for prevention levels: a service's own level is exported, and its
    organisation gets the most common level of its services."""
    t = Town()
    t.org("O1", "Advice Trust")
    t.service("S1", "O1", prevention_level="primary")
    t.service("S2", "O1", prevention_level="primary")
    t.service("S3", "O1", prevention_level="secondary")
    t.org("O2", "No levels")
    t.service("S4", "O2")
    back = nx.read_gexf(export_network(t.g, tmp_path / "p.gexf", format="gexf"), version="1.3")
    assert back.nodes["O1"]["prevention_level"] == "primary"
    assert back.nodes["S3"]["prevention_level"] == "secondary"
    assert "prevention_level" not in back.nodes["O2"]
    _validate(tmp_path / "p.gexf")


def test_kumu_is_one_typed_workbook_with_formulas_neutralised(
    town: Workspace, tmp_path: Path
) -> None:
    path = export_network(town, tmp_path / "kumu.xlsx", format="kumu")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Elements", "Connections"]
    elements, connections = workbook["Elements"], workbook["Connections"]
    graph = town.graph()
    assert elements.max_row - 1 == graph.number_of_nodes()
    assert connections.max_row - 1 == graph.number_of_edges()
    header = [c.value for c in elements[1]]
    assert header[:4] == ["ID", "Label", "Type", "Description"]
    assert all(c.font.b for c in elements[1]) and elements.freeze_panes == "A2"
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in elements.iter_rows(2)}
    formula = rows["odd:organization:2"]["Label"]
    assert formula.value == FORMULA and formula.data_type == "s" and formula.quotePrefix
    assert rows["odd:service:1"]["Label"].value == "-3"  # text stays text
    assert rows["odd:service:1"]["minimum_age"].value == -3  # and a number a number
    assert rows["odd:organization:1"]["languages"].value == "a|b|c"
    population = next(r["population"].value for r in rows.values() if r["population"].value)
    assert isinstance(population, int)
    connection_header = [c.value for c in connections[1]]
    assert connection_header[:6] == ["ID", "From", "To", "Type", "Direction", "Label"]
    counts = [
        row[connection_header.index("count")].value
        for row in connections.iter_rows(2)
        if row[3].value == "REFERS_TO"
    ]
    assert counts and all(isinstance(c, int) for c in counts)
    assert "silo_group" in header and "si_score" in header


def test_kumu_csv_has_elements_and_connections(tmp_path: Path, run_cli) -> None:
    workspace = small_town_workspace(tmp_path / "w.db")
    ingest_records(
        workspace,
        [
            node(ORG, "odd:organization:1", name=SPECIAL),
            node(ORG, "odd:organization:2", name=FORMULA),
        ],
        name="odd",
    )
    for command in ("csv", "kumu"):
        result = run_cli("--db", workspace.path, "export", command, "--out", tmp_path / command)
        assert result.code == 0, result.err
        with (tmp_path / command / "elements.csv").open(encoding="utf-8", newline="") as handle:
            elements = list(csv.DictReader(handle))
        with (tmp_path / command / "connections.csv").open(encoding="utf-8", newline="") as handle:
            connections = list(csv.DictReader(handle))
        assert list(elements[0])[:4] == ["ID", "Label", "Type", "Description"]
        assert list(connections[0])[:6] == ["ID", "From", "To", "Type", "Direction", "Label"]
        by_id = {e["ID"]: e for e in elements}
        assert by_id["odd:organization:1"]["Label"] == SPECIAL  # CSV carries every character
        assert by_id["odd:organization:2"]["Label"] == "'" + FORMULA  # and runs nothing
        assert by_id["hand:service:debt"]["languages"] == "English|Urdu"
        assert len(connections) == workspace.graph().number_of_edges()
        assert len({c["ID"] for c in connections}) == len(connections)
        referrals = [c for c in connections if c["Type"] == "REFERS_TO"]
        assert sorted(c["count"] for c in referrals) == ["12", "7"]


def test_part_of_the_graph_and_its_fields(town: Workspace, tmp_path: Path) -> None:
    """The plumbing --within will use: nodes= keeps those nodes and the edges among them,
    while the analysis fields are those of the whole graph."""
    graph = town.graph()
    orgs = sorted(n for n, d in graph.nodes(data=True) if d["type"] == "Organization")
    services = sorted(s for o in orgs[:3] for s in graph.successors(o))
    chosen = set(orgs[:3]) | set(services)
    whole = nx.read_gexf(export_network(town, tmp_path / "all.gexf", format="gexf"), version="1.3")
    path = export_network(town, tmp_path / "part.gexf", format="gexf", nodes=chosen)
    _validate(path)
    part = nx.read_gexf(path, version="1.3")
    assert set(part.nodes) == chosen
    assert part.number_of_edges() == graph.subgraph(chosen).number_of_edges()
    for node_id in chosen:
        assert part.nodes[node_id] == whole.nodes[node_id]
    with pytest.raises(UsageError, match="not in the graph"):
        export_network(town, tmp_path / "x.gexf", format="gexf", nodes=["no-such-node"])


def test_export_cli_writes_every_network_format(town: Workspace, tmp_path: Path, run_cli) -> None:
    for command, name in [
        ("graphml", "t.graphml"),
        ("gexf", "t.gexf"),
        ("kumu", "t.xlsx"),
        ("csv", "kumu-folder"),
    ]:
        result = run_cli("--db", town.path, "export", command, "--out", tmp_path / name)
        assert result.code == 0, result.err
    _validate(tmp_path / "t.gexf")
    bare = run_cli(
        "--db", town.path, "export", "gexf", "--no-analysis", "--out", tmp_path / "bare.gexf"
    )
    assert bare.code == 0
    text = (tmp_path / "bare.gexf").read_text(encoding="utf-8")
    assert 'title="silo_group"' not in text and 'title="silo_group"' in (
        tmp_path / "t.gexf"
    ).read_text(encoding="utf-8")
    file_as_folder = run_cli("--db", town.path, "export", "csv", "--out", tmp_path / "t.gexf")
    assert file_as_folder.code == 2 and "is a file" in file_as_folder.err


def test_an_empty_workspace_exports_valid_empty_files() -> None:
    folder = Path(tempfile.mkdtemp())
    empty = Workspace(":memory:")
    _validate(export_network(empty, folder / "e.gexf", format="gexf"))
    assert (
        ig.Graph.Read_GraphML(
            str(export_network(empty, folder / "e.graphml", format="graphml"))
        ).vcount()
        == 0
    )
