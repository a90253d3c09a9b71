//! E-mail alerts to a company's admins (users with the *edit* right who did
//! not turn them off): a failed or recovered sync, a connection turned
//! Inactive, deprovisions staged for review, a webhook endpoint disabled.
//! Digested: at most one mail an hour about each connection, the events
//! since the last mail summarised in it.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use relais_access::{Company, MarketplaceRight, User};

use crate::{Actor, App, AppError, Caller, ErrorKind};

/// At most one mail about a subject per this, by default.
pub const DIGEST_GAP: chrono::Duration = chrono::Duration::hours(1);

/// Alerts of events older than this are not mailed (a server that had no
/// SMTP settings does not mail a backlog once it gets them).
const OLDEST: chrono::Duration = chrono::Duration::days(1);

/// How long a claimed digest is this process's; also the wait after a
/// failed send before it is tried again.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// Where and how alerts are sent.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    console_url: String,
    digest_gap: chrono::Duration,
}

impl std::fmt::Debug for Mailer {
    // The transport holds the SMTP password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("console_url", &self.console_url)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `smtp_url`: `smtp://host:port` (plain; add
    /// `?tls=required` for STARTTLS) or `smtps://host:port` (TLS from the
    /// start), with `user:password@` when the server wants them; mails come
    /// from `from` (`Relais <relais@example.com>`) and link to the console
    /// at `console_url`.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a URL or address that does not parse (the
    /// message never repeats the URL, which may hold a password).
    pub fn new(smtp_url: &str, from: &str, console_url: &str) -> Result<Self, AppError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                AppError::invalid(format!(
                    "RELAIS_SMTP_URL is not an SMTP URL (smtp://host:port, smtps://user:password@host:port): {}",
                    e.to_string().chars().take(120).collect::<String>()
                ))
            })?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| AppError::invalid(format!("RELAIS_ALERT_FROM '{from}': {e}")))?;
        let console_url = url::Url::parse(console_url)
            .map_err(|e| AppError::invalid(format!("RELAIS_PUBLIC_URL '{console_url}': {e}")))?
            .as_str()
            .trim_end_matches('/')
            .to_owned();
        Ok(Self {
            transport,
            from,
            console_url,
            digest_gap: DIGEST_GAP,
        })
    }

    /// At most one mail about a subject per `gap` (default an hour); the
    /// events in between are summarised in the next.
    #[must_use]
    pub fn with_digest_gap(mut self, gap: Duration) -> Self {
        self.digest_gap = chrono::Duration::from_std(gap).unwrap_or(DIGEST_GAP);
        self
    }
}

fn mailbox(user: &User) -> Option<Mailbox> {
    Some(Mailbox::new(
        Some(user.name.clone()),
        user.email.parse().ok()?,
    ))
}

