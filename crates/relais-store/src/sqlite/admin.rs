//! Operator-level state: settings, where an id lives, demo generations,
//! backups and re-sealing secrets.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use relais_access::CompanyId;
use relais_connections::StoredAnswer;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::people::{clear_people_in, replace_reference_in, tenant};
use super::{
    SqliteStore, backend, corrupt, json, latest_version, parse_uuid, timestamp, user_version,
};
use crate::{AdminStore, DemoBegin, Owned, PeopleReference, SchemaVersion, StoreError};

fn answers(text: &str) -> Result<BTreeMap<String, StoredAnswer>, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt("connections", e))
}

impl AdminStore for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn schema(&self) -> Result<SchemaVersion, StoreError> {
        Ok(SchemaVersion {
            found: user_version(&*self.conn()?).map_err(backend)?,
            known: latest_version(),
        })
    }

    fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.conn()?
            .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(backend)
    }

    fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        // One statement: the insert either happens or keeps the earlier value,
        // and RETURNING is not given for a kept row, hence the read after it
        // in the same transaction.
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        tx.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![name, value],
        )
        .map_err(backend)?;
        let stored: String = tx
            .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(stored)
    }

    fn owners(&self, kind: Owned, id: &str) -> Result<Vec<CompanyId>, StoreError> {
        let (table, column) = match kind {
            Owned::Credential => ("api_credentials", "client_id"),
            Owned::Connection => ("connections", "id"),
            Owned::SyncRun => ("sync_runs", "id"),
            Owned::Report => ("reports", "id"),
        };
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT DISTINCT company_id FROM {table} WHERE {column} = ?1 ORDER BY company_id"
            ))
            .map_err(backend)?;
        let rows = statement
            .query_map([id.trim()], |r| r.get::<_, String>(0))
            .map_err(backend)?;
        rows.map(|r| {
            let text = r.map_err(backend)?;
            parse_uuid(table, &text).map(CompanyId)
        })
        .collect()
    }

    fn any_sealed_secret(&self) -> Result<Option<String>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare("SELECT answers FROM connections WHERE answers LIKE '%\"sealed\"%'")
            .map_err(backend)?;
        let rows = statement
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(backend)?;
        for row in rows {
            for answer in answers(&row.map_err(backend)?)?.into_values() {
                if let StoredAnswer::Sealed(sealed) = answer {
                    return Ok(Some(sealed));
                }
            }
        }
        conn.query_row("SELECT secret FROM webhook_endpoints LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(backend)
    }

    fn reseal_secrets(
        &self,
        reseal: &mut (dyn FnMut(&str) -> Result<String, String> + Send),
        fingerprint: (&str, &str),
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let rows: Vec<(String, String)> = {
            let mut statement = tx
                .prepare("SELECT id, answers FROM connections ORDER BY id")
                .map_err(backend)?;
            let rows = statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)?
        };
        let mut count = 0;
        for (id, text) in rows {
            let mut map = answers(&text)?;
            let mut changed = false;
            for (key, answer) in &mut map {
                if let StoredAnswer::Sealed(sealed) = answer {
                    *sealed = reseal(sealed).map_err(|reason| {
                        StoreError::Backend(format!(
                            "connection {id}, field {key}: {reason}; nothing was changed"
                        ))
                    })?;
                    changed = true;
                    count += 1;
                }
            }
            if changed {
                tx.execute(
                    "UPDATE connections SET answers = ?2 WHERE id = ?1",
                    params![id, json(&map)?],
                )
                .map_err(backend)?;
            }
        }
        let endpoints: Vec<(String, String, Option<String>)> = {
            let mut statement = tx
                .prepare("SELECT id, secret, previous_secret FROM webhook_endpoints ORDER BY id")
                .map_err(backend)?;
            let rows = statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)?
        };
        for (id, secret, previous) in endpoints {
            let mut again = |sealed: &str| {
                reseal(sealed).map_err(|reason| {
                    StoreError::Backend(format!(
                        "webhook endpoint {id}: {reason}; nothing was changed"
                    ))
                })
            };
            let secret = again(&secret)?;
            let previous = previous.as_deref().map(&mut again).transpose()?;
            count += 1 + usize::from(previous.is_some());
            tx.execute(
                "UPDATE webhook_endpoints SET secret = ?2, previous_secret = ?3 WHERE id = ?1",
                params![id, secret, previous],
            )
            .map_err(backend)?;
        }
        tx.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![fingerprint.0, fingerprint.1],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(count)
    }

    fn backup(&self, to: &std::path::Path) -> Result<(), StoreError> {
        if to.exists() {
            return Err(StoreError::Conflict(format!("the file {}", to.display())));
        }
        // VACUUM INTO copies one consistent snapshot of the live database
        // (readers and writers carry on meanwhile), compacted.
        self.conn()?
            .execute("VACUUM INTO ?1", [to.display().to_string()])
            .map_err(|e| {
                StoreError::Backend(format!("cannot write the backup {}: {e}", to.display()))
            })?;
        Ok(())
    }

    fn begin_demo(
        &self,
        company: CompanyId,
        spec: &str,
        replace: bool,
        reference: &PeopleReference,
        now: DateTime<Utc>,
    ) -> Result<DemoBegin, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let tenant = tenant(&tx, company)?;
        let pending: Option<String> = tx
            .query_row(
                "SELECT spec FROM demo_generations WHERE company_id = ?1",
                [company.0.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        let employees: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM employees WHERE tenant = ?1",
                [tenant],
                |r| r.get(0),
            )
            .map_err(backend)?;
        let employees = u64::try_from(employees).unwrap_or(0);
        if !replace {
            match pending {
                Some(pending) if pending == spec => {
                    return Ok(DemoBegin::Resumed { written: employees });
                }
                Some(pending) => return Ok(DemoBegin::OtherGeneration(pending)),
                None if employees > 0 => return Ok(DemoBegin::HasEmployees(employees)),
                None => {}
            }
        }
        clear_people_in(&tx, tenant)?;
        replace_reference_in(&tx, tenant, reference)?;
        tx.execute(
            "INSERT INTO demo_generations (company_id, spec, started_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (company_id) DO UPDATE SET spec = excluded.spec, started_at = excluded.started_at",
            params![company.0.to_string(), spec, timestamp(now)],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(DemoBegin::Started)
    }

    fn pending_demo(&self, company: CompanyId) -> Result<Option<String>, StoreError> {
        self.conn()?
            .query_row(
                "SELECT spec FROM demo_generations WHERE company_id = ?1",
                [company.0.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)
    }

    fn finish_demo(&self, company: CompanyId) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "DELETE FROM demo_generations WHERE company_id = ?1",
                [company.0.to_string()],
            )
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccessStore;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};

    fn store() -> (tempfile::TempDir, SqliteStore, Company) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let now = Utc::now();
        let company = Company::new("Acme", now).unwrap();
        let admin = User::new(
            company.id,
            "a@acme.example",
            "A",
            MarketplaceRight::Edit,
            now,
        )
        .unwrap();
        let token = PersonalAccessToken::issue(&admin, "t", now, None).unwrap();
        store
            .create_company(&company, &admin, &token.record)
            .unwrap();
        (dir, store, company)
    }

    #[test]
    fn the_first_setting_stored_wins() {
        let (_dir, store, _) = store();
        assert_eq!(store.setting("k").unwrap(), None);
        assert_eq!(store.setting_or_insert("k", "one").unwrap(), "one");
        assert_eq!(store.setting_or_insert("k", "two").unwrap(), "one");
        assert_eq!(store.setting("k").unwrap().as_deref(), Some("one"));
    }

    #[test]
    fn a_demo_generation_resumes_only_with_the_same_options() {
        let (_dir, store, company) = store();
        let reference = PeopleReference::default();
        let now = Utc::now();
        assert_eq!(
            store
                .begin_demo(company.id, "a", false, &reference, now)
                .unwrap(),
            DemoBegin::Started
        );
        assert_eq!(
            store
                .begin_demo(company.id, "a", false, &reference, now)
                .unwrap(),
            DemoBegin::Resumed { written: 0 }
        );
        assert_eq!(
            store
                .begin_demo(company.id, "b", false, &reference, now)
                .unwrap(),
            DemoBegin::OtherGeneration("a".into())
        );
        assert_eq!(
            store
                .begin_demo(company.id, "b", true, &reference, now)
                .unwrap(),
            DemoBegin::Started
        );
        assert_eq!(
            store.pending_demo(company.id).unwrap().as_deref(),
            Some("b")
        );
        store.finish_demo(company.id).unwrap();
        assert_eq!(store.pending_demo(company.id).unwrap(), None);
    }

    #[test]
    fn a_backup_is_a_database_with_the_same_companies_and_never_overwrites() {
        let (dir, store, company) = store();
        let copy = dir.path().join("copy.db");
        store.backup(&copy).unwrap();
        let restored = SqliteStore::open(&copy).unwrap();
        assert_eq!(restored.companies().unwrap(), vec![company]);
        assert!(matches!(store.backup(&copy), Err(StoreError::Conflict(_))));
    }
}
