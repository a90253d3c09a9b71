//! Persistence for Relais.
//!
//! The [`Store`] trait is the one facade the application talks to; it speaks
//! domain types only, so that another backend (PostgreSQL, for deployments
//! that outgrow one machine) can be added as a second implementation without
//! touching the domain crates or the binaries' logic. [`SqliteStore`] is the
//! implementation shipped today: SQLite in WAL mode behind a connection pool,
//! with versioned migrations run when it opens.
//!
//! Tenancy: every row of company data carries its company id and every query
//! on it is scoped by one. Two things are deliberately global: the catalog
//! (the platform's offering, the same for every company) and the lookup of a
//! personal access token by its public id (that lookup is how the company of
//! a request is learnt in the first place).

mod sqlite;

use chrono::{DateTime, Utc};
use relais_access::{
    Company, CompanyId, MarketplaceRight, PersonalAccessToken, TokenId, User, UserId,
};
use relais_catalog::Integration;

pub use sqlite::SqliteStore;

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

    /// Changes a user's right; returns whether the user exists in that company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn set_marketplace_right(
        &self,
        company: CompanyId,
        id: UserId,
        right: MarketplaceRight,
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

/// Everything Relais stores. One implementation per backend.
pub trait Store: CatalogStore + AccessStore + Send + Sync + std::fmt::Debug {}

impl<T: CatalogStore + AccessStore + Send + Sync + std::fmt::Debug> Store for T {}
