//! `/v1`: the public API, in the modelled HRIS's wire shapes.
//!
//! - `POST /v1/auth` exchanges a client id and secret (JSON or form body;
//!   never the query string) for a bearer token.
//! - `/v1/company/...` needs `Authorization: Bearer <token>`; every answer to
//!   an authenticated call carries the token back in an `Authorization`
//!   header, as clients of the modelled HRIS expect.
//! - Errors are `{"success": false, "error": {"code": <status>, "message": …}}`.
//! - Throttling: `/v1/auth` per client id and source address, API calls per
//!   credential, each with a per-minute budget; over it, 429 with
//!   `Retry-After`.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use relais_app::public_api::{ApiCaller, V1Query};
use relais_app::{App, AppError, ErrorKind};
use serde_json::{Value, json};

use crate::Shared;

/// Per-credential request budgets.
#[derive(Debug)]
pub(crate) struct Throttle {
    auth: DefaultKeyedRateLimiter<String>,
    api: DefaultKeyedRateLimiter<String>,
}

impl Throttle {
    pub(crate) fn new(auth_per_minute: NonZeroU32, api_per_minute: NonZeroU32) -> Self {
        Self {
            auth: RateLimiter::keyed(Quota::per_minute(auth_per_minute)),
            api: RateLimiter::keyed(Quota::per_minute(api_per_minute)),
        }
    }

    fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), V1Error> {
        // Keys are client ids; forget idle ones now and then so that the
        // table does not grow with every id ever tried.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            V1Error::throttled(wait.as_secs() + 1)
        })
    }
}

/// An error in the v1 envelope.
#[derive(Debug)]
pub(crate) struct V1Error {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl V1Error {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    fn throttled(seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests; retry in {seconds} s"),
            )
        }
    }
}

impl From<AppError> for V1Error {
    fn from(error: AppError) -> Self {
        let status = match error.kind() {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            // The modelled HRIS answers 403 to a token that is not valid.
            ErrorKind::Unauthenticated | ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => {
                tracing::error!(error = %error, "internal error in the public API");
                return Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Relais failed to answer; the server log has the details",
                );
            }
        };
        Self::new(status, error.to_string())
    }
}

impl IntoResponse for V1Error {
    fn into_response(self) -> Response {
        let body = json!({"success": false, "error": {"code": self.status.as_u16(), "message": self.message}});
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

pub(crate) fn routes(shared: Shared) -> Router<Shared> {
    let company = Router::new()
        .route("/v1/company/employees", get(employees))
        .route("/v1/company/employees/attributes", get(employee_attributes))
        .route(
            "/v1/company/employees/custom-attributes",
            get(employee_attributes),
        )
        .route("/v1/company/employees/{id}", get(employee))
        .route(
            "/v1/company/time-offs",
            get(time_offs).post(create_time_off),
        )
        .route("/v1/company/time-off-types", get(time_off_types))
        .route("/v1/company/absence-periods", get(absence_periods))
        .route(
            "/v1/company/attendances",
            get(attendances).post(create_attendances),
        )
        .route("/v1/company/document-categories", get(document_categories))
        .route("/v1/partner/connection/activate", post(activate))
        .route("/v1/company/custom-reports/reports", get(list_reports))
        .route("/v1/company/custom-reports/reports/{id}", get(report_data))
        .route("/v1/company/custom-reports/columns", get(report_columns))
        .route("/v1/sync/runs", post(partner_start))
        .route("/v1/sync/runs/{id}/entries", post(partner_entries))
        .route("/v1/sync/runs/{id}/finish", post(partner_finish))
        .route_layer(axum::middleware::from_fn_with_state(shared, authenticate));
    Router::new().route("/v1/auth", post(auth)).merge(company)
}

async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
) -> Result<T, V1Error> {
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| V1Error::from(AppError::new(ErrorKind::Internal, e.to_string())))?
        .map_err(V1Error::from)
}

