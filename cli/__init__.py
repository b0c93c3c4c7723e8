"""The ``civicgraph`` command line: thin click commands over the Python API.

One module per command group (``ingest``, ``workspace``, ``query``, ``pictures``,
``export``, ``linked_data``, ``neo4j``, ``make``); options every command shares
are defined once in ``_common``. Commands load lazily (see ``_app``).
"""

from ._interrupt import install_if_command

install_if_command()  # before the imports below, which take a few tenths of a second

from ._app import cli, main  # noqa: E402

__all__ = ["cli", "main"]
