//! The use cases of Relais, shared by the server and the CLI.
//!
//! Both binaries call [`App`] and nothing below it, so that a rule — a right,
//! a validation, a transaction boundary — is enforced in one place for both.
//! `App` combines authorisation (`relais-access`), domain rules
//! (`relais-catalog`, …) and persistence (`relais-store`); it holds no
//! transport concerns: no HTTP status, no exit code, no terminal output.
//!
//! Depends on every domain crate, on `relais-store` (SQLite or PostgreSQL)
//! and on `relais-egress`. Its I/O: the database, outgoing HTTP to SCIM
//! targets and webhook endpoints, SMTP for alert mails.
//!
//! # Example
//!
//! A fresh SQLite database (the shipped catalog is installed on open), a
//! company, and what the server does with a request's bearer token:
//!
//! ```rust
//! use relais_access::MarketplaceRight;
//! use relais_app::App;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let app = App::open(dir.path().join("relais.db"))?;
//! assert!(app.integration("okta").is_ok());
//!
//! let acme = app.create_company("Acme GmbH", "ada@acme.example", "Ada Lovelace")?;
//! let actor = app.authenticate(&acme.token)?;
//! assert_eq!(actor.company.slug, "acme-gmbh");
//! actor.require(MarketplaceRight::Edit)?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod alerts;
mod connections;
mod credentials;
pub mod documents;
mod employee_writes;
mod error;
pub mod export;
mod host;
mod operator;
mod people;
pub mod public_api;
mod public_api_writes;
pub mod recruiting;
pub mod reports;
pub mod setup;
mod sign_in;
pub mod sync;
pub mod users;
pub mod views;
pub mod webhooks;

use std::sync::{Arc, RwLock};

use chrono::{Duration, Utc};
use relais_access::{
    AccessError, Company, MarketplaceRight, PersonalAccessToken, PresentedToken, User,
    normalize_email,
};
use relais_catalog::{Catalog, Integration};
use relais_store::{CatalogInfo, Store};

pub use connections::{ConnectionChange, ConnectionView, PartnerCredential, StepView, WizardView};
pub use credentials::{
    Caller, CredentialChange, CredentialInput, CredentialView, CredentialWithSecret,
};
pub use error::{AppError, ErrorKind, FieldProblem};
pub use operator::{DatabaseInfo, KeyState, check_location, copy_database};
pub use people::{
    DEMO_MAX_EMPLOYEES, DEMO_MAX_MONTHS, DemoSummary, ImportOutcome, check_demo_spec,
};
pub use relais_people::import::{ImportFormat, RowAction};

/// `tokio::task::spawn_blocking`, with the thread declared one that may
/// block ([`relais_store::blocking_section`]): the PostgreSQL backend's
/// calls then run on it in place instead of each on a thread of its own.
/// Every call into the store from async code goes through here.
pub fn spawn_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(move || relais_store::blocking_section(work))
}

/// Tells long work that nobody waits for it any more (the request timed
/// out or the client went away). Cheap to clone; all clones share one flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    /// A flag nobody has raised yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag.
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the flag is raised.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The authenticated user behind a request, with their company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub user: User,
    /// Their company: every company-scoped call uses it.
    pub company: Company,
}

impl Actor {
    /// Succeeds when the actor's right on "Marketplace integrations & API" is at least `needed`.
    ///
    /// # Errors
    /// [`AppError`] of kind [`ErrorKind::Forbidden`] naming both levels.
    pub fn require(&self, needed: MarketplaceRight) -> Result<(), AppError> {
        self.user.require(needed).map_err(AppError::from)
    }
}

/// A new company with its first administrator.
#[derive(Debug)]
pub struct NewCompany {
    /// The company.
    pub company: Company,
    /// Its first user, with the *edit* right.
    pub admin: User,
    /// The admin's personal access token. Shown once; only its hash is stored.
    pub token: String,
}

/// The seed of the demo company's workforce.
pub const DEMO_SEED: u64 = 42;

/// The name of the demo company.
pub const DEMO_COMPANY: &str = "Demo Company";
/// The demo administrator's e-mail.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.example";

