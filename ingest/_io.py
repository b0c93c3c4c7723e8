"""Reading inputs safely: files, folders, zips, JSON, CSV and HTTP. Private plumbing.

Every failure here becomes an :class:`~civicgraph.errors.InputError` that
names the input, the place in it, what is wrong and how to fix it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import http.client
import io
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from .._secrets import mask_credentials
from ..errors import FetchError, InputError

__all__ = [
    "ARCHIVE_ERRORS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "Deadline",
    "decode_text",
    "extract_zip",
    "fetch_json",
    "geojson_features",
    "is_url",
    "load_json",
    "package_license",
    "parse_json",
    "read_csv",
    "refuse_links",
    "safe_join",
    "sha256_of",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds an API page may take to arrive, whole."""
DEFAULT_TOTAL_TIMEOUT = 3600.0
"""Seconds a whole API ingest may take."""
DEFAULT_MAX_PAGES = 10_000
"""Pages read from each API endpoint at most (an endless API stops there)."""
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Bytes one API answer may hold."""
MAX_ZIP_BYTES = 4 * 1024 * 1024 * 1024

csv.field_size_limit(64 * 1024 * 1024)

ARCHIVE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
)
"""What a damaged zip (an .xlsx is one) raises while it is opened or read: not a zip, a
bad CRC, corrupt deflate data, truncated, an unsupported compression method."""


def is_url(text: str) -> bool:
    """Whether a SOURCE argument is an http(s) URL rather than a path."""
    return text.startswith(("http://", "https://"))


def refuse_links(folder: Path) -> None:
    """Refuse a folder that holds a symbolic link anywhere inside it.

    civicgraph reads only what is inside the folder it is given; a link could
    make it read (and store) a file from anywhere else, or a device that never
    ends. Links are refused as ``..`` and absolute paths in a package are.

    Raises
    ------
    InputError
        Naming the link, where it points, and the fix.
    """
    for current, folders, files in os.walk(folder, followlinks=False):
        for name in sorted([*folders, *files]):
            entry = Path(current) / name
            if entry.is_symlink():
                raise InputError(
                    f"holds a symbolic link, {entry.relative_to(folder).as_posix()} -> "
                    f"{os.readlink(entry)}; civicgraph reads only files inside the folder it is "
                    "given, so the folder is refused.",
                    path=folder,
                    fix="copy the file into the folder in place of the link, or remove the link.",
                )


def sha256_of(path: Path) -> str:
    """The sha256 of a file, or of a folder's files (relative paths and contents, sorted).

    A folder holding a symbolic link is refused (see :func:`refuse_links`).
    """
    digest = hashlib.sha256()
    if path.is_dir():
        refuse_links(path)
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
    step = root
    for part in Path(relative).parts:
        step = step / part
        if step.is_symlink():
            raise InputError(
                f"{what} '{relative}' is, or passes through, a symbolic link "
                f"({step.relative_to(root).as_posix()} -> {os.readlink(step)}); refused.",
                path=origin,
                fix="copy the file into the package folder in place of the link.",
            )
    return target


def extract_zip(path: Path, dest: Path, *, max_bytes: int = MAX_ZIP_BYTES) -> None:
    """Extract a zip into ``dest``, refusing members that escape it and archives too large.

    Every member's declared size is checked before anything is extracted (a
    zip bomb declares more than ``max_bytes`` in all, or packs more than
    :data:`MAX_ZIP_RATIO` times), and no member may unpack to more than it
    declares. A damaged archive (bad CRC, corrupt deflate data, truncated)
    names the zip and the member, never the temporary folder.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(
            f"is not a readable zip file ({exc}).",
            path=path,
            fix="check the download is complete, or unzip it and pass the folder.",
        ) from exc
    with archive:
        members = archive.infolist()
        total = sum(info.file_size for info in members)
        packed = sum(info.compress_size for info in members)
        if total > max_bytes:
            raise InputError(
                f"unzips to {total:,} bytes, more than the {max_bytes:,} allowed; nothing was "
                "extracted.",
                path=path,
                fix="unzip it yourself and pass the folder.",
            )
        if total > 1 << 20 and total > MAX_ZIP_RATIO * max(packed, 1):
            raise InputError(
                f"declares {total:,} bytes packed into {packed:,} (more than {MAX_ZIP_RATIO} to "
                "1), which is how zip bombs look; nothing was extracted.",
                path=path,
                fix="unzip it yourself, if you trust it, and pass the folder.",
            )
        for info in members:
            target = safe_join(dest, info.filename, what="zip member", origin=path)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            _extract_member(archive, info, target, path)


