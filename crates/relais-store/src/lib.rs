//! Persistence for Relais.
//!
//! The [`Store`] trait is the one facade the application talks to; it speaks
//! domain types only, so that a backend can be added or chosen without
//! touching the domain crates or the binaries' logic. [`SqliteStore`] keeps a
//! SQLite file in WAL mode behind a connection pool; `PostgresStore` (feature
//! `postgres`) keeps the same tables in PostgreSQL, for deployments that
//! outgrow one machine. Each brings its schema up to date when it opens;
//! [`open`] picks the backend from the location.
//!
//! Tenancy: every row of company data carries its company id and every query
//! on it is scoped by one. Two things are deliberately global: the catalog
//! (the platform's offering, the same for every company) and the lookup of a
//! personal access token by its public id (that lookup is how the company of
//! a request is learnt in the first place).
//!
//! Depends on the domain crates whose types it keeps (`relais-access`,
//! `relais-catalog`, `relais-connections`, `relais-events`, `relais-people`,
//! `relais-recruiting`, `relais-reports`, `relais-sync`). Its I/O is a SQLite
//! file (SQLite is bundled) or, with the `postgres` feature (on by default),
//! a PostgreSQL server.
//!
//! # Example
//!
//! A company with its first administrator, in a SQLite file of a temporary
//! directory:
//!
//! ```rust
//! use chrono::Utc;
//! use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};
//! use relais_store::{AccessStore as _, SqliteStore};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(&dir.path().join("relais.db"))?;
//!
//! let now = Utc::now();
//! let company = Company::new("Acme GmbH", now)?;
//! let ada = User::new(company.id, "ada@acme.example", "Ada Lovelace", MarketplaceRight::Edit, now)?;
//! let token = PersonalAccessToken::issue(&ada, "setup", now, None)?;
//! store.create_company(&company, &ada, &token.record)?;
//!
//! assert_eq!(store.company("acme-gmbh")?.map(|c| c.id), Some(company.id));
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod copy;
mod layout;
#[cfg(feature = "postgres")]
mod pg;
mod recruiting;
mod schema;
mod sqlite;
// The crate's own tests use it for their PostgreSQL runs only.
#[cfg(any(all(test, feature = "postgres"), feature = "testing"))]
pub mod testing;
mod webhooks;

use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use relais_access::{
    ApiCredential, ApiToken, ClientId, Company, CompanyId, MarketplaceRight, PersonalAccessToken,
    TokenId, User, UserId,
};
use relais_catalog::Integration;
use relais_connections::{AuditEvent, Connection, ConnectionId, DemoRequest, IntegrationRequest};
use relais_people::{
    AbsencePeriod, Attendance, AttributeChange, CustomAttribute, DocumentCategory, Employee,
    EmployeeId, EmployeeRecords, Project, TimeOff, TimeOffType, documents::Document,
};
use relais_reports::ReportDefinition;

#[cfg(feature = "postgres")]
pub use pg::PostgresStore;
pub use recruiting::{
    After, ApplicationOutcome, CandidateInput, NewUpload, RecruitingFilter, RecruitingSettings,
    RecruitingStore, UploadInfo,
};
pub use sqlite::SqliteStore;
pub use sqlite::sortable;
pub use webhooks::{
    AlertBatch, AlertStore, AttemptOutcome, DeliveryAttempt, DeliveryState, DueDelivery,
    WebhookDelivery, WebhookEndpoint, WebhookStore,
};

thread_local! {
    /// Whether this thread runs inside [`blocking_section`].
    static MAY_BLOCK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` on the calling thread, declaring that the thread may block
/// (a thread of tokio's blocking pool, inside `spawn_blocking`).
///
/// The PostgreSQL backend's driver blocks its thread, which a thread
/// driving an async runtime must not do; tokio does not tell its blocking
/// threads from its workers, so without this declaration every store call
/// made where a runtime is current moves to a short-lived thread of its own
/// (tens of microseconds each). Inside `work` the calls run in place.
/// Declare it only where blocking is allowed: not on a runtime's worker, and
/// not inside a `block_on` started within `work`.
///
/// ```
/// let sum = relais_store::blocking_section(|| 1 + 1);
/// assert_eq!(sum, 2);
/// ```
pub fn blocking_section<T>(work: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            MAY_BLOCK.set(self.0);
        }
    }
    let _restore = Restore(MAY_BLOCK.replace(true));
    work()
}

/// Whether the calling thread runs inside [`blocking_section`].
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn may_block() -> bool {
    MAY_BLOCK.get()
}

/// Whether `location` names a PostgreSQL database (`postgres://…` or
/// `postgresql://…`) rather than a SQLite file.
#[must_use]
pub fn is_postgres_url(location: &str) -> bool {
    let scheme = location
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("postgres" | "postgresql"))
}

/// `location` as messages show it: a PostgreSQL address without its
/// password (`postgres://relais@db/relais`), a file path as it is.
#[must_use]
pub fn display_location(location: &std::ffi::OsStr) -> String {
    let text = location.to_string_lossy();
    if !is_postgres_url(&text) {
        // An address of another kind (refused when opened) may hold a
        // password too: its scheme is enough.
        if let Err(StoreError::Open { path, .. }) = check_location(&text) {
            return path;
        }
        return text.into_owned();
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.into_owned();
    };
    // As the driver reads it: the credentials run to the first `@`, whatever
    // they hold (a password may contain `/`, `?` or `#`).
    let (user, rest) = match rest.split_once('@') {
        Some((credentials, rest)) => {
            let user = credentials.split_once(':').map_or(credentials, |(u, _)| u);
            (format!("{user}@"), rest)
        }
        None => (String::new(), rest),
    };
    // Query parameters may carry a password too (`?password=…`).
    let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
    format!("{scheme}://{user}{rest}")
}

