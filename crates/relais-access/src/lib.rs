//! Who may do what in Relais.
//!
//! This crate owns the tenants (companies), their users, the
//! "Marketplace integrations & API" right, the public APIs and their
//! read/write access levels, and the hashing of every secret Relais hands out
//! (personal access tokens today, API client secrets later).
//!
//! It is pure: it never touches the database or the network. Generating a
//! secret reads the operating system's random source, which is the only
//! thing here that is not a plain function of its inputs.
//!
//! Depends on no other Relais crate.
//!
//! # Example
//!
//! A company, its first administrator and a personal access token for them:
//! Relais keeps the token's record (with the secret's hash only), the owner
//! gets the text once.
//!
//! ```rust
//! use chrono::Utc;
//! use relais_access::{Company, MarketplaceRight, PersonalAccessToken, PresentedToken, User};
//!
//! # fn main() -> Result<(), relais_access::AccessError> {
//! let now = Utc::now();
//! let company = Company::new("Acme GmbH", now)?;
//! assert_eq!(company.slug, "acme-gmbh");
//! let ada = User::new(company.id, "ada@acme.example", "Ada Lovelace", MarketplaceRight::Edit, now)?;
//! let issued = PersonalAccessToken::issue(&ada, "deploy script", now, None)?;
//!
//! // A request presents the text; the stored record decides.
//! let presented = PresentedToken::parse(&issued.plaintext)?;
//! assert!(issued.record.accepts(&presented, now));
//! assert!(ada.require(MarketplaceRight::View).is_ok());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod api;
mod company;
mod credential;
mod error;
mod hex;
pub mod limits;
mod sealed;
mod secret;
mod session;
mod user;

pub use api::{ApiAccess, ApiPermission, PublicApi};
pub use company::{Company, CompanyId};
pub use credential::{
    ApiCredential, ApiToken, ClientId, IssuedApiToken, IssuedSecret, TOKEN_LIFETIME, scope_name,
};
pub use error::AccessError;
pub use sealed::SecretKey;
pub use secret::{
    IssuedToken, PersonalAccessToken, PresentedToken, SecretHash, TokenId, new_recruiting_key,
};
pub use session::{
    INVITE_LIFETIME, Invite, IssuedInvite, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, OpenedSession,
    PasswordHash, SESSION_ABSOLUTE, SESSION_IDLE, Session,
};
pub use user::{MarketplaceRight, User, UserId, normalize_email};
