"""The shared ingest machinery: stage records, validate, resolve references, write, report.

Ingesters only read their format and yield records; everything that every
format needs is done here, once:

1. *stage*: fold repeated records (same key) into one, noting conflicts;
2. *resolve references*: every edge end must be a node of this ingest or of
   the workspace, and the ontology must allow the edge; what is not is
   reported, and the row that made it is kept where it can be;
3. *check values* against the ontology's datatypes;
4. *write* the snapshot in one transaction (or, for ``validate``, nothing).

The report counts, per table, read = loaded + merged + rejected.
"""

from __future__ import annotations

import gc
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ..errors import StrictModeError
from ..graph import (
    EdgeRecord,
    IngestReport,
    NodeRecord,
    Problem,
    Record,
    Severity,
    Workspace,
)
from ..graph.workspace import EdgeRow, IdentifierRow, NodeRow, SnapshotCheck
from ..ontology import EDGE_TYPES, NODE_TYPES, Datatype, NodeType, edge_allowed
from ._values import implausible_postcode, parse_date

__all__ = ["ReadContext", "run_ingest"]

log = logging.getLogger("civicgraph.ingest")

Progress = Callable[[str, int, int], None]
"""Told ``(step, done, total)`` as an ingest goes; ``total`` 0 when it is not known yet."""

_EVERY = 1000
"""Rows read between two progress reports."""

RESERVED_PROPS = frozenset({"type", "sources", "first_asserted", "last_asserted"})

ACCUMULATING_PROPS = frozenset({"org_ids", "roles"})
"""List properties whose values add up across repeated records rather than conflict."""
"""Graph attribute names the workspace sets itself; a source field of that name is renamed."""


@dataclass
class ReadContext:
    """What a reader is given and reports back through: problems, rows read, variant.

    Readers call :meth:`read` once per row or record they take from the input
    and :meth:`problem` for anything wrong; they set :attr:`variant` and
    :attr:`sha256` once they know them.
    """

    source: str
    encoding: str | None = None
    progress: Progress | None = None
    """Told how many rows are read, of how many the reader announced (:meth:`expect`),
    then each checking and writing step (see :func:`run_ingest`)."""
    workspace: Workspace | None = None
    """The workspace being ingested into, for readers that compare with what it holds."""
    variant: str = ""
    sha256: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    """What the input says about itself (``license``: ``{"name", "url"}``), for the report."""
    read_counts: Counter[str] = field(default_factory=Counter)
    rejected_counts: Counter[str] = field(default_factory=Counter)
    used_counts: Counter[str] = field(default_factory=Counter)
    skipped_counts: Counter[str] = field(default_factory=Counter)
    merged_counts: Counter[str] = field(default_factory=Counter)
    reads: int = 0
    """Rows or records read so far, over all tables."""
    expected: int = 0
    """Rows the reader said it would read (:meth:`expect`), for progress totals."""
    files_total: int = 0
    """Files or pages the reader said it reads (:meth:`file_read`), when rows have no total."""
    problems: list[Problem] = field(default_factory=list)
    _since_progress: int = 0

    def read(self, table: str, n: int = 1) -> None:
        """Count ``n`` rows or records read from ``table``."""
        self.read_counts[table] += n
        self.reads += n
        if self.progress is not None:
            self._since_progress += n
            if self._since_progress >= _EVERY:
                total = self.expected if self.expected > self.reads else 0
                if total or self.files_total <= 1:  # else the files carry the progress
                    self.progress(self.reading_step, self.reads, total)
                self._since_progress = 0

    def expect(self, n: int) -> None:
        """Announce ``n`` more rows to be read (counted by :meth:`read`): the total that
        progress shows. A reader calls it once it knows a table's or file's size."""
        self.expected += n

    def file_read(self, done: int, total: int, what: str = "files") -> None:
        """Tell progress ``done`` of ``total`` files (or pages) are read, for readers whose
        rows have no total until every file is read; ``total`` 0 when not known (a feed)."""
        self.files_total = total
        if self.progress is not None:
            self.progress(f"reading {self.source}: {what}", done, total)

    @property
    def reading_step(self) -> str:
        """The progress step of reading the input."""
        return f"reading {self.source}: rows"

    def skip(self, table: str) -> None:
        """Count a row as skipped on purpose: read, valid, and not what this ingest keeps."""
        self.skipped_counts[table] += 1

    def use(self, table: str) -> None:
        """Count a row as loaded although it makes no record (it describes others)."""
        self.used_counts[table] += 1

    def merge(self, table: str) -> None:
        """Count a row as merged although it makes no record of its own: a superseded
        version of a record, or a part folded into another (a session into its series)."""
        self.merged_counts[table] += 1

    def problem(
        self,
        severity: Severity,
        code: str,
        summary: str,
        fix: str = "",
        *,
        table: str | None = None,
        file: str | None = None,
        field: str | None = None,
        row: int | None = None,
        record: str | None = None,
        value: object = None,
    ) -> None:
        """Record a problem. ``table`` is the table it counts against (defaults to ``file``)."""
        self.problems.append(
            Problem(
                severity,
                code,
                summary,
                fix,
                file=file or table,
                field=field,
                row=row,
                record=record,
                value=None if value is None else str(value),
                table=table or file,
            )
        )

    def reject(
        self,
        table: str,
        code: str,
        summary: str,
        fix: str = "",
        **where: Any,
    ) -> None:
        """A row read from ``table`` is refused at read time (no id, unreadable...)."""
        self.rejected_counts[table] += 1
        self.problem(Severity.ERROR, code, summary, fix, table=table, **where)


