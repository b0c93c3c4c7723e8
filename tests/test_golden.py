"""Golden files: small inputs per ingester variant, and exactly the facts and report they give.

Set UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change, then read the
diff in review: it shows exactly what the change does to ingested data.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from helpers import TEST_DATA

from civicgraph import Workspace, ingest_hsds

GOLDEN = TEST_DATA / "golden"
INPUTS = {
    "hsds10": TEST_DATA / "hsds10",
    "hsds11": TEST_DATA / "hsds11",
    "hsds20": TEST_DATA / "hsds20",
    "hsds3csv": TEST_DATA / "hsds3csv",
    "hsds3json": TEST_DATA / "hsds3json",
    "ohana": TEST_DATA / "ohana",
    "oruk1": TEST_DATA / "oruk1",
    "oruk3json": TEST_DATA / "oruk3json",
}
"""One small input per HSDS variant: 1.0, 1.1, 2.0 and 3.0 tabular, 3.0 JSON, Ohana-style CSV,
Open Referral UK 1.0 tabular and 3.0 JSON."""

VARIANTS = {
    "hsds10": (
        "HSDS 1.0 tabular"
        " (services_taxonomy table, regular_schedules table,"
        " taxonomy.vocabulary, taxonomy.parent_name; declares 1.0)"
    ),
    "hsds11": "HSDS 1.1/2.0 tabular (metadata table; declares 1.1)",
    "hsds20": (
        "HSDS 1.1/2.0 tabular (service_attributes table, taxonomy_terms table; declares 2.0.1)"
    ),
    "hsds3csv": (
        "HSDS 3.0 tabular"
        " (attributes.link_entity, taxonomy_terms.code, addresses table; declares 3.0.0)"
    ),
    "hsds3json": "HSDS 3.0 JSON",
    "ohana": (
        "Ohana-style CSV (HSDS 1.0 precursor) (services.location_id, no service_at_location table)"
    ),
    "oruk1": (
        "Open Referral UK 1.0 tabular"
        " (link_taxonomy table, identifiers table, physical_addresses.uprn; declares 1.0)"
    ),
    "oruk3json": "Open Referral UK 3.0 JSON (HSDS-UK-3.0)",
}


def _facts(workspace: Workspace) -> dict[str, Any]:
    conn = workspace._connect(create=False)
    assert conn is not None
    identifiers: dict[str, list[str]] = {}
    for key, identifier in conn.execute(
        "SELECT key, identifier FROM node_identifier ORDER BY key, identifier"
    ):
        identifiers.setdefault(key, []).append(identifier)
    nodes = [
        {
            "key": k,
            "type": t,
            "record": r,
            "props": json.loads(p),
            "identifiers": identifiers.get(k),
        }
        for k, t, r, p in conn.execute(
            "SELECT key, type, record_id, props FROM node_fact ORDER BY key"
        )
    ]
    edges = [
        {
            "type": t,
            "source": s,
            "target": d,
            "discriminator": disc,
            "record": r,
            "props": json.loads(p or "null"),
        }
        for t, s, d, disc, r, p in conn.execute(
            "SELECT type, source_key, target_key, discriminator, record_id, props FROM edge_fact "
            "ORDER BY type, source_key, target_key, discriminator"
        )
    ]
    identity = dict(conn.execute("SELECT key, node_id FROM entity ORDER BY key"))
    return {"nodes": nodes, "edges": edges, "identity": identity}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_ingest_gives_the_golden_facts_and_report(name: str) -> None:
    workspace = Workspace(":memory:")
    report = ingest_hsds(workspace, INPUTS[name], name=name)
    actual = {
        "variant": report.variant,
        "tables": {t: vars(c) for t, c in report.tables.items()},
        "problems": sorted(
            [g.severity.value, g.code, g.file, g.field, g.count] for g in report.problems
        ),
        **_facts(workspace),
    }
    assert report.variant == VARIANTS[name]
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(
            json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8"
        )
    expected = json.loads(path.read_text("utf-8"))
    assert json.loads(json.dumps(actual)) == expected
