-- Which key encrypts this database's secrets: one row, written by the first
-- server to start (docs/security.md). A server with another key refuses to
-- start instead of failing every read of what the others wrote.
CREATE TABLE secret_key_check (
    id INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL,
    -- A known text sealed with that key: proves the key, not just its id.
    sealed TEXT NOT NULL
);
