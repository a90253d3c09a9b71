//! The console's place when the `console` feature is off: its settings
//! exist (so that [`crate::ServerConfig`] is the same type), its routes do
//! not.

use axum::Router;

use crate::Shared;

/// Where the console would be.
pub(crate) const BASE: &str = "/console";

/// Settings of the console (unused without the `console` feature).
#[derive(Debug, Clone, Default)]
pub struct ConsoleConfig {
    /// Mark cookies `Secure` (when Relais is served over HTTPS, e.g. behind
    /// a TLS proxy).
    pub secure_cookies: bool,
}

/// Nothing to keep without a console.
#[derive(Debug)]
pub(crate) struct ConsoleState;

impl ConsoleState {
    pub(crate) fn new(_: &ConsoleConfig) -> Self {
        Self
    }
}

/// No routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
}

/// Always false: no console in this build.
pub(crate) const BUILT: bool = false;