impl App {
    /// Whether `user` of `company` gets e-mail alerts.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn email_alerts(&self, actor: &Actor) -> Result<bool, AppError> {
        Ok(!self
            .store
            .alert_opt_outs(actor.company.id)?
            .contains(&actor.user.id))
    }

    /// Turns e-mail alerts on or off: for the caller themself, or (the
    /// operator) for anyone of the company.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown user.
    pub fn set_email_alerts(
        &self,
        by: Caller<'_>,
        company: &Company,
        email: &str,
        on: bool,
    ) -> Result<(), AppError> {
        let user = match by {
            Caller::User(actor) if actor.user.email.eq_ignore_ascii_case(email) => {
                actor.user.clone()
            }
            Caller::User(_) => {
                return Err(AppError::new(
                    ErrorKind::Forbidden,
                    "each user turns their own alerts on or off".into(),
                ));
            }
            Caller::Operator => self
                .store
                .user_by_email(company.id, email)?
                .ok_or_else(|| AppError::not_found(format!("user {email}")))?,
        };
        self.store.set_alert_opt_out(company.id, user.id, !on)?;
        Ok(())
    }

    /// Mails the alerts that are due (one digest per subject, to each
    /// admin); returns how many digests were sent. Safe to run in several
    /// processes at once: a digest is claimed by one.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub async fn send_due_alerts(self: &Arc<Self>, mailer: &Mailer) -> Result<usize, AppError> {
        let app = Arc::clone(self);
        let gap = mailer.digest_gap;
        let batches = crate::spawn_blocking(move || {
            let now = Utc::now();
            app.store
                .claim_alerts(now, now - gap, now - OLDEST, now + LEASE)
        })
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))??;
        let mut sent = 0;
        for batch in batches {
            let app = Arc::clone(self);
            let company = batch.company_id;
            let console = mailer.console_url.clone();
            let (subject, events): (String, Vec<_>) = (
                batch.subject.clone(),
                batch.events.iter().map(|(_, e)| e.clone()).collect(),
            );
            let prepared = crate::spawn_blocking(move || {
                app.prepare_digest(company, &subject, &events, &console)
            })
            .await
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
            let ids: Vec<uuid::Uuid> = batch.events.iter().map(|(id, _)| *id).collect();
            let outcome = match prepared {
                Ok((mail, recipients)) => {
                    // Mailed once one admin got it: a mailbox refusing mail
                    // must not make the others get it again every 5 minutes.
                    let mut failure = None;
                    let mut delivered = recipients.is_empty();
                    for to in recipients {
                        let message = Message::builder()
                            .from(mailer.from.clone())
                            .to(to)
                            .subject(mail.subject.clone())
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text.clone());
                        let result = match message {
                            Ok(message) => mailer
                                .transport
                                .send(message)
                                .await
                                .map(drop)
                                .map_err(|e| e.to_string()),
                            Err(e) => Err(e.to_string()),
                        };
                        match result {
                            Ok(()) => delivered = true,
                            Err(e) => {
                                tracing::warn!(error = %e, "an alert mail to one admin was refused");
                                failure = Some(e);
                            }
                        }
                    }
                    if delivered { None } else { failure }
                }
                Err(e) => Some(e.to_string()),
            };
            let now = Utc::now();
            let app = Arc::clone(self);
            let mailed = outcome.is_none();
            if let Some(error) = &outcome {
                tracing::warn!(%error, "an alert mail could not be sent; it is tried again in 5 minutes");
            } else {
                sent += 1;
            }
            crate::spawn_blocking(move || {
                app.store
                    .finish_alerts(&ids, mailed.then_some(now), now + LEASE)
            })
            .await
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))??;
        }
        Ok(sent)
    }

    /// The digest of a subject's events and who gets it.
    fn prepare_digest(
        &self,
        company: relais_access::CompanyId,
        subject: &str,
        events: &[relais_events::AlertEvent],
        console: &str,
    ) -> Result<(relais_events::AlertMail, Vec<Mailbox>), AppError> {
        let company = self
            .store
            .company(&company.0.to_string())?
            .ok_or_else(|| AppError::not_found("company".into()))?;
        let opted_out = self.store.alert_opt_outs(company.id)?;
        let recipients = self
            .store
            .users(company.id)?
            .iter()
            .filter(|u| u.marketplace_right == MarketplaceRight::Edit && !opted_out.contains(&u.id))
            .filter_map(mailbox)
            .collect();
        let (name, link) = match subject.split_once(':') {
            Some(("connection", id)) => {
                let slug = events
                    .iter()
                    .find_map(|e| e.data["integration"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                let name = self
                    .catalog()
                    .get(&slug)
                    .map_or(slug.clone(), |i| i.name.clone());
                (name, format!("{console}/console/connections/{id}/tracking"))
            }
            _ => (
                events
                    .iter()
                    .find_map(|e| e.data["url"].as_str())
                    .map_or_else(
                        || "Webhook endpoint".to_owned(),
                        |u| format!("Webhook endpoint {u}"),
                    ),
                format!("{console}/api/webhooks"),
            ),
        };
        Ok((
            relais_events::alert_mail(&company.name, &name, &link, events),
            recipients,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as Span;
    use relais_connections::AuditEvent;

    fn turned_inactive(company: relais_access::CompanyId, connection: &str) -> AuditEvent {
        AuditEvent {
            company_id: company,
            at: Utc::now(),
            actor: "system".into(),
            subject_type: "connection".into(),
            subject_id: connection.into(),
            action: "connection.auth_failures_exceeded".into(),
            before: Some("connected".into()),
            after: Some("inactive".into()),
            reason: Some("3 authentication failures in a row".into()),
            details: serde_json::json!({"integration": "okta"}),
        }
    }

    #[test]
    fn alerts_about_one_connection_are_digested_at_most_once_an_hour() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(relais_store::testing::database_in(dir.path())).unwrap();
        let acme = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        let store = &app.store;
        let t0 = Utc::now();
        // Two events about A (a status change and Relais turning it off).
        store
            .append_audit(&[turned_inactive(acme.company.id, "a")])
            .unwrap();
        let claim = |now: chrono::DateTime<Utc>| {
            store
                .claim_alerts(now, now - DIGEST_GAP, now - OLDEST, now + LEASE)
                .unwrap()
        };
        let first = claim(t0 + Span::seconds(1));
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].subject, "connection:a");
        assert_eq!(first[0].events.len(), 2);
        // Claimed: nobody else takes it while it is being mailed.
        assert!(claim(t0 + Span::seconds(2)).is_empty());
        let ids: Vec<_> = first[0].events.iter().map(|(id, _)| *id).collect();
        store
            .finish_alerts(&ids, Some(t0 + Span::seconds(3)), t0)
            .unwrap();

        // More about A within the hour wait; B is told at once.
        store
            .append_audit(&[turned_inactive(acme.company.id, "a")])
            .unwrap();
        store
            .append_audit(&[turned_inactive(acme.company.id, "b")])
            .unwrap();
        let soon = claim(t0 + Span::minutes(10));
        assert_eq!(soon.len(), 1);
        assert_eq!(soon[0].subject, "connection:b");
        let ids: Vec<_> = soon[0].events.iter().map(|(id, _)| *id).collect();
        store
            .finish_alerts(&ids, Some(t0 + Span::minutes(10)), t0)
            .unwrap();
        // An hour after A's mail, what came since goes in one.
        let later = claim(t0 + Span::minutes(61));
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].subject, "connection:a");
        assert_eq!(later[0].events.len(), 2);
        // A failed send is tried again after the lease.
        let ids: Vec<_> = later[0].events.iter().map(|(id, _)| *id).collect();
        store
            .finish_alerts(&ids, None, t0 + Span::minutes(70))
            .unwrap();
        assert!(claim(t0 + Span::minutes(65)).is_empty());
        assert_eq!(claim(t0 + Span::minutes(71)).len(), 1);
    }

    #[test]
    fn a_digest_names_the_connection_the_error_and_the_page() {
        let events = [
            relais_events::AlertEvent {
                kind: relais_events::EventKind::SyncRunFinished,
                at: Utc::now(),
                data: serde_json::json!({"status": "failed", "error": "the target refused the token (401)", "entries": {"failed": 0}}),
            },
            relais_events::AlertEvent {
                kind: relais_events::EventKind::ConnectionRecovered,
                at: Utc::now(),
                data: serde_json::json!({}),
            },
        ];
        let mail = relais_events::alert_mail(
            "Acme",
            "Okta",
            "https://relais.example/console/connections/x/tracking",
            &events,
        );
        assert_eq!(
            mail.subject,
            "[Relais] Okta: recovered (and 1 more since the last alert)"
        );
        assert!(
            mail.text
                .contains("A sync run failed: the target refused the token (401)")
        );
        assert!(
            mail.text
                .contains("https://relais.example/console/connections/x/tracking")
        );
    }

    #[test]
    fn each_user_turns_their_own_alerts_off() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(relais_store::testing::database_in(dir.path())).unwrap();
        let acme = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        let ana = app.authenticate(&acme.token).unwrap();
        assert!(app.email_alerts(&ana).unwrap());
        app.set_email_alerts(Caller::User(&ana), &acme.company, "ana@acme.example", false)
            .unwrap();
        assert!(!app.email_alerts(&ana).unwrap());
        let err = app
            .set_email_alerts(Caller::User(&ana), &acme.company, "bo@acme.example", false)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden);
        app.set_email_alerts(Caller::Operator, &acme.company, "ana@acme.example", true)
            .unwrap();
        assert!(app.email_alerts(&ana).unwrap());
        assert_eq!(
            app.set_email_alerts(Caller::Operator, &acme.company, "nobody@acme.example", true)
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
    }
}
