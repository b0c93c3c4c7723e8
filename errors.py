"""The exception hierarchy: every error civicgraph raises on purpose subclasses
:class:`CivicGraphError` and a builtin, so callers can catch either.

Messages follow one shape: *where* (file, row or record, field), *what* is
wrong, and *how to fix it*. The CLI prints the message and exits with
:attr:`CivicGraphError.exit_code` (1 for bad data, 2 for bad usage).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Self

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
    """Base class of every deliberate civicgraph error.

    ``param`` names the Python parameter (or parameters) an error is about
    (``"distance_km"``), where it is about one: the message names it in
    backticks (`` `distance_km` ``), and the command line, whose option is
    ``--distance-km``, puts that in its place (:meth:`for_options`), so that
    neither kind of caller is told about the other's spelling.
    """

    exit_code = 1
    param: str | tuple[str, ...] | None = None

    @property
    def params(self) -> tuple[str, ...]:
        """The Python parameters the message names (``param`` may name one or several)."""
        if not self.param:
            return ()
        return (self.param,) if isinstance(self.param, str) else tuple(self.param)

    def for_options(self, options: dict[str, str]) -> Self:
        """This error with parameters' names replaced by command-line options' names.

        Examples
        --------
        >>> error = UsageError("`view` ego needs `focus`.", param=("view", "focus"))
        >>> str(error.for_options({"view": "--view", "focus": "--focus"}))
        '--view ego needs --focus.'
        """
        translated = self
        for param, option in options.items():
            if param in self.params:
                translated = translated._rewritten(_replacer(param, option))
        if translated is not self:
            translated.param = None
        return translated

    def for_option(self, option: str) -> Self:
        """This error with its parameter's name replaced by a command-line option's.

        Examples
        --------
        >>> error = UsageError("`distance_km` must be 0 or more, not -1. Fix: give `distance_km` "
        ...                    "as a distance in km.", param="distance_km")
        >>> str(error.for_option("--distance-km"))
        '--distance-km must be 0 or more, not -1. Fix: give --distance-km as a distance in km.'
        >>> str(error.for_option("--distance-km")) == str(error)
        False
        """
        if len(self.params) != 1:
            return self
        return self.for_options({self.params[0]: option})

    def with_path_shown_as(self, actual: str | Path, shown: str) -> Self:
        """This error with a path it names (a temporary folder) replaced by what the user gave.

        Examples
        --------
        >>> error = InputError("is not valid CSV.", path="/tmp/x1/services.csv")
        >>> str(error.with_path_shown_as("/tmp/x1", "dir.zip!"))
        'dir.zip!/services.csv: is not valid CSV.'
        """
        actual = str(actual)
        return self._rewritten(lambda text: text.replace(actual, shown))

    def _rewritten(self, rewrite: Callable[[str], str]) -> Self:
        changed = copy.copy(self)
        changed.args = tuple(rewrite(arg) if isinstance(arg, str) else arg for arg in self.args)
        for name in ("problem", "fix", "where", "path"):
            value = getattr(self, name, None)
            if isinstance(value, str):
                setattr(changed, name, rewrite(value))
        return changed


def _replacer(param: str, option: str) -> Callable[[str], str]:
    quoted = f"`{param}`"
    return lambda text: text.replace(quoted, option)


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
    param
        The Python parameter the fix is about (``"encoding"``), if any: see
        :meth:`CivicGraphError.for_option`.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        where: str | None = None,
        field: str | None = None,
        fix: str | None = None,
        param: str | tuple[str, ...] | None = None,
    ) -> None:
        self.problem = problem
        self.param = param
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
        param: str | tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(problem, path=path, fix=fix, param=param)
        self.report = report


class UsageError(CivicGraphError, ValueError):
    """The caller asked for something that cannot be done as asked (bad options).

    Parameters
    ----------
    message
        What is wrong and how to fix it, in the Python API's words.
    param
        The Python parameter concerned (``"distance_km"``), if one is; the
        message names it so, and the command line names its option instead
        (see :meth:`CivicGraphError.for_option`).
    """

    exit_code = 2

    def __init__(self, message: str, *, param: str | tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.param = param


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
