"""The same directory as HSDS 3.0 JSON and as a 3.0 CSV package gives the same graph.

The JSON is the specification's own full examples (``../shared/data/hsds3_spec_examples``);
the CSV package is flattened from it by ``_hsds_flatten``, which reads the spec's schemas
and tabular layout and no civicgraph code. Both are ingested into workspaces of their own
and compared fact by fact: the same nodes, edges and properties, apart from provenance
(the table, file and row each fact was read from).
"""

from __future__ import annotations

import csv
import json
import shutil
from typing import Any

import pytest
from _hsds_flatten import TabularLayout, flatten
from helpers import shared

from civicgraph import Workspace, ingest_hsds

SPEC = "hsds3_spec_examples"
FULL_EXAMPLES = {
    "service_full.json": "service",
    "organization_full.json": "organization",
    "service_at_location_full.json": "service_at_location",
}
"""The examples that hold whole records, and the entity each one is."""

NOT_COMPARED = {
    ("Service", "metadata"): (
        "the example's one metadata entry is nested in the service but says it is about a "
        "location (resource_type 'location'); a CSV row names its record by resource_id and "
        "resource_type, so no package can say both, and the tabular reader rightly rejects "
        "the row as naming a location that is not there"
    ),
}
"""Properties not compared, by node type and name, each with the reason."""


def _facts(workspace: Workspace) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[Any]]:
    """Nodes (key -> type, props) and edges, without the provenance columns."""
    conn = workspace._connect(create=False)
    assert conn is not None
    nodes = {}
    for key, node_type, props in conn.execute("SELECT key, type, props FROM node_fact"):
        values = json.loads(props)
        for (excluded_type, name), _why in NOT_COMPARED.items():
            if node_type == excluded_type:
                values.pop(name, None)
        nodes[key] = (node_type, values)
    edges = sorted(
        (t, s, d, disc, json.loads(p or "null"))
        for t, s, d, disc, p in conn.execute(
            "SELECT type, source_key, target_key, discriminator, props FROM edge_fact"
        )
    )
    return nodes, edges


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    spec = shared(SPEC)
    root = tmp_path_factory.mktemp("equivalence")
    (root / "json").mkdir()
    records = []
    for name, entity in FULL_EXAMPLES.items():
        shutil.copyfile(spec / "examples" / name, root / "json" / name)
        records.append((entity, json.loads((spec / "examples" / name).read_text("utf-8"))))
    layout = TabularLayout.from_spec(spec)
    flatten(records, layout, root / "csv")
    result: dict[str, Any] = {"layout": layout, "csv_folder": root / "csv"}
    for form in ("json", "csv"):
        workspace = Workspace(root / f"{form}.db")
        result[f"{form}_report"] = ingest_hsds(workspace, root / form, name="spec")
        result[form] = _facts(workspace)
    return result


def test_the_flattened_package_is_read_as_hsds_3_tabular(both: dict[str, Any]) -> None:
    assert both["json_report"].variant == "HSDS 3.0 JSON"
    assert both["csv_report"].variant.startswith("HSDS 3.0 tabular")
    tables = {p.name for p in both["csv_folder"].glob("*.csv")}
    # The examples fill every table of the 3.0 layout but the table descriptions.
    assert {"services.csv", "phones.csv", "service_at_location.csv", "attributes.csv"} <= tables
    assert len(tables) >= 19


def test_every_number_column_of_the_spec_is_filled_so_its_type_is_compared(
    both: dict[str, Any],
) -> None:
    layout, folder = both["layout"], both["csv_folder"]
    unfilled = []
    for resource in layout.resources.values():
        path = folder / resource["path"]
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for column in resource["schema"]["fields"]:
            if column.get("type") == "number" and not any(r[column["name"]] for r in rows):
                unfilled.append(f"{resource['path']}:{column['name']}")
    assert not unfilled


def test_json_and_csv_give_the_same_nodes_and_properties(both: dict[str, Any]) -> None:
    json_nodes, _ = both["json"]
    csv_nodes, _ = both["csv"]
    assert {t for t, _ in json_nodes.values()} == {"Service", "Organization", "Location", "Concept"}
    assert set(json_nodes) == set(csv_nodes)
    differences = {
        key: {
            name
            for name in {*json_nodes[key][1], *csv_nodes[key][1]}
            if json_nodes[key][1].get(name) != csv_nodes[key][1].get(name)
        }
        for key in json_nodes
        if json_nodes[key] != csv_nodes[key]
    }
    assert differences == {}
    assert json_nodes == csv_nodes


def test_json_and_csv_give_the_same_edges(both: dict[str, Any]) -> None:
    _, json_edges = both["json"]
    _, csv_edges = both["csv"]
    assert {e[0] for e in json_edges} >= {"PROVIDES", "AT_LOCATION", "CLASSIFIED_AS", "OPERATES"}
    assert json_edges == csv_edges


def test_a_service_at_location_keeps_its_own_phones_contacts_and_schedules(
    both: dict[str, Any],
) -> None:
    # They describe the service at that place, so they sit on the AT_LOCATION edge in both
    # forms, not on the service everywhere.
    for form in ("json", "csv"):
        _, edges = both[form]
        (at_location,) = [e for e in edges if e[0] == "AT_LOCATION"]
        props = at_location[4]
        assert {"phones", "contacts", "schedules"} <= set(props)
        assert props["phones"][0]["extension"] == 100
        assert props["phones"][0]["languages"][0]["name"]


def test_the_excluded_difference_is_real(both: dict[str, Any]) -> None:
    # If the sample or the reader changes so that metadata agrees, drop the exclusion.
    report = both["csv_report"]
    rejected = [
        g for g in report.problems if g.code == "dangling-reference" and g.file == "metadata.csv"
    ]
    assert rejected and rejected[0].count == 1
