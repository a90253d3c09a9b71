//! The PostgreSQL backend: the same tables, columns and constraints as the
//! SQLite backend (see `migrations/postgres/`), for deployments with several
//! server replicas on one database.
//!
//! Two rules make it behave like the SQLite backend under concurrency:
//! every write transaction takes one transaction-level advisory lock
//! ([`PostgresStore::write`]), so writers run one at a time as SQLite's do
//! and a check-then-act inside a transaction stays atomic across replicas;
//! and readers never wait for writers (PostgreSQL's snapshots). One
//! exception, for throughput: a batch of sync entries is appended before
//! its transaction takes the lock ([`PostgresStore::write_after`]), so the
//! batches of different runs are written at once; the run itself is then
//! checked and updated under the lock.
//!
//! The `postgres` driver runs its own small runtime per connection and
//! blocks the calling thread. A thread that drives an async runtime must not
//! block that way, so calls made from a thread that belongs to a runtime are
//! moved to a short-lived thread of their own ([`PostgresStore::run`]). Tokio
//! gives no way to tell its blocking-pool threads (where blocking is fine)
//! from its workers, so a caller on the blocking pool says so with
//! [`crate::blocking_section`] (as the server's and the app's
//! `spawn_blocking` do) and its calls run in place.

mod access;
mod admin;
mod catalog;
mod connections;
mod copy;
mod credentials;
mod documents;
mod import;
mod people;
mod recruiting;
mod reports;
mod sessions;
mod sync;
mod webhooks;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::types::FromSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement, Transaction};
use r2d2::{Pool, PooledConnection};

#[allow(unused_imports)] // each is used by some domain module
pub(crate) use crate::sqlite::{corrupt, json, parse_timestamp, parse_uuid, sortable, timestamp};

use crate::StoreError;
use crate::schema::{POSTGRES_BASELINE, STEPS};

/// Connections kept open per process.
const POOL_SIZE: u32 = 8;

/// The advisory lock every write transaction holds (one writer at a time,
/// across every replica on the database). The bytes spell "RELAIS".
const WRITE_LOCK: i64 = 0x5245_4c41_4953;

/// The advisory lock held while the schema is checked and brought up to
/// date, so that replicas starting together migrate once.
const MIGRATION_LOCK: i64 = WRITE_LOCK + 1;

/// How long a statement waits for a lock (the write lock included) before
/// it fails, in milliseconds.
const LOCK_TIMEOUT_MS: u32 = 30_000;

/// How long a transaction may sit idle before the server ends it (and frees
/// its locks), in milliseconds.
const IDLE_IN_TRANSACTION_MS: u32 = 120_000;

/// A pooled connection used this recently is handed out without asking the
/// server whether it is still there (a round trip per store call, a third
/// of a short request's time); one idle longer is checked first.
const TRUSTED_FOR: Duration = Duration::from_secs(2);

/// Opens and checks the pool's connections.
#[derive(Debug)]
struct Manager {
    config: postgres::Config,
}

/// A pooled connection, with when it last worked and the statements
/// prepared on it.
struct Connection {
    client: Client,
    worked_at: std::time::Instant,
    statements: Statements,
}

/// Statements prepared on one connection, by their text: a statement run
/// again is sent as one execute, where its text alone costs a prepare (a
/// round trip, and the server's parse and plan) every time.
#[derive(Default)]
struct Statements(std::collections::HashMap<String, Statement>);

/// Statements kept per connection; past it the cache starts again (the
/// statements in use are a few dozen; queries built from filters vary).
const STATEMENTS_KEPT: usize = 256;

thread_local! {
    /// The statements of the connection this thread holds (see
    /// [`PostgresStore::run`]), while it holds it.
    static STATEMENTS: std::cell::RefCell<Option<Statements>> = const { std::cell::RefCell::new(None) };
}

/// `sql` prepared on the connection the calling thread holds: from the
/// connection's cache, or prepared now and kept.
///
/// # Errors
/// The driver's, when `sql` does not prepare.
pub(crate) fn prepared(
    client: &mut impl GenericClient,
    sql: &str,
) -> Result<Statement, StoreError> {
    let known = STATEMENTS.with_borrow(|cache| cache.as_ref().and_then(|c| c.0.get(sql).cloned()));
    if let Some(statement) = known {
        return Ok(statement);
    }
    let statement = client.prepare(sql).map_err(backend)?;
    STATEMENTS.with_borrow_mut(|cache| {
        if let Some(cache) = cache {
            if cache.0.len() >= STATEMENTS_KEPT {
                cache.0.clear();
            }
            cache.0.insert(sql.to_owned(), statement.clone());
        }
    });
    Ok(statement)
}

