//! Events: what happened to a company's integrations, told to the
//! company's own systems as signed webhooks.
//!
//! An [`Event`] is written in the same transaction as the change it
//! describes (a transactional outbox, in `relais-store`), so a change that
//! is stored is always told, even when the process dies before it delivers
//! it. This crate decides, purely:
//!
//! - which changes are events ([`from_audit`], [`from_finished_run`]) and
//!   what each event says ([`EventKind`], the JSON `data`);
//! - how a delivery is signed, per the
//!   [Standard Webhooks](https://www.standardwebhooks.com/) specification
//!   ([`SigningSecret`], [`signature_header`]);
//! - when a failed delivery is tried again ([`retry_delay`]: exponential,
//!   with jitter, for about a day) and when an endpoint that keeps failing
//!   is disabled ([`should_disable`]).
//!
//! Storage, HTTP and the clock's randomness live elsewhere.
//!
//! Depends on `relais-access`, `relais-connections` (audit events) and
//! `relais-sync` (finished runs).
//!
//! # Example
//!
//! Signing a delivery, and when a failed one is tried again:
//!
//! ```rust
//! use std::time::Duration;
//!
//! use relais_events::{SigningSecret, retry_delay, signature_header};
//!
//! # fn main() -> Result<(), relais_events::EventError> {
//! // The endpoint's owner configures the text form.
//! let secret = SigningSecret::parse(&SigningSecret::from_bytes([7; SigningSecret::LEN]).to_text())?;
//! let header = signature_header(&[&secret], "msg_1", 1_767_225_600, br#"{"type":"sync.failed"}"#);
//! assert!(header.starts_with("v1,"));
//!
//! // After the first failed attempt: 5 s (jitter 0.5 is the middle);
//! // after the eighth, given up.
//! assert_eq!(retry_delay(1, 0.5), Some(Duration::from_secs(5)));
//! assert_eq!(retry_delay(8, 0.5), None);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac as _};
use relais_access::CompanyId;
use relais_connections::AuditEvent;
use relais_sync::{EntryStatus, RunStatus, SyncRun};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// Why an event input is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not an event kind Relais sends.
    #[error("unknown event type {0:?}; known are: {known}", known = EventKind::names().join(", "))]
    UnknownKind(String),
    /// A signing secret that is not `whsec_` followed by base64.
    #[error("a signing secret is \"whsec_\" followed by base64 of 24 to 64 bytes")]
    BadSecret,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// A connection's status changed (Pending / Connected / Inactive /
    /// disconnected), with who and why.
    #[serde(rename = "connection.status_changed")]
    ConnectionStatusChanged,
    /// Relais turned a connection off by itself (its target kept refusing
    /// the credentials, or it failed every run for too long).
    #[serde(rename = "connection.disabled")]
    ConnectionDisabled,
    /// A connection's first run without a run error after one with.
    #[serde(rename = "connection.recovered")]
    ConnectionRecovered,
    /// A connection failing every run will be turned off in a day.
    #[serde(rename = "connection.disable_warning")]
    ConnectionDisableWarning,
    /// A sync run finished: completed, partially completed or failed.
    #[serde(rename = "sync_run.finished")]
    SyncRunFinished,
    /// A run held deprovisions back: more than the deletion safety
    /// threshold; they wait for an admin's review.
    #[serde(rename = "sync_run.deprovisions_staged")]
    DeprovisionsStaged,
    /// An API credential was created.
    #[serde(rename = "credential.created")]
    CredentialCreated,
    /// An API credential's secret was rotated.
    #[serde(rename = "credential.rotated")]
    CredentialRotated,
    /// An API credential was revoked.
    #[serde(rename = "credential.revoked")]
    CredentialRevoked,
    /// Someone asked for an integration the Marketplace lacks.
    #[serde(rename = "integration.requested")]
    IntegrationRequested,
    /// Someone asked a partner for a demo.
    #[serde(rename = "demo.requested")]
    DemoRequested,
    /// Relais disabled a webhook endpoint that failed for days.
    #[serde(rename = "webhook_endpoint.disabled")]
    WebhookEndpointDisabled,
}

