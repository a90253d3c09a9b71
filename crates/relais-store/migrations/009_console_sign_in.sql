-- Sign-in for people (the web console): a password hash per user, server-side
-- sessions and invitations, both kept only as hashes of their secrets.
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE INDEX users_email ON users (email);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies (id),
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invites (
    id_hash    TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id),
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX invites_user ON invites (user_id);

-- When each API credential last got a token (the console's "last used").
ALTER TABLE api_credentials ADD COLUMN last_used_at TEXT;
