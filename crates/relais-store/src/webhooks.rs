//! What the store keeps of events and webhooks, and the questions it
//! answers.
//!
//! Events are written by the other writes (see [`relais_events::from_audit`]
//! and [`relais_events::from_finished_run`]), in their transactions, with one
//! delivery per enabled endpoint of the company that subscribed to the
//! event's type. Deliveries are then claimed, attempted and recorded here.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use relais_access::CompanyId;
use relais_events::EventKind;

use crate::{Paged, StoreError, Window};

/// A company's webhook endpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Id.
    pub id: uuid::Uuid,
    /// Whose.
    pub company_id: CompanyId,
    /// Where deliveries go.
    pub url: String,
    /// What it is for, in the admin's words.
    pub description: String,
    /// The event types it receives.
    pub events: BTreeSet<EventKind>,
    /// Whether deliveries are made to it.
    pub enabled: bool,
    /// The signing secret, sealed.
    pub secret: String,
    /// The secret before the last rotation, sealed; it signs beside the
    /// current one until `previous_secret_until`.
    pub previous_secret: Option<String>,
    /// When the previous secret stops signing.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Since when every attempt failed; `None` after a success.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why Relais disabled it, when it did.
    pub disabled_reason: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Incremented by every update (compare-and-set).
    pub revision: u64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// To be attempted (again).
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after the last retry.
    Failed,
}

impl DeliveryState {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The state of a stored name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One attempt to deliver, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The start of the endpoint's answer.
    pub response: Option<String>,
    /// Why it failed without an answer (time-out, refused address, …).
    pub error: Option<String>,
}

/// One event to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Id.
    pub id: uuid::Uuid,
    /// The endpoint.
    pub endpoint_id: uuid::Uuid,
    /// The event (`webhook-id` is derived from it).
    pub event_id: uuid::Uuid,
    /// The event's type.
    pub kind: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// When it is attempted next (pending ones).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// The last attempt.
    pub last_attempt: Option<DeliveryAttempt>,
}

/// A delivery claimed for an attempt.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The delivery.
    pub id: uuid::Uuid,
    /// Its endpoint (with the sealed secrets).
    pub endpoint: WebhookEndpoint,
    /// The event.
    pub event_id: uuid::Uuid,
    /// The body to send.
    pub body: String,
    /// Attempts including this one.
    pub attempt: u32,
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Delivered.
    Delivered,
    /// Failed; try again then.
    RetryAt(DateTime<Utc>),
    /// Failed for the last time.
    GiveUp,
}

/// Webhook endpoints and their deliveries.
pub trait WebhookStore {
    /// Stores a new endpoint, unless its company has `max` already (counted
    /// and inserted in one transaction, so concurrent inserts never pass
    /// the limit together).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] at the limit; [`StoreError`] when the
    /// database fails.
    fn insert_webhook_endpoint(
        &self,
        endpoint: &WebhookEndpoint,
        max: usize,
    ) -> Result<(), StoreError>;

    /// The company's endpoints, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn webhook_endpoints(&self, company: CompanyId) -> Result<Vec<WebhookEndpoint>, StoreError>;

    /// One endpoint of the company.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn webhook_endpoint(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Saves a changed endpoint if its stored revision is still
    /// `endpoint.revision` (and increments it).
    ///
    /// # Errors
    /// [`StoreError::Changed`] when it was changed (or deleted) meanwhile.
    fn update_webhook_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), StoreError>;

    /// Deletes an endpoint with its deliveries; false if there was none.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_webhook_endpoint(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<bool, StoreError>;

    /// Claims up to `limit` pending deliveries to enabled endpoints that are
    /// due at `now` and not claimed by someone else: each is leased until
    /// `lease_until` and counts one more attempt. Atomic across every
    /// process on the database: a delivery is claimed by one at a time.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError>;

    /// Records an attempt of a claimed delivery and what became of it, in
    /// one transaction with the endpoint's health: a success clears
    /// `failing_since`, a failure sets it if unset, and an endpoint failing
    /// for `disable_after` is disabled, with a `webhook_endpoint.disabled`
    /// event to the company's other endpoints.
    ///
    /// Only the claim that made the attempt moves the delivery on (compare
    /// and set on `claimed_attempt`, the [`DueDelivery::attempt`] it was
    /// claimed as, and on its lease): an attempt recorded after its lease
    /// ran out and the delivery was claimed again, or sent again by hand,
    /// is kept in the log but changes neither the delivery nor the
    /// endpoint's health.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn record_webhook_attempt(
        &self,
        delivery: uuid::Uuid,
        claimed_attempt: u32,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
        disable_after: std::time::Duration,
    ) -> Result<(), StoreError>;

    /// A page of an endpoint's deliveries, newest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn webhook_deliveries(
        &self,
        company: CompanyId,
        endpoint: uuid::Uuid,
        window: Window,
    ) -> Result<Paged<WebhookDelivery>, StoreError>;

    /// One delivery with every attempt, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn webhook_delivery(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<(WebhookDelivery, Vec<DeliveryAttempt>)>, StoreError>;

    /// Deletes what is older than `before`: deliveries no longer pending
    /// (with their attempts), alerts, and events no delivery waits for.
    /// Returns how many events went.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn purge_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Makes a delivery pending again, due at `now` (manual redelivery; the
    /// same event id is sent). False if the company has no such delivery,
    /// or it is being attempted right now (claimed, its lease running):
    /// redelivering it then would send it twice at once.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn redeliver_webhook(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// Alerts about one subject, claimed for one mail (the events oldest first).
#[derive(Debug, Clone)]
pub struct AlertBatch {
    /// Whose.
    pub company_id: CompanyId,
    /// `connection:<id>` or `webhook_endpoint:<id>`.
    pub subject: String,
    /// The events, with their ids.
    pub events: Vec<(uuid::Uuid, relais_events::AlertEvent)>,
}

/// E-mail alerts: the events to mail, digested per subject, and who opted out.
pub trait AlertStore {
    /// Claims, per subject, the alerts not yet mailed (of events since
    /// `oldest`), for subjects last mailed before `quiet_since` (or never),
    /// leasing them until `lease_until`. Atomic across processes.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn claim_alerts(
        &self,
        now: DateTime<Utc>,
        quiet_since: DateTime<Utc>,
        oldest: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<AlertBatch>, StoreError>;

    /// Records claimed alerts as mailed at `mailed_at`, or (`None`) as not
    /// sent, to be claimed again from `retry_at`.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn finish_alerts(
        &self,
        events: &[uuid::Uuid],
        mailed_at: Option<DateTime<Utc>>,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The company's users who turned e-mail alerts off.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn alert_opt_outs(
        &self,
        company: CompanyId,
    ) -> Result<BTreeSet<relais_access::UserId>, StoreError>;

    /// Turns a user's e-mail alerts off (`true`) or on.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn set_alert_opt_out(
        &self,
        company: CompanyId,
        user: relais_access::UserId,
        opted_out: bool,
    ) -> Result<(), StoreError>;
}
