use chrono::{DateTime, Utc};
use relais_access::CompanyId;
use relais_people::EmployeeId;
use relais_sync::{GroupLink, RunStatus, SyncEntry, SyncRun, TargetLink};
use rusqlite::{OptionalExtension, params};

use super::people::Where;
use super::{
    SqliteStore, backend, conflict_or_backend, corrupt, json, parse_timestamp, parse_uuid,
    sortable, timestamp,
};
use crate::layout::{ENTRY_COLUMNS, status_name};
use crate::{
    EntryFilter, Paged, RunProgress, StoreError, StoredEntry, SyncState, SyncStore, Window,
};

fn entry_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredEntry, StoreError>> {
    const T: &str = "sync_entries";
    let id: i64 = row.get(0)?;
    let run_id: String = row.get(1)?;
    let at: String = row.get(2)?;
    let employee_id: i64 = row.get(3)?;
    let use_case: String = row.get(4)?;
    let status: String = row.get(5)?;
    let message: String = row.get(6)?;
    let response: Option<String> = row.get(7)?;
    let changes: String = row.get(8)?;
    let group: Option<String> = row.get(9)?;
    Ok((|| {
        Ok(StoredEntry {
            id,
            run_id: parse_uuid(T, &run_id)?,
            entry: SyncEntry {
                at: parse_timestamp(T, &at)?,
                employee_id,
                group: group
                    .map(|g| serde_json::from_str(&g))
                    .transpose()
                    .map_err(|e| corrupt(T, e))?,
                use_case: serde_json::from_value(serde_json::Value::String(use_case))
                    .map_err(|e| corrupt(T, e))?,
                status: serde_json::from_value(serde_json::Value::String(status))
                    .map_err(|e| corrupt(T, e))?,
                message,
                response: response
                    .map(|r| serde_json::from_str(&r))
                    .transpose()
                    .map_err(|e| corrupt(T, e))?,
                changes: serde_json::from_str(&changes).map_err(|e| corrupt(T, e))?,
            },
        })
    })())
}

fn insert_entries(
    tx: &rusqlite::Connection,
    run: &SyncRun,
    entries: &[SyncEntry],
) -> Result<(), StoreError> {
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO sync_entries (run_id, connection_id, at, employee_id, use_case, status, message, response, changes, subject_group)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(backend)?;
    let (run_id, connection_id) = (run.id.to_string(), run.connection_id.to_string());
    for e in entries {
        insert
            .execute(params![
                run_id,
                connection_id,
                sortable(e.at),
                e.employee_id,
                e.use_case.as_str(),
                e.status.as_str(),
                e.message,
                e.response.as_ref().map(json).transpose()?,
                json(&e.changes)?,
                e.group.as_ref().map(json).transpose()?,
            ])
            .map_err(backend)?;
    }
    Ok(())
}

fn update_links(
    tx: &rusqlite::Connection,
    connection: uuid::Uuid,
    upserted: &[TargetLink],
    removed: &[EmployeeId],
) -> Result<(), StoreError> {
    let id = connection.to_string();
    for l in upserted {
        tx.execute(
            "INSERT INTO scim_links (connection_id, employee_id, target_id, snapshot, active) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (connection_id, employee_id) DO UPDATE SET target_id = excluded.target_id,
                snapshot = excluded.snapshot, active = excluded.active",
            params![id, l.employee_id, l.target_id, l.snapshot.to_string(), l.active],
        )
        .map_err(backend)?;
    }
    for e in removed {
        tx.execute(
            "DELETE FROM scim_links WHERE connection_id = ?1 AND employee_id = ?2",
            params![id, e],
        )
        .map_err(backend)?;
    }
    Ok(())
}

fn update_group_links(
    tx: &rusqlite::Connection,
    connection: uuid::Uuid,
    upserted: &[GroupLink],
    removed: &[String],
) -> Result<(), StoreError> {
    let id = connection.to_string();
    for l in upserted {
        tx.execute(
            "INSERT INTO scim_group_links (connection_id, group_key, target_id, snapshot) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (connection_id, group_key) DO UPDATE SET target_id = excluded.target_id,
                snapshot = excluded.snapshot",
            params![id, l.key, l.target_id, l.snapshot.to_string()],
        )
        .map_err(backend)?;
    }
    for key in removed {
        tx.execute(
            "DELETE FROM scim_group_links WHERE connection_id = ?1 AND group_key = ?2",
            params![id, key],
        )
        .map_err(backend)?;
    }
    Ok(())
}

