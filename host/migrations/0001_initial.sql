-- The schema is written in the SQL that SQLite and PostgreSQL share: TEXT
-- ids and RFC 3339 UTC timestamps (which sort as text), JSON as TEXT,
-- BIGINT counters, and no engine-specific types or defaults.

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The default workspace always exists.
INSERT INTO workspaces (id, name, created_at) VALUES ('default', 'Default', '1970-01-01T00:00:00.000Z');

CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    -- lower(name): names are unique per workspace case-insensitively.
    name_key TEXT NOT NULL,
    connector TEXT NOT NULL,
    connector_key TEXT NOT NULL,
    connector_version TEXT NOT NULL,
    -- JSON object of property name to value.
    properties TEXT NOT NULL,
    -- JSON object of the settings.
    settings TEXT NOT NULL,
    -- JSON array; connection_labels indexes it for filtering.
    labels TEXT NOT NULL,
    status TEXT NOT NULL,
    last_tested_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- Bumped by every write; writes check it, so no update is lost.
    revision BIGINT NOT NULL,
    UNIQUE (workspace_id, name_key)
);

CREATE INDEX connections_by_connector ON connections (workspace_id, connector_key, name_key);

CREATE TABLE connection_labels (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    label_key TEXT NOT NULL,
    PRIMARY KEY (connection_id, label_key)
);

CREATE INDEX connection_labels_by_label ON connection_labels (label_key, connection_id);

-- Cached list-tables and list-columns answers, valid while config_key
-- (connector version + hash of the properties) matches the connection.
CREATE TABLE metadata_cache (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    config_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, item)
);

-- A connection in use by a running job holds a lease until expires_at;
-- updates and deletes check for a live lease in the same statement.
CREATE TABLE connection_leases (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, holder)
);
