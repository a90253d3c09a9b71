//! `/api/connections`, `/api/demo-requests`, `/api/integration-requests`.
//! Reading needs the *view* right, changing needs *edit*; the app checks.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use relais_app::{Caller, ConnectionChange, ConnectionView};
use relais_connections::{AuditEvent, DemoRequest, IntegrationRequest};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth::Authenticated;
use crate::{JsonBody, Problem, Shared, blocking};

/// The statuses a connection list can be filtered by.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ConnectionStatus {
    /// Started, not complete.
    Pending,
    /// Active: may exchange data.
    Connected,
    /// Was connected, now stopped.
    Inactive,
    /// Removed; only its history remains.
    Disconnected,
}

impl ConnectionStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Connected => "connected",
            Self::Inactive => "inactive",
            Self::Disconnected => "disconnected",
        }
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/connections", get(list).post(start))
        .route("/api/connections/{id}", get(show).delete(disconnect))
        .route("/api/connections/{id}/wizard/complete", post(complete))
        .route("/api/connections/{id}/wizard/{step}", post(step))
        .route("/api/connections/{id}/deactivate", post(deactivate))
        .route("/api/connections/{id}/reactivate", post(reactivate))
        .route("/api/connections/{id}/pause", post(pause))
        .route("/api/connections/{id}/resume", post(resume))
        .route("/api/connections/{id}/events", get(events))
        .route("/api/demo-requests", get(demo_requests).post(request_demo))
        .route(
            "/api/integration-requests",
            get(integration_requests).post(request_integration),
        )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    status: Option<ConnectionStatus>,
}