/// Refuses a `location` that is meant as a database address but is not one
/// Relais opens: another scheme (`mysql://…`, `sqlite://…`) or a
/// PostgreSQL address without its `//` (`postgres:relais`). Taken as a file
/// path, each would quietly become a new, empty SQLite database. (A file
/// name may hold a colon: only these shapes are refused.)
///
/// # Errors
/// [`StoreError::Open`] saying what a location may be; the message shows
/// the scheme only, never the rest (it may hold a password).
pub fn check_location(location: &str) -> Result<(), StoreError> {
    if is_postgres_url(location) {
        return Ok(());
    }
    let refused = |shown: String, reason: String| {
        Err(StoreError::Open {
            path: shown,
            reason,
        })
    };
    let scheme_like = |s: &str| {
        s.len() > 1
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    };
    if let Some((scheme, _)) = location.split_once("://")
        && scheme_like(scheme)
    {
        return refused(
            format!("{scheme}://…"),
            "Relais keeps its data in SQLite (name the file: /var/lib/relais/relais.db) or PostgreSQL (postgres://user@host/database); this address is neither".into(),
        );
    }
    if let Some((scheme, _)) = location.split_once(':')
        && matches!(
            scheme.to_ascii_lowercase().as_str(),
            "postgres" | "postgresql"
        )
    {
        return refused(
            format!("{scheme}:…"),
            "a PostgreSQL address starts with postgres:// (postgres://user@host/database)".into(),
        );
    }
    Ok(())
}

/// Opens the store at `location`: a `postgres://…` (or `postgresql://…`)
/// address opens PostgreSQL, anything else is the path of a SQLite file
/// (see [`check_location`] for what is refused).
///
/// # Errors
/// [`StoreError::Open`] when the database cannot be opened, is not Relais's,
/// or was written by a newer Relais; also when `location` is a PostgreSQL
/// address and this build was made without the `postgres` feature.
pub fn open(location: &std::ffi::OsStr) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if let Some(text) = location.to_str() {
        check_location(text)?;
        if is_postgres_url(text) {
            #[cfg(feature = "postgres")]
            return Ok(std::sync::Arc::new(PostgresStore::open(text)?));
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError::Open {
                path: "the PostgreSQL address".into(),
                reason: "this build of Relais has no PostgreSQL support (feature `postgres`)"
                    .into(),
            });
        }
    }
    Ok(std::sync::Arc::new(SqliteStore::open(
        std::path::Path::new(location),
    )?))
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or its schema brought up to date.
    #[error("cannot open the database {path}: {reason}")]
    Open {
        /// The database file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A row with the same unique key exists already.
    #[error("{0} already exists")]
    Conflict(String),
    /// New rows overlap stored ones (or each other) where the domain allows
    /// no overlap: the indexes of the refused rows, in the order given.
    /// Checked inside the inserting transaction; nothing was written.
    #[error("{} of the rows overlap existing ones", .0.len())]
    Overlaps(Vec<usize>),
    /// A rule the database enforces refused the change (the message says
    /// which); nothing was written.
    #[error("{0}")]
    Refused(String),
    /// What the change was made from was changed by someone else meanwhile
    /// (a compare-and-set lost); nothing was written.
    #[error("{0}")]
    Changed(String),
    /// A value the database cannot hold (PostgreSQL: text with the
    /// character U+0000); nothing was written.
    #[error("{0}")]
    Unstorable(String),
    /// A stored value could not be read back into a domain type.
    #[error("corrupt stored data in {table}: {reason}")]
    Corrupt {
        /// Where.
        table: &'static str,
        /// What.
        reason: String,
    },
    /// Any other database failure.
    #[error("database error: {0}")]
    Backend(String),
}

/// What was loaded as the catalog, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogInfo {
    /// The file it came from.
    pub source: String,
    /// When it was loaded.
    pub loaded_at: DateTime<Utc>,
    /// How many integrations it holds.
    pub integration_count: usize,
}

/// The Marketplace catalog, platform-wide.
pub trait CatalogStore {
    /// Every stored integration, sorted by slug (empty before the first load).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a stored row is corrupt.
    fn catalog(&self) -> Result<Vec<Integration>, StoreError>;

    /// What was loaded last, if anything was.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn catalog_info(&self) -> Result<Option<CatalogInfo>, StoreError>;

    /// Replaces the whole catalog in one transaction: readers see the old
    /// catalog or the new one, never a mix.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; nothing is changed then.
    fn replace_catalog(
        &self,
        source: &str,
        integrations: &[Integration],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Companies, users and personal access tokens.
pub trait AccessStore {
    /// Creates a company with its first user and that user's token, all or nothing.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the company slug is taken.
    fn create_company(
        &self,
        company: &Company,
        admin: &User,
        token: &PersonalAccessToken,
    ) -> Result<(), StoreError>;

    /// Every company, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn companies(&self) -> Result<Vec<Company>, StoreError>;

    /// The company with this id or slug.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn company(&self, id_or_slug: &str) -> Result<Option<Company>, StoreError>;

    /// Adds a user to its company.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the e-mail is taken in that company.
    fn insert_user(&self, user: &User) -> Result<(), StoreError>;

    /// The company's users, by e-mail.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn users(&self, company: CompanyId) -> Result<Vec<User>, StoreError>;

    /// One user of the company, by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn user(&self, company: CompanyId, id: UserId) -> Result<Option<User>, StoreError>;

    /// One user of the company, by (normalised) e-mail.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn user_by_email(&self, company: CompanyId, email: &str) -> Result<Option<User>, StoreError>;

    /// Changes a user's right; returns whether the user exists in that
    /// company. A company keeps at least one user with the *edit* right:
    /// taking it from the last one is refused, in the same statement.
    ///
    /// # Errors
    /// [`StoreError::Refused`] for the last user with the *edit* right.
    fn set_marketplace_right(
        &self,
        company: CompanyId,
        id: UserId,
        right: MarketplaceRight,
    ) -> Result<bool, StoreError>;

    /// Removes a user of the company with their tokens; returns whether the
    /// user existed. The company's last user with the *edit* right is not
    /// removed (checked in the same transaction).
    ///
    /// # Errors
    /// [`StoreError::Refused`] for the last user with the *edit* right.
    fn remove_user(&self, company: CompanyId, id: UserId) -> Result<bool, StoreError>;

    /// A user's personal access tokens, newest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn user_tokens(
        &self,
        company: CompanyId,
        user: UserId,
    ) -> Result<Vec<PersonalAccessToken>, StoreError>;

    /// Revokes a token of the company; returns whether a live one was revoked.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn revoke_token(
        &self,
        company: CompanyId,
        id: &TokenId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Stores a newly issued token.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_token(&self, token: &PersonalAccessToken) -> Result<(), StoreError>;

    /// The token with this public id, whatever its company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn token(&self, id: &TokenId) -> Result<Option<PersonalAccessToken>, StoreError>;
}

/// Sign-in for people: passwords, console sessions, invitations. Sessions
/// and invitations are looked up by the hash of their secret, whatever the
/// company (that lookup is how a request's company is learnt).
pub trait SessionStore {
    /// The users with this (normalised) e-mail in every company, each with
    /// their password hash if they set one.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn users_by_email(
        &self,
        email: &str,
    ) -> Result<Vec<(User, Option<relais_access::PasswordHash>)>, StoreError>;

