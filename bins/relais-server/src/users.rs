//! `/api/users` and `/api/tokens`: who holds the "Marketplace integrations &
//! API" right, and personal access tokens (list, issue, revoke).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use relais_access::{MarketplaceRight, User};
use relais_app::Caller;
use relais_app::users::{IssuedTokenView, TokenView};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::{JsonBody, Problem, Shared, blocking};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/users", get(list).post(add))
        .route(
            "/api/users/{email}",
            axum::routing::patch(change).delete(remove),
        )
        .route("/api/users/{email}/tokens", get(user_tokens))
        .route("/api/tokens", get(own_tokens).post(issue))
        .route("/api/tokens/{id}", delete(revoke))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBody {
    email: String,
    name: String,
    #[serde(default)]
    right: MarketplaceRight,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    right: MarketplaceRight,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueBody {
    name: String,
    /// 1 to 365; 90 when left out.
    #[serde(default)]
    days: Option<u32>,
}

async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<User>>, Problem> {
    blocking(&s.app, move |app| {
        app.company_users(Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

async fn add(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<AddBody>,
) -> Result<(StatusCode, Json<User>), Problem> {
    let user = blocking(&s.app, move |app| {
        app.add_company_user(
            Caller::User(&actor),
            &actor.company,
            &body.email,
            &body.name,
            body.right,
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn change(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(email): Path<String>,
    JsonBody(body): JsonBody<ChangeBody>,
) -> Result<Json<User>, Problem> {
    blocking(&s.app, move |app| {
        app.change_right(Caller::User(&actor), &actor.company, &email, body.right)
    })
    .await
    .map(Json)
}

async fn remove(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(email): Path<String>,
) -> Result<Json<User>, Problem> {
    blocking(&s.app, move |app| {
        app.remove_user(Caller::User(&actor), &actor.company, &email)
    })
    .await
    .map(Json)
}

async fn user_tokens(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(email): Path<String>,
) -> Result<Json<Vec<TokenView>>, Problem> {
    blocking(&s.app, move |app| {
        app.tokens(Caller::User(&actor), &actor.company, Some(&email))
    })
    .await
    .map(Json)
}

async fn own_tokens(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<TokenView>>, Problem> {
    blocking(&s.app, move |app| {
        app.tokens(Caller::User(&actor), &actor.company, None)
    })
    .await
    .map(Json)
}

async fn issue(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<IssueBody>,
) -> Result<(StatusCode, Json<IssuedTokenView>), Problem> {
    let issued = blocking(&s.app, move |app| {
        app.issue_own_token(&actor, &body.name, body.days)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn revoke(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<TokenView>, Problem> {
    blocking(&s.app, move |app| {
        app.revoke_token(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}