impl EventKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Self; 12] = [
        Self::ConnectionStatusChanged,
        Self::ConnectionDisabled,
        Self::ConnectionRecovered,
        Self::ConnectionDisableWarning,
        Self::SyncRunFinished,
        Self::DeprovisionsStaged,
        Self::CredentialCreated,
        Self::CredentialRotated,
        Self::CredentialRevoked,
        Self::IntegrationRequested,
        Self::DemoRequested,
        Self::WebhookEndpointDisabled,
    ];

    /// The wire name (`type` in the payload).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::ConnectionStatusChanged => "connection.status_changed",
            Self::ConnectionDisabled => "connection.disabled",
            Self::ConnectionRecovered => "connection.recovered",
            Self::ConnectionDisableWarning => "connection.disable_warning",
            Self::SyncRunFinished => "sync_run.finished",
            Self::DeprovisionsStaged => "sync_run.deprovisions_staged",
            Self::CredentialCreated => "credential.created",
            Self::CredentialRotated => "credential.rotated",
            Self::CredentialRevoked => "credential.revoked",
            Self::IntegrationRequested => "integration.requested",
            Self::DemoRequested => "demo.requested",
            Self::WebhookEndpointDisabled => "webhook_endpoint.disabled",
        }
    }

    /// Every wire name.
    #[must_use]
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.name()).collect()
    }

    /// The kind of a wire name.
    ///
    /// # Errors
    /// [`EventError::UnknownKind`] for any other text.
    pub fn parse(name: &str) -> Result<Self, EventError> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| EventError::UnknownKind(name.chars().take(80).collect()))
    }

    /// Whether the kind is worth an alert to a person (as opposed to a
    /// record for another system).
    #[must_use]
    pub fn is_alert(self) -> bool {
        matches!(
            self,
            Self::ConnectionDisabled
                | Self::ConnectionRecovered
                | Self::ConnectionDisableWarning
                | Self::DeprovisionsStaged
                | Self::WebhookEndpointDisabled
        )
    }
}

/// One thing that happened, as delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Its id; deliveries carry it as `webhook-id`, the same on every retry.
    pub id: Uuid,
    /// Whose.
    pub company_id: CompanyId,
    /// What.
    pub kind: EventKind,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What the receiver needs to act on it.
    pub data: Value,
}

impl Event {
    /// A new event of now.
    #[must_use]
    pub fn new(company_id: CompanyId, kind: EventKind, at: DateTime<Utc>, data: Value) -> Self {
        Self {
            id: Uuid::now_v7(),
            company_id,
            kind,
            at,
            data,
        }
    }

    /// The `webhook-id`: `evt_` and the id, the same on every attempt.
    #[must_use]
    pub fn message_id(&self) -> String {
        message_id(self.id)
    }

    /// The body every delivery of the event sends, byte for byte (the
    /// signature covers it): `{"type", "timestamp", "data"}` as the
    /// Standard Webhooks specification recommends.
    #[must_use]
    pub fn body(&self) -> String {
        json!({
            "type": self.kind.name(),
            "timestamp": self.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "data": self.data,
        })
        .to_string()
    }
}

impl Event {
    /// What an e-mail alert about this event is about (`connection:<id>` or
    /// `webhook_endpoint:<id>`), for the events the company's admins are
    /// alerted of: a failed run, a connection turned Inactive (by anyone) or
    /// off by Relais, a recovery, deprovisions staged for review, an
    /// endpoint Relais disabled. Alerts about one subject are digested: at
    /// most one mail an hour.
    #[must_use]
    pub fn alert_subject(&self) -> Option<String> {
        let connection = || {
            self.data["connection_id"]
                .as_str()
                .map(|id| format!("connection:{id}"))
        };
        match self.kind {
            // A run closed because its process stopped is nobody's failure.
            EventKind::SyncRunFinished
                if self.data["status"] == "failed" && self.data["interrupted"] != true =>
            {
                connection()
            }
            EventKind::ConnectionStatusChanged if self.data["after"] == "inactive" => connection(),
            EventKind::ConnectionDisabled
            | EventKind::ConnectionRecovered
            | EventKind::ConnectionDisableWarning
            | EventKind::DeprovisionsStaged => connection(),
            EventKind::WebhookEndpointDisabled => self.data["endpoint_id"]
                .as_str()
                .map(|id| format!("webhook_endpoint:{id}")),
            _ => None,
        }
    }
}

/// One e-mail alert: what several events about one subject say, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMail {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
}

/// One stored event, as an alert digest reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    /// What.
    pub kind: EventKind,
    /// When.
    pub at: DateTime<Utc>,
    /// Its data.
    pub data: Value,
}