    /// Sets a user's password (ending their sessions); returns whether the
    /// user exists in that company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn set_password(
        &self,
        company: CompanyId,
        user: UserId,
        password: &relais_access::PasswordHash,
    ) -> Result<bool, StoreError>;

    /// Opens a session.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_session(&self, session: &relais_access::Session) -> Result<(), StoreError>;

    /// The session with this hash, live or not.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn session(
        &self,
        id_hash: &relais_access::SecretHash,
    ) -> Result<Option<relais_access::Session>, StoreError>;

    /// Records a request of a session.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn touch_session(
        &self,
        id_hash: &relais_access::SecretHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Ends a session (sign-out, or found expired).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_session(&self, id_hash: &relais_access::SecretHash) -> Result<(), StoreError>;

    /// Stores an invitation; earlier ones of the user stop working.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_invite(&self, invite: &relais_access::Invite) -> Result<(), StoreError>;

    /// The live invitation with this hash.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn invite(
        &self,
        id_hash: &relais_access::SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<relais_access::Invite>, StoreError>;

    /// Uses a live invitation to set its user's password, once: in one
    /// transaction the invitation (and any other of the user's) is deleted,
    /// the password set and the user's sessions ended. Returns the user,
    /// or `None` when the invitation is unknown, used or expired.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn accept_invite(
        &self,
        id_hash: &relais_access::SecretHash,
        password: &relais_access::PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
}

/// A page of rows and the number of rows the query matches in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    /// The rows of this page.
    pub rows: Vec<T>,
    /// How many rows match in all.
    pub total: u64,
}

/// Which rows of a list to return: skip `offset`, return at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return at most.
    pub limit: u64,
}

impl Window {
    /// Page `page` (counted from 1) of `per_page` rows, or `None` when
    /// either is 0 or the page starts beyond any list a database can hold
    /// (its first row past `i64::MAX`): the one place where a client's page
    /// number is multiplied, with checked arithmetic.
    #[must_use]
    pub fn page(page: u64, per_page: u64) -> Option<Self> {
        if per_page == 0 {
            return None;
        }
        let offset = page.checked_sub(1)?.checked_mul(per_page)?;
        (i64::try_from(offset).is_ok() && i64::try_from(per_page).is_ok()).then_some(Self {
            offset,
            limit: per_page,
        })
    }

    /// The page number this window is (from 1).
    #[must_use]
    pub fn page_number(self) -> u64 {
        self.offset / self.limit.max(1) + 1
    }
}

#[cfg(test)]
mod location_tests {
    use super::*;

    #[test]
    fn addresses_are_told_from_file_paths_and_shown_without_passwords() {
        assert!(is_postgres_url("postgres://localhost/relais"));
        assert!(is_postgres_url("PostgreSQL://u:p@db:5432/relais"));
        assert!(!is_postgres_url("relais.db"));
        assert!(!is_postgres_url("/var/lib/postgres/relais.db"));
        let shown = |s: &str| display_location(std::ffi::OsStr::new(s));
        assert_eq!(
            shown("postgres://relais:s3cret@db:5432/prod"),
            "postgres://relais@db:5432/prod"
        );
        assert_eq!(
            shown("postgres://db/prod?password=s3cret"),
            "postgres://db/prod"
        );
        assert_eq!(
            shown("postgres://a:b/c?d#e@db/prod"),
            "postgres://a@db/prod"
        );
        assert_eq!(shown("postgres://a:b@db/prod"), "postgres://a@db/prod");
        assert_eq!(shown("/srv/relais.db"), "/srv/relais.db");
        assert_eq!(shown("mysql://root:s3cret@db/relais"), "mysql://…");
        assert_eq!(shown("PostgreSQL:u:s3cret@db/relais"), "PostgreSQL:…");
    }

    #[test]
    fn an_address_of_another_kind_is_refused_not_taken_for_a_file() {
        for fine in [
            "relais.db",
            "/srv/relais.db",
            "./backup:2026-12-01.db",
            "C:\\relais\\relais.db",
            "postgres://db/relais",
            "Postgres://db/relais",
            "postgresql://u:p@db/relais",
        ] {
            assert!(check_location(fine).is_ok(), "{fine}");
        }
        for (refused, shown) in [
            ("mysql://root:s3cret@db/relais", "mysql://…"),
            ("sqlite:///var/lib/relais.db", "sqlite://…"),
            ("postgres:relais", "postgres:…"),
            ("PostgreSQL:u:s3cret@db/relais", "PostgreSQL:…"),
        ] {
            let error = check_location(refused).unwrap_err().to_string();
            assert!(error.contains(shown), "{error}");
            assert!(!error.contains("s3cret"), "{error}");
            let opened = open(std::ffi::OsStr::new(refused)).unwrap_err().to_string();
            assert_eq!(opened, error);
        }
    }

