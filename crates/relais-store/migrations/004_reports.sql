-- Custom report definitions, one JSON document each. Ids are unique per
-- company, so that the shipped example reports keep their ids everywhere.
CREATE TABLE reports (
    company_id TEXT NOT NULL REFERENCES companies (id),
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    document   TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, id)
) STRICT;
CREATE INDEX reports_company ON reports (company_id, name);

-- Bumped with every change to a company's people data, so that computed
-- report data knows when it is stale.
CREATE TABLE people_revisions (
    tenant   INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL
) STRICT;

-- Report aggregates read a period's attendances of every employee; this
-- covering index answers them without visiting the table.
CREATE INDEX attendances_worked ON attendances (tenant, date, employee_id, status, start_time, end_time, break_minutes);
