//! Sync tracking routes ("Tracking" tab), "sync now", partner-reported runs,
//! and the scheduler.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use relais_app::sync::{ReportedEntry, execute_scim_job};
use relais_app::{App, AppError, Caller, ErrorKind};
use relais_store::{EntryFilter, StoredEntry, Window};
use relais_sync::{Cycle, EntryStatus, RunError, RunStatus, SyncRun, Trigger, UseCase};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::{PageOf, Problem, Shared, blocking, page_of};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/connections/{id}/sync-runs", get(runs))
        .route("/api/connections/{id}/sync", post(sync_now))
        .route(
            "/api/connections/{id}/employees/{employee}/provision",
            post(provision),
        )
        .route(
            "/api/connections/{id}/employees/{employee}/sync-entries",
            get(employee_entries),
        )
        .route("/api/sync-runs/{id}", get(run))
        .route("/api/sync-runs/{id}/entries", get(entries))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
    status: Option<String>,
    use_case: Option<UseCase>,
    employee: Option<i64>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl PageQuery {
    fn window(&self) -> Result<Window, Problem> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if per_page == 0 || per_page > 500 {
            return Err(Problem::bad_request("per_page must be 1 to 500".into()));
        }
        Window::page(page, per_page).ok_or_else(|| {
            Problem::bad_request(format!(
                "page must be 1 or more, and page × per_page within any list; got page {page}"
            ))
        })
    }
}

type Q = Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>;

fn query(q: Q) -> Result<PageQuery, Problem> {
    q.map(|Query(q)| q)
        .map_err(|e| Problem::bad_request(e.body_text()))
}

fn run_status(text: &str) -> Result<RunStatus, Problem> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        Problem::bad_request(format!(
            "status '{text}' is not one of running, completed, partially_completed, failed"
        ))
    })
}