    proptest::proptest! {
        #[test]
        fn a_refusal_never_shows_what_follows_the_scheme(
            scheme in "[a-z][a-z0-9+.-]{1,10}",
            rest in "[^\\s]{1,40}",
        ) {
            // The message does not depend on the rest at all.
            let location = format!("{scheme}://{rest}");
            match check_location(&location) {
                Err(e) => proptest::prop_assert_eq!(
                    e.to_string(),
                    check_location(&format!("{scheme}://x")).unwrap_err().to_string()
                ),
                Ok(()) => proptest::prop_assert!(is_postgres_url(&location)),
            }
        }
    }
}

#[cfg(test)]
mod window_tests {
    use super::Window;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_page_window_never_wraps(page: u64, per_page: u64) {
            match Window::page(page, per_page) {
                Some(w) => {
                    prop_assert_eq!(u128::from(w.offset), u128::from(page - 1) * u128::from(per_page));
                    prop_assert!(i64::try_from(w.offset).is_ok());
                    prop_assert_eq!(w.page_number(), page);
                }
                None => prop_assert!(
                    page == 0
                        || per_page == 0
                        || u128::from(page - 1) * u128::from(per_page) > i64::MAX as u128
                        || i64::try_from(per_page).is_err()
                ),
            }
        }
    }

    #[test]
    fn the_page_of_the_hardening_report_is_refused() {
        assert_eq!(Window::page(u64::MAX, 500), None);
        assert_eq!(Window::page(0, 50), None);
        assert_eq!(
            Window::page(3, 50),
            Some(Window {
                offset: 100,
                limit: 50
            })
        );
    }
}

/// Filters of the employee list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeFilter {
    /// Only this (normalised) e-mail.
    pub email: Option<String>,
    /// Only employees changed at or after this time (RFC 3339 UTC text compare).
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Filters shared by the attendance and absence lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodFilter {
    /// Rows on or after this day (absences: ending on or after it).
    pub start_date: Option<NaiveDate>,
    /// Rows on or before this day (absences: starting on or before it).
    pub end_date: Option<NaiveDate>,
    /// Only these employees (empty: all).
    pub employees: Vec<EmployeeId>,
    /// Only rows changed at or after this time.
    pub updated_from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only rows changed at or before this time.
    pub updated_to: Option<chrono::DateTime<chrono::Utc>>,
    /// Attendances: include pending ones too (default: confirmed only).
    pub include_pending: bool,
}

/// The reference data of a company's people: what employee records refer to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeopleReference {
    /// Absence types.
    pub time_off_types: Vec<TimeOffType>,
    /// Document categories.
    pub document_categories: Vec<DocumentCategory>,
    /// Custom employee attributes.
    pub custom_attributes: Vec<CustomAttribute>,
    /// Attendance projects.
    pub projects: Vec<Project>,
}

/// A company's HR data.
pub trait PeopleStore {
    /// Deletes every employee, attendance, absence and reference row of the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; nothing is deleted then.
    fn clear_people(&self, company: CompanyId) -> Result<(), StoreError>;

