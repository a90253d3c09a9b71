use chrono::{DateTime, Utc};
use relais_catalog::Integration;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, backend, parse_timestamp, timestamp};
use crate::{CatalogInfo, CatalogStore, StoreError};

impl CatalogStore for SqliteStore {
    fn catalog(&self) -> Result<Vec<Integration>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare("SELECT slug, document FROM catalog_integrations ORDER BY slug")
            .map_err(backend)?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(backend)?;
        rows.map(|row| {
            let (slug, document) = row.map_err(backend)?;
            serde_json::from_str(&document).map_err(|e| StoreError::Corrupt {
                table: "catalog_integrations",
                reason: format!("integration '{slug}': {e}"),
            })
        })
        .collect()
    }

    fn catalog_info(&self) -> Result<Option<CatalogInfo>, StoreError> {
        let conn = self.conn()?;
        let row = conn
            .query_row(
                "SELECT source, loaded_at, integration_count FROM catalog_meta WHERE id = 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(backend)?;
        row.map(|(source, loaded_at, count)| {
            Ok(CatalogInfo {
                source,
                loaded_at: parse_timestamp("catalog_meta", &loaded_at)?,
                integration_count: usize::try_from(count).unwrap_or(0),
            })
        })
        .transpose()
    }

    fn replace_catalog(
        &self,
        source: &str,
        integrations: &[Integration],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        tx.execute("DELETE FROM catalog_integrations", [])
            .map_err(backend)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO catalog_integrations (slug, name, document) VALUES (?1, ?2, ?3)",
                )
                .map_err(backend)?;
            for integration in integrations {
                let document = super::json(integration)?;
                insert
                    .execute(params![integration.slug, integration.name, document])
                    .map_err(|e| {
                        super::conflict_or_backend(e, || {
                            format!("integration '{}'", integration.slug)
                        })
                    })?;
            }
        }
        tx.execute(
            "INSERT INTO catalog_meta (id, source, loaded_at, integration_count) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at,
                                            integration_count = excluded.integration_count",
            params![source, timestamp(now), integrations.len()],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_catalog::Catalog;

    #[test]
    fn a_replaced_catalog_reads_back_whole_and_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        assert!(store.catalog().unwrap().is_empty());
        assert_eq!(store.catalog_info().unwrap(), None);

        let shipped = Catalog::shipped().unwrap();
        store
            .replace_catalog("shipped", shipped.integrations(), Utc::now())
            .unwrap();
        assert_eq!(store.catalog().unwrap(), shipped.integrations());

        let two = &shipped.integrations()[..2];
        store.replace_catalog("mine.json", two, Utc::now()).unwrap();
        assert_eq!(store.catalog().unwrap(), two);
        let info = store.catalog_info().unwrap().unwrap();
        assert_eq!(
            (info.source.as_str(), info.integration_count),
            ("mine.json", 2)
        );
    }

    #[test]
    fn a_failed_replace_leaves_the_old_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let shipped = Catalog::shipped().unwrap();
        store
            .replace_catalog("shipped", shipped.integrations(), Utc::now())
            .unwrap();
        let first = shipped.integrations()[0].clone();
        let err = store
            .replace_catalog("dup", &[first.clone(), first], Utc::now())
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(store.catalog().unwrap(), shipped.integrations());
    }
}
