"""The one HSDS mapper: tabular packages are un-flattened and mapped as 3.0 JSON is."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

from helpers import TEST_DATA

from civicgraph import Workspace, ingest_hsds


def _locations(workspace: Workspace) -> dict[str, dict[str, Any]]:
    graph = workspace.graph()
    return {data["name"]: data for _, data in graph.nodes(data=True) if data["type"] == "Location"}


_ADDRESSES = [
    # A postal address first, then one whose type is left empty: the empty type is
    # unknown, not "not physical", so the second is the location's main address.
    {"id": "ad-0", "address_1": "PO Box 7", "city": "Oakbridge", "address_type": "postal"},
    {"id": "ad-1", "address_1": "12 Church Lane", "city": "Oakbridge", "address_type": ""},
]


def test_an_address_of_empty_type_is_the_main_address_in_csv_and_json(tmp_path: Path) -> None:
    package = tmp_path / "csv"
    shutil.copytree(TEST_DATA / "hsds3csv", package)
    with (package / "addresses.csv").open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with (package / "addresses.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for address in _ADDRESSES:
            writer.writerow({"location_id": "loc-1", **address})
    document = json.loads((TEST_DATA / "hsds3json" / "service.json").read_text("utf-8"))
    document["service_at_locations"][0]["location"]["addresses"] = _ADDRESSES
    (tmp_path / "service.json").write_text(json.dumps(document), "utf-8")

    from_csv, from_json = Workspace(tmp_path / "a.db"), Workspace(tmp_path / "b.db")
    ingest_hsds(from_csv, package, name="town")
    ingest_hsds(from_json, tmp_path / "service.json", name="town")

    for workspace in (from_csv, from_json):
        centre = _locations(workspace)["Hartley Community Centre"]
        assert centre["address_1"] == "12 Church Lane"
        assert centre["address"].startswith("12 Church Lane, Oakbridge")
        assert len(centre["addresses"]) == 2