class _Staged:
    __slots__ = ("file", "identifiers", "props", "record_id", "row", "standalone", "table", "type")

    def __init__(self, record: NodeRecord) -> None:
        self.standalone = not record.embedded
        self.type = record.type
        self.props = record.props
        self.table = record.table
        self.record_id = record.record_id
        self.identifiers = list(record.identifiers)
        self.row = record.row
        self.file = record.file


class _Stage:
    """Records folded by key, with per-table loaded/merged/rejected counts."""

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.nodes: dict[str, _Staged] = {}
        self.edges: dict[tuple[str, str, str, str], EdgeRecord] = {}
        self.loaded: Counter[str] = Counter()
        self.merged: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()

    def add(self, record: Record) -> None:
        if isinstance(record, NodeRecord):
            self._add_node(record)
        else:
            self._add_edge(record)

    def _add_node(self, record: NodeRecord) -> None:
        staged = self.nodes.get(record.key)
        counted = 1 if record.counted else 0
        if staged is None:
            self.nodes[record.key] = _Staged(record)
            self.loaded[record.table] += counted
            return
        if staged.type != record.type:
            self.rejected[record.table] += counted
            self.ctx.problem(
                Severity.ERROR,
                "key-type-clash",
                f"records use an id already used for a {staged.type}; the later one is dropped",
                "give each record its own id.",
                table=record.table,
                file=record.file,
                row=record.row,
                record=record.record_id,
            )
            return
        self.merged[record.table] += counted
        for identifier in record.identifiers:
            if identifier not in staged.identifiers:
                staged.identifiers.append(identifier)
        # Only a record that stands on its own, met twice, is a repeat worth a warning;
        # copies nested in other records are expected.
        repeated = staged.standalone and not record.embedded
        if repeated and staged.file != record.file:
            # A folder of API responses repeats records across list and detail files.
            repeated = False
            self.ctx.problem(
                Severity.NOTE,
                "repeated-across-files",
                f"{_noun(record.type)} records appear in more than one file; merged",
                "",
                table=record.table,
                file=record.file,
                record=record.record_id,
                value=f"also in {staged.file}",
            )
        staged.standalone = staged.standalone or not record.embedded
        if record.props == staged.props:
            if repeated:
                self.ctx.problem(
                    Severity.WARNING,
                    "duplicate-record",
                    f"{_noun(record.type)} records repeat an id with identical content; "
                    "folded into one",
                    "remove the repeated rows.",
                    table=record.table,
                    file=record.file,
                    row=record.row,
                    record=record.record_id,
                )
            return
        conflicts = []
        for name, value in record.props.items():
            current = staged.props.get(name)
            if current is None or current == "" or current == []:
                staged.props[name] = value
            elif name in ACCUMULATING_PROPS and isinstance(current, list):
                current.extend(v for v in value if v not in current)
            elif value not in (None, "", []) and value != current:
                conflicts.append((name, current, value))
        if conflicts and not record.counted:
            # Details repeated on every row that mentions an organisation (a recipient's
            # address on each of its grants) change over time: worth a note, not a warning.
            self.ctx.problem(
                Severity.NOTE,
                "details-differ",
                f"{_noun(record.type)} details differ between the rows that mention it; the "
                "first row's are kept, missing ones filled from the later",
                "",
                table=record.table,
                file=record.file,
                row=record.row,
                record=record.key,
                value="; ".join(f"{n}: {_short(a)} vs {_short(b)}" for n, a, b in conflicts),
            )
        elif conflicts:
            self.ctx.problem(
                Severity.WARNING,
                "conflicting-duplicate",
                f"{_noun(record.type)} records repeat an id with different content; the first "
                "record's values are kept, missing ones filled from the later",
                "give different things different ids, or correct the repeated rows.",
                table=record.table,
                file=record.file,
                row=record.row,
                record=record.record_id,
                value="; ".join(f"{n}: {_short(a)} vs {_short(b)}" for n, a, b in conflicts),
            )
        elif repeated:
            self.ctx.problem(
                Severity.WARNING,
                "duplicate-record",
                f"{_noun(record.type)} records repeat an id; folded into the first (the repeat "
                "adds nothing that conflicts)",
                "remove the repeated rows.",
                table=record.table,
                file=record.file,
                row=record.row,
                record=record.record_id,
            )

    def _add_edge(self, record: EdgeRecord) -> None:
        definition = EDGE_TYPES[record.type]
        disc = ""
        if definition.discriminator and record.props:
            disc = str(record.props.get(definition.discriminator) or "")
        key = (record.type, record.source, record.target, disc)
        existing = self.edges.get(key)
        if existing is None or (record.primary and not existing.primary):
            # A row that is itself the link (a services_taxonomy row) takes the place of
            # the same link derived from another row (a services.taxonomy_ids list).
            self.edges[key] = record
            if record.primary:
                self.loaded[record.table] += 1
            return
        if not record.primary:
            return
        self.merged[record.table] += 1
        same = (existing.props or {}) == (record.props or {})
        if same and existing.file != record.file:
            return  # API list and detail responses repeat links across files
        self.ctx.problem(
            Severity.WARNING,
            "duplicate-link" if same else "conflicting-duplicate",
            f"rows repeat the same {record.type} link"
            + ("" if same else " with different details; the first row's details are kept"),
            "remove the repeated rows.",
            table=record.table,
            file=record.file,
            row=record.row,
            record=record.record_id,
            value=f"{record.source} -> {record.target}",
        )

    def resolve_edges(self, workspace: Workspace | None) -> list[EdgeRecord]:
        types: dict[str, NodeType] = {key: staged.type for key, staged in self.nodes.items()}
        missing = {
            end for edge in self.edges.values() for end in (edge.source, edge.target)
        } - types.keys()
        if missing and workspace is not None:
            types.update(workspace.known_nodes(missing, excluding_source=self.ctx.source))
        kept = []
        for edge in self.edges.values():
            source_type, target_type = types.get(edge.source), types.get(edge.target)
            if source_type is None or target_type is None:
                self._dangling(edge, edge.source if source_type is None else edge.target)
            elif not edge_allowed(edge.type, source_type, target_type):
                self._count_rejected(edge)
                self.ctx.problem(
                    Severity.ERROR,
                    "not-allowed-by-ontology",
                    f"rows link {_a(_noun(source_type))} to {_a(_noun(target_type))} by "
                    f"{edge.type}, which the ontology does not allow; dropped",
                    "check the row points at the right kind of record.",
                    table=edge.table,
                    file=edge.file,
                    field=edge.field,
                    row=edge.row,
                    record=edge.record_id,
                    value=f"{edge.source} -> {edge.target}",
                )
            else:
                kept.append(edge)
        return kept

    def _count_rejected(self, edge: EdgeRecord) -> None:
        if edge.primary:
            self.loaded[edge.table] -= 1
            self.rejected[edge.table] += 1

    def _dangling(self, edge: EdgeRecord, end: str) -> None:
        self._count_rejected(edge)
        what = _describe_key(end)
        if edge.primary:
            summary = f"rows name {_a(what)} that is not in the data; the link is dropped"
            severity = Severity.ERROR
        else:
            summary = (
                f"records name {_a(what)} that is not in the data; kept without the "
                f"{edge.type} link"
            )
            severity = Severity.WARNING
        self.ctx.problem(
            severity,
            "dangling-reference",
            summary,
            f"add the {what} to the data or correct the reference.",
            table=edge.table,
            file=edge.file,
            field=edge.field,
            row=edge.row,
            record=edge.record_id,
            value=end.rsplit(":", 1)[-1] if ":" in end else end,
        )


