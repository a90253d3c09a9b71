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
/// refers to. An export refuses a database holding a table not named here
/// (a copy never leaves one out silently), and `every_table_is_copied`
/// checks the list against both schemas.
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
    "scim_group_links",
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
    "events",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_attempts",
    "alerts",
    "alert_opt_outs",
];

/// Rows read from one table at most per chunk.
pub(crate) const CHUNK_ROWS: usize = 1000;

/// Bytes of text and binary values in one chunk at most (documents are up to
/// 30 MiB each: a chunk of a thousand of them would not fit in memory).
pub(crate) const CHUNK_BYTES: usize = 16 << 20;

/// The tables whose ids are never given again, not even after the row with
/// the highest id is deleted (SQLite's AUTOINCREMENT): a copy carries their
/// high-water mark along.
pub(crate) const NEVER_REUSED_IDS: &[&str] = &["employee_documents"];

/// The tables a database of either backend may hold besides [`TABLES`]: the
/// backends' own bookkeeping.
pub(crate) const BOOKKEEPING: &[&str] = &["sqlite_sequence", "relais_schema"];

/// Refuses a database holding a table this Relais does not copy.
pub(crate) fn check_tables(found: &[String]) -> Result<(), StoreError> {
    let unknown: Vec<&String> = found
        .iter()
        .filter(|t| !TABLES.contains(&t.as_str()) && !BOOKKEEPING.contains(&t.as_str()))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "the database holds tables this Relais does not know ({}); copy it with the Relais that wrote it",
            unknown
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// The bytes of text and binary values in `row`.
pub(crate) fn row_bytes(row: &[Cell]) -> usize {
    row.iter()
        .map(|c| match c {
            Cell::Text(t) => t.len(),
            Cell::Bytes(b) => b.len(),
            _ => 8,
        })
        .sum()
}

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
    /// snapshot, passing chunks of at most 1000 rows (and 16 MiB of text
    /// and binary values) to `sink`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails, a value has a type no
    /// column of Relais has, or `sink` fails.
    fn export_tables(&self, sink: &mut RowSink<'_>) -> Result<(), StoreError>;

    /// The highest id ever given in each table whose ids are never reused
    /// (`employee_documents`), deleted rows included.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn id_high_water(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// Writes the rows of `source` in one transaction into a database that
    /// holds no rows, counts every table against the rows received before
    /// committing, makes the next ids of the tables whose ids are never
    /// reused follow `high_water`, and returns the rows per table.
    ///
    /// # Errors
    /// [`StoreError::Refused`] when the database holds rows already;
    /// [`StoreError`] when a row is refused, the counts differ, or `source`
    /// yields an error. Nothing is written then.
    fn import_tables(
        &self,
        source: &mut RowSource<'_>,
        high_water: &[(String, i64)],
    ) -> Result<Vec<(String, u64)>, StoreError>;
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
    // Read before the snapshot: a high-water mark only grows, and the
    // target takes the larger of it and the highest id copied.
    let high_water = from.id_high_water()?;
    let (send, receive) = std::sync::mpsc::sync_channel::<Message>(4);
    let imported = std::thread::scope(|scope| {
        let exporter = scope.spawn(move || {
            let result = from.export_tables(&mut |chunk: TableRows| {
                send.send(Message::Rows(chunk))
                    .map_err(|_| StoreError::Backend("the target stopped reading".into()))
            });
            // The importer commits only after `Done`: an exporter that
            // failed, or panicked (its sender dropped), rolls it back.
            let _ = send.send(match result {
                Ok(()) => Message::Done,
                Err(e) => Message::Failed(e),
            });
        });
        let mut stream = Stream {
            receive,
            ended: false,
        };
        let imported = to.import_tables(&mut stream, &high_water);
        // An exporter still sending (the import failed early) fails its
        // next send and stops, instead of reading the rest for nothing.
        drop(stream);
        let _ = exporter.join();
        imported
    })?;
    Ok(CopyReport { tables: imported })
}

/// What the exporter sends the importer.
enum Message {
    Rows(TableRows),
    Done,
    Failed(StoreError),
}

/// The importer's side of the channel: rows until `Done`; an error when the
/// exporter failed or stopped without saying it was done.
struct Stream {
    receive: std::sync::mpsc::Receiver<Message>,
    ended: bool,
}

impl Iterator for Stream {
    type Item = Result<TableRows, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        match self.receive.recv() {
            Ok(Message::Rows(rows)) => Some(Ok(rows)),
            Ok(Message::Done) => {
                self.ended = true;
                None
            }
            Ok(Message::Failed(e)) => {
                self.ended = true;
                Some(Err(e))
            }
            Err(_) => {
                self.ended = true;
                Some(Err(StoreError::Backend(
                    "the source stopped before the end of the copy".into(),
                )))
            }
        }
    }
}

/// Compares the rows counted in the target with the rows received, before
/// the target commits.
pub(crate) fn check_counts(
    received: &std::collections::BTreeMap<&'static str, u64>,
    counted: &[(String, u64)],
) -> Result<(), StoreError> {
    for (table, n) in counted {
        let got = received.get(table.as_str()).copied().unwrap_or(0);
        if got != *n {
            return Err(StoreError::Backend(format!(
                "{table}: {got} rows received but {n} counted in the target; nothing was written"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let mut found = store.table_names().unwrap();
        found.retain(|t| !BOOKKEEPING.contains(&t.as_str()));
        found.sort();
        let mut listed: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
        listed.sort();
        assert_eq!(
            found, listed,
            "TABLES names every table of the SQLite schema"
        );
        #[cfg(feature = "postgres")]
        if let Some(server) = crate::testing::postgres_server("every_table_is_copied") {
            let db = crate::testing::TestDatabase::postgres_on(&server).unwrap();
            let store = crate::PostgresStore::open(db.as_str()).unwrap();
            let mut found = store.table_names().unwrap();
            found.retain(|t| !BOOKKEEPING.contains(&t.as_str()));
            found.sort();
            assert_eq!(
                found, listed,
                "TABLES names every table of the PostgreSQL schema"
            );
        }
    }

    #[test]
    fn a_table_this_relais_does_not_know_is_refused() {
        let error = check_tables(&["companies".into(), "invoices".into()]).unwrap_err();
        assert!(error.to_string().contains("invoices"), "{error}");
        check_tables(&["companies".into(), "sqlite_sequence".into()]).unwrap();
    }
}
