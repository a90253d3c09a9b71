//! The operator's use cases: what a database holds, the key for secrets at
//! rest (its fingerprint, re-sealing), backups, and finding the company an
//! id belongs to.

use relais_access::{Company, CompanyId, SecretKey};
use relais_connections::{Connection, StoredAnswer};
use relais_store::{Owned, SchemaVersion};
use serde::Serialize;

use crate::{App, AppError};

/// The setting that holds the fingerprint of the key secrets are sealed with.
const KEY_FINGERPRINT: &str = "secret_key_fingerprint";

/// How the key for secrets at rest stands against the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KeyState {
    /// `RELAIS_SECRET_KEY` is set and the database's secrets are sealed with it.
    Matches {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// `RELAIS_SECRET_KEY` is set; nothing is sealed yet, so the database
    /// takes this key at its first secret.
    Unused {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// `RELAIS_SECRET_KEY` is not set, and the database holds secrets sealed
    /// with a key: connections that need them cannot sync.
    Missing {
        /// The fingerprint of the database's key, when known.
        fingerprint: Option<String>,
    },
    /// Not set, and nothing sealed: wizards with secret fields are refused.
    NotSet,
}

impl std::fmt::Display for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Matches { fingerprint } => {
                write!(
                    f,
                    "set (fingerprint {fingerprint}); the database's secrets are sealed with it"
                )
            }
            Self::Unused { fingerprint } => write!(
                f,
                "set (fingerprint {fingerprint}); no secret sealed yet, the first one binds the database to this key"
            ),
            Self::Missing {
                fingerprint: Some(fingerprint),
            } => write!(
                f,
                "not set; the database's secrets are sealed with the key of fingerprint {fingerprint}"
            ),
            Self::Missing { fingerprint: None } => {
                f.write_str("not set; the database holds sealed secrets")
            }
            Self::NotSet => f.write_str("not set; wizards with secret fields are refused"),
        }
    }
}

/// What a database holds: for `relais info`.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseInfo {
    /// The database (a file path).
    pub database: String,
    /// Its schema version.
    pub schema_version: usize,
    /// The newest schema version this Relais knows.
    pub schema_version_known: usize,
    /// Its companies, oldest first.
    pub companies: Vec<Company>,
    /// The key for secrets at rest.
    pub secret_key: KeyState,
    /// Where the catalog came from.
    pub catalog_source: String,
    /// How many integrations it lists.
    pub catalog_integrations: usize,
}

impl App {
    /// Where the data lives, for messages (a file path).
    #[must_use]
    pub fn database(&self) -> String {
        self.store.location()
    }