_NOUNS = {
    NodeType.ORGANIZATION: "organisation",
    NodeType.SERVICE: "service",
    NodeType.LOCATION: "location",
    NodeType.AREA: "area",
    NodeType.GRANT: "grant",
    NodeType.CONCEPT: "taxonomy term",
    NodeType.ACTIVITY: "activity",
}
_SLUG_NOUNS = {NODE_TYPES[t].slug: noun for t, noun in _NOUNS.items()}


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _noun(node_type: NodeType) -> str:
    return _NOUNS[node_type]


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_key(key: str) -> str:
    """What kind of record an asserted key names, in words ("organisation")."""
    parts = key.split(":")
    if len(parts) >= 3 and parts[-2] in _SLUG_NOUNS:
        return _SLUG_NOUNS[parts[-2]]
    return "organisation" if re.match(r"^[A-Z0-9]{2,}-[A-Z]", key) else "record"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BARE_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)


class _Verdict:
    """What the value check decided: the value to keep, and what to tell the user."""

    __slots__ = ("also", "code", "fix", "severity", "summary", "value")

    def __init__(
        self,
        summary: str,
        fix: str,
        *,
        value: Any = None,
        severity: Severity = Severity.WARNING,
        code: str | None = None,
        also: dict[str, Any] | None = None,
    ) -> None:
        self.summary, self.fix, self.value, self.severity = summary, fix, value, severity
        self.code, self.also = code, also


