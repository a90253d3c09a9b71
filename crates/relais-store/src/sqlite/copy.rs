//! SQLite's side of copying a database table by table.

use std::collections::BTreeMap;

use rusqlite::TransactionBehavior;
use rusqlite::types::{Value, ValueRef};

use super::{SqliteStore, backend};
use crate::StoreError;
use crate::copy::{
    CHUNK_BYTES, CHUNK_ROWS, Cell, NEVER_REUSED_IDS, RowSink, RowSource, TABLES, TableRows,
    TableStore, check_counts, check_tables, row_bytes,
};

fn cell(table: &'static str, value: ValueRef<'_>) -> Result<Cell, StoreError> {
    Ok(match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Integer(i),
        ValueRef::Real(r) => Cell::Real(r),
        ValueRef::Text(t) => {
            Cell::Text(String::from_utf8(t.to_vec()).map_err(|e| crate::sqlite::corrupt(table, e))?)
        }
        ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
    })
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

fn table_names(conn: &rusqlite::Connection) -> Result<Vec<String>, StoreError> {
    let mut statement = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .map_err(backend)?;
    let names = statement
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    Ok(names)
}

impl SqliteStore {
    /// Every table of the database (the backend's bookkeeping included).
    #[cfg(test)]
    pub(crate) fn table_names(&self) -> Result<Vec<String>, StoreError> {
        table_names(&*self.conn()?)
    }
}

impl TableStore for SqliteStore {
    fn export_tables(&self, sink: &mut RowSink<'_>) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        // A deferred transaction reads one snapshot without taking the
        // write lock: writers carry on meanwhile (WAL).
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(backend)?;
        check_tables(&table_names(&tx)?)?;
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
            let mut chunk = Vec::new();
            let mut bytes = 0;
            while let Some(row) = rows.next().map_err(backend)? {
                let mut cells = Vec::with_capacity(width);
                for i in 0..width {
                    cells.push(cell(table, row.get_ref(i).map_err(backend)?)?);
                }
                bytes += row_bytes(&cells);
                chunk.push(cells);
                if chunk.len() == CHUNK_ROWS || bytes >= CHUNK_BYTES {
                    bytes = 0;
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

    fn id_high_water(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare("SELECT name, seq FROM sqlite_sequence")
            .map_err(backend)?;
        let marks = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(backend)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        Ok(marks
            .into_iter()
            .filter(|(t, _)| NEVER_REUSED_IDS.contains(&t.as_str()))
            .collect())
    }

    fn import_tables(
        &self,
        source: &mut RowSource<'_>,
        high_water: &[(String, i64)],
    ) -> Result<Vec<(String, u64)>, StoreError> {
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
        let mut received: BTreeMap<&'static str, u64> = BTreeMap::new();
        for chunk in source {
            let chunk = chunk?;
            *received.entry(chunk.table).or_default() += chunk.rows.len() as u64;
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
        // AUTOINCREMENT's memory: ids deleted in the source stay unused.
        for (table, mark) in high_water {
            if NEVER_REUSED_IDS.contains(&table.as_str()) {
                tx.execute(
                    "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, 0
                     WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
                    rusqlite::params![table],
                )
                .map_err(backend)?;
                tx.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, ?2) WHERE name = ?1",
                    rusqlite::params![table, mark],
                )
                .map_err(backend)?;
            }
        }
        let counts = TABLES
            .iter()
            .map(|t| Ok(((*t).to_owned(), count(t)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        check_counts(&received, &counts)?;
        tx.commit().map_err(backend)?;
        Ok(counts)
    }
}
