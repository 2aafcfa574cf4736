-- Installed connector components, shared by every server on the database
-- (docs/deploy.md). The bytes are base64 text: one portable type for SQLite
-- and PostgreSQL. Each server keeps a local copy and its compiled code.
CREATE TABLE connector_components (
    sha256 TEXT PRIMARY KEY,
    -- The registry's key of the connector name (lower case, no vendor prefix).
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    bytes TEXT NOT NULL,
    -- The detached signature's text form, when signed.
    signature TEXT,
    installed_at TEXT NOT NULL,
    UNIQUE (name_key, version)
);

-- Components removed through the API: a server that still has one locally
-- (it was down, or has it in its bundled directory) drops it at start
-- instead of storing it again. Installing the same bytes again clears it.
CREATE TABLE connector_removed (
    sha256 TEXT PRIMARY KEY,
    removed_at TEXT NOT NULL
);