MAX_ZIP_RATIO = 200
"""The most a zip may declare it unpacks to, as a multiple of its packed size."""


def _extract_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, origin: Path
) -> None:
    written = 0
    try:
        with archive.open(info) as src, target.open("wb") as out:
            while block := src.read(1 << 20):
                written += len(block)
                if written > info.file_size:
                    raise InputError(
                        f"member '{info.filename}' unpacks to more than the {info.file_size:,} "
                        "bytes it declares; refused.",
                        path=origin,
                        fix="re-create the zip with a standard tool.",
                    )
                out.write(block)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputError(
            f"member '{info.filename}' is damaged and cannot be unpacked ({exc}).",
            path=origin,
            fix="download or create the zip again (check it with 'unzip -t'), or unzip it and "
            "pass the folder.",
        ) from exc
    except OSError as exc:
        raise InputError(
            f"member '{info.filename}' could not be unpacked into a temporary folder "
            f"({exc.strerror or exc}).",
            path=origin,
            fix="free some space on the disk holding the temporary folder ($TMPDIR), or "
            "unzip it yourself and pass the folder.",
        ) from exc


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
            fix="save it as UTF-8, or name its encoding, e.g. `encoding` cp1252.",
            param="encoding",
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


def geojson_features(data: Any) -> Iterator[tuple[dict[str, Any], Any, Any] | None]:
    """The features of a parsed GeoJSON FeatureCollection, in order.

    Each is ``(properties, geometry, id)`` (``properties`` an object, ``{}`` when
    null; ``geometry`` as given, unchecked), or ``None`` for a feature that is not
    an object or whose properties are not an object, so callers can report it by
    its position. ``data`` must hold a ``features`` list (callers check).

    Examples
    --------
    >>> list(geojson_features({"features": [{"properties": None, "id": 7}, "x"]}))
    [({}, None, 7), None]
    """
    for feature in data.get("features") or []:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(feature, dict) or not isinstance(props, dict | None):
            yield None
            continue
        yield props or {}, feature.get("geometry"), feature.get("id")


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


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port; refuse others by name."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        target = urllib.parse.urljoin(req.full_url, newurl)
        if _origin(target) != _origin(req.full_url):
            raise FetchError(
                f"redirects ({code}) to {mask_credentials(target)}, which is not the same scheme, "
                "host and port; refused (civicgraph asks only the server you name).",
                path=mask_credentials(req.full_url),
                fix="give the address the API really serves from, if you trust it.",
            )
        return super().redirect_request(req, fp, code, msg, headers, target)


_OPENER = urllib.request.build_opener(_SameOriginRedirects)


def _without_userinfo(url: str) -> tuple[str, dict[str, str]]:
    """The URL without ``user:password@``, and the Basic authorisation header it stood for."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, {}
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {
        "Authorization": f"Basic {token}"
    }


class Deadline:
    """The time an API ingest may take in all (``total_timeout`` seconds from its start)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()


