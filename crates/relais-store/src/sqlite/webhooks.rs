use chrono::{DateTime, Utc};
use relais_access::CompanyId;
use relais_events::Event;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, backend, corrupt, parse_timestamp, parse_uuid, sortable};
use crate::layout::{ENDPOINT_COLUMNS, endpoint_events, endpoint_events_text};
use crate::webhooks::{
    AlertBatch, AlertStore, AttemptOutcome, DeliveryAttempt, DeliveryState, DueDelivery,
    WebhookDelivery, WebhookEndpoint, WebhookStore,
};
use crate::{Paged, StoreError, Window};

const T: &str = "webhook_endpoints";

/// Writes `events` and their deliveries (one per enabled endpoint of the
/// company subscribed to the event's type) inside the caller's transaction.
pub(super) fn insert_outbox(
    conn: &rusqlite::Connection,
    events: &[Event],
) -> Result<(), StoreError> {
    for event in events {
        conn.prepare_cached(
            "INSERT INTO events (id, company_id, kind, at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| {
            s.execute(params![
                event.id.to_string(),
                event.company_id.0.to_string(),
                event.kind.name(),
                sortable(event.at),
                event.body()
            ])
        })
        .map_err(backend)?;
        if let Some(subject) = event.alert_subject() {
            conn.prepare_cached(
                "INSERT INTO alerts (event_id, company_id, subject, at) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    event.id.to_string(),
                    event.company_id.0.to_string(),
                    subject,
                    sortable(event.at)
                ])
            })
            .map_err(backend)?;
        }
        let endpoints: Vec<(String, String)> = {
            let mut select = conn
                .prepare_cached("SELECT id, events FROM webhook_endpoints WHERE company_id = ?1 AND enabled = 1")
                .map_err(backend)?;
            let rows = select
                .query_map([event.company_id.0.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)?
        };
        for (endpoint, kinds) in endpoints {
            if !endpoint_events(&kinds)?.contains(&event.kind) {
                continue;
            }
            conn.prepare_cached(
                "INSERT INTO webhook_deliveries (id, company_id, endpoint_id, event_id, state, attempts, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    event.company_id.0.to_string(),
                    endpoint,
                    event.id.to_string(),
                    sortable(event.at),
                ])
            })
            .map_err(backend)?;
        }
    }
    Ok(())
}

fn endpoint_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<WebhookEndpoint, StoreError>> {
    let id: String = row.get(0)?;
    let company: String = row.get(1)?;
    let events: String = row.get(4)?;
    let enabled: i64 = row.get(5)?;
    let previous_until: Option<String> = row.get(8)?;
    let failing_since: Option<String> = row.get(9)?;
    let created: String = row.get(11)?;
    let revision: i64 = row.get(12)?;
    let (url, description, secret, previous_secret, disabled_reason) = (
        row.get(2)?,
        row.get(3)?,
        row.get(6)?,
        row.get(7)?,
        row.get(10)?,
    );
    Ok((|| {
        Ok(WebhookEndpoint {
            id: parse_uuid(T, &id)?,
            company_id: CompanyId(parse_uuid(T, &company)?),
            url,
            description,
            events: endpoint_events(&events)?,
            enabled: enabled != 0,
            secret,
            previous_secret,
            previous_secret_until: previous_until.map(|t| parse_timestamp(T, &t)).transpose()?,
            failing_since: failing_since.map(|t| parse_timestamp(T, &t)).transpose()?,
            disabled_reason,
            created_at: parse_timestamp(T, &created)?,
            revision: u64::try_from(revision).map_err(|e| corrupt(T, e))?,
        })
    })())
}

