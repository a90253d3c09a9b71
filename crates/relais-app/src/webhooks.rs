//! Webhook endpoints: managed by the company's admins, sent every event they
//! subscribed to as a signed Standard Webhooks delivery, retried for about
//! a day, disabled when they fail for days.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use relais_access::{Company, limits};
use relais_events::{EventKind, SigningSecret};
use relais_store::{
    AttemptOutcome, DeliveryAttempt, DueDelivery, WebhookDelivery, WebhookEndpoint,
};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, ErrorKind};

/// Most endpoints a company may have.
pub const MAX_ENDPOINTS: usize = 20;

/// Most bytes of an endpoint's answer read (the delivery log keeps an
/// excerpt of it); a longer answer is cut off.
const ANSWER_LIMIT: usize = 16 * 1024;

/// Deliveries claimed per round, all attempted at once: every claimed
/// delivery is attempted within its lease (one request's time-out, well
/// under the lease), so no other replica claims it meanwhile.
const BATCH: u32 = 8;

/// How long a claimed delivery is this process's: longer than an attempt
/// can take (the request's time-out), so that no other replica sends it
/// meanwhile; a process that dies with it frees it after this.
const LEASE: Duration = Duration::from_secs(60);

/// How long an attempt waits for the endpoint.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// What an endpoint is made of (create), or what changes (update: `None`
/// leaves a field as it is).
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    /// Where deliveries go: `https://…` (or `http://`).
    pub url: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// The event types it receives (wire names); at least one.
    pub events: Option<Vec<String>>,
    /// Whether deliveries are made; re-enabling clears the failure record.
    pub enabled: Option<bool>,
}

/// An endpoint as the API and the CLI show it: never its secret.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookView {
    /// Id.
    pub id: uuid::Uuid,
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why Relais disabled it, when it did.
    pub disabled_reason: Option<String>,
    /// Since when every attempt failed; absent while it answers.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<&WebhookEndpoint> for WebhookView {
    fn from(e: &WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.iter().map(|k| k.name().to_owned()).collect(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since,
            previous_secret_until: e.previous_secret_until.filter(|until| *until > Utc::now()),
            created_at: e.created_at,
        }
    }
}

/// An endpoint with its signing secret, shown once: at creation and after
/// a rotation.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookWithSecret {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: WebhookView,
    /// The signing secret (`whsec_…`): the receiver verifies
    /// `webhook-signature` with it. Not shown again.
    pub secret: String,
}

/// One attempt, as the delivery log shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptView {
    /// When.
    pub at: DateTime<Utc>,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The start of the endpoint's answer (at most 1,000 characters).
    pub response: Option<String>,
    /// Why it failed without an answer.
    pub error: Option<String>,
}

impl From<&DeliveryAttempt> for AttemptView {
    fn from(a: &DeliveryAttempt) -> Self {
        Self {
            at: a.at,
            status_code: a.status_code,
            duration_ms: a.duration_ms,
            response: a.response.clone(),
            error: a.error.clone(),
        }
    }
}

/// One event to one endpoint.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    /// Id.
    pub id: uuid::Uuid,
    /// The endpoint.
    pub endpoint_id: uuid::Uuid,
    /// The `webhook-id` it is sent with, the same on every attempt.
    pub message_id: String,
    /// The event's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub state: String,
    /// Attempts made.
    pub attempts: u32,
    /// When it is attempted next (pending ones).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// The last attempt.
    pub last_attempt: Option<AttemptView>,
    /// Every attempt, oldest first (one delivery's page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_log: Option<Vec<AttemptView>>,
}

impl From<&WebhookDelivery> for DeliveryView {
    fn from(d: &WebhookDelivery) -> Self {
        Self {
            id: d.id,
            endpoint_id: d.endpoint_id,
            message_id: relais_events::message_id(d.event_id),
            kind: d.kind.clone(),
            state: d.state.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            last_attempt: d.last_attempt.as_ref().map(AttemptView::from),
            attempt_log: None,
        }
    }
}

/// A page of deliveries.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryPage {
    /// This page, newest first.
    pub deliveries: Vec<DeliveryView>,
    /// How many in all.
    pub total: u64,
}

