//! SQLite's side of copying a database table by table.

use rusqlite::TransactionBehavior;
use rusqlite::types::{Value, ValueRef};

use super::{SqliteStore, backend};
use crate::StoreError;
use crate::copy::{CHUNK_ROWS, Cell, RowSink, RowSource, TABLES, TableRows, TableStore};

fn cell(value: ValueRef<'_>) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
    }
}

fn value(cell: Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Integer(i) => Value::Integer(i),
        Cell::Real(r) => Value::Real(r),
        Cell::Text(t) => Value::Text(t),
        Cell::Bytes(b) => Value::Blob(b),
    }
}

/// Column names quoted (`"end"` is a keyword).
pub(crate) fn quoted(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ")
}

impl TableStore for SqliteStore {
    fn export_tables(&self, sink: &mut RowSink<'_>) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        // A deferred transaction reads one snapshot without taking the
        // write lock: writers carry on meanwhile (WAL).
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(backend)?;
        for &table in TABLES {
            let mut statement = tx
                .prepare(&format!("SELECT * FROM {table}"))
                .map_err(backend)?;
            let columns: Vec<String> = statement
                .column_names()
                .into_iter()
                .map(str::to_owned)
                .collect();
            let width = columns.len();
            let mut rows = statement.query([]).map_err(backend)?;
            let mut chunk = Vec::with_capacity(CHUNK_ROWS);
            while let Some(row) = rows.next().map_err(backend)? {
                let mut cells = Vec::with_capacity(width);
                for i in 0..width {
                    cells.push(cell(row.get_ref(i).map_err(backend)?));
                }
                chunk.push(cells);
                if chunk.len() == CHUNK_ROWS {
                    sink(TableRows {
                        table,
                        columns: columns.clone(),
                        rows: std::mem::take(&mut chunk),
                    })?;
                }
            }
            if !chunk.is_empty() {
                sink(TableRows {
                    table,
                    columns,
                    rows: chunk,
                })?;
            }
        }
        Ok(())
    }

    fn import_tables(&self, source: &mut RowSource<'_>) -> Result<Vec<(String, u64)>, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let count = |table: &str| -> Result<u64, StoreError> {
            tx.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(backend)
        };
        let held: Vec<String> = TABLES
            .iter()
            .map(|t| Ok((*t, count(t)?)))
            .collect::<Result<Vec<_>, StoreError>>()?
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{t} ({n})"))
            .collect();
        if !held.is_empty() {
            return Err(StoreError::Refused(format!(
                "the target database is not empty: it holds rows in {}; copy into a new, empty database",
                held.join(", ")
            )));
        }
        for chunk in source {
            let chunk = chunk?;
            let names = quoted(&chunk.columns);
            let marks = (1..=chunk.columns.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO {} ({names}) VALUES ({marks})",
                    chunk.table
                ))
                .map_err(|e| StoreError::Backend(format!("{}: {e}", chunk.table)))?;
            for row in chunk.rows {
                insert
                    .execute(rusqlite::params_from_iter(row.into_iter().map(value)))
                    .map_err(|e| StoreError::Backend(format!("{}: {e}", chunk.table)))?;
            }
        }
        let counts = TABLES
            .iter()
            .map(|t| Ok(((*t).to_owned(), count(t)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        tx.commit().map_err(backend)?;
        Ok(counts)
    }
}
