-- SCIM groups: departments and teams provisioned as groups of the target.
-- An entry about a group (rather than an employee) names it here, as JSON
-- {"kind": "department" | "team", "id": …, "name": …}; its employee_id is 0.
ALTER TABLE sync_entries ADD COLUMN subject_group TEXT;

-- A department or team and the target group it was provisioned as, with
-- what was last sent (displayName and the members' target ids).
CREATE TABLE scim_group_links (
    connection_id TEXT NOT NULL,
    group_key     TEXT NOT NULL,  -- "department:3", "team:201"
    target_id     TEXT NOT NULL,
    snapshot      TEXT NOT NULL,
    PRIMARY KEY (connection_id, group_key)
) STRICT, WITHOUT ROWID;
