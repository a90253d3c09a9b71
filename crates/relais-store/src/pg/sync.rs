//! PostgreSQL: see `crate::sqlite::sync` (the same queries in PostgreSQL's dialect).
//!
//! Entries are written with one binary `COPY` per batch (a few with one
//! multi-row `INSERT`): the tracking tab's ingest is the busiest write path.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Row, Transaction};
use relais_access::CompanyId;
use relais_people::EmployeeId;
use relais_sync::{GroupLink, RunStatus, SyncEntry, SyncRun, TargetLink};

use super::{
    PostgresStore, backend, conflict_or_backend, corrupt, get, int, json, parse_timestamp,
    parse_uuid, sortable, timestamp,
};
use crate::layout::{ENTRY_COLUMNS, status_name};
use crate::{
    EntryFilter, Paged, RunProgress, StoreError, StoredEntry, SyncState, SyncStore, Window,
};

/// The first half of the key of a run's own advisory lock (the two-part
/// keys are apart from the write lock's one-part key). The bytes spell
/// "RSYN".
const RUN_LOCK_CLASS: i32 = 0x5253_594e;

/// The second half: 32 bits of the run's id (ids that share them only make
/// their runs' batches wait for each other).
fn run_lock_key(run: uuid::Uuid) -> i32 {
    let bytes = run.as_bytes();
    i32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]])
}

/// Batches of at most this many entries are written with one `INSERT`;
/// larger ones with `COPY` (which costs a round trip more to start).
const INSERT_AT_MOST: usize = 32;

fn entry_row(row: &Row) -> Result<StoredEntry, StoreError> {
    const T: &str = "sync_entries";
    let run_id: String = get(T, row, 1)?;
    let at: String = get(T, row, 2)?;
    let use_case: String = get(T, row, 4)?;
    let status: String = get(T, row, 5)?;
    let response: Option<String> = get(T, row, 7)?;
    let changes: String = get(T, row, 8)?;
    let group: Option<String> = get(T, row, 9)?;
    Ok(StoredEntry {
        id: get(T, row, 0)?,
        run_id: parse_uuid(T, &run_id)?,
        entry: SyncEntry {
            at: parse_timestamp(T, &at)?,
            employee_id: get(T, row, 3)?,
            group: group
                .map(|g| serde_json::from_str(&g))
                .transpose()
                .map_err(|e| corrupt(T, e))?,
            use_case: serde_json::from_value(serde_json::Value::String(use_case))
                .map_err(|e| corrupt(T, e))?,
            status: serde_json::from_value(serde_json::Value::String(status))
                .map_err(|e| corrupt(T, e))?,
            message: get(T, row, 6)?,
            response: response
                .map(|r| serde_json::from_str(&r))
                .transpose()
                .map_err(|e| corrupt(T, e))?,
            changes: serde_json::from_str(&changes).map_err(|e| corrupt(T, e))?,
        },
    })
}

/// One entry's stored columns after the run's two.
struct EntryValues<'a> {
    at: String,
    employee_id: i64,
    use_case: &'static str,
    status: &'static str,
    message: &'a str,
    response: Option<String>,
    changes: String,
    group: Option<String>,
}

impl<'a> EntryValues<'a> {
    fn of(e: &'a SyncEntry) -> Result<Self, StoreError> {
        Ok(Self {
            at: sortable(e.at),
            employee_id: e.employee_id,
            use_case: e.use_case.as_str(),
            status: e.status.as_str(),
            message: &e.message,
            response: e.response.as_ref().map(json).transpose()?,
            changes: json(&e.changes)?,
            group: e.group.as_ref().map(json).transpose()?,
        })
    }
}

/// Appends `entries` to run `run_id` of connection `connection_id` in the
/// caller's transaction, in their order (their ids increase in it).
fn insert_entries(
    tx: &mut Transaction<'_>,
    run_id: &String,
    connection_id: &String,
    entries: &[SyncEntry],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    if entries.len() <= INSERT_AT_MOST {
        let values = entries
            .iter()
            .map(EntryValues::of)
            .collect::<Result<Vec<_>, _>>()?;
        let mut sql = String::from(
            "INSERT INTO sync_entries (run_id, connection_id, at, employee_id, use_case, status, message, response, changes, subject_group) VALUES ",
        );
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![run_id, connection_id];
        for (k, v) in values.iter().enumerate() {
            let n = 3 + k * 8;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "($1, $2, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n,
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7
            ));
            params.extend([
                &v.at as &(dyn ToSql + Sync),
                &v.employee_id,
                &v.use_case,
                &v.status,
                &v.message,
                &v.response,
                &v.changes,
                &v.group,
            ]);
        }
        tx.execute(sql.as_str(), &params).map_err(backend)?;
        return Ok(());
    }
    let sink = tx
        .copy_in(
            "COPY sync_entries (run_id, connection_id, at, employee_id, use_case, status, message, response, changes, subject_group)
             FROM STDIN (FORMAT binary)",
        )
        .map_err(backend)?;
    let mut writer = BinaryCopyInWriter::new(
        sink,
        &[
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
        ],
    );
    for e in entries {
        let v = EntryValues::of(e)?;
        writer
            .write(&[
                run_id,
                connection_id,
                &v.at,
                &v.employee_id,
                &v.use_case,
                &v.status,
                &v.message,
                &v.response,
                &v.changes,
                &v.group,
            ])
            .map_err(backend)?;
    }
    writer.finish().map_err(backend)?;
    Ok(())
}

