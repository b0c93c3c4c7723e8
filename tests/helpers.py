"""Helpers the tests import: where the real datasets and the fixtures are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(message: str) -> NoReturn:
    """A real dependency is absent: fail under CI=true (CI installs or holds it), else skip."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def shared(relative: str) -> Path:
    """A path in ../shared/data; fails under CI=true when missing, else skips the test."""
    path = SHARED_DATA / relative
    if not path.exists():
        missing(f"real dataset {path} is not here (it lives in ../shared/data beside the repo)")
    return path
