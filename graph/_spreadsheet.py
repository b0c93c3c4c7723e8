"""Cells bound for spreadsheets: text that a spreadsheet would run as a formula is neutralised.

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``,
``-`` or ``@`` (and, in some versions, a tab or carriage return) as a formula, so a
name such as ``=HYPERLINK("http://evil.example", "click")`` from a directory would
become a live link, or worse, in a CSV opened by a coordinator (OWASP "CSV
injection"). Such text gets a leading apostrophe, which spreadsheets show as text
and hide. A value that is a plain number (``-3``, ``+44``, ``-0.5``) is left alone:
it is a number in the spreadsheet too, and runs nothing.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

__all__ = ["FORMULA_PREFIXES", "neutralise_formula"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What a cell may begin with to be read as a formula."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

T = TypeVar("T")


def neutralise_formula(value: T) -> T | str:
    """``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula.

    Parameters
    ----------
    value
        A cell's value. Anything that is not text is returned unchanged.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x.example")')
    '\\'=HYPERLINK("http://x.example")'
    >>> neutralise_formula("@SUM(A1)"), neutralise_formula("+44 113 496 0000")
    ("'@SUM(A1)", "'+44 113 496 0000")
    >>> neutralise_formula("-3"), neutralise_formula(-3), neutralise_formula("Hall")
    ('-3', -3, 'Hall')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def is_formula_like(value: Any) -> bool:
    """Whether :func:`neutralise_formula` would change ``value``."""
    return isinstance(value, str) and neutralise_formula(value) != value