    /// Whether this process can serve: the database answers and its schema
    /// is the one this build knows (a newer Relais may have migrated it
    /// under a replica that was not yet replaced).
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotConfigured`] saying why not.
    pub fn ready(&self) -> Result<(), AppError> {
        let SchemaVersion { found, known } = self.store.schema().map_err(|e| {
            AppError::new(
                crate::ErrorKind::NotConfigured,
                format!("the database does not answer: {e}"),
            )
        })?;
        if found != known {
            return Err(AppError::new(
                crate::ErrorKind::NotConfigured,
                format!("the database's schema is version {found}, this Relais knows {known}"),
            ));
        }
        Ok(())
    }

    /// What the database holds.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn info(&self) -> Result<DatabaseInfo, AppError> {
        let SchemaVersion { found, known } = self.store.schema()?;
        let catalog = self.catalog_info()?;
        Ok(DatabaseInfo {
            database: self.database(),
            schema_version: found,
            schema_version_known: known,
            companies: self.store.companies()?,
            secret_key: self.key_state()?,
            catalog_source: catalog.source,
            catalog_integrations: catalog.integration_count,
        })
    }

    fn key_mismatch(&self, key: &SecretKey, stored: &str) -> AppError {
        AppError::not_configured(format!(
            "RELAIS_SECRET_KEY (fingerprint {}) is not the key the secrets in {} are sealed with (fingerprint {stored}): start every process on this database (server and CLI) with the same key; to change keys, use `relais secrets rekey`",
            key.fingerprint(),
            self.database()
        ))
    }

    /// How `RELAIS_SECRET_KEY` stands against the database. A database
    /// with secrets but no recorded fingerprint (made by an older Relais)
    /// takes the key's fingerprint when the key opens its secrets.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotConfigured`] when the key is not the one the
    /// database's secrets are sealed with: processes with different keys
    /// would seal secrets the others cannot open.
    pub fn key_state(&self) -> Result<KeyState, AppError> {
        let stored = self.store.setting(KEY_FINGERPRINT)?;
        match (&self.secret_key, stored) {
            (Some(key), Some(stored)) if stored == key.fingerprint() => Ok(KeyState::Matches {
                fingerprint: stored,
            }),
            (Some(key), Some(stored)) => Err(self.key_mismatch(key, &stored)),
            (Some(key), None) => match self.store.any_sealed_secret()? {
                Some(sealed) if key.open(&sealed).is_err() => {
                    Err(self.key_mismatch(key, "unknown: sealed by an older Relais"))
                }
                Some(_) => {
                    let stored = self
                        .store
                        .setting_or_insert(KEY_FINGERPRINT, &key.fingerprint())?;
                    if stored == key.fingerprint() {
                        Ok(KeyState::Matches {
                            fingerprint: stored,
                        })
                    } else {
                        Err(self.key_mismatch(key, &stored))
                    }
                }
                None => Ok(KeyState::Unused {
                    fingerprint: key.fingerprint(),
                }),
            },
            // Without a key, only what is sealed counts: a key once used
            // whose secrets are all gone since (a deleted webhook endpoint)
            // is needed by nothing.
            (None, stored) => Ok(if self.store.any_sealed_secret()?.is_some() {
                KeyState::Missing {
                    fingerprint: stored,
                }
            } else {
                KeyState::NotSet
            }),
        }
    }

    /// The key to seal a new secret with; the first use records its
    /// fingerprint in the database.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotConfigured`] without a key, or with another
    /// key than the database's.
    pub(crate) fn sealing_key(&self) -> Result<&SecretKey, AppError> {
        let key = self.secret_key.as_ref().ok_or_else(|| {
            AppError::not_configured(
                "Relais stores secrets only encrypted, and RELAIS_SECRET_KEY is not set: the operator sets it to 64 hex digits (e.g. from `relais secrets new-key`), the same for the server and the CLI".into(),
            )
        })?;
        let stored = self
            .store
            .setting_or_insert(KEY_FINGERPRINT, &key.fingerprint())?;
        if stored == key.fingerprint() {
            Ok(key)
        } else {
            Err(self.key_mismatch(key, &stored))
        }
    }

    /// Why a connection's secrets cannot be opened by this process, if they
    /// cannot: no key, or another key. Shown with the connection, so that a
    /// connection that cannot sync says so instead of being skipped silently.
    #[must_use]
    pub fn secrets_attention(&self, connection: &Connection) -> Option<String> {
        // A removed connection needs nothing any more.
        if connection.state == relais_connections::ConnectionState::Disconnected {
            return None;
        }
        let sealed = connection.answers.values().find_map(|a| match a {
            StoredAnswer::Sealed(s) => Some(s),
            StoredAnswer::Plain(_) => None,
        })?;
        match &self.secret_key {
            None => Some(
                "its secrets are sealed, and this Relais runs without RELAIS_SECRET_KEY: it cannot use them (syncs do not run)".into(),
            ),
            Some(key) if key.open(sealed).is_err() => Some(
                "its secrets cannot be opened with this RELAIS_SECRET_KEY (another key): syncs do not run".into(),
            ),
            Some(_) => None,
        }
    }

    /// Re-seals every secret with `new_key` in one transaction and records
    /// its fingerprint; returns how many secrets were re-sealed. Afterwards
    /// every process must use the new key.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotConfigured`] when the current key is missing
    /// or wrong; [`AppError`] naming the secret that cannot be opened
    /// (nothing is changed then).
    pub fn rekey(&self, new_key: &SecretKey) -> Result<usize, AppError> {
        let state = self.key_state()?;
        let old = match (&self.secret_key, state) {
            (Some(key), _) => Some(key),
            (None, KeyState::NotSet) => None,
            (None, _) => {
                return Err(AppError::not_configured(
                    "the database holds sealed secrets: set RELAIS_SECRET_KEY to the current key and RELAIS_NEW_SECRET_KEY to the new one".into(),
                ));
            }
        };
        let mut reseal = |sealed: &str| -> Result<String, String> {
            let old = old.ok_or("no current key")?;
            let plain = old.open(sealed).map_err(|e| e.to_string())?;
            new_key.seal(&plain).map_err(|e| e.to_string())
        };
        let count = self
            .store
            .reseal_secrets(&mut reseal, (KEY_FINGERPRINT, &new_key.fingerprint()))?;
        tracing::info!(secrets = count, fingerprint = %new_key.fingerprint(), "secrets re-sealed with a new key");
        Ok(count)
    }

    /// Writes a consistent copy of the live database to `to`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Conflict`] when `to` exists; [`AppError`] when it
    /// cannot be written.
    pub fn backup(&self, to: &std::path::Path) -> Result<(), AppError> {
        Ok(self.store.backup(to)?)
    }

    /// The company of the operator's command: the one named by `key` (id or
    /// slug), else the one that holds `owned` (a record id unique across
    /// companies), else the only company.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] for an unknown company or an id no
    /// company holds (with several companies); [`crate::ErrorKind::Invalid`]
    /// when several companies could be meant, naming them.
    pub fn company_for(
        &self,
        key: Option<&str>,
        owned: Option<(Owned, &str)>,
    ) -> Result<Company, AppError> {
        if key.is_some() {
            return self.company(key);
        }
        let Some((kind, id)) = owned else {
            return self.company(None);
        };
        let owners = self.store.owners(kind, id)?;
        match owners.as_slice() {
            [one] => self.company_by_id(*one),
            [] => self.company(None).map_err(|e| match e.kind() {
                crate::ErrorKind::Invalid => {
                    AppError::not_found(format!("{} {id} in any company", owned_name(kind)))
                }
                _ => e,
            }),
            several => {
                let mut slugs = Vec::new();
                for id in several {
                    slugs.push(self.company_by_id(*id)?.slug);
                }
                Err(AppError::invalid(format!(
                    "{} {id} exists in {} companies ({}); say which one with --company",
                    owned_name(kind),
                    slugs.len(),
                    slugs.join(", ")
                )))
            }
        }
    }

    fn company_by_id(&self, id: CompanyId) -> Result<Company, AppError> {
        self.company(Some(&id.0.to_string()))
    }
}

