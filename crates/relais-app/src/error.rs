use relais_catalog::{CatalogError, PageError};
use relais_store::StoreError;

/// What went wrong, in categories both binaries map to their own terms
/// (an HTTP status, an exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input breaks a rule; the message says which.
    Invalid,
    /// The thing asked for does not exist (in the caller's company).
    NotFound,
    /// It exists already.
    Conflict,
    /// No valid credentials.
    Unauthenticated,
    /// Valid credentials, insufficient rights.
    Forbidden,
    /// Relais is not set up for this (e.g. no `RELAIS_SECRET_KEY`, or
    /// another one than the database's secrets are sealed with): the
    /// operator's to fix, not the caller's.
    NotConfigured,
    /// Relais itself failed (database, randomness); not the caller's fault.
    Internal,
}

impl ErrorKind {
    /// A stable snake-case code for machine consumers.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Invalid => "invalid_input",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotConfigured => "not_configured",
            Self::Internal => "internal",
        }
    }
}

/// An error of a use case: a kind and a message meant for the person who
/// caused it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    kind: ErrorKind,
    message: String,
    fields: Vec<FieldProblem>,
}

/// One input field's problem, for forms that show it beside the field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldProblem {
    /// The field's key, as the request named it.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl AppError {
    /// An error of `kind` with `message`.
    #[must_use]
    pub fn new(kind: ErrorKind, message: String) -> Self {
        Self {
            kind,
            message,
            fields: Vec::new(),
        }
    }

    /// The same error, naming the fields it is about.
    #[must_use]
    pub fn with_fields(mut self, fields: Vec<FieldProblem>) -> Self {
        self.fields = fields;
        self
    }

    /// The fields the error is about, each with its problem (empty when
    /// the error is not about input fields).
    #[must_use]
    pub fn fields(&self) -> &[FieldProblem] {
        &self.fields
    }

    pub(crate) fn not_found(what: String) -> Self {
        Self::new(ErrorKind::NotFound, format!("no {what}"))
    }

    pub(crate) fn invalid(message: String) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub(crate) fn unauthenticated(message: String) -> Self {
        Self::new(ErrorKind::Unauthenticated, message)
    }

    pub(crate) fn not_configured(message: String) -> Self {
        Self::new(ErrorKind::NotConfigured, message)
    }

    /// The category.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        let kind = match error {
            StoreError::Conflict(_) | StoreError::Changed(_) | StoreError::Refused(_) => {
                ErrorKind::Conflict
            }
            StoreError::Overlaps(_) | StoreError::Unstorable(_) => ErrorKind::Invalid,
            StoreError::Open { .. } | StoreError::Corrupt { .. } | StoreError::Backend(_) => {
                ErrorKind::Internal
            }
        };
        Self::new(kind, error.to_string())
    }
}

impl From<relais_access::limits::TooLong> for AppError {
    fn from(error: relais_access::limits::TooLong) -> Self {
        Self::new(ErrorKind::Invalid, error.to_string())
    }
}

impl From<CatalogError> for AppError {
    fn from(error: CatalogError) -> Self {
        Self::new(ErrorKind::Invalid, error.to_string())
    }
}

impl From<PageError> for AppError {
    fn from(error: PageError) -> Self {
        Self::new(ErrorKind::Invalid, error.to_string())
    }
}
