//! PostgreSQL: see `crate::sqlite::admin` (the same queries in PostgreSQL's dialect).
//! Operator-level state: settings, where an id lives, demo generations,
//! backups and re-sealing secrets.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use relais_access::CompanyId;
use relais_connections::StoredAnswer;

use super::people::{clear_people_in, replace_reference_in, tenant};
use super::{PostgresStore, backend, corrupt, get, json, parse_uuid, timestamp};
use crate::schema::STEPS;
use crate::{AdminStore, DemoBegin, Owned, PeopleReference, SchemaVersion, StoreError};

fn answers(text: &str) -> Result<BTreeMap<String, StoredAnswer>, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt("connections", e))
}

impl AdminStore for PostgresStore {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn schema(&self) -> Result<SchemaVersion, StoreError> {
        Ok(SchemaVersion {
            found: self.schema_version()?,
            known: STEPS.len(),
        })
    }

    fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.run(|client| {
            client
                .query_opt("SELECT value FROM settings WHERE name = $1", &[&name])
                .map_err(backend)?
                .map(|row| get("settings", &row, 0))
                .transpose()
        })
    }

    fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        // The insert either happens or keeps the earlier value; RETURNING
        // gives nothing for a kept row, hence the read after it. Under the
        // write lock no other writer runs between the two, and the read's
        // snapshot (taken after the lock) sees every committed value.
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &value],
            )
            .map_err(backend)?;
            let row = tx
                .query_one("SELECT value FROM settings WHERE name = $1", &[&name])
                .map_err(backend)?;
            get("settings", &row, 0)
        })
    }

    fn owners(&self, kind: Owned, id: &str) -> Result<Vec<CompanyId>, StoreError> {
        let (table, column) = match kind {
            Owned::Credential => ("api_credentials", "client_id"),
            Owned::Connection => ("connections", "id"),
            Owned::SyncRun => ("sync_runs", "id"),
            Owned::Report => ("reports", "id"),
        };
        let id = id.trim();
        self.run(|client| {
            client
                .query(
                    &format!(
                        "SELECT DISTINCT company_id FROM {table} WHERE {column} = $1 ORDER BY company_id"
                    ),
                    &[&id],
                )
                .map_err(backend)?
                .iter()
                .map(|row| {
                    let text: String = get(table, row, 0)?;
                    parse_uuid(table, &text).map(CompanyId)
                })
                .collect()
        })
    }

    fn any_sealed_secret(&self) -> Result<Option<String>, StoreError> {
        // LIKE, not ILIKE: it looks for the JSON key "sealed", whose case is
        // fixed (and SQLite's LIKE, case-blind, finds the same rows here).
        self.run(|client| {
            let rows = client
                .query(
                    "SELECT answers FROM connections WHERE answers LIKE '%\"sealed\"%' ORDER BY id",
                    &[],
                )
                .map_err(backend)?;
            for row in &rows {
                let text: String = get("connections", row, 0)?;
                for answer in answers(&text)?.into_values() {
                    if let StoredAnswer::Sealed(sealed) = answer {
                        return Ok(Some(sealed));
                    }
                }
            }
            client
                .query_opt(
                    "SELECT secret FROM webhook_endpoints ORDER BY id LIMIT 1",
                    &[],
                )
                .map_err(backend)?
                .map(|r| get("webhook_endpoints", &r, 0))
                .transpose()
        })
    }

    fn reseal_secrets(
        &self,
        reseal: &mut (dyn FnMut(&str) -> Result<String, String> + Send),
        fingerprint: (&str, &str),
    ) -> Result<usize, StoreError> {
        self.write(move |tx| {
            let rows = tx
                .query("SELECT id, answers FROM connections ORDER BY id", &[])
                .map_err(backend)?;
            let mut count = 0;
            for row in &rows {
                let id: String = get("connections", row, 0)?;
                let text: String = get("connections", row, 1)?;
                let mut map = answers(&text)?;
                let mut changed = false;
                for (key, stored) in &mut map {
                    if let StoredAnswer::Sealed(sealed) = stored {
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
                        "UPDATE connections SET answers = $2 WHERE id = $1",
                        &[&id, &json(&map)?],
                    )
                    .map_err(backend)?;
                }
            }
            let endpoints = tx
                .query(
                    "SELECT id, secret, previous_secret FROM webhook_endpoints ORDER BY id",
                    &[],
                )
                .map_err(backend)?;
            for row in &endpoints {
                const W: &str = "webhook_endpoints";
                let id: String = get(W, row, 0)?;
                let mut again = |sealed: &str| {
                    reseal(sealed).map_err(|reason| {
                        StoreError::Backend(format!(
                            "webhook endpoint {id}: {reason}; nothing was changed"
                        ))
                    })
                };
                let secret = again(get(W, row, 1)?)?;
                let previous = get::<Option<&str>>(W, row, 2)?
                    .map(&mut again)
                    .transpose()?;
                count += 1 + usize::from(previous.is_some());
                tx.execute(
                    "UPDATE webhook_endpoints SET secret = $2, previous_secret = $3 WHERE id = $1",
                    &[&id, &secret, &previous],
                )
                .map_err(backend)?;
            }
            tx.execute(
                "INSERT INTO settings (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                &[&fingerprint.0, &fingerprint.1],
            )
            .map_err(backend)?;
            Ok(count)
        })
    }

    fn backup(&self, to: &std::path::Path) -> Result<(), StoreError> {
        if to.exists() {
            return Err(StoreError::Conflict(format!("the file {}", to.display())));
        }
        let written =
            crate::SqliteStore::open(to).and_then(|file| crate::copy::copy(self, &file).map(drop));
        if let Err(e) = written {
            // Leave no half-written backup that looks like a good one.
            for suffix in ["", "-wal", "-shm"] {
                let mut path = to.as_os_str().to_owned();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
            return Err(StoreError::Backend(format!(
                "cannot write the backup {}: {e}",
                to.display()
            )));
        }
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
        let (company_id, now) = (company.0.to_string(), timestamp(now));
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let pending: Option<String> = tx
                .query_opt(
                    "SELECT spec FROM demo_generations WHERE company_id = $1",
                    &[&company_id],
                )
                .map_err(backend)?
                .map(|row| get("demo_generations", &row, 0))
                .transpose()?;
            let row = tx
                .query_one(
                    "SELECT COUNT(*) FROM employees WHERE tenant = $1",
                    &[&tenant],
                )
                .map_err(backend)?;
            let employees: i64 = get("employees", &row, 0)?;
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
            clear_people_in(tx, tenant)?;
            replace_reference_in(tx, tenant, reference)?;
            tx.execute(
                "INSERT INTO demo_generations (company_id, spec, started_at) VALUES ($1, $2, $3)
                 ON CONFLICT (company_id) DO UPDATE SET spec = excluded.spec, started_at = excluded.started_at",
                &[&company_id, &spec, &now],
            )
            .map_err(backend)?;
            Ok(DemoBegin::Started)
        })
    }

    fn pending_demo(&self, company: CompanyId) -> Result<Option<String>, StoreError> {
        let company = company.0.to_string();
        self.run(|client| {
            client
                .query_opt(
                    "SELECT spec FROM demo_generations WHERE company_id = $1",
                    &[&company],
                )
                .map_err(backend)?
                .map(|row| get("demo_generations", &row, 0))
                .transpose()
        })
    }

    fn finish_demo(&self, company: CompanyId) -> Result<(), StoreError> {
        let company = company.0.to_string();
        self.write(|tx| {
            tx.execute(
                "DELETE FROM demo_generations WHERE company_id = $1",
                &[&company],
            )
            .map_err(backend)?;
            Ok(())
        })?;
        // Hundreds of thousands of rows just arrived: without statistics
        // the planner takes them for a handful (a report's first read then
        // sorted 37,000 attendances it could have hashed). Autovacuum would
        // get there some time later, or never where it is turned off.
        self.analyze(&[
            "employees",
            "employee_history",
            "attendances",
            "time_offs",
            "absence_periods",
            "job_positions",
            "candidates",
            "applications",
        ]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::access::tests::{both, create, note, same, seed};
    use crate::{AccessStore, CredentialStore};
    use relais_access::{ApiAccess, ApiCredential, ApiPermission, PublicApi};

    fn settings(s: &impl AdminStore) -> Vec<String> {
        let mut log = Vec::new();
        note!(log, s.setting("k"));
        note!(log, s.setting_or_insert("k", "one"));
        note!(log, s.setting_or_insert("k", "two"));
        note!(log, s.setting("k"));
        note!(log, s.setting("K"));
        log
    }

    #[test]
    fn racing_processes_agree_on_the_first_setting() {
        let Some(stores) = both("racing_processes_agree_on_the_first_setting") else {
            return;
        };
        let store = &stores.pg;
        let stored: Vec<String> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..6)
                .map(|n| scope.spawn(move || store.setting_or_insert("key", &format!("v{n}"))))
                .collect();
            racers
                .into_iter()
                .map(|r| r.join().unwrap().unwrap())
                .collect()
        });
        assert!(stored.iter().all(|v| *v == stored[0]), "{stored:?}");
        assert_eq!(store.setting("key").unwrap().as_ref(), Some(&stored[0]));
    }

    fn owners(
        s: &(impl AccessStore + CredentialStore + AdminStore),
        credentials: &[ApiCredential],
    ) -> Vec<String> {
        let mut log = Vec::new();
        for c in credentials {
            note!(log, s.insert_credential(c));
        }
        let id = format!(" {} ", credentials[0].client_id);
        note!(log, s.owners(Owned::Credential, &id));
        note!(log, s.owners(Owned::Credential, "nope"));
        note!(log, s.owners(Owned::Connection, &id));
        note!(log, s.owners(Owned::SyncRun, &id));
        note!(log, s.owners(Owned::Report, &id));
        log
    }

    fn demo(s: &impl AdminStore, company: CompanyId) -> Vec<String> {
        let reference = PeopleReference::default();
        let now = Utc::now();
        let mut log = Vec::new();
        note!(log, s.pending_demo(company));
        note!(log, s.begin_demo(company, "a", false, &reference, now));
        note!(log, s.begin_demo(company, "a", false, &reference, now));
        note!(log, s.begin_demo(company, "b", false, &reference, now));
        note!(log, s.begin_demo(company, "b", true, &reference, now));
        note!(log, s.pending_demo(company));
        note!(log, s.finish_demo(company));
        note!(log, s.pending_demo(company));
        note!(
            log,
            s.begin_demo(CompanyId::new(), "a", false, &reference, now)
                .is_err()
        );
        log
    }

    /// Connections with answers as the connections module stores them.
    /// (In the order of their ids, which is SQLite's row order too.)
    const CONNECTIONS: [(&str, &str); 3] = [
        (
            "c1",
            r#"{"key":{"kind":"sealed","value":"v1:a"},"secret":{"kind":"sealed","value":"v1:c"}}"#,
        ),
        (
            "c2",
            r#"{"token":{"kind":"sealed","value":"v1:b"},"url":{"kind":"plain","value":{"type":"url","value":"https://x"}}}"#,
        ),
        (
            "c3",
            r#"{"sealed":{"kind":"plain","value":{"type":"text","value":"no secret"}}}"#,
        ),
    ];

    fn insert_connections_sql(company: CompanyId) -> Vec<String> {
        CONNECTIONS
            .iter()
            .map(|(id, answers)| {
                format!(
                    "INSERT INTO connections (id, company_id, integration, state, status, state_since, progress, answers, credential, created_at, revision)
                     VALUES ('{id}', '{company}', 'slack-{id}', '{{}}', 'active', 'now', '{{}}', '{answers}', NULL, 'now', 0)"
                )
            })
            .collect()
    }

    fn reseal(s: &impl AdminStore, read: &dyn Fn() -> Vec<(String, String)>) -> Vec<String> {
        let mut log = Vec::new();
        note!(log, s.any_sealed_secret());
        let mut seen = Vec::new();
        let mut fail = |sealed: &str| -> Result<String, String> {
            seen.push(sealed.to_owned());
            if sealed == "v1:b" {
                Err("wrong key".into())
            } else {
                Ok(sealed.replace("v1", "v2"))
            }
        };
        note!(log, s.reseal_secrets(&mut fail, ("fingerprint", "new")));
        note!(log, seen);
        note!(log, s.setting("fingerprint"));
        note!(log, read());
        let mut seen = Vec::new();
        let mut good = |sealed: &str| -> Result<String, String> {
            seen.push(sealed.to_owned());
            Ok(sealed.replace("v1", "v2"))
        };
        note!(log, s.reseal_secrets(&mut good, ("fingerprint", "new")));
        note!(log, seen);
        note!(log, s.setting("fingerprint"));
        note!(log, read());
        log
    }

    #[test]
    fn settings_owners_demos_and_resealing_behave_as_on_sqlite() {
        let Some(stores) = both("admin_behaves_as_on_sqlite") else {
            return;
        };
        let (acme, beta) = (
            seed("Acme GmbH", "a@example.com"),
            seed("Beta AG", "b@example.com"),
        );
        for s in [&acme, &beta] {
            create(&stores.sqlite, s);
            create(&stores.pg, s);
        }
        same(&settings(&stores.sqlite), &settings(&stores.pg));

        let scopes = [ApiPermission {
            api: PublicApi::Employees,
            access: ApiAccess::Read,
        }]
        .into();
        let credentials: Vec<ApiCredential> = [&acme, &beta]
            .iter()
            .map(|s| {
                ApiCredential::create(
                    s.company.id,
                    "BI",
                    None,
                    std::collections::BTreeSet::clone(&scopes),
                    Default::default(),
                    Utc::now(),
                )
                .unwrap()
                .0
            })
            .collect();
        same(
            &owners(&stores.sqlite, &credentials),
            &owners(&stores.pg, &credentials),
        );
        same(
            &demo(&stores.sqlite, acme.company.id),
            &demo(&stores.pg, acme.company.id),
        );
        // A finished generation leaves the planner statistics of what it
        // wrote (`reltuples` is -1 for a table never analysed).
        let analysed: f32 = stores
            .pg
            .run(|c| {
                crate::pg::get(
                    "pg_class",
                    &c.query_one(
                        "SELECT reltuples FROM pg_class WHERE relname = 'attendances'",
                        &[],
                    )
                    .map_err(backend)?,
                    0,
                )
            })
            .unwrap();
        assert!(analysed >= 0.0, "attendances never analysed: {analysed}");

        let path = stores.dir.path().join("relais.db");
        let sqlite_raw = || rusqlite::Connection::open(&path).unwrap();
        for sql in insert_connections_sql(acme.company.id) {
            sqlite_raw().execute(&sql, []).unwrap();
            stores
                .pg
                .write(|tx| tx.execute(sql.as_str(), &[]).map_err(backend))
                .unwrap();
        }
        let read_sqlite = || {
            let conn = sqlite_raw();
            let mut statement = conn
                .prepare("SELECT id, answers FROM connections ORDER BY id")
                .unwrap();
            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let read_pg = || {
            stores
                .pg
                .run(|c| {
                    c.query("SELECT id, answers FROM connections ORDER BY id", &[])
                        .map_err(backend)?
                        .iter()
                        .map(|r| Ok((get("connections", r, 0)?, get("connections", r, 1)?)))
                        .collect()
                })
                .unwrap()
        };
        let sqlite = reseal(&stores.sqlite, &read_sqlite);
        let pg = reseal(&stores.pg, &read_pg);
        same(&sqlite, &pg);
        assert!(
            sqlite.iter().any(|l| l.contains("wrong key")),
            "{sqlite:#?}"
        );
    }

    #[test]
    fn resealing_from_an_async_task_and_the_other_operator_answers() {
        let Some(stores) = both("resealing_from_an_async_task") else {
            return;
        };
        let acme = seed("Acme GmbH", "a@example.com");
        create(&stores.pg, &acme);
        for sql in insert_connections_sql(acme.company.id) {
            stores
                .pg
                .write(|tx| tx.execute(sql.as_str(), &[]).map_err(backend))
                .unwrap();
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let store = &stores.pg;
        let count = runtime.block_on(async {
            // Called from a thread that drives a runtime.
            let calls = std::sync::atomic::AtomicUsize::new(0);
            let mut reseal = |sealed: &str| {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(sealed.replace("v1", "v2"))
            };
            let count = store.reseal_secrets(&mut reseal, ("fp", "x")).unwrap();
            assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), count);
            count
        });
        assert_eq!(count, 3);
        assert_eq!(store.any_sealed_secret().unwrap().as_deref(), Some("v2:a"));

        let schema = store.schema().unwrap();
        assert_eq!(schema.found, schema.known);
        assert!(
            store.location().starts_with("postgres://"),
            "{}",
            store.location()
        );
        // The backup is a SQLite file holding the same rows; never overwritten.
        let file = stores.dir.path().join("copy.db");
        store.backup(&file).unwrap();
        let copy = crate::SqliteStore::open(&file).unwrap();
        assert_eq!(copy.any_sealed_secret().unwrap().as_deref(), Some("v2:a"));
        let error = store.backup(&file).unwrap_err();
        assert!(matches!(&error, StoreError::Conflict(_)), "{error:?}");
    }
}
