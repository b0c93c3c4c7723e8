"""Reading OpenActive RPDE feeds page by page, by the RPDE rules. Private plumbing.

Realtime Paged Data Exchange (the OpenActive specification, W3C community
group) publishes a feed as pages ``{"items": [...], "next": URL, "license"}``;
each item is ``{state, kind, id, modified, data}``. The rules followed here:

- items are ordered by ``modified`` then ``id`` (or by a change number in
  ``modified``), across pages as well as within one: an item that sorts
  before the one above it breaks the feed and stops the read with an error
  naming both;
- the **last page** has no items and a ``next`` that is its own URL; an empty
  page whose ``next`` differs (in-stream filtering) is followed after a wait
  (:data:`EMPTY_PAGE_WAIT`, 8 s, OpenActive's harvesting guidance), and a
  one-shot ingest stops at the last page rather than polling it;
- a ``next`` already visited (other than the last page's own) is a **loop**
  and an error; a page with items whose ``next`` is itself would loop too;
- a feed is read up to ``max_pages`` pages and ``max_bytes`` bytes, and an
  error says so when it has not ended by then;
- an item's latest version is the one with the newest ``modified`` (later in
  the feed on a tie); ``state: "deleted"`` removes the item.

Files are read as pages too: one file, or every ``.json`` file of a folder
(in name order), each checked for order within itself.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..errors import InputError, UsageError
from ._io import DEFAULT_TIMEOUT, fetch_json, is_url, load_json

__all__ = [
    "DEFAULT_MAX_PAGES",
    "EMPTY_PAGE_WAIT",
    "FeedItem",
    "Page",
    "latest_items",
    "pages_from_path",
    "pages_from_url",
]

EMPTY_PAGE_WAIT = 8.0
DEFAULT_MAX_PAGES = 1000
DEFAULT_FEED_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    """One RPDE page: where it came from, its items, its ``next`` link and licence."""

    where: str
    items: list[Any]
    next: str | None
    license: str | None
    number: int


@dataclass(frozen=True)
class FeedItem:
    """The latest version of one item, and where it was read."""

    kind: str
    id: str
    modified: Any
    state: str
    data: dict[str, Any] | None
    where: str
    position: int


def _order_key(value: Any) -> tuple[int, Any]:
    """``modified`` made comparable: integers (and digit strings) by value, else as text."""
    if isinstance(value, bool):
        return (2, str(value))
    if isinstance(value, int | float):
        return (0, value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return (0, int(text))
    return (1, text)


def _id_before(a: Any, b: Any) -> bool:
    """Whether id ``a`` may come before ``b`` (numeric or text order: feeds use either)."""
    sa, sb = str(a), str(b)
    if sa.isdigit() and sb.isdigit() and int(sa) < int(sb):
        return True
    return sa < sb


Disorder = Callable[[str, int, str], None]
"""Told of an item out of order (page, position, what is wrong) instead of raising."""


class _OrderCheck:
    """Follows the ``(modified, id)`` order of a feed's items, page after page.

    Out-of-order items raise, unless ``on_disorder`` is given (``--allow-disorder``):
    then it is told, and the check goes on from the item.
    """

    def __init__(self, on_disorder: Disorder | None = None) -> None:
        self.last: tuple[tuple[int, Any], Any, str, int] | None = None
        self.on_disorder = on_disorder

    def check(self, item: dict[str, Any], where: str, position: int) -> None:
        key = _order_key(item.get("modified"))
        ident = item.get("id")
        if self.last is not None:
            last_key, last_id, last_where, last_position = self.last
            backwards = key < last_key or (key == last_key and not _id_before(last_id, ident))
            if backwards:
                page = "" if last_where == where else f" of {last_where}"
                problem = (
                    f"item {position} (id {ident!r}, modified {item.get('modified')!r}) comes "
                    f"after item {last_position}{page} (id {last_id!r}, modified {last_key[1]!r})"
                )
                if self.on_disorder is None:
                    raise InputError(
                        f"breaks the RPDE order: {problem}, but items must be in order of "
                        "modified, then id; nothing was ingested.",
                        path=where,
                        fix="ask the publisher to fix the feed's query (ORDER BY modified, id; "
                        "'>' not '>='), or read the pages anyway with --allow-disorder.",
                    )
                self.on_disorder(where, position, problem)
        self.last = (key, ident, where, position)


_OPPORTUNITY_TYPES = frozenset(
    {
        "SessionSeries", "ScheduledSession", "FacilityUse", "IndividualFacilityUse", "Slot",
        "Event", "OnDemandEvent", "EventSeries", "HeadlineEvent", "CourseInstance",
    }
)  # fmt: skip


def _page(data: Any, where: str, number: int) -> Page:
    if isinstance(data, list):  # a bare list of items, as some exports save them
        return Page(where, data, None, None, number)
    declared = data.get("@type") or data.get("type") if isinstance(data, dict) else None
    if isinstance(declared, str) and declared in _OPPORTUNITY_TYPES and "items" not in data:
        # One opportunity saved on its own (a validator sample): a page of one item.
        ident = data.get("@id") or data.get("id") or data.get("identifier") or where
        item = {"state": "updated", "kind": declared, "id": str(ident), "data": data}
        return Page(where, [item], None, None, number)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise InputError(
            "is not an RPDE page: it has no 'items' list; nothing was ingested.",
            path=where,
            fix='give an OpenActive RPDE feed page ({"items": [...], "next": ...}), a '
            "folder of them, or the feed's URL.",
        )
    next_link = data.get("next")
    licence = data.get("license")
    return Page(
        where,
        data["items"],
        next_link if isinstance(next_link, str) and next_link.strip() else None,
        licence if isinstance(licence, str) else None,
        number,
    )


def pages_from_path(
    path: Path,
    *,
    encoding: str | None = None,
    on_skipped: Callable[[Path, str], None] | None = None,
    on_disorder: Disorder | None = None,
) -> Iterator[Page]:
    """The pages of a file, or of every ``.json`` file in a folder (name order).

    In a folder, a JSON file that is not an RPDE page (a booking API message, an
    index) is passed to ``on_skipped`` with the reason and left out; a single
    file that is not one is an error.
    """
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder. Fix: check the path or URL.")
    files = [path] if path.is_file() else sorted(path.rglob("*.json"))
    if not files:
        raise UsageError(f"{path} holds no .json file. Fix: give RPDE pages saved as JSON.")
    for number, file in enumerate(files, start=1):
        try:
            page = _page(load_json(file, encoding=encoding), str(file), number)
        except InputError as error:
            if path.is_file() or on_skipped is None:
                raise
            on_skipped(file, error.args[0] if error.args else str(error))
            continue
        order = _OrderCheck(on_disorder)
        for position, item in enumerate(page.items, start=1):
            if isinstance(item, dict) and "modified" in item:
                order.check(item, str(file), position)
        yield page


def pages_from_url(
    url: str,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_bytes: int = DEFAULT_FEED_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    empty_page_wait: float = EMPTY_PAGE_WAIT,
    sleep: Callable[[float], None] = time.sleep,
    on_disorder: Disorder | None = None,
) -> Iterator[Page]:
    """Follow a feed from ``url`` to its last page, by the RPDE rules (see the module)."""
    if not is_url(url):
        raise UsageError(f"{url} is not an http(s) URL. Fix: give the feed's https:// address.")
    visited: set[str] = set()
    order = _OrderCheck(on_disorder)
    total = 0
    current = url
    for number in range(1, max_pages + 1):
        data, raw = fetch_json(current, timeout=timeout, max_bytes=max_bytes)
        total += len(raw)
        if total > max_bytes:
            raise InputError(
                f"passes the byte cap: {total:,} bytes in {number} pages, more than the "
                f"{max_bytes:,} allowed, before its last page; nothing was ingested.",
                path=url,
                fix="raise --max-bytes if the feed is really that large.",
            )
        visited.add(current)
        page = _page(data, current, number)
        for position, item in enumerate(page.items, start=1):
            if isinstance(item, dict) and "modified" in item:
                order.check(item, current, position)
        yield page
        if page.next is None:
            raise InputError(
                f"page {number} has no 'next' link, so the feed's end cannot be told from a "
                "break; nothing was ingested.",
                path=current,
                fix="RPDE pages always name the next page (the last names itself); save the "
                "pages you have to files and ingest the folder.",
            )
        following = urljoin(current, page.next)
        if following == current:
            if page.items:
                raise InputError(
                    f"page {number} has items but names itself as the next page, so reading "
                    "it again would loop; nothing was ingested.",
                    path=current,
                    fix="ask the publisher to compute 'next' from the page's last item.",
                )
            return  # the last page
        if following in visited:
            raise InputError(
                f"the feed loops: page {number}'s next link goes back to a page already read "
                f"({following}); nothing was ingested.",
                path=current,
                fix="ask the publisher to compute 'next' from the page's last item "
                "(afterTimestamp and afterId must grow).",
            )
        if not page.items and empty_page_wait > 0:
            sleep(empty_page_wait)  # an empty page that is not the last: filtered, wait
        current = following
    raise InputError(
        f"has not reached its last page after {max_pages:,} pages ({total:,} bytes); "
        "nothing was ingested.",
        path=url,
        fix="raise --max-pages if the feed is really that long, or report a looping feed to "
        "its publisher.",
    )


def latest_items(
    pages: Iterator[Page],
    *,
    on_bad_item: Callable[[Page, int, str], None],
    on_page: Callable[[Page], None] | None = None,
) -> tuple[dict[tuple[str, str], FeedItem], Counter[str], Counter[str]]:
    """Each item's latest version (deleted ones included), and by kind how many versions
    were read and how many were superseded by a newer one.

    Items are keyed by (kind, id); the newest ``modified`` wins, the later one
    on a tie. Items without ``id`` or ``state`` are reported through
    ``on_bad_item`` and skipped.
    """
    latest: dict[tuple[str, str], FeedItem] = {}
    versions: Counter[str] = Counter()
    superseded: Counter[str] = Counter()
    for page in pages:
        if on_page is not None:
            on_page(page)
        for position, item in enumerate(page.items, start=1):
            if not isinstance(item, dict):
                on_bad_item(page, position, "is not a JSON object")
                continue
            ident, state = item.get("id"), item.get("state")
            if ident in (None, "") or state not in ("updated", "deleted"):
                on_bad_item(
                    page,
                    position,
                    "has no id"
                    if ident in (None, "")
                    else f"has state {state!r}, not 'updated' or 'deleted'",
                )
                continue
            data = item.get("data")
            if state == "updated" and not isinstance(data, dict):
                on_bad_item(page, position, "is 'updated' but has no data object")
                continue
            kind = str(item.get("kind") or "")
            versions[kind] += 1
            key = (kind, str(ident))
            found = FeedItem(
                kind,
                str(ident),
                item.get("modified"),
                str(state),
                data if isinstance(data, dict) else None,
                page.where,
                position,
            )
            previous = latest.get(key)
            if previous is None or _order_key(found.modified) >= _order_key(previous.modified):
                latest[key] = found
            if previous is not None:
                superseded[kind] += 1
    return latest, versions, superseded