fn new_secret() -> Result<SigningSecret, AppError> {
    let mut bytes = [0u8; SigningSecret::LEN];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::new(
            ErrorKind::Internal,
            format!("no randomness for a secret: {e}"),
        )
    })?;
    Ok(SigningSecret::from_bytes(bytes))
}

fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    // Without randomness the wait is the schedule's own: still correct.
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX)
}

fn event_kinds(names: &[String]) -> Result<BTreeSet<EventKind>, AppError> {
    if names.is_empty() {
        return Err(AppError::invalid(format!(
            "events: name at least one event type: {}",
            EventKind::names().join(", ")
        )));
    }
    if names.len() > limits::LIST {
        return Err(AppError::invalid(format!(
            "events: at most {} items",
            limits::LIST
        )));
    }
    names
        .iter()
        .map(|n| EventKind::parse(n).map_err(|e| AppError::invalid(format!("events: {e}"))))
        .collect()
}

impl App {
    /// A new signing secret, and its sealed form to store.
    fn new_sealed_secret(&self) -> Result<(SigningSecret, String), AppError> {
        let secret = new_secret()?;
        let sealed = self
            .sealing_key()?
            .seal(&secret.to_text())
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        Ok((secret, sealed))
    }

    /// Checks a webhook URL: http(s), no user info or fragment, not longer
    /// than a URL may be, and a host Relais may call (no loopback, private
    /// or link-local address unless the operator allows it). A query is
    /// allowed (receivers put tokens there); names are checked again at
    /// every delivery, when they are resolved.
    fn check_webhook_url(&self, url: &str) -> Result<String, AppError> {
        limits::check_length("url", url, limits::URL)?;
        let url = url.trim();
        let mut without_query = url::Url::parse(url)
            .map_err(|e| AppError::invalid(format!("url: '{url}' is not a URL: {e}")))?;
        without_query.set_query(None);
        self.egress
            .check_url(without_query.as_str())
            .map_err(|e| AppError::invalid(format!("url: {e}")))?;
        Ok(url.to_owned())
    }

    fn webhook_audit(
        company: &Company,
        by: Caller<'_>,
        endpoint: &WebhookEndpoint,
        action: &str,
    ) -> relais_connections::AuditEvent {
        relais_connections::AuditEvent {
            company_id: company.id,
            at: Utc::now(),
            actor: by.name(),
            subject_type: "webhook_endpoint".into(),
            subject_id: endpoint.id.to_string(),
            action: action.to_owned(),
            before: None,
            after: Some(
                if endpoint.enabled {
                    "enabled"
                } else {
                    "disabled"
                }
                .into(),
            ),
            reason: None,
            details: json!({
                "url": endpoint.url,
                "events": endpoint.events.iter().map(|k| k.name()).collect::<Vec<_>>(),
            }),
        }
    }

    /// Adds a webhook endpoint; its signing secret is in the answer only.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a bad URL, description or event type, or
    /// a refused address; [`ErrorKind::Conflict`] past [`MAX_ENDPOINTS`];
    /// [`ErrorKind::NotConfigured`] without `RELAIS_SECRET_KEY`.
    pub fn create_webhook(
        &self,
        by: Caller<'_>,
        company: &Company,
        input: WebhookInput,
    ) -> Result<WebhookWithSecret, AppError> {
        by.may_configure(company)?;
        let url = self.check_webhook_url(
            input
                .url
                .as_deref()
                .ok_or_else(|| AppError::invalid("url: required".into()))?,
        )?;
        let description = input.description.unwrap_or_default();
        limits::check_length("description", &description, limits::TEXT)?;
        let events = event_kinds(&input.events.unwrap_or_default())?;
        let (secret, sealed) = self.new_sealed_secret()?;
        let endpoint = WebhookEndpoint {
            id: uuid::Uuid::now_v7(),
            company_id: company.id,
            url,
            description: description.trim().to_owned(),
            events,
            enabled: input.enabled.unwrap_or(true),
            secret: sealed,
            previous_secret: None,
            previous_secret_until: None,
            failing_since: None,
            disabled_reason: None,
            created_at: Utc::now(),
            revision: 0,
        };
        self.store
            .insert_webhook_endpoint(&endpoint, MAX_ENDPOINTS)
            .map_err(|e| match e {
                relais_store::StoreError::Conflict(_) => AppError::new(
                    ErrorKind::Conflict,
                    format!(
                        "a company has at most {MAX_ENDPOINTS} webhook endpoints; remove one first"
                    ),
                ),
                other => other.into(),
            })?;
        self.store.append_audit(&[Self::webhook_audit(
            company,
            by,
            &endpoint,
            "webhook.create",
        )])?;
        tracing::info!(company = %company.slug, endpoint = %endpoint.id, "webhook endpoint added");
        Ok(WebhookWithSecret {
            endpoint: WebhookView::from(&endpoint),
            secret: secret.to_text(),
        })
    }

