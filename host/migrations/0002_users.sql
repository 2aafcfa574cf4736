-- Users, their workspace grants and their API tokens (stored as SHA-256
-- hashes only).

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    -- admin | standard | support
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE user_workspaces (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    PRIMARY KEY (user_id, workspace_id)
);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT
);

CREATE INDEX tokens_by_user ON tokens (user_id);
