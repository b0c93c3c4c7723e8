"""A pytest plugin: collect the repository root as a plain folder, not as a package.

The root is the ``civicgraph`` package itself (setuptools maps it). Left alone,
pytest would import the root ``__init__.py`` under the folder's name (a second,
broken copy of civicgraph when the checkout's folder name is not an identifier).
Tests import the installed package instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if path == parent.config.rootpath:
        return pytest.Dir.from_parent(parent, path=path)
    return None