    /// The company's webhook endpoints, oldest first.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] without the *edit* right.
    pub fn webhooks(
        &self,
        by: Caller<'_>,
        company: &Company,
    ) -> Result<Vec<WebhookView>, AppError> {
        by.may_configure(company)?;
        Ok(self
            .store
            .webhook_endpoints(company.id)?
            .iter()
            .map(WebhookView::from)
            .collect())
    }

    fn load_webhook(&self, company: &Company, id: &str) -> Result<WebhookEndpoint, AppError> {
        let missing = || AppError::not_found(format!("webhook endpoint {id}"));
        let id = uuid::Uuid::parse_str(id).map_err(|_| missing())?;
        self.store
            .webhook_endpoint(company.id, id)?
            .ok_or_else(missing)
    }

    /// One endpoint.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id.
    pub fn webhook(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<WebhookView, AppError> {
        by.may_configure(company)?;
        Ok(WebhookView::from(&self.load_webhook(company, id)?))
    }

    /// Changes an endpoint's URL, description, event types or whether it is
    /// enabled. Enabling a disabled endpoint clears its failure record; its
    /// pending deliveries resume.
    ///
    /// # Errors
    /// As [`App::create_webhook`]; [`ErrorKind::Conflict`] when it was
    /// changed meanwhile.
    pub fn update_webhook(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
        change: WebhookInput,
    ) -> Result<WebhookView, AppError> {
        by.may_configure(company)?;
        let mut endpoint = self.load_webhook(company, id)?;
        if let Some(url) = change.url {
            endpoint.url = self.check_webhook_url(&url)?;
        }
        if let Some(description) = change.description {
            limits::check_length("description", &description, limits::TEXT)?;
            description.trim().clone_into(&mut endpoint.description);
        }
        if let Some(events) = change.events {
            endpoint.events = event_kinds(&events)?;
        }
        if let Some(enabled) = change.enabled {
            if enabled && !endpoint.enabled {
                endpoint.failing_since = None;
                endpoint.disabled_reason = None;
            }
            endpoint.enabled = enabled;
        }
        self.save_webhook(company, by, &mut endpoint, "webhook.update")?;
        Ok(WebhookView::from(&endpoint))
    }

    fn save_webhook(
        &self,
        company: &Company,
        by: Caller<'_>,
        endpoint: &mut WebhookEndpoint,
        action: &str,
    ) -> Result<(), AppError> {
        self.store
            .update_webhook_endpoint(endpoint)
            .map_err(|e| match e {
                relais_store::StoreError::Changed(m) => AppError::new(ErrorKind::Conflict, m),
                other => other.into(),
            })?;
        endpoint.revision += 1;
        self.store
            .append_audit(&[Self::webhook_audit(company, by, endpoint, action)])?;
        Ok(())
    }

    /// Gives an endpoint a new signing secret, returned this once. The old
    /// one keeps signing beside it for a day
    /// ([`relais_events::ROTATION_OVERLAP`]), so the receiver can switch
    /// without losing a delivery.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id; [`ErrorKind::Conflict`]
    /// when it was changed meanwhile.
    pub fn rotate_webhook_secret(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<WebhookWithSecret, AppError> {
        by.may_configure(company)?;
        let mut endpoint = self.load_webhook(company, id)?;
        let (secret, sealed) = self.new_sealed_secret()?;
        endpoint.previous_secret = Some(std::mem::replace(&mut endpoint.secret, sealed));
        endpoint.previous_secret_until = Some(
            Utc::now()
                + chrono::Duration::from_std(relais_events::ROTATION_OVERLAP)
                    .unwrap_or_else(|_| chrono::Duration::days(1)),
        );
        self.save_webhook(company, by, &mut endpoint, "webhook.rotate_secret")?;
        Ok(WebhookWithSecret {
            endpoint: WebhookView::from(&endpoint),
            secret: secret.to_text(),
        })
    }

    /// Removes an endpoint with its delivery log.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id.
    pub fn delete_webhook(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<(), AppError> {
        by.may_configure(company)?;
        let endpoint = self.load_webhook(company, id)?;
        if !self
            .store
            .delete_webhook_endpoint(company.id, endpoint.id)?
        {
            return Err(AppError::not_found(format!("webhook endpoint {id}")));
        }
        self.store.append_audit(&[Self::webhook_audit(
            company,
            by,
            &endpoint,
            "webhook.delete",
        )])?;
        Ok(())
    }

    /// A page of an endpoint's deliveries, newest first.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown endpoint; [`ErrorKind::Invalid`]
    /// for a page out of range.
    pub fn webhook_deliveries(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
        page: u64,
        per_page: u64,
    ) -> Result<DeliveryPage, AppError> {
        by.may_configure(company)?;
        let endpoint = self.load_webhook(company, id)?;
        if !(1..=200).contains(&per_page) {
            return Err(AppError::invalid("per_page: 1 to 200".into()));
        }
        let window = relais_store::Window::page(page, per_page)
            .ok_or_else(|| AppError::invalid("page: from 1".into()))?;
        let page = self
            .store
            .webhook_deliveries(company.id, endpoint.id, window)?;
        Ok(DeliveryPage {
            deliveries: page.rows.iter().map(DeliveryView::from).collect(),
            total: page.total,
        })
    }

    /// One delivery with every attempt.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown delivery.
    pub fn webhook_delivery(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<DeliveryView, AppError> {
        by.may_configure(company)?;
        let missing = || AppError::not_found(format!("webhook delivery {id}"));
        let uuid = uuid::Uuid::parse_str(id).map_err(|_| missing())?;
        let (delivery, attempts) = self
            .store
            .webhook_delivery(company.id, uuid)?
            .ok_or_else(missing)?;
        let mut view = DeliveryView::from(&delivery);
        view.attempt_log = Some(attempts.iter().map(AttemptView::from).collect());
        Ok(view)
    }

    /// Sends a delivery again now, with the same `webhook-id` (whatever
    /// became of it before).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown delivery.
    pub fn redeliver_webhook(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<DeliveryView, AppError> {
        by.may_configure(company)?;
        let missing = || AppError::not_found(format!("webhook delivery {id}"));
        let uuid = uuid::Uuid::parse_str(id).map_err(|_| missing())?;
        let (delivery, _) = self
            .store
            .webhook_delivery(company.id, uuid)?
            .ok_or_else(missing)?;
        let endpoint = self
            .store
            .webhook_endpoint(company.id, delivery.endpoint_id)?
            .ok_or_else(missing)?;
        if !endpoint.enabled {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "its endpoint is disabled: enable it first, and its pending deliveries resume"
                    .into(),
            ));
        }
        if !self.store.redeliver_webhook(company.id, uuid, Utc::now())? {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "the delivery is being attempted right now; redeliver it once the attempt is recorded".into(),
            ));
        }
        self.webhook_delivery(by, company, id)
    }

    /// How long an endpoint may fail every delivery before it is disabled.
    #[must_use]
    pub fn with_webhook_disable_after(mut self, after: Duration) -> Self {
        self.webhook_disable_after = after;
        self
    }

    /// Claims the deliveries that are due and attempts them (a few at a
    /// time); returns how many were attempted. Run by the server's
    /// delivery loop; safe to run in several processes at once.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub async fn deliver_due_webhooks(
        self: &std::sync::Arc<Self>,
        client: &relais_egress::GuardedClient,
    ) -> Result<usize, AppError> {
        use futures_util::StreamExt as _;
        let app = std::sync::Arc::clone(self);
        let due = crate::spawn_blocking(move || {
            let now = Utc::now();
            let lease =
                chrono::Duration::from_std(LEASE).unwrap_or_else(|_| chrono::Duration::minutes(1));
            app.store.claim_webhook_deliveries(now, now + lease, BATCH)
        })
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))??;
        let count = due.len();
        futures_util::stream::iter(due)
            .for_each_concurrent(BATCH as usize, |delivery| async move {
                let (attempt, outcome) = self.attempt_delivery(client, &delivery).await;
                let app = std::sync::Arc::clone(self);
                let after = self.webhook_disable_after;
                let recorded = crate::spawn_blocking(move || {
                    app.store
                        .record_webhook_attempt(delivery.id, delivery.attempt, &attempt, outcome, after)
                })
                .await;
                match recorded {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "a webhook attempt could not be recorded; it is retried when its lease ends"),
                    Err(e) => tracing::error!(error = %e, "a webhook attempt could not be recorded"),
                }
            })
            .await;
        Ok(count)
    }

    /// One attempt of one delivery, and what becomes of the delivery.
    async fn attempt_delivery(
        &self,
        client: &relais_egress::GuardedClient,
        delivery: &DueDelivery,
    ) -> (DeliveryAttempt, AttemptOutcome) {
        let started = std::time::Instant::now();
        let at = Utc::now();
        let result = self.send_delivery(client, delivery, at).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status_code, response, error) = match result {
            Ok((status, body)) => (Some(status), Some(body), None),
            Err(e) => (None, None, Some(e)),
        };
        let delivered = status_code.is_some_and(|s| (200..300).contains(&s));
        let outcome = if delivered {
            AttemptOutcome::Delivered
        } else {
            match relais_events::retry_delay(delivery.attempt, jitter())
                .and_then(|d| chrono::Duration::from_std(d).ok())
            {
                Some(wait) => AttemptOutcome::RetryAt(Utc::now() + wait),
                None => AttemptOutcome::GiveUp,
            }
        };
        if !delivered {
            tracing::info!(delivery = %delivery.id, endpoint = %delivery.endpoint.id, attempt = delivery.attempt, status = ?status_code, error = ?error, "webhook delivery failed");
        }
        (
            DeliveryAttempt {
                at,
                status_code,
                duration_ms,
                response,
                error,
            },
            outcome,
        )
    }

    /// Signs and sends a delivery; the endpoint's status and the start of
    /// its answer, or why there is none.
    async fn send_delivery(
        &self,
        client: &relais_egress::GuardedClient,
        delivery: &DueDelivery,
        at: DateTime<Utc>,
    ) -> Result<(u16, String), String> {
        let key = self.secret_key.as_ref().ok_or(
            "RELAIS_SECRET_KEY is not set: this Relais cannot open the endpoint's signing secret",
        )?;
        let open = |sealed: &str| {
            key.open(sealed)
                .map_err(|e| format!("the signing secret cannot be opened: {e}"))
                .and_then(|text| SigningSecret::parse(&text).map_err(|e| e.to_string()))
        };
        let mut secrets = vec![open(&delivery.endpoint.secret)?];
        if let (Some(previous), Some(until)) = (
            &delivery.endpoint.previous_secret,
            delivery.endpoint.previous_secret_until,
        ) && until > at
        {
            secrets.push(open(previous)?);
        }
        let id = relais_events::message_id(delivery.event_id);
        let timestamp = at.timestamp();
        let signature = relais_events::signature_header(
            &secrets.iter().collect::<Vec<_>>(),
            &id,
            timestamp,
            delivery.body.as_bytes(),
        );
        let request = client
            .request(reqwest::Method::POST, &delivery.endpoint.url)
            .map_err(|e| e.to_string())?
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("Relais-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.body.clone());
        let response = client.send(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = match relais_egress::read_body(response, ANSWER_LIMIT).await {
            Ok(bytes) => relais_events::excerpt(&bytes),
            Err(e) => format!("({e})"),
        };
        Ok((status, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CredentialInput, NewCompany};

    const KEY: &str = "5f1d0e3b9a7c4b2e8d6f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b1d3f5a7c9e0b";

    fn app(policy: relais_egress::EgressPolicy) -> (tempfile::TempDir, App, NewCompany) {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(relais_store::testing::database_in(dir.path()))
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
            .with_egress_policy(policy);
        let company = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        (dir, app, company)
    }

    fn local() -> relais_egress::EgressPolicy {
        relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()
    }

    fn input(url: &str, events: &[&str]) -> WebhookInput {
        WebhookInput {
            url: Some(url.into()),
            description: Some("tests".into()),
            events: Some(events.iter().map(|e| (*e).to_owned()).collect()),
            enabled: None,
        }
    }

    fn credential(app: &App, company: &Company, name: &str) {
        app.create_credential(
            Caller::Operator,
            company,
            CredentialInput {
                name: name.into(),
                ..CredentialInput::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn private_and_malformed_targets_are_refused_unless_the_operator_allows_them() {
        let (_dir, app, acme) = app(relais_egress::EgressPolicy::public_only());
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://10.1.2.3/hook",
            "http://192.168.0.10/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://0x7f000001/hook",
            "ftp://hooks.example.com/",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#x",
            "not a url",
        ] {
            let err = app
                .create_webhook(
                    Caller::Operator,
                    &acme.company,
                    input(url, &["sync_run.finished"]),
                )
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid, "{url}: {err}");
            assert!(err.to_string().starts_with("url: "), "{err}");
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(limits::URL));
        assert_eq!(
            app.create_webhook(
                Caller::Operator,
                &acme.company,
                input(&long, &["sync_run.finished"])
            )
            .unwrap_err()
            .kind(),
            ErrorKind::Invalid
        );
        for events in [&[][..], &["sync_run.exploded"][..]] {
            let err = app
                .create_webhook(
                    Caller::Operator,
                    &acme.company,
                    input("https://hooks.example.com/x?token=1", events),
                )
                .unwrap_err();
            assert!(err.to_string().starts_with("events: "), "{err}");
        }
        let created = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input(
                    "https://hooks.example.com/x?token=1",
                    &["sync_run.finished"],
                ),
            )
            .unwrap();
        assert!(created.secret.starts_with("whsec_"));
        let (_dir, allowed, acme) = self::app(local());
        allowed
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/hook", &["credential.created"]),
            )
            .unwrap();
    }

    #[test]
    fn an_event_is_stored_with_one_delivery_per_subscribed_endpoint_in_the_changes_transaction() {
        let (_dir, app, acme) = app(local());
        let all = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/a", &EventKind::names()),
            )
            .unwrap();
        let runs_only = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/b", &["sync_run.finished"]),
            )
            .unwrap();
        let (_other_dir, other_app, _) = app_in_other_company(&app);
        credential(&app, &acme.company, "Payroll");
        let page = |id: &str| {
            app.webhook_deliveries(Caller::Operator, &acme.company, id, 1, 50)
                .unwrap()
        };
        let to_all = page(&all.endpoint.id.to_string());
        assert_eq!(to_all.total, 1);
        assert_eq!(to_all.deliveries[0].kind, "credential.created");
        assert_eq!(to_all.deliveries[0].state, "pending");
        assert!(to_all.deliveries[0].message_id.starts_with("evt_"));
        assert_eq!(page(&runs_only.endpoint.id.to_string()).total, 0);
        drop(other_app);
        // A disabled endpoint gets no new deliveries.
        app.update_webhook(
            Caller::Operator,
            &acme.company,
            &all.endpoint.id.to_string(),
            WebhookInput {
                enabled: Some(false),
                ..WebhookInput::default()
            },
        )
        .unwrap();
        credential(&app, &acme.company, "Payroll 2");
        assert_eq!(page(&all.endpoint.id.to_string()).total, 1);
    }

    fn app_in_other_company(app: &App) -> (tempfile::TempDir, App, NewCompany) {
        let other = app
            .create_company("Globex", "gia@globex.example", "Gia")
            .unwrap();
        // Another company's change never reaches this company's endpoints.
        credential(app, &other.company, "Theirs");
        let (dir, unrelated, company) = self::app(local());
        (dir, unrelated, company)
    }

    #[test]
    fn concurrent_claims_take_each_due_delivery_once() {
        let (_dir, app, acme) = app(local());
        app.create_webhook(
            Caller::Operator,
            &acme.company,
            input("http://127.0.0.1:9/a", &["credential.created"]),
        )
        .unwrap();
        for i in 0..40 {
            credential(&app, &acme.company, &format!("Credential {i}"));
        }
        let app = std::sync::Arc::new(app);
        let later = Utc::now() + chrono::Duration::seconds(1);
        let claimed: Vec<uuid::Uuid> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..8)
                .map(|_| {
                    let app = std::sync::Arc::clone(&app);
                    s.spawn(move || {
                        let mut mine = Vec::new();
                        loop {
                            let batch = app
                                .store
                                .claim_webhook_deliveries(
                                    later,
                                    later + chrono::Duration::minutes(1),
                                    3,
                                )
                                .unwrap();
                            if batch.is_empty() {
                                return mine;
                            }
                            mine.extend(batch.iter().map(|d| d.id));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let distinct: BTreeSet<_> = claimed.iter().collect();
        assert_eq!(claimed.len(), 40, "every delivery claimed");
        assert_eq!(distinct.len(), 40, "none claimed twice");
        // A claimed delivery is not claimed again before its lease ends, and is after.
        assert!(
            app.store
                .claim_webhook_deliveries(later, later, 100)
                .unwrap()
                .is_empty()
        );
        let after_lease = later + chrono::Duration::minutes(2);
        assert_eq!(
            app.store
                .claim_webhook_deliveries(after_lease, after_lease, 100)
                .unwrap()
                .len(),
            40
        );
    }

    #[test]
    fn an_endpoint_failing_past_the_limit_is_disabled_and_the_company_is_told() {
        let (_dir, app, acme) = app(local());
        let app = app.with_webhook_disable_after(Duration::from_secs(3600));
        let failing = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/a", &["credential.created"]),
            )
            .unwrap();
        let watcher = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/b", &["webhook_endpoint.disabled"]),
            )
            .unwrap();
        credential(&app, &acme.company, "Payroll");
        let t0 = Utc::now() + chrono::Duration::seconds(1);
        let attempt = |at: DateTime<Utc>, outcome| {
            let due = app
                .store
                .claim_webhook_deliveries(at, at + chrono::Duration::minutes(1), 10)
                .unwrap();
            assert_eq!(due.len(), 1);
            app.store
                .record_webhook_attempt(
                    due[0].id,
                    due[0].attempt,
                    &DeliveryAttempt {
                        at,
                        status_code: Some(503),
                        duration_ms: 4,
                        response: Some("down".into()),
                        error: None,
                    },
                    outcome,
                    app.webhook_disable_after,
                )
                .unwrap();
        };
        attempt(
            t0,
            AttemptOutcome::RetryAt(t0 + chrono::Duration::minutes(30)),
        );
        let view = app
            .webhook(
                Caller::Operator,
                &acme.company,
                &failing.endpoint.id.to_string(),
            )
            .unwrap();
        assert!(view.enabled);
        assert!(view.failing_since.is_some());
        let t1 = t0 + chrono::Duration::minutes(61);
        attempt(t1, AttemptOutcome::RetryAt(t1 + chrono::Duration::hours(2)));
        let view = app
            .webhook(
                Caller::Operator,
                &acme.company,
                &failing.endpoint.id.to_string(),
            )
            .unwrap();
        assert!(!view.enabled, "disabled after failing for an hour");
        assert!(
            view.disabled_reason
                .unwrap()
                .starts_with("every delivery failed since")
        );
        let told = app
            .webhook_deliveries(
                Caller::Operator,
                &acme.company,
                &watcher.endpoint.id.to_string(),
                1,
                10,
            )
            .unwrap();
        assert_eq!(told.deliveries[0].kind, "webhook_endpoint.disabled");
        // Its pending delivery waits; re-enabling clears the record and resumes it.
        let t2 = t1 + chrono::Duration::hours(3);
        assert!(
            app.store
                .claim_webhook_deliveries(t2, t2, 10)
                .unwrap()
                .iter()
                .all(|d| d.endpoint.id != failing.endpoint.id)
        );
        let view = app
            .update_webhook(
                Caller::Operator,
                &acme.company,
                &failing.endpoint.id.to_string(),
                WebhookInput {
                    enabled: Some(true),
                    ..WebhookInput::default()
                },
            )
            .unwrap();
        assert!(view.enabled && view.failing_since.is_none() && view.disabled_reason.is_none());
        let t3 = t2 + chrono::Duration::minutes(5);
        assert!(
            app.store
                .claim_webhook_deliveries(t3, t3, 10)
                .unwrap()
                .iter()
                .any(|d| d.endpoint.id == failing.endpoint.id)
        );
    }

    #[test]
    fn rotation_keeps_the_old_secret_signing_for_a_day_and_nothing_shows_a_secret_again() {
        let (_dir, app, acme) = app(local());
        let created = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/a", &["credential.created"]),
            )
            .unwrap();
        let id = created.endpoint.id.to_string();
        let rotated = app
            .rotate_webhook_secret(Caller::Operator, &acme.company, &id)
            .unwrap();
        assert_ne!(rotated.secret, created.secret);
        let until = rotated.endpoint.previous_secret_until.unwrap();
        assert!(until > Utc::now() + chrono::Duration::hours(23));
        let listed =
            serde_json::to_string(&app.webhooks(Caller::Operator, &acme.company).unwrap()).unwrap();
        for secret in [&created.secret, &rotated.secret] {
            assert!(!listed.contains(&secret[6..]));
        }
        let stored = app
            .store
            .webhook_endpoint(acme.company.id, created.endpoint.id)
            .unwrap()
            .unwrap();
        assert!(
            !stored.secret.contains(&rotated.secret[6..]),
            "sealed at rest"
        );
    }

    #[test]
    fn an_attempt_recorded_after_its_lease_ran_out_does_not_move_the_delivery_on() {
        let (_dir, app, acme) = app(local());
        let created = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/a", &["credential.created"]),
            )
            .unwrap();
        credential(&app, &acme.company, "Payroll");
        let minute = chrono::Duration::minutes(1);
        let t0 = Utc::now() + chrono::Duration::seconds(1);
        let first = app
            .store
            .claim_webhook_deliveries(t0, t0 + minute, 10)
            .unwrap();
        // The first claim's lease runs out; another worker claims it again.
        let t1 = t0 + minute * 2;
        let second = app
            .store
            .claim_webhook_deliveries(t1, t1 + minute, 10)
            .unwrap();
        assert_eq!((first[0].attempt, second[0].attempt), (1, 2));
        let record = |claimed: u32, at: DateTime<Utc>, outcome| {
            app.store
                .record_webhook_attempt(
                    first[0].id,
                    claimed,
                    &DeliveryAttempt {
                        at,
                        status_code: Some(204),
                        duration_ms: 3,
                        response: None,
                        error: None,
                    },
                    outcome,
                    app.webhook_disable_after,
                )
                .unwrap();
        };
        let state = || {
            app.webhook_deliveries(
                Caller::Operator,
                &acme.company,
                &created.endpoint.id.to_string(),
                1,
                10,
            )
            .unwrap()
            .deliveries
            .remove(0)
        };
        // The slow first worker gives up: logged, but the second claim stands.
        record(1, t1, AttemptOutcome::GiveUp);
        let after_stale = state();
        assert_eq!(after_stale.state, "pending");
        assert_eq!(after_stale.attempts, 2);
        assert!(
            app.store
                .claim_webhook_deliveries(t1, t1 + minute, 10)
                .unwrap()
                .is_empty(),
            "still leased to the second worker"
        );
        // The second worker's answer decides.
        record(2, t1, AttemptOutcome::Delivered);
        assert_eq!(state().state, "delivered");
        // A late copy of it changes nothing either.
        record(2, t1, AttemptOutcome::GiveUp);
        assert_eq!(state().state, "delivered");
    }

    #[test]
    fn old_events_go_with_their_finished_deliveries_and_pending_ones_stay() {
        let (_dir, app, acme) = app(local());
        let created = app
            .create_webhook(
                Caller::Operator,
                &acme.company,
                input("http://127.0.0.1:9/a", &["credential.created"]),
            )
            .unwrap();
        credential(&app, &acme.company, "Delivered");
        credential(&app, &acme.company, "Still pending");
        let now = Utc::now() + chrono::Duration::seconds(1);
        let due = app
            .store
            .claim_webhook_deliveries(now, now + chrono::Duration::minutes(1), 1)
            .unwrap();
        app.store
            .record_webhook_attempt(
                due[0].id,
                due[0].attempt,
                &DeliveryAttempt {
                    at: now,
                    status_code: Some(204),
                    duration_ms: 3,
                    response: None,
                    error: None,
                },
                AttemptOutcome::Delivered,
                app.webhook_disable_after,
            )
            .unwrap();
        let later = now + chrono::Duration::seconds(1);
        assert_eq!(
            app.store.purge_events(later).unwrap(),
            1,
            "the delivered one"
        );
        let left = app
            .webhook_deliveries(
                Caller::Operator,
                &acme.company,
                &created.endpoint.id.to_string(),
                1,
                10,
            )
            .unwrap();
        assert_eq!(left.total, 1);
        assert_eq!(left.deliveries[0].state, "pending");
        assert_eq!(app.store.purge_events(later).unwrap(), 0, "pending: kept");
    }
}
