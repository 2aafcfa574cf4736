-- Connection log lines, when several servers share the database (PostgreSQL):
-- any server lists and downloads what any server wrote (docs/deploy.md). On
-- the embedded SQLite database logs stay files in the data directory.
CREATE TABLE connection_log_entries (
    id TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    -- The UTC day, `2026-11-27`: one log file per day (split past the size cap).
    day TEXT NOT NULL,
    written_at TEXT NOT NULL,
    -- The size of `text` in bytes.
    bytes BIGINT NOT NULL,
    -- One operation's lines, each ending in a newline.
    text TEXT NOT NULL
);

CREATE INDEX connection_log_entries_by_connection ON connection_log_entries (connection_id, day, written_at);
