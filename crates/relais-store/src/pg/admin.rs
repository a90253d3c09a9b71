//! PostgreSQL: see `crate::sqlite::admin` (the same queries in PostgreSQL's dialect).
//! Operator-level state: settings, where an id lives, demo generations,
//! backups and re-sealing secrets.

use std::collections::BTreeMap;
use std::sync::mpsc;

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
            Ok(None)
        })
    }

    fn reseal_secrets(
        &self,
        reseal: &mut dyn FnMut(&str) -> Result<String, String>,
        fingerprint: (&str, &str),
    ) -> Result<usize, StoreError> {
        // The transaction runs on a thread of its own (database calls may
        // not block an async runtime's thread, and may move to another
        // thread); `reseal` need not be `Send`, so it stays on this thread
        // and answers the transaction's requests over channels.
        let (ask, asked) = mpsc::channel::<String>();
        let (answer, answered) = mpsc::channel::<Result<String, String>>();
        std::thread::scope(|scope| {
            let worker = scope.spawn(move || {
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
                                let lost = || {
                                    StoreError::Backend(
                                        "the re-sealing stopped; nothing was changed".into(),
                                    )
                                };
                                ask.send(sealed.clone()).map_err(|_| lost())?;
                                *sealed = answered.recv().map_err(|_| lost())?.map_err(
                                    |reason| {
                                        StoreError::Backend(format!(
                                            "connection {id}, field {key}: {reason}; nothing was changed"
                                        ))
                                    },
                                )?;
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
                    tx.execute(
                        "INSERT INTO settings (name, value) VALUES ($1, $2)
                         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        &[&fingerprint.0, &fingerprint.1],
                    )
                    .map_err(backend)?;
                    Ok(count)
                })
            });
            // Ends when the worker drops its end (the transaction is over).
            for sealed in asked {
                if answer.send(reseal(&sealed)).is_err() {
                    break;
                }
            }
            match worker.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    fn backup(&self, _to: &std::path::Path) -> Result<(), StoreError> {
        Err(StoreError::Backend(
            "a PostgreSQL database is backed up with pg_dump or the server's own backups; see docs/operations.md"
                .into(),
        ))
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
        })
    }
}
