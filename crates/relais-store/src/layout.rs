//! What both backends agree on, row for row: the columns each row reader
//! takes (in its order), the text forms of stored enums, and how JSON
//! columns read back. One definition here keeps SQLite and PostgreSQL in
//! step when a column is added.

use relais_people::TimeOffStatus;
use relais_sync::RunStatus;

use crate::StoreError;
use crate::sqlite::corrupt;

/// The columns of a user, as the access modules' row readers take them.
pub(crate) const USER_COLUMNS: &str = "id, company_id, email, name, marketplace_right, created_at";

/// The columns of a connection, as the connections modules' row readers take them.
pub(crate) const CONNECTION_COLUMNS: &str = "id, company_id, integration, state, state_since, progress, answers, credential, created_at, revision";

/// The columns of a public-API credential, as the credential row readers take them.
pub(crate) const CREDENTIAL_COLUMNS: &str = "client_id, company_id, name, integration, scopes, readable_attributes, secret_hash, generation, created_at, updated_at, revoked_at";

/// An employee document's metadata columns, as the documents modules' readers take them.
pub(crate) const DOCUMENT_COLUMNS: &str = "id, employee_id, category_id, title, comment, date, file_name, mime_type, size, sha256, created_at";

/// The columns of an invite, as the sessions modules' readers take them.
pub(crate) const INVITE_COLUMNS: &str =
    "id_hash, company_id, user_id, created_by, created_at, expires_at";

/// The columns of a project, as the people modules' `project_row` reads them.
pub(crate) const PROJECT_COLUMNS: &str = "id, name, active, created_at, updated_at";

/// The columns of an attendance, as the people modules' `attendance_row` reads them.
pub(crate) const ATTENDANCE_COLUMNS: &str = "id, employee_id, date, start_time, end_time, break_minutes, project_id, status, comment, updated_at";

/// The columns of a time-off, as the people modules' `time_off_row` reads them.
pub(crate) const TIME_OFF_COLUMNS: &str = "id, employee_id, time_off_type_id, status, start_date, end_date, half_day_start, half_day_end, days_count, comment, created_at, updated_at";

/// The columns of a sync entry, as the sync modules' readers take them.
pub(crate) const ENTRY_COLUMNS: &str =
    "id, run_id, at, employee_id, use_case, status, message, response, changes, subject_group";

/// A company's people tables, in an order that deletes what refers to a row
/// before the row.
pub(crate) const PEOPLE_TABLES: [&str; 11] = [
    "employee_documents",
    "employee_pictures",
    "employees",
    "employee_history",
    "custom_attributes",
    "projects",
    "attendances",
    "time_off_types",
    "time_offs",
    "absence_periods",
    "document_categories",
];

/// How the start and end of an hour absence are stored (sortable text).
pub(crate) const ABSENCE_INSTANT: &str = "%Y-%m-%dT%H:%M:%S";

/// A JSON column of `table` read back into `T`; a value that does not read
/// is corrupt data of `table`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    table: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(table, e))
}

/// A stored time-off status.
pub(crate) fn time_off_status(
    table: &'static str,
    text: &str,
) -> Result<TimeOffStatus, StoreError> {
    match text {
        "approved" => Ok(TimeOffStatus::Approved),
        "requested" => Ok(TimeOffStatus::Requested),
        "rejected" => Ok(TimeOffStatus::Rejected),
        other => Err(corrupt(table, format!("status {other}"))),
    }
}

/// A run status as stored (for filters and the one-running-run index).
pub(crate) fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "running",
        RunStatus::Completed => "completed",
        RunStatus::PartiallyCompleted => "partially_completed",
        RunStatus::Failed => "failed",
    }
}

/// The columns of a webhook endpoint, as the webhook modules' row readers take them.
pub(crate) const ENDPOINT_COLUMNS: &str = "id, company_id, url, description, events, enabled, secret, previous_secret, previous_secret_until, failing_since, disabled_reason, created_at, revision";

/// An endpoint's stored event types (a JSON array of their names).
pub(crate) fn endpoint_events(
    text: &str,
) -> Result<std::collections::BTreeSet<relais_events::EventKind>, StoreError> {
    from_json("webhook_endpoints", text)
}

/// The stored form of an endpoint's event types.
pub(crate) fn endpoint_events_text(
    events: &std::collections::BTreeSet<relais_events::EventKind>,
) -> Result<String, StoreError> {
    crate::sqlite::json(events)
}

/// Applies an attempt's outcome to its endpoint's health: a success clears
/// `failing_since`, a failure sets it if unset, and an endpoint failing for
/// `disable_after` is disabled; returns the event that tells so.
pub(crate) fn endpoint_health(
    endpoint: &mut crate::webhooks::WebhookEndpoint,
    outcome: crate::webhooks::AttemptOutcome,
    at: chrono::DateTime<chrono::Utc>,
    disable_after: std::time::Duration,
) -> Option<relais_events::Event> {
    if outcome == crate::webhooks::AttemptOutcome::Delivered {
        endpoint.failing_since = None;
        return None;
    }
    let since = *endpoint.failing_since.get_or_insert(at);
    if endpoint.enabled && relais_events::should_disable(since, at, disable_after) {
        endpoint.enabled = false;
        // The query may hold the receiver's token: the event goes to other
        // endpoints and into mails without it.
        let shown = endpoint.url.split(['?', '#']).next().unwrap_or_default();
        let event =
            relais_events::endpoint_disabled(endpoint.company_id, endpoint.id, shown, since, at);
        endpoint.disabled_reason = event.data["reason"].as_str().map(str::to_owned);
        return Some(event);
    }
    None
}

/// A stored event as an alert digest reads it (its kind, time and body).
pub(crate) fn alert_event(
    kind: &str,
    at: &str,
    body: &str,
) -> Result<relais_events::AlertEvent, StoreError> {
    const T: &str = "events";
    let body: serde_json::Value = from_json(T, body)?;
    Ok(relais_events::AlertEvent {
        kind: relais_events::EventKind::parse(kind).map_err(|e| corrupt(T, e))?,
        at: crate::sqlite::parse_timestamp(T, at)?,
        data: body["data"].clone(),
    })
}

/// Deleting events older than `{before}` (the placeholder is the dialect's
/// parameter): delivered and given-up deliveries first (their attempts go
/// with them), then alerts, then the events no delivery waits for.
pub(crate) const PURGE_EVENTS: [&str; 3] = [
    "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND event_id IN (SELECT id FROM events WHERE at < {before})",
    "DELETE FROM alerts WHERE at < {before}",
    "DELETE FROM events WHERE at < {before} AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = events.id)",
];