/// Lends a connection's statements to its thread for one [`PostgresStore::run`],
/// and takes them back when the run ends, a panic included (a statement must
/// never reach another connection).
struct LentStatements<'a>(&'a mut Statements);

impl<'a> LentStatements<'a> {
    fn lend(statements: &'a mut Statements) -> Self {
        STATEMENTS.set(Some(std::mem::take(statements)));
        Self(statements)
    }
}

impl Drop for LentStatements<'_> {
    fn drop(&mut self) {
        *self.0 = STATEMENTS.take().unwrap_or_default();
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        Ok(Connection {
            client: self.config.connect(NoTls)?,
            worked_at: std::time::Instant::now(),
            statements: Statements::default(),
        })
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), postgres::Error> {
        if conn.worked_at.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        conn.client.simple_query("")?;
        conn.worked_at = std::time::Instant::now();
        Ok(())
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.client.is_closed()
    }
}

/// Relais's PostgreSQL store: a pool of connections to one database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: Arc<PoolHolder>,
    /// The database address without its password, for messages.
    location: String,
}

/// Owns the pool, and drops it (closing its connections, each with its own
/// runtime) on a thread where that is allowed.
#[derive(Debug)]
struct PoolHolder(Option<Pool<Manager>>);

impl Drop for PoolHolder {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            if in_async_context() {
                let _ = std::thread::spawn(move || drop(pool)).join();
            } else {
                drop(pool);
            }
        }
    }
}

