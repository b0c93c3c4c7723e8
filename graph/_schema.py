"""The SQLite layout of a workspace file. Private: use :class:`Workspace`.

A workspace keeps *facts*, not a graph: each snapshot of each source asserts
nodes and edges under its own keys, and the ``entity`` table records which
keys the identity stage decided are one real-world node. The analysis graph
is built from the current snapshots on demand, and kept in ``graph_store``
until the store changes.
"""

from __future__ import annotations

SCHEMA_VERSION = 3

APPLICATION_ID = 0x43475250  # "CGRP": marks the file as a civicgraph workspace

_VERSION_1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A named source of data (a directory, a funder's grant file, a lookup).
CREATE TABLE source (
    name       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,          -- the ingester that reads it: hsds, 360giving, ...
    priority   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- One ingest of a source. Re-ingesting makes a new current snapshot and keeps the old.
CREATE TABLE snapshot (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL REFERENCES source(name),
    ingested_at TEXT NOT NULL,
    input       TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    variant     TEXT NOT NULL DEFAULT '',
    is_current  INTEGER NOT NULL,
    report      TEXT NOT NULL          -- the ingest report, JSON
);
CREATE INDEX snapshot_by_source ON snapshot(source, is_current);

-- A snapshot asserts that a node exists with these properties.
CREATE TABLE node_fact (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),
    key         TEXT NOT NULL,         -- the asserted key: an org-id or '<source>:<kind>:<id>'
    type        TEXT NOT NULL,
    record_id   TEXT NOT NULL,         -- where in the source: '<table>/<id or row>'
    props       TEXT NOT NULL,         -- JSON object
    PRIMARY KEY (snapshot_id, key)
) WITHOUT ROWID;
CREATE INDEX node_fact_by_key ON node_fact(key);

-- Identifiers a node fact carries (normalised org-ids, 'uprn:<UPRN>'): the identity stage's input.
CREATE TABLE node_identifier (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),
    key         TEXT NOT NULL,
    identifier  TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, key, identifier)
) WITHOUT ROWID;
CREATE INDEX node_identifier_by_identifier ON node_identifier(identifier);

-- A snapshot asserts a typed, directed edge between two asserted keys.
CREATE TABLE edge_fact (
    snapshot_id   INTEGER NOT NULL REFERENCES snapshot(id),
    type          TEXT NOT NULL,
    source_key    TEXT NOT NULL,
    target_key    TEXT NOT NULL,
    discriminator TEXT NOT NULL DEFAULT '',
    record_id     TEXT NOT NULL,
    props         TEXT                 -- JSON object, or NULL when it has none
);
CREATE INDEX edge_fact_by_snapshot ON edge_fact(snapshot_id);

-- Identity decisions: this asserted key is the node node_id. Keys absent here are their own node.
CREATE TABLE entity (
    key      TEXT PRIMARY KEY,
    node_id  TEXT NOT NULL,
    rule     TEXT NOT NULL,            -- which stage decided: identifier, name, decision, ...
    evidence TEXT                      -- JSON: the fields and values it rests on
) WITHOUT ROWID;
CREATE INDEX entity_by_node ON entity(node_id);
"""

_VERSION_2 = """
-- A person's decisions: these two keys are (not) one real thing. Applied on every resolution.
CREATE TABLE decision (
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    verdict    TEXT NOT NULL CHECK (verdict IN ('same', 'not-same')),
    note       TEXT,
    origin     TEXT,                   -- the decisions file it came from, and its row
    decided_at TEXT NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;

-- Pairs the identity stage was not sure of: for a person to decide.
CREATE TABLE review (
    a        TEXT NOT NULL,
    b        TEXT NOT NULL,
    rule     TEXT NOT NULL,
    score    REAL,
    evidence TEXT,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
"""

_VERSION_3 = """
-- The analysis graph as last built, a cache of the store (see graph/_stored.py): its
-- fingerprint is meta 'graph_fingerprint'; the counter the fingerprint reads is meta
-- 'generation', which every change to sources, snapshots and decisions bumps.
CREATE TABLE graph_store (
    part INTEGER PRIMARY KEY,
    data BLOB NOT NULL                 -- zlib-compressed JSON, in order of part
);
CREATE TRIGGER source_insert_changes_generation AFTER INSERT ON source
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER source_update_changes_generation AFTER UPDATE ON source
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER source_delete_changes_generation AFTER DELETE ON source
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER snapshot_insert_changes_generation AFTER INSERT ON snapshot
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER snapshot_update_changes_generation AFTER UPDATE ON snapshot
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER snapshot_delete_changes_generation AFTER DELETE ON snapshot
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER decision_insert_changes_generation AFTER INSERT ON decision
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER decision_update_changes_generation AFTER UPDATE ON decision
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER decision_delete_changes_generation AFTER DELETE ON decision
BEGIN
    INSERT INTO meta (key, value) VALUES ('generation', 1)
    ON CONFLICT (key) DO UPDATE SET value = value + 1;
END;
"""

DDL = _VERSION_1 + _VERSION_2 + _VERSION_3
"""The whole layout, for a new workspace."""

MIGRATIONS: dict[int, str] = {2: _VERSION_2, 3: _VERSION_3}
"""For each version, the statements that bring a workspace of the version before up to it."""
