//! PostgreSQL's side of copying a database table by table: read through a
//! portal in chunks, written with binary COPY.

use bytes::BytesMut;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Row, Transaction};

use super::{PostgresStore, backend, describe_error};
use crate::StoreError;
use std::collections::BTreeMap;

use crate::copy::{
    CHUNK_ROWS, Cell, NEVER_REUSED_IDS, RowSink, RowSource, TABLES, TableRows, TableStore,
    check_counts, check_tables,
};

/// Rows fetched at a time from a table with binary columns (documents of
/// up to 30 MiB each).
const BINARY_CHUNK_ROWS: i32 = 4;

fn cell(table: &'static str, row: &Row, index: usize, ty: &Type) -> Result<Cell, StoreError> {
    let wrong = |e: postgres::Error| StoreError::Corrupt {
        table,
        reason: e.to_string(),
    };
    Ok(match *ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(index)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Integer),
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(index)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Real),
        Type::TEXT => row
            .try_get::<_, Option<String>>(index)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Text),
        Type::BYTEA => row
            .try_get::<_, Option<Vec<u8>>>(index)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Bytes),
        ref other => {
            return Err(StoreError::Corrupt {
                table,
                reason: format!("a column of type {other}, which Relais's schema does not have"),
            });
        }
    })
}

impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::Integer(i) if <i64 as ToSql>::accepts(ty) => i.to_sql(ty, out),
            Cell::Real(r) if <f64 as ToSql>::accepts(ty) => r.to_sql(ty, out),
            Cell::Text(t) if <String as ToSql>::accepts(ty) => t.to_sql(ty, out),
            Cell::Bytes(b) if <Vec<u8> as ToSql>::accepts(ty) => b.to_sql(ty, out),
            other => {
                let kind = match other {
                    Cell::Integer(_) => "an integer",
                    Cell::Real(_) => "a number",
                    Cell::Text(_) => "text",
                    Cell::Bytes(_) | Cell::Null => "bytes",
                };
                Err(format!("{kind} cannot go into a column of type {ty}").into())
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn count(tx: &mut Transaction<'_>, table: &str) -> Result<u64, StoreError> {
    let n: i64 = tx
        .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .map_err(backend)?
        .get(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

fn table_names(client: &mut impl postgres::GenericClient) -> Result<Vec<String>, StoreError> {
    Ok(client
        .query(
            "SELECT table_name::TEXT FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY 1",
            &[],
        )
        .map_err(backend)?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

impl PostgresStore {
    /// Every table of the database (the backend's bookkeeping included).
    #[cfg(test)]
    pub(crate) fn table_names(&self) -> Result<Vec<String>, StoreError> {
        self.run(table_names)
    }
}

/// Moves each identity column's sequence past the highest id copied in (and
/// past `high_water` for the tables whose ids are never given again), so
/// that the next row written gets a new id.
fn advance_sequences(
    tx: &mut Transaction<'_>,
    high_water: &[(String, i64)],
) -> Result<(), StoreError> {
    let identities = tx
        .query(
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
            &[],
        )
        .map_err(backend)?;
    for row in identities {
        let (table, column): (String, String) = (row.get(0), row.get(1));
        let mark = high_water
            .iter()
            .find(|(t, _)| *t == table && NEVER_REUSED_IDS.contains(&t.as_str()))
            .map_or(0, |(_, m)| *m);
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(MAX({column}), 0), $3) + 1, false) FROM {table}"
            ),
            &[&table, &column, &mark],
        )
        .map_err(backend)?;
    }
    Ok(())
}

impl TableStore for PostgresStore {
    fn export_tables(&self, sink: &mut RowSink<'_>) -> Result<(), StoreError> {
        self.snapshot(|tx| {
            check_tables(&table_names(tx)?)?;
            for &table in TABLES {
                let statement = tx
                    .prepare(&format!("SELECT * FROM {table}"))
                    .map_err(backend)?;
                let columns: Vec<String> = statement
                    .columns()
                    .iter()
                    .map(|c| c.name().to_owned())
                    .collect();
                let types: Vec<Type> = statement
                    .columns()
                    .iter()
                    .map(|c| c.type_().clone())
                    .collect();
                let portal = tx.bind(&statement, &[]).map_err(backend)?;
                let fetch = if types.contains(&Type::BYTEA) {
                    BINARY_CHUNK_ROWS
                } else {
                    i32::try_from(CHUNK_ROWS).unwrap_or(1000)
                };
                loop {
                    let rows = tx.query_portal(&portal, fetch).map_err(backend)?;
                    if rows.is_empty() {
                        break;
                    }
                    let mut chunk = Vec::with_capacity(rows.len());
                    for row in &rows {
                        chunk.push(
                            types
                                .iter()
                                .enumerate()
                                .map(|(i, ty)| cell(table, row, i, ty))
                                .collect::<Result<Vec<_>, _>>()?,
                        );
                    }
                    sink(TableRows {
                        table,
                        columns: columns.clone(),
                        rows: chunk,
                    })?;
                }
            }
            Ok(())
        })
    }

    fn id_high_water(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.run(|client| {
            let mut marks = Vec::new();
            for table in NEVER_REUSED_IDS {
                let sequence: Option<String> = client
                    .query_one("SELECT pg_get_serial_sequence($1, 'id')", &[table])
                    .map_err(backend)?
                    .get(0);
                let Some(sequence) = sequence else { continue };
                let row = client
                    .query_one(
                        &format!("SELECT last_value, is_called FROM {sequence}"),
                        &[],
                    )
                    .map_err(backend)?;
                let (last, called): (i64, bool) = (row.get(0), row.get(1));
                marks.push(((*table).to_owned(), if called { last } else { last - 1 }));
            }
            Ok(marks)
        })
    }

    fn import_tables(
        &self,
        source: &mut RowSource<'_>,
        high_water: &[(String, i64)],
    ) -> Result<Vec<(String, u64)>, StoreError> {
        self.write(|tx| {
            let mut held = Vec::new();
            for table in TABLES {
                let n = count(tx, table)?;
                if n > 0 {
                    held.push(format!("{table} ({n})"));
                }
            }
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
                let names = crate::sqlite::quoted(&chunk.columns);
                let in_table = |e: postgres::Error| {
                    StoreError::Backend(format!("{}: {}", chunk.table, describe_error(&e)))
                };
                let types: Vec<Type> = tx
                    .prepare(&format!("SELECT {names} FROM {} LIMIT 0", chunk.table))
                    .map_err(in_table)?
                    .columns()
                    .iter()
                    .map(|c| c.type_().clone())
                    .collect();
                let sink = tx
                    .copy_in(&format!(
                        "COPY {} ({names}) FROM STDIN (FORMAT binary)",
                        chunk.table
                    ))
                    .map_err(in_table)?;
                let mut writer = BinaryCopyInWriter::new(sink, &types);
                for row in &chunk.rows {
                    let values: Vec<&(dyn ToSql + Sync)> =
                        row.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
                    writer.write(&values).map_err(in_table)?;
                }
                writer.finish().map_err(in_table)?;
            }
            advance_sequences(tx, high_water)?;
            let counts = TABLES
                .iter()
                .map(|t| Ok(((*t).to_owned(), count(tx, t)?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            check_counts(&received, &counts)?;
            Ok(counts)
        })
        .inspect(|_| {
            // A whole deployment just arrived: give the planner its
            // statistics now, not when autovacuum gets round to it (as
            // after a pg_restore).
            self.analyze(TABLES);
        })
    }
}
