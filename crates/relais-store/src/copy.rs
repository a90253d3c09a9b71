//! Copying a whole database to another, of either backend: `relais db copy`
//! (moving a deployment from SQLite to PostgreSQL) and the backup of a
//! PostgreSQL database into a SQLite file.
//!
//! Both backends hold the same tables with the same columns (the schema
//! steps keep them so), so a copy is table by table, row by row, with no
//! knowledge of what the rows mean: nothing can be left out by forgetting a
//! domain. The source is read in one snapshot; the target is written in
//! one transaction that first checks it is empty and, before committing,
//! counts every table against what was sent.

use crate::{Store, StoreError};

/// The tables, in an order where every table comes after the tables it
/// refers to. `every_table_is_copied` checks it against both schemas.
pub const TABLES: &[&str] = &[
    "catalog_integrations",
    "catalog_meta",
    "companies",
    "users",
    "personal_access_tokens",
    "employees",
    "employee_history",
    "custom_attributes",
    "projects",
    "attendances",
    "time_off_types",
    "time_offs",
    "absence_periods",
    "document_categories",
    "api_credentials",
    "api_tokens",
    "connections",
    "demo_requests",
    "integration_requests",
    "integration_request_entries",
    "audit_events",
    "reports",
    "people_revisions",
    "sync_runs",
    "sync_entries",
    "scim_links",
    "sync_state",
    "settings",
    "demo_generations",
    "sessions",
    "invites",
    "recruiting_setups",
    "job_positions",
    "candidates",
    "applications",
    "application_transitions",
    "recruiting_uploads",
    "employee_documents",
    "employee_pictures",
    "project_ids",
];

/// Rows read from one table at most per chunk.
pub(crate) const CHUNK_ROWS: usize = 1000;

/// One stored value, as both backends hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// NULL.
    Null,
    /// An integer (SQLite INTEGER, PostgreSQL BIGINT).
    Integer(i64),
    /// A floating-point number (REAL, DOUBLE PRECISION).
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (BLOB, BYTEA).
    Bytes(Vec<u8>),
}

/// Some rows of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    /// The table (one of [`TABLES`]).
    pub table: &'static str,
    /// Its columns, in the order of each row's cells.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// Where rows read from a source go.
pub type RowSink<'a> = dyn FnMut(TableRows) -> Result<(), StoreError> + Send + 'a;

/// Rows to write into a target; an error ends the copy with nothing written.
pub type RowSource<'a> = dyn Iterator<Item = Result<TableRows, StoreError>> + Send + 'a;

/// A database read and written as plain tables.
pub trait TableStore {
    /// Reads every table of [`TABLES`], in that order, in one consistent
    /// snapshot, passing chunks of at most [`CHUNK_ROWS`] rows to `sink`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails, a value has a type no
    /// column of Relais has, or `sink` fails.
    fn export_tables(&self, sink: &mut RowSink<'_>) -> Result<(), StoreError>;

    /// Writes the rows of `source` in one transaction into a database that
    /// holds no rows, counts every table before committing, and returns the
    /// rows per table.
    ///
    /// # Errors
    /// [`StoreError::Refused`] when the database holds rows already;
    /// [`StoreError`] when a row is refused, the counts differ, or `source`
    /// yields an error. Nothing is written then.
    fn import_tables(&self, source: &mut RowSource<'_>) -> Result<Vec<(String, u64)>, StoreError>;
}

/// What a copy wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Rows per table, as counted in the target before it committed.
    pub tables: Vec<(String, u64)>,
}

impl CopyReport {
    /// All rows copied.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Copies everything in `from` into `to`, which must hold no rows: read in
/// one snapshot on one thread, written in one transaction on another, a few
/// chunks in flight between them.
///
/// # Errors
/// [`StoreError::Refused`] for a target with rows; any error of either
/// database. The target is unchanged after an error.
pub fn copy(from: &dyn Store, to: &dyn Store) -> Result<CopyReport, StoreError> {
    let (send, receive) = std::sync::mpsc::sync_channel::<Result<TableRows, StoreError>>(4);
    let mut sent: Vec<(&'static str, u64)> = Vec::new();
    let imported = std::thread::scope(|scope| {
        let exporter = scope.spawn(move || {
            let failed_send = send.clone();
            let result = from.export_tables(&mut |chunk: TableRows| {
                send.send(Ok(chunk))
                    .map_err(|_| StoreError::Backend("the target stopped reading".into()))
            });
            if let Err(e) = result {
                // The importer rolls back on an error in the stream.
                let _ = failed_send.send(Err(e));
            }
        });
        let mut counted = receive.into_iter().inspect(|chunk| {
            if let Ok(chunk) = chunk {
                match sent.last_mut() {
                    Some((table, n)) if *table == chunk.table => *n += chunk.rows.len() as u64,
                    _ => sent.push((chunk.table, chunk.rows.len() as u64)),
                }
            }
        });
        let imported = to.import_tables(&mut counted);
        // An exporter still sending (the import failed early) fails its
        // next send and stops, instead of reading the rest for nothing.
        drop(counted);
        let _ = exporter.join();
        imported
    })?;
    for (table, n) in &sent {
        let written = imported
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n);
        if written != *n {
            return Err(StoreError::Backend(format!(
                "{table}: {n} rows read but {written} written"
            )));
        }
    }
    Ok(CopyReport { tables: imported })
}
