-- Recruiting. Jobs, candidates and applications are JSON documents (the
-- domain types) with the columns queries filter, sort and constrain on.

-- A company's recruiting set-up: the recruiting API key (only its hash),
-- the switches, and its categories, channels, attributes and tags as one
-- document (small, read whole, changed rarely).
CREATE TABLE recruiting_setups (
    tenant         INTEGER PRIMARY KEY,
    key_hash       TEXT,
    key_created_at TEXT,
    enabled        INTEGER NOT NULL,
    public_api     INTEGER NOT NULL,
    xml_feed       INTEGER NOT NULL,
    document       TEXT NOT NULL
) STRICT;

CREATE TABLE job_positions (
    row        INTEGER PRIMARY KEY,
    tenant     INTEGER NOT NULL,
    id         INTEGER NOT NULL CHECK (id > 0),
    published  INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    document   TEXT NOT NULL,
    UNIQUE (tenant, id)
) STRICT;
CREATE INDEX job_positions_by_update ON job_positions (tenant, updated_at, id);

-- One candidate per e-mail and company, whatever the jobs they applied to.
CREATE TABLE candidates (
    row        INTEGER PRIMARY KEY,
    tenant     INTEGER NOT NULL,
    id         INTEGER NOT NULL CHECK (id > 0),
    email      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    document   TEXT NOT NULL,
    UNIQUE (tenant, id),
    UNIQUE (tenant, email)
) STRICT;
CREATE INDEX candidates_by_update ON candidates (tenant, updated_at, id);

-- One application per candidate and job: the unique key is what refuses
-- a second one (errors.applicant-already-exists), also under races.
CREATE TABLE applications (
    row          INTEGER PRIMARY KEY,
    tenant       INTEGER NOT NULL,
    id           INTEGER NOT NULL CHECK (id > 0),
    candidate_id INTEGER NOT NULL,
    job_id       INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    document     TEXT NOT NULL,
    UNIQUE (tenant, id),
    UNIQUE (tenant, job_id, candidate_id),
    FOREIGN KEY (tenant, candidate_id) REFERENCES candidates (tenant, id),
    FOREIGN KEY (tenant, job_id) REFERENCES job_positions (tenant, id)
) STRICT;
CREATE INDEX applications_by_update ON applications (tenant, updated_at, id);
CREATE INDEX applications_by_candidate ON applications (tenant, candidate_id);

CREATE TABLE application_transitions (
    tenant         INTEGER NOT NULL,
    application_id INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    entered_at     TEXT NOT NULL,
    phase          TEXT NOT NULL,
    PRIMARY KEY (tenant, application_id, seq)
) STRICT, WITHOUT ROWID;

-- Files applicants uploaded, in the database with everything else (so that
-- `relais db backup` holds them). An upload is attached to at most one
-- application; unattached ones are removed after a day.
CREATE TABLE recruiting_uploads (
    tenant            INTEGER NOT NULL,
    id                TEXT NOT NULL,
    original_filename TEXT NOT NULL,
    extension         TEXT NOT NULL,
    mimetype          TEXT NOT NULL,
    size              INTEGER NOT NULL CHECK (size >= 0),
    sha256            TEXT NOT NULL,
    content           BLOB NOT NULL,
    created_at        TEXT NOT NULL,
    application_id    INTEGER,
    PRIMARY KEY (tenant, id)
) STRICT;
CREATE INDEX recruiting_uploads_unattached ON recruiting_uploads (tenant, created_at)
    WHERE application_id IS NULL;