/// Relais's use cases over one store.
#[derive(Debug)]
pub struct App {
    pub(crate) store: Arc<dyn Store>,
    catalog: RwLock<Arc<Catalog>>,
    /// The operator's key for secrets at rest; without it, secrets are refused.
    pub(crate) secret_key: Option<relais_access::SecretKey>,
    pub(crate) reports_cache: reports::ReportCache,
    pub(crate) sync_concurrency: std::sync::atomic::AtomicUsize,
    /// How long a run of Relais's own may go without a heartbeat before
    /// another process (a replica, or this one after a restart) closes it.
    pub(crate) run_lease: chrono::Duration,
    /// Which addresses connectors may call (loopback, private and
    /// link-local ones only where the operator allows them).
    pub(crate) egress: relais_egress::EgressPolicy,
    /// What the public API reads of each company on every request, with
    /// the people revision it was read at: read once per change.
    people_cache: PeopleCache,
    /// How long a webhook endpoint may fail every delivery before it is disabled.
    pub(crate) webhook_disable_after: std::time::Duration,
    /// How long every run of a connection may fail before it is turned off.
    pub(crate) failing_disable_after: chrono::Duration,
}

impl App {
    /// Opens the database at `location` (creating its schema if needed) and
    /// loads the catalog, installing the shipped one on a fresh database. A
    /// `postgres://…` address opens PostgreSQL; anything else is the path of
    /// a SQLite file, created if missing.
    ///
    /// # Errors
    /// [`AppError`] when the database cannot be opened or its catalog is broken.
    pub fn open(location: impl AsRef<std::ffi::OsStr>) -> Result<Self, AppError> {
        check_location(location.as_ref())?;
        Self::new(relais_store::open(location.as_ref())?)
    }

    /// Builds the use cases over any store.
    ///
    /// # Errors
    /// [`AppError`] when the stored catalog cannot be read.
    pub fn new(store: Arc<dyn Store>) -> Result<Self, AppError> {
        let stored = store.catalog()?;
        let catalog = if stored.is_empty() && store.catalog_info()?.is_none() {
            let shipped = Catalog::shipped()?;
            store.replace_catalog(
                relais_catalog::DEFAULT_CATALOG_SOURCE,
                shipped.integrations(),
                Utc::now(),
            )?;
            tracing::info!(
                integrations = shipped.len(),
                "installed the shipped catalog"
            );
            shipped
        } else {
            Catalog::new("the database", stored)?
        };
        Ok(Self {
            store,
            catalog: RwLock::new(Arc::new(catalog)),
            secret_key: None,
            reports_cache: reports::ReportCache::default(),
            sync_concurrency: std::sync::atomic::AtomicUsize::new(1),
            run_lease: relais_sync::HEARTBEAT_TIMEOUT,
            egress: relais_egress::EgressPolicy::public_only(),
            webhook_disable_after: relais_events::DISABLE_AFTER,
            failing_disable_after: chrono::Duration::days(7),
            people_cache: PeopleCache::default(),
        })
    }