fn owned_name(kind: Owned) -> &'static str {
    match kind {
        Owned::Credential => "credential",
        Owned::Connection => "connection",
        Owned::SyncRun => "sync run",
        Owned::Report => "report",
    }
}

/// Refuses a database location that is an address of another kind, or a
/// PostgreSQL address without its `//`, before anything takes it for the
/// name of a new SQLite file ([`relais_store::check_location`]).
///
/// # Errors
/// [`crate::ErrorKind::Invalid`] saying what a location may be.
pub fn check_location(location: &std::ffi::OsStr) -> Result<(), AppError> {
    match location.to_str() {
        Some(text) => {
            relais_store::check_location(text).map_err(|e| AppError::invalid(e.to_string()))
        }
        None => Ok(()),
    }
}

/// Copies every row of the database at `from` into the new, empty database
/// at `to` (either a file path or a `postgres://` address): one snapshot
/// read, one transaction written, every table counted before it commits.
/// Neither database is opened as an application (no catalog is installed
/// into the target).
///
/// # Errors
/// [`AppError`] when either database cannot be opened, the target holds
/// rows, or the copy fails; the target is unchanged then.
pub fn copy_database(
    from: &std::ffi::OsStr,
    to: &std::ffi::OsStr,
) -> Result<relais_store::copy::CopyReport, AppError> {
    if from == to {
        return Err(AppError::invalid(
            "--from and --to name the same database".into(),
        ));
    }
    for location in [from, to] {
        check_location(location)?;
    }
    let is_file = !relais_store::is_postgres_url(&from.to_string_lossy());
    if is_file && !std::path::Path::new(from).exists() {
        return Err(AppError::new(
            crate::ErrorKind::NotFound,
            format!(
                "no database at {}: name the database to copy with --from (or --db)",
                std::path::Path::new(from).display()
            ),
        ));
    }
    let source = relais_store::open(from)?;
    let target = relais_store::open(to)?;
    Ok(relais_store::copy::copy(source.as_ref(), target.as_ref())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Caller;

    const OLD: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const NEW: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    fn key(hex: &str) -> SecretKey {
        SecretKey::from_hex(hex).unwrap()
    }

    #[test]
    fn rekey_reseals_every_secret_and_moves_the_database_to_the_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = relais_store::testing::database_in(dir.path());
        let app = App::open(&path).unwrap().with_secret_key(Some(key(OLD)));
        assert!(matches!(app.key_state().unwrap(), KeyState::Unused { .. }));
        let company = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap()
            .company;
        let mut ids = Vec::new();
        for (slug, step, answers) in [
            (
                "slack",
                "workspace",
                serde_json::json!({"workspace": "acme", "bot_token": "xoxb-0123456789-abcdef"}),
            ),
            (
                "scim-provisioning",
                "target",
                serde_json::json!({"base_url": "https://idp.example/scim/v2", "bearer_token": "a-token-of-sixteen-chars"}),
            ),
        ] {
            let id = app
                .start_connection(Caller::Operator, &company, slug)
                .unwrap()
                .id;
            app.submit_wizard_step(
                Caller::Operator,
                &company,
                &id,
                step,
                answers.as_object().unwrap(),
            )
            .unwrap();
            ids.push(id);
        }
        assert!(matches!(app.key_state().unwrap(), KeyState::Matches { .. }));
        assert_eq!(app.rekey(&key(NEW)).unwrap(), 2);
        drop(app);

        let old = App::open(&path).unwrap().with_secret_key(Some(key(OLD)));
        assert_eq!(
            old.key_state().unwrap_err().kind(),
            crate::ErrorKind::NotConfigured
        );
        let new = App::open(&path).unwrap().with_secret_key(Some(key(NEW)));
        assert_eq!(
            new.key_state().unwrap(),
            KeyState::Matches {
                fingerprint: key(NEW).fingerprint()
            }
        );
        for id in ids {
            let view = new.connection(Caller::Operator, &company, &id).unwrap();
            assert_eq!(view.attention, None, "{id} opens with the new key");
        }
    }

    #[test]
    fn without_the_current_key_nothing_is_resealed() {
        let dir = tempfile::tempdir().unwrap();
        let path = relais_store::testing::database_in(dir.path());
        let app = App::open(&path).unwrap().with_secret_key(Some(key(OLD)));
        let company = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap()
            .company;
        let id = app
            .start_connection(Caller::Operator, &company, "slack")
            .unwrap()
            .id;
        app.submit_wizard_step(
            Caller::Operator,
            &company,
            &id,
            "workspace",
            serde_json::json!({"workspace": "acme", "bot_token": "xoxb-0123456789-abcdef"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        drop(app);
        let keyless = App::open(&path).unwrap();
        assert_eq!(
            keyless.rekey(&key(NEW)).unwrap_err().kind(),
            crate::ErrorKind::NotConfigured
        );
        let old = App::open(&path).unwrap().with_secret_key(Some(key(OLD)));
        assert!(matches!(old.key_state().unwrap(), KeyState::Matches { .. }));
    }

    #[test]
    fn a_key_whose_secrets_are_all_gone_is_not_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = relais_store::testing::database_in(dir.path());
        let app = App::open(&path).unwrap();
        app.create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        // A key sealed something once (its fingerprint stays recorded);
        // that secret was deleted since.
        app.store
            .setting_or_insert(KEY_FINGERPRINT, &key(OLD).fingerprint())
            .unwrap();
        assert_eq!(app.key_state().unwrap(), KeyState::NotSet);
        // The recorded key still binds the database.
        let other = App::open(&path).unwrap().with_secret_key(Some(key(NEW)));
        assert_eq!(
            other.key_state().unwrap_err().kind(),
            crate::ErrorKind::NotConfigured
        );
    }
}
