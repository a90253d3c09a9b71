//! Databases for tests: a SQLite file in the test's directory, or, when
//! `RELAIS_TEST_POSTGRES` names a PostgreSQL server, a database of the
//! test's own on it, created for the test and dropped after it. Setting the
//! variable runs a whole test suite against PostgreSQL.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The database of the test whose temporary directory is `dir`: the SQLite
/// file `dir/relais.db`, or, when `RELAIS_TEST_POSTGRES` is set, the
/// address of a new database on that server, dropped once `dir` is gone
/// (when the test's `TempDir` is dropped, at the latest when the next test
/// process starts). A path either way, so that tests pass it on as they
/// would a file (`--db`, `RELAIS_DB`, `App::open`).
///
/// # Panics
/// When the variable is set and the database cannot be created.
#[must_use]
pub fn database_in(dir: &Path) -> PathBuf {
    if let Some(known) = WATCHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .find(|(watched, _, _, _)| watched == dir)
    {
        return known.3.clone();
    }
    let mut db = TestDatabase::new(dir);
    match db.postgres.take() {
        None => PathBuf::from(db.location.clone()),
        Some((server, name)) => {
            let location = PathBuf::from(db.location.clone());
            watch(dir.to_owned(), server, name, location.clone());
            location
        }
    }
}

/// Whether this test run stores in PostgreSQL (`RELAIS_TEST_POSTGRES` set),
/// for the few tests about SQLite files.
#[must_use]
pub fn is_postgres_run() -> bool {
    std::env::var(POSTGRES_VARIABLE).is_ok_and(|s| !s.trim().is_empty())
}

/// Databases to drop once their test's directory is gone.
/// Each with its directory, server, name and location.
static WATCHED: Mutex<Vec<(PathBuf, String, String, PathBuf)>> = Mutex::new(Vec::new());

fn watch(dir: PathBuf, server: String, name: String, location: PathBuf) {
    static REAPER: OnceLock<()> = OnceLock::new();
    WATCHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push((dir, server, name, location));
    REAPER.get_or_init(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let gone: Vec<(PathBuf, String, String, PathBuf)> = {
                    let mut watched = WATCHED
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let (gone, kept) = watched.drain(..).partition(|(dir, _, _, _)| !dir.exists());
                    *watched = kept;
                    gone
                };
                for (_, server, name, _) in gone {
                    let _ = admin(
                        &server,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    );
                }
            }
        });
    });
}

/// Drops the test databases that earlier test processes left behind (their
/// last tests' directories went as the process ended): those created more
/// than an hour ago, told by the time in their names (UUID v7).
fn drop_leftovers(server: &str) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let server = server.to_owned();
        let _ = std::thread::spawn(move || -> Result<(), String> {
            let mut client = connect(&server)?;
            let names: Vec<String> = client
                .query(
                    "SELECT datname::TEXT FROM pg_database WHERE datname LIKE 'relais\\_test\\_%'",
                    &[],
                )
                .map_err(|e| e.to_string())?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
            for name in names {
                let created = uuid::Uuid::parse_str(name.trim_start_matches("relais_test_"))
                    .ok()
                    .and_then(|id| id.get_timestamp())
                    .map(|t| {
                        let (secs, nanos) = t.to_unix();
                        std::time::UNIX_EPOCH + Duration::new(secs, nanos)
                    });
                if created.is_some_and(|at| at < hour_ago) {
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
            Ok(())
        })
        .join();
    });
}

/// The variable naming the PostgreSQL server that tests create their
/// databases on (an address such as `postgres://127.0.0.1/postgres`).
pub const POSTGRES_VARIABLE: &str = "RELAIS_TEST_POSTGRES";

/// The variable that makes PostgreSQL-only tests fail, instead of skipping,
/// when no server answers (CI sets it).
pub const REQUIRE_POSTGRES_VARIABLE: &str = "RELAIS_REQUIRE_POSTGRES";

/// Where a test keeps its data; dropping it drops a PostgreSQL database.
#[derive(Debug)]
pub struct TestDatabase {
    location: OsString,
    /// The server's address and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A database for one test: on the server `RELAIS_TEST_POSTGRES` names,
    /// if set, else the SQLite file `relais.db` in `dir`.
    ///
    /// # Panics
    /// When the variable is set and the database cannot be created: a run
    /// asked for PostgreSQL must not quietly test SQLite.
    #[must_use]
    pub fn new(dir: &Path) -> Self {
        match std::env::var(POSTGRES_VARIABLE) {
            Ok(server) if !server.trim().is_empty() => {
                Self::postgres_on(&server).unwrap_or_else(|e| {
                    panic!(
                        "{POSTGRES_VARIABLE}={}: {e}",
                        crate::display_location(OsStr::new(&server))
                    )
                })
            }
            _ => Self::sqlite(dir),
        }
    }

    /// The SQLite file `relais.db` in `dir`, whatever the environment says
    /// (for tests of what only SQLite has: files, backups, old schemas).
    #[must_use]
    pub fn sqlite(dir: &Path) -> Self {
        Self {
            location: dir.join("relais.db").into_os_string(),
            postgres: None,
        }
    }