_CODES = {Severity.WARNING: "invalid-value", Severity.NOTE: "value-normalised"}
"""A verdict's problem code by its severity, where it names none of its own."""

_MOVE = object()
"""Verdict value meaning: move the value aside to ``<name>_raw``."""


def _check_values(stage: _Stage) -> None:
    """Check documented properties against their datatypes.

    A value that cannot be what its property says is kept as ``<name>_raw``;
    a web address without ``http://`` gets it; other doubtful values stay and
    are reported.
    """
    ctx = stage.ctx
    for staged in stage.nodes.values():
        definitions = NODE_TYPES[staged.type].properties
        props = staged.props
        for name in list(props):
            value = props[name]
            if name in RESERVED_PROPS:
                props[f"{name}_"] = props.pop(name)
                continue
            if isinstance(value, dict | list) and too_deep(value, MAX_DEPTH):
                ctx.problem(
                    Severity.WARNING,
                    "nested-too-deep",
                    f"values are nested more than {MAX_DEPTH} levels deep; kept as text in "
                    f"{name}_raw (its first {MAX_RAW_TEXT:,} characters)",
                    "flatten the field: nobody nests real data this deep.",
                    table=staged.table,
                    file=staged.file,
                    field=name,
                    row=staged.row,
                    record=staged.record_id,
                )
                props.pop(name)
                props[f"{name}_raw"] = _as_text(value)[:MAX_RAW_TEXT]
                continue
            if name == "postcode" and isinstance(value, str):
                country = props.get("country")
                if implausible_postcode(value, country if isinstance(country, str) else None):
                    ctx.problem(
                        Severity.WARNING,
                        "bad-postcode",
                        "postcodes are not in the UK postcode format; kept as given, but "
                        "nothing can be placed by them",
                        "correct the postcode (e.g. SW1A 1AA), or give the address's country.",
                        table=staged.table,
                        file=staged.file,
                        field=name,
                        row=staged.row,
                        record=staged.record_id,
                        value=value,
                    )
                continue
            definition = definitions.get(name)
            if definition is None or value is None:
                continue
            verdict = _check_value(definition.datatype, name, value)
            if verdict is None:
                continue
            ctx.problem(
                verdict.severity,
                verdict.code or _CODES[verdict.severity],
                verdict.summary,
                verdict.fix,
                table=staged.table,
                file=staged.file,
                field=name,
                row=staged.row,
                record=staged.record_id,
                value=value,
            )
            if verdict.value is _MOVE:
                props[f"{name}_raw"] = props.pop(name)
            elif verdict.value is not None:
                props[name] = verdict.value
            props.update(verdict.also or {})
        _check_spans(ctx, staged)