    /// Replaces the company's reference data.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn replace_people_reference(
        &self,
        company: CompanyId,
        reference: &PeopleReference,
    ) -> Result<(), StoreError>;

    /// The company's reference data.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn people_reference(&self, company: CompanyId) -> Result<PeopleReference, StoreError>;

    /// Writes a batch of employees with all their records in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for an employee id that exists already.
    fn insert_employees(
        &self,
        company: CompanyId,
        batch: &[EmployeeRecords],
    ) -> Result<(), StoreError>;

    /// Stores new attendances in one transaction; returns their ids in order.
    /// An attendance overlapping another of the same employee and day
    /// (stored, or earlier in `attendances`) is refused, in the same
    /// transaction, so that concurrent requests cannot both store one.
    ///
    /// # Errors
    /// [`StoreError::Overlaps`] naming the overlapping ones, or a database
    /// failure; nothing is written then.
    fn insert_attendances(
        &self,
        company: CompanyId,
        attendances: &[Attendance],
    ) -> Result<Vec<i64>, StoreError>;

    /// Stores a new day absence; returns its id. One overlapping another
    /// absence of the employee that is not rejected is refused, in the same
    /// transaction.
    ///
    /// # Errors
    /// [`StoreError::Overlaps`] (`[0]`), or a database failure.
    fn insert_time_off(&self, company: CompanyId, time_off: &TimeOff) -> Result<i64, StoreError>;

    /// Replaces one employee's current record (an HR change).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; `Ok(false)` for an unknown employee.
    fn replace_employee(&self, company: CompanyId, employee: &Employee)
    -> Result<bool, StoreError>;

    /// A page of employees by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn employees(
        &self,
        company: CompanyId,
        filter: &EmployeeFilter,
        window: Window,
    ) -> Result<Paged<Employee>, StoreError>;

    /// Every employee id of the company, in order: the public API pages
    /// through a copy of it instead of counting and skipping rows.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn employee_ids(&self, company: CompanyId) -> Result<Vec<EmployeeId>, StoreError>;

    /// The employees whose ids lie in `first..=last`, in id order: a page
    /// of the list [`Self::employee_ids`] gave, read as one index range.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn employees_in_range(
        &self,
        company: CompanyId,
        first: EmployeeId,
        last: EmployeeId,
    ) -> Result<Vec<Employee>, StoreError>;

    /// The employees with these ids, in id order (unknown ids are left out).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn employees_by_id(
        &self,
        company: CompanyId,
        ids: &[EmployeeId],
    ) -> Result<Vec<Employee>, StoreError>;

    /// Every employee of the company with its history, in id order, one at
    /// a time, read as two streams merged: a report goes through a whole
    /// company without holding it. Stops early when `each` answers `false`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails, or what `each` returns.
    fn each_employee_with_history(
        &self,
        company: CompanyId,
        each: &mut (dyn FnMut(Employee, Vec<AttributeChange>) -> Result<bool, StoreError> + Send),
    ) -> Result<(), StoreError>;

    /// The company's departments, offices and teams: every one an employee
    /// belongs to, by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn org_units(&self, company: CompanyId) -> Result<relais_people::edit::OrgUnits, StoreError>;

    /// The history of the given employees (all of them when `ids` is empty).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn history(
        &self,
        company: CompanyId,
        ids: &[EmployeeId],
    ) -> Result<Vec<AttributeChange>, StoreError>;

    /// A page of attendances, by day, employee and id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn attendances(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<Attendance>, StoreError>;

    /// A page of day absences overlapping the filter's period, by start day and id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn time_offs(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<TimeOff>, StoreError>;

    /// A page of hour absences overlapping the filter's period, by start and id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn absence_periods(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<AbsencePeriod>, StoreError>;

    /// Stores a new attendance project with the next id the company has
    /// never handed out.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the company has a project of that name
    /// (letter case aside), or a database failure.
    fn insert_project(
        &self,
        company: CompanyId,
        name: &str,
        active: bool,
        at: DateTime<Utc>,
    ) -> Result<Project, StoreError>;

    /// Changes a project's name and/or whether it is active; `Ok(None)` for
    /// an id not in the company.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when another project has the name, or a
    /// database failure.
    fn update_project(
        &self,
        company: CompanyId,
        id: i64,
        change: &ProjectChange,
        at: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError>;

    /// Deletes a project no attendance is booked on; `Ok(false)` for an id
    /// not in the company. Checked in the deleting transaction, so that an
    /// attendance booked meanwhile is never left pointing at nothing.
    ///
    /// # Errors
    /// [`StoreError::Refused`] when attendances are booked on it.
    fn delete_project(&self, company: CompanyId, id: i64) -> Result<bool, StoreError>;

    /// Changes one attendance in one transaction: `change` gets the stored
    /// attendance and answers the new one (or an error, which is returned
    /// as it is). The new one must not overlap another attendance of the
    /// employee that day, and a project it newly names must be active.
    /// `Ok(None)` for an id not in the company.
    ///
    /// # Errors
    /// [`StoreError::Overlaps`] (`[0]`), [`StoreError::Refused`] for a
    /// project that is gone or inactive, what `change` answers, or a
    /// database failure; nothing is written then.
    fn update_attendance(
        &self,
        company: CompanyId,
        id: i64,
        change: &mut (dyn FnMut(Attendance) -> Result<Attendance, StoreError> + Send),
    ) -> Result<Option<Attendance>, StoreError>;

    /// Deletes one attendance; `Ok(false)` for an id not in the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_attendance(&self, company: CompanyId, id: i64) -> Result<bool, StoreError>;

    /// One day absence by id, if the company has it.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn time_off(&self, company: CompanyId, id: i64) -> Result<Option<TimeOff>, StoreError>;

    /// Deletes one day absence; `Ok(false)` for an id not in the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_time_off(&self, company: CompanyId, id: i64) -> Result<bool, StoreError>;

    /// Stores a new hour absence. One overlapping another hour absence of
    /// the employee that is not rejected is refused, in the same
    /// transaction.
    ///
    /// # Errors
    /// [`StoreError::Overlaps`] (`[0]`), or a database failure.
    fn insert_absence_period(
        &self,
        company: CompanyId,
        period: &AbsencePeriod,
    ) -> Result<(), StoreError>;

    /// Deletes one hour absence; `Ok(false)` for an id not in the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_absence_period(&self, company: CompanyId, id: uuid::Uuid)
    -> Result<bool, StoreError>;
}

/// What a project update changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectChange {
    /// The new name (already checked with [`Project::checked_name`]).
    pub name: Option<String>,
    /// Whether time can be booked on it from now on.
    pub active: Option<bool>,
}

/// Public-API credentials and their tokens.
pub trait CredentialStore {
    /// Stores a new credential.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_credential(&self, credential: &ApiCredential) -> Result<(), StoreError>;

    /// Saves a changed credential; returns whether it exists in its company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn update_credential(&self, credential: &ApiCredential) -> Result<bool, StoreError>;

    /// The company's credentials, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn credentials(&self, company: CompanyId) -> Result<Vec<ApiCredential>, StoreError>;

    /// A credential by client id, whatever its company (for `POST /v1/auth`).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn credential(&self, client_id: &ClientId) -> Result<Option<ApiCredential>, StoreError>;

    /// Stores a public-API token and deletes expired ones.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_api_token(&self, token: &ApiToken) -> Result<(), StoreError>;

    /// A public-API token by its public id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn api_token(&self, id: &TokenId) -> Result<Option<ApiToken>, StoreError>;
}

/// One all-or-nothing change around a connection: the connection, the API
/// credentials it creates or revokes, and the audit events that record it.
#[derive(Debug, Default)]
pub struct ConnectionWrite<'a> {
    /// The connection to insert or to update.
    pub connection: Option<ConnectionSave<'a>>,
    /// Credentials to insert (new) or update (existing). New ones are
    /// recorded as issued for the written connection, if there is one.
    pub credentials: Vec<&'a ApiCredential>,
    /// Audit events to append.
    pub events: Vec<AuditEvent>,
}

