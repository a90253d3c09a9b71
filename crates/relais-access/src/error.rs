use crate::MarketplaceRight;

/// Everything that can go wrong while deciding who someone is or what they may do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessError {
    /// A value typed by a person or a program does not have the expected form.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The name of the offending field, as the user typed it (`email`, `name`, …).
        field: &'static str,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// The presented token does not have the shape of a Relais token at all.
    #[error("malformed access token")]
    MalformedToken,
    /// The user's right on "Marketplace integrations & API" is too low.
    #[error(
        "this needs the right \"Marketplace integrations & API\" at level {needed}, but the user has {actual}"
    )]
    Forbidden {
        /// The level the action needs.
        needed: MarketplaceRight,
        /// The level the user holds.
        actual: MarketplaceRight,
    },
    /// The operating system's random source failed; no secret could be made.
    #[error("no randomness available to generate a secret: {0}")]
    Randomness(String),
}
