"""The report's map layer (``report --map-layer``): the layers of ``viz --view map``, a legend
that lists exactly the classes drawn, the page's points, and the LSOAs lacking a category
marked, all as static SVG in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_report_places import section_titled, three_areas

from civicgraph.errors import UsageError
from civicgraph.queries import gaps
from civicgraph.viz.map import map_data
from civicgraph.viz.report import write_area_report

SWATCH = re.compile(r"(?:background|border-color):\s*(#[0-9a-fA-F]{3,8})")


def drawn_map(page):
    """What the report's map section shows: area fills and classes, legend entries, points."""
    box = section_titled(page, "Map")
    return box, page.evaluate(
        """() => {
        const box = [...document.querySelectorAll('section')].find(
            s => s.querySelector('h2')?.textContent === 'Map');
        const svg = box.querySelector('svg.map');
        const areas = [...svg.querySelectorAll('.cg-area, .cg-here')].map(e => ({
            fill: e.getAttribute('fill'), classes: [...e.classList],
            dashed: e.hasAttribute('stroke-dasharray'),
            title: e.querySelector('title').textContent}));
        const legend = sel => [...box.querySelectorAll(sel)].map(li => ({
            style: li.querySelector('.swatch').getAttribute('style'),
            text: li.textContent}));
        return {areas, points: svg.querySelectorAll('.cg-point').length,
                classes: legend('li.layer-class'), types: legend('li.point-type'),
                gap: legend('li.gap-mark')};
        }"""
    )


def count_in(text: str) -> int:
    """The count in a legend entry's "(12)"."""
    found = re.findall(r"\(([\d,]+)\)\s*$", text)
    assert found, text
    return int(found[-1].replace(",", ""))


@pytest.mark.parametrize(
    ("layer", "expected_layer"),
    [("imd", "imd"), ("si-index", "si-index"), ("GAPS", None), ("prevention", "prevention")],
)
def test_the_report_map_draws_the_chosen_layer_with_a_legend_of_what_is_drawn(
    tmp_path: Path, open_page, layer: str, expected_layer: str | None
) -> None:
    graph = three_areas()
    lacking = gaps(graph, level="lsoa")
    assert not lacking.empty
    if expected_layer is None:  # gaps: the category of the area's largest gap by need
        inside = lacking[lacking["area"] == "E01000003"]
        top = inside.sort_values(["need", "category"], ascending=[False, True])
        expected_layer = f"gaps:{top.iloc[0]['category']}"
    report = write_area_report(graph, "E01000003", tmp_path / "rep", pdf=False, map_layer=layer)
    expected = map_data(graph, layer=expected_layer, level="lsoa")
    opened = open_page(report.html, wait_ready=False)
    box, shown = drawn_map(opened.page)
    assert expected["title"] in (box.text_content() or "")
    # The areas are the map page's, in the map page's colours for this layer.
    assert sorted(a["fill"] for a in shown["areas"]) == sorted(
        a["color"] for a in expected["areas"]
    )
    # The legend lists exactly the classes drawn, each with the number of areas drawn in it.
    drawn = {}
    for area in shown["areas"]:
        drawn[area["fill"]] = drawn.get(area["fill"], 0) + 1
    legend = {SWATCH.search(e["style"]).group(1): count_in(e["text"]) for e in shown["classes"]}
    assert legend == drawn
    # Every point of the page's data is drawn, and the point legend counts them by type.
    assert shown["points"] == len(expected["points"]) > 0
    assert sum(count_in(e["text"]) for e in shown["types"]) == shown["points"]
    assert f"as points ({shown['points']:,})" in (box.text_content() or "")
    # The LSOAs lacking a category are dashed (on every layer but gaps, which shades them).
    dashed = sorted(a["title"].split(" (")[1].split(")")[0] for a in shown["areas"] if a["dashed"])
    if expected_layer.startswith("gaps:"):
        assert dashed == [] and shown["gap"] == []
    else:
        assert dashed == sorted(set(lacking["area"])) != []
        assert [count_in(e["text"]) for e in shown["gap"]] == [len(dashed)]
    assert opened.errors == [] and opened.dialogs == []
    assert opened.requests == [report.html.resolve().as_uri()]


def test_an_unknown_map_layer_is_a_usage_error_naming_the_option(tmp_path: Path, run_cli) -> None:
    graph = three_areas()
    with pytest.raises(UsageError, match="map_layer"):
        write_area_report(graph, "E01000003", tmp_path / "a", pdf=False, map_layer="roads")
    with pytest.raises(UsageError, match="workspace"):
        write_area_report(graph, "E01000003", tmp_path / "b", pdf=False, map_layer="changes")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    result = run_cli(
        "--db", tmp_path / "w.db", "report", "--area", "E01000001", "--map-layer", "roads",
        "--out", tmp_path / "c", "--no-pdf",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert "--map-layer" in result.err and "roads" in result.err