#[utoipa::path(
    get, path = "/api/connections", tag = "Connections", operation_id = "listConnections",
    description = "The company's connections (\"Connected integrations\"). Disconnected ones are listed only when asked for with `status=disconnected`.",
    params(("status" = inline(Option<ConnectionStatus>), Query, description = "Only connections with this status")),
    responses(
        (status = 200, description = "The connections", body = Vec<ConnectionView>),
        (status = 400, description = "An unknown parameter or status", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ConnectionView>>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    blocking(&s.app, move |app| {
        app.connections(
            Caller::User(&actor),
            &actor.company,
            query.status.map(ConnectionStatus::as_str),
        )
    })
    .await
    .map(Json)
}

/// `POST /api/connections`: the integration to connect.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ConnectionStart, example = json!({"integration": "datev-payroll"}))]
#[serde(deny_unknown_fields)]
pub(crate) struct StartBody {
    /// The catalog integration's slug, e.g. `slack`.
    integration: String,
}

#[utoipa::path(
    post, path = "/api/connections", tag = "Connections", operation_id = "startConnection",
    description = "Starts connecting an integration: a Pending connection whose setup wizard is open. Needs the *edit* right.",
    request_body = StartBody,
    responses(
        (status = 201, description = "The new connection, Pending with its wizard in progress", body = ConnectionView, links(
            ("get" = (operation_id = "getConnection", parameters(("id" = "$response.body#/id")))),
            ("nextStep" = (operation_id = "submitWizardStep", parameters(("id" = "$response.body#/id"), ("step" = "$response.body#/wizard/next_step")))),
            ("events" = (operation_id = "listConnectionEvents", parameters(("id" = "$response.body#/id")))),
            ("syncRuns" = (operation_id = "listSyncRuns", parameters(("id" = "$response.body#/id")))),
            ("complete" = (operation_id = "completeWizard", parameters(("id" = "$response.body#/id")))),
            ("deactivate" = (operation_id = "deactivateConnection", parameters(("id" = "$response.body#/id")))),
            ("reactivate" = (operation_id = "reactivateConnection", parameters(("id" = "$response.body#/id")))),
            ("disconnect" = (operation_id = "disconnectConnection", parameters(("id" = "$response.body#/id")))),
            ("syncNow" = (operation_id = "syncNow", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "The body is not valid, or the integration is not in the catalog", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The company has a live connection of this integration already", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The integration's wizard asks for secrets and this Relais runs without RELAIS_SECRET_KEY: the operator's to fix", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn start(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<StartBody>,
) -> Result<(StatusCode, Json<ConnectionView>), Problem> {
    let view = blocking(&s.app, move |app| {
        app.start_connection(Caller::User(&actor), &actor.company, &body.integration)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    get, path = "/api/connections/{id}", tag = "Connections", operation_id = "getConnection",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    responses(
        (status = 200, description = "The connection, with its wizard's answers (secrets masked)", body = ConnectionView),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn show(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ConnectionView>, Problem> {
    blocking(&s.app, move |app| {
        app.connection(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/connections/{id}/wizard/{step}", tag = "Connections", operation_id = "submitWizardStep",
    description = "Answers one step of the setup wizard; answering a step again replaces its answers. Secret answers are stored encrypted and never shown again. Needs the *edit* right.",
    params(
        ("id" = String, Path, description = "The connection's id", format = Uuid),
        ("step" = String, Path, description = "The step's id, from the integration's wizard in the catalog"),
    ),
    request_body(content = Object, description = "The answers by field key: text, url, secret and select fields take a string (a select one of its options' values), checkboxes `true` or `false`; `null` or an empty string leaves an optional field unanswered"),
    responses(
        (status = 200, description = "The connection with the step answered", body = ConnectionView),
        (status = 400, description = "The body is not a JSON object, the step is unknown or comes before an unanswered one, or fields are wrong (each is listed in `errors`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The wizard is not open (the connection is past it), or the integration left the catalog", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "A secret answer and no usable RELAIS_SECRET_KEY: the operator's to fix", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn step(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path((id, step)): Path<(String, String)>,
    JsonBody(answers): JsonBody<Map<String, Value>>,
) -> Result<Json<ConnectionView>, Problem> {
    blocking(&s.app, move |app| {
        app.submit_wizard_step(Caller::User(&actor), &actor.company, &id, &step, &answers)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/connections/{id}/wizard/complete", tag = "Connections", operation_id = "completeWizard",
    description = "Finishes the setup wizard: the connection is Connected, or stays Pending until the partner activates it. An integration that needs API access gets a credential with the scopes its catalog entry lists; a partner integration's is handed out here, once. Needs the *edit* right.",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    responses(
        (status = 200, description = "The connection after the change, and for partner integrations the credential to hand to the partner", body = ConnectionChange),
        (status = 400, description = "A step is still unanswered", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The connection is not in its wizard, or the integration left the catalog", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn complete(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ConnectionChange>, Problem> {
    blocking(&s.app, move |app| {
        app.complete_wizard(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

/// `POST /api/connections/{id}/deactivate`: why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ConnectionDeactivation, example = json!({"reason": "Payroll moves to another provider"}))]
#[serde(deny_unknown_fields)]
pub(crate) struct DeactivateBody {
    /// Why the connection stops, for the audit trail (1 to 2,000 characters).
    reason: String,
}

#[utoipa::path(
    post, path = "/api/connections/{id}/deactivate", tag = "Connections", operation_id = "deactivateConnection",
    description = "Stops a Connected connection (Inactive, with the reason given). Needs the *edit* right.",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    request_body = DeactivateBody,
    responses(
        (status = 200, description = "The connection, Inactive", body = ConnectionView),
        (status = 400, description = "The body is not valid, or the reason is empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The connection is not Connected", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn deactivate(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DeactivateBody>,
) -> Result<Json<ConnectionView>, Problem> {
    blocking(&s.app, move |app| {
        app.deactivate_connection(Caller::User(&actor), &actor.company, &id, &body.reason)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/connections/{id}/pause", tag = "Connections", operation_id = "pauseConnection",
    description = "Pauses the schedule of a connection Relais runs (SCIM provisioning): no scheduled cycle runs until it is resumed; \"Sync now\" still does. Pausing a paused connection changes nothing. Recorded in the audit trail. Needs the *edit* right.",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    responses(
        (status = 200, description = "The connection, paused", body = ConnectionView),
        (status = 400, description = "Relais does not run this connection on a schedule, or it is disconnected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn pause(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ConnectionView>, Problem> {
    blocking(&s.app, move |app| {
        app.set_schedule_paused(Caller::User(&actor), &actor.company, &id, true)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/connections/{id}/resume", tag = "Connections", operation_id = "resumeConnection",
    description = "Resumes a paused schedule: the next cycle is due as if it had never been paused. Needs the *edit* right.",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    responses(
        (status = 200, description = "The connection, resumed", body = ConnectionView),
        (status = 400, description = "Relais does not run this connection on a schedule, or it is disconnected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn resume(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ConnectionView>, Problem> {
    blocking(&s.app, move |app| {
        app.set_schedule_paused(Caller::User(&actor), &actor.company, &id, false)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/connections/{id}/reactivate", tag = "Connections", operation_id = "reactivateConnection",
    description = "Connects an Inactive connection again. Its old credential is revoked and a new one issued (handed out once, for partner integrations). Needs the *edit* right.",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    responses(
        (status = 200, description = "The connection after the change, and for partner integrations the new credential", body = ConnectionChange),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The connection is not Inactive, or the integration left the catalog", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn reactivate(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ConnectionChange>, Problem> {
    blocking(&s.app, move |app| {
        app.reactivate_connection(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    delete, path = "/api/connections/{id}", tag = "Connections", operation_id = "disconnectConnection",
    description = "Disconnects (removes) a connection: its credential is revoked; the connection stays readable, Disconnected, with its history. Needs the *edit* right.",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    responses(
        (status = 200, description = "The connection, Disconnected", body = ConnectionView),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The connection is disconnected already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn disconnect(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ConnectionView>, Problem> {
    blocking(&s.app, move |app| {
        app.disconnect(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    get, path = "/api/connections/{id}/events", tag = "Connections", operation_id = "listConnectionEvents",
    params(("id" = String, Path, description = "The connection's id", format = Uuid)),
    responses(
        (status = 200, description = "The connection's audit trail, oldest first", body = Vec<AuditEvent>),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn events(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<AuditEvent>>, Problem> {
    blocking(&s.app, move |app| {
        app.connection_events(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DemoQuery {
    integration: Option<String>,
}

#[utoipa::path(
    get, path = "/api/demo-requests", tag = "Requests", operation_id = "listDemoRequests",
    params(("integration" = Option<String>, Query, description = "Only requests for this integration (slug)")),
    responses(
        (status = 200, description = "The company's demo requests", body = Vec<DemoRequest>),
        (status = 400, description = "An unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn demo_requests(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<DemoQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<DemoRequest>>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    blocking(&s.app, move |app| {
        app.demo_requests(Caller::User(&actor), None, query.integration.as_deref())
    })
    .await
    .map(Json)
}

/// `POST /api/demo-requests`: a demo of an integration that offers one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = DemoRequestInput, example = json!({"integration": "egym-wellpass", "message": "A demo for our works council, please"}))]
#[serde(deny_unknown_fields)]
pub(crate) struct DemoBody {
    /// The integration's slug.
    integration: String,
    /// For the vendor (at most 2,000 characters).
    #[serde(default)]
    message: String,
}

#[utoipa::path(
    post, path = "/api/demo-requests", tag = "Requests", operation_id = "requestDemo",
    description = "Requests a demo of an integration that offers one. Needs the *edit* right.",
    request_body = DemoBody,
    responses(
        (status = 201, description = "The request", body = DemoRequest),
        (status = 400, description = "The body is not valid, the integration is unknown or offers no demo, or the message is too long", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn request_demo(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<DemoBody>,
) -> Result<(StatusCode, Json<DemoRequest>), Problem> {
    let request = blocking(&s.app, move |app| {
        app.request_demo(
            Caller::User(&actor),
            &actor.company,
            &body.integration,
            &body.message,
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(request)))
}

#[utoipa::path(
    get, path = "/api/integration-requests", tag = "Requests", operation_id = "listIntegrationRequests",
    responses(
        (status = 200, description = "The company's requests for integrations missing from the catalog, most requested first", body = Vec<IntegrationRequest>),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn integration_requests(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<IntegrationRequest>>, Problem> {
    blocking(&s.app, move |app| {
        app.integration_requests(Caller::User(&actor), None)
    })
    .await
    .map(Json)
}

/// `POST /api/integration-requests`: an integration the catalog lacks.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = IntegrationRequestInput, example = json!({"name": "Hibob", "website": "https://www.hibob.com", "use_case": "Import employees from our former HRIS"}))]
#[serde(deny_unknown_fields)]
pub(crate) struct IntegrationRequestBody {
    /// The tool's name (1 to 200 characters, with letters or digits).
    name: String,
    /// The tool's website (http or https).
    #[serde(default)]
    website: Option<String>,
    /// What the integration is for (1 to 2,000 characters).
    use_case: String,
}

#[utoipa::path(
    post, path = "/api/integration-requests", tag = "Requests", operation_id = "requestIntegration",
    description = "Requests an integration the catalog lacks; requests of the same name (ignoring case, accents and punctuation) are merged and counted. Needs the *edit* right.",
    request_body = IntegrationRequestBody,
    responses(
        (status = 201, description = "The merged request", body = IntegrationRequest),
        (status = 400, description = "The body is not valid: an empty or too long name or use case, or a website that is not an http or https URL", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The catalog has this integration", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn request_integration(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<IntegrationRequestBody>,
) -> Result<(StatusCode, Json<IntegrationRequest>), Problem> {
    let request = blocking(&s.app, move |app| {
        app.request_integration(
            Caller::User(&actor),
            &actor.company,
            &body.name,
            body.website.as_deref(),
            &body.use_case,
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(request)))
}
