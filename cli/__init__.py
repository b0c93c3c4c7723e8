"""The ``civicgraph`` command line: thin click commands over the Python API.

One module per command group (``ingest``, ``workspace``, ``query``, ``pictures``,
``export``, ``linked_data``, ``neo4j``, ``make``); options every command shares
are defined once in ``_common``. Commands load lazily (see ``_app``), and
``civicgraph --version`` answers before click is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import cli

__all__ = ["cli", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (``argv``: the arguments, default ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from .._version import __version__

        print(f"civicgraph, version {__version__}")  # as click's version_option says it
        return
    from ._app import main as run

    run(args)


def __getattr__(name: str) -> Any:
    if name == "cli":
        from ._app import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
