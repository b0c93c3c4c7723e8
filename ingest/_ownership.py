"""Who owns an asset and how long the community's rights in it last. Private to the asset ingest.

An asset register may say, besides the owner's name:

=====================  ================================================================
column                 what it holds (other headers accepted for it)
=====================  ================================================================
ownership              the kind of owner (``tenure``, ``ownership_type``, ``owner_type``)
acv_listed             when it was listed as an Asset of Community Value
                       (``acv_listing_date``, ``acv_date``, ``date_listed``)
acv_expires            when that listing ends (``acv_expiry``, ``acv_end``,
                       ``listing_expiry``, ``delisting_date``); else five years after
                       listing, as the Localism Act 2011 sets it
moratorium_start       when a moratorium on its sale began (``moratorium_date``,
                       ``interim_moratorium``)
moratorium_end         when it ends (``full_moratorium_end``, ``moratorium_end_date``)
asset_transfer         a community asset transfer: its date, or a note (``cat``,
                       ``transfer_date``, ``transferred``)
=====================  ================================================================

Ownership kinds are put in a few words: ``community``, ``council``,
``charity``, ``faith``, ``public`` (NHS, police, the Crown), ``private``, or
the register's own word. A recorded asset transfer makes a council or
unknown owner ``community``. Dates are read in the usual forms (ISO, UK
``DD/MM/YYYY``, "19 April 2013"); a date that cannot be read is reported
with row and column and left out, never guessed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..graph import Severity
from ._pipeline import ReadContext
from ._tables import Column
from ._values import parse_date

__all__ = ["COMMUNITY_CONTROLLED", "OWNERSHIP_COLUMNS", "normalise_ownership", "ownership_props"]

OWNERSHIP_COLUMNS = (
    Column("acv_listed", ("acv_listing_date", "acv_date", "date_listed", "acv_listed_on")),
    Column("acv_expires", ("acv_expiry", "acv_end", "listing_expiry", "delisting_date")),
    Column("moratorium_start", ("moratorium_date", "interim_moratorium", "moratorium_start_date")),
    Column("moratorium_end", ("full_moratorium_end", "moratorium_end_date")),
)

COMMUNITY_CONTROLLED = frozenset({"community", "charity"})
"""Ownership kinds that count as community control (with any recorded asset transfer)."""

_KINDS = (
    (r"communit|\bcic\b|co-?op|mutual|development trust", "community"),
    (r"charit|\bcio\b|trust\b|trustees", "charity"),
    (r"council|local authority|borough|county|city of|\bla\b|municipal", "council"),
    (r"church|diocese|parochial|mosque|temple|gurdwara|synagogue|faith", "faith"),
    (r"\bnhs\b|police|crown|government|ministry|public body|fire", "public"),
    (r"private|\bltd\b|limited|\bplc\b|company|commercial|freehold owner|individual", "private"),
)
_NO = frozenset({"no", "n", "false", "0", "none", "-", "n/a"})


def normalise_ownership(text: str) -> str:
    """A register's ownership in a few words.

    Examples
    --------
    >>> [normalise_ownership(t) for t in ["Community owned", "Borough Council", "Leasehold"]]
    ['community', 'council', 'leasehold']
    >>> normalise_ownership("Parish Council"), normalise_ownership("Diocese of Leeds")
    ('council', 'faith')
    """
    lowered = " ".join(text.strip().lower().split())
    for pattern, kind in _KINDS:
        if re.search(pattern, lowered):
            return kind
    return lowered


def _five_years_on(listed: date) -> date:
    try:
        return listed.replace(year=listed.year + 5)
    except ValueError:  # 29 February
        return listed.replace(year=listed.year + 5, day=28)


def ownership_props(
    get: Any,
    ctx: ReadContext,
    table: str,
    row: int,
    *,
    ownership: str,
    transfer: str,
    record: str | None = None,
) -> dict[str, Any]:
    """The ownership, ACV, moratorium and transfer properties of one register row.

    ``get(column)`` returns the row's cell for a canonical column name; ``record`` is the
    asset's reference, named in the problems reported.
    """
    props: dict[str, Any] = {}
    dates: dict[str, str] = {}
    for column in ("acv_listed", "acv_expires", "moratorium_start", "moratorium_end"):
        text = get(column)
        if not text or text.strip().lower() in _NO:
            continue
        parsed = parse_date(text)
        if parsed is None:
            ctx.problem(
                Severity.WARNING,
                "bad-date",
                f"{column} cannot be read as a date; left out, never guessed",
                "write dates as YYYY-MM-DD or DD/MM/YYYY.",
                table=table,
                row=row,
                record=record,
                field=column,
                value=text,
            )
            continue
        dates[column] = parsed[0]
    props.update(dates)
    if "acv_listed" in dates:
        if "acv_expires" in dates:
            props["acv_expiry_basis"] = "stated"
        else:
            props["acv_expires"] = _five_years_on(
                date.fromisoformat(dates["acv_listed"])
            ).isoformat()
            props["acv_expiry_basis"] = "five years after listing"
    elif "acv_expires" in dates:
        props["acv_expiry_basis"] = "stated"
    transferred = bool(transfer) and transfer.strip().lower() not in _NO
    if transferred:
        props["asset_transfer"] = transfer
        parsed = parse_date(transfer)
        if parsed is not None:
            props["asset_transfer_date"] = parsed[0]
        elif any(ch.isdigit() for ch in transfer):
            ctx.problem(
                Severity.WARNING,
                "bad-date",
                "asset_transfer looks like a date but cannot be read as one; kept as a note, "
                "with no transfer date",
                "write dates as YYYY-MM-DD or DD/MM/YYYY.",
                table=table,
                row=row,
                record=record,
                field="asset_transfer",
                value=transfer,
            )
    kind = normalise_ownership(ownership) if ownership else ""
    if transferred and kind in ("", "council", "leasehold", "leased"):
        kind = "community"
    if kind:
        props["ownership"] = kind
    return props