/// How a connection is written.
#[derive(Debug, Clone, Copy)]
pub enum ConnectionSave<'a> {
    /// A new connection (its revision is 0).
    Insert(&'a Connection),
    /// A change to a stored connection, saved only if the stored revision
    /// is still the connection's `revision` (which the store then
    /// increments); otherwise nothing of the write is saved and the write
    /// fails with [`StoreError::Conflict`].
    Update(&'a Connection),
}

/// Connections, requests and the audit trail.
pub trait ConnectionStore {
    /// Applies a [`ConnectionWrite`] in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the company has an active connection of
    /// that integration already, or when an updated connection was changed
    /// by someone else since it was read; nothing is written then.
    fn write_connection(&self, write: ConnectionWrite<'_>) -> Result<(), StoreError>;

    /// One connection of the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Option<Connection>, StoreError>;

    /// The company's connections, oldest first; disconnected ones only if `include_disconnected`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn connections(
        &self,
        company: CompanyId,
        include_disconnected: bool,
    ) -> Result<Vec<Connection>, StoreError>;

    /// Every API credential ever issued for a connection of the company,
    /// revoked or not, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn connection_credentials(
        &self,
        company: CompanyId,
        connection: ConnectionId,
    ) -> Result<Vec<ApiCredential>, StoreError>;

    /// The live (not disconnected) connection using this credential.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn connection_by_credential(
        &self,
        client_id: &ClientId,
    ) -> Result<Option<Connection>, StoreError>;

    /// Appends audit events.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn append_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError>;

    /// The audit events of one subject of the company, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn audit_events(
        &self,
        company: CompanyId,
        subject_type: &str,
        subject_id: &str,
    ) -> Result<Vec<AuditEvent>, StoreError>;

    /// Stores a demo request with its audit event.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_demo_request(
        &self,
        request: &DemoRequest,
        event: AuditEvent,
    ) -> Result<(), StoreError>;

    /// Demo requests, newest first: of one company, or of all (`None`), optionally of one integration.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn demo_requests(
        &self,
        company: Option<CompanyId>,
        integration: Option<&str>,
    ) -> Result<Vec<DemoRequest>, StoreError>;

    /// Adds a request for a missing integration, merged with earlier ones of
    /// the same normalised name; returns it as the requesting company sees
    /// it (its own requests only).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn add_integration_request(
        &self,
        request: &NewIntegrationRequest<'_>,
        event: AuditEvent,
    ) -> Result<IntegrationRequest, StoreError>;

    /// Integration requests, most requested first: as one company made them
    /// (its own requests, count and use cases), or every company's (`None`).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn integration_requests(
        &self,
        company: Option<CompanyId>,
    ) -> Result<Vec<IntegrationRequest>, StoreError>;
}

/// One request for a missing integration.
#[derive(Debug, Clone)]
pub struct NewIntegrationRequest<'a> {
    /// The requesting company.
    pub company_id: CompanyId,
    /// Who asked.
    pub requested_by: &'a str,
    /// The name as typed.
    pub name: &'a str,
    /// The merge key.
    pub normalized_name: &'a str,
    /// The tool's website.
    pub website: Option<&'a str>,
    /// What they want it for.
    pub use_case: &'a str,
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A document to store, with its bytes.
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    /// The employee it belongs to (must be the company's).
    pub employee_id: EmployeeId,
    /// Its category (must be the company's).
    pub category_id: i64,
    /// Title.
    pub title: &'a str,
    /// Comment.
    pub comment: Option<&'a str>,
    /// The day it is about.
    pub date: NaiveDate,
    /// The file's name.
    pub file_name: &'a str,
    /// Its media type.
    pub mime_type: &'a str,
    /// SHA-256 of `content`, lower-case hex.
    pub sha256: &'a str,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// The bytes.
    pub content: &'a [u8],
}

/// What storing a document did: the employee and the category are checked
/// in the inserting transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentInsert {
    /// Stored.
    Stored(Document),
    /// The company has no employee with that id; nothing was written.
    NoSuchEmployee,
    /// The company has no document category with that id; nothing was written.
    NoSuchCategory,
}

/// Employee documents, their bytes stored with them.
pub trait DocumentStore {
    /// Stores a document, after checking in the same transaction that its
    /// employee and category belong to the company, with the audit event
    /// `audit` makes of it (in that transaction too: no upload unaudited).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; nothing is written then.
    fn insert_document(
        &self,
        company: CompanyId,
        document: &NewDocument<'_>,
        audit: &(dyn Fn(&relais_people::documents::Document) -> AuditEvent + Sync),
    ) -> Result<DocumentInsert, StoreError>;

    /// A page of an employee's documents, newest first, without their bytes.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn employee_documents(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        window: Window,
    ) -> Result<Paged<Document>, StoreError>;

    /// One document of the company with its bytes.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn document_content(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<(Document, Vec<u8>)>, StoreError>;

    /// Deletes a document of the company with the audit event `audit` makes
    /// of it, in one transaction; returns what it was, `None` when there was
    /// none (of two deletes, one finds it).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_document(
        &self,
        company: CompanyId,
        id: i64,
        audit: &(dyn Fn(&Document) -> AuditEvent + Sync),
    ) -> Result<Option<Document>, StoreError>;
}

/// Custom report definitions and the aggregates reports read.
pub trait ReportStore {
    /// Stores a new report of the company.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the company has a report with its id.
    fn insert_report(
        &self,
        company: CompanyId,
        report: &ReportDefinition,
    ) -> Result<(), StoreError>;

    /// Replaces a report's definition; returns whether it exists in that company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn update_report(
        &self,
        company: CompanyId,
        report: &ReportDefinition,
    ) -> Result<bool, StoreError>;

    /// Deletes a report; returns whether it existed in that company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_report(&self, company: CompanyId, id: uuid::Uuid) -> Result<bool, StoreError>;

    /// The company's reports, by name.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn reports(&self, company: CompanyId) -> Result<Vec<ReportDefinition>, StoreError>;

    /// One report of the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn report(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<ReportDefinition>, StoreError>;

    /// Minutes worked per employee from `start` to `end` (rejected attendances left out), summed by the database.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn worked_minutes(
        &self,
        company: CompanyId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<std::collections::HashMap<EmployeeId, i64>, StoreError>;

    /// A number that changes whenever the company's people data changes.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn people_revision(&self, company: CompanyId) -> Result<u64, StoreError>;
}

/// Filters of the entry list of a run.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    /// Only this status.
    pub status: Option<relais_sync::EntryStatus>,
    /// Only this use case.
    pub use_case: Option<relais_sync::UseCase>,
    /// Only this employee.
    pub employee_id: Option<EmployeeId>,
    /// Only the entry with this row id.
    pub id: Option<i64>,
    /// Only entries after this row id (keyset paging: each page costs the
    /// same, however deep).
    pub after_id: Option<i64>,
}

