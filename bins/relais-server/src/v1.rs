//! `/v1`: the public API, in the modelled HRIS's wire shapes.
//!
//! - `POST /v1/auth` exchanges a client id and secret (JSON or form body,
//!   or the query string) for a bearer token.
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
use axum::routing::{delete, get, patch, post};
use axum::{Extension, Json, Router};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use relais_access::{ApiAccess, PublicApi};
use relais_app::public_api::{ApiCaller, V1Query};
use relais_app::{App, AppError, ErrorKind};
use relais_people::edit::Fields;
use relais_wire::v1 as wire;
use serde::Serialize;
use serde_json::Value;

use crate::Shared;

/// Per-credential request budgets.
#[derive(Debug)]
pub(crate) struct Throttle {
    auth: DefaultKeyedRateLimiter<String>,
    api: DefaultKeyedRateLimiter<String>,
    /// Document uploads, on top of `api`: each may carry 30 MiB.
    pub(crate) documents: DefaultKeyedRateLimiter<String>,
}

impl Throttle {
    /// Seconds until the credential `key` may call again, if it is over
    /// its per-minute budget now (and counts this call otherwise).
    pub(crate) fn over_budget(&self, key: &str) -> Option<u64> {
        Self::check(&self.api, key)
            .err()
            .and_then(|e| e.retry_after)
    }

    pub(crate) fn new(
        auth_per_minute: NonZeroU32,
        api_per_minute: NonZeroU32,
        documents_per_minute: NonZeroU32,
    ) -> Self {
        Self {
            auth: RateLimiter::keyed(Quota::per_minute(auth_per_minute)),
            api: RateLimiter::keyed(Quota::per_minute(api_per_minute)),
            documents: RateLimiter::keyed(Quota::per_minute(documents_per_minute)),
        }
    }

    pub(crate) fn check(
        limiter: &DefaultKeyedRateLimiter<String>,
        key: &str,
    ) -> Result<(), V1Error> {
        match seconds_over_budget(limiter, &key.to_owned()) {
            Some(seconds) => Err(V1Error::throttled(seconds)),
            None => Ok(()),
        }
    }
}

/// Seconds until a keyed limiter lets `key` through again, if it does not
/// now (the call counts otherwise). Every per-minute budget goes through here.
pub(crate) fn seconds_over_budget<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Option<u64> {
    // Keys are client ids, companies or addresses; forget idle ones now and
    // then so that the table does not grow with every key ever tried.
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    limiter.check_key(key).err().map(|not_until| {
        not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            + 1
    })
}

