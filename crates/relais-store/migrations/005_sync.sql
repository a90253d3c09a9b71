-- Sync runs and their per-employee entries (the "Tracking" tab).
CREATE TABLE sync_runs (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES companies (id),
    connection_id TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    status        TEXT NOT NULL,
    document      TEXT NOT NULL  -- JSON SyncRun
) STRICT;
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, started_at);
CREATE INDEX sync_runs_running ON sync_runs (status) WHERE status = 'running';

CREATE TABLE sync_entries (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    at            TEXT NOT NULL,
    employee_id   INTEGER NOT NULL,
    use_case      TEXT NOT NULL,
    status        TEXT NOT NULL,
    message       TEXT NOT NULL,
    response      TEXT,
    changes       TEXT NOT NULL
) STRICT;
CREATE INDEX sync_entries_run ON sync_entries (run_id, status, id);
CREATE INDEX sync_entries_employee ON sync_entries (connection_id, employee_id, id);
CREATE INDEX sync_entries_age ON sync_entries (at);

-- The SCIM connector's links: employee ↔ target user, with what was last sent.
CREATE TABLE scim_links (
    connection_id TEXT NOT NULL,
    employee_id   INTEGER NOT NULL,
    target_id     TEXT NOT NULL,
    snapshot      TEXT NOT NULL,
    active        INTEGER NOT NULL,
    PRIMARY KEY (connection_id, employee_id)
) STRICT, WITHOUT ROWID;

-- Per-connection sync health.
CREATE TABLE sync_state (
    connection_id             TEXT PRIMARY KEY,
    consecutive_auth_failures INTEGER NOT NULL,
    last_success_at           TEXT
) STRICT;
