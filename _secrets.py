"""Masking credentials in text that will be shown: URIs with passwords, tokens in queries.

A password written into a URI (``bolt://neo4j:secret@host``,
``https://user:pass@api.example.org``) or a token passed as a query parameter
(``?api_key=...``, ``&token=...``) must never reach a message, a log line or
an ingest report. Every message civicgraph prints passes through
:func:`mask_credentials`, and sources that keep a URL (the snapshot's input)
keep it masked.

Private, and imports only the standard library.
"""

from __future__ import annotations

import re

__all__ = ["MASK", "mask_credentials"]

MASK = "***"

_USERINFO = re.compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@\s:]*):(?P<pw>[^/@\s]*)@"
)
_SECRET_PARAMS = "|".join(  # the names of parameters that carry secrets
    (
        "access_token", "api_key", "apikey", "api-key", "auth", "authorization",
        "client_secret", "code", "key", "pass", "passwd", "password", "pwd", "secret",
        "session", "sig", "signature", "subscription-key", "token", "x-api-key",
    )
)  # fmt: skip
_QUERY_SECRET = re.compile(
    rf"(?P<lead>[?&;](?:{_SECRET_PARAMS})=)(?P<value>[^&#\s'\"]*)", re.IGNORECASE
)


def mask_credentials(text: str) -> str:
    """``text`` with URI passwords and secret query parameters replaced by ``***``.

    Examples
    --------
    >>> mask_credentials("could not connect to bolt://neo4j:s3cret@db.example.org:7687")
    'could not connect to bolt://neo4j:***@db.example.org:7687'
    >>> mask_credentials("https://api.example.org/services?page=2&api_key=abc123&x=1")
    'https://api.example.org/services?page=2&api_key=***&x=1'
    >>> mask_credentials("https://api.example.org/?token=t0k")
    'https://api.example.org/?token=***'
    >>> mask_credentials("bolt://localhost:7687 and user@example.org stay")
    'bolt://localhost:7687 and user@example.org stay'
    """
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m['lead']}{MASK}" if m["value"] else m[0], text)
