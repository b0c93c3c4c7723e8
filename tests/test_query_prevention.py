"""query prevention: service levels by crosswalk, rules and mapping files; area shares."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from handmade import Town, edge, ingest_records, node

from civicgraph.errors import InputError
from civicgraph.graph import Workspace
from civicgraph.ontology import EdgeType, NodeType
from civicgraph.queries import analysis_fields, prevention, prevention_profile


def _town() -> Town:
    t = Town()
    t.area("LAD", "Borough")
    t.area("A", "Estate", parent="LAD")
    t.area("B", "Village", parent="LAD")
    for area in ("LAD", "A", "B"):
        t.g.nodes[area]["level"] = "lad" if area == "LAD" else "lsoa"
    t.concept("oe1120", "Emergency Food")
    t.g.nodes["oe1120"].update(code="1120", taxonomy="Open Eligibility")
    t.concept("x-peer", "peer support")  # the label of Open Eligibility 1310
    t.concept("airs-top", "Basic Needs")
    t.concept("airs-shelter", "Night Shelters", parent="airs-top")
    t.service("s1", "o1", name="Food parcels", terms=("oe1120",), serves=("A",))
    t.service("s2", "o1", name="Crisis beds", terms=("airs-shelter",), serves=("A",))
    t.service("s3", "o2", name="Walk and talk exercise", serves=("A",))
    t.service("s4", "o2", name="Friends", terms=("x-peer",), serves=("A",))
    t.service("s5", "o3", name="Mystery", serves=("B",), prevention_level="tertiary")
    t.service("s6", "o3", name="Parking permits", serves=("B",))
    t.service("s7", "o3", name="Night shelter", serves=("A",))
    t.grant("f", "o2", "Lunch club grant", amount=300.0, area="A")
    t.grant("f", "o1", "Emergency response fund", amount=700.0, area="A")
    t.location("L1", "Hall", facility_kind="community centre")
    t.in_area("L1", "B")
    return t


def test_each_service_gets_its_level_term_rule_and_why() -> None:
    rows = prevention(_town().g, by="service").set_index("id")
    assert list(rows.columns) == ["name", "level", "term", "rule", "confidence", "why"]
    # by the crosswalk's code in the Open Eligibility taxonomy
    assert rows.loc["s1", ["level", "term", "rule"]].tolist() == [
        "acute",
        "Emergency Food",
        "label: crisis and emergency",
    ]
    # a term of another taxonomy by the rules over its own label
    assert rows.loc["s2", "level"] == "acute"
    assert rows.loc["s2", "rule"] == "label: crisis accommodation"
    # the label of a crosswalk term, trusted a little less than the crosswalk itself
    assert rows.loc["s4", "level"] == "secondary"
    assert rows.loc["s4", "rule"].startswith("same label as Open Eligibility 1310")
    assert rows.loc["s4", "confidence"] == pytest.approx(0.6)
    # no term: the service's own name
    assert rows.loc["s7", "rule"] == "service name: crisis accommodation"
    assert rows.loc["s5", ["level", "rule"]].tolist() == ["tertiary", "stated by the source"]
    assert pd.isna(rows.loc["s6", "level"])
    assert rows.loc["s6", "why"] == "no term, mapping or rule gives it a level"


def test_each_area_has_its_shares_and_is_flagged_where_acute_outweighs_prevention() -> None:
    rows = prevention(_town().g).set_index("area")
    estate, village = rows.loc["A"], rows.loc["B"]
    # Estate: food parcels, crisis beds, night shelter (acute); walk and talk (primary);
    # friends (secondary).
    assert estate["services"] == 5
    assert estate[["services_acute", "services_primary", "services_secondary"]].tolist() == [
        0.6,
        0.2,
        0.2,
    ]
    assert bool(estate["acute_outweighs_prevention"])
    assert "acute provision outweighs prevention (3 acute against 2" in estate["why"]
    # Grants by their titles: 700 emergency, 300 lunch club.
    assert estate["grants"] == 1000.0
    assert estate[["grants_acute", "grants_primary"]].tolist() == [0.7, 0.3]
    # Village: one stated tertiary, one with no level (out of the shares), a community centre.
    assert village["services"] == 2
    assert village["services_tertiary"] == 1.0
    assert not village["acute_outweighs_prevention"]
    assert village["facilities"] == 1
    assert village["facilities_primary"] == 1.0
    assert rows.index[0] == "A"  # flagged areas first


def test_within_keeps_the_areas_inside_and_level_lad_sums_them() -> None:
    g = _town().g
    assert prevention(g, within="B")["area"].tolist() == ["B"]
    assert prevention(g, within="Village")["area"].tolist() == ["B"]  # by name too
    borough = prevention(g, level="lad").set_index("area").loc["LAD"]
    assert borough["services"] == 7
    assert list(prevention(g, by="service", within="B")["id"]) == ["s5", "s6"]


def test_the_prevention_profile_for_the_report() -> None:
    profile = prevention_profile(_town().g, "A")
    assert profile == {"primary": 0.2, "secondary": 0.2, "tertiary": 0.0, "acute": 0.6}
    # The borough: six services with a level (parking permits has none), three acute.
    assert prevention_profile(_town().g, "LAD") == {
        "primary": 0.167,
        "secondary": 0.167,
        "tertiary": 0.167,
        "acute": 0.5,
    }


def test_the_prevention_level_field_is_filled_for_services_and_organisations() -> None:
    found = analysis_fields(_town().g, fields=["prevention_level"])
    assert found["s1"]["prevention_level"] == "acute"
    assert found["o1"]["prevention_level"] == "acute"
    assert found["o3"]["prevention_level"] == "acute"  # night shelter and mystery: a tie
    assert "s6" not in found


def _workspace(path: Path) -> Workspace:
    ws = Workspace(path)
    ingest_records(
        ws,
        [
            node(NodeType.ORGANIZATION, "o1", name="Hope"),
            node(NodeType.SERVICE, "s1", name="Drop-in"),
            node(NodeType.SERVICE, "s2", name="Lunch club"),
            node(NodeType.CONCEPT, "c1", name="Drop-in sessions", code="DROP"),
            edge(EdgeType.PROVIDES, "o1", "s1"),
            edge(EdgeType.PROVIDES, "o1", "s2"),
            edge(EdgeType.CLASSIFIED_AS, "s1", "c1"),
        ],
    )
    return ws


def test_a_users_mapping_file_overrides_and_is_kept_in_the_workspace(
    tmp_path: Path, run_cli
) -> None:
    db = tmp_path / "town.db"
    _workspace(db).close()
    mapping = tmp_path / "levels.csv"
    mapping.write_text("term,level,why\nDROP,tertiary,our drop-in is for people in recovery\n")
    first = run_cli(
        "--db",
        db,
        "query",
        "prevention",
        "--by",
        "service",
        "--mapping",
        mapping,
        "--format",
        "csv",
    )
    assert first.code == 0, first.err
    assert (
        "Drop-in,tertiary,Drop-in sessions,your mapping (levels.csv),1.0,our drop-in" in first.out
    )
    # kept: the next run without --mapping still uses it
    again = run_cli("--db", db, "query", "prevention", "--by", "service", "--format", "csv")
    assert "your mapping (levels.csv)" in again.out
    forgotten = run_cli(
        "--db", db, "query", "prevention", "--by", "service", "--mapping", "none", "--format", "csv"
    )
    assert "your mapping" not in forgotten.out
    with Workspace(db) as ws:
        assert ws.setting("prevention_mapping") is None


def test_a_skos_mapping_file_works_like_a_csv(tmp_path: Path) -> None:
    mapping = tmp_path / "levels.ttl"
    mapping.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://example.org/t/drop> skos:notation "DROP" ;\n'
        "    skos:broadMatch <https://w3id.org/civicgraph/prevention/acute> .\n"
    )
    ws = _workspace(tmp_path / "town.db")
    rows = ws.query("prevention", by="service", mapping=str(mapping)).set_index("id")
    assert rows.loc["s1", ["level", "rule"]].tolist() == ["acute", "your mapping (levels.ttl)"]
    assert rows.loc["s2", "level"] == "primary"  # lunch club, by the rules


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("term\nDROP\n", ".csv", r"needs 'term' and 'level'"),
        (
            "term,level\nDROP,urgent\n,primary\nX,acute,\n",
            ".csv",
            r"2 rows cannot be used: line 2: level 'urgent' for 'DROP'; line 3: no term",
        ),
        ("term,level,confidence\nDROP,acute,7\n", ".csv", r"confidence 7.0 is not between 0 and 1"),
        ("<a> <b> .\n", ".ttl", r"not readable Turtle"),
        (
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<https://e.org/a> "
            "skos:broadMatch <https://w3id.org/civicgraph/prevention/urgent> .\n",
            ".ttl",
            r"which is not a level",
        ),
    ],
)
def test_bad_mapping_files_are_refused_naming_the_file_and_rows(
    tmp_path: Path, text: str, suffix: str, message: str
) -> None:
    mapping = tmp_path / f"levels{suffix}"
    mapping.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        prevention(_town().g, mapping=str(mapping))
    assert str(mapping) in str(caught.value)
    assert "Fix:" in str(caught.value)


def test_cli_bad_mapping_is_exit_1_and_a_missing_one_exit_2(tmp_path: Path, run_cli) -> None:
    db = tmp_path / "town.db"
    _workspace(db).close()
    bad = tmp_path / "levels.csv"
    bad.write_text("term,level\nDROP,urgent\n")
    result = run_cli("--db", db, "query", "prevention", "--mapping", bad)
    assert result.code == 1
    assert "levels.csv" in result.err and "Traceback" not in result.err
    missing = run_cli("--db", db, "query", "prevention", "--mapping", tmp_path / "nope.csv")
    assert missing.code == 2
    assert "--mapping" in missing.err or "nope.csv" in missing.err
