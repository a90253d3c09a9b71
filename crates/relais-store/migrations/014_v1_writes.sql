-- Writes through the public API v1 (issue 10): projects get their
-- timestamps, unique names and ids that are never handed out twice.

-- Rows that exist already were made before anyone asked when: they get the
-- time of this migration.
ALTER TABLE projects ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE projects
   SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');

-- One project of a name per company, whatever the letter case: time booked
-- on "Mobile app" and "mobile app" would be one project told apart by
-- nobody. The index is the rule, so two requests racing with one name
-- cannot both win.
CREATE UNIQUE INDEX projects_name ON projects (tenant, name COLLATE NOCASE);

-- The last project id handed out per company. A deleted project's id is not
-- given to the next one: a client holding the old id would otherwise book
-- time on a project it never meant.
CREATE TABLE project_ids (
    tenant  INTEGER PRIMARY KEY,
    last_id INTEGER NOT NULL
) STRICT;

-- Whether a project still has attendances (before deleting it), without
-- reading every attendance of the company.
CREATE INDEX attendances_by_project ON attendances (tenant, project_id) WHERE project_id IS NOT NULL;
