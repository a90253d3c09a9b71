//! The one set of limits on what a client sends: every free text has a
//! length limit, so that nothing unbounded reaches the database (the
//! audit trail, which cannot be changed afterwards, least of all).
//! docs/security.md lists them; every use case checks its fields against
//! these, and a refusal names the field.

/// Names: companies, users, credentials, tokens, reports, report authors,
/// integration requests, attributes.
pub const NAME: usize = 200;

/// Free text: reasons, messages, descriptions, use cases, comments, wizard
/// answers without a rule of their own, error details from remote systems.
pub const TEXT: usize = 2_000;

/// URLs.
pub const URL: usize = 2_048;

/// Items of a list inside one request field (a report's filters, an
/// entry's changed attributes).
pub const LIST: usize = 100;

/// A text longer than its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: at most {max} characters, got {got}")]
pub struct TooLong {
    /// The field, as the request names it (`reason`, `entries[3].message`).
    pub field: String,
    /// The limit.
    pub max: usize,
    /// The text's length.
    pub got: usize,
}

/// Succeeds when `text` has at most `max` characters.
///
/// # Errors
/// [`TooLong`] naming `field`.
pub fn check_length(field: impl Into<String>, text: &str, max: usize) -> Result<(), TooLong> {
    // Counting stops past the limit: a huge text costs no more than a long one.
    let got = text.chars().take(max + 1).count();
    if got > max {
        return Err(TooLong {
            field: field.into(),
            max,
            got: text.chars().count(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_at_the_limit_passes_and_one_more_character_is_refused() {
        assert!(check_length("reason", &"é".repeat(TEXT), TEXT).is_ok());
        let err = check_length("reason", &"é".repeat(TEXT + 1), TEXT).unwrap_err();
        assert_eq!(err.to_string(), "reason: at most 2000 characters, got 2001");
    }
}