/// Stores `upserted` links and forgets `removed` ones of `connection`, as
/// SQLite's one statement per link does: of a link given twice the last
/// counts, and a link both upserted and removed is gone.
fn update_links(
    tx: &mut Transaction<'_>,
    connection: uuid::Uuid,
    upserted: &[TargetLink],
    removed: &[EmployeeId],
) -> Result<(), StoreError> {
    let id = connection.to_string();
    if !upserted.is_empty() {
        let last: BTreeMap<i64, &TargetLink> =
            upserted.iter().map(|l| (l.employee_id, l)).collect();
        let employees: Vec<i64> = last.keys().copied().collect();
        let targets: Vec<&str> = last.values().map(|l| l.target_id.as_str()).collect();
        let snapshots: Vec<String> = last.values().map(|l| l.snapshot.to_string()).collect();
        let active: Vec<i64> = last.values().map(|l| i64::from(l.active)).collect();
        tx.execute(
            "INSERT INTO scim_links (connection_id, employee_id, target_id, snapshot, active)
             SELECT $1, * FROM unnest($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::BIGINT[])
             ON CONFLICT (connection_id, employee_id) DO UPDATE SET target_id = excluded.target_id,
                snapshot = excluded.snapshot, active = excluded.active",
            &[&id, &employees, &targets, &snapshots, &active],
        )
        .map_err(backend)?;
    }
    if !removed.is_empty() {
        tx.execute(
            "DELETE FROM scim_links WHERE connection_id = $1 AND employee_id = ANY($2)",
            &[&id, &removed],
        )
        .map_err(backend)?;
    }
    Ok(())
}

/// Stores `upserted` group links and forgets `removed` ones of
/// `connection`, in that order, as [`update_links`] does.
fn update_group_links(
    tx: &mut Transaction<'_>,
    connection: uuid::Uuid,
    upserted: &[GroupLink],
    removed: &[String],
) -> Result<(), StoreError> {
    let id = connection.to_string();
    let last: BTreeMap<&str, &GroupLink> = upserted.iter().map(|l| (l.key.as_str(), l)).collect();
    for l in last.values() {
        tx.execute(
            "INSERT INTO scim_group_links (connection_id, group_key, target_id, snapshot) VALUES ($1, $2, $3, $4)
             ON CONFLICT (connection_id, group_key) DO UPDATE SET target_id = excluded.target_id,
                snapshot = excluded.snapshot",
            &[&id, &l.key, &l.target_id, &l.snapshot.to_string()],
        )
        .map_err(backend)?;
    }
    if !removed.is_empty() {
        tx.execute(
            "DELETE FROM scim_group_links WHERE connection_id = $1 AND group_key = ANY($2)",
            &[&id, &removed],
        )
        .map_err(backend)?;
    }
    Ok(())
}