fn endpoint_in(
    conn: &rusqlite::Connection,
    where_clause: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let mut select = conn
        .prepare(&format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE {where_clause} ORDER BY created_at, id"))
        .map_err(backend)?;
    let rows = select.query_map(params, endpoint_row).map_err(backend)?;
    rows.map(|r| r.map_err(backend)?).collect()
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.endpoint_id, d.event_id, e.kind, d.state, d.attempts, d.next_attempt_at, d.created_at,
    a.at, a.status_code, a.duration_ms, a.response, a.error";

const DELIVERY_FROM: &str = "webhook_deliveries d JOIN events e ON e.id = d.event_id
    LEFT JOIN webhook_attempts a ON a.id = (SELECT MAX(id) FROM webhook_attempts WHERE delivery_id = d.id)";

fn delivery_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<WebhookDelivery, StoreError>> {
    const D: &str = "webhook_deliveries";
    let id: String = row.get(0)?;
    let endpoint: String = row.get(1)?;
    let event: String = row.get(2)?;
    let kind: String = row.get(3)?;
    let state: String = row.get(4)?;
    let attempts: i64 = row.get(5)?;
    let next: Option<String> = row.get(6)?;
    let created: String = row.get(7)?;
    let attempt_at: Option<String> = row.get(8)?;
    let status: Option<i64> = row.get(9)?;
    let duration: Option<i64> = row.get(10)?;
    let (response, error): (Option<String>, Option<String>) = (row.get(11)?, row.get(12)?);
    Ok((|| {
        Ok(WebhookDelivery {
            id: parse_uuid(D, &id)?,
            endpoint_id: parse_uuid(D, &endpoint)?,
            event_id: parse_uuid(D, &event)?,
            kind,
            state: DeliveryState::parse(&state)
                .ok_or_else(|| corrupt(D, format!("state {state}")))?,
            attempts: u32::try_from(attempts).map_err(|e| corrupt(D, e))?,
            next_attempt_at: next.map(|t| parse_timestamp(D, &t)).transpose()?,
            created_at: parse_timestamp(D, &created)?,
            last_attempt: attempt_at
                .map(|at| attempt(at, status, duration, response, error))
                .transpose()?,
        })
    })())
}

fn attempt(
    at: String,
    status: Option<i64>,
    duration: Option<i64>,
    response: Option<String>,
    error: Option<String>,
) -> Result<DeliveryAttempt, StoreError> {
    const A: &str = "webhook_attempts";
    Ok(DeliveryAttempt {
        at: parse_timestamp(A, &at)?,
        status_code: status
            .map(u16::try_from)
            .transpose()
            .map_err(|e| corrupt(A, e))?,
        duration_ms: u64::try_from(duration.unwrap_or(0)).map_err(|e| corrupt(A, e))?,
        response,
        error,
    })
}

impl WebhookStore for SqliteStore {
    fn insert_webhook_endpoint(&self, e: &WebhookEndpoint, max: usize) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let count: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM webhook_endpoints WHERE company_id = ?1",
                [e.company_id.0.to_string()],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= max {
            return Err(StoreError::Conflict(format!(
                "a company's {max} webhook endpoints"
            )));
        }
        tx.execute(
            &format!("INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0)"),
            params![
                e.id.to_string(),
                e.company_id.0.to_string(),
                e.url,
                e.description,
                endpoint_events_text(&e.events)?,
                i64::from(e.enabled),
                e.secret,
                e.previous_secret,
                e.previous_secret_until.map(sortable),
                e.failing_since.map(sortable),
                e.disabled_reason,
                sortable(e.created_at),
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(())
    }

    fn webhook_endpoints(&self, company: CompanyId) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let conn = self.conn()?;
        endpoint_in(&conn, "company_id = ?1", [company.0.to_string()])
    }

    fn webhook_endpoint(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let conn = self.conn()?;
        Ok(endpoint_in(
            &conn,
            "company_id = ?1 AND id = ?2",
            [company.0.to_string(), id.to_string()],
        )?
        .pop())
    }

    fn update_webhook_endpoint(&self, e: &WebhookEndpoint) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let changed = conn
            .execute(
                "UPDATE webhook_endpoints SET url = ?4, description = ?5, events = ?6, enabled = ?7, secret = ?8,
                    previous_secret = ?9, previous_secret_until = ?10, failing_since = ?11, disabled_reason = ?12,
                    revision = revision + 1
                 WHERE company_id = ?1 AND id = ?2 AND revision = ?3",
                params![
                    e.company_id.0.to_string(),
                    e.id.to_string(),
                    i64::try_from(e.revision).map_err(|e| StoreError::Backend(e.to_string()))?,
                    e.url,
                    e.description,
                    endpoint_events_text(&e.events)?,
                    i64::from(e.enabled),
                    e.secret,
                    e.previous_secret,
                    e.previous_secret_until.map(sortable),
                    e.failing_since.map(sortable),
                    e.disabled_reason,
                ],
            )
            .map_err(backend)?;
        if changed == 0 {
            return Err(StoreError::Changed(format!(
                "webhook endpoint {} was changed or deleted meanwhile",
                e.id
            )));
        }
        Ok(())
    }

    fn delete_webhook_endpoint(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        // The deliveries and their attempts go with it (ON DELETE CASCADE).
        let deleted = conn
            .execute(
                "DELETE FROM webhook_endpoints WHERE company_id = ?1 AND id = ?2",
                [company.0.to_string(), id.to_string()],
            )
            .map_err(backend)?;
        Ok(deleted > 0)
    }

    fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let claimed: Vec<(String, String, String, String, i64)> = {
            let mut select = tx
                .prepare_cached(
                    "SELECT d.id, d.endpoint_id, d.event_id, e.body, d.attempts + 1
                     FROM webhook_deliveries d
                     JOIN events e ON e.id = d.event_id
                     JOIN webhook_endpoints w ON w.id = d.endpoint_id
                     WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 AND w.enabled = 1
                       AND (d.lease_until IS NULL OR d.lease_until <= ?1)
                     ORDER BY d.next_attempt_at, d.id LIMIT ?2",
                )
                .map_err(backend)?;
            let rows = select
                .query_map(params![sortable(now), limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)?
        };
        let mut due = Vec::with_capacity(claimed.len());
        for (id, endpoint, event, body, attempt) in claimed {
            tx.execute(
                "UPDATE webhook_deliveries SET attempts = ?2, lease_until = ?3 WHERE id = ?1",
                params![id, attempt, sortable(lease_until)],
            )
            .map_err(backend)?;
            let endpoint = endpoint_in(&tx, "id = ?1", [&endpoint])?
                .pop()
                .ok_or_else(|| corrupt(T, format!("no endpoint {endpoint}")))?;
            due.push(DueDelivery {
                id: parse_uuid("webhook_deliveries", &id)?,
                endpoint,
                event_id: parse_uuid("webhook_deliveries", &event)?,
                body,
                attempt: u32::try_from(attempt).map_err(|e| corrupt("webhook_deliveries", e))?,
            });
        }
        tx.commit().map_err(backend)?;
        Ok(due)
    }

    fn record_webhook_attempt(
        &self,
        delivery: uuid::Uuid,
        claimed_attempt: u32,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
        disable_after: std::time::Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let id = delivery.to_string();
        let endpoint: Option<String> = tx
            .query_row(
                "SELECT endpoint_id FROM webhook_deliveries WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        // Deleted with its endpoint meanwhile: nothing to record.
        let Some(endpoint) = endpoint else {
            return Ok(());
        };
        tx.execute(
            "INSERT INTO webhook_attempts (delivery_id, at, status_code, duration_ms, response, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                sortable(attempt.at),
                attempt.status_code,
                i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX),
                attempt.response,
                attempt.error
            ],
        )
        .map_err(backend)?;
        let (state, next) = match outcome {
            AttemptOutcome::Delivered => (DeliveryState::Delivered, None),
            AttemptOutcome::RetryAt(at) => (DeliveryState::Pending, Some(sortable(at))),
            AttemptOutcome::GiveUp => (DeliveryState::Failed, None),
        };
        let moved = tx
            .execute(
                "UPDATE webhook_deliveries SET state = ?2, next_attempt_at = ?3, lease_until = NULL
                 WHERE id = ?1 AND attempts = ?4 AND state = 'pending' AND lease_until IS NOT NULL",
                params![id, state.as_str(), next, claimed_attempt],
            )
            .map_err(backend)?;
        if moved == 0 {
            // Superseded: claimed again or sent again by hand meanwhile.
            tx.commit().map_err(backend)?;
            return Ok(());
        }
        let mut endpoint = endpoint_in(&tx, "id = ?1", [&endpoint])?
            .pop()
            .ok_or_else(|| corrupt(T, format!("no endpoint {endpoint}")))?;
        let disabled =
            crate::layout::endpoint_health(&mut endpoint, outcome, attempt.at, disable_after);
        tx.execute(
            "UPDATE webhook_endpoints SET failing_since = ?2, enabled = ?3, disabled_reason = ?4, revision = revision + 1 WHERE id = ?1",
            params![
                endpoint.id.to_string(),
                endpoint.failing_since.map(sortable),
                i64::from(endpoint.enabled),
                endpoint.disabled_reason
            ],
        )
        .map_err(backend)?;
        if let Some(event) = disabled {
            insert_outbox(&tx, &[event])?;
        }
        tx.commit().map_err(backend)?;
        Ok(())
    }

    fn webhook_deliveries(
        &self,
        company: CompanyId,
        endpoint: uuid::Uuid,
        window: Window,
    ) -> Result<Paged<WebhookDelivery>, StoreError> {
        let conn = self.conn()?;
        let (company, endpoint) = (company.0.to_string(), endpoint.to_string());
        let total: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE company_id = ?1 AND endpoint_id = ?2",
                [&company, &endpoint],
                |r| r.get(0),
            )
            .map_err(backend)?;
        let mut select = conn
            .prepare(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_FROM}
                 WHERE d.company_id = ?1 AND d.endpoint_id = ?2 ORDER BY d.created_at DESC, d.id DESC LIMIT ?3 OFFSET ?4"
            ))
            .map_err(backend)?;
        let rows = select
            .query_map(
                params![
                    company,
                    endpoint,
                    i64::try_from(window.limit).unwrap_or(i64::MAX),
                    i64::try_from(window.offset).unwrap_or(i64::MAX)
                ],
                delivery_row,
            )
            .map_err(backend)?;
        Ok(Paged {
            rows: rows
                .map(|r| r.map_err(backend)?)
                .collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    fn webhook_delivery(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<(WebhookDelivery, Vec<DeliveryAttempt>)>, StoreError> {
        let conn = self.conn()?;
        let id = id.to_string();
        let delivery = conn
            .query_row(
                &format!("SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_FROM} WHERE d.company_id = ?1 AND d.id = ?2"),
                [company.0.to_string(), id.clone()],
                delivery_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()?;
        let Some(delivery) = delivery else {
            return Ok(None);
        };
        let mut select = conn
            .prepare(
                "SELECT at, status_code, duration_ms, response, error FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY id",
            )
            .map_err(backend)?;
        let rows = select
            .query_map([&id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .map_err(backend)?;
        let mut attempts = Vec::new();
        for row in rows {
            let (at, status, duration, response, error) = row.map_err(backend)?;
            attempts.push(attempt(at, status, duration, response, error)?);
        }
        Ok(Some((delivery, attempts)))
    }

    fn purge_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let before = sortable(before);
        let mut events = 0;
        for (index, sql) in crate::layout::PURGE_EVENTS.iter().enumerate() {
            let deleted = tx
                .execute(&sql.replace("{before}", "?1"), [&before])
                .map_err(backend)?;
            if index == crate::layout::PURGE_EVENTS.len() - 1 {
                events = deleted;
            }
        }
        tx.commit().map_err(backend)?;
        Ok(u64::try_from(events).unwrap_or(u64::MAX))
    }

    fn redeliver_webhook(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        let changed = conn
            .execute(
                "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?3, lease_until = NULL
                 WHERE company_id = ?1 AND id = ?2 AND (lease_until IS NULL OR lease_until <= ?3)",
                params![company.0.to_string(), id.to_string(), sortable(now)],
            )
            .map_err(backend)?;
        Ok(changed > 0)
    }
}

impl AlertStore for SqliteStore {
    fn claim_alerts(
        &self,
        now: DateTime<Utc>,
        quiet_since: DateTime<Utc>,
        oldest: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<AlertBatch>, StoreError> {
        const A: &str = "alerts";
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let (now, quiet_since, oldest, lease_until) = (
            sortable(now),
            sortable(quiet_since),
            sortable(oldest),
            sortable(lease_until),
        );
        let subjects: Vec<(String, String)> = {
            let mut select = tx
                .prepare(
                    "SELECT DISTINCT company_id, subject FROM alerts
                     WHERE mailed_at IS NULL AND at >= ?1 AND (lease_until IS NULL OR lease_until <= ?2)
                     ORDER BY subject",
                )
                .map_err(backend)?;
            let rows = select
                .query_map([&oldest, &now], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(backend)?;
            rows.collect::<Result<_, _>>().map_err(backend)?
        };
        let mut batches = Vec::new();
        for (company, subject) in subjects {
            let last: Option<String> = tx
                .query_row(
                    "SELECT MAX(mailed_at) FROM alerts WHERE subject = ?1 AND mailed_at IS NOT NULL",
                    [&subject],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            if last.is_some_and(|last| last > quiet_since) {
                continue;
            }
            let rows: Vec<(String, String, String, String)> = {
                let mut select = tx
                    .prepare(
                        "SELECT a.event_id, e.kind, e.at, e.body FROM alerts a JOIN events e ON e.id = a.event_id
                         WHERE a.subject = ?1 AND a.mailed_at IS NULL AND a.at >= ?2
                           AND (a.lease_until IS NULL OR a.lease_until <= ?3)
                         ORDER BY e.seq",
                    )
                    .map_err(backend)?;
                let rows = select
                    .query_map([&subject, &oldest, &now], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .map_err(backend)?;
                rows.collect::<Result<_, _>>().map_err(backend)?
            };
            let mut events = Vec::with_capacity(rows.len());
            for (id, kind, at, body) in rows {
                tx.execute(
                    "UPDATE alerts SET lease_until = ?2 WHERE event_id = ?1",
                    [&id, &lease_until],
                )
                .map_err(backend)?;
                events.push((
                    parse_uuid(A, &id)?,
                    crate::layout::alert_event(&kind, &at, &body)?,
                ));
            }
            batches.push(AlertBatch {
                company_id: CompanyId(parse_uuid(A, &company)?),
                subject,
                events,
            });
        }
        tx.commit().map_err(backend)?;
        Ok(batches)
    }

    fn finish_alerts(
        &self,
        events: &[uuid::Uuid],
        mailed_at: Option<DateTime<Utc>>,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        for id in events {
            tx.execute(
                "UPDATE alerts SET mailed_at = ?2, lease_until = ?3 WHERE event_id = ?1",
                params![id.to_string(), mailed_at.map(sortable), sortable(retry_at)],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    fn alert_opt_outs(
        &self,
        company: CompanyId,
    ) -> Result<std::collections::BTreeSet<relais_access::UserId>, StoreError> {
        let conn = self.conn()?;
        let mut select = conn
            .prepare("SELECT user_id FROM alert_opt_outs WHERE company_id = ?1")
            .map_err(backend)?;
        let rows = select
            .query_map([company.0.to_string()], |r| r.get::<_, String>(0))
            .map_err(backend)?;
        rows.map(|r| {
            Ok(relais_access::UserId(parse_uuid(
                "alert_opt_outs",
                &r.map_err(backend)?,
            )?))
        })
        .collect()
    }

    fn set_alert_opt_out(
        &self,
        company: CompanyId,
        user: relais_access::UserId,
        opted_out: bool,
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let sql = if opted_out {
            "INSERT INTO alert_opt_outs (company_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM alert_opt_outs WHERE company_id = ?1 AND user_id = ?2"
        };
        conn.execute(sql, [company.0.to_string(), user.0.to_string()])
            .map_err(backend)?;
        Ok(())
    }
}
