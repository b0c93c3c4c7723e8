"""The Neo4j driver: connecting, telling servers apart, masking secrets. Private plumbing.

Passwords come from the environment (``NEO4J_PASSWORD``) or the caller, and
never appear in a message: every error that leaves this module has the
password replaced by ``***``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .._secrets import mask_credentials
from ..errors import CivicGraphError, UsageError

__all__ = ["BoltError", "Server", "connect", "mask"]

PASSWORD_VARIABLE = "NEO4J_PASSWORD"  # noqa: S105 - the name of the variable, not a password


class BoltError(CivicGraphError, ConnectionError):
    """The graph database could not be reached, refused the login, or failed a statement."""


def mask(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``***``.

    Examples
    --------
    Passwords written into a URI (``bolt://neo4j:pw@host``) are masked too.

    >>> mask("auth failed for pw 's3cret!'", "s3cret!")
    "auth failed for pw '***'"
    >>> mask("cannot reach bolt://neo4j:pw@db.example.org:7687", None)
    'cannot reach bolt://neo4j:***@db.example.org:7687'
    """
    return mask_credentials(text.replace(secret, "***") if secret else text)


@dataclass(frozen=True)
class Server:
    """Who answered: the agent string and what it means for the statements we send."""

    agent: str
    database: str | None

    @property
    def is_arcadedb(self) -> bool:
        """ArcadeDB's Bolt plugin (a Neo4j stand-in for tests) differs in a few statements."""
        return "arcadedb" in self.agent.lower()

    @property
    def version(self) -> tuple[int, int]:
        match = re.search(r"Neo4j/(\d+)\.(\d+)", self.agent)
        return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


@contextmanager
def connect(
    uri: str, *, user: str, password: str | None, database: str | None
) -> Iterator[tuple[Any, Server]]:
    """A verified driver and the server it reached; closes the driver afterwards."""
    import neo4j  # the driver is only needed by the Neo4j commands
    from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

    secret = password if password is not None else os.environ.get(PASSWORD_VARIABLE)
    shown = mask_credentials(uri)
    if secret is None:
        raise UsageError(
            f"no password for {user}@{shown}. Fix: set {PASSWORD_VARIABLE} in the environment "
            "(it is never echoed or logged)."
        )
    if not re.match(r"^(bolt|neo4j)(\+s|\+ssc)?://", uri):
        raise UsageError(
            f"`uri` '{shown}' is not a Bolt URI. Fix: give `uri` as bolt://host:7687 or neo4j://...",
            param="uri",
        )
    if "@" in uri.split("://", 1)[1].split("/", 1)[0]:
        raise UsageError(
            f"`uri` '{shown}' holds a user name or password, which would show in logs. Fix: give "
            f"`uri` as bolt://host:7687, and the user name and password apart (the password in "
            f"{PASSWORD_VARIABLE}).",
            param="uri",
        )
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, secret))
    except (ValueError, Neo4jError, DriverError) as exc:
        raise BoltError(f"{shown}: {mask(str(exc), secret)}") from None
    try:
        try:
            info = driver.get_server_info()
        except AuthError:
            raise BoltError(
                f"{shown}: the server refused the login for user '{user}'. Fix: check the user "
                f"and {PASSWORD_VARIABLE}."
            ) from None
        except (ServiceUnavailable, OSError) as exc:
            raise BoltError(
                f"{shown}: no graph database answered ({mask(str(exc), secret)}). Fix: check the "
                "address and that the server is running."
            ) from None
        yield driver, Server(agent=str(info.agent), database=database)
    finally:
        driver.close()
