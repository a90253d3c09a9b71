//! PostgreSQL: see `crate::sqlite::sync` (the same queries in PostgreSQL's dialect).
//!
//! Entries are written with one binary `COPY` per batch (a few with one
//! multi-row `INSERT`): the tracking tab's ingest is the busiest write path.

use std::collections::BTreeMap;
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Row, Transaction};
use relais_access::CompanyId;
use relais_people::EmployeeId;
use relais_sync::{RunStatus, SyncEntry, SyncRun, TargetLink};

use super::{
    PostgresStore, backend, conflict_or_backend, corrupt, get, int, json, parse_timestamp,
    parse_uuid, sortable, timestamp,
};
use crate::{
    EntryFilter, Paged, RunProgress, StoreError, StoredEntry, SyncState, SyncStore, Window,
};

fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "running",
        RunStatus::Completed => "completed",
        RunStatus::PartiallyCompleted => "partially_completed",
        RunStatus::Failed => "failed",
    }
}

const ENTRY_COLUMNS: &str =
    "id, run_id, at, employee_id, use_case, status, message, response, changes";

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
    Ok(StoredEntry {
        id: get(T, row, 0)?,
        run_id: parse_uuid(T, &run_id)?,
        entry: SyncEntry {
            at: parse_timestamp(T, &at)?,
            employee_id: get(T, row, 3)?,
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
        })
    }
}

/// Appends `entries` to `run` in the caller's transaction, in their order
/// (their ids increase in it).
fn insert_entries(
    tx: &mut Transaction<'_>,
    run: &SyncRun,
    entries: &[SyncEntry],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let (run_id, connection_id) = (run.id.to_string(), run.connection_id.to_string());
    if entries.len() <= INSERT_AT_MOST {
        let values = entries
            .iter()
            .map(EntryValues::of)
            .collect::<Result<Vec<_>, _>>()?;
        let mut sql = String::from(
            "INSERT INTO sync_entries (run_id, connection_id, at, employee_id, use_case, status, message, response, changes) VALUES ",
        );
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&run_id, &connection_id];
        for (k, v) in values.iter().enumerate() {
            let n = 3 + k * 7;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "($1, $2, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n,
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6
            ));
            params.extend([
                &v.at as &(dyn ToSql + Sync),
                &v.employee_id,
                &v.use_case,
                &v.status,
                &v.message,
                &v.response,
                &v.changes,
            ]);
        }
        tx.execute(sql.as_str(), &params).map_err(backend)?;
        return Ok(());
    }
    let sink = tx
        .copy_in(
            "COPY sync_entries (run_id, connection_id, at, employee_id, use_case, status, message, response, changes)
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
        ],
    );
    for e in entries {
        let v = EntryValues::of(e)?;
        writer
            .write(&[
                &run_id,
                &connection_id,
                &v.at,
                &v.employee_id,
                &v.use_case,
                &v.status,
                &v.message,
                &v.response,
                &v.changes,
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

impl SyncStore for PostgresStore {
    fn start_run(&self, company: CompanyId, run: &SyncRun) -> Result<(), StoreError> {
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
                "INSERT INTO sync_runs (id, company_id, connection_id, started_at, status, document)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &company, &connection, &started, &status, &document],
            )
            .map_err(|e| {
                conflict_or_backend(e, || "a running sync run of this connection".to_owned())
            })?;
            Ok(())
        })
    }

    fn advance_run(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
        progress: RunProgress<'_>,
        change: &mut dyn FnMut(&mut SyncRun),
    ) -> Result<SyncRun, StoreError> {
        let (company, run_id) = (company.0.to_string(), id.to_string());
        // The run is read and written in one transaction under the write
        // lock, so concurrent batches are counted one after the other. That
        // transaction runs on a thread of its own, and `change` (which need
        // not be `Send`) here, in its middle: the run goes there and back.
        let (to_caller, from_worker) = mpsc::sync_channel::<SyncRun>(1);
        let (to_worker, from_caller) = mpsc::sync_channel::<SyncRun>(1);
        let work = move || {
            self.write(move |tx| {
                let document: Option<String> = tx
                    .query_opt(
                        "SELECT document FROM sync_runs WHERE company_id = $1 AND id = $2",
                        &[&company, &run_id],
                    )
                    .map_err(backend)?
                    .map(|r| get("sync_runs", &r, 0))
                    .transpose()?;
                let document =
                    document.ok_or_else(|| corrupt("sync_runs", format!("no run {id}")))?;
                let mut run = run_document(&document)?;
                if run.status != RunStatus::Running {
                    return Err(StoreError::Changed(format!("sync run {id} is finished")));
                }
                insert_entries(tx, &run, progress.entries)?;
                for entry in progress.entries {
                    run.record(entry);
                }
                update_links(
                    tx,
                    run.connection_id,
                    progress.upserted_links,
                    progress.removed_links,
                )?;
                let changed = to_caller
                    .send(run)
                    .ok()
                    .and_then(|()| from_caller.recv().ok())
                    .ok_or_else(|| {
                        StoreError::Backend("the change of a sync run was not made".into())
                    })?;
                tx.execute(
                    "UPDATE sync_runs SET status = $3, document = $4 WHERE company_id = $1 AND id = $2",
                    &[
                        &company,
                        &run_id,
                        &status_name(changed.status),
                        &json(&changed)?,
                    ],
                )
                .map_err(backend)?;
                Ok(changed)
            })
        };
        std::thread::scope(|scope| {
            let worker = scope.spawn(work);
            // Nothing comes when the transaction failed before the change.
            if let Ok(mut run) = from_worker.recv() {
                change(&mut run);
                let _ = to_worker.send(run);
            }
            drop(to_worker);
            match worker.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            }
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

    fn sync_state(&self, connection: uuid::Uuid) -> Result<SyncState, StoreError> {
        const T: &str = "sync_state";
        let connection = connection.to_string();
        PostgresStore::run(self, |client| {
            let Some(row) = client
                .query_opt(
                    "SELECT consecutive_auth_failures, last_success_at FROM sync_state WHERE connection_id = $1",
                    &[&connection],
                )
                .map_err(backend)?
            else {
                return Ok(SyncState::default());
            };
            let failures: i64 = get(T, &row, 0)?;
            let last: Option<String> = get(T, &row, 1)?;
            Ok(SyncState {
                consecutive_auth_failures: u32::try_from(failures).map_err(|e| corrupt(T, e))?,
                last_success_at: last.map(|l| parse_timestamp(T, &l)).transpose()?,
            })
        })
    }

    fn save_sync_state(&self, connection: uuid::Uuid, state: &SyncState) -> Result<(), StoreError> {
        let (connection, failures, last) = (
            connection.to_string(),
            i64::from(state.consecutive_auth_failures),
            state.last_success_at.map(timestamp),
        );
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_state (connection_id, consecutive_auth_failures, last_success_at) VALUES ($1, $2, $3)
                 ON CONFLICT (connection_id) DO UPDATE SET consecutive_auth_failures = excluded.consecutive_auth_failures,
                    last_success_at = excluded.last_success_at",
                &[&connection, &failures, &last],
            )
            .map_err(backend)?;
            Ok(())
        })
    }
}
