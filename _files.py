"""Writing output files whole or not at all, with errors that say what to do.

Every command that writes a file (``query --out``, ``export``, ``viz``,
``report``, ``export neo4j-csv``, ``synth``, ``ingest --report``) writes
through :func:`atomic_write`: the data goes to a temporary file in the same
folder, which is renamed over the target only once it is complete and on
disk. A full disk, a file size limit (``ulimit -f``), a read-only folder or a
missing permission raise :class:`~civicgraph.errors.OutputError` naming the
path and the fix, and leave no partial file behind (an earlier file of that
name stays as it was).

Private, and imports only the standard library.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, overload

from .errors import OutputError

__all__ = ["atomic_write", "output_error", "write_bytes", "write_text"]

_PROBLEMS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: (
        "the disk is full; nothing was written.",
        "free some space on that disk, or write somewhere else.",
    ),
    errno.EDQUOT: (
        "the disk quota is used up; nothing was written.",
        "free some space, or write somewhere else.",
    ),
    errno.EFBIG: (
        "the file would be larger than this process may write (a file size limit, "
        "'ulimit -f'); nothing was written.",
        "raise the limit ('ulimit -f unlimited'), or write something smaller.",
    ),
    errno.EROFS: (
        "the file system is read-only; nothing was written.",
        "write to a folder on a writable disk.",
    ),
    errno.EACCES: (
        "permission denied; nothing was written.",
        "write to a folder you may write to, or change its permissions.",
    ),
    errno.EPERM: (
        "permission denied; nothing was written.",
        "write to a folder you may write to, or change its permissions.",
    ),
    errno.ENOENT: (
        "the folder does not exist; nothing was written.",
        "create the folder first, or give a path in an existing one.",
    ),
    errno.ENOTDIR: (
        "part of the path is a file, not a folder; nothing was written.",
        "give a path whose folders exist.",
    ),
    errno.EISDIR: (
        "is a folder; nothing was written.",
        "give a file name, not a folder.",
    ),
}


def output_error(path: str | Path, error: OSError) -> OutputError:
    """An :class:`OutputError` for an ``OSError`` met while writing ``path``.

    Examples
    --------
    >>> import errno
    >>> print(output_error("out.csv", OSError(errno.ENOSPC, "No space left on device")))
    out.csv: the disk is full; nothing was written. Fix: free some space on that disk, \
or write somewhere else.
    """
    problem, fix = _PROBLEMS.get(
        error.errno or 0,
        (
            f"could not be written ({error.strerror or error}); nothing was written.",
            "check the path and the disk.",
        ),
    )
    return OutputError(problem, path=path, fix=fix)


@overload
def atomic_write(
    path: str | Path, mode: Literal["w"] = "w", *, encoding: str = ..., newline: str | None = ...
) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def atomic_write(
    path: str | Path, mode: Literal["wb"], *, encoding: str = ..., newline: str | None = ...
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def atomic_write(
    path: str | Path, mode: str = "w", *, encoding: str = "utf-8", newline: str | None = None
) -> contextlib.AbstractContextManager[IO[Any]]:
    """Open ``path`` for writing so that it appears whole or not at all.

    Writes go to a temporary file beside ``path``; leaving the block normally
    flushes it to disk and renames it over ``path``; leaving it by any
    exception (including Ctrl-C) removes it. ``mode`` is ``"w"`` (text) or
    ``"wb"``.

    Raises
    ------
    OutputError
        The file cannot be written: disk full, size limit, read-only, no
        permission, missing folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
    >>> with atomic_write(target) as handle:
    ...     _ = handle.write("a,b\\n")
    >>> target.read_text()
    'a,b\\n'
    >>> try:
    ...     with atomic_write(target) as handle:
    ...         _ = handle.write("half")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('a,b\\n', ['rows.csv'])
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    return _atomic(Path(path), mode, encoding, newline)


@contextlib.contextmanager
def _atomic(path: Path, mode: str, encoding: str, newline: str | None) -> Iterator[IO[Any]]:
    if path.is_dir():
        raise output_error(path, IsADirectoryError(errno.EISDIR, "Is a directory"))
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".part"
        )
    except OSError as error:
        raise output_error(path, error) from error
    try:
        if mode == "wb":
            handle: IO[Any] = os.fdopen(descriptor, "wb")
        else:
            handle = os.fdopen(descriptor, "w", encoding=encoding, newline=newline)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _keep_mode(temporary)
        os.replace(temporary, path)
    except OSError as error:
        _remove(temporary)
        raise output_error(path, error) from error
    except BaseException:
        _remove(temporary)
        raise


def _keep_mode(temporary: str) -> None:
    # mkstemp makes the file 0600; give it what a plain open() would (0666 less the umask).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)


def _remove(temporary: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` whole or not at all (see :func:`atomic_write`)."""
    with atomic_write(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (see :func:`atomic_write`)."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)
