"""Reading inputs safely: files, folders, zips, JSON, CSV and HTTP. Private plumbing.

Every failure here becomes an :class:`~civicgraph.errors.InputError` that
names the input, the place in it, what is wrong and how to fix it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import socket
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ..errors import FetchError, InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "decode_text",
    "extract_zip",
    "fetch_json",
    "is_url",
    "load_json",
    "package_license",
    "parse_json",
    "read_csv",
    "safe_join",
    "sha256_of",
]

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_ZIP_BYTES = 4 * 1024 * 1024 * 1024

csv.field_size_limit(64 * 1024 * 1024)


def is_url(text: str) -> bool:
    """Whether a SOURCE argument is an http(s) URL rather than a path."""
    return text.startswith(("http://", "https://"))


def sha256_of(path: Path) -> str:
    """The sha256 of a file, or of a folder's files (relative paths and contents, sorted)."""
    digest = hashlib.sha256()
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    else:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def safe_join(folder: Path, relative: str, *, what: str, origin: Path) -> Path:
    """``folder / relative``, refusing anything that would leave ``folder``.

    Data packages name their files; a name like ``../../etc/passwd`` or an
    absolute path must not make us read outside the package.
    """
    if is_url(relative) or relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
        raise InputError(
            f"{what} '{relative}' is not a path inside the package folder; refused.",
            path=origin,
            fix="list the package's files by paths relative to its folder.",
        )
    root = folder.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise InputError(
            f"{what} '{relative}' points outside the package folder; refused.",
            path=origin,
            fix="list the package's files by paths inside its folder (no '..').",
        )
    return target


