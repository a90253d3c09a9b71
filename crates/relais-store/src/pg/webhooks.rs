use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row, Transaction};
use relais_access::CompanyId;
use relais_events::Event;

use super::{PostgresStore, backend, corrupt, get, int, parse_timestamp, parse_uuid, sortable};
use crate::layout::{ENDPOINT_COLUMNS, endpoint_events, endpoint_events_text};
use crate::webhooks::{
    AlertBatch, AlertStore, AttemptOutcome, DeliveryAttempt, DeliveryState, DueDelivery,
    WebhookDelivery, WebhookEndpoint, WebhookStore,
};
use crate::{Paged, StoreError, Window};

const T: &str = "webhook_endpoints";

/// Writes `events` and their deliveries (one per enabled endpoint of the
/// company subscribed to the event's type) inside the caller's transaction.
pub(super) fn insert_outbox(tx: &mut Transaction<'_>, events: &[Event]) -> Result<(), StoreError> {
    for event in events {
        let company = event.company_id.0.to_string();
        let (id, at) = (event.id.to_string(), sortable(event.at));
        tx.execute(
            "INSERT INTO events (id, company_id, kind, at, body) VALUES ($1, $2, $3, $4, $5)",
            &[&id, &company, &event.kind.name(), &at, &event.body()],
        )
        .map_err(backend)?;
        if let Some(subject) = event.alert_subject() {
            tx.execute(
                "INSERT INTO alerts (event_id, company_id, subject, at) VALUES ($1, $2, $3, $4)",
                &[&id, &company, &subject, &at],
            )
            .map_err(backend)?;
        }
        let endpoints = tx
            .query(
                "SELECT id, events FROM webhook_endpoints WHERE company_id = $1 AND enabled = 1",
                &[&company],
            )
            .map_err(backend)?;
        for row in endpoints {
            let endpoint: String = get(T, &row, 0)?;
            if !endpoint_events(get(T, &row, 1)?)?.contains(&event.kind) {
                continue;
            }
            tx.execute(
                "INSERT INTO webhook_deliveries (id, company_id, endpoint_id, event_id, state, attempts, next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
                &[&uuid::Uuid::now_v7().to_string(), &company, &endpoint, &id, &at],
            )
            .map_err(backend)?;
        }
    }
    Ok(())
}

fn endpoint_row(row: &Row) -> Result<WebhookEndpoint, StoreError> {
    let previous_until: Option<String> = get(T, row, 8)?;
    let failing_since: Option<String> = get(T, row, 9)?;
    Ok(WebhookEndpoint {
        id: parse_uuid(T, get(T, row, 0)?)?,
        company_id: CompanyId(parse_uuid(T, get(T, row, 1)?)?),
        url: get(T, row, 2)?,
        description: get(T, row, 3)?,
        events: endpoint_events(get(T, row, 4)?)?,
        enabled: get::<i64>(T, row, 5)? != 0,
        secret: get(T, row, 6)?,
        previous_secret: get(T, row, 7)?,
        previous_secret_until: previous_until.map(|t| parse_timestamp(T, &t)).transpose()?,
        failing_since: failing_since.map(|t| parse_timestamp(T, &t)).transpose()?,
        disabled_reason: get(T, row, 10)?,
        created_at: parse_timestamp(T, get(T, row, 11)?)?,
        revision: u64::try_from(get::<i64>(T, row, 12)?).map_err(|e| corrupt(T, e))?,
    })
}

