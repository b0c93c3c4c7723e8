"""Run the doctests of every civicgraph module (the runnable examples in docstrings)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import civicgraph

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(civicgraph.__path__, "civicgraph.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0