/// An error in the v1 envelope.
#[derive(Debug)]
pub(crate) struct V1Error {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl V1Error {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
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
        let body = wire::ErrorEnvelope::new(self.status.as_u16(), self.message);
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
        .route(
            "/v1/company/employees",
            get(employees).post(create_employee),
        )
        .route("/v1/company/employees/attributes", get(employee_attributes))
        .route(
            "/v1/company/employees/custom-attributes",
            get(employee_attributes),
        )
        .route(
            "/v1/company/employees/{id}",
            get(employee).patch(update_employee),
        )
        .route(
            "/v1/company/employees/{id}/profile-picture",
            get(employee_picture),
        )
        .route(
            "/v1/company/employees/{id}/absences/balance",
            get(absence_balance),
        )
        .route(
            "/v1/company/employees/{id}/profile-picture/{width}",
            get(employee_picture_at_width),
        )
        .route(
            "/v1/company/time-offs",
            get(time_offs).post(create_time_off),
        )
        .route(
            "/v1/company/time-offs/{id}",
            get(time_off).delete(delete_time_off),
        )
        .route("/v1/company/time-off-types", get(time_off_types))
        .route(
            "/v1/company/absence-periods",
            get(absence_periods).post(create_absence_period),
        )
        .route(
            "/v1/company/absence-periods/{id}",
            delete(delete_absence_period),
        )
        .route(
            "/v1/company/attendances",
            get(attendances).post(create_attendances),
        )
        .route(
            "/v1/company/attendances/{id}",
            patch(update_attendance).delete(delete_attendance),
        )
        .route(
            "/v1/company/attendances/projects",
            get(projects).post(create_project),
        )
        .route(
            "/v1/company/attendances/projects/{id}",
            patch(update_project).delete(delete_project),
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
    relais_app::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| V1Error::from(AppError::new(ErrorKind::Internal, e.to_string())))?
        .map_err(V1Error::from)
}

/// Runs `work` on a blocking thread and writes its answer there too: a page
/// of 100 employees is a few hundred kilobytes of JSON.
async fn answer(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> Result<Vec<u8>, AppError> + Send + 'static,
) -> Result<Response, V1Error> {
    blocking(app, work).await.map(json_response)
}

/// Writes an answer as JSON.
fn write(answer: &impl Serialize) -> Result<Vec<u8>, AppError> {
    write_sized(answer, 1024)
}

/// Writes an answer as JSON into a buffer of about its size, so that a
/// large page is not copied each time the buffer doubles.
fn write_sized(answer: &impl Serialize, size: usize) -> Result<Vec<u8>, AppError> {
    let mut buffer = Vec::with_capacity(size);
    serde_json::to_writer(&mut buffer, answer)
        .map_err(|e| AppError::new(ErrorKind::Internal, format!("writing an answer: {e}")))?;
    Ok(buffer)
}

/// A `200 OK` with a JSON body already written.
fn json_response(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Exchanges a credential's client_id and client_secret for a bearer token
/// valid 24 hours. They come in a JSON or form body or, as in the modelled
/// HRIS's own examples, in the query string; in both at once, the request
/// is refused rather than one of them silently chosen.
#[utoipa::path(
    post, path = "/v1/auth", tag = "Authentication", operation_id = "authenticate",
    params(
        ("client_id" = Option<String>, Query, description = "The credential's client id, when not in the body"),
        ("client_secret" = Option<String>, Query, description = "The credential's secret, when not in the body (kept out of the logs)"),
    ),
    request_body(content(
        (wire::AuthRequest = "application/json"),
        (wire::AuthRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "A bearer token for 24 hours", body = wire::Success<wire::AuthToken>),
        (status = 400, description = "client_id or client_secret is missing, or given both in the query string and the body", body = wire::ErrorEnvelope),
        (status = 401, description = "The client_id or client_secret is not valid", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(()),
)]
pub(crate) async fn auth(
    State(shared): State<Shared>,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<wire::Success<wire::AuthToken>>, V1Error> {
    let (client_id, client_secret) = credentials(query.as_deref(), &headers, &body)?;
    // Budgets per client id *and* source address: someone sending wrong
    // secrets for a known client id exhausts their own budget, not that of
    // the integration the credential belongs to.
    let source = crate::source_key(&shared, &headers, peer);
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
    Ok(Json(wire::Success::new(wire::AuthToken::from(token))))
}

/// Whether the request body is form fields.
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
}

/// A client id and secret as given: either may be missing.
#[derive(Default)]
struct GivenCredentials {
    id: Option<String>,
    secret: Option<String>,
}

impl GivenCredentials {
    fn from_pairs<'a>(
        pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    ) -> Self {
        let mut given = Self::default();
        for (k, v) in pairs {
            match &*k {
                "client_id" => given.id = Some(v.into_owned()),
                "client_secret" => given.secret = Some(v.into_owned()),
                _ => {}
            }
        }
        given
    }

    fn any(&self) -> bool {
        self.id.is_some() || self.secret.is_some()
    }
}

/// The client id and secret of `POST /v1/auth`, from the query string or
/// the body (JSON or form), never both.
fn credentials(
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, String), V1Error> {
    let in_query = GivenCredentials::from_pairs(url::form_urlencoded::parse(
        query.unwrap_or_default().as_bytes(),
    ));
    let in_body = if in_query.any() && body.trim_ascii().is_empty() {
        GivenCredentials::default()
    } else {
        credentials_from_body(headers, body)?
    };
    let given = match (in_query.any(), in_body.any()) {
        (true, true) => {
            return Err(V1Error::new(
                StatusCode::BAD_REQUEST,
                "client_id and client_secret were given both in the query string and in the body; send them in one place",
            ));
        }
        (true, false) => in_query,
        _ => in_body,
    };
    match given {
        GivenCredentials {
            id: Some(id),
            secret: Some(secret),
        } => Ok((id, secret)),
        _ => Err(V1Error::new(
            StatusCode::BAD_REQUEST,
            "client_id and client_secret are required",
        )),
    }
}

fn credentials_from_body(headers: &HeaderMap, body: &[u8]) -> Result<GivenCredentials, V1Error> {
    if is_form(headers) {
        return Ok(GivenCredentials::from_pairs(url::form_urlencoded::parse(
            body,
        )));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        V1Error::new(
            StatusCode::BAD_REQUEST,
            format!("the body must be JSON or form data with client_id and client_secret: {e}"),
        )
    })?;
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(GivenCredentials {
        id: text("client_id"),
        secret: text("client_secret"),
    })
}

/// Authenticates `/v1/company/...` calls, throttles them per credential, and
/// hands the token back in the answer's `Authorization` header.
pub(crate) async fn authenticate(
    State(shared): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
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

type Answer = Result<Response, V1Error>;

fn query(raw: Option<String>) -> V1Query {
    V1Query::from_pairs(url::form_urlencoded::parse(
        raw.unwrap_or_default().as_bytes(),
    ))
}

#[utoipa::path(
    get, path = "/v1/company/employees", tag = "Employees", operation_id = "listEmployees",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 100 (default 50)", minimum = 1, maximum = 100),
        ("offset" = Option<u64>, Query, description = "Employees to skip"),
        ("email" = Option<String>, Query, description = "Only the employee with this e-mail (needs the email attribute)"),
        ("attributes[]" = Option<Vec<String>>, Query, description = "Only these attributes (keys); id always", explode = true),
        ("updated_since" = Option<String>, Query, description = "Only employees changed since (ISO 8601; needs last_modified_at)"),
    ),
    responses(
        (status = 200, description = "A page of employees with the attributes the credential may read", body = wire::Page<wire::Employee>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["employees:read"])),
)]
pub(crate) async fn employees(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    answer(&s.app, move |app| {
        let r = &app.v1_employees(&caller, &query)?;
        // About 2.5 KB an employee with every attribute.
        let size = 1024
            + r.employees.len() * (r.attributes.standard.len() + r.attributes.custom.len()) * 128;
        let mut out = Vec::with_capacity(size);
        wire::write_employee_page(&mut out, &r.employees, &r.attributes, r.page)
            .map_err(|e| AppError::new(ErrorKind::Internal, format!("writing an answer: {e}")))?;
        Ok(out)
    })
    .await
}