/// Whether the calling thread may be driving an async runtime, where the
/// driver's blocking calls are not allowed.
fn in_async_context() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// Runs `work` on a thread that may block: this one, or a scoped thread of
/// its own when this one belongs to an async runtime.
fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if crate::may_block() || !in_async_context() {
        return work();
    }
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// The address of `config` without credentials: `postgres://user@host:port/db`.
fn describe(config: &postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    format!("postgres://{user}{host}:{port}/{db}")
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`,
    /// or any form the `postgres` driver reads) and brings its schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Open`] when the address is malformed, the server does
    /// not answer or refuses, the database holds tables that are not
    /// Relais's, or its schema was written by a newer Relais.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with_pool(url, POOL_SIZE)
    }

    /// [`PostgresStore::open`] with at most `connections` connections.
    fn open_with_pool(url: &str, connections: u32) -> Result<Self, StoreError> {
        // A scheme is case-insensitive (`Postgres://`); the driver reads
        // only the lower-case one.
        let url = match url.split_once("://") {
            Some((scheme, rest)) if scheme.chars().any(|c| c.is_ascii_uppercase()) => {
                format!("{}://{rest}", scheme.to_ascii_lowercase())
            }
            _ => url.to_owned(),
        };
        let mut config = postgres::Config::from_str(&url).map_err(|e| StoreError::Open {
            path: "the PostgreSQL address".into(),
            reason: e.to_string(),
        })?;
        let location = describe(&config);
        let open_error = |reason: String| StoreError::Open {
            path: location.clone(),
            reason,
        };
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("relais");
        }
        // A writer never waits for the write lock forever (SQLite's busy
        // time-out, longer), a transaction left open by a frozen or
        // unreachable replica is ended by the server and its lock freed,
        // and a dead peer is noticed in minutes, not hours. Settings the
        // address gives in `options` come after these and win.
        let options = format!(
            "-c lock_timeout={LOCK_TIMEOUT_MS} -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS} {}",
            config.get_options().unwrap_or_default()
        );
        config.options(options.trim_end());
        if !config.get_keepalives() {
            config.keepalives(true);
        }
        config.keepalives_idle(Duration::from_secs(30));
        let pool = off_runtime(|| {
            // Migrate on one plain connection first, so that a refusal comes
            // at once in the server's own words instead of as a pool time-out.
            let mut client = config
                .connect(NoTls)
                .map_err(|e| open_error(describe_error(&e)))?;
            migrate(&mut client).map_err(&open_error)?;
            drop(client);
            Pool::builder()
                .max_size(connections)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .build(Manager {
                    config: config.clone(),
                })
                .map_err(|e| open_error(e.to_string()))
        })?;
        Ok(Self {
            pool: Arc::new(PoolHolder(Some(pool))),
            location,
        })
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database cannot be read.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        self.run(|client| schema_version(client).map_err(backend))
    }

    /// Runs `work` with a pooled connection, outside any transaction (each
    /// statement commits on its own).
    pub(crate) fn run<T: Send>(
        &self,
        work: impl FnOnce(&mut Client) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        off_runtime(|| {
            let mut held = self.conn()?;
            let Connection {
                client,
                worked_at,
                statements,
            } = &mut *held.conn;
            let value = {
                let _lent = LentStatements::lend(statements);
                work(client)
            };
            // An answer of any kind (an error included) came from the server.
            if !client.is_closed() {
                *worked_at = std::time::Instant::now();
            }
            // A failure of the database may come from a prepared statement
            // the schema has outgrown (another replica migrated): prepare
            // afresh next time. (A refusal, a conflict or "not found" is an
            // answer, not a failure: the statements stay.)
            if matches!(value, Err(StoreError::Backend(_))) {
                statements.0.clear();
            }
            value
        })
    }

    /// Runs `work` in a transaction that holds the write lock from its
    /// start, and commits it when `work` succeeds (rolls back otherwise).
    pub(crate) fn write<T: Send>(
        &self,
        work: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        self.write_after(|_| Ok(()), |tx, ()| work(tx))
    }

    /// Runs `before`, then `work` under the write lock, in one transaction
    /// that commits when both succeed (rolls back otherwise).
    ///
    /// `before` runs while other writers run: it may only append rows that
    /// no check-then-act of another writer reads (sync entries), and must
    /// serialize itself against writers of the same rows with a lock of its
    /// own that no holder of the write lock waits for, or the two would
    /// wait for each other. `work` sees everything committed before it
    /// took the lock, so it checks again what `before` assumed.
    pub(crate) fn write_after<B: Send, T: Send>(
        &self,
        before: impl FnOnce(&mut Transaction<'_>) -> Result<B, StoreError> + Send,
        work: impl FnOnce(&mut Transaction<'_>, B) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        self.run(|client| {
            let mut tx = client.transaction().map_err(backend)?;
            let done = before(&mut tx)?;
            let lock = prepared(&mut tx, "SELECT pg_advisory_xact_lock($1)")?;
            tx.execute(&lock, &[&WRITE_LOCK]).map_err(backend)?;
            let value = work(&mut tx, done)?;
            tx.commit().map_err(backend)?;
            Ok(value)
        })
    }

    /// Runs `work` in a read-only transaction that sees one snapshot of the
    /// database throughout (several statements that must agree).
    pub(crate) fn snapshot<T: Send>(
        &self,
        work: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        self.run(|client| {
            let mut tx = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(backend)?;
            let value = work(&mut tx)?;
            tx.commit().map_err(backend)?;
            Ok(value)
        })
    }

    /// Gives the planner statistics of `tables` after a bulk write. The
    /// write has committed by then: a failure is left to autovacuum, not
    /// reported as a failure of the write.
    pub(crate) fn analyze(&self, tables: &[&str]) {
        let sql = format!("ANALYZE {}", tables.join(", "));
        let _ = self.run(|client| client.batch_execute(&sql).map_err(backend));
    }

    /// The one pooled connection the calling thread may hold (the same rule
    /// as the SQLite backend's: a method holding a connection that asked for
    /// a second could deadlock the pool under load).
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
        let pool = self
            .pool
            .0
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closed".into()))?;
        let conn = pool
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
    /// Whether this thread holds a pooled connection (see [`PostgresStore::conn`]).
    static HELD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A pooled connection, the only one its thread holds.
struct Held {
    conn: PooledConnection<Manager>,
    _one_thread: std::marker::PhantomData<*const ()>,
}

impl Drop for Held {
    fn drop(&mut self) {
        HELD.set(false);
    }
}

/// The schema version recorded in the database (0 for an empty one).
fn schema_version(client: &mut Client) -> Result<usize, postgres::Error> {
    let table: Option<String> = client
        .query_one("SELECT to_regclass('relais_schema')::text", &[])?
        .get(0);
    if table.is_none() {
        return Ok(0);
    }
    let version: Option<i64> = client
        .query_opt("SELECT version FROM relais_schema", &[])?
        .map(|row| row.get(0));
    Ok(version.and_then(|v| usize::try_from(v).ok()).unwrap_or(0))
}

