//! What request bodies must declare, and answers for the public API's
//! paths in its own envelope.
//!
//! The rule, the same on both APIs: a request with a body says what it is.
//! JSON bodies need `Content-Type: application/json` (parameters such as
//! `charset=utf-8` are fine, and so are `+json` types); the two endpoints
//! the modelled HRIS documents with form fields (`POST /v1/auth`,
//! `POST /v1/company/time-offs`, `POST /v1/company/absence-periods`,
//! `POST /v1/company/employees`, `PATCH /v1/company/employees/{id}`,
//! `POST /v2/auth/token`) also take
//! `application/x-www-form-urlencoded`; the employee import takes CSV or
//! JSON lines; document uploads, recruiting uploads and profile pictures
//! (routed outside this rule with limits of their own) are checked by their
//! handlers. Anything else, or a body without a type, is answered 415:
//! a guessed format would turn a client's mistake into a misleading error.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Problem;

/// The media type without its parameters, in lower case.
pub(crate) fn essence(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match length {
        Some(length) => length > 0,
        None => headers.contains_key(header::TRANSFER_ENCODING),
    }
}

/// Whether `path` belongs to the public API, which answers in its own envelope.
pub(crate) fn is_v1(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

/// An error in the public API's envelope.
pub(crate) fn v1_error(status: StatusCode, message: String) -> Response {
    (
        status,
        axum::Json(relais_wire::v1::ErrorEnvelope::new(
            status.as_u16(),
            message,
        )),
    )
        .into_response()
}

/// Refuses bodies whose declared type the endpoint does not take.
pub(crate) async fn require_declared_body(request: Request<Body>, next: Next) -> Response {
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH
    );
    let path = request.uri().path().to_owned();
    if !writes || !has_body(request.headers()) || path == "/api/employees/import" {
        return next.run(request).await;
    }
    let takes_form = matches!(
        path.as_str(),
        "/v1/auth"
            | "/v1/company/time-offs"
            | "/v1/company/absence-periods"
            | "/v1/company/employees"
            | "/v2/auth/token"
    ) || path
        .strip_prefix("/v1/company/employees/")
        .is_some_and(|id| !id.contains('/'));
    let declared = essence(request.headers());
    let accepted = declared.as_deref().is_some_and(|t| {
        t == "application/json"
            || t.ends_with("+json")
            || (takes_form && t == "application/x-www-form-urlencoded")
    });
    if accepted {
        return next.run(request).await;
    }
    let wanted = if takes_form {
        "application/json or application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let message = match declared {
        Some(t) => format!("the body is declared as '{t}'; send it as Content-Type: {wanted}"),
        None => format!("the body has no Content-Type; send it as Content-Type: {wanted}"),
    };
    if path.starts_with("/v1/recruiting/") {
        crate::recruiting::unsupported_media_type(message)
    } else if is_v1(&path) {
        v1_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
    } else {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
        .into_response()
    }
}
