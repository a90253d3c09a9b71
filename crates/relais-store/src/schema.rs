//! The schema, as one list of versioned steps for both backends.

/// One schema version: the SQL that brings a database from the version
/// before to this one, in each backend's dialect.
pub(crate) struct Step {
    /// SQLite's SQL.
    pub sqlite: &'static str,
    /// PostgreSQL's SQL. Empty for the steps up to [`POSTGRES_BASELINE`]:
    /// no PostgreSQL database existed before it, and the baseline creates
    /// what those steps built.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub postgres: &'static str,
}

/// The version PostgreSQL databases start at, and the SQL that creates its
/// whole schema.
#[cfg(any(test, feature = "postgres"))]
pub(crate) const POSTGRES_BASELINE: (usize, &str) =
    (14, include_str!("../migrations/postgres/014_baseline.sql"));

const fn sqlite_only(sqlite: &'static str) -> Step {
    Step {
        sqlite,
        postgres: "",
    }
}

/// One step per release that changed the schema. Append only: never edit a
/// step that has shipped. Every step after the PostgreSQL baseline gives
/// both dialects, and `a_later_step_speaks_both_dialects` checks it.
pub(crate) const STEPS: &[Step] = &[
    sqlite_only(include_str!("../migrations/001_catalog_and_access.sql")),
    sqlite_only(include_str!("../migrations/002_people_and_credentials.sql")),
    sqlite_only(include_str!("../migrations/003_connections_and_audit.sql")),
    sqlite_only(include_str!("../migrations/004_reports.sql")),
    sqlite_only(include_str!("../migrations/005_sync.sql")),
    sqlite_only(include_str!("../migrations/006_connection_revisions.sql")),
    sqlite_only(include_str!("../migrations/007_one_running_run.sql")),
    sqlite_only(include_str!("../migrations/008_operator_state.sql")),
    sqlite_only(include_str!("../migrations/009_console_sign_in.sql")),
    sqlite_only(include_str!("../migrations/010_entries_in_run_order.sql")),
    sqlite_only(include_str!("../migrations/011_recruiting.sql")),
    sqlite_only(include_str!("../migrations/012_employee_documents.sql")),
    sqlite_only(include_str!("../migrations/013_employee_writes.sql")),
    sqlite_only(include_str!("../migrations/014_v1_writes.sql")),
    Step {
        sqlite: include_str!("../migrations/015_one_run_per_cycle.sql"),
        postgres: include_str!("../migrations/postgres/015_one_run_per_cycle.sql"),
    },
    Step {
        sqlite: include_str!("../migrations/016_events_and_webhooks.sql"),
        postgres: include_str!("../migrations/postgres/016_events_and_webhooks.sql"),
    },
    Step {
        sqlite: include_str!("../migrations/017_scim_groups.sql"),
        postgres: include_str!("../migrations/postgres/017_scim_groups.sql"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_step_speaks_both_dialects() {
        assert!(POSTGRES_BASELINE.0 <= STEPS.len());
        for (index, step) in STEPS.iter().enumerate().skip(POSTGRES_BASELINE.0) {
            assert!(
                !step.postgres.trim().is_empty(),
                "schema step {} has no PostgreSQL SQL",
                index + 1
            );
        }
    }
}
