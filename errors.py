"""The exception hierarchy: every error civicgraph raises on purpose subclasses
:class:`CivicGraphError` and a builtin, so callers can catch either.

Messages follow one shape: *where* (file, row or record, field), *what* is
wrong, and *how to fix it*. The CLI prints the message and exits with
:attr:`CivicGraphError.exit_code` (1 for bad data, 2 for bad usage).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CivicGraphError",
    "FetchError",
    "InputError",
    "OutputError",
    "StrictModeError",
    "UsageError",
    "WorkspaceError",
]


class CivicGraphError(Exception):
    """Base class of every deliberate civicgraph error."""

    exit_code = 1


class InputError(CivicGraphError, ValueError):
    """The input data cannot be used: unreadable, malformed or inconsistent.

    Parameters
    ----------
    problem
        What is wrong, as a sentence.
    path
        The file, folder or URL the problem is in.
    where
        The place inside it: ``"row 12"``, ``"record 'abc'"``, ``"line 3, column 9"``.
    field
        The field or column concerned.
    fix
        What the user can do about it.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        where: str | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.where = where
        self.field = field
        self.fix = fix
        super().__init__(self._format())

    def _format(self) -> str:
        place = ", ".join(
            part
            for part in (
                self.path,
                self.where,
                f"field '{self.field}'" if self.field else None,
            )
            if part
        )
        message = f"{place}: {self.problem}" if place else self.problem
        if self.fix:
            message += f" Fix: {self.fix}"
        return message


class FetchError(InputError):
    """A remote source could not be fetched (timeout, HTTP error, not JSON, too large)."""


class StrictModeError(InputError):
    """``--strict`` was given and the input has problems; nothing was written.

    ``report`` holds the ingest report (an ``IngestReport``) listing them.
    """

    def __init__(
        self,
        problem: str,
        *,
        report: object = None,
        path: str | Path | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(problem, path=path, fix=fix)
        self.report = report


class UsageError(CivicGraphError, ValueError):
    """The caller asked for something that cannot be done as asked (bad options)."""

    exit_code = 2


class OutputError(CivicGraphError, OSError):
    """A file could not be written (disk full, no permission, read-only, size limit).

    Nothing partial is left: writers write a temporary file beside the target
    and rename it into place only when it is complete.
    """

    def __init__(self, problem: str, *, path: str | Path, fix: str) -> None:
        self.problem = problem
        self.path = str(path)
        self.fix = fix
        super().__init__(f"{self.path}: {problem} Fix: {fix}")

    def __str__(self) -> str:
        return f"{self.path}: {self.problem} Fix: {self.fix}"


class WorkspaceError(CivicGraphError, RuntimeError):
    """The workspace file is missing, locked, corrupt or from an unknown version."""