fn alert_line(event: &AlertEvent) -> String {
    let d = &event.data;
    let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
    match event.kind {
        EventKind::SyncRunFinished => {
            let error = text("error");
            let failed = d["entries"]["failed"].as_u64().unwrap_or(0);
            if error.is_empty() {
                format!("A sync run failed: {failed} entries failed.")
            } else {
                format!("A sync run failed: {error}")
            }
        }
        EventKind::ConnectionStatusChanged | EventKind::ConnectionDisabled => {
            let reason = text("reason");
            let by = if text("actor") == "system" {
                "by Relais".to_owned()
            } else {
                format!("by {}", text("actor"))
            };
            if reason.is_empty() {
                format!("The connection was turned Inactive {by}.")
            } else {
                format!("The connection was turned Inactive {by}: {reason}.")
            }
        }
        EventKind::ConnectionRecovered => {
            "The connection recovered: its last run did not fail.".to_owned()
        }
        EventKind::ConnectionDisableWarning => {
            format!("Every run failed for a while: {}.", text("reason"))
        }
        EventKind::DeprovisionsStaged => format!(
            "{} deprovisions were staged and await review: more than the deletion safety threshold in one run.",
            d["staged"].as_u64().unwrap_or(0)
        ),
        EventKind::WebhookEndpointDisabled => {
            format!(
                "The webhook endpoint {} was disabled: {}.",
                text("url"),
                text("reason")
            )
        }
        other => other.name().to_owned(),
    }
}

fn alert_headline(kind: EventKind) -> &'static str {
    match kind {
        EventKind::SyncRunFinished => "sync failed",
        EventKind::ConnectionStatusChanged => "connection turned Inactive",
        EventKind::ConnectionDisabled => "connection turned off by Relais",
        EventKind::ConnectionRecovered => "recovered",
        EventKind::ConnectionDisableWarning => "will be turned off in a day",
        EventKind::DeprovisionsStaged => "deprovisions await review",
        EventKind::WebhookEndpointDisabled => "webhook endpoint disabled",
        _ => "event",
    }
}

/// The digest of `events` (oldest first, at least one) about one subject:
/// `name` names it (the integration, or the endpoint's URL), `link` is the
/// console page to act on it. The subject line says the latest event and
/// how many more the mail holds.
#[must_use]
pub fn alert_mail(company: &str, name: &str, link: &str, events: &[AlertEvent]) -> AlertMail {
    // A connection turned off by Relais is told once, not also as a status change.
    let shown: Vec<&AlertEvent> = events
        .iter()
        .filter(|e| {
            !(e.kind == EventKind::ConnectionStatusChanged
                && events
                    .iter()
                    .any(|o| o.kind == EventKind::ConnectionDisabled && o.at == e.at))
        })
        .collect();
    let Some(latest) = shown.last() else {
        return AlertMail {
            subject: format!("[Relais] {name}"),
            text: String::new(),
        };
    };
    let more = shown.len() - 1;
    let subject = if more == 0 {
        format!("[Relais] {name}: {}", alert_headline(latest.kind))
    } else {
        format!(
            "[Relais] {name}: {} (and {more} more since the last alert)",
            alert_headline(latest.kind)
        )
    };
    let mut text = format!("{company}: {name}\n\n");
    for event in &shown {
        text.push_str(&format!(
            "{}  {}\n",
            event.at.format("%Y-%m-%d %H:%M UTC"),
            alert_line(event)
        ));
    }
    text.push_str(&format!(
        "\nSee it and act on it: {link}\n\nYou receive this as an admin of {company}'s integrations. Relais sends at most one alert an hour about each connection; turn these mails off under your account's settings (PUT /api/me/alerts).\n"
    ));
    AlertMail { subject, text }
}

/// The `webhook-id` of an event id.
#[must_use]
pub fn message_id(id: Uuid) -> String {
    format!("evt_{}", id.simple())
}