#[utoipa::path(
    get, path = "/v1/company/employees/{id}", tag = "Employees", operation_id = "getEmployee",
    params(("id" = i64, Path, description = "The employee's id")),
    responses(
        (status = 200, description = "The employee", body = wire::Success<wire::Employee>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["employees:read"])),
)]
pub(crate) async fn employee(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Answer {
    answer(&s.app, move |app| {
        let r = &app.v1_employee(&caller, &id)?;
        write(&wire::Success::new(wire::Employee::new(
            &r.employee,
            &r.attributes,
        )))
    })
    .await
}

#[utoipa::path(
    get, path = "/v1/company/employees/{id}/absences/balance", tag = "Absences", operation_id = "getAbsenceBalance",
    description = "What the employee has left this year of each allowance: for each day-counted absence type with an annual entitlement, the entitlement (pro rata for the days of the year employed, in half days) less the approved time-offs starting this year (`balance`), and less the requested ones too (`available_balance`). Part-time entitlements and carry-over are not modelled.",
    params(("id" = i64, Path, description = "The employee's id")),
    responses(
        (status = 200, description = "The employee's balances", body = wire::Success<Vec<wire::AbsenceBalance>>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:read"])),
)]
pub(crate) async fn absence_balance(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Answer {
    answer(&s.app, move |app| {
        write(&wire::absence_balances(
            &app.v1_absence_balance(&caller, &id)?,
        ))
    })
    .await
}

// ----- Employee writes and pictures -----------------------------------------

/// The most fields one employee write may carry.
const MAX_EMPLOYEE_FIELDS: usize = 100;

/// A field's key as a client names it: `employee[first_name]` is
/// `first_name`, `employee[custom_attributes][dynamic_7]` is `dynamic_7`,
/// and the modelled HRIS's `weekly_hours` is `weekly_working_hours`.
fn field_key(raw: &str) -> String {
    let inner = raw
        .strip_prefix("employee[")
        .and_then(|k| k.strip_suffix(']'))
        .unwrap_or(raw);
    let inner = inner.strip_prefix("custom_attributes][").unwrap_or(inner);
    match inner {
        "weekly_hours" => "weekly_working_hours".to_owned(),
        other => other.chars().take(100).collect(),
    }
}

/// A JSON value as a field's text: text fields take strings, the numeric
/// ones (`weekly_hours`, `supervisor_id`, custom attributes) numbers too;
/// `null` clears.
fn field_text(key: &str, value: &Value) -> Result<Option<String>, String> {
    // Numbers are refused only where text is expected; an unknown key is
    // named as such by the checks that follow.
    let numeric = matches!(key, "weekly_working_hours" | "supervisor_id")
        || !relais_people::edit::FIELDS.contains(&key);
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Number(n) if numeric => Ok(Some(n.to_string())),
        _ if numeric => Err(format!("{key}: must be a number, a string or null")),
        _ => Err(format!("{key}: must be a string or null")),
    }
}

/// The fields of an employee write: `{"employee": {…}}` (with
/// `custom_attributes` inside), the same names as form fields
/// (`employee[email]=…`), or those names as the keys of a JSON object (as
/// personio-py sends them).
fn employee_fields(headers: &HeaderMap, body: &[u8]) -> Result<Fields, V1Error> {
    let bad = |message: String| V1Error::new(StatusCode::BAD_REQUEST, message);
    let mut fields = Fields::new();
    let mut problems = Vec::new();
    if is_form(headers) {
        for (key, value) in url::form_urlencoded::parse(body) {
            let key = field_key(&key);
            fields.insert(key, Some(value.into_owned()));
        }
    } else {
        let top: serde_json::Map<String, Value> = json_body(body)?;
        let mut pairs: Vec<(String, &Value)> = Vec::new();
        for (raw, value) in &top {
            match (raw.as_str(), value) {
                ("employee", Value::Object(inner)) => {
                    for (name, value) in inner {
                        match (name.as_str(), value) {
                            ("custom_attributes", Value::Object(custom)) => {
                                pairs.extend(custom.iter().map(|(k, v)| (field_key(k), v)));
                            }
                            ("custom_attributes", Value::Null) => {}
                            ("custom_attributes", _) => problems.push(
                                "custom_attributes: must be an object of dynamic_<id> keys".into(),
                            ),
                            _ => pairs.push((field_key(name), value)),
                        }
                    }
                }
                ("employee", _) => problems.push("employee: must be an object".into()),
                (raw, value) if raw.starts_with("employee[") => pairs.push((field_key(raw), value)),
                (raw, _) => problems.push(format!(
                    "unknown field '{}'; send {{\"employee\": {{…}}}}",
                    raw.chars().take(64).collect::<String>()
                )),
            }
        }
        for (key, value) in pairs {
            match field_text(&key, value) {
                Ok(text) => {
                    fields.insert(key, text);
                }
                Err(message) => problems.push(message),
            }
        }
        if top.is_empty() {
            problems.push("the body must hold an employee object: {\"employee\": {…}}".into());
        }
    }
    if fields.len() > MAX_EMPLOYEE_FIELDS {
        return Err(bad(format!(
            "{} fields sent; an employee has at most {MAX_EMPLOYEE_FIELDS}",
            fields.len()
        )));
    }
    if !problems.is_empty() {
        return Err(bad(problems.join("; ")));
    }
    Ok(fields)
}

/// Creates an employee from JSON (`{"employee": {…}}`) or form fields
/// (`employee[email]=…`). Answers 200, as the modelled HRIS's
/// specification does (not 201).
#[utoipa::path(
    post, path = "/v1/company/employees", tag = "Employees", operation_id = "createEmployee",
    request_body(content(
        (wire::NewEmployeeRequest = "application/json"),
        (wire::NewEmployeeRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The new employee's id", body = wire::Success<wire::CreatedEmployee>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A field is missing or not valid (an unknown department or office, supervisor or custom attribute, a bad date or e-mail); the message names every one", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 409, description = "An employee of the company has this e-mail already", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["employees:write"])),
)]
pub(crate) async fn create_employee(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    // The scope first: a credential that may not write hears so, whatever its body.
    caller.require(PublicApi::Employees, ApiAccess::Write)?;
    let fields = employee_fields(&headers, &body)?;
    answer(&s.app, move |app| {
        let id = app.v1_create_employee(&caller, &fields)?;
        write(&wire::Success::new(wire::CreatedEmployee {
            id,
            message: "success".into(),
        }))
    })
    .await
}

/// Changes the fields sent (never the e-mail); the changed attributes are
/// recorded in the employee's history, effective today.
#[utoipa::path(
    patch, path = "/v1/company/employees/{id}", tag = "Employees", operation_id = "updateEmployee",
    params(("id" = i64, Path, description = "The employee's id")),
    request_body(content(
        (wire::EmployeeChangeRequest = "application/json"),
        (wire::EmployeeChangeRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The employee was changed (or already was as sent)", body = wire::UpdatedEmployee, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "No field sent, a field not valid, or the e-mail (which cannot be changed); the message names every one", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 409, description = "Other changes of the employee kept overtaking this one; send it again", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["employees:write"])),
)]
pub(crate) async fn update_employee(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    caller.require(PublicApi::Employees, ApiAccess::Write)?;
    let fields = employee_fields(&headers, &body)?;
    if fields.is_empty() {
        return Err(V1Error::new(
            StatusCode::BAD_REQUEST,
            "nothing to change: send the fields to change, as {\"employee\": {…}} or employee[…] form fields",
        ));
    }
    answer(&s.app, move |app| {
        let id = app.v1_update_employee(&caller, &id, &fields)?;
        write(&wire::UpdatedEmployee::new(id))
    })
    .await
}

/// A PNG answer.
fn png_response(png: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            ),
        ],
        png,
    )
        .into_response()
}

