"""Ctrl-C at any moment: ``Aborted.`` and exit code 130, never a traceback.

Private; imports only the standard library, because it must be in place
before anything slow is imported: the package's ``__init__`` installs it first
thing, when the process is the ``civicgraph`` command (never for a library user).
While a command runs, :func:`~civicgraph.cli.main` hands Ctrl-C back to Python
as ``KeyboardInterrupt`` (so that temporary files are removed and the workspace
transaction is rolled back; :func:`interrupt` notes it, as Python turns some into
other errors) and turns it into the same message and exit code; the command's
modules are imported with it held back (:func:`deferred`);
before, :func:`abort_now` stops the process at once, as nothing is open then;
after, Ctrl-C is ignored, as the command has done its work and the process is
only exiting. (A Ctrl-C in the first tenth of a second, while Python itself
starts and before any civicgraph code runs, is Python's own to report.)

``Aborted.`` promises that nothing changed. Once a workspace transaction has
committed (:func:`note_saved`), a later Ctrl-C says that the change was saved.
"""

from __future__ import annotations

import os
import signal
import sys

TYPE_CHECKING = False  # typing itself is not imported: this runs before anything else
if TYPE_CHECKING:
    from types import TracebackType
    from typing import NoReturn

__all__ = [
    "ABORTED_EXIT",
    "abort_now",
    "aborted_message",
    "aborting",
    "deferred",
    "exit_aborted",
    "forget_saved",
    "install_if_command",
    "interrupt",
    "note_saved",
    "was_interrupted",
]

ABORTED_EXIT = 130
"""The shell's convention for a process stopped by Ctrl-C: 128 + SIGINT."""


_saved = False
"""Whether this process has committed a change to a workspace: a Ctrl-C after that must say so."""

_interrupted = False
"""Whether Ctrl-C has come while a command ran (see :func:`interrupt`)."""


def note_saved() -> None:
    """Record that a workspace transaction has committed (called by the workspace itself)."""
    global _saved
    _saved = True


def forget_saved() -> None:
    """A new command begins: nothing of its own is saved yet, and no Ctrl-C has come."""
    global _saved, _interrupted
    _saved = False
    _interrupted = False


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


def interrupt(signum: int, frame: object) -> None:
    """The SIGINT handler while a command runs: note it, then raise ``KeyboardInterrupt``.

    Python turns a ``KeyboardInterrupt`` raised at some moments into another error
    (in a class's ``__set_name__`` a ``RuntimeError``; half-way through an import,
    an ``ImportError`` or ``TypeError`` of the module left half made): the note lets
    the command line say ``Aborted.`` for those too, rather than report an internal error.
    """
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def was_interrupted() -> bool:
    """Whether Ctrl-C came while this command ran, whatever error it then became."""
    return _interrupted


class deferred:  # lower case: used as a function, ``with deferred():``
    """Hold Ctrl-C back while the block runs (imports); it takes effect when the block ends.

    A ``KeyboardInterrupt`` raised while a module initialises leaves it half made,
    and not every extension survives that: orjson 3 reads an attribute of the
    ``json`` module its initialisation failed to import, and the process dies
    of a segmentation fault. Blocked, the signal waits and is delivered on leaving.
    Threads started inside the block (numerical libraries' pools) keep it blocked,
    so it always comes to the main thread.
    """

    def __enter__(self) -> None:
        # Windows has no signal masks: there the block can be interrupted as before.
        self._before = (
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            if hasattr(signal, "pthread_sigmask")
            else None
        )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._before is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self._before)


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
        try:  # noqa: SIM105 - contextlib is not imported here (see above)
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
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