    /// A new, empty database on the PostgreSQL server at `server`.
    ///
    /// # Errors
    /// The server's refusal, in words.
    pub fn postgres_on(server: &str) -> Result<Self, String> {
        drop_leftovers(server);
        let name = format!("relais_test_{}", uuid::Uuid::now_v7().simple());
        let statement = format!("CREATE DATABASE {name}");
        admin(server, &statement)?;
        let mut config: postgres::Config = server.parse().map_err(|e| format!("{e}"))?;
        config.dbname(&name);
        let location = database_url(server, &name)?;
        drop(config);
        Ok(Self {
            location: location.into(),
            postgres: Some((server.to_owned(), name)),
        })
    }

    /// Whether this database is a PostgreSQL one.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The database's location, as `--db` and `RELAIS_DB` take it.
    #[must_use]
    pub fn location(&self) -> &OsStr {
        &self.location
    }

    /// The location as text.
    ///
    /// # Panics
    /// Never for the locations this type makes (UTF-8 paths of temporary
    /// directories, or addresses).
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.location.to_str().expect("a UTF-8 database location")
    }
}

impl AsRef<OsStr> for TestDatabase {
    fn as_ref(&self) -> &OsStr {
        &self.location
    }
}

impl AsRef<Path> for TestDatabase {
    fn as_ref(&self) -> &Path {
        Path::new(&self.location)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            let statement = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(e) = admin(&server, &statement) {
                eprintln!("could not drop the test database {name}: {e}");
            }
        }
    }
}

/// The server address `server` with its database replaced by `name`.
fn database_url(server: &str, name: &str) -> Result<String, String> {
    let (head, tail) = server
        .split_once("://")
        .ok_or_else(|| format!("not an address: {server}"))?;
    let (authority, query) = match tail.split_once('/') {
        Some((authority, rest)) => (
            authority,
            rest.split_once('?')
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default(),
        ),
        None => match tail.split_once('?') {
            Some((authority, q)) => (authority, format!("?{q}")),
            None => (tail, String::new()),
        },
    };
    Ok(format!("{head}://{authority}/{name}{query}"))
}

/// Runs one statement on `server`, on a thread of its own (the driver may
/// not block a thread that drives an async runtime).
fn admin(server: &str, statement: &str) -> Result<(), String> {
    let server = server.to_owned();
    let statement = statement.to_owned();
    std::thread::spawn(move || {
        let mut config: postgres::Config = server.parse().map_err(|e| format!("{e}"))?;
        config.connect_timeout(std::time::Duration::from_secs(5));
        let mut client = config.connect(postgres::NoTls).map_err(|e| {
            format!(
                "{e}: {}",
                std::error::Error::source(&e)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )
        })?;
        client.batch_execute(&statement).map_err(|e| {
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_owned())
        })
    })
    .join()
    .unwrap_or_else(|_| Err("the database thread panicked".into()))
}

/// A connection to `server`; call it off any async runtime.
fn connect(server: &str) -> Result<postgres::Client, String> {
    let mut config: postgres::Config = server.parse().map_err(|e| format!("{e}"))?;
    config.connect_timeout(Duration::from_secs(5));
    config.connect(postgres::NoTls).map_err(|e| {
        format!(
            "{e}: {}",
            std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_default()
        )
    })
}

/// The PostgreSQL server tests that need one use: `RELAIS_TEST_POSTGRES`, or
/// the local default `postgres://127.0.0.1/postgres` when it answers. `None`,
/// after printing one line saying the test is skipped, when none answers,
/// unless `RELAIS_REQUIRE_POSTGRES` is set, which makes it a failure.
///
/// # Panics
/// When no server answers and `RELAIS_REQUIRE_POSTGRES` is set.
#[must_use]
pub fn postgres_server(test: &str) -> Option<String> {
    let server = std::env::var(POSTGRES_VARIABLE)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1/postgres".into());
    let shown = crate::display_location(OsStr::new(&server));
    match admin(&server, "SELECT 1") {
        Ok(()) => Some(server),
        Err(e) if std::env::var_os(REQUIRE_POSTGRES_VARIABLE).is_some() => {
            panic!(
                "{test}: no PostgreSQL server at {shown} ({e}), and {REQUIRE_POSTGRES_VARIABLE} is set"
            )
        }
        Err(e) => {
            eprintln!(
                "skipped {test}: no PostgreSQL server at {shown} ({e}); set {POSTGRES_VARIABLE} to name one"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_put_in_the_server_address() {
        assert_eq!(
            database_url("postgres://127.0.0.1/postgres", "t1").unwrap(),
            "postgres://127.0.0.1/t1"
        );
        assert_eq!(
            database_url("postgres://u:p@h:5433?sslmode=disable", "t1").unwrap(),
            "postgres://u:p@h:5433/t1?sslmode=disable"
        );
        assert_eq!(
            database_url("postgresql://h/db?application_name=x", "t1").unwrap(),
            "postgresql://h/t1?application_name=x"
        );
    }
}