/// Brings the schema up to date under the migration lock: a database of a
/// newer schema, or one holding tables that are not Relais's, is refused
/// untouched; each step runs in a transaction of its own.
fn migrate(client: &mut Client) -> Result<(), String> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(|e| describe_error(&e))?;
    let result = migrate_locked(client);
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    result
}

fn migrate_locked(client: &mut Client) -> Result<(), String> {
    let found = schema_version(client).map_err(|e| describe_error(&e))?;
    let known = STEPS.len();
    if found > known {
        return Err(format!(
            "its schema version {found} is newer than this Relais knows ({known}); use a newer Relais"
        ));
    }
    if found == 0 {
        let others: i64 = client
            .query_one(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                &[],
            )
            .map_err(|e| describe_error(&e))?
            .get(0);
        if others > 0 {
            let tables = if others == 1 { "table" } else { "tables" };
            return Err(format!(
                "the database holds {others} {tables} but no Relais schema; give Relais an empty database of its own"
            ));
        }
        let mut tx = client.transaction().map_err(|e| describe_error(&e))?;
        tx.batch_execute(POSTGRES_BASELINE.1)
            .and_then(|()| tx.batch_execute("CREATE TABLE relais_schema (version BIGINT NOT NULL)"))
            .and_then(|()| {
                tx.execute(
                    "INSERT INTO relais_schema (version) VALUES ($1)",
                    &[&i64::try_from(POSTGRES_BASELINE.0).unwrap_or(i64::MAX)],
                )
                .map(drop)
            })
            .and_then(|()| tx.commit())
            .map_err(|e| format!("schema migration failed: {}", describe_error(&e)))?;
    }
    let found = found.max(POSTGRES_BASELINE.0);
    for (index, step) in STEPS.iter().enumerate().skip(found) {
        let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
        let mut tx = client.transaction().map_err(|e| describe_error(&e))?;
        tx.batch_execute(step.postgres)
            .and_then(|()| tx.execute("UPDATE relais_schema SET version = $1", &[&version]))
            .and_then(|_| tx.commit())
            .map_err(|e| {
                format!(
                    "schema migration to version {version} failed: {}",
                    describe_error(&e)
                )
            })?;
    }
    Ok(())
}

/// The driver's error with the server's message, which its `Display` leaves
/// out ("db error" alone says nothing).
pub(crate) fn describe_error(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

pub(crate) fn backend(e: postgres::Error) -> StoreError {
    if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
        return StoreError::Backend(format!(
            "the database is busy: a lock was not granted within {} seconds",
            LOCK_TIMEOUT_MS / 1000
        ));
    }
    // Text holding U+0000 (which SQLite keeps): the client's input, not a
    // failure of the database.
    if e.code() == Some(&SqlState::CHARACTER_NOT_IN_REPERTOIRE)
        || e.code() == Some(&SqlState::UNTRANSLATABLE_CHARACTER)
    {
        return StoreError::Unstorable(
            "a text holds the character U+0000 (NUL), which is not stored; remove it".into(),
        );
    }
    StoreError::Backend(describe_error(&e))
}

/// Maps an integrity-constraint failure (unique, foreign key, check, not
/// null: SQLSTATE class 23, as SQLite's one constraint code) to
/// [`StoreError::Conflict`] naming `what`.
pub(crate) fn conflict_or_backend(e: postgres::Error, what: impl FnOnce() -> String) -> StoreError {
    if is_constraint_violation(&e) {
        StoreError::Conflict(what())
    } else {
        backend(e)
    }
}

/// Whether `e` is an integrity-constraint failure (SQLSTATE class 23).
pub(crate) fn is_constraint_violation(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| c.code().starts_with("23"))
}

/// Whether `e` is a unique-key failure.
#[allow(dead_code)] // used by some domain modules
pub(crate) fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// Column `index` of `row` as `T`; a stored value of another type is
/// corrupt data of `table`, not a panic.
pub(crate) fn get<'a, T: FromSql<'a>>(
    table: &'static str,
    row: &'a Row,
    index: usize,
) -> Result<T, StoreError> {
    row.try_get(index).map_err(|e| corrupt(table, e))
}