fn endpoints_where(
    client: &mut impl GenericClient,
    where_clause: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<WebhookEndpoint>, StoreError> {
    client
        .query(
            &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE {where_clause} ORDER BY created_at, id"),
            params,
        )
        .map_err(backend)?
        .iter()
        .map(endpoint_row)
        .collect()
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.endpoint_id, d.event_id, e.kind, d.state, d.attempts, d.next_attempt_at, d.created_at,
    a.at, a.status_code, a.duration_ms, a.response, a.error";

const DELIVERY_FROM: &str = "webhook_deliveries d JOIN events e ON e.id = d.event_id
    LEFT JOIN webhook_attempts a ON a.id = (SELECT MAX(id) FROM webhook_attempts WHERE delivery_id = d.id)";

fn delivery_row(row: &Row) -> Result<WebhookDelivery, StoreError> {
    const D: &str = "webhook_deliveries";
    let state: String = get(D, row, 4)?;
    let next: Option<String> = get(D, row, 6)?;
    let attempt_at: Option<String> = get(D, row, 8)?;
    Ok(WebhookDelivery {
        id: parse_uuid(D, get(D, row, 0)?)?,
        endpoint_id: parse_uuid(D, get(D, row, 1)?)?,
        event_id: parse_uuid(D, get(D, row, 2)?)?,
        kind: get(D, row, 3)?,
        state: DeliveryState::parse(&state).ok_or_else(|| corrupt(D, format!("state {state}")))?,
        attempts: u32::try_from(get::<i64>(D, row, 5)?).map_err(|e| corrupt(D, e))?,
        next_attempt_at: next.map(|t| parse_timestamp(D, &t)).transpose()?,
        created_at: parse_timestamp(D, get(D, row, 7)?)?,
        last_attempt: attempt_at
            .map(|at| {
                attempt(
                    &at,
                    get(D, row, 9)?,
                    get(D, row, 10)?,
                    get(D, row, 11)?,
                    get(D, row, 12)?,
                )
            })
            .transpose()?,
    })
}

fn attempt(
    at: &str,
    status: Option<i64>,
    duration: Option<i64>,
    response: Option<String>,
    error: Option<String>,
) -> Result<DeliveryAttempt, StoreError> {
    const A: &str = "webhook_attempts";
    Ok(DeliveryAttempt {
        at: parse_timestamp(A, at)?,
        status_code: status
            .map(u16::try_from)
            .transpose()
            .map_err(|e| corrupt(A, e))?,
        duration_ms: u64::try_from(duration.unwrap_or(0)).map_err(|e| corrupt(A, e))?,
        response,
        error,
    })
}

impl WebhookStore for PostgresStore {
    fn insert_webhook_endpoint(&self, e: &WebhookEndpoint, max: usize) -> Result<(), StoreError> {
        let e = e.clone();
        self.write(move |tx| {
            let count: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM webhook_endpoints WHERE company_id = $1",
                    &[&e.company_id.0.to_string()],
                )
                .map_err(backend)
                .and_then(|r| get(T, &r, 0))?;
            if usize::try_from(count).unwrap_or(usize::MAX) >= max {
                return Err(StoreError::Conflict(format!("a company's {max} webhook endpoints")));
            }
            tx.execute(
                &format!("INSERT INTO webhook_endpoints ({ENDPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0)"),
                &[
                    &e.id.to_string(),
                    &e.company_id.0.to_string(),
                    &e.url,
                    &e.description,
                    &endpoint_events_text(&e.events)?,
                    &i64::from(e.enabled),
                    &e.secret,
                    &e.previous_secret,
                    &e.previous_secret_until.map(sortable),
                    &e.failing_since.map(sortable),
                    &e.disabled_reason,
                    &sortable(e.created_at),
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
    }

    fn webhook_endpoints(&self, company: CompanyId) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let company = company.0.to_string();
        self.run(move |c| endpoints_where(c, "company_id = $1", &[&company]))
    }

    fn webhook_endpoint(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let (company, id) = (company.0.to_string(), id.to_string());
        self.run(move |c| {
            Ok(endpoints_where(c, "company_id = $1 AND id = $2", &[&company, &id])?.pop())
        })
    }

    fn update_webhook_endpoint(&self, e: &WebhookEndpoint) -> Result<(), StoreError> {
        let e = e.clone();
        self.write(move |tx| {
            let changed = tx
                .execute(
                    "UPDATE webhook_endpoints SET url = $4, description = $5, events = $6, enabled = $7, secret = $8,
                        previous_secret = $9, previous_secret_until = $10, failing_since = $11, disabled_reason = $12,
                        revision = revision + 1
                     WHERE company_id = $1 AND id = $2 AND revision = $3",
                    &[
                        &e.company_id.0.to_string(),
                        &e.id.to_string(),
                        &int(e.revision),
                        &e.url,
                        &e.description,
                        &endpoint_events_text(&e.events)?,
                        &i64::from(e.enabled),
                        &e.secret,
                        &e.previous_secret,
                        &e.previous_secret_until.map(sortable),
                        &e.failing_since.map(sortable),
                        &e.disabled_reason,
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
        })
    }

    fn delete_webhook_endpoint(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<bool, StoreError> {
        let (company, id) = (company.0.to_string(), id.to_string());
        self.write(move |tx| {
            // The deliveries and their attempts go with it (ON DELETE CASCADE).
            let deleted = tx
                .execute(
                    "DELETE FROM webhook_endpoints WHERE company_id = $1 AND id = $2",
                    &[&company, &id],
                )
                .map_err(backend)?;
            Ok(deleted > 0)
        })
    }

    fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let (now, lease_until) = (sortable(now), sortable(lease_until));
        self.write(move |tx| {
            let rows = tx
                .query(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, lease_until = $2
                     WHERE id IN (
                        SELECT d.id FROM webhook_deliveries d
                        JOIN webhook_endpoints w ON w.id = d.endpoint_id
                        WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND w.enabled = 1
                          AND (d.lease_until IS NULL OR d.lease_until <= $1)
                        ORDER BY d.next_attempt_at, d.id LIMIT $3)
                     RETURNING id, endpoint_id, event_id, attempts",
                    &[&now, &lease_until, &i64::from(limit)],
                )
                .map_err(backend)?;
            let mut due = Vec::with_capacity(rows.len());
            for row in rows {
                const D: &str = "webhook_deliveries";
                let endpoint: String = get(D, &row, 1)?;
                let event: String = get(D, &row, 2)?;
                let body: String = tx
                    .query_one("SELECT body FROM events WHERE id = $1", &[&event])
                    .map_err(backend)
                    .and_then(|r| get("events", &r, 0))?;
                let endpoint = endpoints_where(tx, "id = $1", &[&endpoint])?
                    .pop()
                    .ok_or_else(|| corrupt(T, format!("no endpoint {endpoint}")))?;
                due.push(DueDelivery {
                    id: parse_uuid(D, get(D, &row, 0)?)?,
                    endpoint,
                    event_id: parse_uuid(D, &event)?,
                    body,
                    attempt: u32::try_from(get::<i64>(D, &row, 3)?).map_err(|e| corrupt(D, e))?,
                });
            }
            // RETURNING gives no order: the oldest due first, as on SQLite.
            due.sort_by_key(|d| d.id);
            Ok(due)
        })
    }

    fn record_webhook_attempt(
        &self,
        delivery: uuid::Uuid,
        claimed_attempt: u32,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
        disable_after: std::time::Duration,
    ) -> Result<(), StoreError> {
        let (id, attempt) = (delivery.to_string(), attempt.clone());
        self.write(move |tx| {
            let endpoint: Option<String> = tx
                .query_opt("SELECT endpoint_id FROM webhook_deliveries WHERE id = $1", &[&id])
                .map_err(backend)?
                .map(|r| get("webhook_deliveries", &r, 0))
                .transpose()?;
            // Deleted with its endpoint meanwhile: nothing to record.
            let Some(endpoint) = endpoint else {
                return Ok(());
            };
            tx.execute(
                "INSERT INTO webhook_attempts (delivery_id, at, status_code, duration_ms, response, error) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &id,
                    &sortable(attempt.at),
                    &attempt.status_code.map(i64::from),
                    &int(attempt.duration_ms),
                    &attempt.response,
                    &attempt.error,
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
                    "UPDATE webhook_deliveries SET state = $2, next_attempt_at = $3, lease_until = NULL
                     WHERE id = $1 AND attempts = $4 AND state = 'pending' AND lease_until IS NOT NULL",
                    &[&id, &state.as_str(), &next, &i64::from(claimed_attempt)],
                )
                .map_err(backend)?;
            if moved == 0 {
                // Superseded: claimed again or sent again by hand meanwhile.
                return Ok(());
            }
            let mut endpoint = endpoints_where(tx, "id = $1", &[&endpoint])?
                .pop()
                .ok_or_else(|| corrupt(T, format!("no endpoint {endpoint}")))?;
            let disabled =
                crate::layout::endpoint_health(&mut endpoint, outcome, attempt.at, disable_after);
            tx.execute(
                "UPDATE webhook_endpoints SET failing_since = $2, enabled = $3, disabled_reason = $4, revision = revision + 1 WHERE id = $1",
                &[
                    &endpoint.id.to_string(),
                    &endpoint.failing_since.map(sortable),
                    &i64::from(endpoint.enabled),
                    &endpoint.disabled_reason,
                ],
            )
            .map_err(backend)?;
            if let Some(event) = disabled {
                insert_outbox(tx, &[event])?;
            }
            Ok(())
        })
    }

    fn webhook_deliveries(
        &self,
        company: CompanyId,
        endpoint: uuid::Uuid,
        window: Window,
    ) -> Result<Paged<WebhookDelivery>, StoreError> {
        let (company, endpoint) = (company.0.to_string(), endpoint.to_string());
        self.snapshot(move |tx| {
            let total: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM webhook_deliveries WHERE company_id = $1 AND endpoint_id = $2",
                    &[&company, &endpoint],
                )
                .map_err(backend)
                .and_then(|r| get("webhook_deliveries", &r, 0))?;
            let rows = tx
                .query(
                    &format!(
                        "SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_FROM}
                         WHERE d.company_id = $1 AND d.endpoint_id = $2 ORDER BY d.created_at DESC, d.id DESC LIMIT $3 OFFSET $4"
                    ),
                    &[&company, &endpoint, &int(window.limit), &int(window.offset)],
                )
                .map_err(backend)?;
            Ok(Paged {
                rows: rows.iter().map(delivery_row).collect::<Result<_, _>>()?,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
    }

    fn webhook_delivery(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<(WebhookDelivery, Vec<DeliveryAttempt>)>, StoreError> {
        let (company, id) = (company.0.to_string(), id.to_string());
        self.snapshot(move |tx| {
            let Some(row) = tx
                .query_opt(
                    &format!("SELECT {DELIVERY_COLUMNS} FROM {DELIVERY_FROM} WHERE d.company_id = $1 AND d.id = $2"),
                    &[&company, &id],
                )
                .map_err(backend)?
            else {
                return Ok(None);
            };
            let delivery = delivery_row(&row)?;
            let attempts = tx
                .query(
                    "SELECT at, status_code, duration_ms, response, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id",
                    &[&id],
                )
                .map_err(backend)?
                .iter()
                .map(|r| {
                    const A: &str = "webhook_attempts";
                    attempt(get(A, r, 0)?, get(A, r, 1)?, get(A, r, 2)?, get(A, r, 3)?, get(A, r, 4)?)
                })
                .collect::<Result<_, _>>()?;
            Ok(Some((delivery, attempts)))
        })
    }

    fn purge_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let before = sortable(before);
        self.write(move |tx| {
            let mut events = 0;
            for (index, sql) in crate::layout::PURGE_EVENTS.iter().enumerate() {
                let deleted = tx
                    .execute(&sql.replace("{before}", "$1"), &[&before])
                    .map_err(backend)?;
                if index == crate::layout::PURGE_EVENTS.len() - 1 {
                    events = deleted;
                }
            }
            Ok(events)
        })
    }

    fn redeliver_webhook(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (company, id, now) = (company.0.to_string(), id.to_string(), sortable(now));
        self.write(move |tx| {
            let changed = tx
                .execute(
                    "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3, lease_until = NULL
                     WHERE company_id = $1 AND id = $2 AND (lease_until IS NULL OR lease_until <= $3)",
                    &[&company, &id, &now],
                )
                .map_err(backend)?;
            Ok(changed > 0)
        })
    }
}

impl AlertStore for PostgresStore {
    fn claim_alerts(
        &self,
        now: DateTime<Utc>,
        quiet_since: DateTime<Utc>,
        oldest: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<AlertBatch>, StoreError> {
        const A: &str = "alerts";
        let (now, quiet_since, oldest, lease_until) = (
            sortable(now),
            sortable(quiet_since),
            sortable(oldest),
            sortable(lease_until),
        );
        self.write(move |tx| {
            let subjects = tx
                .query(
                    "SELECT DISTINCT company_id, subject FROM alerts
                     WHERE mailed_at IS NULL AND at >= $1 AND (lease_until IS NULL OR lease_until <= $2)
                     ORDER BY subject",
                    &[&oldest, &now],
                )
                .map_err(backend)?;
            let mut batches = Vec::new();
            for row in subjects {
                let company: String = get(A, &row, 0)?;
                let subject: String = get(A, &row, 1)?;
                let last: Option<String> = tx
                    .query_one(
                        "SELECT MAX(mailed_at) FROM alerts WHERE subject = $1 AND mailed_at IS NOT NULL",
                        &[&subject],
                    )
                    .map_err(backend)
                    .and_then(|r| get(A, &r, 0))?;
                if last.is_some_and(|last| last > quiet_since) {
                    continue;
                }
                let rows = tx
                    .query(
                        "SELECT a.event_id, e.kind, e.at, e.body FROM alerts a JOIN events e ON e.id = a.event_id
                         WHERE a.subject = $1 AND a.mailed_at IS NULL AND a.at >= $2
                           AND (a.lease_until IS NULL OR a.lease_until <= $3)
                         ORDER BY e.seq",
                        &[&subject, &oldest, &now],
                    )
                    .map_err(backend)?;
                let mut events = Vec::with_capacity(rows.len());
                for row in rows {
                    let id: String = get(A, &row, 0)?;
                    tx.execute(
                        "UPDATE alerts SET lease_until = $2 WHERE event_id = $1",
                        &[&id, &lease_until],
                    )
                    .map_err(backend)?;
                    events.push((
                        parse_uuid(A, &id)?,
                        crate::layout::alert_event(get(A, &row, 1)?, get(A, &row, 2)?, get(A, &row, 3)?)?,
                    ));
                }
                batches.push(AlertBatch {
                    company_id: CompanyId(parse_uuid(A, &company)?),
                    subject,
                    events,
                });
            }
            Ok(batches)
        })
    }

    fn finish_alerts(
        &self,
        events: &[uuid::Uuid],
        mailed_at: Option<DateTime<Utc>>,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let ids: Vec<String> = events.iter().map(ToString::to_string).collect();
        let (mailed_at, retry_at) = (mailed_at.map(sortable), sortable(retry_at));
        self.write(move |tx| {
            for id in &ids {
                tx.execute(
                    "UPDATE alerts SET mailed_at = $2, lease_until = $3 WHERE event_id = $1",
                    &[id, &mailed_at, &retry_at],
                )
                .map_err(backend)?;
            }
            Ok(())
        })
    }

    fn alert_opt_outs(
        &self,
        company: CompanyId,
    ) -> Result<std::collections::BTreeSet<relais_access::UserId>, StoreError> {
        let company = company.0.to_string();
        self.run(move |c| {
            c.query(
                "SELECT user_id FROM alert_opt_outs WHERE company_id = $1",
                &[&company],
            )
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok(relais_access::UserId(parse_uuid(
                    "alert_opt_outs",
                    get("alert_opt_outs", r, 0)?,
                )?))
            })
            .collect()
        })
    }

    fn set_alert_opt_out(
        &self,
        company: CompanyId,
        user: relais_access::UserId,
        opted_out: bool,
    ) -> Result<(), StoreError> {
        let (company, user) = (company.0.to_string(), user.0.to_string());
        self.write(move |tx| {
            let sql = if opted_out {
                "INSERT INTO alert_opt_outs (company_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM alert_opt_outs WHERE company_id = $1 AND user_id = $2"
            };
            tx.execute(sql, &[&company, &user]).map_err(backend)?;
            Ok(())
        })
    }
}
