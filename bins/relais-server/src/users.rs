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

/// `POST /api/users`: a new user of the caller's company.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = UserCreate, example = json!({"email": "alex.doe@demo.example", "name": "Alex Doe", "right": "view"}))]
#[serde(deny_unknown_fields)]
pub(crate) struct AddBody {
    /// Work e-mail, unique within the company.
    email: String,
    /// Display name (1 to 200 characters).
    name: String,
    /// Their level on "Marketplace integrations & API"; `none` when left out.
    #[serde(default)]
    right: MarketplaceRight,
}

/// `PATCH /api/users/{email}`: the user's new right.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = UserRightChange, example = json!({"right": "edit"}))]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeBody {
    /// The new level on "Marketplace integrations & API".
    right: MarketplaceRight,
}

/// `POST /api/tokens`: a new personal access token for the caller.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = TokenCreate, example = json!({"name": "Nightly export", "days": 30}))]
#[serde(deny_unknown_fields)]
pub(crate) struct IssueBody {
    /// What it is for (1 to 200 characters).
    name: String,
    /// Days it stays valid, 1 to 365; 90 when left out.
    #[serde(default)]
    days: Option<u32>,
}

#[utoipa::path(
    get, path = "/api/users", tag = "Users and tokens", operation_id = "listUsers",
    responses(
        (status = 200, description = "The company's users with their rights", body = Vec<User>),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<User>>, Problem> {
    blocking(&s.app, move |app| {
        app.company_users(Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/users", tag = "Users and tokens", operation_id = "addUser",
    description = "Adds a user to the caller's company. Needs the *edit* right.",
    request_body = AddBody,
    responses(
        (status = 201, description = "The new user", body = User, links(
            ("changeRight" = (operation_id = "changeUserRight", parameters(("email" = "$response.body#/email")))),
            ("remove" = (operation_id = "removeUser", parameters(("email" = "$response.body#/email")))),
            ("tokens" = (operation_id = "listUserTokens", parameters(("email" = "$response.body#/email")))),
        )),
        (status = 400, description = "The body is not valid: a bad e-mail or name, an unknown right", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The company has a user with this e-mail", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn add(
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

#[utoipa::path(
    patch, path = "/api/users/{email}", tag = "Users and tokens", operation_id = "changeUserRight",
    description = "Changes a user's right; it applies from their next request. The company's last user with the *edit* right keeps it. Needs the *edit* right.",
    params(("email" = String, Path, description = "The user's e-mail (any case)")),
    request_body = ChangeBody,
    responses(
        (status = 200, description = "The user after the change", body = User),
        (status = 400, description = "The body is not valid (an unknown right), or the e-mail is not", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user is the company's last with the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn change(
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

#[utoipa::path(
    delete, path = "/api/users/{email}", tag = "Users and tokens", operation_id = "removeUser",
    description = "Removes a user and their tokens: they can no longer sign in or call the API. The company's last user with the *edit* right is not removed. Needs the *edit* right.",
    params(("email" = String, Path, description = "The user's e-mail (any case)")),
    responses(
        (status = 200, description = "The user as they were", body = User),
        (status = 400, description = "The e-mail is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user is the company's last with the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn remove(
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

#[utoipa::path(
    get, path = "/api/users/{email}/tokens", tag = "Users and tokens", operation_id = "listUserTokens",
    description = "A user's personal access tokens, never their secrets: one's own, or with the *edit* right anyone's of the company.",
    params(("email" = String, Path, description = "The user's e-mail (any case)")),
    responses(
        (status = 200, description = "The tokens", body = Vec<TokenView>),
        (status = 400, description = "The e-mail is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right, and the tokens are another user's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn user_tokens(
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

#[utoipa::path(
    get, path = "/api/tokens", tag = "Users and tokens", operation_id = "listOwnTokens",
    responses(
        (status = 200, description = "The caller's personal access tokens, never their secrets", body = Vec<TokenView>),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn own_tokens(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<TokenView>>, Problem> {
    blocking(&s.app, move |app| {
        app.tokens(Caller::User(&actor), &actor.company, None)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/tokens", tag = "Users and tokens", operation_id = "issueToken",
    description = "Issues a personal access token for the caller; the token is in this answer only.",
    request_body = IssueBody,
    responses(
        (status = 201, description = "The token, shown this once, with its facts", body = IssuedTokenView, links(
            ("revoke" = (operation_id = "revokeToken", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "The body is not valid: a bad name, or days outside 1 to 365", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Relais is embedded behind a host's sign-in: it issues no personal access tokens", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn issue(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<IssueBody>,
) -> Result<(StatusCode, Json<IssuedTokenView>), Problem> {
    if s.sign_in.is_some() {
        // Embedded behind a host's sign-in, a token would open nothing
        // here, but any relais-server on the same database would take it.
        return Err(Problem::from(relais_app::AppError::new(
            relais_app::ErrorKind::Conflict,
            "personal access tokens are not issued here: the host service signs people in"
                .to_owned(),
        )));
    }
    let issued = blocking(&s.app, move |app| {
        app.issue_own_token(&actor, &body.name, body.days)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

#[utoipa::path(
    delete, path = "/api/tokens/{id}", tag = "Users and tokens", operation_id = "revokeToken",
    description = "Revokes a personal access token: one's own, or with the *edit* right any of the company's. It stops working at once; revoking the token of the request itself signs the caller out.",
    params(("id" = String, Path, description = "The token's public id (the part after `rlp_` and before the second `_`)")),
    responses(
        (status = 200, description = "The token, revoked", body = TokenView),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right, and the token is another user's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token in the caller's company", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The token is revoked already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn revoke(
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
