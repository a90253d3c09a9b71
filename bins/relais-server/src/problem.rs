//! Errors as HTTP problem documents (RFC 9457): one stable JSON shape,
//! `{"status", "code", "title", "message"}`, with `application/problem+json`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relais_app::{AppError, ErrorKind};
use serde::Serialize;

/// An error answer (`application/problem+json`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": 404, "code": "not_found", "title": "Not Found", "message": "no connection 0190c7a2-5b1e-7c3d-9a4f-2b6e8d1c0f3a"}))]
pub struct Problem {
    /// The HTTP status, repeated in the body for clients that lose it.
    pub status: u16,
    /// A stable snake-case code to branch on.
    pub code: &'static str,
    /// The status's reason phrase.
    pub title: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The input fields at fault, each with its problem (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<relais_app::FieldProblem>,
}

impl Problem {
    /// A problem with this status, code and message.
    #[must_use]
    pub fn new(status: StatusCode, code: &'static str, message: String) -> Self {
        Self {
            status: status.as_u16(),
            code,
            title: status.canonical_reason().unwrap_or("Error"),
            message,
            errors: Vec::new(),
        }
    }

    /// 400, for a query or body that does not parse.
    #[must_use]
    pub fn bad_request(message: String) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorKind::Invalid.code(), message)
    }

    /// 500, logged; the caller only learns that it was not their fault.
    #[must_use]
    pub fn internal(detail: &str) -> Self {
        tracing::error!(detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Internal.code(),
            "Relais failed to answer; the server log has the details".to_owned(),
        )
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let status = match error.kind() {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            // The server is not set up for this: the operator's to fix.
            ErrorKind::NotConfigured => {
                tracing::warn!(error = %error, "refused: the server is not configured for it");
                StatusCode::SERVICE_UNAVAILABLE
            }
            ErrorKind::Internal => return Self::internal(&error.to_string()),
        };
        Self {
            errors: error.fields().to_vec(),
            ..Self::new(status, error.kind().code(), error.to_string())
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Unknown paths: a problem document, or on the public API its envelope.
pub(crate) async fn not_found(
    uri: axum::http::Uri,
    mount: Option<axum::Extension<crate::embed::Mount>>,
) -> Response {
    let message = format!(
        "no such endpoint: {}",
        crate::embed::client_path(uri.path(), mount.as_deref())
    );
    if crate::content::is_v1(uri.path()) {
        return crate::content::v1_error(StatusCode::NOT_FOUND, message);
    }
    Problem::new(StatusCode::NOT_FOUND, ErrorKind::NotFound.code(), message).into_response()
}

/// A known path with another method, in the same shapes.
pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
    mount: Option<axum::Extension<crate::embed::Mount>>,
) -> Response {
    let message = format!(
        "{method} is not allowed on {}",
        crate::embed::client_path(uri.path(), mount.as_deref())
    );
    if crate::content::is_v1(uri.path()) {
        return crate::content::v1_error(StatusCode::METHOD_NOT_ALLOWED, message);
    }
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        message,
    )
    .into_response()
}

/// Gives the answers of the tower layers (408 time-out, 413 body too large,
/// and axum's own rejections) the same problem shape as every other error.
pub(crate) async fn from_plain_status(response: Response) -> Response {
    let status = response.status();
    // JSON error bodies are answers already (problem documents, the public
    // API's envelope), and so are the console's HTML error pages.
    let is_answer = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| {
            let t = t.as_bytes();
            t.starts_with(b"application/problem+json")
                || t.starts_with(b"application/json")
                || t.starts_with(b"text/html")
        });
    if is_answer || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took too long and was stopped".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("body_too_large", "the request body is too large".to_owned())
        }
        _ => (
            "http_error",
            format!("the request failed with status {status}"),
        ),
    };
    Problem::new(status, code, message).into_response()
}
