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
