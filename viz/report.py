"""A printable one-area report: tables beside small pictures, as HTML (and PDF with Chromium).

``write_area_report(graph, area, out)`` writes into the folder ``out``:

- ``report.html``: one page per section, no script at all, every value escaped, the
  pictures embedded (it opens anywhere and prints as it looks);
- the pictures as PNG files (matplotlib) beside it;
- ``network.html``: the interactive area view (``civicgraph viz --view area``);
- ``report.pdf`` when a Chromium is installed (printed headless); otherwise the
  result says so.

Sections: the area and its deprivation; a map of it (the LSOAs around or inside it
shaded by IMD decile or the ``map_layer`` chosen, LSOAs lacking a category marked,
provision as points, drawn as static SVG: no script); its social infrastructure index, ranked among
the areas of its own level in the same authority, with its statistical neighbours; the
gaps in it (for an area above LSOA level, in the LSOAs inside it); what is there by
sector; its prevention profile; silo groups its organisations belong to; suggested
partnerships involving them; their dependence on single funders; activities;
community-controlled assets; what changed (``area_changes`` rows of the area, when
the workspace is given). A section
with nothing to show says why and what data would fill it. The sections live in
``_report_sections``, the place figures in ``_report_places``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from .._files import write_text
from ..errors import UsageError
from ..graph import Graph, Workspace
from ..graph.scope import Scope, scope_for_area
from . import _report_charts as charts
from ._layout import layout
from ._report_changes import changes_section
from ._report_compare import ComparatorSet
from ._report_findings import findings_section
from ._report_html import CSS, POLICY, cell
from ._report_map import MAP_LAYERS, check_map_layer, map_section
from ._report_places import DEMO_RULE, demo_area, most_under_served
from ._report_sections import SECTIONS, ReportContext, area_section
from .page import write_page
from .views import build_view

__all__ = [
    "CHROMIUM_NAMES",
    "DEMO_RULE",
    "MAP_LAYERS",
    "AreaReport",
    "demo_area",
    "find_chromium",
    "most_under_served",
    "write_area_report",
]

log = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


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
    """The study area the report ranked the area within."""
    comparators: ComparatorSet | None = None
    """The areas every figure of the report is set beside, and how they were chosen."""


def find_chromium() -> str | None:
    """The path of an installed Chromium or Chrome, if any."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


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


def _write_pdf(report: AreaReport) -> None:
    """Print ``report.pdf`` beside the HTML, or say in the report's notes why not."""
    instead = "print report.html from a browser instead"
    chromium = find_chromium()
    if chromium is None:
        report.notes.append(
            "no PDF: no Chromium or Chrome on PATH (looked for "
            f"{', '.join(CHROMIUM_NAMES)}); install one (apt-get install chromium) or {instead}"
        )
        return
    target = report.html.parent / "report.pdf"
    unwritable = _unwritable(target)
    if unwritable:
        report.notes.append(f"no PDF: cannot write {target}: {unwritable}; {instead}")
        return
    printed = target.with_name(f".report.pdf.{os.getpid()}.tmp")  # replaces report.pdf whole
    try:
        _print_pdf(chromium, report.html, printed)
        if not printed.is_file() or printed.stat().st_size == 0:
            report.notes.append(f"no PDF: {chromium} ran but wrote no PDF; {instead}")
            return
        os.replace(printed, target)
        report.pdf = target
    except subprocess.TimeoutExpired:
        report.notes.append(f"no PDF: {chromium} took more than 120 s to print; {instead}")
    except subprocess.CalledProcessError as error:
        said = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        why = f": {said[-1][:200]}" if said else ""
        report.notes.append(
            f"no PDF: {chromium} failed to print (exit {error.returncode}{why}); {instead}"
        )
    except OSError as error:
        report.notes.append(f"no PDF: {chromium} could not print to {target} ({error}); {instead}")
    finally:
        printed.unlink(missing_ok=True)


def _unwritable(target: Path) -> str:
    """Why ``target`` cannot be written, or "" if it can."""
    if target.is_dir():
        return "it is a folder (remove it, or give --out another folder)"
    if target.exists() and not os.access(target, os.W_OK):
        return "it is read-only (make it writable, or give --out another folder)"
    if not os.access(target.parent, os.W_OK):
        return "its folder is read-only (give --out a folder you can write to)"
    return ""


