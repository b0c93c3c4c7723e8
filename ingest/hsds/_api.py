"""Paging through an HSDS 3.0 / ORUK 3.0 API: ``/services?page=N`` and ``/organizations``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from ...errors import FetchError
from ...graph import Record, Severity
from .._io import fetch_json
from .._pipeline import ReadContext
from ._json3 import JsonMapper

__all__ = ["read_api"]

MAX_PAGES = 100_000


def read_api(
    base_url: str, ctx: ReadContext, *, timeout: float, max_bytes: int
) -> Iterator[Record]:
    """Records from every page of an HSDS API's ``/services`` (and ``/organizations`` if served)."""
    base = base_url.rstrip("/")
    for suffix in ("/services", "/organizations"):
        base = base.removesuffix(suffix)
    digest = hashlib.sha256()
    mapper = JsonMapper(ctx)
    ctx.variant = "HSDS 3.0 API"
    try:
        details, raw = fetch_json(base + "/", timeout=timeout, max_bytes=max_bytes, retries=1)
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
            file=base + "/",
            value=exc.problem,
        )
    yield from _pages(base, "services", "service", mapper, ctx, digest, timeout, max_bytes, True)
    yield from _pages(
        base, "organizations", "organization", mapper, ctx, digest, timeout, max_bytes, False
    )
    ctx.sha256 = digest.hexdigest()


def _api_variant(version: str) -> str:
    return (
        f"Open Referral UK 3.0 API ({version})"
        if "UK" in version.upper()
        else f"HSDS {version} API"
    )


def _pages(
    base: str,
    endpoint: str,
    kind: str,
    mapper: JsonMapper,
    ctx: ReadContext,
    digest: Any,
    timeout: float,
    max_bytes: int,
    required: bool,
) -> Iterator[Record]:
    previous_ids: list[Any] | None = None
    page = 1
    while page <= MAX_PAGES:
        url = f"{base}/{endpoint}?page={page}"
        try:
            data, raw = fetch_json(url, timeout=timeout, max_bytes=max_bytes)
        except FetchError as exc:
            if required or page > 1 or "answered 4" not in exc.problem:
                raise
            ctx.problem(
                Severity.NOTE,
                "endpoint-not-served",
                f"the API does not serve /{endpoint}; read what /services embeds",
                "",
                table="api",
                file=url,
                value=exc.problem,
            )
            return
        digest.update(raw)
        if not isinstance(data, Mapping) or not isinstance(data.get("contents"), list):
            raise FetchError(
                "is not an HSDS page: it has no 'contents' list.",
                path=url,
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
                file=url,
            )
            return
        previous_ids = ids
        for item in contents:
            yield from mapper.entity(kind, item, file=url)
        total_pages = data.get("total_pages")
        if (
            data.get("last_page") is True
            or not contents
            or (isinstance(total_pages, int) and page >= total_pages)
        ):
            return
        page += 1