/// `WHERE` terms and their parameters, numbered as they are added.
struct Filters {
    clauses: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Filters {
    fn new() -> Self {
        Self {
            clauses: Vec::new(),
            params: Vec::new(),
        }
    }

    /// Adds `clause`, whose one `?` stands for `value`.
    fn and(&mut self, clause: &str, value: impl ToSql + Sync + Send + 'static) {
        self.params.push(Box::new(value));
        let mark = format!("${}", self.params.len());
        self.clauses.push(clause.replacen('?', &mark, 1));
    }

    /// Counts the matching rows of `table`, then reads one window of them
    /// (the window's ids from the index first, then only those rows).
    fn page<T: Send>(
        &self,
        store: &PostgresStore,
        table: &str,
        columns: &str,
        order: &str,
        window: Window,
        read: impl Fn(&Row) -> Result<T, StoreError> + Send,
    ) -> Result<Paged<T>, StoreError> {
        let filter = self.clauses.join(" AND ");
        let count = format!("SELECT COUNT(*) FROM {table} WHERE {filter}");
        let n = self.params.len();
        let select = format!(
            "SELECT {columns} FROM {table} WHERE id IN
                 (SELECT id FROM {table} WHERE {filter} ORDER BY {order} LIMIT ${} OFFSET ${})
             ORDER BY {order}",
            n + 1,
            n + 2
        );
        let (limit, offset) = (int(window.limit), int(window.offset));
        let mut params: Vec<&(dyn ToSql + Sync)> = self
            .params
            .iter()
            .map(|p| &**p as &(dyn ToSql + Sync))
            .collect();
        store.run(|client| {
            let total: i64 = get(
                "sync",
                &client.query_one(count.as_str(), &params).map_err(backend)?,
                0,
            )?;
            params.extend([&limit as &(dyn ToSql + Sync), &offset]);
            let rows = client.query(select.as_str(), &params).map_err(backend)?;
            Ok(Paged {
                rows: rows.iter().map(read).collect::<Result<Vec<_>, _>>()?,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
    }
}

fn run_document(document: &str) -> Result<SyncRun, StoreError> {
    serde_json::from_str(document).map_err(|e| corrupt("sync_runs", e))
}

/// The events of a run finishing in this transaction (see
/// [`relais_events::from_finished_run`]).
fn finished_run_events(
    tx: &mut Transaction<'_>,
    company: CompanyId,
    run: &SyncRun,
) -> Result<Vec<relais_events::Event>, StoreError> {
    let connection = run.connection_id.to_string();
    let integration: Option<String> = tx
        .query_opt(
            "SELECT integration FROM connections WHERE id = $1",
            &[&connection],
        )
        .map_err(backend)?
        .map(|r| get("connections", &r, 0))
        .transpose()?;
    let previous = tx
        .query(
            "SELECT document FROM sync_runs WHERE connection_id = $1 AND id <> $2 AND status <> 'running'
             ORDER BY started_at DESC LIMIT 20",
            &[&connection, &run.id.to_string()],
        )
        .map_err(backend)?;
    let mut previous_failed = false;
    for row in previous {
        let previous = run_document(&get::<String>("sync_runs", &row, 0)?)?;
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

const SELECT_SYNC_STATE: &str =
    "SELECT consecutive_auth_failures, last_success_at, failing_since, warned_at, paused
     FROM sync_state WHERE connection_id = $1";

/// A connection's sync health from a [`SELECT_SYNC_STATE`] row.
fn sync_state_row(row: &Row) -> Result<SyncState, StoreError> {
    const T: &str = "sync_state";
    let time = |i: usize| -> Result<_, StoreError> {
        get::<Option<String>>(T, row, i)?
            .map(|t| parse_timestamp(T, &t))
            .transpose()
    };
    let failures: i64 = get(T, row, 0)?;
    Ok(SyncState {
        consecutive_auth_failures: u32::try_from(failures).map_err(|e| corrupt(T, e))?,
        last_success_at: time(1)?,
        failing_since: time(2)?,
        warned_at: time(3)?,
        paused: get::<i64>(T, row, 4)? != 0,
    })
}

/// Saves a connection's sync health (all but `paused`) in `tx`.
fn write_sync_state(
    tx: &mut Transaction<'_>,
    connection: &str,
    state: &SyncState,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sync_state (connection_id, consecutive_auth_failures, last_success_at, failing_since, warned_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (connection_id) DO UPDATE SET consecutive_auth_failures = excluded.consecutive_auth_failures,
            last_success_at = excluded.last_success_at, failing_since = excluded.failing_since,
            warned_at = excluded.warned_at",
        &[
            &connection,
            &i64::from(state.consecutive_auth_failures),
            &state.last_success_at.map(timestamp),
            &state.failing_since.map(timestamp),
            &state.warned_at.map(timestamp),
        ],
    )
    .map_err(backend)?;
    Ok(())
}

impl SyncStore for PostgresStore {
    fn start_run(
        &self,
        company: CompanyId,
        run: &SyncRun,
        scheduled_after: Option<&str>,
    ) -> Result<(), StoreError> {
        let (id, company, connection, started, status, document) = (
            run.id.to_string(),
            company.0.to_string(),
            run.connection_id.to_string(),
            sortable(run.started_at),
            status_name(run.status),
            json(run)?,
        );
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_runs (id, company_id, connection_id, started_at, status, document, scheduled_after)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &company, &connection, &started, &status, &document, &scheduled_after],
            )
            .map_err(|e| {
                conflict_or_backend(e, || {
                    "a running sync run of this connection, or a run of this cycle,".to_owned()
                })
            })?;
            Ok(())
        })
    }

    fn advance_run(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
        progress: RunProgress<'_>,
        change: &mut (dyn FnMut(&mut SyncRun) + Send),
    ) -> Result<SyncRun, StoreError> {
        let company_id = company;
        let (company, run_id) = (company.0.to_string(), id.to_string());
        // The entries are appended first, outside the write lock (under
        // their run's own lock, so one run's batches follow each other and
        // their ids increase batch by batch): the batches of different runs
        // are written at the same time. Then the run is read, checked again
        // and written under the write lock, so concurrent batches are
        // counted one after the other, and a batch of a run that finished
        // meanwhile is refused and rolled back with its entries.
        let before = |tx: &mut Transaction<'_>| {
            if progress.entries.is_empty() {
                return Ok(());
            }
            let lock = super::prepared(tx, "SELECT pg_advisory_xact_lock($1, $2)")?;
            tx.execute(&lock, &[&RUN_LOCK_CLASS, &run_lock_key(id)])
                .map_err(backend)?;
            let row = tx
                .query_opt(
                    "SELECT connection_id, status FROM sync_runs WHERE company_id = $1 AND id = $2",
                    &[&company, &run_id],
                )
                .map_err(backend)?
                .ok_or_else(|| corrupt("sync_runs", format!("no run {id}")))?;
            let (connection_id, status): (String, String) =
                (get("sync_runs", &row, 0)?, get("sync_runs", &row, 1)?);
            if status != status_name(RunStatus::Running) {
                return Err(StoreError::Changed(format!("sync run {id} is finished")));
            }
            insert_entries(tx, &run_id, &connection_id, progress.entries)
        };
        self.write_after(before, |tx, ()| {
            let document: Option<String> = tx
                .query_opt(
                    "SELECT document FROM sync_runs WHERE company_id = $1 AND id = $2",
                    &[&company, &run_id],
                )
                .map_err(backend)?
                .map(|r| get("sync_runs", &r, 0))
                .transpose()?;
            let document = document.ok_or_else(|| corrupt("sync_runs", format!("no run {id}")))?;
            let mut run = run_document(&document)?;
            if run.status != RunStatus::Running {
                return Err(StoreError::Changed(format!("sync run {id} is finished")));
            }
            for entry in progress.entries {
                run.record(entry);
            }
            update_links(
                tx,
                run.connection_id,
                progress.upserted_links,
                progress.removed_links,
            )?;
            update_group_links(
                tx,
                run.connection_id,
                progress.upserted_group_links,
                progress.removed_group_links,
            )?;
            change(&mut run);
            if run.status != RunStatus::Running {
                let events = finished_run_events(tx, company_id, &run)?;
                super::webhooks::insert_outbox(tx, &events)?;
            }
            tx.execute(
                "UPDATE sync_runs SET status = $3, document = $4 WHERE company_id = $1 AND id = $2",
                &[&company, &run_id, &status_name(run.status), &json(&run)?],
            )
            .map_err(backend)?;
            Ok(run)
        })
    }

    fn run(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<SyncRun>, StoreError> {
        let (company, id) = (company.0.to_string(), id.to_string());
        PostgresStore::run(self, |client| {
            client
                .query_opt(
                    "SELECT document FROM sync_runs WHERE company_id = $1 AND id = $2",
                    &[&company, &id],
                )
                .map_err(backend)?
                .map(|r| run_document(&get::<String>("sync_runs", &r, 0)?))
                .transpose()
        })
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
        let mut filters = Filters::new();
        filters.and("company_id = ?", company.0.to_string());
        filters.and("connection_id = ?", connection.to_string());
        if let Some(s) = status {
            filters.and("status = ?", status_name(s));
        }
        if let Some(f) = from {
            filters.and("started_at >= ?", sortable(f));
        }
        if let Some(t) = to {
            filters.and("started_at <= ?", sortable(t));
        }
        filters.page(
            self,
            "sync_runs",
            "document",
            "started_at DESC, id DESC",
            window,
            |row| run_document(&get::<String>("sync_runs", row, 0)?),
        )
    }

    fn running_runs(&self) -> Result<Vec<(CompanyId, SyncRun)>, StoreError> {
        PostgresStore::run(self, |client| {
            client
                .query(
                    "SELECT company_id, document FROM sync_runs WHERE status = 'running'
                     ORDER BY started_at, id",
                    &[],
                )
                .map_err(backend)?
                .iter()
                .map(|r| {
                    let company: String = get("sync_runs", r, 0)?;
                    let document: String = get("sync_runs", r, 1)?;
                    Ok((
                        CompanyId(parse_uuid("sync_runs", &company)?),
                        run_document(&document)?,
                    ))
                })
                .collect()
        })
    }

    fn entries(
        &self,
        run: uuid::Uuid,
        filter: &EntryFilter,
        window: Window,
    ) -> Result<Paged<StoredEntry>, StoreError> {
        // One employee's entries are few: find them by the employee index
        // (through the run's connection), and check the other terms on
        // those rows only. `column || ''` keeps the planner from choosing
        // the run indexes for a term (SQLite's leading `+`), which would
        // read every entry of a large run. Without an employee, a run's
        // entries of one status come from the (run_id, status, id) index in
        // id order, so a keyset page (`after_id`) starts where it should.
        let by_employee = filter.employee_id.is_some();
        let term = |column: &str| {
            if by_employee {
                format!("{column} || '' = ?")
            } else {
                format!("{column} = ?")
            }
        };
        let mut filters = Filters::new();
        filters.and(&term("run_id"), run.to_string());
        if let Some(s) = filter.status {
            filters.and(&term("status"), s.as_str());
        }
        if let Some(u) = filter.use_case {
            filters.and(&term("use_case"), u.as_str());
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
        filters.page(self, "sync_entries", ENTRY_COLUMNS, "id", window, entry_row)
    }

    fn employee_entries(
        &self,
        connection: uuid::Uuid,
        employee: EmployeeId,
        window: Window,
    ) -> Result<Paged<StoredEntry>, StoreError> {
        let mut filters = Filters::new();
        filters.and("connection_id = ?", connection.to_string());
        filters.and("employee_id = ?", employee);
        filters.page(
            self,
            "sync_entries",
            ENTRY_COLUMNS,
            "id DESC",
            window,
            entry_row,
        )
    }

    fn purge_entries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let before = sortable(before);
        self.write(|tx| {
            tx.execute("DELETE FROM sync_entries WHERE at < $1", &[&before])
                .map_err(backend)
        })
    }

    fn scim_links(&self, connection: uuid::Uuid) -> Result<Vec<TargetLink>, StoreError> {
        const T: &str = "scim_links";
        let connection = connection.to_string();
        PostgresStore::run(self, |client| {
            client
                .query(
                    "SELECT employee_id, target_id, snapshot, active FROM scim_links WHERE connection_id = $1
                     ORDER BY employee_id",
                    &[&connection],
                )
                .map_err(backend)?
                .iter()
                .map(|r| {
                    let snapshot: String = get(T, r, 2)?;
                    Ok(TargetLink {
                        employee_id: get(T, r, 0)?,
                        target_id: get(T, r, 1)?,
                        snapshot: serde_json::from_str(&snapshot).map_err(|e| corrupt(T, e))?,
                        active: get::<i64>(T, r, 3)? != 0,
                    })
                })
                .collect()
        })
    }

    fn scim_group_links(&self, connection: uuid::Uuid) -> Result<Vec<GroupLink>, StoreError> {
        const T: &str = "scim_group_links";
        let connection = connection.to_string();
        PostgresStore::run(self, |client| {
            client
                .query(
                    "SELECT group_key, target_id, snapshot FROM scim_group_links WHERE connection_id = $1
                     ORDER BY group_key",
                    &[&connection],
                )
                .map_err(backend)?
                .iter()
                .map(|r| {
                    let snapshot: String = get(T, r, 2)?;
                    Ok(GroupLink {
                        key: get(T, r, 0)?,
                        target_id: get(T, r, 1)?,
                        snapshot: serde_json::from_str(&snapshot).map_err(|e| corrupt(T, e))?,
                    })
                })
                .collect()
        })
    }

    fn sync_state(&self, connection: uuid::Uuid) -> Result<SyncState, StoreError> {
        let connection = connection.to_string();
        PostgresStore::run(self, |client| {
            let row = client
                .query_opt(SELECT_SYNC_STATE, &[&connection])
                .map_err(backend)?;
            row.as_ref()
                .map_or(Ok(SyncState::default()), sync_state_row)
        })
    }

    fn save_sync_state(&self, connection: uuid::Uuid, state: &SyncState) -> Result<(), StoreError> {
        let connection = connection.to_string();
        self.write(|tx| write_sync_state(tx, &connection, state))
    }

    fn update_sync_state(
        &self,
        connection: uuid::Uuid,
        change: &mut (dyn FnMut(&mut SyncState) + Send),
    ) -> Result<SyncState, StoreError> {
        let connection = connection.to_string();
        // Read and written under the write lock.
        self.write(|tx| {
            let row = tx
                .query_opt(SELECT_SYNC_STATE, &[&connection])
                .map_err(backend)?;
            let mut state = row
                .as_ref()
                .map_or(Ok(SyncState::default()), sync_state_row)?;
            change(&mut state);
            write_sync_state(tx, &connection, &state)?;
            Ok(state)
        })
    }

    fn set_sync_paused(&self, connection: uuid::Uuid, paused: bool) -> Result<bool, StoreError> {
        let (connection, value) = (connection.to_string(), i64::from(paused));
        self.write(move |tx| {
            let before: Option<i64> = tx
                .query_opt("SELECT paused FROM sync_state WHERE connection_id = $1", &[&connection])
                .map_err(backend)?
                .map(|r| get("sync_state", &r, 0))
                .transpose()?;
            tx.execute(
                "INSERT INTO sync_state (connection_id, consecutive_auth_failures, paused) VALUES ($1, 0, $2)
                 ON CONFLICT (connection_id) DO UPDATE SET paused = excluded.paused",
                &[&connection, &value],
            )
            .map_err(backend)?;
            Ok(before.is_some_and(|b| b != 0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::tests::{database, seed_company};
    use crate::{AccessStore, SqliteStore};
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};
    use relais_sync::{ApiResponse, Change, Cycle, EntryStatus, Trigger, UseCase};

    fn sqlite_with(dir: &tempfile::TempDir, company: &Company) -> SqliteStore {
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let now = Utc::now();
        let admin = User::new(
            company.id,
            "a@example.com",
            "A",
            MarketplaceRight::Edit,
            now,
        )
        .unwrap();
        let token = PersonalAccessToken::issue(&admin, "t", now, None)
            .unwrap()
            .record;
        store.create_company(company, &admin, &token).unwrap();
        store
    }

    fn running(connection: uuid::Uuid, at: DateTime<Utc>) -> SyncRun {
        SyncRun::start(connection, Trigger::Scheduled, Cycle::Full, at)
    }

    const STATUSES: [EntryStatus; 3] = [
        EntryStatus::Success,
        EntryStatus::Failed,
        EntryStatus::Skipped,
    ];

    fn entry(k: usize, at: DateTime<Utc>) -> SyncEntry {
        SyncEntry {
            at: at + chrono::Duration::microseconds(i64::try_from(k).unwrap()),
            employee_id: i64::try_from(k % 7).unwrap() + 1,
            group: None,
            use_case: UseCase::ALL[k % UseCase::ALL.len()],
            status: STATUSES[(k / 2) % 3],
            message: format!("entry {k}"),
            response: k.is_multiple_of(5).then(|| ApiResponse {
                status: 409,
                body: format!("{{\"detail\": \"conflict {k}\"}}"),
            }),
            changes: if k.is_multiple_of(3) {
                vec![Change {
                    attribute: "title".into(),
                    old: serde_json::Value::Null,
                    new: serde_json::json!(format!("Engineer {k}")),
                }]
            } else {
                vec![]
            },
        }
    }

    fn link(employee_id: i64, target: &str, active: bool) -> TargetLink {
        TargetLink {
            employee_id,
            target_id: target.into(),
            snapshot: serde_json::json!({"userName": target, "n": employee_id}),
            active,
        }
    }

    fn outcome<T>(result: Result<T, StoreError>) -> String {
        match result {
            Ok(_) => "ok".into(),
            Err(StoreError::Conflict(m)) => format!("conflict: {m}"),
            Err(StoreError::Changed(m)) => format!("changed: {m}"),
            Err(StoreError::Corrupt { table, .. }) => format!("corrupt: {table}"),
            Err(other) => format!("other: {other}"),
        }
    }

    #[test]
    fn runs_entries_links_and_state_as_on_sqlite() {
        let Some(db) = database("pg_sync_as_on_sqlite") else {
            return;
        };
        let pg = PostgresStore::open(db.as_str()).unwrap();
        let company = seed_company(&pg, "Acme GmbH");
        let dir = tempfile::tempdir().unwrap();
        let lite = sqlite_with(&dir, &company);
        let stores: [&dyn SyncStore; 2] = [&lite, &pg];
        let t0: DateTime<Utc> = "2026-03-01T10:00:00.5Z".parse().unwrap();
        let (shared, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let earlier = running(shared, t0);
        let queried = running(shared, t0 + chrono::Duration::minutes(1));
        let beside = running(other, t0 + chrono::Duration::minutes(2));
        let twin = running(shared, t0 + chrono::Duration::minutes(3));
        let entries: Vec<SyncEntry> = (0..120).map(|k| entry(k, t0)).collect();
        let stranger = CompanyId(uuid::Uuid::now_v7());

        let mut results = Vec::new();
        for store in stores {
            let mut seen = vec![
                outcome(store.start_run(stranger, &earlier, None)),
                outcome(store.start_run(company.id, &earlier, None)),
                outcome(store.start_run(company.id, &twin, None)),
            ];
            seen.push(outcome(store.advance_run(
                company.id,
                earlier.id,
                RunProgress {
                    entries: &entries[..40],
                    upserted_links: &[
                        link(1, "u1", true),
                        link(2, "u2", true),
                        link(1, "u1b", false),
                    ],
                    removed_links: &[],
                    upserted_group_links: &[],
                    removed_group_links: &[],
                },
                &mut |r| r.finish(None, t0 + chrono::Duration::seconds(30)),
            )));
            seen.push(outcome(store.advance_run(
                company.id,
                earlier.id,
                RunProgress::default(),
                &mut |_| {},
            )));
            seen.push(outcome(store.advance_run(
                company.id,
                uuid::Uuid::now_v7(),
                RunProgress::default(),
                &mut |_| {},
            )));
            seen.push(outcome(store.start_run(company.id, &queried, None)));
            seen.push(outcome(store.start_run(company.id, &beside, None)));
            // Small batches (one INSERT) and a large one (COPY), interleaved
            // with the other connection's run.
            for (k, chunk) in entries[40..].chunks(7).enumerate() {
                let run = if k % 3 == 2 { &beside } else { &queried };
                store
                    .advance_run(
                        company.id,
                        run.id,
                        RunProgress {
                            entries: chunk,
                            upserted_links: &[link(3, "u3", true)],
                            removed_links: &[2],
                            upserted_group_links: &[],
                            removed_group_links: &[],
                        },
                        &mut |r| r.heartbeat_at = t0 + chrono::Duration::seconds(40),
                    )
                    .unwrap();
            }
            store
                .advance_run(
                    company.id,
                    queried.id,
                    RunProgress {
                        entries: &entries,
                        ..RunProgress::default()
                    },
                    &mut |_| {},
                )
                .unwrap();
            let mut reads = vec![format!("{:?}", store.running_runs().unwrap())];
            let window = |offset, limit| Window { offset, limit };
            for (status, from, to, w) in [
                (None, None, None, window(0, 10)),
                (Some(RunStatus::Running), None, None, window(0, 10)),
                (Some(RunStatus::Completed), None, None, window(0, 10)),
                (
                    None,
                    Some(t0 + chrono::Duration::seconds(30)),
                    None,
                    window(0, 10),
                ),
                (None, None, Some(t0), window(0, 10)),
                (None, None, None, window(1, 1)),
            ] {
                reads.push(format!(
                    "{:?}",
                    store.runs(company.id, shared, status, from, to, w).unwrap()
                ));
            }
            for filter in [
                EntryFilter::default(),
                EntryFilter {
                    status: Some(EntryStatus::Failed),
                    ..EntryFilter::default()
                },
                EntryFilter {
                    status: Some(EntryStatus::Failed),
                    after_id: Some(60),
                    ..EntryFilter::default()
                },
                EntryFilter {
                    use_case: Some(UseCase::ALL[1]),
                    status: Some(EntryStatus::Success),
                    ..EntryFilter::default()
                },
                EntryFilter {
                    employee_id: Some(3),
                    ..EntryFilter::default()
                },
                EntryFilter {
                    employee_id: Some(3),
                    status: Some(EntryStatus::Skipped),
                    after_id: Some(50),
                    ..EntryFilter::default()
                },
                EntryFilter {
                    id: Some(45),
                    ..EntryFilter::default()
                },
            ] {
                for w in [window(0, 1000), window(3, 5), window(500, 5)] {
                    reads.push(format!(
                        "{:?}",
                        store.entries(queried.id, &filter, w).unwrap()
                    ));
                }
            }
            reads.push(format!(
                "{:?}",
                store.employee_entries(shared, 4, window(2, 10)).unwrap()
            ));
            reads.push(format!("{:?}", store.scim_links(shared).unwrap()));
            reads.push(format!("{:?}", store.sync_state(shared).unwrap()));
            store
                .save_sync_state(
                    shared,
                    &SyncState {
                        consecutive_auth_failures: 2,
                        last_success_at: Some(t0),
                        failing_since: Some(t0),
                        ..SyncState::default()
                    },
                )
                .unwrap();
            store
                .save_sync_state(
                    shared,
                    &SyncState {
                        consecutive_auth_failures: 3,
                        last_success_at: None,
                        ..SyncState::default()
                    },
                )
                .unwrap();
            reads.push(format!("{:?}", store.sync_state(shared).unwrap()));
            reads.push(
                store
                    .purge_entries(t0 + chrono::Duration::microseconds(30))
                    .unwrap()
                    .to_string(),
            );
            reads.push(format!(
                "{:?}",
                store
                    .entries(earlier.id, &EntryFilter::default(), window(0, 3))
                    .unwrap()
            ));
            results.push((seen, reads));
        }
        let (on_sqlite, on_pg) = (&results[0], &results[1]);
        assert_eq!(on_sqlite.0, on_pg.0);
        for (k, (a, b)) in on_sqlite.1.iter().zip(&on_pg.1).enumerate() {
            assert_eq!(a, b, "read {k}");
        }
        assert_eq!(
            on_pg.0[0],
            "conflict: a running sync run of this connection, or a run of this cycle,"
        );
        assert_eq!(
            on_pg.0[2],
            "conflict: a running sync run of this connection, or a run of this cycle,"
        );
        assert!(on_pg.0[4].starts_with("changed: "), "{}", on_pg.0[4]);
        assert_eq!(on_pg.0[5], "corrupt: sync_runs");
        let run = SyncStore::run(&pg, company.id, queried.id)
            .unwrap()
            .unwrap();
        assert_eq!(run, lite.run(company.id, queried.id).unwrap().unwrap());
        assert!(SyncStore::run(&pg, stranger, queried.id).unwrap().is_none());
    }

    #[test]
    fn the_change_runs_on_the_callers_thread_inside_the_transaction() {
        let Some(db) = database("pg_sync_change_on_the_callers_thread") else {
            return;
        };
        let pg = PostgresStore::open(db.as_str()).unwrap();
        let company = seed_company(&pg, "Acme GmbH");
        let t0 = Utc::now();
        let run = running(uuid::Uuid::now_v7(), t0);
        pg.start_run(company.id, &run, None).unwrap();
        let batch: Vec<SyncEntry> = (0..50).map(|k| entry(k, t0)).collect();
        let progress = RunProgress {
            entries: &batch,
            upserted_links: &[link(1, "u1", true)],
            removed_links: &[],
            upserted_group_links: &[],
            removed_group_links: &[],
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            // Called from a thread that drives a runtime: the change runs once.
            let calls = std::sync::atomic::AtomicI32::new(0);
            let advanced = pg
                .advance_run(company.id, run.id, progress, &mut |r| {
                    calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    r.heartbeat_at = t0 + chrono::Duration::seconds(5);
                })
                .unwrap();
            assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 1);
            assert_eq!(advanced.counts.total(), 50);
        });
        // A change that panics writes nothing of the batch.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pg.advance_run(company.id, run.id, progress, &mut |_| panic!("no"))
        }));
        assert!(panicked.is_err());
        let stored = SyncStore::run(&pg, company.id, run.id).unwrap().unwrap();
        assert_eq!(stored.counts.total(), 50);
        assert_eq!(stored.heartbeat_at, t0 + chrono::Duration::seconds(5));
        let entries = pg
            .entries(
                run.id,
                &EntryFilter::default(),
                Window {
                    offset: 0,
                    limit: 1,
                },
            )
            .unwrap();
        assert_eq!(entries.total, 50);
        // The connection went back to the pool: the store still answers.
        assert_eq!(pg.scim_links(run.connection_id).unwrap().len(), 1);
    }

    #[test]
    fn batches_of_runs_written_at_once_are_each_counted_by_their_run() {
        let Some(db) = database("pg_sync_batches_at_once") else {
            return;
        };
        let pg = PostgresStore::open(db.as_str()).unwrap();
        let company = seed_company(&pg, "Acme GmbH");
        let t0: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        let runs: Vec<SyncRun> = (0..6).map(|_| running(uuid::Uuid::now_v7(), t0)).collect();
        for run in &runs {
            pg.start_run(company.id, run, None).unwrap();
        }
        // The last run is finished while its batches are being written.
        let closing = runs[5].id;
        let (threads, batches, size) = (4, 5, 40);
        std::thread::scope(|scope| {
            for run in &runs {
                for thread in 0..threads {
                    let pg = &pg;
                    scope.spawn(move || {
                        for batch in 0..batches {
                            let entries: Vec<SyncEntry> = (0..size)
                                .map(|k| SyncEntry {
                                    message: format!("{thread}/{batch}"),
                                    ..entry(k, t0)
                                })
                                .collect();
                            let progress = RunProgress {
                                entries: &entries,
                                ..RunProgress::default()
                            };
                            match pg.advance_run(company.id, run.id, progress, &mut |r| {
                                r.heartbeat_at = Utc::now();
                            }) {
                                Ok(_) => {}
                                Err(StoreError::Changed(_)) if run.id == closing => {}
                                Err(e) => panic!("{e}"),
                            }
                        }
                    });
                }
            }
            scope.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(30));
                pg.advance_run(company.id, closing, RunProgress::default(), &mut |r| {
                    r.finish(None, Utc::now());
                })
                .unwrap();
            });
        });
        for run in &runs {
            let stored = SyncStore::run(&pg, company.id, run.id).unwrap().unwrap();
            let page = pg
                .entries(
                    run.id,
                    &EntryFilter::default(),
                    Window {
                        offset: 0,
                        limit: 10_000,
                    },
                )
                .unwrap();
            // What the run counted is what it holds: a batch refused
            // because the run had finished left no entry behind.
            assert_eq!(page.total, stored.counts.total());
            assert_eq!(page.rows.len(), usize::try_from(page.total).unwrap());
            if run.id == closing {
                assert_ne!(stored.status, RunStatus::Running);
            } else {
                assert_eq!(page.rows.len(), threads * batches * size);
            }
            // One run's batches follow each other: in id order, each batch's
            // entries are together and in their order, and no batch twice.
            let mut seen = std::collections::HashSet::new();
            for batch in page.rows.chunks(size) {
                let message = &batch[0].entry.message;
                assert!(seen.insert(message.clone()), "{message} twice");
                for (k, e) in batch.iter().enumerate() {
                    assert_eq!(&e.entry.message, message);
                    assert_eq!(e.entry.at, entry(k, t0).at);
                }
            }
        }
    }