/// A stored entry: the entry with its row id and run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredEntry {
    /// Row id (entries are listed by it).
    pub id: i64,
    /// The run.
    pub run_id: uuid::Uuid,
    /// The entry.
    #[serde(flatten)]
    pub entry: relais_sync::SyncEntry,
}

/// A connection's sync health.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    /// Runs in a row the target refused the credentials.
    pub consecutive_auth_failures: u32,
    /// When the last run without a run error finished.
    pub last_success_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the first of the Failed runs in a row since then started.
    pub failing_since: Option<chrono::DateTime<chrono::Utc>>,
    /// When the admins were warned that the connection is about to be
    /// turned off for failing too long.
    pub warned_at: Option<chrono::DateTime<chrono::Utc>>,
    /// An admin paused the schedule (written only by
    /// [`SyncStore::set_sync_paused`], never by [`SyncStore::save_sync_state`]).
    pub paused: bool,
}

/// What a run did since it was last advanced.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunProgress<'a> {
    /// New entries.
    pub entries: &'a [relais_sync::SyncEntry],
    /// Connector links to store (new or changed).
    pub upserted_links: &'a [relais_sync::TargetLink],
    /// Connector links to forget.
    pub removed_links: &'a [EmployeeId],
    /// Group links to store (new or changed).
    pub upserted_group_links: &'a [relais_sync::GroupLink],
    /// Group links to forget, by key.
    pub removed_group_links: &'a [String],
}

/// Sync runs, entries, connector links and health.
pub trait SyncStore {
    /// Stores a new Running run. A scheduled run names the cycle it claims,
    /// `scheduled_after` (the start of the latest run its scheduler saw,
    /// [`sortable`] text, or `""` for none): one run per claim.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a run of the same connection is
    /// Running, or another run claimed the same cycle: one run at a time per
    /// connection and one per scheduled cycle (across every process on the
    /// database), enforced by the database.
    fn start_run(
        &self,
        company: CompanyId,
        run: &relais_sync::SyncRun,
        scheduled_after: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Advances a Running run in one transaction: appends `progress`'s
    /// entries (counted into the run) and links, then applies `change`
    /// (a heartbeat, or finishing it) and saves it. Concurrent calls are
    /// serialised, so no count is lost; a finished run is final.
    ///
    /// # Errors
    /// [`StoreError::Changed`] when the run is finished already (nothing is
    /// written then); [`StoreError::Corrupt`] for an unknown run.
    fn advance_run(
        &self,
        company: CompanyId,
        run: uuid::Uuid,
        progress: RunProgress<'_>,
        change: &mut (dyn FnMut(&mut relais_sync::SyncRun) + Send),
    ) -> Result<relais_sync::SyncRun, StoreError>;

    /// One run of the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn run(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<relais_sync::SyncRun>, StoreError>;

    /// A page of a connection's runs, newest first, optionally of one status
    /// and started in `[from, to]`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn runs(
        &self,
        company: CompanyId,
        connection: uuid::Uuid,
        status: Option<relais_sync::RunStatus>,
        from: Option<chrono::DateTime<chrono::Utc>>,
        to: Option<chrono::DateTime<chrono::Utc>>,
        window: Window,
    ) -> Result<Paged<relais_sync::SyncRun>, StoreError>;

    /// Every Running run, whatever its company (to close interrupted ones).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn running_runs(&self) -> Result<Vec<(CompanyId, relais_sync::SyncRun)>, StoreError>;

    /// A page of a run's entries, in order.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn entries(
        &self,
        run: uuid::Uuid,
        filter: &EntryFilter,
        window: Window,
    ) -> Result<Paged<StoredEntry>, StoreError>;

    /// One employee's entries across a connection's runs, newest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn employee_entries(
        &self,
        connection: uuid::Uuid,
        employee: EmployeeId,
        window: Window,
    ) -> Result<Paged<StoredEntry>, StoreError>;

    /// Deletes entries older than `before`; returns how many. Runs are kept.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn purge_entries(&self, before: chrono::DateTime<chrono::Utc>) -> Result<u64, StoreError>;

    /// The SCIM links of a connection.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn scim_links(
        &self,
        connection: uuid::Uuid,
    ) -> Result<Vec<relais_sync::TargetLink>, StoreError>;

    /// The SCIM group links of a connection (departments and teams
    /// provisioned as groups).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn scim_group_links(
        &self,
        connection: uuid::Uuid,
    ) -> Result<Vec<relais_sync::GroupLink>, StoreError>;

    /// A connection's sync health.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn sync_state(&self, connection: uuid::Uuid) -> Result<SyncState, StoreError>;

    /// Saves a connection's sync health (all but `paused`).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn save_sync_state(&self, connection: uuid::Uuid, state: &SyncState) -> Result<(), StoreError>;

    /// Reads a connection's sync health, lets `change` change it (all but
    /// `paused`) and saves it, in one transaction under the write lock, so
    /// that two changes (a run ending, the connection reactivated) never
    /// overwrite each other with what they read before; returns the state
    /// saved.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn update_sync_state(
        &self,
        connection: uuid::Uuid,
        change: &mut (dyn FnMut(&mut SyncState) + Send),
    ) -> Result<SyncState, StoreError>;

    /// Pauses (or resumes) a connection's schedule; returns whether it was
    /// paused before.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn set_sync_paused(&self, connection: uuid::Uuid, paused: bool) -> Result<bool, StoreError>;
}

/// Where a kind of record lives, for looking up its company by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned {
    /// An API credential, by client id.
    Credential,
    /// A connection, by id.
    Connection,
    /// A sync run, by id.
    SyncRun,
    /// A custom report, by id (example reports share their id across companies).
    Report,
}

/// The schema version of a database and the one this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaVersion {
    /// The version found in the database.
    pub found: usize,
    /// The newest version this build knows.
    pub known: usize,
}

