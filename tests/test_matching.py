"""Organisation matching by name: the rules on hand-made pairs, and its measured quality."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from handmade import ORG, ingest_records, node
from helpers import REPO, shared

from civicgraph import Workspace
from civicgraph.graph import local_key
from civicgraph.graph.matching import OrgRecord, decide, links_among
from civicgraph.ontology import normalise_name


def org(
    name: str,
    *,
    key: str | None = None,
    source: str = "a",
    postcode: str | None = None,
    sites: tuple[str, ...] = (),
    website: str | None = None,
    ids: tuple[str, ...] = (),
) -> OrgRecord:
    norm = normalise_name(name)
    return OrgRecord(
        key=key or f"{source}:organization:{norm}",
        name=name,
        norm=norm,
        tokens=tuple(norm.split()),
        postcodes=frozenset({*sites, *([postcode] if postcode else [])}),
        domain=website,
        phone=None,
        email=None,
        org_ids=frozenset(ids),
        sources=frozenset((source,)),
        own_postcode=postcode,
    )


CASES = [
    # (a, b, expected: "certain", "review" or None, why)
    (org("Hartley Advice Centre Ltd"), org("HARTLEY ADVICE CENTRE LIMITED", source="b"),
     "certain", "same name once the legal form is folded; distinctive; nothing contradicts"),
    (org("Hartley Advice Centre", postcode="OB1 2AB"),
     org("Hartley Advice Center", source="b", postcode="OB1 2AB"), "certain",
     "a near name with the same postcode"),
    (org("Youth Club"), org("Youth Club", source="b"), "review",
     "a name of common words only says what, not who"),
    (org("Kent Youth", postcode="ME7 5HR"), org("Kent Youth", source="b", postcode="CT1 1AA"),
     "review", "two offices of a short name: maybe branches"),
    (org("Hartley Advice Centre", ids=("GB-CHC-1",)),
     org("Hartley Advice Centre", source="b", ids=("GB-CHC-2",)), None,
     "two charity numbers: two charities, whatever the name"),
    (org("Kids Learning Center II", website="kids.example"),
     org("Kids Learning Center III", source="b", website="kids.example"), "review",
     "names that differ by a number are branches"),
    (org("Hartley Advice Centre", key="dir:organization:1", source="dir"),
     org("Hartley Advice Centre", key="dir:organization:2", source="dir"), "review",
     "one directory listing two records under two ids"),
    (org("NCVO", postcode="N1 9RL"),
     org("National Council for Voluntary Organisations", source="b", postcode="N1 9RL"),
     "certain", "an acronym of the name, at the same postcode"),
    (org("Catch22"), org("Catch 22", source="b"), "certain", "spacing only"),
    (org("Personal Support Unit (PSU)"), org("The Personal Support Unit", source="b"), "certain",
     "a bracketed acronym of itself"),
    (org("Friends of the Elderly (Bridlington)"), org("Friends of the Elderly", source="b"),
     None, "a bracketed place names a branch"),
    (org("Oakbridge Food Bank"), org("Ashfield Food Bank", source="b"), None, "different names"),
    (org("Bread & Roses CIC", sites=("OB3 1XY",)),
     org("Bread and Roses Community Interest Company", source="b", postcode="OB3 1XY"),
     "certain", "'&' and the legal form folded; a service's site shares the postcode"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_the_rules(a: OrgRecord, b: OrgRecord, expected: str | None, why: str) -> None:
    decision = decide(a, b)
    outcome = None if decision is None else ("certain" if decision[1] else "review")
    assert outcome == expected, (why, decision)


def test_blocking_finds_pairs_without_comparing_everything() -> None:
    records = [org(f"Organisation number {i} of Oakbridge", source=str(i % 2)) for i in range(300)]
    records += [org("Hartley Advice Centre"), org("HARTLEY ADVICE CENTRE LTD", source="b")]
    links = [link for link in links_among(records) if link.certain]
    assert [(link.a, link.b) for link in links] == [
        ("a:organization:hartley advice centre", "b:organization:hartley advice centre")
    ]


def test_precision_and_recall_on_real_labelled_data() -> None:
    folder = shared("360giving_grantnav_samples")
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from labelled_orgs import labelled_set, score
    finally:
        sys.path.pop(0)
    result = score(labelled_set(folder))
    assert result["true_pairs"] > 1000
    assert result["precision"] >= 0.97
    assert result["recall"] >= 0.90


def test_two_records_of_one_source_are_not_joined_through_a_third(tmp_path: Path) -> None:
    # Two organisations one directory keeps apart, each near-exact to one grant recipient:
    # the recipient may join one of them, never both into one node.
    workspace = Workspace(tmp_path / "w.db")
    directory = [
        node(ORG, local_key("dir", ORG, "1"), name="Fernhill Circle Priory"),
        node(ORG, local_key("dir", ORG, "2"), name="Priory Circle Fernhill"),
    ]
    ingest_records(workspace, directory, name="dir", sha256="01" * 32)
    recipient = [node(ORG, local_key("grants", ORG, "r"), name="The Fernhill Circle Priory")]
    ingest_records(workspace, recipient, name="grants", sha256="02" * 32)

    graph = workspace.graph()
    organisations = [n for n, data in graph.nodes(data=True) if data["type"] == "Organization"]
    assert len(organisations) == 2
    assert [row["rule"] for row in workspace.merges()] == ["name"]  # the recipient joined one
    apart = [row for row in workspace.review_list() if row["evidence"].get("joins_apart")]
    assert len(apart) == 1 and "grants:organization:r" in (apart[0]["a"], apart[0]["b"])