/// An unsigned count or revision as the signed integer PostgreSQL stores.
#[allow(dead_code)] // used by some domain modules
pub(crate) fn int(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use crate::testing::{TestDatabase, postgres_server};

    /// A new database on the test server, or `None` (skipped) without one.
    pub(crate) fn database(test: &str) -> Option<TestDatabase> {
        let server = postgres_server(test)?;
        Some(TestDatabase::postgres_on(&server).unwrap())
    }

    #[test]
    fn the_scheme_of_an_address_is_read_in_any_case() {
        let Some(db) = database("the_scheme_in_any_case") else {
            return;
        };
        let (scheme, rest) = db.as_str().split_once("://").unwrap();
        assert_eq!(scheme, "postgres");
        let store = PostgresStore::open(&format!("PostgreSQL://{rest}")).unwrap();
        assert_eq!(store.schema_version().unwrap(), STEPS.len());
    }

    #[test]
    fn an_empty_database_gets_the_whole_schema_and_keeps_it_on_reopen() {
        let Some(db) = database("an_empty_database_gets_the_whole_schema") else {
            return;
        };
        let store = PostgresStore::open(db.as_str()).unwrap();
        assert_eq!(store.schema_version().unwrap(), STEPS.len());
        drop(store);
        let store = PostgresStore::open(db.as_str()).unwrap();
        assert_eq!(store.schema_version().unwrap(), STEPS.len());
        let refused = store
            .run(|c| {
                c.batch_execute(
                    "INSERT INTO audit_events (company_id, at, actor, subject_type, subject_id, action, details)
                     VALUES ('c', 'now', 'a', 's', 'i', 'x', '{}');
                     UPDATE audit_events SET actor = 'b'",
                )
                .map_err(backend)
            })
            .unwrap_err()
            .to_string();
        assert!(refused.contains("append-only"), "{refused}");
    }

    #[test]
    fn text_with_a_nul_character_is_refused_as_input_not_as_a_failure() {
        let Some(db) = database("text_with_a_nul_character") else {
            return;
        };
        let store = PostgresStore::open(db.as_str()).unwrap();
        let error = store
            .run(|c| {
                c.query("SELECT 1 FROM companies WHERE slug = $1", &[&"a\0b"])
                    .map_err(backend)
            })
            .unwrap_err();
        assert!(matches!(error, StoreError::Unstorable(_)), "{error:?}");
    }

    #[test]
    fn a_database_of_a_newer_relais_or_of_someone_else_is_refused_untouched() {
        let Some(db) = database("a_database_of_a_newer_relais_is_refused") else {
            return;
        };
        let store = PostgresStore::open(db.as_str()).unwrap();
        store
            .run(|c| {
                c.batch_execute("UPDATE relais_schema SET version = 999")
                    .map_err(backend)
            })
            .unwrap();
        drop(store);
        let error = PostgresStore::open(db.as_str()).unwrap_err().to_string();
        assert!(error.contains("schema version 999 is newer"), "{error}");
        assert!(!error.contains("s3cret"));

        let Some(other) = database("a_database_of_someone_else_is_refused") else {
            return;
        };
        admin_statement(&other, "CREATE TABLE invoices (id BIGINT)");
        let error = PostgresStore::open(other.as_str()).unwrap_err().to_string();
        assert!(error.contains("no Relais schema"), "{error}");
    }

    /// A company stored by plain SQL (for the tests of modules that need one
    /// before the access module's own `create_company` is at hand).
    pub(crate) fn seed_company(store: &PostgresStore, name: &str) -> relais_access::Company {
        let company = relais_access::Company::new(name, chrono::Utc::now()).unwrap();
        let (id, slug, at) = (
            company.id.0.to_string(),
            company.slug.clone(),
            timestamp(company.created_at),
        );
        let name = company.name.clone();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO companies (id, name, slug, created_at, tenant)
                     VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(tenant), 0) + 1 FROM companies))",
                    &[&id, &name, &slug, &at],
                )
                .map_err(backend)
            })
            .unwrap();
        company
    }

    fn admin_statement(db: &TestDatabase, sql: &str) {
        let url = db.as_str().to_owned();
        let sql = sql.to_owned();
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, NoTls).unwrap();
            client.batch_execute(&sql).unwrap();
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_thread_declared_blocking_runs_the_driver_in_place_and_others_move() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let on_worker = runtime.block_on(async {
            // A worker thread: the work moves to a thread of its own.
            let here = std::thread::current().id();
            off_runtime(|| std::thread::current().id()) != here
        });
        assert!(on_worker);
        let (undeclared, declared) = runtime.block_on(async {
            tokio::task::spawn_blocking(|| {
                let here = std::thread::current().id();
                let undeclared = off_runtime(|| std::thread::current().id()) != here;
                let declared =
                    crate::blocking_section(|| off_runtime(|| std::thread::current().id()) == here);
                (undeclared, declared)
            })
            .await
            .unwrap()
        });
        assert!(
            undeclared,
            "an undeclared blocking thread is taken for a worker"
        );
        assert!(declared, "a declared one runs the work itself");
        assert!(!crate::may_block(), "the declaration ends with its section");
    }

    /// The one value `sql` selects.
    fn value<T: for<'a> FromSql<'a>>(
        c: &mut Client,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<T, StoreError> {
        get("pg", &c.query_one(sql, params).map_err(backend)?, 0)
    }

    /// The server process behind the pooled connection a call gets.
    fn backend_pid(store: &PostgresStore) -> Result<i32, StoreError> {
        store.run(|c| value(c, "SELECT pg_backend_pid()", &[]))
    }

    #[test]
    fn a_connection_the_server_ended_is_replaced() {
        let Some(db) = database("a_connection_the_server_ended") else {
            return;
        };
        let store = PostgresStore::open_with_pool(db.as_str(), 1).unwrap();
        // Idle past the trusted time: checked on checkout, found dead,
        // replaced; the call does not fail.
        let first = backend_pid(&store).unwrap();
        admin_statement(&db, &format!("SELECT pg_terminate_backend({first})"));
        std::thread::sleep(TRUSTED_FOR + Duration::from_millis(200));
        let second = backend_pid(&store).unwrap();
        assert_ne!(first, second);
        // Used a moment ago, a connection is not checked: a call on one the
        // server just ended may fail, once, with the server's reason; the
        // broken connection leaves the pool and the next call succeeds.
        admin_statement(&db, &format!("SELECT pg_terminate_backend({second})"));
        if let Err(error) = backend_pid(&store) {
            assert!(matches!(error, StoreError::Backend(_)), "{error:?}");
        }
        let third = backend_pid(&store).unwrap();
        assert_ne!(third, second);
    }

    /// How many statements of this text the connection's session holds.
    fn prepared_count(c: &mut Client, sql: &str) -> Result<i64, StoreError> {
        value(
            c,
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
            &[&sql],
        )
    }

    #[test]
    fn a_statement_is_prepared_once_per_connection_and_again_after_a_failure() {
        let Some(db) = database("a_statement_is_prepared_once") else {
            return;
        };
        // One connection, so that every call gets the same one.
        let store = PostgresStore::open_with_pool(db.as_str(), 1).unwrap();
        store
            .run(|c| {
                c.batch_execute("CREATE TABLE probe (a BIGINT); INSERT INTO probe VALUES (1)")
                    .map_err(backend)
            })
            .unwrap();
        let sql = "SELECT * FROM probe";
        let read = |store: &PostgresStore| {
            store.run(|c| {
                let statement = prepared(c, sql)?;
                let rows = c.query(&statement, &[]).map_err(backend)?;
                Ok((rows[0].len(), prepared_count(c, sql)?))
            })
        };
        assert_eq!(read(&store).unwrap(), (1, 1));
        // Run again on the same connection: the kept statement, not a second.
        assert_eq!(read(&store).unwrap(), (1, 1));
        // The table changes under the kept statement (another replica
        // migrating): the call fails with the server's reason, and the next
        // one prepares afresh and sees the new column.
        admin_statement(&db, "ALTER TABLE probe ADD COLUMN b BIGINT");
        let error = read(&store).unwrap_err();
        assert!(matches!(error, StoreError::Backend(_)), "{error:?}");
        assert_eq!(read(&store).unwrap(), (2, 1));
        // A thread that holds no connection has no statements to hand out.
        assert!(STATEMENTS.with_borrow(Option::is_none));
    }

    #[test]
    fn a_server_that_does_not_answer_is_an_open_error_without_the_password() {
        let error = PostgresStore::open("postgres://relais:s3cret@127.0.0.1:1/relais")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("postgres://relais@127.0.0.1:1/relais"),
            "{error}"
        );
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn the_described_address_leaves_the_password_out() {
        let config =
            postgres::Config::from_str("postgres://relais:s3cret@db.internal:6432/prod").unwrap();
        let text = describe(&config);
        assert_eq!(text, "postgres://relais@db.internal:6432/prod");
    }
}
