//! `/api/webhooks`: the company's webhook endpoints, their delivery log and
//! redelivery (the *edit* right is needed for all of it), and the loop that
//! delivers due events.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use relais_app::webhooks::{
    DeliveryPage, DeliveryView, WebhookInput, WebhookView, WebhookWithSecret,
};
use relais_app::{App, Caller};
use serde::{Deserialize, Serialize};

use crate::auth::Authenticated;
use crate::{JsonBody, Problem, Shared, blocking};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/webhooks", get(list).post(create))
        .route("/api/webhooks/event-types", get(event_types))
        .route("/api/webhooks/{id}", get(show).patch(update).delete(delete))
        .route("/api/webhooks/{id}/rotate-secret", post(rotate_secret))
        .route("/api/webhooks/{id}/deliveries", get(deliveries))
        .route("/api/webhook-deliveries/{id}", get(delivery))
        .route("/api/webhook-deliveries/{id}/redeliver", post(redeliver))
}

/// Starts the delivery loop: every second (at once again after a full
/// batch), claims the due deliveries and attempts them. Several replicas
/// may run it on one database: a delivery is claimed by one at a time.
///
/// # Errors
/// None at start; a failing round is logged and the loop goes on.
pub fn spawn_deliveries(app: Arc<App>) -> Result<(), relais_egress::EgressError> {
    deliveries_loop(app).map(drop)
}

/// The delivery loop of [`spawn_deliveries`], as a task.
pub(crate) fn deliveries_loop(
    app: Arc<App>,
) -> Result<tokio::task::JoinHandle<()>, relais_egress::EgressError> {
    let client = app
        .egress_policy()
        .client(relais_app::webhooks::ATTEMPT_TIMEOUT)?;
    let task = tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            loop {
                match app.deliver_due_webhooks(&client).await {
                    Ok(n) if n >= 8 => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "webhook deliveries could not be claimed");
                        break;
                    }
                }
            }
        }
    });
    Ok(task)
}

/// `POST /api/webhooks`: a new endpoint.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookCreate, example = json!({"url": "https://hooks.example.com/relais", "description": "On-call alerts", "events": ["sync_run.finished", "connection.disabled"]}))]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateBody {
    /// Where deliveries go: `https://…` (or `http://`); at most 2,048
    /// characters; a host Relais may call (no loopback, private or
    /// link-local address unless the operator allows it).
    url: String,
    /// What it is for (at most 2,000 characters).
    #[serde(default)]
    description: Option<String>,
    /// The event types it receives, at least one (see
    /// `GET /api/webhooks/event-types`).
    events: Vec<String>,
    /// Whether deliveries are made (default true).
    #[serde(default)]
    enabled: Option<bool>,
}

/// `PATCH /api/webhooks/{id}`: what to change; what is left out stays.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookUpdate, example = json!({"enabled": true}))]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateBody {
    /// A new URL (as when creating).
    #[serde(default)]
    url: Option<String>,
    /// A new description.
    #[serde(default)]
    description: Option<String>,
    /// New event types, replacing the old ones.
    #[serde(default)]
    events: Option<Vec<String>>,
    /// Enable or disable; enabling a disabled endpoint clears its failure
    /// record and resumes its pending deliveries.
    #[serde(default)]
    enabled: Option<bool>,
}

/// An event type Relais sends.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct EventType {
    /// The `type` of the payload.
    name: &'static str,
    /// Whether it is also an alert to the company's admins.
    alert: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

const R401: &str = "No personal access token, or one that is not valid";
const R403: &str = "The token's user lacks the *edit* right";

