//! What is kept about a connection, a demo request and an audit event.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use relais_access::{ClientId, CompanyId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{Answer, ConnectionId, ConnectionState, WizardProgress};

/// A wizard answer as stored: secrets only sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum StoredAnswer {
    /// A non-secret answer.
    Plain(Answer),
    /// A secret, sealed with the operator's key (`v1:nonce:ciphertext`).
    Sealed(String),
}

impl StoredAnswer {
    /// The answer as the API shows it: secrets masked.
    #[must_use]
    pub fn public_value(&self) -> Value {
        match self {
            Self::Plain(answer) => answer.public_value(),
            Self::Sealed(_) => serde_json::json!({"secret": true, "set": true}),
        }
    }
}

/// One integration connected (or being connected) by one company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Id.
    pub id: ConnectionId,
    /// Whose.
    pub company_id: CompanyId,
    /// The catalog integration's slug.
    pub integration: String,
    /// Where it stands.
    pub state: ConnectionState,
    /// Since when.
    pub state_since: DateTime<Utc>,
    /// Which wizard steps are answered.
    pub progress: WizardProgress,
    /// The answers, by field key.
    pub answers: BTreeMap<String, StoredAnswer>,
    /// The API credential made for it, if it needs API access.
    pub credential: Option<ClientId>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// How many times it was saved. The store saves a change only while the
    /// stored revision is still this one (compare-and-set), so that of two
    /// requests changing the same connection at once exactly one wins.
    pub revision: u64,
}

/// A request for a demo of a catalog integration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemoRequest {
    /// Id.
    pub id: Uuid,
    /// The requesting company.
    pub company_id: CompanyId,
    /// The integration's slug.
    pub integration: String,
    /// Who asked (e-mail, or `operator`).
    pub requested_by: String,
    /// What they wrote.
    pub message: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// One entry of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Whose.
    pub company_id: CompanyId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: a user's e-mail, `operator`, `partner:<client id>` or `system`.
    pub actor: String,
    /// What kind of thing changed: `connection`, `credential`, `demo_request`, `integration_request`.
    pub subject_type: String,
    /// Which one.
    pub subject_id: String,
    /// What happened, e.g. `connection.deactivate`.
    pub action: String,
    /// Status before, where the subject has one.
    pub before: Option<String>,
    /// Status after.
    pub after: Option<String>,
    /// Why, where someone said.
    pub reason: Option<String>,
    /// More, never a secret value.
    pub details: Value,
}
