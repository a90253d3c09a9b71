-- The Marketplace catalog: platform-wide, one JSON document per integration.
CREATE TABLE catalog_integrations (
    slug     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    document TEXT NOT NULL
) STRICT;

CREATE TABLE catalog_meta (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    source            TEXT NOT NULL,
    loaded_at         TEXT NOT NULL,
    integration_count INTEGER NOT NULL
) STRICT;

-- Tenants and their users.
CREATE TABLE companies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    company_id        TEXT NOT NULL REFERENCES companies (id),
    email             TEXT NOT NULL,
    name              TEXT NOT NULL,
    marketplace_right TEXT NOT NULL CHECK (marketplace_right IN ('none', 'view', 'edit')),
    created_at        TEXT NOT NULL,
    UNIQUE (company_id, email)
) STRICT;

-- Personal access tokens for the admin API: only the hash of the secret is kept.
CREATE TABLE personal_access_tokens (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT
) STRICT;

CREATE INDEX personal_access_tokens_user ON personal_access_tokens (company_id, user_id);