#[utoipa::path(
    get, path = "/api/connections/{id}/sync-runs", tag = "Sync tracking", operation_id = "listSyncRuns",
    description = "A connection's sync runs (the Tracking tab), newest first.",
    params(
        ("id" = String, Path, description = "The connection's id", format = Uuid),
        ("page" = Option<u64>, Query, description = "Page number, from 1 (default 1)", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "Page size, 1 to 500 (default 50)", minimum = 1, maximum = 500),
        ("status" = Option<RunStatus>, Query, description = "Only runs with this status"),
        ("from" = Option<DateTime<Utc>>, Query, description = "Only runs started at or after (RFC 3339)"),
        ("to" = Option<DateTime<Utc>>, Query, description = "Only runs started at or before (RFC 3339)"),
    ),
    responses(
        (status = 200, description = "One page of runs", body = PageOf<SyncRun>),
        (status = 400, description = "An unknown parameter or a value that does not parse, a page of 0, a page size outside 1 to 500, or a page beyond any list", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn runs(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    q: Q,
) -> Result<Json<PageOf<SyncRun>>, Problem> {
    let q = query(q)?;
    let window = q.window()?;
    let status = q.status.as_deref().map(run_status).transpose()?;
    let paged = blocking(&s.app, move |app| {
        app.sync_runs(
            Caller::User(&actor),
            &actor.company,
            &id,
            status,
            q.from,
            q.to,
            window,
        )
    })
    .await?;
    Ok(Json(page_of(paged, window)))
}

#[utoipa::path(
    get, path = "/api/sync-runs/{id}", tag = "Sync tracking", operation_id = "getSyncRun",
    params(("id" = String, Path, description = "The run's id", format = Uuid)),
    responses(
        (status = 200, description = "The run with its counts", body = SyncRun),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn run(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<SyncRun>, Problem> {
    blocking(&s.app, move |app| {
        app.sync_run(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    get, path = "/api/sync-runs/{id}/entries", tag = "Sync tracking", operation_id = "listSyncEntries",
    description = "A run's entries (\"Show details\"): one per employee the run touched.",
    params(
        ("id" = String, Path, description = "The run's id", format = Uuid),
        ("page" = Option<u64>, Query, description = "Page number, from 1 (default 1)", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "Page size, 1 to 500 (default 50)", minimum = 1, maximum = 500),
        ("status" = Option<EntryStatus>, Query, description = "Only entries with this outcome"),
        ("use_case" = Option<UseCase>, Query, description = "Only entries of this operation"),
        ("employee" = Option<i64>, Query, description = "Only this employee's entries"),
    ),
    responses(
        (status = 200, description = "One page of entries", body = PageOf<StoredEntry>),
        (status = 400, description = "An unknown parameter or a value that does not parse, a page of 0, a page size outside 1 to 500, or a page beyond any list", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn entries(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    q: Q,
) -> Result<Json<PageOf<StoredEntry>>, Problem> {
    let q = query(q)?;
    let window = q.window()?;
    let status =
        q.status
            .as_deref()
            .map(|t| {
                serde_json::from_value::<EntryStatus>(serde_json::Value::String(t.to_owned()))
                    .map_err(|_| {
                        Problem::bad_request(format!(
                            "status '{t}' is not one of success, failed, skipped"
                        ))
                    })
            })
            .transpose()?;
    let filter = EntryFilter {
        status,
        use_case: q.use_case,
        employee_id: q.employee,
        ..EntryFilter::default()
    };
    let paged = blocking(&s.app, move |app| {
        app.sync_entries(Caller::User(&actor), &actor.company, &id, &filter, window)
    })
    .await?;
    Ok(Json(page_of(paged, window)))
}

#[utoipa::path(
    get, path = "/api/connections/{id}/employees/{employee}/sync-entries", tag = "Sync tracking", operation_id = "listEmployeeSyncEntries",
    description = "One employee's entries across a connection's runs, newest first.",
    params(
        ("id" = String, Path, description = "The connection's id", format = Uuid),
        ("employee" = i64, Path, description = "The employee's id"),
        ("page" = Option<u64>, Query, description = "Page number, from 1 (default 1)", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "Page size, 1 to 500 (default 50)", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "One page of entries", body = PageOf<StoredEntry>),
        (status = 400, description = "An employee id that is not a number, an unknown parameter, or a bad page", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn employee_entries(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path((id, employee)): Path<(String, i64)>,
    q: Q,
) -> Result<Json<PageOf<StoredEntry>>, Problem> {
    let window = query(q)?.window()?;
    let paged = blocking(&s.app, move |app| {
        app.employee_sync_entries(Caller::User(&actor), &actor.company, &id, employee, window)
    })
    .await?;
    Ok(Json(page_of(paged, window)))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncNowQuery {
    #[serde(default)]
    full: bool,
}

/// `POST /api/connections/{id}/sync[?full=true]`: starts a cycle now; 202 with the run.
#[utoipa::path(
    post, path = "/api/connections/{id}/sync", tag = "Sync tracking", operation_id = "syncNow",
    description = "\"Sync now\": starts a cycle of a Connected connection whose syncs Relais runs (SCIM provisioning) and answers at once; follow the run in the Tracking tab. Needs the *edit* right.",
    params(
        ("id" = String, Path, description = "The connection's id", format = Uuid),
        ("full" = Option<bool>, Query, description = "A full cycle, compared with the target itself, instead of the changes since the last successful one"),
    ),
    responses(
        (status = 202, description = "The run, started (Running)", body = SyncRun, links(
            ("run" = (operation_id = "getSyncRun", parameters(("id" = "$response.body#/id")))),
            ("entries" = (operation_id = "listSyncEntries", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "An unknown parameter, or the connection lacks an answer it needs", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The connection is not Connected, Relais does not run its syncs, or a run is under way", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The connection's secret cannot be opened (no or another RELAIS_SECRET_KEY): the operator's to fix", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn sync_now(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    q: Result<Query<SyncNowQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(StatusCode, Json<SyncRun>), Problem> {
    let Query(q) = q.map_err(|e| Problem::bad_request(e.body_text()))?;
    let job = blocking(&s.app, move |app| {
        app.prepare_scim_cycle(
            Caller::User(&actor),
            &actor.company,
            &id,
            Trigger::Manual,
            q.full,
        )
    })
    .await?;
    let run = job.run.clone();
    let app = Arc::clone(&s.app);
    tokio::spawn(async move {
        if let Err(e) = execute_scim_job(app, job).await {
            tracing::error!(error = %e, "manual sync failed to store its outcome");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(run)))
}

/// Runs due SCIM cycles every `tick`, closes runs that stopped
/// heartbeating, and purges old entries once a day. Runs left Running by a
/// previous process are closed as Failed first.
pub(crate) fn spawn_scheduler(
    app: Arc<App>,
    tick: Duration,
    retention_days: u32,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let a = Arc::clone(&app);
        match relais_app::spawn_blocking(move || a.close_interrupted_runs(true)).await {
            Ok(Ok(n)) if n > 0 => tracing::warn!(runs = n, "closed runs interrupted by a restart"),
            Ok(Err(e)) => tracing::error!(error = %e, "cannot close interrupted runs"),
            _ => {}
        }
        let mut interval = tokio::time::interval(tick);
        let mut last_purge = None;
        loop {
            interval.tick().await;
            let a = Arc::clone(&app);
            let today = Utc::now().date_naive();
            let purge = last_purge != Some(today);
            let due = relais_app::spawn_blocking(move || {
                let _ = a.close_interrupted_runs(false);
                if purge {
                    match a.purge_sync_entries(retention_days) {
                        Ok(n) if n > 0 => {
                            tracing::info!(entries = n, retention_days, "old sync entries purged")
                        }
                        Err(e) => tracing::error!(error = %e, "purge failed"),
                        _ => {}
                    }
                }
                a.due_scim_connections()
            })
            .await;
            last_purge = Some(today);
            let Ok(Ok(due)) = due else { continue };
            for (company, connection) in due {
                let app = Arc::clone(&app);
                tokio::spawn(async move {
                    match relais_app::sync::run_scim_sync(
                        app,
                        None,
                        company,
                        connection.clone(),
                        Trigger::Scheduled,
                        false,
                    )
                    .await
                    {
                        Ok(run) => {
                            tracing::info!(%connection, status = ?run.status, "scheduled sync finished")
                        }
                        Err(e) if e.kind() == ErrorKind::Conflict => {
                            tracing::debug!(%connection, error = %e, "scheduled sync skipped")
                        }
                        Err(e) => {
                            tracing::error!(%connection, error = %e, "scheduled sync could not start")
                        }
                    }
                });
            }
        }
    })
}

// ----- Partner-reported runs (/v1/sync/...) --------------------------------

/// `POST /v1/sync/runs` (and `/api/connections/{id}/sync`): an empty body is an incremental cycle.
#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StartBody {
    /// `full` or `incremental` (default).
    #[serde(default)]
    cycle: Option<Cycle>,
}

/// `POST /v1/sync/runs/{id}/entries`: 1 to 1,000 entries.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntriesBody {
    /// The entries.
    entries: Vec<ReportedEntry>,
}

/// `POST /v1/sync/runs/{id}/finish`: with `error`, the whole run failed.
#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FinishBody {
    /// Why the whole run failed.
    #[serde(default)]
    error: Option<RunError>,
}

pub(crate) fn parse_body<T: serde::de::DeserializeOwned + Default>(
    body: &[u8],
) -> Result<T, AppError> {
    // No body, or `null`, is the default: partners send either.
    if body.iter().all(u8::is_ascii_whitespace) || body.trim_ascii() == b"null" {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| AppError::new(ErrorKind::Invalid, format!("body: {e}")))
}

pub(crate) fn parse_entries(body: &[u8]) -> Result<EntriesBody, AppError> {
    serde_json::from_slice(body)
        .map_err(|e| AppError::new(ErrorKind::Invalid, format!("body: {e}")))
}

impl StartBody {
    pub(crate) fn cycle(&self) -> Cycle {
        self.cycle.unwrap_or(Cycle::Incremental)
    }
}

impl EntriesBody {
    pub(crate) fn into_entries(self) -> Vec<relais_sync::SyncEntry> {
        self.entries.into_iter().map(Into::into).collect()
    }
}

impl FinishBody {
    pub(crate) fn into_error(self) -> Option<RunError> {
        self.error
    }
}

// ----- Provisioning one employee on demand ---------------------------------

/// `POST /api/connections/{id}/employees/{employee}/provision`: runs the
/// SCIM cycle for one employee now and answers with what it did.
#[utoipa::path(
    post, path = "/api/connections/{id}/employees/{employee}/provision", tag = "Sync tracking", operation_id = "provisionEmployee",
    description = "Provisioning on demand: runs the SCIM cycle of a Connected SCIM connection for one employee now, as a run of its own (trigger `on_demand`), and answers when it is done (within 60 seconds) with the run and its entries: the employee matched and linked, created, updated, deprovisioned, or skipped, each with a message saying what and why. Nothing is done to any other employee or target user; `manager` is set from the links that exist. Needs the *edit* right.",
    params(
        ("id" = String, Path, description = "The connection's id", format = Uuid),
        ("employee" = i64, Path, description = "The employee's id"),
    ),
    responses(
        (status = 200, description = "The run, finished, and the steps taken (the run's entries); a target that failed gives a Failed run with its error", body = relais_app::sync::Provisioned, links(
            ("run" = (operation_id = "getSyncRun", parameters(("id" = "$response.body#/run/id")))),
            ("entries" = (operation_id = "listSyncEntries", parameters(("id" = "$response.body#/run/id")))),
        )),
        (status = 400, description = "An employee id that is not a number, or the connection lacks an answer it needs", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection or employee in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The connection is not Connected, it is not a SCIM connection (Relais does not run its syncs), or a run is under way", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The connection's secret cannot be opened (no or another RELAIS_SECRET_KEY): the operator's to fix", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn provision(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path((id, employee)): Path<(String, i64)>,
) -> Result<Json<relais_app::sync::Provisioned>, Problem> {
    let company = actor.company.clone();
    relais_app::sync::provision_employee(Arc::clone(&s.app), Some(actor), company, id, employee)
        .await
        .map(Json)
        .map_err(Problem::from)
}