/// The events an audit event stands for (written with it, in its
/// transaction): a connection's status change, a connection Relais turned
/// off, credentials created, rotated or revoked, integration and demo
/// requests. Other audit events (wizard steps, imports, documents) are not
/// events.
#[must_use]
pub fn from_audit(audit: &AuditEvent) -> Vec<Event> {
    let event = |kind, data| Event::new(audit.company_id, kind, audit.at, data);
    let mut events = Vec::new();
    match audit.subject_type.as_str() {
        "connection" => {
            let data = json!({
                "connection_id": audit.subject_id,
                "integration": audit.details.get("integration"),
                "before": audit.before,
                "after": audit.after,
                "reason": audit.reason,
                "actor": audit.actor,
                "action": audit.action,
            });
            if audit.before.is_some() && audit.before != audit.after {
                events.push(event(EventKind::ConnectionStatusChanged, data.clone()));
            }
            if audit.actor == "system" && audit.after.as_deref() == Some("inactive") {
                events.push(event(EventKind::ConnectionDisabled, data.clone()));
            }
            if audit.action == "connection.disable_warning" {
                events.push(event(EventKind::ConnectionDisableWarning, data));
            }
        }
        "credential" => {
            let kind = match audit.action.as_str() {
                "credential.create" => Some(EventKind::CredentialCreated),
                "credential.rotate" => Some(EventKind::CredentialRotated),
                "credential.revoke" => Some(EventKind::CredentialRevoked),
                _ => None,
            };
            if let Some(kind) = kind {
                events.push(event(
                    kind,
                    json!({
                        "client_id": audit.subject_id,
                        "scopes": audit.details.get("scopes"),
                        "actor": audit.actor,
                    }),
                ));
            }
        }
        "integration_request" if audit.action == "integration_request.create" => {
            events.push(event(
                EventKind::IntegrationRequested,
                json!({
                    "name": audit.details.get("name"),
                    "website": audit.details.get("website"),
                    "actor": audit.actor,
                }),
            ));
        }
        "demo_request" if audit.action == "demo_request.create" => {
            events.push(event(
                EventKind::DemoRequested,
                json!({
                    "request_id": audit.subject_id,
                    "integration": audit.details.get("integration"),
                    "actor": audit.actor,
                }),
            ));
        }
        _ => {}
    }
    events
}

/// The events of a run that just finished: always `sync_run.finished`;
/// `sync_run.deprovisions_staged` when it held deprovisions back;
/// `connection.recovered` when it is the connection's first run that did
/// not fail after one that did (`previous_failed`: the run before it, of
/// the same connection, is Failed). A run closed because its process
/// stopped (`interrupted`) neither recovers nor breaks a streak: the
/// caller looks past such runs for the previous one.
#[must_use]
pub fn from_finished_run(
    company_id: CompanyId,
    run: &SyncRun,
    integration: &str,
    previous_failed: bool,
) -> Vec<Event> {
    if run.status == RunStatus::Running {
        return Vec::new();
    }
    let at = run.finished_at.unwrap_or(run.heartbeat_at);
    let status = match run.status {
        RunStatus::Running => "running",
        RunStatus::Completed => "completed",
        RunStatus::PartiallyCompleted => "partially_completed",
        RunStatus::Failed => "failed",
    };
    let mut events = vec![Event::new(
        company_id,
        EventKind::SyncRunFinished,
        at,
        json!({
            "run_id": run.id,
            "connection_id": run.connection_id,
            "integration": integration,
            "status": status,
            "trigger": run.trigger,
            "cycle": run.cycle,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "entries": {
                "success": run.counts.with_status(EntryStatus::Success),
                "failed": run.counts.with_status(EntryStatus::Failed),
                "skipped": run.counts.with_status(EntryStatus::Skipped),
            },
            "staged": run.staged,
            "error": run.error.as_ref().map(|e| &e.message),
            "interrupted": run.interrupted,
        }),
    )];
    if run.staged > 0 {
        events.push(Event::new(
            company_id,
            EventKind::DeprovisionsStaged,
            at,
            json!({
                "run_id": run.id,
                "connection_id": run.connection_id,
                "integration": integration,
                "staged": run.staged,
                "notice": run.notice,
            }),
        ));
    }
    if previous_failed && run.status != RunStatus::Failed && !run.interrupted {
        events.push(Event::new(
            company_id,
            EventKind::ConnectionRecovered,
            at,
            json!({
                "run_id": run.id,
                "connection_id": run.connection_id,
                "integration": integration,
                "status": status,
            }),
        ));
    }
    events
}

/// The event of an endpoint Relais disabled.
#[must_use]
pub fn endpoint_disabled(
    company_id: CompanyId,
    endpoint_id: Uuid,
    url: &str,
    failing_since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Event {
    Event::new(
        company_id,
        EventKind::WebhookEndpointDisabled,
        at,
        json!({
            "endpoint_id": endpoint_id,
            "url": url,
            "failing_since": failing_since,
            "reason": format!(
                "every delivery failed since {}",
                failing_since.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        }),
    )
}

/// A webhook endpoint's signing secret: `whsec_` and base64 of its bytes.
/// Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(…)")
    }
}