/// The employee's profile picture as stored (at most 1000 pixels a side).
#[utoipa::path(
    get, path = "/v1/company/employees/{id}/profile-picture", tag = "Employees", operation_id = "getEmployeePicture",
    params(("id" = i64, Path, description = "The employee's id")),
    responses(
        (status = 200, description = "The picture", content_type = "image/png", body = wire::PictureFile, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "The employee does not exist in the credential's company, has no picture, or the credential may not read the profile_picture attribute", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["employees:read"])),
)]
pub(crate) async fn employee_picture(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Answer {
    let png = blocking(&s.app, move |app| {
        app.v1_employee_picture(&caller, &id, None)
    })
    .await?;
    Ok(png_response(png))
}

/// The employee's profile picture scaled to `width` pixels (1 to 2000; the
/// height keeps the aspect ratio).
#[utoipa::path(
    get, path = "/v1/company/employees/{id}/profile-picture/{width}", tag = "Employees", operation_id = "getEmployeePictureAtWidth",
    params(
        ("id" = i64, Path, description = "The employee's id"),
        ("width" = u32, Path, description = "Width in pixels, 1 to 2000", minimum = 1, maximum = 2000),
    ),
    responses(
        (status = 200, description = "The picture at that width", content_type = "image/png", body = wire::PictureFile, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "The width is not a whole number from 1 to 2000", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "The employee does not exist in the credential's company, has no picture, or the credential may not read the profile_picture attribute", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["employees:read"])),
)]
pub(crate) async fn employee_picture_at_width(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path((id, width)): Path<(String, String)>,
) -> Answer {
    let png = blocking(&s.app, move |app| {
        app.v1_employee_picture(&caller, &id, Some(&width))
    })
    .await?;
    Ok(png_response(png))
}

#[utoipa::path(
    get, path = "/v1/company/employees/attributes", tag = "Employees", operation_id = "listEmployeeAttributes",
    responses(
        (status = 200, description = "The attributes this credential may read (also at /v1/company/employees/custom-attributes)", body = wire::Success<Vec<wire::AttributeDefinition>>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["employees:read"])),
)]
pub(crate) async fn employee_attributes(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
) -> Answer {
    answer(&s.app, move |app| {
        let r = &app.v1_employee_attributes(&caller)?;
        write(&wire::Success::new(wire::attribute_definitions(r)))
    })
    .await
}

#[utoipa::path(
    get, path = "/v1/company/time-offs", tag = "Absences", operation_id = "listTimeOffs",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 200)", minimum = 1, maximum = 200),
        ("offset" = Option<u64>, Query, description = "The page number, from 1 (0 reads as 1)"),
        ("start_date" = Option<String>, Query, description = "Absences ending on or after (YYYY-MM-DD)"),
        ("end_date" = Option<String>, Query, description = "Absences starting on or before (YYYY-MM-DD)"),
        ("updated_from" = Option<String>, Query, description = "Changed at or after (ISO 8601)"),
        ("updated_to" = Option<String>, Query, description = "Changed at or before (ISO 8601)"),
        ("employees[]" = Option<Vec<i64>>, Query, description = "Only these employees", explode = true),
    ),
    responses(
        (status = 200, description = "A page of day absences", body = wire::Page<wire::TimeOffPeriod>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:read"])),
)]
pub(crate) async fn time_offs(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    answer(&s.app, move |app| {
        write(&wire::time_off_page(&app.v1_time_offs(&caller, &query)?))
    })
    .await
}

#[utoipa::path(
    get, path = "/v1/company/time-off-types", tag = "Absences", operation_id = "listTimeOffTypes",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 200)", minimum = 1, maximum = 200),
        ("offset" = Option<u64>, Query, description = "Types to skip"),
    ),
    responses(
        (status = 200, description = "The absence types", body = wire::Page<wire::TimeOffType>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:read"])),
)]
pub(crate) async fn time_off_types(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    answer(&s.app, move |app| {
        write(&wire::time_off_type_page(
            &app.v1_time_off_types(&caller, &query)?,
        ))
    })
    .await
}