DATE_SPANS = (
    ("start_date", "end_date"),
    ("acv_listed", "acv_expires"),
    ("moratorium_start", "moratorium_end"),
)
"""A node's own (start, end) dates: an end before its start is kept out of the timeline.
(A grant's planned dates are checked as its file is read, where the field names are the
file's: ``giving360``.)"""


def _check_spans(ctx: ReadContext, staged: _Staged) -> None:
    """Move both dates of a span whose end is before its start aside, reported: which is
    wrong cannot be told, so neither is guessed."""
    props = staged.props
    for start_name, end_name in DATE_SPANS:
        start, end = props.get(start_name), props.get(end_name)
        if not (isinstance(start, str) and isinstance(end, str)) or end[:10] >= start[:10]:
            continue
        ctx.problem(
            Severity.WARNING,
            "end-before-start",
            f"{end_name} is before {start_name}; both kept as {start_name}_raw and "
            f"{end_name}_raw, out of the timeline",
            "correct the dates in the file.",
            table=staged.table,
            file=staged.file,
            field=end_name,
            row=staged.row,
            record=staged.record_id,
            value=f"{start} → {end}",
        )
        props[f"{start_name}_raw"] = props.pop(start_name)
        props[f"{end_name}_raw"] = props.pop(end_name)


MAX_DEPTH = 32
"""How deeply a property's value may nest (lists and objects) before it is kept as text."""
MAX_RAW_TEXT = 10_000