/// The events of a run finishing in this transaction (see
/// [`relais_events::from_finished_run`]).
fn finished_run_events(
    tx: &rusqlite::Connection,
    company: CompanyId,
    run: &SyncRun,
) -> Result<Vec<relais_events::Event>, StoreError> {
    let connection = run.connection_id.to_string();
    let integration: Option<String> = tx
        .query_row(
            "SELECT integration FROM connections WHERE id = ?1",
            [&connection],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    let mut select = tx
        .prepare_cached(
            "SELECT document FROM sync_runs WHERE connection_id = ?1 AND id <> ?2 AND status <> 'running'
             ORDER BY started_at DESC LIMIT 20",
        )
        .map_err(backend)?;
    let documents = select
        .query_map([connection, run.id.to_string()], |r| r.get::<_, String>(0))
        .map_err(backend)?;
    let mut previous_failed = false;
    for document in documents {
        let previous: SyncRun = serde_json::from_str(&document.map_err(backend)?)
            .map_err(|e| corrupt("sync_runs", e))?;
        if !previous.interrupted {
            previous_failed = previous.status == RunStatus::Failed;
            break;
        }
    }
    Ok(relais_events::from_finished_run(
        company,
        run,
        integration.as_deref().unwrap_or_default(),
        previous_failed,
    ))
}

/// A connection's sync health as `conn` sees it (the default when none is stored).
fn read_sync_state(
    conn: &rusqlite::Connection,
    connection: uuid::Uuid,
) -> Result<SyncState, StoreError> {
    const T: &str = "sync_state";
    type Row = (u32, Option<String>, Option<String>, Option<String>, bool);

    let row: Option<Row> = conn
        .query_row(
            "SELECT consecutive_auth_failures, last_success_at, failing_since, warned_at, paused
             FROM sync_state WHERE connection_id = ?1",
            [connection.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()
        .map_err(backend)?;
    let time = |t: Option<String>| t.map(|t| parse_timestamp(T, &t)).transpose();
    Ok(match row {
        None => SyncState::default(),
        Some((failures, last, failing_since, warned_at, paused)) => SyncState {
            consecutive_auth_failures: failures,
            last_success_at: time(last)?,
            failing_since: time(failing_since)?,
            warned_at: time(warned_at)?,
            paused,
        },
    })
}

/// Saves a connection's sync health (all but `paused`) through `conn`.
fn write_sync_state(
    conn: &rusqlite::Connection,
    connection: uuid::Uuid,
    state: &SyncState,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_state (connection_id, consecutive_auth_failures, last_success_at, failing_since, warned_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (connection_id) DO UPDATE SET consecutive_auth_failures = excluded.consecutive_auth_failures,
            last_success_at = excluded.last_success_at, failing_since = excluded.failing_since,
            warned_at = excluded.warned_at",
        params![
            connection.to_string(),
            state.consecutive_auth_failures,
            state.last_success_at.map(timestamp),
            state.failing_since.map(timestamp),
            state.warned_at.map(timestamp)
        ],
    )
    .map_err(backend)?;
    Ok(())
}

impl SyncStore for SqliteStore {
    fn start_run(
        &self,
        company: CompanyId,
        run: &SyncRun,
        scheduled_after: Option<&str>,
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO sync_runs (id, company_id, connection_id, started_at, status, document, scheduled_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![run.id.to_string(), company.0.to_string(), run.connection_id.to_string(), sortable(run.started_at), status_name(run.status), json(run)?, scheduled_after],
        )
        .map_err(|e| conflict_or_backend(e, || "a running sync run of this connection, or a run of this cycle,".to_owned()))?;
        Ok(())
    }

    fn advance_run(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
        progress: RunProgress<'_>,
        change: &mut (dyn FnMut(&mut SyncRun) + Send),
    ) -> Result<SyncRun, StoreError> {
        let mut conn = self.conn()?;
        // Immediate: the run is read and written under the write lock, so
        // concurrent batches are counted one after the other.
        let tx = conn.transaction().map_err(backend)?;
        let document: Option<String> = tx
            .query_row(
                "SELECT document FROM sync_runs WHERE company_id = ?1 AND id = ?2",
                [company.0.to_string(), id.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        let document = document.ok_or_else(|| corrupt("sync_runs", format!("no run {id}")))?;
        let mut run: SyncRun =
            serde_json::from_str(&document).map_err(|e| corrupt("sync_runs", e))?;
        if run.status != RunStatus::Running {
            return Err(StoreError::Changed(format!("sync run {id} is finished")));
        }
        insert_entries(&tx, &run, progress.entries)?;
        for entry in progress.entries {
            run.record(entry);
        }
        update_links(
            &tx,
            run.connection_id,
            progress.upserted_links,
            progress.removed_links,
        )?;
        update_group_links(
            &tx,
            run.connection_id,
            progress.upserted_group_links,
            progress.removed_group_links,
        )?;
        change(&mut run);
        if run.status != RunStatus::Running {
            let events = finished_run_events(&tx, company, &run)?;
            super::webhooks::insert_outbox(&tx, &events)?;
        }
        tx.execute(
            "UPDATE sync_runs SET status = ?3, document = ?4 WHERE company_id = ?1 AND id = ?2",
            params![
                company.0.to_string(),
                id.to_string(),
                status_name(run.status),
                json(&run)?
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(run)
    }

    fn run(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<SyncRun>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            "SELECT document FROM sync_runs WHERE company_id = ?1 AND id = ?2",
            [company.0.to_string(), id.to_string()],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(backend)?
        .map(|d| serde_json::from_str(&d).map_err(|e| corrupt("sync_runs", e)))
        .transpose()
    }

    fn runs(
        &self,
        company: CompanyId,
        connection: uuid::Uuid,
        status: Option<RunStatus>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        window: Window,
    ) -> Result<Paged<SyncRun>, StoreError> {
        let mut filters = Where::new("company_id = ?", company.0.to_string());
        filters.and("connection_id = ?", connection.to_string());
        if let Some(s) = status {
            filters.and("status = ?", status_name(s).to_owned());
        }
        if let Some(f) = from {
            filters.and("started_at >= ?", sortable(f));
        }
        if let Some(t) = to {
            filters.and("started_at <= ?", sortable(t));
        }
        filters.page(
            &*self.conn()?,
            "sync_runs",
            "document",
            "started_at DESC, id DESC",
            window,
            |row| {
                let document: String = row.get(0)?;
                Ok(serde_json::from_str(&document).map_err(|e| corrupt("sync_runs", e)))
            },
        )
    }

    fn running_runs(&self) -> Result<Vec<(CompanyId, SyncRun)>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare("SELECT company_id, document FROM sync_runs WHERE status = 'running'")
            .map_err(backend)?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(backend)?;
        rows.map(|r| {
            let (company, document) = r.map_err(backend)?;
            Ok((
                CompanyId(parse_uuid("sync_runs", &company)?),
                serde_json::from_str(&document).map_err(|e| corrupt("sync_runs", e))?,
            ))
        })
        .collect()
    }

    fn entries(
        &self,
        run: uuid::Uuid,
        filter: &EntryFilter,
        window: Window,
    ) -> Result<Paged<StoredEntry>, StoreError> {
        // One employee's entries are few: find them by the employee index
        // (through the run's connection), and check the other terms on
        // those rows only. A leading `+` keeps SQLite from choosing the run
        // indexes for a term, which would read every entry of a large run.
        let by_employee = filter.employee_id.is_some();
        let term = |column: &str| {
            if by_employee {
                format!("+{column} = ?")
            } else {
                format!("{column} = ?")
            }
        };
        let mut filters = Where::new(&term("run_id"), run.to_string());
        if let Some(s) = filter.status {
            filters.and(&term("status"), s.as_str().to_owned());
        }
        if let Some(u) = filter.use_case {
            filters.and(&term("use_case"), u.as_str().to_owned());
        }
        if let Some(e) = filter.employee_id {
            filters.and("employee_id = ?", e);
            filters.and(
                "connection_id = (SELECT connection_id FROM sync_runs WHERE id = ?)",
                run.to_string(),
            );
        }
        if let Some(id) = filter.id {
            filters.and("id = ?", id);
        }
        if let Some(after) = filter.after_id {
            filters.and("id > ?", after);
        }
        filters.page(
            &*self.conn()?,
            "sync_entries",
            ENTRY_COLUMNS,
            "id",
            window,
            entry_row,
        )
    }

    fn employee_entries(
        &self,
        connection: uuid::Uuid,
        employee: EmployeeId,
        window: Window,
    ) -> Result<Paged<StoredEntry>, StoreError> {
        let mut filters = Where::new("connection_id = ?", connection.to_string());
        filters.and("employee_id = ?", employee);
        filters.page(
            &*self.conn()?,
            "sync_entries",
            ENTRY_COLUMNS,
            "id DESC",
            window,
            entry_row,
        )
    }

    fn purge_entries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let conn = self.conn()?;
        let n = conn
            .execute("DELETE FROM sync_entries WHERE at < ?1", [sortable(before)])
            .map_err(backend)?;
        Ok(n as u64)
    }

    fn scim_links(&self, connection: uuid::Uuid) -> Result<Vec<TargetLink>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare("SELECT employee_id, target_id, snapshot, active FROM scim_links WHERE connection_id = ?1")
            .map_err(backend)?;
        let rows = statement
            .query_map([connection.to_string()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .map_err(backend)?;
        rows.map(|r| {
            let (employee_id, target_id, snapshot, active) = r.map_err(backend)?;
            Ok(TargetLink {
                employee_id,
                target_id,
                snapshot: serde_json::from_str(&snapshot).map_err(|e| corrupt("scim_links", e))?,
                active,
            })
        })
        .collect()
    }

    fn scim_group_links(&self, connection: uuid::Uuid) -> Result<Vec<GroupLink>, StoreError> {
        const T: &str = "scim_group_links";
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(
                "SELECT group_key, target_id, snapshot FROM scim_group_links WHERE connection_id = ?1
                 ORDER BY group_key",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map([connection.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(backend)?;
        rows.map(|r| {
            let (key, target_id, snapshot) = r.map_err(backend)?;
            Ok(GroupLink {
                key,
                target_id,
                snapshot: serde_json::from_str(&snapshot).map_err(|e| corrupt(T, e))?,
            })
        })
        .collect()
    }

    fn sync_state(&self, connection: uuid::Uuid) -> Result<SyncState, StoreError> {
        let conn = self.conn()?;
        read_sync_state(&conn, connection)
    }

    fn update_sync_state(
        &self,
        connection: uuid::Uuid,
        change: &mut (dyn FnMut(&mut SyncState) + Send),
    ) -> Result<SyncState, StoreError> {
        let mut conn = self.conn()?;
        // Immediate: read and written under the write lock.
        let tx = conn.transaction().map_err(backend)?;
        let mut state = read_sync_state(&tx, connection)?;
        change(&mut state);
        write_sync_state(&tx, connection, &state)?;
        tx.commit().map_err(backend)?;
        Ok(state)
    }

    fn save_sync_state(&self, connection: uuid::Uuid, state: &SyncState) -> Result<(), StoreError> {
        let conn = self.conn()?;
        write_sync_state(&conn, connection, state)
    }
    fn set_sync_paused(&self, connection: uuid::Uuid, paused: bool) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let id = connection.to_string();
        let before: Option<bool> = tx
            .query_row(
                "SELECT paused FROM sync_state WHERE connection_id = ?1",
                [&id],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        tx.execute(
            "INSERT INTO sync_state (connection_id, consecutive_auth_failures, paused) VALUES (?1, 0, ?2)
             ON CONFLICT (connection_id) DO UPDATE SET paused = excluded.paused",
            params![id, paused],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(before.unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SyncStore;
    use relais_sync::{Cycle, Trigger};

    fn running(connection: uuid::Uuid) -> SyncRun {
        SyncRun::start(connection, Trigger::Scheduled, Cycle::Full, Utc::now())
    }

    /// Run on the backend the tests are run on (SQLite, or PostgreSQL with
    /// `RELAIS_TEST_POSTGRES`): 30 threads change one connection's health
    /// at once, each read-modify-write seeing the one before it.
    #[test]
    fn concurrent_health_updates_never_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        // The test databases (PostgreSQL's among them) need the feature;
        // without it the crate has SQLite alone.
        #[cfg(feature = "postgres")]
        let location = crate::testing::database_in(dir.path());
        #[cfg(not(feature = "postgres"))]
        let location = dir.path().join("relais.db");
        let store = crate::open(location.as_os_str()).unwrap();
        let connection = uuid::Uuid::now_v7();
        std::thread::scope(|scope| {
            for _ in 0..30 {
                let store = &store;
                scope.spawn(move || {
                    store
                        .update_sync_state(connection, &mut |state| {
                            state.consecutive_auth_failures += 1;
                        })
                        .unwrap();
                });
            }
        });
        assert_eq!(
            store
                .sync_state(connection)
                .unwrap()
                .consecutive_auth_failures,
            30
        );
    }

    #[test]
    fn a_second_running_run_of_a_connection_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let company = CompanyId(uuid::Uuid::now_v7());
        let connection = uuid::Uuid::now_v7();
        let first = running(connection);
        store.start_run(company, &first, None).unwrap_err(); // no such company: foreign key
        let company = super::super::tests::seed(&store).id;
        store.start_run(company, &first, None).unwrap();
        let err = store
            .start_run(company, &running(connection), None)
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        // Another connection runs beside it; after finishing, the next may start.
        store
            .start_run(company, &running(uuid::Uuid::now_v7()), None)
            .unwrap();
        store
            .advance_run(company, first.id, RunProgress::default(), &mut |r| {
                r.finish(None, Utc::now());
            })
            .unwrap();
        store
            .start_run(company, &running(connection), None)
            .unwrap();
        let err = store
            .advance_run(company, first.id, RunProgress::default(), &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Changed(_)),
            "a finished run is final"
        );
    }

    #[test]
    fn one_run_per_scheduled_cycle_whoever_claims_it_second() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let company = super::super::tests::seed(&store).id;
        let connection = uuid::Uuid::now_v7();
        let first = running(connection);
        store.start_run(company, &first, Some("")).unwrap();
        store
            .advance_run(company, first.id, RunProgress::default(), &mut |r| {
                r.finish(None, Utc::now());
            })
            .unwrap();
        // A second scheduler that saw no run either claims the same cycle.
        let err = store
            .start_run(company, &running(connection), Some(""))
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        // The next cycle follows the first run; manual runs claim nothing.
        let after = sortable(first.started_at);
        store
            .start_run(company, &running(connection), Some(&after))
            .unwrap();
        // While it runs, nothing else starts (the one-running-run rule).
        let manual = running(connection);
        assert!(store.start_run(company, &manual, None).is_err());
    }

    #[test]
    fn runs_that_ran_side_by_side_before_the_upgrade_are_closed_but_the_newest() {
        let (_dir, path, company) = super::super::tests::database_at(6);
        let company = company.id;
        let connection = uuid::Uuid::now_v7();
        let (older, newer) = (running(connection), running(connection));
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for run in [&older, &newer] {
                conn.execute(
                    "INSERT INTO sync_runs (id, company_id, connection_id, started_at, status, document) VALUES (?1, ?2, ?3, ?4, 'running', ?5)",
                    params![run.id.to_string(), company.0.to_string(), connection.to_string(), sortable(run.started_at), json(run).unwrap()],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(&path).unwrap();
        let older = store.run(company, older.id).unwrap().unwrap();
        assert_eq!(older.status, RunStatus::Failed);
        assert!(older.finished_at.is_some());
        assert!(older.error.unwrap().message.contains("closed on upgrade"));
        assert_eq!(
            store.run(company, newer.id).unwrap().unwrap().status,
            RunStatus::Running
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(24))]

        /// Whatever the filter and window, a run's entries are exactly the
        /// matching ones, in the order written, whichever index answers.
        #[test]
        fn a_runs_entries_are_exactly_those_its_filter_matches(
            written in proptest::collection::vec((0_usize..3, 1_i64..6, 0_usize..4, 0_usize..3), 1..60),
            status in proptest::option::of(0_usize..3),
            use_case in proptest::option::of(0_usize..4),
            employee in proptest::option::of(1_i64..6),
            offset in 0_u64..40,
            limit in 1_u64..30,
        ) {
            use relais_sync::{EntryStatus, SyncEntry, UseCase};
            let statuses = [EntryStatus::Success, EntryStatus::Failed, EntryStatus::Skipped];
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
            let company = super::super::tests::seed(&store).id;
            // The run read (`queried`) has an earlier run of its connection
            // (its entries share employees) and runs beside a run of another
            // connection, their entries interleaved with its own.
            let shared = uuid::Uuid::now_v7();
            let (earlier, queried, beside) =
                (running(shared), running(shared), running(uuid::Uuid::now_v7()));
            let entry = |k: usize, employee_id: i64, use_case: usize, status: usize| SyncEntry {
                at: Utc::now(),
                employee_id,
                group: None,
                use_case: UseCase::ALL[use_case],
                status: statuses[status],
                message: format!("entry {k}"),
                response: None,
                changes: vec![],
            };
            let append = |run: &SyncRun, e: &SyncEntry| {
                store
                    .advance_run(company, run.id, RunProgress { entries: std::slice::from_ref(e), ..Default::default() }, &mut |_| {})
                    .unwrap();
            };
            store.start_run(company, &earlier, None).unwrap();
            for (k, (_, employee_id, use_case, status)) in written.iter().enumerate() {
                append(&earlier, &entry(k, *employee_id, *use_case, *status));
            }
            store
                .advance_run(company, earlier.id, RunProgress::default(), &mut |r| r.finish(None, Utc::now()))
                .unwrap();
            store.start_run(company, &queried, None).unwrap();
            store.start_run(company, &beside, None).unwrap();
            let mut expected = Vec::new();
            for (k, (run, employee_id, use_case, status)) in written.iter().enumerate() {
                let e = entry(k, *employee_id, *use_case, *status);
                if *run == 0 {
                    append(&beside, &e);
                } else {
                    append(&queried, &e);
                    expected.push(e);
                }
            }
            let filter = crate::EntryFilter {
                status: status.map(|s| statuses[s]),
                use_case: use_case.map(|u| UseCase::ALL[u]),
                employee_id: employee,
                ..Default::default()
            };
            let matching: Vec<&SyncEntry> = expected
                .iter()
                .filter(|e| filter.status.is_none_or(|s| e.status == s))
                .filter(|e| filter.use_case.is_none_or(|u| e.use_case == u))
                .filter(|e| filter.employee_id.is_none_or(|id| e.employee_id == id))
                .collect();
            let found = store.entries(queried.id, &filter, crate::Window { offset, limit }).unwrap();
            proptest::prop_assert_eq!(found.total, matching.len() as u64);
            let messages: Vec<&str> = found.rows.iter().map(|e| e.entry.message.as_str()).collect();
            let wanted: Vec<&str> = matching
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|e| e.message.as_str())
                .collect();
            proptest::prop_assert_eq!(messages, wanted);
            // Keyset paging from a row continues right after it.
            if let Some(first) = found.rows.first() {
                let next = store
                    .entries(
                        queried.id,
                        &crate::EntryFilter { after_id: Some(first.id), ..filter.clone() },
                        crate::Window { offset: 0, limit },
                    )
                    .unwrap();
                let messages: Vec<&str> = next.rows.iter().map(|e| e.entry.message.as_str()).collect();
                let wanted: Vec<&str> = matching
                    .iter()
                    .skip(offset as usize + 1)
                    .take(limit as usize)
                    .map(|e| e.message.as_str())
                    .collect();
                proptest::prop_assert_eq!(messages, wanted);
            }
        }
    }
}