/// How a demo generation may begin, decided in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoBegin {
    /// The company's people data was replaced by the reference data; write from employee 1.
    Started,
    /// An interrupted generation with the same options: `written` employees are there already.
    Resumed {
        /// Employees written before the interruption.
        written: u64,
    },
    /// Refused: the company has employees (and no replacement was asked for).
    HasEmployees(u64),
    /// Refused: an interrupted generation with other options is pending.
    OtherGeneration(String),
}

/// An existing employee's new record, written only if it is still as read.
#[derive(Debug, Clone, PartialEq)]
pub struct EmployeeReplacement<'a> {
    /// The record to write.
    pub employee: &'a Employee,
    /// Its `last_modified_at` when it was read.
    pub expected_last_modified: DateTime<Utc>,
    /// History entries to add (replacing any of the same attribute and day).
    pub history: &'a [AttributeChange],
}

/// A stored profile picture: a PNG encoded by Relais.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredPicture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The PNG file.
    pub png: Vec<u8>,
}

impl std::fmt::Debug for StoredPicture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StoredPicture({}x{}, {} bytes)",
            self.width,
            self.height,
            self.png.len()
        )
    }
}

/// Employees brought in from a file or written one at a time.
pub trait ImportStore {
    /// Creates one employee under the next free id of the company, in one
    /// transaction: the id of `records` (employee and history) is replaced
    /// by it. The e-mail stays unique in the company (a unique index, so
    /// that of two requests at once one wins).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for an e-mail taken; nothing is written then.
    fn create_employee(
        &self,
        company: CompanyId,
        records: &EmployeeRecords,
    ) -> Result<EmployeeId, StoreError>;

    /// Sets an employee's profile picture (replacing any), marks the
    /// employee as having one and as modified at `now`, in one transaction.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; `Ok(false)` for an unknown employee.
    fn set_employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        picture: &StoredPicture,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Removes an employee's profile picture, marking the employee as
    /// modified at `now` when there was one.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; `Ok(false)` for an unknown
    /// employee or one without a picture.
    fn remove_employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// An employee's profile picture, if they have one.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn employee_picture(
        &self,
        company: CompanyId,
        employee: EmployeeId,
    ) -> Result<Option<StoredPicture>, StoreError>;

    /// Creates and updates employees in one transaction: all or nothing.
    /// E-mails and external ids stay unique in the company; an updated
    /// employee must be as it was read.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for an e-mail, external id or employee id
    /// taken meanwhile, [`StoreError::Changed`] for an employee changed
    /// meanwhile; nothing is written then.
    fn import_employees(
        &self,
        company: CompanyId,
        creates: &[EmployeeRecords],
        updates: &[EmployeeReplacement<'_>],
    ) -> Result<(), StoreError>;
}

/// Operator-level state and operations: settings every process shares,
/// where an id lives, demo generations, backups and re-sealing secrets.
pub trait AdminStore {
    /// Where the data lives (a file path for SQLite), for messages.
    fn location(&self) -> String;

    /// The schema version found and known.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn schema(&self) -> Result<SchemaVersion, StoreError>;

    /// A setting, if set.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn setting(&self, name: &str) -> Result<Option<String>, StoreError>;

    /// Stores `value` under `name` unless a value is there already, and
    /// returns the value that is stored then (the earlier one, if any), in
    /// one statement: two processes racing agree on one value.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError>;

    /// The companies holding a record of `kind` with this id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn owners(&self, kind: Owned, id: &str) -> Result<Vec<CompanyId>, StoreError>;

    /// One sealed secret of any connection, to check a key against.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a row is corrupt.
    fn any_sealed_secret(&self) -> Result<Option<String>, StoreError>;

    /// Re-seals every sealed secret of every connection with `reseal` and
    /// sets the setting `fingerprint.0` to `fingerprint.1`, in one
    /// transaction; returns how many secrets were re-sealed.
    ///
    /// # Errors
    /// [`StoreError::Backend`] naming the connection when `reseal` fails;
    /// nothing is changed then.
    fn reseal_secrets(
        &self,
        reseal: &mut (dyn FnMut(&str) -> Result<String, String> + Send),
        fingerprint: (&str, &str),
    ) -> Result<usize, StoreError>;

    /// Writes a consistent copy of the live database to `to` (which must not exist).
    ///
    /// # Errors
    /// [`StoreError`] when the copy cannot be written.
    fn backup(&self, to: &std::path::Path) -> Result<(), StoreError>;

    /// Begins (or resumes) a demo generation of `company` in one
    /// transaction: refuses a company with employees unless `replace`, and
    /// otherwise replaces its people data with `reference` and records
    /// `spec`; a pending generation with the same `spec` is resumed.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails; nothing is changed then.
    fn begin_demo(
        &self,
        company: CompanyId,
        spec: &str,
        replace: bool,
        reference: &PeopleReference,
        now: DateTime<Utc>,
    ) -> Result<DemoBegin, StoreError>;

    /// The options of the company's unfinished demo generation, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn pending_demo(&self, company: CompanyId) -> Result<Option<String>, StoreError>;

    /// Marks the company's demo generation complete.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn finish_demo(&self, company: CompanyId) -> Result<(), StoreError>;
}

/// Everything Relais stores. One implementation per backend.
pub trait Store:
    CatalogStore
    + AccessStore
    + SessionStore
    + PeopleStore
    + CredentialStore
    + ConnectionStore
    + ReportStore
    + SyncStore
    + AdminStore
    + ImportStore
    + RecruitingStore
    + DocumentStore
    + WebhookStore
    + AlertStore
    + copy::TableStore
    + Send
    + Sync
    + std::fmt::Debug
{
}

impl<T> Store for T where
    T: CatalogStore
        + AccessStore
        + SessionStore
        + PeopleStore
        + CredentialStore
        + ConnectionStore
        + ReportStore
        + SyncStore
        + AdminStore
        + ImportStore
        + RecruitingStore
        + DocumentStore
        + WebhookStore
        + AlertStore
        + copy::TableStore
        + Send
        + Sync
        + std::fmt::Debug
{
}
