-- Replication jobs and their runs (docs/jobs.md).
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    -- A workspace can be deleted once it holds no connections; its jobs go with it.
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- lower(name): names are unique per workspace case-insensitively.
    name_key TEXT NOT NULL,
    source_connection_id TEXT NOT NULL,
    destination_connection_id TEXT NOT NULL,
    -- JSON array of table names; NULL: every table of the source.
    tables TEXT,
    table_prefix TEXT NOT NULL,
    batch_size BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- The run under way and when its lease ends; set and cleared with the
    -- run, so one run at a time, across servers.
    active_run_id TEXT,
    active_until TEXT,
    UNIQUE (workspace_id, name_key)
);

CREATE TABLE job_runs (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- Starting, Testing, Running, Successful, Failed, Cancelled.
    status TEXT NOT NULL,
    -- JSON array of per-table progress.
    tables TEXT NOT NULL,
    error TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    -- The server running it, and until when it holds the run.
    lease_owner TEXT NOT NULL,
    lease_expires_at TEXT NOT NULL,
    cancel_requested BIGINT NOT NULL
);

CREATE INDEX job_runs_by_job ON job_runs (job_id, started_at);
CREATE INDEX job_runs_by_status ON job_runs (status, lease_expires_at);

-- Which run holds a connection lease, so the run's end frees exactly its own.
ALTER TABLE connection_leases ADD COLUMN run_id TEXT;
