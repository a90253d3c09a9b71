//! `/api/credentials`: API credentials of the caller's company (the *edit*
//! right is needed for all of it).

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use relais_access::ApiPermission;
use relais_app::{Caller, CredentialChange, CredentialInput, CredentialView, CredentialWithSecret};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::{JsonBody, Problem, Shared, blocking};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/credentials", get(list).post(create))
        .route(
            "/api/credentials/{client_id}",
            get(show).patch(update).delete(revoke),
        )
        .route("/api/credentials/{client_id}/rotate", post(rotate))
        .route("/api/credentials/{client_id}/revoke", post(revoke))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    #[serde(default)]
    integration: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    readable_attributes: Option<BTreeSet<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    readable_attributes: Option<BTreeSet<String>>,
}

fn scopes(list: &[String]) -> Result<BTreeSet<ApiPermission>, Problem> {
    list.iter()
        .map(|s| {
            s.parse::<ApiPermission>()
                .map_err(|e| Problem::bad_request(e.to_string()))
        })
        .collect()
}

async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<CredentialView>>, Problem> {
    blocking(&s.app, move |app| {
        app.credentials(Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

async fn create(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<CredentialWithSecret>), Problem> {
    let input = CredentialInput {
        name: body.name,
        integration: body.integration,
        scopes: scopes(&body.scopes)?,
        readable_attributes: body.readable_attributes,
    };
    let created = blocking(&s.app, move |app| {
        app.create_credential(Caller::User(&actor), &actor.company, input)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn show(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CredentialView>, Problem> {
    blocking(&s.app, move |app| {
        app.credential(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

async fn update(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<CredentialView>, Problem> {
    let change = CredentialChange {
        name: body.name,
        scopes: body.scopes.as_deref().map(scopes).transpose()?,
        readable_attributes: body.readable_attributes,
    };
    blocking(&s.app, move |app| {
        app.update_credential(Caller::User(&actor), &actor.company, &id, change)
    })
    .await
    .map(Json)
}

async fn rotate(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CredentialWithSecret>, Problem> {
    blocking(&s.app, move |app| {
        app.rotate_credential(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

async fn revoke(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CredentialView>, Problem> {
    blocking(&s.app, move |app| {
        app.revoke_credential(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}
