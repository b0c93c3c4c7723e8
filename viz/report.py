"""A printable one-area report: tables beside small pictures, as HTML (and PDF with Chromium).

``write_area_report(graph, area, out)`` writes into the folder ``out``:

- ``report.html``: one page per section, no script at all, every value escaped, the
  pictures embedded (it opens anywhere and prints as it looks);
- the pictures as PNG files (matplotlib) beside it;
- ``network.html``: the interactive area view (``civicgraph viz --view area``);
- ``report.pdf`` when a Chromium is installed (printed headless); otherwise the
  result says so.

Sections: the area and its deprivation; its social infrastructure index against its
IMD and its gaps; what is there by sector; silo groups its organisations belong to;
suggested partnerships involving them; their dependence on single funders.
"""

from __future__ import annotations

import base64
import html
import logging
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import pandas as pd

from .._files import atomic_write, write_text
from ..errors import UsageError
from ..graph import Graph
from ..graph.scope import Scope, scope_for_area
from ..ontology import NodeType
from ..queries import funding_dependency, gaps, partnerships, si_index
from ..queries.places import Level
from ..queries.silos import silo_groups
from ._layout import layout
from .page import TYPE_COLORS, write_page
from .views import View, build_view

__all__ = [
    "CHROMIUM_NAMES",
    "AreaReport",
    "find_chromium",
    "most_under_served",
    "write_area_report",
]

log = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
_ORG = NodeType.ORGANIZATION.value
_SERVICE = NodeType.SERVICE.value
_ROWS = 15


@dataclass
class AreaReport:
    """What the report made and where."""

    area: str
    html: Path
    pdf: Path | None
    pictures: list[Path] = field(default_factory=list)
    network: Path | None = None
    notes: list[str] = field(default_factory=list)
    """What the report could not include, and why (no Chromium, an area the index skips...)."""
    scope: Scope | None = None
    """The study area the report ranks its area within, and how it was chosen."""


