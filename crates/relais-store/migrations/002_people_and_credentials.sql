-- A small integer per company for the large people tables: 5 million
-- attendance rows carry it, where a 36-character company id would cost
-- ~180 MB.
ALTER TABLE companies ADD COLUMN tenant INTEGER;
UPDATE companies SET tenant = rowid;
CREATE UNIQUE INDEX companies_tenant ON companies (tenant);

-- People data. Employees are JSON documents (the current snapshot) with the
-- columns queries filter on; their past values live in employee_history.
-- A rowid table, not WITHOUT ROWID: the documents are large, and paging
-- walks the small (tenant, id) index instead of the documents.
CREATE TABLE employees (
    row              INTEGER PRIMARY KEY,
    tenant           INTEGER NOT NULL,
    id               INTEGER NOT NULL,
    email            TEXT NOT NULL,
    last_modified_at TEXT NOT NULL,
    document         TEXT NOT NULL,
    UNIQUE (tenant, id)
) STRICT;
CREATE INDEX employees_email ON employees (tenant, email);

CREATE TABLE employee_history (
    tenant         INTEGER NOT NULL,
    employee_id    INTEGER NOT NULL,
    attribute      TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    value          TEXT NOT NULL,
    PRIMARY KEY (tenant, employee_id, attribute, effective_from)
) STRICT, WITHOUT ROWID;

CREATE TABLE custom_attributes (
    tenant   INTEGER NOT NULL,
    id       INTEGER NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE projects (
    tenant INTEGER NOT NULL,
    id     INTEGER NOT NULL,
    name   TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE attendances (
    id            INTEGER PRIMARY KEY,
    tenant        INTEGER NOT NULL,
    employee_id   INTEGER NOT NULL,
    date          TEXT NOT NULL,
    start_time    TEXT NOT NULL,
    end_time      TEXT NOT NULL,
    break_minutes INTEGER NOT NULL,
    project_id    INTEGER,
    status        TEXT NOT NULL,
    comment       TEXT,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX attendances_by_date ON attendances (tenant, date, employee_id);

CREATE TABLE time_off_types (
    tenant            INTEGER NOT NULL,
    id                INTEGER NOT NULL,
    document          TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE time_offs (
    id               INTEGER PRIMARY KEY,
    tenant           INTEGER NOT NULL,
    employee_id      INTEGER NOT NULL,
    time_off_type_id INTEGER NOT NULL,
    status           TEXT NOT NULL,
    start_date       TEXT NOT NULL,
    end_date         TEXT NOT NULL,
    half_day_start   INTEGER NOT NULL,
    half_day_end     INTEGER NOT NULL,
    days_count       REAL NOT NULL,
    comment          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX time_offs_by_date ON time_offs (tenant, end_date, start_date);

CREATE TABLE absence_periods (
    tenant           INTEGER NOT NULL,
    id               TEXT NOT NULL,
    employee_id      INTEGER NOT NULL,
    time_off_type_id INTEGER NOT NULL,
    start            TEXT NOT NULL,
    end              TEXT NOT NULL,
    status           TEXT NOT NULL,
    comment          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX absence_periods_by_start ON absence_periods (tenant, start);

CREATE TABLE document_categories (
    tenant INTEGER NOT NULL,
    id     INTEGER NOT NULL,
    name   TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) STRICT, WITHOUT ROWID;

-- Public-API credentials: only the hash of the client secret is kept.
CREATE TABLE api_credentials (
    client_id           TEXT PRIMARY KEY,
    company_id          TEXT NOT NULL REFERENCES companies (id),
    name                TEXT NOT NULL,
    integration         TEXT,
    scopes              TEXT NOT NULL,
    readable_attributes TEXT NOT NULL,
    secret_hash         TEXT NOT NULL,
    generation          INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    revoked_at          TEXT
) STRICT;
CREATE INDEX api_credentials_company ON api_credentials (company_id);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES api_credentials (client_id),
    company_id  TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    secret_hash TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) STRICT;
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);