    /// Measures ingest (run with `--ignored --nocapture`): entries written
    /// by `advance_run` in batches, and the plan of a run's failed page.
    #[test]
    #[ignore = "a measurement"]
    fn ingest_rate_and_the_failed_page_plan() {
        let Some(db) = database("pg_sync_ingest_rate") else {
            return;
        };
        let pg = PostgresStore::open(db.as_str()).unwrap();
        let company = seed_company(&pg, "Acme GmbH");
        let t0 = Utc::now();
        let batch: Vec<SyncEntry> = (0..1000).map(|k| entry(k, t0)).collect();
        let mut rates = Vec::new();
        let mut last = None;
        for round in 0..3 {
            let run = running(uuid::Uuid::now_v7(), t0);
            pg.start_run(company.id, &run, None).unwrap();
            let started = std::time::Instant::now();
            let batches = 200;
            for _ in 0..batches {
                pg.advance_run(
                    company.id,
                    run.id,
                    RunProgress {
                        entries: &batch,
                        ..RunProgress::default()
                    },
                    &mut |r| r.heartbeat_at = Utc::now(),
                )
                .unwrap();
            }
            let seconds = started.elapsed().as_secs_f64();
            let rate = f64::from(batches * 1000) / seconds;
            println!("round {round}: {rate:.0} entries/s");
            rates.push(rate);
            last = Some(run);
        }
        let run = last.unwrap();
        let plan: Vec<String> = pg
            .run(|c| {
                let id = run.id.to_string();
                let rows = c
                    .query(
                        "EXPLAIN SELECT id FROM sync_entries WHERE run_id = $1 AND status = $2 AND id > $3
                         ORDER BY id LIMIT $4 OFFSET $5",
                        &[&id, &"failed", &0_i64, &50_i64, &0_i64],
                    )
                    .map_err(backend)?;
                rows.iter().map(|r| get::<String>("plan", r, 0)).collect()
            })
            .unwrap();
        println!("{}", plan.join("\n"));
        let started = std::time::Instant::now();
        let page = pg
            .entries(
                run.id,
                &EntryFilter {
                    status: Some(EntryStatus::Failed),
                    after_id: Some(100_000),
                    ..EntryFilter::default()
                },
                Window {
                    offset: 0,
                    limit: 50,
                },
            )
            .unwrap();
        println!(
            "failed page: {} rows of {} in {:?}",
            page.rows.len(),
            page.total,
            started.elapsed()
        );
        assert!(plan.join(" ").contains("sync_entries_run "), "{plan:?}");
    }
}
