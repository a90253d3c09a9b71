//! PostgreSQL: see `crate::sqlite::catalog` (the same queries in PostgreSQL's dialect).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use relais_catalog::Integration;

use super::{
    PostgresStore, backend, conflict_or_backend, get, int, json, parse_timestamp, timestamp,
};
use crate::{CatalogInfo, CatalogStore, StoreError};

/// Integrations written per `INSERT` (three parameters each).
const CHUNK: usize = 500;

impl CatalogStore for PostgresStore {
    fn catalog(&self) -> Result<Vec<Integration>, StoreError> {
        const T: &str = "catalog_integrations";
        self.run(|client| {
            client
                .query(
                    "SELECT slug, document FROM catalog_integrations ORDER BY slug",
                    &[],
                )
                .map_err(backend)?
                .iter()
                .map(|row| {
                    let slug: String = get(T, row, 0)?;
                    let document: String = get(T, row, 1)?;
                    serde_json::from_str(&document).map_err(|e| StoreError::Corrupt {
                        table: T,
                        reason: format!("integration '{slug}': {e}"),
                    })
                })
                .collect()
        })
    }

    fn catalog_info(&self) -> Result<Option<CatalogInfo>, StoreError> {
        const T: &str = "catalog_meta";
        self.run(|client| {
            let Some(row) = client
                .query_opt(
                    "SELECT source, loaded_at, integration_count FROM catalog_meta WHERE id = 1",
                    &[],
                )
                .map_err(backend)?
            else {
                return Ok(None);
            };
            let loaded_at: String = get(T, &row, 1)?;
            let count: i64 = get(T, &row, 2)?;
            Ok(Some(CatalogInfo {
                source: get(T, &row, 0)?,
                loaded_at: parse_timestamp(T, &loaded_at)?,
                integration_count: usize::try_from(count).unwrap_or(0),
            }))
        })
    }

    fn replace_catalog(
        &self,
        source: &str,
        integrations: &[Integration],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // SQLite names the first slug its unique key refuses; one
        // multi-row INSERT would not say which, so look before writing.
        let mut seen = BTreeSet::new();
        if let Some(twice) = integrations.iter().find(|i| !seen.insert(i.slug.as_str())) {
            return Err(StoreError::Conflict(format!(
                "integration '{}'",
                twice.slug
            )));
        }
        let documents = integrations
            .iter()
            .map(json)
            .collect::<Result<Vec<_>, _>>()?;
        let (loaded_at, count) = (timestamp(now), int(integrations.len()));
        self.write(|tx| {
            tx.execute("DELETE FROM catalog_integrations", &[])
                .map_err(backend)?;
            for (chunk, documents) in integrations.chunks(CHUNK).zip(documents.chunks(CHUNK)) {
                let mut sql = String::from(
                    "INSERT INTO catalog_integrations (slug, name, document) VALUES ",
                );
                let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(chunk.len() * 3);
                for (n, (integration, document)) in chunk.iter().zip(documents).enumerate() {
                    if n > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("(${}, ${}, ${})", 3 * n + 1, 3 * n + 2, 3 * n + 3));
                    params.extend([
                        &integration.slug as &(dyn ToSql + Sync),
                        &integration.name,
                        document,
                    ]);
                }
                tx.execute(sql.as_str(), &params).map_err(|e| {
                    conflict_or_backend(e, || "an integration of the catalog".to_owned())
                })?;
            }
            tx.execute(
                "INSERT INTO catalog_meta (id, source, loaded_at, integration_count) VALUES (1, $1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at,
                                                integration_count = excluded.integration_count",
                &[&source, &loaded_at, &count],
            )
            .map_err(backend)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::access::tests::{both, note, same};
    use relais_catalog::Catalog;

    fn scenario(s: &impl CatalogStore, shipped: &[Integration], at: DateTime<Utc>) -> Vec<String> {
        let mut log = Vec::new();
        note!(log, s.catalog());
        note!(log, s.catalog_info());
        note!(log, s.replace_catalog("shipped", shipped, at));
        note!(log, s.catalog().map(|c| c == shipped));
        note!(log, s.catalog_info());
        let two = &shipped[..2];
        note!(log, s.replace_catalog("mine.json", two, at));
        note!(log, s.catalog());
        note!(log, s.catalog_info());
        // A duplicate slug fails the whole replacement.
        let twice = [shipped[2].clone(), shipped[3].clone(), shipped[2].clone()];
        note!(log, s.replace_catalog("dup", &twice, at));
        note!(log, s.catalog().map(|c| c == two));
        note!(log, s.catalog_info());
        note!(log, s.replace_catalog("empty", &[], at));
        note!(log, s.catalog());
        note!(log, s.catalog_info());
        log
    }

    #[test]
    fn the_catalog_is_replaced_whole_as_on_sqlite() {
        let Some(stores) = both("the_catalog_is_replaced_whole") else {
            return;
        };
        let shipped = Catalog::shipped().unwrap();
        let mut reversed = shipped.integrations().to_vec();
        reversed.reverse();
        let at = Utc::now();
        let sqlite = scenario(&stores.sqlite, &reversed, at);
        let pg = scenario(&stores.pg, &reversed, at);
        same(&sqlite, &pg);
        assert!(sqlite.iter().any(|l| l.contains("Conflict")), "{sqlite:#?}");
    }
}