def extract_zip(path: Path, dest: Path) -> None:
    """Extract a zip into ``dest``, refusing members that escape it and archives too large."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"is not a readable zip file ({exc}).",
            path=path,
            fix="check the download is complete, or unzip it and pass the folder.",
        ) from exc
    with archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_ZIP_BYTES:
            raise InputError(
                f"unzips to {total:,} bytes, more than the {MAX_ZIP_BYTES:,} allowed.",
                path=path,
                fix="unzip it yourself and pass the folder.",
            )
        for info in archive.infolist():
            target = safe_join(dest, info.filename, what="zip member", origin=path)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, target.open("wb") as out:
                while block := src.read(1 << 20):
                    out.write(block)


def decode_text(data: bytes, *, path: Path | str, encoding: str | None) -> str:
    """Decode bytes as ``encoding`` (default UTF-8, with or without a BOM).

    On failure, say where the first undecodable byte is and suggest ``--encoding``.
    """
    chosen = encoding or "utf-8-sig"
    try:
        return data.decode(chosen)
    except LookupError as exc:
        raise InputError(
            f"'{encoding}' is not an encoding Python knows.",
            path=path,
            fix="use a name such as utf-8, cp1252 or latin-1.",
        ) from exc
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"is not valid {chosen.replace('-sig', '')}: byte 0x{data[exc.start]:02x} cannot be "
            "decoded.",
            path=path,
            where=f"line {line}",
            fix="save it as UTF-8, or name its encoding, e.g. --encoding cp1252.",
        ) from exc


def _looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def parse_json(data: bytes, *, path: Path | str, encoding: str | None = None) -> Any:
    """Parse JSON bytes, turning every failure into a readable :class:`InputError`."""
    if not data.strip():
        raise InputError("is empty.", path=path, fix="check the export or download finished.")
    if _looks_like_html(data):
        raise InputError(
            "is an HTML page, not JSON.",
            path=path,
            fix="point at the JSON data itself (an API endpoint or a .json file), "
            "not a web page about it.",
        )
    if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        data = decode_text(data, path=path, encoding=encoding).encode("utf-8")
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        position = exc.pos
        line = data.count(b"\n", 0, position) + 1
        column = position - (data.rfind(b"\n", 0, position) + 1) + 1
        truncated = position >= len(data.rstrip())
        if "utf-8" in str(exc).lower() or "surrogate" in str(exc).lower():
            decode_text(data, path=path, encoding=encoding)  # raises with the encoding hint
        problem = (
            "ends before the JSON is complete (truncated?)."
            if truncated
            else f"is not valid JSON: {exc.msg}."
        )
        raise InputError(
            problem,
            path=path,
            where=f"line {line}, column {column}",
            fix="re-export or re-download it; check it with a JSON validator.",
        ) from exc


def load_json(path: Path, *, encoding: str | None = None) -> Any:
    """Read and parse a JSON file."""
    return parse_json(path.read_bytes(), path=path, encoding=encoding)


def read_csv(
    path: Path, *, encoding: str | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Open a CSV file: its header and an iterator of ``(line number, cells)``.

    The line number is where the record starts (records may span lines when
    quoted fields hold newlines). A UTF-8 BOM and CRLF line ends are handled.
    """
    text = decode_text(path.read_bytes(), path=path, encoding=encoding)
    if not text.strip():
        raise InputError("is empty.", path=path, fix="check the export finished.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"has an unreadable header: {exc}.", path=path, where="line 1") from exc
    header = [h.strip() for h in header]

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputError(
                    f"is not valid CSV: {exc}.",
                    path=path,
                    where=f"line {start}",
                    fix="check quoting around that line.",
                ) from exc
            if cells:
                yield start, cells
            start = reader.line_num + 1

    return header, rows()


class _NoRedirectToOtherSchemes(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if not is_url(newurl):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_NoRedirectToOtherSchemes)


def fetch_json(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = 3,
    backoff: float = 0.25,
) -> tuple[Any, bytes]:
    """GET a URL and parse it as JSON: ``(data, raw bytes)``.

    Retries server errors (5xx) and dropped connections with exponential
    back-off; fails at once on client errors (4xx), on HTML, on bodies over
    ``max_bytes`` and on time-outs beyond the last retry.
    """
    if not is_url(url):
        raise FetchError("is not an http(s) URL.", path=url, fix="give an https:// address.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url, headers={"Accept": "application/json", "User-Agent": "civicgraph"}
    )
    last_error = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(url, max_bytes)
                body = response.read(max_bytes + 1)
                if len(body) > max_bytes:
                    raise _too_large(url, max_bytes)
                content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                last_error = f"the server answered {exc.code} {exc.reason}"
                continue
            raise FetchError(
                f"the server answered {exc.code} {exc.reason}.",
                path=url,
                fix="check the URL is the API's base address and that it is public.",
            ) from exc
        except TimeoutError as exc:
            last_error = f"no answer within {timeout:g} s"
            if attempt == retries:
                raise FetchError(
                    f"timed out: {last_error} ({retries + 1} tries).",
                    path=url,
                    fix="try again later, or allow longer with --timeout.",
                ) from exc
            continue
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                last_error = f"no answer within {timeout:g} s"
            else:
                last_error = f"could not connect ({reason})"
            if attempt == retries:
                raise FetchError(
                    f"{last_error} ({retries + 1} tries).",
                    path=url,
                    fix="check the address and your connection, or allow longer with --timeout.",
                ) from exc
            continue
        if "html" in content_type.lower() or _looks_like_html(body):
            raise FetchError(
                f"answered with an HTML page ({content_type or 'no content type'}), not JSON.",
                path=url,
                fix="give the API's base address (the one that serves /services as JSON).",
            )
        return parse_json(body, path=url), body
    raise FetchError(
        f"{last_error}, after {retries + 1} tries.",
        path=url,
        fix="try again later; the server is failing.",
    )


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        f"the answer is larger than {max_bytes:,} bytes; refused.",
        path=url,
        fix="raise --max-bytes if you trust this server.",
    )


def env_flag(name: str) -> bool:
    """Whether an environment variable is set to a true-ish value."""
    return os.environ.get(name, "").lower() in ("1", "true", "yes", "on")


def package_license(package: Mapping[str, Any]) -> dict[str, str] | None:
    """The licence a data package declares, as ``{"name", "url"}`` (either may be empty).

    Reads Frictionless ``licenses`` (a list of ``{name, path, title}``; the
    first is taken) and the older single ``license`` object (``{type, name,
    url}``, as in the HSDS template) or string.

    Examples
    --------
    >>> package_license({"licenses": [{"name": "OGL-UK-3.0", "path": "https://x.org/ogl"}]})
    {'name': 'OGL-UK-3.0', 'url': 'https://x.org/ogl'}
    >>> package_license({"license": "CC-BY-4.0"})
    {'name': 'CC-BY-4.0', 'url': ''}
    >>> package_license({}) is None
    True
    """
    declared: Any = package.get("licenses")
    if isinstance(declared, list) and declared:
        declared = declared[0]
    elif declared is None:
        declared = package.get("license")
    if isinstance(declared, str) and declared.strip():
        return {"name": declared.strip(), "url": ""}
    if not isinstance(declared, Mapping):
        return None
    name = declared.get("name") or declared.get("type") or declared.get("title") or ""
    url = declared.get("path") or declared.get("url") or ""
    if not (isinstance(name, str) and isinstance(url, str)) or not (name or url):
        return None
    return {"name": name.strip(), "url": url.strip()}