def write_area_report(
    graph: Graph,
    area: str,
    out: str | Path,
    *,
    pdf: bool = True,
    seed: int = 1,
    chosen_by: str | None = None,
    within: Scope | str | Sequence[str] | None = None,
    workspace: Workspace | None = None,
    map_layer: str = "imd",
    progress: Callable[[str, int, int], None] | None = None,
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
    chosen_by
        How the area was chosen, in words, for the report's first lines (the demo passes
        ``DEMO_RULE``).
    within
        The study area the area is ranked within (codes or names, or a ``Scope``);
        default: the workspace's scope when it holds the area, else the local
        authority holding it (``civicgraph.graph.scope.scope_for_area``).
    workspace
        The workspace the graph comes from: its snapshots give the "What changed"
        section (``civicgraph.queries.area_changes``); without it the section says so.
    map_layer
        What shades the map: ``imd`` (decile), ``si-index`` (score), ``gaps`` (the
        category of the area's largest gap, by need; ``gaps:CATEGORY`` for another),
        ``prevention`` or ``changes`` (needs ``workspace``): the layers of
        ``civicgraph viz --view map``.
    progress
        Told ``(step, done, total)`` as the report is made: the network picture, each
        section, the findings, the network page, the HTML and the PDF (the CLI shows it
        on a terminal).

    Returns
    -------
    AreaReport
        The files written, and notes on what could not be included.

    Raises
    ------
    UsageError
        ``area`` is not an area in the graph, or ``map_layer`` is unknown (or changes
        without ``workspace``).
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"`out` {folder} is a file. Fix: give `out` a folder for the report.", param="out"
        )
    layer = check_map_layer(map_layer, workspace)
    view = build_view(graph, view="area", area=area, max_nodes=10**9, seed=seed)
    code = area.strip().upper()
    folder.mkdir(parents=True, exist_ok=True)
    scope = scope_for_area(graph, code, within)
    ctx = ReportContext(
        graph=graph,
        code=code,
        view=view,
        folder=folder,
        seed=seed,
        scope=scope,
        workspace=workspace,
        map_layer=layer,
    )
    report = AreaReport(area=code, html=folder / "report.html", pdf=None, scope=scope)

    steps = 1 + 2 + len(SECTIONS) + 1 + 3 + int(pdf)  # picture, sections, findings, page, HTML
    step = f"writing the report on {code}"
    done = 0

    def did(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(f"{step} ({what})", done, steps)

    if progress is not None:
        progress(f"{step} (the network picture)", 0, steps)
    positions = layout(view, seed=seed)  # one layout for the picture and network.html
    network = ctx.add_picture(
        charts.network_picture(folder / "network.png", view, positions), f"network of {ctx.name}"
    )
    did("the network picture")
    named = [(m.__name__.removesuffix("_section").replace("_", " "), m) for m in SECTIONS]
    makers: list[tuple[str, Callable[[], str]]] = [
        ("the area", partial(area_section, ctx, network)),
        ("the map", partial(map_section, ctx)),
        *((what, partial(make, ctx)) for what, make in named),
        ("what changed", partial(changes_section, ctx)),
    ]
    sections = []
    for what, make in makers:
        sections.append(make())
        did(what)
    sections.insert(0, findings_section(ctx))  # page one: read after the sections computed
    did("findings")
    report.network = write_page(view, folder / "network.html", positions=positions).path
    did("network.html")
    report.comparators = ctx.comparator_set
    report.pictures = ctx.pictures
    report.notes = ctx.notes
    notes = "".join(f"<li>{cell(n)}</li>" for n in report.notes)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    heading = cell(ctx.name) if ctx.name == code else f"{cell(ctx.name)} ({cell(code)})"
    chosen = f" Area chosen as {cell(chosen_by)}." if chosen_by else ""
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        f"<title>{heading}: civicgraph area report</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{heading}</h1>\n"
        f'<p class="note">Social infrastructure report, made by civicgraph on {cell(made)}. '
        f"The interactive network of the area is network.html beside this file.{chosen}</p>\n"
        + "\n".join(sections)
        + (f'<section><h2>Not included</h2><ul class="note">{notes}</ul></section>' * bool(notes))
        + "\n</body>\n</html>\n"
    )
    write_text(report.html, page)
    did("report.html")
    if pdf:
        _write_pdf(report)
        did("report.pdf")
    log.info("area report for %s written to %s", code, folder)
    return report
