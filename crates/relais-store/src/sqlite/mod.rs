//! The SQLite backend.

mod access;
mod admin;
mod catalog;
mod connections;
mod copy;
#[cfg(feature = "postgres")]
pub(crate) use copy::quoted;
mod credentials;
mod documents;
mod import;
mod people;
mod recruiting;
mod reports;
mod sessions;
mod sync;
mod webhooks;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, ErrorCode};
use rusqlite_migration::{M, Migrations};

use crate::StoreError;
use crate::schema::STEPS;

/// How long a writer waits for another writer's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections kept open; readers run in parallel under WAL, writers queue.
const POOL_SIZE: u32 = 8;

fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|step| M::up(step.sqlite)).collect())
}

/// The number of schema steps this build knows.
fn latest_version() -> usize {
    STEPS.len()
}

/// Settings every connection needs: wait for locks instead of failing,
/// transactions that lock for writing from their start,
/// write-ahead logging so readers never block the writer, enforced foreign
/// keys; and, for reports that read a month of attendances, the database
/// memory-mapped (reads without a copy per page) and a larger page cache.
fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Every transaction takes the write lock when it begins: a deferred one
    // that reads first and writes later fails at once (SQLITE_BUSY, without
    // waiting) when another writer committed in between.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA mmap_size = 1073741824;
         PRAGMA cache_size = -32768;",
    )
}

/// The schema step that makes an e-mail address unique in each company
/// (`013_employee_writes.sql`).
const UNIQUE_EMAILS_STEP: usize = 13;

/// Before the step that makes e-mail addresses unique in each company: the
/// addresses used twice, named, so that the upgrade's refusal says what to
/// fix instead of quoting SQLite's constraint error. Relais itself never
/// wrote two (imports refuse them); a database edited by hand might hold some.
fn refuse_duplicate_emails(conn: &Connection, found: usize) -> Result<(), String> {
    // Employees exist from step 2 on; the step itself is `UNIQUE_EMAILS_STEP`.
    if !(2..UNIQUE_EMAILS_STEP).contains(&found) {
        return Ok(());
    }
    let mut statement = conn
        .prepare(
            "SELECT c.slug, e.email FROM employees e JOIN companies c ON c.tenant = e.tenant
             GROUP BY e.tenant, e.email HAVING COUNT(*) > 1 ORDER BY c.slug, e.email LIMIT 20",
        )
        .map_err(|e| e.to_string())?;
    let twice: Vec<String> = statement
        .query_map([], |r| {
            Ok(format!(
                "{} in {}",
                r.get::<_, String>(1)?,
                r.get::<_, String>(0)?
            ))
        })
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if twice.is_empty() {
        return Ok(());
    }
    Err(format!(
        "this Relais makes an employee's e-mail address unique in their company, but these are used by two employees or more: {}; give each employee an address of their own (with the Relais that wrote this database, or in the database itself), then start this one; nothing was changed",
        twice.join(", ")
    ))
}

fn user_version(conn: &Connection) -> rusqlite::Result<usize> {
    conn.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))
        .map(|v| usize::try_from(v).unwrap_or(0))
}