    /// The company's reference data (custom attributes, absence types,
    /// projects, document categories), from memory while the company's
    /// people revision is the one it was read at.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub(crate) fn people_reference(
        &self,
        company: relais_access::CompanyId,
    ) -> Result<Arc<relais_store::PeopleReference>, AppError> {
        let revision = self.store.people_revision(company)?;
        self.people_reference_at(company, revision)
    }

    /// [`Self::people_reference`] for a revision the caller read (before
    /// anything else it reads), so that one request asks for it once.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub(crate) fn people_reference_at(
        &self,
        company: relais_access::CompanyId,
        revision: u64,
    ) -> Result<Arc<relais_store::PeopleReference>, AppError> {
        self.people_cache
            .references
            .get_or_load(company, revision, || self.store.people_reference(company))
    }

    /// Every employee id of the company in order, from memory while the
    /// company's people revision is `revision` (read by the caller first).
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub(crate) fn employee_ids_at(
        &self,
        company: relais_access::CompanyId,
        revision: u64,
    ) -> Result<Arc<Vec<relais_people::EmployeeId>>, AppError> {
        self.people_cache
            .employee_ids
            .get_or_load(company, revision, || self.store.employee_ids(company))
    }

    /// Sets the operator's key for secrets at rest (`RELAIS_SECRET_KEY`).
    #[must_use]
    pub fn with_secret_key(mut self, key: Option<relais_access::SecretKey>) -> Self {
        self.secret_key = key;
        self
    }

    /// Sets how long a run of Relais's own may go without a heartbeat before
    /// it is closed as Failed (default five minutes; heartbeats come every
    /// tenth of it, at most every 30 seconds). With several replicas on one
    /// database, this is how soon a lost replica's run is closed and its
    /// cycle taken by another.
    #[must_use]
    pub fn with_run_lease(mut self, lease: std::time::Duration) -> Self {
        self.run_lease = chrono::Duration::from_std(lease)
            .unwrap_or(relais_sync::HEARTBEAT_TIMEOUT)
            .max(chrono::Duration::seconds(2));
        self
    }

    /// How often a running run of Relais's own says it is alive.
    #[must_use]
    pub fn heartbeat_interval(&self) -> std::time::Duration {
        (self.run_lease / 10)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(30))
            .clamp(
                std::time::Duration::from_millis(200),
                std::time::Duration::from_secs(30),
            )
    }

    /// Whether other processes may share this database (PostgreSQL): then
    /// no process may assume a Running run is its own.
    pub(crate) fn shared_database(&self) -> bool {
        relais_store::is_postgres_url(&self.store.location())
    }

    /// Sets which addresses connectors may call (`RELAIS_EGRESS_ALLOW`);
    /// the default refuses loopback, private and link-local addresses.
    #[must_use]
    pub fn with_egress_policy(mut self, policy: relais_egress::EgressPolicy) -> Self {
        self.egress = policy;
        self
    }

    /// Turns a connection off once every run failed for `after` (7 days by
    /// default); its admins are warned a day before.
    #[must_use]
    pub fn with_failing_disable_after(mut self, after: std::time::Duration) -> Self {
        self.failing_disable_after =
            chrono::Duration::from_std(after).unwrap_or_else(|_| chrono::Duration::days(7));
        self
    }

    /// Which addresses connectors and webhook deliveries may call.
    #[must_use]
    pub fn egress_policy(&self) -> &relais_egress::EgressPolicy {
        &self.egress
    }

    /// Reads the networks connectors may call beyond public addresses from
    /// `RELAIS_EGRESS_ALLOW` (e.g. `10.20.0.0/16,127.0.0.1`), if set.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] naming an entry that is neither a network nor an address.
    pub fn egress_policy_from_env() -> Result<relais_egress::EgressPolicy, AppError> {
        relais_egress::EgressPolicy::parse(
            &std::env::var("RELAIS_EGRESS_ALLOW").unwrap_or_default(),
        )
        .map_err(|e| AppError::invalid(e.to_string()))
    }

    /// Reads the key for secrets at rest from `RELAIS_SECRET_KEY`, if set.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] when it is set but not 64 hex digits.
    pub fn secret_key_from_env() -> Result<Option<relais_access::SecretKey>, AppError> {
        match std::env::var("RELAIS_SECRET_KEY") {
            Ok(text) if !text.trim().is_empty() => {
                Ok(Some(relais_access::SecretKey::from_hex(&text)?))
            }
            _ => Ok(None),
        }
    }

    // ----- Catalog -------------------------------------------------------

    /// The current catalog. Cheap: a shared snapshot, searched in memory.
    #[must_use]
    pub fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(
            &self
                .catalog
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// One integration by slug.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] naming the slug.
    pub fn integration(&self, slug: &str) -> Result<Integration, AppError> {
        let catalog = self.catalog();
        if let Some(found) = catalog.get(slug) {
            return Ok(found.clone());
        }
        // A typo gets the closest match, found as the search bar finds it
        // (forgiving case, accents and one typo per word).
        let searched = catalog.search(&relais_catalog::CatalogQuery {
            text: Some(slug.replace(['-', '_'], " ")),
            ..relais_catalog::CatalogQuery::default()
        });
        let closest = searched.items.first().map(|i| i.slug.as_str());
        Err(AppError::not_found(match closest {
            Some(closest) => format!("integration '{slug}'; did you mean '{closest}'?"),
            None => format!("integration '{slug}'"),
        }))
    }

    /// Validates a catalog file and replaces the stored catalog with it, all
    /// or nothing. `source` names the file in messages and in [`CatalogInfo`].
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] naming the file and every bad field; the
    /// stored catalog is unchanged then.
    pub fn load_catalog(&self, source: &str, text: &str) -> Result<CatalogInfo, AppError> {
        self.install_catalog(source, Catalog::from_json(source, text)?)
    }

    /// Replaces the stored catalog with the one shipped with this Relais.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn load_shipped_catalog(&self) -> Result<CatalogInfo, AppError> {
        self.install_catalog(relais_catalog::DEFAULT_CATALOG_SOURCE, Catalog::shipped()?)
    }

    fn install_catalog(&self, source: &str, catalog: Catalog) -> Result<CatalogInfo, AppError> {
        let mut current = self
            .catalog
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.store
            .replace_catalog(source, catalog.integrations(), Utc::now())?;
        *current = Arc::new(catalog);
        drop(current);
        tracing::info!(source, "catalog replaced");
        self.catalog_info()
    }

    /// Where the current catalog came from.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn catalog_info(&self) -> Result<CatalogInfo, AppError> {
        self.store
            .catalog_info()?
            .ok_or_else(|| AppError::not_found("a loaded catalog".to_owned()))
    }

    // ----- Companies and users ------------------------------------------

    /// Creates a company with its first administrator (right *edit*) and
    /// that administrator's personal access token, all or nothing.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a bad name or e-mail, [`ErrorKind::Conflict`]
    /// when a company with the same handle exists.
    pub fn create_company(
        &self,
        name: &str,
        admin_email: &str,
        admin_name: &str,
    ) -> Result<NewCompany, AppError> {
        let now = Utc::now();
        let company = Company::new(name, now)?;
        let admin = User::new(
            company.id,
            admin_email,
            admin_name,
            MarketplaceRight::Edit,
            now,
        )?;
        let token = PersonalAccessToken::issue(
            &admin,
            "created with the company",
            now,
            Some(now + Duration::days(i64::from(users::DEFAULT_TOKEN_DAYS))),
        )?;
        self.store.create_company(&company, &admin, &token.record)?;
        tracing::info!(company = %company.slug, "company created");
        Ok(NewCompany {
            company,
            admin,
            token: token.plaintext,
        })
    }

    /// Creates the demo company with a demo workforce (150 employees, 12
    /// months up to today, the example reports) unless it exists; returns it
    /// when it was created.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn ensure_demo_company(&self) -> Result<Option<NewCompany>, AppError> {
        if let Some(existing) = self
            .store
            .company(&Company::new(DEMO_COMPANY, Utc::now())?.slug)?
        {
            // A generation interrupted by a stop or a crash is finished now,
            // with the options it started with.
            if let Some(spec) = self.pending_demo(&existing)? {
                tracing::info!(company = %existing.slug, "resuming the interrupted demo generation");
                self.generate_demo(&existing, spec, false, &mut |_| {})?;
            }
            return Ok(None);
        }
        let created = self.create_company(DEMO_COMPANY, DEMO_ADMIN_EMAIL, "Demo Admin")?;
        let spec = relais_people::demo::DemoSpec {
            employees: 150,
            months: 12,
            seed: DEMO_SEED,
            until: Utc::now().date_naive(),
        };
        self.generate_demo(&created.company, spec, false, &mut |_| {})?;
        Ok(Some(created))
    }

    /// Every company, oldest first.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn companies(&self) -> Result<Vec<Company>, AppError> {
        Ok(self.store.companies()?)
    }

    /// A company by id or handle, or — when `key` is `None` — the only one.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown key or no company at all,
    /// [`ErrorKind::Invalid`] when `key` is `None` and several companies exist.
    pub fn company(&self, key: Option<&str>) -> Result<Company, AppError> {
        if let Some(key) = key {
            return self
                .store
                .company(key)?
                .ok_or_else(|| AppError::not_found(format!("company '{key}'")));
        }
        let mut companies = self.store.companies()?;
        match companies.len() {
            0 => Err(AppError::new(
                ErrorKind::NotFound,
                "there is no company yet; create one with `relais init`".into(),
            )),
            1 => Ok(companies.remove(0)),
            n => Err(AppError::invalid(format!(
                "there are {n} companies ({}); say which one with --company (or RELAIS_COMPANY)",
                companies
                    .iter()
                    .map(|c| c.slug.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Adds a user to a company, as the operator.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a bad e-mail or name,
    /// [`ErrorKind::Conflict`] when the e-mail is taken in that company.
    pub fn add_user(
        &self,
        company: &Company,
        email: &str,
        name: &str,
        right: MarketplaceRight,
    ) -> Result<User, AppError> {
        self.add_company_user(Caller::Operator, company, email, name, right)
    }

    /// The users of a company, by e-mail.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn users(&self, company: &Company) -> Result<Vec<User>, AppError> {
        Ok(self.store.users(company.id)?)
    }

    /// One user of a company by e-mail.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when no such user exists in that company.
    pub fn user(&self, company: &Company, email: &str) -> Result<User, AppError> {
        let email = normalize_email(email)?;
        self.store
            .user_by_email(company.id, &email)?
            .ok_or_else(|| AppError::not_found(format!("user {email} in {}", company.slug)))
    }

    /// Changes a user's right on "Marketplace integrations & API", as the operator.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when no such user exists in that company,
    /// [`ErrorKind::Conflict`] for the company's last user with the *edit* right.
    pub fn set_right(
        &self,
        company: &Company,
        email: &str,
        right: MarketplaceRight,
    ) -> Result<User, AppError> {
        self.change_right(Caller::Operator, company, email, right)
    }

    /// Issues a new personal access token for a user, valid for
    /// `valid_days` (default 90, at most 365). The returned text is the
    /// only copy: only its hash is stored.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown user, [`ErrorKind::Invalid`]
    /// for a bad name or lifetime.
    pub fn issue_token(
        &self,
        company: &Company,
        email: &str,
        name: &str,
        valid_days: Option<u32>,
    ) -> Result<String, AppError> {
        let user = self.user(company, email)?;
        Ok(self.issue_token_for(&user, name, valid_days)?.token)
    }

    /// Finds the user behind a personal access token.
    ///
    /// # Errors
    /// [`ErrorKind::Unauthenticated`] for a malformed, unknown, expired or
    /// revoked token — with one message for all, so as not to tell an
    /// attacker which.
    pub fn authenticate(&self, token: &str) -> Result<Actor, AppError> {
        if token.starts_with("rlt_") {
            return Err(AppError::unauthenticated(
                "this is a public-API token (rlt_…, from POST /v1/auth), for /v1 only; the admin API under /api needs a personal access token (rlp_…, from `relais init` or `relais users token`)".into(),
            ));
        }
        let refused = || AppError::unauthenticated("the access token is not valid".into());
        let presented = PresentedToken::parse(token).map_err(|_| refused())?;
        let record = self.store.token(&presented.id)?.ok_or_else(refused)?;
        if !record.accepts(&presented, Utc::now()) {
            return Err(refused());
        }
        let user = self
            .store
            .user(record.company_id, record.user_id)?
            .ok_or_else(refused)?;
        let company = self
            .store
            .company(&record.company_id.to_string())?
            .ok_or_else(refused)?;
        Ok(Actor { user, company })
    }
}

impl From<AccessError> for AppError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::Forbidden { .. } => Self::new(ErrorKind::Forbidden, error.to_string()),
            AccessError::MalformedToken => Self::new(ErrorKind::Unauthenticated, error.to_string()),
            AccessError::Invalid { .. } => Self::new(ErrorKind::Invalid, error.to_string()),
            AccessError::Randomness(_) => Self::new(ErrorKind::Internal, error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(relais_store::testing::database_in(dir.path())).unwrap();
        (dir, app)
    }

    #[test]
    fn a_fresh_database_gets_the_shipped_catalog() {
        let (_dir, app) = app();
        assert!(app.catalog().len() >= 60);
        assert_eq!(
            app.catalog_info().unwrap().source,
            relais_catalog::DEFAULT_CATALOG_SOURCE
        );
    }

    #[test]
    fn an_operator_catalog_survives_a_restart_and_a_bad_one_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = relais_store::testing::database_in(dir.path());
        let app = App::open(&path).unwrap();
        let first = app.catalog().integrations()[0].clone();
        let one = Catalog::new("test", vec![first])
            .unwrap()
            .to_json()
            .unwrap();
        app.load_catalog("mine.json", &one).unwrap();
        let err = app
            .load_catalog(
                "broken.json",
                r#"{"version":1,"integrations":[{"slug":1}]}"#,
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(
            err.to_string()
                .starts_with("broken.json: integrations[0].slug"),
            "{err}"
        );
        drop(app);
        let app = App::open(&path).unwrap();
        assert_eq!(app.catalog().len(), 1);
        assert_eq!(app.catalog_info().unwrap().source, "mine.json");
    }

    #[test]
    fn a_token_authenticates_its_user_and_nothing_else_does() {
        let (_dir, app) = app();
        let new = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        let actor = app.authenticate(&new.token).unwrap();
        assert_eq!(actor.user, new.admin);
        assert_eq!(actor.company, new.company);
        for bad in [
            "",
            "rlp_nope",
            &new.token.replace('a', "b"),
            &format!("{}0", new.token),
        ] {
            let err = app.authenticate(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{bad}");
        }
    }

    #[test]
    fn rights_decide_what_an_actor_may_do() {
        let (_dir, app) = app();
        let new = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        app.add_user(
            &new.company,
            "vic@acme.example",
            "Vic",
            MarketplaceRight::View,
        )
        .unwrap();
        let token = app
            .issue_token(&new.company, "vic@acme.example", "laptop", Some(30))
            .unwrap();
        let vic = app.authenticate(&token).unwrap();
        assert!(vic.require(MarketplaceRight::View).is_ok());
        assert_eq!(
            vic.require(MarketplaceRight::Edit).unwrap_err().kind(),
            ErrorKind::Forbidden
        );

        app.set_right(&new.company, "VIC@acme.example", MarketplaceRight::Edit)
            .unwrap();
        let vic = app.authenticate(&token).unwrap();
        assert!(
            vic.require(MarketplaceRight::Edit).is_ok(),
            "rights take effect at once"
        );
    }

    #[test]
    fn the_only_company_is_the_default_and_several_need_a_choice() {
        let (_dir, app) = app();
        assert_eq!(app.company(None).unwrap_err().kind(), ErrorKind::NotFound);
        app.create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        assert_eq!(app.company(None).unwrap().slug, "acme");
        app.create_company("Globex", "hank@globex.example", "Hank")
            .unwrap();
        assert_eq!(app.company(None).unwrap_err().kind(), ErrorKind::Invalid);
        assert_eq!(app.company(Some("globex")).unwrap().name, "Globex");
        assert_eq!(
            app.create_company("ACME", "x@y.example", "X")
                .unwrap_err()
                .kind(),
            ErrorKind::Conflict
        );
    }

    #[test]
    fn the_demo_company_is_created_once_with_people_and_reports() {
        let (_dir, app) = app();
        let demo = app.ensure_demo_company().unwrap().unwrap();
        assert!(app.ensure_demo_company().unwrap().is_none());
        let employees = app
            .store
            .employees(
                demo.company.id,
                &relais_store::EmployeeFilter::default(),
                relais_store::Window {
                    offset: 0,
                    limit: 1000,
                },
            )
            .unwrap();
        assert_eq!(employees.total, 150);
        assert_eq!(
            app.reports(crate::Caller::Operator, &demo.company)
                .unwrap()
                .len(),
            5
        );
    }
}

/// The public API's per-company caches.
#[derive(Debug, Default)]
struct PeopleCache {
    references: RevisionCache<relais_store::PeopleReference>,
    employee_ids: RevisionCache<Vec<relais_people::EmployeeId>>,
    org_units: RevisionCache<relais_people::edit::OrgUnits>,
}

/// Values per company, each valid for the people revision it was read at.
#[derive(Debug)]
struct RevisionCache<T> {
    entries: std::sync::Mutex<std::collections::HashMap<relais_access::CompanyId, (u64, Arc<T>)>>,
}

impl<T> Default for RevisionCache<T> {
    fn default() -> Self {
        Self {
            entries: std::sync::Mutex::default(),
        }
    }
}

impl<T> RevisionCache<T> {
    /// At most this many companies are kept; past it the table starts over.
    const COMPANIES: usize = 10_000;

    /// The value read at `revision`, loading it when the one kept is older.
    /// The caller reads the revision *before* the data: a change in
    /// between makes the entry look older than it is, never newer, so it is
    /// read again rather than served stale.
    fn get_or_load(
        &self,
        company: relais_access::CompanyId,
        revision: u64,
        load: impl FnOnce() -> Result<T, relais_store::StoreError>,
    ) -> Result<Arc<T>, AppError> {
        let lock = || {
            self.entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((at, value)) = lock().get(&company)
            && *at == revision
        {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(load()?);
        let mut entries = lock();
        if entries.len() >= Self::COMPANIES {
            entries.clear();
        }
        entries.insert(company, (revision, Arc::clone(&value)));
        Ok(value)
    }
}
