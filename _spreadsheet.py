"""Cells for spreadsheets: text that a spreadsheet would run as a formula is made inert.

A CSV or XLSX cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which some programs skip before looking) is read by
Excel, LibreOffice and Google Sheets as a formula: ``=HYPERLINK(...)`` or
``=cmd|' /C calc'!A0`` in an organisation's name would run when a coordinator
opens the file. Every writer of spreadsheet-bound output passes data cells
through :func:`neutralise_formula`, which puts a single quote in front (the
spreadsheet convention for "this is text"), as OWASP advises.

Numbers stay numbers: an ``int`` or ``float``, and text that is only a number
(``-12.5``, ``+44``), are left alone, so negative amounts still add up.

Private, and imports only the standard library, so that the CLI's output
helpers can use it without loading pandas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "neutralise_frame", "neutralise_row"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet cell a formula (or hide one)."""

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise_formula(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: formula-leading text gets a ``'`` in front.

    Anything that is not text, and text that is a plain number, is returned as it is.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("@SUM(A1:A2)"), neutralise_formula("+44 20 7946 0000")
    ("'@SUM(A1:A2)", "'+44 20 7946 0000")
    >>> neutralise_formula("-12.5"), neutralise_formula(-3), neutralise_formula("Food bank")
    ('-12.5', -3, 'Food bank')
    >>> neutralise_formula(None) is None
    True
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        if _PLAIN_NUMBER.match(value):
            return value
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`neutralise_formula`.

    Examples
    --------
    >>> neutralise_row(["id", "=1+1", 2])
    ['id', "'=1+1", 2]
    """
    return [neutralise_formula(value) for value in values]


def neutralise_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame with every cell through :func:`neutralise_formula`.

    Numeric columns keep their dtype. (pandas is not imported here: the frame
    brings it.)

    Examples
    --------
    >>> import pandas as pd
    >>> frame = neutralise_frame(pd.DataFrame({"name": ["=1+1", "Hall"], "amount": [-5, 10]}))
    >>> frame["name"].tolist(), frame["amount"].tolist(), str(frame["amount"].dtype)
    (["'=1+1", 'Hall'], [-5, 10], 'int64')
    """
    return frame.map(neutralise_formula)
