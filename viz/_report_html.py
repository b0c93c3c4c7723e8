"""HTML pieces of the area report: escaped cells, tables, sections, the page's style.

Private plumbing of ``viz.report``. Every value that reaches the page goes
through ``cell`` (escaped, numbers with thousands separators).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["CSS", "POLICY", "ROWS", "cell", "facts_table", "picture", "section", "table"]

ROWS = 15
"""Rows shown per table; the rest are counted under it."""


def cell(value: Any) -> str:
    """One value as escaped HTML text ("" for missing)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return html.escape(f"{value:,.2f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return html.escape(f"{value:,}")
    return html.escape(str(value))


def table(frame: pd.DataFrame, columns: Sequence[str], *, rows: int = ROWS, none: str = "") -> str:
    """The first ``rows`` rows of ``frame`` as a table; ``none`` says why it is empty."""
    if frame.empty:
        return f'<p class="none">{cell(none or "Nothing to list.")}</p>'
    present = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{cell(c.replace('_', ' '))}</th>" for c in present)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(record[c])}</td>" for c in present) + "</tr>"
        for record in frame.head(rows).to_dict("records")
    )
    more = (
        f'<p class="more">{len(frame) - rows:,} more rows not shown.</p>'
        if len(frame) > rows
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def facts_table(facts: Iterable[tuple[str, Any]]) -> str:
    """Label-value rows; rows without a value are left out."""
    rows = "".join(
        f"<tr><td>{cell(k)}</td><td>{cell(v)}</td></tr>"
        for k, v in facts
        if cell(v) not in ("", "nan")
    )
    return f'<table class="facts">{rows}</table>'


def picture(path: Path, alt: str) -> str:
    """A PNG embedded as a data URL (the page loads nothing)."""
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{cell(alt)}">'


def section(title: str, text: str, body: str, side: str = "", *, css: str = "") -> str:
    """One report section: a heading, a sentence, a table and an optional picture beside it."""
    beside = f'<div class="picture">{side}</div>' if side else ""
    klass = f' class="{css}"' if css else ""
    return (
        f"<section{klass}><h2>{cell(title)}</h2><p>{cell(text)}</p>"
        f'<div class="pair"><div class="table">{body}</div>{beside}</div></section>'
    )


CSS = """
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
.page-one { break-after: page; }
.map { width: 100%; height: auto; border: 1px solid #bbb; }
.legend { list-style: none; padding: 0; font-size: 9pt; }
.swatch { display: inline-block; width: 10pt; height: 10pt; margin-right: 4pt;
  vertical-align: middle; border: 1px solid #888; } .swatch.dot { border-radius: 50%; }
.swatch.gap { border: 2px dashed; background: #fff; }
.compare { margin-top: 6pt; } .compare td:first-child { width: 40%; }
p.comparators { font-size: 10pt; }
.findings li { margin-bottom: 4pt; } .findings .evidence { color: #555; font-size: 9pt; }
@page { size: A4; margin: 12mm; }
@media print { body { margin: 0; } }
"""
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""The page's Content-Security-Policy: no script, nothing loaded from anywhere."""