def find_chromium() -> str | None:
    """The path of an installed Chromium or Chrome, if any."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


# -- HTML pieces ------------------------------------------------------------------------


def _e(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return html.escape(f"{value:,.2f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return html.escape(f"{value:,}")
    return html.escape(str(value))


def _table(frame: pd.DataFrame, columns: Sequence[str], *, rows: int = _ROWS) -> str:
    if frame.empty:
        return '<p class="none">Nothing to list.</p>'
    present = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{_e(c.replace('_', ' '))}</th>" for c in present)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(record[c])}</td>" for c in present) + "</tr>"
        for record in frame.head(rows).to_dict("records")
    )
    more = (
        f'<p class="more">{len(frame) - rows:,} more rows not shown.</p>'
        if len(frame) > rows
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _picture(path: Path, alt: str) -> str:
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{_e(alt)}">'


def _section(title: str, text: str, table: str, picture: str = "") -> str:
    side = f'<div class="picture">{picture}</div>' if picture else ""
    return (
        f"<section><h2>{_e(title)}</h2><p>{_e(text)}</p>"
        f'<div class="pair"><div class="table">{table}</div>{side}</div></section>'
    )


_CSS = """
body { font: 11pt/1.4 "DejaVu Sans", system-ui, sans-serif; margin: 18mm; color: #222; }
h1 { font-size: 20pt; margin: 0 0 4pt; } h2 { font-size: 14pt; margin: 16pt 0 4pt; }
table { border-collapse: collapse; font-size: 9pt; width: 100%; }
th, td { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
th { background: #eee; }
.pair { display: flex; gap: 12pt; align-items: flex-start; }
.table { flex: 3; min-width: 0; } .picture { flex: 2; min-width: 0; }
.picture img { width: 100%; }
.facts td:first-child { font-weight: bold; width: 30%; }
.none, .more, .note { color: #555; }
section { break-inside: avoid-page; }
@page { size: A4; margin: 12mm; }
@media print { body { margin: 0; } }
"""
_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# -- pictures ------------------------------------------------------------------------


def _plot(path: Path, draw: Callable[[Any], None], *, size: tuple[float, float]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=size, dpi=110)
    try:
        draw(axes)
        figure.tight_layout()
        with atomic_write(path, "wb") as handle:
            figure.savefig(handle, format="png")
    finally:
        plt.close(figure)
    return path


def _bar_chart(path: Path, counts: Sequence[tuple[str, float]], xlabel: str) -> Path:
    labels = [label if len(label) <= 28 else label[:27] + "…" for label, _ in counts][::-1]
    values = [value for _, value in counts][::-1]

    def draw(axes: Any) -> None:
        axes.barh(range(len(values)), values, color="#1f77b4")
        axes.set_yticks(range(len(values)), labels, fontsize=8)
        axes.set_xlabel(xlabel)
        axes.spines[["top", "right"]].set_visible(False)

    return _plot(path, draw, size=(4.2, 0.3 * len(values) + 1.0))


def _network_picture(path: Path, view: View, positions: dict[str, tuple[float, float]]) -> Path:
    def draw(axes: Any) -> None:
        for edge in view.edges:
            (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
            axes.plot(
                [x1, x2],
                [-y1, -y2],
                color="#d62728" if edge.dashed else "#999999",
                linestyle="--" if edge.dashed else "-",
                linewidth=0.6,
                zorder=1,
            )
        kinds = Counter(node.type for node in view.nodes.values())
        for kind in kinds:
            members = [n for n, node in view.nodes.items() if node.type == kind]
            axes.scatter(
                [positions[n][0] for n in members],
                [-positions[n][1] for n in members],
                s=18,
                color=TYPE_COLORS.get(kind, "#bbbbbb"),
                label=f"{kind} ({kinds[kind]})",
                zorder=2,
            )
        axes.legend(fontsize=7, loc="best", frameon=False)
        axes.set_axis_off()

    return _plot(path, draw, size=(4.2, 4.2))


# -- the report ------------------------------------------------------------------------


def _area_frame(frame: pd.DataFrame, columns: Iterable[str], members: set[str]) -> pd.DataFrame:
    mask = pd.Series(False, index=frame.index)
    for column in columns:
        if column in frame.columns:
            mask |= frame[column].astype(str).isin(members)
    return frame[mask]


def _print_pdf(chromium: str, page: Path, pdf: Path) -> None:
    subprocess.run(  # noqa: S603 - a fixed browser with a file URL of our own
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def write_area_report(
    graph: Graph,
    area: str,
    out: str | Path,
    *,
    pdf: bool = True,
    seed: int = 1,
    within: Scope | str | Sequence[str] | None = None,
) -> AreaReport:
    """Write the report on one area into the folder ``out`` (see the module documentation).

    Parameters
    ----------
    graph
        The analysis graph.
    area
        The area's GSS code.
    out
        The folder to write into (made if missing).
    pdf
        Also print ``report.pdf`` with a headless Chromium, when one is installed.
    seed
        The random seed of the silo groups and the layouts.
    within
        The study area the area is ranked within (codes or names, or a ``Scope``);
        default: the workspace's scope when it holds the area, else the local
        authority holding it (``civicgraph.graph.scope.scope_for_area``).

    Returns
    -------
    AreaReport
        The files written, and notes on what could not be included.

    Raises
    ------
    UsageError
        ``area`` is not an area in the graph.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"`out` {folder} is a file. Fix: give `out` a folder for the report.", param="out"
        )
    view = build_view(graph, view="area", area=area, max_nodes=10**9, seed=seed)
    code = area.strip().upper()
    folder.mkdir(parents=True, exist_ok=True)
    data = graph.nodes[code]
    name = str(data.get("name") or code)
    organisations = {n for n, node in view.nodes.items() if node.type == _ORG}
    report = AreaReport(area=code, html=folder / "report.html", pdf=None)
    sections: list[str] = []

    facts = [
        ("code", code),
        ("level", data.get("level")),
        ("population", data.get("population")),
        ("IMD rank", data.get("imd_rank")),
        ("IMD decile", data.get("imd_decile")),
        ("areas within", sum(1 for n in view.nodes.values() if n.type == "Area") - 1),
        ("organisations", len(organisations)),
        ("services", sum(1 for n in view.nodes.values() if n.type == _SERVICE)),
        ("locations", sum(1 for n in view.nodes.values() if n.type == "Location")),
    ]
    rows = "".join(
        f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in facts if _e(v) not in ("", "nan")
    )
    positions = layout(view, seed=seed)  # one layout for the picture and network.html
    picture = _network_picture(folder / "network.png", view, positions)
    report.pictures.append(picture)
    sections.append(
        _section(
            "The area",
            "Who and what is here, and the area's Index of Multiple Deprivation "
            "(rank 1 is the most deprived).",
            f'<table class="facts">{rows}</table>',
            _picture(picture, f"network of {name}"),
        )
    )

    scope = scope_for_area(graph, code, within)
    report.scope = scope
    sections.append(_si_section(graph, code, folder, report, scope))
    sections.append(_gaps_section(graph, code, report, scope))

    sectors = Counter(n.sector for n in view.nodes.values() if n.type == _SERVICE)
    ranked = sorted(sectors.items(), key=lambda x: (-x[1], x[0]))
    sector_frame = pd.DataFrame(ranked, columns=["sector", "services"])
    chart = ""
    if sectors:
        counts = [(sector, float(count)) for sector, count in ranked[:12]]
        path = _bar_chart(folder / "sectors.png", counts, "services")
        report.pictures.append(path)
        chart = _picture(path, "services by sector")
    sections.append(
        _section(
            "Services by sector",
            "The services based in the area or serving it, by sector (from the taxonomy).",
            _table(sector_frame, ["sector", "services"]),
            chart,
        )
    )

    frame, groups = silo_groups(graph, seed=seed)
    keep = [i for i, group in enumerate(groups) if organisations & set(group)]
    silos = frame.iloc[keep].copy()
    silos["here"] = [len(organisations & set(groups[i])) for i in keep]
    sections.append(
        _section(
            "Silos",
            "Groups of organisations that refer and partner mostly among themselves "
            "(E-I index: -1 all ties inside the group, +1 all outside), where at least one "
            "member works in the area.",
            _table(silos, ["group", "size", "here", "sectors", "ei_index", "why"]),
        )
    )

    suggested = _area_frame(
        partnerships(graph, limit=10**6), ["organization_a", "organization_b"], organisations
    )
    sections.append(
        _section(
            "Suggested partnerships",
            "Organisations working in the area that are not yet tied but share buildings, "
            "funders, areas, referral targets or contacts, best first.",
            _table(suggested, ["name_a", "name_b", "score", "reasons", "why"]),
        )
    )

    dependency = _area_frame(funding_dependency(graph), ["organization"], organisations)
    chart = ""
    if not dependency.empty:
        top = dependency.head(12)
        path = _bar_chart(
            folder / "funding.png",
            list(zip(top["name"].astype(str), top["top_share"].astype(float), strict=True)),
            "share from the largest funder",
        )
        report.pictures.append(path)
        chart = _picture(path, "share of funding from the largest funder")
    sections.append(
        _section(
            "Dependence on single funders",
            "Organisations in the area by how concentrated their funding is (HHI: 1 means "
            "one funder gives everything).",
            _table(dependency, ["name", "funders", "total", "hhi", "top_share", "why"]),
            chart,
        )
    )

    report.network = write_page(view, folder / "network.html", positions=positions).path
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    heading = _e(name) if name == code else f"{_e(name)} ({_e(code)})"
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        f"<title>{heading}: civicgraph area report</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{heading}</h1>\n"
        f'<p class="note">Social infrastructure report, made by civicgraph on {_e(made)}. '
        "The interactive network of the area is network.html beside this file.</p>\n"
        + "\n".join(sections)
        + (f'<section><h2>Not included</h2><ul class="note">{notes}</ul></section>' * bool(notes))
        + "\n</body>\n</html>\n"
    )
    write_text(report.html, page)
    if pdf:
        chromium = find_chromium()
        if chromium is None:
            report.notes.append(
                "no PDF: no Chromium or Chrome is installed (apt-get install chromium); "
                "print report.html from a browser instead"
            )
        else:
            target = folder / "report.pdf"
            try:
                _print_pdf(chromium, report.html, target)
                report.pdf = target if target.exists() else None
            except (OSError, subprocess.SubprocessError) as error:
                report.notes.append(f"no PDF: {chromium} failed to print ({error})")
    log.info("area report for %s written to %s", code, folder)
    return report


_LEVELS: tuple[Level, ...] = get_args(Level)


def _level(graph: Graph, code: str) -> Level:
    level = str(graph.nodes[code].get("level") or "lsoa").lower()
    return next((known for known in _LEVELS if known == level), "lsoa")


def _scatter(path: Path, frame: pd.DataFrame, code: str) -> Path:
    def draw(axes: Any) -> None:
        others = frame[frame["area"] != code]
        here = frame[frame["area"] == code]
        axes.scatter(others["imd_rank"], others["si_score"], s=10, color="#9a9a9a", label="areas")
        axes.scatter(here["imd_rank"], here["si_score"], s=60, color="#d62728", label=code)
        axes.set_xlabel("IMD rank (1 = most deprived)")
        axes.set_ylabel("social infrastructure score")
        axes.legend(fontsize=7, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)

    return _plot(path, draw, size=(4.2, 3.4))


def _mismatch(value: Any) -> str:
    return value if isinstance(value, str) and value.strip() else "in line with its IMD"


def most_under_served(
    graph: Graph, *, level: Level = "lsoa", within: Scope | str | Sequence[str] | None = None
) -> str | None:
    """The area with the poorest social infrastructure (``si_rank`` 1), if any area is scored."""
    frame = si_index(graph, level=level, within=within)
    if frame.empty:
        return None
    return str(frame.sort_values("si_rank").iloc[0]["area"])


def _si_section(graph: Graph, code: str, folder: Path, report: AreaReport, scope: Scope) -> str:
    level = _level(graph, code)
    frame = si_index(graph, level=level, within=scope)
    here = frame[frame["area"] == code]
    if here.empty:
        report.notes.append(
            f"social infrastructure index: {code} is not scored at level {level} (no population "
            "or centroid; ingest the area files with civicgraph ingest areas)"
        )
        return ""
    row = here.iloc[0]
    facts = [
        ("SI score (0-100)", row.get("si_score")),
        ("SI rank (1 = poorest)", f"{int(row['si_rank'])} of {len(frame)} {level.upper()}s"),
        ("IMD rank", row.get("imd_rank")),
        ("IMD decile", row.get("imd_decile")),
        ("against its IMD", _mismatch(row.get("imd_mismatch"))),
    ]
    indicators = [
        c
        for c in frame.columns
        if c.endswith(("_per_1000", "_coverage", "_share", "_per_head")) or c == "connectedness"
    ]
    facts += [(c.replace("_", " "), row.get(c)) for c in indicators]
    rows = "".join(
        f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in facts if _e(v) not in ("", "nan")
    )
    chart = ""
    scored = frame.dropna(subset=["imd_rank", "si_score"]) if "imd_rank" in frame else frame[:0]
    if len(scored) > 1:
        path = _scatter(folder / "si-index.png", scored, code)
        report.pictures.append(path)
        chart = _picture(path, "social infrastructure score against IMD rank")
    return _section(
        "Social infrastructure against deprivation",
        str(row.get("why") or ""),
        f'<table class="facts">{rows}</table>',
        chart,
    )


def _gaps_section(graph: Graph, code: str, report: AreaReport, scope: Scope) -> str:
    frame = gaps(graph, level=_level(graph, code), within=scope)
    here = frame[frame["area"] == code]
    return _section(
        "Gaps",
        "Categories of service or facility missing from the area or out of reach, with the "
        "nearest provision; need weighs population by deprivation.",
        _table(here, ["category", "missing", "nearest", "distance_km", "need", "why"]),
    )
