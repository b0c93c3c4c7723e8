"""Paging through an HSDS 3.0 / ORUK 3.0 API: ``/services?page=N`` and ``/organizations``."""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

from ..._secrets import mask_credentials
from ...errors import FetchError, UsageError
from ...graph import Record, Severity
from .._io import DEFAULT_MAX_PAGES, DEFAULT_TOTAL_TIMEOUT, Deadline, fetch_json
from .._pipeline import ReadContext
from ._mapper import Mapper

__all__ = ["read_api"]


def read_api(
    base_url: str,
    ctx: ReadContext,
    *,
    timeout: float,
    max_bytes: int,
    max_pages: int = DEFAULT_MAX_PAGES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> Iterator[Record]:
    """Records from every page of an HSDS API's ``/services`` (and ``/organizations`` if served).

    Each page must arrive whole within ``timeout`` seconds and the whole
    ingest within ``total_timeout``; each endpoint is read for ``max_pages``
    pages at most (an API that never says it is done is reported and stopped
    there). URLs are shown with any credentials masked.
    """
    for name, value in (("timeout", timeout), ("total_timeout", total_timeout)):
        if not value > 0:
            raise UsageError(f"`{name}` must be more than 0 seconds, not {value}.", param=name)
    for name, count in (("max_pages", max_pages), ("max_bytes", max_bytes)):
        if count < 1:
            raise UsageError(f"`{name}` must be at least 1, not {count}.", param=name)
    # A token given as a query parameter (?api_key=...) goes with every request.
    parts = urllib.parse.urlsplit(base_url)
    query = parts.query
    base = urllib.parse.urlunsplit(parts._replace(query="", fragment="")).rstrip("/")
    for suffix in ("/services", "/organizations"):
        base = base.removesuffix(suffix)
    digest = hashlib.sha256()
    mapper = Mapper(ctx)
    ctx.variant = "HSDS 3.0 API"
    deadline = Deadline(total_timeout)
    limits = _Limits(timeout, max_bytes, max_pages, deadline)
    try:
        details, raw = fetch_json(
            base + "/" + (f"?{query}" if query else ""),
            timeout=timeout,
            max_bytes=max_bytes,
            retries=1,
            deadline=deadline,
        )
        digest.update(raw)
        if isinstance(details, Mapping) and details.get("version"):
            ctx.variant = _api_variant(str(details["version"]))
    except FetchError as exc:
        ctx.problem(
            Severity.NOTE,
            "no-api-details",
            "the API root does not describe the API (version, profile); read as HSDS 3.0",
            "",
            table="api",
            file=mask_credentials(base + "/"),
            value=exc.problem,
        )
    yield from _pages(base, query, "services", "service", mapper, ctx, digest, limits, True)
    yield from _pages(
        base, query, "organizations", "organization", mapper, ctx, digest, limits, False
    )
    yield from mapper.finish()
    ctx.sha256 = digest.hexdigest()


class _Limits:
    __slots__ = ("deadline", "max_bytes", "max_pages", "timeout")

    def __init__(self, timeout: float, max_bytes: int, max_pages: int, deadline: Deadline) -> None:
        self.timeout, self.max_bytes, self.max_pages = timeout, max_bytes, max_pages
        self.deadline = deadline


def _api_variant(version: str) -> str:
    return (
        f"Open Referral UK 3.0 API ({version})"
        if "UK" in version.upper()
        else f"HSDS {version} API"
    )


def _pages(
    base: str,
    query: str,
    endpoint: str,
    kind: str,
    mapper: Mapper,
    ctx: ReadContext,
    digest: Any,
    limits: _Limits,
    required: bool,
) -> Iterator[Record]:
    previous_ids: list[Any] | None = None
    page = 1
    while True:
        url = f"{base}/{endpoint}?page={page}" + (f"&{query}" if query else "")
        shown = mask_credentials(url)
        if page > limits.max_pages:
            raise FetchError(
                f"the API was still serving pages of /{endpoint} after {limits.max_pages:,} "
                "(it never said it was done); stopped, and nothing was written.",
                path=shown,
                fix="allow more pages with `max_pages` if the directory is really that large.",
                param="max_pages",
            )
        try:
            data, raw = fetch_json(
                url, timeout=limits.timeout, max_bytes=limits.max_bytes, deadline=limits.deadline
            )
        except FetchError as exc:
            if required or page > 1 or "answered 4" not in exc.problem:
                raise
            ctx.problem(
                Severity.NOTE,
                "endpoint-not-served",
                f"the API does not serve /{endpoint}; read what /services embeds",
                "",
                table="api",
                file=shown,
                value=exc.problem,
            )
            return
        digest.update(raw)
        if not isinstance(data, Mapping) or not isinstance(data.get("contents"), list):
            raise FetchError(
                "is not an HSDS page: it has no 'contents' list.",
                path=shown,
                fix="give the API's base address (the one that serves /services).",
            )
        contents = data["contents"]
        ids = [item.get("id") for item in contents if isinstance(item, Mapping)]
        if previous_ids is not None and ids and ids == previous_ids:
            ctx.problem(
                Severity.WARNING,
                "page-repeated",
                "the API returned the same page again; paging stopped there",
                "check that the API honours ?page=N.",
                table=kind,
                file=shown,
            )
            return
        previous_ids = ids
        for item in contents:
            yield from mapper.entity(kind, item, file=shown)
        total_pages = data.get("total_pages")
        if (
            data.get("last_page") is True
            or not contents
            or (isinstance(total_pages, int) and page >= total_pages)
        ):
            return
        page += 1
