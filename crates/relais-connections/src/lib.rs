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
//!
//! Depends on `relais-access` and `relais-catalog`.
//!
//! # Example
//!
//! A connection's state is its history replayed; an event its state does not
//! allow is an error, not a silent change.
//!
//! ```rust
//! use relais_connections::{ConnectionEvent, ConnectionState, replay};
//!
//! # fn main() -> Result<(), relais_connections::TransitionError> {
//! let history = [
//!     ConnectionEvent::Start,
//!     ConnectionEvent::CompleteWizard { needs_partner_activation: false },
//! ];
//! let state = replay(&history)?;
//! assert_eq!(state, Some(ConnectionState::Connected));
//!
//! let refused = ConnectionState::transition(state.as_ref(), &ConnectionEvent::Start);
//! assert_eq!(
//!     refused.map_err(|e| e.to_string()),
//!     Err("a connected connection cannot be started again".to_owned()),
//! );
//! # Ok(())
//! # }
//! ```

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
