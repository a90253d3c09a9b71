-- Connections: one active (not disconnected) connection per integration and company.
CREATE TABLE connections (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies (id),
    integration  TEXT NOT NULL,
    state        TEXT NOT NULL,  -- JSON ConnectionState
    status       TEXT NOT NULL,  -- its status name, for filters and the unique index
    state_since  TEXT NOT NULL,
    progress     TEXT NOT NULL,  -- JSON WizardProgress
    answers      TEXT NOT NULL,  -- JSON; secret answers only sealed
    credential   TEXT,
    created_at   TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX connections_one_active ON connections (company_id, integration) WHERE status != 'disconnected';
CREATE INDEX connections_credential ON connections (credential);

CREATE TABLE demo_requests (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies (id),
    integration  TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX demo_requests_integration ON demo_requests (integration, created_at);

-- Requests for missing integrations, merged by normalised name; one entry per request.
CREATE TABLE integration_requests (
    normalized_name    TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    website            TEXT,
    count              INTEGER NOT NULL,
    first_requested_at TEXT NOT NULL,
    last_requested_at  TEXT NOT NULL
) STRICT;
CREATE TABLE integration_request_entries (
    id              INTEGER PRIMARY KEY,
    normalized_name TEXT NOT NULL REFERENCES integration_requests (normalized_name),
    company_id      TEXT NOT NULL REFERENCES companies (id),
    requested_by    TEXT NOT NULL,
    use_case        TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;

-- The audit trail is append-only: the database itself refuses changes.
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY,
    company_id   TEXT NOT NULL,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    action       TEXT NOT NULL,
    before       TEXT,
    after        TEXT,
    reason       TEXT,
    details      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_subject ON audit_events (company_id, subject_type, subject_id, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
