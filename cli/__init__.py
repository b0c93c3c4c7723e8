"""The ``civicgraph`` command line: thin click commands over the Python API.

One module per command group (``ingest``, ``workspace``, ``query``, ``pictures``,
``export``, ``linked_data``, ``neo4j``, ``make``); options every command shares
are defined once in ``_common``. Commands load lazily (see ``_app``).
"""

from ._app import cli, main

__all__ = ["cli", "main"]