/// `POST /v1/auth`
async fn auth(
    State(shared): State<Shared>,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, V1Error> {
    let in_query = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .any(|(k, _)| k == "client_id" || k == "client_secret");
    if in_query {
        return Err(V1Error::new(
            StatusCode::FORBIDDEN,
            "credentials in the query string are refused; send client_id and client_secret in a JSON or form body",
        ));
    }
    let (client_id, client_secret) = credentials_from_body(&headers, &body)?;
    // Budgets per client id *and* source address: someone sending wrong
    // secrets for a known client id exhausts their own budget, not that of
    // the integration the credential belongs to.
    let source = crate::client_address(
        &headers,
        peer.map(|Extension(ConnectInfo(address))| address),
        shared.config.trust_proxy,
    )
    .map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    let key = relais_access::ClientId::parse(&client_id).map_or_else(
        |_| format!("(malformed) {source}"),
        |c| format!("{c} {source}"),
    );
    Throttle::check(&shared.throttle.auth, &key)?;
    let token = blocking(&shared.app, move |app| {
        app.issue_api_token(&client_id, &client_secret)
    })
    .await
    .map_err(|mut e| {
        // A wrong id or secret is a failed authentication, not a missing right.
        if e.status == StatusCode::FORBIDDEN {
            e.status = StatusCode::UNAUTHORIZED;
        }
        e
    })?;
    Ok(Json(json!({"success": true, "data": token})))
}

/// Whether the request body is form fields.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
}

fn credentials_from_body(headers: &HeaderMap, body: &[u8]) -> Result<(String, String), V1Error> {
    let (mut id, mut secret) = (None, None);
    if is_form(headers) {
        for (k, v) in url::form_urlencoded::parse(body) {
            match &*k {
                "client_id" => id = Some(v.into_owned()),
                "client_secret" => secret = Some(v.into_owned()),
                _ => {}
            }
        }
    } else {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            V1Error::new(
                StatusCode::BAD_REQUEST,
                format!("the body must be JSON or form data with client_id and client_secret: {e}"),
            )
        })?;
        id = value
            .get("client_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        secret = value
            .get("client_secret")
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    match (id, secret) {
        (Some(id), Some(secret)) => Ok((id, secret)),
        _ => Err(V1Error::new(
            StatusCode::BAD_REQUEST,
            "client_id and client_secret are required",
        )),
    }
}

/// Authenticates `/v1/company/...` calls, throttles them per credential, and
/// hands the token back in the answer's `Authorization` header.
async fn authenticate(State(shared): State<Shared>, mut request: Request, next: Next) -> Response {
    let Some(token) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(crate::auth::bearer)
    else {
        return V1Error::new(StatusCode::UNAUTHORIZED, "Authorization is not provided")
            .into_response();
    };
    let presented = token.clone();
    let caller = match blocking(&shared.app, move |app| app.authenticate_api(&presented)).await {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let mut response =
        match Throttle::check(&shared.throttle.api, caller.credential.client_id.as_str()) {
            Ok(()) => {
                request.extensions_mut().insert(caller);
                next.run(request).await
            }
            Err(error) => error.into_response(),
        };
    if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
        response.headers_mut().insert(header::AUTHORIZATION, value);
    }
    response
}

type Answer = Result<Json<Value>, V1Error>;

fn query(raw: Option<String>) -> V1Query {
    V1Query::from_pairs(url::form_urlencoded::parse(
        raw.unwrap_or_default().as_bytes(),
    ))
}

async fn employees(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    blocking(&s.app, move |app| app.v1_employees(&caller, &query))
        .await
        .map(Json)
}

