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

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/connections", get(list).post(start))
        .route("/api/connections/{id}", get(show).delete(disconnect))
        .route("/api/connections/{id}/wizard/complete", post(complete))
        .route("/api/connections/{id}/wizard/{step}", post(step))
        .route("/api/connections/{id}/deactivate", post(deactivate))
        .route("/api/connections/{id}/reactivate", post(reactivate))
        .route("/api/connections/{id}/events", get(events))
        .route("/api/demo-requests", get(demo_requests).post(request_demo))
        .route(
            "/api/integration-requests",
            get(integration_requests).post(request_integration),
        )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
}

async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ConnectionView>>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    blocking(&s.app, move |app| {
        app.connections(
            Caller::User(&actor),
            &actor.company,
            query.status.as_deref(),
        )
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    integration: String,
}

async fn start(
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

async fn show(
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

async fn step(
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

async fn complete(
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeactivateBody {
    reason: String,
}

async fn deactivate(
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

async fn reactivate(
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

async fn disconnect(
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

async fn events(
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
struct DemoQuery {
    integration: Option<String>,
}

async fn demo_requests(
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoBody {
    integration: String,
    #[serde(default)]
    message: String,
}

async fn request_demo(
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

async fn integration_requests(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<IntegrationRequest>>, Problem> {
    blocking(&s.app, move |app| {
        app.integration_requests(Caller::User(&actor), None)
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntegrationRequestBody {
    name: String,
    #[serde(default)]
    website: Option<String>,
    use_case: String,
}

async fn request_integration(
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