def too_deep(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels deep (without recursing).

    Examples
    --------
    >>> too_deep({"a": [{"b": 1}]}, 3), too_deep({"a": [{"b": 1}]}, 2)
    (False, True)
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _as_text(value: Any) -> str:
    """JSON text of a value too deep for the JSON writers, with what is below MAX_DEPTH cut."""
    return orjson.dumps(_clipped(value, MAX_DEPTH)).decode()


def _clipped(value: Any, depth: int) -> Any:
    if isinstance(value, dict | list) and depth <= 0:
        return "…"
    if isinstance(value, dict):
        return {str(k): _clipped(v, depth - 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clipped(v, depth - 1) for v in value]
    return value


def _check_date(datatype: Datatype, name: str, value: Any) -> _Verdict | None:
    """A date that cannot be read (month 13, 30 February, words) is moved aside, never
    guessed; one readable in another form (17/03/2014) becomes ISO, a month or year alone
    its first day with ``<name>_precision``."""
    if isinstance(value, str) and datatype is Datatype.DATETIME:
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return None
    parsed = parse_date(value)
    if parsed is None:
        return _Verdict(
            f"{name} is not a date civicgraph can read; kept as {name}_raw, out of the timeline",
            "write dates as YYYY-MM-DD (or DD/MM/YYYY).",
            value=_MOVE,
            code="bad-date",
        )
    day, precision = parsed
    if datatype is Datatype.DATE and day != value:
        # A month or a year alone is its first day, with the precision saying so (as grants).
        return _Verdict(
            f"{name} values written as ISO dates",
            "",
            value=day,
            severity=Severity.NOTE,
            also={f"{name}_precision": precision} if precision != "day" else None,
        )
    return None


def _check_value(datatype: Datatype, name: str, value: Any) -> _Verdict | None:
    if datatype in (Datatype.DATE, Datatype.DATETIME):
        return _check_date(datatype, name, value)
    if datatype is Datatype.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _Verdict(
                f"{name} is not a number; kept as {name}_raw", "write it as a number.", value=_MOVE
            )
        if not math.isfinite(value):
            return _Verdict(
                f"{name} is not a finite number; kept as {name}_raw",
                "write it as a number.",
                value=_MOVE,
            )
        limit = 90 if name == "latitude" else 180 if name == "longitude" else None
        if limit is not None and not -limit <= value <= limit:
            return _Verdict(
                f"{name} is outside -{limit}..{limit}, so it cannot be a WGS84 coordinate; "
                f"kept as {name}_raw",
                "give WGS84 decimal degrees (are latitude and longitude swapped?).",
                value=_MOVE,
            )
    elif datatype is Datatype.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return _Verdict(
                f"{name} is not a whole number; kept as {name}_raw",
                "write it as digits.",
                value=_MOVE,
            )
    elif datatype is Datatype.EMAIL:
        if not isinstance(value, str) or not _EMAIL.match(value):
            return _Verdict(f"{name} is not an email address", "correct the address.")
    elif datatype is Datatype.URI and (
        not isinstance(value, str) or not value.lower().startswith(("http://", "https://"))
    ):
        if isinstance(value, str) and _BARE_DOMAIN.match(value.strip()):
            return _Verdict(
                f"{name} values lack http://; added",
                "",
                value="http://" + value.strip(),
                severity=Severity.NOTE,
            )
        return _Verdict(f"{name} is not an http(s) URL", "give the full address, https://...")
    return None


def _rows(
    stage: _Stage, edges: Iterable[EdgeRecord]
) -> tuple[list[NodeRow], list[EdgeRow], list[IdentifierRow]]:
    dumps = orjson.dumps
    node_rows: list[NodeRow] = [
        (key, staged.type, staged.record_id, dumps(staged.props).decode())
        for key, staged in stage.nodes.items()
    ]
    identifier_rows: list[IdentifierRow] = [
        (key, identifier)
        for key, staged in stage.nodes.items()
        for identifier in staged.identifiers
    ]
    edge_rows: list[EdgeRow] = []
    for edge in edges:
        definition = EDGE_TYPES[edge.type]
        disc = ""
        if definition.discriminator and edge.props:
            disc = str(edge.props.get(definition.discriminator) or "")
        edge_rows.append(
            (
                edge.type,
                edge.source,
                edge.target,
                disc,
                edge.record_id,
                dumps(edge.props).decode() if edge.props else None,
            )
        )
    return node_rows, edge_rows, identifier_rows


def run_ingest(
    records: Iterable[Record],
    ctx: ReadContext,
    *,
    workspace: Workspace | None,
    kind: str,
    input_name: str,
    strict: bool = False,
    dry_run: bool = False,
    checks: Sequence[SnapshotCheck] = (),
    snapshot_date: str | None = None,
) -> IngestReport:
    """Stage, validate and (unless ``dry_run``) write one ingest; return its report.

    Raises
    ------
    InputError
        The input cannot be read at all (raised by the reader); nothing is written.
    StrictModeError
        ``strict`` is set and the input has errors or warnings; nothing is written.
    """
    report = IngestReport(
        source=ctx.source,
        kind=kind,
        input=input_name,
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        dry_run=dry_run,
        snapshot_date=snapshot_date or "",
    )
    stage = _Stage(ctx)
    writing = not dry_run and workspace is not None
    steps = _STEPS if writing else _STEPS[:-1]
    step = f"{'ingesting' if writing else 'checking'} {ctx.source} ({', '.join(steps)})"

    def done(count: int) -> None:
        if ctx.progress is not None:
            ctx.progress(step, count, len(steps))

    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector, not the work, dominates large loads
    try:
        for record in records:
            stage.add(record)
        if ctx.progress is not None:
            ctx.progress(ctx.reading_step, ctx.reads, ctx.reads)
        done(0)
        edges = stage.resolve_edges(workspace)
        done(1)
        _check_values(stage)
        node_rows, edge_rows, identifier_rows = _rows(stage, edges)
        done(2)
    finally:
        if gc_was_enabled:
            gc.enable()
    report.variant, report.sha256 = ctx.variant, ctx.sha256
    report.metadata = dict(ctx.metadata)
    _fill_counts(report, ctx, stage)
    log.info(
        "%s: staged %d node and %d edge facts with %d problems",
        ctx.source,
        len(node_rows),
        len(edge_rows),
        len(ctx.problems),
    )
    if strict and report.failing_problems:
        raise StrictModeError(
            f"has {report.count(Severity.ERROR)} errors and {report.count(Severity.WARNING)} "
            "warnings, and `strict` refuses any; nothing was written.",
            path=input_name,
            fix="see the problems listed, correct the data, or ingest without `strict`.",
            param="strict",
            report=report,
        )
    if dry_run or workspace is None:
        report.nodes = _count(n[1] for n in node_rows)
        report.edges = _count(e[0] for e in edge_rows)
        return report
    workspace.write_snapshot(report, node_rows, edge_rows, identifier_rows, checks)
    done(3)
    return report


_STEPS = ("resolve references", "check values", "write the snapshot")
"""The steps after reading, as progress names them."""


def _count(types: Iterable[str]) -> dict[str, int]:
    return {str(t): n for t, n in Counter(types).items()}


def _fill_counts(report: IngestReport, ctx: ReadContext, stage: _Stage) -> None:
    tables = (
        list(ctx.read_counts)
        + [t for t in stage.loaded if t not in ctx.read_counts]
        + [t for t in stage.rejected if t not in ctx.read_counts]
    )
    warnings = Counter(p.table for p in ctx.problems if p.severity == Severity.WARNING)
    for name in dict.fromkeys(tables):
        counts = report.table(name)
        counts.read = ctx.read_counts[name]
        counts.loaded = stage.loaded[name] + ctx.used_counts[name]
        counts.merged = stage.merged[name] + ctx.merged_counts[name]
        counts.rejected = stage.rejected[name] + ctx.rejected_counts[name]
        counts.skipped = ctx.skipped_counts[name]
        counts.warnings = warnings[name]
        if not counts.balanced:
            ctx.problem(
                Severity.ERROR,
                "unaccounted-rows",
                f"{counts.read - counts.loaded - counts.merged - counts.rejected - counts.skipped}"
                " rows were read but neither loaded, merged, rejected nor skipped (a civicgraph "
                "bug)",
                "please report it with this input.",
                table=name,
            )
    report.add_problems(ctx.problems)