#[utoipa::path(
    get, path = "/v1/company/absence-periods", tag = "Absences", operation_id = "listAbsencePeriods",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 200)", minimum = 1, maximum = 200),
        ("offset" = Option<u64>, Query, description = "Periods to skip"),
        ("start_date" = Option<String>, Query, description = "Periods ending on or after (YYYY-MM-DD)"),
        ("end_date" = Option<String>, Query, description = "Periods starting on or before (YYYY-MM-DD)"),
        ("updated_from" = Option<String>, Query, description = "Changed at or after (ISO 8601)"),
        ("updated_to" = Option<String>, Query, description = "Changed at or before (ISO 8601)"),
        ("employees[]" = Option<Vec<i64>>, Query, description = "Only these employees", explode = true),
    ),
    responses(
        (status = 200, description = "A page of hour absences", body = wire::Page<wire::AbsencePeriod>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:read"])),
)]
pub(crate) async fn absence_periods(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    answer(&s.app, move |app| {
        write(&wire::absence_period_page(
            &app.v1_absence_periods(&caller, &query)?,
        ))
    })
    .await
}

#[utoipa::path(
    get, path = "/v1/company/attendances", tag = "Attendances", operation_id = "listAttendances",
    params(
        ("start_date" = String, Query, description = "First day (YYYY-MM-DD)", format = Date),
        ("end_date" = String, Query, description = "Last day (YYYY-MM-DD)", format = Date),
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 200)", minimum = 1, maximum = 200),
        ("offset" = Option<u64>, Query, description = "Attendances to skip"),
        ("updated_from" = Option<String>, Query, description = "Changed at or after (ISO 8601)"),
        ("updated_to" = Option<String>, Query, description = "Changed at or before (ISO 8601)"),
        ("employees[]" = Option<Vec<i64>>, Query, description = "Only these employees", explode = true),
        ("includePending" = Option<bool>, Query, description = "Also pending ones"),
    ),
    responses(
        (status = 200, description = "A page of attendances", body = wire::Page<wire::AttendancePeriod>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:read"])),
)]
pub(crate) async fn attendances(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    answer(&s.app, move |app| {
        write(&wire::attendance_page(
            &app.v1_attendances(&caller, &query)?,
        ))
    })
    .await
}

#[utoipa::path(
    get, path = "/v1/company/document-categories", tag = "Documents", operation_id = "listDocumentCategories",
    responses(
        (status = 200, description = "The document categories", body = wire::Success<Vec<wire::DocumentCategory>>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["documents:read"])),
)]
pub(crate) async fn document_categories(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
) -> Answer {
    answer(&s.app, move |app| {
        let r = &app.v1_document_categories(&caller)?;
        write(&wire::Success::new(wire::document_categories(r)))
    })
    .await
}

/// `POST /v1/partner/connection/activate`: the partner completes the Pending
/// connection its credential was made for.
#[utoipa::path(
    post, path = "/v1/partner/connection/activate", tag = "Partners", operation_id = "activateConnection",
    responses(
        (status = 200, description = "The connection is connected now", body = wire::Success<wire::Activation>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 409, description = "The state does not allow it (a run already finished, a connection not pending)", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn activate(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
) -> Answer {
    let view = blocking(&s.app, move |app| app.activate_by_partner(&caller)).await?;
    Ok(Json(wire::Success::new(wire::Activation {
        connection_id: view.id,
        status: view.status.to_string(),
    }))
    .into_response())
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
        let body = [wire::ReportsException {
            status: status.as_u16(),
            trace_id: uuid::Uuid::now_v7().to_string(),
            timestamp: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            errors: vec![wire::ReportsErrorItem {
                title: status.canonical_reason().unwrap_or("Error").to_owned(),
                details: self.0.message,
                kind: kind.to_owned(),
                meta: Vec::new(),
            }],
        }];
        (status, Json(body)).into_response()
    }
}

type ReportsAnswer = Result<Response, ReportsError>;

#[utoipa::path(
    get, path = "/v1/company/custom-reports/reports", tag = "Custom Reports", operation_id = "listReports",
    params(
        ("report_ids" = Option<Vec<String>>, Query, description = "Only these reports (comma-separated ids)"),
        ("status" = Option<String>, Query, description = "up_to_date, updating or update_failed"),
    ),
    responses(
        (status = 200, description = "The company's reports", body = wire::Page<wire::Report>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter is not valid", body = wire::ReportsError),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks Custom Reports read", body = wire::ReportsError),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ReportsError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["custom_reports:read"])),
)]
pub(crate) async fn list_reports(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> ReportsAnswer {
    let query = query(raw);
    Ok(answer(&s.app, move |app| {
        write(&wire::report_list(&app.v1_list_reports(&caller, &query)?))
    })
    .await?)
}

#[utoipa::path(
    get, path = "/v1/company/custom-reports/columns", tag = "Custom Reports", operation_id = "listReportColumns",
    params(
        ("columns" = Option<Vec<String>>, Query, description = "Only these columns (comma-separated attribute ids)"),
        ("locale" = Option<String>, Query, description = "en, de or fr"),
        ("report_id" = Option<String>, Query, description = "Only this report's columns"),
    ),
    responses(
        (status = 200, description = "The columns reports can hold", body = wire::ReportColumns, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter is not valid", body = wire::ReportsError),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks Custom Reports read", body = wire::ReportsError),
        (status = 404, description = "No such report", body = wire::ReportsError),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ReportsError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["custom_reports:read"])),
)]
pub(crate) async fn report_columns(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(raw): RawQuery,
) -> ReportsAnswer {
    let query = query(raw);
    Ok(answer(&s.app, move |app| {
        write(&wire::report_columns(
            &app.v1_report_columns(&caller, &query)?,
        ))
    })
    .await?)
}

