//! Authentication of admin-API requests by personal access token.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use relais_access::{Company, MarketplaceRight, User};
use relais_app::{Actor, AppError, ErrorKind};
use serde::Serialize;

use crate::{Problem, Shared, blocking};

/// The token of an `Authorization: Bearer <token>` header value. The
/// scheme is case-insensitive (RFC 9110 §11.1): `BEARER` and `bearer` too.
pub(crate) fn bearer(value: &axum::http::HeaderValue) -> Option<String> {
    let value = value.to_str().ok()?.trim_start();
    let (scheme, token) = value.split_once(char::is_whitespace)?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The authenticated user of a request: a bearer token is required.
pub(crate) struct Authenticated(pub Actor);

/// The user of a request if it carries a token; a token that is present
/// but invalid is still refused.
pub(crate) struct MaybeAuthenticated(pub Option<Actor>);

/// The user of a request's `Authorization: Bearer` token, if it has one.
///
/// # Errors
/// A 401 problem for a header that is not a bearer token or a token that
/// is not valid.
pub(crate) async fn actor(shared: &Shared, parts: &Parts) -> Result<Option<Actor>, Problem> {
    let headers = &parts.headers;
    if let Some(sign_in) = &shared.sign_in {
        // A host's sign-in usually rides on a cookie, which a browser sends
        // with requests other sites make it send: those may read nothing
        // and change nothing here.
        if cross_site(parts) {
            return Err(Problem::from(AppError::new(
                ErrorKind::Forbidden,
                "a request another site made the browser send may not change anything here (Sec-Fetch-Site or Origin names another site)"
                    .to_owned(),
            )));
        }
        // The host's sign-in instead of tokens: Relais's own are not looked at.
        let Some(host) = sign_in.0.signed_in(parts).await? else {
            return Ok(None);
        };
        let actor = blocking(&shared.app, move |app| {
            app.host_actor(&host.company, &host.email, &host.name, host.right)
        })
        .await?;
        return Ok(Some(actor));
    }
    let Some(header) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let token = bearer(header).ok_or_else(|| {
        Problem::from(AppError::new(
            ErrorKind::Unauthenticated,
            "the Authorization header must read 'Bearer <token>'".to_owned(),
        ))
    })?;
    let actor = blocking(&shared.app, move |app| app.authenticate(&token)).await?;
    Ok(Some(actor))
}

/// Whether a browser sent a request that changes something on another
/// site's behalf (a form or script of another origin): `Sec-Fetch-Site`
/// says so, or, from a browser that does not send it, an `Origin` that is
/// not this host. Reads (`GET`, `HEAD`, `OPTIONS`) change nothing, and a
/// request with neither header (a program, not a browser) is not one.
pub(crate) fn cross_site(parts: &Parts) -> bool {
    use axum::http::Method;
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = parts.headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = parts.headers.get(axum::http::header::ORIGIN) else {
        return false;
    };
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    match (origin_host, host) {
        (Some(origin), Some(host)) => !origin.eq_ignore_ascii_case(host),
        // `Origin: null` (a sandboxed or privacy-minded context), or no
        // host to compare with.
        _ => true,
    }
}

impl FromRequestParts<Shared> for MaybeAuthenticated {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Problem> {
        actor(shared, parts).await.map(Self)
    }
}

impl FromRequestParts<Shared> for Authenticated {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Problem> {
        match MaybeAuthenticated::from_request_parts(parts, shared).await? {
            MaybeAuthenticated(Some(actor)) => Ok(Self(actor)),
            MaybeAuthenticated(None) => Err(Problem::from(AppError::new(
                ErrorKind::Unauthenticated,
                if shared.sign_in.is_some() {
                    "this endpoint needs a signed-in user".to_owned()
                } else {
                    "this endpoint needs a personal access token: 'Authorization: Bearer <token>'"
                        .to_owned()
                },
            ))),
        }
    }
}

/// Who a token belongs to and what they may do.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Me {
    /// The token's user.
    user: User,
    /// Their company: every `/api` call acts on it.
    company: Company,
    /// At least the *view* right: may read the Marketplace's pages.
    can_browse_marketplace: bool,
    /// The *edit* right: may connect integrations and manage credentials.
    can_configure_integrations: bool,
}

/// `GET /api/me`: who the token belongs to and what they may do.
#[utoipa::path(
    get, path = "/api/me", tag = "Account", operation_id = "getMe",
    responses(
        (status = 200, description = "The token's user, their company and their rights", body = Me),
        (status = 401, description = "No personal access token, or one that is not valid (expired, revoked, or a public-API token)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn me(State(_): State<Shared>, Authenticated(actor): Authenticated) -> Json<Me> {
    let right: MarketplaceRight = actor.user.marketplace_right;
    Json(Me {
        can_browse_marketplace: right.can_browse(),
        can_configure_integrations: right.can_configure(),
        user: actor.user,
        company: actor.company,
    })
}

/// Whether the token's user gets e-mail alerts.
#[derive(Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertSettings {
    /// E-mail alerts (a failed or recovered sync, a connection turned
    /// Inactive, staged deprovisions) to users with the *edit* right; on
    /// unless turned off.
    email: bool,
}

/// `GET /api/me/alerts`
#[utoipa::path(
    get, path = "/api/me/alerts", tag = "Account", operation_id = "getMyAlerts",
    description = "Whether the token's user gets e-mail alerts (sent to users with the *edit* right, at most one an hour about each connection).",
    responses(
        (status = 200, description = "The user's alert settings", body = AlertSettings),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn alerts(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<AlertSettings>, Problem> {
    crate::blocking(&s.app, move |app| app.email_alerts(&actor))
        .await
        .map(|email| Json(AlertSettings { email }))
}

/// `PUT /api/me/alerts`
#[utoipa::path(
    put, path = "/api/me/alerts", tag = "Account", operation_id = "setMyAlerts",
    description = "Turns the token's user's e-mail alerts on or off.",
    request_body = AlertSettings,
    responses(
        (status = 200, description = "The user's alert settings", body = AlertSettings),
        (status = 400, description = "The body is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn set_alerts(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    crate::JsonBody(body): crate::JsonBody<AlertSettings>,
) -> Result<Json<AlertSettings>, Problem> {
    let on = body.email;
    crate::blocking(&s.app, move |app| {
        app.set_email_alerts(
            relais_app::Caller::User(&actor),
            &actor.company,
            &actor.user.email,
            on,
        )
    })
    .await
    .map(|()| Json(AlertSettings { email: on }))
}
