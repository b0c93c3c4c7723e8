"""The workspace: one SQLite file holding sources, snapshots, facts, identity and reports.

Rules it keeps:

- one ingest is one transaction: it lands whole or not at all;
- re-ingesting a source replaces that source's facts and keeps the earlier
  snapshot (its time and the input's sha256) for comparison;
- the analysis graph is built from the current snapshots on demand, and kept
  in the file (``graph_store``) until the store changes, so later commands load
  it instead of building it again (see :mod:`civicgraph.graph._stored`).

Examples
--------
>>> ws = Workspace(":memory:")
>>> ws.sources()
[]
>>> ws.stats()
{'nodes': {}, 'edges': {}}
"""

from __future__ import annotations

import copy
import gc
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import orjson

from .._interrupt import note_saved
from ..errors import UsageError, WorkspaceError
from ..ontology import EDGE_TYPES, NODE_TYPES, NodeType
from ._schema import APPLICATION_ID, DDL, MIGRATIONS, SCHEMA_VERSION
from ._stored import fingerprint, load_graph, store_graph, stored_counts
from .build import Graph, StepProgress, build_graph, count_by_type
from .decisions import read_decisions
from .identity import resolve_identities
from .report import IngestReport, Problem
from .timeline import AS_OF, AsOf, as_of_graph, describe_as_of, parse_as_of, snapshots_in_force

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_WORKSPACE",
    "EdgeRow",
    "IdentifierRow",
    "NodeRow",
    "SnapshotCheck",
    "Workspace",
    "default_workspace_path",
    "storage_error",
]

DEFAULT_WORKSPACE = "civicgraph.db"

NodeRow = tuple[str, str, str, str]
"""(key, type, record_id, props JSON): one node fact to write."""

SnapshotCheck = Callable[["Workspace", int], Iterable[Problem]]
"""A check run after the identity stage, on the snapshot just written: it returns problems.

It is given the workspace (inside the ingest's transaction, so it sees the
snapshot) and the snapshot's id, and asks through :class:`Workspace` methods
such as :meth:`Workspace.unresolved_facts`, never the store's tables."""

IdentifierRow = tuple[str, str]
"""(key, identifier): an identifier a node fact carries (an org-id, ``uprn:<UPRN>``)."""

EdgeRow = tuple[str, str, str, str, str, str | None]
"""(type, source key, target key, discriminator, record_id, props JSON or None)."""


def storage_error(path: str, exc: sqlite3.OperationalError) -> WorkspaceError:
    """What SQLite's complaint about the workspace file means for the user, and the fix.

    Examples
    --------
    >>> error = storage_error("town.db", sqlite3.OperationalError("database or disk is full"))
    >>> print(str(error).replace(". ", ".\\n"))
    town.db: the disk is full, so the workspace could not be written; nothing was changed.
    Fix: free some space on that disk, then run the command again.
    """
    text = str(exc).lower()
    folder = Path(path).parent if str(Path(path).parent) else Path(".")
    if "readonly" in text or "read-only" in text:
        problem = "the workspace is read-only (the file, or its folder, cannot be written)"
        fix = (
            f"make {path} and its folder {folder} writable, or copy the workspace somewhere "
            "writable and use the copy"
        )
    elif "full" in text:
        problem = "the disk is full, so the workspace could not be written; nothing was changed"
        fix = "free some space on that disk, then run the command again"
    elif "locked" in text or "busy" in text:
        problem = "another civicgraph is writing to this workspace"
        fix = "wait for it to finish, then run the command again"
    elif "unable to open" in text or "authorization" in text:
        if Path(path).exists() and not os.access(path, os.R_OK):
            problem = "the workspace cannot be read (permission denied)"
            fix = f"give yourself read permission on {path}, or use another workspace file"
        elif not os.access(folder, os.W_OK):
            problem = (
                f"the workspace's folder {folder} cannot be written (a read-only disk, or no "
                "permission), and the workspace needs it for its journal"
            )
            fix = (
                f"make {folder} writable, or copy the workspace to a writable folder and use "
                "the copy"
            )
        else:
            problem = "the workspace cannot be opened"
            fix = f"check the permissions of {path} and its folder {folder}"
    elif "i/o" in text:
        problem = (
            "the workspace could not be written (a disk error, a full disk or a file size limit, "
            "'ulimit -f'); nothing was changed"
        )
        fix = "free space or raise the limit, then run the command again"
    else:
        problem = f"the workspace could not be used ({exc})"
        fix = "check the file and the disk it is on"
    return WorkspaceError(f"{path}: {problem}. Fix: {fix}.")