#[utoipa::path(
    get, path = "/api/webhooks/event-types", tag = "Webhooks", operation_id = "listWebhookEventTypes",
    description = "Every event type an endpoint may subscribe to.",
    responses(
        (status = 200, description = "The event types", body = Vec<EventType>),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn event_types(Authenticated(_actor): Authenticated) -> Json<Vec<EventType>> {
    Json(
        relais_events::EventKind::ALL
            .iter()
            .map(|k| EventType {
                name: k.name(),
                alert: k.is_alert(),
            })
            .collect(),
    )
}

#[utoipa::path(
    get, path = "/api/webhooks", tag = "Webhooks", operation_id = "listWebhooks",
    description = "The company's webhook endpoints, oldest first, never their secrets. Needs the *edit* right.",
    responses(
        (status = 200, description = "The endpoints", body = Vec<WebhookView>),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<WebhookView>>, Problem> {
    blocking(&s.app, move |app| {
        app.webhooks(Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/webhooks", tag = "Webhooks", operation_id = "createWebhook",
    description = "Adds a webhook endpoint. Deliveries follow the Standard Webhooks specification: headers `webhook-id` (the same on every retry), `webhook-timestamp` and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` with the secret's bytes). The secret (`whsec_…`) is in this answer only. Needs the *edit* right.",
    request_body = CreateBody,
    responses(
        (status = 201, description = "The endpoint with its signing secret, shown this once", body = WebhookWithSecret, links(
            ("get" = (operation_id = "getWebhook", parameters(("id" = "$response.body#/id")))),
            ("update" = (operation_id = "updateWebhook", parameters(("id" = "$response.body#/id")))),
            ("delete" = (operation_id = "deleteWebhook", parameters(("id" = "$response.body#/id")))),
            ("rotate" = (operation_id = "rotateWebhookSecret", parameters(("id" = "$response.body#/id")))),
            ("deliveries" = (operation_id = "listWebhookDeliveries", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "A bad URL or description, an unknown event type, or an address Relais does not call", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The company has 20 endpoints already", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The operator has not set RELAIS_SECRET_KEY, which seals the signing secret", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn create(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<WebhookWithSecret>), Problem> {
    let input = WebhookInput {
        url: Some(body.url),
        description: body.description,
        events: Some(body.events),
        enabled: body.enabled,
    };
    let created = blocking(&s.app, move |app| {
        app.create_webhook(Caller::User(&actor), &actor.company, input)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    get, path = "/api/webhooks/{id}", tag = "Webhooks", operation_id = "getWebhook",
    description = "One endpoint, never its secret. Needs the *edit* right.",
    params(("id" = String, Path, description = "The endpoint's id", format = Uuid)),
    responses(
        (status = 200, description = "The endpoint", body = WebhookView),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn show(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<WebhookView>, Problem> {
    blocking(&s.app, move |app| {
        app.webhook(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    patch, path = "/api/webhooks/{id}", tag = "Webhooks", operation_id = "updateWebhook",
    description = "Changes an endpoint's URL, description, event types, or enables / disables it. Needs the *edit* right.",
    params(("id" = String, Path, description = "The endpoint's id", format = Uuid)),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The endpoint after the change", body = WebhookView),
        (status = 400, description = "A bad URL or description, an unknown event type, or an address Relais does not call", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint was changed meanwhile; read it again", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn update(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<WebhookView>, Problem> {
    let change = WebhookInput {
        url: body.url,
        description: body.description,
        events: body.events,
        enabled: body.enabled,
    };
    blocking(&s.app, move |app| {
        app.update_webhook(Caller::User(&actor), &actor.company, &id, change)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    delete, path = "/api/webhooks/{id}", tag = "Webhooks", operation_id = "deleteWebhook",
    description = "Removes an endpoint with its delivery log. Needs the *edit* right.",
    params(("id" = String, Path, description = "The endpoint's id", format = Uuid)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn delete(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    blocking(&s.app, move |app| {
        app.delete_webhook(Caller::User(&actor), &actor.company, &id)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/webhooks/{id}/rotate-secret", tag = "Webhooks", operation_id = "rotateWebhookSecret",
    description = "Gives the endpoint a new signing secret, shown this once. For 24 hours deliveries carry two signatures, by the new and by the old secret, so the receiver can switch without losing one. Needs the *edit* right.",
    params(("id" = String, Path, description = "The endpoint's id", format = Uuid)),
    responses(
        (status = 200, description = "The endpoint with its new secret", body = WebhookWithSecret),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint was changed meanwhile; try again", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The operator has not set RELAIS_SECRET_KEY", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn rotate_secret(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<WebhookWithSecret>, Problem> {
    blocking(&s.app, move |app| {
        app.rotate_webhook_secret(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    get, path = "/api/webhooks/{id}/deliveries", tag = "Webhooks", operation_id = "listWebhookDeliveries",
    description = "The endpoint's delivery log, newest first: each event sent to it, where it stands, and its last attempt (status, duration, the start of the answer). Needs the *edit* right.",
    params(
        ("id" = String, Path, description = "The endpoint's id", format = Uuid),
        ("page" = Option<u64>, Query, description = "Page number, from 1 (default 1)", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "Page size, 1 to 200 (default 50)", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "One page of deliveries", body = DeliveryPage),
        (status = 400, description = "An unknown parameter, a page of 0 or a page size outside 1 to 200", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn deliveries(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeliveryPage>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let (page, per_page) = (query.page.unwrap_or(1), query.per_page.unwrap_or(50));
    blocking(&s.app, move |app| {
        app.webhook_deliveries(Caller::User(&actor), &actor.company, &id, page, per_page)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    get, path = "/api/webhook-deliveries/{id}", tag = "Webhooks", operation_id = "getWebhookDelivery",
    description = "One delivery with every attempt. Needs the *edit* right.",
    params(("id" = String, Path, description = "The delivery's id", format = Uuid)),
    responses(
        (status = 200, description = "The delivery", body = DeliveryView),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn delivery(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<DeliveryView>, Problem> {
    blocking(&s.app, move |app| {
        app.webhook_delivery(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/webhook-deliveries/{id}/redeliver", tag = "Webhooks", operation_id = "redeliverWebhook",
    description = "Sends a delivery again now, with the same `webhook-id`, whatever became of it before. Needs the *edit* right.",
    params(("id" = String, Path, description = "The delivery's id", format = Uuid)),
    responses(
        (status = 202, description = "Queued: the delivery, pending", body = DeliveryView),
        (status = 401, description = R401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = R403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The delivery is being attempted right now, or its endpoint is disabled", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn redeliver(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryView>), Problem> {
    let view = blocking(&s.app, move |app| {
        app.redeliver_webhook(Caller::User(&actor), &actor.company, &id)
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
}