impl SigningSecret {
    /// The bytes a new secret is made of (32 random bytes).
    pub const LEN: usize = 32;

    /// A secret of random bytes the caller drew.
    #[must_use]
    pub fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        Self(bytes.to_vec())
    }

    /// Reads `whsec_…` text.
    ///
    /// # Errors
    /// [`EventError::BadSecret`] when the text is not a secret.
    pub fn parse(text: &str) -> Result<Self, EventError> {
        let encoded = text.strip_prefix("whsec_").ok_or(EventError::BadSecret)?;
        let bytes = BASE64.decode(encoded).map_err(|_| EventError::BadSecret)?;
        if !(24..=64).contains(&bytes.len()) {
            return Err(EventError::BadSecret);
        }
        Ok(Self(bytes))
    }

    /// The text form, `whsec_…`, as the endpoint's owner configures it.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!("whsec_{}", BASE64.encode(&self.0))
    }

    /// `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    #[must_use]
    pub fn sign(&self, message_id: &str, timestamp: i64, body: &[u8]) -> String {
        // A key of any length is accepted by HMAC; this cannot fail.
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC takes keys of any length")
        };
        mac.update(message_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one signature per secret, separated by
/// spaces (during a rotation the current and the previous secret both
/// sign, so a receiver still holding the old one keeps verifying).
#[must_use]
pub fn signature_header(
    secrets: &[&SigningSecret],
    message_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|s| s.sign(message_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);

/// Waits between attempts after the first (the Standard Webhooks
/// reference schedule): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, so a
/// delivery is given up about 27 hours after it was first tried.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// How long to wait after `attempts` failed attempts before the next, or
/// `None` to give up. `jitter` (in `[0, 1)`, drawn by the caller) spreads
/// the wait by ±20% so that an endpoint back from an outage is not hit by
/// every delivery at once.
#[must_use]
pub fn retry_delay(attempts: u32, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base = RETRY_SCHEDULE.get(index)?;
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Some(base.mul_f64(factor))
}

/// How long an endpoint may fail every delivery before Relais disables it.
pub const DISABLE_AFTER: Duration = Duration::from_secs(5 * 24 * 3600);

/// Whether an endpoint failing since `failing_since` is to be disabled now.
#[must_use]
pub fn should_disable(failing_since: DateTime<Utc>, now: DateTime<Utc>, after: Duration) -> bool {
    chrono::Duration::from_std(after).is_ok_and(|after| now - failing_since >= after)
}

/// Most characters of a response kept in the delivery log.
pub const EXCERPT_CHARS: usize = 1000;

/// What the delivery log keeps of a receiver's answer: at most
/// [`EXCERPT_CHARS`] characters, invalid UTF-8 replaced and control
/// characters (but line breaks and tabs) dropped.
#[must_use]
pub fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .take(EXCERPT_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_signature_matches_the_specifications_reference_vector() {
        // From the Standard Webhooks reference libraries' tests.
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = secret.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_are_told_and_read_back_and_never_shown_by_debug() {
        let secret = SigningSecret::from_bytes([7; 32]);
        let text = secret.to_text();
        assert!(text.starts_with("whsec_"));
        assert_eq!(SigningSecret::parse(&text).unwrap(), secret);
        assert!(!format!("{secret:?}").contains(&text[6..]));
        for bad in ["", "whsec_", "whsec_!!!", "abc", "whsec_AAAA"] {
            assert_eq!(
                SigningSecret::parse(bad),
                Err(EventError::BadSecret),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_kind_has_a_name_it_is_read_back_from() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.name()), Ok(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                Value::from(kind.name())
            );
        }
        assert!(matches!(
            EventKind::parse("connection.exploded"),
            Err(EventError::UnknownKind(_))
        ));
    }

    #[test]
    fn the_schedule_gives_up_about_a_day_after_the_first_attempt() {
        let total: Duration = (1..).map_while(|attempts| retry_delay(attempts, 0.5)).sum();
        assert!(total > Duration::from_secs(24 * 3600), "{total:?}");
        assert!(total < Duration::from_secs(30 * 3600), "{total:?}");
        assert_eq!(retry_delay(0, 0.5), None);
        assert_eq!(retry_delay(8, 0.5), None);
    }

    fn audit(
        subject_type: &str,
        action: &str,
        before: Option<&str>,
        after: Option<&str>,
    ) -> AuditEvent {
        AuditEvent {
            company_id: CompanyId(Uuid::nil()),
            at: Utc::now(),
            actor: "system".into(),
            subject_type: subject_type.into(),
            subject_id: "x".into(),
            action: action.into(),
            before: before.map(Into::into),
            after: after.map(Into::into),
            reason: Some("refused".into()),
            details: json!({"integration": "okta"}),
        }
    }

    #[test]
    fn audit_events_become_the_events_they_stand_for() {
        let kinds = |a: &AuditEvent| from_audit(a).iter().map(|e| e.kind).collect::<Vec<_>>();
        assert_eq!(
            kinds(&audit(
                "connection",
                "connection.auth_failures_exceeded",
                Some("connected"),
                Some("inactive")
            )),
            [
                EventKind::ConnectionStatusChanged,
                EventKind::ConnectionDisabled
            ]
        );
        let mut by_admin = audit(
            "connection",
            "connection.deactivate",
            Some("connected"),
            Some("inactive"),
        );
        by_admin.actor = "ada@acme.example".into();
        assert_eq!(kinds(&by_admin), [EventKind::ConnectionStatusChanged]);
        assert!(
            kinds(&audit(
                "connection",
                "connection.wizard_step",
                Some("pending"),
                Some("pending")
            ))
            .is_empty()
        );
        assert!(
            kinds(&audit(
                "connection",
                "connection.start",
                None,
                Some("pending")
            ))
            .is_empty()
        );
        assert_eq!(
            kinds(&audit(
                "credential",
                "credential.rotate",
                None,
                Some("active")
            )),
            [EventKind::CredentialRotated]
        );
        assert!(
            kinds(&audit(
                "credential",
                "credential.update",
                None,
                Some("active")
            ))
            .is_empty()
        );
        assert!(kinds(&audit("document", "document.upload", None, None)).is_empty());
        let event = &from_audit(&by_admin)[0];
        let body: Value = serde_json::from_str(&event.body()).unwrap();
        assert_eq!(body["type"], "connection.status_changed");
        assert_eq!(body["data"]["integration"], "okta");
        assert_eq!(body["data"]["after"], "inactive");
        assert_eq!(body["data"]["reason"], "refused");
    }

    proptest! {
        #[test]
        fn waits_grow_and_stay_within_the_jitter(attempts in 1u32..8, jitter in 0.0f64..1.0) {
            let wait = retry_delay(attempts, jitter).unwrap();
            let base = RETRY_SCHEDULE[attempts as usize - 1];
            prop_assert!(wait >= base.mul_f64(0.8) && wait <= base.mul_f64(1.2));
            if let Some(next) = retry_delay(attempts + 1, jitter) {
                prop_assert!(next >= wait);
            }
        }

        #[test]
        fn a_signature_changes_with_every_byte_it_covers(
            id in "[a-z0-9_]{1,20}", ts in 0i64..4_000_000_000, body in proptest::collection::vec(any::<u8>(), 0..64), flip in 0usize..64,
        ) {
            let secret = SigningSecret::from_bytes([9; 32]);
            let signed = secret.sign(&id, ts, &body);
            prop_assert_eq!(&signed, &secret.sign(&id, ts, &body));
            if !body.is_empty() {
                let mut changed = body.clone();
                changed[flip % body.len()] ^= 1;
                prop_assert_ne!(&signed, &secret.sign(&id, ts, &changed));
            }
            prop_assert_ne!(&signed, &secret.sign(&id, ts + 1, &body));
            let other = SigningSecret::from_bytes([8; 32]);
            let header = signature_header(&[&secret, &other], &id, ts, &body);
            let by_other = other.sign(&id, ts, &body);
            prop_assert_eq!(header.split(' ').collect::<Vec<_>>(), vec![signed.as_str(), by_other.as_str()]);
        }

        #[test]
        fn an_excerpt_is_bounded_and_free_of_control_characters(body in proptest::collection::vec(any::<u8>(), 0..4000)) {
            let text = excerpt(&body);
            prop_assert!(text.chars().count() <= EXCERPT_CHARS);
            prop_assert!(text.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
        }
    }
}