/// Relais's SQLite store: one database file, WAL mode, a pool of connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: Pool<SqliteConnectionManager>,
    /// The database file, for messages and backups.
    path: std::path::PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Open`] when the file cannot be opened or created, is not
    /// a SQLite database, or was written by a newer Relais.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        // Migrate on one plain connection first, so that a bad file fails
        // at once with SQLite's own words instead of as a pool time-out.
        let mut conn = Connection::open(path).map_err(|e| open_error(e.to_string()))?;
        configure(&mut conn).map_err(|e| open_error(e.to_string()))?;
        let found = user_version(&conn).map_err(|e| open_error(e.to_string()))?;
        let known = latest_version();
        if found > known {
            return Err(open_error(format!(
                "its schema version {found} is newer than this Relais knows ({known}); use a newer Relais"
            )));
        }
        refuse_duplicate_emails(&conn, found).map_err(open_error)?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| open_error(format!("schema migration failed: {e}")))?;
        drop(conn);

        let manager = SqliteConnectionManager::file(path).with_init(configure);
        let pool = Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| open_error(e.to_string()))?;
        Ok(Self {
            pool,
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_owned()),
        })
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database cannot be read.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        user_version(&*self.conn()?).map_err(backend)
    }

    /// The one pooled connection the calling thread may hold.
    ///
    /// A store method that took a second connection while holding one
    /// could deadlock the pool: under load every connection is held by a
    /// method waiting for another. So that no method can, a thread holding
    /// a connection is refused a second one, at once and in every build
    /// (tests fail on the first such call, and debug builds panic).
    fn conn(&self) -> Result<Held, StoreError> {
        if HELD.get() {
            debug_assert!(
                false,
                "a store method asked for a second database connection while holding one"
            );
            return Err(StoreError::Backend(
                "internal error: a second database connection was asked for while holding one"
                    .into(),
            ));
        }
        let conn = self
            .pool
            .get()
            .map_err(|e| StoreError::Backend(format!("no database connection: {e}")))?;
        HELD.set(true);
        Ok(Held {
            conn,
            _one_thread: std::marker::PhantomData,
        })
    }
}

thread_local! {
    /// Whether this thread holds a pooled connection (see [`SqliteStore::conn`]).
    static HELD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A pooled connection, the only one its thread holds. Not `Send`: it is
/// released on the thread that took it, which keeps [`HELD`] true to fact.
struct Held {
    conn: PooledConnection<SqliteConnectionManager>,
    _one_thread: std::marker::PhantomData<*const ()>,
}

impl std::ops::Deref for Held {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Held {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        HELD.set(false);
    }
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Maps a unique-constraint failure to [`StoreError::Conflict`] naming `what`.
fn conflict_or_backend(e: rusqlite::Error, what: impl FnOnce() -> String) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) => StoreError::Conflict(what()),
        _ => backend(e),
    }
}

/// A value as JSON text for a document column.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(e.to_string()))
}

/// A stored value of `table` that no longer reads back.
pub(crate) fn corrupt(table: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        reason: e.to_string(),
    }
}

/// Timestamps that are filtered or sorted on are written with a fixed number
/// of fraction digits, so that comparing them as text compares them as times
/// (the same text on every backend).
pub fn sortable(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

pub(crate) fn parse_timestamp(
    table: &'static str,
    text: &str,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| corrupt(table, format!("bad timestamp '{text}': {e}")))
}

pub(crate) fn parse_uuid(table: &'static str, text: &str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(text).map_err(|e| corrupt(table, format!("bad id '{text}': {e}")))
}

/// `query_row` through the connection's statement cache: the statements of
/// the public API's hot path (token, credential, tenant, revision) are
/// parsed once per connection, not once per request.
pub(super) trait CachedRow {
    fn cached_row<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T>;
}

impl CachedRow for Connection {
    fn cached_row<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upgrade_naming_duplicate_emails_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = Connection::open(&path).unwrap();
        migrations().to_version(&mut conn, 12).unwrap();
        conn.execute_batch(
            "INSERT INTO companies (id, name, slug, created_at, tenant)
                 VALUES ('c1', 'Acme', 'acme', '2026-01-01T00:00:00Z', 1);
             INSERT INTO employees (tenant, id, email, last_modified_at, document)
                 VALUES (1, 1, 'twin@acme.example', '', '{}'), (1, 2, 'twin@acme.example', '', '{}');",
        )
        .unwrap();
        drop(conn);
        let error = SqliteStore::open(&path).unwrap_err().to_string();
        assert!(error.contains("twin@acme.example in acme"), "{error}");
        let conn = Connection::open(&path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 12, "nothing was changed");
    }
    use crate::AccessStore;
    use chrono::Utc;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};

    pub(super) fn seed(store: &SqliteStore) -> Company {
        seed_named(store, "Acme GmbH")
    }

    /// A company named `name` with its first admin.
    pub(super) fn seed_named(store: &SqliteStore, name: &str) -> Company {
        let now = Utc::now();
        let company = Company::new(name, now).unwrap();
        let admin = User::new(
            company.id,
            "admin@acme.example",
            "Admin",
            MarketplaceRight::Edit,
            now,
        )
        .unwrap();
        let token = PersonalAccessToken::issue(&admin, "init", now, None).unwrap();
        store
            .create_company(&company, &admin, &token.record)
            .unwrap();
        company
    }

    /// A database file migrated only up to schema `version` (2 or later),
    /// holding one company: what an older Relais left behind.
    pub(super) fn database_at(version: usize) -> (tempfile::TempDir, std::path::PathBuf, Company) {
        assert!(version >= 2, "companies have a tenant key from version 2");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relais.db");
        let company = Company::new("Acme GmbH", Utc::now()).unwrap();
        let mut conn = Connection::open(&path).unwrap();
        migrations().to_version(&mut conn, version).unwrap();
        conn.execute(
            "INSERT INTO companies (id, name, slug, created_at, tenant) VALUES (?1, ?2, ?3, ?4, 1)",
            rusqlite::params![
                company.id.0.to_string(),
                company.name,
                company.slug,
                timestamp(company.created_at)
            ],
        )
        .unwrap();
        (dir, path, company)
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn an_empty_database_is_migrated_to_the_latest_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), latest_version());
        assert!(latest_version() >= 1);
    }

    #[test]
    fn an_existing_database_keeps_its_data_across_every_upgrade_and_reopen() {
        // From each older schema version, migrating to the latest keeps what was stored.
        for start in 1..=latest_version() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("relais.db");
            {
                let mut conn = Connection::open(&path).unwrap();
                migrations().to_version(&mut conn, start).unwrap();
            }
            let store = SqliteStore::open(&path).unwrap();
            let company = seed(&store);
            drop(store);
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(store.schema_version().unwrap(), latest_version());
            assert_eq!(store.companies().unwrap(), vec![company]);
        }
    }

    #[test]
    fn companies_of_the_first_schema_get_a_tenant_key_on_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relais.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrations().to_version(&mut conn, 1).unwrap();
            conn.execute(
                "INSERT INTO companies (id, name, slug, created_at) VALUES (?1, 'Old', 'old', '2026-01-01T00:00:00Z')",
                [uuid::Uuid::now_v7().to_string()],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let conn = store.conn().unwrap();
        let tenant: Option<i64> = conn
            .query_row("SELECT tenant FROM companies WHERE slug = 'old'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(tenant, Some(1));
        drop(conn);
        let company = seed(&store);
        let conn = store.conn().unwrap();
        let tenant: i64 = conn
            .query_row(
                "SELECT tenant FROM companies WHERE id = ?1",
                [company.id.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tenant, 2);
    }

    #[test]
    fn a_database_from_a_newer_relais_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relais.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("PRAGMA user_version = 999").unwrap();
        }
        let err = SqliteStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("schema version 999 is newer"), "{err}");
        let conn = Connection::open(&path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 999);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relais.db");
        std::fs::write(&path, "this is not a database, it is a text file with enough bytes in it to look like a header........").unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    }
}
