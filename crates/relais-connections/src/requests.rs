//! Requests for integrations missing from the catalog.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A request for an integration the catalog lacks. Requests with the same
/// name (ignoring case, accents and punctuation) are one request, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationRequest {
    /// The merged name, as first requested.
    pub name: String,
    /// The key requests are merged on.
    pub normalized_name: String,
    /// The tool's website, as first given.
    pub website: Option<String>,
    /// How many times it was requested.
    pub count: u64,
    /// Every use case given, oldest first.
    pub use_cases: Vec<String>,
    /// First request.
    pub first_requested_at: DateTime<Utc>,
    /// Latest request.
    pub last_requested_at: DateTime<Utc>,
}

/// The key requests are merged on: folded letters and digits only
/// ("Hibob", "HiBob!" and "hi bob" are one request).
#[must_use]
pub fn normalize_request_name(name: &str) -> String {
    relais_catalog::normalize(name)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_merge_ignoring_case_accents_and_punctuation() {
        assert_eq!(
            normalize_request_name("HiBob!"),
            normalize_request_name("hi bob")
        );
        assert_eq!(normalize_request_name("Équipe"), "equipe");
    }
}
