-- Events: the transactional outbox. A change that is an event (a connection's
-- status, a finished run, a credential, a request) writes its event here in
-- its own transaction, with one delivery per subscribed webhook endpoint, so
-- a stored change is always told, even when the process dies before telling.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    company_id TEXT NOT NULL REFERENCES companies (id),
    kind       TEXT NOT NULL,
    at         TEXT NOT NULL,
    body       TEXT NOT NULL  -- the JSON every delivery sends, byte for byte
) STRICT;
CREATE INDEX events_company ON events (company_id, seq);

CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    company_id            TEXT NOT NULL REFERENCES companies (id),
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    events                TEXT NOT NULL,  -- JSON array of event types
    enabled               INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    secret                TEXT NOT NULL,  -- sealed
    previous_secret       TEXT,           -- sealed; signs too until previous_secret_until
    previous_secret_until TEXT,
    failing_since         TEXT,
    disabled_reason       TEXT,
    created_at            TEXT NOT NULL,
    revision              INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX webhook_endpoints_company ON webhook_endpoints (company_id, created_at);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    company_id      TEXT NOT NULL REFERENCES companies (id),
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES events (id),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_until     TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    status_code INTEGER,
    duration_ms INTEGER NOT NULL,
    response    TEXT,
    error       TEXT
) STRICT;
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- E-mail alerts: the events an admin is alerted of, digested per subject (a
-- connection, an endpoint): at most one mail an hour about each.
CREATE TABLE alerts (
    event_id    TEXT PRIMARY KEY REFERENCES events (id),
    company_id  TEXT NOT NULL REFERENCES companies (id),
    subject     TEXT NOT NULL,  -- connection:<id> or webhook_endpoint:<id>
    at          TEXT NOT NULL,
    mailed_at   TEXT,
    lease_until TEXT
) STRICT;
CREATE INDEX alerts_unmailed ON alerts (at) WHERE mailed_at IS NULL;
CREATE INDEX alerts_subject ON alerts (subject, mailed_at);

-- Users who turned e-mail alerts off.
CREATE TABLE alert_opt_outs (
    company_id TEXT NOT NULL REFERENCES companies (id),
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (company_id, user_id)
) STRICT;

-- Connection health: since when every run failed (a connection failing too
-- long is turned off, its admins warned a day before), and whether an admin
-- paused its schedule.
ALTER TABLE sync_state ADD COLUMN failing_since TEXT;
ALTER TABLE sync_state ADD COLUMN warned_at TEXT;
ALTER TABLE sync_state ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1));
