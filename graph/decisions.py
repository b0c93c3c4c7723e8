"""A person's identity decisions: a CSV file of ``same`` / ``not-same`` pairs.

The review list (``civicgraph resolve --review --format csv``) is written in the
same layout with an empty ``decision`` column: fill it in, load the file with
``civicgraph resolve --decisions FILE``, and the workspace keeps the decisions
and applies them on every later ingest, so they survive re-ingests.

Layout: a header row naming at least ``decision``, ``a`` and ``b`` (other
columns, such as the names the review list adds, are ignored); ``decision`` is
``same`` or ``not-same`` (``yes``/``no``, ``match``/``no-match`` too); rows
with an empty decision are skipped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["Decision", "read_decisions"]

_VERDICTS = {
    "same": "same",
    "yes": "same",
    "match": "same",
    "merge": "same",
    "not-same": "not-same",
    "not same": "not-same",
    "no": "not-same",
    "no-match": "not-same",
    "different": "not-same",
    "split": "not-same",
}


@dataclass(frozen=True)
class Decision:
    """One decided pair, and where it was decided."""

    a: str
    b: str
    verdict: str
    note: str | None
    origin: str


def read_decisions(path: Path) -> tuple[list[Decision], list[str]]:
    """The decisions in a CSV file, and one message per row skipped (empty or unreadable).

    Raises
    ------
    InputError
        The file is not a decisions file at all (no ``decision``, ``a``, ``b`` columns),
        or a row's decision is not one of the known words.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "is not UTF-8 text.", path=path, fix="save the decisions file as UTF-8 CSV."
        ) from exc
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror}).", path=path) from exc
    reader = csv.DictReader(text.splitlines())
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"decision", "a", "b"} <= columns:
        raise InputError(
            f"is not a decisions file: it needs columns decision, a and b (it has "
            f"{', '.join(sorted(columns)) or 'none'}).",
            path=path,
            where="header",
            fix="start from 'civicgraph resolve --review --format csv --out review.csv'.",
        )
    decisions: list[Decision] = []
    skipped: list[str] = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        word = row.get("decision", "").lower()
        if not word:
            continue
        verdict = _VERDICTS.get(word)
        if verdict is None:
            raise InputError(
                f"decision '{row.get('decision')}' is neither 'same' nor 'not-same'.",
                path=path,
                where=f"row {number}",
                field="decision",
                fix="write same or not-same (or leave it empty to decide later).",
            )
        a, b = row.get("a", ""), row.get("b", "")
        if not a or not b or a == b:
            skipped.append(f"row {number}: needs two different ids in a and b")
            continue
        decisions.append(Decision(a, b, verdict, row.get("note") or None, f"{path.name}:{number}"))
    return decisions, skipped
