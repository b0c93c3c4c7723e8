"""Ingest reports: per-table counts and every problem found, grouped, with examples.

The invariant a report guarantees for every table is
``read == loaded + merged + rejected``: nothing is lost silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "IngestReport",
    "Problem",
    "ProblemGroup",
    "Severity",
    "TableCounts",
]

MAX_EXAMPLES = 1000
"""Examples kept per problem group in a stored report."""


class Severity(StrEnum):
    """How bad a problem is.

    ``error``: a record was rejected. ``warning``: a record was kept but
    something in it is wrong. ``note``: worth knowing, nothing wrong.
    ``--strict`` fails on errors and warnings.
    """

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Problem:
    """One problem in one place of the input.

    ``summary`` is the same sentence for every problem of its kind in a file
    ("services name an organisation that is not in the data; kept without a
    provider"), so problems group by it; the place (row, record, value)
    differs.
    """

    severity: Severity
    code: str
    summary: str
    fix: str
    file: str | None = None
    field: str | None = None
    row: int | None = None
    record: str | None = None
    value: str | None = None
    table: str | None = None
    """The table whose counts it belongs to (defaults to ``file``)."""

    def group_key(self) -> tuple[str, str, str, str, str]:
        return (self.severity, self.code, self.file or "", self.field or "", self.summary)


@dataclass
class ProblemGroup:
    """All problems of one kind in one file and field, with their count and examples."""

    severity: Severity
    code: str
    summary: str
    fix: str
    file: str | None
    field: str | None
    count: int = 0
    examples: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.examples) < MAX_EXAMPLES:
            example = {
                k: v
                for k, v in (
                    ("row", problem.row),
                    ("record", problem.record),
                    ("value", problem.value),
                )
                if v is not None
            }
            self.examples.append(example)

    def describe(self, *, examples: int = 3) -> str:
        """One readable paragraph: where, how many, what, how to fix, e.g. where."""
        place = ", ".join(
            p for p in (self.file, f"field '{self.field}'" if self.field else None) if p
        )
        text = f"{self.severity}: {place + ': ' if place else ''}{self.count} × {self.summary}."
        if self.fix:
            text += f" Fix: {self.fix}"
        shown = [shown for e in self.examples[:examples] if (shown := _format_example(e))]
        if shown:
            text += " E.g. " + "; ".join(shown) + ("; ..." if self.count > len(shown) else "")
        return text


def _format_example(example: dict[str, Any]) -> str:
    parts = []
    if "row" in example:
        parts.append(f"row {example['row']}")
    if "record" in example:
        parts.append(f"record {example['record']!r}")
    text = " ".join(parts)
    if "value" in example:
        value = str(example["value"])
        shown = repr(value[:80] + "…" if len(value) > 80 else value)
        text = f"{text}: {shown}" if text else shown
    return text


@dataclass
class TableCounts:
    """What happened to the rows of one table (file or entity kind)."""

    read: int = 0
    loaded: int = 0
    merged: int = 0
    rejected: int = 0
    warnings: int = 0
    skipped: int = 0
    """Rows left out on purpose (an OSM feature that is no community facility)."""

    @property
    def balanced(self) -> bool:
        """``read == loaded + merged + rejected + skipped``."""
        return self.read == self.loaded + self.merged + self.rejected + self.skipped


@dataclass
class IngestReport:
    """The record of one ingest: where from, what came in, what went wrong."""

    source: str
    kind: str
    input: str
    variant: str = ""
    sha256: str = ""
    started: str = ""
    finished: str = ""
    snapshot: int | None = None
    snapshot_date: str = ""
    """The day the data describes (YYYY-MM-DD): the ingest's own day unless given."""
    dry_run: bool = False
    tables: dict[str, TableCounts] = dataclasses.field(default_factory=dict)
    nodes: dict[str, int] = dataclasses.field(default_factory=dict)
    edges: dict[str, int] = dataclasses.field(default_factory=dict)
    problems: list[ProblemGroup] = dataclasses.field(default_factory=list)
    resolution: dict[str, int] = dataclasses.field(default_factory=dict)
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    """What the input says about itself, where it says it: ``license`` (``{"name", "url"}``)."""

    def table(self, name: str) -> TableCounts:
        counts = self.tables.get(name)
        if counts is None:
            counts = self.tables[name] = TableCounts()
        return counts

    def add_problems(self, problems: Iterable[Problem]) -> None:
        groups: dict[tuple[str, str, str, str, str], ProblemGroup] = {
            (g.severity, g.code, g.file or "", g.field or "", g.summary): g for g in self.problems
        }
        for problem in problems:
            key = problem.group_key()
            group = groups.get(key)
            if group is None:
                group = groups[key] = ProblemGroup(
                    problem.severity,
                    problem.code,
                    problem.summary,
                    problem.fix,
                    problem.file,
                    problem.field,
                )
                self.problems.append(group)
            group.add(problem)

    def count(self, severity: Severity) -> int:
        """How many problems of a severity the report holds."""
        return sum(g.count for g in self.problems if g.severity == severity)

    @property
    def failing_problems(self) -> int:
        """Errors and warnings: what ``--strict`` refuses."""
        return self.count(Severity.ERROR) + self.count(Severity.WARNING)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problem_counts"] = {s.value: self.count(s) for s in Severity}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IngestReport:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["tables"] = {k: TableCounts(**v) for k, v in data.get("tables", {}).items()}
        fields["problems"] = [
            ProblemGroup(**{**g, "severity": Severity(g["severity"])})
            for g in data.get("problems", [])
        ]
        return cls(**fields)

    def summary_lines(self, *, examples: int = 3) -> list[str]:
        """The report as lines for a terminal: counts per table, then each problem group."""
        lines = [
            f"{self.source}: {self.variant or self.kind} from {self.input}"
            + (f" (snapshot {self.snapshot})" if self.snapshot is not None else "")
            + (" [dry run: nothing written]" if self.dry_run else "")
        ]
        width = max((len(name) for name in self.tables), default=5)
        lines.append(
            f"  {'table':<{width}}  {'read':>8} {'loaded':>8} {'merged':>8} "
            f"{'rejected':>8} {'skipped':>8} {'warnings':>8}"
        )
        for name, c in self.tables.items():
            lines.append(
                f"  {name:<{width}}  {c.read:>8} {c.loaded:>8} {c.merged:>8} "
                f"{c.rejected:>8} {c.skipped:>8} {c.warnings:>8}"
            )
        if self.nodes:
            lines.append("  nodes: " + ", ".join(f"{k} {v}" for k, v in self.nodes.items()))
        if self.edges:
            lines.append("  edges: " + ", ".join(f"{k} {v}" for k, v in self.edges.items()))
        for key, value in self.resolution.items():
            lines.append(f"  {key}: {value}")
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
        for group in sorted(self.problems, key=lambda g: order[g.severity]):
            lines.append("  " + group.describe(examples=examples))
        return lines