def default_workspace_path() -> Path:
    """``$CIVICGRAPH_DB`` if set, else ``./civicgraph.db``."""
    return Path(os.environ.get("CIVICGRAPH_DB") or DEFAULT_WORKSPACE)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Workspace:
    """A civicgraph workspace file.

    Reading a workspace that does not exist yet behaves as an empty one and
    creates nothing; the file is created by the first write. ``":memory:"``
    makes a workspace that lives only as long as the object.

    Parameters
    ----------
    path
        The workspace file. Defaults to ``$CIVICGRAPH_DB`` or ``./civicgraph.db``.
    progress
        Told ``(step, done, total)`` while long steps run (building the graph);
        the CLI passes one that shows it on a terminal.
    as_of
        Read the workspace as it stood on this day (YYYY-MM-DD, YYYY-MM or YYYY):
        see :meth:`at`. Default: the present.

    Raises
    ------
    WorkspaceError
        The file is not a civicgraph workspace, or was written by a newer civicgraph,
        or its folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "town.db"
    >>> with Workspace(path) as ws:
    ...     ws.sources()
    []
    >>> path.exists()  # reading creates nothing
    False
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        progress: StepProgress | None = None,
        freeze_graph: bool = False,
        as_of: str | date | None = None,
    ) -> None:
        self.path = str(path) if path is not None else str(default_workspace_path())
        self.progress = progress
        self.as_of = None if as_of is None else parse_as_of(as_of)
        self.freeze_graph = freeze_graph
        """Move each graph handed out beyond the garbage collector's reach (``gc.freeze``).

        For a process that keeps the graph until it exits (one CLI command): the
        collector then no longer rescans the graph's million objects each time a
        query allocates, which cost more than the query itself at 100k services
        (benchmarks/RESULTS.md, "stored-graph"). A frozen graph is never freed by
        the collector, so a long-lived process that loads many graphs leaves it off.
        """
        self._conn: sqlite3.Connection | None = None
        self._shares_connection = False
        self._as_of_info: dict[str, Any] | None = None
        if self.path == ":memory:":
            self._connect(create=True)

    def at(self, as_of: str | date | None) -> Workspace:
        """This workspace read as it stood on a day (``--as-of``); ``None``: the present.

        The view shares this workspace's file and connection; :meth:`graph`,
        :meth:`stats` and :meth:`sources` (and so every query, export and view)
        then show only what had been asserted by that day and had not yet ended
        by its own dates (see ``civicgraph.graph.timeline``). A month or a year
        means its last day.

        Raises
        ------
        UsageError
            ``as_of`` is not a day (the message gives the forms it may take).

        Examples
        --------
        >>> Workspace(":memory:").at("2015-06").as_of
        '2015-06-30'
        """
        view = copy.copy(self)
        view.as_of = None if as_of is None else parse_as_of(as_of)
        view._shares_connection = True
        view._as_of_info = None
        return view

    def as_of_described(self) -> str | None:
        """One line on what the last :meth:`graph` as of :attr:`as_of` held (None: the present).

        Examples
        --------
        >>> ws = Workspace(":memory:", as_of="2015-01-01")
        >>> ws.as_of_described()
        'as of 2015-01-01: the workspace held nothing then (it has no snapshots)'
        """
        if self.as_of is None:
            return None
        if self._as_of_info is None:
            self.graph()
        return describe_as_of(nx.MultiDiGraph(as_of=self._as_of_info))

    # -- connection ---------------------------------------------------------

    def _connect(self, *, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None:
            return self._conn
        try:
            return self._open(create=create)
        except sqlite3.OperationalError as exc:
            raise storage_error(self.path, exc) from exc

    def _open(self, *, create: bool) -> sqlite3.Connection | None:
        exists = self.path == ":memory:" or Path(self.path).exists()
        if not exists and not create:
            return None
        if not exists:
            parent = Path(self.path).parent
            if not parent.is_dir():
                raise WorkspaceError(
                    f"{self.path}: the folder {parent} does not exist. "
                    "Fix: create it, or give a workspace path in an existing folder."
                )
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -65536")
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.OperationalError:
            raise  # cannot open, read-only, locked, disk full: said by storage_error
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(
                f"{self.path} is not a civicgraph workspace ({exc}). "
                "Fix: use another workspace file, or move this file aside."
            ) from exc
        if application_id == 0 and version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                conn.close()
                raise WorkspaceError(
                    f"{self.path} is an SQLite database but not a civicgraph workspace. "
                    "Fix: use another workspace file."
                )
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(
                f"BEGIN; {DDL}; PRAGMA application_id = {APPLICATION_ID}; "
                f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )
        elif application_id != APPLICATION_ID:
            conn.close()
            raise WorkspaceError(
                f"{self.path} is not a civicgraph workspace. Fix: use another workspace file."
            )
        elif version > SCHEMA_VERSION:
            conn.close()
            raise WorkspaceError(
                f"{self.path} was written by a newer civicgraph (workspace version {version}, "
                f"this one reads {SCHEMA_VERSION}). Fix: upgrade civicgraph."
            )
        elif version < SCHEMA_VERSION:
            statements = "".join(MIGRATIONS[v] for v in range(version + 1, SCHEMA_VERSION + 1))
            conn.executescript(
                f"BEGIN; {statements}; PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )
        self._conn = conn
        return conn

    def close(self) -> None:
        """Close the file. The object can be used again; it reopens on demand.

        Examples
        --------
        >>> ws = Workspace(":memory:")
        >>> ws.close()
        >>> ws.stats()
        {'nodes': {}, 'edges': {}}
        """
        if self._shares_connection:
            return  # a view made by at(): the workspace it came from owns the connection
        if self._conn is not None and self.path != ":memory:":
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect(create=True)
        assert conn is not None
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            finally:
                if not conn.in_transaction:  # even if Ctrl-C came the moment COMMIT returned
                    note_saved()
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise storage_error(self.path, exc) from exc

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        conn = self._connect(create=False)
        if conn is None:
            return []
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise storage_error(self.path, exc) from exc

    # -- reading ------------------------------------------------------------

    def sources(self) -> list[dict[str, Any]]:
        """Every source with its snapshots, newest first, and each snapshot's counts.

        Returns
        -------
        list of dict
            ``{"name", "kind", "priority", "snapshots": [{"snapshot", "ingested_at",
            "date", "input", "sha256", "variant", "current", "tables", "nodes", "edges",
            "problems", "metadata"}]}``; ``metadata`` holds what the input said about
            itself (``license``) where it said it; ``date`` is the day the snapshot
            describes (``--snapshot-date`` on ingest, else the day it was ingested).

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> [(s["name"], s["kind"], len(s["snapshots"])) for s in ws.sources()]
        [('directory', 'hsds', 1)]
        >>> ws.sources()[0]["snapshots"][0]["tables"]["service"]["loaded"]
        20
        """
        result = []
        for name, kind, priority in self._rows(
            "SELECT name, kind, priority FROM source ORDER BY created_at, name"
        ):
            snapshots = []
            for sid, ingested_at, input_, sha, variant, current, report_json in self._rows(
                "SELECT id, ingested_at, input, sha256, variant, is_current, report "
                "FROM snapshot WHERE source = ? ORDER BY id DESC",
                (name,),
            ):
                report = orjson.loads(report_json)
                snapshots.append(
                    {
                        "snapshot": sid,
                        "ingested_at": ingested_at,
                        "date": report.get("snapshot_date") or ingested_at[:10],
                        "input": input_,
                        "sha256": sha,
                        "variant": variant,
                        "current": bool(current),
                        "tables": report.get("tables", {}),
                        "nodes": report.get("nodes", {}),
                        "edges": report.get("edges", {}),
                        "problems": report.get("problem_counts", {}),
                        "metadata": report.get("metadata", {}),
                    }
                )
            result.append(
                {"name": name, "kind": kind, "priority": priority, "snapshots": snapshots}
            )
        if self.as_of is None:
            return result
        # As of a day: only the snapshots dated by then; "current" is the one in force.
        conn = self._connect(create=False)
        in_force = (
            {sid for sid, _ in snapshots_in_force(conn, self.as_of).values()} if conn else set()
        )
        kept = []
        for source in result:
            dated = [
                s
                for s in source["snapshots"]
                if s["date"] <= self.as_of or s["snapshot"] in in_force
            ]
            if dated:
                for snap in dated:
                    snap["current"] = snap["snapshot"] in in_force
                kept.append({**source, "snapshots": dated})
        return kept

    def source_kind(self, name: str) -> str | None:
        """The ingester kind of a named source, or ``None`` if there is no such source.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> ws.source_kind("directory"), ws.source_kind("grants")
        ('hsds', None)
        """
        rows = self._rows("SELECT kind FROM source WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def report(self, snapshot: int) -> IngestReport:
        """The stored ingest report of a snapshot.

        Parameters
        ----------
        snapshot
            The snapshot's number (``civicgraph sources`` lists them).

        Raises
        ------
        UsageError
            There is no such snapshot.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> report = ws.report(1)
        >>> report.source, report.tables["service"].read
        ('directory', 21)
        """
        rows = self._rows("SELECT report FROM snapshot WHERE id = ?", (snapshot,))
        if not rows:
            raise UsageError(f"there is no snapshot {snapshot}. Fix: see 'civicgraph sources'.")
        return IngestReport.from_dict(orjson.loads(rows[0][0]))

    def graph(self) -> Graph:
        """The analysis graph (a networkx ``MultiDiGraph``) of the current facts.

        Every node and edge carries ``type`` (the ontology's name) and ``sources``.
        The first call after the store changes builds it and keeps it in the
        workspace file; later calls (in any process) load that copy while the
        store stays as it was. A copy that does not match the store is never
        used. Each call returns a graph of its own: changing it changes nothing
        stored.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> graph = ws.graph()
        >>> sorted({data["type"] for _, data in graph.nodes(data=True)})
        ['Concept', 'Location', 'Organization', 'Service']
        """
        conn = self._connect(create=False)
        if conn is None:
            if self.as_of is not None:
                self._as_of_info = AsOf(self.as_of).as_dict()
            return nx.MultiDiGraph()
        if self.as_of is not None:
            then = as_of_graph(
                conn, self.as_of, present=self.at(None).graph, progress=self.progress
            )
            self._as_of_info = then.graph[AS_OF]
            if self.freeze_graph:
                gc.freeze()
            return then
        state = fingerprint(conn)
        if self.progress:
            self.progress("loading the stored analysis graph", 0, 1)
        graph = load_graph(conn, state)
        if self.progress and graph is not None:
            self.progress("loading the stored analysis graph", 1, 1)
        if graph is None:
            graph = build_graph(conn, progress=self.progress)
            if self.path != ":memory:":
                store_graph(conn, graph, state)
        if self.freeze_graph:
            gc.freeze()
        return graph

    def stats(self) -> dict[str, dict[str, int]]:
        """Node and edge counts by type: ``{"nodes": {TYPE: n}, "edges": {TYPE: n}}``.

        Read from the workspace, as counted when the analysis graph was last
        built and stored, while the store is unchanged since; else the graph is
        built (and stored) first.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> ws.stats()["nodes"]["Service"]
        20
        """
        conn = self._connect(create=False)
        if conn is None:
            return {"nodes": {}, "edges": {}}
        if self.as_of is not None:
            return count_by_type(self.graph())
        counts = stored_counts(conn, fingerprint(conn))
        return counts if counts is not None else count_by_type(self.graph())

    def facts(self, node_id: str) -> list[dict[str, Any]]:
        """Everything the current snapshots assert about one node, source by source.

        This is the provenance of a node: which source, which snapshot, which
        record, and what each said.

        Parameters
        ----------
        node_id
            The node's id in the graph (an org-id, ``directory:service:svc-12``...).

        Returns
        -------
        list of dict
            ``{"source", "snapshot", "ingested_at", "key", "record", "type", "props"}``
            per asserting record, oldest snapshot first.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> [(f["source"], f["type"], f["props"]["name"]) for f in ws.facts("GB-LAE-OAK")]
        [('directory', 'Organization', 'Oakbridge City Council')]
        """
        keys = [node_id] + [
            k for (k,) in self._rows("SELECT key FROM entity WHERE node_id = ?", (node_id,))
        ]
        placeholders = ",".join("?" * len(keys))
        return [
            {
                "source": source,
                "snapshot": sid,
                "ingested_at": ingested_at,
                "key": key,
                "record": record_id,
                "type": node_type,
                "props": orjson.loads(props),
            }
            for source, sid, ingested_at, key, record_id, node_type, props in self._rows(
                "SELECT s.source, s.id, s.ingested_at, f.key, f.record_id, f.type, f.props "
                "FROM node_fact f JOIN snapshot s ON s.id = f.snapshot_id "
                f"WHERE s.is_current = 1 AND f.key IN ({placeholders}) ORDER BY s.id",
                keys,
            )
        ]

    def node_records(self) -> dict[str, list[tuple[str, str]]]:
        """For every node of the graph, the records that assert it: ``[(source, record id)]``.

        As of a day (:attr:`as_of`), the records of the snapshots in force then.

        :meth:`facts` for all nodes at once, without the properties: the
        provenance an export writes. Sorted, so that it is the same on every call.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> ws.node_records()["GB-LAE-OAK"]
        [('directory', 'org-000001')]
        """
        entity = dict(self._rows("SELECT key, node_id FROM entity"))
        records: dict[str, set[tuple[str, str]]] = {}
        where = "s.is_current = 1"
        params: tuple[str, ...] = ()
        conn = self._connect(create=False)
        if self.as_of is not None and conn is not None:  # the snapshots in force that day
            where = "s.id IN (SELECT value FROM json_each(?))"
            in_force = sorted(sid for sid, _ in snapshots_in_force(conn, self.as_of).values())
            params = (orjson.dumps(in_force).decode(),)
        for source, key, record_id in self._rows(
            "SELECT s.source, f.key, f.record_id FROM node_fact f "
            f"JOIN snapshot s ON s.id = f.snapshot_id WHERE {where}",
            params,
        ):
            records.setdefault(entity.get(key, key), set()).add((source, record_id))
        return {node: sorted(pairs) for node, pairs in records.items()}

    def known_nodes(
        self, keys: Iterable[str], *, excluding_source: str | None = None
    ) -> dict[str, NodeType]:
        """Which of ``keys`` name a node the workspace already has, and its type.

        A key matches a current fact's asserted key or a node id the identity
        stage chose. Facts of ``excluding_source`` do not count (they are about
        to be replaced).

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> ws.known_nodes(["GB-LAE-OAK", "GB-CHC-999"])
        {'GB-LAE-OAK': <NodeType.ORGANIZATION: 'Organization'>}
        >>> ws.known_nodes(["GB-LAE-OAK"], excluding_source="directory")
        {}
        """
        conn = self._connect(create=False)
        wanted = list(dict.fromkeys(keys))
        if conn is None or not wanted:
            return {}
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_key (key TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM wanted_key")
        conn.executemany("INSERT OR IGNORE INTO wanted_key VALUES (?)", ((k,) for k in wanted))
        found: dict[str, NodeType] = {}
        query = """
            SELECT w.key, f.type FROM wanted_key w
            JOIN node_fact f ON f.key = w.key
            JOIN snapshot s ON s.id = f.snapshot_id AND s.is_current = 1 AND s.source IS NOT ?
            UNION
            SELECT w.key, f.type FROM wanted_key w
            JOIN entity e ON e.node_id = w.key
            JOIN node_fact f ON f.key = e.key
            JOIN snapshot s ON s.id = f.snapshot_id AND s.is_current = 1 AND s.source IS NOT ?
        """
        for key, node_type in conn.execute(query, (excluding_source, excluding_source)):
            found.setdefault(key, NodeType(node_type))
        conn.execute("DELETE FROM wanted_key")
        return found

    def node_keys(
        self, types: Iterable[NodeType], *, excluding_source: str | None = None
    ) -> dict[str, tuple[str, NodeType, str | None]]:
        """Every current asserted key of nodes of ``types``: ``{key: (node id, type, name)}``.

        The node id is the one the identity stage chose (an org-id, a UPRN) or
        the key itself; the name is the one that source gave. Readers use this
        to find a node by a source's own id or by any name a source gave it: a
        referral file naming services by the directory's ids.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> from civicgraph.ontology import NodeType
        >>> keys = ws.node_keys([NodeType.ORGANIZATION])
        >>> keys["directory:organization:org-000001"][0::2]
        ('GB-LAE-OAK', 'Oakbridge City Council')
        """
        wanted = [str(t) for t in types]
        if not wanted:
            return {}
        placeholders = ",".join("?" * len(wanted))
        return {
            key: (node_id or key, NodeType(node_type), name)
            for key, node_type, node_id, name in self._rows(
                "SELECT f.key, f.type, e.node_id, json_extract(f.props, '$.name') FROM node_fact f "
                "JOIN snapshot s ON s.id = f.snapshot_id AND s.is_current = 1 "
                "AND s.source IS NOT ? "
                "LEFT JOIN entity e ON e.key = f.key "
                f"WHERE f.type IN ({placeholders})",
                (excluding_source, *wanted),
            )
        }

    def unresolved_facts(self, snapshot: int, *, kind: str) -> list[tuple[str, str | None]]:
        """Node facts of ``snapshot`` with ``kind`` that the identity stage joined to nothing.

        ``[(key, name)]``: records that stayed on their own, matching no other
        record of any source (funders named only in a funding statement, say).
        Meant for snapshot checks, which run inside the ingest's transaction.
        """
        return [
            (key, name)
            for key, name in self._rows(
                "SELECT f.key, json_extract(f.props, '$.name') FROM node_fact f "
                "WHERE f.snapshot_id = ? AND json_extract(f.props, '$.kind') = ? "
                "AND NOT EXISTS (SELECT 1 FROM entity e WHERE e.key = f.key) "
                "AND NOT EXISTS (SELECT 1 FROM entity e WHERE e.node_id = f.key) "
                "ORDER BY f.key",
                (snapshot, kind),
            )
        ]

    def snapshot_node_ids(self, snapshot: int, *, node_type: NodeType) -> dict[str, str]:
        """The node facts of ``node_type`` in ``snapshot``: ``{asserted key: node id}``.

        The node id is the one the identity stage gave the record (another record's,
        where it joined them), else its own key. Meant for snapshot checks.
        """
        return {
            key: node_id or key
            for key, node_id in self._rows(
                "SELECT f.key, e.node_id FROM node_fact f LEFT JOIN entity e ON e.key = f.key "
                "WHERE f.snapshot_id = ? AND f.type = ?",
                (snapshot, str(node_type)),
            )
        }

    def snapshot_facts(self, snapshot: int) -> list[tuple[str, str, str, dict[str, Any]]]:
        """Every node fact of one snapshot, current or not: ``[(key, type, record_id, props)]``.

        What a source said at that time: the changes query compares two of these.
        """
        return [
            (key, node_type, record_id, orjson.loads(props))
            for key, node_type, record_id, props in self._rows(
                "SELECT key, type, record_id, props FROM node_fact WHERE snapshot_id = ?",
                (snapshot,),
            )
        ]

    def snapshot_edges(self, snapshot: int, *, edge_type: str) -> list[tuple[str, str]]:
        """The ``(source key, target key)`` of one snapshot's edge facts of ``edge_type``."""
        return [
            (u, v)
            for u, v in self._rows(
                "SELECT source_key, target_key FROM edge_fact WHERE snapshot_id = ? AND type = ?",
                (snapshot, edge_type),
            )
        ]

    def node_ids(self) -> dict[str, str]:
        """The identity stage's decisions: ``{asserted key: node id}`` for keys joined to another.

        Keys not listed are their own node id.
        """
        return dict(self._rows("SELECT key, node_id FROM entity"))

    # -- writing ------------------------------------------------------------

    def write_snapshot(
        self,
        report: IngestReport,
        nodes: Sequence[NodeRow],
        edges: Sequence[EdgeRow],
        identifiers: Sequence[IdentifierRow] = (),
        checks: Sequence[SnapshotCheck] = (),
    ) -> int:
        """Write one ingest as a new current snapshot of ``report.source``, in one transaction.

        The source's previous snapshot stays, no longer current. Runs the
        identity stage, then ``checks`` (which report on what it decided),
        fills ``report.snapshot``, ``report.nodes``, ``report.edges`` and
        ``report.resolution``, and stores the report. Returns the snapshot id.

        This is what every ingester calls at its end; use :func:`civicgraph.ingest.ingest`
        to load a file.

        Parameters
        ----------
        report
            The ingest report (its ``source`` names the source written).
        nodes, edges, identifiers
            The facts: see :data:`NodeRow`, :data:`EdgeRow`, :data:`IdentifierRow`.
        checks
            Checks to run on the snapshot after the identity stage.

        Examples
        --------
        >>> ws = Workspace(":memory:")
        >>> report = IngestReport(source="hand", kind="hand", input="hand.json")
        >>> org = ("hand:org:1", "Organization", "1", '{"name": "Hall Trust"}')
        >>> svc = ("hand:svc:1", "Service", "s1", '{"name": "Lunch club"}')
        >>> provides = ("PROVIDES", "hand:org:1", "hand:svc:1", "", "s1", None)
        >>> ws.write_snapshot(report, [org, svc], [provides])
        1
        >>> ws.stats()
        {'nodes': {'Organization': 1, 'Service': 1}, 'edges': {'PROVIDES': 1}}
        """
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT kind FROM source WHERE name = ?", (report.source,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO source (name, kind, created_at) VALUES (?, ?, ?)",
                    (report.source, report.kind, _now()),
                )
            elif row[0] != report.kind:
                raise UsageError(
                    f"source '{report.source}' holds {row[0]} data, not {report.kind}. "
                    "Fix: give this input another `name`.",
                    param="name",
                )
            conn.execute("UPDATE snapshot SET is_current = 0 WHERE source = ?", (report.source,))
            report.finished = _now()
            report.snapshot_date = report.snapshot_date or report.finished[:10]
            cursor = conn.execute(
                "INSERT INTO snapshot (source, ingested_at, input, sha256, variant, is_current, "
                "report) VALUES (?, ?, ?, ?, ?, 1, '{}')",
                (report.source, report.finished, report.input, report.sha256, report.variant),
            )
            snapshot = cursor.lastrowid
            assert snapshot is not None
            conn.executemany(
                "INSERT INTO node_fact (snapshot_id, key, type, record_id, props) "
                f"VALUES ({snapshot}, ?, ?, ?, ?)",
                nodes,
            )
            conn.executemany(
                "INSERT INTO node_identifier (snapshot_id, key, identifier) "
                f"VALUES ({snapshot}, ?, ?)",
                identifiers,
            )
            conn.executemany(
                "INSERT INTO edge_fact (snapshot_id, type, source_key, target_key, discriminator, "
                f"record_id, props) VALUES ({snapshot}, ?, ?, ?, ?, ?, ?)",
                edges,
            )
            report.resolution = resolve_identities(conn)
            report.add_problems(p for check in checks for p in check(self, snapshot))
            entity = dict(conn.execute("SELECT key, node_id FROM entity"))
            report.snapshot = snapshot
            report.nodes = _count_nodes(nodes, entity)
            report.edges = _count_edges(edges, entity)
            conn.execute(
                "UPDATE snapshot SET report = ? WHERE id = ?",
                (orjson.dumps(report.to_dict()).decode(), snapshot),
            )
        return snapshot

    def workspace_id(self) -> str:
        """A random id this workspace keeps for life: it tags what it pushes elsewhere.

        Examples
        --------
        >>> ws = Workspace(":memory:")
        >>> first = ws.workspace_id()
        >>> len(first), ws.workspace_id() == first
        (32, True)
        """
        rows = self._rows("SELECT value FROM meta WHERE key = 'workspace_id'")
        if rows:
            return str(rows[0][0])
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('workspace_id', ?)",
                (uuid.uuid4().hex,),
            )
            return str(
                conn.execute("SELECT value FROM meta WHERE key = 'workspace_id'").fetchone()[0]
            )

    # -- the study area ----------------------------------------------------------

    def scope_areas(self) -> list[str]:
        """The stored study area (``civicgraph scope set``): area codes, or ``[]`` if unset.

        Examples
        --------
        >>> ws = Workspace(":memory:")
        >>> ws.set_scope_areas(["E08000025"]); ws.scope_areas()
        ['E08000025']
        >>> ws.set_scope_areas([]); ws.scope_areas()
        []
        """
        if self._connect(create=False) is None:
            return []
        rows = self._rows("SELECT value FROM meta WHERE key = 'scope'")
        return [str(a) for a in orjson.loads(rows[0][0])] if rows else []

    def set_scope_areas(self, areas: Sequence[str]) -> None:
        """Store the study area's area codes (an empty list clears it)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM meta WHERE key = 'scope'")
            if areas:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('scope', ?)",
                    (orjson.dumps(list(areas)).decode(),),
                )

    # -- identity ---------------------------------------------------------------

    def resolve(self) -> dict[str, int]:
        """Run the identity stage again now (it runs after every ingest by itself).

        Returns
        -------
        dict
            Counts: records given another node's id, links applied by rule, pairs to review.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> counts = ws.resolve()
        >>> counts["records given another node's id (workspace)"] > 0
        True
        """
        with self._transaction() as conn:
            # The entity table changes under the graph: a stored graph is no longer current.
            conn.execute(_BUMP_GENERATION)
            return resolve_identities(conn)

    def load_decisions(self, path: str | Path) -> dict[str, Any]:
        """Replace the workspace's identity decisions with a decisions file, and resolve again.

        The decisions are kept in the workspace and bind every later ingest.
        Ids the workspace does not know (yet) are kept and reported.

        Parameters
        ----------
        path
            A CSV with columns ``decision`` (``same`` or ``not-same``), ``a`` and ``b``
            (``civicgraph resolve --review --out review.csv`` writes one to fill in).

        Raises
        ------
        InputError
            The file is not a decisions file, or a decision is not a known word.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> import pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "decisions.csv"
        >>> _ = path.write_text("decision,a,b\\nnot-same,GB-LAE-OAK,GB-NHS-RX9\\n")
        >>> result = ws.load_decisions(path)
        >>> result["decisions"], result["not-same"], result["unknown ids"]
        (1, 1, [])
        >>> [(d["decision"], d["a"], d["b"]) for d in ws.decisions()]
        [('not-same', 'GB-LAE-OAK', 'GB-NHS-RX9')]
        """
        decisions, skipped = read_decisions(Path(path))
        with self._transaction() as conn:
            known = {k for (k,) in conn.execute("SELECT key FROM node_fact")}
            known |= {n for (n,) in conn.execute("SELECT node_id FROM entity")}
            known |= {i for (i,) in conn.execute("SELECT identifier FROM node_identifier")}
            conn.execute("DELETE FROM decision")
            conn.executemany(
                "INSERT OR REPLACE INTO decision (a, b, verdict, note, origin, decided_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(d.a, d.b, d.verdict, d.note, d.origin, _now()) for d in decisions],
            )
            resolution = resolve_identities(conn)
        unknown = sorted({i for d in decisions for i in (d.a, d.b) if i not in known})
        return {
            "decisions": len(decisions),
            "same": sum(1 for d in decisions if d.verdict == "same"),
            "not-same": sum(1 for d in decisions if d.verdict == "not-same"),
            "unknown ids": unknown,
            "skipped rows": skipped,
            "resolution": resolution,
        }

    def decisions(self) -> list[dict[str, Any]]:
        """The identity decisions the workspace holds (see :meth:`load_decisions`).

        Examples
        --------
        >>> Workspace(":memory:").decisions()
        []
        """
        return [
            {"decision": v, "a": a, "b": b, "note": n, "origin": o, "decided_at": t}
            for a, b, v, n, o, t in self._rows(
                "SELECT a, b, verdict, note, origin, decided_at FROM decision ORDER BY origin"
            )
        ]

    def merges(self) -> list[dict[str, Any]]:
        """Every record the identity stage gave another node's id, with its evidence.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> merge = next(m for m in ws.merges() if m["node_id"] == "GB-LAE-OAK")
        >>> merge["key"], merge["rule"]
        ('directory:organization:org-000001', 'identifier')
        """
        names = self._names()
        return [
            {
                "node_id": node_id,
                "key": key,
                "name": names.get(key, ""),
                "node_name": names.get(node_id, ""),
                "rule": rule,
                "evidence": orjson.loads(evidence) if evidence else [],
            }
            for key, node_id, rule, evidence in self._rows(
                "SELECT key, node_id, rule, evidence FROM entity ORDER BY node_id, key"
            )
        ]

    def review_list(self) -> list[dict[str, Any]]:
        """Pairs the identity stage was not sure of, best first, for a person to decide.

        Each row has an empty ``decision`` to fill in with ``same`` or ``not-same``,
        the two ids and names, the score, the rule and its evidence.

        Examples
        --------
        >>> Workspace(":memory:").review_list()
        []
        """
        names = self._names()
        return [
            {
                "decision": "",
                "a": a,
                "b": b,
                "a_name": names.get(a, ""),
                "b_name": names.get(b, ""),
                "score": score,
                "rule": rule,
                "evidence": orjson.loads(evidence) if evidence else {},
            }
            for a, b, rule, score, evidence in self._rows(
                "SELECT a, b, rule, score, evidence FROM review ORDER BY score DESC, a, b"
            )
        ]

    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for key, name in self._rows(
            "SELECT f.key, json_extract(f.props, '$.name') FROM node_fact f "
            "JOIN snapshot s ON s.id = f.snapshot_id WHERE s.is_current = 1"
        ):
            if name:
                names.setdefault(key, name)
        for key, node_id in self._rows("SELECT key, node_id FROM entity"):
            if key in names:
                names.setdefault(node_id, names[key])
        return names

    def set_priority(self, source: str, priority: int) -> None:
        """Rank a source: higher-priority sources' values win when sources disagree.

        Raises
        ------
        UsageError
            There is no such source.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> ws.set_priority("directory", 5)
        >>> ws.sources()[0]["priority"]
        5
        """
        with self._transaction() as conn:
            if not conn.execute(
                "UPDATE source SET priority = ? WHERE name = ?", (priority, source)
            ).rowcount:
                raise UsageError(f"there is no source '{source}'. Fix: see 'civicgraph sources'.")

    # -- settings -----------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A value kept in the workspace under ``key`` (a prevention mapping...), or None."""
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (f"setting:{key}",))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str | None) -> None:
        """Keep ``value`` in the workspace under ``key``; None forgets it."""
        with self._transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (f"setting:{key}",))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (f"setting:{key}", value),
                )

    # -- queries ------------------------------------------------------------

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run a named query (``civicgraph query NAME``) on this workspace; return its rows.

        Parameters
        ----------
        name
            The query's name, as ``civicgraph query --list`` gives it (``si-index``);
            ``si_index`` works too.
        **params
            The query's keyword parameters, as its function takes them
            (``civicgraph.queries.gaps(graph, distance_km=2)``: ``distance_km=2``).

        Returns
        -------
        pandas.DataFrame
            One row per finding, each with its evidence in ``why``.

        Raises
        ------
        UsageError
            There is no such query, or it has no such parameter.

        Examples
        --------
        >>> import tempfile
        >>> from civicgraph.ingest import ingest
        >>> from civicgraph.synth import synth
        >>> town = {s.name: s for s in synth(tempfile.mkdtemp(), services=20, seed=1)}
        >>> ws = Workspace(":memory:")
        >>> _ = ingest(ws, "hsds", str(town["directory"].path), name="directory")
        >>> _ = ingest(ws, "referrals", str(town["referrals"].path), name="referrals")
        >>> rows = ws.query("brokers", limit=3)
        >>> len(rows), rows.columns[-1]
        (3, 'why')
        >>> ws.query("silos", colour="sector")
        Traceback (most recent call last):
        ...
        civicgraph.errors.UsageError: query 'silos' has no parameter 'colour'. Fix: use ...
        """
        # Imported here: the queries are built on this module, not the other way round.
        from ..queries import QUERIES, run_query

        query_name = name.strip().replace("_", "-")
        query = QUERIES.get(query_name)
        if query is not None:
            known = [p.name for p in query.params]
            unknown = sorted(set(params) - set(known))
            if unknown:
                raise UsageError(
                    f"query '{query_name}' has no parameter '{unknown[0]}'. "
                    f"Fix: use {', '.join(known) or 'none: it takes no parameters'}."
                )
        return run_query(query_name, self, **params)


_BUMP_GENERATION = (
    "INSERT INTO meta (key, value) VALUES ('generation', 1) "
    "ON CONFLICT (key) DO UPDATE SET value = value + 1"
)


def _count_nodes(nodes: Sequence[NodeRow], entity: dict[str, str]) -> dict[str, int]:
    seen: dict[str, set[str]] = {}
    for key, node_type, *_ in nodes:
        seen.setdefault(node_type, set()).add(entity.get(key, key))
    return _in_ontology_order({str(t): len(ids) for t, ids in seen.items()}, NODE_TYPES)


def _count_edges(edges: Sequence[EdgeRow], entity: dict[str, str]) -> dict[str, int]:
    seen: dict[str, set[tuple[str, str, str]]] = {}
    for edge_type, u, v, disc, *_ in edges:
        cu, cv = entity.get(u, u), entity.get(v, v)
        if cu == cv and u != v:
            continue
        seen.setdefault(edge_type, set()).add((cu, cv, disc))
    return _in_ontology_order({str(t): len(ids) for t, ids in seen.items()}, EDGE_TYPES)


def _in_ontology_order(counts: dict[str, int], order: Iterable[str]) -> dict[str, int]:
    known = [str(t) for t in order]
    return {t: counts[t] for t in [*known, *sorted(set(counts) - set(known))] if t in counts}