def fetch_json(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = 3,
    backoff: float = 0.25,
    deadline: Deadline | None = None,
) -> tuple[Any, bytes]:
    """GET a URL and parse it as JSON: ``(data, raw bytes)``.

    ``timeout`` is a deadline for the whole answer (a page dripped slowly
    fails when it passes), and ``deadline`` the time left for the whole
    ingest. Redirects are followed only to the same scheme, host and port.
    ``user:password@`` in the URL is sent as Basic authorisation and shown
    masked in every message. Retries server errors (5xx) and dropped
    connections with exponential back-off; fails at once on client errors
    (4xx), on HTML, on bodies over ``max_bytes`` and on time-outs beyond the
    last retry.
    """
    shown = mask_credentials(url)
    if not is_url(url):
        raise FetchError("is not an http(s) URL.", path=shown, fix="give an https:// address.")
    try:
        plain, auth = _without_userinfo(url)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
            plain, headers={"Accept": "application/json", "User-Agent": "civicgraph", **auth}
        )
    except ValueError as exc:
        raise FetchError(
            f"is not a usable URL ({mask_credentials(str(exc))}).",
            path=shown,
            fix="check the address.",
        ) from exc
    last_error = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        allowed = timeout
        if deadline is not None:
            allowed = min(timeout, deadline.remaining())
            if allowed <= 0:
                raise _out_of_time(shown, deadline)
        try:
            body, content_type = _get(request, shown, allowed, max_bytes)
        except FetchError:
            raise  # a refused redirect, an answer too large: said already
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                last_error = f"the server answered {exc.code} {exc.reason}"
                continue
            raise FetchError(
                f"the server answered {exc.code} {exc.reason}.",
                path=shown,
                fix="check the URL is the API's base address and that it is public.",
            ) from exc
        except (TimeoutError, _PageTooSlow) as exc:
            last_error = f"no complete answer within {allowed:g} s"
            if deadline is not None and deadline.remaining() <= 0:
                raise _out_of_time(shown, deadline) from exc
            if attempt == retries:
                raise FetchError(
                    f"timed out: {last_error} ({retries + 1} tries).",
                    path=shown,
                    fix="try again later, or allow longer per page with `timeout`.",
                    param="timeout",
                ) from exc
            continue
        except (ValueError, http.client.InvalidURL) as exc:
            raise FetchError(
                f"is not a usable URL ({mask_credentials(str(exc))}).",
                path=shown,
                fix="check the address.",
            ) from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError | socket.timeout):
                last_error = f"no answer within {allowed:g} s"
            else:
                last_error = f"could not connect ({mask_credentials(str(reason))})"
            if attempt == retries:
                raise FetchError(
                    f"{last_error} ({retries + 1} tries).",
                    path=shown,
                    fix="check the address and your connection, or allow longer with `timeout`.",
                    param="timeout",
                ) from exc
            continue
        if "html" in content_type.lower() or _looks_like_html(body):
            raise FetchError(
                f"answered with an HTML page ({content_type or 'no content type'}), not JSON.",
                path=shown,
                fix="give the API's base address (the one that serves /services as JSON).",
            )
        return parse_json(body, path=shown), body
    raise FetchError(
        f"{last_error}, after {retries + 1} tries.",
        path=shown,
        fix="try again later; the server is failing.",
    )


class _PageTooSlow(Exception):
    """The answer was still arriving when its deadline passed."""


def _get(
    request: urllib.request.Request, shown: str, allowed: float, max_bytes: int
) -> tuple[bytes, str]:
    """One GET: the body (at most ``max_bytes``) within ``allowed`` seconds, and its type."""
    ends = time.monotonic() + allowed
    with _OPENER.open(request, timeout=allowed) as response:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(shown, max_bytes)
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > ends:
                raise _PageTooSlow
            block = response.read1(1 << 16)
            if not block:
                break
            size += len(block)
            if size > max_bytes:
                raise _too_large(shown, max_bytes)
            chunks.append(block)
        return b"".join(chunks), response.headers.get("Content-Type", "")


def _out_of_time(shown: str, deadline: Deadline) -> FetchError:
    return FetchError(
        f"the API ingest took longer than the {deadline.seconds:g} s allowed in all; stopped "
        "there, and nothing was written.",
        path=shown,
        fix="allow longer with `total_timeout`, if the API is just large and slow.",
        param="total_timeout",
    )


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        f"the answer is larger than {max_bytes:,} bytes; refused.",
        path=url,
        fix="raise `max_bytes` if you trust this server.",
        param="max_bytes",
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