async fn employee(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Answer {
    blocking(&s.app, move |app| app.v1_employee(&caller, &id))
        .await
        .map(Json)
}

async fn employee_attributes(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
) -> Answer {
    blocking(&s.app, move |app| app.v1_employee_attributes(&caller))
        .await
        .map(Json)
}

async fn time_offs(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    blocking(&s.app, move |app| app.v1_time_offs(&caller, &query))
        .await
        .map(Json)
}

async fn time_off_types(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    blocking(&s.app, move |app| app.v1_time_off_types(&caller, &query))
        .await
        .map(Json)
}

async fn absence_periods(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    blocking(&s.app, move |app| app.v1_absence_periods(&caller, &query))
        .await
        .map(Json)
}

async fn attendances(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    blocking(&s.app, move |app| app.v1_attendances(&caller, &query))
        .await
        .map(Json)
}

async fn document_categories(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
) -> Answer {
    blocking(&s.app, move |app| app.v1_document_categories(&caller))
        .await
        .map(Json)
}

/// `POST /v1/partner/connection/activate`: the partner completes the Pending
/// connection its credential was made for.
async fn activate(State(s): State<Shared>, Extension(caller): Extension<ApiCaller>) -> Answer {
    let view = blocking(&s.app, move |app| app.activate_by_partner(&caller)).await?;
    Ok(Json(
        json!({"success": true, "data": {"connection_id": view.id, "status": view.status}}),
    ))
}

/// An error of the Custom Reports API, in its own shape (an array of
/// exceptions), as the modelled HRIS answers there.
#[derive(Debug)]
pub(crate) struct ReportsError(V1Error);

impl From<V1Error> for ReportsError {
    fn from(error: V1Error) -> Self {
        Self(error)
    }
}

impl IntoResponse for ReportsError {
    fn into_response(self) -> Response {
        let status = self.0.status;
        let kind = match status {
            StatusCode::NOT_FOUND => "search",
            StatusCode::BAD_REQUEST => "validation",
            StatusCode::FORBIDDEN => "authorization",
            _ => "server",
        };
        let body = json!([{
            "status": status.as_u16(),
            "trace_id": uuid::Uuid::now_v7().to_string(),
            "timestamp": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "errors": [{
                "title": status.canonical_reason().unwrap_or("Error"),
                "details": self.0.message,
                "type": kind,
                "_meta": [],
            }],
        }]);
        (status, Json(body)).into_response()
    }
}

type ReportsAnswer = Result<Json<Value>, ReportsError>;

async fn list_reports(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> ReportsAnswer {
    let query = query(raw);
    Ok(
        blocking(&s.app, move |app| app.v1_list_reports(&caller, &query))
            .await
            .map(Json)?,
    )
}

async fn report_columns(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> ReportsAnswer {
    let query = query(raw);
    Ok(
        blocking(&s.app, move |app| app.v1_report_columns(&caller, &query))
            .await
            .map(Json)?,
    )
}

async fn report_data(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ReportsAnswer {
    let query = query(raw);
    Ok(crate::blocking_cancellable(&s.app, move |app, cancel| {
        app.v1_report_data(&caller, &id, &query, cancel)
    })
    .await
    .map(Json)
    .map_err(V1Error::from)?)
}

// ----- Partner-reported sync runs -------------------------------------------

/// `POST /v1/sync/runs {"cycle": "full"|"incremental"}`: starts a run of the
/// credential's connection.
async fn partner_start(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> Answer {
    let run = blocking(&s.app, move |app| {
        let body: crate::sync::StartBody = crate::sync::parse_body(&body)?;
        app.partner_start_run(&caller, body.cycle())
    })
    .await?;
    Ok(Json(json!({"success": true, "data": run})))
}

/// `POST /v1/sync/runs/{id}/entries {"entries": [...]}`: 1 to 1,000 entries.
async fn partner_entries(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let run = blocking(&s.app, move |app| {
        let body = crate::sync::parse_entries(&body)?;
        app.partner_append_entries(&caller, &id, body.into_entries())
    })
    .await?;
    Ok(Json(json!({"success": true, "data": run})))
}

/// `POST /v1/sync/runs/{id}/finish {"error": {"message", "response"}?}`.
async fn partner_finish(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let run = blocking(&s.app, move |app| {
        let body: crate::sync::FinishBody = crate::sync::parse_body(&body)?;
        app.partner_finish_run(&caller, &id, body.into_error())
    })
    .await?;
    Ok(Json(json!({"success": true, "data": run})))
}

/// `POST /v1/company/attendances` (JSON).
async fn create_attendances(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> Answer {
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        V1Error::new(
            StatusCode::BAD_REQUEST,
            format!("the body must be JSON: {e}"),
        )
    })?;
    blocking(&s.app, move |app| {
        app.v1_create_attendances(&caller, &value)
    })
    .await
    .map(Json)
}

/// `POST /v1/company/time-offs` (form fields, as the modelled HRIS documents, or JSON).
async fn create_time_off(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let fields: serde_json::Map<String, Value> = if is_form(&headers) {
        url::form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()
    } else {
        match serde_json::from_slice(&body) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(V1Error::new(
                    StatusCode::BAD_REQUEST,
                    "the body must be a JSON object or form fields",
                ));
            }
        }
    };
    blocking(&s.app, move |app| app.v1_create_time_off(&caller, &fields))
        .await
        .map(Json)
}
