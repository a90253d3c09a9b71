//! Connecting integrations from the Marketplace.
//!
//! This crate owns the connection state machine (Pending / Connected /
//! Inactive, and Disconnected once removed), the run of a setup wizard
//! (validating each step's answers against the catalog's definition), demo
//! and integration requests, and the shape of audit events.
//!
//! Pure: it stores nothing, encrypts nothing and talks to no one. Which
//! answers are secrets is decided here; encrypting them is the app's job,
//! keeping them the store's.

#![warn(missing_docs)]

mod record;
mod requests;
mod state;
mod wizard;

pub use record::{AuditEvent, Connection, DemoRequest, StoredAnswer};
pub use requests::{IntegrationRequest, normalize_request_name};
pub use state::{
    ConnectionEvent, ConnectionId, ConnectionState, InactiveReason, PendingReason, TransitionError,
    replay,
};
pub use wizard::{Answer, FieldError, WizardError, WizardProgress, validate_step};
