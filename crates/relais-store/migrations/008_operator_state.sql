-- Settings every process using the database must agree on, e.g. the
-- fingerprint of the key that secrets at rest are sealed with (so that a
-- CLI or server started with another key is refused at once).
CREATE TABLE IF NOT EXISTS settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- A demo generation under way, with the options it was started with. The
-- row exists while it runs and after it was interrupted; a rerun with the
-- same options resumes it (employees are written in order, in batches of
-- whole employees), and it is deleted when the generation completes.
CREATE TABLE IF NOT EXISTS demo_generations (
    company_id TEXT PRIMARY KEY REFERENCES companies (id),
    spec       TEXT NOT NULL,
    started_at TEXT NOT NULL
) STRICT;