#[utoipa::path(
    get, path = "/v1/company/custom-reports/reports/{id}", tag = "Custom Reports", operation_id = "getReportData",
    params(
        ("id" = String, Path, description = "The report's id"),
        ("page" = Option<u64>, Query, description = "Page, from 1", minimum = 1),
        ("offset" = Option<u64>, Query, description = "Read as the page when page is not given"),
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 1000 (default 100)", minimum = 1, maximum = 1000),
        ("locale" = Option<String>, Query, description = "en, de or fr"),
    ),
    responses(
        (status = 200, description = "A page of the report's rows; every attribute of the report, whatever the whitelist", body = wire::Page<wire::Report>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter is not valid", body = wire::ReportsError),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks Custom Reports read", body = wire::ReportsError),
        (status = 404, description = "No such report", body = wire::ReportsError),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ReportsError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The report took too long or the server is busy", body = wire::ReportsError),
    ),
    security(("bearer" = ["custom_reports:read"])),
)]
pub(crate) async fn report_data(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ReportsAnswer {
    let query = query(raw);
    Ok(crate::blocking_cancellable(&s.app, move |app, cancel| {
        let page = app.v1_report_data(&caller, &id, &query, cancel)?;
        // About a kilobyte a row.
        write_sized(&wire::report_data(&page), 1024 + page.rows.len() * 1024)
    })
    .await
    .map(json_response)
    .map_err(V1Error::from)?)
}

// ----- Partner-reported sync runs -------------------------------------------

/// `POST /v1/sync/runs {"cycle": "full"|"incremental"}`: starts a run of the
/// credential's connection.
#[utoipa::path(
    post, path = "/v1/sync/runs", tag = "Partners", operation_id = "startSyncRun",
    request_body(content = Option<crate::sync::StartBody>, content_type = "application/json"),
    responses(
        (status = 200, description = "The run, started", body = wire::Success<relais_sync::SyncRun>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 409, description = "The state does not allow it (a run already finished, a connection not pending)", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn partner_start(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> Answer {
    let run = blocking(&s.app, move |app| {
        let body: crate::sync::StartBody = crate::sync::parse_body(&body)?;
        app.partner_start_run(&caller, body.cycle())
    })
    .await?;
    Ok(Json(wire::Success::new(run)).into_response())
}

/// `POST /v1/sync/runs/{id}/entries {"entries": [...]}`: 1 to 1,000 entries.
#[utoipa::path(
    post, path = "/v1/sync/runs/{id}/entries", tag = "Partners", operation_id = "appendSyncEntries",
    params(("id" = String, Path, description = "The run's id")),
    request_body = crate::sync::EntriesBody,
    responses(
        (status = 200, description = "The run, with its counts", body = wire::Success<relais_sync::SyncRun>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 409, description = "The state does not allow it (a run already finished, a connection not pending)", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn partner_entries(
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
    Ok(Json(wire::Success::new(run)).into_response())
}

/// `POST /v1/sync/runs/{id}/finish {"error": {"message", "response"}?}`.
#[utoipa::path(
    post, path = "/v1/sync/runs/{id}/finish", tag = "Partners", operation_id = "finishSyncRun",
    params(("id" = String, Path, description = "The run's id")),
    request_body(content = Option<crate::sync::FinishBody>, content_type = "application/json"),
    responses(
        (status = 200, description = "The run, finished", body = wire::Success<relais_sync::SyncRun>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 409, description = "The state does not allow it (a run already finished, a connection not pending)", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn partner_finish(
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
    Ok(Json(wire::Success::new(run)).into_response())
}

/// A JSON object body as `T` ([`crate::json_object`]), its faults in the
/// public API's envelope.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, V1Error> {
    crate::json_object(body).map_err(|message| V1Error::new(StatusCode::BAD_REQUEST, message))
}

/// Records 1 to 200 attendances (a JSON body), all or nothing: one bad item
/// refuses the request, every problem named with its item.
#[utoipa::path(
    post, path = "/v1/company/attendances", tag = "Attendances", operation_id = "createAttendances",
    request_body = wire::NewAttendances,
    responses(
        (status = 200, description = "The new attendances' ids", body = wire::Success<wire::CreatedAttendances>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:write"])),
)]
pub(crate) async fn create_attendances(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> Answer {
    let value: wire::NewAttendances = json_body(&body)?;
    answer(&s.app, move |app| {
        let ids = &app.v1_create_attendances(&caller, &value)?;
        write(&{
            wire::Success::new(wire::CreatedAttendances {
                id: ids.clone(),
                message: "success".into(),
            })
        })
    })
    .await
}

/// `POST /v1/company/time-offs` (form fields, as the modelled HRIS documents, or JSON).
#[utoipa::path(
    post, path = "/v1/company/time-offs", tag = "Absences", operation_id = "createTimeOff",
    request_body(content(
        (wire::NewTimeOff = "application/x-www-form-urlencoded"),
        (wire::NewTimeOff = "application/json"),
    )),
    responses(
        (status = 200, description = "The new absence", body = wire::Success<wire::TimeOffPeriod>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter or the body is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:write"])),
)]
pub(crate) async fn create_time_off(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let fields: wire::NewTimeOff = form_or_json(&headers, &body)?;
    answer(&s.app, move |app| {
        let (time_off, context) = &app.v1_create_time_off(&caller, &fields)?;
        write(&wire::Success::new(wire::time_off_period(
            time_off, context,
        )))
    })
    .await
}

/// A body of form fields or a JSON object as `T`. Form fields are text; the
/// lenient fields read numbers and flags from text as they do from JSON.
fn form_or_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, V1Error> {
    if is_form(headers) {
        let map: serde_json::Map<String, Value> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        serde_json::from_value(Value::Object(map))
            .map_err(|e| V1Error::new(StatusCode::BAD_REQUEST, format!("the form fields: {e}")))
    } else {
        json_body(body)
    }
}

/// Runs `work` on a blocking thread, keeping the use case's error whole
/// (with its fields) for the endpoints that answer in their own shapes.
async fn blocking_app<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let app = Arc::clone(app);
    relais_app::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?
}

// ----- Attendances: changes and projects ------------------------------------

/// Changes an attendance: the fields sent (not the employee), checked as
/// `POST` checks them; the no-overlap rule holds.
#[utoipa::path(
    patch, path = "/v1/company/attendances/{id}", tag = "Attendances", operation_id = "updateAttendance",
    params(("id" = i64, Path, description = "The attendance's id")),
    request_body = wire::AttendanceUpdate,
    responses(
        (status = 200, description = "The attendance was changed", body = wire::Success<wire::Message>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A field or the body is not valid, or the attendance would overlap another; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:write"])),
)]
pub(crate) async fn update_attendance(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    caller.require(PublicApi::Attendances, ApiAccess::Write)?;
    let fields: wire::AttendanceUpdate = json_body(&body)?;
    blocking(&s.app, move |app| {
        app.v1_update_attendance(&caller, &id, &fields)
    })
    .await?;
    Ok(Json(wire::Message::success("The attendance period was updated.")).into_response())
}

/// Deletes an attendance at once; `skip_approval` is checked, not used
/// (approval flows are not modelled).
#[utoipa::path(
    delete, path = "/v1/company/attendances/{id}", tag = "Attendances", operation_id = "deleteAttendance",
    params(
        ("id" = i64, Path, description = "The attendance's id"),
        ("skip_approval" = Option<bool>, Query, description = "Accepted for compatibility; the attendance is deleted at once either way"),
    ),
    responses(
        (status = 200, description = "The attendance was deleted", body = wire::Success<wire::Message>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A parameter is not valid; the message names it", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:write"])),
)]
pub(crate) async fn delete_attendance(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let query = query(raw);
    blocking(&s.app, move |app| {
        app.v1_delete_attendance(&caller, &id, &query)
    })
    .await?;
    Ok(Json(wire::Message::success("The attendance period was deleted.")).into_response())
}

/// An error of a project operation, in that API's own shapes: problems by
/// field (400, 409), or `{"success": false, "message": …}` (404). Errors
/// before the operation (no token, no scope, over the budget) keep the
/// common envelope.
#[derive(Debug)]
pub(crate) enum ProjectError {
    /// A field's problem, or a conflict with what is stored.
    Fields(StatusCode, wire::ProjectFieldError),
    /// No such project.
    NotFound(String),
    /// Anything else, in the common envelope.
    Other(V1Error),
}

impl From<AppError> for ProjectError {
    fn from(error: AppError) -> Self {
        let status = match error.kind() {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::NotFound => return Self::NotFound(error.to_string()),
            _ => return Self::Other(V1Error::from(error)),
        };
        let mut problems = wire::problems_by_field(error.fields());
        if problems.is_empty() {
            problems.insert("body".into(), vec![error.to_string()]);
        }
        Self::Fields(
            status,
            wire::ProjectFieldError {
                success: false,
                error: problems,
            },
        )
    }
}

impl From<V1Error> for ProjectError {
    fn from(error: V1Error) -> Self {
        if error.status == StatusCode::BAD_REQUEST {
            return Self::Fields(
                error.status,
                wire::ProjectFieldError {
                    success: false,
                    error: [("body".to_owned(), vec![error.message])].into(),
                },
            );
        }
        Self::Other(error)
    }
}

impl IntoResponse for ProjectError {
    fn into_response(self) -> Response {
        match self {
            Self::Fields(status, body) => (status, Json(body)).into_response(),
            Self::NotFound(message) => (
                StatusCode::NOT_FOUND,
                Json(wire::ProjectNotFound {
                    success: false,
                    message,
                }),
            )
                .into_response(),
            Self::Other(error) => error.into_response(),
        }
    }
}

type ProjectAnswer = Result<Response, ProjectError>;

/// Every attendance project of the company.
#[utoipa::path(
    get, path = "/v1/company/attendances/projects", tag = "Attendances", operation_id = "listProjects",
    responses(
        (status = 200, description = "The company's projects", body = wire::Success<Vec<wire::ProjectItem>>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:read"])),
)]
pub(crate) async fn projects(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
) -> Answer {
    answer(&s.app, move |app| {
        let projects = app.v1_projects(&caller)?;
        write(&wire::Success::new(
            projects.iter().map(wire::project).collect::<Vec<_>>(),
        ))
    })
    .await
}

/// Creates an attendance project; its name is unique in the company
/// (letter case aside).
#[utoipa::path(
    post, path = "/v1/company/attendances/projects", tag = "Attendances", operation_id = "createProject",
    request_body = wire::NewProject,
    responses(
        (status = 200, description = "The new project", body = wire::Success<wire::ProjectItem>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A field or the body is not valid, named in the project API's own shape", body = wire::ProjectFieldError),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 409, description = "The company has a project of that name", body = wire::ProjectFieldError),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:write"])),
)]
pub(crate) async fn create_project(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> ProjectAnswer {
    let fields: wire::NewProject = json_body(&body)?;
    let project = blocking_app(&s.app, move |app| app.v1_create_project(&caller, &fields)).await?;
    Ok(Json(wire::Success::new(wire::project(&project))).into_response())
}

/// Renames a project and/or (de)activates it.
#[utoipa::path(
    patch, path = "/v1/company/attendances/projects/{id}", tag = "Attendances", operation_id = "updateProject",
    params(("id" = i64, Path, description = "The project's id")),
    request_body = wire::ProjectUpdate,
    responses(
        (status = 200, description = "The project, changed", body = wire::Success<wire::ProjectItem>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "A field or the body is not valid, named in the project API's own shape", body = wire::ProjectFieldError),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "No such project in the credential's company", body = wire::ProjectNotFound),
        (status = 409, description = "Another project of the company has that name", body = wire::ProjectFieldError),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:write"])),
)]
pub(crate) async fn update_project(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    body: Bytes,
) -> ProjectAnswer {
    let fields: wire::ProjectUpdate = json_body(&body)?;
    let project = blocking_app(&s.app, move |app| {
        app.v1_update_project(&caller, &id, &fields)
    })
    .await?;
    Ok(Json(wire::Success::new(wire::project(&project))).into_response())
}

/// Deletes a project no attendance is booked on (deactivate one that has
/// attendances instead).
#[utoipa::path(
    delete, path = "/v1/company/attendances/projects/{id}", tag = "Attendances", operation_id = "deleteProject",
    params(("id" = i64, Path, description = "The project's id")),
    responses(
        (status = 204, description = "The project was deleted", headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "No such project in the credential's company", body = wire::ProjectNotFound),
        (status = 409, description = "Attendances are booked on the project", body = wire::ProjectFieldError),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["attendances:write"])),
)]
pub(crate) async fn delete_project(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> ProjectAnswer {
    blocking_app(&s.app, move |app| app.v1_delete_project(&caller, &id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ----- Absences: one day absence, hour absences ------------------------------

/// One day absence, in the shape the list uses.
#[utoipa::path(
    get, path = "/v1/company/time-offs/{id}", tag = "Absences", operation_id = "getTimeOff",
    params(("id" = i64, Path, description = "The absence's id")),
    responses(
        (status = 200, description = "The day absence", body = wire::Success<wire::TimeOffPeriod>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:read"])),
)]
pub(crate) async fn time_off(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Answer {
    answer(&s.app, move |app| {
        let (time_off, context) = &app.v1_time_off(&caller, &id)?;
        write(&wire::Success::new(wire::time_off_period(
            time_off, context,
        )))
    })
    .await
}

/// Deletes one day absence.
#[utoipa::path(
    delete, path = "/v1/company/time-offs/{id}", tag = "Absences", operation_id = "deleteTimeOff",
    params(("id" = i64, Path, description = "The absence's id")),
    responses(
        (status = 200, description = "The absence was deleted", body = wire::Success<wire::Message>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:write"])),
)]
pub(crate) async fn delete_time_off(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Answer {
    blocking(&s.app, move |app| app.v1_delete_time_off(&caller, &id)).await?;
    Ok(Json(wire::Message::success("The absence period was deleted.")).into_response())
}

/// A refused hour absence: 422 with each field's problem, as the modelled
/// HRIS answers; other errors in the common envelope.
#[derive(Debug)]
pub(crate) enum AbsencePeriodError {
    /// The input breaks a rule.
    Validation(wire::ValidationErrorEnvelope),
    /// Anything else.
    Other(V1Error),
}

impl From<AppError> for AbsencePeriodError {
    fn from(error: AppError) -> Self {
        if error.kind() == ErrorKind::Invalid && !error.fields().is_empty() {
            return Self::Validation(wire::ValidationErrorEnvelope {
                success: false,
                error: wire::ValidationErrorDetail {
                    code: StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
                    message: error.to_string(),
                    error_data: wire::problems_by_field(error.fields()),
                },
            });
        }
        Self::Other(V1Error::from(error))
    }
}

impl From<V1Error> for AbsencePeriodError {
    fn from(error: V1Error) -> Self {
        Self::Other(error)
    }
}

impl IntoResponse for AbsencePeriodError {
    fn into_response(self) -> Response {
        match self {
            Self::Validation(body) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
            }
            Self::Other(error) => error.into_response(),
        }
    }
}

/// Records an hour absence (form fields, as the modelled HRIS documents,
/// or JSON). One day needs `start_time` and `end_time`; more days run from
/// `start_time` (else midnight) on the first to `end_time` (else midnight
/// after) on the last.
#[utoipa::path(
    post, path = "/v1/company/absence-periods", tag = "Absences", operation_id = "createAbsencePeriod",
    request_body(content(
        (wire::NewAbsencePeriod = "application/x-www-form-urlencoded"),
        (wire::NewAbsencePeriod = "application/json"),
    )),
    responses(
        (status = 201, description = "The new hour absence", body = wire::Success<wire::AbsencePeriod>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "The body is not valid JSON or form data", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "No such employee or absence type in the credential's company", body = wire::ErrorEnvelope),
        (status = 413, description = "The body is too large", body = wire::ErrorEnvelope),
        (status = 422, description = "A field is not valid, or the absence overlaps another of the employee", body = wire::ValidationErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:write"])),
)]
pub(crate) async fn create_absence_period(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AbsencePeriodError> {
    let fields: wire::NewAbsencePeriod = form_or_json(&headers, &body)?;
    let body = blocking_app(&s.app, move |app| {
        let (period, context) = &app.v1_create_absence_period(&caller, &fields)?;
        write(&wire::Success::new(wire::absence_period(period, context)))
    })
    .await?;
    let mut response = json_response(body);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// Deletes one hour absence.
#[utoipa::path(
    delete, path = "/v1/company/absence-periods/{id}", tag = "Absences", operation_id = "deleteAbsencePeriod",
    params(("id" = String, Path, description = "The absence period's id (a UUID)", format = Uuid)),
    responses(
        (status = 200, description = "The absence period was deleted", body = wire::Success<wire::Message>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks the scope", body = wire::ErrorEnvelope),
        (status = 404, description = "Not found in the credential's company", body = wire::ErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["absences:write"])),
)]
pub(crate) async fn delete_absence_period(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Answer {
    blocking(&s.app, move |app| {
        app.v1_delete_absence_period(&caller, &id)
    })
    .await?;
    Ok(Json(wire::Message::success("The absence period was deleted.")).into_response())
}
