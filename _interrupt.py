"""Ctrl-C at any moment: ``Aborted.`` and exit code 130, never a traceback.

Private; imports only the standard library, because it must be in place
before anything slow is imported: the package's ``__init__`` installs it first
thing, when the process is the ``civicgraph`` command (never for a library user).
While a command runs, :func:`~civicgraph.cli.main` hands Ctrl-C back to Python
as ``KeyboardInterrupt`` (so that temporary files are removed and the workspace
transaction is rolled back) and turns it into the same message and exit code;
before, :func:`abort_now` stops the process at once, as nothing is open then;
after, Ctrl-C is ignored, as the command has done its work and the process is
only exiting. (A Ctrl-C in the first tenth of a second, while Python itself
starts and before any civicgraph code runs, is Python's own to report.)

``Aborted.`` promises that nothing changed. Once a workspace transaction has
committed (:func:`note_saved`), a later Ctrl-C says that the change was saved.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import NoReturn

__all__ = [
    "ABORTED_EXIT",
    "abort_now",
    "aborted_message",
    "aborting",
    "exit_aborted",
    "forget_saved",
    "install_if_command",
    "note_saved",
]

ABORTED_EXIT = 130
"""The shell's convention for a process stopped by Ctrl-C: 128 + SIGINT."""


_saved = False
"""Whether this process has committed a change to a workspace: a Ctrl-C after that must say so."""


def note_saved() -> None:
    """Record that a workspace transaction has committed (called by the workspace itself)."""
    global _saved
    _saved = True


def forget_saved() -> None:
    """A new command begins: nothing of its own is saved yet."""
    global _saved
    _saved = False


def aborted_message() -> str:
    """What to say on Ctrl-C: ``Aborted.``, and whether a change had already been saved."""
    if _saved:
        return (
            "The change to the workspace had already been saved when Ctrl-C came "
            "(civicgraph sources shows it).\nAborted."
        )
    return "Aborted."


def abort_now(signum: int, frame: object) -> None:
    """The SIGINT handler outside a command: say ``Aborted.`` and exit 130 at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C changes nothing now
    try:
        os.write(2, f"\n{aborted_message()}\n".encode())
    finally:
        os._exit(ABORTED_EXIT)


def exit_aborted() -> NoReturn:
    """Leave with exit code 130 once a command has stopped after Ctrl-C and said so.

    Called only in the ``civicgraph`` process, after the command's context managers
    have unwound (the workspace transaction rolled back, temporary files removed).
    ``sys.exit(130)`` is not enough: CPython remembers a ``KeyboardInterrupt`` that
    passed through code run by ``exec`` of a string (``dataclasses`` builds every
    ``__init__`` that way, so a Ctrl-C during an import can land there) and, under
    ``python -m``, ends the process after shutting down by sending itself SIGINT,
    even though the interrupt was caught: the caller then sees death by signal 2.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(ABORTED_EXIT)


def aborting() -> None:
    """From here on the command is stopping after Ctrl-C: further Ctrl-Cs are ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _started_as_command() -> bool:
    first = sys.argv[0] if sys.argv else ""
    name = os.path.basename(first).removesuffix(".exe")
    package = os.path.basename(os.path.dirname(first))
    # the console script, or python -m civicgraph (argv[0] is then its __main__.py)
    return (
        name == "civicgraph" or first == "-m" or (name == "__main__.py" and package == "civicgraph")
    )


def install_if_command() -> None:
    """Take Ctrl-C over when this process is the ``civicgraph`` command (not a library user)."""
    if _started_as_command() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, abort_now)
