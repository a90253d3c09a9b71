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
            get(show).patch(update).delete(delete),
        )
        .route("/api/credentials/{client_id}/rotate", post(rotate))
        .route("/api/credentials/{client_id}/revoke", post(revoke))
}

/// `POST /api/credentials`: a new API credential.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = CredentialCreate, example = json!({"name": "Payroll export", "scopes": ["employees:read", "absences:read"]}))]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateBody {
    /// What it is for (1 to 200 characters).
    name: String,
    /// The catalog integration it is for (slug); left out or `null` for "Other".
    #[serde(default)]
    integration: Option<String>,
    /// Scopes, `API:read` or `API:write` with API one of recruiting,
    /// custom_reports (or reports.custom), employees, absences, attendances,
    /// documents; Custom Reports is read-only. None: it can read nothing yet.
    #[serde(default)]
    scopes: Vec<String>,
    /// The employee attributes it may read (keys, standard or
    /// `dynamic_<id>`); left out for every standard attribute and no custom one.
    #[serde(default)]
    // A set on the server: a key given twice counts once.
    #[schema(value_type = Option<Vec<String>>)]
    readable_attributes: Option<BTreeSet<String>>,
}

/// `PATCH /api/credentials/{client_id}`: what to change; what is left out stays.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = CredentialUpdate, example = json!({"name": "Payroll export (2027)", "scopes": ["employees:read"]}))]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateBody {
    /// A new name (1 to 200 characters).
    #[serde(default)]
    name: Option<String>,
    /// New scopes, replacing the old ones (as when creating).
    #[serde(default)]
    scopes: Option<Vec<String>>,
    /// New readable attributes, replacing the old ones.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
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

#[utoipa::path(
    get, path = "/api/credentials", tag = "Credentials", operation_id = "listCredentials",
    description = "The company's API credentials, oldest first, never their secrets. Needs the *edit* right.",
    responses(
        (status = 200, description = "The credentials", body = Vec<CredentialView>),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<CredentialView>>, Problem> {
    blocking(&s.app, move |app| {
        app.credentials(Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/credentials", tag = "Credentials", operation_id = "createCredential",
    description = "Creates an API credential for the public API; its secret is in this answer only. Needs the *edit* right.",
    request_body = CreateBody,
    responses(
        (status = 201, description = "The credential with its secret, shown this once", body = CredentialWithSecret, links(
            ("get" = (operation_id = "getCredential", parameters(("client_id" = "$response.body#/client_id")))),
            ("update" = (operation_id = "updateCredential", parameters(("client_id" = "$response.body#/client_id")))),
            ("rotate" = (operation_id = "rotateCredential", parameters(("client_id" = "$response.body#/client_id")))),
            ("revoke" = (operation_id = "revokeCredential", parameters(("client_id" = "$response.body#/client_id")))),
            ("delete" = (operation_id = "deleteCredential", parameters(("client_id" = "$response.body#/client_id")))),
        )),
        (status = 400, description = "The body is not valid: a bad name or scope, an unknown integration or attribute", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn create(
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

#[utoipa::path(
    get, path = "/api/credentials/{client_id}", tag = "Credentials", operation_id = "getCredential",
    description = "One credential, never its secret. Needs the *edit* right.",
    params(("client_id" = String, Path, description = "The credential's public client id (`rlc_…`)")),
    responses(
        (status = 200, description = "The credential", body = CredentialView),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn show(
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

#[utoipa::path(
    patch, path = "/api/credentials/{client_id}", tag = "Credentials", operation_id = "updateCredential",
    description = "Changes a credential's name, scopes or readable attributes; the change applies from the credential's next request. Needs the *edit* right.",
    params(("client_id" = String, Path, description = "The credential's public client id (`rlc_…`)")),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The credential after the change", body = CredentialView),
        (status = 400, description = "The body is not valid: a bad name or scope, an unknown attribute", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The credential is revoked", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn update(
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

#[utoipa::path(
    post, path = "/api/credentials/{client_id}/rotate", tag = "Credentials", operation_id = "rotateCredential",
    description = "Issues a new secret: the old one and every token made with it stop working at once. Needs the *edit* right.",
    params(("client_id" = String, Path, description = "The credential's public client id (`rlc_…`)")),
    responses(
        (status = 200, description = "The credential with its new secret, shown this once", body = CredentialWithSecret),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The credential is revoked", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn rotate(
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

#[utoipa::path(
    post, path = "/api/credentials/{client_id}/revoke", tag = "Credentials", operation_id = "revokeCredential",
    description = "Revokes a credential for good (also `DELETE /api/credentials/{client_id}`): its tokens stop working at once, and a connection using it turns Inactive. Revoking twice is not an error. Needs the *edit* right.",
    params(("client_id" = String, Path, description = "The credential's public client id (`rlc_…`)")),
    responses(
        (status = 200, description = "The credential, revoked", body = CredentialView),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn revoke(
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

#[utoipa::path(
    delete, path = "/api/credentials/{client_id}", tag = "Credentials", operation_id = "deleteCredential",
    description = "Revokes a credential for good, as `POST /api/credentials/{client_id}/revoke` does: the credential stays readable, revoked. Needs the *edit* right.",
    params(("client_id" = String, Path, description = "The credential's public client id (`rlc_…`)")),
    responses(
        (status = 200, description = "The credential, revoked", body = CredentialView),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn delete(
    state: State<Shared>,
    actor: Authenticated,
    id: Path<String>,
) -> Result<Json<CredentialView>, Problem> {
    revoke(state, actor, id).await
}
